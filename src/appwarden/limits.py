"""Explicit, configurable safety limits for every stage.

Each limit bounds memory or time against hostile input (zip bombs, looping DEX structures, huge policies).
Defaults are generous for real apps (the largest popular apps ship ~100 MB of DEX) and can be overridden from the
CLI (``--max-*`` flags) or the platform settings.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Safety limits; all sizes in bytes, times in seconds."""

    max_apk_size: int = 2048 * MB
    max_entries: int = 200_000
    max_entry_size: int = 512 * MB  # uncompressed size of any single entry we read
    max_total_uncompressed: int = 4096 * MB  # sum over entries we actually read
    max_compression_ratio: int = 1000  # uncompressed/compressed for one entry (zip bomb guard)
    max_dex_size: int = 256 * MB
    max_dex_files: int = 200
    max_manifest_size: int = 16 * MB
    max_arsc_size: int = 128 * MB
    max_policy_size: int = 20 * MB
    max_trace_line: int = 1 * MB
    stage_timeout: float = 300.0  # per scan stage (wall clock), enforced by the pipeline

    def with_overrides(self, **changes: object) -> Limits:
        """Return a copy with the given fields changed (``None`` values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


DEFAULT_LIMITS = Limits()
