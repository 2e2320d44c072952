"""A DEX the engine refused is named in the screening section (``appwarden.screening.screen``).

An attacker can hide code behind a DEX entry that inflates past the size limit (a zip bomb): the DEX stage refuses
it with an error, and the screening verdict must then say it covers the other DEX files only, never read as a
clean bill for the whole app.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from appwarden.limits import DEFAULT_LIMITS
from appwarden.scan import scan_apk

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "apks" / "multidex.apk"


def _with_bomb(tmp_path: Path, name: str) -> Path:
    apk = tmp_path / "bomb.apk"
    shutil.copy(SAMPLE, apk)
    with zipfile.ZipFile(apk, "a", zipfile.ZIP_DEFLATED) as z, z.open(name, "w") as f:
        f.write(b"dex\n035\x00" + b"\x00" * (3 << 20))
    return apk


@pytest.mark.skipif(not SAMPLE.exists(), reason="samples/apks/multidex.apk is missing")
def test_refused_dex_is_named_in_the_screening_notes(tmp_path: Path) -> None:
    apk = _with_bomb(tmp_path, "classes3.dex")  # loaded by Android: classes, classes2, classes3
    report = scan_apk(apk, limits=DEFAULT_LIMITS.__class__(max_entry_size=1 << 20), run_rules=False)
    assert any(e["stage"] == "dex" and e.get("path") == "classes3.dex" for e in report["errors"])
    notes = report["screening"]["notes"]
    assert any("DEX not read, so not screened: classes3.dex" in n for n in notes), notes
    assert any(e["stage"] == "screening" and "classes3.dex" in e["message"] for e in report["errors"])


@pytest.mark.skipif(not SAMPLE.exists(), reason="samples/apks/multidex.apk is missing")
def test_every_dex_read_gives_no_such_note() -> None:
    report = scan_apk(SAMPLE, run_rules=False)
    assert not any("DEX not read" in n for n in report["screening"]["notes"])
    assert report["screening"]["evaluated"] is True
