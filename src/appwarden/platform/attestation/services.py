"""Issue and revoke attestations on the platform; the database transparency log.

Contract:

* the platform's signing key is the PEM file ``APPWARDEN_ATTEST_KEY`` (setting or environment variable); when it
  is unset, a key is created once under ``DATA_DIR/attest/`` (``attest.key`` mode 0600, ``attest.pub``). The same
  key signs attestations and log checkpoints (origin ``appwarden-log/<key id>``);
* :func:`issue_for_order` (called by ``enforcement.workflow.close``) attests the APK of the order's last passed
  re-test with that job's report (the report's bytes are its canonical JSON); a failure is logged and never stops
  the order from closing;
* :func:`on_scan_finished` (signal receiver) revokes the still-valid attestations of an APK when a later finished
  test of that same APK fails (a finding at or above ``APPWARDEN_ATTEST_FAIL_ON``, default ``low``), and
  :func:`revoke_for_case` (called by ``enforcement.workflow.issue_order``) when a rectification order is opened on
  that APK;
* appends are serialised (``pg_advisory_xact_lock`` on PostgreSQL; SQLite serialises writers itself), atomic with
  their checkpoint, and each first checks in O(log n) that the stored tree (:mod:`.tree`: leaf hashes and complete
  subtrees) folds to the last signed checkpoint (a rewritten frontier is refused, never signed over); roots and
  inclusion/consistency proofs read O(log n) stored nodes;
* :func:`verify_log` (``python -m appwarden.platform verify_attestation_log``, daily in Celery beat and the
  embedded worker) re-hashes every leaf body and every stored node against every signed checkpoint, streaming.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from appwarden.attest import merkle
from appwarden.attest.bundle import sign_identity
from appwarden.attest.errors import AttestInputError
from appwarden.attest.keys import SigningKey, generate, load_signing_key, write_keypair
from appwarden.attest.log import (
    Checkpoint as LogCheckpoint,
)
from appwarden.attest.log import (
    checkpoint_signed_by,
    parse_checkpoint,
    parse_leaf,
    revocation_envelope,
    revocation_leaf,
    sign_checkpoint,
)
from appwarden.attest.statement import canonical, parse_time, report_result, utc_text
from appwarden.completeness import incomplete
from appwarden.platform.attestation import tree
from appwarden.platform.attestation.models import Attestation, Checkpoint, LogEntry, TreeNode

log = logging.getLogger(__name__)
_LOCK_ID = 0x61747465  # "atte": the advisory lock serialising log appends


def fail_on() -> str:
    return str(
        getattr(settings, "APPWARDEN_ATTEST_FAIL_ON", os.environ.get("APPWARDEN_ATTEST_FAIL_ON", "low"))
    )


def platform_key() -> SigningKey:
    """The platform's signing key (see the module docstring)."""
    configured = getattr(settings, "APPWARDEN_ATTEST_KEY", None) or os.environ.get("APPWARDEN_ATTEST_KEY", "")
    if configured:
        return load_signing_key(Path(configured))
    directory = Path(settings.DATA_DIR) / "attest"
    path = directory / "attest.key"
    if not path.exists():
        try:
            write_keypair(generate("ed25519"), directory)
        except Exception:  # another process created it first
            if not path.exists():
                raise
    return load_signing_key(path)


