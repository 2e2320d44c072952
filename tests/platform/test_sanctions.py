"""Sanctions and credit (issue #21.6): 停止接入 / 行政处罚 / 信用管理 measures per company with an append-only history,
through the API (``/api/sanctions/``) and the pages (``/sanctions/``, the company page, repeat offenders).

Scoping: regulators write, reviewers read, a company sees only its own measures (another company's id is 404 like a
missing one), a store sees only the 停止接入 measures that name its store or no store, an SDK vendor nothing.
Runs on PostgreSQL too (``test_services.py``)."""

from __future__ import annotations

import datetime as dt

import platform_factories as pf
from django.test import Client, TestCase
from rest_framework.test import APIClient

from appwarden.platform.core import tokens
from appwarden.platform.core.models import AuditLog
from appwarden.platform.registry.models import SdkVendor
from appwarden.platform.sanctions import services
from appwarden.platform.sanctions.models import SanctionEvent, SanctionMeasure

PENALTY = {
    "kind": "penalty",
    "start_date": "2026-03-01",
    "reason": "多次整改不到位，违规收集个人信息",
    "decision_number": "工信罚〔2026〕1号",
    "amount": "500000",
    "legal_basis": "《中华人民共和国个人信息保护法》第六十六条",
    "authority": "工业和信息化部",
}


class SanctionCase(TestCase):
    def setUp(self):
        self.regulator = pf.user("regulator")
        self.reviewer = pf.user("reviewer")
        self.company_a, self.company_b = pf.company("甲科技有限公司"), pf.company("乙网络有限公司")
        self.user_a = pf.user("company", company=self.company_a)
        self.user_b = pf.user("company", company=self.company_b)
        self.store_x, self.store_y = pf.store("X应用市场"), pf.store("Y应用商店")
        self.store_user_x = pf.user("store", store=self.store_x)
        self.store_user_y = pf.user("store", store=self.store_y)
        vendor = SdkVendor.objects.create(name="某SDK厂商", sdk_ids=["some.sdk"])
        self.vendor_user = pf.user("sdk_vendor", sdk_vendor=vendor)

    def api(self, user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(user)}")
        return client

    def create(self, company, user=None, **data):
        body = {"company": company.pk, **data}
        return self.api(user or self.regulator).post("/api/sanctions/", body, format="json")

    def measure(self, company, **data) -> SanctionMeasure:
        resp = self.create(company, **data)
        self.assertEqual(resp.status_code, 201, resp.content)
        return SanctionMeasure.objects.get(pk=resp.json()["id"])


