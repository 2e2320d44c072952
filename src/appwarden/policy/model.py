"""The policy stage's evidence object: what a privacy policy says, never what it means for the law.

:class:`PolicyEvidence` is produced by :func:`appwarden.policy.analyze_policy` (or built with ``found=False`` by
:func:`PolicyEvidence.not_found` when the scan pipeline searched for a policy and found none). Every statement it
records carries the policy sentence(s) with character offsets into :attr:`PolicyEvidence.text`, so a finding can
cite the words it rests on.

``found`` / ``source`` contract (read by the policy rules):

* ``found=True``: a policy text was analysed; ``source`` names it (a file path, ``apk:<entry>``, a URL snapshot).
* ``found=False`` and ``source == "none"``: a policy was *searched for* (bundled in the APK, supplied by the user)
  and none was found. The rule ``policy.missing`` fires on this; every other policy rule is skipped.
* ``Evidence.policy is None``: nobody looked for a policy; policy rules are then ``not_evaluated``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of the policy: its text and ``[start, end)`` character offsets into the policy text."""

    text: str
    start: int
    end: int
    section: int = -1  # index into PolicyEvidence.sections, -1 before the first heading

    def ref(self, element: str | None = None, section_title: str | None = None) -> dict[str, Any]:
        """An evidence reference of type ``policy`` (see ``appwarden.rules.model.EVIDENCE_TYPES``)."""
        data: dict[str, Any] = {"type": "policy", "sentence": self.text, "start": self.start, "end": self.end}
        if element:
            data["element"] = element
        if section_title:
            data["section"] = section_title
        return data


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and the span of text it governs (``[start, end)``); ``level`` 1 is the top."""

    title: str
    start: int
    end: int
    level: int = 1


@dataclass(slots=True)
class ElementResult:
    """Whether a required element is present, the sentences showing it, and the clauses requiring it."""

    present: bool
    evidence: list[dict[str, Any]] = field(default_factory=list)  # [{sentence, start, end}]
    clauses: list[str] = field(default_factory=list)
    method: str = "keyword"  # keyword, classifier or keyword+classifier

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class DeclaredPi:
    """A PI category the policy says it collects (key from ``knowledge/pi_apis.yaml``)."""

    category: str
    name_zh: str
    terms: list[str] = field(default_factory=list)  # the phrases that matched
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class DeclaredPermission:
    """An Android permission the policy explains (named or described), with the sentences explaining it."""

    permission: str
    terms: list[str] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class DeclaredSdk:
    """A third-party SDK the policy lists: its name as written, the fields found near it, and the KB id if known."""

    name: str
    sdk_id: str | None = None  # id in knowledge/sdks when matched
    vendor: str | None = None
    purpose: str | None = None
    pi: list[str] = field(default_factory=list)  # PI category keys named in its entry
    pi_text: str | None = None  # the "收集个人信息类型" text as written
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class PolicyEvidence:
    """Everything the policy stage observed in one privacy policy."""

    source: str = ""
    found: bool = True
    text: str = ""  # the normalised text all offsets refer to (not serialised by default)
    text_length: int = 0
    language: str = "zh"
    sections: list[Section] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)  # not serialised by default
    elements: dict[str, ElementResult] = field(default_factory=dict)
    declared_pi: list[DeclaredPi] = field(default_factory=list)
    declared_permissions: list[DeclaredPermission] = field(default_factory=list)
    declared_sdks: list[DeclaredSdk] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @classmethod
    def not_found(cls, searched: str = "", reason: str = "no privacy policy found") -> PolicyEvidence:
        """The evidence for "a policy was searched for and none was found" (``source="none"``, ``found=False``)."""
        return cls(
            source="none", found=False, language="", errors=[f"{reason}{': ' + searched if searched else ''}"]
        )

    def element(self, name: str) -> ElementResult | None:
        return self.elements.get(name)

    def has(self, name: str) -> bool:
        """True when element ``name`` was found present."""
        result = self.elements.get(name)
        return bool(result and result.present)

    @property
    def declared_pi_categories(self) -> set[str]:
        return {d.category for d in self.declared_pi}

    @property
    def declared_permission_names(self) -> set[str]:
        return {d.permission for d in self.declared_permissions}

    def to_json(self, *, include_text: bool = False, include_sentences: bool = False) -> dict[str, Any]:
        """A JSON-ready dict: ``{source, found, text_length, language, sections, elements: {name: {present,
        evidence, clauses}}, declared_pi, declared_permissions, declared_sdks, errors}``."""
        data: dict[str, Any] = {
            "source": self.source,
            "found": self.found,
            "text_length": self.text_length,
            "language": self.language,
            "sections": [asdict(s) for s in self.sections],
            "elements": {name: r.to_json() for name, r in self.elements.items()},
            "declared_pi": [d.to_json() for d in self.declared_pi],
            "declared_permissions": [d.to_json() for d in self.declared_permissions],
            "declared_sdks": [d.to_json() for d in self.declared_sdks],
            "errors": list(self.errors),
        }
        if include_sentences:
            data["sentences"] = [asdict(s) for s in self.sentences]
        if include_text:
            data["text"] = self.text
        return data
