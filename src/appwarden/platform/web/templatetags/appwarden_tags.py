"""Template filters that show findings to people: clause codes expanded (hover text and a clause list), SDK ids as
their Chinese names, evidence references as one readable line each (never a JSON dump).

They reuse the report renderers' views (:mod:`appwarden.report.view`), so the platform, the HTML and the PDF report
say the same thing. Every filter returns plain text or HTML built with ``format_html`` (values escaped).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join

from appwarden.report import view

register = template.Library()


@register.filter
def pretty_json(value: object) -> str:
    """Indented JSON with Chinese kept readable (the result is auto-escaped where it is used). For technical
    downloads only: pages that people read use :func:`evidence_line`."""
    try:
        return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)
    except (TypeError, ValueError):
        return str(value)


def _clause_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [c.strip() for c in value.split(",") if c.strip()]
    if isinstance(value, Iterable):
        return [str(c) for c in value]
    return []


@register.filter
def clause_tags(value: Any) -> str:
    """Clause codes as ``<abbr>`` tags whose hover text is the instrument, article and wording
    (:func:`appwarden.report.view.clause_explanation`), each followed by its short Chinese label."""
    return format_html_join(
        "；",
        '<abbr class="clause" title="{}">{}</abbr> {}',
        (
            (view.clause_explanation(c), c, view.clause_label(c) if view.clause_info(c)["known"] else "")
            for c in _clause_list(value)
        ),
    )


@register.filter
def clause_codes(value: Any) -> str:
    """Clause codes only (compact table cells), each with the same hover text as :func:`clause_tags`."""
    return format_html_join(
        ", ",
        '<abbr class="clause" title="{}">{}</abbr>',
        ((view.clause_explanation(c), c) for c in _clause_list(value)),
    )


@register.filter
def clause_texts(value: Any) -> list[dict[str, Any]]:
    """:func:`appwarden.report.view.clause_info` of each clause code, with ``label`` and ``explanation`` (for a
    footnote list on a page)."""
    out = []
    for c in _clause_list(value):
        info = view.clause_info(c)
        info["label"] = view.clause_label(c)
        info["explanation"] = view.clause_explanation(c)
        out.append(info)
    return out


@register.filter
def owner_name(owner: Any) -> str:
    """A finding's owner for people: 应用自身 for the host app, else the SDK's Chinese name (id on hover)."""
    owner = str(owner or "host")
    zh, _en = view.owner_names({}, owner)
    if owner == "host" or zh == owner:
        return zh
    return format_html('<span title="{}">{}</span>', owner, zh)


@register.filter
def confidence_zh(value: Any) -> str:
    """A finding's confidence code (``likely``) as the finding pages label it (``较可能 Likely``)."""
    from appwarden.platform.testing.models import CONFIDENCE

    return dict(CONFIDENCE).get(str(value), str(value))


@register.filter
def finding_status_zh(value: Any) -> str:
    """A finding's review status code (``confirmed``) as the finding pages label it (``已确认 Confirmed``)."""
    from appwarden.platform.testing.models import FINDING_STATUS

    return dict(FINDING_STATUS).get(str(value), str(value))


@register.filter
def zh_text(value: Any) -> str:
    """A Chinese message with SDK ids replaced by the SDKs' Chinese names and server paths cut to file names."""
    return view.public_text(view.localize_zh(value))


@register.filter
def finding_message(finding: Any) -> str:
    """The finding's Chinese message as the report shows it (:func:`appwarden.report.view.finding_message_zh`)."""
    data = {"message_zh": getattr(finding, "message_zh", ""), "title_zh": getattr(finding, "title_zh", "")}
    return view.public_text(view.finding_message_zh(data))


@register.filter
def evidence_line(ref: Any) -> str:
    """One evidence reference as a readable line: its Chinese kind label, then what it shows
    (:func:`appwarden.report.view.evidence_text`); SDK ids become names, server paths file names."""
    if not isinstance(ref, Mapping):
        return view.public_text(view.plain_value(ref))
    zh, _en = view.evidence_label(ref)
    return f"{zh}：{view.public_text(view.localize_zh(view.evidence_text(ref)))}"


@register.filter
def screening_badge(report: Any) -> str:
    """A report's 不良APP screening verdict as one short label (``有害 harmful · 短信扣费/诈骗 sms_fraud``), with a
    class ``screening-<verdict>``; ``—`` when the report has no screening section (not scanned, or an old report)."""
    from appwarden.screening.model import CATEGORY_NAMES_ZH, VERDICT_NAMES_ZH

    section = report.get("screening") if isinstance(report, Mapping) else None
    if not isinstance(section, Mapping) or section.get("evaluated") is False:
        return "—"
    verdict = str(section.get("verdict") or "none")
    if verdict not in VERDICT_NAMES_ZH:
        return "—"
    cats = [str(c) for c in section.get("categories") or [] if str(c) in CATEGORY_NAMES_ZH]
    text = f"{VERDICT_NAMES_ZH[verdict]} {verdict}"
    if cats:
        text += " · " + ", ".join(f"{CATEGORY_NAMES_ZH[c]} {c}" for c in cats)
    return format_html('<span class="screening-{}">{}</span>', verdict, text)


@register.filter
def build_label(version: Any) -> str:
    """One build of an app as people tell builds apart: version name, version code and the first 12 hex digits of
    the APK's SHA-256 (``1.7 (7) · 3f2a…``). Two builds with the same version name (an ordered APK and its
    rectified rebuild) read differently; ``—`` when there is no version."""
    if version is None:
        return "—"
    name = getattr(version, "version_name", "") or "?"
    code = getattr(version, "version_code", None)
    sha = (getattr(version, "sha256", "") or "")[:12]
    text = f"{name} ({code if code is not None else '?'})"
    return f"{text} · {sha}…" if sha else text
