"""Content-addressed storage for APKs and scan results.

Layout under ``root``: ``apks/<aa>/<sha256>.apk`` and ``results/<sha256>.<engine-version>.<rules-version>.json``.
Writes are atomic (temporary file + ``os.replace``), so a worker killed mid-write leaves no partial result and two
workers finishing the same task leave exactly one result. Any shared filesystem works (NFS, a mounted bucket).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from appwarden.errors import InputError


class ContentStore:
    """APKs and results addressed by sha256 under one root directory."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        (self.root / "apks").mkdir(parents=True, exist_ok=True)
        (self.root / "results").mkdir(parents=True, exist_ok=True)

    def apk_path(self, sha256: str) -> Path:
        return self.root / "apks" / sha256[:2] / f"{sha256}.apk"

    def put_apk(self, source: str | Path) -> str:
        """Copy ``source`` into the store (once) and return its sha256."""
        from appwarden.batch import sha256_file

        source = Path(source)
        try:
            sha = sha256_file(source)
        except OSError as exc:
            raise InputError(f"cannot read {source}: {exc.strerror or exc}") from None
        target = self.apk_path(sha)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
            os.close(fd)
            shutil.copyfile(source, tmp)
            os.replace(tmp, target)
        return sha

    def result_path(self, sha256: str, engine_version: str, rules_version: str) -> Path:
        return self.root / "results" / f"{sha256}.{engine_version}.{rules_version}.json"

    def write_result(self, path: Path, data: dict[str, Any]) -> None:
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
        os.replace(tmp, path)

    def results(self) -> list[Path]:
        return sorted(p for p in (self.root / "results").glob("*.json"))
