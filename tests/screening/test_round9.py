"""Round nine of the screening (issue #23): loader stubs that keep the real code out of the package, tuned on the
misses of blind3 (so not blind), each rule general (no app names, no hashes).

* ``dropper.payload_blob_asset``: an extensionless asset of 16 KB or more whose bytes look random (no known file
  format, at least 7.75 bits per byte) in an app whose own code loads code, a native library or calls by reflection.
* ``dropper.loader_classless_components``: the app's own code builds a DEX class loader and three or more of the
  manifest's components (not aliases, not the platform's, not a known SDK's) have no class in the APK.

``screen_r9`` does both the harmful way; ``screen_r9_clean`` holds the near misses (tests/screening/_apps/src, our
own smali)."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from appwarden.errors import KnowledgeError
from appwarden.limits import DEFAULT_LIMITS
from appwarden.scan import _static_stage
from appwarden.screening import run_indicator, screen
from appwarden.screening.content import ScreenContext
from appwarden.screening.loader import load_indicators
from appwarden.screening.round9 import (
    byte_entropy,
    check_classless,
    check_payload_blob,
    loader_classless_components,
    payload_blob_asset,
)

APPS = Path(__file__).resolve().parent / "_apps"
SPECS = {s.id: s for s in load_indicators()}
NAMES = ("screen_r9", "screen_r9_clean", "screen_clean")
BLOB = "dropper.payload_blob_asset"
CLASSLESS = "dropper.loader_classless_components"


def _ctx(path: Path) -> ScreenContext:
    static, opened = _static_stage(path, DEFAULT_LIMITS)
    return ScreenContext(static, opened)


@pytest.fixture(scope="module")
def r9() -> dict[str, ScreenContext]:
    return {name: _ctx(APPS / f"{name}.apk") for name in NAMES}


def test_entropy_bounds() -> None:
    assert byte_entropy(b"") == 0.0
    assert byte_entropy(b"a" * 100) == 0.0
    assert byte_entropy(bytes(range(256)) * 4) == pytest.approx(8.0)
    assert byte_entropy(b"the quick brown fox jumps over the lazy dog " * 50) < 5.0


def test_blob_fires_on_stub(r9: dict[str, ScreenContext]) -> None:
    hit = run_indicator(r9["screen_r9"], SPECS[BLOB])
    assert hit is not None
    blob = hit.evidence[0]
    assert blob["path"] == "assets/qzvkw/tmbrx"
    assert blob["size"] == 24576 and blob["entropy"] >= 7.75
    assert hit.evidence[-1]["api"].startswith("Ldalvik/system/DexClassLoader;-><init>")


def test_blob_silent_on_near_misses(r9: dict[str, ScreenContext]) -> None:
    """Clean twin: too small, an extension, gzip magic, text, an engine folder - with a class loader call."""
    ctx = r9["screen_r9_clean"]
    assert {n for n, _h in ctx.asset_heads} >= {
        "assets/small",
        "assets/tiles.bin",
        "assets/archive",
        "assets/dictionary",
        "assets/flutter_assets/kernel_blob",
    }
    assert run_indicator(ctx, SPECS[BLOB]) is None
    assert run_indicator(r9["screen_clean"], SPECS[BLOB]) is None


def test_blob_needs_a_loader_call(r9: dict[str, ScreenContext]) -> None:
    params = {**SPECS[BLOB].params, "loaders": ["Ljava/lang/Runtime;->exec"]}
    assert payload_blob_asset(r9["screen_r9"], params) == []


def test_blob_thresholds_are_parameters(r9: dict[str, ScreenContext]) -> None:
    ctx = r9["screen_r9_clean"]
    loose = {**SPECS[BLOB].params, "min_size": 4096, "skip_prefixes": []}
    paths = {i.get("path") for i in payload_blob_asset(ctx, loose)}
    # the small key and the engine's file now count; the .bin, the gzip archive and the text never do
    assert "assets/small" in paths and "assets/flutter_assets/kernel_blob" in paths
    assert not paths & {"assets/tiles.bin", "assets/archive", "assets/dictionary"}


def test_blob_skips_packed_apps(r9: dict[str, ScreenContext], monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = r9["screen_r9"]
    monkeypatch.setattr(ctx.static.app, "packer", "Bangcle")
    assert payload_blob_asset(ctx, SPECS[BLOB].params) == []


def test_classless_fires_on_stub(r9: dict[str, ScreenContext]) -> None:
    hit = run_indicator(r9["screen_r9"], SPECS[CLASSLESS])
    assert hit is not None
    comps = [i for i in hit.evidence if "component" in i]
    assert {c["component"].rsplit(".", 1)[-1] for c in comps} == {"Checkout", "Worker", "Wake"}
    assert all(c["components_without_class"] == "3 of 4" for c in comps)
    assert "DexClassLoader" in hit.evidence[-1]["api"]


def test_classless_silent_on_near_misses(r9: dict[str, ScreenContext]) -> None:
    """Clean twin: a class loader, but only two stale entries; an alias and the platform's receiver do not count."""
    assert run_indicator(r9["screen_r9_clean"], SPECS[CLASSLESS]) is None
    assert loader_classless_components(r9["screen_r9_clean"], {**SPECS[CLASSLESS].params, "min_missing": 2})
    assert run_indicator(r9["screen_clean"], SPECS[CLASSLESS]) is None


