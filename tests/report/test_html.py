"""The single-file HTML report: content, escaping of hostile app strings, and a real Chromium render."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from report_samples import HOSTILE

from appwarden.report.html import render_html

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if shutil.os.path.exists("/usr/bin/chromium") else None
)


def test_sections_chinese_first_english_beside(report):
    html = render_html(report)
    assert html.startswith("<!DOCTYPE html>")
    for zh, en in [
        ("应用信息", "App"),
        ("问题（按主要条款）", "Findings by main clause"),
        ("条款索引", "Clause index"),
        ("第三方SDK清单", "Third-party SDKs"),
        ("个人信息调用点（按类别）", "PI call sites by category"),
        ("未能分析的内容", "Not analysed / errors"),
    ]:
        assert re.search(re.escape(zh) + r'\s*<span class="en">' + re.escape(en), html), zh


def test_findings_grouped_by_clause_with_evidence_and_owner(report):
    html = render_html(report)
    # each finding once, under its main (first) clause; every cited clause is in the clause index
    assert html.count("在用户同意隐私政策前收集设备标识符</strong>") == 1
    heading = html.index('<h3><a class="tag clause" href="#clause-RD-3.1"')
    assert heading < html.index("在用户同意隐私政策前收集设备标识符</strong>")
    assert '<td><a class="tag clause" href="#clause-M164-1.1"' in html
    assert "Lcom/umeng/commonsdk/statistics/common/DeviceConfig;-&gt;getImei" in html  # call site, escaped
    assert "“我们会收集您的设备信息。”" in html  # policy sentence
    assert "t=1.25" in html  # trace event
    assert "android.permission.ACCESS_FINE_LOCATION" in html  # permission
    assert "归属 owner: 友盟统计" in html


def test_self_contained_no_external_assets(report):
    html = render_html(report)
    assert "<script" not in html
    assert not re.search(r"<(link|img|iframe|object|embed)\b", html)
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", html)
    assert "url(" not in html


def test_hostile_strings_are_escaped(hostile_report):
    html = render_html(hostile_report)
    assert "<script>alert" not in html
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    # every place the hostile label lands is escaped: title, app table, packer banner, SDK table, message, policy
    assert html.count("&lt;script&gt;") >= 6
    assert "<script" not in html


def test_missing_optional_sections_render(report):
    minimal = {
        "schema_version": "1.0",
        "app": {"sha256": None, "signers": []},
        "engine": {"name": "appwarden", "version": "0"},
        "callsites": [],
        "sdks": [],
        "findings": [],
        "errors": [],
    }
    html = render_html(minimal)
    assert "未发现问题" in html


def _nonblank_png(path) -> float:
    from PIL import Image

    with Image.open(path) as img:
        gray = img.convert("L")
        hist = gray.histogram()
    dark = sum(hist[:200])
    return dark / max(1, sum(hist))


@pytest.mark.e2e
def test_html_renders_in_headless_chromium(report, tmp_path):
    if not CHROMIUM:
        pytest.skip("chromium not installed")
    page = tmp_path / "report.html"
    page.write_text(render_html(report), encoding="utf-8")
    shot = tmp_path / "shot.png"
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        f"--screenshot={shot}",
        "--window-size=1280,2000",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        page.as_uri(),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert shot.is_file(), proc.stderr[-2000:]
    share = _nonblank_png(shot)
    assert share > 0.01, f"screenshot nearly blank ({share:.4f} of pixels drawn)"


def test_external_engine_findings_are_labelled(report):
    report["findings"][1]["engine"] = "androguard"
    html = render_html(report)
    assert 'engine: <span class="tag">androguard</span>' in html


def test_policy_and_dynamic_sections_render(report):
    report["policy"] = {
        "source": "apk:assets/privacy.html",
        "found": True,
        "elements": {
            "contact": {"present": True, "evidence": [{"sentence": "联系我们：privacy@example.com"}]},
            "sdk_list": {"present": False, "evidence": []},
        },
        "declared_pi": [{"category": "imei"}],
    }
    report["dynamic"] = {"duration_ms": 60000, "consent": {"dialog_ms": 1200, "decision": "agree"}}
    html = render_html(report)
    assert "隐私政策与运行时证据" in html
    assert "apk:assets/privacy.html" in html and "“联系我们：privacy@example.com”" in html
    assert '<span class="dangerous">否 no</span>' in html  # sdk_list missing
    assert "dialog_ms=1200, decision=agree" in html


HOSTILE_CHARS = st.sampled_from(list("<>&\"'/=` 中a")) | st.characters(blacklist_categories=("Cs",))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=HOSTILE_CHARS, min_size=1, max_size=30))
def test_any_label_is_escaped(report, text):
    label = f"\u2603{text}\u2603"  # sentinels make the raw and escaped forms unambiguous in the page
    report["app"]["label"] = label
    report["sdks"][0]["name_zh"] = label
    html = render_html(report)
    escaped = str(escape(label))
    assert escaped in html
    if escaped != label:
        assert label not in html


@pytest.mark.e2e
def test_hostile_report_parses_without_script_in_chromium(hostile_report, tmp_path):
    """The browser's own parse of the page (--dump-dom) has no script element and shows the label as text."""
    if not CHROMIUM:
        pytest.skip("chromium not installed")
    page = tmp_path / "hostile.html"
    page.write_text(render_html(hostile_report), encoding="utf-8")
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--dump-dom",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        page.as_uri(),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    dom = proc.stdout
    assert "</html>" in dom, proc.stderr[-2000:]
    assert "<script" not in dom.lower()
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in dom  # the label, as text


def test_callsite_reachability_is_shown(report):
    html = render_html(report)
    assert "入口可达" in html
    assert (
        "<code>Lcom/example/demo/App;-&gt;onCreate()V</code>" in html
    )  # reachable_from of the Umeng call site


def test_trace_confirmation_marker_has_no_none_timestamp(report):
    """An upgraded finding's evidence holds ``{"type": "trace", "event": "confirmation"}`` with no ``ts``: the HTML
    printed ``t=None confirmation`` (report audit)."""
    report["findings"][0]["evidence"].append(
        {"type": "trace", "event": "confirmation", "behaviour": "pre_consent", "package": "com.example"}
    )
    html = render_html(report)
    assert "t=None" not in html
    assert "运行时轨迹证实" in html


def test_policy_evidence_names_the_element_in_chinese(report):
    """An absence item's ``element`` is an internal key (``declared_pi``, ``sdk_list``, ``source``): the HTML showed
    it raw as a tag beside the Chinese note (report audit)."""
    report["findings"][0]["evidence"] = [
        {
            "type": "policy",
            "sentence": "",
            "element": "declared_pi",
            "present": False,
            "note_zh": "隐私政策未声明收集：通讯录",
        },
        {
            "type": "policy",
            "sentence": "",
            "element": "sdk_list",
            "present": False,
            "note_zh": "未列出：个推",
        },
        {"type": "policy", "element": "source", "value": "apk:assets/privacy.html"},
    ]
    html = render_html(report)
    for key in ("declared_pi", "sdk_list", "source"):
        assert f'<span class="tag">{key}</span>' not in html
    assert "声明收集的个人信息" in html and "第三方SDK清单" in html and "隐私政策来源" in html
