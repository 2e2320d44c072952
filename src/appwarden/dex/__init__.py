"""The DEX engine: read DEX files, walk their code once, answer call-site / string / field / call-graph queries.

Entry points: :func:`appwarden.dex.index.build_index` (DEX blobs -> :class:`~appwarden.dex.index.CodeIndex`) and
:func:`appwarden.dex.api_index.find_callsites` (CodeIndex + PI API knowledge -> ``[CallSite]``). The instruction
walk runs in the C extension ``_dexscan`` when it is built, else in the pure-Python walker :mod:`.pywalk`
(identical output); set ``APPWARDEN_DEX_BACKEND=python`` to force the fallback. :mod:`.pywalk` (~1,600 lines) is
imported only when a twin runs (extension absent or fallback forced; the tests import it to compare): a scan with
the C extensions never loads it.

Deadlines: the walker's long loops take the active stage deadline (``appwarden.limits.deadline_monotonic()``) as
their last argument and raise ``TimeoutError`` once it has passed; callers turn that into the stage's
:class:`~appwarden.errors.StageTimeout` with :func:`timed_out`.
"""

from __future__ import annotations

import os
import sys
from types import ModuleType
from typing import NoReturn

from appwarden.errors import StageTimeout
from appwarden.limits import check_deadline


def _pywalk() -> ModuleType:
    """The pure-Python twins (imported on first use)."""
    from appwarden.dex import pywalk

    return pywalk


def _load_backend() -> ModuleType:
    if os.environ.get("APPWARDEN_DEX_BACKEND", "").lower() == "python":
        return _pywalk()
    try:
        from appwarden.dex import _dexscan
    except ImportError:
        return _pywalk()
    return _dexscan


walker: ModuleType = _load_backend()


def backend() -> str:
    """``"c"`` when the C extension does the instruction walk, ``"python"`` for the pure-Python fallback."""
    return "python" if walker is sys.modules.get("appwarden.dex.pywalk") else "c"


def timed_out() -> NoReturn:
    """Raise the active stage's :class:`StageTimeout` (called when a walker function raised ``TimeoutError``)."""
    check_deadline()
    raise StageTimeout("DEX analysis ran past its stage deadline")
