"""Reading privacy-policy files into clean text.

Contract:

* :func:`load_policy_bytes` / :func:`load_policy_file` accept HTML, plain text, Markdown and PDF; detect the encoding
  (UTF-8 with or without BOM, UTF-16 with BOM, GBK/GB18030 and others via charset-normalizer); strip boilerplate
  (``<script>``, ``<style>``, ``<nav>``, headers/footers, Markdown front matter and link targets); and return the
  normalised text (``\\n`` line ends, no runs of blank lines).
* Inputs larger than ``Limits.max_policy_size``, empty, binary, undecodable or not Chinese raise
  :class:`~appwarden.errors.PolicyError` (or :class:`~appwarden.errors.LimitExceeded` for the size limit — also
  a PolicyError for callers, see :class:`PolicyTooLarge`) with a one-line message; the caller then marks the
  policy rules ``not_evaluated``.
* :func:`find_bundled_policy` looks for a privacy policy shipped inside an APK (``assets/`` or ``res/raw/`` HTML,
  text or Markdown) and returns ``(entry_name, text)`` or ``None``.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from appwarden.errors import LimitExceeded, PolicyError
from appwarden.limits import DEFAULT_LIMITS, Limits
from appwarden.policy.bundle import bundled_candidates


class PolicyTooLarge(PolicyError, LimitExceeded):
    """The policy input is larger than ``Limits.max_policy_size``."""

    code = "policy"


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_BLANKS = re.compile(r"\n[ \t\u3000\xa0]*(?:\n[ \t\u3000\xa0]*)+")
_SPACES = re.compile(r"[ \t\u3000\xa0\u200b\ufeff]+")

# Minimum Chinese content for a text to be analysed as a Chinese policy.
MIN_CJK_CHARS = 10
CHECK_SAMPLE = 4_000  # characters from each end of the text looked at by check_chinese
MIN_CJK_SHARE = 0.15  # CJK chars / (CJK chars + Latin letters / 4): a Latin word counts like one hanzi


def check_chinese(text: str, source: str = "") -> None:
    """Raise PolicyError unless ``text`` is non-empty Chinese text."""
    where = f"{source}: " if source else ""
    if not text or not text.strip():
        raise PolicyError(f"{where}policy text is empty")
    sample = text if len(text) <= 2 * CHECK_SAMPLE else text[:CHECK_SAMPLE] + text[-CHECK_SAMPLE:]
    cjk = len(_CJK.findall(sample))
    latin = len(_LATIN.findall(sample))
    if cjk < MIN_CJK_CHARS or cjk < MIN_CJK_SHARE * (cjk + latin / 4):
        raise PolicyError(
            f"{where}policy text is not Chinese ({cjk} Chinese characters, {latin} Latin letters); "
            "only Chinese policies are analysed"
        )


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 with BOM
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return control > len(sample) * 0.05


def decode_bytes(data: bytes, source: str = "") -> str:
    """Decode policy bytes: BOMs first, then strict UTF-8, then GB18030 (a superset of GBK), then
    charset-normalizer's best guess. Raise PolicyError when nothing decodes plausibly."""
    where = f"{source}: " if source else ""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise PolicyError(f"{where}invalid UTF-16 text") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:2_000_000]).best()
    except Exception:  # charset-normalizer failing on odd input is not the user's problem
        best = None
    if best is not None and best.encoding:
        try:
            return data.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            pass
    raise PolicyError(f"{where}cannot detect the text encoding (not UTF-8, GBK/GB18030 or another known one)")


# ---------------------------------------------------------------------------------------------------- HTML

