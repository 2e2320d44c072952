"""The 通报 workbook's title row is a text cell like every other: a title that starts like a formula (typed by a
regulator, or pasted from elsewhere) is not run by the spreadsheet a reader opens it in."""

from __future__ import annotations

import io

from django.test import TestCase
from openpyxl import load_workbook

from appwarden.platform.enforcement import export
from appwarden.platform.enforcement.models import NoticeBatch


class NoticeTitleCellTests(TestCase):
    def test_formula_like_title_is_text(self):
        notice = NoticeBatch.objects.create(title='=HYPERLINK("http://evil.example/","关于APP的通报")')
        ws = load_workbook(io.BytesIO(export.notice_xlsx(notice))).active
        cell = ws["A1"]
        self.assertNotEqual(cell.data_type, "f")
        self.assertFalse(str(cell.value).startswith("="))
        self.assertIn("关于APP的通报", str(cell.value))

    def test_ordinary_title_is_unchanged(self):
        notice = NoticeBatch.objects.create(title="关于侵害用户权益行为的APP通报（2026年第1批）")
        ws = load_workbook(io.BytesIO(export.notice_xlsx(notice))).active
        self.assertEqual(ws["A1"].value, "关于侵害用户权益行为的APP通报（2026年第1批）")
