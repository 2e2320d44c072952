"""Issue #17: a crafted zip with thousands of odd entries gives a bounded report, with the count of what was left out.

Zip notes of one kind (``ZipArchive.note``) are listed up to ``MAX_NOTES_PER_KIND``; the rest are counted in one
summary error ``… and K more of this kind``. Through the real pipeline (:func:`appwarden.scan.scan_apk`) on the
fixture APK plus generated odd entries.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from appwarden.apk.archive import MAX_NOTES_PER_KIND, ZipArchive
from appwarden.scan import scan_apk

BACKSLASHED = 400  # entries whose names hold a backslash
DOTDOT = 3  # a few of another kind: all listed


def odd_apk(base: bytes) -> bytes:
    buf = io.BytesIO(base)
    with zipfile.ZipFile(buf, "a") as zf:
        for i in range(BACKSLASHED):
            zf.writestr(f"assets\\odd{i}.txt", b"")
        for i in range(DOTDOT):
            zf.writestr(f"assets/../up{i}.txt", b"")
    return buf.getvalue()


def test_odd_entries_are_capped_per_kind_with_a_counted_summary(tmp_path: Path, fixtures_dir: Path) -> None:
    data = odd_apk((fixtures_dir / "apks" / "minimal.apk").read_bytes())
    apk = tmp_path / "odd.apk"
    apk.write_bytes(data)
    report = scan_apk(apk)
    errors = [e for e in report["errors"] if e.get("stage") == "apk"]
    backslash = [e for e in errors if "backslash" in e["message"] and e.get("path")]
    summary = [e for e in errors if e["message"].startswith("… and ")]
    dotdot = [e for e in errors if "'..'" in e["message"] and e.get("path")]
    assert len(backslash) == MAX_NOTES_PER_KIND
    assert [e["path"] for e in backslash] == [f"assets\\odd{i}.txt" for i in range(MAX_NOTES_PER_KIND)]
    assert len(summary) == 1
    assert summary[0]["message"].startswith(f"… and {BACKSLASHED - MAX_NOTES_PER_KIND} more of this kind: ")
    assert "backslash" in summary[0]["message"]
    assert len(dotdot) == DOTDOT  # another kind, under the cap: every one listed
    assert len(report["errors"]) < 2 * MAX_NOTES_PER_KIND + 50  # bounded, not one per odd entry


def test_the_summary_counts_notes_added_while_reading(fixtures_dir: Path) -> None:
    archive = ZipArchive((fixtures_dir / "apks" / "minimal.apk").read_bytes())
    before = len(archive.notes)
    for i in range(MAX_NOTES_PER_KIND + 7):
        archive.note(f"inflated size {i} differs from the declared uncompressed size {i + 1}", f"e{i}")
    archive.note(
        "inflated size 0 differs from the declared uncompressed size 1", "e0"
    )  # a repeat: not counted
    added = archive.notes[before:]
    assert len(added) == MAX_NOTES_PER_KIND + 1
    assert added[-1].message.startswith("… and 7 more of this kind: inflated size")
