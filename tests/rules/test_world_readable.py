"""sec.world_readable reads the file mode from the call's argument register (report audit open item 9)."""

from __future__ import annotations

from pathlib import Path

from appwarden.evidence import Evidence
from appwarden.rules.engine import evaluate
from appwarden.rules.loader import load_rules
from appwarden.scan import build_static_evidence

APPS = Path(__file__).resolve().parent / "_apps"
RULE = [r for r in load_rules() if r.id == "sec.world_readable"]


def _finding(apk: str):
    results = evaluate(Evidence(static=build_static_evidence(APPS / apk)), RULE)
    assert results.errors == [] and results.not_evaluated == []
    return results.findings


def test_an_array_index_next_to_mode_private_is_not_a_world_readable_file() -> None:
    (finding,) = _finding("filemodes.apk")
    callers = [e["caller"] for e in finding.evidence]
    assert not [c for c in callers if "privateNextToIndex" in c]
    by_caller = {e["caller"].split("->")[1].split("(")[0]: e for e in finding.evidence}
    assert set(by_caller) == {
        "worldWriteable",
        "modeFromCaller",
        "worldOnOtherPath",
        "worldOnOneBranch",
        "worldEitherWay",
    }
    assert by_caller["worldWriteable"]["mode"] == 2 and "unresolved" not in by_caller["worldWriteable"]
    assert by_caller["modeFromCaller"]["unresolved"] is True
    assert finding.confidence == "likely"
    assert "MODE_WORLD_WRITEABLE" in finding.message_zh and "未能确定" in finding.message_zh


def test_the_mode_is_read_along_the_branches_not_from_the_last_write_in_file_order() -> None:
    """filemodes.apk's branch methods: every definition that reaches the call counts, not the last in file order."""
    (finding,) = _finding("filemodes.apk")
    sites = {e["caller"].split("->")[1].split("(")[0] + ":" + e["api"].split("->")[1].split("(")[0]: e
             for e in finding.evidence}  # fmt: skip
    # worldOnOtherPath: the early openFileOutput gets 1; the getSharedPreferences after the branch only 0 (the
    # linear read saw the 1 written last in file order and reported it)
    assert sites["worldOnOtherPath:openFileOutput"]["mode"] == 1
    assert "worldOnOtherPath:getSharedPreferences" not in sites
    # worldOnOneBranch: 1 on one branch, 0 (written last in file order) on the other: a lead on some paths
    one = sites["worldOnOneBranch:openOrCreateDatabase"]
    assert one["some_paths"] is True and one["modes"] == [0, 1] and "mode" not in one
    assert "unresolved" not in one
    # worldEitherWay: 1 or 2, both world-accessible: resolved, both named
    either = sites["worldEitherWay:getSharedPreferences"]
    assert either["modes"] == [1, 2] and "some_paths" not in either
    assert "MODE_WORLD_READABLE、MODE_WORLD_WRITEABLE" in either["meaning"]
    assert "1处仅在部分分支上以MODE_WORLD_READABLE模式创建文件" in finding.message_zh
    assert "3处以" in finding.message_zh  # worldWriteable, worldOnOtherPath's first call, worldEitherWay


def test_only_unresolved_modes_stay_possible() -> None:
    (finding,) = _finding("bad.apk")  # const/4 v1, 0x1 just before openFileOutput: resolved
    assert finding.confidence == "likely"
    assert [e.get("mode") for e in finding.evidence] == [1]
