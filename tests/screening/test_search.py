"""The screening's text search is one multi-pattern pass per source and answers exactly what the per-word searches
answered: the code index's byte search of every DEX string (``strings_containing``), its predicate walk over the
``const-string`` strings (``strings_matching``) and a byte search of each term in each text file. Checked on the
fixture apps here and on every corpus APK (corpus-marked); docs/screening-eval.md (cost)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from appwarden.dex.reader import decode_mutf8
from appwarden.dex.records import EV_STRING, EVENT_WORDS
from appwarden.errors import AppwardenError
from appwarden.limits import DEFAULT_LIMITS
from appwarden.scan import _static_stage
from appwarden.screening import content, screen
from appwarden.screening.content import ScreenContext, _data_start
from appwarden.screening.detectors import _HOST, _HOST_FIRST, _HOST_NEEDLES
from appwarden.screening.loader import load_indicators

APPS = Path(__file__).resolve().parent / "_apps"
SPECS = load_indicators()
VOCABULARIES = [
    [*s.params.get("strong", []), *s.params.get("common", [])] for s in SPECS if s.detector == "vocabulary"
]
NEEDLES = [s.params["needles"] for s in SPECS if s.detector == "strings_any"]
# ASCII words common in every app, Chinese trade words and mixed case: many hits, several per string
EXTRA_TERMS = ["充值", "提现", "彩票", "贷款", "Login", "http", "json", "a", "ERROR", "Casino", "下注"]
EXTRA_NEEDLES = ["su", "/system/", "http", "e", "充值"]


def _reference_find_text(ctx: ScreenContext, terms: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The per-word search the screening did before one pass answered everything (what find_text must equal)."""
    found: dict[str, list[dict[str, Any]]] = {}
    if ctx.code is not None and terms:
        variants = {v for t in terms for v in (t, t.lower(), t.capitalize(), t.upper())}
        for ref in ctx.code.strings_containing(list(variants)):
            value = str(ref.target)
            for t in terms:
                if t.lower() in value.lower():
                    places = found.setdefault(t, [])
                    if len(places) < 3:
                        places.append(
                            {"source": "dex", "caller": ref.caller, "dex": ref.dex, "text": value[:120]}
                        )
    for kind, name, blob in ctx.text_blobs:
        for t in terms:
            low = t.lower()
            if low.encode("utf-8") in blob or low.encode("utf-16-le") in blob:
                places = found.setdefault(t, [])
                if len(places) < 3:
                    places.append({"source": kind, "path": name})
    return found


def _assert_same_search(static: Any, apk: Any) -> None:
    fast, slow = ScreenContext(static, apk), ScreenContext(static, apk)
    for terms in [*VOCABULARIES, EXTRA_TERMS]:
        assert fast.find_text(terms) == _reference_find_text(slow, terms), terms
    if static.code is None:
        return
    for needles in [*NEEDLES, EXTRA_NEEDLES]:
        assert fast.strings_containing(needles) == static.code.strings_containing(needles), needles
    hosts = static.code.strings_matching(lambda v: bool(_HOST.match(v)))
    assert fast.strings_where(lambda v: bool(_HOST.match(v)), _HOST_FIRST) == hosts
    assert fast.strings_where(lambda v: bool(_HOST.match(v)), _HOST_FIRST, _HOST_NEEDLES) == hosts
    for ds in fast.const_strings:  # every string id a const-string names (and no other), ascending
        code = ds.code
        kinds, idxs = code.events[0::EVENT_WORDS], code.events[2::EVENT_WORDS]
        named = {i for k, i in zip(kinds, idxs, strict=True) if k >> 8 == EV_STRING}
        limit = code.dex.container_size
        assert ds.ids == sorted(
            i for i in named if i < code.dex.string_ids_size and code.dex.string_ids[i] < limit
        )
    for ds in fast.const_strings:  # the raw string bytes read without decoding are each string's bytes
        raw = ds.joined.encode("latin-1").split(b"\x00")
        assert len(raw) == len(ds.ids) or (not ds.ids and raw == [b""])
        for k, i in enumerate(ds.ids):
            assert decode_mutf8(raw[k]) == ds.code.dex.string(i)


@pytest.mark.parametrize("apk", sorted(APPS.glob("*.apk")), ids=lambda p: p.stem)
def test_one_pass_answers_what_the_per_word_search_answered(apk: Path) -> None:
    _assert_same_search(*_static_stage(apk, DEFAULT_LIMITS))


