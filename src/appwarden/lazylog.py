"""Loggers that import :mod:`logging` on first use: a per-scan fixed cost of the command line (issue #19).

Why: importing :mod:`logging` (with ``traceback``, ``string``, ``textwrap``) and configuring it costs ~4 ms of a
~95 ms cold ``appwarden scan`` of a small app, and a scan that has nothing to log never uses it.

Contract:

- :func:`get_logger` is ``logging.getLogger(name)`` when :mod:`logging` is already imported; otherwise a
  :class:`LazyLogger` whose attributes (``debug``, ``warning``, ``isEnabledFor``, ...) are those of
  ``logging.getLogger(name)``, imported and looked up on first use. ``name`` is the logger's name either way.
- :func:`basic_config` is ``logging.basicConfig(level=DEBUG if debug else WARNING, format=...)`` when
  :mod:`logging` is already imported; otherwise that call is made right after :mod:`logging` is first imported,
  by whoever imports it (a lazy logger, another library), before the importer gets the module. As with
  ``basicConfig``, the first configuration wins: a second call while one is pending changes nothing.
"""

from __future__ import annotations

import sys
from typing import Any

FORMAT = "%(levelname)s %(name)s: %(message)s"


class LazyLogger:
    """``logging.getLogger(name)``, resolved on the first attribute read other than ``name``."""

    __slots__ = ("_logger", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self._logger: Any = None

    def __getattr__(self, attr: str) -> Any:
        logger = self._logger
        if logger is None:
            import logging

            logger = self._logger = logging.getLogger(self.name)
        return getattr(logger, attr)

    def __repr__(self) -> str:
        return f"<LazyLogger {self.name}>"


def get_logger(name: str) -> Any:
    """The logger ``name`` (see the module docstring)."""
    logging = sys.modules.get("logging")
    if logging is not None:
        return logging.getLogger(name)
    return LazyLogger(name)


def _configure(logging: Any, debug: bool) -> None:
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format=FORMAT)


class _ConfigureOnImport:
    """A :data:`sys.meta_path` entry that finds ``logging`` with the finders after it and wraps its loader so that
    the pending :func:`basic_config` runs once the module is executed; it removes itself on first use."""

    def __init__(self, debug: bool) -> None:
        self.debug = debug

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "logging":
            return None
        _remove(self)
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(name, path, target) if find is not None else None
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        spec.loader = _ConfiguringLoader(loader, self.debug)
        return spec


class _ConfiguringLoader:
    """``loader``, configuring :mod:`logging` after executing it and then giving the module its own loader back."""

    def __init__(self, loader: Any, debug: bool) -> None:
        self.loader = loader
        self.debug = debug

    def create_module(self, spec: Any) -> Any:
        return self.loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        loader = self.loader
        module.__loader__ = loader
        if getattr(module, "__spec__", None) is not None:
            module.__spec__.loader = loader
        loader.exec_module(module)
        _configure(module, self.debug)


def _remove(hook: Any) -> None:
    if hook in sys.meta_path:
        sys.meta_path.remove(hook)


def basic_config(debug: bool) -> None:
    """``logging.basicConfig`` as the command line sets it, now or when :mod:`logging` is first imported."""
    logging = sys.modules.get("logging")
    if logging is not None:
        _configure(logging, debug)
        return
    if any(isinstance(f, _ConfigureOnImport) for f in sys.meta_path):
        return  # a configuration is pending: basicConfig would do nothing the second time either
    sys.meta_path.insert(0, _ConfigureOnImport(debug))
