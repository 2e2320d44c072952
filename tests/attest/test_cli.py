"""``appwarden attest``: sign/verify round trip through the CLI, and every tampering fails with its own one-line
reason and exit 1; bad input exits 2."""

from __future__ import annotations

import base64
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from appwarden.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    rc = main(["attest", *map(str, args)])
    out = capsys.readouterr()
    return rc, out.out, out.err


def invalid(capsys: pytest.CaptureFixture[str], *args: object) -> str:
    """Run a verify that must fail: exit 1 and one line ``invalid: <reason>``; returns the reason."""
    rc, out, err = run(capsys, *args)
    assert rc == 1, (out, err)
    lines = out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("invalid: "), out
    return lines[0].removeprefix("invalid: ")


@pytest.fixture
def keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    rc, out, _ = run(capsys, "keygen", "-o", tmp_path / "keys")
    assert rc == 0 and "ed25519 key" in out
    rc, _, _ = run(capsys, "keygen", "-o", tmp_path / "keys", "--name", "other")
    assert rc == 0
    return tmp_path / "keys"


@pytest.fixture
def signed(
    tmp_path: Path,
    keys: Path,
    shop_apk: Path,
    clean_report: Path,
    minimal_report: Path,
    capsys: pytest.CaptureFixture[str],
):
    """A PASSED bundle of shop.apk logged at index 1 of a log that already holds another app's attestation."""
    log = tmp_path / "log"
    other = tmp_path / "other.intoto.jsonl"
    rc, _, err = run(capsys, "sign", FIXTURES / "minimal.apk", "--report", minimal_report,
                     "--key", keys / "attest.key", "--log", log, "-o", other)  # fmt: skip
    assert rc == 0, err
    bundle = tmp_path / "shop.intoto.jsonl"
    rc, out, err = run(capsys, "sign", shop_apk, "--report", clean_report,
                       "--key", keys / "attest.key", "--log", log, "-o", bundle)  # fmt: skip
    assert rc == 0, err
    assert "PASSED" in out and "log index 1" in out
    return bundle, log


def _rewrite(bundle: Path, dest: Path, change) -> Path:
    data = json.loads(bundle.read_text())
    change(data)
    dest.write_text(json.dumps(data) + "\n")
    return dest


