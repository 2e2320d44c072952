"""Is a rectified APK the ordered app? The identity check of company responses and re-tests.

Contract: :func:`read_identity` reads what the APK itself says with the engine's APK reader (package, version code,
signer certificates, a *verified* v3 key-rotation lineage, whether its signatures verify) in a child process under
the upload-check limits (:mod:`appwarden.platform.core.uploadcheck`: a crafted APK cannot hold the web process; over
a limit it is refused with :class:`~appwarden.platform.core.uploadcheck.UploadCheckFailed`); :func:`refusals` compares
it with the ordered version and returns every reason to refuse it, each a :class:`Refusal` with a Chinese-first
one-line message. The signer comparison is ingest's (:func:`appwarden.ingest.state.signer_relation`): the signer
must be the ordered version's, or a verified lineage must lead from it (``signer_rotated``).

What a regulator may override with a written reason (``overridable``): another package name, another signer (or
one that cannot be compared or does not verify). Never overridable: an APK whose package cannot be read, a
version code lower than the ordered version's, and the very bytes of the ordered version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appwarden.errors import AppwardenError
from appwarden.ingest.state import signer_relation, verified_lineage
from appwarden.platform.core.errors import UploadError


class IdentityRefused(UploadError):
    """The uploaded APK is not (provably) a later version of the ordered app; nothing was stored."""

    code = "identity"


@dataclass(frozen=True, slots=True)
class ApkIdentity:
    """What an APK says about itself."""

    sha256: str
    package: str | None
    version_code: int | None
    version_name: str | None
    signers: list[str] = field(default_factory=list)  # certificate sha256, as read from the signing block
    lineage: list[str] = field(default_factory=list)  # verified key-rotation lineage only (oldest first)
    signatures: dict[str, bool | None] = field(
        default_factory=dict
    )  # scheme -> verified / failed / undecided

    @property
    def signatures_ok(self) -> bool:
        """At least one scheme verifies and none fails (``None``: undecidable, counts as not verified)."""
        return any(v is True for v in self.signatures.values()) and not any(
            v is False for v in self.signatures.values()
        )


@dataclass(frozen=True, slots=True)
class Refusal:
    code: str  # package | signer | version | same_bytes | unreadable
    message: str
    overridable: bool


def read_identity(path: Path, *, label: str = "上传的APK uploaded APK") -> ApkIdentity:
    """Read ``path``'s identity in the sandbox (see the module docstring). Raises :class:`IdentityRefused` for an
    unreadable APK, :class:`~appwarden.platform.core.errors.UploadError` for one that is not an APK (no zip, no
    manifest) and :class:`~appwarden.platform.core.uploadcheck.UploadCheckFailed` over the time or memory limit;
    server paths in messages become ``label``."""
    from appwarden.platform.core.uploadcheck import run_check

    result = run_check(Path(path), "identity", label=label)
    if result.get("identity_refused"):
        raise IdentityRefused(str(result["identity_refused"]))
    return ApkIdentity(**result["identity"])


def read_identity_here(path: Path) -> ApkIdentity:
    """Read ``path`` with :func:`appwarden.apk.open_apk` in this process: only
    for the sandbox's child (:func:`appwarden.platform.core.uploadcheck.check_upload`), never in a web request.
    An unreadable APK raises :class:`IdentityRefused`."""
    from appwarden.apk import open_apk

    try:
        apk = open_apk(path)
        info = apk.app_info()
        signatures = apk.verify_signatures()
    except AppwardenError as exc:
        raise IdentityRefused(f"无法读取上传的APK cannot read the uploaded APK: {exc}") from None
    return ApkIdentity(
        sha256=info.sha256,
        package=info.package,
        version_code=info.version_code,
        version_name=info.version_name,
        signers=[s.sha256 for s in info.signers],
        lineage=verified_lineage(info),
        signatures=dict(signatures),
    )


def relation(version: Any, ident: ApkIdentity) -> str:
    """``same`` / ``signer_rotated`` / ``signer_changed`` / ``unknown`` against the ordered version's signer."""
    known = [version.signer_sha256] if version.signer_sha256 else []
    return signer_relation(known, ident.signers, ident.lineage)


