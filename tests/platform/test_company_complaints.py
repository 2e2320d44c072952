"""Companies on the platform (issue #21.3), part 2 and 4: complaints forwarded to the company (投诉转办) with an answer
deadline in working days, the company's answer (text + attachment), accept / send back, overdue, transitions and audit
rows, the complainant's contact only with consent, and the 投诉转办单 PDF. API and web pages, scoped per company (404).
"""

from __future__ import annotations

import datetime as dt

from company_fixtures import CompanyCase
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TransactionTestCase, override_settings
from django.utils import timezone
from test_company_portal import api, needs_pdftotext, pdf_text, web

from appwarden.platform.complaints import forwarding
from appwarden.platform.complaints.models import (
    CLOSED,
    FORWARDED,
    RECEIVED,
    Complaint,
    ComplaintForward,
    ForwardTransition,
)
from appwarden.platform.core.errors import PlatformError, RoleError, TransitionError
from appwarden.platform.core.models import AuditLog
from appwarden.platform.core.workdays import add_working_days


class ForwardWorkflowTests(CompanyCase):
    def test_forward_sets_deadline_in_working_days_and_records(self):
        fwd = self.forwarded(self.app_a, days=5)
        self.assertEqual(fwd.state, "forwarded")
        self.assertEqual(fwd.company, self.a)
        self.assertRegex(fwd.number, r"^ZB-\d{4}-\d{5}$")
        self.assertEqual(fwd.deadline, add_working_days(timezone.localdate(), 5, []))
        self.assertEqual(fwd.complaint.status, FORWARDED)
        t = ForwardTransition.objects.get(forward=fwd)
        self.assertEqual(
            (t.name, t.from_state, t.to_state, t.actor), ("forward", "", "forwarded", self.reviewer)
        )
        row = AuditLog.objects.filter(model="complaints.complaintforward", action="transition").get()
        self.assertEqual(row.actor, self.reviewer)
        self.assertEqual(row.data["transition"], "forward")

    @override_settings(APPWARDEN_COMPLAINT_ANSWER_DAYS=7, APPWARDEN_HOLIDAYS=[])
    def test_default_days_from_setting(self):
        fwd = self.forwarded(self.app_a)
        self.assertEqual(fwd.working_days, 7)

    def test_forward_refusals_change_nothing(self):
        c = self.complaint(self.app_a, consent=False, status=RECEIVED)
        with self.assertRaises(TransitionError):
            forwarding.forward(c, user=self.reviewer, instructions="x")
        c2 = self.complaint(self.app_a, consent=False)
        with self.assertRaises(RoleError):
            forwarding.forward(c2, user=self.a_user, instructions="x")
        with self.assertRaises(PlatformError):
            forwarding.forward(c2, user=self.reviewer, instructions="  ")
        with self.assertRaises(PlatformError):
            forwarding.forward(c2, user=self.reviewer, instructions="x", working_days=0)
        c2.app.company = None
        c2.app.save()
        with self.assertRaises(PlatformError):
            forwarding.forward(c2, user=self.reviewer, instructions="x")
        c3 = self.complaint(self.app_b, consent=False)
        c3.app = None
        c3.save()
        with self.assertRaises(PlatformError):
            forwarding.forward(c3, user=self.reviewer, instructions="x")
        self.assertFalse(ComplaintForward.objects.exists())
        self.assertEqual(Complaint.objects.get(pk=c.pk).status, RECEIVED)

    def test_triage_cannot_fake_or_undo_a_forward(self):
        from appwarden.platform.complaints import services as complaint_services

        c = self.complaint(self.app_a, consent=False)
        with self.assertRaises(PlatformError):
            complaint_services.triage(c, user=self.reviewer, status=FORWARDED, note="手工改状态")
        fwd = forwarding.forward(c, user=self.reviewer, instructions="请核实")
        with self.assertRaises(TransitionError):
            complaint_services.triage(fwd.complaint, user=self.reviewer, status="triaged", note="重新分派")
        self.assertEqual(Complaint.objects.get(pk=c.pk).status, FORWARDED)
        complaint_services.triage(fwd.complaint, user=self.reviewer, status=FORWARDED, note="补充意见")

    def test_second_forward_while_open_refused(self):
        fwd = self.forwarded(self.app_a)
        complaint = fwd.complaint
        complaint.status = "triaged"
        complaint.save()
        with self.assertRaises(TransitionError):
            forwarding.forward(complaint, user=self.reviewer, instructions="again")

    def test_answer_accept_closes_complaint(self):
        fwd = self.forwarded(self.app_a)
        ans = forwarding.answer(
            fwd, user=self.a_user, text="已核实并整改", attachment=b"%PDF-1.4 proof", file_name="证明.pdf"
        )
        self.assertEqual(fwd.state, "answered")
        self.assertEqual(ans.attachment_name, "证明.pdf")
        self.assertEqual(ans.attachment_size, len(b"%PDF-1.4 proof"))
        with self.assertRaises(RoleError):
            forwarding.accept(fwd, user=self.a_user, note="自己采纳")
        forwarding.accept(fwd, user=self.reviewer, note="答复属实")
        self.assertEqual(fwd.state, "accepted")
        self.assertIsNotNone(fwd.closed_at)
        self.assertEqual(fwd.complaint.status, CLOSED)
        ans.refresh_from_db()
        self.assertEqual(
            (ans.outcome, ans.review_note, ans.reviewed_by), ("accepted", "答复属实", self.reviewer)
        )
        names = list(fwd.transitions.values_list("name", "to_state"))
        self.assertEqual(names, [("forward", "forwarded"), ("answer", "answered"), ("accept", "accepted")])
        with self.assertRaises(TransitionError):
            forwarding.answer(fwd, user=self.a_user, text="再答复")

    def test_send_back_then_answer_again(self):
        fwd = self.forwarded(self.app_a, days=10)
        forwarding.answer(fwd, user=self.a_user, text="第一次")
        forwarding.send_back(fwd, user=self.regulator, note="未说明整改措施", working_days=3)
        self.assertEqual(fwd.state, "returned")
        self.assertEqual(fwd.deadline, add_working_days(timezone.localdate(), 3, []))
        with self.assertRaises(PlatformError):
            forwarding.send_back(fwd, user=self.regulator, note="x")  # nothing to decide: 409
        forwarding.answer(fwd, user=self.a_user, text="第二次：已下线该功能")
        self.assertEqual(fwd.state, "answered")
        self.assertEqual(fwd.answers.count(), 2)
        self.assertEqual(fwd.answers.order_by("id").first().outcome, "returned")

    def test_only_the_forwarded_company_answers(self):
        fwd = self.forwarded(self.app_a)
        for user in (self.b_user, self.reviewer, self.store_user):
            with self.assertRaises(RoleError):
                forwarding.answer(fwd, user=user, text="x")
        with self.assertRaises(PlatformError):
            forwarding.answer(fwd, user=self.a_user, text="   ")
        self.assertEqual(fwd.answers.count(), 0)

    def test_overdue(self):
        fwd = self.forwarded(self.app_a)
        self.assertFalse(fwd.is_overdue)
        ComplaintForward.objects.filter(pk=fwd.pk).update(
            deadline=timezone.localdate() - dt.timedelta(days=1)
        )
        fwd.refresh_from_db()
        self.assertTrue(fwd.is_overdue)
        ids = [r["id"] for r in _rows(api(self.a_user).get("/api/complaint-forwards/?overdue=1").json())]
        self.assertEqual(ids, [fwd.pk])
        html = web(self.a_user).get("/my/complaints/?overdue=1").content.decode()
        self.assertIn("逾期 overdue", html)
        self.assertIn(fwd.number, html)
        forwarding.answer(fwd, user=self.a_user, text="迟到的答复")
        self.assertFalse(fwd.is_overdue)  # answered: no longer waiting

    def test_late_answer_is_marked_against_the_deadline_then(self):
        """An answer after the deadline in force is 逾期提交 (staff page, company page, API); one after a send-back's
        new deadline is judged against that deadline, not the first."""
        fwd = self.forwarded(self.app_a)
        ComplaintForward.objects.filter(pk=fwd.pk).update(
            deadline=timezone.localdate() - dt.timedelta(days=1)
        )
        fwd.refresh_from_db()
        late = forwarding.answer(fwd, user=self.a_user, text="迟到的答复")
        self.assertEqual(late.deadline, timezone.localdate() - dt.timedelta(days=1))
        self.assertTrue(late.late)
        for client, url in (
            (web(self.reviewer), f"/complaints/forwards/{fwd.pk}/"),
            (web(self.a_user), f"/complaints/forwards/{fwd.pk}/"),
        ):
            html = client.get(url).content.decode()
            self.assertIn("逾期提交 late", html)
        body = api(self.a_user).get(f"/api/complaint-forwards/{fwd.pk}/").json()
        self.assertEqual([(a["late"], a["deadline"]) for a in body["answers"]], [(True, str(late.deadline))])
        forwarding.send_back(fwd, user=self.regulator, note="请补充整改措施", working_days=3)
        fwd.refresh_from_db()
        on_time = forwarding.answer(fwd, user=self.a_user, text="按新期限答复")
        self.assertEqual(on_time.deadline, fwd.deadline)
        self.assertFalse(on_time.late)
        body = api(self.a_user).get(f"/api/complaint-forwards/{fwd.pk}/").json()
        self.assertEqual(sorted(a["late"] for a in body["answers"]), [False, True])

    def test_on_time_answer_is_not_marked(self):
        fwd = self.forwarded(self.app_a)
        ans = forwarding.answer(fwd, user=self.a_user, text="按期答复")
        self.assertFalse(ans.late)
        html = web(self.reviewer).get(f"/complaints/forwards/{fwd.pk}/").content.decode()
        self.assertNotIn("逾期提交", html)


