"""Knowledge is data: SDKs, PI APIs, rules, necessary-PI lists and the clause index live here as YAML.

:func:`load_yaml` is the one way to read a knowledge file: a malformed file raises
:class:`~appwarden.errors.KnowledgeError` naming the file and line, never a bare YAML traceback.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from appwarden.errors import KnowledgeError

KNOWLEDGE_DIR = Path(__file__).resolve().parent

try:  # the C loader is ~10x faster; fall back when libyaml is absent
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader


def load_yaml(path: str | Path) -> Any:
    """Parse one YAML file; raise KnowledgeError("<file>:<line>: <problem>") when it is malformed."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeError(f"{path}: cannot read: {exc}") from None
    try:
        return yaml.load(text, Loader=_Loader)  # a safe loader (CSafeLoader or SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise KnowledgeError(f"{path}{line}: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path}: {exc}") from None


@lru_cache(maxsize=1)
def pi_categories() -> dict[str, dict[str, Any]]:
    """The PI taxonomy from ``pi_apis.yaml``: category key -> its record (names, group, apis, permissions, ...)."""
    data = load_yaml(KNOWLEDGE_DIR / "pi_apis.yaml")
    if not isinstance(data, dict) or not isinstance(data.get("categories"), dict):
        raise KnowledgeError(f"{KNOWLEDGE_DIR / 'pi_apis.yaml'}: missing 'categories' mapping")
    return data["categories"]
