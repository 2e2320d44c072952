"""Checks of uploaded APKs, run outside the web process (issue #17: one APK never freezes the platform).

Every parse of an uploaded or stored APK that a web request waits for (is it a zip with a manifest; the re-test
identity check: package, version, signers, signature verification) runs in a child process of
:func:`appwarden.distributed.sandbox.run_isolated` under ``APPWARDEN_UPLOAD_CHECK_TIMEOUT`` seconds (default 20)
and ``APPWARDEN_UPLOAD_CHECK_MEMORY_MB`` (default: the scan's memory cap); the request's thread only waits, without
the GIL, so the web keeps answering while a crafted APK (a huge central directory or signing block, a manifest
bomb, a looping structure) is read.

Contract of :func:`run_check`: returns the check's JSON result, or raises :class:`UploadCheckFailed` (an
:class:`~appwarden.platform.core.errors.UploadError`, HTTP 400) with a one-line Chinese-first message when the
check ran over a limit or crashed, and :class:`~appwarden.platform.core.errors.UploadError` for an upload that is
not an APK. Server paths in messages are replaced by ``label``. Callers run it inside
:func:`appwarden.platform.core.storage.store_chunks`'s ``validate`` (a refusal stores nothing) or before storing.

The child side is :func:`check_upload` (no Django in the child). ``APPWARDEN_UPLOAD_CHECK_ENGINE`` may name another
``module:function`` with its signature (a wrapper; the tests use one that hangs on a marked APK).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from appwarden.errors import AppwardenError
from appwarden.platform.core.errors import UploadError

DEFAULT_CHECK_ENGINE = "appwarden.platform.core.uploadcheck:check_upload"
CHECKS = ("apk", "identity")


class UploadCheckFailed(UploadError):
    """The upload could not be checked within the limits (time, memory) or the check crashed; nothing stored."""

    code = "upload_check"


def check_upload(apk_path: str, *, check: str = "apk", **_: Any) -> dict[str, Any]:
    """Child side: ``{"refused": message}`` when ``apk_path`` is not a zip holding ``AndroidManifest.xml``
    (read with the engine's tolerant zip reader; the manifest itself is parsed by the scan), else ``{"ok": true}``
    (``check="apk"``) or ``{"identity": fields of ApkIdentity}`` / ``{"identity_refused": message}``
    (``check="identity"``, :func:`appwarden.platform.enforcement.identity.read_identity_here`)."""
    import mmap

    from appwarden.apk.archive import ZipArchive
    from appwarden.limits import DEFAULT_LIMITS, open_regular_file

    if check not in CHECKS:
        raise AppwardenError(f"unknown upload check {check!r}")
    try:
        fh, size = open_regular_file(apk_path, DEFAULT_LIMITS.max_apk_size, "APK")
        with fh:  # mapped, not copied: memory follows what the zip reader touches
            data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        archive = ZipArchive(data)
    except AppwardenError as exc:
        return {"refused": f"不是APK文件 not an APK: {exc}"}
    except (OSError, ValueError) as exc:
        return {"refused": f"无法读取上传的文件 cannot read the upload: {exc}"}
    if "AndroidManifest.xml" not in archive:
        return {"refused": "不是APK文件 not an APK: the zip has no AndroidManifest.xml"}
    if check == "apk":
        return {"ok": True}
    from dataclasses import asdict

    from appwarden.platform.enforcement.identity import IdentityRefused, read_identity_here

    try:
        return {"identity": asdict(read_identity_here(Path(apk_path)))}
    except IdentityRefused as exc:
        return {"identity_refused": str(exc)}


def check_limits() -> Any:
    """The upload checks' limits from the settings (``APPWARDEN_UPLOAD_CHECK_*``)."""
    from django.conf import settings

    from appwarden.distributed.sandbox import SandboxLimits

    return SandboxLimits(
        timeout=float(settings.APPWARDEN_UPLOAD_CHECK_TIMEOUT),
        memory_mb=int(settings.APPWARDEN_UPLOAD_CHECK_MEMORY_MB),
        max_report_mb=1,
    )


def run_check(path: Path, check: str, *, label: str = "上传的APK uploaded APK") -> dict[str, Any]:
    """Run :func:`check_upload` (``check``) on ``path`` in the sandbox; see the module docstring."""
    from django.conf import settings

    from appwarden.distributed.sandbox import ScanFailed, relabel, run_isolated

    limits = check_limits()
    label = (
        " ".join(str(label).split())[:120] or "上传的APK uploaded APK"
    )  # a file name is the uploader's text
    labels = {str(path): label, str(Path(path).parent): "…"}
    try:
        result = run_isolated(
            path,
            engine=getattr(settings, "APPWARDEN_UPLOAD_CHECK_ENGINE", "") or DEFAULT_CHECK_ENGINE,
            limits=limits,
            labels=labels,
            options={"check": check},
        )
    except ScanFailed as exc:
        raise UploadCheckFailed(_failure_message(exc, limits)) from None
    except OSError as exc:  # the child could not be started (no processes or file descriptors left)
        raise UploadCheckFailed(
            f"暂时无法检查上传的安装包，请稍后重试 the upload cannot be checked now, try again later: {exc.strerror or exc}"
        ) from None
    if result.get("refused"):
        raise UploadError(relabel(str(result["refused"]), labels))
    if result.get("identity_refused"):
        result["identity_refused"] = relabel(str(result["identity_refused"]), labels)
    return result


def _failure_message(exc: Any, limits: Any) -> str:
    if exc.kind == "timeout":
        return (
            f"安装包无法在限定时间内解析（超过 {limits.timeout:g} 秒），已拒绝，未保存任何内容 "
            f"the APK could not be checked within the {limits.timeout:g} s limit; it was refused and nothing was stored"
        )
    if exc.kind == "memory":
        return (
            f"安装包解析超出内存上限（{limits.memory_mb} MB），已拒绝，未保存任何内容 "
            f"checking the APK exceeded the memory limit of {limits.memory_mb} MB; nothing was stored"
        )
    return f"安装包无法解析，已拒绝，未保存任何内容 the APK could not be checked; nothing was stored ({exc})"
