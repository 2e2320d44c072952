"""Candidate entries for a bundled privacy policy (``appwarden.policy.bundle``)."""

from __future__ import annotations

from appwarden.policy.bundle import MAX_BUNDLE_CANDIDATES, bundled_candidates, name_hints_policy


def test_candidates_are_html_text_or_markdown_under_assets_or_raw_hinted_first() -> None:
    names = [
        "assets/licenses.txt",
        "assets/web/yinsi.html",
        "res/raw/privacy_policy",
        "assets/fonts/a.ttf",
        "classes.dex",
        "assets/sub/",
        "res/layout/main.xml",
        "assets/隐私政策.md",
    ]
    assert bundled_candidates(names) == [
        "assets/web/yinsi.html",
        "assets/隐私政策.md",
        "res/raw/privacy_policy",
        "assets/licenses.txt",
    ]


def test_hints_are_case_insensitive_and_cover_pinyin_abbreviations() -> None:
    assert name_hints_policy("assets/PrivacyPolicy.HTML")
    assert name_hints_policy("assets/yszc.html") and name_hints_policy("assets/ysc.txt")
    assert not name_hints_policy("assets/readme.txt")


def test_at_most_the_limit() -> None:
    names = [f"assets/f{i}.txt" for i in range(MAX_BUNDLE_CANDIDATES + 10)]
    assert len(bundled_candidates(names)) == MAX_BUNDLE_CANDIDATES
    assert bundled_candidates([]) == []
