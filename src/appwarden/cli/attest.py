"""``appwarden attest``: signed, verifiable compliance attestations (APP认证签名, testing side).

Commands (names fixed so that stores can script them; format and threat model in ``docs/attestation.md``):

* ``attest keygen -o DIR [--type ed25519|ecdsa-p256]``: write ``DIR/attest.key`` (PKCS#8 PEM, mode 0600) and
  ``DIR/attest.pub`` (SPKI PEM); prints the key id (SPKI sha256);
* ``attest sign APK --report REPORT.json --key KEY [--log LOGDIR] [--cert-chain PEM] -o BUNDLE.intoto.jsonl``;
* ``attest verify APK BUNDLE --trust PUBKEY [--trust ...] [--log LOGDIR] [--at TIME]``: exit 0 valid, 1 invalid
  (one line on stdout: ``invalid: <reason>``), 2 error;
* ``attest revoke BUNDLE --key KEY --log LOGDIR --reason TEXT``;
* ``attest log verify LOGDIR``: exit 0 when the whole log is consistent, 1 with the first problem;
* ``attest log mirror URL LOGDIR``: append what a platform's log (``GET URL/api/attestations/log/?start=N``) has
  beyond the mirror, then check the whole mirror as ``log verify`` does (a rewritten history is caught here).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

_DESCRIPTION = """signed, verifiable compliance attestations (APP认证签名, testing side; not T/TAF 084)

  attest keygen -o DIR [--type ed25519|ecdsa-p256]
  attest sign APK --report REPORT.json --key KEY [--log LOGDIR] [--cert-chain PEM] -o BUNDLE.intoto.jsonl
  attest verify APK BUNDLE --trust PUBKEY [--log LOGDIR] [--at TIME]   exit 0 valid, 1 invalid, 2 error
  attest revoke BUNDLE --key KEY --log LOGDIR --reason TEXT
  attest log verify LOGDIR                                              exit 0 consistent, 1 not
  attest log mirror URL LOGDIR        copy a platform's log (GET URL/api/attestations/log/), then verify it