def _rows(body):
    return body["results"] if isinstance(body, dict) else body


class ForwardScopingTests(CompanyCase):
    def setUp(self):
        super().setUp()
        self.fa = self.forwarded(self.app_a, consent=False)
        self.fb = self.forwarded(self.app_b, consent=True)

    def test_api_list_and_detail_scoped(self):
        self.assertEqual(
            [r["id"] for r in _rows(api(self.a_user).get("/api/complaint-forwards/").json())], [self.fa.pk]
        )
        self.assertEqual(
            [r["id"] for r in _rows(api(self.b_user).get("/api/complaint-forwards/").json())], [self.fb.pk]
        )
        self.assertEqual(len(_rows(api(self.reviewer).get("/api/complaint-forwards/").json())), 2)
        self.assertEqual(_rows(api(self.store_user).get("/api/complaint-forwards/").json()), [])
        for path in (
            f"/api/complaint-forwards/{self.fb.pk}/",
            f"/api/complaint-forwards/{self.fb.pk}/pdf/",
        ):
            self.assertEqual(api(self.a_user).get(path).status_code, 404, path)
        resp = api(self.a_user).post(f"/api/complaint-forwards/{self.fb.pk}/answer/", {"text": "x"})
        self.assertEqual(resp.status_code, 404)
        # the complaint itself stays staff-only
        self.assertEqual(api(self.a_user).get(f"/api/complaints/{self.fa.complaint_id}/").status_code, 404)

    def test_contact_only_with_consent(self):
        body = api(self.a_user).get(f"/api/complaint-forwards/{self.fa.pk}/").json()
        self.assertIsNone(body["complaint"]["reporter_name"])
        self.assertIsNone(body["complaint"]["reporter_contact"])
        self.assertNotIn("13800000000", str(body))
        self.assertNotIn("张三", str(body))
        body_b = api(self.b_user).get(f"/api/complaint-forwards/{self.fb.pk}/").json()
        self.assertEqual(body_b["complaint"]["reporter_contact"], "13800000000")
        staff = api(self.reviewer).get(f"/api/complaint-forwards/{self.fa.pk}/").json()
        self.assertEqual(staff["complaint"]["reporter_contact"], "13800000000")
        html = web(self.a_user).get(f"/complaints/forwards/{self.fa.pk}/").content.decode()
        self.assertNotIn("13800000000", html)
        self.assertNotIn("张三", html)
        self.assertIn("未经投诉人同意不予提供", html)
        self.assertIn(
            "13800000000", web(self.b_user).get(f"/complaints/forwards/{self.fb.pk}/").content.decode()
        )

    def test_web_pages_scoped(self):
        a = web(self.a_user)
        html = a.get("/my/complaints/").content.decode()
        self.assertIn(self.fa.number, html)
        self.assertNotIn(self.fb.number, html)
        for path in (
            f"/complaints/forwards/{self.fb.pk}/",
            f"/complaints/forwards/{self.fb.pk}/pdf/",
            "/complaints/forwards/999999/",
        ):
            self.assertEqual(a.get(path).status_code, 404, path)
        self.assertEqual(a.post(f"/complaints/forwards/{self.fb.pk}/answer/", {"text": "x"}).status_code, 404)
        self.assertEqual(a.get("/complaints/forwards/").status_code, 403)  # staff list
        self.assertEqual(a.get(f"/complaints/{self.fa.complaint_id}/").status_code, 403)
        self.assertEqual(web(self.store_user).get(f"/complaints/forwards/{self.fa.pk}/").status_code, 403)
        self.assertEqual(web(self.reviewer).get("/my/complaints/").status_code, 403)

    def test_attachment_download_scoped(self):
        ans = forwarding.answer(
            self.fa, user=self.a_user, text="见附件", attachment=b"<html>x</html>", file_name="a.html"
        )
        url = f"/complaints/forwards/{self.fa.pk}/answers/{ans.pk}/attachment/"
        resp = web(self.a_user).get(url)
        self.assertEqual(resp.status_code, 200)
        self.assertEqual(resp["Content-Type"], "application/octet-stream")
        self.assertIn("attachment", resp["Content-Disposition"])
        self.assertEqual(b"".join(resp.streaming_content), b"<html>x</html>")
        self.assertEqual(web(self.reviewer).get(url).status_code, 200)
        self.assertEqual(web(self.b_user).get(url).status_code, 404)
        # the answer id under another forward: 404
        self.assertEqual(
            web(self.b_user)
            .get(f"/complaints/forwards/{self.fb.pk}/answers/{ans.pk}/attachment/")
            .status_code,
            404,
        )
        api_url = f"/api/complaint-forwards/{self.fa.pk}/answers/{ans.pk}/attachment/"
        self.assertEqual(api(self.a_user).get(api_url).status_code, 200)
        self.assertEqual(api(self.b_user).get(api_url).status_code, 404)