_SKIP_TAGS = {
    "script",
    "style",
    "nav",
    "noscript",
    "template",
    "svg",
    "head",
    "iframe",
    "button",
    "form",
    "select",
    "footer",
}
_SKIP_ROLES = {"navigation", "banner", "contentinfo"}
_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "tr",
    "table",
    "section",
    "article",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "footer",
    "blockquote",
    "pre",
    "dt",
    "dd",
    "dl",
    "hr",
    "main",
    "aside",
    "title",
}
_VOID_TAGS = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source", "wbr"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        if tag in _VOID_TAGS:
            if tag in ("br", "hr"):
                self.parts.append("\n")
            return
        role = next((v for k, v in attrs if k == "role"), None)
        skipping = tag in _SKIP_TAGS or (role or "").lower() in _SKIP_ROLES
        self.stack.append((tag, skipping))
        if skipping:
            self.skip_depth += 1
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" | ")

    def handle_endtag(self, tag: str) -> None:
        tag = tag.lower()
        if tag in _VOID_TAGS:
            return
        # pop to the matching tag (tolerates unclosed tags like real browsers)
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                for _, skipping in self.stack[i:]:
                    if skipping:
                        self.skip_depth -= 1
                del self.stack[i:]
                break
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skip_depth <= 0:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Visible text of an HTML document, block elements on their own lines, boilerplate dropped."""
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception as exc:  # html.parser is tolerant; anything else is a malformed document
        raise PolicyError(f"cannot parse HTML: {exc}") from None
    return "".join(parser.parts)


# ------------------------------------------------------------------------------------------------ Markdown

_FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n---\s*\n", re.S)
_MD_FENCE = re.compile(r"^```.*?^```[ \t]*$", re.S | re.M)
_MD_ADMONITION = re.compile(r"^!!!.*$", re.M)
_MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\(([^)\n]*)\)")
_MD_EMPH = re.compile(r"(\*\*|__|\*|`)")
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$", re.M)
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*", re.M)
_MD_QUOTE = re.compile(r"^\s{0,3}>\s?", re.M)


def markdown_to_text(md: str) -> str:
    """Plain text of a Markdown document (front matter, code fences, link targets and emphasis removed)."""
    md = _FRONT_MATTER.sub("", md)
    md = _MD_FENCE.sub("", md)
    md = _MD_ADMONITION.sub("", md)
    if "<" in md and re.search(r"</?(p|div|br|table|span)\b", md, re.I):
        md = html_to_text(md)
    md = _MD_LINK.sub(lambda m: m.group(1) or m.group(2), md)
    md = _MD_TABLE_RULE.sub("", md)
    md = _MD_HEADING.sub("", md)
    md = _MD_QUOTE.sub("", md)
    return _MD_EMPH.sub("", md)


# ----------------------------------------------------------------------------------------------------- PDF


def pdf_to_text(data: bytes, source: str = "") -> str:
    """Text of a PDF (pdfminer.six); PolicyError when the PDF is unreadable or has no text layer."""
    where = f"{source}: " if source else ""
    try:
        from pdfminer.high_level import extract_text
    except ImportError:  # pragma: no cover - pdfminer.six is a core dependency
        raise PolicyError(f"{where}PDF support needs pdfminer.six") from None
    try:
        text = extract_text(io.BytesIO(data))
    except Exception as exc:
        msg = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise PolicyError(f"{where}cannot read PDF: {msg}") from None
    if not text.strip():
        raise PolicyError(f"{where}PDF has no text layer (scanned image?); OCR is not supported")
    return text


# ------------------------------------------------------------------------------------------------- general


def normalise_text(text: str) -> str:
    """Unify line ends and spaces, drop blank-line runs; offsets of the analysis refer to this text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    text = _BLANKS.sub("\n", text)
    return text.strip()


def detect_format(data: bytes, name: str = "") -> str:
    """``pdf``, ``html``, ``markdown`` or ``text`` from the file name and the first bytes."""
    lower = name.lower()
    head = data[:2048].lstrip().lower()
    if head.startswith(b"%pdf") or lower.endswith(".pdf"):
        return "pdf"
    if lower.endswith((".html", ".htm", ".xhtml")) or head.startswith(
        (b"<!doctype html", b"<html", b"<?xml")
    ):
        return "html"
    if re.search(rb"<(html|body|div|p|head)[\s>]", data[:4096], re.I):
        return "html"
    if lower.endswith((".md", ".markdown")):
        return "markdown"
    return "text"


