"""Checks against ../shared: the generated knowledge files are in sync, and no rule raises on real apps."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

from appwarden.knowledge import KNOWLEDGE_DIR

ROOT = Path(__file__).resolve().parents[2]


def _builder():
    spec = importlib.util.spec_from_file_location(
        "build_regulations", ROOT / "scripts" / "build_regulations.py"
    )
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.mark.corpus
def test_generated_knowledge_matches_shared_regulations(shared_dir: Path) -> None:
    builder = _builder()
    regs = builder.build(shared_dir)
    committed = yaml.safe_load((KNOWLEDGE_DIR / "regulations.yaml").read_text(encoding="utf-8"))
    assert committed == regs, "regulations.yaml is stale: run scripts/build_regulations.py"
    index = yaml.safe_load((shared_dir / "regulations" / "index.yaml").read_text(encoding="utf-8"))
    assert [i["id"] for i in committed["items"]] == [i["id"] for i in index["items"]]
    necessary = yaml.safe_load((KNOWLEDGE_DIR / "necessary_pi.yaml").read_text(encoding="utf-8"))
    assert necessary == builder.build_necessary(shared_dir)


@pytest.mark.corpus
@pytest.mark.slow
def test_no_rule_raises_on_cn_sdk_apps(corpus_dir: Path) -> None:
    from appwarden.rules.engine import evaluate
    from appwarden.rules.loader import load_rules
    from appwarden.scan import build_evidence

    rules = load_rules()
    apks = sorted((corpus_dir / "apks" / "cn_sdk").glob("*.apk"))
    assert apks
    fired = 0
    for apk in apks:
        results = evaluate(build_evidence(apk), rules)
        assert results.errors == [], f"{apk.name}: {[e.message for e in results.errors]}"
        fired += len(results.findings)
        for f in results.findings:
            assert f.evidence and f.clauses
    assert fired > 0


@pytest.mark.corpus
def test_packed_app_code_rules_are_not_evaluated(corpus_dir: Path) -> None:
    from appwarden.rules.engine import evaluate
    from appwarden.rules.loader import load_rules
    from appwarden.scan import build_evidence

    apk = corpus_dir / "apks" / "cn_sdk" / "Reinforce__app-release_10_jiagu_sign.apk"
    if not apk.is_file():
        pytest.skip(f"{apk.name} not in the corpus")
    evidence = build_evidence(apk)
    assert evidence.static is not None and evidence.static.packer is not None
    results = evaluate(evidence, load_rules())
    packed = {n.rule_id for n in results.not_evaluated if "packed" in n.reason}
    assert {"pi.startup.device_id", "pi.device_id.read", "sec.trust_all_tls"} <= packed
    assert not any(f.rule_id.startswith("pi.") for f in results.findings)
