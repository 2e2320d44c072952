"""Regulators' user pages (``/users/``) and the account service behind them and ``platform-user``: only
regulators get in; create / edit / deactivate / reactivate / reset with their validation errors; the last active
regulator is protected; every change is audited with before/after and no password material; a deactivated user
can no longer log in. Runs on SQLite and, through ``test_services.py``, on PostgreSQL."""

from __future__ import annotations

import json

import platform_factories as pf
from django.contrib.auth import get_user_model
from django.test import Client, TestCase
from rest_framework.test import APIClient

from appwarden.platform.core import tokens, users
from appwarden.platform.core.models import AuditLog, Profile

STRONG = "Kite-harbour-71"
OTHER_STRONG = "Lantern-meadow-58"


class UserPagesCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.regulator = pf.user("regulator")
        cls.reviewer = pf.user("reviewer")
        cls.company = pf.company("甲公司")
        cls.other_company = pf.company("乙公司")
        cls.store = pf.store("A店")
        cls.company_user = pf.user("company", company=cls.company)
        cls.store_user = pf.user("store", store=cls.store)

    def setUp(self):
        self.c = Client()
        self.c.force_login(self.regulator)

    def rows(self, user) -> list[AuditLog]:
        return list(
            AuditLog.objects.filter(model="auth.user", object_id=str(user.pk), action__startswith="user_")
        )

    def create(self, **data):
        body = {
            "username": "newco",
            "password": STRONG,
            "role": "company",
            "company": self.company.pk,
            **data,
        }
        return self.c.post("/users/new/", body)


class AccessTests(UserPagesCase):
    PAGES = ("/users/", "/users/new/", "/users/{pk}/")
    POSTS = ("/users/new/", "/users/{pk}/", "/users/{pk}/active/", "/users/{pk}/password/")

    def test_non_regulators_get_403(self):
        for user in (self.reviewer, self.company_user, self.store_user, pf.user("reviewer", name="norole")):
            if user.username == "norole":
                Profile.objects.filter(user=user).delete()
            c = Client()
            c.force_login(user)
            for page in self.PAGES:
                self.assertEqual(c.get(page.format(pk=self.regulator.pk)).status_code, 403, (user, page))
            for page in self.POSTS:
                url = page.format(pk=self.regulator.pk)
                resp = c.post(url, {"active": "0", "password": STRONG, "role": "reviewer"})
                self.assertEqual(resp.status_code, 403, (user, page))
            self.assertNotContains(c.get("/registry/apps/"), 'id="nav-users"')
        self.regulator.refresh_from_db()
        self.assertTrue(self.regulator.is_active)
        self.assertEqual(self.rows(self.regulator), [])

    def test_anonymous_is_sent_to_login(self):
        c = Client()
        for page in (*self.PAGES, *self.POSTS):
            resp = c.get(page.format(pk=self.regulator.pk))
            self.assertEqual(resp.status_code, 302, page)
            self.assertTrue(resp["Location"].startswith("/login/"), page)

    def test_superuser_is_a_regulator_here_and_nav_link_shows(self):
        admin = get_user_model().objects.create_superuser("root", password=STRONG)
        c = Client()
        c.force_login(admin)
        self.assertContains(c.get("/users/"), 'id="nav-users"')
        self.assertContains(self.c.get("/"), 'id="nav-users"')

    def test_forms_need_csrf(self):
        c = Client(enforce_csrf_checks=True)
        c.force_login(self.regulator)
        self.assertEqual(c.post(f"/users/{self.reviewer.pk}/active/", {"active": "0"}).status_code, 403)
        self.reviewer.refresh_from_db()
        self.assertTrue(self.reviewer.is_active)


class ListTests(UserPagesCase):
    def test_list_filter_and_search(self):
        self.company_user.first_name, self.company_user.last_name = "三", "张"
        self.company_user.save()
        page = self.c.get("/users/").content.decode()
        for u in (self.regulator, self.reviewer, self.company_user, self.store_user):
            self.assertIn(u.username, page)
        self.assertIn("甲公司", page)
        self.assertIn("A店", page)
        self.assertIn("三 张", page)
        only = self.c.get("/users/?role=company").content.decode()
        self.assertIn(self.company_user.username, only)
        self.assertNotIn(self.reviewer.username, only)
        found = self.c.get(f"/users/?q={self.store_user.username.upper()}").content.decode()
        self.assertIn(self.store_user.username, found)
        self.assertNotIn(self.company_user.username, found)


