"""The ``appwarden`` console script: a lean launcher in front of :func:`appwarden.cli.main`.

Contract of :func:`main`: when the command (the first argument not starting with ``-``) is ``scan``, ``--no-daemon``
is not among the arguments (before a ``--``), ``APPWARDEN_NO_DAEMON`` is unset (or empty or ``0``) and the scan
daemon's socket exists, the scan is handed to the daemon (:mod:`appwarden.daemon.client`); if no daemon takes it,
or in every other case, ``appwarden.cli.main`` runs in this process. ``--no-daemon`` is removed from the arguments
before that (``scan --help`` documents it; the parser accepts it as a no-op). Exit codes are the CLI's.

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
    """Run ``appwarden <argv>`` (default ``sys.argv[1:]``) and return its exit code (see the module docstring).

    Called without ``argv`` (as the console script), an in-process ``scan`` ends the process itself once the
    command has returned (:func:`exit_now`); with ``argv`` (tests, embedding) it always returns."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        code = None
        scan = _command_of(args) == "scan"
        if scan:
            args, no_daemon = _strip_no_daemon(args)
            if not no_daemon:
                code = via_daemon(args)
        if code is None:
            from appwarden.cli import main as cli_main

            code = cli_main(args)
            if scan and argv is None:
                exit_now(code)
        return code
    except KeyboardInterrupt:  # before the CLI's own handler is in place
        print("appwarden: interrupted", file=sys.stderr)
        return 130


def exit_now(code: int) -> None:
    """End the process with ``code`` without the interpreter's teardown (freeing every module and the loaded
    knowledge: 20-40 ms of a 0.2 s scan). What a normal exit does that matters is done first: the exit handlers
    run (``atexit``, which also runs ``weakref.finalize`` callbacks such as temporary-directory clean-up) and the
    standard streams are flushed. Files the scan wrote are closed by then (written in ``with`` blocks)."""
    import atexit
    import contextlib

    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_handlers is None:  # not CPython: exit the normal way
        sys.exit(code)
    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(
            OSError, ValueError
        ):  # a closed pipe: nothing more can be written to it anyway
            stream.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