def test_classless_needs_a_loader_call(r9: dict[str, ScreenContext]) -> None:
    params = {**SPECS[CLASSLESS].params, "loaders": ["Ldalvik/system/InMemoryDexClassLoader;-><init>"]}
    assert loader_classless_components(r9["screen_r9"], params) == []


def test_classless_makes_no_claim_when_a_dex_was_refused(tmp_path: Path) -> None:
    """A refused DEX (here a corrupt classes2.dex) may hold the missing classes: no claim."""
    apk = tmp_path / "r9_refused.apk"
    shutil.copy(APPS / "screen_r9.apk", apk)
    with zipfile.ZipFile(apk, "a") as zf:
        zf.writestr("classes2.dex", b"dex\n035\x00" + os.urandom(64))
    ctx = _ctx(apk)
    if not any(e.stage == "dex" and e.path for e in ctx.static.errors):
        pytest.skip("the engine read the corrupt DEX without an error")
    assert loader_classless_components(ctx, SPECS[CLASSLESS].params) == []


def test_verdicts(r9: dict[str, ScreenContext]) -> None:
    static, opened = _static_stage(APPS / "screen_r9_clean.apk", DEFAULT_LIMITS)
    assert screen(static, opened).verdict == "none"
    static, opened = _static_stage(APPS / "screen_r9.apk", DEFAULT_LIMITS)
    result = screen(static, opened)
    fired = {h.spec.id for h in result.hits}
    assert {BLOB, CLASSLESS} <= fired
    assert result.verdict == "harmful"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "loaders"),
        ({"loaders": []}, "loaders"),
        ({"loaders": ["x"], "min_size": 10}, "min_size"),
        ({"loaders": ["x"], "min_entropy": 9}, "min_entropy"),
        ({"loaders": ["x"], "skip_prefixes": "assets/"}, "skip_prefixes"),
    ],
)
def test_blob_param_check(params: dict[str, Any], message: str) -> None:
    assert message in (check_payload_blob(params) or "")


def test_classless_param_check() -> None:
    assert "loaders" in (check_classless({}) or "")
    assert "min_missing" in (check_classless({"loaders": ["x"], "min_missing": 0}) or "")
    assert check_classless({"loaders": ["x"]}) is None


def test_loader_rejects_bad_yaml(tmp_path: Path) -> None:
    entry = (
        "indicators:\n- id: dropper.bad_blob\n  category: dropper\n  weight: 40\n  evidence: assets\n"
        "  detector: payload_blob_asset\n  params: {loaders: [x], min_entropy: 3}\n  description: d\n"
        "  description_zh: d\n  source: s\n  fixtures: {fires: [screen_r9], clean: [screen_r9_clean]}\n"
    )
    (tmp_path / "bad.yaml").write_text(entry, encoding="utf-8")
    with pytest.raises(KnowledgeError, match="min_entropy"):
        load_indicators(tmp_path)


def test_skip_callers_drop_build_tool_loaders(r9: dict[str, ScreenContext]) -> None:
    """A loader call inside ``skip_callers`` (build-tool code of a debug build) does not count for either rule."""
    ctx = r9["screen_r9"]
    for spec in (SPECS[BLOB], SPECS[CLASSLESS]):
        assert "Lcom/android/tools/fd/runtime/" in spec.params["skip_callers"]
        params = {**spec.params, "skip_callers": ["Lcom/appwarden/screen/r9/"]}
        assert spec.detector in ("payload_blob_asset", "loader_classless_components")
        run = payload_blob_asset if spec.id == BLOB else loader_classless_components
        assert run(ctx, params) == []


INSTANT_RUN = (
    Path(__file__).resolve().parents[3] / "shared/corpus/apks/edge/amap__locationServiceDemo_instant-run.apk"
)


@pytest.mark.skipif(not INSTANT_RUN.exists(), reason="shared corpus not present")
def test_instant_run_build_is_not_a_loader_stub() -> None:
    """An Android Studio Instant Run debug build ships its classes apart and loads them with the runtime's class
    loader (com.android.tools.fd.runtime): its four class-less components are no payload."""
    ctx = _ctx(INSTANT_RUN)
    assert loader_classless_components(ctx, {**SPECS[CLASSLESS].params, "skip_callers": []})
    assert run_indicator(ctx, SPECS[CLASSLESS]) is None


def test_blob_with_a_broken_entry_is_skipped_not_raised(tmp_path: Path) -> None:
    """Bad input: the blob's local header is damaged; the rule skips it (no traceback, no 'not evaluated' note)."""
    apk = tmp_path / "r9_broken.apk"
    data = bytearray((APPS / "screen_r9.apk").read_bytes())
    with zipfile.ZipFile(APPS / "screen_r9.apk") as zf:
        offset = zf.getinfo("assets/qzvkw/tmbrx").header_offset
    data[offset : offset + 4] = b"XXXX"
    apk.write_bytes(bytes(data))
    static, opened = _static_stage(apk, DEFAULT_LIMITS)
    ctx = ScreenContext(static, opened)
    assert payload_blob_asset(ctx, SPECS[BLOB].params) == []
    result = screen(static, opened)
    assert not any(BLOB in n for n in result.notes)
