"""``appwarden policy analyze FILE``: analyse a Chinese privacy policy (隐私政策分析).

Prints which required elements are present (with the sentence that shows it) and what the policy declares: PI
categories, permissions explained and third-party SDKs. ``--json`` writes ``{source, elements: {name: {present,
evidence, clauses}}, declared_pi, declared_permissions, declared_sdks, sections, errors, ...}`` to stdout (or
``-o FILE``). Exit 0 on success, 2 when the file cannot be analysed (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from appwarden.limits import DEFAULT_LIMITS, MB


def register(sub: Any) -> None:
    p = sub.add_parser("policy", help="privacy-policy analysis (隐私政策分析)", description=__doc__)
    psub = p.add_subparsers(dest="policy_command", metavar="SUBCOMMAND")
    a = psub.add_parser(
        "analyze", help="analyse one policy file (HTML, TXT, Markdown, PDF)", description=__doc__
    )
    a.add_argument("file", type=Path, help="the policy file")
    a.add_argument("--json", action="store_true", help="write the analysis as JSON")
    a.add_argument("-o", "--output", help="write the JSON here instead of stdout (implies --json)")
    a.add_argument(
        "--sentences", action="store_true", help="include every sentence with its offsets in the JSON"
    )
    a.add_argument("--text", action="store_true", help="include the normalised text in the JSON")
    a.add_argument(
        "--no-classifier", action="store_true", help="rule-based analysis only (skip the sentence classifier)"
    )
    a.add_argument(
        "--max-policy-mb",
        type=int,
        help=f"largest policy accepted (default {DEFAULT_LIMITS.max_policy_size // MB})",
    )
    a.add_argument(
        "--stage-timeout",
        type=float,
        help=f"seconds the analysis may take (default {DEFAULT_LIMITS.stage_timeout:g}); exit 2 past it",
    )
    a.set_defaults(func=run_analyze)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def run_analyze(args: argparse.Namespace) -> int:
    from appwarden.policy import analyze_policy_file
    from appwarden.policy.elements import ELEMENTS

    limits = DEFAULT_LIMITS.with_overrides(
        max_policy_size=args.max_policy_mb * MB if args.max_policy_mb is not None else None,
        stage_timeout=args.stage_timeout,
    )
    ev = analyze_policy_file(args.file, limits, classifier=False if args.no_classifier else None)
    if args.json or args.output:
        data = ev.to_json(include_text=args.text, include_sentences=args.sentences)
        payload = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        if args.output and args.output != "-":
            Path(args.output).write_text(payload, encoding="utf-8")
        else:
            sys.stdout.write(payload)
        return 0
    out = sys.stdout
    out.write(
        f"{ev.source}: {ev.text_length} characters, {len(ev.sections)} sections, {len(ev.sentences)} sentences\n"
    )
    out.write("要素 (elements):\n")
    for name, result in ev.elements.items():
        spec = ELEMENTS.get(name)
        title = spec.title_zh if spec else name
        mark = "✓" if result.present else "✗"
        line = f"  {mark} {title} ({name})"
        if result.evidence:
            sentence = result.evidence[0]["sentence"]
            line += f": {sentence[:60]}{'…' if len(sentence) > 60 else ''}"
        out.write(line + "\n")
    out.write(
        "声明的个人信息 (declared PI): " + ("、".join(d.name_zh for d in ev.declared_pi) or "无") + "\n"
    )
    perms = sorted(p.permission.rsplit(".", 1)[-1] for p in ev.declared_permissions)
    out.write("说明的权限 (permissions explained): " + (", ".join(perms) or "无") + "\n")
    out.write(f"第三方SDK (declared SDKs): {len(ev.declared_sdks)}\n")
    for sdk in ev.declared_sdks:
        extra = " / ".join(x for x in (sdk.vendor, sdk.purpose) if x)
        out.write(
            f"  - {sdk.name}{' [' + sdk.sdk_id + ']' if sdk.sdk_id else ''}{': ' + extra if extra else ''}\n"
        )
    return 0
