"""PI API reachable at app start-up, before any user interaction (``pi_api_at_startup``).

Start-up entry points are the methods Android runs when the process starts, before any activity is shown:
``Application.attachBaseContext/onCreate`` (the manifest's application class and the superclasses the app defines),
every declared ``ContentProvider.onCreate/attachInfo`` (providers start before ``Application.onCreate``; SDKs use
them to initialise themselves) and the ``AppComponentFactory``. A PI call site (``static.callsites``) whose caller
is reachable from one of them in the call graph (``CodeIndex.callgraph``) — directly or through an SDK ``init``
called there — collects PI before the user can have agreed to the privacy policy, unless the app gates the call on
a stored consent flag, which static analysis cannot see. Hence confidence ``possible``; a runtime trace with a
consent timeline confirms it.

Params: ``categories`` (PI category keys, required), ``kinds`` (call-site kinds to count, default
``invoke, field, reflection``: plain strings and content-URI literals alone are not a call), ``apis`` and
``require_strings`` (see ``pi_callsites``), ``sdk_clauses`` (clause IDs added to SDK-owned findings; the rule
must list them in ``extra_clauses``). One hit per owner
(host or SDK) with every call site and one call path per site as evidence.
"""

from __future__ import annotations

from appwarden.evidence import Evidence
from appwarden.knowledge import pi_categories
from appwarden.rules.model import Hit
from appwarden.rules.predicates import param, predicate
from appwarden.rules.static_support import (
    call_path,
    callsite_item,
    code_of,
    filter_sites,
    reachable,
    startup_entries,
    validate_categories,
)

DEFAULT_KINDS = ("invoke", "field", "reflection")


def _validate(params: dict) -> None:
    validate_categories(params)


@predicate("pi_api_at_startup", needs=("static.callsites", "static.entrypoints"), validate=_validate)
def pi_api_at_startup(evidence: Evidence, params: dict) -> list[Hit]:
    static = evidence.static
    code = code_of(evidence)
    if static is None or code is None:
        return []
    categories = set(params["categories"])
    kinds = set(param(params, "kinds", DEFAULT_KINDS))
    sites = [s for s in static.callsites if s.category in categories and s.kind in kinds]
    sites = filter_sites(sites, params, code)
    if not sites:
        return []
    entries = startup_entries(evidence)
    live = reachable(code, entries)
    by_owner: dict[str, list[dict]] = {}
    names = pi_categories()
    cats_by_owner: dict[str, set[str]] = {}
    for site in sites:
        if site.caller not in live:
            continue
        path = call_path(live, site.caller)
        by_owner.setdefault(site.owner, []).append(callsite_item(site, path or [site.caller]))
        cats_by_owner.setdefault(site.owner, set()).add(site.category)
    hits = []
    for owner, items in by_owner.items():
        cats = sorted(cats_by_owner[owner])
        zh = "、".join(names[c].get("name_zh", c) for c in cats)
        who = "应用自身代码" if owner == "host" else f"第三方SDK（{owner}）"
        hits.append(
            Hit(
                evidence=items,
                owner=owner,
                clauses=[] if owner == "host" else list(param(params, "sdk_clauses", [])),
                message_zh=f"{who}在应用启动阶段（用户交互前）即可调用{zh}相关接口，共{len(items)}处。",
                message_en=f"{owner}: {', '.join(cats)} API reachable from app start-up ({len(items)} call sites).",
            )
        )
    return hits
