"""The command line's cache of compiled regular expressions (appwarden.cli.recache; issue #19, per-scan fixed
costs): every cached pattern is the same object a normal compile gives, the next process parses nothing, and a
missing, damaged or malformed file means compiling as before."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from appwarden.cli import recache

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "apks" / "pi_all.apk"

PATTERNS = [
    ("ab(c)d", 0),
    (r"(?P<year>\d{4})-(?P<month>\d{2})(?:-(?P<day>\d{2}))?", 0),
    ("(?i)hmac(md5|sha-?\\d+)?|pbkdf2withhmacsha\\d*|pbewith\\w+", 0),
    ("隐私政策|用户协议|[^。；\\n]{0,12}同意", 0),
    ("^lib/[^/]+/[^/]+\\.so$", int(re.MULTILINE)),  # re.compile passes flags on as int
    (b"(?<![0-9])106[0-9]{5,17}(?![0-9])", 0),
    ("a.b", int(re.DOTALL | re.IGNORECASE)),
    (r"(\w+)\s+\1", int(re.ASCII)),
    ("x{2,}?y*+z", 0),
]
SAMPLES = [
    "abcd",
    "2026-12-07",
    "2026-12",
    "HMACSHA256",
    "我已阅读并同意用户协议",
    "lib/arm64/libx.so\n",
    "A\nB",
]


def _norm(samples: list[str], pattern: re.Pattern) -> list:
    out = []
    for s in samples:
        text = s.encode() if isinstance(pattern.pattern, bytes) else s
        m = pattern.search(text)
        out.append(None if m is None else (m.span(), m.groups(), m.groupdict()))
        out.append(pattern.findall(text))
    return out


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("APPWARDEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("APPWARDEN_NO_CACHE", raising=False)
    recache.uninstall()
    yield tmp_path / "cache"
    recache.uninstall()


def _files(cache: Path) -> list[Path]:
    return sorted(cache.glob("regex-*.marshal"))


def _fill(patterns: list[tuple]) -> None:
    assert recache.install()
    for pattern, flags in patterns:
        re._compiler.compile(pattern, flags)
    recache.uninstall()  # writes the file


def test_every_cached_pattern_is_the_object_a_normal_compile_gives(cache_dir: Path) -> None:
    _fill(PATTERNS)
    (path,) = _files(cache_dir)
    entries = recache._load(path)
    assert set(entries) == set(PATTERNS)
    for (pattern, flags), args in entries.items():
        cached = recache._from_cache(pattern, args)
        normal = re._compiler.compile(pattern, flags)
        assert cached == normal  # same pattern, flags and matcher program
        assert (cached.flags, cached.groups, dict(cached.groupindex)) == (
            normal.flags,
            normal.groups,
            dict(normal.groupindex),
        )
        assert _norm(SAMPLES, cached) == _norm(SAMPLES, normal)


def test_second_install_compiles_from_the_file(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fill(PATTERNS)
    parsed: list[object] = []
    real_parse = re._parser.parse
    monkeypatch.setattr(re._parser, "parse", lambda *a, **k: parsed.append(a) or real_parse(*a, **k))
    assert recache.install()
    for pattern, flags in PATTERNS:
        assert re._compiler.compile(pattern, flags) == recache._state["original"](pattern, flags)
    assert len(parsed) == len(PATTERNS)  # only the comparisons' normal compiles parsed anything
    assert recache._state["dirty"] is False  # nothing new: the file is not rewritten


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: b"\x00garbage",
        lambda raw: raw[:100],
        lambda raw: b"",
        lambda raw: raw[:-1] + bytes([raw[-1] ^ 1]),  # one bit of the payload: the digest no longer matches
        lambda raw: raw.replace(recache._MAGIC, b"appwarden-regex-0\n"),  # another format
    ],
)
def test_a_damaged_file_means_compiling_as_before(cache_dir: Path, damage) -> None:
    _fill(PATTERNS)
    (path,) = _files(cache_dir)
    path.write_bytes(damage(path.read_bytes()))
    assert recache.install()
    assert recache._state["codes"] == {}
    for pattern, flags in PATTERNS:
        assert re._compiler.compile(pattern, flags) == recache._state["original"](pattern, flags)
    recache.uninstall()
    assert set(recache._load(path)) == set(PATTERNS)  # rewritten whole


def _write_entries(path: Path, entries: dict) -> None:
    import marshal

    payload = marshal.dumps(entries)
    path.write_bytes(recache._MAGIC + recache._digest(payload) + payload)


def test_malformed_entries_with_a_valid_digest_are_dropped(cache_dir: Path) -> None:
    _fill(PATTERNS[:1])
    (path,) = _files(cache_dir)
    good = recache._load(path)[("ab(c)d", 0)]
    flags, program, groups, groupindex, indexgroup = good
    bad_program = program[:-4] + (0x99).to_bytes(4, sys.byteorder)  # an opcode _sre rejects
    entries = {
        ("ab(c)d", 0): (flags, bad_program, groups, groupindex, indexgroup),
        ("x(y)", 0): "not a tuple",
        ("q", 0): (flags, [1, 2, 3], 0, {}, (None,)),  # a list, not the stored bytes
        ("r(s)", 0): (flags, program, 5, groupindex, indexgroup),  # wrong group count
    }
    _write_entries(path, entries)
    assert recache.install()
    for pattern in ("ab(c)d", "x(y)", "q", "r(s)"):
        assert re._compiler.compile(pattern, 0) == recache._state["original"](pattern, 0)
    assert all(type(v) is tuple and type(v[1]) is bytes for v in recache._state["codes"].values())
    recache.uninstall()
    for (pattern, flags), args in recache._load(path).items():  # the rewritten file holds only good entries
        assert recache._from_cache(pattern, args) == re._compiler.compile(pattern, flags)


def test_errors_and_warnings_are_never_cached(cache_dir: Path) -> None:
    assert recache.install()
    with pytest.raises(re.error):
        re._compiler.compile("a(b", 0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        re._compiler.compile("[[a]", 0)  # FutureWarning: possible nested set
    assert caught
    assert recache._state["codes"] == {}
    recache.uninstall()
    assert recache.install()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        re._compiler.compile("[[a]", 0)
    assert caught  # warned again: compiled the normal way


def test_debug_and_non_string_patterns_go_to_the_normal_compiler(cache_dir: Path) -> None:
    assert recache.install()
    parsed = re._parser.parse("ab", 0)
    assert re._compiler.compile(parsed, 0).pattern is None
    assert recache._state["codes"] == {}


def test_disabled_with_the_other_caches(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPWARDEN_NO_CACHE", "1")
    assert recache.install() is False
    assert re._compiler.compile("ab", 0) is not None
    assert not _files(cache_dir)


def test_cli_scan_reports_are_the_same_with_and_without_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "APPWARDEN_NO_CACHE"}
    env["APPWARDEN_CACHE_DIR"] = str(tmp_path / "cache")

    def scan(name: str, **extra: str) -> dict:
        target = tmp_path / name
        subprocess.run(
            [sys.executable, "-m", "appwarden", "scan", str(FIXTURE), "-o", str(target), "-q"],
            env={**env, **extra},
            check=True,
            timeout=300,
            capture_output=True,
        )
        report = json.loads(target.read_text())
        report.pop("timings", None)
        report.pop("generated_at", None)
        return report

    plain = scan("plain.json", APPWARDEN_NO_CACHE="1")
    filling = scan("filling.json")
    (path,) = _files(tmp_path / "cache")
    entries = recache._load(path)
    assert len(entries) > 50  # appwarden's own patterns and the standard library's
    cached = scan("cached.json")
    assert plain == filling == cached and plain["findings"]
    for (pattern, flags), args in entries.items():  # every pattern a scan compiles, as the scan compiled it
        assert recache._from_cache(pattern, args) == re._compiler.compile(pattern, flags)


def test_the_public_api_goes_through_it(cache_dir: Path) -> None:
    assert recache.install()
    re.purge()
    pattern = re.compile("zz(q)+", re.IGNORECASE)
    assert ("zz(q)+", int(re.IGNORECASE)) in recache._state["codes"]
    recache.uninstall()
    assert recache.install()
    re.purge()
    again = re.compile("zz(q)+", re.IGNORECASE)
    assert again == pattern and again.match("ZZQQ").group(1) == "Q"


def test_misses_are_not_stored_while_another_thread_runs(cache_dir: Path) -> None:
    import threading

    assert recache.install()
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert re._compiler.compile("th(r)ead", 0) == recache._state["original"]("th(r)ead", 0)
        assert recache._state["codes"] == {}
    finally:
        release.set()
        other.join()
    re._compiler.compile("th(r)ead", 0)
    assert ("th(r)ead", 0) in recache._state["codes"]


def test_a_process_embedding_the_cli_stores_only_what_commands_compile(cache_dir: Path) -> None:
    from appwarden.cli import main

    assert main(["rules", "list"]) == 0  # installs the caches, runs a command, pauses storing
    stored = dict(recache._state["codes"])
    re._compiler.compile("after(the)command", 0)
    assert recache._state["codes"] == stored  # served normally, not stored
    assert recache.install()  # the next command stores again
    re._compiler.compile("after(the)command", 0)
    assert ("after(the)command", 0) in recache._state["codes"]