class CreateTests(UserPagesCase):
    def test_create_company_user_who_logs_in_and_is_audited(self):
        resp = self.create()
        user = get_user_model().objects.get(username="newco")
        self.assertRedirects(resp, f"/users/{user.pk}/")
        self.assertEqual(
            (user.profile.role, user.profile.company, user.profile.store), ("company", self.company, None)
        )
        self.assertTrue(Client().login(username="newco", password=STRONG))
        (row,) = self.rows(user)
        self.assertEqual((row.action, row.actor), ("user_create", self.regulator))
        self.assertIsNone(row.data["before"])
        self.assertEqual(row.data["after"]["company_id"], self.company.pk)

    def test_validation_errors(self):
        cases = [
            ({"company": ""}, "role company needs a company"),
            ({"role": "store", "company": ""}, "role store needs a store"),
            ({"username": self.reviewer.username.upper()}, "is taken"),
            ({"password": "short"}, "too short"),
            ({"password": "password123"}, "too common"),
            ({"password": "newco-1x"}, "too similar"),
            ({"username": "bad name!"}, "Enter a valid username"),
            ({"role": "admin"}, "Select a valid choice"),
        ]
        for data, message in cases:
            resp = self.create(**data)
            self.assertEqual(resp.status_code, 200, data)
            self.assertContains(resp, message, msg_prefix=str(data))
            self.assertNotContains(resp, STRONG)
        self.assertFalse(get_user_model().objects.filter(username__iexact="newco").exists())

    def test_staff_role_drops_a_binding(self):
        self.create(username="rev2", role="reviewer", store=self.store.pk)
        profile = Profile.objects.get(user__username="rev2")
        self.assertEqual((profile.role, profile.company, profile.store), ("reviewer", None, None))


class EditTests(UserPagesCase):
    def test_change_role_and_binding_with_before_and_after(self):
        url = f"/users/{self.company_user.pk}/"
        self.assertContains(self.c.get(url), "甲公司")
        resp = self.c.post(url, {"role": "company", "company": self.other_company.pk})
        self.assertRedirects(resp, url)
        resp = self.c.post(url, {"role": "store", "company": self.other_company.pk, "store": self.store.pk})
        profile = Profile.objects.get(user=self.company_user)
        self.assertEqual((profile.role, profile.company, profile.store), ("store", None, self.store))
        resp = self.c.post(url, {"role": "company"})
        self.assertContains(resp, "role company needs a company")
        first, second = reversed(self.rows(self.company_user))
        self.assertEqual(first.data["before"]["company_id"], self.company.pk)
        self.assertEqual(first.data["after"]["company_id"], self.other_company.pk)
        self.assertEqual((second.data["before"]["role"], second.data["after"]["role"]), ("company", "store"))
        self.assertEqual(second.actor, self.regulator)

    def test_deactivate_blocks_login_and_reactivate_restores_it(self):
        c = Client()
        self.assertTrue(c.login(username=self.reviewer.username, password=pf.PASSWORD))
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(self.reviewer)}")
        self.assertEqual(api.get("/api/me/").status_code, 200)
        self.c.post(f"/users/{self.reviewer.pk}/active/", {"active": "0"})
        self.reviewer.refresh_from_db()
        self.assertFalse(self.reviewer.is_active)
        self.assertEqual(c.get("/").status_code, 302)  # the open session is gone too
        self.assertEqual(api.get("/api/me/").status_code, 401)  # and the API token
        self.assertFalse(Client().login(username=self.reviewer.username, password=pf.PASSWORD))
        resp = Client().post("/login/", {"username": self.reviewer.username, "password": pf.PASSWORD})
        self.assertEqual(resp.status_code, 200)  # the login form again, not a redirect
        self.assertIn(self.reviewer.username, self.c.get("/users/").content.decode())  # kept, not deleted
        self.c.post(f"/users/{self.reviewer.pk}/active/", {"active": "1"})
        self.assertTrue(Client().login(username=self.reviewer.username, password=pf.PASSWORD))
        actions = [r.action for r in reversed(self.rows(self.reviewer))]
        self.assertEqual(actions, ["user_deactivate", "user_reactivate"])
        self.assertEqual(self.rows(self.reviewer)[0].data["before"]["is_active"], False)

    def test_reset_password(self):
        url = f"/users/{self.store_user.pk}/password/"
        resp = self.c.post(url, {"password": "1234"})
        self.assertContains(resp, "too short")
        self.assertTrue(Client().login(username=self.store_user.username, password=pf.PASSWORD))
        self.assertRedirects(self.c.post(url, {"password": OTHER_STRONG}), f"/users/{self.store_user.pk}/")
        self.assertFalse(Client().login(username=self.store_user.username, password=pf.PASSWORD))
        self.assertTrue(Client().login(username=self.store_user.username, password=OTHER_STRONG))
        (row,) = self.rows(self.store_user)
        self.assertEqual((row.action, row.data["changed"]), ("user_password", ["password"]))

    def test_reset_password_revokes_the_accounts_api_tokens(self):
        """A reset is what a regulator does when an account may be in other hands: its tokens go with the old
        password (sessions already do); a scripted ensure_user with the same password keeps them."""
        token = tokens.issue(self.store_user, "ci")
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        self.assertEqual(api.get("/api/apps/").status_code, 200)
        users.ensure_user(
            self.store_user.username, role="store", store=self.store_user.profile.store, password=pf.PASSWORD
        )
        self.assertEqual(api.get("/api/apps/").status_code, 200)  # same password: nothing to revoke
        self.c.post(f"/users/{self.store_user.pk}/password/", {"password": OTHER_STRONG})
        self.assertEqual(api.get("/api/apps/").status_code, 401)
        revoked = AuditLog.objects.filter(action="token_revoke", object_id=str(self.store_user.pk))
        self.assertEqual([r.data["revoked"] for r in revoked], [1])

    def test_own_password_reset_keeps_the_session(self):
        self.c.post(f"/users/{self.regulator.pk}/password/", {"password": OTHER_STRONG})
        self.assertEqual(self.c.get("/users/").status_code, 200)


