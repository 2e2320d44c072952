"""Splitting a policy into sections (headings) and sentences with character offsets.

Contract: :func:`segment` takes the normalised policy text (see :func:`appwarden.policy.load.normalise_text`) and
returns ``(sections, sentences)``; every offset is a ``[start, end)`` index into that same text, so
``text[s.start:s.end] == s.text`` for every sentence. It never raises on any string input.

Headings are recognised line by line: Chinese and Arabic numbering (``第一章``, ``一、``, ``（一）``, ``1.``, ``1.2``),
or a short line without end punctuation that reads like a policy heading (``如何…``, ``…的权利``, ``联系我们``).
Sentences end at 。！？；!? or a line break; over-long runs (tables without punctuation) are cut at commas or
spaces so that no sentence exceeds :data:`MAX_SENTENCE`. Word-level tokenisation (jieba) is not needed here: the
detectors work on phrases and character n-grams.
"""

from __future__ import annotations

import re

from appwarden.policy.deadline import NO_DEADLINE, Deadline
from appwarden.policy.model import Section, Sentence

MAX_SENTENCE = 400
MAX_HEADING = 60

_NUM = "一二三四五六七八九十百零〇"
_HEADING_PATTERNS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(rf"^第[{_NUM}\d]+[章节部分篇]"), 1),
    (re.compile(rf"^第[{_NUM}\d]+条"), 2),
    (re.compile(rf"^[{_NUM}]+\s*[、.．:：]"), 1),
    (re.compile(rf"^[（(]\s*[{_NUM}]+\s*[）)]"), 2),
    (re.compile(r"^\d+\.\d+(\.\d+)*\s*[、.．]?\s*\S"), 3),
    (re.compile(r"^\d+\s*[、.．]\s*\S"), 2),
    (re.compile(r"^[（(]\s*\d+\s*[）)]"), 3),
    (re.compile(r"^[①②③④⑤⑥⑦⑧⑨⑩]"), 3),
)
_HEADING_WORDS = re.compile(
    r"如何|怎样|政策|指引|联系我们|权利|更新|修订|儿童|未成年|第三方|共享|转让|披露|存储|保存|保护|收集|使用|"
    r"Cookie|cookie|适用范围|定义|附录|概述|引言|前言|说明|变更|管理|注销|投诉|保留|跨境"
)
_END_PUNCT = "。；;！!？?，,：:"
# a sentence: text up to and including its end punctuation (and closing quotes), or a run of end punctuation alone
_SENT = re.compile(r"[^。！？；!?;\n]+(?:[。！？；!?;]+[”’」』)）]*)?|[。！？；!?;]+[”’」』)）]*")
_SOFT_BREAK = re.compile(r"[，,、]\s*|\s+\|\s+|\s{2,}")


def heading_level(line: str) -> int:
    """The heading level (1-3) of a stripped line, or 0 when it is not a heading."""
    if not line or len(line) > MAX_HEADING:
        return 0
    last = line[-1]
    for pattern, level in _HEADING_PATTERNS:
        if pattern.match(line):
            if last in "。；;" or (len(line) > 40 and last in _END_PUNCT):
                return 0
            return level
    if len(line) <= 30 and last not in _END_PUNCT and _HEADING_WORDS.search(line) and "：" not in line[:-1]:
        return 2
    return 0


def split_sections(text: str, *, deadline: Deadline = NO_DEADLINE) -> list[Section]:
    """Headings with the span each governs (until the next heading of the same or a higher level)."""
    heads: list[tuple[str, int, int]] = []  # title, start, level
    pos = 0
    for line in text.split("\n"):
        deadline.tick()
        stripped = line.strip()
        level = heading_level(stripped)
        if level:
            start = pos + line.index(stripped[0])
            heads.append((stripped, start, level))
        pos += len(line) + 1
    ends = [len(text)] * len(heads)
    open_stack: list[int] = []  # indices of headings whose end is not known yet (levels strictly increasing)
    for i, (_, start, level) in enumerate(heads):
        while open_stack and heads[open_stack[-1]][2] >= level:
            ends[open_stack.pop()] = start
        open_stack.append(i)
    sections = [
        Section(title=title, start=start, end=ends[i], level=level)
        for i, (title, start, level) in enumerate(heads)
    ]
    return sections


