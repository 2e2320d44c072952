"""认证签名 on the platform: closing an order after a passed re-test issues an attestation that verifies offline
(the engine's verifier, the platform's public key); the public endpoint serves it with the signed checkpoint and a
consistency proof; a later failed test of the same APK revokes it (a revocation leaf in the log); the store view
shows each listing's status; log rows are append-only; a signing failure never stops an order from closing."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import platform_factories as pf
from django.test import TestCase, TransactionTestCase, override_settings
from rest_framework.test import APIClient

from appwarden.attest import merkle
from appwarden.attest.keys import load_verify_key, public_pem
from appwarden.attest.log import checkpoint_signed_by, parse_checkpoint
from appwarden.attest.verify import verify_bundle
from appwarden.platform.attestation import services as att_services
from appwarden.platform.attestation.models import Attestation, Checkpoint, LogEntry
from appwarden.platform.core import storage
from appwarden.platform.enforcement import workflow
from appwarden.platform.testing import engine, services


class AttestationCase(TestCase):
    def setUp(self):
        self.engine = pf.ReportEngine()
        engine.use_engine(self.engine)
        self.addCleanup(engine.use_engine, None)
        self.reviewer = pf.user("reviewer")
        self.company = pf.company("认证测试有限公司")
        self.company_user = pf.user("company", company=self.company)
        self.store = pf.store("甲应用市场")
        self.other_store = pf.store("乙应用商店")
        self.store_user = pf.user("store", store=self.store)
        findings = [pf.finding("pi.pre_consent", ["RD-3.1", "M164-1.1"], notice_types=["M337-1"])]
        self.v1 = self.register(pf.fixture_apk("minimal.apk"), findings)
        self.job = pf.scanned_job(self.reviewer, self.v1, company=self.company)
        for f in self.job.findings.all():
            services.review_finding(f, user=self.reviewer, action="confirm", reason="确认")
        self.app = self.job.app_version.app
        pf.listing(self.store, self.app)
        self.v2 = pf.fixture_apk("v2_only.apk")
        self.v2_sha = hashlib.sha256(self.v2).hexdigest()

    def register(self, data: bytes, findings: list, **kw) -> bytes:
        self.engine.add_apk(data, findings, label="认证应用", **kw)
        rep = self.engine.by_sha[hashlib.sha256(data).hexdigest()]
        rep.update(rules_evaluated=True, generated_at="2026-12-01T00:00:00Z")
        rep["engine"]["rules_version"] = "test"
        return data

    def close_after_passed_retest(self, **close_settings):
        order = workflow.issue_order(
            self.job.app_version, list(self.job.findings.all()), user=self.reviewer, reason="检测发现问题"
        )
        self.register(self.v2, [], version_name="1.1")
        workflow.respond(order, user=self.company_user, explanation="已整改", apk=self.v2)
        retest = workflow.start_retest(order, user=self.reviewer, reason="复测")
        services.run_scan(retest.job_id)
        order.refresh_from_db()
        with override_settings(**close_settings):
            workflow.close(order, user=self.reviewer, reason="复测通过")
        order.refresh_from_db()
        return order

    def trusted(self):
        att_services.platform_key()
        from django.conf import settings

        return [load_verify_key(settings.DATA_DIR / "attest" / "attest.pub")]


class IssueAndServeTests(AttestationCase):
    def test_closing_after_a_passed_retest_issues_a_verifiable_attestation(self):
        order = self.close_after_passed_retest()
        self.assertEqual(order.state, "closed")
        att = Attestation.objects.get()
        self.assertEqual((att.apk_sha256, att.result, att.order_id), (self.v2_sha, "PASSED", order.pk))
        verdict = verify_bundle(att.bundle, storage.path_for(self.v2_sha), self.trusted())
        self.assertTrue(verdict.ok, verdict.reason)
        self.assertEqual(verdict.details["package"], "com.example.fixture")
        # the same bundle does not verify for the tested (unfixed) version of the app, nor after its validity
        self.assertEqual(
            verify_bundle(att.bundle, storage.path_for(self.job.sha256), self.trusted()).code, "apk-modified"
        )
        late = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
        self.assertEqual(
            verify_bundle(att.bundle, storage.path_for(self.v2_sha), self.trusted(), at=late).code, "expired"
        )

    def test_public_endpoint_serves_bundle_checkpoint_and_consistency(self):
        self.close_after_passed_retest()
        # a second attestation grows the log after the first bundle's checkpoint
        att_services.issue(
            Attestation.objects.get().job, now=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)
        )
        client = APIClient()  # anonymous
        resp = client.get(f"/api/attestations/{self.v2_sha.upper()}/")
        self.assertEqual(resp.status_code, 200, resp.content)
        data = resp.json()
        self.assertEqual(data["apk_sha256"], self.v2_sha)
        self.assertEqual([a["status"] for a in data["attestations"]], ["valid", "valid"])
        latest = parse_checkpoint(data["log"]["checkpoint"])
        self.assertEqual(latest.size, 2)
        self.assertIsNotNone(checkpoint_signed_by(latest, self.trusted()))
        first = data["attestations"][0]
        cp = parse_checkpoint(
            first["bundle"]["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["checkpoint"]
        )
        proof = [bytes.fromhex(h) for h in first["consistency"]["hashes"]]
        self.assertEqual((cp.size, first["consistency"]["new_size"]), (1, 2))
        self.assertTrue(merkle.verify_consistency(cp.size, latest.size, cp.root, latest.root, proof))
        self.assertTrue(verify_bundle(first["bundle"], storage.path_for(self.v2_sha), self.trusted()).ok)

    def test_endpoint_errors(self):
        client = APIClient()
        self.assertEqual(client.get("/api/attestations/not-a-sha/").status_code, 400)
        resp = client.get(f"/api/attestations/{'0' * 64}/")
        self.assertEqual(resp.status_code, 404)
        self.assertIn("no attestation", resp.json()["detail"])
        self.assertEqual(client.post(f"/api/attestations/{'0' * 64}/").status_code, 405)


class RevocationTests(AttestationCase):
    def test_a_later_failed_test_of_the_same_apk_revokes(self):
        self.close_after_passed_retest()
        att = Attestation.objects.get()
        # a later test of the same APK (here: as another app type, so not a reused result) finds a problem
        self.register(
            self.v2, [pf.finding("perm.over", ["M164-2.1"], notice_types=["M337-7"])], version_name="1.1"
        )
        job = services.queue_job(self.v2_sha, user=self.reviewer, allow_duplicate=True, category="N39-06")
        services.run_scan(job.pk)
        att.refresh_from_db()
        self.assertEqual(att.status(), "revoked")
        self.assertIn("复测未通过", att.revoke_reason)
        entries = list(LogEntry.objects.order_by("index"))
        self.assertEqual([e.kind for e in entries], ["attestation", "revocation"])
        data = APIClient().get(f"/api/attestations/{self.v2_sha}/").json()
        self.assertEqual(data["attestations"][0]["status"], "revoked")
        self.assertEqual(data["revocations"][0]["leaf"]["revokes"], att.payload_sha256)
        # the whole database log is consistent: every checkpoint signed, matching its prefix, consistent with the last
        hashes = [merkle.leaf_hash(bytes(e.body)) for e in entries]
        previous = None
        for row in Checkpoint.objects.order_by("size"):
            cp = parse_checkpoint(row.envelope)
            self.assertIsNotNone(checkpoint_signed_by(cp, self.trusted()))
            self.assertEqual(merkle.root_hash(hashes[: cp.size]), cp.root)
            if previous:
                proof = merkle.consistency_proof(hashes[: cp.size], previous.size)
                self.assertTrue(
                    merkle.verify_consistency(previous.size, cp.size, previous.root, cp.root, proof)
                )
            previous = cp

    def test_opening_a_case_on_the_apk_revokes(self):
        att = att_services.issue(self.job)  # an attestation of the tested version, before any case
        self.assertIsNone(att.revoked_at)
        order = workflow.issue_order(
            self.job.app_version, list(self.job.findings.all()), user=self.reviewer, reason="检测发现问题"
        )
        att.refresh_from_db()
        self.assertEqual(att.status(), "revoked")
        self.assertIn(order.number, att.revoke_reason)
        self.assertEqual(list(LogEntry.objects.values_list("kind", flat=True)), ["attestation", "revocation"])

    def test_a_failed_revocation_never_stops_opening_a_case_or_a_scan(self):
        att = att_services.issue(self.job)
        with override_settings(
            APPWARDEN_ATTEST_KEY="/nonexistent/attest.key", APPWARDEN_ATTEST_FAIL_ON="bogus"
        ):
            order = workflow.issue_order(
                self.job.app_version, list(self.job.findings.all()), user=self.reviewer, reason="检测发现问题"
            )
            job = services.queue_job(
                self.job.sha256, user=self.reviewer, allow_duplicate=True, category="N39-06"
            )
            self.assertEqual(services.run_scan(job.pk), "done")
        self.assertEqual(order.state, "issued")
        att.refresh_from_db()
        self.assertIsNone(att.revoked_at)  # nothing could be signed: the attestation stays as it was
        self.assertEqual(LogEntry.objects.count(), 1)

    def test_log_rows_are_append_only(self):
        self.close_after_passed_retest()
        entry = LogEntry.objects.get()
        entry.kind = "revocation"
        with self.assertRaises(ValueError):
            entry.save()
        with self.assertRaises(ValueError):
            Checkpoint.objects.get().delete()

    def test_a_signing_failure_does_not_stop_closing(self):
        with override_settings(APPWARDEN_ATTEST_KEY="/nonexistent/attest.key"):
            order = self.close_after_passed_retest()
        self.assertEqual(order.state, "closed")
        self.assertFalse(Attestation.objects.exists())
        self.assertFalse(LogEntry.objects.exists())


class SandboxTests(AttestationCase):
    def test_the_stored_apk_is_read_in_a_limited_child_not_the_web_process(self):
        # a limit no child can meet: the identity read runs in the sandbox, is killed, and the order still closes
        order = self.close_after_passed_retest(APPWARDEN_UPLOAD_CHECK_TIMEOUT=0.001)
        self.assertEqual(order.state, "closed")
        self.assertFalse(Attestation.objects.exists())
        sha, signers = att_services.stored_apk_identity(storage.path_for(self.v2_sha))
        self.assertEqual(sha, self.v2_sha)
        self.assertEqual(len(signers), 1)


class StaffApiTests(AttestationCase):
    """Staff attest a passed check (e.g. 上架前检测) and revoke through the API; others cannot."""

    def test_issue_and_revoke(self):
        from appwarden.platform.core.models import AuditLog

        self.register(self.v2, [], version_name="1.1")
        passed = pf.scanned_job(self.reviewer, self.v2, company=self.company)
        staff, company = APIClient(), APIClient()
        staff.force_authenticate(self.reviewer)
        company.force_authenticate(self.company_user)
        body = {"job": passed.pk, "reason": "上架前检测通过"}
        self.assertEqual(company.post("/api/attestations/issue/", body, format="json").status_code, 403)
        self.assertIn(
            APIClient().post("/api/attestations/issue/", body, format="json").status_code, (401, 403)
        )
        resp = staff.post("/api/attestations/issue/", {"job": passed.pk, "reason": " "}, format="json")
        self.assertEqual(resp.status_code, 400)
        resp = staff.post("/api/attestations/issue/", body, format="json")
        self.assertEqual(resp.status_code, 201, resp.content)
        data = resp.json()
        self.assertEqual((data["status"], data["result"]), ("valid", "PASSED"))
        self.assertTrue(verify_bundle(data["bundle"], storage.path_for(self.v2_sha), self.trusted()).ok)
        self.assertTrue(AuditLog.objects.filter(action="attest", reason="上架前检测通过").exists())
        self.assertEqual(staff.post("/api/attestations/issue/", body, format="json").status_code, 409)
        failed = {"job": self.job.pk, "reason": "x"}  # the tested version has findings
        resp = staff.post("/api/attestations/issue/", failed, format="json")
        self.assertEqual(resp.status_code, 409)
        self.assertIn("did not pass", resp.json()["detail"])
        self.assertEqual(
            staff.post("/api/attestations/issue/", {"job": 99999, "reason": "x"}).status_code, 404
        )
        revoke = {"attestation": data["id"], "reason": "证书吊销 key rotated"}
        self.assertEqual(company.post("/api/attestations/revoke/", revoke, format="json").status_code, 403)
        resp = staff.post("/api/attestations/revoke/", revoke, format="json")
        self.assertEqual(resp.status_code, 200, resp.content)
        self.assertEqual(resp.json()["status"], "revoked")
        self.assertEqual(staff.post("/api/attestations/revoke/", revoke, format="json").status_code, 409)
        public = APIClient().get(f"/api/attestations/{self.v2_sha}/").json()
        self.assertEqual(public["attestations"][0]["revoke_reason"], "证书吊销 key rotated")

    def test_a_passing_job_whose_analysis_did_not_complete_is_not_attested(self):
        # a packed build: no code findings because its real code is encrypted; a 认证 would vouch for it
        self.register(self.v2, [], version_name="1.1")
        job = pf.scanned_job(self.reviewer, self.v2, company=self.company)
        job.report = {
            **job.report,
            "errors": [
                {"stage": "dex", "message": "app is packed with 360 Jiagu: its real code is encrypted"}
            ],
        }
        job.save(update_fields=["report"])
        staff = APIClient()
        staff.force_authenticate(self.reviewer)
        resp = staff.post("/api/attestations/issue/", {"job": job.pk, "reason": "上架前检测"}, format="json")
        self.assertEqual(resp.status_code, 409, resp.content)
        self.assertIn("分析未完成", resp.json()["detail"])
        self.assertFalse(Attestation.objects.filter(job=job).exists())


class StoreViewTests(AttestationCase):
    def test_store_sees_its_listings_status(self):
        client = self.client
        client.force_login(self.store_user)
        resp = client.get("/attestations/store/")
        self.assertContains(resp, "未认证 not certified")
        self.close_after_passed_retest()
        resp = client.get("/attestations/store/")
        self.assertContains(resp, "已认证 certified")
        self.assertContains(resp, self.v2_sha)
        att = Attestation.objects.get()
        att_services.revoke(att, "立案调查 a case was opened")
        resp = client.get("/attestations/store/")
        self.assertContains(resp, "已撤销 revoked")
        self.assertContains(resp, "立案调查")
        # another store's operator does not see this store's listing
        other = pf.user("store", store=self.other_store)
        client.force_login(other)
        self.assertNotContains(client.get("/attestations/store/"), self.app.package)
        client.force_login(self.company_user)
        self.assertEqual(client.get("/attestations/store/").status_code, 403)


class MirrorTests(AttestationCase):
    """The platform's log, mirrored over real HTTP by ``appwarden attest log mirror`` into a directory that the
    CLI's verifier uses: the bundle verifies, then shows revoked after the next mirror; a rewritten platform log
    is caught by the mirror."""

    def serve(self, pages: dict[str, bytes]) -> str:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = pages.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body or b"{}")

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        return f"http://127.0.0.1:{server.server_address[1]}"

    def snapshot(self) -> dict[str, bytes]:
        """The platform's log pages as its public endpoint serves them now."""
        client = APIClient()
        size = client.get("/api/attestations/log/").json()["tree_size"]
        pages = {}
        for start in range(size + 1):  # a mirror may ask from any index
            resp = client.get(f"/api/attestations/log/?start={start}")
            self.assertEqual(resp.status_code, 200)
            pages[f"/api/attestations/log/?start={start}"] = resp.content
        return pages

    def test_mirror_verify_revoke_and_detect_a_rewrite(self):
        import tempfile
        from pathlib import Path

        from appwarden.cli import main

        tmp = Path(tempfile.mkdtemp(prefix="attest-mirror-"))
        self.close_after_passed_retest()
        att = Attestation.objects.get()
        (tmp / "bundle.intoto.jsonl").write_text(json.dumps(att.bundle) + "\n")
        (tmp / "apk").write_bytes(self.v2)
        pub = tmp / "platform.pub"
        pub.write_bytes(public_pem(att_services.platform_key().public))
        mirror = tmp / "mirror"
        verify = ["attest", "verify", str(tmp / "apk"), str(tmp / "bundle.intoto.jsonl"), "--trust", str(pub)]
        self.assertEqual(main(["attest", "log", "mirror", self.serve(self.snapshot()), str(mirror)]), 0)
        self.assertEqual(main([*verify, "--log", str(mirror)]), 0)
        att_services.revoke(att, "立案调查 case opened")
        self.assertEqual(main(["attest", "log", "mirror", self.serve(self.snapshot()), str(mirror)]), 0)
        self.assertEqual(main(["attest", "log", "verify", str(mirror)]), 0)
        self.assertEqual(main([*verify, "--log", str(mirror)]), 1)
        # a platform that rewrote its history (another first leaf, re-signed checkpoints) is caught by the mirror
        forged_pages = self.snapshot()
        first = json.loads(forged_pages["/api/attestations/log/?start=0"])
        self.assertEqual(len(first["entries"]), 2)
        fresh = tmp / "fresh"
        self.assertEqual(main(["attest", "log", "mirror", self.serve(forged_pages), str(fresh)]), 0)
        from appwarden.attest import merkle as mk
        from appwarden.attest.log import sign_checkpoint

        key = att_services.platform_key()
        entries = [dict(e) for e in first["entries"]]
        entries[0] = {**entries[0], "body": entries[1]["body"]}  # history rewritten: leaf 0 replaced
        hashes = [mk.leaf_hash(base64.b64decode(e["body"])) for e in entries]
        origin = first["origin"]
        rewritten = {
            **first,
            "start": 2,
            "tree_size": 3,
            "entries": [{"index": 2, "body": entries[1]["body"], "envelope": entries[1]["envelope"]}],
            "checkpoints": [sign_checkpoint(key, origin, 3, mk.root_hash([*hashes, hashes[1]]))],
            "next": None,
        }
        served = self.serve({"/api/attestations/log/?start=2": json.dumps(rewritten).encode()})
        self.assertEqual(main(["attest", "log", "mirror", served, str(fresh)]), 1)


