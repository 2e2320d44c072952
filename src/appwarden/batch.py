"""Local batch scanning: many APKs on one machine, resumable, deduplicated, isolated.

Contract of :func:`run_batch`:

- inputs are directories (walked recursively, symlinked directories are not followed, so symlink loops cannot
  trap the walk) and/or list files (``@list.txt``: one path per line). Every regular file found is a candidate;
  what is not an APK gets a ``failed`` record with its reason.
- each APK is scanned in its own forked process with a wall-clock timeout and an address-space cap; a hostile APK
  that makes a parser spin or allocate is killed and recorded as ``failed``; the batch goes on.
- APKs are deduplicated by sha256: the same bytes are scanned once; later copies get a ``duplicate`` record
  pointing at the first.
- results: ``OUT/apps/<sha256>.json`` (the report, written atomically), ``OUT/results.jsonl`` (one record per
  input path, appended as each finishes, so a killed batch loses nothing finished), ``OUT/results.csv`` and
  ``OUT/summary.json`` (rewritten at the end). Re-running with the same OUT skips every path already ``ok`` or
  ``duplicate`` and retries the failed ones.
"""

from __future__ import annotations

import csv
import hashlib
import json
import multiprocessing
import os
import resource
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from appwarden.errors import AppwardenError, InputError, display_path
from appwarden.limits import DEFAULT_LIMITS, MB, Limits
from appwarden.report.sanitize import spreadsheet_cell

RESULTS = "results.jsonl"
SUMMARY_FIELDS = (
    "path",
    "sha256",
    "status",
    "error",
    "package",
    "version_name",
    "version_code",
    "label",
    "findings",
    "high",
    "medium",
    "low",
    "info",
    "sdks",
    "callsites",
    "screening",
    "screening_categories",
    "seconds",
)


@dataclass
class BatchOptions:
    """How to run a batch. ``timeout`` is per app (s); ``memory_mb`` caps each scan's address space."""

    jobs: int = max(1, os.cpu_count() or 1)
    timeout: float = 300.0
    memory_mb: int = 4096
    limits: Limits = DEFAULT_LIMITS
    run_rules: bool = True
    html: bool = False  # also write OUT/apps/<sha256>.html


@dataclass
class BatchSummary:
    scanned: int = 0
    failed: int = 0
    duplicates: int = 0
    skipped: int = 0  # already done in a previous run
    findings_by_rule: Counter = field(default_factory=Counter)
    failures: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "scanned": self.scanned,
            "failed": self.failed,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "findings_by_rule": dict(sorted(self.findings_by_rule.items())),
            "failures": self.failures,
            "seconds": round(self.seconds, 3),
        }


def discover(inputs: Iterable[str | Path], exclude: Path | None = None) -> Iterator[tuple[str, str | None]]:
    """Yield ``(path, error)`` for every candidate file; ``error`` is set when the path cannot be a scan input."""
    exclude_real = exclude.resolve() if exclude is not None else None
    for item in inputs:
        text = str(item)
        if text.startswith("@"):
            list_path = Path(text[1:])
            try:
                lines = list_path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                yield text, f"cannot read list file: {exc}"
                continue
            yield from discover(
                [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")], exclude
            )
            continue
        path = Path(text)
        if path.is_dir():
            for root, dirs, files in os.walk(path, followlinks=False):
                root_path = Path(root)
                if exclude_real is not None and root_path.resolve() == exclude_real:
                    dirs[:] = []
                    continue
                dirs.sort()
                for name in sorted(files):
                    yield from _candidate(root_path / name)
        else:
            yield from _candidate(path)


def _candidate(path: Path) -> Iterator[tuple[str, str | None]]:
    if path.is_symlink() and not path.exists():
        yield str(path), "broken symbolic link"
    elif not path.exists():
        yield str(path), "no such file"
    elif not path.is_file():
        yield str(path), "not a regular file"
    elif path.stat().st_size == 0:
        yield str(path), "empty file (0 bytes)"
    else:
        yield str(path), None


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def json_text(value: Any, **kwargs: Any) -> str:
    """``json.dumps`` keeping non-ASCII text readable, except when ``value`` holds a lone surrogate (a file name
    that is not UTF-8, as ``os.fsdecode`` gives it): then ASCII escapes, so the text is still valid UTF-8 and loads
    back to the same path."""
    text = json.dumps(value, ensure_ascii=False, **kwargs)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, ensure_ascii=True, **kwargs)
    return text


