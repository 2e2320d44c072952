"""The consent model answers the const-string uses of a fallback consent key from its byte search when the key
has one encoding only (``consent._one_encoding``): every DEX string decoding to such a value has exactly its UTF-8
bytes, so the byte search for a needle inside the value found every use of it."""

from __future__ import annotations

import random

from appwarden.dex.reader import decode_mutf8
from appwarden.rules.consent import _one_encoding


def test_one_encoding_cases() -> None:
    assert _one_encoding("privacy_agreed")
    assert _one_encoding("隐私政策_agree")
    assert not _one_encoding("key\0agree")  # MUTF-8 C0 80
    assert not _one_encoding("agree\ufffd")  # what undecodable bytes become
    assert not _one_encoding("agree\U0001f600")  # 4-byte UTF-8 or a CESU surrogate pair


def _alphabet() -> list[bytes]:
    return [
        b"a",
        b"g",
        b"\x00",
        b"\xc0\x80",
        b"\xc1\x81",  # overlong 'A'
        b"\xe9\x9a\x90",  # 隐
        b"\xe7\xa7\x81",  # 私
        b"\xed\xa0\xbd",  # high surrogate
        b"\xed\xb8\x80",  # low surrogate
        b"\xf0\x9f\x98\x80",  # U+1F600
        b"\xe0\x80\xa1",  # overlong 3-byte
        b"\xef\xbf\xbd",  # U+FFFD itself
        b"\xff",
        b"\x80",
        b"\xc3\xa9",  # é
    ]


def test_one_encoding_means_the_utf8_bytes() -> None:
    rng = random.Random(19)
    parts = _alphabet()
    for _ in range(20000):
        raw = b"".join(rng.choice(parts) for _ in range(rng.randint(0, 6)))
        value = decode_mutf8(raw)
        if _one_encoding(value):
            assert raw == value.encode("utf-8"), (raw, value)
