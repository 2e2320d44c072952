"""Chinese privacy-policy analysis: elements present/absent, declared PI, permissions and SDKs, with evidence.

Public API (a pure function of its input; no network, no database):

* :func:`analyze_policy` ``(text, *, source="") -> PolicyEvidence``: analyse policy text already in memory.
* :func:`analyze_policy_file` ``(path, limits) -> PolicyEvidence``: load (HTML, text, Markdown, PDF; any common
  Chinese encoding) then analyse.
* :func:`load_bundled_policy` ``(apk, limits) -> PolicyEvidence``: the policy shipped inside an APK, or
  :meth:`PolicyEvidence.not_found` (``found=False``, ``source="none"``) when the APK has none.

Every entry point runs under one deadline, ``limits.stage_timeout`` seconds from its call unless a
:class:`~appwarden.policy.deadline.Deadline` is passed: the readers and detectors check it in their loops (any thread)
and raise :class:`~appwarden.policy.deadline.PolicyTimeout` (a PolicyError and a LimitExceeded) when it passes.

Bad input (empty, binary, too large, undecodable, not Chinese) raises :class:`~appwarden.errors.PolicyError`; the
caller then marks the policy rules ``not_evaluated`` or, when it searched and found nothing, passes
:meth:`PolicyEvidence.not_found` so that the ``policy.missing`` rule can fire.
"""

from __future__ import annotations

import time
from pathlib import Path

from appwarden.errors import PolicyError
from appwarden.limits import DEFAULT_LIMITS, Limits
from appwarden.policy.deadline import Deadline, PolicyTimeout, PolicyTooLarge
from appwarden.policy.model import PolicyEvidence

__all__ = [
    "Deadline",
    "PolicyError",
    "PolicyEvidence",
    "PolicyTimeout",
    "PolicyTooLarge",
    "analyze_policy",
    "analyze_policy_file",
    "load_bundled_policy",
]


def analyze_policy(
    text: str,
    *,
    source: str = "",
    limits: Limits = DEFAULT_LIMITS,
    classifier: bool | None = None,
    deadline: Deadline | None = None,
) -> PolicyEvidence:
    """Analyse policy ``text``: sections, sentences, elements, declared PI/permissions/SDKs.

    The text is normalised first (offsets in the result refer to ``PolicyEvidence.text``). Raises PolicyError when
    the text is empty, over ``limits.max_policy_size`` (in UTF-8 bytes) or not Chinese; never anything else.

    ``classifier``: use the shipped sentence classifier to rank evidence and add confidently predicted elements
    (``True``), not at all (``False``: the rule-based analysis only), or when it can be loaded (``None``, default;
    a load failure is then recorded in ``errors`` and the keyword analysis stands).

    ``deadline``: default ``limits.stage_timeout`` from now; PolicyTimeout when it passes.
    """
    from appwarden.policy.declared import declared_permissions, declared_pi, declared_sdks
    from appwarden.policy.elements import detect_elements
    from appwarden.policy.load import PolicyTooLarge, check_chinese, normalise_text
    from appwarden.policy.segment import segment

    if not isinstance(text, str):
        raise PolicyError(f"policy text must be str, not {type(text).__name__}")
    if (
        len(text) > limits.max_policy_size
        or len(text.encode("utf-8", "surrogatepass")) > limits.max_policy_size
    ):
        raise PolicyTooLarge(
            f"{source or 'policy'}: policy text is over the limit of {limits.max_policy_size} bytes"
        )
    if deadline is None:
        deadline = Deadline.start(limits.stage_timeout)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    text = normalise_text(text)
    check_chinese(text, source)
    deadline.check()
    sections, sentences = segment(text, deadline=deadline)
    t1 = time.perf_counter()
    timings["segment"] = t1 - t0
    sdks = declared_sdks(text, sentences, deadline=deadline)
    sdk_evidence = [r.evidence[0] for r in sdks if r.evidence]
    errors: list[str] = []
    deadline.check()
    support, add = _classifier_support(sentences, classifier, errors)
    deadline.check()
    elements = detect_elements(
        text,
        sentences,
        sections,
        extra_sdk_evidence=[{**e, "element": "sdk_list"} for e in sdk_evidence],
        support=support,
        add=add,
        deadline=deadline,
    )
    pi = declared_pi(text, sentences, deadline=deadline)
    perms = declared_permissions(text, sentences, deadline=deadline)
    timings["analyze"] = time.perf_counter() - t1
    return PolicyEvidence(
        source=source,
        found=True,
        text=text,
        text_length=len(text),
        language="zh",
        sections=sections,
        sentences=sentences,
        elements=elements,
        declared_pi=pi,
        declared_permissions=perms,
        declared_sdks=sdks,
        errors=errors,
        timings=timings,
    )


