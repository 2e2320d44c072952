"""Privacy policy hard to reach (认定方法 一.3, more than four taps from the main screen), judged statically.

``policy_taps_from_main``: builds the app's navigation graph (:mod:`appwarden.rules.navigation`: activities and the
fragments a tap brings up, edges from click handlers, menu and preference handlers and layout ``android:onClick``
to explicitly started screens, each costing one tap; a splash forwarding without a tap costs none) and the fewest
taps from the main screen to a *policy mark* (a method showing or opening the policy: a policy title, a policy
URL/asset page, a policy string/layout resource; the first-run consent dialog is not counted).

* fewest taps ≤ ``max_taps`` (default 4): no finding.
* a path exists but needs more than ``max_taps``: one finding with the path (each screen, the taps so far and the
  handler that opens it) and the policy mark.
* no path: one lead, severity ``low``: either the policy is shown only on screens the graph does not reach from the
  main screen (named), only by the first-run consent dialog, or nowhere in the code and resources — the last only
  when a policy is known (supplied or bundled): without one, ``policy.missing`` (认定方法 一.1) already reports it.

Silent when the UI is a Flutter/React Native/uni-app/Cordova/cocos/Unity bundle (static navigation is blind) and
when the app has no launcher activity. Leads without a path are not given when a path-string router (ARouter,
TheRouter, WMRouter, DRouter) or Jetpack Navigation starts screens (their edges are invisible here), nor when the
graph was cut at ``MAX_SCREENS``; a ``> max_taps`` finding then says the router's jumps were not counted.

Limits: implicit intents, reflection and server-driven pages hide edges (the true count may be lower); scrolling,
tabs, drawers and the taps inside a screen are not counted (it may be higher). Confidence: possible, needs review.
"""

from __future__ import annotations

from typing import Any

from appwarden.errors import RuleError
from appwarden.evidence import Evidence
from appwarden.rules.model import Hit
from appwarden.rules.navigation import POLICY_TEXTS, POLICY_URL, Navigation, navigation
from appwarden.rules.predicates import param, predicate


def _validate(params: dict[str, Any]) -> None:
    taps = params.get("max_taps", 4)
    if not isinstance(taps, int) or isinstance(taps, bool) or not 1 <= taps <= 20:
        raise RuleError("max_taps must be an integer from 1 to 20")
    texts = params.get("policy_texts", list(POLICY_TEXTS))
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) and t for t in texts):
        raise RuleError("policy_texts must be a non-empty list of strings")


def _java(desc: str) -> str:
    return desc[1:-1].replace("/", ".") if desc.startswith("L") and desc.endswith(";") else desc


def _main_names(nav: Navigation) -> str:
    """The first three main screens, for a message (read only where one is made: a graph not built finds its main
    screens when they are first asked for, see ``navigation._Builder.build``)."""
    return "、".join(_java(m) for m in nav.main[:3])


def _path_items(nav: Navigation) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for screen, taps, via in nav.path():
        item: dict[str, Any] = {
            "type": "component",
            "kind": nav.screens[screen].kind if screen in nav.screens else "activity",
            "name": _java(screen),
            "taps": taps,
        }
        if via:
            item["via"] = via
        items.append(item)
    return items


