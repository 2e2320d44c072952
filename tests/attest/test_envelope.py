"""DSSE envelope and canonical JSON: the spec's PAE vector, RFC 8785's published examples, and interoperability
with an independent DSSE implementation (securesystemslib) in both directions."""

from __future__ import annotations

import json

import pytest
from securesystemslib import dsse as ssl_dsse
from securesystemslib.signer import CryptoSigner, SSlibKey

from appwarden.attest.dsse import INTOTO_PAYLOAD_TYPE, b64decode, pae, parse_envelope, sign_envelope
from appwarden.attest.errors import AttestInputError
from appwarden.attest.keys import generate
from appwarden.attest.statement import canonical


def test_pae_matches_the_dsse_spec_example() -> None:
    # DSSE protocol.md: PAE("http://example.com/HelloWorld", "hello world")
    assert pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )
    assert pae("", b"") == b"DSSEv1 0  0 "
    assert pae("t", "€".encode()) == b"DSSEv1 1 t 3 \xe2\x82\xac"  # lengths are byte lengths


def test_rfc8785_published_examples() -> None:
    # RFC 8785 section 3.2.2 (the whole example, numbers and string escapes)
    source = (
        '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}'
    )
    want = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonical(json.loads(source)) == want.encode()
    # RFC 8785 section 3.2.3: property sorting by UTF-16 code units
    keys = ["\u20ac", "\r", "\ufb33", "1", "\U0001f600", "\u0080", "\u00f6"]
    out = json.loads(canonical({k: 0 for k in keys}))
    assert list(out) == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


@pytest.mark.parametrize("kind", ["ed25519", "ecdsa-p256"])
def test_our_envelope_verifies_with_securesystemslib(kind: str) -> None:
    key = generate(kind)
    payload = canonical({"_type": "https://in-toto.io/Statement/v1", "subject": [], "x": "认证"})
    env = sign_envelope(payload, INTOTO_PAYLOAD_TYPE, [key])
    theirs = ssl_dsse.Envelope.from_dict(json.loads(json.dumps(env)))
    public = SSlibKey.from_crypto(key.public, keyid=key.keyid)
    assert key.keyid in theirs.verify([public], 1)
    # their verifier also rejects a changed payload
    env["payload"] = env["payload"][:-4] + ("AAAA" if env["payload"][-4:] != "AAAA" else "BBBB")
    with pytest.raises(Exception, match=r"(?i)verif|threshold"):
        ssl_dsse.Envelope.from_dict(env).verify([public], 1)


@pytest.mark.parametrize("kind", ["ed25519", "ecdsa-p256"])
def test_their_envelope_verifies_with_ours(kind: str) -> None:
    key = generate(kind)
    signer = CryptoSigner(key.private, SSlibKey.from_crypto(key.public, keyid=key.keyid))
    env = ssl_dsse.Envelope(payload=b'{"a":1}', payload_type=INTOTO_PAYLOAD_TYPE, signatures={})
    env.sign(signer)
    parsed = parse_envelope(env.to_dict())
    assert parsed.payload == b'{"a":1}'
    ((keyid, sig),) = parsed.signatures
    assert keyid == key.keyid and key.verify_key().verify(sig, parsed.message)
    assert not key.verify_key().verify(sig, pae(INTOTO_PAYLOAD_TYPE, b'{"a":2}'))


def test_malformed_envelopes_are_input_errors() -> None:
    for bad in ([], {}, {"payloadType": "t", "payload": "!!", "signatures": [{"sig": "AA=="}]},
                {"payloadType": "t", "payload": "AA==", "signatures": []}):  # fmt: skip
        with pytest.raises(AttestInputError):
            parse_envelope(bad)
    assert b64decode("-_8", "x") == b64decode("+/8=", "x")  # URL-safe and unpadded accepted
