"""``appwarden trace``: runtime evidence (运行时取证).

* ``trace agent -o agent.js`` — write the Frida agent generated from the PI knowledge base.
* ``trace run --device ID --package P -o trace.jsonl`` — spawn the app under the agent and record a trace
  (needs ``pip install 'appwarden[device]'`` and frida-server on the device); Ctrl-C or ``--timeout`` stops it.
* ``trace analyze trace.jsonl [--json] [--html timeline.html]`` — consent timeline, pre-consent / after-refusal /
  background collection, frequencies, permission re-requests, third-party sends, 摇一摇 thresholds, plus the
  dynamic rules' findings. Exit 1 when a finding at or above ``--fail-on`` exists.
* ``trace import --from har|camille IN -o OUT --package P [--mark consent_agree@4200]`` — convert other captures.
* ``trace validate trace.jsonl`` — list every bad line (exit 1 when there is any).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from appwarden.errors import InputError

SEVERITY_ORDER = ("info", "low", "medium", "high")


def register(sub: Any) -> None:
    p = sub.add_parser(
        "trace", help="runtime traces: agent, run, analyze, import (运行时取证)", description=__doc__
    )
    p.set_defaults(func=lambda _args: (p.print_help(), 2)[1])
    tsub = p.add_subparsers(dest="trace_command", metavar="ACTION")

    agent = tsub.add_parser("agent", help="write the generated Frida agent")
    agent.add_argument("-o", "--output", required=True, help="agent JavaScript file ('-' for stdout)")
    agent.set_defaults(func=cmd_agent)

    run = tsub.add_parser("run", help="record a trace from a device with the Frida agent")
    run.add_argument("--device", help="frida device id (adb serial); default: the USB device")
    run.add_argument("--package", required=True, help="application id to spawn")
    run.add_argument("-o", "--output", required=True, type=Path, help="trace file to write (JSONL)")
    run.add_argument(
        "--timeout", type=float, default=300.0, help="seconds to record (default 300; 0 = until Ctrl-C)"
    )
    run.add_argument("--apk", type=Path, help="the installed APK, to record its sha256 in the header")
    run.add_argument("--tester", default="", help="tester name for the header")
    run.add_argument(
        "--app-state", choices=("fresh", "existing", "unknown"), default="unknown",
        help="app data at start: fresh (after `adb shell pm clear`), existing (consent may be stored), unknown",
    )  # fmt: skip
    run.add_argument(
        "--follow-restarts", action="store_true",
        help="keep spawn gating on and trace the app again when it restarts by itself (self-start evidence)",
    )  # fmt: skip
    run.set_defaults(func=cmd_run)

    analyze = tsub.add_parser("analyze", help="analyse a trace and evaluate the dynamic rules")
    analyze.add_argument("trace", type=Path)
    analyze.add_argument("--json", action="store_true", help="print the evidence and findings as JSON")
    analyze.add_argument(
        "--html", type=Path, help="also write the first-minute timeline (HTML fragment) here"
    )
    analyze.add_argument("--max-per-minute", type=int, help="frequency limit per API and owner (default 10)")
    analyze.add_argument(
        "--rerequest-hours", type=float, help="minimum re-request interval (default 48, see docs)"
    )
    analyze.add_argument("--fail-on", choices=(*SEVERITY_ORDER, "none"), default="none")
    analyze.set_defaults(func=cmd_analyze)

    imp = tsub.add_parser("import", help="convert a HAR capture or camille output into a trace")
    imp.add_argument("--from", dest="source", required=True, choices=("har", "camille"))
    imp.add_argument("input", type=Path)
    imp.add_argument("-o", "--output", required=True, type=Path)
    imp.add_argument("--package", required=True, help="application id of the captured app")
    imp.add_argument(
        "--mark", action="append", default=[], metavar="EVENT@MS",
        help="add a ui event at MS ms after the first captured event, e.g. consent_agree@4200 (repeatable)",
    )  # fmt: skip
    imp.add_argument("--tester", default="")
    imp.set_defaults(func=cmd_import)

    val = tsub.add_parser("validate", help="check a trace file line by line")
    val.add_argument("trace", type=Path)
    val.set_defaults(func=cmd_validate)


def cmd_agent(args: argparse.Namespace) -> int:
    from appwarden.dynamic.agent.generate import generate_agent, hook_list

    source = generate_agent()
    if args.output == "-":
        sys.stdout.write(source)
    else:
        try:
            Path(args.output).write_text(source, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{args.output}: cannot write: {exc.strerror or exc}") from None
        print(f"wrote {args.output}: {len(hook_list())} APIs hooked (all overloads)", file=sys.stderr)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from appwarden.dynamic.runner import run_trace

    result = run_trace(
        args.package,
        args.output,
        device_id=args.device,
        timeout=args.timeout or None,
        tester=args.tester,
        apk=args.apk,
    )
    state = result.state
    print(
        f"wrote {result.path}: {result.events} events (stopped by {result.stopped_by}; "
        f"{state.non_pi_calls} non-PI calls dropped; {len(state.agent_errors)} agent errors)",
        file=sys.stderr,
    )
    for err in state.agent_errors[:10]:
        print(f"  agent: {err}", file=sys.stderr)
    return 0


def parse_marks(marks: list[str]) -> list[tuple[str, int]]:
    out = []
    for mark in marks:
        event, sep, ms = mark.partition("@")
        if not sep or not ms.strip().isdigit():
            raise InputError(f"bad --mark {mark!r}: expected EVENT@MS, e.g. consent_agree@4200")
        out.append((event.strip(), int(ms)))
    return out


def cmd_import(args: argparse.Namespace) -> int:
    from appwarden.dynamic.importers import IMPORTERS

    result = IMPORTERS[args.source](
        args.input, args.output, args.package, marks=parse_marks(args.mark), tester=args.tester
    )
    print(f"wrote {args.output}: {result.events} events ({result.with_pi} with PI)", file=sys.stderr)
    for err in result.errors[:20]:
        print(f"  {args.input}:{err.line}: {err.message}", file=sys.stderr)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from appwarden.dynamic.trace import validate_trace
    from appwarden.limits import DEFAULT_LIMITS
    from appwarden.scan import stage_deadline

    with stage_deadline("trace", DEFAULT_LIMITS.stage_timeout):  # a newline bomb ends with one error line
        errors = validate_trace(args.trace)
    for err in errors:
        print(f"{args.trace}:{err.line}: {err.message}")
    if not errors:
        print(f"{args.trace}: ok")
    return 1 if errors else 0


def dynamic_findings(dyn: Any) -> tuple[list[Any], list[Any]]:
    """Evaluate every rule that needs only the trace; return (findings, errors)."""
    from appwarden.evidence import Evidence
    from appwarden.rules.engine import evaluate
    from appwarden.rules.loader import load_rules

    rules = [r for r in load_rules() if set(r.needs) <= {"dynamic.trace"} and r.id.startswith("dynamic.")]
    results = evaluate(Evidence(dynamic=dyn), rules)
    return results.findings, results.errors


def _summary(dyn: Any, findings: list[Any]) -> str:
    c = dyn.consent
    steps = [
        ("dialog", c.dialog_shown),
        ("agreed", c.agreed),
        ("refused", c.refused),
        ("withdrawn", c.withdrawn),
    ]
    consent = ", ".join(f"{name} {value} ms" for name, value in steps if value is not None)
    lines = [
        f"{dyn.package}  ({sum(dyn.event_counts.values())} events, {dyn.duration_ms / 1000:.1f} s, "
        f"{len(dyn.errors)} bad lines)",
        "consent: " + (consent or "no consent step observed"),
    ]
    for label, observations in (("before consent", dyn.pre_consent), ("after refusal ", dyn.after_refusal)):
        for obs in observations[:20]:
            lines.append(
                f"  {label}  {obs.t:>8} ms  {obs.category:<12} {obs.owner:<12} {obs.api} x{obs.count}"
            )
    lines.append(f"findings: {len(findings)}")
    for f in findings:
        lines.append(f"  [{f.severity}/{f.confidence}] {f.rule_id} ({f.owner}): {f.message_zh or f.title_zh}")
    return "\n".join(lines)


def cmd_analyze(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from appwarden.dynamic.analyze import load_dynamic_evidence
    from appwarden.dynamic.model import DynamicParams

    params = DynamicParams()
    if args.max_per_minute is not None:
        params = replace(params, max_calls_per_minute=args.max_per_minute)
    if args.rerequest_hours is not None:
        params = replace(params, rerequest_min_interval_h=args.rerequest_hours)
    from appwarden.limits import DEFAULT_LIMITS
    from appwarden.scan import stage_deadline

    with stage_deadline("trace", DEFAULT_LIMITS.stage_timeout):  # a newline bomb ends with one error line
        dyn = load_dynamic_evidence(args.trace, params=params)
    findings, errors = dynamic_findings(dyn)
    if args.html is not None:
        from appwarden.dynamic.timeline import render_timeline

        try:
            args.html.write_text(render_timeline(dyn), encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{args.html}: cannot write: {exc.strerror or exc}") from None
    if args.json:
        data = {
            "dynamic": dyn.to_json(),
            "findings": [f.to_json() for f in findings],
            "errors": [e.to_json() for e in errors],
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(_summary(dyn, findings))
    if args.fail_on != "none":
        floor = SEVERITY_ORDER.index(args.fail_on)
        if any(SEVERITY_ORDER.index(f.severity) >= floor for f in findings if f.severity in SEVERITY_ORDER):
            return 1
    return 0
