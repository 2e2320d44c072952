"""撤出通报: a regulator takes an order out of a **draft** 通报 batch (docs/platform.md, Workflow).

Before, a batch with one row that could not be published (a named finding reopened for review, or none left
confirmed) could not be published at all until that review finished: the other companies' rows waited. Now the
regulator withdraws that order (web: the batch page's row form or the order page; API ``withdraw_notice``), the
order goes back to the state it was escalated from, with its history, and the rest is published. A published
batch is never changed (409). Two companies (x, y) each with an app order, and vendor A's SDK order, as in
``test_sdk_orders.SdkOrderBase``; the re-tested case uses ``test_verdict_audit.VerdictCase`` (real fixture APKs).
Also run on PostgreSQL by ``test_services.py``.
"""

from __future__ import annotations

import datetime as dt

import platform_factories as pf
from django.test import Client
from django.utils import timezone
from test_sdk_orders import SdkOrderBase
from test_verdict_audit import VerdictCase

from appwarden.platform.core.errors import PlatformError, RoleError, TransitionError
from appwarden.platform.core.models import AuditLog
from appwarden.platform.enforcement import sdk_workflow, workflow
from appwarden.platform.enforcement.models import (
    NoticeItem,
    OrderTransition,
    RectificationOrder,
    SdkOrder,
    SdkOrderTransition,
)
from appwarden.platform.testing import services
from appwarden.platform.testing.models import Finding


