"""The closed vocabulary of MIIT 通报 problem types (``knowledge/notice_types.yaml``).

Contract:

- :func:`vocabulary` returns type id -> record (``name_zh``, ``name_en``, ``name_status``, ``source``, ``same_as``,
  ``kind``, ``group``, optional ``note``/``text_zh``) in file order; a malformed file raises
  :class:`~appwarden.errors.KnowledgeError` naming the file and the problem (unknown kind, group or status, a
  source or ``same_as`` item that is not a clause of ``knowledge/regulations.yaml``, a duplicate name).
- :data:`PI_KINDS` are the kinds a security-hygiene rule (``sec.*``) may never carry.
- :data:`MAX_PER_RULE` is the most types one rule (hence one finding) may declare.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from appwarden.errors import KnowledgeError
from appwarden.knowledge import KNOWLEDGE_DIR, load_yaml

NOTICE_TYPES_FILE = KNOWLEDGE_DIR / "notice_types.yaml"
KINDS = (
    "pi_collection",
    "pi_use",
    "permission",
    "rules_disclosure",
    "user_rights",
    "harassment",
    "deception",
    "store",
)
PI_KINDS = frozenset({"pi_collection", "pi_use", "permission"})
# platform dashboard groups: keys stored in testing.Finding.problem_type (keep them stable)
GROUPS = ("collection", "use", "permission", "self_start", "mislead", "notice", "rights", "store")
NAME_STATUSES = ("verbatim", "label", "summary", "interpretation")
MAX_PER_RULE = 2
REQUIRED = ("name_zh", "name_en", "name_status", "source", "same_as", "kind", "group")
OPTIONAL = ("note", "text_zh")


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, dict[str, Any]]:
    """Type id -> record, validated (see the module docstring)."""
    path = NOTICE_TYPES_FILE
    data = load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("types"), dict) or not data["types"]:
        raise KnowledgeError(f"{path}: missing 'types' mapping")
    from appwarden.rules.loader import clause_index

    clauses = clause_index()
    names: dict[str, str] = {}
    out: dict[str, dict[str, Any]] = {}
    for tid, rec in data["types"].items():
        where = f"{path}: type {tid!r}"
        if not isinstance(rec, dict):
            raise KnowledgeError(f"{where} must be a mapping")
        for key in rec:
            if key not in REQUIRED and key not in OPTIONAL:
                raise KnowledgeError(f"{where}: unknown key {key!r}")
        for key in REQUIRED:
            if key not in rec:
                raise KnowledgeError(f"{where}: missing {key!r}")
        for key in ("name_zh", "name_en"):
            if not isinstance(rec[key], str) or not rec[key].strip():
                raise KnowledgeError(f"{where}: {key!r} must be a non-empty string")
        if rec["name_zh"] in names:
            raise KnowledgeError(f"{where}: name {rec['name_zh']!r} also used by {names[rec['name_zh']]!r}")
        names[rec["name_zh"]] = str(tid)
        if rec["kind"] not in KINDS:
            raise KnowledgeError(f"{where}: kind {rec['kind']!r} not one of {', '.join(KINDS)}")
        if rec["group"] not in GROUPS:
            raise KnowledgeError(f"{where}: group {rec['group']!r} not one of {', '.join(GROUPS)}")
        if rec["name_status"] not in NAME_STATUSES:
            raise KnowledgeError(f"{where}: name_status must be one of {', '.join(NAME_STATUSES)}")
        if rec["name_status"] != "verbatim" and not rec.get("note"):
            raise KnowledgeError(f"{where}: a name that is not verbatim needs a 'note' naming its source")
        source = rec["source"]
        if not isinstance(source, dict) or source.get("item") not in clauses:
            raise KnowledgeError(f"{where}: source.item must be a clause ID of knowledge/regulations.yaml")
        if source.get("instrument") != clauses[source["item"]]["instrument"]:
            raise KnowledgeError(f"{where}: source.instrument does not match {source['item']}")
        same = rec["same_as"]
        if not isinstance(same, list) or any(c not in clauses for c in same):
            raise KnowledgeError(f"{where}: same_as must list clause IDs of knowledge/regulations.yaml")
        out[str(tid)] = dict(rec)
    return out


def name_zh(type_id: str) -> str:
    """Chinese name of a type id; KnowledgeError for an id outside the vocabulary."""
    rec = vocabulary().get(type_id)
    if rec is None:
        raise KnowledgeError(f"unknown 通报 problem type {type_id!r} (not in {NOTICE_TYPES_FILE.name})")
    return str(rec["name_zh"])


PROOFS = ("necessary_pi",)


@lru_cache(maxsize=1)
def evidence_scoped() -> dict[str, dict[str, Any]]:
    """Type id -> ``{"proof": ..., "rules": [...]}``: the ``evidence_scoped`` section of the file. For those rules
    the type applies to a finding only when its evidence carries the proof (:data:`PROOFS`; ``necessary_pi``: the
    read exceeds the declared 39类 type's necessary PI, see ``appwarden.report.notice.scope_notice_types``).
    KnowledgeError for a type outside the vocabulary, an unknown proof or a malformed rule list."""
    path = NOTICE_TYPES_FILE
    section = load_yaml(path).get("evidence_scoped") or {}
    if not isinstance(section, dict):
        raise KnowledgeError(f"{path}: 'evidence_scoped' must be a mapping of type ids")
    known = vocabulary()
    out: dict[str, dict[str, Any]] = {}
    for tid, rec in section.items():
        where = f"{path}: evidence_scoped {tid!r}"
        if tid not in known:
            raise KnowledgeError(f"{where}: not a type of the vocabulary")
        if not isinstance(rec, dict) or rec.get("proof") not in PROOFS:
            raise KnowledgeError(f"{where}: 'proof' must be one of {', '.join(PROOFS)}")
        rules = rec.get("rules")
        if not isinstance(rules, list) or not rules or not all(isinstance(r, str) for r in rules):
            raise KnowledgeError(f"{where}: 'rules' must be a non-empty list of rule ids")
        out[str(tid)] = {"proof": rec["proof"], "rules": list(rules)}
    return out
