"""The ``appwarden`` command line.

Each command group lives in its own module under ``appwarden.cli`` exposing ``register(subparsers)``; the module
adds its parser(s) and sets ``func(args) -> int``. Exit codes: 0 ok, 1 findings met ``--fail-on``, 2 error (one
line on stderr, no traceback unless ``--debug``), 130 interrupted.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from appwarden import __version__
from appwarden.errors import AppwardenError
from appwarden.lazylog import basic_config

if TYPE_CHECKING:
    import argparse

# Command modules, in help order. A module missing from an installation is skipped (its extra is not installed).
COMMAND_MODULES = (
    "scan",
    "report",
    "batch",
    "cluster",
    "ingest",
    "sdk",
    "rules",
    "policy",
    "trace",
    "platform",
    "attest",
)

# Which module registers each top-level command, so that running one command imports only its module (start-up
# time matters for `appwarden scan` in CI and for batch wrappers that call the CLI per app).
COMMANDS = {
    "scan": "scan",
    "report": "report",
    "batch": "batch",
    "cluster": "cluster",
    "ingest": "ingest",
    "sdk": "sdk",
    "rules": "rules",
    "policy": "policy",
    "trace": "trace",
    "serve": "platform",
    "worker": "platform",
    "demo-data": "platform",
    "platform-user": "platform",
    "platform-sdk-vendors": "platform",
    "notify-deadlines": "platform",
    "early-warning-digest": "platform",
    "submit": "platform",
    "attest": "attest",
}


def __getattr__(name: str) -> Any:
    """``ArgumentParser``, ``HelpFormatter`` and ``terminal_columns`` (from :mod:`appwarden.cli.argparsing`): the
    package itself does not import :mod:`argparse`, so :mod:`appwarden.cli.recache` can be installed before it
    (``appwarden.launch``) and serve the patterns argparse's imports compile (issue #19)."""
    if name in ("ArgumentParser", "HelpFormatter", "terminal_columns"):
        from appwarden.cli import argparsing

        return getattr(argparsing, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with ``command`` (a known command name) only its module is imported and registered,
    otherwise every available command is (for ``--help`` and unknown commands)."""
    from appwarden.cli.argparsing import ArgumentParser

    parser = ArgumentParser(
        prog="appwarden",
        description="appwarden: find apps that collect or use personal information illegally (App侵害用户权益检测).",
    )
    parser.add_argument("--version", action="version", version=f"appwarden {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    names = (COMMANDS[command],) if command in COMMANDS else COMMAND_MODULES
    for name in names:
        try:
            module = importlib.import_module(f"appwarden.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name in (f"appwarden.cli.{name}",):
                continue
            raise
        module.register(sub)
    return parser


_PARSERS: dict[str, argparse.ArgumentParser] = {}


def cached_parser(command: str | None = None) -> argparse.ArgumentParser:
    """:func:`build_parser` for ``command``, built once per process and reused (in-process callers such as batch wrappers
    run :func:`main` many times).

    Reuse is safe: ``parse_args`` keeps no state in the parser, and argparse copies a list default before an
    ``append`` action adds to it. A command's ``func`` is the one its module had when the parser was built."""
    key = COMMANDS.get(command or "", "")
    parser = _PARSERS.get(key)
    if parser is None:
        parser = _PARSERS[key] = build_parser(command)
    return parser


def _command_of(argv: list[str]) -> str | None:
    """The first non-option argument (the command name), if any."""
    return next((a for a in argv if not a.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    basic_config(debug)  # logging.basicConfig, deferred until logging is imported (a scan may never need it)
    if argv and "--version" in argv and all(a in ("--version", "--debug") for a in argv):
        # what argparse's version action prints, without importing every command module to build the full parser
        print(f"appwarden {__version__}")
        return 0
    try:
        command = _command_of(argv)
        if command is not None:  # before the command's modules (and their dataclasses) are imported
            from appwarden.cli import codecache, recache

            codecache.install()
            recache.install()
        parser = cached_parser(command)
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        return int(args.func(args) or 0)
    except AppwardenError as exc:
        if debug:
            raise
        from appwarden.report.sanitize import terminal_text  # messages can quote APK entry names and labels

        print(f"appwarden: error: {terminal_text(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("appwarden: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: still one line, the traceback only with --debug
        if debug:
            raise
        from appwarden.report.sanitize import terminal_text

        msg = " ".join(terminal_text(exc).split())[:300]
        print(f"appwarden: internal error: {type(exc).__name__}: {msg} (rerun with --debug)", file=sys.stderr)
        return 2
    finally:
        recache = sys.modules.get("appwarden.cli.recache")
        if recache is not None:  # keep what commands compile, not what a process embedding main() does next
            recache.pause()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
