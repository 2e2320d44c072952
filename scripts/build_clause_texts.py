#!/usr/bin/env python3
"""Build ``knowledge/clause_texts.yaml``: for every clause ID of ``knowledge/regulations.yaml``, the article it is
in (``article_zh``) and its wording (``text_zh``, or an English ``text_en`` summary where the research has no
Chinese text, as for most GB/T clauses), with the wording's status (verbatim / summary / ...) and source file.

Input: ``shared/regulations`` (the instrument Markdown files: the ``- zh (...)`` line under each ``### <ID>``
heading, the rows of the 164-scenario and 39-type tables, ``- summary`` lines for GB/T items). The knowledge base
carries the result so the product never needs ``shared/`` at run time. Texts are quoted as the research recorded
them (facts of law); long ones are cut at ``MAX_CHARS`` with an ellipsis.

Usage: ``python scripts/build_clause_texts.py [--shared ../shared] [-o src/appwarden/knowledge/clause_texts.yaml]``.
Deterministic: the same input gives byte-identical output.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "appwarden" / "knowledge" / "clause_texts.yaml"
MAX_CHARS = 300
CN = "〇一二三四五六七八九十"

# Finer instrument names than regulations.yaml's: the GBT pair split (the two standards are cited separately), and
# the PI Protection Law for the CH-P items.
STANDARDS = {
    "GB35273": {
        "name_zh": "GB/T 35273-2020",
        "title": "GB/T 35273-2020《信息安全技术 个人信息安全规范》",
    },
    "GB41391": {
        "name_zh": "GB/T 41391-2022",
        "title": "GB/T 41391-2022《信息安全技术 移动互联网应用程序（App）收集个人信息基本要求》",
    },
    "PIPL": {  # children.md's CH-P items are the related duties of the PI Protection Law
        "name_zh": "个人信息保护法",
        "title": "《中华人民共和国个人信息保护法》",
    },
}

HEADING = re.compile(r"^#{2,5}\s+([A-Z][A-Z0-9]*-[A-Za-z0-9.\-]+)\s+(.*)$")
TABLE_ROW = re.compile(r"^\|\s*([A-Z][A-Z0-9]*-[A-Za-z0-9.\-]+)\s*\|(.*)\|\s*$")
ZH_LINE = re.compile(r"^- zh \((.*?)\):\s*(.*)$")
SUMMARY_LINE = re.compile(r"^- summary\s*[:—-]\s*(.*)$")


def cn_number(n: int) -> str:
    """1..99 in Chinese numerals (十三, 二十一)."""
    if n < 10:
        return CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN[tens]) + "十" + (CN[ones] if ones else "")


def clean(text: str) -> str:
    text = re.sub(r"\*\*|`", "", " ".join(text.split()))
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1].rstrip() + "…"


def status_of(note: str) -> str:
    """``**verbatim**, S1, S2`` -> ``verbatim``; ``**summary** of PIPL; ...`` -> ``summary``."""
    m = re.search(r"\*\*([^*]+)\*\*", note)
    return (m.group(1) if m else note.split(",")[0]).strip()


def parse_file(md: str) -> dict[str, dict[str, str]]:
    """ID -> {heading, text_zh | text_en, text_status} for one instrument file."""
    out: dict[str, dict[str, str]] = {}
    lines = md.splitlines()
    current: str | None = None
    for i, line in enumerate(lines):
        m = HEADING.match(line)
        if m:
            current = m.group(1)
            out.setdefault(current, {"heading": m.group(2).strip()})
            continue
        t = TABLE_ROW.match(line)
        if t and "text_zh" not in out.get(t.group(1), {}):  # a later summary table never overwrites the item
            cid = t.group(1)
            cells = [c.strip() for c in t.group(2).split("|")]
            if cid.startswith("N39-") and len(cells) >= 5:
                name, function, pi, status = cells[0], cells[1], cells[2], cells[3]
                out[cid] = {
                    "heading": name,
                    "text_zh": clean(f"{name}：基本功能服务为“{function}”，必要个人信息：{pi}"),
                    "text_status": "verbatim" if status.startswith("V") else "summary",
                }
            elif re.fullmatch(r"M164-\d+\.\d+-S\d+", cid) and len(cells) >= 3:  # the 164 scenario table
                out[cid] = {"heading": "", "text_zh": clean(cells[0]), "text_status": "verbatim (scenario)"}
            # other tables (the numeric-thresholds summary) are English notes, not clause wording
            continue
        if current is None or "text_zh" in out[current] or "text_en" in out[current]:
            continue
        z = ZH_LINE.match(line)
        if z:
            text = z.group(2)
            if not text.strip():  # the wording is on the next, indented line(s)
                following = []
                for nxt in lines[i + 1 :]:
                    if not nxt.startswith("  "):
                        break
                    following.append(nxt.strip())
                text = " ".join(following)
            out[current]["text_zh"] = clean(text)
            out[current]["text_status"] = status_of(z.group(1))
            continue
        s = SUMMARY_LINE.match(line)
        if s:
            text = s.group(1)
            if text.rstrip().endswith(":"):  # a list follows: "  - a) ...", "  - b) ..."
                for nxt in lines[i + 1 :]:
                    if not nxt.startswith("  "):
                        break
                    text += " " + nxt.strip().lstrip("- ")
            out[current]["text_en"] = clean(text)
            out[current]["text_status"] = "summary (English)"
    return out


def article_of(cid: str, heading: str, parents: dict[str, str]) -> str:
    """Where the clause is in its instrument, in Chinese (see the ID schemes in shared/regulations/*.md)."""
    if m := re.fullmatch(r"RD-(\d+)\.(\d+)", cid):
        return f"{cn_number(int(m.group(1)))}、第{m.group(2)}项"
    if m := re.fullmatch(r"M164-(\d+)\.(\d+)", cid):
        flat = re.search(r"\(item (\d+)\)", heading)
        return f"（{cn_number(int(m.group(1)))}）第{flat.group(1) if flat else m.group(2)}项"
    if m := re.fullmatch(r"(M164-\d+\.\d+)-S(\d+)", cid):
        return (
            f"{article_of(m.group(1), parents.get(m.group(1), ''), parents)} 检测场景{m.group(2)}（非规范性）"
        )
    if m := re.fullmatch(r"M337-(\d+)", cid):
        return f"第{m.group(1)}项"
    if m := re.fullmatch(r"M26-(\d+)", cid):
        return f"一、第{m.group(1)}项"
    if re.fullmatch(r"M26-[A-E]", cid):
        return "二、" + re.sub(r"\s*\(.*\)$", "", heading)
    if cid.startswith("M26-T"):
        return "配套标准 T/TAF 078.7—2022" if "T/TAF" in heading else "阈值说明"
    if cid.startswith("M26-X"):
        return "2021年信息通信服务感知提升行动"
    if m := re.fullmatch(r"N39-A\d+", cid):
        art = re.match(r"(第[一二三四五六七八九十]+条(?:\s*/\s*第[一二三四五六七八九十]+条)?)", heading)
        return art.group(1).replace(" ", "") if art else ""
    if m := re.fullmatch(r"N39-(\d+)", cid):
        return f"第五条 第（{cn_number(int(m.group(1)))}）类"
    if m := re.fullmatch(r"CH-(\d+)", cid):
        return f"第{cn_number(int(m.group(1)))}条"
    if cid.startswith("CH-P"):
        law = re.search(r"（(个保法[^）]*)）", heading)
        return law.group(1)[3:] if law else ""
    if m := re.fullmatch(r"GB(?:35273|41391)-([A-Z])", cid):
        return f"附录{m.group(1)}"
    if m := re.fullmatch(r"GB(?:35273|41391)-([\d.]+)", cid):
        return f"第{m.group(1)}条"
    return ""


