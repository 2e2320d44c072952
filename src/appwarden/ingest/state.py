"""What has been seen before: new apps, new versions, changed signers, and key rotations.

The state file is JSON: ``{package: {"versions": {code: {"sha256": ..., "signers": [...]}}, "signers": [...]}}``.
The classification uses what the APK itself says (package, version code, signer certificates read by
``appwarden.apk``), not what the store claims. A version whose signers share nothing with the known ones is
``signer_changed`` (repackaged, or the key was lost), unless its verified key-rotation lineage (v3 proof of
rotation, ``Apk.verify_rotation``) contains a known signer: then it is ``signer_rotated`` and its signers become
known ones.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

CHANGE_KINDS = ("new_app", "new_version", "known", "signer_changed", "signer_rotated")
SIGNER_RELATIONS = ("same", "signer_rotated", "signer_changed", "unknown")


def verified_lineage(info: Any) -> list[str]:
    """The sha256 of each certificate of an ``AppInfo``'s key-rotation lineage (oldest first), only when
    ``Apk.verify_rotation`` trusted it; an unverified lineage proves nothing, so it gives ``[]``."""
    if getattr(info, "signing_lineage_verified", None) is not True:
        return []
    return [c.sha256 for c in getattr(info, "signing_lineage", None) or []]


def signer_relation(known: list[str] | set[str], signers: list[str], lineage: list[str] | None = None) -> str:
    """How an APK's signers relate to the known signers of its package: ``same`` (they share a certificate),
    ``signer_rotated`` (none shared, but the *verified* lineage, see :func:`verified_lineage`, contains a known
    one), ``signer_changed`` (neither: repackaged, or the key was lost) or ``unknown`` (one side is empty)."""
    if not known or not signers:
        return "unknown"
    if set(signers) & set(known):
        return "same"
    return "signer_rotated" if set(lineage or ()) & set(known) else "signer_changed"


@dataclass(slots=True)
class Change:
    kind: str  # one of CHANGE_KINDS
    package: str | None
    version_code: int | None
    sha256: str
    signers: list[str] = field(default_factory=list)
    previous_signers: list[str] = field(default_factory=list)
    lineage: list[str] = field(default_factory=list)  # verified key-rotation lineage (sha256, oldest first)
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
        self,
        package: str | None,
        version_code: int | None,
        sha256: str,
        signers: list[str],
        lineage: list[str] | None = None,
    ) -> Change:
        """Classify one APK against what was seen, and remember it. ``lineage``: the certificates (sha256) of its
        key-rotation lineage, only when verified (see the module docstring)."""
        key = package or f"<unknown:{sha256}>"
        entry = self.data.setdefault(key, {"versions": {}, "signers": []})
        versions = entry["versions"]
        code = str(version_code)
        known_signers = list(entry["signers"])
        relation = signer_relation(known_signers, signers, lineage)
        if not versions:
            kind = "new_app"
        elif relation in ("signer_rotated", "signer_changed"):
            kind = relation
        elif code in versions and versions[code]["sha256"] == sha256:
            kind = "known"
        else:
            kind = "new_version"
        if kind != "known":
            versions[code] = {"sha256": sha256, "signers": signers}
        if kind != "signer_changed":
            entry["signers"] = sorted(set(known_signers) | set(signers))
        changed = kind in ("signer_changed", "signer_rotated")
        return Change(
            kind,
            package,
            version_code,
            sha256,
            signers,
            known_signers if changed else [],
            list(lineage or ()) if kind == "signer_rotated" else [],
        )

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".part")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self.data, fh, ensure_ascii=False, indent=1, sort_keys=True)
        os.replace(tmp, self.path)
