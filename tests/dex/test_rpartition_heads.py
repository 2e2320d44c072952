"""``_dexscan.rpartition_heads`` (issue #19: sdk.match's package count over every class of the app): the heads
``name.rpartition(sep)[0]`` exactly, each distinct head one object, None for anything but a list of str; C against
its pure-Python twin and the expression; and SDK identification gives the same hits with and without it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appwarden.dex import pywalk

cext = pytest.importorskip("appwarden.dex._dexscan", reason="C extension not built (pip install -e .)")

parts = st.sampled_from(["L", "com", "/", "/", "a", "Foo;", "$1", "\u00e9", "\U0001f600", ".", ""])
names = st.lists(st.lists(parts, max_size=6).map("".join), max_size=40)


@settings(max_examples=400, deadline=2000)
@given(names=names, sep=st.sampled_from(["/", ".", "\u00e9", "$"]), runs=st.booleans())
def test_heads_are_rpartition_heads(names: list[str], sep: str, runs: bool) -> None:
    if runs:  # runs of one package, as a DEX lists its classes
        names = sorted(names)
    got = cext.rpartition_heads(names, sep)
    assert got == [n.rpartition(sep)[0] for n in names] == pywalk.rpartition_heads(names, sep)
    assert all(type(h) is str for h in got)
    first: dict[str, str] = {}
    for h in got:  # equal heads are one object
        assert first.setdefault(h, h) is h


def test_heads_decline_and_refuse() -> None:
    assert cext.rpartition_heads(["La/B;", b"La/C;"], "/") is None
    assert pywalk.rpartition_heads(["La/B;", b"La/C;"], "/") is None

    class Name(str):
        pass

    assert cext.rpartition_heads([Name("La/B;")], "/") is None
    for bad in ("", "//"):
        with pytest.raises(ValueError, match="one-character separator"):
            cext.rpartition_heads(["La/B;"], bad)
        with pytest.raises(ValueError, match="one-character separator"):
            pywalk.rpartition_heads(["La/B;"], bad)
    with pytest.raises(TypeError):
        cext.rpartition_heads(("La/B;",), "/")
    assert cext.rpartition_heads([], "/") == []


def test_identify_same_with_and_without_the_kernel(monkeypatch) -> None:
    from appwarden.dex import walker
    from appwarden.sdk import match

    classes = [
        "Lcom/umeng/analytics/MobclickAgent;",
        "Lcom/umeng/analytics/pro/a;",
        "Lcom/tencent/bugly/crashreport/CrashReport;",
        "Lcom/stub/StubApp;",
        "Lcom/mob/MobSDK;",
        "Lcom/example/app/MainActivity;",
        "LTopLevel;",
        "Lcom/example/app/MainActivity$1;",
        "Lcom/umeng/commonsdk/UMConfigure;",
    ] * 3
    with_kernel = match.identify(classes, None, [])
    assert match._heads(classes) == [n.rpartition("/")[0] for n in classes]
    monkeypatch.delattr(walker, "rpartition_heads", raising=False)
    without = match.identify(classes, None, [])
    assert with_kernel == without
    assert with_kernel  # some SDK found: the comparison is not of two empty lists
