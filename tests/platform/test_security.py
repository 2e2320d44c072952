"""Accounts and data (issue #17 part 3), each through the real HTTP stack: login lockout on the web form and
``/api/token/``, API tokens stored hashed (and the migration that hashes old ones), a private data directory and
database, deploy settings from the environment, the public complaint form throttled like the API, and 404 for
every object a user may not see (no existence oracle)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import platform_factories as pf
from django.conf import settings
from django.db import connection
from django.test import Client, TestCase, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from appwarden.platform.core import tokens
from appwarden.platform.core.models import ApiToken, AuditLog, LoginThrottle

ROOT = Path(__file__).resolve().parents[2]
LIMIT = settings.APPWARDEN_LOGIN_MAX_FAILURES


def _web_login(password: str, username: str, ip: str = "127.0.0.1") -> tuple[Client, object]:
    client = Client(REMOTE_ADDR=ip)
    resp = client.post("/login/", {"username": username, "password": password})
    return client, resp


def _api_login(password: str, username: str, ip: str = "127.0.0.1"):
    return APIClient(REMOTE_ADDR=ip).post("/api/token/", {"username": username, "password": password})


class LoginLockoutTests(TestCase):
    def setUp(self):
        self.user = pf.user("reviewer")
        self.name = self.user.username

    def assert_logged_in(self, client: Client) -> None:
        self.assertEqual(client.get("/").status_code, 200)

    def test_web_forty_wrong_then_right_is_refused(self):
        for i in range(40):
            _client, resp = _web_login(f"wrong-{i}", self.name)
            self.assertIn(resp.status_code, (200, 429))
        client, resp = _web_login(pf.PASSWORD, self.name)
        self.assertEqual(resp.status_code, 429)
        body = resp.content.decode()
        self.assertIn("登录失败次数过多", body)
        self.assertIn('id="login-locked"', body)
        self.assertEqual(client.get("/").status_code, 302)  # not logged in
        # the lock is per username + address: the same account from another address still logs in
        other, resp = _web_login(pf.PASSWORD, self.name, ip="10.9.8.7")
        self.assertEqual(resp.status_code, 302)
        self.assert_logged_in(other)

    def test_web_lock_starts_at_the_limit(self):
        for i in range(LIMIT - 1):
            _c, resp = _web_login(f"wrong-{i}", self.name)
            self.assertEqual(resp.status_code, 200)
            self.assertIn("用户名或密码错误", resp.content.decode())
        _c, resp = _web_login("wrong-last", self.name)
        self.assertEqual(resp.status_code, 429)  # the failure that reaches the limit locks
        row = LoginThrottle.objects.get(username=self.name.lower(), ip="127.0.0.1")
        self.assertGreater(row.locked_until, timezone.now() + dt.timedelta(minutes=1))
        self.assertTrue(AuditLog.objects.filter(action="login_locked").exists())

    def test_success_resets_the_count(self):
        for _round in range(3):
            for i in range(LIMIT - 1):
                _web_login(f"wrong-{i}", self.name)
            _client, resp = _web_login(pf.PASSWORD, self.name)
            self.assertEqual(resp.status_code, 302)
        self.assertFalse(LoginThrottle.objects.exists())

    def test_api_token_lockout_and_shared_counter_with_web(self):
        for i in range(LIMIT - 2):
            self.assertEqual(_web_login(f"wrong-{i}", self.name)[1].status_code, 200)
        resp = _api_login("wrong", self.name)
        self.assertEqual((resp.status_code, resp.json()["code"]), (400, "credentials"))
        resp = _api_login("wrong-again", self.name)
        self.assertEqual((resp.status_code, resp.json()["code"]), (429, "locked"))
        resp = _api_login(pf.PASSWORD, self.name)
        self.assertEqual(resp.status_code, 429)
        self.assertIn("登录失败次数过多", resp.json()["detail"])
        self.assertNotIn("token", resp.json())
        self.assertEqual(_api_login(pf.PASSWORD, self.name, ip="10.1.1.1").status_code, 200)

    def test_unknown_username_is_throttled_too(self):
        for i in range(LIMIT):
            _api_login(f"wrong-{i}", "no-such-user")
        self.assertEqual(_api_login("x", "NO-SUCH-USER").status_code, 429)  # case-insensitive key

    def test_lock_expires(self):
        for i in range(LIMIT):
            _api_login(f"wrong-{i}", self.name)
        self.assertEqual(_api_login(pf.PASSWORD, self.name).status_code, 429)
        LoginThrottle.objects.update(locked_until=timezone.now() - dt.timedelta(seconds=1))
        self.assertEqual(_api_login(pf.PASSWORD, self.name).status_code, 200)

    def test_regulator_unlocks_on_the_user_page(self):
        for i in range(LIMIT):
            _web_login(f"wrong-{i}", self.name)
        regulator = pf.user("regulator")
        staff = Client()
        staff.force_login(regulator)
        page = staff.get(f"/users/{self.user.pk}/").content.decode()
        self.assertIn('id="unlock-form"', page)
        self.assertIn("127.0.0.1", page)
        # a company user cannot unlock
        company_user = Client()
        company_user.force_login(pf.user("company", company=pf.company()))
        self.assertEqual(company_user.post(f"/users/{self.user.pk}/unlock/").status_code, 403)
        self.assertEqual(_web_login(pf.PASSWORD, self.name)[1].status_code, 429)
        resp = staff.post(f"/users/{self.user.pk}/unlock/")
        self.assertEqual(resp.status_code, 302)
        self.assertNotIn('id="unlock-form"', staff.get(f"/users/{self.user.pk}/").content.decode())
        self.assertTrue(AuditLog.objects.filter(action="login_unlock", actor=regulator).exists())
        client, resp = _web_login(pf.PASSWORD, self.name)
        self.assertEqual(resp.status_code, 302)
        self.assert_logged_in(client)

    def test_password_reset_lifts_the_lock(self):
        for i in range(LIMIT):
            _web_login(f"wrong-{i}", self.name)
        self.assertEqual(_web_login(pf.PASSWORD, self.name)[1].status_code, 429)
        staff = Client()
        staff.force_login(pf.user("regulator"))
        resp = staff.post(f"/users/{self.user.pk}/password/", {"password": "Fresh-passw0rd-17"})
        self.assertEqual(resp.status_code, 302)
        self.assertEqual(_web_login("Fresh-passw0rd-17", self.name)[1].status_code, 302)

    def test_stale_counters_are_purged(self):
        from appwarden.platform.core import lockout

        _api_login("wrong", self.name)
        _api_login("wrong", "someone-else")
        for i in range(LIMIT):
            _api_login(f"wrong-{i}", "locked-one")
        old = timezone.now() - dt.timedelta(minutes=settings.APPWARDEN_LOGIN_WINDOW_MINUTES + 1)
        LoginThrottle.objects.exclude(username="locked-one").update(window_start=old)
        self.assertEqual(lockout.purge_stale(), 2)
        self.assertEqual(list(LoginThrottle.objects.values_list("username", flat=True)), ["locked-one"])


class HashedTokenTests(TestCase):
    def setUp(self):
        self.user = pf.user("reviewer")

    def test_token_endpoint_token_is_stored_only_as_its_hash(self):
        resp = _api_login(pf.PASSWORD, self.user.username)
        self.assertEqual(resp.status_code, 200)
        token = resp.json()["token"]
        self.assertGreaterEqual(len(token), 40)
        row = ApiToken.objects.get(user=self.user)
        self.assertEqual(row.digest, hashlib.sha256(token.encode()).hexdigest())
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM core_apitoken")
            dump = repr(cursor.fetchall())
            cursor.execute("SELECT * FROM core_auditlog")
            dump += repr(cursor.fetchall())
        self.assertNotIn(token, dump)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        self.assertEqual(api.get("/api/me/").json()["username"], self.user.username)
        # the digest itself is not a token
        api.credentials(HTTP_AUTHORIZATION=f"Token {row.digest}")
        self.assertEqual(api.get("/api/me/").status_code, 401)

    def test_each_request_issues_a_new_token_and_old_ones_keep_working(self):
        first = _api_login(pf.PASSWORD, self.user.username).json()["token"]
        second = _api_login(pf.PASSWORD, self.user.username).json()["token"]
        self.assertNotEqual(first, second)
        for token in (first, second):
            api = APIClient()
            api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
            self.assertEqual(api.get("/api/me/").status_code, 200)
        self.assertEqual(tokens.revoke_all(self.user), 2)
        api.credentials(HTTP_AUTHORIZATION=f"Token {first}")
        self.assertEqual(api.get("/api/me/").status_code, 401)

    def test_regulator_revokes_a_users_tokens_on_the_user_page(self):
        token = _api_login(pf.PASSWORD, self.user.username).json()["token"]
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        self.assertEqual(api.get("/api/me/").status_code, 200)
        regulator = pf.user("regulator")
        staff = Client()
        staff.force_login(regulator)
        page = staff.get(f"/users/{self.user.pk}/").content.decode()
        self.assertIn('<b id="token-count">1</b>', page)
        self.assertNotIn(token, page)
        other = Client()
        other.force_login(pf.user("reviewer"))
        self.assertEqual(other.post(f"/users/{self.user.pk}/tokens/revoke/").status_code, 403)
        self.assertEqual(staff.post(f"/users/{self.user.pk}/tokens/revoke/").status_code, 302)
        self.assertEqual(api.get("/api/me/").status_code, 401)
        self.assertTrue(AuditLog.objects.filter(action="token_revoke", actor=regulator).exists())

    def test_wrong_password_gets_no_token(self):
        resp = _api_login("wrong", self.user.username)
        self.assertEqual(resp.status_code, 400)
        self.assertIn("用户名或密码错误", resp.json()["detail"])
        self.assertFalse(ApiToken.objects.exists())

    def test_migration_hashes_clear_text_tokens_in_place(self):
        """The data migration on this test database (SQLite or PostgreSQL): a DRF-style clear-text table."""
        from importlib import import_module

        migration = import_module("appwarden.platform.core.migrations.0002_hashed_tokens_login_throttle")
        key = "0123456789abcdef0123456789abcdef01234567"
        with connection.cursor() as cursor:
            cursor.execute(
                'CREATE TABLE authtoken_token ("key" varchar(40) PRIMARY KEY, created timestamp, user_id integer)'
            )
            cursor.execute(
                "INSERT INTO authtoken_token VALUES (%s, %s, %s)", [key, timezone.now(), self.user.pk]
            )
        from django.apps import apps

        migration.hash_existing_tokens(apps, SimpleNamespace(connection=connection))
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM authtoken_token")
            self.assertEqual(cursor.fetchone()[0], 0)
        row = ApiToken.objects.get(user=self.user)
        self.assertEqual(row.digest, hashlib.sha256(key.encode()).hexdigest())
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")  # the client's old token keeps working
        self.assertEqual(api.get("/api/me/").json()["username"], self.user.username)


MIGRATE_OLD_DB = r"""
import os, sys, sqlite3
from appwarden.platform import setup
setup()
from django.core.management import call_command
from django.contrib.auth import get_user_model
from django.db import connection
call_command("migrate", interactive=False, verbosity=0)
call_command("migrate", "core", "0001", interactive=False, verbosity=0)   # a database from before hashing
user = get_user_model().objects.create_user("old-client", password="x")
with connection.cursor() as c:
    c.execute('CREATE TABLE authtoken_token ("key" varchar(40) NOT NULL PRIMARY KEY, '
              'created datetime NOT NULL, user_id integer NOT NULL UNIQUE)')
    c.execute("INSERT INTO authtoken_token VALUES (%s, '2026-01-01 00:00:00', %s)", [sys.argv[1], user.pk])
