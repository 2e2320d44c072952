"""PI collection call sites grouped by owner (``pi_callsites``).

Fires for every owner (host or SDK) whose bytecode calls an API of the given PI categories (``static.callsites``),
e.g. the installed-app list (``getInstalledPackages``/``getInstalledApplications``/``queryIntentActivities``),
clipboard reads, MAC/serial/IMEI reads, cell and Wi-Fi scans. Presence of code is not proof of use, so each hit is
graded: ``likely`` when some call site is reachable in the call graph from a manifest component or the
application class, ``possible`` otherwise (library code that may be dead); this overrides the rule's default.

Params: ``categories`` (required), ``kinds`` (default ``invoke, field, reflection``), ``apis`` (optional list of
API prefixes ``Lcls;->name`` to restrict to), ``require_strings`` (API prefix -> strings one of which must appear in
the calling method), ``manifest_permissions`` (optional: permissions whose presence in the
manifest is added as evidence, e.g. ``QUERY_ALL_PACKAGES``; with ``permission_alone: true`` the permission alone
fires a host hit at ``possible`` even without call sites), ``sdk_clauses`` (clause IDs added to SDK-owned
findings; listed in the rule's ``extra_clauses``), ``min_reachability``: ``any`` (default) or
``reachable`` (only reachable call sites count).
"""

from __future__ import annotations

from appwarden.errors import RuleError
from appwarden.evidence import Evidence
from appwarden.knowledge import pi_categories
from appwarden.rules.model import Hit
from appwarden.rules.predicates import param, predicate
from appwarden.rules.static_support import (
    callsite_item,
    code_of,
    component_entries,
    filter_sites,
    owner_label_zh,
    reachable,
    validate_categories,
)

DEFAULT_KINDS = ("invoke", "field", "reflection")


def _validate(params: dict) -> None:
    validate_categories(params)
    if params.get("min_reachability", "any") not in ("any", "reachable"):
        raise RuleError("'min_reachability' must be 'any' or 'reachable'")


@predicate("pi_callsites", needs=("static.callsites",), validate=_validate)
def pi_callsites(evidence: Evidence, params: dict) -> list[Hit]:
    static = evidence.static
    if static is None:
        return []
    code = code_of(evidence)
    categories = set(params["categories"])
    kinds = set(param(params, "kinds", DEFAULT_KINDS))
    sites = [s for s in static.callsites if s.category in categories and s.kind in kinds]
    sites = filter_sites(sites, params, code)
    live = reachable(code, component_entries(evidence)) if code is not None else {}
    only_reachable = param(params, "min_reachability", "any") == "reachable"
    groups: dict[str, list] = {}
    for site in sites:
        if only_reachable and site.caller not in live:
            continue
        groups.setdefault(site.owner, []).append(site)
    perms = []
    manifest = static.manifest
    if manifest is not None:
        declared = set(manifest.permissions)
        perms = [p for p in param(params, "manifest_permissions", []) if p in declared]
    names = pi_categories()
    hits: list[Hit] = []
    for owner, owner_sites in groups.items():
        any_live = any(s.caller in live for s in owner_sites)
        items = [callsite_item(s) | {"reachable": s.caller in live} for s in owner_sites]
        if owner == "host":
            items += [{"type": "permission", "name": p} for p in perms]
        cats = sorted({s.category for s in owner_sites})
        zh = "、".join(names[c].get("name_zh", c) for c in cats)
        who = owner_label_zh(evidence, owner)
        state = "可从组件入口到达" if any_live else "未发现从组件入口到达的调用路径"
        hits.append(
            Hit(
                evidence=items,
                owner=owner,
                confidence="likely" if any_live else "possible",
                clauses=[] if owner == "host" else list(param(params, "sdk_clauses", [])),
                message_zh=f"{who}存在读取{zh}的代码，共{len(owner_sites)}处（{state}）。",
                message_en=f"{owner}: {len(owner_sites)} call sites reading {', '.join(cats)}"
                f" ({'reachable' if any_live else 'no path from a component found'}).",
            )
        )
    if "host" not in groups and perms and param(params, "permission_alone", False):
        hits.append(
            Hit(
                evidence=[{"type": "permission", "name": p} for p in perms],
                owner="host",
                confidence="possible",
                message_zh=f"应用声明了{'、'.join(perms)}权限，但代码中未发现相应的读取调用（可能经动态加载、"
                "反射或加固代码读取），需人工确认。",
                message_en=f"The app declares {', '.join(perms)}; no call site reading the data was found in its code "
                "(it may be loaded dynamically, by reflection or in packed code): check by hand.",
            )
        )
    return hits