def report_lineage(app: Any) -> list[str]:
    """The verified key-rotation lineage (certificate sha256, oldest first) of a report's ``app`` section: as
    :func:`appwarden.ingest.state.verified_lineage`, ``[]`` unless ``signing_lineage_verified`` is true."""
    if not isinstance(app, dict) or app.get("signing_lineage_verified") is not True:
        return []
    return [
        str(c.get("sha256"))
        for c in app.get("signing_lineage") or []
        if isinstance(c, dict) and c.get("sha256")
    ]


def attribution(known: list[str] | set[str], signers: list[str], lineage: list[str]) -> str:
    """How a build relates to its app (``AppVersion.signer_relation``), given the app's established signers
    ``known``: ingest's :func:`~appwarden.ingest.state.signer_relation`, where an app without an established signer
    takes the build's as its own (the first version establishes) and a build without a signer is ``unknown``."""
    from appwarden.platform.registry.models import (
        SIGNER_FOREIGN,
        SIGNER_OWN,
        SIGNER_ROTATED,
        SIGNER_UNKNOWN,
    )

    if not signers:
        return SIGNER_UNKNOWN
    if not known:
        return SIGNER_OWN
    rel = signer_relation(known, signers, lineage)
    return {"same": SIGNER_OWN, "signer_rotated": SIGNER_ROTATED}.get(rel, SIGNER_FOREIGN)


def established_signers(app_ids: Any) -> dict[int, list[str]]:
    """app id -> the signers (sha256) of its versions attributed to it (own or a verified rotation), oldest first."""
    from appwarden.platform.registry.models import SIGNER_OWN, SIGNER_ROTATED, AppVersion

    out: dict[int, list[str]] = {}
    ids = sorted(set(app_ids))
    for i in range(0, len(ids), 500):
        for app_id, signer in (
            AppVersion.objects.filter(
                app_id__in=ids[i : i + 500], signer_relation__in=(SIGNER_OWN, SIGNER_ROTATED)
            )
            .exclude(signer_sha256="")
            .order_by("first_seen", "id")
            .values_list("app_id", "signer_sha256")
        ):
            if signer not in out.setdefault(app_id, []):
                out[app_id].append(signer)
    return out


def with_established(versions: Any) -> list[Any]:
    """``versions`` (AppVersion objects), each foreign one given ``established``: its app's established signers,
    for the pages that show both signers (one query for all)."""
    versions = [v for v in versions if v is not None]
    foreign = [v for v in versions if v.foreign]
    if foreign:
        known = established_signers({v.app_id for v in foreign})
        for v in foreign:
            v.established = known.get(v.app_id, [])
    return versions


