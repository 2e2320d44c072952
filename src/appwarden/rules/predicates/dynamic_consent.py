"""PI collected before consent / after refusal, from a runtime trace (``dynamic_pi_before_consent``,
``dynamic_pi_after_refusal``).

``dynamic_pi_before_consent``: every PI access (an ``api_call`` of a category in ``knowledge/pi_apis.yaml``) that
happened before the user's first ``consent_agree`` in the trace, one hit per owner (the first non-platform stack
frame, attributed to an SDK or the host). It is an observation, so the confidence is ``confirmed`` — unless the
trace shows no consent step at all (no privacy dialog, no decision): then the hit is lowered to ``likely`` when the
header says the app started ``fresh`` (data cleared: it collected without ever asking, or the agent missed the
dialog) and to ``possible`` otherwise (consent may be stored from an earlier session). A header with
``app_state: existing`` starts the analysis as agreed.

``dynamic_pi_after_refusal``: PI accesses after ``consent_refuse`` or ``consent_withdraw`` (and before any later
agreement).

Both hits carry ``behaviour`` (``pre_consent`` / ``after_refusal``), as the static consent rules' do
(``pi_api_at_startup``, ``pi_api_after_refusal``), so the report's ``consent`` section merges static and runtime
evidence of one behaviour and owner into one entry.

Params (both): ``categories`` (only these; default all), ``exclude_categories`` (default
``network_info, sensors, runtime_evasion``: connectivity checks and sensor lookups are not PI collection by
themselves; reflection hooks are too noisy to count alone).
"""

from __future__ import annotations

from appwarden.dynamic.model import Observation
from appwarden.dynamic.refs import observation_ref
from appwarden.errors import RuleError
from appwarden.evidence import Evidence
from appwarden.knowledge import pi_categories
from appwarden.rules.model import Hit
from appwarden.rules.predicates import param, predicate

DEFAULT_EXCLUDE = ("network_info", "sensors", "runtime_evasion")


def validate_categories(params: dict) -> None:
    """Shared params check: ``categories`` / ``exclude_categories`` are lists of known PI category keys."""
    known = pi_categories()
    for key in ("categories", "exclude_categories"):
        value = params.get(key)
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
            raise RuleError(f"'{key}' must be a list of PI category keys")
        unknown = [c for c in value if c not in known]
        if unknown:
            raise RuleError(f"unknown PI categories in '{key}': {unknown}")


def select(observations: list[Observation], params: dict) -> list[Observation]:
    """Observations whose category passes the ``categories`` / ``exclude_categories`` params."""
    only = set(param(params, "categories", ()))
    exclude = set(param(params, "exclude_categories", DEFAULT_EXCLUDE))
    return [o for o in observations if (not only or o.category in only) and o.category not in exclude]


def by_owner(observations: list[Observation]) -> dict[str, list[Observation]]:
    out: dict[str, list[Observation]] = {}
    for obs in observations:
        out.setdefault(obs.owner, []).append(obs)
    return out


def _names(obs: list[Observation]) -> tuple[str, str]:
    cats = list(dict.fromkeys(o.category for o in obs))
    records = pi_categories()
    zh = "、".join(records.get(c, {}).get("name_zh", c) for c in cats)
    return zh, ", ".join(cats)


@predicate("dynamic_pi_before_consent", needs=("dynamic.trace",), validate=validate_categories)
def dynamic_pi_before_consent(evidence: Evidence, params: dict) -> list[Hit]:
    dyn = evidence.dynamic
    if dyn is None:
        return []
    observed = dyn.consent.observed
    hits = []
    for owner, obs in by_owner(select(dyn.pre_consent, params)).items():
        zh, en = _names(obs)
        first = min(o.t for o in obs)
        where = "同意隐私政策前" if observed else "运行期间未观察到隐私政策同意环节"
        hits.append(
            Hit(
                evidence=[observation_ref(o) for o in obs],
                owner=owner,
                message_zh=f"{where}（{first} ms 起）收集了{zh}",
                message_en=(
                    f"collected {en} before the user agreed to the privacy policy (from {first} ms)"
                    if observed
                    else f"collected {en}; no consent step was observed in the trace"
                ),
                confidence=dyn.consent.pre_consent_confidence(),
                behaviour="pre_consent",
            )
        )
    return hits


@predicate("dynamic_pi_after_refusal", needs=("dynamic.trace",), validate=validate_categories)
def dynamic_pi_after_refusal(evidence: Evidence, params: dict) -> list[Hit]:
    dyn = evidence.dynamic
    if dyn is None:
        return []
    hits = []
    for owner, obs in by_owner(select(dyn.after_refusal, params)).items():
        zh, en = _names(obs)
        hits.append(
            Hit(
                evidence=[observation_ref(o) for o in obs],
                owner=owner,
                message_zh=f"用户拒绝或撤回同意后仍收集{zh}",
                message_en=f"collected {en} after the user refused or withdrew consent",
                behaviour="after_refusal",
            )
        )
    return hits
