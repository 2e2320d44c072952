"""The early-warning list's two cached sections (repeat offenders, SDK versions; also read by /repeat-offenders/)
are unpickled on every read. They hold named tuples with the fields the pages, the JSON and the digest read, not
Django model instances: at 50,000 scan jobs unpickling ~21,500 model instances was ~45 % of the page's CPU
(``bench/results/2026-12-06-platform-volume-g-*``). The pages and the JSON read the same from them."""

from __future__ import annotations

from django.core.cache import cache
from django.db import models
from django.test import Client, override_settings
from test_page_queries import PageDataCase

from appwarden.platform.registry.models import SdkVendor


def model_instances(value, seen=None) -> list:
    """Every Django model instance reachable through lists, tuples, sets and dicts in ``value``."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return []
    seen.add(id(value))
    if isinstance(value, models.Model):
        return [value]
    if isinstance(value, dict):
        return [m for v in (*value.keys(), *value.values()) for m in model_instances(v, seen)]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [m for v in value for m in model_instances(v, seen)]
    return []


@override_settings(APPWARDEN_STATS_SNAPSHOT_MINUTES="60", APPWARDEN_EARLY_WARNING_MIN_APPS="2")
class CacheFormTests(PageDataCase):
    def test_cached_sections_hold_no_model_instances_and_read_the_same(self):
        SdkVendor.objects.create(name="量测SDK厂商", sdk_ids=["sdk.volume"])
        self.add_apps(3)
        client = Client()
        client.force_login(self.regulator)
        fresh_json = client.get("/api/early-warning/?fresh=1").json()
        fresh_page = client.get("/repeat-offenders/?fresh=1").content.decode()
        cache.clear()
        client.get("/early-warning/")  # computes the sections and caches them
        for key in ("repeat-offenders", "sdk:None"):
            hit = cache.get(f"appwarden:early-warning:{key}")
            self.assertIsNotNone(hit, key)
            value, _at = hit
            self.assertTrue(value, key)
            self.assertEqual(model_instances(value), [], key)
        # the same answers from the cache as computed fresh
        cached_json = client.get("/api/early-warning/").json()
        self.assertIsNotNone(cached_json["snapshot_at"])
        for section in ("repeat_offenders", "sdk_versions"):
            self.assertEqual(cached_json[section], fresh_json[section], section)
        self.assertEqual(cached_json["sdk_versions"]["sdks"][0]["vendor"]["name"], "量测SDK厂商")
        page = client.get("/early-warning/").content.decode()
        self.assertIn('id="repeat-apps"', page)
        self.assertIn("量测SDK厂商", page)
        for package in ("com.volume.app1", "com.volume.app2", "com.volume.app3"):
            self.assertIn(package, page)
        cached_page = client.get("/repeat-offenders/").content.decode()
        self.assertIn('id="repeat-snapshot"', cached_page)

        def body(html: str) -> str:  # the groups, without the snapshot line and the CSRF token
            return html[html.index('<div class="card repeat-offender">') : html.rindex("</main>")]

        self.assertEqual(body(cached_page), body(fresh_page))