def mark_signer(version: Any, *, relation: str, user: Any, reason: str) -> list[int]:
    """A regulator's decision on whose build ``version`` is: ``own`` (e.g. the company proved a new signing key)
    or ``foreign``, for every version of the app with the same signer; a written reason is required and the change
    is audited (``signer_relation``). Returns the ids of the versions changed. A build with an order to the company
    cannot be marked foreign (the order names it as the company's; a 不良APP takedown case is no such order), and a
    build taken down as one of another signer (a ``foreign_build`` case, whose notices say it is not the company's)
    cannot be marked own. Versions marked foreign lose their unrevoked 认证签名 (revocations appended to the log;
    a failure is logged, never raised)."""
    from django.db import transaction

    from appwarden.platform.core import audit
    from appwarden.platform.core.errors import PlatformError
    from appwarden.platform.core.models import ROLE_REGULATOR
    from appwarden.platform.core.roles import require
    from appwarden.platform.registry.models import SIGNER_FOREIGN, SIGNER_OWN, AppVersion

    require(user, ROLE_REGULATOR)
    if relation not in (SIGNER_OWN, SIGNER_FOREIGN):
        raise PlatformError(f"未知的签名归属 unknown signer relation {relation!r}")
    if not (reason or "").strip():
        raise PlatformError("请填写理由 a reason is required (理由必填)")
    same = AppVersion.objects.filter(app_id=version.app_id)
    same = (
        same.filter(signer_sha256=version.signer_sha256)
        if version.signer_sha256
        else same.filter(pk=version.pk)
    )
    from appwarden.platform.enforcement.models import RectificationOrder

    ordered = RectificationOrder.objects.filter(app_version__in=same).exclude(
        transitions__name="harmful_takedown"
    )
    if relation == SIGNER_FOREIGN and ordered.exists():
        raise PlatformError(
            "该签名的构建已有整改通知，不能认定为他人构建 a build of this signer has an order to the company"
        )
    counterfeit = (
        RectificationOrder.objects.filter(app_version__in=same, foreign_build=True)
        .order_by("pk")
        .values_list("number", flat=True)
    )
    if relation == SIGNER_OWN and same.exclude(signer_relation=SIGNER_OWN).exists() and counterfeit:
        raise PlatformError(
            f"该签名的构建已按仿冒/非该应用签名的构建下架（{'、'.join(counterfeit)}），不能再认定为该企业的构建 "
            "a build of this signer was taken down as a build of another signer; it cannot be marked the "
            "company's own"
        )
    with transaction.atomic():
        changed = list(same.exclude(signer_relation=relation).values_list("pk", flat=True))
        if changed:
            same.filter(pk__in=changed).update(signer_relation=relation)
            version.signer_relation = relation
            audit.record(
                "signer_relation",
                version,
                reason=reason.strip(),
                actor=user,
                data={"relation": relation, "signer_sha256": version.signer_sha256, "versions": changed},
            )
    if changed and relation == SIGNER_FOREIGN:
        # a build judged another signer's keeps no 认证签名 (the platform never attests one: attestation.services)
        from appwarden.platform.attestation.models import Attestation
        from appwarden.platform.attestation.services import _revoke_all

        shas = list(AppVersion.objects.filter(pk__in=changed).values_list("sha256", flat=True))
        _revoke_all(
            Attestation.objects.filter(apk_sha256__in=shas, revoked_at__isnull=True),
            "认定为他人签名的构建 the build was judged to be signed by another key: " + reason.strip()[:200],
        )
    return changed


def refusals(order: Any, ident: ApkIdentity) -> list[Refusal]:
    """Every reason to refuse ``ident`` as the rectified version of ``order``'s app (empty: accepted)."""
    version = order.app_version
    out: list[Refusal] = []
    if ident.sha256 == version.sha256:
        out.append(
            Refusal(
                "same_bytes",
                "上传的APK与原检测版本完全相同，请上传整改后的版本 "
                "the uploaded APK is the same file as the tested version; upload the rectified one",
                False,
            )
        )
        return out
    if not ident.package:
        return [
            Refusal("unreadable", "无法从上传的APK中读取包名 the APK's package name cannot be read", False)
        ]
    if ident.package != order.app.package:
        out.append(
            Refusal(
                "package",
                f"整改版本的包名 {ident.package} 与责令整改的应用 {order.app.package} 不一致 "
                "the APK's package name differs from the ordered app",
                True,
            )
        )
    if version.version_code is not None and (ident.version_code or 0) < version.version_code:
        out.append(
            Refusal(
                "version",
                f"整改版本的版本号 versionCode {ident.version_code} 低于原检测版本的 {version.version_code}，"
                "版本号不得降低 the version code must not go down",
                False,
            )
        )
    rel = relation(version, ident)
    if rel == "signer_changed":
        out.append(
            Refusal(
                "signer",
                f"整改版本的签名证书 {ident.signers[0][:16]}… 与原检测版本的 {version.signer_sha256[:16]}… 不同，"
                "且没有经验证的 v3 密钥轮换证明 the signer differs without a verified v3 key-rotation lineage",
                True,
            )
        )
    elif rel == "unknown":
        if not ident.signers:
            what = "整改版本没有签名 the APK is not signed"
        else:
            what = "原检测版本没有记录签名证书 the tested version has no recorded signer"
        out.append(Refusal("signer", f"无法核对签名：{what}", True))
    elif not ident.signatures_ok:
        out.append(
            Refusal(
                "signer",
                "整改版本的签名校验未通过（APK 被改动或签名损坏） the APK's signature does not verify",
                True,
            )
        )
    return out
