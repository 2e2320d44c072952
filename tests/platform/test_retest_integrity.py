"""Issue #16 part 1, re-test integrity: a rectification response and its re-test are about the same app, a finding
counts as fixed only when re-tested with the same kinds of evidence, and an order reads 已通报 only once its notice
is published. Through the REST API (DRF) and the web forms, on the database the platform tests use (PostgreSQL via
``test_services.test_suites_pass_on_postgresql``).

APKs are real (``tests/fixtures/apks``): ``minimal.apk`` is the tested version (``com.example.fixture``, version
code 1, signed by the fixture key); ``v2_only.apk`` the same app in other bytes; ``shop.apk`` another package;
``rotated.apk`` the same app signed by a new key with a verified v3 lineage from the fixture key. An APK signed by
a stranger's key is built here (v1 JAR signature), and a forged lineage by flipping one signed byte.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import importlib
import io
import zipfile
from typing import Any

import platform_factories as pf
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from rest_framework.test import APIClient

from appwarden.platform.core import storage, tokens
from appwarden.platform.core.models import AuditLog
from appwarden.platform.enforcement import workflow
from appwarden.platform.enforcement.models import (
    CompanyResponse,
    OrderTransition,
    RectificationOrder,
    Retest,
)
from appwarden.platform.testing import engine, services
from appwarden.platform.testing.models import ScanJob


def stranger_signed(data: bytes) -> bytes:
    """``data``'s entries (META-INF/ dropped) signed v1 by a fresh RSA key: same package, another signer."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs7
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "repackager")])
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        entries = [
            (i.filename, src.read(i)) for i in src.infolist() if not i.filename.startswith("META-INF/")
        ]

    def b64(blob: bytes) -> str:
        return base64.b64encode(hashlib.sha256(blob).digest()).decode()

    mf = "Manifest-Version: 1.0\r\n\r\n" + "".join(
        f"Name: {n}\r\nSHA-256-Digest: {b64(d)}\r\n\r\n" for n, d in entries
    )
    sf = f"Signature-Version: 1.0\r\nSHA-256-Digest-Manifest: {b64(mf.encode())}\r\n\r\n"
    signature = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(sf.encode())
        .add_signer(cert, key, hashes.SHA256())
        .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature])
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for n, d in entries:
            dst.writestr(n, d)
        dst.writestr("META-INF/MANIFEST.MF", mf)
        dst.writestr("META-INF/CERT.SF", sf)
        dst.writestr("META-INF/CERT.RSA", signature)
    return out.getvalue()


def forged_rotation() -> bytes:
    """rotated.apk with one byte of its lineage's (signed) certificate changed: the lineage no longer verifies."""
    data = bytearray(pf.fixture_apk("rotated.apk"))
    at = bytes(data).find(b"appwarden fixture rotated")
    data[at] ^= 0x20
    return bytes(data)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def api_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(user)}")
    return client


def finding(
    rule_id: str, evidence: list[dict[str, Any]], owner: str = "host", title: str = ""
) -> dict[str, Any]:
    f = pf.finding(rule_id, ["RD-3.1"], owner=owner)
    f.update(evidence=evidence, title_zh=title or f"问题 {rule_id}", confidence="confirmed")
    return f


CALLSITE = {
    "type": "callsite",
    "caller": "Lcom/example/fixture/A;->b()V",
    "api": "x",
    "category": "device_id",
}
TRACE = {"type": "trace", "ts": 120, "event": "api", "api": "getDeviceId", "category": "device_id"}
CONFIRMED_BY_TRACE = {"type": "trace", "event": "confirmation", "behaviour": "pre_consent"}
POLICY = {"type": "policy", "sentence": "我们会收集您的设备信息", "start": 0, "end": 10}

# the ordered findings: one static, one static finding a trace confirmed, one from a trace rule, one from the policy,
# one of an SDK that the rectified version still has
ORDERED = [
    finding("pi.device_id.read", [CALLSITE], title="读取设备标识符"),
    finding("pi.startup.device_id", [CALLSITE, CONFIRMED_BY_TRACE, TRACE], title="启动时读取设备标识符"),
    finding("dynamic.pi.pre_consent", [TRACE], title="同意隐私政策前收集个人信息"),
    finding("policy.pi.undeclared", [POLICY, CALLSITE], title="隐私政策未声明收集的个人信息"),
    finding("pi.location.read", [CALLSITE], owner="umeng", title="第三方SDK读取位置信息"),
]
RULES = [f["rule_id"] for f in ORDERED]


