"""The fixture APKs' expected call sites (tests/fixtures/apks/expected_callsites.tsv, which other areas' tests read)
are checked here against Debian's ``dexdump`` disassembly of the committed APKs, so the table cannot drift from the
APKs. Also: every PI category of knowledge/pi_apis.yaml has at least one expected call site in pi_all.apk."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from appwarden.apk import open_apk

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "apks"
TSV = FIXTURES / "expected_callsites.tsv"


def expected_rows() -> list[dict[str, str]]:
    with TSV.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def dexdump_sites(dex_path: Path) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(caller, callee-or-field) pairs and (caller, const-string) pairs from ``dexdump -d``."""
    out = subprocess.run(["dexdump", "-d", str(dex_path)], capture_output=True, text=True, check=True).stdout
    refs: set[tuple[str, str]] = set()
    strings: set[tuple[str, str]] = set()
    cls = name = caller = None
    for line in out.splitlines():
        if m := re.match(r"\s+Class descriptor\s+: '(.+)'", line):
            cls = m.group(1)
        elif m := re.match(r"\s+name\s+: '(.+)'", line):
            name = m.group(1)
        elif (m := re.match(r"\s+type\s+: '(.+)'", line)) and cls and name:
            caller = f"{cls}->{name}{m.group(1)}"
        elif caller and (m := re.search(r"\|\w+: invoke-\S+ \{[^}]*\}, (L[^;]+;)\.([^:]+):(\S+)", line)):
            refs.add((caller, "{}->{}{}".format(*m.groups())))
        elif caller and (m := re.search(r"\|\w+: sget\S* v\d+, (L[^;]+;)\.([^:]+):(\S+)", line)):
            refs.add((caller, "{}->{}:{}".format(*m.groups())))
        elif caller and (m := re.search(r'const-string(?:/jumbo)? v\d+, "(.*)" // string@', line)):
            strings.add((caller, m.group(1)))
    return refs, strings


@pytest.mark.skipif(shutil.which("dexdump") is None, reason="dexdump not installed")
def test_expected_callsites_exist_in_the_dex(tmp_path: Path) -> None:
    cache: dict[tuple[str, str], tuple[set, set]] = {}
    rows = expected_rows()
    assert len(rows) >= 40
    for row in rows:
        key = (row["apk"], row["dex"])
        if key not in cache:
            dex = tmp_path / f"{row['apk']}.{row['dex']}"
            dex.write_bytes(open_apk(FIXTURES / row["apk"]).read(row["dex"]))
            cache[key] = dexdump_sites(dex)
        refs, strings = cache[key]
        caller, api, kind = row["caller"], row["api"], row["kind"]
        if kind in ("invoke", "field"):
            assert (caller, api) in refs, row
        elif kind == "content_uri":
            assert (caller, api) in strings, row
        elif kind == "reflection":
            cls, method = api.split("->")
            java_cls = cls[1:-1].replace("/", ".")
            assert (caller, java_cls) in strings and (caller, method) in strings, row
            assert (caller, "Ljava/lang/Class;->forName(Ljava/lang/String;)Ljava/lang/Class;") in refs
        else:
            pytest.fail(f"unknown kind {kind}")
        if row["owner_package"]:
            assert caller.startswith("L" + row["owner_package"].replace(".", "/") + "/"), row


def test_every_pi_category_has_a_call_site() -> None:
    kb = yaml.safe_load((ROOT / "src/appwarden/knowledge/pi_apis.yaml").read_text(encoding="utf-8"))
    covered = {r["category"] for r in expected_rows() if r["apk"] == "pi_all.apk"}
    assert set(kb["categories"]) <= covered, sorted(set(kb["categories"]) - covered)


def test_expected_apis_are_in_the_knowledge_base() -> None:
    """Each expected API (class->name) is listed under its category in pi_apis.yaml (apis, sdk_apis or fields)."""
    kb = yaml.safe_load((ROOT / "src/appwarden/knowledge/pi_apis.yaml").read_text(encoding="utf-8"))[
        "categories"
    ]
    for row in expected_rows():
        if row["kind"] not in ("invoke", "field"):
            continue
        cat = kb[row["category"]]
        listed = set(cat.get("apis", [])) | set(cat.get("sdk_apis", [])) | set(cat.get("fields", []))
        short = re.sub(r"[(:].*$", "", row["api"])
        assert short in listed, (row["category"], short)
