"""``appwarden sdk list|show|check`` through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from appwarden.cli import main

from .conftest import write_sdk


def test_check_shipped_kb_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sdk", "check"]) == 0
    out = capsys.readouterr().out
    assert "ok" in out and "SDK files" in out


def test_check_bad_kb_exits_2_with_file_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write_sdk(tmp_path, "curated", {"id": "a_sdk", "signatures": {"packages": ["com.vendor.a"]}})
    clash = write_sdk(
        tmp_path, "curated", {"id": "b_sdk", "signatures": {"packages": ["com.vendor.a", "com.vendor.b"]}}
    )
    generic = write_sdk(tmp_path, "curated", {"id": "c_sdk", "signatures": {"packages": ["com"]}})
    unknown = write_sdk(tmp_path, "imported", {"id": "d_sdk", "category": "spyware", "signatures": {"packages": ["org.d"]},
                                               "source": [{"dataset": "libradar"}]})  # fmt: skip
    nosource = write_sdk(
        tmp_path, "curated", {"id": "e_sdk", "source": None, "signatures": {"packages": ["org.e"]}}
    )
    smali = write_sdk(tmp_path, "curated", {"id": "f_sdk", "signatures": {"packages": ["Lorg/f/g"]}})
    badpi = write_sdk(
        tmp_path, "curated", {"id": "g_sdk", "pi_collected": ["aura"], "signatures": {"packages": ["org.g"]}}
    )
    (tmp_path / "curated" / "h_sdk.yaml").write_text("id: h_sdk\nname_zh: [unclosed\n", encoding="utf-8")
    assert main(["sdk", "check", "--kb", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert any(line.startswith(f"{clash}:") and "also claimed by a_sdk" in line for line in lines)
    assert any(line.startswith(f"{generic}:") and "too generic" in line for line in lines)
    assert any(line.startswith(f"{unknown}:") and "unknown category" in line for line in lines)
    assert any(line.startswith(f"{nosource}:") and "missing 'source'" in line for line in lines)
    assert any(line.startswith(f"{smali}:") and "dotted form" in line for line in lines)
    assert any(line.startswith(f"{badpi}:") and "unknown PI category" in line for line in lines)
    assert any(
        line.startswith(str(tmp_path / "curated" / "h_sdk.yaml") + ":3: did not find") for line in lines
    )
    assert not any(line.startswith(f"{good}:") for line in lines)
    # every error line carries file:line
    assert all(line.split(":")[1].isdigit() for line in lines)


def test_check_duplicate_ids_and_override_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_sdk(
        tmp_path,
        "imported",
        {"id": "x_sdk", "signatures": {"packages": ["org.x"]}, "source": [{"dataset": "libradar"}]},
    )
    write_sdk(tmp_path, "curated", {"id": "x_sdk", "signatures": {"packages": ["org.x"]}})
    assert main(["sdk", "check", "--kb", str(tmp_path), "-v"]) == 0
    assert "overrides" in capsys.readouterr().err
    (tmp_path / "x_sdk.yaml").write_text((tmp_path / "curated" / "x_sdk.yaml").read_text(), encoding="utf-8")
    assert main(["sdk", "check", "--kb", str(tmp_path)]) == 2
    assert "duplicate SDK id 'x_sdk'" in capsys.readouterr().err


def test_list_filters(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sdk", "list", "--chinese", "--category", "push", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    ids = {r["id"] for r in rows}
    assert {"jpush", "getui_push", "xiaomi_push", "huawei_push"} <= ids
    assert all(r["chinese"] and r["category"] == "push" for r in rows)
    assert "firebase_messaging" not in ids
    assert main(["sdk", "list"]) == 0
    out = capsys.readouterr().out
    assert len(out.strip().splitlines()) >= 400


def test_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sdk", "show", "umeng_analytics"]) == 0
    out = capsys.readouterr().out
    assert "友盟" in out and "com.umeng.analytics" in out and "source: curated" in out
    assert main(["sdk", "show", "jpush", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["id"] == "jpush" and "cn.jpush.android" in data["signatures"]["packages"]


def test_show_unknown_id_is_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sdk", "show", "no_such_sdk"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown SDK id" in err
