"""What has been seen before: new apps, new versions, and changed signers.

The state file is JSON: ``{package: {"versions": {code: {"sha256": ..., "signers": [...]}}, "signers": [...]}}``.
The classification uses what the APK itself says (package, version code, signer certificates read by
``appwarden.apk``), not what the store claims.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

CHANGE_KINDS = ("new_app", "new_version", "known", "signer_changed")


@dataclass(slots=True)
class Change:
    kind: str  # one of CHANGE_KINDS
    package: str | None
    version_code: int | None
    sha256: str
    signers: list[str] = field(default_factory=list)
    previous_signers: list[str] = field(default_factory=list)
    path: str = ""
    store: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class IngestState:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.data: dict[str, Any] = {}
        if self.path.exists():
            try:
                self.data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self.data = {}

    def observe(
        self, package: str | None, version_code: int | None, sha256: str, signers: list[str]
    ) -> Change:
        """Classify one APK against what was seen, and remember it."""
        key = package or f"<unknown:{sha256}>"
        entry = self.data.setdefault(key, {"versions": {}, "signers": []})
        versions = entry["versions"]
        code = str(version_code)
        known_signers = list(entry["signers"])
        if not versions:
            kind = "new_app"
        elif known_signers and signers and not set(signers) & set(known_signers):
            kind = "signer_changed"
        elif code in versions and versions[code]["sha256"] == sha256:
            kind = "known"
        else:
            kind = "new_version"
        if kind != "known":
            versions[code] = {"sha256": sha256, "signers": signers}
        if kind != "signer_changed":
            entry["signers"] = sorted(set(known_signers) | set(signers))
        return Change(
            kind, package, version_code, sha256, signers, known_signers if kind == "signer_changed" else []
        )

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".part")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self.data, fh, ensure_ascii=False, indent=1, sort_keys=True)
        os.replace(tmp, self.path)
