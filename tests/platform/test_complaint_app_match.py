"""Triage of a complaint that names a package the platform knows: the complaint page preselects that app in the
triage form (exact package name, never a package that merely starts with it), so saving the triage links it and
the complaint can be forwarded; a complaint naming an unknown package leaves the choice empty as before."""

from __future__ import annotations

import re

import platform_factories as pf
from django.test import Client, TestCase

from appwarden.platform.complaints.models import Complaint
from appwarden.platform.registry.models import App, AppVersion


class ComplaintAppMatchTests(TestCase):
    def setUp(self):
        self.company = pf.company("甲科技有限公司")
        self.shop = App.objects.create(package="com.jia.shop", name="甲商城", company=self.company)
        # a second app whose package starts with the first one's, and two builds of the first one
        self.lite = App.objects.create(package="com.jia.shop.lite", name="甲商城极速版", company=self.company)
        for n, name in enumerate(("1.0", "1.1")):
            AppVersion.objects.create(app=self.shop, sha256=f"{n:064x}", version_name=name)
        self.reviewer = pf.user("reviewer")
        self.client = Client()
        self.assertTrue(self.client.login(username=self.reviewer.username, password=pf.PASSWORD))

    def _file(self, package: str) -> Complaint:
        """A complaint sent through the public form, as a complainant would."""
        resp = Client().post(
            "/complaints/new/",
            {
                "app_name": "甲商城",
                "package": package,
                "store_name": "丙应用市场",
                "category": "collection",
                "description": "未经同意读取通讯录",
            },
        )
        self.assertEqual(resp.status_code, 200)
        return Complaint.objects.get(
            tracking_number=re.search(r"TS\d{8}-[0-9A-F]{6}", resp.content.decode())[0]
        )

    def _selected_app(self, complaint: Complaint) -> str | None:
        html = self.client.get(f"/complaints/{complaint.pk}/").content.decode()
        select = re.search(r'<select name="app"[^>]*>(.*?)</select>', html, re.S)[1]
        chosen = re.findall(r'<option value="(\d+)" selected>', select)
        self.assertLessEqual(len(chosen), 1)
        return chosen[0] if chosen else None

    def test_known_package_is_preselected_and_linked_on_save(self):
        complaint = self._file("com.jia.shop")
        self.assertIsNone(complaint.app)
        self.assertEqual(self._selected_app(complaint), str(self.shop.pk))
        page = self.client.get(f"/complaints/{complaint.pk}/").content.decode()
        self.assertIn("按包名匹配 matched by package", page)
        # the officer saves the triage as proposed: the app is linked, so the complaint can be forwarded
        form = {
            "status": "triaged",
            "priority": "normal",
            "app": self._selected_app(complaint),
            "note": "受理",
        }
        self.client.post(f"/complaints/{complaint.pk}/triage/", form)
        complaint.refresh_from_db()
        self.assertEqual(complaint.app, self.shop)
        self.assertIn('id="forward-form"', self.client.get(f"/complaints/{complaint.pk}/").content.decode())

    def test_the_longer_package_matches_itself_not_its_prefix(self):
        self.assertEqual(self._selected_app(self._file("com.jia.shop.lite")), str(self.lite.pk))

    def test_unknown_or_missing_package_preselects_nothing(self):
        for package in ("com.jia", "com.other.app", ""):
            complaint = self._file(package)
            self.assertIsNone(self._selected_app(complaint), package)
            self.assertNotIn(
                "按包名匹配", self.client.get(f"/complaints/{complaint.pk}/").content.decode(), package
            )

    def test_a_linked_app_is_kept(self):
        complaint = self._file("com.jia.shop")
        Complaint.objects.filter(pk=complaint.pk).update(app=self.lite)
        self.assertEqual(self._selected_app(complaint), str(self.lite.pk))
        self.assertNotIn("按包名匹配", self.client.get(f"/complaints/{complaint.pk}/").content.decode())