class DbLog:
    """The log in the database, with the interface of :class:`appwarden.attest.log.FileLog` that signing uses."""

    def __init__(self, key: SigningKey) -> None:
        self.signing_key = key
        self.key = key.verify_key()
        self.origin = f"appwarden-log/{self.key.keyid}"

    def leaf_hashes(self, size: int | None = None) -> list[bytes]:
        """Every leaf hash re-hashed from the stored bodies (O(n): for tests and audits, not the serving path)."""
        qs = LogEntry.objects.order_by("index").values_list("body", flat=True)
        if size is not None:
            qs = qs[:size]
        return [merkle.leaf_hash(bytes(b)) for b in qs]

    def append(self, body: bytes, envelope: dict[str, Any], key: SigningKey) -> tuple[int, LogCheckpoint]:
        """Append one leaf and sign the new checkpoint, in one transaction under the append lock. Reads and hashes
        O(log n) stored nodes: the frontier of the last signed checkpoint's tree must fold to that checkpoint's
        root (:meth:`_check_extends_last`), the new leaf's hash is computed from ``body`` and the nodes it completes
        from that verified frontier."""
        leaf = parse_leaf(body)
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])
            index, front = self._check_extends_last()
            leaf_hash = merkle.leaf_hash(body)
            LogEntry.objects.create(
                index=index,
                kind=leaf["kind"],
                apk_sha256=leaf.get("apkSha256", ""),
                payload_sha256=leaf.get("payloadSha256", ""),
                body=body,
                leaf_hash=leaf_hash.hex(),
                envelope=envelope,
            )
            made = tree.new_nodes(index, leaf_hash, front)
            TreeNode.objects.bulk_create(
                [TreeNode(level=lvl, index=i, hash=h.hex()) for (lvl, i), h in made.items()]
            )
            known = {**front, **made, (0, index): leaf_hash}
            root = tree.root(index + 1, lambda wanted: {n: known[n] for n in wanted if n in known})
            env = sign_checkpoint(key, self.origin, index + 1, root)
            Checkpoint.objects.create(size=index + 1, root=root.hex(), envelope=env)
        return index, parse_checkpoint(env)

    def _check_extends_last(self) -> tuple[int, dict[tree.Node, bytes]]:
        """``(size, frontier hashes)`` of the last signed checkpoint's tree after checking, in O(log n), that the
        stored log is still that tree: its checkpoint row's envelope verifies with the platform key and says the
        row's size and root, the log's last entry is ``size - 1``, and the stored frontier nodes (the complete
        subtrees the next leaf builds on) fold to that root. A rewritten frontier node or leaf hash, an entry
        removed or added at the end, or a forged checkpoint row is refused here (AttestInputError) and nothing is
        signed over it; a leaf *body* rewritten under an unchanged stored hash is caught by the full re-hash
        (:func:`verify_log`, run periodically)."""
        from django.db.models import Max

        last = Checkpoint.objects.order_by("-size").first()
        top = LogEntry.objects.aggregate(top=Max("index"))["top"]
        if last is None:
            if top is not None:
                raise AttestInputError("transparency log has entries but no signed checkpoint: not appending")
            return 0, {}
        problem = ""
        front: dict[tree.Node, bytes] = {}
        try:
            signed = parse_checkpoint(last.envelope)
            if checkpoint_signed_by(signed, [self.key]) is None:
                problem = "the checkpoint's signature does not verify"
            elif (signed.size, signed.root.hex()) != (last.size, last.root):
                problem = "the checkpoint row differs from its signed text"
        except AttestInputError as exc:
            problem = str(exc)
        if not problem and top != last.size - 1:
            problem = f"the last entry is {top}, not {last.size - 1}"
        if not problem:
            try:
                front = fetch_nodes(tree.frontier(last.size))
                if tree.root(last.size, lambda wanted: front).hex() != last.root:
                    problem = "the stored tree's root differs"
            except KeyError as exc:
                problem = str(exc)
        if problem:
            log.error(
                "transparency log does not match its last signed checkpoint (size %s root %s): %s",
                last.size,
                last.root,
                problem,
            )
            raise AttestInputError(
                "透明日志与最近签名的检查点不一致（可能被篡改），拒绝追加 the transparency log no longer matches its "
                f"last signed checkpoint (size {last.size}): it was altered; nothing appended or signed"
            )
        return last.size, front

    @staticmethod
    def _check_size(size: int) -> None:
        last = Checkpoint.objects.order_by("-size").values_list("size", flat=True).first() or 0
        if size > last:
            raise AttestInputError(f"the log has {last} signed entries, not {size}")

    def inclusion(self, index: int, size: int) -> list[bytes]:
        """The audit path of leaf ``index`` in the tree of ``size`` leaves (as ``merkle.inclusion_proof``), from
        O(log size) stored nodes."""
        self._check_size(size)
        return tree.hash_ranges(tree.inclusion_ranges(index, size), fetch_nodes)

    def consistency(self, old_size: int, new_size: int) -> list[bytes]:
        """The consistency proof between two tree sizes (as ``merkle.consistency_proof``), from O(log) stored nodes."""
        self._check_size(new_size)
        return tree.hash_ranges(tree.consistency_ranges(old_size, new_size), fetch_nodes)

    def root(self, size: int) -> bytes:
        """The root of the tree of the first ``size`` leaves, from O(log size) stored nodes."""
        self._check_size(size)
        return tree.root(size, fetch_nodes)


