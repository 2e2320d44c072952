"""``appwarden ingest``: pull APKs from a store (directory drop, F-Droid repository) for scanning.

Prints one JSON line per APK: its classification (new_app, new_version, known, signer_changed) or the error.
A changed signer is also reported on stderr: it is how repackaged or hijacked apps show up.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("ingest", help="pull APKs from a store (应用商店对接)", description=__doc__)
    p.add_argument("kind", choices=("dir", "fdroid"), help="connector")
    p.add_argument("source", help="directory, or F-Droid repository address (URL or local path)")
    p.add_argument(
        "-o", "--output", required=True, type=Path, help="where fetched APKs go (feed it to batch)"
    )
    p.add_argument("--state", type=Path, help="state file (default OUTPUT/.ingest-state.json)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from appwarden.ingest.directory import DirectoryConnector
    from appwarden.ingest.fdroid import FDroidConnector
    from appwarden.ingest.run import ingest
    from appwarden.ingest.state import IngestState

    connector = DirectoryConnector(args.source) if args.kind == "dir" else FDroidConnector(args.source)
    state = IngestState(args.state or args.output / ".ingest-state.json")
    counts: dict[str, int] = {}
    for item in ingest(connector, args.output, state):
        if isinstance(item, tuple):
            record = {"source": item[0], "error": item[1]}
            counts["failed"] = counts.get("failed", 0) + 1
        else:
            record = item.to_json()
            counts[item.kind] = counts.get(item.kind, 0) + 1
            if item.kind == "signer_changed":
                print(f"warning: signer changed for {item.package} ({item.path})", file=sys.stderr)
        print(json.dumps(record, ensure_ascii=False))
    print(", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing new", file=sys.stderr)
    return 0
