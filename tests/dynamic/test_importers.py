"""HAR and camille importers: their traces validate, carry the PI found, and feed the analyzer."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appwarden.dynamic.analyze import load_dynamic_evidence
from appwarden.dynamic.attribution import PrefixAttributor
from appwarden.dynamic.importers import import_camille, import_har
from appwarden.dynamic.importers.camille import parse_args
from appwarden.dynamic.pi_values import detect_in_url, detect_pi, luhn_ok, pairs_of
from appwarden.dynamic.trace import read_trace, schema
from appwarden.errors import InputError, TraceFormatError

TRACES = Path(__file__).resolve().parents[1] / "fixtures" / "traces"
SDKS = PrefixAttributor({"com.umeng": "umeng", "com.qq.e": "gdt"}, {"umeng.com": "umeng"})


def valid_lines(path: Path) -> list[dict]:
    validator = jsonschema.Draft202012Validator(schema())
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for row in rows:
        validator.validate(row)
    return rows


# ---- PI value detection ---------------------------------------------------------------------------------------
def test_value_patterns_are_conservative() -> None:
    assert luhn_ok("490154203237518") and not luhn_ok("490154203237519")
    cats = lambda found: sorted(f["category"] for f in found)  # noqa: E731
    assert cats(detect_pi("id=490154203237518", "query")) == ["imei"]
    assert cats(detect_pi("id=490154203237519", "query")) == []  # 15 digits, bad Luhn, not 460: nothing
    assert cats(detect_pi("x=460001234567890", "query")) == ["imsi"]
    assert cats(detect_pi("89860012345678901234", "body")) == ["iccid"]
    assert cats(detect_pi("m=3C-5A-B4-01-02-03", "query")) == ["mac"]
    assert cats(detect_pi("m=02:00:00:00:00:00", "query")) == []  # Android's placeholder MAC
    assert cats(detect_pi("ts=1700000000000", "query")) == []
    assert cats(detect_in_url("https://a.com/p?phone=13812345678&tel=abc")) == ["phone_number"]
    found = detect_in_url("https://a.com/p?imei=490154203237518")
    assert found[0]["value"] == "490****18" and "490154203237518" not in json.dumps(found)


def test_known_values_are_found_anywhere() -> None:
    found = detect_pi("payload=xyz-ABCDEF123456-xyz", "body", known={"ABCDEF123456": "serial"})
    assert [f["category"] for f in found] == ["serial"]


def test_body_pairs() -> None:
    assert ("imei", "1") in pairs_of('{"a": {"imei": 1}}')
    assert pairs_of("a=1&b=2") == [("a", "1"), ("b", "2")]
    assert pairs_of("plain text") == []


# ---- HAR ------------------------------------------------------------------------------------------------------
def test_body_nested_past_the_json_decoder_limit_has_no_pairs(tmp_path: Path) -> None:
    """A captured request body of JSON nested past the decoder's recursion limit was a RecursionError (an
    'internal error' of ``appwarden trace import har``); it is a body without name/value pairs, as other junk is."""
    deep = "[" * 100_000 + "]" * 100_000
    assert pairs_of(deep) == []
    har = {"log": {"entries": [{
        "startedDateTime": "2024-01-01T00:00:00Z",
        "request": {"method": "POST", "url": "https://x.example/a", "headers": [],
                    "postData": {"mimeType": "application/json", "text": deep}},
    }]}}  # fmt: skip
    src = tmp_path / "deep.har"
    src.write_text(json.dumps(har))
    import_har(src, tmp_path / "o.jsonl", "com.x")
    assert read_trace(tmp_path / "o.jsonl")


def test_har_import(tmp_path: Path) -> None:
    out = tmp_path / "har.jsonl"
    result = import_har(
        TRACES / "proxy_capture.har", out, "com.example.shop", marks=[("consent_agree", 2000)]
    )
    assert result.events == 4 and result.with_pi == 2
    assert [e.line for e in result.errors] == [4, 5]
    rows = valid_lines(out)
    assert rows[0]["source"] == "har" and rows[0]["started_at"] == "2026-11-23T06:00:00.400Z"
    umeng = next(r for r in rows if r.get("host") == "ulogs.umeng.com")
    assert umeng["t"] == 500
    assert {(p["category"], p["where"]) for p in umeng["pi"]} == {
        ("imei", "body"), ("android_id", "body"), ("app_list", "body"), ("mac", "header"),
    }  # fmt: skip
    assert "490154203237518" not in out.read_text(encoding="utf-8")
    dyn = load_dynamic_evidence(out, attributor=SDKS)
    got = {(x.host, x.owner, x.third_party, x.before_consent) for x in dyn.transmissions}
    assert got == {("ulogs.umeng.com", "umeng", True, True), ("t.ads.example-adnet.com", "host", True, False)}
    ads = next(x for x in dyn.transmissions if x.host.startswith("t.ads"))
    assert ads.categories == ["imsi", "location", "oaid"]


@pytest.mark.parametrize(
    ("content", "error"),
    [("{not json", TraceFormatError), ('{"log": {}}', TraceFormatError), ("[]", TraceFormatError)],
)
def test_har_rejects_non_har(tmp_path: Path, content: str, error: type) -> None:
    src = tmp_path / "x.har"
    src.write_text(content, encoding="utf-8")
    with pytest.raises(error):
        import_har(src, tmp_path / "o.jsonl", "com.x")
    with pytest.raises(InputError):
        import_har(tmp_path / "missing.har", tmp_path / "o.jsonl", "com.x")
    with pytest.raises(InputError, match="unknown mark"):
        import_har(TRACES / "proxy_capture.har", tmp_path / "o.jsonl", "com.x", marks=[("dance", 1)])


# ---- camille --------------------------------------------------------------------------------------------------
def test_camille_args() -> None:
    assert parse_args("无参数") == []
    assert parse_args('参数0："cr"，参数1："android_id"') == ["cr", "android_id"]
    assert parse_args('参数0：0，参数1：["a","b"]') == ["0", '["a","b"]']


def test_camille_import(tmp_path: Path) -> None:
    out = tmp_path / "c.jsonl"
    result = import_camille(
        TRACES / "camille_sample.txt", out, "com.example.shop",
        marks=[("privacy_dialog_shown", 1500), ("consent_agree", 4000)],
    )  # fmt: skip
    assert [e.line for e in result.errors] == [48]  # the garbled block
    rows = valid_lines(out)
    calls = [(r["t"], r["class"], r["method"], r["category"]) for r in rows if r["type"] == "api_call"]
    assert calls == [
        (0, "android.net.wifi.WifiInfo", "getMacAddress", "mac"),
        (0, "android.provider.Settings$Secure", "getString", "android_id"),
        (8000, "android.content.pm.PackageManager", "getInstalledPackages", "app_list"),
    ]  # the bluetooth_name read and the file write are not PI
    [req] = [r for r in rows if r["type"] == "permission_request"]
    assert req["permissions"] == [
        "android.permission.ACCESS_FINE_LOCATION",
        "android.permission.READ_PHONE_STATE",
    ]
    dyn = load_dynamic_evidence(out, attributor=SDKS)
    assert {(o.category, o.owner) for o in dyn.pre_consent} == {("mac", "host"), ("android_id", "umeng")}
    header, events, errors = read_trace(out)
    assert header["source"] == "camille" and len(list(events)) == 6 and errors == []


def test_camille_without_notices(tmp_path: Path) -> None:
    src = tmp_path / "empty.txt"
    src.write_text("nothing here\n", encoding="utf-8")
    result = import_camille(src, tmp_path / "o.jsonl", "com.x")
    assert result.events == 0 and result.errors == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.lists(st.tuples(st.text(max_size=12), st.text(max_size=40)), max_size=6))
def test_pi_detection_never_raises_and_masks(text: str, pairs: list[tuple[str, str]]) -> None:
    found = detect_pi(text, "body", pairs) + detect_in_url("https://h.example/p?" + text)
    for item in found:
        assert item["category"] and item["where"] in ("body", "query", "path")
        assert len(item["value"]) <= 9  # masked: 3 + "****" + 2 characters at most
    pairs_of(text)


@pytest.mark.parametrize(
    "importer, fixture", [(import_har, "proxy_capture.har"), (import_camille, "camille_sample.txt")]
)
def test_import_from_a_name_that_is_not_utf8(tmp_path: Path, importer, fixture: str) -> None:
    """A capture file named with bytes that are not UTF-8 crashed ``trace import`` (``UnicodeEncodeError``
    writing the header's ``notes``, which name the file); the name is now written with ``\\xfe`` escapes."""
    import os

    src = os.fsencode(tmp_path) + b"/cap\xfe" + os.fsencode(Path(fixture).suffix)
    with open(src, "wb") as fh:
        fh.write((TRACES / fixture).read_bytes())
    out = tmp_path / "out.jsonl"
    importer(Path(os.fsdecode(src)), out, "com.example.shop")
    assert "imported from cap\\xfe" in valid_lines(out)[0]["notes"]
