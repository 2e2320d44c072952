"""The PDF report: Chinese text really present (pdftotext) and drawn (pdftoppm), with both font paths."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from appwarden.report.pdf import cid_fallback_font, cjk_font, render_pdf

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdftoppm")), reason="poppler-utils not installed"
)


def _text(pdf_path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf_path), "-"], capture_output=True, check=True, timeout=60
    ).stdout.decode("utf-8")


def _first_page_ink(pdf_path, tmp_path) -> float:
    from PIL import Image

    prefix = tmp_path / "page"
    subprocess.run(
        ["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", str(pdf_path), str(prefix)],
        check=True,
        timeout=60,
    )
    (png,) = tmp_path.glob("page*.png")
    with Image.open(png) as img:
        hist = img.convert("L").histogram()
    return sum(hist[:200]) / max(1, sum(hist))


def _title_crop_ink(pdf_path, tmp_path) -> float:
    """Ink in the title line only (where the Chinese title is drawn)."""
    from PIL import Image

    prefix = tmp_path / "title"
    subprocess.run(
        ["pdftoppm", "-r", "100", "-f", "1", "-l", "1", "-png", str(pdf_path), str(prefix)],
        check=True,
        timeout=60,
    )
    (png,) = tmp_path.glob("title*.png")
    with Image.open(png) as img:
        w, h = img.size
        crop = img.convert("L").crop((0, 0, w, int(h * 0.09)))
        hist = crop.histogram()
    return sum(hist[:160]) / max(1, sum(hist))


def test_pdf_is_a_pdf(report):
    data = render_pdf(report)
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")


@needs_poppler
def test_pdf_chinese_text_extracts_and_renders(report, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(render_pdf(report))
    text = _text(path)
    assert "检测报告" in text and "测试应用" in text
    assert "第三方SDK清单" in text and "友盟统计" in text
    assert _first_page_ink(path, tmp_path) > 0.005
    assert _title_crop_ink(path, tmp_path) > 0.002


@needs_poppler
def test_pdf_embeds_a_truetype_cjk_font_when_available(report, tmp_path):
    font = cjk_font()
    if not font.embedded:
        pytest.skip("no TrueType CJK font on this machine (install fonts-wqy-microhei); CID fallback in use")
    path = tmp_path / "r.pdf"
    path.write_bytes(render_pdf(report))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    embedded = [ln for ln in fonts.splitlines()[2:] if "TrueType" in ln]
    assert embedded and all(" yes " in ln for ln in embedded), fonts


@needs_poppler
def test_pdf_cid_fallback_still_carries_chinese(report, tmp_path):
    path = tmp_path / "cid.pdf"
    path.write_bytes(render_pdf(report, font=cid_fallback_font()))
    text = _text(path)
    assert "检测报告" in text
    assert "·" not in text and "•" not in text  # no glyph in STSong-Light: replaced, never drawn as boxes
    assert _first_page_ink(path, tmp_path) > 0.005


@needs_poppler
def test_pdf_hostile_strings_do_not_break_rendering(hostile_report, tmp_path):
    path = tmp_path / "h.pdf"
    path.write_bytes(render_pdf(hostile_report))
    assert "<script>alert('x')</script>" in _text(path)  # shown literally, not parsed as paragraph markup


@needs_poppler
def test_pdf_policy_section(report, tmp_path):
    report["policy"] = {
        "source": "apk:assets/privacy.html",
        "found": True,
        "elements": {"sdk_list": {"present": False}},
    }
    path = tmp_path / "p.pdf"
    path.write_bytes(render_pdf(report))
    text = _text(path)
    assert "隐私政策 Privacy policy" in text and "apk:assets/privacy.html" in text and "sdk_list" in text


def test_pdf_lists_sdks_seen_only_at_run_time(report, tmp_path):
    """Like the terminal and HTML, the PDF's SDK section names SDKs only the trace showed (report audit)."""
    report["sdks"] = []
    report["dynamic"] = {
        "pre_consent": [{"t": 300, "api": "a.b.C.d", "category": "imei", "owner": "getui_push"}]
    }
    path = tmp_path / "r.pdf"
    path.write_bytes(render_pdf(report))
    text = _text(path).replace("\n", "")
    assert "仅运行时观察到" in text and "个推" in text