def load_done(out: Path) -> dict[str, dict[str, Any]]:
    """Records of a previous run, last record per path wins; malformed lines (a torn write, even one cut inside a
    UTF-8 character) are ignored."""
    done: dict[str, dict[str, Any]] = {}
    results = out / RESULTS
    if not results.exists():
        return done
    with results.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and "path" in record:
                done[record["path"]] = record
    return done


def summarize_report(report: dict[str, Any]) -> dict[str, Any]:
    """The per-app summary record kept in results.jsonl (the full report is in apps/<sha256>.json)."""
    app = report.get("app", {})
    findings = report.get("findings", [])
    severities = Counter(f.get("severity", "info") for f in findings)
    screening = report.get("screening")
    return {
        "package": app.get("package"),
        "version_name": app.get("version_name"),
        "version_code": app.get("version_code"),
        "label": app.get("label"),
        "findings": len(findings),
        **{s: severities.get(s, 0) for s in ("high", "medium", "low", "info")},
        "rules": sorted({f.get("rule_id", "") for f in findings}),
        "sdks": len(report.get("sdks", [])),
        "callsites": len(report.get("callsites", [])),
        "errors": len(report.get("errors", [])),
        # 不良APP screening: the verdict and its categories, so a batch can be sorted by them
        "screening": screening.get("verdict") if isinstance(screening, dict) else None,
        "screening_categories": ";".join(screening.get("categories") or [])
        if isinstance(screening, dict)
        else "",
    }


def _child(path: str, sha: str, out: Path, options: BatchOptions, conn: Connection) -> None:
    """Worker body (runs in a forked process): scan, write the report atomically, send the summary.

    The cyclic garbage collector stays off in the worker: it scans one app and ends (``multiprocessing`` ends a
    forked process with ``os._exit``), and turning the collector back on after the scan only made it traverse what
    the scan left (20-30 ms on a 100 MB-DEX app), as in the one-shot ``appwarden scan``."""
    import gc

    gc.disable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        cap = options.memory_mb * MB
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (ValueError, OSError):
        pass
    try:
        from appwarden.scan import scan_apk

        report = scan_apk(path, limits=options.limits, run_rules=options.run_rules)
        target = out / "apps" / f"{sha}.json"
        tmp = target.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, target)
        if options.html:
            from appwarden.report.formats import render

            target.with_suffix(".html").write_bytes(render("html", report))
        conn.send({"status": "ok", **summarize_report(report)})
    except AppwardenError as exc:
        conn.send({"status": "failed", "error": str(exc)})
    except MemoryError:
        conn.send({"status": "failed", "error": f"memory cap of {options.memory_mb} MB exceeded"})
    except Exception as exc:  # a bug in the engine: recorded, the batch goes on
        msg = " ".join(str(exc).split())[:300]
        conn.send({"status": "failed", "error": f"internal error: {type(exc).__name__}: {msg}"})
    finally:
        conn.close()


@dataclass
class _Running:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    path: str
    sha: str
    started: float


