"""``--fail-on`` never passes an incomplete analysis (appwarden.completeness; helper ``evade``, 2026-12-07).

An app company wanting to pass CI or store vetting while collecting can make the code evidence disappear instead
of the collection: pack the app (the DEX holds only a loader stub), ship a DEX over the size limit, or make the DEX
stage run past its time limit. Each gave a report with no code finding and, with a privacy policy supplied, exit 0
under ``--fail-on high``. evasion_packed.apk (tests/rules/_apps/src/evasion_packed: a 360 Jiagu-style stub
``com.stub.StubApp`` loading ``libjiagu.so``, 8.6 KB) is the packed case.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from appwarden.cli import main
from appwarden.completeness import incomplete

TESTS = Path(__file__).parent.parent
APKS = TESTS / "fixtures" / "apks"
PACKED = TESTS / "rules" / "_apps" / "evasion_packed.apk"
POLICY = TESTS / "fixtures" / "policies" / "full_policy.html"


def _scan(apk: Path, *extra: str) -> int:
    return main(["scan", str(apk), "-q", "--policy", str(POLICY), *extra])


def test_packed_app_with_a_policy_fails_the_gate(capsys: pytest.CaptureFixture[str]) -> None:
    assert _scan(PACKED, "--fail-on", "high") == 1
    err = capsys.readouterr().err
    assert "dex stage incomplete" in err and "packed" in err
    assert _scan(PACKED, "--fail-on", "none") == 0  # no gate asked for: the exit code stays as it was


def test_dex_over_its_size_limit_fails_the_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    # --max-dex-mb 1 with a 1000-byte "MB": pi_all's 8.5 KB classes.dex is refused and never read
    monkeypatch.setattr("appwarden.cli.scan.MB", 1000)
    # (pi_all's high findings are all code findings once its policy is supplied: on main this exited 0)
    assert _scan(APKS / "pi_all.apk", "--fail-on", "high", "--max-dex-mb", "1") == 1
    assert _scan(APKS / "pi_all.apk", "--fail-on", "high", "--max-dex-mb", "100") == 1  # read: its findings


def test_dex_stage_past_its_time_limit_fails_the_gate(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from appwarden.scan import stage_deadline

    def spinning_index(blobs: object, limits: object) -> None:
        with stage_deadline("dex", 0.05):
            time.sleep(2)

    monkeypatch.setattr("appwarden.dex.index.build_index", spinning_index)
    assert _scan(APKS / "pi_all.apk", "--fail-on", "high") == 1  # on main: 0 (its code findings gone)
    assert "dex stage incomplete" in capsys.readouterr().err


def test_complete_analyses_and_their_notes_do_not_fail() -> None:
    # notes of a complete analysis: no policy bundled (policy.missing fires instead), zip quirks, signing notes,
    # screening (its own gate), a trace of another app (ignored, said so)
    notes = [
        {"stage": "policy", "message": "no privacy policy bundled in the APK and none supplied"},
        {"stage": "apk", "message": "suspicious entry name: contains NUL"},
        {"stage": "signing", "message": "v1 signature block without its .SF file (Android ignores it)"},
        {"stage": "screening", "message": "no readable bytecode: code indicators not evaluated"},
        {"stage": "dynamic", "message": "trace is of com.other, not this app: ignored"},
    ]
    assert incomplete({"errors": notes, "policy": {"found": False, "source": "none"}}) is None
    assert incomplete({}) is None


@pytest.mark.parametrize(
    ("error", "policy"),
    [
        ({"stage": "dex", "message": "classes2.dex: 3 methods with malformed code skipped"}, {"found": True}),
        ({"stage": "sdk", "message": "time limit"}, {"found": True}),
        ({"stage": "reachability", "message": "time limit"}, {"found": True}),
        ({"stage": "rules", "message": "rules not all evaluated: time limit"}, {"found": True}),
        ({"stage": "rules", "message": "pi.startup.device_id: KeyError: 'x'"}, {"found": True}),
        # a bundled policy refused for a limit: policy.missing does not run (the app may have a policy)
        ({"stage": "policy", "message": "bundled policy not analysed: privacy.html is too large"}, None),
        ({"stage": "dynamic", "message": "trace analysis skipped: time limit"}, {"found": True}),
    ],
)
def test_incomplete_stages(error: dict[str, str], policy: dict[str, bool] | None) -> None:
    reason = incomplete({"errors": [error], "policy": policy})
    assert reason is not None and reason.startswith(f"{error['stage']} stage incomplete: ")
