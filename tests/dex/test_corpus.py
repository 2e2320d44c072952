"""Corpus-wide checks: every DEX of every corpus APK indexes (or fails with DexFormatError), C == Python."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path

import pytest

from appwarden.dex import pywalk
from appwarden.dex.api_index import PiApiIndex, find_callsites
from appwarden.dex.index import build_index
from appwarden.dex.reader import split_container
from appwarden.errors import DexFormatError

pytestmark = [pytest.mark.corpus, pytest.mark.slow]


def corpus_dex_blobs(corpus_dir: Path):
    for apk in sorted((corpus_dir / "apks").rglob("*.apk")):
        try:
            with zipfile.ZipFile(apk) as z:
                names = [n for n in z.namelist() if n.endswith(".dex") and "/" not in n]
                yield apk, [(n, z.read(n)) for n in names]
        except (zipfile.BadZipFile, OSError, NotImplementedError, ValueError):
            continue  # not readable by zipfile: the APK reader's tests cover these


def test_every_corpus_dex_indexes_or_fails_cleanly(corpus_dir: Path) -> None:
    pi = PiApiIndex.load()
    n_dex = n_sites = 0
    for apk, blobs in corpus_dex_blobs(corpus_dir):
        index = build_index(blobs)
        for err in index.errors:
            assert err.stage == "dex" and "\n" not in err.message, apk
        sites = find_callsites(index, pi)
        n_dex += len(index.codes)
        n_sites += len(sites)
        for s in sites:
            assert s.caller.startswith("L") and "->" in s.caller and s.offset > 0, (apk, s)
        for name, blob in blobs:
            try:
                split_container(name, blob)
            except DexFormatError as exc:
                assert any(e.path == name for e in index.errors), (apk, exc)
    assert n_dex > 150
    assert n_sites > 1000


def test_c_and_python_walkers_identical_on_corpus(corpus_dir: Path) -> None:
    cext = pytest.importorskip("appwarden.dex._dexscan", reason="C extension not built")
    compared = 0
    for apk, blobs in corpus_dex_blobs(corpus_dir):
        for name, blob in blobs:
            try:
                dexes = split_container(name, blob)
            except DexFormatError:
                continue
            for dex in dexes:
                args = (
                    dex.data,
                    dex.class_defs_off,
                    dex.class_defs_size,
                    dex.method_ids_size,
                    dex.string_ids_size,
                    dex.type_ids_size,
                    dex.field_ids_size,
                    dex.proto_ids_size,
                )
                try:
                    c_out = cext.scan(*args)
                except ValueError as exc:
                    with pytest.raises(ValueError, match=str(exc)):
                        pywalk.scan(*args)
                    continue
                assert pywalk.scan(*args) == c_out, (apk, name)
                compared += 1
    assert compared > 150


def corpus_dexes(corpus_dir: Path):
    """``(apk, DexFile)`` for every DEX of the corpus the reader accepts."""
    for apk, blobs in corpus_dex_blobs(corpus_dir):
        for name, blob in blobs:
            try:
                dexes = split_container(name, blob)
            except DexFormatError:
                continue
            for dex in dexes:
                yield apk, dex


def test_method_descs_c_python_and_reader_agree_on_corpus(corpus_dir: Path) -> None:
    cext = pytest.importorskip("appwarden.dex._dexscan", reason="C extension not built")
    from .test_graph_kernels import descs_args

    compared = n_none = 0
    for apk, dex in corpus_dexes(corpus_dir):
        args = descs_args(dex)
        c_out = cext.method_descs(*args)
        assert pywalk.method_descs(*args) == c_out, (apk, dex.name)
        for i, d in enumerate(c_out):
            if d is None:
                n_none += 1
                assert not dex.method_desc(i).isascii(), (apk, dex.name, i)
            else:
                assert d == dex.method_desc(i), (apk, dex.name, i)
        compared += 1
    assert compared > 150


def corpus_apps(corpus_dir: Path):
    """``(apk, CodeIndex, manifest component entries)`` for every corpus APK the APK reader opens, the entries
    as the scan computes them (``rules.static_support.component_entries``)."""
    from appwarden.apk import open_apk
    from appwarden.errors import AppwardenError
    from appwarden.evidence import Evidence, StaticEvidence
    from appwarden.rules.static_support import component_entries

    for path in sorted((corpus_dir / "apks").rglob("*.apk")):
        try:
            apk = open_apk(path)
        except AppwardenError:
            continue
        with apk:
            index = build_index([(n, apk.read(n)) for n in apk.dex_names])
            static = StaticEvidence(app=apk.app_info(), manifest=apk.manifest, code=index)
            yield path, index, component_entries(Evidence(static=static))


def test_callgraph_reachability_equals_reference_on_corpus(corpus_dir: Path) -> None:
    """The integer graph reaches exactly what the previous implementation reached from the manifest entries, at
    the same depths, through edges the previous implementation has; callees and edge counts are equal too."""
    from .reference_callgraph import ReferenceCallGraph, assert_same_reachability

    compared = with_entries = 0
    for path, index, entries in corpus_apps(corpus_dir):
        new, old = index.callgraph, ReferenceCallGraph(index)
        assert new.edge_count == old.edge_count, path
        for m in old._out:
            assert new.callees(m) == old.callees(m), (path, m)
        if entries:
            assert_same_reachability(new, old, entries, path)
            with_entries += 1
        compared += 1
    assert compared > 150 and with_entries > 100


def test_graph_kernels_c_equals_python_on_corpus(corpus_dir: Path) -> None:
    """type_descs / invoked_ids / call_edges / build_csr / bfs of both backends on every corpus app's graph."""
    cext = pytest.importorskip("appwarden.dex._dexscan", reason="C extension not built")
    from .test_graph_kernels import assert_same_kernels

    compared = 0
    for path, index, entries in corpus_apps(corpus_dir):
        assert_same_kernels(cext, index, entries, path)
        compared += 1
    assert compared > 150