class InputAwareEngine(pf.ReportEngine):
    """The stub engine, with the inputs' effect a real scan has on the report: without a trace the ``dynamic``
    section is null and the trace rules are ``not_evaluated``; without a policy the policy section is null."""

    def __call__(self, apk_path, **kw: Any) -> dict[str, Any]:
        rep = dict(super().__call__(apk_path, **kw))
        trace, policy = kw.get("trace_path"), kw.get("policy_path")
        rep["dynamic"] = {"package": rep["app"]["package"], "events": 3} if trace else None
        rep["policy"] = {"found": True, "source": "file"} if policy else None
        rep["rules_evaluated"] = True
        rep["evaluated_rules"] = [r for r in RULES if trace or not r.startswith("dynamic.")]
        rep["not_evaluated"] = (
            [] if trace else [{"rule_id": "dynamic.pi.pre_consent", "missing": ["dynamic.trace"]}]
        )
        return rep


class RetestCase(TestCase):
    def setUp(self):
        self.engine = InputAwareEngine()
        engine.use_engine(self.engine)
        self.addCleanup(engine.use_engine, None)
        self.reviewer = pf.user("reviewer")
        self.regulator = pf.user("regulator")
        self.company = pf.company("整改科技有限公司")
        self.company_user = pf.user("company", company=self.company)
        self.v1 = self.engine.add_apk(pf.fixture_apk("minimal.apk"), ORDERED, label="整改应用")
        job = pf.scanned_job(self.reviewer, self.v1, company=self.company)
        for f in job.findings.all():
            services.review_finding(f, user=self.reviewer, action="confirm", reason="证据确认")
        self.order = workflow.issue_order(
            job.app_version, list(job.findings.all()), user=self.reviewer, reason="检测发现问题"
        )
        self.company_api = api_client(self.company_user)
        self.reviewer_api = api_client(self.reviewer)
        self.regulator_api = api_client(self.regulator)
        self.stored_before: dict[str, bool] = {}

    def respond(self, client: APIClient, data: bytes, **extra: Any):
        self.stored_before.setdefault(sha(data), storage.exists(sha(data)))  # blobs outlive rolled-back tests
        return client.post(
            f"/api/orders/{self.order.pk}/respond/",
            {"explanation": "已整改", "apk": SimpleUploadedFile("fixed.apk", data), **extra},
            format="multipart",
        )

    def assert_unchanged(self, data: bytes) -> None:
        """The refusal changed nothing: same state and history, no response, no stored APK, no job."""
        self.order.refresh_from_db()
        self.assertEqual(self.order.state, "issued")
        self.assertEqual(list(self.order.transitions.values_list("name", flat=True)), ["issue"])
        self.assertFalse(CompanyResponse.objects.exists())
        self.assertEqual(storage.exists(sha(data)), self.stored_before[sha(data)])
        self.assertEqual(ScanJob.objects.count(), 1)


