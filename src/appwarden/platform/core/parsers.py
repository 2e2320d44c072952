"""The platform API's JSON parser (its own module: DRF's settings import it while ``rest_framework.views`` loads)."""

from __future__ import annotations

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with a body nested deeper than the decoder's recursion limit refused as a 400 parse error
    (DRF catches only ValueError: such a body was a RecursionError, a 500 with a traceback in the log, from any
    client that may post to the API). Every JSON-accepting API view uses this parser."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deep") from None