class IssueTests(SanctionCase):
    def test_penalty_is_recorded_with_history_and_audit(self):
        resp = self.create(self.company_a, **PENALTY)
        self.assertEqual(resp.status_code, 201, resp.content)
        body = resp.json()
        self.assertEqual(
            (body["kind"], body["status"], body["amount"], body["decision_number"]),
            ("penalty", "active", "500000.00", "工信罚〔2026〕1号"),
        )
        self.assertEqual(body["company_name"], "甲科技有限公司")
        self.assertEqual(body["decided_by"], self.regulator.username)
        self.assertEqual(len(body["events"]), 1)
        event = body["events"][0]
        self.assertEqual((event["action"], event["from_status"], event["to_status"]), ("issue", "", "active"))
        self.assertEqual(event["reason"], PENALTY["reason"])
        self.assertEqual(event["changes"]["amount"], [None, "500000.00"])
        rows = AuditLog.objects.filter(model="sanctions.sanctionmeasure", object_id=str(body["id"]))
        self.assertEqual(sorted(rows.values_list("action", flat=True)), ["create", "sanction_issue"])
        self.assertTrue(all(r.actor_id == self.regulator.pk for r in rows))
        self.assertTrue(AuditLog.objects.filter(model="sanctions.sanctionevent", action="create").exists())

    def test_stop_access_scoped_to_stores_and_credit_listing(self):
        stop = self.measure(
            self.company_a,
            kind="stop_access",
            start_date="2026-04-01",
            end_date="2026-06-30",
            reason="拒不整改",
            stores=[self.store_x.pk],
        )
        self.assertEqual([s.pk for s in stop.stores.all()], [self.store_x.pk])
        self.assertEqual(stop.end_date, dt.date(2026, 6, 30))
        credit = self.measure(
            self.company_a,
            kind="credit",
            credit_list="dishonest",
            start_date="2026-05-01",
            reason="列入失信名单",
        )
        self.assertEqual((credit.credit_list, credit.end_date), ("dishonest", None))

    def assert_refused(self, message: str, company=None, **data):
        before = (SanctionMeasure.objects.count(), SanctionEvent.objects.count())
        resp = self.create(company or self.company_a, **data)
        self.assertEqual(resp.status_code, 400, resp.content)
        detail = resp.json()["detail"]
        self.assertIn(message, detail)
        self.assertNotIn("\n", detail)
        self.assertRegex(detail, r"^[\u4e00-\u9fff]")  # Chinese first
        self.assertEqual((SanctionMeasure.objects.count(), SanctionEvent.objects.count()), before)

    def test_validation_errors_are_one_chinese_line_and_change_nothing(self):
        self.assert_refused("未知的措施类型", **{**PENALTY, "kind": "fine"})
        self.assert_refused("请填写决定理由", **{**PENALTY, "reason": "  "})
        self.assert_refused("请填写开始日期", **{**PENALTY, "start_date": ""})
        self.assert_refused("开始日期格式不正确", **{**PENALTY, "start_date": "2026/03/01"})
        self.assert_refused("结束日期不得早于开始日期", **{**PENALTY, "end_date": "2026-02-01"})
        self.assert_refused("行政处罚须填写处罚决定书文号", **{**PENALTY, "decision_number": ""})
        self.assert_refused("行政处罚须填写法律依据", **{**PENALTY, "legal_basis": ""})
        self.assert_refused("罚款金额须为数字", **{**PENALTY, "amount": "五十万"})
        self.assert_refused("罚款金额须不小于0", **{**PENALTY, "amount": "-1"})
        self.assert_refused("罚款金额最多两位小数", **{**PENALTY, "amount": "1.005"})
        self.assert_refused("只有停止接入措施可以限定应用商店", **{**PENALTY, "stores": [self.store_x.pk]})
        self.assert_refused(
            "仅适用于行政处罚",
            kind="credit",
            credit_list="dishonest",
            start_date="2026-01-01",
            reason="x",
            amount="1",
        )
        self.assert_refused("信用管理须选择名单", kind="credit", start_date="2026-01-01", reason="x")
        self.assert_refused(
            "信用名单仅适用于信用管理措施",
            kind="stop_access",
            credit_list="dishonest",
            start_date="2026-01-01",
            reason="x",
        )
        self.assert_refused(
            "应用商店 #999999 不存在",
            kind="stop_access",
            start_date="2026-01-01",
            reason="x",
            stores=[999999],
        )
        self.assert_refused(
            "应用商店须为编号列表", kind="stop_access", start_date="2026-01-01", reason="x", stores=5
        )
        self.assert_refused("罚款金额须为数字", **{**PENALTY, "amount": [1]})
        self.assert_refused("开始日期格式不正确", **{**PENALTY, "start_date": {"y": 2026}})
        for body in ([1, 2], {"company": {"id": 1}}, {"company": None}):
            resp = self.api(self.regulator).post("/api/sanctions/", body, format="json")
            self.assertEqual(resp.status_code, 400, (body, resp.content))
            self.assertIn("请选择企业", resp.json()["detail"])
        resp = self.api(self.regulator).post("/api/sanctions/", {**PENALTY, "company": 999999}, format="json")
        self.assertEqual(resp.status_code, 400)
        self.assertIn("企业 #999999 不存在", resp.json()["detail"])

    def test_duplicate_decision_number_and_overlapping_listing_are_refused(self):
        self.measure(self.company_a, **PENALTY)
        self.assert_refused("已存在", company=self.company_b, **PENALTY)
        self.measure(
            self.company_a,
            kind="credit",
            credit_list="key_attention",
            start_date="2026-01-01",
            end_date="2026-06-30",
            reason="重点关注",
        )
        self.assert_refused(
            "已列入该名单",
            kind="credit",
            credit_list="key_attention",
            start_date="2026-06-01",
            reason="再次列入",
        )
        # the other list, or the same list after the first period, is fine
        self.measure(
            self.company_a, kind="credit", credit_list="dishonest", start_date="2026-06-01", reason="失信"
        )
        self.measure(
            self.company_a,
            kind="credit",
            credit_list="key_attention",
            start_date="2026-07-01",
            reason="再次重点关注",
        )

    def test_order_must_belong_to_the_company(self):
        from appwarden.platform.enforcement.models import RectificationOrder
        from appwarden.platform.registry.models import App, AppVersion

        app = App.objects.create(package="com.b.app", company=self.company_b)
        version = AppVersion.objects.create(app=app, sha256="b" * 64)
        order = RectificationOrder.objects.create(
            number="ZG-2026-09999",
            app=app,
            app_version=version,
            company=self.company_b,
            deadline=dt.date(2026, 1, 10),
        )
        self.assert_refused("不属于该企业", **{**PENALTY, "order": order.pk})
        measure = self.measure(self.company_b, **{**PENALTY, "order": order.pk})
        self.assertEqual(measure.order, order)

    def test_only_regulators_decide(self):
        for user in (self.reviewer, self.user_a, self.store_user_x, self.vendor_user):
            resp = self.create(self.company_a, user=user, **PENALTY)
            self.assertEqual(resp.status_code, 403, (user, resp.content))
        self.assertEqual(SanctionMeasure.objects.count(), 0)
        self.assertEqual(APIClient().get("/api/sanctions/").status_code, 401)

    def test_a_company_with_measures_cannot_be_deleted(self):
        self.measure(self.company_a, **PENALTY)
        resp = self.api(self.regulator).delete(f"/api/companies/{self.company_a.pk}/")
        self.assertEqual(resp.status_code, 409, resp.content)
        self.assertIn("不能删除", resp.json()["detail"])
        self.assertTrue(type(self.company_a).objects.filter(pk=self.company_a.pk).exists())

    def test_no_edit_in_place(self):
        m = self.measure(self.company_a, **PENALTY)
        client = self.api(self.regulator)
        for method in ("put", "patch", "delete"):
            resp = getattr(client, method)(f"/api/sanctions/{m.pk}/", {"amount": "1"}, format="json")
            self.assertEqual(resp.status_code, 405, method)
        m.refresh_from_db()
        self.assertEqual(str(m.amount), "500000.00")


