"""Round ten of the screening (issue #23), tuned on blind8 and benign_store5 (so both are tuned sets, not blind).

``overlay.foreground_tracking`` (the banker's overlay attack: draw a window over the app that is in front) fired when
the app's code anywhere added a window and anywhere read the running apps (``scope: app``). Security suites,
launchers and app stores do both in unrelated classes (a floating ball, a task manager). Since round ten one
top-level class, or the classes nested in it (a service and its timer task), must do both (``scope: outer_class``).

``dropper.install_apk`` counted the APK MIME type (``application/vnd.android.package-archive``) wherever the app's
code named it, so a file manager's icon or MIME table read as an install. Since round ten the string counts only in a
method that gives a type to an intent (``Intent.setDataAndType``/``setType``, how the system installer is started);
a ``PackageInstaller`` session commit counts as before.

``dropper.load_and_delete`` (new, 30): one method of the app's own code builds a class loader over a code file and
deletes a file, the stager's way of leaving no copy of what it loaded (the Metasploit stager and the RAT builds of
blind8 do it; no benign app of the corpus or of store sets 1, 4 and 5 does).

``screen_r10`` is the banker's service (``OverlayService`` adds the window, its ``$1`` task reads the running tasks);
``screen_r10_clean`` is a cleaner whose floating ball and task list are unrelated classes and whose file manager
names the APK MIME type only to pick an icon, and whose plugin host loads a plugin in one method and clears its
cache in another; ``screen_r10`` also holds a stager that loads a jar and deletes it in one method (our own smali, tests/screening/_apps/src). ``screen_bad`` installs an
APK through an intent of that type."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from appwarden.errors import KnowledgeError
from appwarden.limits import DEFAULT_LIMITS
from appwarden.scan import _static_stage
from appwarden.screening import run_indicator, screen
from appwarden.screening.content import ScreenContext
from appwarden.screening.detectors import _outer_class
from appwarden.screening.loader import load_indicators

APPS = Path(__file__).resolve().parent / "_apps"
SPECS = {s.id: s for s in load_indicators()}
OVERLAY = "overlay.foreground_tracking"
INSTALL = "dropper.install_apk"
LOAD_DELETE = "dropper.load_and_delete"


@pytest.fixture(scope="module")
def r10() -> dict[str, ScreenContext]:
    out = {}
    for name in ("screen_r10", "screen_r10_clean", "screen_bad"):
        static, opened = _static_stage(APPS / f"{name}.apk", DEFAULT_LIMITS)
        out[name] = ScreenContext(static, opened)
    return out


def _scoped(scope: str) -> object:
    spec = SPECS[OVERLAY]
    return dataclasses.replace(spec, params={**spec.params, "scope": scope})


def _install_before_round_ten() -> object:
    spec = SPECS[INSTALL]
    return dataclasses.replace(spec, params={k: v for k, v in spec.params.items() if k != "strings_with_any"})


def test_outer_class_of_a_caller() -> None:
    assert _outer_class("Lcom/a/Svc$1;->run()V") == "Lcom/a/Svc;"
    assert _outer_class("Lcom/a/Svc$Inner$2;->run()V") == "Lcom/a/Svc;"
    assert _outer_class("Lcom/a/Svc;->show()V") == "Lcom/a/Svc;"


def test_overlay_fires_when_one_class_and_its_task_do_both(r10: dict[str, ScreenContext]) -> None:
    assert SPECS[OVERLAY].params["scope"] == "outer_class"
    hit = run_indicator(r10["screen_r10"], SPECS[OVERLAY])
    assert hit is not None
    item = hit.evidence[0]
    assert item["caller"].startswith("Lcom/appwarden/screen/r10/OverlayService;->showOver")
    assert item["with"] == ["Landroid/app/ActivityManager;->getRunningTasks(I)Ljava/util/List;"]
    # the plain class scope misses it: the read is in the nested timer task
    assert run_indicator(r10["screen_r10"], _scoped("class")) is None
    # the round-one fixture (both in one class) still fires
    assert run_indicator(r10["screen_bad"], SPECS[OVERLAY]) is not None


def test_overlay_silent_when_the_two_powers_are_unrelated_classes(r10: dict[str, ScreenContext]) -> None:
    ctx = r10["screen_r10_clean"]
    # the clean twin holds both ingredients: the rule before round ten (anywhere in the app) fired on it
    assert run_indicator(ctx, _scoped("app")) is not None
    assert run_indicator(ctx, SPECS[OVERLAY]) is None
    result = screen(ctx.static, ctx.apk)
    assert result.verdict == "none" and result.hits == []


def test_fixture_verdicts(r10: dict[str, ScreenContext]) -> None:
    result = screen(r10["screen_r10"].static, r10["screen_r10"].apk)
    assert sorted(h.spec.id for h in result.hits) == [LOAD_DELETE, OVERLAY]
    assert (
        result.score == 60 and result.verdict == "suspicious"
    )  # each sign alone (30) stays below suspicious


def test_loader_rejects_an_unknown_scope(tmp_path: Path) -> None:
    src = (
        Path(load_indicators.__code__.co_filename).parent.parent / "knowledge/screening/overlay.yaml"
    ).read_text(encoding="utf-8")
    assert "scope: outer_class" in src
    (tmp_path / "overlay.yaml").write_text(
        src.replace("scope: outer_class", "scope: package"), encoding="utf-8"
    )
    with pytest.raises(KnowledgeError, match="scope must be class, outer_class, method or app"):
        load_indicators(tmp_path)


def test_install_apk_counts_the_mime_type_given_to_an_intent(r10: dict[str, ScreenContext]) -> None:
    hit = run_indicator(r10["screen_bad"], SPECS[INSTALL])
    assert hit is not None
    assert [i["caller"].split("->")[0] for i in hit.evidence if "string" in i] == [
        "Lcom/appwarden/screen/bad/Payload;"
    ]


def test_install_apk_silent_on_a_mime_table(r10: dict[str, ScreenContext]) -> None:
    ctx = r10["screen_r10_clean"]
    assert "android.permission.REQUEST_INSTALL_PACKAGES" in ctx.permissions
    before = run_indicator(
        ctx, _install_before_round_ten()
    )  # the rule before round ten fired on the icon lookup
    assert before is not None
    assert before.evidence[0]["caller"].startswith("Lcom/appwarden/screen/r10c/MimeTable;->iconFor")
    assert run_indicator(ctx, SPECS[INSTALL]) is None


def test_loader_checks_strings_with_any(tmp_path: Path) -> None:
    src = (
        Path(load_indicators.__code__.co_filename).parent.parent / "knowledge/screening/dropper.yaml"
    ).read_text(encoding="utf-8")
    assert "strings_with_any:" in src
    (tmp_path / "dropper.yaml").write_text(
        src.replace(
            "strings_with_any:\n    - Landroid/content/Intent;->setDataAndType",
            "strings_with_any:\n    - 7",
            1,
        ),
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError, match="strings_with_any"):
        load_indicators(tmp_path)


def test_load_and_delete_fires_in_one_method(r10: dict[str, ScreenContext]) -> None:
    hit = run_indicator(r10["screen_r10"], SPECS[LOAD_DELETE])
    assert hit is not None
    (item,) = hit.evidence
    assert item["caller"].startswith("Lcom/appwarden/screen/r10/Stager;->run(")
    assert item["api"].startswith("Ldalvik/system/DexClassLoader;-><init>")
    assert item["with"] == ["Ljava/io/File;->delete()Z"]


def test_load_and_delete_silent_when_the_delete_is_another_method(r10: dict[str, ScreenContext]) -> None:
    ctx = r10["screen_r10_clean"]
    spec = SPECS[LOAD_DELETE]
    # the same class loads and deletes: the class scope would fire, the method scope does not
    assert run_indicator(ctx, dataclasses.replace(spec, params={**spec.params, "scope": "class"})) is not None
    assert run_indicator(ctx, spec) is None
