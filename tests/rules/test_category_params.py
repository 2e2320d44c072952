"""The PI call-site predicates share one check of their ``categories`` parameter."""

from __future__ import annotations

import pytest

from appwarden.errors import RuleError
from appwarden.rules.predicates import load_all


@pytest.mark.parametrize("name", ["pi_callsites", "pi_api_at_startup"])
@pytest.mark.parametrize(
    ("params", "message"),
    [({"categories": ["nope"]}, "unknown PI categories"), ({"categories": []}, "non-empty list")],
)
def test_bad_categories_are_rejected_at_load(name: str, params: dict, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        load_all()[name].fn.validate_params(params)


@pytest.mark.parametrize("name", ["pi_callsites", "pi_api_at_startup"])
def test_known_categories_pass(name: str) -> None:
    load_all()[name].fn.validate_params({"categories": ["imei", "location"]})
