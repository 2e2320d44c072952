"""``appwarden sdk list|show|check``: browse and lint the third-party SDK knowledge base (第三方SDK知识库).

* ``sdk list [--chinese] [--category C] [--json]`` - one line per SDK: id, category, Chinese name, English name.
* ``sdk show <id> [--json]`` - every fact of one SDK, with its source file.
* ``sdk check [--kb DIR] [--contracts DIR] [-v]`` - lint the KB (:mod:`appwarden.sdk.lint`) and the compliance
  contracts (:func:`appwarden.sdk.contracts.check_contracts`); exit 2 with ``file:line: message`` lines on
  error, 0 when clean (warnings only with ``-v``).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from appwarden.errors import KnowledgeError
from appwarden.sdk.kb import CATEGORIES, CATEGORY_NAMES_ZH, load_kb


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sdk", help="third-party SDK knowledge base: list, show, check (第三方SDK知识库)"
    )
    sub = parser.add_subparsers(dest="sdk_command", metavar="SUBCOMMAND")

    p_list = sub.add_parser("list", help="list SDKs (列出SDK)")
    p_list.add_argument("--chinese", action="store_true", help="only SDKs of Chinese vendors")
    p_list.add_argument("--category", choices=CATEGORIES, help="only this category")
    p_list.add_argument("--json", action="store_true", help="JSON output")
    p_list.add_argument("--kb", help=argparse.SUPPRESS)
    p_list.set_defaults(func=_cmd_list)

    p_show = sub.add_parser("show", help="show one SDK (查看SDK详情)")
    p_show.add_argument("id")
    p_show.add_argument("--json", action="store_true", help="JSON output")
    p_show.add_argument("--kb", help=argparse.SUPPRESS)
    p_show.set_defaults(func=_cmd_show)

    p_check = sub.add_parser("check", help="lint the knowledge base (校验SDK知识库)")
    p_check.add_argument("--kb", help="SDK knowledge directory (default: the shipped one)")
    p_check.add_argument(
        "--contracts", help="SDK compliance-contract directory (default: the shipped knowledge/sdk_contracts)"
    )
    p_check.add_argument("-v", "--verbose", action="store_true", help="also print warnings")
    p_check.set_defaults(func=_cmd_check)

    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def _cmd_list(args: argparse.Namespace) -> int:
    kb = load_kb(args.kb)
    rows = [
        s
        for s in kb
        if (not args.chinese or s.chinese) and (not args.category or s.category == args.category)
    ]
    if args.json:
        json.dump(
            [{"id": s.id, "name_zh": s.name_zh, "name_en": s.name_en, "vendor": s.vendor, "category": s.category,
              "chinese": s.chinese} for s in rows],
            sys.stdout, ensure_ascii=False, indent=1,
        )  # fmt: skip
        sys.stdout.write("\n")
        return 0
    for s in rows:
        print(f"{s.id}\t{s.category}\t{s.name_zh}\t{s.name_en}")
    print(f"{len(rows)} SDKs", file=sys.stderr)
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    kb = load_kb(args.kb)
    sdk = kb.get(args.id)
    if sdk is None:
        raise KnowledgeError(f"unknown SDK id {args.id!r} (see 'appwarden sdk list')")
    data = sdk.to_json()
    if args.kb is None:  # the shipped contracts are keyed by the shipped KB's ids
        from appwarden.sdk.contracts import contracts_by_sdk

        data["compliance_contracts"] = [c.to_json() for c in contracts_by_sdk().get(sdk.id, [])]
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    print(f"{sdk.name_zh} / {sdk.name_en}  [{sdk.id}]")
    print(f"  厂商 vendor: {sdk.vendor}")
    print(f"  类别 category: {CATEGORY_NAMES_ZH[sdk.category]} ({sdk.category}); 境内 chinese: {sdk.chinese}")
    for kind, values in data["signatures"].items():
        if values:
            print(f"  {kind}: {', '.join(values)}")
    for key in ("domains", "pi_collected", "permissions"):
        if data[key]:
            print(f"  {key}: {', '.join(data[key])}")
    if sdk.privacy_policy_url:
        print(f"  隐私政策 privacy policy: {sdk.privacy_policy_url}")
    if sdk.version_hints:
        print(f"  version_hints: {json.dumps(data['version_hints'], ensure_ascii=False)}")
    source = (
        sdk.source if isinstance(sdk.source, str) else ", ".join(s.get("dataset", "?") for s in sdk.source)
    )
    print(f"  source: {source}  ({sdk.path})")
    for contract in data.get("compliance_contracts") or []:
        print(f"  合规接口 contract [{contract['role']}]: {contract['api']}")
        print(f"    {contract['meaning_zh']}  ({contract['source_url']})")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from appwarden.sdk.contracts import check_contracts
    from appwarden.sdk.lint import check_kb

    report = check_kb(args.kb)
    contract_errors, contracts = check_contracts(args.contracts)
    report.errors.extend(contract_errors)
    for line in report.errors:
        print(line, file=sys.stderr)
    if args.verbose:
        for line in report.warnings:
            print(f"warning: {line}", file=sys.stderr)
    status = "ok" if report.ok else f"{len(report.errors)} error(s)"
    print(
        f"sdk check: {report.records} SDK files, {contracts} compliance contracts, {status}, "
        f"{len(report.warnings)} warning(s)"
    )
    return 0 if report.ok else 2