class ConcurrentAppendTests(TransactionTestCase):
    """On PostgreSQL, appends from many connections at once get consecutive indexes and consistent checkpoints
    (the advisory lock); SQLite serialises writers itself and its test database is per-connection in memory."""

    def test_parallel_appends_stay_one_consistent_log(self):
        import unittest

        from django.db import connection

        if connection.vendor != "postgresql":
            raise unittest.SkipTest("needs PostgreSQL (runs in the PostgreSQL suite)")
        from django.db import connections

        from appwarden.attest.dsse import INTOTO_PAYLOAD_TYPE, sign_envelope
        from appwarden.attest.log import attestation_leaf

        key = att_services.platform_key()
        errors: list[BaseException] = []

        def worker(n: int) -> None:
            try:
                for i in range(3):
                    env = sign_envelope(f"payload {n}-{i}".encode(), INTOTO_PAYLOAD_TYPE, [key])
                    body = attestation_leaf(env, f"{n:064x}", "PASSED", "2026-12-06T00:00:00Z")
                    att_services.DbLog(key).append(body, env, key)
            except BaseException as exc:  # reported below
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        self.assertEqual(errors, [])
        self.assertEqual(
            list(LogEntry.objects.order_by("index").values_list("index", flat=True)), list(range(18))
        )
        hashes = [
            merkle.leaf_hash(bytes(b))
            for b in LogEntry.objects.order_by("index").values_list("body", flat=True)
        ]
        sizes = []
        for row in Checkpoint.objects.order_by("size"):
            cp = parse_checkpoint(row.envelope)
            self.assertEqual(merkle.root_hash(hashes[: cp.size]), cp.root)
            sizes.append(cp.size)
        self.assertEqual(sizes, list(range(1, 19)))