format and threat model: docs/attestation.md"""


def register(sub: Any) -> None:
    p = sub.add_parser(
        "attest",
        help="signed compliance attestations (APP认证签名)",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    psub = p.add_subparsers(dest="attest_command", metavar="SUBCOMMAND")

    k = psub.add_parser("keygen", help="create a signing key pair")
    k.add_argument("-o", "--output", required=True, type=Path, help="directory for attest.key and attest.pub")
    k.add_argument("--type", default="ed25519", choices=("ed25519", "ecdsa-p256"), help="key type")
    k.add_argument("--name", default="attest", help="file name stem (default attest)")
    k.set_defaults(func=run_keygen)

    s = psub.add_parser("sign", help="attest an APK with its report")
    s.add_argument("apk", type=Path)
    s.add_argument("--report", required=True, type=Path, help="the JSON report of this APK (appwarden scan)")
    s.add_argument("--key", required=True, type=Path, help="private key (PEM)")
    s.add_argument("--log", type=Path, help="append to this log directory and embed the inclusion proof")
    s.add_argument(
        "--cert-chain", type=Path, help="PEM certificates of the key, leaf first (CA-issued option)"
    )
    s.add_argument(
        "--fail-on", default="low", choices=("info", "low", "medium", "high"),
        help="a finding at this severity or above makes the result FAILED (default low)",
    )  # fmt: skip
    s.add_argument("--valid-days", type=int, default=365, help="validity period in days (default 365)")
    s.add_argument("-o", "--output", required=True, type=Path, help="the bundle (.intoto.jsonl)")
    s.set_defaults(func=run_sign)

    v = psub.add_parser("verify", help="verify an attestation bundle against an APK")
    v.add_argument("apk", type=Path)
    v.add_argument("bundle", type=Path)
    v.add_argument(
        "--trust", required=True, action="append", type=Path,
        help="trusted public key or CA certificate (PEM); repeatable",
    )  # fmt: skip
    v.add_argument("--log", type=Path, help="check the log's latest state (revocations, consistency)")
    v.add_argument("--at", help="verify as of this RFC 3339 time instead of now")
    v.add_argument("--json", action="store_true", help="print the verdict as JSON")
    v.set_defaults(func=run_verify)

    r = psub.add_parser("revoke", help="append a revocation of an attestation to the log")
    r.add_argument("bundle", type=Path)
    r.add_argument("--key", required=True, type=Path, help="the log operator's private key (PEM)")
    r.add_argument("--log", required=True, type=Path, help="the log directory")
    r.add_argument("--reason", required=True, help="why (one line), e.g. 复测未通过")
    r.set_defaults(func=run_revoke)

    lg = psub.add_parser("log", help="transparency log commands")
    lsub = lg.add_subparsers(dest="log_command", metavar="SUBCOMMAND")
    lv = lsub.add_parser("verify", help="check the consistency of a whole log directory")
    lv.add_argument("logdir", type=Path)
    lv.set_defaults(func=run_log_verify)
    lm = lsub.add_parser("mirror", help="copy (or update) a platform's log into a directory, then check it")
    lm.add_argument("url", help="the platform's base URL, e.g. https://appwarden.example.org")
    lm.add_argument("logdir", type=Path)
    lm.set_defaults(func=run_log_mirror)
    lg.set_defaults(func=lambda args: (lg.print_help(), 2)[1])
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def run_keygen(args: argparse.Namespace) -> int:
    from appwarden.attest.keys import generate, write_keypair

    if args.output.exists() and not args.output.is_dir():
        from appwarden.attest.errors import AttestInputError

        raise AttestInputError(f"{args.output} is not a directory")
    key = generate(args.type)
    priv, pub = write_keypair(key, args.output, args.name)
    print(f"{args.type} key {key.keyid}\n  private: {priv}\n  public:  {pub}")
    return 0


def run_sign(args: argparse.Namespace) -> int:
    from appwarden.attest.bundle import bundle_line, sign_apk
    from appwarden.attest.errors import AttestInputError
    from appwarden.attest.keys import load_cert_chain, load_signing_key
    from appwarden.attest.log import FileLog

    key = load_signing_key(args.key)
    if not args.report.is_file():
        raise AttestInputError(f"report not found: {args.report}")
    report_bytes = args.report.read_bytes()
    try:
        report = json.loads(report_bytes)
    except (
        ValueError,
        UnicodeDecodeError,
        RecursionError,
    ):  # RecursionError: nested past the decoder's limit
        raise AttestInputError(f"{args.report} is not a JSON report") from None
    chain = load_cert_chain(args.cert_chain) if args.cert_chain else None
    log = FileLog.open_or_create(args.log, key) if args.log else None
    signed = sign_apk(
        args.apk, report, report_bytes, key,
        log=log, chain=chain, fail_on=args.fail_on, valid_days=args.valid_days,
    )  # fmt: skip
    try:
        args.output.write_bytes(bundle_line(signed.bundle))
    except OSError as exc:
        raise AttestInputError(f"cannot write {args.output}: {exc.strerror}") from None
    pred = signed.statement["predicate"]
    if signed.rules_note:
        print(f"note: {signed.rules_note}", file=sys.stderr)
    where = f", log index {signed.log_index}" if signed.log_index is not None else ""
    print(
        f"signed {pred['resource'].get('package')} {pred['verificationResult']} with key {key.keyid[:16]}…{where}: "
        f"{args.output}"
    )
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from appwarden.attest.bundle import read_bundle
    from appwarden.attest.keys import load_verify_key
    from appwarden.attest.log import FileLog
    from appwarden.attest.statement import parse_time
    from appwarden.attest.verify import verify_bundle

    trusted = [load_verify_key(p) for p in args.trust]
    bundle = read_bundle(args.bundle)
    log = FileLog(args.log) if args.log else None
    at = parse_time(args.at, "--at") if args.at else None
    verdict = verify_bundle(bundle, args.apk, trusted, log=log, at=at)
    if args.json:
        print(
            json.dumps(
                {"valid": verdict.ok, "code": verdict.code, "reason": verdict.reason, **verdict.details},
                ensure_ascii=False,
            )
        )
    elif verdict.ok:
        d = verdict.details
        where = f", log index {d['log_index']}" if "log_index" in d else ""
        print(
            f"valid: {d.get('package')} {d.get('version_name') or ''} ({d.get('version_code')}) {d.get('result')}, "
            f"key {d['keyid'][:16]}…{where}, valid until {d.get('not_after')}"
        )
    else:
        print(f"invalid: {verdict.reason}")
    for note in verdict.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0 if verdict.ok else 1


def run_revoke(args: argparse.Namespace) -> int:
    from appwarden.attest.bundle import read_bundle
    from appwarden.attest.dsse import parse_envelope
    from appwarden.attest.errors import AttestInputError
    from appwarden.attest.keys import load_signing_key
    from appwarden.attest.log import FileLog, revocation_envelope, revocation_leaf
    from appwarden.attest.statement import parse_statement, utc_text

    key = load_signing_key(args.key)
    reason = " ".join(str(args.reason).split())
    if not reason:
        raise AttestInputError("--reason is empty")
    bundle = read_bundle(args.bundle)
    env = parse_envelope(bundle["dsseEnvelope"])
    try:
        st = parse_statement(json.loads(env.payload))
    except (ValueError, UnicodeDecodeError):
        raise AttestInputError("the bundle's payload is not a JSON statement") from None
    log = FileLog(args.log)
    payload_sha = hashlib.sha256(env.payload).hexdigest()
    if not any(
        e.leaf.get("kind") == "attestation" and e.leaf.get("payloadSha256") == payload_sha
        for e in log.entries()
    ):
        raise AttestInputError(f"the attestation is not in the log {args.log}")
    now = utc_text(_dt.datetime.now(_dt.UTC))
    rev = revocation_envelope(key, st.apk_sha256, payload_sha, reason, now)
    index, _ = log.append(revocation_leaf(rev, st.apk_sha256, payload_sha, reason, now), rev, key)
    print(f"revoked {st.package} (sha256 {st.apk_sha256[:16]}…): log index {index}")
    return 0


def run_log_verify(args: argparse.Namespace) -> int:
    from appwarden.attest.log import FileLog

    log = FileLog(args.logdir)
    problem = log.audit()
    if problem:
        print(f"inconsistent: {problem}")
        return 1
    cp = log.latest_checkpoint()
    size = cp.size if cp else 0
    print(f"consistent: {size} entries, {len(log.checkpoints())} checkpoints, origin {log.origin}")
    return 0


def _get_json(url: str) -> Any:
    import urllib.error
    import urllib.request

    from appwarden.attest.errors import AttestInputError

    try:
        with urllib.request.urlopen(url, timeout=60) as resp:
            data = resp.read(64 * 1024 * 1024 + 1)
    except urllib.error.HTTPError as exc:
        raise AttestInputError(f"{url}: HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise AttestInputError(f"cannot fetch {url}: {getattr(exc, 'reason', exc)}") from None
    try:
        return json.loads(data)
    except (ValueError, RecursionError):  # RecursionError: nested past the decoder's limit
        raise AttestInputError(f"{url} did not return JSON") from None


def run_log_mirror(args: argparse.Namespace) -> int:
    from appwarden.attest.errors import AttestInputError
    from appwarden.attest.log import FileLog, mirror_page

    base = str(args.url).rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise AttestInputError(f"not an http(s) URL: {args.url}")
    start = len(FileLog(args.logdir).entries()) if (args.logdir / "log.pub").is_file() else 0
    fetched = 0
    while True:
        page = _get_json(f"{base}/api/attestations/log/?start={start}")
        if isinstance(page, dict) and isinstance(page.get("tree_size"), int) and page["tree_size"] < start:
            print(
                f"inconsistent: the log has {page['tree_size']} entries, fewer than the mirror's {start} (rolled back)"
            )
            return 1
        log = mirror_page(args.logdir, page)
        fetched += len(page["entries"])
        start += len(page["entries"])
        if page.get("next") is None or not page["entries"]:
            break
    problem = log.audit()
    if problem:
        print(f"inconsistent: {problem}")
        return 1
    cp = log.latest_checkpoint()
    print(f"consistent: {cp.size if cp else 0} entries ({fetched} new), origin {log.origin}")
    return 0
