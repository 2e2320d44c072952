"""The per-scan answers the rules share (issue #19): ``static_support.methods_of``, ``method_records`` and
``superclasses`` read from one table per class must equal what the code index answers method by method, and the
navigation graph's one-slice event read must equal ``CodeIndex.method_strings`` / ``method_literals``."""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.dex.records import EV_CONST_CLASS, EV_NEW_INSTANCE
from appwarden.rules import static_support as ss
from appwarden.rules.navigation import POLICY_TEXTS, POLICY_URL, _Builder
from appwarden.scan import build_evidence

FIXTURES = Path(__file__).parents[1] / "fixtures" / "apks"
APPS = Path(__file__).parent / "_apps"
APKS = [
    FIXTURES / "multidex.apk",
    FIXTURES / "pi_all.apk",
    APPS / "consent_policylib.apk",
    APPS / "leads.apk",
]


def _superclasses_by_class_info(code, cls: str, limit: int = 12) -> list[str]:
    chain, current = [cls], cls
    for _ in range(limit):
        info = code.class_info(current)
        sup = info.superclass if info is not None else None
        if not sup or sup in chain:
            break
        chain.append(sup)
        current = sup
    return chain


@pytest.mark.parametrize("apk", APKS, ids=lambda p: p.name)
def test_class_tables_equal_the_index_answers(apk: Path) -> None:
    code = build_evidence(str(apk)).static.code
    assert code is not None
    classes = sorted(code.classes)
    assert classes
    n_methods = 0
    for cls in classes:
        info = code.class_info(cls)
        assert ss.methods_of(code, cls) == list(info.methods)
        assert ss.superclass_of(code, cls) == info.superclass
        assert ss.superclasses(code, cls) == _superclasses_by_class_info(code, cls)
        for m in info.methods:
            n_methods += 1
            assert ss.method_records(code, m) == code.method_records(m), m
        # a method the class does not define, and one of a class the app does not define
        assert ss.method_records(code, f"{cls}->noSuchMethod()V") == code.method_records(
            f"{cls}->noSuchMethod()V"
        )
    assert ss.method_records(code, "Lno/such/Cls;->m()V") == []
    assert ss.methods_of(code, "Lno/such/Cls;") == []
    assert ss.superclass_of(code, "Lno/such/Cls;") is None
    assert n_methods >= 1


def test_the_memo_follows_the_code_index() -> None:
    a = build_evidence(str(APKS[0])).static.code
    b = build_evidence(str(APKS[1])).static.code
    cls_a = sorted(a.classes)[0]
    assert ss.methods_of(a, cls_a) == list(a.class_info(cls_a).methods)
    # another scan's index: nothing of the first one's answers
    for cls in sorted(b.classes):
        assert ss.methods_of(b, cls) == list(b.class_info(cls).methods)
    if cls_a not in b.classes:
        assert ss.methods_of(b, cls_a) == []
    assert ss.methods_of(a, cls_a) == list(a.class_info(cls_a).methods)
    # the caller's list is its own
    got = ss.methods_of(a, cls_a)
    got.append("x")
    assert "x" not in ss.methods_of(a, cls_a)


@pytest.mark.parametrize("apk", APKS, ids=lambda p: p.name)
def test_navigation_event_read_equals_the_index(apk: Path) -> None:
    import re

    ev = build_evidence(str(apk))
    code = ev.static.code
    b = _Builder(ev, code, ev.static.manifest, POLICY_TEXTS, re.compile(POLICY_URL, re.IGNORECASE))
    checked = 0
    for cls in sorted(code.classes):
        for m in code.class_info(cls).methods:
            consts, news = [], []
            for ci, r in code.method_records(m):
                dc = code.codes[ci]
                for _i, kind, _op, _off, idx in dc.events_of_record(r):
                    if kind == EV_CONST_CLASS and idx < len(dc.type_descs):
                        consts.append(dc.type_descs[idx])
                    elif kind == EV_NEW_INSTANCE and idx < len(dc.type_descs):
                        news.append(dc.type_descs[idx])
            assert b.strings(m) == code.method_strings(m), m
            assert b.literals(m) == code.method_literals(m), m
            assert b.events(m) == (consts, news), m
            checked += bool(consts or news or b.strings(m) or b.literals(m))
    assert checked >= 1


def test_consent_reach_merge_equals_setdefault() -> None:
    from appwarden.rules.consent import _Merged

    first = {"a": None, "b": "a", "c": "b"}
    more = {"x": None, "b": "x", "y": "x", "c": None, "z": "y"}
    expected = dict(first)
    for m, p in more.items():
        expected.setdefault(m, p)
    merged = _Merged(first, more)
    assert list(merged) == list(expected)
    assert len(merged) == len(expected)
    assert dict(merged.items()) == expected
    for key in [*expected, "nope"]:
        assert (key in merged) == (key in expected)
        assert merged.get(key, "default") == expected.get(key, "default")
    assert merged["b"] == "a" and merged["z"] == "y"
    with pytest.raises(KeyError):
        merged["nope"]


@pytest.mark.parametrize("apk", [*APKS, APPS / "bad.apk"], ids=lambda p: p.name)
def test_implementers_remembered_per_index(apk: Path) -> None:
    code = build_evidence(str(apk)).static.code
    interfaces = sorted({i for cls in code.classes for i in code.class_info(cls).interfaces})
    if apk.name == "bad.apk":  # its trust-all X509TrustManager and SensorEventListener
        assert ss.implementers(code, "Ljavax/net/ssl/X509TrustManager;")
    for iface in interfaces:
        first = ss.implementers(code, iface)
        assert first == ss._implementers_below(code, iface)
        first.append("Lmutated;")
        assert ss.implementers(code, iface) == ss._implementers_below(code, iface)
