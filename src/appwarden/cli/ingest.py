"""``appwarden ingest``: pull APKs from a store (directory drop, F-Droid repository) for scanning.

With ``--submit SERVER`` each new APK is uploaded to the platform's upload API (``POST /api/jobs/``), which
queues its scan: the third connector, from any store into the platform.

Prints one JSON line per APK: its classification (new_app, new_version, known, signer_changed, signer_rotated) or
the error.
A changed signer is also reported on stderr: it is how repackaged or hijacked apps show up. A key rotation that
the APK proves (a verified v3 lineage from a known signer) is reported as such, not as a change.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from appwarden.report.sanitize import terminal_text


def register(sub: Any) -> None:
    p = sub.add_parser("ingest", help="pull APKs from a store (应用商店对接)", description=__doc__)
    p.add_argument("kind", choices=("dir", "fdroid"), help="connector")
    p.add_argument("source", help="directory, or F-Droid repository address (URL or local path)")
    p.add_argument(
        "-o", "--output", required=True, type=Path, help="where fetched APKs go (feed it to batch)"
    )
    p.add_argument("--state", type=Path, help="state file (default OUTPUT/.ingest-state.json)")
    p.add_argument("--submit", metavar="SERVER", help="also upload each new APK to the platform's upload API")
    p.add_argument("--token", default=os.environ.get("APPWARDEN_TOKEN"), help="API token for --submit")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from appwarden.ingest.directory import DirectoryConnector
    from appwarden.ingest.fdroid import FDroidConnector
    from appwarden.ingest.run import ingest
    from appwarden.ingest.state import IngestState

    connector = DirectoryConnector(args.source) if args.kind == "dir" else FDroidConnector(args.source)
    state = IngestState(args.state or args.output / ".ingest-state.json")
    if args.submit and not args.token:
        from appwarden.errors import InputError

        raise InputError("--submit needs --token (or APPWARDEN_TOKEN)")
    counts: dict[str, int] = {}
    for item in ingest(connector, args.output, state):
        if isinstance(item, tuple):
            record = {"source": item[0], "error": item[1]}
            counts["failed"] = counts.get("failed", 0) + 1
        else:
            record = item.to_json()
            counts[item.kind] = counts.get(item.kind, 0) + 1
            if item.kind == "signer_changed":
                print(
                    f"warning: signer changed for {terminal_text(item.package)} ({terminal_text(item.path)})",
                    file=sys.stderr,
                )
            elif item.kind == "signer_rotated":
                print(
                    f"note: signing key rotated for {terminal_text(item.package)}, with a verified lineage "
                    f"({terminal_text(item.path)})",
                    file=sys.stderr,
                )
            if args.submit and item.kind != "known":
                from appwarden.cli.platform import submit

                record["job"] = submit(args.submit, args.token, Path(item.path)).get("id")
        print(json.dumps(record, ensure_ascii=False))
    print(", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing new", file=sys.stderr)
    return 0