@predicate("policy_taps_from_main", needs=("static.manifest", "static.code"), validate=_validate)
def check_policy_taps(evidence: Evidence, params: dict) -> list[Hit]:
    max_taps = int(param(params, "max_taps", 4))
    texts = tuple(param(params, "policy_texts", list(POLICY_TEXTS)))
    # only whether the policy is within max_taps matters when it is: the BFS may stop there (enough)
    nav = navigation(evidence, texts, str(param(params, "policy_url", POLICY_URL)), enough=max_taps)
    if nav is None or not nav.launchers or nav.blind:
        return []
    if nav.taps is not None:
        if nav.taps <= max_taps:
            return []
        main = _main_names(nav)
        mark = nav.policy_mark
        assert mark is not None
        evidence_items = _path_items(nav)
        router_zh = router_en = ""
        if nav.routers:  # path routers start screens this graph cannot see: the real path may be shorter
            names = "、".join(nav.routers)
            router_zh = f"；应用使用路由框架（{names}），其跳转未计入，实际路径可能更短"
            router_en = f"; the app starts screens through {', '.join(nav.routers)}, not counted: the real path may be shorter"
        evidence_items.append(
            {
                "type": "string",
                "caller": mark.method,
                "value": mark.what,
                "meaning": "policy shown or opened here",
            }
        )
        return [
            Hit(
                evidence=evidence_items,
                message_zh=(
                    f"静态导航分析：从主界面（{main}）到隐私政策，静态找到的最短点击路径为{nav.taps}次"
                    f"（多于{max_taps}次），隐私政策可能难以访问{router_zh}"
                ),
                message_en=(
                    f"Static navigation: the shortest tap path found from the main screen ({main}) to the privacy"
                    f" policy has {nav.taps} taps, more than {max_taps}{router_en}"
                ),
            )
        ]
    if nav.routers or nav.capped:
        return []  # screens started by path strings, or the graph cut short: a missing path proves nothing
    if nav.unreached_marks:
        main = _main_names(nav)
        screen, mark = nav.unreached_marks[0]
        evidence_items = [
            {"type": "component", "kind": "activity", "name": _java(m), "taps": 0} for m in nav.main[:3]
        ]
        evidence_items += [
            {"type": "string", "caller": mk.method, "value": mk.what, "meaning": f"policy on {_java(scr)}"}
            for scr, mk in nav.unreached_marks[:3]
        ]
        dialog_zh = dialog_en = ""
        if nav.dialog_only:  # the page is opened by the first-run dialog's link, and from nowhere else found
            dialog_zh, dialog_en = (
                "（首次运行隐私弹窗中的链接除外）",
                " (other than the first-run dialog's link)",
            )
            evidence_items += [
                {"type": "string", "caller": d, "value": "consent dialog", "meaning": "first-run only"}
                for d in nav.dialog_only[:3]
            ]
        return [
            Hit(
                evidence=evidence_items,
                severity="low",
                message_zh=(
                    f"静态导航分析未找到从主界面（{main}）到隐私政策页面（{_java(screen)}）的点击路径{dialog_zh}，"
                    f"需人工确认隐私政策能否在{max_taps}次点击内访问"
                ),
                message_en=(
                    f"No static tap path found from the main screen ({main}) to the screen showing the privacy"
                    f" policy ({_java(screen)}){dialog_en}; check by hand that it is reachable within {max_taps}"
                    " taps"
                ),
            )
        ]
    if nav.dialog_only:
        where_zh, where_en = (
            "仅在首次运行的隐私弹窗中提供隐私政策，",
            "the policy is only offered by the first-run dialog; ",
        )
        items = [
            {"type": "string", "caller": d, "value": "consent dialog", "meaning": "first-run only"}
            for d in nav.dialog_only[:3]
        ]
    else:
        policy = evidence.policy
        if policy is None or not getattr(policy, "found", False):
            # no policy known at all: policy.missing (RD-1.1) reports that; a second lead would repeat it
            return []
        where_zh, where_en = (
            "已知隐私政策，但应用代码和资源中未找到展示隐私政策的页面，",
            "a privacy policy is known, but no screen showing it was found in the code or resources; ",
        )
        source = str(getattr(policy, "source", "") or "")
        items = [
            {"type": "policy", "element": "source", "value": source, "sentence": "", "start": 0, "end": 0}
        ]
    main = _main_names(nav)
    items = [
        {"type": "component", "kind": "activity", "name": _java(m), "taps": 0} for m in nav.main[:3]
    ] + items
    return [
        Hit(
            evidence=items,
            severity="low",
            message_zh=f"静态导航分析：{where_zh}未找到从主界面（{main}）访问隐私政策的路径，需人工确认",
            message_en=f"Static navigation: {where_en}no path from the main screen ({main}) to the policy found",
        )
    ]
