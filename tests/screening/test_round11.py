"""Round eleven of the screening (issue #23): library code the SDK knowledge base did not know (tuned on benign_store5).

Bytecode indicators look only at the app's own code, i.e. code no known SDK owns. Tencent's QQ login SDK (wtlogin,
package ``oicq.wlogin_sdk``) had no SDK record, so its static utility class ``oicq.wlogin_sdk.tools.util`` counted as
the app's own code in nubia's app and game centres (benign_store5): it runs a cipher (``RSADecrypt``), walks its own
log folder on external storage and deletes expired files (``deleteExpireFile``), which is what
``ransomware.file_encryption`` looks for in one class. Since round eleven the SDK is a curated record
(``knowledge/sdks/curated/tencent_wtlogin.yaml``), so the same class no longer counts, while the same loop in the
app's own code still does.

``screen_r11`` holds a class named like the SDK's utility class (our own smali, no SDK bytes) and the app's own
``Vault``, which walks external storage, encrypts and deletes; ``screen_r11_clean`` holds only the SDK-shaped
classes and an activity that starts the login."""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.limits import DEFAULT_LIMITS
from appwarden.scan import _static_stage
from appwarden.screening import run_indicator, screen
from appwarden.screening.content import ScreenContext
from appwarden.screening.loader import load_indicators

APPS = Path(__file__).resolve().parent / "_apps"
SPECS = {s.id: s for s in load_indicators()}
ENCRYPTION = "ransomware.file_encryption"
SDK_UTIL = "Loicq/wlogin_sdk/tools/util;"


@pytest.fixture(scope="module")
def r11() -> dict[str, ScreenContext]:
    out = {}
    for name in ("screen_r11", "screen_r11_clean"):
        static, opened = _static_stage(APPS / f"{name}.apk", DEFAULT_LIMITS)
        out[name] = ScreenContext(static, opened)
    return out


def test_the_sdk_is_identified_and_owns_its_classes(r11: dict[str, ScreenContext]) -> None:
    for ctx in r11.values():
        assert "tencent_wtlogin" in {h.id for h in ctx.static.sdks}
        assert not ctx.is_app_code(SDK_UTIL + "->RSADecrypt([BLjava/security/Key;)[B")
    assert r11["screen_r11"].is_app_code("Lcom/appwarden/screen/r11/Vault;->lockAll(Ljava/io/File;)V")


def test_file_encryption_silent_when_the_loop_is_the_sdks(r11: dict[str, ScreenContext]) -> None:
    ctx = r11["screen_r11_clean"]
    assert run_indicator(ctx, SPECS[ENCRYPTION]) is None
    result = screen(ctx.static, ctx.apk)
    assert result.verdict == "none" and result.hits == []


def test_file_encryption_still_fires_on_the_apps_own_loop(r11: dict[str, ScreenContext]) -> None:
    hit = run_indicator(r11["screen_r11"], SPECS[ENCRYPTION])
    assert hit is not None
    # only the app's class: the SDK's utility class (cipher, walk and deletes in one class too) is not evidence
    assert [i.get("class") or i.get("method", "").split("->")[0] for i in hit.evidence] == [
        "Lcom/appwarden/screen/r11/Vault;"
    ]
    assert all(SDK_UTIL not in str(i) for i in hit.evidence)


def test_pi_reads_in_the_sdk_are_attributed_to_it(r11: dict[str, ScreenContext]) -> None:
    sites = [c for c in r11["screen_r11_clean"].static.callsites if c.caller.startswith(SDK_UTIL)]
    assert {c.category for c in sites} >= {"imei"}
    assert {c.owner for c in sites} == {"tencent_wtlogin"}