def test_round_trip(signed, keys: Path, shop_apk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle, log = signed
    rc, out, _ = run(capsys, "verify", shop_apk, bundle, "--trust", keys / "attest.pub", "--log", log)
    assert rc == 0 and out.startswith("valid: com.example.shop 1.0 (1) PASSED") and "log index 1" in out
    rc, out, err = run(capsys, "verify", shop_apk, bundle, "--trust", keys / "attest.pub")
    assert rc == 0 and "revocation not checked" in err
    rc, out, _ = run(capsys, "log", "verify", log)
    assert rc == 0 and out.startswith("consistent: 2 entries, 2 checkpoints")
    line = bundle.read_text()
    assert line.endswith("\n") and line.count("\n") == 1
    statement = json.loads(base64.b64decode(json.loads(line)["dsseEnvelope"]["payload"]))
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    pred = statement["predicate"]
    assert pred["verificationResult"] == "PASSED" and pred["resource"]["package"] == "com.example.shop"
    assert {s["name"] for s in statement["subject"]} == {"apk", "signer-certificate"}
    assert [i["key"] for i in pred["policy"]["instruments"]]  # the instruments the rules cite
    # an independent DSSE implementation verifies the bundle's envelope with the same public key
    from cryptography.hazmat.primitives.serialization import load_pem_public_key
    from securesystemslib.dsse import Envelope
    from securesystemslib.signer import SSlibKey

    envelope = Envelope.from_dict(json.loads(line)["dsseEnvelope"])
    public = load_pem_public_key((keys / "attest.pub").read_bytes())
    keyid = json.loads(line)["verificationMaterial"]["publicKey"]["keyid"]
    assert keyid in envelope.verify([SSlibKey.from_crypto(public, keyid=keyid)], 1)


def test_failed_report_is_attested_but_does_not_verify(
    tmp_path: Path, keys: Path, shop_apk: Path, shop_report: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "failed.intoto.jsonl"
    rc, out, _ = run(
        capsys, "sign", shop_apk, "--report", shop_report, "--key", keys / "attest.key", "-o", bundle
    )
    assert rc == 0 and "FAILED" in out
    reason = invalid(capsys, "verify", shop_apk, bundle, "--trust", keys / "attest.pub")
    assert reason.startswith("the attested result is FAILED")


def test_every_tampering_fails_with_its_own_reason(
    signed, tmp_path: Path, keys: Path, shop_apk: Path, clean_report: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle, log = signed
    trust = ("--trust", keys / "attest.pub")
    reasons: dict[str, str] = {}

    # another APK
    reasons["other apk"] = invalid(capsys, "verify", FIXTURES / "minimal.apk", bundle, *trust)
    assert "is for com.example.shop" in reasons["other apk"] and "com.example.fixture" in reasons["other apk"]

    # one byte of the APK (inside the zip's central directory comment-free tail: still parses as the same app)
    data = bytearray(shop_apk.read_bytes())
    data[len(data) // 2] ^= 0x01
    flipped = tmp_path / "flipped.apk"
    flipped.write_bytes(bytes(data))
    reasons["one byte"] = invalid(capsys, "verify", flipped, bundle, *trust)
    assert reasons["one byte"].startswith("the APK was modified")

    # the payload
    def change_payload(b: dict) -> None:
        st = json.loads(base64.b64decode(b["dsseEnvelope"]["payload"]))
        st["predicate"]["validity"]["notAfter"] = "2999-01-01T00:00:00Z"
        b["dsseEnvelope"]["payload"] = base64.b64encode(json.dumps(st).encode()).decode()

    reasons["payload"] = invalid(
        capsys, "verify", shop_apk, _rewrite(bundle, tmp_path / "p.jsonl", change_payload), *trust
    )
    assert reasons["payload"].startswith("the payload was altered")

    # the signature
    def change_sig(b: dict) -> None:
        sig = bytearray(base64.b64decode(b["dsseEnvelope"]["signatures"][0]["sig"]))
        sig[5] ^= 0x80
        b["dsseEnvelope"]["signatures"][0]["sig"] = base64.b64encode(bytes(sig)).decode()

    reasons["signature"] = invalid(
        capsys, "verify", shop_apk, _rewrite(bundle, tmp_path / "s.jsonl", change_sig), *trust
    )
    assert reasons["signature"].startswith("the signature was altered")

    # the wrong key
    reasons["wrong key"] = invalid(capsys, "verify", shop_apk, bundle, "--trust", keys / "other.pub")
    assert reasons["wrong key"].startswith("wrong key")

    # expired, not yet valid
    reasons["expired"] = invalid(capsys, "verify", shop_apk, bundle, *trust, "--at", "2200-01-01T00:00:00Z")
    assert reasons["expired"].startswith("expired on")
    reasons["early"] = invalid(capsys, "verify", shop_apk, bundle, *trust, "--at", "2001-01-01T00:00:00Z")
    assert reasons["early"].startswith("not valid before")
    rc, out, _ = run(capsys, "verify", shop_apk, bundle, *trust, "--at", "2200-01-01T00:00:00Z", "--json")
    verdict = json.loads(out)
    assert rc == 1 and verdict["valid"] is False and verdict["code"] == "expired"
    assert verdict["reason"] == reasons["expired"] and verdict["package"] == "com.example.shop"

    # a proof from another tree: the proof of another statement of this APK, from a second log (same key)
    log2 = tmp_path / "log2"
    b2 = tmp_path / "b2.jsonl"
    assert run(capsys, "sign", shop_apk, "--report", clean_report, "--key", keys / "attest.key", "--log", log2,
               "--valid-days", "30", "-o", b2)[0] == 0  # fmt: skip
    other_tl = json.loads(b2.read_text())["verificationMaterial"]["tlogEntries"][0]

    def swap_proof(b: dict) -> None:
        b["verificationMaterial"]["tlogEntries"][0]["inclusionProof"] = other_tl["inclusionProof"]

    reasons["other tree"] = invalid(
        capsys, "verify", shop_apk, _rewrite(bundle, tmp_path / "t.jsonl", swap_proof), *trust
    )
    assert "another tree" in reasons["other tree"]

    # revoked
    rc, out, _ = run(
        capsys, "revoke", bundle, "--key", keys / "attest.key", "--log", log, "--reason", "复测未通过"
    )
    assert rc == 0 and "log index 2" in out
    reasons["revoked"] = invalid(capsys, "verify", shop_apk, bundle, *trust, "--log", log)
    assert reasons["revoked"].startswith("revoked on") and reasons["revoked"].endswith("复测未通过")
    assert run(capsys, "log", "verify", log)[0] == 0

    assert len(set(reasons.values())) == len(reasons), reasons


def test_without_a_log_entry_payload_and_signature_fail_the_signature(
    tmp_path: Path, keys: Path, shop_apk: Path, clean_report: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "nolog.jsonl"
    assert (
        run(capsys, "sign", shop_apk, "--report", clean_report, "--key", keys / "attest.key", "-o", bundle)[0]
        == 0
    )
    assert run(capsys, "verify", shop_apk, bundle, "--trust", keys / "attest.pub")[0] == 0

    def change_payload(b: dict) -> None:
        st = json.loads(base64.b64decode(b["dsseEnvelope"]["payload"]))
        st["predicate"]["verificationResult"] = "PASSED"
        st["predicate"]["findings"]["total"] = 0
        b["dsseEnvelope"]["payload"] = base64.b64encode(json.dumps(st).encode()).decode()

    reason = invalid(capsys, "verify", shop_apk, _rewrite(bundle, tmp_path / "x.jsonl", change_payload),
                     "--trust", keys / "attest.pub")  # fmt: skip
    assert reason.startswith("the signature does not verify")


def test_a_later_failed_test_supersedes_and_a_forked_log_is_equivocation(
    signed, tmp_path: Path, keys: Path, shop_apk: Path, shop_report: Path, clean_report: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    bundle, log = signed
    trust = ("--trust", keys / "attest.pub")
    # a fork: same operator key, a different history after the bundle's checkpoint was issued
    fork = tmp_path / "fork"
    fork.mkdir()
    shutil.copy(log / "log.pub", fork / "log.pub")
    (fork / "entries.jsonl").write_text((log / "entries.jsonl").read_text().splitlines()[1] + "\n")
    (fork / "checkpoints.jsonl").write_text("")
    from appwarden.attest.keys import load_signing_key
    from appwarden.attest.log import FileLog
    from appwarden.attest.merkle import leaf_hash, root_hash

    fl = FileLog(fork)
    key = load_signing_key(keys / "attest.key")
    from appwarden.attest.log import sign_checkpoint

    (fork / "checkpoints.jsonl").write_text(
        json.dumps(sign_checkpoint(key, fl.origin, 1, root_hash([leaf_hash(e.body) for e in fl.entries()])))
        + "\n"
    )
    reason = invalid(capsys, "verify", shop_apk, bundle, *trust, "--log", fork)
    assert reason.startswith("log equivocation")

    # a later FAILED re-test of the same APK supersedes the PASSED attestation
    later = tmp_path / "later.jsonl"
    assert run(capsys, "sign", shop_apk, "--report", shop_report, "--key", keys / "attest.key", "--log", log,
               "-o", later)[0] == 0  # fmt: skip
    reason = invalid(capsys, "verify", shop_apk, bundle, *trust, "--log", log)
    assert reason.startswith("superseded: a later test of this APK FAILED")


def test_log_verify_detects_a_rewritten_log(signed, capsys: pytest.CaptureFixture[str]) -> None:
    _, log = signed
    lines = (log / "entries.jsonl").read_text().splitlines()
    (log / "entries.jsonl").write_text("\n".join(reversed(lines)) + "\n")
    rc, out, _ = run(capsys, "log", "verify", log)
    assert rc == 1 and out.startswith("inconsistent: checkpoint")


def test_ecdsa_with_a_certificate_chain(
    tmp_path: Path, shop_apk: Path, clean_report: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, _ = run(capsys, "keygen", "-o", tmp_path, "--type", "ecdsa-p256")
    assert rc == 0 and "ecdsa-p256 key" in out
    leaf_key = serialization.load_pem_private_key((tmp_path / "attest.key").read_bytes(), None)

    def ca(name: str):
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )  # fmt: skip
        return key, cert

    ca_key, ca_cert = ca("Test 检测机构 CA")
    _, other_ca = ca("Other CA")
    now = dt.datetime.now(dt.UTC)
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lab signer")]))
        .issuer_name(ca_cert.subject).public_key(leaf_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=400))
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    chain = tmp_path / "chain.pem"
    chain.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "ca.pem").write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "other-ca.pem").write_bytes(other_ca.public_bytes(serialization.Encoding.PEM))
    bundle = tmp_path / "b.jsonl"
    rc, _, err = run(capsys, "sign", shop_apk, "--report", clean_report, "--key", tmp_path / "attest.key",
                     "--cert-chain", chain, "--log", tmp_path / "log", "-o", bundle)  # fmt: skip
    assert rc == 0, err
    rc, out, _ = run(
        capsys, "verify", shop_apk, bundle, "--trust", tmp_path / "ca.pem", "--log", tmp_path / "log"
    )
    assert rc == 0 and out.startswith("valid:") and "log index 0" in out
    reason = invalid(capsys, "verify", shop_apk, bundle, "--trust", tmp_path / "other-ca.pem")
    assert reason.startswith("certificate chain not trusted")


def test_bad_input_exits_2(
    tmp_path: Path, keys: Path, signed, shop_apk: Path, shop_report: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle, _ = signed
    trust = ("--trust", keys / "attest.pub")
    junk = tmp_path / "junk.jsonl"
    junk.write_text("not json\n")
    no_rules = tmp_path / "norules.json"
    report = json.loads(shop_report.read_text())
    no_rules.write_text(json.dumps({**report, "rules_evaluated": False}))
    deep = tmp_path / "deep.jsonl"  # nested past the decoder's recursion limit: was a RecursionError
    deep.write_text('{"a":' * 100_000 + "1" + "}" * 100_000 + "\n")
    cases = [
        (("verify", tmp_path / "missing.apk", bundle, *trust), "APK not found"),
        (("verify", shop_apk, junk, *trust), "is not JSON"),
        (("verify", shop_apk, deep, *trust), "is not JSON"),
        (("verify", shop_apk, bundle, "--trust", shop_report), "not a PEM public key"),
        (("verify", shop_apk, bundle, *trust, "--at", "yesterday"), "not an RFC 3339 time"),
        (("verify", shop_apk, bundle, *trust, "--log", tmp_path), "is not an attestation log"),
        (
            (
                "sign",
                FIXTURES / "minimal.apk",
                "--report",
                shop_report,
                "--key",
                keys / "attest.key",
                "-o",
                tmp_path / "o.jsonl",
            ),
            "the report is for APK sha256",
        ),
        (
            (
                "sign",
                shop_apk,
                "--report",
                no_rules,
                "--key",
                keys / "attest.key",
                "-o",
                tmp_path / "o.jsonl",
            ),
            "without evaluating the rules",
        ),
        (
            (
                "sign",
                shop_apk,
                "--report",
                shop_report,
                "--key",
                keys / "attest.pub",
                "-o",
                tmp_path / "o.jsonl",
            ),
            "not a PEM private key",
        ),
        (
            (
                "sign",
                shop_apk,
                "--report",
                shop_report,
                "--key",
                keys / "other.key",
                "--log",
                signed[1],
                "-o",
                tmp_path / "o.jsonl",
            ),
            "is operated by key",
        ),
        (("keygen", "-o", keys), "not overwriting a private key"),
        (
            ("revoke", bundle, "--key", keys / "attest.key", "--log", tmp_path / "emptylog", "--reason", "x"),
            "is not an attestation log",
        ),
        (("log", "verify", tmp_path / "missing"), "is not an attestation log"),
    ]
    for args, message in cases:
        rc, out, err = run(capsys, *args)
        assert rc == 2, (args, out, err)
        assert err.startswith("appwarden: error: ") and message in err and err.count("\n") == 1, (args, err)
        assert "Traceback" not in err
