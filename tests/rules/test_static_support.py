"""Helpers with no APK: literal readings, callback detection, category inference, necessary-PI table."""

from __future__ import annotations

import struct

from appwarden.evidence import AppInfo, StaticEvidence
from appwarden.rules.category import infer_category, necessary_pi
from appwarden.rules.static_support import _is_callback, call_path, java_to_desc, literal_numbers


def test_literal_numbers_read_float_and_double_bits() -> None:
    f15 = struct.unpack("<i", struct.pack("<f", 15.0))[0]
    assert 15.0 in list(literal_numbers(f15))
    d12 = struct.unpack("<q", struct.pack("<d", 12.5))[0]
    assert 12.5 in list(literal_numbers(d12))
    assert next(iter(literal_numbers(3))) == 3.0


def test_callbacks_and_paths() -> None:
    assert _is_callback("Lx;->onCreate()V") and _is_callback("Lx;->tap(Landroid/view/View;)V")
    assert not _is_callback("Lx;->readClipboard()V")
    parents = {"a": None, "b": "a", "c": "b"}
    assert call_path(parents, "c") == ["a", "b", "c"] and call_path(parents, "zz") == []
    assert java_to_desc("com.x.Y") == "Lcom/x/Y;" and java_to_desc("Lcom/x/Y;") == "Lcom/x/Y;"


def _static(label: str | None, package: str) -> StaticEvidence:
    return StaticEvidence(app=AppInfo(sha256="0" * 64, package=package, label=label), manifest=None)


def test_infer_category_only_when_unambiguous() -> None:
    assert infer_category(_static("极速浏览器", "com.a.b")) == "N39-32"
    assert infer_category(_static(None, "com.example.weather")) == "N39-38"
    assert infer_category(_static("新闻地图", "com.x")) is None  # two types match: no guess
    assert infer_category(_static("Fixture", "com.example.fixture")) is None
    assert infer_category(_static("Parcel", "edu.mit.parcel")) is None  # reverse-domain root is not a word
    assert infer_category(_static(None, "education.x.quran")) is None


def test_necessary_pi_table() -> None:
    data = necessary_pi()
    types = data["types"]
    assert len(types) == 39
    assert sum(1 for t in types.values() if t["no_pi_needed"]) == 13
    assert "android.permission.ACCESS_FINE_LOCATION" in types["N39-01"]["justified_permissions"]
    # no type justifies device identifiers, contacts or SMS (bixu39.md rule-writing note)
    for t in types.values():
        assert "android.permission.READ_PHONE_STATE" not in t["justified_permissions"]
        assert "android.permission.READ_CONTACTS" not in t["justified_permissions"]
        assert "android.permission.READ_SMS" not in t["justified_permissions"]
    assert "imei" in data["permission_categories"]["android.permission.READ_PHONE_STATE"]
