"""bench/rules_eval.py on a two-APK corpus built from the rule fixtures (the script the lead re-runs)."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = Path(__file__).resolve().parent / "_apps"


def test_rules_eval_counts_findings_per_rule(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("rules_eval", ROOT / "bench" / "rules_eval.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    corpus = tmp_path / "corpus"
    (corpus / "apks" / "demo").mkdir(parents=True)
    for name in ("bad.apk", "clean.apk"):
        shutil.copy(APPS / name, corpus / "apks" / "demo" / name)
    (corpus / "apks" / "demo" / "broken.apk").write_bytes(b"not a zip")
    out = tmp_path / "result.json"
    argv = ["--corpus", str(corpus), "--sets", "demo", "--jobs", "1", "--check-set", "demo", "-o", str(out)]
    assert module.main(argv) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["apps"] == 3 and data["apps_failed"] == 1
    per_app = {Path(a["file"]).name: a for a in data["per_app"]}
    assert "ApkFormatError" in per_app["broken.apk"]["error"]
    bad_findings = per_app["bad.apk"]["findings"]
    assert all(isinstance(f["notice_types"], list) and f["message_zh"] for f in bad_findings)
    assert any(f["notice_types"] for f in bad_findings if f["rule_id"].startswith("pi."))
    assert all(f["notice_types"] == [] for f in bad_findings if f["rule_id"].startswith("sec."))
    # hand-check list of the checked set: every high finding, medium ones round-robin over rules
    checks = data["hand_check"]
    highs = {
        (Path(a["file"]).stem, i)
        for a in data["per_app"]
        for i, f in enumerate(a.get("findings", []))
        if f["severity"] == "high"
    }
    assert highs and {(c["app"], c["index"]) for c in checks if c["sampled_as"] == "high"} == highs
    mediums = [c for c in checks if c["sampled_as"] == "medium"]
    assert mediums and all(c["severity"] == "medium" for c in mediums)
    bad_rules = {f["rule_id"] for f in bad_findings}
    assert {"sec.trust_all_tls", "shake.threshold_below", "pi.startup.clipboard"} <= bad_rules
    clean_static = [
        f for f in per_app["clean.apk"]["findings"] if not f["rule_id"].startswith(("policy.", "dynamic."))
    ]
    # the clean twin still has the (compliant, 20 m/s²) ad-SDK shake listener: only the review lead fires
    assert [f["rule_id"] for f in clean_static] == ["shake.sdk_listener"]
    assert data["per_rule"]["sec.trust_all_tls"] == {
        "findings": 1, "apps": 1, "by_set": {"demo": 1}, "by_severity": {"high": 1},
        "by_confidence": {"likely": 1}, "host": 1, "sdk": 0,
    }  # fmt: skip