class ResponseIdentityApiTests(RetestCase):
    def test_another_package_is_refused_in_chinese_and_nothing_changes(self):
        shop = pf.fixture_apk("shop.apk")
        resp = self.respond(self.company_api, shop)
        self.assertEqual(resp.status_code, 400, resp.content)
        detail = resp.json()["detail"]
        self.assertIn("包名 com.example.shop 与责令整改的应用 com.example.fixture 不一致", detail)
        self.assertIn("监管人员可填写书面放行理由", detail)
        self.assert_unchanged(shop)

    def test_another_signer_without_a_lineage_is_refused(self):
        stranger = stranger_signed(pf.fixture_apk("v1_only.apk"))
        resp = self.respond(self.company_api, stranger)
        self.assertEqual(resp.status_code, 400, resp.content)
        self.assertIn("签名证书", resp.json()["detail"])
        self.assertIn("没有经验证的 v3 密钥轮换证明", resp.json()["detail"])
        self.assert_unchanged(stranger)

    def test_a_forged_rotation_lineage_is_refused(self):
        forged = forged_rotation()
        resp = self.respond(self.company_api, forged)
        self.assertEqual(resp.status_code, 400, resp.content)
        self.assertIn("签名", resp.json()["detail"])
        self.assert_unchanged(forged)

    def test_a_verified_key_rotation_from_the_known_signer_is_accepted(self):
        rotated = pf.fixture_apk("rotated.apk")
        resp = self.respond(self.company_api, rotated)
        self.assertEqual(resp.status_code, 200, resp.content)
        response = resp.json()["responses"][0]
        self.assertEqual(
            (response["signer_check"], response["new_package"], response["new_version_code"]),
            ("signer_rotated", "com.example.fixture", 1),
        )

    def test_the_version_code_must_not_go_down_even_with_an_override(self):
        version = self.order.app_version
        version.version_code = 5  # the tested version was versionCode 5; the upload says 1
        version.save()
        lower = pf.fixture_apk("v2_only.apk")
        resp = self.respond(self.company_api, lower)
        self.assertEqual(resp.status_code, 400, resp.content)
        self.assertIn("版本号 versionCode 1 低于原检测版本的 5", resp.json()["detail"])
        resp = self.respond(self.regulator_api, lower, override_reason="企业说明版本号回退")
        self.assertEqual(resp.status_code, 400, resp.content)
        self.assert_unchanged(lower)

    def test_the_tested_bytes_stay_refused_even_with_an_override(self):
        resp = self.respond(self.regulator_api, self.v1, override_reason="放行")
        self.assertEqual(resp.status_code, 400, resp.content)
        self.assertIn("与原检测版本完全相同", resp.json()["detail"])
        self.assertFalse(CompanyResponse.objects.exists())

    def test_only_a_regulator_overrides_and_the_override_is_audited(self):
        shop = pf.fixture_apk("shop.apk")
        resp = self.respond(self.company_api, shop, override_reason="我们改了包名")
        self.assertEqual(resp.status_code, 403, resp.content)
        self.assertIn("只有监管人员", resp.json()["detail"])
        self.assert_unchanged(shop)

        resp = self.respond(self.regulator_api, shop, override_reason="应用更名，经核实为同一开发者")
        self.assertEqual(resp.status_code, 200, resp.content)
        response = CompanyResponse.objects.get()
        self.assertEqual(response.override_reason, "应用更名，经核实为同一开发者")
        self.assertEqual(response.overridden_by, self.regulator)
        self.assertEqual(response.new_package, "com.example.shop")
        row = AuditLog.objects.get(action="override")
        self.assertEqual((row.actor, row.reason), (self.regulator, "应用更名，经核实为同一开发者"))
        self.assertEqual(row.data["refused"][0]["code"], "package")
        self.assertEqual(row.object_id, str(response.pk))
        # the re-test of an overridden version is not refused again
        resp = self.reviewer_api.post(f"/api/orders/{self.order.pk}/start_retest/", {"reason": "复测"})
        self.assertEqual(resp.status_code, 200, resp.content)

    def test_the_same_app_in_other_bytes_is_accepted(self):
        resp = self.respond(self.company_api, pf.fixture_apk("v2_only.apk"))
        self.assertEqual(resp.status_code, 200, resp.content)
        self.assertEqual(resp.json()["state"], "responded")
        self.assertEqual(resp.json()["responses"][0]["signer_check"], "same")


