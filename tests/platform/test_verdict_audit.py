"""Adversarial review of the paths that reach a published verdict (2026-12-07, helper audit): each test shows a
hole found against the real workflow (a wrong public fact in a 通报 row, an illegal move) and stays as its guard."""

from __future__ import annotations

import datetime as dt

import platform_factories as pf
from django.test import TestCase
from django.utils import timezone

from appwarden.platform.core.errors import TransitionError
from appwarden.platform.enforcement import workflow
from appwarden.platform.enforcement.models import RectificationOrder
from appwarden.platform.testing import engine, services


class VerdictCase(TestCase):
    def setUp(self):
        self.engine = pf.ReportEngine()
        engine.use_engine(self.engine)
        self.addCleanup(engine.use_engine, None)
        self.reviewer = pf.user("reviewer")
        self.regulator = pf.user("regulator")
        self.company = pf.company("涉事科技有限公司")
        self.company_user = pf.user("company", company=self.company)
        findings = [
            pf.finding("pi.pre_consent", ["RD-3.1", "M164-1.1"], notice_types=["M337-1"]),
            pf.finding("perm.over", ["M164-2.1", "M337-7"], notice_types=["M337-7"]),
        ]
        self.v1 = self.engine.add_apk(pf.fixture_apk("minimal.apk"), findings, label="案例应用")
        self.job = pf.scanned_job(self.reviewer, self.v1, company=self.company)
        for f in self.job.findings.all():
            services.review_finding(f, user=self.reviewer, action="confirm", reason="确认")
        self.app = self.job.app_version.app
        pf.listing(pf.store("甲应用市场"), self.app)
        self.notice = workflow.create_notice_batch(user=self.regulator, title="通报（第1批）")

    def issue(self) -> RectificationOrder:
        return workflow.issue_order(
            self.job.app_version, list(self.job.findings.all()), user=self.reviewer, reason="检测发现问题"
        )

    def overdue(self, order: RectificationOrder) -> None:
        RectificationOrder.objects.filter(pk=order.pk).update(
            deadline=timezone.localdate() - dt.timedelta(days=1)
        )
        order.refresh_from_db()

    def respond_and_retest(self, order: RectificationOrder, findings: list[dict], version_name: str) -> None:
        data = self.engine.add_apk(
            pf.fixture_apk("v2_only.apk"), findings, label="案例应用", version_name=version_name
        )
        workflow.respond(order, user=self.company_user, explanation="已整改", apk=data)
        retest = workflow.start_retest(order, user=self.reviewer, reason="复测")
        services.run_scan(retest.job_id)
        order.refresh_from_db()


