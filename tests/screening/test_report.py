"""Every report carries a valid ``screening`` section: through the real pipeline, for a run without an APK, for a
report written before screening existed, when the stage times out, and for malformed APKs."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from appwarden.errors import AppwardenError, StageTimeout
from appwarden.evidence import Evidence
from appwarden.report.html import render_html
from appwarden.report.json import build_report, load_report, validate_report
from appwarden.report.terminal import summary_text
from appwarden.scan import build_static_evidence, report_for, scan_apk

APPS = Path(__file__).resolve().parent / "_apps"


@pytest.mark.parametrize(
    ("name", "verdict"),
    [("screen_bad", "harmful"), ("screen_clean", "none"), ("screen_counterfeit", "harmful")],
)
def test_pipeline_report_has_valid_screening(name: str, verdict: str) -> None:
    report = validate_report(scan_apk(APPS / f"{name}.apk"))
    section = report["screening"]
    assert section["verdict"] == verdict and section["evaluated"] is True
    assert bool(section["categories"]) == (verdict != "none")
    assert "screening" in report["timings"]
    line = next(ln for ln in summary_text(report).splitlines() if "screening" in ln)
    assert verdict in line
    html = render_html(report)
    assert 'id="screening"' in html and verdict in html
    # a flagged verdict says it is a lead to check, with where its measured error rates are
    assert ('id="screening-caution"' in html) == (verdict != "none")


def test_bad_app_html_lists_indicators_with_evidence() -> None:
    report = scan_apk(APPS / "screen_bad.apk")
    html = render_html(report)
    for ind in report["screening"]["indicators"]:
        assert ind["id"] in html
    assert "1066185829" in html  # the premium number, as evidence


def test_report_without_apk_says_not_screened() -> None:
    report = validate_report(build_report(Evidence(), None, engine={"name": "appwarden"}))
    assert report["screening"]["verdict"] == "none" and report["screening"]["evaluated"] is False


def test_report_from_static_evidence_alone_is_screened() -> None:
    report = validate_report(report_for(Evidence(static=build_static_evidence(APPS / "screen_bad.apk"))))
    ids = {i["id"] for i in report["screening"]["indicators"]}
    assert "sms.premium_number" in ids  # code indicators run without the APK object
    assert any("without the APK" in n for n in report["screening"]["notes"])


def test_old_report_is_upgraded_on_load(tmp_path: Path) -> None:
    report = scan_apk(APPS / "screen_clean.apk")
    del report["screening"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    loaded = load_report(path)
    assert loaded["screening"]["evaluated"] is False and loaded["screening"]["verdict"] == "none"


def test_screening_schema_rejects_unknown_verdict_and_category() -> None:
    report = scan_apk(APPS / "screen_clean.apk")
    report["screening"]["verdict"] = "evil"
    with pytest.raises(AppwardenError, match="screening"):
        validate_report(report)
    report["screening"]["verdict"] = "harmful"
    report["screening"]["categories"] = ["malware"]
    with pytest.raises(AppwardenError, match="screening"):
        validate_report(report)


def test_screening_timeout_is_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    import appwarden.screening as screening

    def slow(*args: object, **kwargs: object) -> None:
        raise StageTimeout("stage 'screening' exceeded its time limit (1 s)")

    monkeypatch.setattr(screening, "screen", slow)
    report = validate_report(scan_apk(APPS / "screen_bad.apk"))
    assert report["screening"]["evaluated"] is False and report["screening"]["verdict"] == "none"
    assert any(e["stage"] == "screening" and "skipped" in e["message"] for e in report["errors"])


def _rewrite(src: Path, dst: Path, replace: dict[str, bytes], add: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename.startswith("META-INF/"):
                continue
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info.filename)))
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def test_corrupt_dex_and_assets_still_get_screening(tmp_path: Path) -> None:
    apk = _rewrite(
        APPS / "screen_bad.apk",
        tmp_path / "broken.apk",
        {"classes.dex": b"dex\n035\x00" + bytes(200)},
        {"assets/zero.bin": b"", "assets/page.html": "\udcff".encode("utf-8", "surrogatepass")},
    )
    report = validate_report(scan_apk(apk))
    section = report["screening"]
    assert section["evaluated"] is True
    ids = {i["id"] for i in section["indicators"]}
    # without bytecode, manifest, text and asset indicators still speak
    assert {"sms.intercept_receiver", "dropper.disguised_payload", "gambling.vocabulary"} <= ids
    assert "sms.premium_number" not in ids
    assert any("no readable bytecode" in n for n in section["notes"])


def test_broken_manifest_gets_a_clear_error(tmp_path: Path) -> None:
    """A manifest Android could not read is not an APK: one clear line (the CLI exits 2), never a traceback."""
    cases = {
        "garbage.apk": (APPS / "screen_bad.apk", b"\x03\x00\x08\x00" + bytes(40)),
        "text.apk": (APPS / "screen_clean.apk", b"<manifest package='x'/>"),
    }
    for name, (src, manifest) in cases.items():
        apk = _rewrite(src, tmp_path / name, {"AndroidManifest.xml": manifest})
        with pytest.raises(AppwardenError) as info:
            scan_apk(apk)
        assert str(info.value) and "\n" not in str(info.value)


def test_rules_version_follows_screening_knowledge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The platform reuses a scan when sha256, engine and rules version match: a changed screening indicator must
    change the version, or a stored report would keep an outdated screening verdict."""
    from appwarden.rules import loader
    from appwarden.screening.loader import SCREENING_DIR

    kb = tmp_path / "screening"
    kb.mkdir()
    for src in SCREENING_DIR.glob("*.yaml"):
        (kb / src.name).write_bytes(src.read_bytes())
    code_dir = dict(loader._SCREENING_DIRS)
    code = next(d for d, ext in code_dir.items() if ext == ".py")
    monkeypatch.setattr(loader, "_SCREENING_DIRS", ((code, ".py"), (str(kb), ".yaml")))
    monkeypatch.setattr(loader, "_VERSIONS", {})
    monkeypatch.setattr(loader, "cache_dir", lambda: None)
    before = loader.rules_version()
    (kb / "sms.yaml").write_text(
        (kb / "sms.yaml").read_text(encoding="utf-8").replace("weight: 35", "weight: 36")
    )
    loader._VERSIONS.clear()
    assert loader.rules_version() != before


