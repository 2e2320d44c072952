"""Rule, hit and finding objects.

A *predicate* (``appwarden.rules.predicates``) looks at :class:`~appwarden.evidence.Evidence` and returns
:class:`Hit` objects; the engine turns each hit into a :class:`Finding` by adding the rule's metadata (clauses,
severity, confidence, remediation). Evidence references are plain dicts with a ``type`` key, one of
:data:`EVIDENCE_TYPES`, so every output format can render them without engine objects.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SEVERITIES = ("high", "medium", "low", "info")
BEHAVIOURS = ("pre_consent", "after_refusal")
CONFIDENCES = ("confirmed", "likely", "possible")

# Evidence reference types and their main keys:
#   callsite   {caller, api, category, owner, dex, offset, kind, path?: [method, ...]}
#   permission {name, max_sdk?}
#   component  {kind, name, exported, actions?, permission?}
#   manifest   {attribute, value}
#   sdk        {id, name_zh, name_en, vendor}
#   string     {caller, value, dex?, offset?}
#   policy     {sentence, start, end, element?, section?}
#   trace      {ts, event, api?, category?, stack?: [frame, ...], line?}
#   network    {host, path?, pi?: [...], ts?}
#   constant   {caller, value, meaning}
#   consent    {verdict: ungated|unsure|after_refusal, reason, path: [method, ...], contracts?: [...]}
EVIDENCE_TYPES = (
    "callsite",
    "permission",
    "component",
    "manifest",
    "sdk",
    "string",
    "policy",
    "trace",
    "network",
    "constant",
    "consent",
)


@dataclass(slots=True)
class Hit:
    """What a predicate found: evidence for one finding (the engine adds the rule's metadata)."""

    evidence: list[dict[str, Any]]
    owner: str = "host"  # "host" or the SDK id responsible
    message_zh: str = ""
    message_en: str = ""
    confidence: str | None = None  # overrides the rule's default (e.g. a trace confirms a static possibility)
    severity: str | None = None  # overrides the rule's default
    clauses: list[str] = field(default_factory=list)  # extra clause IDs (must be in the rule's extra_clauses)
    behaviour: str | None = None  # consent findings: one of BEHAVIOURS (static and dynamic alike)


@dataclass(slots=True)
class Finding:
    """One rule violation with its evidence: the object regulators act on."""

    rule_id: str
    title_zh: str
    title_en: str
    clauses: list[str]
    severity: str
    confidence: str
    needs_review: bool
    evidence: list[dict[str, Any]]
    remediation_zh: str = ""
    owner: str = "host"
    message_zh: str = ""
    message_en: str = ""
    engine: str = "appwarden"
    # 通报 problem types (ids of knowledge/notice_types.yaml) declared by the rule: at most two, possibly none
    notice_types: list[str] = field(default_factory=list)
    # consent findings: "pre_consent" | "after_refusal" (BEHAVIOURS); static and dynamic evidence of one behaviour
    # and owner are one entry of the report's consent section
    behaviour: str | None = None
    # ids of the rules whose findings of the same behaviour were merged into this one (rules.engine: supersedes)
    merged_rules: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The finding as plain JSON data: equal to ``dataclasses.asdict`` (tested), without its deep copy of
        every leaf (findings carry hundreds of evidence dicts of strings and numbers)."""
        return {name: _plain(getattr(self, name)) for name in self.__slots__}


@dataclass(slots=True)
class NotEvaluated:
    """A rule that could not be evaluated because evidence it needs was not supplied (never a silent pass)."""

    rule_id: str
    missing: list[str] = field(default_factory=list)
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "missing": list(self.missing), "reason": self.reason}


def _plain(value: Any) -> Any:
    """A copy of nested dicts, lists and tuples (as ``dataclasses.asdict`` copies them); other values as they are
    (evidence holds strings, numbers, booleans and None, which need no copy)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_plain(v) for v in value)
    return value


# Evidence kinds a rule may name in ``needs`` (the vocabulary of :meth:`appwarden.evidence.Evidence.available`).
EVIDENCE_KINDS = (
    "static.manifest",
    "static.sdks",
    "static.callsites",
    "static.code",
    "static.entrypoints",
    "policy.text",
    "dynamic.trace",
    "app.category",
)


@dataclass(slots=True)
class Rule:
    """One rule as loaded from ``knowledge/rules/<id>.yaml`` (format: ``docs/rules-format.md``)."""

    id: str
    title_zh: str
    title_en: str
    clauses: list[str]
    needs: list[str]
    predicate: str
    severity: str
    confidence: str
    remediation_zh: str
    description: str
    params: dict[str, Any] = field(default_factory=dict)
    needs_review: bool = True
    tags: list[str] = field(default_factory=list)
    enabled: bool = True
    extra_clauses: list[str] = field(
        default_factory=list
    )  # clause IDs a hit may add (e.g. the app's N39-xx row)
    notice_types: list[str] = field(default_factory=list)  # 通报 problem types (knowledge/notice_types.yaml)
    # per-category clause table the predicate evaluates (``necessary_pi``: the app category's N39 row); its rows
    # among ``extra_clauses`` count as the rule's own (strict) in ``rules coverage`` (docs/rules-format.md)
    category_table: str = ""
    # ids of more general rules this one refines (a 164号文 scenario of a general violation): when both find the
    # same owner in one evaluation, the general finding is merged into this one (see engine.evaluate)
    supersedes: list[str] = field(default_factory=list)
    source: str = ""  # file the rule was loaded from
    line: int = 1  # line of the rule's first key (for error messages)
    # filled in by the loader from the predicate registry, so the engine can tell a rule is not evaluable (and
    # skip importing its predicate module) without importing it; empty on a Rule built by hand
    predicate_module: str = ""
    predicate_needs: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("line", "predicate_module", "predicate_needs"):
            data.pop(key, None)
        return data


class EvidenceMissing(Exception):
    """Raised by a predicate that finds the evidence it needs present but empty (e.g. a policy object with
    ``found=False``): the engine reports the rule as :class:`NotEvaluated` with ``missing`` and the message as
    reason, instead of a finding or an error."""

    def __init__(self, missing: list[str] | str, reason: str = "") -> None:
        self.missing = [missing] if isinstance(missing, str) else list(missing)
        self.reason = reason
        super().__init__(reason or ", ".join(self.missing))