class ForwardHttpFlowTests(CompanyCase):
    def test_api_flow(self):
        complaint = self.complaint(self.app_a, consent=False)
        self.assertEqual(
            api(self.a_user)
            .post(f"/api/complaints/{complaint.pk}/forward/", {"instructions": "x"})
            .status_code,
            404,
        )
        resp = api(self.reviewer).post(
            f"/api/complaints/{complaint.pk}/forward/",
            {"instructions": "请核实", "working_days": 4},
            format="json",
        )
        self.assertEqual(resp.status_code, 201, resp.content)
        fid = resp.json()["id"]
        self.assertEqual(resp.json()["deadline"], str(add_working_days(timezone.localdate(), 4, [])))
        again = api(self.reviewer).post(f"/api/complaints/{complaint.pk}/forward/", {"instructions": "y"})
        self.assertEqual(again.status_code, 409)
        company = api(self.a_user)
        # deciding before an answer, or as the company
        self.assertEqual(
            company.post(f"/api/complaint-forwards/{fid}/accept/", {"note": "x"}).status_code, 403
        )
        self.assertEqual(
            api(self.reviewer).post(f"/api/complaint-forwards/{fid}/accept/", {"note": "x"}).status_code, 409
        )
        resp = company.post(
            f"/api/complaint-forwards/{fid}/answer/",
            {"text": "已整改", "attachment": SimpleUploadedFile("整改报告.pdf", b"%PDF-1.4 x")},
            format="multipart",
        )
        self.assertEqual(resp.status_code, 201, resp.content)
        self.assertEqual(resp.json()["attachment_name"], "整改报告.pdf")
        resp = api(self.reviewer).post(
            f"/api/complaint-forwards/{fid}/send_back/", {"note": "请补充", "working_days": 2}, format="json"
        )
        self.assertEqual(resp.json()["state"], "returned")
        company.post(f"/api/complaint-forwards/{fid}/answer/", {"text": "补充说明"})
        resp = api(self.regulator).post(
            f"/api/complaint-forwards/{fid}/accept/", {"note": "可以"}, format="json"
        )
        self.assertEqual(resp.status_code, 200)
        body = resp.json()
        self.assertEqual(body["state"], "accepted")
        self.assertEqual(
            [t["name"] for t in body["transitions"]], ["forward", "answer", "send_back", "answer", "accept"]
        )
        self.assertEqual(Complaint.objects.get(pk=complaint.pk).status, CLOSED)
        # the public status lookup shows the outcome, no contact details
        status = api(self.store_user).get(f"/api/public/complaints/{complaint.tracking_number}/").json()
        self.assertEqual(status["status"], "closed")

    def test_web_flow(self):
        complaint = self.complaint(self.app_a, consent=True)
        staff = web(self.reviewer)
        page = staff.get(f"/complaints/{complaint.pk}/").content.decode()
        self.assertIn('id="forward-form"', page)
        self.assertIn("甲科技有限公司", page)
        resp = staff.post(
            f"/complaints/{complaint.pk}/forward/", {"instructions": "请核实", "working_days": 6}
        )
        fwd = ComplaintForward.objects.get(complaint=complaint)
        self.assertRedirects(resp, f"/complaints/forwards/{fwd.pk}/", fetch_redirect_response=False)
        company = web(self.a_user)
        detail = company.get(f"/complaints/forwards/{fwd.pk}/").content.decode()
        self.assertIn('id="answer-form"', detail)
        self.assertNotIn('id="decision-form"', detail)
        self.assertIn("13800000000", detail)  # consented
        company.post(
            f"/complaints/forwards/{fwd.pk}/answer/",
            {"text": "已整改完毕", "attachment": SimpleUploadedFile("说明.txt", "说明".encode())},
        )
        fwd.refresh_from_db()
        self.assertEqual(fwd.state, "answered")
        self.assertEqual(
            company.post(
                f"/complaints/forwards/{fwd.pk}/decide/", {"decision": "accept", "note": "x"}
            ).status_code,
            403,
        )
        detail = staff.get(f"/complaints/forwards/{fwd.pk}/").content.decode()
        self.assertIn('id="decision-form"', detail)
        self.assertIn("说明.txt", detail)
        staff.post(f"/complaints/forwards/{fwd.pk}/decide/", {"decision": "send_back", "note": "请补充证据"})
        fwd.refresh_from_db()
        self.assertEqual(fwd.state, "returned")
        company.post(f"/complaints/forwards/{fwd.pk}/answer/", {"text": "补充"})
        staff.post(f"/complaints/forwards/{fwd.pk}/decide/", {"decision": "accept", "note": "同意"})
        fwd.refresh_from_db()
        self.assertEqual(fwd.state, "accepted")
        history = staff.get(f"/complaints/forwards/{fwd.pk}/").content.decode()
        for label in ("转办 forward", "企业答复 answer", "退回 send_back", "采纳办结 accept"):
            self.assertIn(label, history)
        listing = staff.get("/complaints/forwards/?state=accepted").content.decode()
        self.assertIn(fwd.number, listing)

    def test_web_forward_without_instructions_changes_nothing(self):
        complaint = self.complaint(self.app_a, consent=False)
        web(self.reviewer).post(f"/complaints/{complaint.pk}/forward/", {"instructions": ""})
        self.assertFalse(ComplaintForward.objects.exists())

    def test_csrf_enforced(self):
        from django.test import Client

        fwd = self.forwarded(self.app_a)
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.a_user)
        self.assertEqual(
            client.post(f"/complaints/forwards/{fwd.pk}/answer/", {"text": "x"}).status_code, 403
        )
        fwd.refresh_from_db()
        self.assertEqual(fwd.state, "forwarded")

    def test_public_form_records_consent(self):
        from django.test import Client

        resp = Client().post(
            "/complaints/new/",
            {
                "app_name": "某应用",
                "category": "collection",
                "description": "问题",
                "reporter_contact": "a@example.cn",
                "contact_consent": "on",
            },
        )
        self.assertEqual(resp.status_code, 200)
        self.assertTrue(Complaint.objects.get(app_name="某应用").contact_consent)