def fetch_nodes(wanted: Iterable[tree.Node]) -> dict[tree.Node, bytes]:
    """The stored hashes of the asked nodes (level 0 from ``LogEntry.leaf_hash``, others from ``TreeNode``), in at
    most two queries; nodes not stored are left out."""
    wanted = set(wanted)
    out: dict[tree.Node, bytes] = {}
    leaves = [i for lvl, i in wanted if lvl == 0]
    if leaves:
        for i, h in LogEntry.objects.filter(index__in=leaves).values_list("index", "leaf_hash"):
            if h:
                out[(0, i)] = bytes.fromhex(h)
    inner = [n for n in wanted if n[0] > 0]
    if inner:
        cond = Q()
        for lvl, i in inner:
            cond |= Q(level=lvl, index=i)
        for lvl, i, h in TreeNode.objects.filter(cond).values_list("level", "index", "hash"):
            out[(lvl, i)] = bytes.fromhex(h)
    return out


def issue(job: Any, *, order: Any = None, now: _dt.datetime | None = None) -> Attestation:
    """Attest the APK of a finished scan ``job`` with its report (raises on any problem; the log entry and the
    attestation row are written in one transaction)."""
    from appwarden.platform.core import storage

    key = platform_key()
    dblog = DbLog(key)
    report = job.report or {}
    sha, signers = stored_apk_identity(storage.path_for(job.sha256))
    with transaction.atomic():
        signed = sign_identity(
            sha, signers, report, canonical(report), key, log=dblog, fail_on=fail_on(), now=now
        )
        return _record(job, order, signed)


def stored_apk_identity(path: Path) -> tuple[str, list[str]]:
    """``(sha256, signer sha256s)`` of a stored APK whose signature verifies, read in a sandbox child under the
    upload-check limits (``APPWARDEN_UPLOAD_CHECK_TIMEOUT`` / ``_MEMORY_MB``), not in the calling web process.
    Raises AttestInputError when the APK cannot be attested, ScanFailed when the child ran over a limit."""
    from appwarden.attest.errors import AttestInputError
    from appwarden.distributed.sandbox import run_isolated
    from appwarden.platform.core.uploadcheck import check_limits

    result = run_isolated(path, engine="appwarden.attest.bundle:apk_identity_json", limits=check_limits())
    if result.get("refused") or not isinstance(result.get("sha256"), str):
        raise AttestInputError(str(result.get("refused") or "the APK could not be identified"))
    return result["sha256"], [str(s) for s in result.get("signers") or []]


def _record(job: Any, order: Any, signed: Any) -> Attestation:
    pred = signed.statement["predicate"]
    return Attestation.objects.create(
        apk_sha256=job.sha256,
        package=pred["resource"].get("package") or "",
        version_name=pred["resource"].get("versionName") or "",
        app_version=job.app_version,
        order=order,
        job=job,
        result=pred["verificationResult"],
        payload_sha256=hashlib.sha256(canonical(signed.statement)).hexdigest(),
        log_index=signed.log_index,
        bundle=signed.bundle,
        issued_at=parse_time(pred["timeVerified"]),
        not_after=parse_time(pred["validity"]["notAfter"]),
    )


