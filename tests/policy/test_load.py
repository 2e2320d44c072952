"""Loading policy files: formats, encodings, boilerplate, limits and bad input."""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from appwarden.errors import LimitExceeded, PolicyError
from appwarden.limits import MB, Limits
from appwarden.policy.load import (
    PolicyTooLarge,
    detect_format,
    find_bundled_policy,
    load_policy_bytes,
    load_policy_file,
    policy_score,
)

CHINESE = "我们会收集您的位置信息，用于提供天气预报服务。您可以随时在设置中关闭定位权限并撤回同意。"


def test_html_boilerplate_is_stripped(full_policy_path):
    text = load_policy_file(full_policy_path)
    assert "示例天气科技有限公司" in text
    assert "注册地址为北京市海淀区示例路1号" in text
    for junk in ("这段脚本文字", "导航栏文字", "页脚文字", "font-family"):
        assert junk not in text
    # block elements become lines
    assert "\n一、我们如何收集和使用您的个人信息\n" in text


def test_markdown_front_matter_links_and_emphasis(policies_dir):
    text = load_policy_file(policies_dir / "sdk_list.md")
    assert "title:" not in text and "date: 2024" not in text
    assert "**" not in text and "](" not in text
    assert "小米推送SDK" in text
    assert text.startswith("第三方SDK目录")


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-16"])
def test_chinese_encodings_decode(encoding):
    data = CHINESE.encode(encoding)
    assert load_policy_bytes(data, name="p.txt") == CHINESE


def test_gbk_html_with_meta_charset():
    html = f'<html><head><meta charset="gbk"></head><body><p>{CHINESE}</p></body></html>'.encode("gbk")
    assert load_policy_bytes(html, name="p.html") == CHINESE


TRADITIONAL = "我們會收集您的位置資訊，用於提供天氣預報服務。您可以隨時在設定中關閉定位權限並撤回同意。"


@pytest.mark.parametrize(
    "declared",
    ['<meta charset="big5">', '<meta http-equiv="Content-Type" content="text/html; charset=Big5">'],
)
def test_big5_html_with_meta_charset_is_not_read_as_gbk(declared):
    """A Big5 page (Hong Kong/Taiwan style policy) decodes without error as GB18030 too, into CJK-looking
    mojibake that passed the "is it Chinese" check and was analysed as a policy that declares nothing. The page's
    own declared charset (what a browser uses) now wins over the GB18030 guess."""
    html = f"<html><head>{declared}</head><body><p>{TRADITIONAL}</p></body></html>".encode("big5")
    assert load_policy_bytes(html, name="p.html") == TRADITIONAL


def test_declared_latin_charset_does_not_override_the_gbk_guess():
    """A wrong Latin-1 declaration on a GBK page (common on Chinese sites) keeps the GB18030 reading."""
    html = f'<html><head><meta charset="iso-8859-1"></head><body><p>{CHINESE}</p></body></html>'.encode("gbk")
    assert load_policy_bytes(html, name="p.html") == CHINESE


def test_pdf_text_is_extracted(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "policy.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("STSong-Light", 12)
    c.drawString(50, 800, "隐私政策：我们会收集您的位置信息和设备信息。")
    c.drawString(50, 780, "您可以注销账号，也可以撤回同意。")
    c.save()
    assert detect_format(path.read_bytes(), "x.bin") == "pdf"
    text = load_policy_file(path)
    assert "位置信息" in text and "注销账号" in text


def test_pdf_without_text_layer_is_policy_error(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "blank.pdf"
    c = canvas.Canvas(str(path))
    c.rect(10, 10, 100, 100)
    c.save()
    with pytest.raises(PolicyError, match="no text layer"):
        load_policy_file(path)


def test_corrupt_pdf_is_policy_error():
    with pytest.raises(PolicyError, match="PDF"):
        load_policy_bytes(b"%PDF-1.7\n" + os.urandom(2000), name="bad.pdf")


@pytest.mark.parametrize("data", [b"", b"   \n\t  ", "\u3000\n".encode()])
def test_empty_input_is_policy_error(data):
    with pytest.raises(PolicyError, match="empty"):
        load_policy_bytes(data, name="e.txt")


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
        b"PK\x03\x04" + b"\x00" * 100 + b"\x01\x02\x03" * 300,
        b"\x7fELF\x02\x01\x01\x00" + bytes(200),
    ],
)
def test_binary_input_is_policy_error(data):
    with pytest.raises(PolicyError, match="binary"):
        load_policy_bytes(data, name="b.txt")


