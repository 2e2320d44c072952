"""REST API: token auth, uploads (201/400/409 with one-line messages), review and order transitions over HTTP
(illegal → 409), public complaints, shared CRUD tests for every registry model, and schemathesis fuzzing of the
OpenAPI document (no 5xx on any generated request)."""

from __future__ import annotations

import io

import platform_factories as pf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from rest_framework.test import APIClient

from appwarden.platform.complaints.models import Complaint
from appwarden.platform.core import tokens
from appwarden.platform.core.models import ApiToken
from appwarden.platform.registry.models import App, Company, Contact, SdkVendor, Store, StoreListing
from appwarden.platform.testing import engine, services
from appwarden.platform.testing.models import ScanJob


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(user)}")
    return client


class ApiFlowTests(TestCase):
    def setUp(self):
        self.engine = pf.ReportEngine()
        engine.use_engine(self.engine)
        self.addCleanup(engine.use_engine, None)
        self.reviewer = pf.user("reviewer")
        self.regulator = pf.user("regulator")
        self.company = pf.company()
        self.company_user = pf.user("company", company=self.company)
        self.api = token_client(self.reviewer)

    def upload(self, data: bytes, name: str = "app.apk", **extra):
        return self.api.post(
            "/api/jobs/", {"file": SimpleUploadedFile(name, data), **extra}, format="multipart"
        )

    def test_upload_review_issue_respond_over_http(self):
        # real APKs: the rectified one must be the same app (package, signer) as the tested one
        tested = self.engine.add_apk(pf.fixture_apk("minimal.apk"), [pf.finding("r.1", ["RD-3.1"])])
        resp = self.upload(tested, company=self.company.pk)
        self.assertEqual(resp.status_code, 201, resp.content)
        job_id = resp.json()["id"]
        self.assertEqual(resp.json()["status"], "queued")  # never scanned inside the request
        self.assertEqual(self.engine.calls, 0)
        self.assertEqual(self.api.get(f"/api/jobs/{job_id}/report/").status_code, 409)
        services.run_scan(job_id)
        self.assertEqual(
            self.api.get(f"/api/jobs/{job_id}/report/").json()["app"]["package"], "com.example.fixture"
        )

        dup = self.upload(tested)
        self.assertEqual(dup.status_code, 409)
        self.assertEqual(dup.json()["job"], job_id)
        self.assertIn("duplicate", dup.json()["detail"])

        bad = self.upload(b"just text", name="x.apk")
        self.assertEqual(bad.status_code, 400)
        self.assertIn("not an APK", bad.json()["detail"])
        self.assertEqual(ScanJob.objects.count(), 1)

        findings = self.api.get("/api/findings/", {"job": job_id}).json()["results"]
        self.assertEqual(len(findings), 1)
        fid = findings[0]["id"]
        self.assertEqual(
            self.api.post(f"/api/findings/{fid}/review/", {"action": "confirm"}, format="json").status_code,
            400,
        )
        resp = self.api.post(
            f"/api/findings/{fid}/review/", {"action": "confirm", "reason": "ok"}, format="json"
        )
        self.assertEqual(resp.json()["status"], "confirmed")

        version = ScanJob.objects.get(pk=job_id).app_version_id
        resp = self.api.post(
            "/api/orders/",
            {"app_version": version, "findings": [fid], "reason": "违规", "working_days": 10},
            format="json",
        )
        self.assertEqual(resp.status_code, 201, resp.content)
        order = resp.json()
        self.assertEqual((order["state"], order["working_days"]), ("issued", 10))

        # illegal transition over HTTP: 409 with a one-line message, state unchanged
        resp = self.api.post(f"/api/orders/{order['id']}/close/", {"reason": "x"}, format="json")
        self.assertEqual(resp.status_code, 409)
        self.assertIn("illegal transition", resp.json()["detail"])
        # reviewers cannot answer for the company's side? they can't escalate either (regulator only)
        notice = token_client(self.regulator).post("/api/notices/", {"title": "通报"}, format="json").json()
        resp = self.api.post(
            f"/api/orders/{order['id']}/escalate/", {"reason": "x", "notice": notice["id"]}, format="json"
        )
        self.assertEqual(resp.status_code, 403)

        company_api = token_client(self.company_user)
        new = self.engine.add_apk(pf.fixture_apk("v2_only.apk"), [])
        resp = company_api.post(
            f"/api/orders/{order['id']}/respond/",
            {"explanation": "已整改", "apk": SimpleUploadedFile("v2.apk", new)},
            format="multipart",
        )
        self.assertEqual(resp.status_code, 200, resp.content)
        self.assertEqual(resp.json()["state"], "responded")
        resp = self.api.post(f"/api/orders/{order['id']}/start_retest/", {"reason": "复测"}, format="json")
        self.assertEqual(resp.json()["state"], "retesting")
        services.run_scan(resp.json()["retests"][0]["job"])
        resp = self.api.post(f"/api/orders/{order['id']}/close/", {"reason": "复测通过"}, format="json")
        self.assertEqual(resp.status_code, 200, resp.content)
        self.assertEqual(
            [t["name"] for t in resp.json()["transitions"]],
            ["issue", "respond", "start_retest", "complete_retest", "close"],
        )

    def test_oversize_request_is_refused_before_reading(self):
        from django.conf import settings

        resp = self.api.post(
            "/api/jobs/",
            b"x",
            content_type="application/octet-stream",
            CONTENT_LENGTH=str(settings.APPWARDEN_MAX_UPLOAD + 65 * 1024 * 1024),
        )
        self.assertEqual(resp.status_code, 413)
        self.assertIn("too large", resp.json()["detail"])
        self.assertEqual(ScanJob.objects.count(), 0)

    def test_me_and_token_endpoint(self):
        me = token_client(self.company_user).get("/api/me/").json()
        self.assertEqual((me["role"], me["company"]), ("company", self.company.pk))
        resp = APIClient().post("/api/token/", {"username": self.reviewer.username, "password": pf.PASSWORD})
        self.assertEqual(resp.status_code, 200)
        token = resp.json()["token"]
        self.assertTrue(ApiToken.objects.filter(user=self.reviewer, digest=tokens.digest(token)).exists())
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        self.assertEqual(api.get("/api/me/").json()["username"], self.reviewer.username)

    def test_public_complaint_intake_and_status(self):
        anon = APIClient()
        resp = anon.post(
            "/api/public/complaints/",
            {"app_name": "某App", "category": "collection", "description": "读取通讯录"},
            format="json",
        )
        self.assertEqual(resp.status_code, 201, resp.content)
        number = resp.json()["tracking_number"]
        self.assertRegex(number, r"^TS\d{8}-[0-9A-F]{6}$")
        status = anon.get(f"/api/public/complaints/{number}/").json()
        self.assertEqual(status["status"], "received")
        self.assertNotIn("reporter_contact", status)
        self.assertEqual(anon.get("/api/public/complaints/TS00000000-000000/").status_code, 404)
        self.assertEqual(
            anon.post("/api/public/complaints/", {"app_name": "x"}, format="json").status_code, 400
        )

        complaint = Complaint.objects.get(tracking_number=number)
        resp = self.api.post(
            f"/api/complaints/{complaint.pk}/triage/", {"status": "triaged", "note": "分派"}, format="json"
        )
        self.assertEqual(resp.json()["status"], "triaged")
        resp = self.api.post(f"/api/complaints/{complaint.pk}/open_scan/", {}, format="json")
        self.assertEqual(resp.status_code, 400)  # no stored version and no APK: a clear message
        self.assertIn("upload the APK", resp.json()["detail"])
        data = self.engine.add("cmp", pf.report("com.cmp", "1", []))
        resp = self.api.post(
            f"/api/complaints/{complaint.pk}/open_scan/",
            {"apk": SimpleUploadedFile("c.apk", data)},
            format="multipart",
        )
        self.assertEqual(resp.status_code, 201, resp.content)
        complaint.refresh_from_db()
        self.assertEqual((complaint.status, complaint.job_id), ("scanning", resp.json()["id"]))
        self.assertEqual(ScanJob.objects.get(pk=complaint.job_id).purpose, "complaint")

    def test_notice_exports_over_http(self):
        reg = token_client(self.regulator)
        notice = reg.post("/api/notices/", {"title": "通报 2026-1"}, format="json").json()
        resp = reg.get(f"/api/notices/{notice['id']}/xlsx/")
        self.assertEqual(resp.status_code, 200)
        from openpyxl import load_workbook

        ws = load_workbook(io.BytesIO(resp.content)).active
        self.assertEqual(ws["A1"].value, "通报 2026-1")
        self.assertTrue(reg.get(f"/api/notices/{notice['id']}/pdf/").content.startswith(b"%PDF"))
        resp = reg.post(f"/api/notices/{notice['id']}/publish/", {}, format="json")
        self.assertEqual(resp.status_code, 400)  # empty notice cannot be published


