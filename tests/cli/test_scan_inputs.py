"""``appwarden scan`` never drops an input the user supplied, and ends hostile input within its limits (issues
#16 part 3 and #17), through the real command line in a subprocess: exit code, one line on stderr, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

APKS = Path(__file__).resolve().parents[1] / "fixtures" / "apks"
APK = str(APKS / "minimal.apk")


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "APPWARDEN_NO_DAEMON": "1"}
    return subprocess.run(
        [sys.executable, "-m", "appwarden", *args], capture_output=True, text=True, timeout=timeout, env=env
    )


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("appwarden: error: "), proc.stderr
    return lines[0]


# -- --category -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["N39-07", "n39-7", "餐饮外卖类", "餐饮外卖", "food delivery"])
def test_category_by_id_or_name(tmp_path: Path, value: str) -> None:
    out = tmp_path / "r.json"
    proc = run_cli("scan", APK, "-q", "-o", str(out), "--category", value)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert (report["meta"]["category"], report["meta"]["category_inferred"]) == ("N39-07", False)


@pytest.mark.parametrize("value", ["N39-40", "外卖", "bogus", ""])
def test_unknown_category_is_exit_2_saying_how_to_list(value: str) -> None:
    line = one_line_error(run_cli("scan", APK, "-q", "--category", value))
    assert "unknown app category" in line and "--category list" in line


def test_category_list_prints_the_39_types() -> None:
    proc = run_cli("scan", "--category", "list")
    assert proc.returncode == 0, proc.stderr
    rows = proc.stdout.strip().splitlines()
    assert len(rows) == 39 and rows[6].split()[:2] == ["N39-07", "餐饮外卖类"]


# -- --policy / --trace the user supplied: never dropped ---------------------------------------------------------

HEADER = {
    "type": "header",
    "format": "appwarden-trace",
    "schema_version": 1,
    "app": {"package": "com.example.fixture"},
    "started_at": "2026-11-23T14:00:00Z",
}


def _bad_input(tmp_path: Path, kind: str) -> str:
    path = tmp_path / f"input-{kind}"
    if kind == "missing":
        pass
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "binary":
        path.write_bytes(bytes(range(256)) * 40)
    elif kind == "directory":
        path.mkdir()
    elif kind == "pipe":
        os.mkfifo(path)
    elif kind == "device":
        path.symlink_to("/dev/zero")
    return str(path)


KINDS = ["missing", "empty", "binary", "directory", "pipe", "device"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("option", ["--policy", "--trace"])
def test_unreadable_policy_or_trace_is_exit_2(tmp_path: Path, option: str, kind: str) -> None:
    out = tmp_path / "r.json"
    proc = run_cli("scan", APK, "-q", "-o", str(out), option, _bad_input(tmp_path, kind), timeout=60)
    line = one_line_error(proc)
    assert f"input-{kind}" in line
    assert not out.exists()  # no report that would let a CI pass without the input


# -- hostile traces ------------------------------------------------------------------------------------------------


def test_deeply_nested_trace_line_is_skipped_with_an_error(tmp_path: Path) -> None:
    trace = tmp_path / "deep.jsonl"
    deep = '{"t":1,"type":"ui","event":"mark","x":' + "[" * 100_000 + "]" * 100_000 + "}"
    trace.write_text(json.dumps(HEADER) + "\n" + deep + "\n" + '{"t":2,"type":"ui","event":"mark"}\n')
    out = tmp_path / "r.json"
    proc = run_cli("scan", APK, "-q", "-o", str(out), "--trace", str(trace))
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    errors = json.loads(out.read_text(encoding="utf-8"))["errors"]
    assert {
        "line": 2,
        "stage": "dynamic",
        "message": "JSON nested deeper than 64 levels; event skipped",
    } in errors


def test_gzip_newline_bomb_trace_ends_at_the_stage_deadline(tmp_path: Path) -> None:
    import zlib

    trace = tmp_path / "bomb.jsonl.gz"
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip container
    parts = [comp.compress((json.dumps(HEADER) + "\n").encode())]
    block = b"\n" * (1 << 20)
    parts += [comp.compress(block) for _ in range(1024)]  # 1 GiB of empty lines
    parts.append(comp.flush())
    trace.write_bytes(b"".join(parts))
    assert trace.stat().st_size < 2_000_000
    out = tmp_path / "r.json"
    started = time.monotonic()
    proc = run_cli("scan", APK, "-q", "-o", str(out), "--trace", str(trace), "--stage-timeout", "2")
    elapsed = time.monotonic() - started
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    errors = json.loads(out.read_text(encoding="utf-8"))["errors"]
    assert any(
        e["stage"] == "dynamic"
        and "trace analysis skipped: stage 'trace' exceeded its time limit of 2 s" in e["message"]
        for e in errors
    ), errors
    assert elapsed < 60  # generous: the deadline is 2 s; before, the whole GiB was read


# -- hostile APKs end with a report within their limits --------------------------------------------------------


def test_dex_strings_sharing_one_long_string_end_quickly_with_an_error(tmp_path: Path) -> None:
    from tests.apk.apk_zipbuild import Entry, ZipSpec, build_zip
    from tests.apk.hostile_build import MANIFEST
    from tests.dex.dexwriter import shared_string_dex

    apk = tmp_path / "strings.apk"
    dex = shared_string_dex(600_000, 4 * 1024 * 1024)
    apk.write_bytes(build_zip(ZipSpec([Entry("AndroidManifest.xml", MANIFEST), Entry("classes.dex", dex)])))
    out = tmp_path / "r.json"
    started = time.monotonic()
    proc = run_cli("scan", str(apk), "-q", "-o", str(out), "--stage-timeout", "5")
    assert proc.returncode == 0, proc.stderr
    assert time.monotonic() - started < 60  # was 27 s past a 5 s limit
    messages = [e["message"] for e in json.loads(out.read_text(encoding="utf-8"))["errors"]]
    assert "classes.dex: string ids 5 and 6 share their string data" in messages


def test_dex_entries_sharing_one_record_end_with_a_report(tmp_path: Path) -> None:
    from tests.apk.hostile_build import shared_record_apk

    apk = tmp_path / "shared.apk"
    apk.write_bytes(shared_record_apk(bytes(range(256)) * (16 * 1024 * 1024 // 256), 16))
    out = tmp_path / "r.json"
    proc = run_cli("scan", str(apk), "-q", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    errors = json.loads(out.read_text(encoding="utf-8"))["errors"]
    shared = [e for e in errors if "shares its data with entry 'classes.dex'" in e["message"]]
    assert sorted(e["path"] for e in shared) == sorted(f"classes{i}.dex" for i in range(2, 17))


@pytest.mark.parametrize("kind", ["pipe", "device", "directory"])
def test_apk_that_is_not_a_regular_file_is_exit_2_at_once(tmp_path: Path, kind: str) -> None:
    line = one_line_error(run_cli("scan", _bad_input(tmp_path, kind), timeout=60))
    assert "regular file" in line


# -- trace importers ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["har", "camille"])
@pytest.mark.parametrize("kind", ["pipe", "device", "directory"])
def test_trace_import_refuses_what_is_not_a_regular_file(tmp_path: Path, source: str, kind: str) -> None:
    out = tmp_path / "t.jsonl"
    src = _bad_input(tmp_path, kind)
    proc = run_cli("trace", "import", "--from", source, src, "-o", str(out), "--package", "com.x", timeout=60)
    assert "regular file" in one_line_error(proc)


def test_deeply_nested_har_is_a_format_error(tmp_path: Path) -> None:
    har = tmp_path / "deep.har"
    har.write_text('{"log": {"entries": ' + "[" * 200_000 + "]" * 200_000 + "}}")
    proc = run_cli(
        "trace", "import", "--from", "har", str(har), "-o", str(tmp_path / "t.jsonl"), "--package", "a.b"
    )
    assert "not a HAR file (invalid JSON)" in one_line_error(proc)


@pytest.mark.parametrize("command", ["validate", "analyze"])
def test_trace_commands_refuse_a_pipe_and_survive_a_deep_line(tmp_path: Path, command: str) -> None:
    assert "regular file" in one_line_error(
        run_cli("trace", command, _bad_input(tmp_path, "pipe"), timeout=60)
    )
    trace = tmp_path / "deep.jsonl"
    deep = '{"t":1,"type":"ui","event":"mark","x":' + "[" * 100_000 + "]" * 100_000 + "}"
    trace.write_text(json.dumps(HEADER) + "\n" + deep + "\n")
    proc = run_cli("trace", command, str(trace))
    assert (
        proc.returncode in (0, 1) and "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    )


@pytest.mark.parametrize("fmt", ["json", "html", "sarif"])
def test_policy_and_trace_at_names_that_are_not_utf8(tmp_path: Path, fmt: str) -> None:
    """``--policy``/``--trace`` files whose names are not UTF-8 (bytes 0xff/0xfe) crashed every scan with
    ``internal error: UnicodeEncodeError`` when the report (json, html, sarif) was written: the name went into it
    as lone surrogates. The report now names them with ``\\xff`` escapes."""
    fixtures = APKS.parent
    odd = os.fsencode(tmp_path) + b"/odd\xff"
    os.mkdir(odd)
    with open(odd + b"/p\xfe.txt", "wb") as fh:
        fh.write((fixtures / "policies" / "location_policy.txt").read_bytes())
    with open(odd + b"/t\xfe.jsonl", "wb") as fh:
        fh.write((fixtures / "traces" / "mac_before_dialog.jsonl").read_bytes())
    out = tmp_path / f"r.{fmt}"
    proc = run_cli(
        "scan", "-q", "--format", fmt, "-o", str(out), "--policy", odd + b"/p\xfe.txt", "--trace", odd + b"/t\xfe.jsonl", APK
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "odd\\xff/p\\xfe.txt" in out.read_text(encoding="utf-8").replace("\\\\", "\\")


def test_fail_on_gate_does_not_pass_an_incomplete_analysis(tmp_path: Path) -> None:
    """A 20 MB app whose rules stage ran over its time limit had 0 findings and ``--fail-on high`` exited 0: an
    APK that makes the rules slow (or a DEX the engine refuses) passed the gate on "nothing found" in what was never
    analysed. Now such a scan fails the gate with a one-line reason; ``--fail-on none`` still exits 0."""
    import zipfile

    from tests.apk.apk_zipbuild import Entry, ZipSpec, build_zip
    from tests.apk.hostile_build import MANIFEST

    with zipfile.ZipFile(APKS / "minimal.apk") as z:
        dex = z.read("classes.dex")
    clean = tmp_path / "clean.apk"  # a label-only manifest: no finding at high
    clean.write_bytes(
        build_zip(ZipSpec(entries=[Entry("AndroidManifest.xml", MANIFEST), Entry("classes.dex", dex)]))
    )
    out = str(tmp_path / "r.json")
    policy = str(APKS.parent / "policies" / "full_policy.html")
    proc = run_cli("scan", "-q", "--policy", policy, "--fail-on", "high", "-o", out, str(clean))
    assert proc.returncode == 0, proc.stderr
    bad = tmp_path / "truncated_dex.apk"  # the same plus a second DEX cut in half: its code is never read
    bad.write_bytes(
        build_zip(
            ZipSpec(
                entries=[
                    Entry("AndroidManifest.xml", MANIFEST),
                    Entry("classes.dex", dex),
                    Entry("classes2.dex", dex[: len(dex) // 2]),
                ]
            )
        )
    )
    proc = run_cli("scan", "-q", "--policy", policy, "--fail-on", "high", "-o", out, str(bad))
    assert proc.returncode == 1, proc.stderr
    assert "dex stage incomplete" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    proc = run_cli("scan", "-q", "--policy", policy, "--fail-on", "none", "-o", out, str(bad))
    assert proc.returncode == 0, proc.stderr


def test_rules_over_their_time_limit_fail_the_gate() -> None:
    from appwarden.completeness import incomplete

    report = {
        "findings": [],
        "policy": {"found": False},
        "errors": [{"stage": "rules", "message": "rule evaluation skipped: stage 'rules' …"}],
    }
    assert "rules stage incomplete" in (incomplete(report) or "")
    no_policy = {"findings": [], "policy": {"found": False}, "errors": [{"stage": "policy", "message": "x"}]}
    assert incomplete(no_policy) is None  # no policy bundled: policy.missing ran, the analysis is complete
