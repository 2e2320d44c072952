"""The transparency log (leaves and signed checkpoints) and the attestations issued by the platform.

:class:`LogEntry` and :class:`Checkpoint` rows are append-only: saving an existing row or deleting one raises.
:class:`TreeNode` rows and :attr:`LogEntry.leaf_hash` store the Merkle tree's complete subtrees (derived data, checked
against the signed checkpoints on every append and by ``verify_attestation_log``). The leaf encoding and checkpoint
text are those of :mod:`appwarden.attest.log` (the CLI's file log), so the same
verifier checks both.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None and type(self).objects.filter(pk=self.pk).exists():
            raise ValueError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError(f"{type(self).__name__} rows are append-only")


class LogEntry(AppendOnly):
    """One leaf of the log: ``body`` is the leaf data, ``envelope`` the DSSE envelope it commits to."""

    index = models.PositiveBigIntegerField(unique=True)
    kind = models.CharField(max_length=16)  # attestation | revocation
    apk_sha256 = models.CharField(max_length=64, db_index=True)
    payload_sha256 = models.CharField(max_length=64, db_index=True)
    body = models.BinaryField()
    # RFC 6962 leaf hash of ``body`` (hex), level 0 of the stored tree (see :class:`TreeNode`)
    leaf_hash = models.CharField(max_length=64, default="")
    envelope = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["index"]


class TreeNode(AppendOnly):
    """The hash (hex) of one complete, aligned subtree of the log: leaves ``index * 2**level`` ..
    ``(index + 1) * 2**level - 1``, level >= 1 (level 0 is :attr:`LogEntry.leaf_hash`). Written by the append that
    completes it (:mod:`appwarden.platform.attestation.tree`), so roots and proofs read O(log n) rows."""

    level = models.PositiveSmallIntegerField()
    index = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="attest_treenode_level_index")]


class Checkpoint(AppendOnly):
    """A signed checkpoint (C2SP checkpoint text in a DSSE envelope) after each append."""

    size = models.PositiveBigIntegerField(unique=True)
    root = models.CharField(max_length=64)  # hex
    envelope = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["size"]


class Attestation(models.Model):
    """An attestation the platform issued (its bundle as handed out) and whether it was revoked."""

    apk_sha256 = models.CharField(max_length=64, db_index=True)
    package = models.CharField(max_length=255, blank=True, db_index=True)
    version_name = models.CharField(max_length=100, blank=True)
    app_version = models.ForeignKey(
        "registry.AppVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="attestations"
    )
    order = models.ForeignKey(
        "enforcement.RectificationOrder", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    job = models.ForeignKey(
        "testing.ScanJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result = models.CharField(max_length=8)  # PASSED | FAILED
    payload_sha256 = models.CharField(max_length=64, unique=True)
    log_index = models.PositiveBigIntegerField()
    bundle = models.JSONField()
    issued_at = models.DateTimeField()
    not_after = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.TextField(blank=True)
    revocation_index = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]

    def status(self, now=None) -> str:  # type: ignore[no-untyped-def]
        """``valid``, ``revoked``, ``expired`` or ``failed``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.result != "PASSED":
            return "failed"
        if (now or timezone.now()) > self.not_after:
            return "expired"
        return "valid"

    STATUS_LABELS = {
        "valid": "已认证 certified",
        "revoked": "已撤销 revoked",
        "expired": "已过期 expired",
        "failed": "未通过 failed",
    }

    def status_label(self) -> str:
        return self.STATUS_LABELS[self.status()]
