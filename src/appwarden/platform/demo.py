"""``appwarden demo-data``: a small, self-consistent demo data set (users, companies, stores, batches, findings,
orders in several states, a notice batch, a complaint). Reports are synthetic and marked as demo data; no APK is
scanned. Idempotent: running it twice does not duplicate anything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from appwarden.platform.complaints.models import Complaint
from appwarden.platform.core.models import Profile
from appwarden.platform.enforcement import workflow
from appwarden.platform.registry.models import Company, Contact, SdkVendor, Store, StoreListing
from appwarden.platform.registry.validators import credit_code_check_char
from appwarden.platform.testing.models import JOB_QUEUED, Batch, Finding, ScanJob
from appwarden.platform.testing.services import dedupe_key, ingest_report, review_finding

DEMO_PASSWORD = "appwarden-demo"
USERS = [
    ("regulator", "regulator", None, None),
    ("reviewer", "reviewer", None, None),
    ("acme", "company", "示例科技有限公司", None),
    ("beta", "company", "贝塔网络科技有限公司", None),
    ("store", "store", None, "示例应用市场"),
    ("sdkvendor", "sdk_vendor", None, None),  # bound to the demo SDK vendor (示例推送SDK厂商)
]
COMPANIES = [
    ("示例科技有限公司", "91110000MA01ABCD1"),
    ("贝塔网络科技有限公司", "91310000MA1FL2345"),
    ("伽马信息技术有限公司", "91440300MA5F67890"),
]
STORES = ["示例应用市场", "开放应用商店"]
RULES = [
    (
        "pi.device_id.pre_consent",
        "在用户同意隐私政策前收集设备标识符",
        "Device ID collected before consent",
        ["RD-3.1", "M164-1.1"],
        "high",
    ),
    ("perm.over_request", "过度索取权限", "Permissions over-requested", ["M164-2.1", "M337-7"], "medium"),
    (
        "sdk.undeclared_sharing",
        "未告知即向第三方SDK提供个人信息",
        "PI shared with an SDK without notice",
        ["RD-5.1", "M164-1.3"],
        "high",
    ),
    ("policy.missing", "无隐私政策", "No privacy policy", ["RD-1.1"], "high"),
    ("app.self_start", "频繁自启动", "Frequent self-start", ["M164-2.2"], "low"),
]
# the 通报 problem types each demo rule declares (ids of knowledge/notice_types.yaml)
NOTICE_TYPES = {
    "pi.device_id.pre_consent": ["M337-1"],
    "perm.over_request": ["M337-7"],
    "sdk.undeclared_sharing": ["M337-3"],
    "policy.missing": ["RD-1"],
    "app.self_start": ["M164-2.2"],
}


def _code(prefix17: str) -> str:
    return prefix17 + credit_code_check_char(prefix17)


def _report(
    package: str, label: str, version: str, rules: list[int], owners: dict[int, str]
) -> dict[str, Any]:
    findings = []
    for i in rules:
        rid, zh, en, clauses, sev = RULES[i]
        findings.append(
            {
                "rule_id": rid,
                "title_zh": zh,
                "title_en": en,
                "clauses": clauses,
                "notice_types": NOTICE_TYPES[rid],
                "severity": sev,
                "confidence": "likely",
                "needs_review": True,
                "owner": owners.get(i, "host"),
                "evidence": [
                    {
                        "type": "callsite",
                        "caller": f"L{package.replace('.', '/')}/Main;->onCreate()V",
                        "api": "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;",
                        "category": "imei",
                        "owner": owners.get(i, "host"),
                    }
                ],
                "remediation_zh": "在用户同意隐私政策后再收集；在隐私政策中逐一列明。",
            }
        )
    return {
        "schema_version": "demo",
        "app": {
            "sha256": "",
            "package": package,
            "version_name": version,
            "version_code": 1,
            "label": label,
            "signers": [{"subject": f"CN={label}", "sha256": hashlib.sha256(package.encode()).hexdigest()}],
        },
        "engine": {"name": "appwarden", "version": "demo", "rules_version": "demo"},
        "findings": findings,
        "sdks": [],
        "errors": [],
    }


def _job(batch: Batch, user: Any, report: dict[str, Any], company: Company | None) -> ScanJob:
    sha = hashlib.sha256(
        f"demo|{report['app']['package']}|{report['app']['version_name']}".encode()
    ).hexdigest()
    existing = ScanJob.objects.filter(sha256=sha, batch=batch).first()
    if existing:
        return existing
    job = ScanJob.objects.create(
        batch=batch,
        sha256=sha,
        file_name=f"{report['app']['package']}.apk",
        size=1024,
        status=JOB_QUEUED,
        engine_version="demo",
        rules_version="demo",
        dedupe_key=dedupe_key(sha) + ":demo",
        created_by=user,
        company=company,
    )
    report["app"]["sha256"] = sha
    ingest_report(job, report)
    return job


@transaction.atomic
def load_demo_data() -> dict[str, str]:
    """Create the demo data set; returns ``{username: password}``."""
    user_model = get_user_model()
    companies = {
        name: Company.objects.get_or_create(credit_code=_code(code17[:17]), defaults={"name": name})[0]
        for name, code17 in COMPANIES
    }
    for c in companies.values():
        Contact.objects.get_or_create(
            company=c, name="张三", defaults={"phone": "010-12345678", "email": "dpo@example.cn"}
        )
    stores = {name: Store.objects.get_or_create(name=name)[0] for name in STORES}
    vendor, _ = SdkVendor.objects.get_or_create(
        name="示例推送SDK厂商", defaults={"sdk_ids": ["demo.push", "demo.ads"]}
    )
    users = {}
    for username, role, company, store in USERS:
        user, created = user_model.objects.get_or_create(username=username)
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        Profile.objects.get_or_create(
            user=user,
            defaults={
                "role": role,
                "company": companies.get(company) if company else None,
                "store": stores.get(store) if store else None,
                "sdk_vendor": vendor if role == "sdk_vendor" else None,
            },
        )
        users[username] = DEMO_PASSWORD
    regulator = user_model.objects.get(username="regulator")
    reviewer = user_model.objects.get(username="reviewer")
    apps = [
        ("com.example.shop", "示例商城", "示例科技有限公司", [0, 1, 2], {2: "demo.push"}),
        ("com.beta.news", "贝塔新闻", "贝塔网络科技有限公司", [0, 3], {}),
        ("com.gamma.video", "伽马视频", "伽马信息技术有限公司", [1, 2, 4], {2: "demo.ads"}),
    ]
    now = timezone.now()
    for round_no in (1, 2):
        batch, _ = Batch.objects.get_or_create(
            name=f"演示批次 Demo batch {round_no}",
            defaults={"description": "演示数据 demo data", "created_by": regulator},
        )
        if round_no == 1:
            Batch.objects.filter(pk=batch.pk).update(created_at=now - dt.timedelta(days=40))
        for package, label, company, rules, owners in apps:
            if round_no == 2 and package == "com.beta.news":
                continue
            report = _report(package, label, f"{round_no}.0", rules, owners)
            job = _job(batch, reviewer, report, companies[company])
            for store in stores.values():
                StoreListing.objects.get_or_create(
                    store=store, app=job.app_version.app, defaults={"url": "https://example.invalid/"}
                )
            for f in job.findings.filter(status="pending"):
                action = "reject" if f.rule_id == "app.self_start" else "confirm"
                review_finding(f, user=reviewer, action=action, reason="演示审核 demo review")
    if not workflow.RectificationOrder.objects.exists():
        for package in ("com.example.shop", "com.beta.news"):
            job = ScanJob.objects.filter(app_version__app__package=package).order_by("id").first()
            workflow.issue_order(
                job.app_version,
                list(job.findings.filter(status="confirmed")),
                user=reviewer,
                reason="演示 demo: confirmed findings",
            )
        order = workflow.RectificationOrder.objects.get(app__package="com.beta.news")
        workflow.RectificationOrder.objects.filter(pk=order.pk).update(
            deadline=timezone.localdate() - dt.timedelta(days=3)
        )
        workflow.surface_overdue()
        notice = workflow.create_notice_batch(
            user=regulator, title="关于侵害用户权益行为的APP通报（演示 demo）", number="2026年第1批"
        )
        order.refresh_from_db()
        workflow.escalate(
            order, user=regulator, reason="逾期未整改 overdue without a response", notice=notice
        )
        workflow.publish_notice(notice, user=regulator)
    from appwarden.platform.enforcement import sdk_workflow
    from appwarden.platform.enforcement.models import SdkOrder

    sdk_findings = list(
        Finding.objects.filter(status="confirmed", owner__in=vendor.sdk_ids, job__batch__name__endswith="1")
    )
    if sdk_findings and not SdkOrder.objects.exists():  # an order to the demo SDK vendor (issue #21.1)
        sdk_workflow.issue_sdk_order(
            vendor, sdk_findings, user=reviewer, reason="演示 demo: SDK在多款应用中违规收集个人信息"
        )
    from appwarden.platform.sanctions import services as sanctions  # issue #21.6
    from appwarden.platform.sanctions.models import SanctionMeasure

    if not SanctionMeasure.objects.exists():  # a penalty and a stop access for the noticed company
        beta, year = companies["贝塔网络科技有限公司"], timezone.localdate().year
        penalty = {
            "kind": "penalty",
            "start_date": f"{year}-11-01",
            "reason": "通报后仍未整改（演示 demo）",
            "decision_number": f"工信罚〔{year}〕演示1号",
            "amount": "100000",
            "legal_basis": "《中华人民共和国个人信息保护法》第六十六条",
            "authority": "工业和信息化部（演示 demo）",
        }
        sanctions.issue(beta, penalty, user=regulator)
        stop = {"kind": "stop_access", "start_date": f"{year}-11-15", "reason": "拒不整改（演示 demo）"}
        sanctions.issue(beta, {**stop, "stores": [next(iter(stores.values())).pk]}, user=regulator)
    Complaint.objects.get_or_create(
        app_name="示例商城",
        defaults={
            "package": "com.example.shop",
            "category": "collection",
            "description": "未同意隐私政策就读取设备信息（演示）",
        },
    )
    return users
