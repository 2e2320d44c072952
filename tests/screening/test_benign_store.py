"""bench/benign_store.py: the frozen benign real-app set is well formed; the set's checks refuse a malformed or
changed set with one line; extraction from a bare git snapshot checks the SHA-256; the Wilson interval is right; the
script runs end to end on a tiny synthetic set (the screening fixture apps in a bare repository built here, the
flagged one with its evidence); and, where the real snapshots are on this machine, every frozen app extracts to its
frozen SHA-256 (skipped otherwise). No network."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APPS = Path(__file__).resolve().parent / "_apps"


def _load():
    spec = importlib.util.spec_from_file_location("benign_store", ROOT / "bench" / "benign_store.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules["benign_store"] = module
    spec.loader.exec_module(module)
    return module


bs = _load()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def _snapshot(tmp_path: Path, files: dict[str, Path]) -> tuple[Path, str]:
    """A bare snapshot ``<mirrors>/o+r/repo`` holding ``files`` (path in repo -> local file); its commit."""
    work = tmp_path / "work"
    for name, src in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, work / name)
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    _git(work, "add", "-A")
    _git(work, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "-m", "apps")
    commit = _git(work, "rev-parse", "HEAD").strip()
    mirrors = tmp_path / "mirrors"
    subprocess.run(
        ["git", "clone", "-q", "--bare", "--no-local", str(work), str(mirrors / "o+r" / "repo")], check=True
    )
    return mirrors, commit


def _set(commit: str, apps: list[dict]) -> dict:
    return {
        "role": "benign_store",
        "frozen": "test",
        "collections": [{"id": "o+r", "source": "github.com/o/r", "mirror": "o+r", "commit": commit}],
        "apps": apps,
    }


def _app(path: str, sha: str, developer: str = "dev", category: str = "tool") -> dict:
    return {
        "sha256": sha,
        "size": 1,
        "mirror": "o+r",
        "path": path,
        "package": "p." + Path(path).stem,
        "name": Path(path).stem,
        "developer": developer,
        "category": category,
        "source": "test",
    }


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "set.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_frozen_set_is_well_formed() -> None:
    data = bs.load_set(bs.DEFAULT_DATA)
    apps = data["apps"]
    assert len(apps) >= 90
    assert data["frozen"].startswith("2026-12-06")
    assert {a["mirror"] for a in apps} == {c["id"] for c in data["collections"]}
    assert all(a["size"] < 4 * 1024 * 1024 for a in apps)  # the snapshots lack files of 4 MiB and more
    # nothing of the shared corpus (it is measured apart), where the corpus is on this machine
    corpus = ROOT.parent / "shared" / "corpus" / "apks"
    if corpus.is_dir():
        shas = {_sha(p) for p in corpus.rglob("*.apk")}
        assert not shas & {a["sha256"] for a in apps}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["apps"].append(dict(d["apps"][0])), "listed twice"),
        (lambda d: d["apps"][0].update(sha256="ABC"), "64 lowercase hex"),
        (lambda d: d["apps"][0].update(mirror="nowhere"), "unknown collection"),
        (lambda d: d["apps"][0].pop("source"), "lacks source"),
        (lambda d: d.update(role="blind3"), "not a frozen benign set"),
        (
            lambda d: d["apps"].extend(_app(f"x{i}.apk", f"{i:064x}", developer="same") for i in range(3)),
            "more than 2 apps of developer(s) same",
        ),
    ],
)
def test_malformed_set_is_refused_with_one_line(tmp_path: Path, change, message: str) -> None:
    data = _set("0" * 40, [_app("a.apk", "a" * 64)])
    bs.load_set(_write(tmp_path, data))  # the unchanged set loads
    change(data)
    with pytest.raises(SystemExit) as err:
        bs.load_set(_write(tmp_path, data))
    text = str(err.value.code)
    assert message in text and "\n" not in text and text.startswith("benign_store: ")


def test_extraction_checks_the_frozen_sha256(tmp_path: Path) -> None:
    clean = APPS / "screen_clean.apk"
    mirrors, commit = _snapshot(tmp_path, {"app/release/app-release.apk": clean})
    coll = {"id": "o+r", "source": "github.com/o/r", "mirror": "o+r", "commit": commit}
    out = tmp_path / "out"
    out.mkdir()
    got = bs.extract_app(coll, _app("app/release/app-release.apk", _sha(clean)), mirrors, out)
    assert got.read_bytes() == clean.read_bytes()
    with pytest.raises(SystemExit, match="is not the frozen"):
        bs.extract_app(coll, _app("app/release/app-release.apk", "f" * 64), mirrors, tmp_path / "out")
    with pytest.raises(SystemExit, match="is not at commit"):
        bs.extract_app(coll, _app("gone.apk", _sha(clean)), mirrors, out)
    with pytest.raises(SystemExit, match="no snapshot"):
        bs.extract_app(dict(coll, mirror="absent+repo"), _app("a.apk", _sha(clean)), mirrors, out)


def test_second_frozen_set_is_well_formed_and_new() -> None:
    data = bs.load_set(ROOT / "bench" / "data" / "benign_store2.yaml")
    apps = data["apps"]
    assert len(apps) >= 100 and data["frozen"].startswith("2026-12-06")
    assert all(a["size"] < 4 * 1024 * 1024 for a in apps)
    assert {a["stratum"] for a in apps} == {"published", "github_release"}
    assert all(a.get("questionable") in (None, True) for a in apps)
    first = bs.load_set(bs.DEFAULT_DATA)
    # nothing of the first set: no file, no package, no repository
    assert not {a["sha256"] for a in apps} & {a["sha256"] for a in first["apps"]}
    assert not {a["package"] for a in apps} & {a["package"] for a in first["apps"]}
    assert not {c["source"] for c in data["collections"]} & {c["source"] for c in first["collections"]}


def test_extraction_from_a_snapshot_with_a_work_tree(tmp_path: Path) -> None:
    clean = APPS / "screen_clean.apk"
    mirrors, commit = _snapshot(tmp_path, {"a.apk": clean})
    shutil.rmtree(mirrors / "o+r")
    subprocess.run(
        ["git", "clone", "-q", "--no-local", str(tmp_path / "work"), str(mirrors / "o+r" / "repo")],
        check=True,
    )
    assert not (mirrors / "o+r" / "repo" / "HEAD").exists()  # fetch brings some repositories this way
    coll = {"id": "o+r", "source": "github.com/o/r", "mirror": "o+r", "commit": commit}
    got = bs.extract_app(coll, _app("a.apk", _sha(clean)), mirrors, tmp_path)
    assert got.read_bytes() == clean.read_bytes()


def test_summary_reports_strata_and_questionable_apps_apart() -> None:
    def row(stratum: str, verdict: str, questionable: bool = False) -> dict:
        r = {"status": "ok", "verdict": verdict, "category": "c", "mirror": "m", "stratum": stratum}
        return r | ({"questionable": True} if questionable else {})

    rows = [row("published", "none"), row("published", "harmful", True), row("published", "suspicious")]
    rows += [row("github_release", "none"), row("github_release", "none")]
    s = bs.summarize(rows)
    assert (s["overall"]["flagged"], s["overall"]["screened"]) == (2, 5)
    assert (s["overall_without_questionable"]["flagged"], s["overall_without_questionable"]["screened"]) == (
        1,
        4,
    )
    assert s["questionable"]["flagged"] == 1
    pub = s["per_stratum"]["published"]
    assert (
        pub["all"]["flagged"],
        pub["without_questionable"]["flagged"],
        pub["without_questionable"]["screened"],
    ) == (
        2,
        1,
        2,
    )
    assert s["per_stratum"]["github_release"]["all"]["flagged"] == 0
    plain = bs.summarize([{k: v for k, v in r.items() if k not in ("stratum", "questionable")} for r in rows])
    assert (
        "per_stratum" not in plain and "overall_without_questionable" not in plain
    )  # the first set's output


def test_wilson_interval() -> None:
    lo, hi = bs.wilson(0, 95)
    assert lo == 0.0 and hi == pytest.approx(0.0389, abs=2e-4)
    lo, hi = bs.wilson(5, 100)
    assert lo == pytest.approx(0.0215, abs=2e-4) and hi == pytest.approx(0.1118, abs=2e-4)
    assert bs.wilson(0, 0) == (0.0, 1.0)


def test_end_to_end_on_a_synthetic_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clean, bad = APPS / "screen_clean.apk", APPS / "screen_bad.apk"
    mirrors, commit = _snapshot(tmp_path, {"clean.apk": clean, "bad.apk": bad})
    data = _set(
        commit, [_app("clean.apk", _sha(clean), category="tool"), _app("bad.apk", _sha(bad), category="sms")]
    )
    out, md = tmp_path / "r.json", tmp_path / "r.md"
    monkeypatch.chdir(tmp_path)  # a relative --out (as in the documented command) must work
    argv = ["--data", str(_write(tmp_path, data)), "--mirror-root", str(mirrors), "--out", "r.json"]
    assert bs.main([*argv, "--markdown", str(md), "--timeout", "120"]) == 0
    res = json.loads(out.read_text(encoding="utf-8"))
    rows = {r["name"]: r for r in res["apps"]}
    assert rows["clean"]["verdict"] == "none" and "evidence" not in rows["clean"]
    assert rows["bad"]["verdict"] in ("suspicious", "harmful")
    fired = {i["id"] for i in rows["bad"]["evidence"]["indicators"]}
    assert fired == {i["id"] for i in rows["bad"]["indicators"]} and fired
    assert all(i["evidence"] for i in rows["bad"]["evidence"]["indicators"])
    overall = res["summary"]["overall"]
    assert (overall["screened"], overall["flagged"]) == (2, 1)
    assert res["summary"]["per_category"]["sms"]["flagged"] == 1
    assert res["summary"]["per_category"]["tool"]["flagged"] == 0
    assert "false alarms: 1/2 = 50.0 %" in md.read_text(encoding="utf-8")


def test_every_frozen_app_extracts_from_the_real_snapshots(tmp_path: Path) -> None:
    data = bs.load_set(bs.DEFAULT_DATA)
    missing = [
        c["mirror"]
        for c in data["collections"]
        if not (bs.DEFAULT_MIRROR_ROOT / c["mirror"] / "repo").exists()
    ]
    if missing:
        pytest.skip(f"snapshots not on this machine: {', '.join(missing[:3])}")
    local = bs.extract_all(data, bs.DEFAULT_MIRROR_ROOT, tmp_path)
    assert len(local) == len(data["apps"])
    assert all(_sha(p) == sha for sha, p in local.items())