def issue_for_job(job: Any, *, user: Any, reason: str) -> Attestation:
    """Staff-issued attestation of a finished scan job whose test passed (e.g. a pre-listing check, 上架前检测).
    Raises TransitionError (409) when the job is not done, did not pass, is already attested or its APK may not be
    vouched for (:func:`vouch_refusal`: a build of another signer, a harmful/suspicious screening), PlatformError
    (400) when the APK cannot be attested (unsigned, signature not verifying, a report made without rules)."""
    from appwarden.platform.core import audit
    from appwarden.platform.core.errors import PlatformError, TransitionError
    from appwarden.platform.testing.models import JOB_DONE

    if job.status != JOB_DONE or not isinstance(job.report, dict):
        raise TransitionError("检测未完成，不能签发认证 the job has not finished")
    if report_result(job.report, fail_on()) != "PASSED":
        raise TransitionError("检测未通过，不能签发认证 the test did not pass: nothing to certify")
    why = incomplete(job.report)
    if why:
        raise TransitionError(f"检测分析未完成，不能签发认证 the analysis did not complete: {why[:200]}")
    if Attestation.objects.filter(job=job, revoked_at__isnull=True).exists():
        raise TransitionError("该检测已签发认证 this job is already attested")
    refusal = vouch_refusal(job)
    if refusal:
        raise TransitionError(refusal)
    try:
        att = issue(job)
    except PlatformError:
        raise
    except Exception as exc:
        raise PlatformError(f"无法签发认证 cannot attest: {' '.join(str(exc).split())[:300]}") from None
    audit.record("attest", att, reason=reason, actor=user)
    return att


def vouch_refusal(job: Any) -> str:
    """Why the platform may not vouch for ``job``'s APK with a 认证签名 although its test passed ("" when it may):
    a build that is not provably the app's (signed by another key or unsigned: a lookalike merely carrying the
    package name, ``enforcement.workflow.not_the_apps``), or an APK whose screening verdict is harmful/suspicious and
    not cleared by a 筛查结论复核 ``rejected`` (误报)."""
    from appwarden.platform.enforcement.workflow import not_the_apps
    from appwarden.platform.testing import screening_review
    from appwarden.platform.testing.models import SR_REJECTED

    version = job.app_version
    if version is not None and not_the_apps(version):
        return (
            "该APK的签名不是该应用已认定的签名（可能为仿冒/借用包名的构建），不能签发认证 the build is not signed by the "
            "app's established key (a lookalike?): the platform does not attest it"
        )
    if job.screening_verdict in ("harmful", "suspicious"):
        review = screening_review.latest_review(job)
        if review is None or review.decision != SR_REJECTED:
            return (
                f"该APK的筛查结论为「{job.get_screening_verdict_display()}」，未经复核认定为误报，不能签发认证 "
                "the APK's screening verdict is harmful/suspicious and was not cleared on review"
            )
    return ""


def attestation_json(att: Attestation) -> dict[str, Any]:
    """The staff API's view of one attestation (the public endpoint shows the same bundle)."""
    return {
        "id": att.pk,
        "apk_sha256": att.apk_sha256,
        "package": att.package,
        "result": att.result,
        "status": att.status(),
        "log_index": att.log_index,
        "issued_at": utc_text(att.issued_at),
        "not_after": utc_text(att.not_after),
        "revoked_at": utc_text(att.revoked_at) if att.revoked_at else None,
        "revoke_reason": att.revoke_reason or None,
        "bundle": att.bundle,
    }