class NoticeRowFactsTests(VerdictCase):
    def test_a_finding_rejected_after_the_order_is_not_published(self):
        """A reviewer rejecting an ordered finding as false (e.g. after the company objected) must not see it
        published: the 通报 row names only the problems still confirmed."""
        order = self.issue()
        perm = order.findings.get(rule_id="perm.over")
        services.review_finding(perm, user=self.reviewer, action="reject", reason="企业申辩成立，误报")
        self.overdue(order)
        item = workflow.escalate(order, user=self.regulator, reason="逾期未整改", notice=self.notice)
        self.assertNotIn("过度索取权限", item.problems)
        self.assertTrue(item.problems)

    def test_an_order_whose_findings_were_all_rejected_cannot_be_published(self):
        order = self.issue()
        for f in order.findings.all():
            services.review_finding(f, user=self.reviewer, action="reject", reason="误报")
        self.overdue(order)
        with self.assertRaisesMessage(TransitionError, "不成立"):
            workflow.escalate(order, user=self.regulator, reason="逾期未整改", notice=self.notice)
        order.refresh_from_db()
        self.assertEqual(order.state, "issued")

    def test_a_new_problem_of_the_retested_build_names_that_builds_version(self):
        """The ordered findings were fixed and the re-test failed only on a new finding of version 1.1: the row
        must not attribute that problem to version 1.0, which did not have it."""
        order = self.issue()
        self.respond_and_retest(order, [pf.finding("new.one", ["RD-5.1"], notice_types=["M337-3"])], "1.1")
        diff = order.retests.get().diff
        self.assertEqual([r["rule_id"] for r in diff["new"]], ["new.one"])
        # the new finding is the engine's word until a reviewer confirms it: no row yet
        with self.assertRaisesMessage(TransitionError, "尚未审核确认"):
            workflow.escalate(order, user=self.regulator, reason="复测未通过", notice=self.notice)
        new = order.retests.get().job.findings.get(rule_id="new.one")
        services.review_finding(new, user=self.reviewer, action="confirm", reason="确认")
        item = workflow.escalate(order, user=self.regulator, reason="复测未通过", notice=self.notice)
        self.assertNotIn("过度索取权限", item.problems)
        self.assertEqual(item.version, "1.1")

    def test_a_persisting_problem_keeps_the_ordered_version(self):
        order = self.issue()
        kept = [pf.finding("perm.over", ["M164-2.1", "M337-7"], notice_types=["M337-7"])]
        self.respond_and_retest(order, kept, "1.1")
        item = workflow.escalate(order, user=self.regulator, reason="复测未通过", notice=self.notice)
        self.assertEqual((item.version, item.problems), ("1.0", "过度索取权限"))

    def test_a_finding_reopened_for_review_blocks_the_notice(self):
        order = self.issue()
        services.reopen_finding(
            order.findings.get(rule_id="perm.over"), user=self.regulator, reason="企业申辩"
        )
        self.overdue(order)
        with self.assertRaisesMessage(TransitionError, "正在复核"):
            workflow.escalate(order, user=self.regulator, reason="逾期未整改", notice=self.notice)

    def test_a_row_is_restated_from_the_evidence_at_publication(self):
        """A finding rejected between 通报 draft and publication is not published with the batch."""
        from appwarden.platform.core.models import AuditLog

        order = self.issue()
        self.overdue(order)
        item = workflow.escalate(order, user=self.regulator, reason="逾期未整改", notice=self.notice)
        self.assertIn("过度索取权限", item.problems)
        services.review_finding(
            order.findings.get(rule_id="perm.over"), user=self.reviewer, action="reject", reason="误报"
        )
        workflow.publish_notice(self.notice, user=self.regulator)
        item.refresh_from_db()
        self.assertEqual(item.problems, "私自收集个人信息")
        self.assertTrue(
            AuditLog.objects.filter(action="notice_row_refreshed", object_id=str(item.pk)).exists()
        )

    def test_publication_is_refused_while_a_named_finding_is_under_review(self):
        order = self.issue()
        self.overdue(order)
        workflow.escalate(order, user=self.regulator, reason="逾期未整改", notice=self.notice)
        services.reopen_finding(order.findings.get(rule_id="perm.over"), user=self.regulator, reason="复核")
        with self.assertRaisesMessage(TransitionError, "正在复核"):
            workflow.publish_notice(self.notice, user=self.regulator)
        self.notice.refresh_from_db()
        order.refresh_from_db()
        self.assertFalse(self.notice.published)
        self.assertEqual(order.state, "notice_draft")

    def test_a_stale_copy_of_a_published_batch_takes_no_row(self):
        order = self.issue()
        self.overdue(order)
        other = self.issue()
        self.overdue(other)
        workflow.escalate(other, user=self.regulator, reason="逾期", notice=self.notice)
        stale = type(self.notice).objects.get(pk=self.notice.pk)
        workflow.publish_notice(self.notice, user=self.regulator)
        self.assertFalse(stale.published)
        with self.assertRaisesMessage(TransitionError, "already published"):
            workflow.escalate(order, user=self.regulator, reason="逾期", notice=stale)
        order.refresh_from_db()
        self.assertEqual(order.state, "issued")

    def test_the_source_names_only_the_stores_that_still_list_the_app(self):
        gone = pf.listing(pf.store("已下架商店"), self.app)
        gone.active = False
        gone.save()
        order = self.issue()
        self.overdue(order)
        item = workflow.escalate(order, user=self.regulator, reason="逾期未整改", notice=self.notice)
        self.assertEqual(item.source, "甲应用市场")