def test_screen_searches_each_dex_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole screening reads each DEX's strings in one pass (it ran a C substring scan of every string of
    every DEX per vocabulary indicator: most of a big app's scan time): with the C extension one C substring scan
    per DEX for every needle at once (issue #19: cheaper than joining the strings for one Aho-Corasick pass), else
    one Aho-Corasick pass per DEX."""
    static, apk = _static_stage(APPS / "screen_bad.apk", DEFAULT_LIMITS)
    substring_scans: list[int] = []
    passes: list[int] = []
    real_scan, real_search = content._substring_kernel(), content._search
    monkeypatch.setattr(
        content, "_substring_kernel", lambda: lambda *a: substring_scans.append(1) or real_scan(*a)
    )
    monkeypatch.setattr(content, "_search", lambda keys, text: passes.append(1) or real_search(keys, text))
    result = screen(static, apk)
    assert result.verdict == "harmful" and len(result.hits) > 10
    n_blobs = len(ScreenContext(static, apk).text_blobs)
    if content.walker_backend() == "c":
        assert len(substring_scans) == len(static.code.codes)
        assert len(passes) == n_blobs
    else:
        assert substring_scans == []
        assert len(passes) == len(static.code.codes) + n_blobs
    substring_scans.clear()
    passes.clear()
    monkeypatch.setattr(content, "walker_backend", lambda: "python")  # the pure-Python path: no C scan at all
    assert screen(static, apk).to_json() == result.to_json()
    assert substring_scans == []
    assert len(passes) == len(static.code.codes) + n_blobs


@pytest.mark.parametrize("apk", sorted(APPS.glob("*.apk")), ids=lambda p: p.stem)
def test_c_scan_and_one_pass_answer_the_same(apk: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The C substring scan per DEX answers exactly what the joined Aho-Corasick pass answers, and the strings'
    heads are those of the joined strings (issue #19)."""
    static, opened = _static_stage(apk, DEFAULT_LIMITS)
    if static.code is None:
        return
    c_ctx, py_ctx = ScreenContext(static, opened), ScreenContext(static, opened)
    with monkeypatch.context() as m:
        m.setattr(content, "walker_backend", lambda: "python")
        for needles in [*NEEDLES, EXTRA_NEEDLES, *VOCABULARIES]:
            py_ctx.strings_containing(needles)
    for needles in [*NEEDLES, EXTRA_NEEDLES, *VOCABULARIES]:
        assert c_ctx.strings_containing(needles) == py_ctx.strings_containing(needles), needles
    for heads, ds in zip(c_ctx.const_heads, py_ctx.const_strings, strict=True):
        kept = [k for k in range(len(heads.ids)) if heads.readable(k)]
        assert [heads.ids[k] for k in kept] == ds.ids
        assert bytes(heads.firsts[k] for k in kept) == ds.firsts


def test_a_string_without_its_end_is_no_hit(monkeypatch: pytest.MonkeyPatch) -> None:
    """A loaded string whose bytes run to the end of the DEX with no NUL is left out by both searches (the C scan
    would search it up to the end of the buffer; _readable_string drops it)."""
    static, _apk = _static_stage(APPS / "screen_bad.apk", DEFAULT_LIMITS)
    code = static.code.codes[0]
    dex = code.dex
    i = next(i for i in range(dex.string_ids_size) if content._readable_string(dex, i))
    assert content._readable_string(dex, i)
    monkeypatch.setattr(dex, "container_size", dex.string_ids[i] + 1)  # the DEX "ends" inside the string
    assert not content._readable_string(dex, i)
    monkeypatch.setattr(dex, "container_size", dex.string_ids[i])  # its data starts past the end
    assert not content._readable_string(dex, i)


def test_a_needle_asked_for_later_is_still_answered() -> None:
    static, apk = _static_stage(APPS / "screen_bad.apk", DEFAULT_LIMITS)
    ctx = ScreenContext(static, apk)
    assert (
        ctx.strings_containing([]) == ctx.strings_containing([""]) == static.code.strings_containing([]) == []
    )
    ctx.expect(needles=["nothing-like-this"])
    assert ctx.strings_containing(["nothing-like-this"]) == []
    for needles in ([*EXTRA_NEEDLES], ["/system/"], ["充值"]):
        assert ctx.strings_containing(needles) == static.code.strings_containing(needles)
    with pytest.raises(UnicodeError):  # a term that cannot be encoded fails its own indicator, as before
        ctx.strings_containing(["\ud800"])


@pytest.mark.parametrize(
    ("data", "start"),
    [
        (b"\x05hello\x00", 1),  # one-byte length
        (b"\x80\x01" + b"x" * 128 + b"\x00", 2),  # a length of 128 takes two bytes
        (b"\xff\xff\xff\xff\xff\x00", -1),  # longer than five bytes: malformed
        (b"\x80\x80", -1),  # runs past the end
    ],
)
def test_string_data_start(data: bytes, start: int) -> None:
    assert _data_start(data, 0, len(data)) == start


@pytest.mark.corpus
def test_one_pass_answers_the_same_on_the_corpus(
    corpus_dir: Path, corpus_manifest: list[dict[str, str]]
) -> None:
    checked = 0
    for row in corpus_manifest:
        if not row["file"].endswith(".apk"):
            continue
        try:
            static, apk = _static_stage(corpus_dir / row["file"], DEFAULT_LIMITS)
        except AppwardenError:
            continue  # the corpus's deliberately broken edge cases (test_corpus.py checks their errors)
        _assert_same_search(static, apk)
        checked += 1
    assert checked > 150


@pytest.mark.parametrize(
    "value",
    [
        "http://a",
        "HTTPS://x.cn/p",
        "tcp://1.2.3.4:80",
        "Ws://h",
        "1.2.3.4",
        "10.0.0.1:8080",
        "١٢.٣.٤.٥",
        "\U0001d7ce.1.2.3",
        "httpſ://k",
    ],
)
def test_every_host_string_holds_a_host_needle(value: str) -> None:
    """The needles pre-filter of the server-address search is necessary: every string _HOST accepts holds one in
    its MUTF-8 bytes (a non-ASCII digit, even one outside the BMP written as a surrogate pair, ends with a
    continuation byte before the dot) and its first byte passes _HOST_FIRST."""
    units = memoryview(value.encode("utf-16-le")).cast("H")
    data = b"".join(b"\xc0\x80" if u == 0 else chr(u).encode("utf-8", "surrogatepass") for u in units)
    assert decode_mutf8(data) == value
    assert _HOST.match(value)
    assert any(n in data for n in _HOST_NEEDLES)
    assert _HOST_FIRST.match(data[:1])
