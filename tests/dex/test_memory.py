"""What a scan keeps alive (issue #19): the opened APK that ``StaticEvidence.apk`` retains for the later stages
(screening, bundled policy) holds no inflated DEX bytes; only the code index does."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from appwarden.scan import build_static_evidence

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"


def _reachable_buffers(root: object, skip: object) -> list[bytes]:
    """Every bytes/bytearray object reachable from ``root`` through gc referents, not through ``skip``."""
    seen, out, todo = {id(skip)}, [], [root]
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, bytes | bytearray):
            out.append(bytes(obj))
            continue
        if isinstance(obj, type):  # classes and modules lead everywhere
            continue
        todo.extend(gc.get_referents(obj))
    return out


@pytest.mark.parametrize("name", ["multidex.apk", "pi_all.apk"])
def test_retained_apk_holds_no_dex_bytes(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = FIXTURES / name
    if not path.exists():
        pytest.skip(f"fixture {name} not built")
    for threshold in (1 << 40, 0):  # read into memory, then mapped
        monkeypatch.setattr("appwarden.apk.MMAP_THRESHOLD", threshold)
        static = build_static_evidence(path)
        assert static.apk is not None and static.code is not None
        dex_blobs = {code.dex.data for code in static.code.codes}
        assert dex_blobs
        held = _reachable_buffers(static.apk, skip=static.code)
        assert not any(b in dex_blobs for b in held), "the retained Apk keeps an inflated DEX alive"


@pytest.mark.parametrize("name", ["multidex.apk", "pi_all.apk"])
def test_scan_makes_method_descriptors_on_demand(name: str) -> None:
    """The static stage (call sites, call graph, reachability) builds no per-DEX descriptor list and names only
    the graph nodes something asked about (issue #19: 84 MB of descriptor strings on a 100 MB-DEX app)."""
    path = FIXTURES / name
    if not path.exists():
        pytest.skip(f"fixture {name} not built")
    static = build_static_evidence(path)
    code = static.code
    assert code is not None and "callgraph" in code.__dict__  # the reachability stage built the graph
    assert all(c._descs is None and c._record_descs is None for c in code.codes)
    graph = code.callgraph
    assert graph._n_real > 0 and len(graph._name_cache) < graph._n_real
    # and the names it does make are the reader's
    for g, desc in graph._name_cache.items():
        ci, m = graph._reps[2 * g], graph._reps[2 * g + 1]
        assert desc == code.codes[ci].dex.method_desc(m)