def issue_for_order(order: Any) -> Attestation | None:
    """After ``close``: attest the APK of the order's last completed, passed re-test. Never raises (logged)."""
    retest = order.retests.filter(completed_at__isnull=False).select_related("job").order_by("-id").first()
    if retest is None or not (retest.diff or {}).get("passed") or retest.job.report is None:
        return None
    refusal = vouch_refusal(retest.job)
    if refusal:
        log.warning("no attestation for order %s: %s", order.pk, refusal)
        return None
    try:
        with transaction.atomic():
            return issue(retest.job, order=order)
    except Exception as exc:
        log.warning("no attestation for order %s: %s: %s", order.pk, type(exc).__name__, exc)
        return None


def revoke(att: Attestation, reason: str, *, now: _dt.datetime | None = None) -> Attestation:
    """Append a revocation of ``att`` to the log and mark it revoked."""
    key = platform_key()
    dblog = DbLog(key)
    when = utc_text(now or timezone.now())
    reason = " ".join(reason.split())
    with transaction.atomic():
        env = revocation_envelope(key, att.apk_sha256, att.payload_sha256, reason, when)
        index, _ = dblog.append(
            revocation_leaf(env, att.apk_sha256, att.payload_sha256, reason, when), env, key
        )
        att.revoked_at, att.revoke_reason, att.revocation_index = parse_time(when), reason, index
        att.save(update_fields=["revoked_at", "revoke_reason", "revocation_index"])
    return att


def _revoke_all(atts: Any, reason: str) -> int:
    """Revoke each attestation of the queryset, each in its own savepoint; failures (even of the query) are logged,
    never raised, so the caller's workflow step always goes on. Returns how many were revoked."""
    revoked = 0
    try:
        with transaction.atomic():
            pending = list(atts)
    except Exception as exc:
        log.warning("could not look up attestations to revoke: %s: %s", type(exc).__name__, exc)
        return 0
    for att in pending:
        try:
            with transaction.atomic():
                revoke(att, reason)
            revoked += 1
        except Exception as exc:
            log.warning("could not revoke attestation %s: %s: %s", att.pk, type(exc).__name__, exc)
    return revoked


def revoke_for_case(order: Any) -> int:
    """A rectification order opened on an app version revokes that APK's unrevoked attestations (called by
    ``enforcement.workflow.issue_order``). Never raises (a failure is logged); returns how many were revoked."""
    atts = Attestation.objects.filter(apk_sha256=order.app_version.sha256, revoked_at__isnull=True)
    return _revoke_all(atts, f"立案整改 rectification order {order.number} opened")


def on_scan_finished(sender: Any, job: Any, **_: Any) -> None:
    """Signal receiver: a finished test of an APK that fails revokes that APK's unrevoked attestations (never
    raises: the scan's own bookkeeping goes on)."""
    from appwarden.platform.testing.models import JOB_DONE

    if job.status != JOB_DONE or not isinstance(job.report, dict):
        return
    try:
        result = report_result(job.report, fail_on())
    except Exception as exc:
        log.warning("cannot judge job %s for revocation: %s", job.pk, exc)
        return
    if result != "FAILED":
        return
    atts = Attestation.objects.filter(
        apk_sha256=job.sha256, revoked_at__isnull=True, result="PASSED"
    ).exclude(job_id=job.pk)
    _revoke_all(atts, f"复测未通过 a later test (job #{job.pk}) of this APK failed")


PUBLIC_RECORD_SECONDS = 300  # how long a computed public record is reused while the log does not grow


