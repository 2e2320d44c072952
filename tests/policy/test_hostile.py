"""Hostile policies (issue #17): bounded time and memory in every policy reader, a deadline, one-line errors.

Inputs are generated here (small files or strings); time is asserted only as generous "does not hang" bounds and as
the ratio of two sizes (linear, not quadratic), in this process's CPU seconds (wall seconds only for child
processes), so a loaded machine does not fail them, memory as a generous peak-RSS bound measured in a subprocess.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appwarden.errors import LimitExceeded, PolicyError
from appwarden.limits import Limits
from appwarden.policy import Deadline, PolicyTimeout, analyze_policy, load_bundled_policy
from appwarden.policy.load import find_bundled_policy, load_policy_bytes

POLICY = (
    "隐私政策\n一、我们如何收集和使用您的个人信息\n我们会收集您的手机号码和位置信息，用于提供天气预报服务。"
    "您可以通过客服电话400-123-4567联系我们。\n"
)
MB = 1024 * 1024


def _elapsed(fn, *args, **kwargs) -> float:
    t = time.process_time()
    with contextlib.suppress(PolicyError, LimitExceeded):
        fn(*args, **kwargs)
    return time.process_time() - t


# ----------------------------------------------------------------------------------------- Markdown (#17)

MARKDOWN_BOMBS = {
    "blank lines": "\n" * MB,
    "blank lines with spaces": " \n" * (MB // 2),
    "unclosed fences": "```\n" * (MB // 4),
    "unclosed fences with info": "```x\n" * (MB // 5),
    "table rules": "|---" * (MB // 4),
}


@pytest.mark.parametrize("name", list(MARKDOWN_BOMBS))
def test_markdown_bombs_finish_quickly(name):
    """The hand-written Markdown regexes took minutes on 20 KB of blank lines (cubic); 1 MB now takes seconds."""
    data = (POLICY + MARKDOWN_BOMBS[name] + POLICY).encode()
    t = time.process_time()
    text = load_policy_bytes(data, name="policy.md")
    assert time.process_time() - t < 20
    assert "手机号码" in text


def test_markdown_still_reads_as_text():
    md = (
        "---\ntitle: 隐私政策\ndate: 2024-01-01\n---\n# 隐私政策\n\n我们**收集**您的[位置信息](http://x.cn/a)。"
        "![二维码](qr.png)\n\n```\nconst secret = 1;\n```\n\n| SDK名称 | 使用目的 |\n|---|---|\n| 友盟统计SDK | 统计 |\n\n"
        "<div>联系我们：客服电话400-123-4567</div>\n\n!!! note\n> 我们会保护您的个人信息。\n"
    )
    text = load_policy_bytes(md.encode(), name="p.md")
    assert text.startswith("隐私政策\n我们收集您的位置信息。二维码")
    for junk in ("title:", "**", "](", "http://x.cn", "secret", "!!!", "|---"):
        assert junk not in text
    assert "友盟统计SDK | 统计" in text and "联系我们：客服电话400-123-4567" in text
    assert "我们会保护您的个人信息。" in text


# --------------------------------------------------------------------------------------------- HTML (#17)

HTML_BOMBS = {
    "unterminated tags": "<a" * (MB // 2),
    "unterminated comments": "<!--" * (MB // 4),
    "end-tag openers": "</" * (MB // 2),
    "CDATA openers": "<![CDATA[" * (MB // 9),
    "unterminated attribute quotes": "<a b='" * (MB // 6),
    "unmatched end tags": "<div>" * 50_000 + "</span>" * 50_000,
    "processing instructions": "<?" * (MB // 2),
}


@pytest.mark.parametrize("name", list(HTML_BOMBS))
def test_html_bombs_finish_quickly(name):
    """Python 3.11's html.parser rescans these (minutes for 100 KB); the policy HTML reader moves forward only."""
    data = ("<p>" + POLICY + "</p>" + HTML_BOMBS[name]).encode()
    assert _elapsed(load_policy_bytes, data, name="p.html") < 20


