"""``{% company_sanctions company user as s %}``: the measures of a company the user may see
(``services.company_summary``), for the company page and the repeat-offender view."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def company_sanctions(company: Any, user: Any) -> dict[str, Any]:
    from appwarden.platform.sanctions.services import company_summary

    if company is None:
        return {"measures": [], "in_force": 0}
    return company_summary(company, user)
