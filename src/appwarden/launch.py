"""The ``appwarden`` console script: a lean launcher in front of :func:`appwarden.cli.main`.

Contract of :func:`main`: when the command (the first argument not starting with ``-``) is ``scan``, ``--no-daemon``
is not among the arguments (before a ``--``), ``APPWARDEN_NO_DAEMON`` is unset (or empty or ``0``) and the scan
daemon's socket exists, the scan is handed to the daemon (:mod:`appwarden.daemon.client`); if no daemon takes it,
or in every other case, ``appwarden.cli.main`` runs in this process. ``--no-daemon`` is removed from the arguments
before that (the ``scan`` parser does not know it). Exit codes are the CLI's.

Start-up cost is the point: until the fallback, only ``os``/``sys`` (loaded by the interpreter anyway), the tiny
``appwarden`` package and the daemon client (``_socket``) are imported, never ``argparse`` or ``logging``.
"""

import os
import sys

NO_DAEMON_FLAG = "--no-daemon"
NO_DAEMON_ENV = "APPWARDEN_NO_DAEMON"


def _command_of(argv: list[str]) -> str | None:
    """The first non-option argument (the command name), as :mod:`appwarden.cli` finds it."""
    return next((a for a in argv if not a.startswith("-")), None)


def _strip_no_daemon(argv: list[str]) -> tuple[list[str], bool]:
    """``argv`` without ``--no-daemon`` (only before a ``--``), and whether it was there."""
    end = argv.index("--") if "--" in argv else len(argv)
    kept = [a for a in argv[:end] if a != NO_DAEMON_FLAG] + argv[end:]
    return kept, len(kept) != len(argv)


def via_daemon(argv: list[str]) -> int | None:
    """The exit code of ``argv`` run by the scan daemon; None when it is not for, or not taken by, the daemon."""
    if os.environ.get(NO_DAEMON_ENV, "") not in ("", "0"):
        return None
    from appwarden.daemon.paths import socket_path

    sock = socket_path()
    if not os.path.exists(sock):
        return None
    from appwarden.daemon.client import run_scan

    return run_scan(argv, sock)


def main(argv: list[str] | None = None) -> int:
    """Run ``appwarden <argv>`` (default ``sys.argv[1:]``) and return its exit code (see the module docstring)."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        code = None
        if _command_of(args) == "scan":
            args, no_daemon = _strip_no_daemon(args)
            if not no_daemon:
                code = via_daemon(args)
        if code is None:
            from appwarden.cli import main as cli_main

            code = cli_main(args)
        return code
    except KeyboardInterrupt:  # before the CLI's own handler is in place
        print("appwarden: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