def test_non_chinese_input_is_policy_error():
    english = b"We collect your location to show the weather. You may withdraw consent at any time. " * 20
    with pytest.raises(PolicyError, match="not Chinese"):
        load_policy_bytes(english, name="en.txt")


def test_undecodable_bytes_are_policy_error():
    # invalid in UTF-8 and GB18030 and not a plausible single-byte text either: a lone lead byte per pair
    data = ("隐私政策" * 5).encode("utf-8")[:-1] + b"\x81\x20" * 50
    with pytest.raises(PolicyError):
        load_policy_bytes(data, name="odd.txt")


def test_50mb_input_hits_the_size_limit(tmp_path):
    big = ("我们会收集您的个人信息。" * 1500000).encode("utf-8")  # ~54 MB, generated here, never committed
    assert len(big) > 50 * MB
    with pytest.raises(PolicyTooLarge) as err:
        load_policy_bytes(big, name="big.txt")
    assert isinstance(err.value, LimitExceeded) and isinstance(err.value, PolicyError)
    assert "max_policy_size" in str(err.value) and "\n" not in str(err.value)
    path = tmp_path / "big.txt"
    path.write_bytes(big)
    with pytest.raises(PolicyTooLarge):
        load_policy_file(path)


def test_custom_limit_applies():
    with pytest.raises(PolicyTooLarge):
        load_policy_bytes(CHINESE.encode(), name="p.txt", limits=Limits(max_policy_size=20))


def test_missing_file_and_directory_are_policy_errors(tmp_path):
    with pytest.raises(PolicyError, match=r"cannot (open|read)"):
        load_policy_file(tmp_path / "nope.html")
    with pytest.raises(PolicyError, match="directory"):
        load_policy_file(tmp_path)


class ZipBackedApk:
    """The two members of ``appwarden.apk.Apk`` that find_bundled_policy uses, over a real zip file."""

    def __init__(self, data: bytes) -> None:
        self.zf = zipfile.ZipFile(io.BytesIO(data))
        self.entry_names = self.zf.namelist()

    def read(self, name: str) -> bytes:
        return self.zf.read(name)


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_find_bundled_policy_picks_the_policy(full_policy_path, minimal_policy_text):
    apk = ZipBackedApk(
        _zip(
            {
                "AndroidManifest.xml": b"\x03\x00\x08\x00",
                "assets/help.html": "<p>使用帮助：点击左上角刷新天气，长按城市可以删除城市。</p>".encode(),
                "assets/web/privacy_policy.html": full_policy_path.read_bytes(),
                "res/raw/user_agreement.txt": "用户协议：您应遵守法律法规，不得利用本软件从事违法活动。".encode(),
                "assets/logo.png": b"\x89PNG\r\n\x1a\n" + bytes(500),
                "classes.dex": b"dex\n035\x00" + bytes(100),
            }
        )
    )
    found = find_bundled_policy(apk)
    assert found is not None
    name, text = found
    assert name == "assets/web/privacy_policy.html"
    assert "示例天气科技有限公司" in text
    assert policy_score(text) > policy_score(minimal_policy_text) > 0


def test_find_bundled_policy_none_when_absent():
    apk = ZipBackedApk(
        _zip({"assets/readme.txt": "这是一个说明文件，与隐私无关。".encode(), "assets/x.bin": bytes(64)})
    )
    assert find_bundled_policy(apk) is None
    assert find_bundled_policy(object()) is None  # no entry_names: nothing to search


