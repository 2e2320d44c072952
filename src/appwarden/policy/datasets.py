"""Readers for the public policy corpora used to train and evaluate the policy analyser (never shipped data).

* CAPP-130 (Apache-2.0 / CC BY 4.0): ``policies/capp130/Annotation/rw_N.jsonl``, one sentence per line with topic
  labels. May train what ships.
* APPCH (research use only): ``policies/appch/manual_annotation/<category>/<package>.txt.ann`` with
  ``[@phrase#敏感权限类型 GROUP*]`` spans. Evaluation only — nothing derived from it ships.

Each reader takes the corpus folder (``../shared/corpus``) and raises :class:`~appwarden.errors.InputError` when the
files are missing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from appwarden.errors import InputError

# CAPP-130 topic labels (ids 0-10 of label_explanation.json) -> short names used in the benchmark.
CAPP_TOPICS: dict[str, str] = {
    "数据收集": "collection",
    "权限获取": "permission",
    "共享、委托、转让、公开（披露）": "sharing",
    "使用": "usage",
    "存储方式": "retention",
    "安全措施": "security",
    "特殊人群": "minors",
    "数据、权限管理": "rights",
    "联系方式": "contact",
    "隐私政策的授权、修改与变更": "policy_change",
    "停止运营": "cessation",
}
TOPICS = tuple(CAPP_TOPICS.values())


@dataclass(slots=True)
class CappPolicy:
    id: str  # rw_N
    sentences: list[str] = field(default_factory=list)
    labels: list[set[str]] = field(default_factory=list)  # topic short names per sentence

    @property
    def text(self) -> str:
        """The sentences joined by newlines (each one is then one sentence for the segmenter)."""
        return "\n".join(self.sentences)

    def has(self, topic: str) -> bool:
        return any(topic in labels for labels in self.labels)


def load_capp130(corpus: Path, ids: list[str] | None = None) -> list[CappPolicy]:
    """CAPP-130 annotated policies (all 130, or ``ids`` like ``rw_7``) in id order."""
    folder = Path(corpus) / "policies" / "capp130" / "Annotation"
    if not folder.is_dir():
        raise InputError(f"CAPP-130 annotations not found at {folder}")
    wanted = ids or [f"rw_{i}" for i in range(1, 131)]
    out: list[CappPolicy] = []
    for pid in wanted:
        path = folder / f"{pid}.jsonl"
        if not path.is_file():
            raise InputError(f"missing CAPP-130 file {path}")
        pol = CappPolicy(id=pid)
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            rec = json.loads(line)
            text = " ".join(str(rec.get("text", "")).split())
            if not text:
                continue
            pol.sentences.append(text)
            pol.labels.append({CAPP_TOPICS[lab] for lab in rec.get("label") or [] if lab in CAPP_TOPICS})
        out.append(pol)
    return out


_APPCH_SPAN = re.compile(r"\[@(.*?)#[^\]]*?敏感权限类型\s*([A-Z]+)\*\]", re.S)


@dataclass(slots=True)
class AppchPolicy:
    id: str  # category/package
    text: str
    groups: set[str]  # dangerous-permission groups annotated


def load_appch(corpus: Path) -> list[AppchPolicy]:
    """APPCH manually annotated policies: plain text (spans replaced by their phrase) and the gold groups."""
    folder = Path(corpus) / "policies" / "appch" / "manual_annotation"
    if not folder.is_dir():
        raise InputError(f"APPCH annotations not found at {folder}")
    out: list[AppchPolicy] = []
    for path in sorted(folder.glob("*/*.txt.ann")):
        raw = path.read_text(encoding="utf-8", errors="replace")
        groups = {m.group(2) for m in _APPCH_SPAN.finditer(raw)}
        text = _APPCH_SPAN.sub(lambda m: m.group(1), raw)
        out.append(AppchPolicy(id=f"{path.parent.name}/{path.name[:-8]}", text=text, groups=groups))
    return out
