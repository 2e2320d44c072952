"""Dynamic evidence: runtime traces (JSON Lines) from the Frida agent or importers, and what they show.

Public entry points:

* :func:`read_trace` (``dynamic.trace``): stream a trace file -> ``(header, events, errors)``.
* :func:`analyze_trace` (``dynamic.analyze``): events -> :class:`DynamicEvidence` (``dynamic.model``).
* :func:`load_dynamic_evidence`: both in one call (``appwarden scan --trace`` uses it).
* :func:`confirmations` (``dynamic.confirm``): the (category, owner) pairs a trace confirms, used to upgrade
  static ``possible`` findings to ``confirmed``.
"""

from __future__ import annotations

from appwarden.dynamic.analyze import analyze_trace, load_dynamic_evidence
from appwarden.dynamic.model import DynamicEvidence, DynamicParams
from appwarden.dynamic.trace import read_trace

__all__ = ["DynamicEvidence", "DynamicParams", "analyze_trace", "load_dynamic_evidence", "read_trace"]