class ReviewAfterRetestTests(VerdictCase):
    """A review after the re-test is part of the evidence the case is decided on: the stored re-test result follows
    it, so that a case is neither frozen nor closed on a stale table."""

    def test_a_new_finding_rejected_as_false_lets_the_case_close(self):
        order = self.issue()
        self.respond_and_retest(order, [pf.finding("new.one", ["RD-5.1"], notice_types=["M337-3"])], "1.1")
        self.assertEqual(workflow.allowed_transitions(order, self.regulator), ["escalate"])
        new = order.retests.get().job.findings.get(rule_id="new.one")
        services.review_finding(new, user=self.reviewer, action="reject", reason="误报")
        order.refresh_from_db()
        diff = order.retests.get().diff
        self.assertTrue(diff["passed"], diff)
        self.assertEqual(workflow.allowed_transitions(order, self.regulator), ["close"])
        workflow.close(order, user=self.reviewer, reason="复测通过（新问题经复核为误报）")
        order.refresh_from_db()
        self.assertEqual(order.state, "closed")

    def test_reopening_it_again_keeps_the_case_from_closing(self):
        order = self.issue()
        self.respond_and_retest(order, [pf.finding("new.one", ["RD-5.1"], notice_types=["M337-3"])], "1.1")
        new = order.retests.get().job.findings.get(rule_id="new.one")
        services.review_finding(new, user=self.reviewer, action="reject", reason="误报")
        services.reopen_finding(new, user=self.regulator, reason="复核")
        order.refresh_from_db()
        self.assertFalse(order.retests.get().diff["passed"])
        with self.assertRaises(TransitionError):
            workflow.close(order, user=self.reviewer, reason="x")


class TimelyAnswerTests(VerdictCase):
    """A company that answered before the deadline with a rectified build is waiting for the regulator's re-test:
    publishing it as not rectified (通报) before that re-test is a verdict the evidence does not support."""

    def answer_in_time(self) -> RectificationOrder:
        from appwarden.platform.enforcement.models import CompanyResponse

        order = self.issue()
        data = self.engine.add_apk(pf.fixture_apk("v2_only.apk"), [], label="案例应用", version_name="1.1")
        workflow.respond(order, user=self.company_user, explanation="已整改", apk=data)
        # the deadline passes afterwards (the answer came the day before it)
        before = timezone.now() - dt.timedelta(days=2)
        CompanyResponse.objects.filter(order=order).update(at=before)
        self.overdue(order)
        self.assertFalse(order.responses.get().late)
        return order

    def test_no_notice_before_the_timely_build_is_retested(self):
        order = self.answer_in_time()
        self.assertNotIn("escalate", workflow.allowed_transitions(order, self.regulator))
        with self.assertRaisesMessage(TransitionError, "复测"):
            workflow.escalate(order, user=self.regulator, reason="逾期", notice=self.notice)
        order.refresh_from_db()
        self.assertEqual(order.state, "responded")

    def test_a_failed_retest_job_does_not_open_the_notice_either(self):
        order = self.answer_in_time()

        def broken(path, **_):
            from appwarden.errors import DexFormatError

            raise DexFormatError("bad dex")

        engine.use_engine(broken)
        retest = workflow.start_retest(order, user=self.reviewer, reason="复测")
        services.run_scan(retest.job_id)
        order.refresh_from_db()
        self.assertEqual(order.state, "responded")
        with self.assertRaisesMessage(TransitionError, "复测"):
            workflow.escalate(order, user=self.regulator, reason="逾期", notice=self.notice)

    def test_a_late_answer_or_one_without_a_build_may_still_be_published(self):
        order = self.issue()
        self.overdue(order)
        workflow.respond(order, user=self.company_user, explanation="逾期答复，未提交新版本")
        order.refresh_from_db()
        self.assertIn("escalate", workflow.allowed_transitions(order, self.regulator))
        workflow.escalate(order, user=self.regulator, reason="逾期未整改", notice=self.notice)


