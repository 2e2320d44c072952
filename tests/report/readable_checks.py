"""What a Chinese reader must never see in a rendered report or platform page (issue #16 part 6), as a checker
shared by the report and platform tests: Python reprs, raw JSON dumps, server paths, tracebacks, empty quotes,
SDK ids inside Chinese sentences."""

from __future__ import annotations

import html as htmlmod
import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

CJK = re.compile(r"[\u3400-\u9fff]")
SDK_ID_TOKEN = re.compile(r"(?<![\w./$-])([a-z][a-z0-9]*(?:_[a-z0-9]+)*)(?![\w./$-])")
FORBIDDEN = ("{'", "[{'", '{"', "/work/", "/tmp/", "/var/lib/", "Traceback", "“”")


def html_text_nodes(document: str) -> list[str]:
    """The visible text nodes of an HTML page (styles and tags dropped, entities decoded), plus attribute values
    a user sees on hover (``title``)."""
    document = re.sub(r"<(style|script)\b.*?</\1>", "", document, flags=re.S)
    titles = [htmlmod.unescape(t) for t in re.findall(r'\btitle="([^"]*)"', document)]
    nodes = [htmlmod.unescape(t) for t in re.split(r"<[^>]+>", document) if t.strip()]
    return nodes + titles


def pdf_lines(pdf: bytes, tmp: Path) -> list[str]:
    """Text lines of a PDF via ``pdftotext -layout``."""
    path = tmp / "check.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return out.splitlines()


def have_pdftotext() -> bool:
    return shutil.which("pdftotext") is not None


def problems(chunks: Iterable[str], sdk_ids: Iterable[str]) -> list[str]:
    """Every offending chunk, with the reason: forbidden substrings, a Python ``None``, an SDK id (``alibaba_utdid``)
    in a chunk that has Chinese in it."""
    ids = set(sdk_ids)
    found = []
    for chunk in chunks:
        for bad in FORBIDDEN:
            if bad in chunk:
                found.append(f"{bad!r} in {chunk[:160]!r}")
        if re.search(r"\bNone\b", chunk):
            found.append(f"'None' in {chunk[:160]!r}")
        if CJK.search(chunk):
            for token in SDK_ID_TOKEN.findall(chunk):
                if token in ids:
                    found.append(f"SDK id {token!r} in a Chinese sentence: {chunk[:160]!r}")
    return found