class RegistryCrudMixin:
    """Shared CRUD test (NetBox-style): subclasses name the endpoint, a create payload and an update."""

    url: str
    model: type

    def create_payload(self) -> dict: ...

    update: dict

    def setUp(self):
        self.staff = token_client(pf.user("regulator"))
        self.company_api = token_client(pf.user("company", company=pf.company()))

    def test_crud(self):
        resp = self.staff.post(self.url, self.create_payload(), format="json")
        self.assertEqual(resp.status_code, 201, resp.content)
        pk = resp.json()["id"]
        self.assertTrue(self.model.objects.filter(pk=pk).exists())
        self.assertIn(pk, [r["id"] for r in self.staff.get(self.url).json()["results"]])
        resp = self.staff.patch(f"{self.url}{pk}/", self.update, format="json")
        self.assertEqual(resp.status_code, 200, resp.content)
        for key, value in self.update.items():
            self.assertEqual(resp.json()[key], value)
        self.assertEqual(
            self.company_api.post(self.url, self.create_payload(), format="json").status_code, 403
        )
        self.assertEqual(self.staff.delete(f"{self.url}{pk}/").status_code, 204)
        self.assertFalse(self.model.objects.filter(pk=pk).exists())


class CompanyCrudTests(RegistryCrudMixin, TestCase):
    url, model, update = "/api/companies/", Company, {"address": "北京市"}

    def create_payload(self):
        return {"name": "新公司", "credit_code": pf.credit_code()}

    def test_invalid_credit_code_is_rejected(self):
        resp = self.staff.post(self.url, {"name": "x", "credit_code": "91110000MA00000000"}, format="json")
        self.assertEqual(resp.status_code, 400)
        self.assertIn("credit_code", resp.json())


