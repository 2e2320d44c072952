"""Importers: other tools' runtime captures -> appwarden traces (``har``: proxy captures; ``camille``: console
output of camille-style Frida privacy scripts). Each exposes ``import_<name>(src, out, package, marks=...)``."""

from __future__ import annotations

from appwarden.dynamic.importers.camille import import_camille
from appwarden.dynamic.importers.har import ImportResult, import_har

IMPORTERS = {"har": import_har, "camille": import_camille}

__all__ = ["IMPORTERS", "ImportResult", "import_camille", "import_har"]
