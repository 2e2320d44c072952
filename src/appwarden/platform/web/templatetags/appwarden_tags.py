"""Template filters: ``pretty_json`` renders evidence references readably (escaped by the template engine)."""

from __future__ import annotations

import json

from django import template

register = template.Library()


@register.filter
def pretty_json(value: object) -> str:
    """Indented JSON with Chinese kept readable (the result is auto-escaped where it is used)."""
    try:
        return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)
    except (TypeError, ValueError):
        return str(value)
