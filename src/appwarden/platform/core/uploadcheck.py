"""Checks of uploaded APKs, run outside the web process (issue #17: one APK never freezes the platform).

Every parse of an uploaded or stored APK that a web request waits for (is it a zip with a manifest; the re-test
identity check: package, version, signers, signature verification) runs in a child process of
:func:`appwarden.distributed.sandbox.run_isolated` under ``APPWARDEN_UPLOAD_CHECK_TIMEOUT`` seconds (default 20)
and ``APPWARDEN_UPLOAD_CHECK_MEMORY_MB`` (default: the scan's memory cap); the request's thread only waits, without
the GIL, so the web keeps answering while a crafted APK (a huge central directory or signing block, a manifest
bomb, a looping structure) is read.

Contract of :func:`run_check`: returns the check's JSON result, or raises :class:`UploadCheckFailed` (an
:class:`~appwarden.platform.core.errors.UploadError`, HTTP 400) with a one-line Chinese-first message when the
check ran over a limit or crashed, :class:`UploadCheckBusy` (HTTP 503) when no check slot came free in time, and :class:`~appwarden.platform.core.errors.UploadError` for an upload that is
not an APK. Server paths in messages are replaced by ``label``. Callers run it inside
:func:`appwarden.platform.core.storage.store_chunks`'s ``validate`` (a refusal stores nothing) or before storing.

At most ``APPWARDEN_UPLOAD_CHECK_CONCURRENCY`` checks (default 2) run at once across every web worker process of
one data directory: each holds one of that many ``flock`` slots (files under ``DATA_DIR/upload-check-slots``;
the kernel frees a slot when its holder exits, however it ends). A check that finds no free slot waits up to
``APPWARDEN_UPLOAD_CHECK_WAIT`` seconds (default 5), then raises :class:`UploadCheckBusy` (HTTP 503 with
``Retry-After``, Chinese first): many hostile uploads at once never start more than that many children.

The child side is :func:`check_upload` (no Django in the child). ``APPWARDEN_UPLOAD_CHECK_ENGINE`` may name another
``module:function`` with its signature (a wrapper; the tests use one that hangs on a marked APK).
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from appwarden.errors import AppwardenError
from appwarden.platform.core.errors import UploadError

DEFAULT_CHECK_ENGINE = "appwarden.platform.core.uploadcheck:check_upload"
CHECKS = ("apk", "identity")


class UploadCheckFailed(UploadError):
    """The upload could not be checked within the limits (time, memory) or the check crashed; nothing stored."""

    code = "upload_check"


class UploadCheckBusy(UploadError):
    """Every upload-check slot stayed busy for the whole wait; nothing stored, the client should retry later."""

    code = "busy"
    http_status = 503

    def __init__(self, message: str, retry_after: int = 30) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@contextmanager
def check_slot() -> Iterator[int]:
    """Hold one of ``APPWARDEN_UPLOAD_CHECK_CONCURRENCY`` cross-process slots while the block runs (yields its
    number); wait up to ``APPWARDEN_UPLOAD_CHECK_WAIT`` seconds for one, else raise :class:`UploadCheckBusy`."""
    from django.conf import settings

    slots = max(1, int(getattr(settings, "APPWARDEN_UPLOAD_CHECK_CONCURRENCY", 2)))
    wait = max(0.0, float(getattr(settings, "APPWARDEN_UPLOAD_CHECK_WAIT", 5)))
    root = Path(settings.DATA_DIR) / "upload-check-slots"
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    while True:
        for number in range(slots):
            fd = os.open(
                root / f"slot-{number}.lock", os.O_RDWR | os.O_CREAT, 0o600
            )  # not inherited by children
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield number
            finally:
                os.close(fd)  # releases the lock
            return
        if time.monotonic() >= deadline:
            retry = max(5, int(float(getattr(settings, "APPWARDEN_UPLOAD_CHECK_TIMEOUT", 20))))
            raise UploadCheckBusy(
                f"系统繁忙：正在检查的上传已达上限（{slots} 个），请 {retry} 秒后重试，未保存任何内容 "
                f"busy: {slots} uploads are being checked, retry in {retry} s; nothing was stored",
                retry_after=retry,
            )
        time.sleep(0.1)


def check_upload(apk_path: str, *, check: str = "apk", **_: Any) -> dict[str, Any]:
    """Child side: ``{"refused": message}`` when ``apk_path`` is not a zip holding ``AndroidManifest.xml``
    (read with the engine's tolerant zip reader; the manifest itself is parsed by the scan), else ``{"ok": true}``
    (``check="apk"``) or ``{"identity": fields of ApkIdentity}`` / ``{"identity_refused": message}``
    (``check="identity"``, :func:`appwarden.platform.enforcement.identity.read_identity_here`)."""
    import mmap

    from appwarden.apk.archive import ZipArchive
    from appwarden.limits import DEFAULT_LIMITS, LimitExceeded, open_regular_file

    if check not in CHECKS:
        raise AppwardenError(f"unknown upload check {check!r}")
    try:
        fh, size = open_regular_file(apk_path, DEFAULT_LIMITS.max_apk_size, "APK")
        with fh:  # mapped, not copied: memory follows what the zip reader touches
            data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        archive = ZipArchive(data)
    except LimitExceeded as exc:
        return {"refused": f"超出上传限制 over a limit: {exc}"}
    except AppwardenError as exc:
        # The reader's own messages already start with "not an APK: "; say it once.
        detail = str(exc).removeprefix("not an APK: ")
        return {"refused": f"不是APK文件 not an APK: {detail}"}
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
        with check_slot():
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
