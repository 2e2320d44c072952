"""F-Droid connector against a repository index served on 127.0.0.1 (index-v1 and index-v2)."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from appwarden.errors import InputError
from appwarden.ingest.fdroid import FDroidConnector
from appwarden.ingest.run import ingest
from appwarden.ingest.state import IngestState

APKS = Path(__file__).resolve().parents[1] / "fixtures" / "apks"


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    repo = tmp_path / "www" / "repo"
    repo.mkdir(parents=True)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path / "www"))
    handler.log_message = lambda *a, **k: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/repo", repo
    finally:
        server.shutdown()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_v1(repo: Path, names: list[str], corrupt: str | None = None) -> None:
    packages: dict[str, list[dict]] = {}
    for i, name in enumerate(names):
        shutil.copy(APKS / name, repo / name)
        digest = "0" * 64 if name == corrupt else sha(repo / name)
        packages.setdefault(f"pkg{i}", []).append(
            {"apkName": name, "hash": digest, "hashType": "sha256", "versionCode": 1, "versionName": "1.0"}
        )
    (repo / "index-v1.json").write_text(json.dumps({"repo": {"name": "t"}, "apps": [], "packages": packages}))


def test_v1_index_fetches_verifies_and_classifies(served: tuple[str, Path], tmp_path: Path) -> None:
    address, repo = served
    write_v1(repo, ["pi_all.apk", "minimal.apk"])
    state = IngestState(tmp_path / "state.json")
    results = list(ingest(FDroidConnector(address), tmp_path / "in", state))
    kinds = sorted(r.kind for r in results)  # type: ignore[union-attr]
    assert kinds == ["new_app", "new_app"]
    assert all(Path(r.path).read_bytes() == (repo / Path(r.path).name).read_bytes() for r in results)  # type: ignore[union-attr]
    # Second pass: the store's hashes are known, nothing is downloaded again.
    assert list(ingest(FDroidConnector(address), tmp_path / "in", IngestState(tmp_path / "state.json"))) == []


def test_sha_mismatch_is_an_error_not_a_file(served: tuple[str, Path], tmp_path: Path) -> None:
    address, repo = served
    write_v1(repo, ["pi_all.apk"], corrupt="pi_all.apk")
    results = list(ingest(FDroidConnector(address), tmp_path / "in", IngestState(tmp_path / "s.json")))
    assert len(results) == 1 and isinstance(results[0], tuple)
    assert "sha256 mismatch" in results[0][1]
    assert not list((tmp_path / "in").glob("*.apk"))


def test_v2_index_via_entry_json(served: tuple[str, Path], tmp_path: Path) -> None:
    address, repo = served
    shutil.copy(APKS / "minimal.apk", repo / "minimal.apk")
    index = {
        "repo": {},
        "packages": {
            "com.example": {
                "versions": {
                    sha(repo / "minimal.apk"): {
                        "file": {"name": "/minimal.apk", "sha256": sha(repo / "minimal.apk"), "size": 1},
                        "manifest": {"versionCode": 1, "versionName": "1.0", "signer": {"sha256": ["ab"]}},
                    }
                }
            }
        },
    }
    (repo / "index-v2.json").write_text(json.dumps(index))
    (repo / "entry.json").write_text(json.dumps({"index": {"name": "/index-v2.json"}}))
    listings = list(FDroidConnector(address).listings())
    assert [(item.package, item.version_code, item.signer_sha256) for item in listings] == [
        ("com.example", 1, "ab")
    ]


def test_missing_index_is_a_clear_error(served: tuple[str, Path]) -> None:
    address, _ = served
    with pytest.raises(InputError, match="no F-Droid index"):
        list(FDroidConnector(address).listings())


def test_state_flags_new_version_and_signer_change(tmp_path: Path) -> None:
    state = IngestState(tmp_path / "s.json")
    assert state.observe("a.b", 1, "s1", ["cert1"]).kind == "new_app"
    assert state.observe("a.b", 1, "s1", ["cert1"]).kind == "known"
    assert state.observe("a.b", 2, "s2", ["cert1"]).kind == "new_version"
    change = state.observe("a.b", 3, "s3", ["cert2"])
    assert change.kind == "signer_changed" and change.previous_signers == ["cert1"]
    state.save()
    assert IngestState(tmp_path / "s.json").observe("a.b", 2, "s2", ["cert1"]).kind == "known"


def test_hostile_index_shapes_are_skipped_or_one_line_errors(tmp_path: Path) -> None:
    """A store's index is hostile input: entries of the wrong JSON type were an AttributeError ('internal error')
    and a deeply nested index a RecursionError. Entries that are not objects, or name no APK file, are skipped; the
    well-formed listing next to them is still listed; nesting too deep is a one-line InputError."""
    v1 = tmp_path / "v1"
    v1.mkdir()
    good = {"packageName": "a.ok", "versionCode": 3, "apkName": "ok.apk", "hash": "00" * 32}
    packages = {"a.bad": ["str", 3, None, {"versionCode": 1}], "a.ok": [good], "a.worse": "x"}
    (v1 / "index-v1.json").write_text(json.dumps({"repo": {}, "packages": packages}))
    assert [(x.package, x.version_code) for x in FDroidConnector(str(v1)).listings()] == [("a.ok", 3)]

    v2 = tmp_path / "v2"
    v2.mkdir()
    (v2 / "entry.json").write_text(json.dumps({"index": "not an object"}))
    ok_version = {
        "file": {"name": "/ok.apk", "sha256": "00" * 32},
        "manifest": {"versionCode": 7, "signer": []},
    }
    index = {
        "packages": {
            "b.list": {"versions": ["x"]},
            "b.str": {"versions": {"v": "str"}},
            "b.fields": {"versions": {"v": {"file": "x", "manifest": []}}},
            "b.none": None,
            "b.ok": {"versions": {"v": ok_version}},
        }
    }
    (v2 / "index-v2.json").write_text(json.dumps(index))
    assert [(x.package, x.version_code) for x in FDroidConnector(str(v2)).listings()] == [("b.ok", 7)]

    deep = tmp_path / "deep"
    deep.mkdir()
    (deep / "index-v1.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InputError, match=r"index-v1\.json: not valid JSON"):
        list(FDroidConnector(str(deep)).listings())


def test_a_local_index_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    # a local index-v1.json of MAX_INDEX + 1 bytes (sparse: no disk used) was read whole into memory first
    import tracemalloc

    from appwarden.errors import AppwardenError
    from appwarden.ingest.fdroid import MAX_INDEX

    repo = tmp_path / "repo"
    repo.mkdir()
    with open(repo / "index-v1.json", "wb") as fh:
        fh.truncate(MAX_INDEX + 1)
    tracemalloc.start()
    try:
        with pytest.raises(AppwardenError, match=r"index-v1\.json.*(limit|larger)"):
            list(FDroidConnector(str(repo)).listings())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024, peak