def test_find_bundled_policy_skips_unreadable_entries():
    class Broken(ZipBackedApk):
        def read(self, name: str) -> bytes:
            raise OSError("corrupt entry")

    apk = Broken(_zip({"assets/privacy.html": "<p>隐私政策</p>".encode()}))
    assert find_bundled_policy(apk) is None


def test_find_bundled_policy_in_a_real_apk(tmp_path, fixtures_dir, full_policy_path):
    """With the real APK reader (when it can open a fixture APK): a policy added under assets/ is found."""
    apk_mod = pytest.importorskip("appwarden.apk")
    open_apk = getattr(apk_mod, "open_apk", None)
    candidates = sorted((fixtures_dir / "apks").glob("**/*.apk")) if (fixtures_dir / "apks").is_dir() else []
    if open_apk is None or not candidates:
        pytest.skip("appwarden.apk.open_apk or fixture APKs not available")
    src = candidates[0]
    out = tmp_path / "with_policy.apk"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info.filename))
        zout.writestr("assets/privacy.html", full_policy_path.read_bytes())
    apk = open_apk(out)
    found = find_bundled_policy(apk)
    assert found is not None and found[0] == "assets/privacy.html"


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PREFIXES = st.sampled_from(
    [b"", b"%PDF-1.4\n", b"<html><body>", b"\xef\xbb\xbf", b"\xff\xfe", b"---\ntitle: x\n---\n"]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=_PREFIXES, body=st.one_of(st.binary(max_size=3000), st.text(max_size=800).map(str.encode)))
def test_load_policy_bytes_never_raises_anything_but_policy_error(prefix, body):
    for name in ("p.txt", "p.html", "p.md", "p.pdf"):
        try:
            text = load_policy_bytes(prefix + body, name=name)
        except PolicyError:
            continue
        assert isinstance(text, str) and text.strip()


def test_every_element_clause_is_in_the_shipped_clause_index():
    import yaml

    from appwarden.knowledge import KNOWLEDGE_DIR
    from appwarden.policy.elements import ELEMENTS

    data = yaml.safe_load((KNOWLEDGE_DIR / "regulations.yaml").read_text(encoding="utf-8"))
    items = data.get("items", data) if isinstance(data, dict) else data
    known = {item["id"] for item in items if isinstance(item, dict) and "id" in item}
    assert known, "clause index is empty"
    for name, spec in ELEMENTS.items():
        assert spec.clauses and set(spec.clauses) <= known, (name, set(spec.clauses) - known)


def test_policy_score_needs_policy_vocabulary_not_one_repeated_word():
    # an SDK help page (HBuilder's push.html): "第三方" seven times and "权限" once, no title, no "个人信息"
    help_page = "Push模块管理推送消息。" + "第三方推送服务的说明。" * 7 + "需要通知权限。"
    assert policy_score(help_page) == 0
    # without a title, a text that talks about personal information in several ways still reads as a policy
    untitled = (
        "我们收集您的个人信息。" * 3
        + "我们不会与第三方共享个人信息。" * 2
        + "您可以注销账号。"
        + "相关权限说明。"
    )
    assert policy_score(untitled) > 0
    # with a title, two body terms suffice
    assert policy_score("隐私政策\n我们收集个人信息，不与第三方共享。") > 0
    assert policy_score("隐私政策\n欢迎使用。") == 0


def test_an_html_fragment_without_html_or_body_is_read_as_html() -> None:
    # a page's policy block: a <meta charset> and then headings and line breaks, no <html>/<body>; read as text,
    # its tags became part of the first sentences
    fragment = (
        '<meta charset="utf-8"><h2>隐私政策</h2>我们收集您的设备信息。<br/>我们不会出售您的信息。'.encode()
    )
    assert detect_format(fragment) == "html"
    text = load_policy_bytes(fragment)
    assert "<" not in text and "隐私政策" in text and "我们收集您的设备信息" in text
    assert detect_format("隐私政策\n我们收集您的设备信息，a < b 时不收集。".encode()) == "text"
