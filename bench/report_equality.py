#!/usr/bin/env python3
"""Report equality across two versions of the engine (issue #19: "the memory and time work must not change a single
report").

Scans every corpus APK (``../shared/corpus/apks``), the fixture apps (``tests/fixtures/apks`` and the rule, screening
and SDK fixtures ``tests/*/_apps``) and any extra APKs with
two source trees, each in its own fresh interpreter with the same ``PYTHONHASHSEED``, and compares the reports
(``timings`` and ``generated_at`` removed, the engine's ``version`` and ``rules_version`` stamps ignored). Each report also carries a digest of the
whole reachability map (every reachable method and the method it was first reached from), as
``tests/dex/test_corpus.py`` computes it. One command, from the repo root::

    .venv/bin/python bench/report_equality.py --base 1962440                  # base commit vs this working tree
    .venv/bin/python bench/report_equality.py --base 1962440 --after HEAD bench/work/popular-40mb.apk
    .venv/bin/python bench/report_equality.py --base HEAD --only droidbench/Callbacks     # a quick check

``--base`` / ``--after`` name a git revision (exported with ``git archive`` into ``bench/work/``, its C extension
built there) or, for ``--after``, nothing: the working tree. Prints one line per differing report (the differing
top-level keys) and exits 1 when any differ. It is not a test (minutes of scanning, and reports legitimately
change when rules do); ``docs/performance.md`` records what it found.

Both runs get the same seed anyway. Revisions before 527c1be let a ``pi.startup.*`` path depend on it (the consent
walk iterated call-graph sets of strings); since then the walk takes callees in descriptor order (since e741692 over
node ids, ``CallGraph.walk``), and ``tests/rules/test_consent.py`` checks that two seeds give the same walks.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("APPWARDEN_SHARED", ROOT.parent / "shared")) / "corpus" / "apks"
WORK = ROOT / "bench" / "work"


def tree_for(rev: str | None) -> Path:
    """The source tree of ``rev`` (exported and built under bench/work/), or the working tree for None."""
    if rev is None:
        return ROOT
    sha = subprocess.run(
        ["git", "rev-parse", "--verify", f"{rev}^{{commit}}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    dest = WORK / f"tree-{sha[:12]}"
    if not (dest / ".built").exists():
        # built in a folder of this process's own, then renamed into place: two runs building the same revision at
        # once (report_equality and stage_cpu side by side) each build their own and the first rename wins
        WORK.mkdir(parents=True, exist_ok=True)
        build = Path(tempfile.mkdtemp(prefix=f"tree-{sha[:12]}.", dir=WORK))
        with tempfile.TemporaryFile() as tar:
            subprocess.run(["git", "archive", sha], cwd=ROOT, stdout=tar, check=True)
            tar.seek(0)
            with tarfile.open(fileobj=tar) as t:
                t.extractall(build, filter="data")
        subprocess.run(
            [sys.executable, "setup.py", "-q", "build_ext", "--inplace"],
            cwd=build,
            check=True,
            capture_output=True,
        )
        (build / ".built").touch()
        if not (dest / ".built").exists():
            shutil.rmtree(dest, ignore_errors=True)  # a half-built tree of an interrupted older run
        try:
            build.rename(dest)
        except OSError:  # another run renamed its build into place first
            shutil.rmtree(build, ignore_errors=True)
    return dest


def worker(src: str, out: str, apks: list[str], cli_caches: bool = False) -> None:
    """Write one canonical report per APK into ``out`` with the engine under ``src``; with ``cli_caches`` the
    command line's caches (compiled dataclass methods, compiled regular expressions) are installed first, as
    ``appwarden scan`` has them."""
    sys.path.insert(0, src)
    if cli_caches:
        import contextlib

        from appwarden.cli import codecache

        codecache.install()
        with contextlib.suppress(ImportError):  # a tree from before the regex cache
            from appwarden.cli import recache

            recache.install()
    import appwarden.scan as scan
    from appwarden.errors import AppwardenError
    from appwarden.evidence import Evidence
    from appwarden.rules.static_support import component_entries, reachable

    assert scan.__file__.startswith(src), scan.__file__
    folder = Path(out)
    for apk in apks:
        key = hashlib.sha256(apk.encode()).hexdigest()[:16]
        try:
            report = scan.scan_apk(apk)
        except AppwardenError as exc:
            report = {"error": str(exc)}
        else:
            report.pop("timings", None)
            report.pop("generated_at", None)
            # the engine's version and its rules_version (a digest of the rule and screening sources, so any edit
            # of a screening module changes it, behaviour or not) are stamps, not results
            report.get("engine", {}).pop("version", None)
            report.get("engine", {}).pop("rules_version", None)
            static = scan.build_static_evidence(apk)
            parents = (
                reachable(static.code, component_entries(Evidence(static=static)))
                if static.code is not None
                else {}
            )
            pairs = json.dumps(sorted(parents.items(), key=lambda kv: kv[0]), ensure_ascii=False)
            report["_reachability"] = {"n": len(parents), "sha": hashlib.sha256(pairs.encode()).hexdigest()}
        (folder / f"{key}.json").write_text(json.dumps({"apk": apk, "report": report}, sort_keys=True))


def run(tree: Path, apks: list[str], out: Path, seed: str, cli_caches: bool = False) -> None:
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONHASHSEED": seed}
    flag = ["--cli-caches"] if cli_caches else []
    subprocess.run(
        [sys.executable, __file__, "--worker", str(tree / "src"), str(out), *flag, *apks],
        env=env,
        check=True,
        cwd=ROOT,
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", required=False, help="git revision of the 'before' engine")
    ap.add_argument(
        "--after", default=None, help="git revision of the 'after' engine (default: the working tree)"
    )
    ap.add_argument("--seed", default="0", help="PYTHONHASHSEED of both runs (default 0)")
    ap.add_argument(
        "--only", default="", help="only the corpus and fixture APKs whose path contains this text"
    )
    ap.add_argument(
        "--cli-caches",
        action="store_true",
        help="install the command line's caches (appwarden.cli.codecache, .recache) in both runs, as a cold"
        " `appwarden scan` has them (the cache directory is the usual one: warm it with one run first)",
    )
    ap.add_argument("--worker", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    ap.add_argument("apks", nargs="*", help="extra APKs (e.g. bench/work/popular-40mb.apk)")
    args = ap.parse_args()
    if args.worker:
        rest = args.worker[2:]
        cli_caches = bool(rest) and rest[0] == "--cli-caches"
        worker(args.worker[0], args.worker[1], rest[1:] if cli_caches else rest, cli_caches)
        return 0
    if not args.base:
        ap.error("--base is required")
    apks = [str(p) for p in sorted(CORPUS.rglob("*.apk"))]
    apks += [str(p) for p in sorted((ROOT / "tests" / "fixtures" / "apks").glob("*.apk"))]
    # the rule, screening and SDK fixtures
    apks += [str(p) for p in sorted((ROOT / "tests").glob("*/_apps/*.apk"))]
    apks = [p for p in apks if args.only in p]
    apks += [str(Path(p).resolve()) for p in args.apks]
    with tempfile.TemporaryDirectory() as tmp:
        outs = []
        for name, rev in (("base", args.base), ("after", args.after)):
            out = Path(tmp) / name
            run(tree_for(rev), apks, out, args.seed, args.cli_caches)
            outs.append(out)
        differ = 0
        for path in sorted(outs[0].glob("*.json")):
            a = json.loads(path.read_text())
            b = json.loads((outs[1] / path.name).read_text())
            if a != b:
                differ += 1
                keys = sorted(
                    k for k in set(a["report"]) | set(b["report"]) if a["report"].get(k) != b["report"].get(k)
                )
                print(f"differs: {a['apk']}: {', '.join(keys)}")
        print(f"{len(apks)} APKs, {differ} reports differ (seed {args.seed})")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
