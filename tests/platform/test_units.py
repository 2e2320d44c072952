"""Pure helpers: working days, credit codes, SVG charts, problem types, DATABASE_URL parsing, storage."""

from __future__ import annotations

import datetime as dt
import hashlib
import xml.etree.ElementTree as ET

import pytest

from appwarden.errors import AppwardenError
from appwarden.platform.core import charts, problem_types, storage
from appwarden.platform.core.errors import UploadError
from appwarden.platform.core.workdays import add_working_days, working_days_between
from appwarden.platform.registry.validators import credit_code_check_char, is_valid_credit_code
from appwarden.platform.settings import parse_database_url


def test_working_days_skip_weekends_and_holidays():
    friday = dt.date(2026, 11, 20)
    assert add_working_days(friday, 1) == dt.date(2026, 11, 23)  # Monday
    assert add_working_days(friday, 15) == dt.date(2026, 12, 11)  # three full weeks
    assert add_working_days(friday, 1, ["2026-11-23"]) == dt.date(2026, 11, 24)
    assert add_working_days(friday, 0) == friday
    with pytest.raises(ValueError):
        add_working_days(friday, -1)


def test_working_days_between_inverts_add():
    start = dt.date(2026, 9, 28)
    holidays = ["2026-10-01", "2026-10-02", "2026-10-05"]
    for n in (1, 5, 15, 30):
        end = add_working_days(start, n, holidays)
        assert working_days_between(start, end, holidays) == n
        assert working_days_between(end, start, holidays) == -n


def test_credit_code_checksum():
    # a published example code (GB 32100 check character computed independently)
    assert is_valid_credit_code("91350100M000100Y43")
    assert not is_valid_credit_code("91350100M000100Y44")
    assert not is_valid_credit_code("91350100M000100Y4")  # 17 chars
    assert not is_valid_credit_code("91350100M000100I43")  # I is not in the charset
    code17 = "91110000MA0000001"
    assert is_valid_credit_code(code17 + credit_code_check_char(code17))


def test_bar_chart_is_valid_svg_and_escapes_labels():
    svg = charts.bar_chart([("<script>alert(1)</script>", 3), ("违规收集", 7)], title='a "b" & c')
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "<script>" not in svg
    rects = [e for e in root.iter() if e.tag.endswith("rect")]
    assert len(rects) == 2
    widths = [float(r.get("width")) for r in rects]
    assert widths[1] > widths[0]  # 7 draws longer than 3
    long = charts.bar_chart([("隐私政策及告知不到位 Privacy policy / notice missing or deficient", 1)])
    label = next(
        e for e in ET.fromstring(long).iter() if e.tag.endswith("text") and e.get("text-anchor") == "end"
    )
    assert label.text.endswith("…") and len(label.text) < 40
    assert "deficient" in "".join(label.itertext())  # the full label stays in the tooltip


def test_line_chart_points_and_empty():
    svg = charts.line_chart([("11-01", 1), ("11-02", 4), ("11-03", 2)], title="t")
    root = ET.fromstring(svg)
    assert len([e for e in root.iter() if e.tag.endswith("circle")]) == 3
    assert "无数据" in charts.line_chart([], title="t")
    ET.fromstring(charts.bar_chart([], title="empty"))


@pytest.mark.parametrize(
    ("types", "key"),
    [
        (["M337-1"], "collection"),
        (["M337-7", "M337-2"], "permission"),  # the first declared type decides
        (["M337-3"], "use"),
        (["M164-2.2"], "self_start"),
        (["RD-1"], "notice"),
        (["M26-4.shake"], "mislead"),
        (["RD-6.complaint"], "rights"),
        (["XYZ-1"], "other"),
        ([], "other"),
    ],
)
def test_dashboard_group_of_notice_types(types, key):
    assert problem_types.group_of_types(types) == key
    assert problem_types.label(key)


def test_every_notice_type_has_a_dashboard_group_with_a_label():
    from appwarden.knowledge.notice_types import GROUPS, vocabulary

    assert {k for k, _zh, _en in problem_types.GROUPS} == set(GROUPS)
    for tid, rec in vocabulary().items():
        assert problem_types.group_of_types([tid]) == rec["group"] != "other", tid
    # the stored keys of before the types were explicit are all still valid choices
    legacy = {
        "permission",
        "collection",
        "use",
        "self_start",
        "mislead",
        "notice",
        "rights",
        "store",
        "other",
    }
    assert {k for k, _ in problem_types.CHOICES} == legacy


def test_parse_database_url():
    pg = parse_database_url("postgresql://u:p%40ss@db.example:5433/appwarden")
    assert pg["ENGINE"].endswith("postgresql")
    assert (pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"], pg["NAME"]) == (
        "u",
        "p@ss",
        "db.example",
        "5433",
        "appwarden",
    )
    assert parse_database_url("sqlite:////tmp/x.sqlite3")["NAME"] == "/tmp/x.sqlite3"
    with pytest.raises(AppwardenError):
        parse_database_url("mysql://x/y")


def test_storage_is_content_addressed_and_limits(tmp_path, settings_storage):
    sha, size = storage.store_bytes(b"hello")
    assert sha == hashlib.sha256(b"hello").hexdigest() and size == 5
    path = storage.path_for(sha)
    assert path.read_bytes() == b"hello"
    assert path.parent.name == sha[2:4] and path.parent.parent.name == sha[:2]
    assert storage.store_bytes(b"hello")[0] == sha  # idempotent
    with pytest.raises(UploadError):
        storage.store_chunks([b"x" * 10, b"y" * 10], max_size=15)
    with pytest.raises(UploadError):
        storage.path_for("../../etc/passwd")
    leftovers = [p for p in storage.root().iterdir() if p.name.startswith(".upload-")]
    assert leftovers == []


@pytest.fixture
def settings_storage(tmp_path):
    from django.test import override_settings

    with override_settings(APPWARDEN_STORAGE_DIR=tmp_path / "blobs"):
        yield


def test_migrations_match_the_models():
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)  # exits 1 when a migration is missing


def test_secret_key_is_generated_once_per_data_dir(tmp_path, monkeypatch):
    from appwarden.platform import settings as platform_settings

    monkeypatch.delenv("APPWARDEN_SECRET_KEY", raising=False)
    monkeypatch.setattr(platform_settings, "DATA_DIR", tmp_path / "data")
    first = platform_settings._secret_key()
    assert len(first) >= 50
    assert platform_settings._secret_key() == first
    assert (tmp_path / "data" / "secret_key").stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("APPWARDEN_SECRET_KEY", "from-env")
    assert platform_settings._secret_key() == "from-env"
