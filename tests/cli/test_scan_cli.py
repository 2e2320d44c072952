"""The ``appwarden scan`` / ``report`` commands as users run them: exit codes, outputs, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from appwarden.cli import main
from appwarden.report.json import validate_report

APKS = Path(__file__).resolve().parents[1] / "fixtures" / "apks"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "appwarden", *args], capture_output=True, text=True, timeout=300
    )


def test_scan_writes_a_valid_report_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.json"
    assert main(["scan", str(APKS / "pi_all.apk"), "-o", str(out)]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    validate_report(report)
    assert report["app"]["package"] == "com.appwarden.fixture.pi"
    assert {c["category"] for c in report["callsites"]} >= {"imei", "android_id", "location", "app_list"}
    assert all("->" in c["caller"] and c["caller"].startswith("L") for c in report["callsites"])
    text = capsys.readouterr().out
    assert "com.appwarden.fixture.pi" in text and "个人信息调用点" in text


def test_fail_on_sets_exit_code_1(tmp_path: Path) -> None:
    assert (
        main(["scan", str(APKS / "pi_all.apk"), "-q", "-o", str(tmp_path / "r.json"), "--fail-on", "high"])
        == 1
    )
    assert main(["scan", str(APKS / "minimal.apk"), "-q", "--fail-on", "none"]) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"hello, not a zip at all" * 10, "not"), (None, "no such file")],
)
def test_bad_input_is_one_line_exit_2(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "bad.apk"
    if content is not None:
        path.write_bytes(content)
    proc = run_cli("scan", str(path))
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("appwarden: error:") and message in lines[0].lower()
    assert "Traceback" not in proc.stderr


def test_truncated_apk_is_one_line_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "trunc.apk"
    path.write_bytes((APKS / "pi_all.apk").read_bytes()[:3000])
    proc = run_cli("scan", str(path))
    assert (
        proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    )


def test_report_render_from_stored_json(tmp_path: Path) -> None:
    stored = tmp_path / "r.json"
    assert main(["scan", str(APKS / "pi_all.apk"), "-q", "-o", str(stored)]) == 0
    for fmt, name in (("html", "r.html"), ("sarif", "r.sarif"), ("notice-csv", "n.csv")):
        assert main(["report", "render", str(stored), "--format", fmt, "-o", str(tmp_path / name)]) == 0
    assert "<html" in (tmp_path / "r.html").read_text(encoding="utf-8").lower()
    assert json.loads((tmp_path / "r.sarif").read_text())["version"] == "2.1.0"
    assert "应用名称" in (tmp_path / "n.csv").read_text(encoding="utf-8-sig")
    assert main(["report", "validate", str(stored)]) == 0


def test_unknown_format_is_an_error(tmp_path: Path) -> None:
    proc = run_cli("scan", str(APKS / "minimal.apk"), "-q", "--format", "docx", "-o", str(tmp_path / "x"))
    assert proc.returncode == 2 and "unknown report format" in proc.stderr


TRACES = Path(__file__).resolve().parents[1] / "fixtures" / "traces"


def test_trace_upgrades_static_finding_to_confirmed(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    trace = TRACES / "pi_all_umeng_pre_consent.jsonl"
    assert main(["scan", str(APKS / "pi_all.apk"), "-q", "-o", str(out)]) == 0
    before = json.loads(out.read_text())
    assert main(["scan", str(APKS / "pi_all.apk"), "-q", "-o", str(out), "--trace", str(trace)]) == 0
    after = json.loads(out.read_text())
    validate_report(after)

    def startup(report: dict, owner: str) -> dict:
        return next(
            f for f in report["findings"] if f["rule_id"] == "pi.startup.device_id" and f["owner"] == owner
        )

    # static: likely (pi_all's App.onCreate tests no condition before the SDK init: nothing can gate it)
    assert startup(before, "umeng_common")["confidence"] == "likely"
    assert startup(after, "umeng_common")["confidence"] == "confirmed"
    assert startup(after, "host")["confidence"] == "likely"  # the trace shows no host pre-consent read
    assert not any(n["rule_id"].startswith("dynamic.") for n in after["not_evaluated"])


def test_trace_of_another_app_is_ignored_with_an_error(tmp_path: Path) -> None:
    trace = tmp_path / "other.jsonl"
    lines = (TRACES / "pi_all_umeng_pre_consent.jsonl").read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    header["app"]["package"] = "com.other.app"
    header["app"].pop("sha256", None)
    trace.write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n", encoding="utf-8")
    out = tmp_path / "r.json"
    assert main(["scan", str(APKS / "pi_all.apk"), "-q", "-o", str(out), "--trace", str(trace)]) == 0
    report = json.loads(out.read_text())
    assert any(e["stage"] == "dynamic" and "com.other.app" in e["message"] for e in report["errors"])
    assert not any(f["rule_id"].startswith("dynamic.") for f in report["findings"])
    assert all(f["confidence"] != "confirmed" or f["rule_id"].startswith("sec.") for f in report["findings"])


def test_dex_stage_over_its_time_limit_is_reported_not_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from appwarden.errors import LimitExceeded
    from appwarden.limits import DEFAULT_LIMITS
    from appwarden.scan import scan_apk, stage_deadline

    with pytest.raises(LimitExceeded, match="time limit"), stage_deadline("spin", 0.05):
        time.sleep(2)  # a stage that spins is interrupted by its deadline

    def spinning_index(blobs: object, limits: object) -> None:
        with stage_deadline("dex", 0.05):
            time.sleep(2)

    monkeypatch.setattr("appwarden.dex.index.build_index", spinning_index)
    report = scan_apk(APKS / "pi_all.apk", limits=DEFAULT_LIMITS)
    assert any(e["stage"] == "dex" and "skipped" in e["message"] for e in report["errors"])
    assert report["callsites"] == [] and report["app"]["package"] == "com.appwarden.fixture.pi"
    assert any("static.callsites" in n.get("missing", []) for n in report["not_evaluated"])


def test_an_empty_notice_table_says_why_even_when_quiet(tmp_path: Path) -> None:
    """pi_all.apk has likely/possible findings with 通报 types but none confirmed: the CSV has only its header, and
    one stderr line says the findings wait for review (an empty table is not a clean app)."""
    out = tmp_path / "n.csv"
    proc = run_cli("scan", str(APKS / "pi_all.apk"), "-q", "--format", "notice-csv", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert len(out.read_text(encoding="utf-8-sig").strip().splitlines()) == 1  # the header only
    lines = [x for x in proc.stderr.splitlines() if "通报表无数据行" in x]
    assert len(lines) == 1 and "待人工复核" in lines[0], proc.stderr
    stored = tmp_path / "r.json"
    assert main(["scan", str(APKS / "pi_all.apk"), "-q", "-o", str(stored)]) == 0
    proc = run_cli("report", "render", str(stored), "--format", "notice-csv", "-o", str(tmp_path / "m.csv"))
    assert proc.returncode == 0 and "通报表无数据行" in proc.stderr
    proc = run_cli("scan", str(APKS / "pi_all.apk"), "-q", "--format", "json", "-o", str(stored))
    assert "通报表无数据行" not in proc.stderr  # only for the notice formats


SCREEN_APPS = Path(__file__).resolve().parents[1] / "screening" / "_apps"


def test_fail_on_screening_gates_on_the_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad, clean = str(SCREEN_APPS / "screen_bad.apk"), str(SCREEN_APPS / "screen_clean.apk")  # harmful / none
    assert main(["scan", bad, "-q", "-o", str(tmp_path / "b.json")]) == 0  # the default gate never fails
    assert main(["scan", bad, "-q", "--fail-on-screening", "harmful"]) == 1
    assert "screening verdict harmful" in capsys.readouterr().err
    assert main(["scan", bad, "-q", "--fail-on-screening", "suspicious"]) == 1
    assert "is at or above suspicious" in capsys.readouterr().err
    assert main(["scan", clean, "-q", "--fail-on-screening", "suspicious"]) == 0
    assert capsys.readouterr().err == ""


def test_fail_on_screening_fails_closed_when_not_evaluated() -> None:
    from appwarden.cli.scan import fails_screening
    from appwarden.screening import not_screened

    assert fails_screening({"screening": not_screened("screening skipped: time limit")}, "harmful")
    assert fails_screening({}, "suspicious")
    assert fails_screening({"screening": {"evaluated": True, "verdict": "suspicious"}}, "harmful") is None
    assert fails_screening({"screening": {"evaluated": False, "verdict": "none"}}, "none") is None
