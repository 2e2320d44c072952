"""Corpus checks (../shared/corpus): real policies from CAPP-130, see-agreement and APPCH (evaluation only)."""

from __future__ import annotations

import pytest

from appwarden.policy import analyze_policy, analyze_policy_file
from appwarden.policy.datasets import load_appch, load_capp130
from appwarden.policy.declared import PERMISSION_TRIGGERS, _permission_patterns
from appwarden.policy.elements import ELEMENTS
from appwarden.policy.segment import segment
from appwarden.policy.textmatch import ascii_lower

pytestmark = pytest.mark.corpus

SAMPLE = [f"rw_{i}" for i in (1, 5, 12, 23, 37, 48, 61, 77, 90, 104)]


@pytest.fixture(scope="module")
def capp(corpus_dir):
    return load_capp130(corpus_dir, SAMPLE)


def test_required_elements_found_where_capp_labels_them(capp):
    """Policy-level recall on 10 fixed CAPP-130 policies: contact, rights, minors, sharing, retention, updates."""
    pairs = {
        "contact": ("contact",),
        "rights": ("right_access", "right_correct", "right_delete", "right_account_deletion"),
        "minors": ("minors",),
        "sharing": ("third_party_sharing",),
        "retention": ("retention_period", "storage_location"),
        "policy_change": ("policy_updates",),
    }
    misses = []
    for pol in capp:
        ev = analyze_policy(pol.text, source=pol.id, classifier=False)
        for topic, elements in pairs.items():
            if pol.has(topic) and not any(ev.has(e) for e in elements):
                misses.append((pol.id, topic))
    assert len(misses) <= 2, misses


def test_pi_declared_in_collection_sentences(capp):
    """Most sentences labelled 数据收集/权限获取 that name a PI type yield at least one declared category."""
    ev_hits = total = 0
    for pol in capp[:5]:
        for sentence, labels in zip(pol.sentences, pol.labels, strict=True):
            if "permission" in labels and len(sentence) > 15:
                total += 1
                try:
                    ev = analyze_policy(sentence, classifier=False)
                except Exception:
                    continue
                ev_hits += bool(ev.declared_pi)
    assert total >= 20 and ev_hits / total >= 0.6


def test_trigger_words_cover_every_match(corpus_dir):
    """The Aho-Corasick prefilter is exact: every pattern match in real policies contains one of its triggers."""
    files = sorted((corpus_dir / "policies" / "capp130" / "Original_policies").glob("*.txt"))[:40]
    for f in files:
        text = f.read_text(encoding="utf-8")
        low = ascii_lower(text)
        _, sentences = segment(text)
        for sent in sentences:
            chunk = low[sent.start : sent.end]
            for name, spec in ELEMENTS.items():
                if spec.pattern.search(chunk):
                    assert any(w in chunk for w in spec.triggers), (f.name, name, sent.text)
        for pattern, _ in _permission_patterns():
            for m in pattern.finditer(low):
                assert any(w in m.group(0) for w in PERMISSION_TRIGGERS), (f.name, m.group(0))


def test_sdk_list_documents(corpus_dir):
    base = corpus_dir / "policies" / "see_agreement"
    qq = analyze_policy_file(base / "腾讯" / "QQ" / "【Android】QQ与第三方共享个人信息清单.md")
    names = " ".join(s.name for s in qq.declared_sdks)
    for expected in ("OPPO推送SDK", "华为推送SDK", "VIVO推送SDK", "微博SDK"):
        assert expected in names
    xx = analyze_policy_file(base / "未分类" / "学习强国" / "第三方SDK列表.md")
    oppo = next(s for s in xx.declared_sdks if s.name.startswith("OPPO推送"))
    assert oppo.vendor and "OPPO" in oppo.vendor and oppo.purpose
    assert {"imei", "imsi", "android_id"} <= set(oppo.pi)


def test_children_statement_has_minors_element(corpus_dir):
    ev = analyze_policy_file(
        corpus_dir / "policies" / "see_agreement" / "腾讯" / "腾讯隐私保护平台" / "儿童隐私保护声明.md"
    )
    assert ev.has("minors") and ev.elements["minors"].evidence


@pytest.mark.slow
def test_appch_permission_groups_smoke(corpus_dir):
    """APPCH (evaluation only): declared PI covers the annotated LOCATION/CAMERA groups in most policies."""
    policies = load_appch(corpus_dir)[:20]
    loc = sum(1 for p in policies if "LOCATION" in p.groups)
    found = 0
    for p in policies:
        if "LOCATION" in p.groups:
            ev = analyze_policy(p.text, classifier=False)
            found += bool({"location", "cell"} & ev.declared_pi_categories)
    assert loc and found / loc >= 0.9