@needs_pdftotext
@override_settings(APPWARDEN_ISSUING_OFFICE="某省通信管理局")
class ForwardPdfTests(CompanyCase):
    def test_pdf_fields_and_consent(self):
        fwd = self.forwarded(self.app_a, consent=False, days=5)
        resp = web(self.a_user).get(f"/complaints/forwards/{fwd.pk}/pdf/")
        self.assertEqual(resp.status_code, 200)
        self.assertEqual(resp["Content-Type"], "application/pdf")
        flat = "".join(pdf_text(resp.content).split())
        for needle in (
            "投诉转办单",
            fwd.number,
            fwd.complaint.tracking_number,
            "甲科技有限公司",
            self.a.credit_code,
            "甲应用",
            "com.jia.app",
            "违规收集个人信息",
            "未经同意读取通讯录",
            "请核实并整改后答复",
            f"{fwd.deadline:%Y-%m-%d}",
            "5个工作日",
            "某省通信管理局",
            "未经投诉人同意不予提供",
        ):
            self.assertIn(needle, flat, needle)
        self.assertNotIn("13800000000", flat)
        self.assertNotIn("张三", flat)
        staff_text = "".join(
            pdf_text(web(self.reviewer).get(f"/complaints/forwards/{fwd.pk}/pdf/").content).split()
        )
        self.assertIn("13800000000", staff_text)
        api_pdf = api(self.a_user).get(f"/api/complaint-forwards/{fwd.pk}/pdf/")
        self.assertEqual(api_pdf.status_code, 200)
        self.assertNotIn("13800000000", "".join(pdf_text(api_pdf.content).split()))

    def test_pdf_with_consent_names_the_complainant(self):
        fwd = self.forwarded(self.app_b, consent=True)
        flat = "".join(pdf_text(web(self.b_user).get(f"/complaints/forwards/{fwd.pk}/pdf/").content).split())
        self.assertIn("张三", flat)
        self.assertIn("13800000000", flat)