def run_batch(
    inputs: Iterable[str | Path],
    out: str | Path,
    options: BatchOptions | None = None,
    progress: Callable[[int, int, dict[str, Any]], None] | None = None,
) -> BatchSummary:
    """Scan every input into ``out`` (see module docstring). ``progress(done, total, record)`` is called per app."""
    options = options or BatchOptions()
    import gc

    from appwarden.warm import preload

    # Workers are forked: they inherit the loaded knowledge and what one warm-up scan of the bundled APK initialised
    # lazily (0.2 -> 0.07 s per small app, docs/performance.md); frozen, the GC does not touch (copy) that heap.
    preload()
    gc.freeze()
    out = Path(out)
    (out / "apps").mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    summary = BatchSummary()
    done = load_done(out)
    ok_by_sha = {r["sha256"]: r for r in done.values() if r.get("status") == "ok" and r.get("sha256")}
    candidates = list(discover(inputs, exclude=out))
    total = len(candidates)
    ctx = multiprocessing.get_context("fork")
    finished = 0

    with (out / RESULTS).open("a", encoding="utf-8") as results:

        def record(rec: dict[str, Any]) -> None:
            nonlocal finished
            results.write(json_text(rec) + "\n")
            results.flush()
            finished += 1
            status = rec["status"]
            if status == "ok":
                summary.scanned += 1
                summary.findings_by_rule.update(rec.get("rules", []))
            elif status == "duplicate":
                summary.duplicates += 1
            else:
                summary.failed += 1
                summary.failures.append({"path": rec["path"], "error": rec.get("error", "")})
            if progress is not None:
                progress(finished, total, rec)

        queue: list[tuple[str, str]] = []
        queued_shas: dict[str, str] = {}
        for path, error in candidates:
            prev = done.get(path)
            if prev is not None and prev.get("status") in ("ok", "duplicate"):
                summary.skipped += 1
                finished += 1
                if progress is not None:
                    progress(finished, total, {**prev, "status": "skipped"})
                continue
            if error is not None:
                record({"path": path, "status": "failed", "error": error})
                continue
            try:
                sha = sha256_file(path)
            except OSError as exc:
                record({"path": path, "status": "failed", "error": f"cannot read: {exc.strerror or exc}"})
                continue
            if sha in ok_by_sha or sha in queued_shas:
                first = ok_by_sha.get(sha, {}).get("path") or queued_shas[sha]
                record({"path": path, "sha256": sha, "status": "duplicate", "duplicate_of": first})
                continue
            queued_shas[sha] = path
            queue.append((path, sha))

        running: list[_Running] = []
        queue.reverse()
        while queue or running:
            while queue and len(running) < options.jobs:
                path, sha = queue.pop()
                parent_conn, child_conn = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_child, args=(path, sha, out, options, child_conn), daemon=True)
                proc.start()
                child_conn.close()
                running.append(_Running(proc, parent_conn, path, sha, time.monotonic()))
            ready = wait([r.conn for r in running], timeout=0.2)
            now = time.monotonic()
            for job in list(running):
                rec: dict[str, Any] | None = None
                if job.conn in ready:
                    try:
                        rec = job.conn.recv()
                    except (EOFError, OSError):
                        job.process.join(timeout=5)
                        code = job.process.exitcode
                        reason = f"killed by signal {-code}" if code and code < 0 else f"exit code {code}"
                        rec = {"status": "failed", "error": f"scan process died ({reason})"}
                elif now - job.started > options.timeout:
                    job.process.kill()
                    rec = {"status": "failed", "error": f"timed out after {options.timeout:g} s"}
                if rec is None:
                    continue
                job.process.join(timeout=5)
                job.conn.close()
                running.remove(job)
                rec.update(path=job.path, sha256=job.sha, seconds=round(now - job.started, 3))
                record(rec)

    summary.seconds = time.perf_counter() - started
    write_tables(out)
    (out / "summary.json").write_text(json_text(summary.to_json(), indent=2), encoding="utf-8")
    return summary


def readable_value(value: Any) -> Any:
    """A file name that is not UTF-8 (lone surrogates from ``os.fsdecode``) with its odd bytes as ``\\xff``
    escapes (:func:`appwarden.errors.display_path`), for the CSV and the index; other values unchanged."""
    return display_path(value) if isinstance(value, str) else value


def write_tables(out: Path) -> None:
    """Rewrite OUT/results.csv from results.jsonl (last record per path)."""
    records = load_done(out).values()
    with (out / "results.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=SUMMARY_FIELDS, extrasaction="ignore")
        writer.writeheader()
        for rec in records:
            writer.writerow({key: spreadsheet_cell(readable_value(value)) for key, value in rec.items()})


def check_inputs(inputs: list[str]) -> None:
    """Fail early (InputError) when no input exists at all."""
    if not any(Path(i[1:] if i.startswith("@") else i).exists() for i in inputs):
        raise InputError(f"no such file or directory: {', '.join(inputs)}")
