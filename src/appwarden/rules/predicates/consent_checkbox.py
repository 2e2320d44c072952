"""Pre-ticked consent (默认勾选同意): a consent checkbox ticked by the app's code next to 同意/已阅读 text.

``consent_checkbox_prechecked``: an app method calls ``setChecked`` on a checkbox-like widget
(``CompoundButton``/``CheckBox``/``RadioButton``/``ToggleButton``/``Switch`` and their AndroidX copies, params
``apis`` to change) and loads the literal ``1`` (``true``), and its class loads a consent string in code
(``const-string`` matching param ``consent_patterns``, default 我已阅读/同意…隐私政策/用户协议/服务协议). One finding per
class, owner ``host`` by default (param ``owners``: SDK ids to judge as well), with the consent string and the
``setChecked`` call as evidence.

Limits: the literal 1 in the method is not proven to be the argument of ``setChecked`` (register flow is not
tracked), a checkbox ticked by ``android:checked="true"`` in a layout XML, or one whose consent text comes from string
resources only, is not seen (APK resources are not part of the rule evidence); the consent screen itself is judged by
a reviewer or a UI trace. Confidence: possible, needs review.
"""

from __future__ import annotations

import re
from typing import Any

from appwarden.evidence import Evidence
from appwarden.rules.model import Hit
from appwarden.rules.predicates import param, predicate
from appwarden.rules.static_support import (
    class_of,
    code_of,
    invokes,
    method_literals,
    method_strings,
    methods_of,
    owner_of,
)

SET_CHECKED = (
    "Landroid/widget/CompoundButton;->setChecked(Z)V",
    "Landroid/widget/CheckBox;->setChecked(Z)V",
    "Landroid/widget/RadioButton;->setChecked(Z)V",
    "Landroid/widget/ToggleButton;->setChecked(Z)V",
    "Landroid/widget/Switch;->setChecked(Z)V",
    "Landroidx/appcompat/widget/AppCompatCheckBox;->setChecked(Z)V",
    "Landroidx/appcompat/widget/AppCompatRadioButton;->setChecked(Z)V",
    "Landroidx/appcompat/widget/SwitchCompat;->setChecked(Z)V",
    "Lcom/google/android/material/checkbox/MaterialCheckBox;->setChecked(Z)V",
)
CONSENT = (
    r"(?:已|已经)?(?:阅读|知悉)[^\n]{0,12}(?:并)?(?:同意|接受)",
    r"同意[^\n]{0,10}(?:《|“)?(?:隐私政策|隐私协议|用户协议|服务协议|隐私保护指引|隐私权政策)",
)


@predicate("consent_checkbox_prechecked", needs=("static.code",))
def check_prechecked(evidence: Evidence, params: dict) -> list[Hit]:
    code = code_of(evidence)
    if code is None:
        return []
    owners = set(param(params, "owners", ["host"]))
    patterns = [re.compile(p) for p in param(params, "consent_patterns", CONSENT)]
    by_class: dict[str, list[tuple[str, str, str, int]]] = {}
    for ref in invokes(code, param(params, "apis", SET_CHECKED)):
        caller = ref[0]
        if 1 not in method_literals(code, caller):
            continue
        by_class.setdefault(class_of(caller), []).append(ref)
    hits: list[Hit] = []
    for cls, refs in sorted(by_class.items()):
        owner = owner_of(evidence, cls)
        if owner not in owners:
            continue
        consent: tuple[str, str] | None = None
        for method in methods_of(code, cls):
            text = next((s for s in method_strings(code, method) if any(p.search(s) for p in patterns)), None)
            if text is not None:
                consent = (method, text)
                break
        if consent is None:
            continue
        caller, target, dex, offset = refs[0]
        evidence_items: list[dict[str, Any]] = [
            {"type": "string", "caller": consent[0], "value": consent[1][:200]},
            {
                "type": "constant",
                "caller": caller,
                "value": "setChecked(true)",
                "meaning": f"{target.split('->', 1)[0]} ticked by code (literal 1 in the method)",
                "dex": dex,
                "offset": offset,
            },
        ]
        hits.append(
            Hit(
                evidence=evidence_items,
                owner=owner,
                message_zh=f"同意隐私政策的勾选框可能被代码默认勾选（{cls}）：{consent[1][:40]}",
                message_en=f"A consent checkbox may be pre-ticked by code ({cls})",
            )
        )
    return hits
