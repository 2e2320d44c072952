"""``appwarden policy analyze``: JSON contract, human output, errors as one line with exit code 2."""

from __future__ import annotations

import json

from appwarden.cli import main


def test_analyze_json(full_policy_path, capsys):
    assert main(["policy", "analyze", str(full_policy_path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["elements"]["right_account_deletion"]["present"] is True
    ev = data["elements"]["right_account_deletion"]["evidence"][0]
    assert "注销账号" in ev["sentence"] and ev["end"] > ev["start"]
    assert "location" in {d["category"] for d in data["declared_pi"]}
    assert [s["name"] for s in data["declared_sdks"]] == ["友盟统计SDK", "极光推送SDK"]


def test_analyze_json_to_file_with_sentences(full_policy_path, tmp_path, capsys):
    out = tmp_path / "p.json"
    assert main(["policy", "analyze", str(full_policy_path), "-o", str(out), "--sentences"]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["sentences"] and capsys.readouterr().out == ""


def test_analyze_human_output(policies_dir, capsys):
    assert main(["policy", "analyze", str(policies_dir / "minimal_policy.txt")]) == 0
    out = capsys.readouterr().out
    assert "✗ 注销账号 (right_account_deletion)" in out
    assert "✓ 联系方式 (contact)" in out


def test_bad_file_is_one_line_exit_2(tmp_path, capsys):
    bad = tmp_path / "x.bin"
    bad.write_bytes(b"\x00\x01\x02" * 100)
    assert main(["policy", "analyze", str(bad), "--json"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("appwarden: error:") and "binary" in err and "\n" not in err


def test_size_limit_option(full_policy_path, capsys):
    assert main(["policy", "analyze", str(full_policy_path), "--max-policy-mb", "0"]) == 2
    assert "max_policy_size" in capsys.readouterr().err


def test_no_classifier_option(full_policy_path, capsys):
    assert main(["policy", "analyze", str(full_policy_path), "--json", "--no-classifier"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {e["method"] for e in data["elements"].values()} == {"keyword"}
    assert main(["policy", "analyze", str(full_policy_path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "keyword+classifier" in {e["method"] for e in data["elements"].values()}
