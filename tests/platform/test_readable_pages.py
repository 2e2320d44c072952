"""Platform pages people read (issue #16 part 6): the finding page and the rectification-order page for findings
the real engine produced (a fixture APK with SDK code, and a corpus app with Chinese SDKs when ../shared is
present) expand clause codes (hover text and a clause-text list), name SDKs in Chinese, show evidence as readable
lines, and carry no Python repr, raw JSON dump, server path or raw SDK id in a Chinese sentence. The 通报 PDF
embeds its CJK font."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import platform_factories as pf
from django.test import Client, TestCase
from django.utils.html import escape

from appwarden.platform.enforcement import export, workflow
from appwarden.platform.enforcement.models import NoticeBatch, NoticeItem
from appwarden.platform.testing import engine, services
from appwarden.report import view

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
from readable_checks import html_text_nodes, problems
from tests.conftest import SHARED

CORPUS_APP = SHARED / "corpus" / "apks" / "cn_sdk" / "UmengDemo__Yichou.apk"


class ReadablePagesTests(TestCase):
    def setUp(self):
        engine.use_engine(None)  # the real engine
        self.reviewer = pf.user("reviewer")
        self.client = Client()
        self.client.force_login(self.reviewer)

    def scan(self, data: bytes, name: str):
        job = services.submit_apk(data, user=self.reviewer, file_name=name, company=pf.company())
        self.assertEqual(services.run_scan(job.pk), "done")
        job.refresh_from_db()
        return job

    def check_pages(self, job) -> None:
        findings = list(job.findings.all())
        self.assertTrue(findings, "the engine found nothing to show")
        owners = {f.owner for f in findings} - {"host"}
        self.assertTrue(owners, "no SDK-owned finding: the SDK-name check would be vacuous")
        for f in findings:
            page = self.client.get(f"/testing/findings/{f.pk}/").content.decode()
            self.assertEqual(problems(html_text_nodes(page), owners), [], f.rule_id)
            self.assertNotIn("<pre>{", page)  # no JSON dump of the evidence
            for clause in f.clauses:
                self.assertIn(f'title="{escape(view.clause_explanation(clause))}"', page)
            self.assertIn("条款原文", page)
            if f.owner != "host":
                self.assertIn(view.owner_names({}, f.owner)[0], page)
        for f in findings:
            services.review_finding(f, user=self.reviewer, action="confirm", reason="核实")
        order = workflow.issue_order(job.app_version, findings, user=self.reviewer, reason="整改")
        page = self.client.get(f"/enforcement/orders/{order.pk}/").content.decode()
        self.assertEqual(problems(html_text_nodes(page), owners), [])
        clause = findings[0].clauses[0]
        self.assertIn(f'title="{escape(view.clause_explanation(clause))}"', page)
        for owner in owners:  # the owner column names the SDK in Chinese, its id only on hover
            self.assertIn(f'<span title="{owner}">{escape(view.owner_names({}, owner)[0])}</span>', page)
            self.assertNotIn(f"<td>{owner}</td>", page)
        return order

    def test_fixture_app_pages_are_readable(self):
        job = self.scan(pf.fixture_apk("pi_all.apk"), "pi_all.apk")
        self.check_pages(job)

    def test_corpus_app_pages_are_readable(self):
        if not CORPUS_APP.is_file():
            self.skipTest(f"corpus app not present at {CORPUS_APP}")
        job = self.scan(CORPUS_APP.read_bytes(), CORPUS_APP.name)
        self.check_pages(job)
        page = self.client.get(f"/testing/findings/{job.findings.filter(owner='alibaba_utdid').first().pk}/")
        self.assertIn("阿里UTDID", page.content.decode())

    def test_notice_pdf_embeds_its_cjk_font(self):
        from appwarden.report.pdf import cjk_font

        if not shutil.which("pdffonts"):
            self.skipTest("pdffonts (poppler-utils) not installed")
        if not cjk_font().embedded:
            self.skipTest("no TrueType CJK font installed (make installs fonts-wqy-microhei)")
        job = self.scan(pf.fixture_apk("pi_all.apk"), "pi_all.apk")
        findings = list(job.findings.all()[:1])
        services.review_finding(findings[0], user=self.reviewer, action="confirm", reason="核实")
        order = workflow.issue_order(job.app_version, findings, user=self.reviewer, reason="整改")
        notice = NoticeBatch.objects.create(title="关于侵害用户权益行为的APP通报（测试）")
        NoticeItem.objects.create(
            batch=notice, order=order, app_name="测试应用", developer="某公司", source="应用宝", version="1.0",
            problems="违规收集个人信息",
        )  # fmt: skip
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "notice.pdf"
            path.write_bytes(export.notice_pdf(notice))
            fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
            text = subprocess.run(
                ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
            ).stdout
        # pdffonts columns: name type encoding emb sub uni object ID (the type may have a space: "Type 1")
        rows = [(line.split()[0], line.split()[-5]) for line in fonts.splitlines()[2:] if line.strip()]
        base14 = ("Helvetica", "Times", "Courier", "Symbol", "ZapfDingbats")  # reportlab's page default
        other = [(name, emb) for name, emb in rows if not name.startswith(base14)]
        self.assertTrue(other, fonts)  # the CJK font, and it is embedded (viewers need no local CJK font)
        self.assertTrue(all(emb == "yes" for _name, emb in other), fonts)
        self.assertIn("违规收集个人信息", text)

    def test_job_page_names_sdk_owners_in_chinese(self):
        job = self.scan(pf.fixture_apk("pi_all.apk"), "pi_all.apk")
        owners = {f.owner for f in job.findings.all()} - {"host"}
        page = self.client.get(f"/testing/jobs/{job.pk}/").content.decode()
        named = [o for o in owners if view.owner_names({}, o)[0] != o]
        self.assertTrue(named)  # jpush, umeng_common
        for owner in named:
            name = view.owner_names({}, owner)[0]
            if name != owner:
                self.assertIn(f'<code>{owner}</code> <span title="{owner}">{escape(name)}</span>', page)