class RetestEvidenceApiTests(RetestCase):
    def respond_and_retest(self, findings: list[dict[str, Any]], **files: bytes) -> dict[str, Any]:
        fixed = self.engine.add_apk(pf.fixture_apk("v2_only.apk"), findings, label="整改应用")
        self.assertEqual(self.respond(self.company_api, fixed).status_code, 200)
        return self.retest(**files)

    def retest(self, **files: bytes) -> dict[str, Any]:
        data: dict[str, Any] = {"reason": "复测整改版本"}
        data.update({k: SimpleUploadedFile(f"{k}.txt", v) for k, v in files.items()})
        resp = self.reviewer_api.post(f"/api/orders/{self.order.pk}/start_retest/", data, format="multipart")
        self.assertEqual(resp.status_code, 200, resp.content)
        services.run_scan(resp.json()["retests"][0]["job"])
        return self.reviewer_api.get(f"/api/orders/{self.order.pk}/").json()

    def test_a_finding_shown_by_a_trace_is_not_fixed_without_a_new_trace(self):
        still = finding("pi.location.read", [CALLSITE], owner="umeng", title="第三方SDK读取位置信息")
        order = self.respond_and_retest([still])
        self.assertEqual(order["state"], "retested")
        retest = order["retests"][0]
        self.assertFalse(retest["passed"])
        self.assertEqual([r["rule_id"] for r in retest["fixed"]], ["pi.device_id.read"])
        self.assertEqual(
            [(r["rule_id"], r["owner"], r["title_zh"]) for r in retest["persisting"]],
            [("pi.location.read", "umeng", "第三方SDK读取位置信息")],
        )
        not_retested = {r["rule_id"]: r for r in retest["not_retested"]}
        self.assertEqual(
            set(not_retested), {"pi.startup.device_id", "dynamic.pi.pre_consent", "policy.pi.undeclared"}
        )
        # a static rule evaluated again, but its finding was confirmed by a trace and the re-test had none
        self.assertIn("运行时轨迹", not_retested["pi.startup.device_id"]["reason_zh"])
        self.assertEqual(not_retested["pi.startup.device_id"]["title_zh"], "启动时读取设备标识符")
        self.assertEqual(not_retested["pi.startup.device_id"]["owner"], "host")
        # a trace rule the re-test could not evaluate at all
        self.assertIn("dynamic.trace", not_retested["dynamic.pi.pre_consent"]["reason_zh"])
        self.assertIn("隐私政策文本", not_retested["policy.pi.undeclared"]["reason_zh"])
        self.assertEqual(retest["evidence_kinds"], ["static"])
        self.assertEqual(retest["new"], [])

    def test_nothing_left_not_retested_then_passes_and_closes(self):
        order = self.respond_and_retest([])
        retest = order["retests"][0]
        self.assertFalse(retest["passed"])  # everything disappeared, but three findings were not re-tested
        resp = self.reviewer_api.post(f"/api/orders/{self.order.pk}/close/", {"reason": "复测通过"})
        self.assertEqual(resp.status_code, 409)
        self.assertIn("3 项问题未复测", resp.json()["detail"])
        self.assertEqual(self.reviewer_api.get(f"/api/orders/{self.order.pk}/").json()["state"], "retested")

        # the reviewer re-tests again, now with a runtime trace and the privacy policy
        order = self.retest(trace=b'{"type": "header"}\n', policy="隐私政策全文".encode())
        latest = max(order["retests"], key=lambda r: r["id"])
        self.assertTrue(latest["passed"], latest)
        self.assertEqual(len(latest["fixed"]), 5)
        self.assertEqual(latest["evidence_kinds"], ["static", "policy", "dynamic"])
        self.assertTrue(latest["trace_sha256"] and latest["policy_sha256"])
        self.assertIsNotNone(self.engine.inputs[-1]["trace_path"])
        resp = self.reviewer_api.post(f"/api/orders/{self.order.pk}/close/", {"reason": "复测通过"})
        self.assertEqual(resp.status_code, 200, resp.content)
        self.assertEqual(resp.json()["state"], "closed")

    def test_a_second_retest_is_refused_when_nothing_was_left_not_retested(self):
        still = [finding(f["rule_id"], f["evidence"], owner=f["owner"]) for f in ORDERED]
        order = self.respond_and_retest([*still])
        self.assertEqual(order["retests"][0]["not_retested"], [])
        jobs = ScanJob.objects.count()
        resp = self.reviewer_api.post(f"/api/orders/{self.order.pk}/start_retest/", {"reason": "再测"})
        self.assertEqual(resp.status_code, 409)
        self.assertIn("无需再次复测", resp.json()["detail"])
        self.assertEqual((ScanJob.objects.count(), Retest.objects.count()), (jobs, 1))

    def test_the_notice_names_persisting_and_not_retested_findings_never_fixed_ones(self):
        self.respond_and_retest([])
        notice = workflow.create_notice_batch(user=self.regulator, title="通报")
        item = workflow.escalate(self.order, user=self.regulator, reason="复测未通过", notice=notice)
        self.assertTrue(item.problems)
        self.assertNotIn("读取设备标识符", item.problems.split("；"))  # fixed: never named