def load_policy_bytes(
    data: bytes, *, name: str = "", limits: Limits = DEFAULT_LIMITS, fmt: str | None = None
) -> str:
    """Clean, normalised policy text from raw bytes; PolicyError/PolicyTooLarge on bad input (see module doc)."""
    where = name or "policy"
    if len(data) > limits.max_policy_size:
        raise PolicyTooLarge(
            f"{where}: policy is {len(data)} bytes, over the limit of {limits.max_policy_size} bytes (max_policy_size)"
        )
    if not data.strip():
        raise PolicyError(f"{where}: policy file is empty")
    fmt = fmt or detect_format(data, name)
    if fmt == "pdf":
        text = pdf_to_text(data, where)
    else:
        if _looks_binary(data):
            raise PolicyError(f"{where}: input is binary, not a policy text (HTML, text, Markdown or PDF)")
        text = decode_bytes(data, where)
        if fmt == "html":
            text = html_to_text(text)
        elif fmt == "markdown":
            text = markdown_to_text(text)
    text = normalise_text(text)
    check_chinese(text, where)
    return text


def load_policy_file(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> str:
    """Read and clean a policy file (HTML, text, Markdown, PDF); PolicyError on any problem."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if path.is_dir():
        raise PolicyError(f"{path}: is a directory, not a policy file")
    if size > limits.max_policy_size:
        raise PolicyTooLarge(
            f"{path}: policy is {size} bytes, over the limit of {limits.max_policy_size} bytes (max_policy_size)"
        )
    try:
        with path.open("rb") as fh:
            data = fh.read(limits.max_policy_size + 1)
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return load_policy_bytes(data, name=str(path), limits=limits)


# ----------------------------------------------------------------------------------------- bundled in APKs

_POLICY_TITLE = re.compile(
    r"隐私政策|隐私权政策|隐私保护(?:政策|指引|协议)|个人信息保护(?:政策|规则)|隐私协议|隐私条款"
)
_POLICY_BODY = re.compile(r"个人信息|收集|第三方|权限|注销|共享")


def policy_score(text: str) -> int:
    """How much ``text`` looks like a privacy policy (0: not at all); used to pick among bundled files.

    With a policy title near the top, two body terms suffice. Without one, the text must use the body vocabulary
    at least 8 times, ``个人信息`` among it, and at least 3 different terms: an SDK's help page that says
    ``第三方`` seven times and ``权限`` once (HBuilder's ``push.html``) is not a policy."""
    title = len(_POLICY_TITLE.findall(text[:3000]))
    terms = _POLICY_BODY.findall(text)
    body = len(terms)
    if title:
        if body < 2:
            return 0
    elif body < 8 or "个人信息" not in terms or len(set(terms)) < 3:
        return 0
    return min(title, 5) * 20 + min(body, 200)


def find_bundled_policy(apk: Any, limits: Limits = DEFAULT_LIMITS) -> tuple[str, str] | None:
    """Find a privacy policy shipped in the APK: the best-scoring ``assets/`` or ``res/raw/`` HTML/TXT/Markdown entry
    that reads as a Chinese privacy policy. ``apk`` needs ``entry_names`` and ``read(name) -> bytes``.
    Returns ``(entry_name, normalised_text)`` or ``None``; unreadable entries are skipped, never raised."""
    best: tuple[int, str, str] | None = None
    for name in bundled_candidates(getattr(apk, "entry_names", ()) or ()):
        try:
            data = apk.read(name)
        except Exception:  # an unreadable entry is not a policy; the APK stage reports broken entries itself
            continue
        if not data or len(data) > limits.max_policy_size:
            continue
        try:
            text = load_policy_bytes(data, name=name, limits=limits)
        except PolicyError:
            continue
        score = policy_score(text)
        if score and (best is None or score > best[0]):
            best = (score, name, text)
    return (best[1], best[2]) if best else None