from test_sdk_orders import SdkOrderBase  # noqa: E402


class SdkNoticeRowFactsTests(SdkOrderBase):
    """The APP(SDK) row obeys the same rule: an ordered finding rejected on review is not published with it."""

    def overdue_order(self):
        from appwarden.platform.enforcement.models import SdkOrder

        order = self.issue()
        SdkOrder.objects.filter(pk=order.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
        order.refresh_from_db()
        return order

    def test_a_rejected_finding_names_neither_its_app_nor_is_published_alone(self):
        from appwarden.platform.enforcement import sdk_workflow

        order = self.overdue_order()
        in_y = order.findings.get(app_version__app__package="com.y.app")
        services.review_finding(in_y, user=self.reviewer, action="reject", reason="应用y中为误报")
        notice = workflow.create_notice_batch(user=self.regulator, title="通报")
        item = sdk_workflow.escalate(order, user=self.regulator, reason="逾期未整改", notice=notice)
        self.assertEqual(item.app_name, "应用x")
        self.assertEqual(item.developer, "x公司")

    def test_no_row_while_an_ordered_finding_is_under_review_or_none_is_left(self):
        from appwarden.platform.enforcement import sdk_workflow

        order = self.overdue_order()
        notice = workflow.create_notice_batch(user=self.regulator, title="通报")
        first, second = order.findings.order_by("pk")
        services.reopen_finding(first, user=self.regulator, reason="复核")
        with self.assertRaisesMessage(TransitionError, "正在复核"):
            sdk_workflow.escalate(order, user=self.regulator, reason="逾期未整改", notice=notice)
        services.review_finding(first, user=self.reviewer, action="reject", reason="误报")
        services.review_finding(second, user=self.reviewer, action="reject", reason="误报")
        with self.assertRaisesMessage(TransitionError, "不成立"):
            sdk_workflow.escalate(order, user=self.regulator, reason="逾期未整改", notice=notice)
        order.refresh_from_db()
        self.assertEqual(order.state, "issued")

    def test_the_row_is_restated_at_publication_once_a_named_finding_is_rejected(self):
        from appwarden.platform.enforcement import sdk_workflow

        order = self.overdue_order()
        notice = workflow.create_notice_batch(user=self.regulator, title="通报")
        item = sdk_workflow.escalate(order, user=self.regulator, reason="逾期未整改", notice=notice)
        self.assertEqual(item.app_name, "应用x、应用y")
        in_y = order.findings.get(app_version__app__package="com.y.app")
        services.review_finding(in_y, user=self.reviewer, action="reject", reason="误报")
        workflow.publish_notice(notice, user=self.regulator)
        item.refresh_from_db()
        self.assertEqual((item.app_name, item.developer), ("应用x", "x公司"))

    def test_publication_is_refused_while_a_named_finding_is_under_review(self):
        from appwarden.platform.enforcement import sdk_workflow

        order = self.overdue_order()
        notice = workflow.create_notice_batch(user=self.regulator, title="通报")
        sdk_workflow.escalate(order, user=self.regulator, reason="逾期未整改", notice=notice)
        services.reopen_finding(order.findings.order_by("pk").first(), user=self.regulator, reason="复核")
        with self.assertRaisesMessage(TransitionError, "正在复核"):
            workflow.publish_notice(notice, user=self.regulator)
        notice.refresh_from_db()
        self.assertFalse(notice.published)

    def test_a_vendor_answering_in_time_is_not_published_before_the_retest(self):
        from appwarden.platform.enforcement import sdk_workflow
        from appwarden.platform.enforcement.models import SdkOrder, SdkResponse

        order = self.issue()
        sdk_workflow.respond(order, user=self.vendor_user_a, explanation="已修复", new_sdk_version="2.1")
        SdkResponse.objects.filter(order=order).update(at=timezone.now() - dt.timedelta(days=2))
        SdkOrder.objects.filter(pk=order.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
        order.refresh_from_db()
        self.assertNotIn("escalate", sdk_workflow.allowed_transitions(order, self.regulator))
        notice = workflow.create_notice_batch(user=self.regulator, title="通报")
        with self.assertRaisesMessage(TransitionError, "复测前不能通报"):
            sdk_workflow.escalate(order, user=self.regulator, reason="逾期", notice=notice)


class AppIdentityTests(VerdictCase):
    def test_the_package_of_an_app_with_builds_cannot_be_renamed(self):
        """The package name is what the rectified APK is checked against (enforcement.identity): renaming it
        through the API would let an order accept another app's build as the rectified version."""
        from rest_framework.test import APIClient

        from appwarden.platform.core import tokens

        order = self.issue()
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(self.reviewer)}")
        resp = api.patch(f"/api/apps/{self.app.pk}/", {"package": "com.other.app"}, format="json")
        self.assertEqual(resp.status_code, 400, resp.content)
        self.app.refresh_from_db()
        self.assertEqual(self.app.package, order.app.package)
        self.assertNotEqual(self.app.package, "com.other.app")
        # other fields stay editable, and an app without builds may still be corrected
        self.assertEqual(
            api.patch(f"/api/apps/{self.app.pk}/", {"name": "新名称"}, format="json").status_code, 200
        )
        created = api.post("/api/apps/", {"package": "com.typo.app", "name": "x"}, format="json").json()
        resp = api.patch(f"/api/apps/{created['id']}/", {"package": "com.fixed.app"}, format="json")
        self.assertEqual(resp.status_code, 200, resp.content)

    def test_no_order_to_the_company_for_an_unsigned_build(self):
        """An unsigned APK carrying the package name is not provably the company's (anyone can build one; Android
        installs none): ordering the app's company to rectify it would attribute it to them."""
        from appwarden.platform.core.errors import PlatformError

        rep = pf.report(
            self.app.package, "9.9", [pf.finding("pi.pre_consent", ["RD-3.1"], notice_types=["M337-1"])]
        )
        rep["app"]["signers"] = []
        job = pf.scanned_job(self.reviewer, self.engine.add("unsigned", rep))
        self.assertEqual(job.app_version.signer_relation, "unknown")
        for f in job.findings.all():
            services.review_finding(f, user=self.reviewer, action="confirm", reason="确认")
        with self.assertRaisesMessage(PlatformError, "签名"):
            workflow.issue_order(job.app_version, list(job.findings.all()), user=self.reviewer, reason="r")
        self.assertFalse(RectificationOrder.objects.filter(app_version=job.app_version).exists())


from test_attestation import AttestationCase  # noqa: E402


class AttestationScopeTests(AttestationCase):
    """A 认证签名 is the regulator vouching for an APK: never for a build of another signer that merely carries the
    app's package name (a lookalike), nor for an APK whose screening says it is harmful or suspicious."""

    def attest(self, job):
        from rest_framework.test import APIClient

        staff = APIClient()
        staff.force_authenticate(self.reviewer)
        return staff.post(
            "/api/attestations/issue/", {"job": job.pk, "reason": "上架前检测通过"}, format="json"
        )

    def test_no_attestation_for_a_build_of_another_signer(self):
        from test_retest_integrity import stranger_signed

        from appwarden.platform.attestation.models import Attestation

        lookalike = self.register(stranger_signed(pf.fixture_apk("v1_only.apk")), [])
        job = pf.scanned_job(self.reviewer, lookalike)
        self.assertEqual(job.app_version.signer_relation, "foreign")
        resp = self.attest(job)
        self.assertEqual(resp.status_code, 409, resp.content)
        self.assertIn("签名", resp.json()["detail"])
        self.assertFalse(Attestation.objects.exists())

    def test_no_attestation_for_an_apk_screened_harmful(self):
        import hashlib

        from appwarden.platform.attestation.models import Attestation

        self.register(self.v2, [], version_name="1.1")
        self.engine.by_sha[hashlib.sha256(self.v2).hexdigest()]["screening"] = {
            "evaluated": True,
            "verdict": "harmful",
            "categories": ["fraud"],
        }
        job = pf.scanned_job(self.reviewer, self.v2, company=self.company)
        self.assertEqual(job.screening_verdict, "harmful")
        resp = self.attest(job)
        self.assertEqual(resp.status_code, 409, resp.content)
        self.assertIn("筛查", resp.json()["detail"])
        self.assertFalse(Attestation.objects.exists())

    def test_the_platform_signs_no_checkpoint_over_a_rewritten_log(self):
        """A leaf rewritten in the database (outside the append-only models) never gets into a signed checkpoint:
        appends build on the stored tree checked against the last signed root, so the next checkpoint still commits
        to the leaf as signed, and the full check (``verify_attestation_log``) names the rewritten entry; a rewrite
        that also changes the stored leaf hash on the tree's frontier is refused at append, nothing signed."""
        from appwarden.attest import merkle
        from appwarden.platform.attestation import services as attest
        from appwarden.platform.attestation.logcheck import verify_log
        from appwarden.platform.attestation.models import Checkpoint, LogEntry

        self.register(self.v2, [], version_name="1.1")
        job = pf.scanned_job(self.reviewer, self.v2, company=self.company)
        att = attest.issue_for_job(job, user=self.reviewer, reason="上架前检测通过")
        signed = Checkpoint.objects.count()
        body = bytes(LogEntry.objects.get(index=att.log_index).body)
        forged = body.replace(b"PASSED", b"FAILED")
        self.assertNotEqual(forged, body)
        LogEntry.objects.filter(index=att.log_index).update(
            body=forged, leaf_hash=merkle.leaf_hash(forged).hex()
        )
        with self.assertRaisesMessage(Exception, "log"):
            attest.revoke(att, "测试")
        self.assertEqual(Checkpoint.objects.count(), signed)
        att.refresh_from_db()
        self.assertIsNone(att.revoked_at)
        # the body alone rewritten (stored hash kept): the next checkpoint is over the leaf as signed
        LogEntry.objects.filter(index=att.log_index).update(leaf_hash=merkle.leaf_hash(body).hex())
        attest.revoke(att, "测试")
        latest = Checkpoint.objects.order_by("-size").first()
        revocation = bytes(LogEntry.objects.get(index=latest.size - 1).body)
        self.assertEqual(
            latest.root, merkle.root_hash([merkle.leaf_hash(body), merkle.leaf_hash(revocation)]).hex()
        )
        self.assertIn(f"entry {att.log_index}: the leaf body does not hash", verify_log().problem)

    def test_an_anonymous_lookup_does_not_reread_the_log_each_time(self):
        """GET /api/attestations/<sha>/ computes consistency proofs (over every leaf before the stored tree: 0.2 s
        at 20 000 leaves, measured; O(log n) stored nodes now): a record is reused while the log does not grow, and a revocation (which appends) is
        shown at once."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from rest_framework.test import APIClient

        from appwarden.platform.attestation import services as attest

        self.register(self.v2, [], version_name="1.1")
        job = pf.scanned_job(self.reviewer, self.v2, company=self.company)
        att = attest.issue_for_job(job, user=self.reviewer, reason="上架前检测通过")
        public = APIClient()
        first = public.get(f"/api/attestations/{self.v2_sha}/").json()
        with CaptureQueriesContext(connection) as queries:
            again = public.get(f"/api/attestations/{self.v2_sha}/").json()
        self.assertEqual(again, first)
        self.assertFalse([q for q in queries.captured_queries if "logentry" in q["sql"].lower()])
        attest.revoke(att, "测试撤销")
        self.assertEqual(
            public.get(f"/api/attestations/{self.v2_sha}/").json()["attestations"][0]["status"], "revoked"
        )

    def test_anonymous_lookups_are_throttled_per_client(self):
        from unittest import mock

        from rest_framework.test import APIClient

        from appwarden.platform.attestation.api import PublicAttestationThrottle

        public = APIClient()
        with mock.patch.object(PublicAttestationThrottle, "rate", "2/hour"):
            codes = [public.get(f"/api/attestations/{'0' * 64}/").status_code for _ in range(2)]
            codes.append(public.get("/api/attestations/log/").status_code)
        self.assertEqual(codes, [404, 404, 429])

    def test_a_build_judged_another_signers_loses_its_attestation(self):
        from appwarden.platform.attestation import services as attest
        from appwarden.platform.enforcement.identity import mark_signer

        self.register(self.v2, [], version_name="1.1")
        job = pf.scanned_job(self.reviewer, self.v2, company=self.company)
        att = attest.issue_for_job(job, user=self.reviewer, reason="上架前检测通过")
        mark_signer(
            job.app_version, relation="foreign", user=pf.user("regulator"), reason="企业证明该签名非其所有"
        )
        att.refresh_from_db()
        self.assertIsNotNone(att.revoked_at)
        self.assertIn("他人签名", att.revoke_reason)


from django.test import TransactionTestCase  # noqa: E402


class SdkEscalateLockTests(TransactionTestCase):
    """On PostgreSQL, ``sdk_workflow.escalate`` takes the batch row's lock whatever its state: while a publication
    holds it, the escalation waits, and once the batch is published it is refused (it locked nothing before, since
    it filtered on ``published=True``, and could add a row to a batch being published)."""

    setUp = SdkOrderBase.setUp
    issue = SdkOrderBase.issue
    sdk_a_findings = SdkOrderBase.sdk_a_findings

    def test_an_sdk_escalation_waits_for_a_publication_and_is_then_refused(self):
        import threading
        import unittest

        from django.db import connection, connections, transaction

        from appwarden.platform.enforcement import sdk_workflow
        from appwarden.platform.enforcement.models import NoticeBatch, NoticeItem, SdkOrder

        if connection.vendor != "postgresql":
            raise unittest.SkipTest("needs PostgreSQL (runs in the PostgreSQL suite)")
        order = self.issue()
        SdkOrder.objects.filter(pk=order.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
        order.refresh_from_db()
        notice = workflow.create_notice_batch(user=self.regulator, title="通报")
        locked, release, done = threading.Event(), threading.Event(), threading.Event()
        outcome: list[object] = []

        def publisher() -> None:  # holds the batch row as publish_notice does, then marks it published
            try:
                with transaction.atomic():
                    NoticeBatch.objects.select_for_update().get(pk=notice.pk)
                    locked.set()
                    release.wait(30)
                    NoticeBatch.objects.filter(pk=notice.pk).update(published=True)
            finally:
                connections.close_all()

        def escalator() -> None:
            try:
                sdk_workflow.escalate(order, user=self.regulator, reason="逾期未整改", notice=notice)
                outcome.append("escalated")
            except TransitionError as exc:
                outcome.append(str(exc))
            finally:
                done.set()
                connections.close_all()

        pub = threading.Thread(target=publisher)
        pub.start()
        self.assertTrue(locked.wait(30))
        esc = threading.Thread(target=escalator)
        esc.start()
        self.assertFalse(done.wait(1.5), "the escalation did not wait for the batch row's lock")
        release.set()
        pub.join(30)
        esc.join(30)
        self.assertEqual(len(outcome), 1)
        self.assertIn("already published", str(outcome[0]))
        self.assertFalse(NoticeItem.objects.filter(sdk_order_id=order.pk).exists())
        order.refresh_from_db()
        self.assertEqual(order.state, "issued")
