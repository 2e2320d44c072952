"""Generate the Frida JavaScript agent from ``knowledge/pi_apis.yaml`` (one source of truth).

:func:`generate_agent` fills ``agent_template.js`` with:

* ``HOOKS``: every API (``apis`` and ``sdk_apis``) of every PI category as ``{c: class, m: method, cat: [...]}``;
  the agent hooks **all overloads** of each with ``Java.use`` (SDK classes through every class loader, retried
  while the app loads them), captures the Java stack and sends a structured ``api_call`` message.
* ``FILTERS``: the knowledge base's ``arg_filters`` (``arg1_equals``, ``arg0_in``, ``uri_authority_in``,
  ``sensor_type_in``) as a JS pre-filter so hot APIs (``ContentResolver.query``) only report PI-relevant calls; for
  the shell/reflection APIs an ``args_contain`` filter with the markers of :func:`pi_lookup.indirect_markers`.
* consent-dialog word lists (privacy dialog detection on ``Dialog.show`` and privacy activities; agree/refuse
  buttons on ``View.performClick``), and ``rpc.exports.mark(event, label)`` for the tester.

The Python side (:mod:`appwarden.dynamic.runner`) decides the final category; the JS filter only drops noise.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from appwarden import __version__
from appwarden.dynamic.pi_lookup import IMPLEMENTATIONS, INDIRECT, api_table, indirect_markers

TEMPLATE = Path(__file__).resolve().parent / "agent_template.js"

PRIVACY_WORDS = [
    "隐私政策", "隐私协议", "隐私权政策", "隐私保护", "个人信息保护", "个人信息处理", "用户协议", "服务协议",
    "Privacy Policy", "privacy policy", "Privacy policy",
]  # fmt: skip
AGREE_WORDS = ["同意", "接受", "我知道了", "好的", "Agree", "agree", "Accept", "accept", "AGREE"]
REFUSE_WORDS = [
    "不同意", "暂不同意", "不接受", "拒绝", "暂不使用", "仅浏览", "退出", "Disagree", "disagree", "Decline",
    "decline", "Reject", "reject",
]  # fmt: skip
SENSOR_TYPES = {
    "1": "accelerometer", "2": "magnetic_field", "4": "gyroscope", "9": "gravity", "10": "linear_acceleration",
    "11": "rotation_vector", "15": "game_rotation_vector",
}  # fmt: skip
REFLECTION_SELF = {("java.lang.reflect.Method", "invoke")}
SENSOR_REGISTER = {("android.hardware.SensorManager", "registerListener")}


def hook_list() -> list[dict[str, Any]]:
    """Every hookable API as the agent's ``HOOKS`` entries (knowledge-base order)."""
    out = []
    for (cls, method), entry in api_table().items():
        for target in (cls, *IMPLEMENTATIONS.get(cls, ())):  # abstract APIs: also hook the concrete class
            item: dict[str, Any] = {"c": target, "m": method, "cat": list(entry.categories)}
            if (cls, method) in REFLECTION_SELF:
                item["self"] = True
            if (cls, method) in SENSOR_REGISTER:
                item["sensor"] = True  # also reported as a sensor_register event
            out.append(item)
    return out


def filter_table() -> dict[str, list[dict[str, Any] | None]]:
    """``"class.method" -> [filter | null, ...]``: one entry per category (null = that category needs no filter).
    Concrete implementation classes of abstract APIs get the same filters."""
    markers = [text for text, _cat in indirect_markers()]
    table: dict[str, list[dict[str, Any] | None]] = {}
    for (cls, method), entry in api_table().items():
        if entry.categories == [INDIRECT]:
            filters: list[dict[str, Any] | None] = [{"args_contain": markers, "self_contains": True}]
        elif entry.filters:
            filters = []
            for cat in entry.categories:
                flt = entry.filters.get(cat)
                if flt is None:
                    filters.append(None)
                    continue
                js: dict[str, Any] = {}
                for kind, value in flt.items():
                    if kind == "sensor_type_in":
                        js[kind] = sorted(int(k) for k in value)
                    elif kind == "arg1_equals":
                        js[kind] = str(value)
                    else:
                        js[kind] = [str(v) for v in value]
                filters.append(js)
        else:
            continue
        for target in (cls, *IMPLEMENTATIONS.get(cls, ())):
            table[f"{target}.{method}"] = filters
    return table


def generate_agent() -> str:
    """The agent's JavaScript source."""
    text = TEMPLATE.read_text(encoding="utf-8")

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, indent=None, separators=(",", ":"))

    replacements = {
        "'/*@@VERSION@@*/'": dump(__version__),
        "/*@@HOOKS@@*/[]": dump(hook_list()),
        "/*@@FILTERS@@*/{}": dump(filter_table()),
        "/*@@PRIVACY_WORDS@@*/[]": dump(PRIVACY_WORDS),
        "/*@@AGREE_WORDS@@*/[]": dump(AGREE_WORDS),
        "/*@@REFUSE_WORDS@@*/[]": dump(REFUSE_WORDS),
        "/*@@SENSOR_TYPES@@*/{}": dump(SENSOR_TYPES),
    }
    for marker, value in replacements.items():
        if marker not in text:
            raise RuntimeError(f"agent template lost its placeholder {marker}")
        text = text.replace(marker, value)
    return text


def write_agent(path: str | Path) -> int:
    """Write the agent to ``path``; return the number of hooked APIs."""
    Path(path).write_text(generate_agent(), encoding="utf-8")
    return len(hook_list())