def test_html_node_limit_is_a_one_line_error():
    data = ("<p>" + POLICY + "</p>" + "<b>中</b>" * 600_001).encode()
    with pytest.raises(PolicyError, match=r"more than 500000 elements \(node limit\)") as info:
        load_policy_bytes(data, name="big.html")
    assert isinstance(info.value, LimitExceeded) and "\n" not in str(info.value)


def test_html_text_extraction_unchanged():
    html = (
        "<html><head><title>标题</title><script>var a = '<p>脚本</p>';</script><style>p{}</style></head><body>"
        "<nav>导航</nav><div role='navigation'>菜单</div><header>页眉</header>"
        "<p>隐私&amp;政策</p><table><tr><td>名称</td><td>目的</td></tr></table>"
        "<p a='x > y'>1 &lt; 2</p><br/>结束<footer>页脚</footer></body></html>"
    )
    from appwarden.policy.htmltext import html_to_text

    text = html_to_text(html)
    for junk in ("标题", "脚本", "p{}", "导航", "菜单", "页脚"):
        assert junk not in text
    assert "隐私&政策" in text and " | 名称 | 目的" in text and "1 < 2" in text and "\n结束" in text


# ----------------------------------------------------------------------------------- every regex (#17)


def _policy_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Every compiled regular expression of the policy readers and detectors."""
    import appwarden.policy.classifier as classifier
    import appwarden.policy.datasets as datasets
    import appwarden.policy.declared as declared
    import appwarden.policy.elements as elements
    import appwarden.policy.htmltext as htmltext
    import appwarden.policy.load as load
    import appwarden.policy.sdkmatch as sdkmatch
    import appwarden.policy.segment as segment

    out: list[tuple[str, re.Pattern[str]]] = []
    for mod in (load, segment, elements, declared, classifier, sdkmatch, htmltext, datasets):
        for name, value in vars(mod).items():
            if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                out.append((f"{mod.__name__}.{name}", value))
    out += [(f"segment.heading[{i}]", p) for i, (p, _) in enumerate(segment._HEADING_PATTERNS)]
    out += [(f"elements.{n}", spec.pattern) for n, spec in elements.ELEMENTS.items()]
    out += [(f"declared.pi[{i}]", p) for i, (p, _, _) in enumerate(declared._term_patterns())]
    out += [(f"declared.perm[{i}]", p) for i, (p, _) in enumerate(declared._permission_patterns())]
    return out


def _adversarial_inputs(pattern: str, size: int) -> list[str]:
    """Generic worst cases plus runs built from the pattern's own literal characters."""
    own = "".join(dict.fromkeys(c for c in pattern if not c.isspace() and c not in "\\()[]{}?*+|^$.")) or "a"
    units = [
        "\n",
        " ",
        "a",
        "中",
        "：",
        "1.",
        "sdk ",
        "第一",
        "由公",
        "[a](",
        "<a ",
        "|-",
        "---\n",
        own,
        own[: len(own) // 2] + "\n",
    ]
    return [(u * (size // len(u) + 1))[:size] for u in units]


def test_every_policy_regex_is_linear_on_adversarial_input():
    """Each regex of policy/*.py over 256 KB of each adversarial text (the whole text, though the detectors search
    sentences of at most 400 characters) finishes in a second or two; super-linear backtracking takes minutes (the
    SDK-mention regex backtracked in degree 5 on a run of letters; the e-mail and company-suffix ones
    quadratically)."""
    size = 256 * 1024
    slow = []
    for name, pattern in _policy_patterns():
        for text in _adversarial_inputs(pattern.pattern, size):
            t = time.process_time()
            for _ in pattern.finditer(text):
                pass
            elapsed = time.process_time() - t
            if elapsed > 2:
                slow.append((name, repr(text[:12]), round(elapsed, 1)))
    assert not slow, slow


_PIECES = st.sampled_from(
    [
        "\n",
        "\n\n",
        " ",
        "```",
        "```x\n",
        "[",
        "](",
        "![",
        "*",
        "_",
        "#",
        "|",
        "---",
        ">",
        "<",
        "<a ",
        "='",
        "<!--",
        "</",
        "&#",
        "隐私",
        "我们收集您的手机号码",
        "。",
        "：",
        "SDK",
        "第三方SDK名称：",
        "1.",
        "（一）",
        "\t",
    ]
)


def _time_min(fn, repeat: int = 3) -> float:
    return min(_elapsed(fn) for _ in range(repeat))


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    unit=st.lists(_PIECES, min_size=1, max_size=8).map("".join), fmt=st.sampled_from(["md", "html", "txt"])
)
def test_policy_reader_stays_linear(unit, fmt):
    """Reading and analysing 2n bytes of any repeated hostile unit costs at most ~3x reading n (quadratic: 4x,
    cubic: 8x); the minimum of three runs and a small absolute slack absorb a busy machine."""
    n = 24_000

    def run(size: int) -> None:
        body = (unit * (size // len(unit) + 1))[:size]
        data = (POLICY + body + POLICY).encode()
        text = load_policy_bytes(data, name=f"p.{fmt}")
        analyze_policy(text, classifier=False)

    t1 = _time_min(lambda: run(n))
    t2 = _time_min(lambda: run(2 * n))
    assert t2 <= 3.0 * t1 + 0.25, (unit, fmt, t1, t2)


# ------------------------------------------------------------------------------------------ deadline (#17)


def test_deadline_stops_analysis_with_a_policy_timeout():
    text = POLICY * 20_000
    expired = Deadline.start(1e-9)
    time.sleep(0.01)
    with pytest.raises(PolicyTimeout, match=r"stage 'policy' exceeded its time limit") as info:
        analyze_policy(text, classifier=False, deadline=expired)
    assert isinstance(info.value, LimitExceeded)


def test_stage_timeout_bounds_a_slow_markdown_policy():
    """A Markdown policy markdown-it needs a minute for (2 MB of ``![``) stops at the 1 s stage timeout."""
    data = (POLICY + "![" * MB).encode()
    t = time.process_time()
    with pytest.raises(PolicyTimeout):
        load_policy_bytes(data, name="p.md", deadline=Deadline.start(1.0))
    assert time.process_time() - t < 10


# ----------------------------------------------------------------------------------------------- PDF (#17)


def _pdf_with_stream(content: bytes, *, filters: str = "/FlateDecode") -> bytes:
    """A minimal one-page PDF whose content stream is ``content`` (already encoded with ``filters``)."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter %s >>\nstream\n" % (len(content), filters.encode())
        + content
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


def _flate_bomb(inflated: int) -> bytes:
    comp = zlib.compressobj(9)
    chunk = b" " * MB
    parts = [comp.compress(chunk) for _ in range(inflated // MB)]
    parts.append(comp.flush())
    return b"".join(parts)


def _peak_rss_of(code: str, tmp_path: Path) -> tuple[int, dict]:
    """Run ``code`` in a fresh interpreter; returns (peak RSS in MB, the JSON it printed last)."""
    script = tmp_path / "probe.py"
    script.write_text(
        code + "\nimport resource, json\n"
        "print(json.dumps({'rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, **RESULT}))\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    return data["rss_mb"], data


def test_pdf_flate_bomb_memory_is_bounded(tmp_path):
    """A 1 MB PDF whose content stream inflates to 1 GiB: pdfminer alone peaks at 2+ GB; the reader stops at its
    inflated-size budget with a one-line error."""
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(_pdf_with_stream(_flate_bomb(1024 * MB)))
    assert bomb.stat().st_size < 2 * MB
    rss, result = _peak_rss_of(
        "from appwarden.errors import PolicyError\n"
        "from appwarden.policy.load import load_policy_file\n"
        "try:\n"
        f"    load_policy_file({str(bomb)!r}); RESULT = {{'error': None}}\n"
        "except PolicyError as exc:\n"
        "    RESULT = {'error': str(exc), 'limit': exc.code}\n",
        tmp_path,
    )
    assert result["error"] and "inflate to more than" in result["error"], result
    assert rss < 700, f"peak RSS {rss} MB"


def test_pdf_text_still_extracted():
    content = zlib.compress(b"BT /F1 12 Tf 72 700 Td (Privacy policy: we collect your location) Tj ET")
    data = _pdf_with_stream(content)
    from appwarden.policy.pdftext import pdf_to_text

    assert "we collect your location" in pdf_to_text(data)


def test_pdf_character_limit():
    content = zlib.compress(b"BT /F1 12 Tf 72 700 Td (" + b"a" * 5000 + b") Tj ET")
    from appwarden.policy.pdftext import pdf_to_text

    with pytest.raises(PolicyError, match="more than 1000 characters"):
        pdf_to_text(_pdf_with_stream(content), max_chars=1000)


def test_html_of_19_mb_memory_is_bounded(tmp_path):
    """A 19 MB HTML policy of small elements took 3 GB; the node limit refuses it early."""
    page = tmp_path / "big.html"
    unit = "<span>我们收集信息</span>"
    page.write_text("<p>" + POLICY + "</p>" + unit * (19 * MB // len(unit.encode())), encoding="utf-8")
    rss, result = _peak_rss_of(
        "from appwarden.errors import PolicyError\n"
        "from appwarden.policy import analyze_policy_file\n"
        "try:\n"
        f"    analyze_policy_file({str(page)!r}, classifier=False); RESULT = {{'error': None}}\n"
        "except PolicyError as exc:\n"
        "    RESULT = {'error': str(exc)}\n",
        tmp_path,
    )
    assert result["error"] and "node limit" in result["error"], result
    assert rss < 900, f"peak RSS {rss} MB"


# ------------------------------------------------------------------------------------- APK assets (#17)


class _ZipApk:
    """An APK-like object over a zip: ``entry_names``, ``read`` and an ``archive`` with declared sizes."""

    def __init__(self, data: bytes) -> None:
        self.zf = zipfile.ZipFile(io.BytesIO(data))
        self.entry_names = self.zf.namelist()
        self.reads: list[str] = []
        self.errors: list = []
        outer = self

        class Archive:
            notes: list = []

            def info(self, name: str):
                class Info:
                    uncompressed_size = outer.zf.getinfo(name).file_size

                return Info()

            def read(self, name: str, max_size: int | None = None) -> bytes:
                outer.reads.append(name)
                return outer.zf.read(name)

        self.archive = Archive()

    def read(self, name: str) -> bytes:
        self.reads.append(name)
        return self.zf.read(name)


def test_bundled_policy_over_the_limit_is_not_read_and_not_reported_missing():
    big = ("<p>" + POLICY * 200 + "</p>").encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("assets/privacy.html", big)
    apk = _ZipApk(buf.getvalue())
    limits = Limits(max_policy_size=len(big) - 1)
    skipped: list[str] = []
    assert find_bundled_policy(apk, limits, skipped=skipped) is None
    assert apk.reads == []  # refused from its declared size, before reading
    assert skipped and "over the policy size limit" in skipped[0]
    with pytest.raises(
        PolicyError, match="bundled policy not analysed"
    ):  # not "no policy": policy.missing must not fire
        load_bundled_policy(apk, limits)


def test_bundled_policy_read_is_capped_by_the_policy_limit(fixtures_dir, tmp_path):
    """Through the real APK reader: the entry's inflation stops at max_policy_size whatever its header claims."""
    from appwarden.apk import open_apk

    src = fixtures_dir / "apks" / "minimal.apk"
    if not src.is_file():
        pytest.skip("minimal.apk fixture missing")
    out = tmp_path / "with_policy.apk"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        zout.writestr("assets/privacy.html", ("<p>" + POLICY * 400 + "</p>").encode())
    apk = open_apk(out)
    found = find_bundled_policy(apk)
    assert found is not None and found[0] == "assets/privacy.html"
    skipped: list[str] = []
    assert find_bundled_policy(open_apk(out), Limits(max_policy_size=4096), skipped=skipped) is None
    assert skipped and "max_policy_size" in skipped[0]


# -------------------------------------------------------------------------------------------- CLI (#17)


def _cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "APPWARDEN_NO_DAEMON": "1"}
    return subprocess.run(
        [sys.executable, "-m", "appwarden", *args], capture_output=True, text=True, timeout=timeout, env=env
    )


def _assert_one_line_error(proc: subprocess.CompletedProcess, needle: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-1500:])
    err = proc.stderr.strip()
    assert "Traceback" not in err and "\n" not in err, err
    assert err.startswith("appwarden: error:") and needle in err, err


def test_cli_hostile_policies_are_one_line_exit_2(tmp_path):
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(_pdf_with_stream(_flate_bomb(256 * MB)))
    _assert_one_line_error(_cli("policy", "analyze", str(bomb)), "inflate to more than")

    nodes = tmp_path / "nodes.html"
    nodes.write_text("<p>" + POLICY + "</p>" + "<i>中</i>" * 500_001, encoding="utf-8")
    _assert_one_line_error(_cli("policy", "analyze", str(nodes)), "node limit")

    slow = tmp_path / "slow.md"
    slow.write_text(POLICY + "![" * (2 * MB), encoding="utf-8")
    t = time.perf_counter()  # wall: the work is in a child process
    _assert_one_line_error(_cli("policy", "analyze", str(slow), "--stage-timeout", "1"), "time limit of 1 s")
    assert time.perf_counter() - t < 60

    fifo = tmp_path / "policy.fifo"
    os.mkfifo(fifo)
    _assert_one_line_error(_cli("policy", "analyze", str(fifo), timeout=30), "not a regular file")

    zero = tmp_path / "zero.txt"
    zero.symlink_to("/dev/zero")
    _assert_one_line_error(_cli("policy", "analyze", str(zero), timeout=30), "not a regular file")


def test_scan_with_hostile_policy_records_the_error(fixtures_dir, tmp_path):
    """``scan --policy`` with a policy past the stage timeout: the report has the policy error, the scan goes on."""
    apk = fixtures_dir / "apks" / "minimal.apk"
    slow = tmp_path / "slow.md"
    slow.write_text(POLICY + "![" * (2 * MB), encoding="utf-8")
    out = tmp_path / "r.json"
    t = time.perf_counter()  # wall: the work is in a child process
    proc = _cli("scan", str(apk), "--policy", str(slow), "--stage-timeout", "2", "-o", str(out), "-q")
    assert time.perf_counter() - t < 90
    assert proc.returncode in (0, 1), proc.stderr[-1500:]
    errors = json.loads(out.read_text(encoding="utf-8"))["errors"]
    assert any(e.get("stage") == "policy" and "time limit" in e.get("message", "") for e in errors), errors


# ------------------------------------------------------------------------------------- classifier memory


def test_classifier_memory_does_not_grow_with_the_sentence_count():
    """A 10 MB policy of 300 000 short sentences (within the 20 MB policy limit) took 2.1 GB and 139 s in a scan:
    the classifier held every sentence's n-gram features (Python lists, then per-topic float arrays) at once,
    ~6.6 KB a sentence. Sentences are classified in fixed batches, so the peak no longer follows their count; the
    rows are the same as classifying each sentence alone."""
    import tracemalloc

    from appwarden.policy.classifier import SentenceClassifier

    clf = SentenceClassifier.load()
    distinct = ["我们收集您的设备信息。", "您可以随时删除您的账户。", "我们不会向第三方共享您的位置信息。"]
    sentences = distinct * 4000
    tracemalloc.start()
    try:
        clf.predict_proba(distinct)  # model arrays and caches paid for before the measurement
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        proba = clf.predict_proba(sentences)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert proba.shape == (len(sentences), len(clf.topics))
    # the result itself is 12 000 x 11 float64 (1 MB); the features of all sentences at once were ~80 MB
    assert peak < 20 * MB, f"peak {peak / MB:.1f} MB"
    for i, sentence in enumerate(distinct):
        alone = clf.predict_proba([sentence])[0]
        assert (proba[i::3] == alone).all()