def test_class_info_on_corpus(corpus_dir: Path) -> None:
    from .test_index import assert_class_infos

    n = 0
    for _path, index, _entries in corpus_apps(corpus_dir):
        assert_class_infos(index)
        n += 1
    assert n > 150


def test_lookups_on_corpus(corpus_dir: Path) -> None:
    from .test_callgraph import assert_lookups

    n = 0
    for path, index, _entries in corpus_apps(corpus_dir):
        assert_lookups(index, path)
        n += 1
    assert n > 150


def reachability_digest(parents: dict[str, str | None]) -> dict[str, object]:
    """``{"n": reachable methods, "sha": SHA-256 of the sorted (method, parent) pairs as JSON}``: the whole
    reachable set and the parent each method was first reached from, i.e. every shortest path the scan reports."""
    pairs = json.dumps(sorted(parents.items(), key=lambda kv: kv[0]), ensure_ascii=False)
    return {"n": len(parents), "sha": hashlib.sha256(pairs.encode()).hexdigest()}


def test_reachable_sets_and_paths_unchanged_on_corpus(corpus_dir: Path) -> None:
    """Reachable sets and paths equal the committed digests (``data/corpus_reachability.json``) on every corpus
    APK the reader opens.

    The digests were computed with the code before the issue #19 memory/time work (commit 1962440) by
    ``static_support.reachable(code, component_entries(...))``, exactly as the scan's reachability stage does.
    Digests rather than a second, old implementation run side by side: the old code is the same graph built with
    more memory, and keeping a copy of it would only test the copy. A deliberate change of the call graph (a new
    edge kind, other entry points) changes them: rerun with ``APPWARDEN_REGEN_REACHABILITY=1`` and say why in the
    commit."""
    from appwarden.rules.static_support import reachable

    data = Path(__file__).parent / "data" / "corpus_reachability.json"
    expected = json.loads(data.read_text())
    got: dict[str, dict[str, object]] = {}
    for path, index, entries in corpus_apps(corpus_dir):
        got[path.relative_to(corpus_dir / "apks").as_posix()] = reachability_digest(reachable(index, entries))
    if os.environ.get("APPWARDEN_REGEN_REACHABILITY"):
        data.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n")
    assert len(got) > 150
    assert sorted(got) == sorted(expected)
    changed = [apk for apk in expected if got[apk] != expected[apk]]
    assert not changed, f"reachable sets or paths changed on {len(changed)} APKs: {changed[:5]}"


def test_reflective_edges_c_equals_python_on_corpus(
    corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The call graph's reflective edges with the C kernel reflect_scan equal those with its pywalk twin on every
    corpus app, and some corpus apps have some."""
    creach = pytest.importorskip("appwarden.dex._reach", reason="C extension not built")
    from appwarden.dex import callgraph

    from .test_reach_kernels import reflective_edges

    with_edges = 0
    for path, index, _entries in corpus_apps(corpus_dir):
        monkeypatch.setattr(callgraph, "reach", creach)
        want = reflective_edges(index)
        monkeypatch.setattr(callgraph, "reach", pywalk)
        assert reflective_edges(index) == want, path
        with_edges += bool(want)
    assert with_edges >= 5