class AnswerDeadlineBackfillTests(TransactionTestCase):
    """Answers stored before ``ForwardAnswer.deadline`` existed get the forward's deadline when no send-back came
    after them (that deadline was in force then); an answer followed by a send-back keeps null (not known)."""

    def test_backfill(self):
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        before = [("complaints", "0002_forwarding")]
        after = [("complaints", "0003_answer_deadline")]
        executor = MigrationExecutor(connection)
        self.addCleanup(lambda: MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes()))
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        company = old.get_model("registry", "Company").objects.create(name="甲公司", credit_code="9" * 18)
        app = old.get_model("registry", "App").objects.create(package="com.backfill", company=company)
        complaint = old.get_model("complaints", "Complaint").objects.create(
            app_name="甲", description="x", app=app
        )
        deadline = dt.date(2026, 11, 20)
        fwd = old.get_model("complaints", "ComplaintForward").objects.create(
            number="ZB-2026-1",
            complaint=complaint,
            app=app,
            company=company,
            state="answered",
            instructions="请核实",
            deadline=deadline,
        )
        Answer = old.get_model("complaints", "ForwardAnswer")
        t0 = timezone.now() - dt.timedelta(days=10)
        first = Answer.objects.create(forward=fwd, text="第一次", at=t0)
        old.get_model("complaints", "ForwardTransition").objects.create(
            forward=fwd,
            name="send_back",
            from_state="answered",
            to_state="returned",
            at=t0 + dt.timedelta(days=1),
        )
        second = Answer.objects.create(forward=fwd, text="第二次", at=t0 + dt.timedelta(days=2))
        MigrationExecutor(connection).migrate(after)
        new = (
            MigrationExecutor(connection)
            .loader.project_state(after)
            .apps.get_model("complaints", "ForwardAnswer")
        )
        self.assertIsNone(new.objects.get(pk=first.pk).deadline)
        self.assertEqual(new.objects.get(pk=second.pk).deadline, deadline)