class NoticeStateTests(RetestCase):
    def escalate(self):
        RectificationOrder.objects.filter(pk=self.order.pk).update(
            deadline=dt.date.today() - dt.timedelta(days=2)
        )
        notice = self.regulator_api.post("/api/notices/", {"title": "关于侵害用户权益行为的APP通报"}).json()
        resp = self.regulator_api.post(
            f"/api/orders/{self.order.pk}/escalate/", {"reason": "逾期未整改", "notice": notice["id"]}
        )
        self.assertEqual(resp.status_code, 200, resp.content)
        return notice, resp.json()

    def test_an_order_in_a_draft_notice_does_not_read_noticed(self):
        _, order = self.escalate()
        self.assertEqual(order["state"], "notice_draft")
        web = Client()
        web.force_login(self.regulator)
        page = web.get(f"/enforcement/orders/{self.order.pk}/").content.decode()
        self.assertNotIn("已通报", page.split('id="order-state">')[1].split("<")[0])
        self.assertIn("拟通报", page)
        # nothing else happens to a drafted order: no takedown before publication
        resp = self.regulator_api.post(f"/api/orders/{self.order.pk}/order_takedown/", {"reason": "下架"})
        self.assertEqual(resp.status_code, 409)

    def test_publishing_the_notice_makes_its_orders_noticed(self):
        notice, _ = self.escalate()
        resp = self.regulator_api.post(f"/api/notices/{notice['id']}/publish/")
        self.assertEqual(resp.status_code, 200, resp.content)
        self.assertTrue(resp.json()["published"])
        order = self.regulator_api.get(f"/api/orders/{self.order.pk}/").json()
        self.assertEqual(order["state"], "noticed")
        last = order["transitions"][-1]
        self.assertEqual(
            (last["name"], last["from_state"], last["to_state"]),
            ("publish_notice", "notice_draft", "noticed"),
        )
        web = Client()
        web.force_login(self.regulator)
        page = web.get(f"/enforcement/orders/{self.order.pk}/").content.decode()
        self.assertIn("已通报", page.split('id="order-state">')[1].split("<")[0])
        # publishing twice is refused and changes nothing
        resp = self.regulator_api.post(f"/api/notices/{notice['id']}/publish/")
        self.assertEqual(resp.status_code, 409)
        self.assertIn("已发布", resp.json()["detail"])
        self.assertEqual(OrderTransition.objects.filter(order=self.order, name="publish_notice").count(), 1)

    def test_the_migration_moves_orders_of_draft_batches_out_of_noticed(self):
        self.escalate()
        RectificationOrder.objects.filter(pk=self.order.pk).update(state="noticed")  # as before the fix
        from django.apps import apps

        migration = importlib.import_module("appwarden.platform.enforcement.migrations.0002_retest_integrity")
        migration.drafts_are_not_noticed(apps, None)
        self.order.refresh_from_db()
        self.assertEqual(self.order.state, "notice_draft")


