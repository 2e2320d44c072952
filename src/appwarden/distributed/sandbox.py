"""Run one scan in a child process under a hard wall-clock and memory limit.

The platform's workers (the embedded one of ``appwarden serve`` and Celery's) and the distributed task call
:func:`run_isolated` instead of the engine, so that an APK whose scan never ends or eats all memory cannot freeze
the process that answers web requests or consumes the broker: the scan runs in ``python -m
appwarden.distributed.sandbox REQUEST`` (a fresh interpreter, no Django, no Celery, no inherited threads), and the
parent only waits for it, without holding the GIL.

Contract of :func:`run_isolated`:

- returns the engine's report dict, or raises :class:`ScanFailed` (an ``AppwardenError``) whose ``kind`` is one
  of ``input`` (the engine refused an input: ``AppwardenError``), ``timeout`` (wall-clock limit, or the CPU
  backstop), ``memory`` (``MemoryError`` under the address-space cap), ``crash`` (the child died without a
  result: a signal, the out-of-memory killer, a report over the size cap) or ``engine`` (any other exception);
  the message is one line, Chinese first, with server paths replaced by the labels given (never a traceback);
- the child is in its own session and is killed with its whole process group at the deadline; it asks the kernel
  to kill it when its parent dies (``PR_SET_PDEATHSIG``, Linux) and has ``RLIMIT_CPU`` set as a backstop, so no
  scan outlives the worker that started it;
- in the child: ``RLIMIT_AS`` = ``memory_mb``, no core dumps, ``nice`` +10 (the web server keeps the CPU when a
  laptop is busy), the parent's ``sys.path`` (so ``module:function`` engines resolve as in the parent), and the
  parent's environment without the platform's secrets (:data:`SECRET_VARIABLES`).

The same door serves the platform's other parses of attacker-controlled bytes (the upload checks of
:mod:`appwarden.platform.core.uploadcheck`): ``engine`` names any ``module:function`` taking the APK path and the
keyword arguments above, plus ``options`` (JSON values) when given, and returning a JSON object.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appwarden.errors import AppwardenError

log = logging.getLogger(__name__)

DEFAULT_ENGINE = "appwarden.scan:scan_apk"
KINDS = ("input", "timeout", "memory", "crash", "engine")


@dataclass(frozen=True)
class SandboxLimits:
    """Per-scan limits: ``timeout`` wall-clock seconds, ``memory_mb`` address space, ``max_report_mb`` the size
    of the report the parent agrees to read."""

    timeout: float = 600.0
    memory_mb: int = 4096
    max_report_mb: int = 64


class ScanFailed(AppwardenError):
    """The isolated scan ended without a report; ``kind`` says why (see the module docstring)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _one_line(text: str, limit: int = 400) -> str:
    return " ".join(str(text).split())[:limit]