class AnswerDeadlineFromAuditTests(TransactionTestCase):
    """Migration ``complaints 0004``: an answer 0003 left unknown (a send-back came after it) gets the deadline in
    force when it came in, read back from the forward's audit rows (create at forwarding, update at each send-back),
    so a late first answer is marked 逾期提交 too; an answer the log says nothing about stays unknown."""

    # CompanyCase's data, in a TransactionTestCase (a migration runs)
    setUp = CompanyCase.setUp
    _order = CompanyCase._order
    complaint = CompanyCase.complaint
    forwarded = CompanyCase.forwarded

    def test_the_deadline_then_is_read_back_from_the_audit_log(self):
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        from appwarden.platform.complaints.models import ForwardAnswer

        fwd = self.forwarded(self.app_a, days=1)
        first_deadline = fwd.deadline
        first = forwarding.answer(fwd, user=self.a_user, text="第一次答复")
        # it came in after that deadline (the row's time moved; its place in the log is its create row)
        ForwardAnswer.objects.filter(pk=first.pk).update(at=timezone.now() + dt.timedelta(days=30))
        forwarding.send_back(fwd, user=self.regulator, note="请补充", working_days=60)
        fwd.refresh_from_db()
        second = forwarding.answer(fwd, user=self.a_user, text="第二次答复")
        self.assertNotEqual(fwd.deadline, first_deadline)
        # as stored before ForwardAnswer.deadline existed and after 0003 (which knew only the second)
        ForwardAnswer.objects.filter(pk=first.pk).update(deadline=None)
        ForwardAnswer.objects.filter(pk=second.pk).update(deadline=None)
        from appwarden.platform.core import audit

        with (
            audit.unrecorded()
        ):  # an answer the log knows nothing of (no create row) and no forward row before
            unknown = ForwardAnswer.objects.create(
                forward=fwd, text="无记录", at=timezone.now() - dt.timedelta(days=400)
            )

        executor = MigrationExecutor(connection)
        self.addCleanup(lambda: MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes()))
        executor.migrate([("complaints", "0003_answer_deadline")])
        MigrationExecutor(connection).migrate([("complaints", "0004_answer_deadline_from_audit")])

        first.refresh_from_db()
        second.refresh_from_db()
        unknown.refresh_from_db()
        self.assertEqual(first.deadline, first_deadline)
        self.assertTrue(first.late)
        self.assertEqual(second.deadline, fwd.deadline)
        self.assertFalse(second.late)
        self.assertIsNone(unknown.deadline)
        self.assertFalse(unknown.late)
        row = AuditLog.objects.get(
            action="data_migration", object_id="complaints.0004_answer_deadline_from_audit"
        )
        self.assertEqual(row.data["answers"], [first.pk, second.pk])
        self.assertEqual(row.data["still_unknown"], 1)
        body = api(self.a_user).get(f"/api/complaint-forwards/{fwd.pk}/").json()
        late = {a["id"]: (a["late"], a["deadline"]) for a in body["answers"]}
        self.assertEqual(late[first.pk], (True, str(first_deadline)))
        self.assertEqual(late[second.pk], (False, str(fwd.deadline)))
        html = web(self.a_user).get(f"/complaints/forwards/{fwd.pk}/").content.decode()
        self.assertIn(f"逾期提交 late (答复截止 {first_deadline:%Y-%m-%d})", html)
