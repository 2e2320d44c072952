"""The inotify watcher that lets the daemon skip re-computing its stamp when nothing changed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from appwarden.daemon.stamp import compute_stamp
from appwarden.daemon.watch import make_watcher


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "pkg"
    (root / "sub").mkdir(parents=True)
    (root / "__pycache__").mkdir()
    (root / "platform").mkdir()
    (root / "a.py").write_text("a = 1\n", encoding="utf-8")
    (root / "sub" / "b.yaml").write_text("b: 1\n", encoding="utf-8")
    return root


def test_every_kind_of_change_is_seen(tree: Path, tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    extra.write_text("1", encoding="utf-8")
    watcher = make_watcher(str(tree), str(extra))
    if watcher is None:
        pytest.skip("inotify unavailable: the daemon re-computes the full stamp on every request")
    try:
        assert not watcher.changed()
        steps = [
            lambda: os.utime(tree / "a.py"),
            lambda: (tree / "sub" / "b.yaml").write_text("b: 2\n", encoding="utf-8"),
            lambda: (tree / "sub" / "c.yaml").write_text("c: 1\n", encoding="utf-8"),
            lambda: os.replace(tree / "sub" / "c.yaml", tree / "d.yaml"),
            lambda: (tree / "d.yaml").unlink(),
            lambda: extra.write_text("2", encoding="utf-8"),
            lambda: (tree / "new").mkdir(),
        ]
        for step in steps:
            step()
            assert watcher.changed()
            assert not watcher.changed()  # drained
        watcher.resync()
        (tree / "new" / "e.py").write_text("", encoding="utf-8")
        assert watcher.changed()
        (tree / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"")  # not stamped, not watched
        (tree / "platform" / "x.py").write_text("", encoding="utf-8")
        assert not watcher.changed()
    finally:
        watcher.close()


def test_the_stamp_skips_pycache_and_platform(tree: Path) -> None:
    before = compute_stamp(str(tree))
    (tree / "__pycache__" / "a.pyc").write_bytes(b"x")
    (tree / "platform" / "y.py").write_text("", encoding="utf-8")
    assert compute_stamp(str(tree)) == before
    (tree / "sub" / "b.yaml").write_text("b: 22\n", encoding="utf-8")
    assert compute_stamp(str(tree)) != before
