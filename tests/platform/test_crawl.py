"""Every page a user can reach by following links answers without a server error, for each role of the demo data.

Loads the demo data set (``appwarden demo-data``: batches, findings, orders, SDK orders, notices, takedowns,
sanctions, pre-listing checks ...), logs in as each demo user and follows every same-site link (GET only, breadth
first, bounded) from the home page. A 5xx, or an uncaught exception, fails with the path that produced it; a
role's pages never link to a 404 of its own scope either (a link a user is shown must open for that user).
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

from django.test import Client, TestCase

from appwarden.platform.demo import load_demo_data

HREF = re.compile(r"""href=["']([^"'#]+)""")
SKIP = ("/logout", "/static/", "/api/docs/assets/", "/admin/")
# pages each demo role must reach by links (issue #21: every party works on the platform)
EXPECTED = {
    "regulator": (
        "/enforcement/sdk-orders/",
        "/sanctions/",
        "/stats/yearly/",
        "/early-warning/",
        "/notifications/",
        "/complaints/forwards/",
        "/store/prelisting/",
    ),
    "acme": ("/my/notices/", "/my/complaints/", "/my/selfcheck/", "/notifications/"),
    "store": ("/store/prelisting/",),
    "sdkvendor": ("/my-sdk/", "/my-sdk/orders/"),
}
MAX_PAGES = 250  # per role: the demo data set has fewer distinct pages than this for every role


def crawl(client: Client, start: str = "/") -> tuple[dict[str, int], list[str]]:
    """Status of every page reached from ``start`` (same site, GET), and the links that broke (path <- page)."""
    seen: dict[str, int] = {}
    broken: list[str] = []
    queue: deque[tuple[str, str]] = deque([(start, "")])
    while queue and len(seen) < MAX_PAGES:
        path, parent = queue.popleft()
        if path in seen:
            continue
        resp = client.get(path)
        seen[path] = resp.status_code
        if resp.status_code >= 500 or (resp.status_code == 404 and parent):
            broken.append(f"{resp.status_code} {path} <- {parent or 'start'}")
        if resp.status_code in (301, 302, 303, 307, 308):  # a role's home page sends it to its own start page
            target = urldefrag(resp["Location"])[0]
            if target.startswith("/") and not target.startswith(SKIP):
                queue.append((target, path))
            continue
        if resp.status_code != 200 or "text/html" not in resp.get("Content-Type", ""):
            continue
        for href in HREF.findall(resp.content.decode("utf-8", "replace")):
            href = urldefrag(href)[0].replace("&amp;", "&")
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not href.startswith("/") or href.startswith(SKIP):
                continue
            if href not in seen:
                queue.append((href, path))
    return seen, broken


class CrawlEveryRoleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.users = load_demo_data()

    def test_no_page_reachable_by_a_link_fails_for_any_role(self):
        from django.contrib.auth import get_user_model

        for username in self.users:
            with self.subTest(user=username):
                client = Client()
                client.force_login(get_user_model().objects.get(username=username))
                seen, broken = crawl(client)
                self.assertGreater(len(seen), 3, f"{username}: the home page links nowhere")
                self.assertEqual(broken, [], f"{username}: {len(seen)} pages crawled")
                for prefix in EXPECTED.get(username, ()):  # the parties' pages are linked for them
                    self.assertTrue(any(p.startswith(prefix) for p in seen), f"{username}: no page {prefix}")
