"""Optional user YARA rules (APPWARDEN_YARA_RULES): matches become screening indicators with the rule's category and
weight; an unusable rules folder is a one-line error (exit 2), never a silent skip."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from appwarden.cli import main
from appwarden.errors import InputError
from appwarden.report.json import validate_report
from appwarden.scan import scan_apk
from appwarden.screening.yara_rules import YARA_ENV, load_yara

pytest.importorskip("yara")

APPS = Path(__file__).resolve().parent / "_apps"
ELF_RULE = """
rule elf_payload {
  meta:
    category = "dropper"
    weight = 25
    description = "An ELF header at offset 0"
    description_zh = "文件以 ELF 头开始"
  strings:
    $elf = { 7f 45 4c 46 }
  condition:
    $elf at 0
}
"""


def _folder(tmp_path: Path, text: str, name: str = "payloads.yar") -> Path:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_matching_rule_becomes_an_indicator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(YARA_ENV, str(_folder(tmp_path, ELF_RULE)))
    report = validate_report(scan_apk(APPS / "screen_bad.apk"))
    hit = next(i for i in report["screening"]["indicators"] if i["id"] == "yara.payloads.elf_payload")
    assert (
        hit["category"] == "dropper" and hit["weight"] == 25 and hit["description_zh"] == "文件以 ELF 头开始"
    )
    assert hit["evidence"][0]["path"] == "assets/icon.png" and hit["evidence"][0]["offsets"] == [0]
    clean = scan_apk(APPS / "screen_clean.apk")  # no ELF anywhere in the clean twin
    assert not [i for i in clean["screening"]["indicators"] if i["id"].startswith("yara.")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (ELF_RULE.replace('category = "dropper"', 'category = "malware"'), "meta category"),
        (ELF_RULE.replace("weight = 25", "weight = 500"), "meta weight"),
        (ELF_RULE.replace("condition:", "condition"), "do not compile"),
    ],
)
def test_bad_rules_are_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_yara(_folder(tmp_path, text))


def test_unusable_folder_is_a_one_line_cli_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    for folder, message in ((tmp_path / "missing", "not a directory"), (empty, "no .yar")):
        monkeypatch.setenv(YARA_ENV, str(folder))
        assert main(["scan", str(APPS / "screen_clean.apk"), "-q", "-o", str(tmp_path / "r.json")]) == 2
        err = capsys.readouterr().err.strip()
        assert message in err and len(err.splitlines()) == 1


def test_missing_yara_python_is_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "yara", None)  # import yara now raises ImportError
    with pytest.raises(InputError, match="yara-python is not installed"):
        load_yara(_folder(tmp_path, ELF_RULE, "other.yar"))


def test_unset_variable_runs_no_yara(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(YARA_ENV, raising=False)
    report = scan_apk(APPS / "screen_bad.apk")
    assert not [i for i in report["screening"]["indicators"] if i["id"].startswith("yara.")]
