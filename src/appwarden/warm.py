"""Warming a parent process before it forks scan workers (``appwarden batch``), so each worker starts warm.

Contract: :func:`preload` imports every module an ``appwarden scan`` run imports (CLI, APK/DEX readers, SDK and
rule engines, report writers, the rich terminal summary, the policy analysis for APKs that bundle one, the trace
reader), loads the packaged knowledge through the same cached loaders the scan uses (``appwarden.scan.warm_up``
and the smaller report/category tables) and scans a bundled warm-up APK, so a forked child's scan costs what a second in-process scan costs (a DroidBench app: ~0.07 s instead of
~0.2 s after :func:`appwarden.scan.warm_up` alone, measured under load). Each step is
independent and best effort: a step that fails is reported in the returned list and skipped, and the scan then
loads that piece lazily, exactly as in-process (it fails there with the user-facing error if it really is broken).
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
from collections.abc import Callable
from pathlib import Path

# A 12 KB APK calling an API of every PI category (a copy of tests/fixtures/apks/pi_all.apk, built from the smali
# in tests/fixtures/apks/src/pi_all by build.sh)
WARMUP_APK = Path(__file__).with_name("warmup.apk")

# Modules `appwarden scan` imports lazily (see appwarden/scan.py and appwarden/cli/scan.py); optional ones
# (not installed) are skipped.
MODULES = (
    "appwarden.cli",
    "appwarden.cli.scan",
    "appwarden.scan",
    "appwarden.apk",
    "appwarden.apk.archive",
    "appwarden.apk.arsc",
    "appwarden.apk.axml",
    "appwarden.apk.manifest",
    "appwarden.apk.signing",
    "encodings.utf_16_le",
    "asn1crypto.cms",
    "asn1crypto.x509",
    "appwarden.dex.api_index",
    "appwarden.dex.index",
    "appwarden.dex.callgraph",
    "appwarden.sdk.attribute",
    "appwarden.sdk.kb",
    "appwarden.sdk.match",
    "appwarden.sdk.packers",
    "appwarden.rules.category",
    "appwarden.rules.engine",
    "appwarden.rules.loader",
    "appwarden.rules.predicates",
    "appwarden.rules.static_support",
    "appwarden.policy",
    "appwarden.policy.bundle",
    "appwarden.policy.absence",
    "appwarden.policy.load",
    "appwarden.policy.consistency",
    "appwarden.dynamic",
    "appwarden.dynamic.analyze",
    "appwarden.dynamic.confirm",
    "appwarden.report.json",
    "appwarden.report.formats",
    "appwarden.report.permissions",
    "appwarden.report.terminal",
    "appwarden.report.view",
    "rich.console",
    "rich.table",
    "rich.text",
    "rich.box",
)

# A short Chinese policy: analysing it loads the segmenter, the element patterns, the declared-PI tables and the
# sentence classifier, which an APK bundling a policy needs.
_POLICY_SAMPLE = (
    "隐私政策\n一、我们如何收集和使用您的个人信息\n为向您提供定位服务，我们会收集您的位置信息和设备信息。"
    "我们接入了第三方SDK，用于消息推送。\n二、您的权利\n您可以通过设置撤回授权、删除个人信息或注销账号。"
    "如有问题，请联系我们。"
)


def preload() -> list[str]:
    """Import and load everything a scan needs (see the module docstring); returns one line per failed step."""
    problems: list[str] = []
    for name in MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            continue  # an optional dependency (or a module the other stages no longer have): loaded lazily
        except Exception as exc:
            problems.append(f"import {name}: {type(exc).__name__}: {exc}")
    for label, step in _STEPS:
        try:
            step()
        except Exception as exc:
            problems.append(f"{label}: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}")
    return problems


def _parser() -> None:
    from appwarden.cli import build_parser

    # parsing compiles (and caches) argparse's regexes
    build_parser("scan").parse_args(["scan", "warm-up.apk", "-o", "-", "--fail-on", "high"])


def _knowledge() -> None:
    from appwarden.scan import engine_info, warm_up

    warm_up()  # PI API index, SDK knowledge base and matcher, rules, predicates
    engine_info()  # rules version


def _tables() -> None:
    from appwarden.report.permissions import permission_pi_categories
    from appwarden.report.view import clause_titles
    from appwarden.rules.category import necessary_pi

    permission_pi_categories()
    necessary_pi()
    clause_titles()


def _category_patterns() -> None:
    """Compile the 39类 keyword patterns (``re`` caches them per process) by inferring a made-up app's type."""
    from types import SimpleNamespace

    from appwarden.rules.category import infer_category

    infer_category(SimpleNamespace(app=SimpleNamespace(label="warm-up", package="com.example.warmup")))  # type: ignore[arg-type]


def _policy() -> None:
    from appwarden.policy import analyze_policy

    analyze_policy(_POLICY_SAMPLE, source="warm-up")


def _summaries() -> None:
    """Render the terminal summary of an empty report both ways (plain text, and rich as on a terminal)."""
    from rich.console import Console

    from appwarden.report.terminal import render_summary, summary_text

    summary_text({})
    render_summary({}, Console(file=io.StringIO(), force_terminal=True, width=100))


def scan_warm_up_apk() -> None:
    """Scan the bundled warm-up APK the way ``appwarden scan`` does (report to /dev/null, summary to a buffer), so
    that whatever a first scan initialises lazily (caches, compiled patterns, first-call paths) is in the warm
    heap that the forked children share instead of being redone by each of them."""
    from appwarden.cli import main

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(["scan", str(WARMUP_APK), "-o", os.devnull])
    if code != 0:
        raise RuntimeError(f"the warm-up scan of {WARMUP_APK.name} exited with code {code}")


_STEPS: tuple[tuple[str, Callable[[], None]], ...] = (
    ("argument parser", _parser),
    ("knowledge", _knowledge),
    ("report tables", _tables),
    ("category patterns", _category_patterns),
    ("policy analysis", _policy),
    ("terminal summary", _summaries),
    ("warm-up scan", scan_warm_up_apk),
)
