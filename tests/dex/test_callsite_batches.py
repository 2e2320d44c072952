"""find_callsites' invoke sites per DEX (issue #19): the calling records of a DEX's matches found and named together
(``DexCode.records_of_events``, ``DexCode.callers_of_records``) give the sites the former per-event loop gave."""

from __future__ import annotations

import zipfile
from collections import defaultdict
from pathlib import Path

import pytest

import appwarden.dex.index as index_module
from appwarden.dex import api_index
from appwarden.dex.api_index import (
    PiApiIndex,
    _declared_arg_registers,
    _filter_decision,
    _member_key,
    _Resolver,
    _site,
    register_states,
)
from appwarden.dex.index import CodeIndex, build_index
from appwarden.dex.records import EV_INVOKE, EVENT_WORDS, METHOD_WORDS


def _reference_invoke_sites(index: CodeIndex, pi: PiApiIndex, apply_filters: bool, sites: set) -> None:
    """``_invoke_sites`` as it was: one event at a time from ``_iter_matches``, each caller named on its own."""
    pending: dict[tuple[int, int], list[tuple[int, str]]] = defaultdict(list)
    for ci, code, i, target in index._iter_matches(EV_INVOKE, list(pi.apis), False, True):
        key = _member_key(target)
        filters = pi.filters.get(key, {}) if apply_filters else {}
        r = code.record_of_event(i)
        for cat in [c for c in pi.apis[key] if c not in filters]:
            caller = code.method_desc(code.methods[r * METHOD_WORDS + 1])
            sites.add(_site(caller, target, cat, "invoke", code.name, code.events[i * EVENT_WORDS + 1]))
        if filters:
            pending[(ci, r)].append((i, target))
    for (ci, r), items in pending.items():
        code = index.codes[ci]
        res = _Resolver(code, pi)
        caller = code.method_desc(code.methods[r * METHOD_WORDS + 1])
        offsets = {code.events[i * EVENT_WORDS + 1] for i, _t in items}
        states = register_states(code.dex, code.methods[r * METHOD_WORDS + 3], offsets)
        for i, target in items:
            k, off, midx, a, _b = code.events[i * EVENT_WORDS : (i + 1) * EVENT_WORDS]
            regs = states.get(off, {})
            args = [regs.get(reg, ("unknown",)) for reg in _declared_arg_registers(code, k & 0xFF, a, midx)]
            key = _member_key(target)
            accepted = unresolved = False
            for cat, flt in pi.filters[key].items():
                ok, text = _filter_decision(flt, cat, args, res)
                if ok:
                    sites.add(_site(caller, target, cat, "invoke", code.name, off, arg=text or None))
                    accepted = True
                elif ok is None:
                    unresolved = True
            if not accepted and unresolved:
                first = next(iter(pi.filters[key]))
                sites.add(_site(caller, target, first, "invoke", code.name, off, unresolved=True))


def _same_sites(blobs: list[tuple[str, bytes]], pi: PiApiIndex) -> int:
    """The invoke sites of an app (with and without the argument filters) as the former loop finds them, each on a
    fresh index; how many."""
    n = 0
    for apply_filters in (True, False):
        want: set = set()
        _reference_invoke_sites(build_index(blobs), pi, apply_filters, want)
        got: set = set()
        api_index._invoke_sites(build_index(blobs), pi, apply_filters, got)
        assert got == want
        assert sorted(got, key=api_index._SORT_KEY) == sorted(want, key=api_index._SORT_KEY)
        n += len(want)
    return n


def _fixture_blobs(main_dex: bytes, multidex_blobs, pi_all_blobs) -> list[list[tuple[str, bytes]]]:
    return [[("classes.dex", main_dex)], multidex_blobs, pi_all_blobs]


def test_records_of_events_is_record_of_event(
    main_dex: bytes, multidex_blobs, pi_all_blobs, monkeypatch
) -> None:
    for blobs in _fixture_blobs(main_dex, multidex_blobs, pi_all_blobs):
        for code in build_index(blobs).codes:
            events = list(range(code.n_events))
            want = [code.record_of_event(i) for i in events]
            assert code.records_of_events(events) == want
            assert code.records_of_events(events[::-3]) == want[::-3]
            assert code.records_of_events([]) == []
            assert code.records_of_events([2**70]) == [code.record_of_event(2**70)]  # beyond a C long long
            with monkeypatch.context() as m:  # without the extension: the bisection over the column
                m.setattr(index_module, "_record_of", None)
                assert code.records_of_events(events) == want


def test_callers_of_records_names_as_caller_of_record(main_dex: bytes, multidex_blobs, pi_all_blobs) -> None:
    for blobs in _fixture_blobs(main_dex, multidex_blobs, pi_all_blobs):
        one, batch = build_index(blobs), build_index(blobs)
        for code_one, code in zip(one.codes, batch.codes, strict=True):
            records = list(range(code.n_methods))
            want = {r: code_one.caller_of_record(r) for r in records}
            assert want == {r: code_one.method_desc(code_one.methods[r * METHOD_WORDS + 1]) for r in records}
            half = records[::2]
            got = code.callers_of_records(half + half)  # repeats named once
            assert {r: got[r] for r in half} == {r: want[r] for r in half}
            got = code.callers_of_records(iter(records))  # the rest named, the first ones kept
            assert got == want
            assert all(code.caller_of_record(r) is got[r] for r in records)  # one cache
            assert code.callers_of_records([]) is got


def test_invoke_sites_as_the_per_event_loop(main_dex: bytes, multidex_blobs, pi_all_blobs) -> None:
    pi = PiApiIndex.load()
    assert sum(_same_sites(blobs, pi) for blobs in _fixture_blobs(main_dex, multidex_blobs, pi_all_blobs)) > 0


@pytest.mark.corpus
@pytest.mark.slow
def test_invoke_sites_as_the_per_event_loop_on_corpus(corpus_dir: Path) -> None:
    pi = PiApiIndex.load()
    total = 0
    for apk in sorted((corpus_dir / "apks").rglob("*.apk")):
        try:
            with zipfile.ZipFile(apk) as z:
                blobs = [(n, z.read(n)) for n in z.namelist() if n.endswith(".dex") and "/" not in n]
        except (zipfile.BadZipFile, OSError, NotImplementedError, ValueError):
            continue
        total += _same_sites(blobs, pi)
    assert total > 1000