def test_hostile_assets_are_bounded_and_noted(tmp_path: Path) -> None:
    import io

    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("classes.dex", b"dex\n035\x00")
    extra = {f"assets/p{i}.bin": inner.getvalue() for i in range(60)}  # 60 hidden APK/JAR-like zips
    extra["assets/big.html"] = b"<p>" + b"a" * (5 * 1024 * 1024)  # a text file over the per-file cap
    apk = _rewrite(APPS / "screen_clean.apk", tmp_path / "many.apk", {}, extra)
    report = validate_report(scan_apk(apk))
    section = report["screening"]
    payload = next(i for i in section["indicators"] if i["id"] == "dropper.disguised_payload")
    assert payload["count"] == 50  # only the first 50 zip assets are opened
    notes = " ".join(section["notes"])
    assert "zip asset not opened" in notes and "assets/big.html: over 4 MB" in notes


def test_batch_results_carry_the_screening_verdict(tmp_path: Path) -> None:
    import csv

    from appwarden.batch import BatchOptions, run_batch

    run_batch([APPS / "screen_bad.apk", APPS / "screen_clean.apk"], tmp_path / "out", BatchOptions(jobs=1))
    rows = list(csv.DictReader((tmp_path / "out" / "results.csv").open(encoding="utf-8-sig")))
    by_label = {row["package"]: row for row in rows}
    assert by_label["com.appwarden.screen.bad"]["screening"] == "harmful"
    assert "sms_fraud" in by_label["com.appwarden.screen.bad"]["screening_categories"].split(";")
    assert by_label["com.appwarden.screen.clean"]["screening"] == "none"