class HistoryTests(SanctionCase):
    def test_amend_end_and_revoke_append_history(self):
        m = self.measure(
            self.company_a,
            kind="stop_access",
            start_date="2026-01-05",
            reason="停止接入",
            stores=[self.store_x.pk],
        )
        client = self.api(self.regulator)
        resp = client.post(
            f"/api/sanctions/{m.pk}/amend/",
            {"reason": "扩大到全部商店并定期", "stores": [], "end_date": "2026-12-31"},
            format="json",
        )
        self.assertEqual(resp.status_code, 200, resp.content)
        self.assertEqual(resp.json()["stores"], [])
        amend = resp.json()["events"][-1]
        self.assertEqual(amend["action"], "amend")
        self.assertEqual(
            amend["changes"], {"end_date": [None, "2026-12-31"], "stores": [[self.store_x.pk], []]}
        )
        nothing = client.post(
            f"/api/sanctions/{m.pk}/amend/", {"reason": "再次", "end_date": "2026-12-31"}, format="json"
        )
        self.assertEqual(nothing.status_code, 400)
        self.assertIn("没有需要变更的内容", nothing.json()["detail"])
        self.assertEqual(
            client.post(f"/api/sanctions/{m.pk}/end/", {"reason": ""}, format="json").status_code, 400
        )
        nul = client.post(f"/api/sanctions/{m.pk}/end/", {"reason": "a\x00b"}, format="json")
        self.assertEqual(nul.status_code, 400)
        self.assertIn("非法字符", nul.json()["detail"])
        nul = client.post(
            "/api/sanctions/", {**PENALTY, "company": m.company_id, "reason": "x\x00"}, format="json"
        )
        self.assertIn("非法字符", nul.json()["detail"])
        early = client.post(
            f"/api/sanctions/{m.pk}/end/", {"reason": "整改到位", "end_date": "2026-01-01"}, format="json"
        )
        self.assertIn("解除日期不得早于开始日期", early.json()["detail"])
        resp = client.post(
            f"/api/sanctions/{m.pk}/end/", {"reason": "整改到位", "end_date": "2026-08-01"}, format="json"
        )
        self.assertEqual(resp.status_code, 200, resp.content)
        self.assertEqual((resp.json()["status"], resp.json()["end_date"]), ("ended", "2026-08-01"))
        again = client.post(f"/api/sanctions/{m.pk}/revoke/", {"reason": "撤销"}, format="json")
        self.assertEqual(again.status_code, 400)
        self.assertIn("已解除，不能撤销", again.json()["detail"])
        actions = list(m.events.values_list("action", "from_status", "to_status"))
        self.assertEqual(
            actions, [("issue", "", "active"), ("amend", "active", "active"), ("end", "active", "ended")]
        )
        self.assertEqual(
            list(
                AuditLog.objects.filter(model="sanctions.sanctionmeasure", action__startswith="sanction_")
                .order_by("id")
                .values_list("action", flat=True)
            ),
            ["sanction_issue", "sanction_amend", "sanction_end"],
        )

    def test_revoke_and_roles_on_actions(self):
        m = self.measure(self.company_a, **PENALTY)
        self.assertEqual(
            self.api(self.user_a)
            .post(f"/api/sanctions/{m.pk}/revoke/", {"reason": "x"}, format="json")
            .status_code,
            403,  # visible to its company, not changeable by it
        )
        self.assertEqual(
            self.api(self.user_b)
            .post(f"/api/sanctions/{m.pk}/revoke/", {"reason": "x"}, format="json")
            .status_code,
            404,
        )
        self.assertEqual(
            self.api(self.reviewer)
            .post(f"/api/sanctions/{m.pk}/revoke/", {"reason": "x"}, format="json")
            .status_code,
            403,
        )
        resp = self.api(self.regulator).post(
            f"/api/sanctions/{m.pk}/revoke/", {"reason": "复议撤销"}, format="json"
        )
        self.assertEqual(resp.json()["status"], "revoked")
        self.assertEqual(resp.json()["state_label"], "已撤销 Revoked")
        self.assertFalse(resp.json()["in_force"])

    def test_history_is_append_only(self):
        m = self.measure(self.company_a, **PENALTY)
        event = m.events.get()
        event.reason = "改写"
        with self.assertRaises(PermissionError):
            event.save()
        with self.assertRaises(PermissionError):
            event.delete()
        with self.assertRaises(PermissionError):
            SanctionEvent.objects.filter(measure=m).update(reason="x")
        with self.assertRaises(PermissionError):
            SanctionEvent.objects.filter(measure=m).delete()
        self.assertEqual(m.events.get().reason, PENALTY["reason"])

    def test_in_force_by_dates(self):
        m = SanctionMeasure(status="active", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 1, 31))
        self.assertTrue(m.in_force(dt.date(2026, 1, 31)))
        self.assertFalse(m.in_force(dt.date(2026, 2, 1)))
        self.assertFalse(m.in_force(dt.date(2025, 12, 31)))


