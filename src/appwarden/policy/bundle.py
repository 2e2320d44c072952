"""Which entries of an APK may hold a bundled privacy policy (kept apart from :mod:`appwarden.policy.load`, so that
an APK with no candidate entry costs no import of the text loaders).

Contract: :func:`bundled_candidates` takes entry names and returns the ``assets/`` and ``res/raw/`` entries with an
HTML, text or Markdown extension (or none), those whose name hints at a policy first, at most
:data:`MAX_BUNDLE_CANDIDATES`; pure, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable

BUNDLE_DIRS = ("assets/", "res/raw/")
BUNDLE_EXTS = (".html", ".htm", ".txt", ".md", "")
# name fragments (lower case) of policy files: English, pinyin (yinsi, yinsi xieyi, yinsi zhengce) and Chinese
NAME_HINTS = (
    "privacy",
    "policy",
    "yinsi",
    "ysxy",
    "ysc",
    "yszc",
    "agreement",
    "protocol",
    "xieyi",
    "隐私",
    "个人信息",
    "legal",
    "terms",
)
MAX_BUNDLE_CANDIDATES = 40


def name_hints_policy(name: str) -> bool:
    """Whether an entry name suggests a policy or user agreement."""
    lower = name.lower()
    return any(hint in lower for hint in NAME_HINTS)


def bundled_candidates(entry_names: Iterable[str]) -> list[str]:
    """See the module docstring."""
    found: list[tuple[int, str]] = []
    for name in entry_names:
        lower = name.lower()
        if not lower.startswith(BUNDLE_DIRS) or lower.endswith("/"):
            continue
        base = lower.rsplit("/", 1)[-1]
        ext = "." + base.rsplit(".", 1)[-1] if "." in base else ""
        if ext in BUNDLE_EXTS:
            found.append((0 if name_hints_policy(name) else 1, name))
    found.sort()
    return [name for _, name in found[:MAX_BUNDLE_CANDIDATES]]
