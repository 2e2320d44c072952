"""``appwarden cluster``: the batch runner's job on Celery workers across machines.

``submit`` copies APKs into the content store (deduplicated by sha256) and queues one idempotent task per APK
whose result does not exist yet; ``worker`` runs a Celery worker (any number, on any machine sharing the store);
``status`` counts results.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from appwarden.report.sanitize import terminal_text


def register(sub: Any) -> None:
    p = sub.add_parser("cluster", help="distributed scanning on Celery (分布式检测)", description=__doc__)
    csub = p.add_subparsers(dest="cluster_command", metavar="SUBCOMMAND", required=True)

    s = csub.add_parser("submit", help="store APKs and queue their scans")
    s.add_argument("inputs", nargs="+", help="directories, APKs or @list.txt")
    s.add_argument("--store", required=True, type=Path, help="shared content-store directory")
    s.add_argument("--broker", help="broker URL (default $APPWARDEN_BROKER_URL or local RabbitMQ)")
    s.set_defaults(func=run_submit)

    w = csub.add_parser("worker", help="run a Celery scan worker")
    w.add_argument("--broker", help="broker URL")
    w.add_argument(
        "-c", "--concurrency", type=int, default=None, help="worker processes (default: CPU count)"
    )
    w.add_argument("--queue", default=None, help="queue name (default appwarden.scan)")
    w.add_argument("--name", default=None, help="Celery node name (default appwarden-scan-<pid>@<host>)")
    w.set_defaults(func=run_worker)

    st = csub.add_parser("status", help="count results in the store")
    st.add_argument("--store", required=True, type=Path)
    st.set_defaults(func=run_status)


def _env(args: argparse.Namespace) -> None:
    if getattr(args, "broker", None):
        os.environ["APPWARDEN_BROKER_URL"] = args.broker
    if getattr(args, "queue", None):
        os.environ["APPWARDEN_QUEUE"] = args.queue


def run_submit(args: argparse.Namespace) -> int:
    _env(args)
    from appwarden.batch import check_inputs, discover
    from appwarden.distributed.storage import ContentStore
    from appwarden.distributed.tasks import scan_stored
    from appwarden.scan import engine_info

    check_inputs(args.inputs)
    store = ContentStore(args.store)
    engine = engine_info()
    queued = skipped = failed = 0
    seen: set[str] = set()
    for path, error in discover(args.inputs):
        if error is not None:
            print(f"skipped {terminal_text(path)}: {terminal_text(error)}")
            failed += 1
            continue
        sha = store.put_apk(path)
        if sha in seen or store.result_path(sha, engine["version"], engine["rules_version"]).exists():
            skipped += 1
            continue
        seen.add(sha)
        scan_stored.delay(sha, str(store.root.resolve()))
        queued += 1
    print(f"queued {queued}, already done or duplicate {skipped}, unreadable {failed}")
    return 0


def run_worker(args: argparse.Namespace) -> int:
    _env(args)
    from appwarden.distributed.app import app

    # A unique node name per process: two workers on one host must not share the control (pidbox) queue.
    name = args.name or f"appwarden-scan-{os.getpid()}@%h"
    argv = ["worker", "--loglevel=INFO", "-Q", app.conf.task_default_queue, "-n", name, "--without-mingle"]
    if args.concurrency:
        argv.append(f"--concurrency={args.concurrency}")
    app.worker_main(argv)
    return 0


def run_status(args: argparse.Namespace) -> int:
    import json

    from appwarden.distributed.storage import ContentStore

    store = ContentStore(args.store)
    counts: dict[str, int] = {}
    for path in store.results():
        try:
            status = json.loads(path.read_text(encoding="utf-8")).get("status", "unknown")
        except (OSError, ValueError):
            status = "unreadable"
        counts[status] = counts.get(status, 0) + 1
    print(", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "no results")
    return 0