def _web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class WithdrawBase(SdkOrderBase):
    def setUp(self):
        super().setUp()
        self.notice = workflow.create_notice_batch(user=self.regulator, title="通报（第1批）")
        self.store = pf.store("甲应用市场")
        self.store_user = pf.user("store", store=self.store)
        self.x_user = pf.user("company", company=self.companies["x"])
        self.y_user = pf.user("company", company=self.companies["y"])

    def app_order(self, key: str) -> RectificationOrder:
        """An overdue app order of company ``key`` for its host finding."""
        job = self.jobs[key]
        order = workflow.issue_order(
            job.app_version,
            list(job.findings.filter(rule_id="r.host")),
            user=self.reviewer,
            reason="检测发现问题",
        )
        RectificationOrder.objects.filter(pk=order.pk).update(
            deadline=timezone.localdate() - dt.timedelta(days=1)
        )
        order.refresh_from_db()
        return order

    def sdk_order(self) -> SdkOrder:
        order = self.issue()
        SdkOrder.objects.filter(pk=order.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
        order.refresh_from_db()
        return order

    def drafted(self) -> tuple[RectificationOrder, RectificationOrder]:
        """x's and y's orders in the draft batch."""
        x, y = self.app_order("x"), self.app_order("y")
        for order in (x, y):
            workflow.escalate(order, user=self.regulator, reason="逾期未整改", notice=self.notice)
            order.refresh_from_db()
        return x, y


class WithdrawAppOrderTests(WithdrawBase):
    def test_a_blocked_row_is_withdrawn_and_the_other_companies_are_published(self):
        x, y = self.drafted()
        services.reopen_finding(x.findings.get(), user=self.regulator, reason="企业申辩，重新复核")
        with self.assertRaises(TransitionError) as refused:
            workflow.publish_notice(self.notice, user=self.regulator)
        # the refusal names the order that blocks the batch and the way out
        self.assertIn(x.number, str(refused.exception))
        self.assertIn("撤出本批次", str(refused.exception))
        self.assertIn(f"/api/orders/{x.pk}/withdraw_notice/", str(refused.exception))
        self.assertNotIn(y.number, str(refused.exception))

        back = workflow.withdraw_notice(x, user=self.regulator, reason="该行问题正在复核，先发布其余各行")
        self.assertEqual(back, "issued")
        x.refresh_from_db()
        self.assertEqual(x.state, "issued")
        self.assertFalse(NoticeItem.objects.filter(order=x).exists())
        self.assertEqual(list(self.notice.items.values_list("order", flat=True)), [y.pk])
        t = OrderTransition.objects.filter(order=x).last()
        self.assertEqual(
            (t.name, t.from_state, t.to_state, t.actor, t.reason),
            ("withdraw_notice", "notice_draft", "issued", self.regulator, "该行问题正在复核，先发布其余各行"),
        )
        self.assertEqual(t.label, "撤出通报 withdraw_notice")
        self.assertEqual(t.states_zh, "拟通报(通报未发布) → 已下发整改")
        # the history is kept: issue, escalate, withdraw
        self.assertEqual(
            list(x.transitions.values_list("name", flat=True)), ["issue", "escalate", "withdraw_notice"]
        )
        row = AuditLog.objects.get(action="notice_withdrawn", object_id=str(x.pk))
        self.assertEqual((row.actor, row.reason), (self.regulator, "该行问题正在复核，先发布其余各行"))
        self.assertEqual(row.model, "enforcement.rectificationorder")
        self.assertEqual(row.data["back_to"], "issued")
        self.assertEqual(row.data["batch"], self.notice.pk)
        self.assertEqual(row.data["row"]["developer"], "x公司")
        self.assertTrue(AuditLog.objects.filter(action="delete", model="enforcement.noticeitem").exists())

        workflow.publish_notice(self.notice, user=self.regulator)
        y.refresh_from_db()
        x.refresh_from_db()
        self.assertEqual((y.state, x.state), ("noticed", "issued"))

        # once the review is done the order can be escalated again, into another batch
        services.review_finding(x.findings.get(), user=self.reviewer, action="confirm", reason="复核成立")
        later = workflow.create_notice_batch(user=self.regulator, title="通报（第2批）")
        self.assertIn("escalate", workflow.allowed_transitions(x, self.regulator))
        workflow.escalate(x, user=self.regulator, reason="复核成立，列入下一批", notice=later)
        x.refresh_from_db()
        self.assertEqual(x.state, "notice_draft")

    def test_an_order_escalated_from_responded_goes_back_to_responded(self):
        x = self.app_order("x")
        workflow.respond(x, user=self.x_user, explanation="逾期答复，未附整改版本")
        workflow.escalate(x, user=self.regulator, reason="逾期未整改", notice=self.notice)
        self.assertEqual(workflow.withdraw_notice(x, user=self.regulator, reason="撤出"), "responded")
        x.refresh_from_db()
        self.assertEqual(x.state, "responded")
        self.assertEqual(x.responses.count(), 1)
        self.assertIsNotNone(x.overdue_since)  # the late answer stays late

    def test_without_an_escalate_row_the_history_decides(self):
        x = self.app_order("x")
        workflow.escalate(x, user=self.regulator, reason="逾期未整改", notice=self.notice)
        OrderTransition.objects.filter(order=x, name="escalate").delete()  # data from before transitions
        self.assertEqual(workflow.state_before_escalation(x), "issued")
        self.assertEqual(workflow.withdraw_notice(x, user=self.regulator, reason="撤出"), "issued")

    def test_a_published_batch_is_never_changed(self):
        x, _ = self.drafted()
        workflow.publish_notice(self.notice, user=self.regulator)
        enforcement_rows = AuditLog.objects.filter(model__startswith="enforcement.")  # not tokens or logins
        before = OrderTransition.objects.count(), enforcement_rows.count()
        with self.assertRaisesMessage(TransitionError, "已发布"):
            workflow.withdraw_notice(x, user=self.regulator, reason="想撤回")
        resp = self.api_for(self.regulator).post(
            f"/api/orders/{x.pk}/withdraw_notice/", {"reason": "想撤回"}, format="json"
        )
        self.assertEqual(resp.status_code, 409, resp.content)
        self.assertIn("已发布", resp.json()["detail"])
        item = NoticeItem.objects.get(order=x)
        resp = self.api_for(self.regulator).post(
            f"/api/notices/{self.notice.pk}/withdraw/", {"item": item.pk, "reason": "想撤回"}, format="json"
        )
        self.assertEqual(resp.status_code, 409, resp.content)
        web = _web(self.regulator)
        page = web.post(
            f"/enforcement/notices/{self.notice.pk}/items/{item.pk}/withdraw/",
            {"reason": "想撤回"},
            follow=True,
        )
        self.assertContains(page, "已发布，不能撤出或修改")
        self.assertNotContains(page, 'id="notice-withdraw"')  # no withdraw form on a published batch
        x.refresh_from_db()
        self.assertEqual(x.state, "noticed")
        self.assertEqual(self.notice.items.count(), 2)
        self.assertEqual((OrderTransition.objects.count(), enforcement_rows.count()), before)

    def test_refusals_change_nothing(self):
        x, _ = self.drafted()
        with self.assertRaises(PlatformError):
            workflow.withdraw_notice(x, user=self.regulator, reason="  ")
        with self.assertRaises(RoleError):
            workflow.withdraw_notice(x, user=self.reviewer, reason="撤出")
        with self.assertRaises(RoleError):
            workflow.withdraw_notice(x, user=self.x_user, reason="撤出")
        issued = self.app_order("y")
        with self.assertRaisesMessage(TransitionError, "不在任何通报批次中"):
            workflow.withdraw_notice(issued, user=self.regulator, reason="撤出")
        x.refresh_from_db()
        self.assertEqual(x.state, "notice_draft")
        self.assertTrue(NoticeItem.objects.filter(order=x).exists())
        self.assertFalse(AuditLog.objects.filter(action="notice_withdrawn").exists())

    def test_roles_on_the_api(self):
        x, _ = self.drafted()
        url = f"/api/orders/{x.pk}/withdraw_notice/"
        body = {"reason": "撤出"}
        # the company sees its own order but may not withdraw it; another company, a store and an SDK vendor
        # do not see it at all (404, as a missing id)
        for user, code in (
            (self.reviewer, 403),
            (self.x_user, 403),
            (self.y_user, 404),
            (self.store_user, 404),
            (self.vendor_user_a, 404),
        ):
            self.assertEqual(self.api_for(user).post(url, body, format="json").status_code, code, user)
        item = NoticeItem.objects.get(order=x)
        notice_url = f"/api/notices/{self.notice.pk}/withdraw/"
        for user, code in ((self.reviewer, 403), (self.x_user, 404), (self.store_user, 404)):
            resp = self.api_for(user).post(notice_url, {"item": item.pk, "reason": "撤出"}, format="json")
            self.assertEqual(resp.status_code, code, user)
        self.assertEqual(
            self.api_for(self.regulator).post(url, {"reason": ""}, format="json").status_code, 400
        )
        x.refresh_from_db()
        self.assertEqual(x.state, "notice_draft")
        resp = self.api_for(self.regulator).post(url, body, format="json")
        self.assertEqual(resp.status_code, 200, resp.content)
        self.assertEqual(resp.json()["state"], "issued")
        self.assertEqual(resp.json()["transitions"][-1]["name"], "withdraw_notice")

    def test_the_notice_api_withdraws_a_row_of_that_batch_only(self):
        x, y = self.drafted()
        other = workflow.create_notice_batch(user=self.regulator, title="另一批")
        item = NoticeItem.objects.get(order=x)
        api = self.api_for(self.regulator)
        resp = api.post(
            f"/api/notices/{other.pk}/withdraw/", {"item": item.pk, "reason": "撤出"}, format="json"
        )
        self.assertEqual(resp.status_code, 400, resp.content)
        resp = api.post(
            f"/api/notices/{self.notice.pk}/withdraw/", {"item": item.pk, "reason": "撤出"}, format="json"
        )
        self.assertEqual(resp.status_code, 200, resp.content)
        self.assertEqual([r["order"] for r in resp.json()["items"]], [y.pk])

    def test_roles_on_the_web(self):
        x, _ = self.drafted()
        item = NoticeItem.objects.get(order=x)
        for user in (self.reviewer, self.x_user, self.store_user, self.vendor_user_a):
            resp = _web(user).post(
                f"/enforcement/notices/{self.notice.pk}/items/{item.pk}/withdraw/", {"reason": "撤出"}
            )
            self.assertEqual(resp.status_code, 403, user)
        resp = _web(self.x_user).post(f"/enforcement/orders/{x.pk}/withdraw_notice/", {"reason": "撤出"})
        self.assertEqual(resp.status_code, 302)  # back to the order page with the refusal
        resp = _web(self.y_user).post(f"/enforcement/orders/{x.pk}/withdraw_notice/", {"reason": "撤出"})
        self.assertEqual(resp.status_code, 404)
        # the reviewer sees the batch but no withdraw form; the company's order page offers no button
        self.assertNotContains(
            _web(self.reviewer).get(f"/enforcement/notices/{self.notice.pk}/"), "撤出本批次"
        )
        self.assertNotContains(_web(self.x_user).get(f"/enforcement/orders/{x.pk}/"), 'id="withdraw-form"')
        x.refresh_from_db()
        self.assertEqual(x.state, "notice_draft")
        self.assertTrue(NoticeItem.objects.filter(order=x).exists())

    def test_the_regulator_withdraws_a_row_on_the_batch_page(self):
        x, y = self.drafted()
        services.reopen_finding(x.findings.get(), user=self.regulator, reason="复核")
        web = _web(self.regulator)
        page = web.post(f"/enforcement/notices/{self.notice.pk}/publish/", follow=True)
        self.assertContains(page, x.number)
        self.assertContains(page, "撤出本批次")
        item = NoticeItem.objects.get(order=x)
        page = web.get(f"/enforcement/notices/{self.notice.pk}/")
        self.assertContains(page, f'id="withdraw-item-{item.pk}"')
        self.assertContains(page, x.number)
        # the blocking row is marked before anyone presses 发布; the other is ready
        self.assertContains(page, f'id="row-blocked-{item.pk}"')
        self.assertContains(page, "正在复核", count=1)
        y_item = NoticeItem.objects.get(order=y)
        self.assertNotContains(page, f'id="row-blocked-{y_item.pk}"')
        self.assertContains(page, "可以发布 ready", count=1)
        url = f"/enforcement/notices/{self.notice.pk}/items/{item.pk}/withdraw/"
        page = web.post(url, {"reason": ""}, follow=True)
        self.assertContains(page, "请填写撤出理由")
        self.assertTrue(NoticeItem.objects.filter(order=x).exists())
        page = web.post(url, {"reason": "问题复核中，先发布其余企业"}, follow=True)
        self.assertContains(page, f"已将 {x.number} 撤出本批次")
        self.assertNotContains(page, f'id="withdraw-item-{item.pk}"')
        page = web.post(f"/enforcement/notices/{self.notice.pk}/publish/", follow=True)
        self.assertContains(page, "已发布 published")
        y.refresh_from_db()
        self.assertEqual(y.state, "noticed")
        order_page = web.get(f"/enforcement/orders/{x.pk}/")
        self.assertContains(order_page, "撤出通报 withdraw_notice")
        self.assertContains(order_page, "拟通报(通报未发布) → 已下发整改")
        self.assertContains(order_page, "问题复核中，先发布其余企业")
        # the company sees the withdrawal in its order's history too (as it saw the escalation)
        self.assertContains(_web(self.x_user).get(f"/enforcement/orders/{x.pk}/"), "撤出通报 withdraw_notice")

    def test_the_order_page_button(self):
        x, _ = self.drafted()
        web = _web(self.regulator)
        page = web.get(f"/enforcement/orders/{x.pk}/")
        self.assertContains(page, 'id="withdraw-form"')
        self.assertContains(page, "通报（第1批）")
        page = web.post(f"/enforcement/orders/{x.pk}/withdraw_notice/", {"reason": "撤出本案"}, follow=True)
        self.assertContains(page, "已撤出通报批次")
        x.refresh_from_db()
        self.assertEqual(x.state, "issued")
        self.assertNotContains(page, 'id="withdraw-form"')


class WithdrawSdkOrderTests(WithdrawBase):
    def test_an_app_sdk_row_is_withdrawn_and_the_rest_published(self):
        x = self.app_order("x")
        workflow.escalate(x, user=self.regulator, reason="逾期未整改", notice=self.notice)
        order = self.sdk_order()
        sdk_workflow.escalate(order, user=self.regulator, reason="逾期未整改", notice=self.notice)
        services.reopen_finding(order.findings.order_by("pk").first(), user=self.regulator, reason="复核")
        with self.assertRaises(TransitionError) as refused:
            workflow.publish_notice(self.notice, user=self.regulator)
        self.assertIn(order.number, str(refused.exception))
        self.assertIn(f"/api/sdk-orders/{order.pk}/withdraw_notice/", str(refused.exception))
        url = f"/api/sdk-orders/{order.pk}/withdraw_notice/"
        for user, code in (
            (self.reviewer, 403),
            (self.vendor_user_a, 403),  # its own order: it sees it, may not withdraw it
            (self.vendor_user_b, 404),
            (self.x_user, 404),
            (self.store_user, 404),
        ):
            self.assertEqual(
                self.api_for(user).post(url, {"reason": "撤出"}, format="json").status_code, code
            )
        resp = self.api_for(self.regulator).post(url, {"reason": "SDK问题复核中"}, format="json")
        self.assertEqual(resp.status_code, 200, resp.content)
        self.assertEqual(resp.json()["state"], "issued")
        order.refresh_from_db()
        self.assertFalse(NoticeItem.objects.filter(sdk_order=order).exists())
        t = SdkOrderTransition.objects.filter(order=order).last()
        self.assertEqual(
            (t.name, t.from_state, t.to_state, t.actor),
            ("withdraw_notice", "notice_draft", "issued", self.regulator),
        )
        self.assertEqual(t.label, "撤出通报 withdraw_notice")
        row = AuditLog.objects.get(action="notice_withdrawn", model="enforcement.sdkorder")
        self.assertEqual(
            (row.actor, row.reason, row.data["back_to"]), (self.regulator, "SDK问题复核中", "issued")
        )
        workflow.publish_notice(self.notice, user=self.regulator)
        x.refresh_from_db()
        self.assertEqual(x.state, "noticed")
        # the vendor's own page shows the withdrawal in Chinese
        page = _web(self.vendor_user_a).get(f"/my-sdk/orders/{order.pk}/")
        self.assertContains(page, "撤出通报 withdraw_notice")

    def test_the_sdk_order_page_button_and_a_published_batch(self):
        order = self.sdk_order()
        sdk_workflow.escalate(order, user=self.regulator, reason="逾期未整改", notice=self.notice)
        web = _web(self.regulator)
        self.assertContains(web.get(f"/enforcement/sdk-orders/{order.pk}/"), 'id="withdraw-form"')
        self.assertNotContains(
            _web(self.vendor_user_a).get(f"/my-sdk/orders/{order.pk}/"), 'id="withdraw-form"'
        )
        page = web.post(
            f"/enforcement/sdk-orders/{order.pk}/withdraw_notice/", {"reason": "撤出"}, follow=True
        )
        self.assertContains(page, "已撤出通报批次")
        order.refresh_from_db()
        self.assertEqual(order.state, "issued")
        self.assertContains(page, "拟通报(通报未发布) → 已下发整改")
        sdk_workflow.escalate(order, user=self.regulator, reason="再次列入", notice=self.notice)
        workflow.publish_notice(self.notice, user=self.regulator)
        with self.assertRaisesMessage(TransitionError, "已发布"):
            sdk_workflow.withdraw_notice(order, user=self.regulator, reason="撤出")
        order.refresh_from_db()
        self.assertEqual(order.state, "noticed")


class WithdrawRetestedTests(VerdictCase):
    def test_a_retested_order_goes_back_to_retested_with_the_reviews_as_they_stand(self):
        """Drafted after a re-test that failed on one finding; that finding is then judged false: the order goes
        back to ``retested`` with its re-test result recomputed (now passed), so the officer can close it."""
        order = self.issue()
        kept = [pf.finding("perm.over", ["M164-2.1", "M337-7"], notice_types=["M337-7"])]
        self.respond_and_retest(order, kept, "1.1")
        self.assertEqual(order.state, "retested")
        workflow.escalate(order, user=self.regulator, reason="复测未通过", notice=self.notice)
        services.review_finding(
            Finding.objects.get(job=self.job, rule_id="perm.over"),
            user=self.reviewer,
            action="reject",
            reason="误报",
        )
        self.assertEqual(
            workflow.withdraw_notice(order, user=self.regulator, reason="问题已复核为误报"), "retested"
        )
        order.refresh_from_db()
        self.assertEqual(order.state, "retested")
        self.assertEqual(order.retests.count(), 1)
        self.assertTrue(order.retests.get().diff["passed"])
        self.assertIn("close", workflow.allowed_transitions(order, self.reviewer))
        workflow.close(order, user=self.reviewer, reason="复测通过")
        order.refresh_from_db()
        self.assertEqual(order.state, "closed")
