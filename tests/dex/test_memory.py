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