def _classifier_support(
    sentences: list, use: bool | None, errors: list[str]
) -> tuple[dict[str, dict[int, float]], dict[str, dict[int, float]]]:
    """Per element, ``{sentence start: probability}`` of predicted sentences (support) and of confident ones (add)."""
    if use is False or not sentences:
        return {}, {}
    from appwarden.errors import KnowledgeError
    from appwarden.policy.classifier import ADD_THRESHOLD, TOPIC_ELEMENTS, SentenceClassifier

    try:
        clf = SentenceClassifier.load()
    except KnowledgeError as exc:
        if use:
            raise PolicyError(f"policy classifier unavailable: {exc}") from None
        errors.append(f"classifier not used: {exc}")
        return {}, {}
    proba = clf.predict_proba([s.text for s in sentences])
    support: dict[str, dict[int, float]] = {}
    add: dict[str, dict[int, float]] = {}
    for j, topic in enumerate(clf.topics):
        elements = TOPIC_ELEMENTS.get(topic)
        if not elements:
            continue
        column = proba[:, j]
        for i, sent in enumerate(sentences):
            p = float(column[i])
            if p >= clf.threshold:
                for el in elements:
                    support.setdefault(el, {})[sent.start] = p
                if p >= ADD_THRESHOLD:
                    add.setdefault(elements[0], {})[sent.start] = p
    return support, add


def analyze_policy_file(
    path: str | Path,
    limits: Limits = DEFAULT_LIMITS,
    *,
    classifier: bool | None = None,
    deadline: Deadline | None = None,
) -> PolicyEvidence:
    """Load a policy file (see :mod:`appwarden.policy.load`) and analyse it, both under one deadline (default
    ``limits.stage_timeout`` from now); PolicyError on bad input."""
    from appwarden.policy.load import load_policy_file

    if deadline is None:
        deadline = Deadline.start(limits.stage_timeout)
    text = load_policy_file(path, limits, deadline=deadline)
    from appwarden.errors import display_path

    return analyze_policy(
        text, source=display_path(path), limits=limits, classifier=classifier, deadline=deadline
    )


def load_bundled_policy(
    apk: object, limits: Limits = DEFAULT_LIMITS, *, deadline: Deadline | None = None
) -> PolicyEvidence:
    """The policy shipped inside the APK, analysed (``source="apk:<entry>"``); when none is found,
    :meth:`PolicyEvidence.not_found` (``source="none"``, ``found=False``) so that ``policy.missing`` can fire.

    Called by ``appwarden.scan.build_evidence`` when no policy file was given. Never raises for a missing policy;
    a bundled file that cannot be analysed is skipped by the search; one refused for a limit (too large, a
    decompression bomb, too many HTML nodes) is named in ``errors``, or, when no policy was found, raised as
    PolicyTooLarge (the app may well have a policy: ``policy.missing`` must not fire). The search and the
    analysis share one deadline (default ``limits.stage_timeout`` from now): PolicyTimeout when it passes."""
    from appwarden.policy.bundle import bundled_candidates

    if deadline is None:
        deadline = Deadline.start(limits.stage_timeout)
    found = None
    skipped: list[str] = []
    if bundled_candidates(getattr(apk, "entry_names", ()) or ()):
        from appwarden.policy.load import find_bundled_policy

        found = find_bundled_policy(apk, limits, deadline=deadline, skipped=skipped)
    if found is None:
        if skipped:  # a policy-like entry was refused for a limit: "no policy" would be a false fact
            raise PolicyTooLarge(f"bundled policy not analysed: {skipped[0]}")
        return PolicyEvidence.not_found(
            "searched assets/ and res/raw/ of the APK; supply the policy with --policy if it is only online",
            reason="no privacy policy bundled in the APK and none supplied",
        )
    entry, text = found
    ev = analyze_policy(text, source=f"apk:{entry}", limits=limits, deadline=deadline)
    ev.errors.extend(f"bundled policy candidate skipped: {s}" for s in skipped)
    return ev