def public_record(apk_sha256: str) -> dict[str, Any] | None:
    """What ``GET /api/attestations/<sha>/`` returns (None when the platform never attested that APK).

    Each consistency proof reads O(log n) stored tree nodes; a record is still computed once per log size and
    reused from the default cache for ``PUBLIC_RECORD_SECONDS``: every change of an APK's record (an attestation, a revocation) appends to the log, so a grown log is a new key and never serves a
    stale record; only ``status`` ``expired`` can show up to that many seconds late."""
    from django.core.cache import cache

    size = Checkpoint.objects.order_by("-size").values_list("size", flat=True).first() or 0
    cache_key = f"appwarden:attest-public:{apk_sha256}:{size}"
    cached = cache.get(cache_key)
    if cached is not None:
        return cached
    record = _public_record(apk_sha256)
    if record is not None:
        cache.set(cache_key, record, PUBLIC_RECORD_SECONDS)
    return record


def _public_record(apk_sha256: str) -> dict[str, Any] | None:
    atts = list(Attestation.objects.filter(apk_sha256=apk_sha256).order_by("log_index"))
    if not atts:
        return None
    latest = Checkpoint.objects.order_by("-size").first()
    key = platform_key()
    dblog = DbLog(key)
    from appwarden.attest.keys import public_pem

    records = []
    for att in atts:
        tl = (att.bundle.get("verificationMaterial", {}).get("tlogEntries") or [{}])[0]
        old_size = int((tl.get("inclusionProof") or {}).get("treeSize") or 0)
        proof = dblog.consistency(old_size, latest.size) if latest and 0 < old_size <= latest.size else []
        records.append(
            {
                "status": att.status(),
                "result": att.result,
                "package": att.package,
                "version_name": att.version_name,
                "issued_at": utc_text(att.issued_at),
                "not_after": utc_text(att.not_after),
                "log_index": att.log_index,
                "revoked_at": utc_text(att.revoked_at) if att.revoked_at else None,
                "revoke_reason": att.revoke_reason or None,
                "revocation_log_index": att.revocation_index,
                "bundle": att.bundle,
                "consistency": {
                    "old_size": old_size,
                    "new_size": latest.size if latest else 0,
                    "hashes": [h.hex() for h in proof],
                },
            }
        )
    revocations = [
        {"log_index": e.index, "leaf": parse_leaf(bytes(e.body)), "envelope": e.envelope}
        for e in LogEntry.objects.filter(apk_sha256=apk_sha256, kind="revocation")
    ]
    return {
        "apk_sha256": apk_sha256,
        "log": {
            "origin": dblog.origin,
            "keyid": dblog.key.keyid,
            "public_key": public_pem(dblog.key.public).decode(),
            "tree_size": latest.size if latest else 0,
            "checkpoint": latest.envelope if latest else None,
        },
        "attestations": records,
        "revocations": revocations,
    }


LOG_PAGE = 1000


def log_page(start: int, limit: int = LOG_PAGE) -> dict[str, Any]:
    """What ``GET /api/attestations/log/?start=N`` returns: entries ``start`` .. ``start + limit - 1`` (leaf data
    base64, envelope), the checkpoints whose size falls in that range, the latest checkpoint and the operator key,
    so that anyone can mirror the log into a directory that ``appwarden attest log verify`` checks."""
    from appwarden.attest.dsse import b64encode
    from appwarden.attest.keys import public_pem

    key = platform_key().verify_key()
    latest = Checkpoint.objects.order_by("-size").first()
    size = latest.size if latest else 0
    start = max(0, min(start, size))
    limit = max(1, min(limit, LOG_PAGE))
    end = min(size, start + limit)
    entries = LogEntry.objects.filter(index__gte=start, index__lt=end).order_by("index")
    checkpoints = Checkpoint.objects.filter(size__gt=start, size__lte=end).order_by("size")
    return {
        "origin": f"appwarden-log/{key.keyid}",
        "keyid": key.keyid,
        "public_key": public_pem(key.public).decode(),
        "tree_size": size,
        "checkpoint": latest.envelope if latest else None,
        "start": start,
        "entries": [
            {"index": e.index, "body": b64encode(bytes(e.body)), "envelope": e.envelope} for e in entries
        ],
        "checkpoints": [c.envelope for c in checkpoints],
        "next": end if end < size else None,
    }