class LastRegulatorTests(UserPagesCase):
    def test_cannot_deactivate_self_or_drop_own_role(self):
        resp = self.c.post(f"/users/{self.regulator.pk}/active/", {"active": "0"}, follow=True)
        self.assertContains(resp, "you cannot deactivate yourself")
        resp = self.c.post(f"/users/{self.regulator.pk}/", {"role": "reviewer"})
        self.assertContains(resp, "drop your own regulator role")
        self.regulator.refresh_from_db()
        self.assertTrue(self.regulator.is_active)
        self.assertEqual(self.regulator.profile.role, "regulator")

    def test_at_least_one_active_regulator_remains(self):
        other = pf.user("regulator")
        self.c.post(f"/users/{other.pk}/active/", {"active": "0"})
        other.refresh_from_db()
        self.assertFalse(other.is_active)  # another regulator remains: allowed
        with self.assertRaisesMessage(users.UserAdminError, "at least one active regulator must remain"):
            users.change_access(self.regulator, is_active=False, actor=None)
        with self.assertRaisesMessage(users.UserAdminError, "at least one active regulator must remain"):
            users.change_access(self.regulator, role="reviewer", actor=self.reviewer)
        self.c.post(f"/users/{other.pk}/active/", {"active": "1"})
        users.change_access(self.regulator, role="reviewer", actor=other)
        self.assertEqual(Profile.objects.get(user=self.regulator).role, "reviewer")

    def test_superuser_counts_as_regulator_and_keeps_the_role(self):
        admin = get_user_model().objects.create_superuser("root", password=STRONG)
        users.change_access(self.regulator, role="reviewer", actor=admin)
        with self.assertRaisesMessage(users.UserAdminError, "a superuser is always a regulator"):
            users.change_access(admin, role="reviewer", actor=None)
        with self.assertRaisesMessage(users.UserAdminError, "at least one active regulator must remain"):
            users.change_access(admin, is_active=False, actor=None)


class AuditSecrecyTests(UserPagesCase):
    def test_no_password_material_in_the_audit_log(self):
        self.create()
        user = get_user_model().objects.get(username="newco")
        hash_at_create = user.password
        self.c.post(f"/users/{user.pk}/password/", {"password": OTHER_STRONG})
        self.c.post(f"/users/{user.pk}/", {"role": "reviewer"})
        self.c.post(f"/users/{user.pk}/active/", {"active": "0"})
        user.refresh_from_db()
        dumped = json.dumps(
            [[r.data, r.summary, r.reason] for r in AuditLog.objects.all()], ensure_ascii=False
        )
        for secret in (STRONG, OTHER_STRONG, hash_at_create, user.password, hash_at_create.split("$")[-1]):
            self.assertNotIn(secret, dumped)
        actions = [r.action for r in reversed(self.rows(user))]
        self.assertEqual(actions, ["user_create", "user_password", "user_update", "user_deactivate"])


class CommandServiceTests(TestCase):
    """``ensure_user`` (the ``platform-user`` command) applies the same binding rules and is audited."""

    def test_ensure_user_creates_updates_and_checks_binding(self):
        company = pf.company()
        with self.assertRaisesMessage(users.UserAdminError, "role company needs a company"):
            users.ensure_user("cli1", role="company", company=999999, password="x")
        user = users.ensure_user("cli1", role="company", company=company.pk, password="pw-cli1")
        self.assertEqual(user.profile.company, company)
        users.ensure_user("cli1", role="store", store=pf.store().pk, password="pw-cli1b")
        self.assertEqual(Profile.objects.get(user=user).role, "store")
        self.assertTrue(Client().login(username="cli1", password="pw-cli1b"))
        actions = [r.action for r in AuditLog.objects.filter(model="auth.user", action__startswith="user_")]
        self.assertEqual(actions, ["user_password", "user_update", "user_create"])