class ContactCrudTests(RegistryCrudMixin, TestCase):
    url, model, update = "/api/contacts/", Contact, {"phone": "12345"}

    def create_payload(self):
        return {"company": pf.company().pk, "name": "李四"}


class AppCrudTests(RegistryCrudMixin, TestCase):
    url, model, update = "/api/apps/", App, {"name": "改名"}

    def create_payload(self):
        return {"package": f"com.crud.{pf.credit_code()[-6:].lower()}", "name": "应用"}


class StoreCrudTests(RegistryCrudMixin, TestCase):
    url, model, update = "/api/stores/", Store, {"website": "https://store.example.cn"}

    def create_payload(self):
        return {"name": f"店{pf.credit_code()[-6:]}"}


class ListingCrudTests(RegistryCrudMixin, TestCase):
    url, model, update = "/api/listings/", StoreListing, {"active": False}

    def create_payload(self):
        return {
            "store": pf.store().pk,
            "app": App.objects.create(package=f"com.l.{pf.credit_code()[-5:].lower()}").pk,
        }


class SdkVendorCrudTests(RegistryCrudMixin, TestCase):
    url, model, update = "/api/sdk-vendors/", SdkVendor, {"sdk_ids": ["a.b", "c.d"]}

    def create_payload(self):
        return {"name": f"厂商{pf.credit_code()[-6:]}", "sdk_ids": ["x.y"]}


@pytest.mark.slow
class SchemaFuzzTests(TestCase):
    """schemathesis against /api/schema/: every operation, a few generated cases each, never a 5xx."""

    def test_openapi_document_and_no_server_errors(self):
        import schemathesis
        from django.core.wsgi import get_wsgi_application
        from hypothesis import HealthCheck, given, settings
        from schemathesis.checks import not_a_server_error

        reviewer = pf.user("regulator")
        key = tokens.issue(reviewer)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        doc = client.get("/api/schema/", {"format": "json"}).json()
        self.assertEqual(doc["info"]["title"], "appwarden platform API")
        self.assertIn("/api/orders/{id}/escalate/", doc["paths"])
        self.assertIn("tokenAuth", doc["components"]["securitySchemes"])
        schema = schemathesis.openapi.from_dict(doc)
        schema.app = get_wsgi_application()
        headers = {"Authorization": f"Token {key}"}
        operations = [r.ok() for r in schema.get_all_operations()]
        self.assertGreater(len(operations), 40)
        engine.use_engine(pf.ReportEngine())
        self.addCleanup(engine.use_engine, None)
        for op in operations:

            @given(case=op.as_strategy())
            @settings(
                max_examples=3,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
                derandomize=True,
            )
            def check(case):
                case.call_and_validate(headers=headers, checks=[not_a_server_error])

            with self.subTest(op=op.label):
                check()


class DeepJsonBodyTests(TestCase):
    """A JSON body nested deeper than the decoder's recursion limit was a RecursionError: a 500 with a traceback in
    the server log, from any client allowed to post. It is a 400 parse error, from the default parsers and from the
    views that name their own (orders)."""

    def test_deeply_nested_json_is_a_400_parse_error(self):
        client = token_client(pf.user("regulator"))
        body = '{"title":' * 100_000 + '"x"' + "}" * 100_000
        for url in ("/api/notices/", "/api/orders/"):
            resp = client.post(url, body, content_type="application/json")
            assert resp.status_code == 400, (url, resp.status_code)
            assert "nested too deep" in resp.json()["detail"], (url, resp.content[:200])