call_command("migrate", interactive=False, verbosity=0)
from appwarden.platform.core import tokens
assert tokens.user_for(sys.argv[1]).username == "old-client"
with connection.cursor() as c:
    c.execute("SELECT COUNT(*) FROM authtoken_token")
    assert c.fetchone()[0] == 0
connection.close()
print("ok")
"""


def test_migration_path_on_an_old_sqlite_database(tmp_path):
    """``migrate`` on a database holding a DRF clear-text token: afterwards the token works, and neither the
    table nor the database file's bytes hold it."""
    key = "f00dfeedcafe" + "a" * 28
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update({"APPWARDEN_DATA_DIR": str(tmp_path / "data"), "APPWARDEN_SECRET_KEY": "t"})
    proc = subprocess.run(
        [sys.executable, "-c", MIGRATE_OLD_DB, key],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().endswith("ok")
    raw = b"".join(p.read_bytes() for p in (tmp_path / "data").glob("appwarden.sqlite3*"))
    assert key.encode() not in raw
    assert hashlib.sha256(key.encode()).hexdigest().encode() in raw


def _wait_for(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            assert proc.poll() is None, log.read_text()[-2000:]
            time.sleep(0.3)
    raise AssertionError("server did not start: " + log.read_text()[-2000:])


def test_serve_creates_a_private_data_dir_and_database_under_a_permissive_umask(tmp_path):
    data = tmp_path / "fresh" / "data"
    sock = __import__("socket").socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.pop("APPWARDEN_SECRET_KEY", None)
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "appwarden", "serve", "--port", str(port), "--data-dir", str(data)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=lambda: os.umask(0),
        )
        try:
            _wait_for(f"http://127.0.0.1:{port}/login/", proc, log)
            assert data.stat().st_mode & 0o777 == 0o700
            files = sorted(data.glob("appwarden.sqlite3*"))
            assert data / "appwarden.sqlite3" in files
            for path in [*files, data / "secret_key"]:
                assert path.stat().st_mode & 0o777 == 0o600, (path, oct(path.stat().st_mode))
        finally:
            proc.terminate()
            proc.wait(timeout=15)


def test_existing_world_readable_database_is_tightened(tmp_path):
    db = tmp_path / "old.sqlite3"
    sqlite3.connect(db).close()
    os.chmod(db, 0o644)
    from appwarden.platform.core.files import private_sqlite

    private_sqlite(str(db))
    assert db.stat().st_mode & 0o777 == 0o600


def test_storage_root_is_created_private_under_a_permissive_umask(tmp_path):
    from appwarden.platform.core import storage

    root = tmp_path / "blobs"
    old = os.umask(0)
    try:
        with override_settings(APPWARDEN_STORAGE_DIR=root):
            sha, _size = storage.store_bytes(b"apk bytes")
            blob = storage.path_for(sha)
    finally:
        os.umask(old)
    assert root.stat().st_mode & 0o777 == 0o700
    assert blob.stat().st_mode & 0o077 == 0


DEPLOY_CHECK = ["-m", "django", "check", "--deploy", "--fail-level", "CRITICAL"]


def _deploy_check(tmp_path: Path, **extra: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPWARDEN_") and k != "DATABASE_URL"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "appwarden.platform.settings",
            "APPWARDEN_DATA_DIR": str(tmp_path),
            "APPWARDEN_SECRET_KEY": "k" * 60 + "-Long-And-Random-Enough-9f8e7d",
            "APPWARDEN_ALLOWED_HOSTS": "governance.example.cn",
            **extra,
        }
    )
    proc = subprocess.run(
        [sys.executable, *DEPLOY_CHECK], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    return proc.stdout + proc.stderr


def test_deploy_settings_switch_on_by_environment(tmp_path):
    warnings = ("security.W004", "security.W008", "security.W012", "security.W016")
    default = _deploy_check(tmp_path)
    for code in warnings:
        assert code in default, default  # off by default: `serve` on a laptop speaks plain HTTP
    https = _deploy_check(tmp_path, APPWARDEN_HTTPS="1")
    for code in warnings:
        assert code not in https, https
    # each switch alone overrides the umbrella
    partial = _deploy_check(tmp_path, APPWARDEN_HTTPS="1", APPWARDEN_SSL_REDIRECT="0")
    assert "security.W008" in partial and "security.W004" not in partial


class DeploySettingsHttpTests(TestCase):
    @override_settings(
        SECURE_SSL_REDIRECT=True,
        SECURE_HSTS_SECONDS=31536000,
        SESSION_COOKIE_SECURE=True,
        CSRF_COOKIE_SECURE=True,
    )
    def test_redirect_hsts_and_secure_cookies_through_the_stack(self):
        resp = Client().get("/login/")
        self.assertEqual(resp.status_code, 301)
        self.assertTrue(resp["Location"].startswith("https://"))
        resp = Client().get("/login/", secure=True)
        self.assertEqual(resp["Strict-Transport-Security"], "max-age=31536000")
        self.assertTrue(resp.cookies["csrftoken"]["secure"])
        user = pf.user("reviewer")
        resp = Client().post("/login/", {"username": user.username, "password": pf.PASSWORD}, secure=True)
        self.assertEqual(resp.status_code, 302)
        self.assertTrue(resp.cookies["sessionid"]["secure"])


class ComplaintThrottleTests(TestCase):
    """The public web form and status page share the API's budget (30 an hour per address)."""

    FORM = {
        "app_name": "某应用",
        "package": "com.example.app",
        "store_name": "",
        "category": "other",
        "description": "未经同意收集通讯录",
        "reporter_name": "",
        "reporter_contact": "",
    }

    def _post(self, ip: str = "127.0.0.1"):
        return Client(REMOTE_ADDR=ip).post("/complaints/new/", self.FORM)

    def test_web_form_is_throttled_like_the_api(self):
        from appwarden.platform.complaints.models import Complaint

        codes = [self._post().status_code for _ in range(35)]
        self.assertEqual(codes[:30], [200] * 30)
        self.assertEqual(set(codes[30:]), {429})
        self.assertEqual(Complaint.objects.count(), 30)
        refused = self._post()
        self.assertIn("请稍后再试", refused.content.decode())
        self.assertGreater(int(refused["Retry-After"]), 0)
        # the budget is per address and shared with the API
        self.assertEqual(self._post(ip="10.2.3.4").status_code, 200)
        api = APIClient(REMOTE_ADDR="127.0.0.1").post("/api/public/complaints/", self.FORM, format="json")
        self.assertEqual(api.status_code, 429)
        # the form itself still opens
        self.assertEqual(Client().get("/complaints/new/").status_code, 200)

    def test_tracking_number_lookups_are_throttled(self):
        codes = [
            Client().get("/complaints/status/", {"n": f"TS20260101-{i:06d}"}).status_code for i in range(32)
        ]
        self.assertEqual(codes[:30], [200] * 30)
        self.assertEqual(set(codes[30:]), {429})
        api = APIClient().get("/api/public/complaints/TS20260101-000001/")
        self.assertEqual(api.status_code, 429)
        self.assertEqual(
            Client(REMOTE_ADDR="10.2.3.5").get("/complaints/status/", {"n": "x"}).status_code, 200
        )

    def test_logged_in_users_share_the_budget(self):
        client = Client()
        client.force_login(pf.user("reviewer"))
        for _ in range(30):
            client.get("/complaints/status/", {"n": "TS1"})
        self.assertEqual(client.post("/complaints/new/", self.FORM).status_code, 429)


# --- no existence oracle ------------------------------------------------------------------------------------------
METHODS = ("get", "put", "patch", "delete", "post")


class NoExistenceOracleTests(TestCase):
    """A company user asking for another company's object gets exactly what it gets for an id that does not
    exist: 404 with the same body, on every detail and action endpoint of the API and every id-taking web page;
    ids inside request bodies are judged the same way."""

    def setUp(self):
        from appwarden.platform.complaints.models import Complaint
        from appwarden.platform.enforcement import workflow
        from appwarden.platform.enforcement.models import TakedownOrder
        from appwarden.platform.registry.models import Contact, SdkVendor
        from appwarden.platform.testing import engine, services
        from appwarden.platform.testing.models import Batch

        self.engine = pf.ReportEngine()
        engine.use_engine(self.engine)
        self.addCleanup(engine.use_engine, None)
        reviewer, regulator = pf.user("reviewer"), pf.user("regulator")
        self.co_a, self.co_b = pf.company("甲公司"), pf.company("乙公司")
        self.user_a = pf.user("company", company=self.co_a)
        self.stores = {}
        self.own: dict[str, object] = {}
        for key, company in (("a", self.co_a), ("b", self.co_b)):
            rep = pf.report(
                f"com.{key}.app", "1.0", [pf.finding(f"r.{key}1", ["RD-3.1"]), pf.finding("r.2", [])]
            )
            job = pf.scanned_job(reviewer, self.engine.add(key, rep), company=company)
            f1 = job.findings.order_by("rule_id").first()
            services.review_finding(f1, user=reviewer, action="confirm", reason="ok")
            order = workflow.issue_order(job.app_version, [f1], user=reviewer, reason="r")
            self.stores[key] = pf.store(f"{key}店")
            listing = pf.listing(self.stores[key], job.app_version.app)
            TakedownOrder.objects.create(order=order, listing=listing, issued_by=regulator)
            Contact.objects.create(company=company, name=f"联系人{key}")
            SdkVendor.objects.create(name=f"厂商{key}", company=company)
            self.own[key] = {"job": job, "finding": f1, "order": order, "version": job.app_version}
        workflow.create_notice_batch(user=regulator, title="通报")
        Batch.objects.create(name="批次", created_by=reviewer)
        Complaint.objects.create(app_name="x", description="y")
        # a complaint forwarded to company b (issue #21.3)
        from appwarden.platform.complaints import forwarding

        complaint_b = Complaint.objects.create(
            app_name="b", description="z", status="triaged", app=self.own["b"]["version"].app
        )
        forwarding.forward(complaint_b, user=reviewer, instructions="请核实")
        from appwarden.platform.selfcheck.models import SelfAssessment  # company b's self-assessment (#21.3)

        SelfAssessment.objects.create(company=self.co_b, sha256="0" * 64, dedupe_key="k")
        from appwarden.platform.enforcement.models import SdkOrder  # an order to an SDK vendor (issue #21.1)

        sdk_vendor = SdkVendor.objects.create(name="被责令SDK厂商", sdk_ids=["sdk.ordered"])
        SdkOrder.objects.create(number="SDK-T-1", vendor=sdk_vendor, deadline=dt.date(2026, 1, 1))
        from appwarden.platform.notifications.models import (  # a party's notification settings (issue #21.5)
            EmailRecipient,
            Endpoint,
            Notification,
        )

        for party in ({"party_kind": "company", "company": self.co_b}, {"party_kind": "staff"}):
            Endpoint.objects.create(url="https://hooks.example/x", **party)
            EmailRecipient.objects.create(email="x@example.com", **party)
            Notification.objects.create(event="ping", dedupe_key=str(party), subject="s", body="", **party)
        from appwarden.platform.sanctions import services as sanctions  # a measure against company b (#21.6)

        stop_b = {"kind": "stop_access", "start_date": "2026-01-01", "reason": "r"}
        sanctions.issue(self.co_b, {**stop_b, "stores": [self.stores["b"].pk]}, user=regulator)
        self.api = APIClient()
        self.api.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(self.user_a)}")

    def _foreign_and_missing(self, model, user=None) -> tuple[int, int]:
        from appwarden.platform.core.roles import scoped

        visible = scoped(model.objects.all(), user or self.user_a).values_list("pk", flat=True)
        foreign = model.objects.exclude(pk__in=list(visible)).order_by("pk").first()
        self.assertIsNotNone(foreign, f"the test data has no foreign {model.__name__}")
        missing = (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 10_000
        return foreign.pk, missing

    def test_every_api_detail_and_action_endpoint(self):
        self._walk_api(self.api, self.user_a)

    def test_every_api_detail_and_action_endpoint_as_a_store(self):
        store_user = pf.user("store", store=self.stores["a"])
        self.api.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(store_user)}")
        self._walk_api(self.api, store_user)

    def test_every_api_detail_and_action_endpoint_as_an_sdk_vendor(self):
        from appwarden.platform.registry.models import SdkVendor

        vendor = SdkVendor.objects.create(name="SDK厂商甲", sdk_ids=["sdk.walk"])
        vendor_user = pf.user("sdk_vendor", sdk_vendor=vendor)
        self.api.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(vendor_user)}")
        self._walk_api(self.api, vendor_user)

    def test_every_web_page_that_takes_an_id_as_an_sdk_vendor(self):
        from appwarden.platform.registry.models import SdkVendor

        vendor = SdkVendor.objects.create(name="SDK厂商甲", sdk_ids=["sdk.walk"])
        self._walk_web(pf.user("sdk_vendor", sdk_vendor=vendor))

    def _walk_api(self, client, user) -> None:
        from appwarden.platform.api.urls import router

        covered = set()
        for prefix, viewset, _basename in router.registry:
            model = viewset.queryset.model
            foreign, missing = self._foreign_and_missing(model, user)
            routes = [("", m) for m in METHODS if m != "post"]
            for action in viewset.get_extra_actions():
                if action.detail:
                    routes += [(f"{action.url_path}/", m) for m in action.mapping]
            for suffix, method in routes:
                answers = []
                for pk in (foreign, missing):
                    resp = getattr(client, method)(f"/api/{prefix}/{pk}/{suffix}", {}, format="json")
                    answers.append((resp.status_code, resp.content))
                where = f"{method.upper()} /api/{prefix}/<id>/{suffix}"
                self.assertEqual(answers[0], answers[1], where)
                self.assertIn(answers[0][0], (404, 405), where)  # 405: the method is not offered at all
            covered.add(prefix)
        self.assertGreaterEqual(
            covered, {"findings", "notices", "orders", "jobs", "apps", "complaints", "takedowns", "batches"}
        )

    def test_ids_in_request_bodies(self):
        from appwarden.platform.enforcement.models import NoticeBatch
        from appwarden.platform.registry.models import AppVersion
        from appwarden.platform.testing.models import Finding

        own, other = self.own["a"], self.own["b"]
        f_foreign, f_missing = other["finding"].pk, Finding.objects.order_by("-pk").first().pk + 10_000
        v_foreign, v_missing = other["version"].pk, AppVersion.objects.order_by("-pk").first().pk + 10_000
        n_foreign, n_missing = NoticeBatch.objects.get().pk, NoticeBatch.objects.get().pk + 10_000
        cases = [
            (
                "/api/orders/",
                lambda f, v: {"app_version": own["version"].pk, "findings": [f], "reason": "r"},
                (f_foreign, f_missing),
            ),
            (
                "/api/orders/",
                lambda f, v: {"app_version": v, "findings": [own["finding"].pk], "reason": "r"},
                (v_foreign, v_missing),
            ),
            (
                f"/api/orders/{own['order'].pk}/escalate/",
                lambda n, _: {"reason": "r", "notice": n},
                (n_foreign, n_missing),
            ),
        ]
        for url, body, (foreign, missing) in cases:
            answers = []
            for pk in (foreign, missing):
                resp = self.api.post(url, body(pk, pk), format="json")
                answers.append((resp.status_code, re.sub(rf"\b{pk}\b", "<id>", resp.content.decode())))
            self.assertEqual(answers[0], answers[1], url)
            self.assertIn("does not exist", answers[0][1], url)

    def test_every_web_page_that_takes_an_id(self):
        self._walk_web(self.user_a)

    def _walk_web(self, user) -> None:
        from django.urls import URLPattern, URLResolver, get_resolver

        from appwarden.platform.complaints.models import Complaint, ComplaintForward
        from appwarden.platform.enforcement.models import (
            NoticeBatch,
            RectificationOrder,
            SdkOrder,
            TakedownOrder,
        )
        from appwarden.platform.notifications.models import EmailRecipient, Endpoint
        from appwarden.platform.registry.models import App, AppVersion, Company, Store
        from appwarden.platform.sanctions.models import SanctionMeasure
        from appwarden.platform.selfcheck.models import SelfAssessment
        from appwarden.platform.testing.models import Batch, Finding, ScanJob

        def walk(patterns, prefix=""):
            for p in patterns:
                if isinstance(p, URLResolver):
                    if str(p.pattern).startswith("api/"):
                        continue
                    yield from walk(p.url_patterns, prefix + str(p.pattern))
                elif isinstance(p, URLPattern) and "<int:" in str(p.pattern):
                    yield prefix + str(p.pattern)

        # which model a page's <int:pk> names, by the URL's first segment
        models = {
            "testing/jobs": ScanJob,
            "enforcement/issue": ScanJob,
            "testing/findings": Finding,
            "testing/batches": Batch,
            "enforcement/orders": RectificationOrder,
            "enforcement/notices": NoticeBatch,
            "enforcement/takedowns": TakedownOrder,
            "complaints/forwards": ComplaintForward,
            "complaints": Complaint,
            "documents/orders": RectificationOrder,
            "my/selfcheck": SelfAssessment,
            "registry/apps": App,
            "registry/companies": Company,
            "registry/versions": AppVersion,
            "registry/stores": Store,
            "sanctions": SanctionMeasure,
            "early-warning": AppVersion,
            "enforcement/sdk-orders": SdkOrder,
            "my-sdk/orders": SdkOrder,
            "notifications/endpoints": Endpoint,
            "notifications/recipients": EmailRecipient,
        }
        web = Client()
        web.force_login(user)
        pages = sorted(set(walk(get_resolver().url_patterns)))
        self.assertTrue(pages)
        checked = 0
        for pattern in pages:
            model = next((m for k, m in models.items() if pattern.startswith(k + "/")), None)
            if model is None:
                continue  # /users/<pk>/ and others: regulator-only pages, 403 before any lookup
            foreign, missing = self._foreign_and_missing(model, user)
            for method in ("get", "post"):
                answers = []
                for pk in (foreign, missing):
                    url = "/" + re.sub(r"<int:\w+>", str(pk), pattern)
                    url = url.replace("<str:name>", "respond").replace("<str:fmt>", "xlsx")
                    resp = getattr(web, method)(url)
                    answers.append((resp.status_code, resp.content))
                self.assertEqual(answers[0], answers[1], f"{method.upper()} /{pattern}")
                self.assertIn(answers[0][0], (403, 404, 405), f"{method.upper()} /{pattern}")
            checked += 1
        self.assertGreaterEqual(checked, 5)
