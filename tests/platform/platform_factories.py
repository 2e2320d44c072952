"""Small builders for platform tests: users with roles, companies, stores, reports, stored APK bytes."""

from __future__ import annotations

import hashlib
import io
import itertools
import socket
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model

from appwarden.platform.core.models import Profile
from appwarden.platform.registry.models import Company, Store, StoreListing
from appwarden.platform.registry.validators import credit_code_check_char
from appwarden.platform.testing import services
from appwarden.platform.testing.models import ScanJob

_seq = itertools.count(1)
FIXTURE_APKS = Path(__file__).resolve().parents[1] / "fixtures" / "apks"
PASSWORD = "pw-for-tests-1"


def credit_code(n: int | None = None) -> str:
    n = next(_seq) if n is None else n
    first17 = f"91110000MA{n:07d}"
    return first17 + credit_code_check_char(first17)


def company(name: str | None = None) -> Company:
    n = next(_seq)
    return Company.objects.create(name=name or f"测试公司{n}", credit_code=credit_code(n))


def store(name: str | None = None) -> Store:
    return Store.objects.create(name=name or f"商店{next(_seq)}")


def user(
    role: str,
    *,
    company: Company | None = None,
    store: Store | None = None,
    name: str | None = None,
    sdk_vendor: Any = None,
):
    u = get_user_model().objects.create_user(username=name or f"{role}{next(_seq)}", password=PASSWORD)
    Profile.objects.create(user=u, role=role, company=company, store=store, sdk_vendor=sdk_vendor)
    return u


def fake_apk(tag: str = "", extra: bytes = b"") -> bytes:
    """A zip with an AndroidManifest.xml entry: passes the upload check (the engine is not run on it)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("AndroidManifest.xml", b"\x03\x00\x08\x00" + tag.encode() + extra)
        zf.writestr("classes.dex", b"dex\n035\x00" + tag.encode())
    return buf.getvalue()


def finding(
    rule_id: str,
    clauses: list[str],
    owner: str = "host",
    severity: str = "high",
    notice_types: list[str] | None = None,
) -> dict[str, Any]:
    """A report finding; ``notice_types`` omitted = a report from before findings carried them (the platform then
    takes the types ``rule_id`` declares, none for a made-up rule id)."""
    data = {
        "rule_id": rule_id,
        "title_zh": f"问题 {rule_id}",
        "title_en": f"Problem {rule_id}",
        "clauses": clauses,
        "severity": severity,
        "confidence": "likely",
        "needs_review": True,
        "owner": owner,
        "evidence": [{"type": "permission", "name": "android.permission.READ_PHONE_STATE"}],
        "remediation_zh": "整改",
    }
    if notice_types is not None:
        data["notice_types"] = notice_types
    return data


def report(
    package: str, version: str, findings: list[dict[str, Any]], label: str = "测试应用"
) -> dict[str, Any]:
    return {
        "schema_version": "test",
        "app": {
            "sha256": "",
            "package": package,
            "version_name": version,
            "version_code": 1,
            "label": label,
            "signers": [{"subject": "CN=Test, O=测试公司", "sha256": "ab" * 32}],
        },
        "engine": {"name": "appwarden", "version": "test"},
        "findings": findings,
        "sdks": [],
        "errors": [],
    }


def fixture_apk(name: str) -> bytes:
    """The bytes of a committed fixture APK (``tests/fixtures/apks/<name>``; see its README)."""
    return (FIXTURE_APKS / name).read_bytes()


def apk_report(
    data: bytes, findings: list[dict[str, Any]], label: str = "测试应用", version_name: str | None = None
) -> dict[str, Any]:
    """A report whose ``app`` section is what the real APK ``data`` says (package, version, signers)."""
    from appwarden.apk import open_apk

    with tempfile.NamedTemporaryFile(suffix=".apk") as tmp:
        tmp.write(data)
        tmp.flush()
        info = open_apk(tmp.name).app_info()
    rep = report(info.package, version_name or info.version_name or "", findings, label=label)
    rep["app"].update(
        sha256=info.sha256,
        version_code=info.version_code,
        signers=[{"subject": s.subject, "sha256": s.sha256} for s in info.signers],
        # the v3 key-rotation lineage as the engine reports it (ingest trusts it only when verified)
        signing_lineage=[{"sha256": c.sha256} for c in info.signing_lineage or []],
        signing_lineage_verified=info.signing_lineage_verified,
    )
    return rep


class ReportEngine:
    """Engine stand-in: returns the report registered for a real APK's sha256 (:meth:`add_apk`) or for a fake
    APK's manifest tag (:meth:`add`)."""

    def __init__(self) -> None:
        self.reports: dict[str, dict[str, Any]] = {}
        self.by_sha: dict[str, dict[str, Any]] = {}
        self.calls = 0
        self.inputs: list[dict[str, Any]] = []  # the policy/trace paths of each call

    def add(self, tag: str, rep: dict[str, Any]) -> bytes:
        self.reports[tag] = rep
        return fake_apk(tag)

    def add_apk(self, data: bytes, findings: list[dict[str, Any]], **kw: Any) -> bytes:
        """Register findings for a real APK (its identity read from the bytes); returns the bytes."""
        rep = apk_report(data, findings, **kw)
        self.by_sha[hashlib.sha256(data).hexdigest()] = rep
        return data

    def __call__(self, apk_path, **kw: Any) -> dict[str, Any]:
        self.calls += 1
        self.inputs.append(kw)
        with open(apk_path, "rb") as fh:
            sha = hashlib.sha256(fh.read()).hexdigest()
        if sha in self.by_sha:
            return self.by_sha[sha]
        with zipfile.ZipFile(apk_path) as zf:
            tag = zf.read("AndroidManifest.xml")[4:].decode()
        return self.reports[tag]


def scanned_job(reviewer, data: bytes, **kw: Any) -> ScanJob:
    """Submit and run a job synchronously (the engine must be set up by the caller)."""
    job = services.submit_apk(data, user=reviewer, file_name="t.apk", **kw)
    services.run_scan(job.pk)
    job.refresh_from_db()
    return job


def listing(st: Store, app) -> StoreListing:
    return StoreListing.objects.create(store=st, app=app, url="https://example.invalid/app")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (for a real ``serve`` in a test)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
