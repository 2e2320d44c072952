"""``appwarden daemon``: the opt-in resident scan server (start, stop, status).

While a scan daemon runs, ``appwarden scan`` hands its work to it: the daemon has already imported appwarden and
loaded the packaged knowledge, and forks a child per scan that uses the caller's working directory, environment
and terminal, so a scan costs a small client start-up plus a fork. Results, output and exit codes are the same as
in-process. ``appwarden scan --no-daemon`` (or ``APPWARDEN_NO_DAEMON=1``) runs a scan in-process regardless; when
the installed code or knowledge changes, the daemon stops by itself and scans run in-process until it is started
again.

The socket is ``$APPWARDEN_DAEMON_SOCKET``, else ``${XDG_RUNTIME_DIR:-/tmp}/appwarden-<uid>/scan.sock``, in a
directory that must be private to the user (0700); only processes of the same user are served.
"""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser(
        "daemon",
        help="resident scan server that makes `appwarden scan` start fast (opt-in)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = p.add_subparsers(dest="daemon_command", metavar="ACTION")
    start = actions.add_parser("start", help="start the scan daemon (returns once it accepts scans)")
    start.add_argument("--foreground", action="store_true", help="serve in this process (logs on stderr)")
    start.add_argument(
        "--idle-timeout",
        type=float,
        default=1800.0,
        metavar="S",
        help="stop after S seconds without a scan (default 1800; 0 = never)",
    )
    start.set_defaults(func=_start)
    stop = actions.add_parser("stop", help="stop the scan daemon")
    stop.set_defaults(func=_stop)
    status = actions.add_parser("status", help="pid, socket, uptime, scans served, whether it is up to date")
    status.add_argument("--json", action="store_true", help="print the status as one JSON object")
    status.set_defaults(func=_status)
    p.set_defaults(func=lambda args: _usage(p))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _start(args: argparse.Namespace) -> int:
    from appwarden.daemon.control import start
    from appwarden.daemon.paths import socket_path
    from appwarden.errors import InputError

    if args.idle_timeout < 0:
        raise InputError("--idle-timeout must be 0 (never) or a positive number of seconds")
    return start(socket_path(), foreground=args.foreground, idle_timeout=args.idle_timeout)


def _stop(args: argparse.Namespace) -> int:
    from appwarden.daemon.control import stop
    from appwarden.daemon.paths import socket_path

    return stop(socket_path())


def _status(args: argparse.Namespace) -> int:
    from appwarden.daemon.control import status
    from appwarden.daemon.paths import socket_path

    return status(socket_path(), as_json=args.json)
