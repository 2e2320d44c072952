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

Huge pages for glibc's malloc (:func:`exec_with_huge_pages`): a console-script ``batch`` first replaces its process
(same PID, arguments and streams) by itself with ``glibc.malloc.hugetlb=1`` added to ``GLIBC_TUNABLES``, when glibc
reads that tunable (2.35+) and the kernel gives transparent huge pages only to memory that asks for them
(``madvise`` mode). glibc then asks for 2 MB pages for its heap and its mapped blocks, and the forked workers
inherit that: a 20 MB-DEX app takes ~10 000 first-touch page faults instead of ~22 000 (17-46 ms less CPU per
app, ``docs/performance.md``). Nothing else changes: the same code runs on the same input.
``APPWARDEN_MALLOC_HUGE_PAGES=0`` turns it off. A one-shot ``scan`` does not re-execute: the second interpreter
start-up (~20-50 ms) costs about what the huge pages save even at 100 MB of DEX. The sandboxed scan children of the
platform and ``cluster`` get the tunable in their environment (``distributed.sandbox.child_environment``).
"""

import _thread
import os
import sys


def main(argv: list[str] | None = None) -> int:
    """Run ``appwarden <argv>`` (default ``sys.argv[1:]``) and return its exit code (see the module docstring).

    Called without ``argv`` (as the console script), a ``scan`` ends the process itself once the command has
    returned (:func:`exit_now`); with ``argv`` (tests, embedding) it always returns."""
    args = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in args if not a.startswith("-")), None)
    one_shot_scan = argv is None and command == "scan"
    if argv is None and command == "batch":
        exec_with_huge_pages()
    if one_shot_scan:
        import gc

        gc.disable()
        defer_imports()
    try:
        if command is not None:
            # what appwarden.cli.main does for a command, done before argparse, json, pathlib ... compile theirs
            from appwarden.cli import recache

            recache.install()
        from appwarden.cli import main as cli_main

        code = cli_main(args)
        if one_shot_scan:
            exit_now(code)
        return code
    except KeyboardInterrupt:  # before the CLI's own handler is in place
        print("appwarden: interrupted", file=sys.stderr)
        return 130


TUNABLE = "glibc.malloc.hugetlb"
THP_ENABLED = "/sys/kernel/mm/transparent_hugepage/enabled"


def huge_pages_wanted(environ: "os._Environ[str] | dict[str, str]") -> bool:
    """Whether :func:`exec_with_huge_pages` re-executes (see the module docstring): False when already done or
    turned off (``APPWARDEN_MALLOC_HUGE_PAGES=0``, or ``glibc.malloc.hugetlb`` already in ``GLIBC_TUNABLES``), not
    on glibc 2.35+, or the kernel's transparent huge pages not in ``madvise`` mode. Reads only the environment,
    ``confstr`` and one sysfs file; never raises."""
    if environ.get("APPWARDEN_MALLOC_HUGE_PAGES") == "0" or TUNABLE in environ.get("GLIBC_TUNABLES", ""):
        return False
    try:
        libc, _, version = (os.confstr("CS_GNU_LIBC_VERSION") or "").partition(" ")
        if libc != "glibc" or tuple(int(x) for x in version.split(".")[:2]) < (2, 35):
            return False
        with open(THP_ENABLED, encoding="ascii") as fh:
            return "[madvise]" in fh.read()
    except (ValueError, OSError):
        return False


def tunables_with_huge_pages(old: str | None) -> str:
    """The value of ``GLIBC_TUNABLES`` that keeps ``old`` (None or empty: none) and adds ``glibc.malloc.hugetlb=1``."""
    return f"{old}:{TUNABLE}=1" if old else f"{TUNABLE}=1"


def exec_with_huge_pages() -> None:
    """Replace this process by the same command line with ``glibc.malloc.hugetlb=1`` in ``GLIBC_TUNABLES`` when
    :func:`huge_pages_wanted` says so (glibc reads tunables only when a program starts); returns only when it does
    not re-execute, or when ``execv`` fails (the command then runs here as it is)."""
    if not sys.executable or len(sys.orig_argv) < 2 or not huge_pages_wanted(os.environ):
        return  # (an embedded interpreter may have no command line to run again)
    old = os.environ.get("GLIBC_TUNABLES")
    os.environ["GLIBC_TUNABLES"] = tunables_with_huge_pages(old)
    try:
        os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])
    except OSError:
        if old is None:
            del os.environ["GLIBC_TUNABLES"]
        else:
            os.environ["GLIBC_TUNABLES"] = old


# Standard-library modules a one-shot scan imports without using what they define on its usual path:
# ``dataclasses`` imports ``inspect`` (for the ``__doc__`` of a dataclass without a docstring, and for
# ``dataclasses``' own rarely used paths), which imports ``ast``, ``dis``, ``opcode``, ``tokenize``, ``token`` and
# ``linecache``; ``urllib.parse`` (through ``pathlib``) imports ``ipaddress`` (bracketed IPv6 hosts only), and
# ``dataclasses`` imports ``copy`` (``asdict``/``astuple`` of values that are not dataclasses, lists, tuples or
# dicts). Measured: ~2 ms of a cold scan, ~6 ms when no dataclass on the path lacks a docstring (issue #19).
# ``tempfile`` (imported to map the inflated DEX of an app of more than a few MB) imports ``shutil``, which imports
# ``bz2``, ``lzma`` and ``_compression`` (their C libraries too): ~1.3 ms; a scan makes no use of shutil.
DEFERRED_MODULES = (
    "inspect",
    "ast",
    "dis",
    "opcode",
    "tokenize",
    "token",
    "linecache",
    "ipaddress",
    "copy",
    "shutil",
)


def defer_imports(names: tuple[str, ...] = DEFERRED_MODULES) -> list[str]:
    """Register each of ``names`` that is not imported yet as a deferred module (:class:`_DeferredModule`): in
    :data:`sys.modules` with the attributes the import system sets (``__name__``, ``__spec__``, ``__file__``,
    ...), its code run on the first read of any other attribute (or ``dir()``), after which it is a plain module
    with exactly the contents an import gives. Only plain (non-package) source modules are deferred. Returns the
    names deferred."""
    import importlib.util

    deferred = []
    for name in names:
        if name in sys.modules:
            continue
        spec = importlib.util.find_spec(name)
        if (
            spec is None
            or spec.submodule_search_locations is not None
            or not hasattr(spec.loader, "exec_module")
            or not spec.has_location
        ):
            continue
        module = importlib.util.module_from_spec(spec)
        module.__class__ = _DeferredModule
        sys.modules[name] = module
        deferred.append(name)
    return deferred


class _DeferredModule(type(sys)):  # types.ModuleType, without importing types
    """A module whose code has not run yet: see :func:`defer_imports`."""

    def __getattr__(self, attr: str) -> object:
        # ``__path__`` is what ``from m import x`` and ``hasattr(m, "__path__")`` look for first: these are not
        # packages, so it is absent before and after the load
        if attr != "__path__" and _load_deferred(self):
            return getattr(self, attr)
        return type(sys).__getattribute__(self, attr)  # AttributeError, as for any module

    def __dir__(self) -> list[str]:
        _load_deferred(self)
        return type(sys).__dir__(self)


_DEFERRED_LOCK = _thread.RLock()
_LOADING: set[int] = set()  # ids of deferred modules whose code is running


def _load_deferred(module: object) -> bool:
    """Run a deferred module's code once (other threads wait); False while it is running in this thread (a
    circular access during the load, which then sees the partly filled module, as with any import)."""
    with _DEFERRED_LOCK:
        if type(module) is not _DeferredModule:
            return True  # loaded meanwhile
        if id(module) in _LOADING:
            return False
        _LOADING.add(id(module))
        try:
            module.__spec__.loader.exec_module(module)  # type: ignore[attr-defined]
        except BaseException:
            name = module.__spec__.name  # type: ignore[attr-defined]
            if sys.modules.get(name) is module:  # as a failed import: the next import tries again
                del sys.modules[name]
            raise
        finally:
            _LOADING.discard(id(module))
        module.__class__ = type(sys)
    return True


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