class ScopingTests(SanctionCase):
    def setUp(self):
        super().setUp()
        self.a_penalty = self.measure(self.company_a, **PENALTY)
        self.a_stop_x = self.measure(
            self.company_a,
            kind="stop_access",
            start_date="2026-01-01",
            reason="仅X",
            stores=[self.store_x.pk],
        )
        self.b_stop_all = self.measure(
            self.company_b, kind="stop_access", start_date="2026-01-01", reason="全部商店"
        )
        self.b_credit = self.measure(
            self.company_b, kind="credit", credit_list="dishonest", start_date="2026-01-01", reason="失信"
        )

    def ids(self, user) -> set[int]:
        resp = self.api(user).get("/api/sanctions/?limit=500")
        self.assertEqual(resp.status_code, 200)
        return {r["id"] for r in resp.json()["results"]}

    def test_each_role_sees_its_measures_only(self):
        everything = {self.a_penalty.pk, self.a_stop_x.pk, self.b_stop_all.pk, self.b_credit.pk}
        self.assertEqual(self.ids(self.regulator), everything)
        self.assertEqual(self.ids(self.reviewer), everything)
        self.assertEqual(self.ids(self.user_a), {self.a_penalty.pk, self.a_stop_x.pk})
        self.assertEqual(self.ids(self.user_b), {self.b_stop_all.pk, self.b_credit.pk})
        self.assertEqual(self.ids(self.store_user_x), {self.a_stop_x.pk, self.b_stop_all.pk})
        self.assertEqual(self.ids(self.store_user_y), {self.b_stop_all.pk})
        self.assertEqual(self.ids(self.vendor_user), set())

    def test_foreign_ids_answer_404_like_missing_ones(self):
        cases = [
            (self.user_a, self.b_credit.pk),
            (self.user_b, self.a_penalty.pk),
            (self.store_user_y, self.a_stop_x.pk),
            (self.store_user_x, self.a_penalty.pk),  # a penalty never concerns a store
            (self.vendor_user, self.a_penalty.pk),
        ]
        for user, pk in cases:
            for path in (f"/api/sanctions/{pk}/", "/api/sanctions/999999/"):
                self.assertEqual(self.api(user).get(path).status_code, 404, (user, path))
            self.assertEqual(Client().get(f"/sanctions/{pk}/").status_code, 302)  # login first
        self.assertEqual(self.api(self.user_a).get(f"/api/sanctions/{self.a_penalty.pk}/").status_code, 200)

    def test_filters_stay_in_scope(self):
        resp = self.api(self.user_a).get(f"/api/sanctions/?company={self.company_b.pk}")
        self.assertEqual(resp.json()["results"], [])
        resp = self.api(self.regulator).get("/api/sanctions/?kind=stop_access")
        self.assertEqual({r["id"] for r in resp.json()["results"]}, {self.a_stop_x.pk, self.b_stop_all.pk})

    def test_pages_are_scoped(self):
        web = Client()
        web.force_login(self.user_a)
        page = web.get("/sanctions/").content.decode()
        self.assertIn("工信罚〔2026〕1号", page)
        self.assertNotIn("乙网络有限公司", page)
        self.assertNotIn('id="sanction-form"', page)
        self.assertEqual(web.get(f"/sanctions/{self.b_credit.pk}/").status_code, 404)
        company_page = web.get(f"/registry/companies/{self.company_a.pk}/").content.decode()
        self.assertIn('id="sanctions"', company_page)
        self.assertIn("工信罚〔2026〕1号", company_page)
        self.assertIn("X应用市场", company_page)
        self.assertEqual(web.post("/sanctions/", PENALTY).status_code, 403)
        web.force_login(self.store_user_y)
        page = web.get("/sanctions/").content.decode()
        self.assertIn("乙网络有限公司", page)
        self.assertNotIn("甲科技有限公司", page)
        self.assertNotIn("失信", page)
        self.assertEqual(web.get(f"/sanctions/{self.b_stop_all.pk}/").status_code, 200)
        self.assertEqual(web.get(f"/sanctions/{self.b_credit.pk}/").status_code, 404)
        web.force_login(self.vendor_user)
        self.assertEqual(web.get("/sanctions/").status_code, 403)