def _cut_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` into pieces no longer than MAX_SENTENCE, at soft breaks where possible."""
    pieces: list[tuple[int, int]] = []
    while end - start > MAX_SENTENCE:
        window = text[start : start + MAX_SENTENCE]
        cut = None
        for m in _SOFT_BREAK.finditer(window):
            if m.end() > MAX_SENTENCE // 3:
                cut = m.end()
        cut = cut or MAX_SENTENCE
        pieces.append((start, start + cut))
        start += cut
    pieces.append((start, end))
    return pieces


def split_sentences(
    text: str, sections: list[Section] | None = None, *, deadline: Deadline = NO_DEADLINE
) -> list[Sentence]:
    """Sentences with offsets; ``section`` is the index of the innermost section containing the sentence."""
    sentences: list[Sentence] = []
    sections = sections or []
    n_sections = len(sections)
    sec_idx = -1
    for m in _SENT.finditer(text):
        deadline.tick()
        piece = m.group()
        s = m.start() + (len(piece) - len(piece.lstrip()))
        e = m.end() - (len(piece) - len(piece.rstrip()))
        if e <= s:
            continue
        pieces = _cut_long(text, s, e) if e - s > MAX_SENTENCE else ((s, e),)
        for ps, pe in pieces:
            if len(pieces) > 1:
                chunk = text[ps:pe]
                ps, pe = ps + (len(chunk) - len(chunk.lstrip())), pe - (len(chunk) - len(chunk.rstrip()))
                if pe <= ps:
                    continue
            while sec_idx + 1 < n_sections and sections[sec_idx + 1].start <= ps:
                sec_idx += 1
            inner = sec_idx
            while inner >= 0 and sections[inner].end <= ps:
                inner -= 1  # the section closed; fall back to an enclosing one
            sentences.append(Sentence(text=text[ps:pe], start=ps, end=pe, section=inner))
    return sentences


def segment(text: str, *, deadline: Deadline = NO_DEADLINE) -> tuple[list[Section], list[Sentence]]:
    """Sections and sentences of ``text`` (offsets into ``text``); never raises for a ``str`` (but PolicyTimeout at
    ``deadline``)."""
    sections = split_sections(text, deadline=deadline)
    return sections, split_sentences(text, sections, deadline=deadline)


def section_path(sections: list[Section], index: int) -> list[Section]:
    """The section at ``index`` and its enclosing sections, innermost first."""
    if index < 0 or index >= len(sections):
        return []
    path = [sections[index]]
    target = sections[index]
    for i in range(index - 1, -1, -1):
        s = sections[i]
        if s.level < path[-1].level and s.start <= target.start < s.end:
            path.append(s)
    return path


class SentenceIndex:
    """Maps character offsets of the policy text to the sentence containing them (binary search)."""

    def __init__(self, sentences: list[Sentence]) -> None:
        self.sentences = sentences
        self.starts = [s.start for s in sentences]

    def at(self, pos: int) -> Sentence | None:
        """The sentence with ``start <= pos < end``, or None when ``pos`` falls between sentences."""
        from bisect import bisect_right

        i = bisect_right(self.starts, pos) - 1
        if i < 0:
            return None
        sent = self.sentences[i]
        return sent if pos < sent.end else None


def sentence_of_positions(length: int, sentences: list[Sentence]) -> list[int]:
    """``out[pos]`` = index of the sentence containing character ``pos``, or -1 (built with slice assignment)."""
    out = [-1] * length
    for i, s in enumerate(sentences):
        out[s.start : s.end] = [i] * (s.end - s.start)
    return out
