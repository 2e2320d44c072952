"""Text of a PDF policy (pdfminer.six) with bounded inflated size, character count and time.

Contract: :func:`pdf_to_text` ``(data, source, *, max_inflated, max_chars, deadline)`` returns the PDF's text or
raises :class:`PolicyError` with one line: unreadable PDF, no text layer, streams inflating to more than
``max_inflated`` bytes in total (a flate bomb), more than ``max_chars`` characters; :class:`PolicyTimeout` at the
deadline. Memory stays proportional to ``max_inflated`` + ``max_chars``, never to what a stream claims to inflate to.

How: pdfminer decodes every stream through three module-level functions of ``pdfminer.pdftypes`` (``zlib.decompress``,
``lzwdecode``, ``rldecode``), each of which can multiply its input 100- to 1000-fold. :func:`_install` replaces them,
once, with streaming versions that charge every output byte to the budget of the extraction running in the current
context (a :class:`ContextVar`) and behave exactly like the originals when no budget is active. A corrupt flate
stream yields what inflated before the error (pdfminer's own fallback re-inflates byte by byte with quadratic
copying). Characters are counted, and the deadline checked, in the text device's ``render_char``.
"""

from __future__ import annotations

import io
import zlib
from contextvars import ContextVar
from typing import Any

from appwarden.errors import PolicyError
from appwarden.policy.deadline import NO_DEADLINE, Deadline, PolicyTooLarge

MB = 1024 * 1024
MAX_PDF_INFLATED = 128 * MB  # all decoded streams together; fonts included
MAX_PDF_CHARS = 2_000_000  # a 100-page policy has ~100,000
_CHUNK = 1 * MB


class _Budget:
    def __init__(self, max_inflated: int) -> None:
        self.max_inflated = max_inflated
        self.left = max_inflated
        self.exceeded = False

    def charge(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            self.exceeded = True
            raise PolicyTooLarge(
                f"PDF streams inflate to more than {self.max_inflated} bytes (a decompression bomb?); not analysed"
            )


_budget: ContextVar[_Budget | None] = ContextVar("appwarden_pdf_budget", default=None)


def _inflate(data: bytes, budget: _Budget) -> bytes:
    """zlib-inflate ``data`` charging ``budget``; on corrupt data, what inflated before the error."""
    inflater = zlib.decompressobj()
    out: list[bytes] = []
    feed: bytes = data
    try:
        while feed:
            piece = inflater.decompress(feed, min(budget.left, _CHUNK) + 1)
            budget.charge(len(piece))
            out.append(piece)
            if inflater.eof:
                break
            feed = inflater.unconsumed_tail
    except zlib.error:
        pass  # keep what inflated, as pdfminer's corrupt-data fallback would
    return b"".join(out)


class _BoundedZlib:
    """Stands in for the ``zlib`` module inside ``pdfminer.pdftypes``."""

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)

    @staticmethod
    def decompress(data: bytes, *args: Any, **kwargs: Any) -> bytes:
        budget = _budget.get()
        if budget is None:
            return zlib.decompress(data, *args, **kwargs)
        return _inflate(data, budget)


def _bounded_lzw(original: Any) -> Any:
    def lzwdecode(data: bytes) -> bytes:
        budget = _budget.get()
        if budget is None:
            return original(data)
        from pdfminer.lzw import LZWDecoder

        out: list[bytes] = []
        for piece in LZWDecoder(io.BytesIO(data)).run():
            budget.charge(len(piece))
            out.append(piece)
        return b"".join(out)

    return lzwdecode


def _bounded_rl(original: Any) -> Any:
    def rldecode(data: bytes) -> bytes:
        budget = _budget.get()
        if budget is None:
            return original(data)
        # RunLengthDecode (PDF 1.7 §7.4.5): length byte L < 128 copies L+1 bytes, L > 128 repeats the next byte
        # 257-L times, 128 ends the data.
        out = bytearray()
        i, n = 0, len(data)
        while i < n:
            length = data[i]
            if length == 128:
                break
            if length < 128:
                chunk = data[i + 1 : i + 2 + length]
                i += 2 + length
                budget.charge(len(chunk))
                out += chunk
            else:
                if i + 1 >= n:
                    break
                budget.charge(257 - length)
                out += data[i + 1 : i + 2] * (257 - length)
                i += 2
        return bytes(out)

    return rldecode


_installed = False


def _install() -> None:
    """Route pdfminer's stream decoders through the budget (idempotent; transparent without a budget)."""
    global _installed
    if _installed:
        return
    import pdfminer.pdftypes as pdftypes

    pdftypes.zlib = _BoundedZlib()  # type: ignore[assignment]
    pdftypes.lzwdecode = _bounded_lzw(pdftypes.lzwdecode)
    pdftypes.rldecode = _bounded_rl(pdftypes.rldecode)
    _installed = True


def _device(rsrcmgr: Any, output: io.StringIO, laparams: Any, max_chars: int, deadline: Deadline) -> Any:
    from pdfminer.converter import TextConverter

    class _Counting(TextConverter):
        chars = 0

        def render_char(self, *args: Any, **kwargs: Any) -> float:
            self.chars += 1
            if self.chars > max_chars:
                raise PolicyTooLarge(
                    f"PDF has more than {max_chars} characters (character limit); not analysed"
                )
            deadline.tick(256)
            return super().render_char(*args, **kwargs)

    return _Counting(rsrcmgr, output, codec="utf-8", laparams=laparams)


def pdf_to_text(
    data: bytes,
    source: str = "",
    *,
    max_inflated: int = MAX_PDF_INFLATED,
    max_chars: int = MAX_PDF_CHARS,
    deadline: Deadline = NO_DEADLINE,
) -> str:
    """See the module docstring."""
    where = f"{source}: " if source else ""
    try:
        from pdfminer.converter import TextConverter  # noqa: F401
        from pdfminer.layout import LAParams
        from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
        from pdfminer.pdfpage import PDFPage
    except ImportError:  # pragma: no cover - pdfminer.six is a core dependency
        raise PolicyError(f"{where}PDF support needs pdfminer.six") from None
    _install()
    budget = _Budget(max_inflated)
    token = _budget.set(budget)
    output = io.StringIO()
    try:
        rsrcmgr = PDFResourceManager(caching=True)
        device = _device(rsrcmgr, output, LAParams(), max_chars, deadline)
        interpreter = PDFPageInterpreter(rsrcmgr, device)
        for page in PDFPage.get_pages(io.BytesIO(data), caching=True):
            deadline.check()
            interpreter.process_page(page)
            if budget.exceeded:
                break
        device.close()
    except PolicyError as exc:  # ours (budget, characters, deadline): keep the class, name the source
        raise type(exc)(f"{where}{exc}") from None
    except Exception as exc:
        if budget.exceeded:  # pdfminer wrapped or swallowed our error somewhere
            raise PolicyTooLarge(
                f"{where}PDF streams inflate to more than {max_inflated} bytes (a decompression bomb?); "
                "not analysed"
            ) from None
        msg = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise PolicyError(f"{where}cannot read PDF: {msg}") from None
    finally:
        _budget.reset(token)
    if budget.exceeded:
        raise PolicyTooLarge(
            f"{where}PDF streams inflate to more than {max_inflated} bytes (a decompression bomb?); not analysed"
        )
    text = output.getvalue()
    if not text.strip():
        raise PolicyError(f"{where}PDF has no text layer (scanned image?); OCR is not supported")
    return text