class PageTests(SanctionCase):
    def test_regulator_decides_and_ends_in_the_web_form(self):
        web = Client(enforce_csrf_checks=True)
        web.force_login(self.regulator)
        page = web.get("/sanctions/")
        token = page.cookies["csrftoken"].value
        self.assertEqual(web.post("/sanctions/", {**PENALTY, "company": self.company_a.pk}).status_code, 403)
        bad = web.post(
            "/sanctions/",
            {**PENALTY, "company": self.company_a.pk, "legal_basis": "", "csrfmiddlewaretoken": token},
        )
        self.assertEqual(bad.status_code, 400)
        self.assertIn("行政处罚须填写法律依据", bad.content.decode())
        self.assertIn("工信罚〔2026〕1号", bad.content.decode())  # the form keeps what was typed
        ok = web.post("/sanctions/", {**PENALTY, "company": self.company_a.pk, "csrfmiddlewaretoken": token})
        self.assertEqual(ok.status_code, 302)
        m = SanctionMeasure.objects.get()
        self.assertEqual(ok["Location"], f"/sanctions/{m.pk}/")
        detail = web.get(ok["Location"]).content.decode()
        self.assertIn("生效中", detail)
        self.assertIn('id="sanction-end"', detail)
        resp = web.post(
            f"/sanctions/{m.pk}/",
            {"op": "end", "reason": "已缴纳罚款", "end_date": "2026-09-01", "csrfmiddlewaretoken": token},
        )
        self.assertEqual(resp.status_code, 302)
        detail = web.get(f"/sanctions/{m.pk}/").content.decode()
        self.assertIn("已解除", detail)
        self.assertIn("已缴纳罚款", detail)
        self.assertNotIn('id="sanction-end"', detail)

    def test_web_change_by_reviewer_is_refused(self):
        m = self.measure(self.company_a, **PENALTY)
        web = Client()
        web.force_login(self.reviewer)
        resp = web.post(f"/sanctions/{m.pk}/", {"op": "revoke", "reason": "x"})
        self.assertEqual(resp.status_code, 403)
        self.assertIn("只有监管人员", resp.content.decode())
        m.refresh_from_db()
        self.assertEqual(m.status, "active")

    def test_repeat_offenders_show_measures(self):
        from appwarden.platform.testing import engine
        from appwarden.platform.testing import services as testing
        from appwarden.platform.testing.models import Batch

        stand_in = pf.ReportEngine()
        engine.use_engine(stand_in)
        self.addCleanup(engine.use_engine, None)
        for n in (1, 2):  # confirmed findings of one app in two batches: a repeat offender
            data = stand_in.add(
                f"ro-{n}", pf.report("com.a.repeat", f"{n}.0", [pf.finding("r.x", ["RD-3.1"])])
            )
            job = pf.scanned_job(
                self.reviewer, data, batch=Batch.objects.create(name=f"批次{n}"), company=self.company_a
            )
            for f in job.findings.all():
                testing.review_finding(f, user=self.reviewer, action="confirm", reason="确认")
        m = self.measure(self.company_a, **PENALTY)
        web = Client()
        web.force_login(self.reviewer)
        page = web.get("/repeat-offenders/").content.decode()
        self.assertIn("com.a.repeat", page)
        self.assertIn(f'id="sanction-{m.pk}"', page)
        self.assertIn("工信罚〔2026〕1号", page)

    def test_an_open_ended_measure_says_so_in_chinese_on_every_page(self):
        """The list, the measure's page and the company page showed an open end date as a bare "…" (seen in
        Chromium); /early-warning/ says 未定 open."""
        m = self.measure(self.company_a, kind="stop_access", start_date="2026-01-01", reason="拒不整改")
        web = Client()
        web.force_login(self.reviewer)
        for url in ("/sanctions/", f"/sanctions/{m.pk}/", f"/registry/companies/{self.company_a.pk}/"):
            page = web.get(url).content.decode()
            self.assertIn("2026-01-01 — 未定 open", page, url)
            self.assertNotIn("— …", page, url)

    def test_history_reads_in_chinese_with_store_names(self):
        """The history showed raw field names and ids ("kind: — → stop_access", "stores: — → [1]", "∅ → active")
        to the case officer (seen in Chromium)."""
        store = pf.store("历史商店")
        m = self.measure(
            self.company_a, kind="stop_access", start_date="2026-01-01", reason="拒不整改", stores=[store.pk]
        )
        web = Client()
        web.force_login(self.reviewer)
        page = web.get(f"/sanctions/{m.pk}/").content.decode()
        history = page.split('id="sanction-history"')[1].split("</table>")[0]
        self.assertIn("措施类型 Kind: — → 停止接入 Stop access", history)
        self.assertIn("限定商店 Stores: — → 历史商店", history)
        self.assertIn("开始日期 From: — → 2026-01-01", history)
        self.assertIn("→ 有效 Active", history)
        for raw in ("stop_access", "[", "kind:", "→ active"):
            self.assertNotIn(raw, history)

    def test_company_summary_counts_in_force(self):
        self.measure(self.company_a, **PENALTY)
        old = self.measure(
            self.company_a, kind="stop_access", start_date="2020-01-01", end_date="2020-02-01", reason="旧"
        )
        summary = services.company_summary(self.company_a, self.reviewer)
        self.assertEqual(len(summary["measures"]), 2)
        self.assertEqual(summary["in_force"], 1)
        self.assertEqual(old.state_label, "已到期 Expired")