class WebFormTests(RetestCase):
    """The pages a case officer and a company use: the company uploads its rectified APK in the response form,
    the reviewer starts the re-test (with a trace) and reads the four groups on the order page."""

    def web(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def post_response(self, user, data: bytes, **extra: str):
        self.stored_before.setdefault(sha(data), storage.exists(sha(data)))
        return self.web(user).post(
            f"/enforcement/orders/{self.order.pk}/respond/",
            {
                "explanation": "已整改，隐私政策弹窗已前置",
                "apk": SimpleUploadedFile("fixed.apk", data),
                **extra,
            },
            follow=True,
        )

    def test_the_company_form_refuses_another_app_with_a_chinese_message(self):
        shop = pf.fixture_apk("shop.apk")
        page = self.post_response(self.company_user, shop).content.decode()
        self.assertIn("与责令整改的应用 com.example.fixture 不一致", page)
        self.assert_unchanged(shop)
        # the company's form has no override field; a forged one is refused with the reason
        self.assertNotIn(
            "override_reason",
            self.web(self.company_user).get(f"/enforcement/orders/{self.order.pk}/").content.decode(),
        )
        page = self.post_response(self.company_user, shop, override_reason="自行放行").content.decode()
        self.assertIn("只有监管人员", page)
        self.assert_unchanged(shop)

    def test_regulator_form_overrides_with_a_reason(self):
        page = self.web(self.regulator).get(f"/enforcement/orders/{self.order.pk}/").content.decode()
        self.assertIn('name="override_reason"', page)
        page = self.post_response(
            self.regulator, pf.fixture_apk("shop.apk"), override_reason="更名核实"
        ).content
        self.assertIn("监管放行", page.decode())
        self.assertTrue(AuditLog.objects.filter(action="override", reason="更名核实").exists())

    def test_company_responds_and_reviewer_retests_with_a_trace_through_the_forms(self):
        fixed = self.engine.add_apk(pf.fixture_apk("v2_only.apk"), [], label="整改应用")
        page = self.post_response(self.company_user, fixed).content.decode()
        self.assertIn("企业答复 Company responses", page)
        self.assertIn("签名一致", page)
        self.order.refresh_from_db()
        self.assertEqual(self.order.state, "responded")

        reviewer = self.web(self.reviewer)
        page = reviewer.get(f"/enforcement/orders/{self.order.pk}/").content.decode()
        self.assertIn('name="trace"', page)
        reviewer.post(
            f"/enforcement/orders/{self.order.pk}/start_retest/",
            {"reason": "复测（无轨迹）"},
        )
        retest = Retest.objects.get()
        self.assertEqual(retest.job.trace_sha256, "")
        services.run_scan(retest.job_id)
        page = reviewer.get(f"/enforcement/orders/{self.order.pk}/").content.decode()
        self.assertIn("未通过 not passed", page)
        self.assertIn('class="diff-not-retested"><td>未复测 Not re-tested</td><td>启动时读取设备标识符', page)
        self.assertIn("第三方SDK读取位置信息", page)
        self.assertIn("umeng", page)
        self.assertNotIn('id="close-form"', page)

        # again with a trace and the policy: every finding re-tested, fixed; the order can close
        reviewer.post(
            f"/enforcement/orders/{self.order.pk}/start_retest/",
            {
                "reason": "补充运行时轨迹复测",
                "trace": SimpleUploadedFile("run.jsonl", b'{"type": "header"}\n'),
                "policy": SimpleUploadedFile("policy.txt", "隐私政策".encode()),
            },
        )
        latest = Retest.objects.order_by("-id").first()
        self.assertTrue(latest.job.trace_sha256)
        services.run_scan(latest.job_id)
        page = reviewer.get(f"/enforcement/orders/{self.order.pk}/").content.decode()
        self.assertIn("通过 passed", page)
        self.assertEqual(page.count('class="diff-fixed"'), 5)
        self.assertIn('id="close-form"', page)


def test_real_reports_a_trace_confirmed_finding_is_not_fixed_by_a_scan_without_a_trace():
    """The evidence kinds read from real engine reports: ``pi_all.apk`` scanned with the UMeng pre-consent trace
    (the trace confirms UMeng's static findings and raises ``dynamic.pi.pre_consent``), re-tested without a trace
    after "removing" UMeng: UMeng's findings are not re-tested, never fixed; the static ones persist."""
    from appwarden.platform.enforcement.diff import diff_findings
    from appwarden.platform.testing.models import Finding
    from appwarden.scan import scan_apk

    apk = pf.FIXTURE_APKS / "pi_all.apk"
    trace = pf.FIXTURE_APKS.parent / "traces" / "pi_all_umeng_pre_consent.jsonl"
    original_report = scan_apk(str(apk), trace_path=str(trace))
    retest_report = scan_apk(str(apk))

    def findings(report: dict, drop_owner: str = "") -> list[Finding]:
        return [
            Finding(
                rule_id=f["rule_id"],
                owner=f["owner"],
                title_zh=f["title_zh"],
                evidence=f["evidence"],
                status="confirmed",
            )
            for f in report["findings"]
            if f["owner"] != drop_owner
        ]

    original = findings(original_report)
    umeng = {f"{f.rule_id}@{f.owner}" for f in original if f.owner == "umeng_common"}
    # one behaviour, one finding: the trace's pre-consent read is merged into UMeng's static start-up finding
    assert "pi.startup.device_id@umeng_common" in umeng and len(umeng) >= 2
    carrier = next(
        f
        for f in original_report["findings"]
        if f"{f['rule_id']}@{f['owner']}" == "pi.startup.device_id@umeng_common"
    )
    assert carrier["merged_rules"] == ["dynamic.pi.pre_consent"]
    diff = diff_findings(original, findings(retest_report, drop_owner="umeng_common"), retest_report)
    assert {r["key"] for r in diff["not_retested"]} == umeng
    assert diff["fixed"] == [] and diff["new"] == [] and not diff["passed"]
    assert {r["key"] for r in diff["persisting"]} == {f"{f.rule_id}@{f.owner}" for f in original} - umeng
    assert diff["evidence_kinds"] == ["static"]
    # with the trace again, the same disappearance counts as fixed
    again = diff_findings(original, findings(original_report, drop_owner="umeng_common"), original_report)
    assert {r["key"] for r in again["fixed"]} == umeng and again["not_retested"] == []


def test_an_ordered_finding_the_retest_reports_merged_into_another_is_not_fixed():
    """The engine merges a general rule's finding into a specific one of the same behaviour (``merged_rules``): an
    order issued on ``dynamic.pi.third_party_transfer@getui_push`` whose re-test reports the send inside
    ``dynamic.pi.transfer_undisclosed_party@getui_push`` persists; the carrier is not a new finding."""
    from appwarden.platform.enforcement.diff import diff_findings
    from appwarden.platform.testing.models import Finding

    send = {"type": "network", "ts": 5000, "host": "sdk.open.phone.igexin.com", "pi": ["imei"]}
    original = [
        Finding(rule_id="dynamic.pi.third_party_transfer", owner="getui_push", title_zh="发送", evidence=[send],
                status="confirmed"),
    ]  # fmt: skip
    carrier = {"rule_id": "dynamic.pi.transfer_undisclosed_party", "owner": "getui_push", "evidence": [send],
               "merged_rules": ["dynamic.pi.third_party_transfer"]}  # fmt: skip
    report = {
        "app": {"package": "com.example.shop"},
        "dynamic": {},
        "evaluated_rules": ["dynamic.pi.third_party_transfer", "dynamic.pi.transfer_undisclosed_party"],
        "findings": [carrier],
    }
    retest = [Finding(rule_id=carrier["rule_id"], owner="getui_push", title_zh="发送", evidence=[send],
                      status="confirmed")]  # fmt: skip
    diff = diff_findings(original, retest, report)
    assert diff["fixed"] == [] and diff["new"] == [] and not diff["passed"]
    (row,) = diff["persisting"]
    assert row["key"] == "dynamic.pi.third_party_transfer@getui_push"
    assert row["merged_into"] == "dynamic.pi.transfer_undisclosed_party@getui_push"


def test_a_retest_whose_analysis_did_not_complete_fixes_nothing():
    """A company packs its "rectified" build: the re-test's code findings vanish because the real code is encrypted
    (the report's dex error), so the ordered start-up read must be not re-tested, never fixed, and the re-test does
    not pass. The same re-test with a complete analysis counts it fixed."""
    from appwarden.platform.enforcement.diff import diff_findings
    from appwarden.platform.testing.models import Finding

    site = {"type": "callsite", "caller": "Lcom/example/shop/App;->onCreate()V", "api": "getDeviceId"}
    original = [Finding(rule_id="pi.startup.device_id", owner="host", title_zh="启动读取", evidence=[site],
                        status="confirmed")]  # fmt: skip
    complete = {
        "app": {"package": "com.example.shop"},
        "evaluated_rules": ["pi.startup.device_id"],
        "findings": [],
    }
    assert diff_findings(original, [], complete)["passed"]
    packed = {
        **complete,
        "errors": [{"stage": "dex", "message": "app is packed with 360 Jiagu: its real code is encrypted"}],
    }
    diff = diff_findings(original, [], packed)
    assert diff["fixed"] == [] and not diff["passed"]
    (row,) = diff["not_retested"]
    assert row["key"] == "pi.startup.device_id@host" and "复测分析未完成" in row["reason_zh"]
    assert "packed" in row["reason_zh"]
