"""``appwarden sdk check``: lint the SDK knowledge base.

Errors (exit 2, one ``file:line: message`` each):

* a file that does not parse or does not validate (bad YAML, unknown category or PI key, missing ``source``, id not
  matching the file name, no signature, bad regex) - see :func:`appwarden.sdk.kb.parse_record`;
* two files of the same tier with the same id;
* the same package prefix, manifest component or native library claimed by two different SDKs;
* a package prefix that is not in dotted form (the KB's one normalised form) or is a bare top-level domain
  component (``com``, ``cn``...): such a prefix would swallow unrelated apps (Exodus #463).

Warnings (reported, exit 0): a curated file overriding an imported one with the same id, and nested prefixes across
different SDKs (legal: the longest prefix wins; listed so that each nesting is a conscious choice).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from appwarden.errors import KnowledgeError
from appwarden.knowledge import load_yaml
from appwarden.sdk.kb import SDK_DIR, SdkRecord, _files, line_of, parse_record

_BARE = {
    "com",
    "cn",
    "org",
    "net",
    "io",
    "me",
    "android",
    "androidx",
    "java",
    "javax",
    "kotlin",
    "a",
    "b",
    "c",
}
_DOTTED_RE = re.compile(r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*")


@dataclass(slots=True)
class LintReport:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    records: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def check_kb(directory: str | Path | None = None) -> LintReport:
    """Lint every SDK file under ``directory`` (default: the shipped ``knowledge/sdks``)."""
    base = Path(directory) if directory is not None else SDK_DIR
    report = LintReport()
    if not base.is_dir():
        report.errors.append(f"{base}: SDK knowledge directory not found")
        return report
    by_tier: dict[str, dict[str, SdkRecord]] = {}
    for tier, path in _files(base):
        try:
            data = load_yaml(path)
            record = parse_record(data, path, curated=tier == "curated")
        except KnowledgeError as exc:
            report.errors.append(str(exc))
            continue
        report.records += 1
        for pkg in (data.get("signatures") or {}).get("packages") or []:
            if not _DOTTED_RE.fullmatch(str(pkg)):
                report.errors.append(
                    f"{path}:{line_of(path, str(pkg))}: package {pkg!r} is not in dotted form"
                )
        for pkg in record.packages:
            if pkg in _BARE or ("." not in pkg and len(pkg) <= 3):
                report.errors.append(f"{path}:{line_of(path, pkg)}: package prefix {pkg!r} is too generic")
        tier_map = by_tier.setdefault(tier, {})
        if record.id in tier_map:
            report.errors.append(
                f"{path}:{line_of(path, 'id:')}: duplicate SDK id {record.id!r} (also {tier_map[record.id].path})"
            )
            continue
        tier_map[record.id] = record
    effective: dict[str, SdkRecord] = {}
    for tier in ("imported", "curated"):
        for sdk_id, record in by_tier.get(tier, {}).items():
            if sdk_id in effective:
                report.warnings.append(
                    f"{record.path}:1: curated {sdk_id!r} overrides {effective[sdk_id].path}"
                )
            effective[sdk_id] = record
    _check_overlaps(list(effective.values()), report)
    return report


def _check_overlaps(records: list[SdkRecord], report: LintReport) -> None:
    for kind in ("packages", "manifest_components", "native_libs"):
        owner: dict[str, SdkRecord] = {}
        for rec in sorted(records, key=lambda r: r.id):
            for value in getattr(rec, kind):
                other = owner.get(value)
                if other is not None and other.id != rec.id:
                    report.errors.append(
                        f"{rec.path}:{line_of(rec.path, value)}: {kind} {value!r} also claimed by {other.id} ({other.path})"
                    )
                owner.setdefault(value, rec)
    prefixes = {pkg: rec for rec in records for pkg in rec.packages}
    for pkg, rec in sorted(prefixes.items()):
        parts = pkg.split(".")
        for i in range(len(parts) - 1, 0, -1):
            parent = prefixes.get(".".join(parts[:i]))
            if parent is not None and parent.id != rec.id:
                report.warnings.append(
                    f"{rec.path}:{line_of(rec.path, pkg)}: {pkg!r} ({rec.id}) is nested in {parent.id}'s "
                    f"{'.'.join(parts[:i])!r}; the longer prefix wins"
                )
                break
