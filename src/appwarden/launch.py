"""The ``appwarden`` console script: a lean launcher in front of :func:`appwarden.cli.main`.

Contract of :func:`main`: run ``appwarden.cli.main`` on the arguments and return its exit code; for ``scan`` run as
the console script (no ``argv`` given) the cyclic garbage collector is off for the whole process and the process
then ends without the interpreter's teardown (:func:`exit_now`). The collector would find nothing worth its time in
a process that scans one app and ends: the scan pauses it anyway (:func:`appwarden.scan.gc_paused`), and turning it
back on made it traverse every object the scan had left (20-45 ms on a 100 MB-DEX app) just before the process
ended; peak RSS is the same for every report format (measured: JSON, HTML, PDF).

There is one scan path: the command runs in this process. The opt-in scan daemon and its native client were
retired on 2026-12-06 (``docs/performance.md``: they saved only the ~0.2 s interpreter start-up, which
``appwarden batch`` and ``appwarden cluster`` already pay once for many apps). ``scan --no-daemon`` and
``APPWARDEN_NO_DAEMON`` are still accepted and have no effect (deprecated; to be removed in the next release).
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    """Run ``appwarden <argv>`` (default ``sys.argv[1:]``) and return its exit code (see the module docstring).

    Called without ``argv`` (as the console script), a ``scan`` ends the process itself once the command has
    returned (:func:`exit_now`); with ``argv`` (tests, embedding) it always returns."""
    args = list(sys.argv[1:] if argv is None else argv)
    one_shot_scan = argv is None and next((a for a in args if not a.startswith("-")), None) == "scan"
    if one_shot_scan:
        import gc

        gc.disable()
    try:
        from appwarden.cli import main as cli_main

        code = cli_main(args)
        if one_shot_scan:
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