def relabel(message: str, labels: dict[str, str]) -> str:
    for path, label in sorted(labels.items(), key=lambda kv: -len(kv[0])):
        if path:
            message = message.replace(path, label)
    return message


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def run_isolated(
    apk_path: str | Path,
    *,
    policy_path: str | Path | None = None,
    trace_path: str | Path | None = None,
    category: str | None = None,
    engine: str = DEFAULT_ENGINE,
    limits: SandboxLimits | None = None,
    labels: dict[str, str] | None = None,
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Scan one APK in a child process (see the module docstring); return its report or raise ScanFailed.

    ``options``: extra keyword arguments (JSON values) for the engine function, passed only when given."""
    limits = limits or SandboxLimits()
    labels = {str(k): v for k, v in (labels or {}).items()}
    work = Path(tempfile.mkdtemp(prefix="appwarden-scan-"))
    try:
        request = {
            "apk": str(apk_path),
            "policy": str(policy_path) if policy_path else None,
            "trace": str(trace_path) if trace_path else None,
            "category": category or None,
            "engine": engine or DEFAULT_ENGINE,
            "timeout": limits.timeout,
            "memory_mb": limits.memory_mb,
            "parent": os.getpid(),
            "sys_path": [p for p in sys.path if isinstance(p, str)],
            "result": str(work / "result.json"),
            "options": dict(options or {}),
        }
        (work / "request.json").write_text(json.dumps(request), encoding="utf-8")
        started = time.monotonic()
        with (work / "stderr.txt").open("wb") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "appwarden.distributed.sandbox", str(work / "request.json")],
                env=child_environment(),
                stdin=subprocess.DEVNULL,
                stdout=err,
                stderr=err,
                close_fds=True,
                start_new_session=os.name == "posix",
            )
            try:
                code = proc.wait(timeout=limits.timeout)
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                raise ScanFailed(
                    "timeout",
                    f"扫描超时：超过 {limits.timeout:g} 秒的时限，已终止 "
                    f"scan exceeded the wall-clock limit of {limits.timeout:g} s and was stopped",
                ) from None
            finally:
                if proc.poll() is None:  # an exception (KeyboardInterrupt, SystemExit) while waiting
                    _kill_group(proc)
        _kill_group(proc)  # anything the engine left running in its process group
        return _outcome(work, code, limits, labels, time.monotonic() - started)
    finally:
        shutil.rmtree(work, ignore_errors=True)


# Never handed to the scan process: an engine bug a hostile APK could exploit should not find the platform's secrets
# in its environment (it runs as the same user, so this is defence in depth, not a boundary).
SECRET_VARIABLES = (
    "APPWARDEN_SECRET_KEY",
    "APPWARDEN_TOKEN",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "APPWARDEN_BROKER_URL",
    "APPWARDEN_PLATFORM_TEST_DB",
)


def child_environment() -> dict[str, str]:
    """The parent's environment without :data:`SECRET_VARIABLES`, with ``glibc.malloc.hugetlb=1`` added to
    ``GLIBC_TUNABLES`` when :func:`appwarden.launch.huge_pages_wanted` says so (glibc 2.35+, transparent huge pages
    in ``madvise`` mode, not turned off by ``APPWARDEN_MALLOC_HUGE_PAGES=0``): the child is a new program, so it gets
    2 MB pages for glibc's heap at no restart cost (the saving ``appwarden batch`` gets by re-executing itself)."""
    from appwarden.launch import huge_pages_wanted, tunables_with_huge_pages

    env = {k: v for k, v in os.environ.items() if k not in SECRET_VARIABLES}
    if huge_pages_wanted(env):
        env["GLIBC_TUNABLES"] = tunables_with_huge_pages(env.get("GLIBC_TUNABLES"))
    return env


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        elif proc.poll() is None:
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover - a process in uninterruptible sleep
        log.warning("scan process %s did not exit after SIGKILL", proc.pid)


def _outcome(
    work: Path, code: int, limits: SandboxLimits, labels: dict[str, str], seconds: float
) -> dict[str, Any]:
    result_path = Path(work / "result.json")
    if result_path.exists():
        size = result_path.stat().st_size
        if size > limits.max_report_mb * 1024 * 1024:
            raise ScanFailed(
                "crash",
                f"报告过大：{size // (1024 * 1024)} MB，超过 {limits.max_report_mb} MB 的上限 "
                f"the report exceeds the size limit of {limits.max_report_mb} MB",
            )
        try:
            result = json.loads(result_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ScanFailed("crash", f"扫描结果无法读取 the scan result is unreadable: {exc}") from None
        if result.get("status") == "ok" and isinstance(result.get("report"), dict):
            return result["report"]
        kind = result.get("kind") if result.get("kind") in KINDS else "engine"
        if kind == "memory":
            raise ScanFailed(
                "memory",
                f"内存超限：超过 {limits.memory_mb} MB 的内存上限，已终止 "
                f"scan exceeded the memory limit of {limits.memory_mb} MB",
            )
        raise ScanFailed(kind, _one_line(relabel(str(result.get("error") or "unknown error"), labels)))
    tail = (work / "stderr.txt").read_bytes()[-2000:].decode("utf-8", "replace")
    log.warning("scan process exited with %s after %.1f s without a result: %s", code, seconds, tail)
    if code is not None and code < 0 and -code == getattr(signal, "SIGXCPU", -1):
        raise ScanFailed(
            "timeout",
            f"扫描超时：超过 CPU 时间上限，已终止 scan exceeded its CPU-time limit ({limits.timeout:g} s wall clock)",
        )
    if "MemoryError" in tail:
        raise ScanFailed(
            "memory",
            f"内存超限：超过 {limits.memory_mb} MB 的内存上限，已终止 "
            f"scan exceeded the memory limit of {limits.memory_mb} MB",
        )
    reason = f"killed by {_signal_name(-code)}" if code is not None and code < 0 else f"exit code {code}"
    if code == -signal.SIGKILL:
        reason += ", possibly the system's out-of-memory killer"
    raise ScanFailed("crash", f"扫描进程异常退出 the scan process died without a result ({reason})")


# --- the child ---------------------------------------------------------------------------------------------------


def _limit_self(request: dict[str, Any]) -> None:
    """Tie the child to its parent and cap its memory and CPU (best effort where the OS lacks a knob)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover
            pass
    if os.getppid() != request.get("parent"):
        os._exit(3)  # the parent died before we could ask to follow it
    try:
        import resource

        cap = int(request["memory_mb"]) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        cpu = math.ceil(float(request["timeout"]) * 2 + 10)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):  # pragma: no cover - not POSIX, or a hard limit already lower
        pass
    with contextlib.suppress(AttributeError, OSError):
        os.nice(10)


def _engine(spec: str) -> Any:
    import importlib

    module_name, _, func = spec.partition(":")
    try:
        return getattr(importlib.import_module(module_name), func or "scan_apk")
    except (ImportError, AttributeError) as exc:
        raise AppwardenError(f"the scan engine {spec!r} is not available: {exc}") from None


def _write(path: str, data: dict[str, Any]) -> None:
    tmp = path + ".part"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False)
    os.replace(tmp, path)


def child_main(request_path: str) -> int:
    """Body of ``python -m appwarden.distributed.sandbox REQUEST``: scan, write ``{"status": ...}`` to the result
    path. Exit 0 when a result was written (success or a recorded failure)."""
    request = json.loads(Path(request_path).read_text(encoding="utf-8"))
    _limit_self(request)
    for entry in reversed(request.get("sys_path") or []):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    result: dict[str, Any]
    try:
        scan = _engine(request["engine"])
    except AppwardenError as exc:
        _write(request["result"], {"status": "failed", "kind": "engine", "error": _one_line(str(exc))})
        return 0
    try:
        report = scan(
            request["apk"],
            policy_path=request.get("policy"),
            trace_path=request.get("trace"),
            category=request.get("category"),
            **(request.get("options") or {}),
        )
        result = {"status": "ok", "report": report}
    except AppwardenError as exc:
        result = {"status": "failed", "kind": "input", "error": _one_line(str(exc))}
    except MemoryError:
        result = {"status": "failed", "kind": "memory", "error": "MemoryError"}
    except Exception as exc:  # a bug in the engine: one line, the scan's outcome is still recorded
        result = {
            "status": "failed",
            "kind": "engine",
            "error": f"internal error: {type(exc).__name__}: {_one_line(str(exc), 300)}",
        }
    try:
        _write(request["result"], result)
    except MemoryError:
        _write(request["result"], {"status": "failed", "kind": "memory", "error": "MemoryError"})
    except (TypeError, ValueError) as exc:  # a report that is not JSON: an engine bug
        _write(request["result"], {"status": "failed", "kind": "engine", "error": f"internal error: {exc}"})
    return 0


def _run_child(request_path: str) -> None:
    """The child process from start to end: :func:`child_main` with the cyclic garbage collector off, then the
    process ends without the interpreter's teardown (:func:`appwarden.launch.exit_now`: exit handlers run, standard
    streams flushed; the result file is closed by then). It scans one app and ends, so neither the collector's
    pass over what the scan leaves nor freeing every module and the loaded knowledge does anything for it (as for
    the one-shot ``appwarden scan``: 20-45 ms and 20-40 ms of a scan)."""
    import gc

    gc.disable()
    code = child_main(request_path)
    from appwarden.launch import exit_now

    exit_now(code)


if __name__ == "__main__":  # pragma: no cover - exercised through run_isolated in subprocesses
    _run_child(sys.argv[1])
