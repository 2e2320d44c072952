"""SDK-order re-test version matching (``enforcement/versions.py``): a scan counts as the re-test when it shows
the vendor's fixed SDK version *or a later one* by version order, not only the identical string; odd version
strings never crash and fall back to the date rule. Also run on PostgreSQL by ``test_services.py``."""

from __future__ import annotations

import itertools

import platform_factories as pf
from django.test import SimpleTestCase
from test_sdk_orders import SdkOrderBase

from appwarden.platform.enforcement import sdk_workflow
from appwarden.platform.enforcement.versions import at_least, compare, parse


class VersionOrderTests(SimpleTestCase):
    def test_later_versions_are_at_least_the_fixed_one(self):
        for version in ("5.2.1", "5.2.1.1", "v5.3.0", "V5.3", "version 5.2.2", "5.10", "6", "5.2.1.0"):
            self.assertIs(at_least(version, "5.2.1"), True, version)

    def test_earlier_versions_are_not(self):
        for version in ("5.2.0", "5.1.9", "v5.2", "5.2.1-beta2", "5.2.1rc1", "5.2.1.alpha", "4.99.99"):
            self.assertIs(at_least(version, "5.2.1"), False, version)

    def test_build_suffixes_are_builds_of_that_release(self):
        for version in ("5.2.1+build7", "5.2.1_20230101", "5.2.1-build.5", "5.2.1-release", "5.2.1-huawei"):
            self.assertEqual(compare(version, "5.2.1"), 0, version)
        self.assertEqual(compare("5.2", "5.2.0.0"), 0)
        self.assertEqual(compare("5.10.0", "5.9.9"), 1)  # numeric, not text, order

    def test_pre_releases_order_among_themselves(self):
        chain = [
            "1.0-dev",
            "1.0-alpha",
            "1.0-alpha2",
            "1.0b1",
            "1.0-beta3",
            "1.0-rc1",
            "1.0-rc2",
            "1.0",
            "1.0.1",
        ]
        for older, newer in itertools.pairwise(chain):
            self.assertEqual(compare(older, newer), -1, (older, newer))
            self.assertEqual(compare(newer, older), 1, (older, newer))

    def test_odd_strings_never_crash_and_cannot_be_placed(self):
        odd = [
            "",
            None,
            "latest",
            "unknown",
            "v",
            "vv1",
            "－",
            "５.２",  # full-width digits are not read as numbers
            "\x00",
            "9" * 5000,  # longer than int() would take: cut to 100 characters first
            "1." * 3000,
            "1.0.0-" + "x" * 10000,
            "🙂1.0",
            123,
            ["1.0"],
        ]
        for value in odd:
            for other in ("5.2.1", "latest", value):
                compare(value, other)
                at_least(value, other)
                at_least(other, value)
        self.assertIsNone(at_least("latest", "5.2.1"))
        self.assertIsNone(at_least("5.2.1", "latest"))
        self.assertIsNone(parse(""))
        self.assertIsNone(parse("５.２"))
        self.assertIs(at_least("9" * 5000, "5.2.1"), True)
        self.assertIs(at_least(123, "5.2.1"), True)


class RetestVersionMatchTests(SdkOrderBase):
    """The ordered scans embed ``sdk.a`` 1.0; the vendor answers that 5.2.1 fixes it."""

    def order_answered(self, fixed: str = "5.2.1"):
        order = self.issue()
        sdk_workflow.respond(order, user=self.vendor_user_a, explanation="已修复", new_sdk_version=fixed)
        sdk_workflow.start_retest(order, user=self.reviewer, reason="复测")
        return order

    def row(self, order, package="com.x.app") -> dict:
        order.refresh_from_db()
        return next(r for r in order.retests.get().diff["apps"] if r["package"] == package)

    def test_a_scan_before_the_response_with_a_later_version_counts(self):
        # app x updated to 5.2.1.1 before the vendor answered: exact matching missed this scan
        job = self.rescan("x", "x-later", [], sdk_version="5.2.1.1")
        order = self.order_answered()
        row = self.row(order)
        self.assertEqual((row["status"], row["job"], row["sdk_versions"]), ("fixed", job.pk, ["5.2.1.1"]))
        self.assertEqual(order.state, "retested")

    def test_v_prefixed_later_version_counts(self):
        job = self.rescan("x", "x-v", [], sdk_version="v5.3.0")
        order = self.order_answered()
        row = self.row(order)
        self.assertEqual((row["status"], row["job"]), ("fixed", job.pk))

    def test_an_older_version_than_the_fix_after_the_response_is_not_a_retest(self):
        order = self.order_answered()
        # 5.1.0 is neither the ordered 1.0 nor the fix: exact matching counted it (by date) as the re-test
        self.rescan("x", "x-mid", [pf.finding("r.sdka", ["RD-3.1"], owner="sdk.a")], sdk_version="5.1.0")
        row = self.row(order)
        self.assertEqual(row["status"], "pending")
        self.assertIn("旧版本 5.1.0", row["note_zh"])
        self.assertIn("早于整改版本 5.2.1", row["note_zh"])
        self.rescan("x", "x-rc", [], sdk_version="5.2.1-rc1")  # a pre-release of the fix is before it
        self.assertEqual(self.row(order)["status"], "pending")
        job = self.rescan("x", "x-build", [], sdk_version="5.2.1+build7")
        row = self.row(order)
        self.assertEqual((row["status"], row["job"]), ("fixed", job.pk))

    def test_unorderable_versions_fall_back_to_the_date_rule(self):
        order = self.order_answered(fixed="2024-hotfix")
        self.rescan("x", "x-old", [pf.finding("r.sdka", ["RD-3.1"], owner="sdk.a")], sdk_version="1.0")
        self.assertEqual(self.row(order)["status"], "pending")  # still the ordered version
        job = self.rescan("x", "x-latest", [], sdk_version="latest")
        row = self.row(order)
        self.assertEqual(
            (row["status"], row["job"]), ("fixed", job.pk)
        )  # after the response, not the old one