def build(shared: Path) -> dict:
    regs = shared / "regulations"
    index = yaml.safe_load((regs / "index.yaml").read_text(encoding="utf-8"))
    parsed: dict[str, dict[str, str]] = {}
    for name in sorted({str(e["file"]) for e in index["items"]}):
        parsed.update(parse_file((regs / name).read_text(encoding="utf-8")))
    headings = {cid: rec.get("heading", "") for cid, rec in parsed.items()}
    clauses = {}
    for entry in index["items"]:
        cid = str(entry["id"])
        rec = parsed.get(cid, {})
        item: dict[str, str] = {"article_zh": article_of(cid, rec.get("heading", ""), headings)}
        for key in ("text_zh", "text_en", "text_status"):
            if rec.get(key):
                item[key] = rec[key]
        item["source"] = f"shared/regulations/{entry['file']}"
        clauses[cid] = item
    return {
        "schema_version": 1,
        "generated_by": "scripts/build_clause_texts.py from shared/regulations/*.md",
        "note": "text_zh is the instrument's wording as recorded by the research in shared/regulations "
        "(text_status: verbatim = checked word for word against a source; summary = close paraphrase, not a "
        "quotation); text_en where only an English summary exists. article_zh says where the clause is.",
        "standards": STANDARDS,
        "clauses": clauses,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("-o", "--output", type=Path, default=OUT)
    args = ap.parse_args(argv)
    if not (args.shared / "regulations" / "index.yaml").is_file():
        print(f"build_clause_texts: {args.shared}/regulations/index.yaml not found", file=sys.stderr)
        return 2
    data = build(args.shared)
    header = "# Generated by scripts/build_clause_texts.py from shared/regulations/; do not edit by hand.\n"
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)
    args.output.write_text(header + text, encoding="utf-8")
    print(f"wrote {args.output} ({len(data['clauses'])} clauses)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
