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

import re
from pathlib import Path
from typing import Any

from appwarden.errors import AppwardenError, InputError, LimitExceeded, PolicyError
from appwarden.limits import DEFAULT_LIMITS, Limits, read_regular_file
from appwarden.policy.bundle import bundled_candidates
from appwarden.policy.deadline import NO_DEADLINE, Deadline, PolicyTooLarge
from appwarden.policy.htmltext import html_to_text
from appwarden.policy.mdtext import markdown_to_text
from appwarden.policy.pdftext import pdf_to_text

__all__ = [
    "PolicyTooLarge",
    "check_chinese",
    "decode_bytes",
    "detect_format",
    "find_bundled_policy",
    "html_to_text",
    "load_policy_bytes",
    "load_policy_file",
    "markdown_to_text",
    "normalise_text",
    "pdf_to_text",
    "policy_score",
]


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


_DECLARED_CHARSET = re.compile(
    rb"""<(?:meta|\?xml)\b[^<>]{0,512}?(?:charset|encoding)\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.I
)
# Declared charsets honoured over the GB18030 guess: the multi-byte CJK ones whose bytes GB18030 also decodes into
# plausible-looking mojibake (Big5 as GBK passes the "is it Chinese" check). A declared Latin charset is not
# honoured: on Chinese sites it is mostly a wrong template default over GBK bytes.
_CJK_CODECS = {
    "big5": "big5hkscs",  # WHATWG maps every Big5 label to Big5-HKSCS
    "big5-hkscs": "big5hkscs",
    "big5hkscs": "big5hkscs",
    "cn-big5": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "cp950": "cp950",
    "shift_jis": "shift_jis",
    "shift-jis": "shift_jis",
    "sjis": "shift_jis",
    "euc-jp": "euc_jp",
    "euc-kr": "euc_kr",
}


def _declared_cjk_codec(data: bytes) -> str | None:
    """The Python codec of a multi-byte CJK (non-GB) charset an HTML ``<meta>`` or XML declaration in the first
    4 KB names, or None (no declaration, or one of the GB family, UTF-8 or a Latin charset)."""
    found = _DECLARED_CHARSET.search(data[:4096])
    if found is None:
        return None
    return _CJK_CODECS.get(found.group(1).decode("ascii").lower())


def decode_bytes(data: bytes, source: str = "") -> str:
    """Decode policy bytes: BOMs first, then strict UTF-8, then a Big5/Shift-JIS/EUC charset the HTML or XML
    declares (a browser reads it so; GB18030 would turn it into mojibake), then GB18030 (a superset of GBK), then
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
    declared = _declared_cjk_codec(data)
    if declared is not None:
        try:
            return data.decode(declared)
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
    if lower.endswith(
        (".md", ".markdown")
    ):  # Markdown may hold HTML blocks; the Markdown reader handles them
        return "markdown"
    # a fragment without <html>/<body> (a page's policy block, a <meta charset> and then paragraphs): its tags
    if re.search(
        rb"<(html|body|div|p|head|meta|title|h[1-6]|br|span|section|article|table|ul|ol|li)[\s>/]",
        data[:4096],
        re.I,
    ):
        return "html"
    return "text"


def load_policy_bytes(
    data: bytes,
    *,
    name: str = "",
    limits: Limits = DEFAULT_LIMITS,
    fmt: str | None = None,
    deadline: Deadline = NO_DEADLINE,
) -> str:
    """Clean, normalised policy text from raw bytes; PolicyError/PolicyTooLarge on bad input (see module doc),
    PolicyTimeout at ``deadline``."""
    where = name or "policy"
    if len(data) > limits.max_policy_size:
        raise PolicyTooLarge(
            f"{where}: policy is {len(data)} bytes, over the limit of {limits.max_policy_size} bytes (max_policy_size)"
        )
    if not data.strip():
        raise PolicyError(f"{where}: policy file is empty")
    fmt = fmt or detect_format(data, name)
    if fmt == "pdf":
        text = pdf_to_text(data, where, deadline=deadline)
    else:
        if _looks_binary(data):
            raise PolicyError(f"{where}: input is binary, not a policy text (HTML, text, Markdown or PDF)")
        text = decode_bytes(data, where)
        deadline.check()
        try:
            if fmt == "html":
                text = html_to_text(text, deadline=deadline)
            elif fmt == "markdown":
                text = markdown_to_text(text, deadline=deadline)
        except PolicyError as exc:
            raise type(exc)(f"{where}: {exc}") from None
    deadline.check()
    text = normalise_text(text)
    check_chinese(text, where)
    return text


def load_policy_file(
    path: str | Path, limits: Limits = DEFAULT_LIMITS, *, deadline: Deadline = NO_DEADLINE
) -> str:
    """Read and clean a policy file (HTML, text, Markdown, PDF); PolicyError on any problem.

    The file is read by :func:`appwarden.limits.read_regular_file`, like an APK or a trace: opened once without
    blocking and checked on the open descriptor, so only a regular file of at most ``max_policy_size`` bytes is
    read (a directory, FIFO, device or a link to one is refused, even one swapped in for the path after a check),
    and never more than that many bytes. A size over the limit raises :class:`PolicyTooLarge`."""
    try:
        data = read_regular_file(path, limits.max_policy_size, "policy")
    except LimitExceeded as exc:
        raise PolicyTooLarge(f"{exc} (max_policy_size)") from None
    except InputError as exc:
        raise PolicyError(str(exc)) from None
    return load_policy_bytes(data, name=str(path), limits=limits, deadline=deadline)


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


def _read_entry(apk: Any, name: str, cap: int) -> bytes:
    """The bytes of APK entry ``name``, refused (LimitExceeded) before reading when its declared size is over
    ``cap``, and never inflated past ``cap`` (the declared size may lie). Falls back to ``apk.read(name)`` for
    objects without the zip archive (then the size is checked after reading)."""
    archive = getattr(apk, "archive", None)
    info = getattr(archive, "info", None)
    if info is None:
        return apk.read(name)
    size = info(name).uncompressed_size
    if size > cap:
        raise LimitExceeded(
            f"{name}: {size} bytes, over the policy size limit of {cap} bytes (max_policy_size)"
        )
    notes = getattr(archive, "notes", None)
    before = len(notes) if notes is not None else 0
    try:
        return archive.read(name, max_size=cap)
    finally:
        errors = getattr(apk, "errors", None)
        if notes is not None and isinstance(errors, list):
            errors.extend(notes[before:])


def find_bundled_policy(
    apk: Any,
    limits: Limits = DEFAULT_LIMITS,
    *,
    deadline: Deadline = NO_DEADLINE,
    skipped: list[str] | None = None,
) -> tuple[str, str] | None:
    """Find a privacy policy shipped in the APK: the best-scoring ``assets/`` or ``res/raw/`` HTML/TXT/Markdown entry
    that reads as a Chinese privacy policy. ``apk`` needs ``entry_names`` and ``read(name) -> bytes`` (an
    :class:`appwarden.apk.Apk` also has ``archive``: sizes are then checked before reading and inflation stops at
    ``max_policy_size``). Returns ``(entry_name, normalised_text)`` or ``None``. Unreadable entries are skipped,
    never raised; when ``skipped`` is given, a one-line reason is appended for each entry skipped for a limit
    (too large, a decompression bomb, too many HTML nodes). PolicyTimeout at ``deadline``."""
    best: tuple[int, str, str] | None = None
    cap = limits.max_policy_size
    for name in bundled_candidates(getattr(apk, "entry_names", ()) or ()):
        deadline.check()
        try:
            data = _read_entry(apk, name, cap)
            if not data:
                continue
            if len(data) > cap:
                raise LimitExceeded(f"{name}: {len(data)} bytes, over the policy size limit of {cap} bytes")
            text = load_policy_bytes(data, name=name, limits=limits, deadline=deadline)
        except LimitExceeded as exc:  # too large, a bomb, too many nodes: hostile, so say so
            if deadline.expired():
                raise
            if skipped is not None:
                skipped.append(str(exc))
            continue
        except AppwardenError:  # not a policy (binary, not Chinese, ...)
            continue
        except Exception:  # an unreadable entry is not a policy; the APK stage reports broken entries itself
            continue
        score = policy_score(text)
        if score and (best is None or score > best[0]):
            best = (score, name, text)
    return (best[1], best[2]) if best else None
