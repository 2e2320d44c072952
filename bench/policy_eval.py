#!/usr/bin/env python3
"""Benchmark of the privacy-policy analyser (``appwarden.policy``); writes ``bench/results/<date>-policy.json``.

Run from the repository root (one command, re-runnable; needs ``../shared/corpus`` or APPWARDEN_SHARED)::

    .venv/bin/python bench/policy_eval.py            # full run
    .venv/bin/python bench/policy_eval.py --quick    # 10 test policies, no throughput loop

Measures:

1. Required elements vs CAPP-130 topic labels, on the fixed test split ``bench/data/policy_split.json``:
   * policy level (the DATASETS.md recipe): gold "present" = the policy has >= 1 sentence with the label;
   * sentence level: a sentence is positive for an element when the detector fires on it.
   Reported for the keyword baseline and, when the shipped classifier is present, for keyword+classifier.
2. Declared PI categories vs APPCH permission-group spans (93 policies; evaluation only).
3. Declared-SDK extraction recall vs the hand-written gold list ``bench/data/policy_sdk_gold.json``.
4. Throughput of the rule-based analysis (policies/s on one core) over the 130 CAPP-130 original texts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core: BLAS worker threads would be counted by process_time

from appwarden.policy import analyze_policy  # noqa: E402
from appwarden.policy.classifier import ADD_THRESHOLD  # noqa: E402
from appwarden.policy.datasets import TOPICS, load_appch, load_capp130  # noqa: E402
from appwarden.policy.elements import RIGHTS, tag_sentences  # noqa: E402
from appwarden.policy.segment import segment  # noqa: E402

# CAPP-130 topic -> the analyser elements that answer it ("usage" has no element of its own).
TOPIC_ELEMENTS: dict[str, tuple[str, ...]] = {
    "collection": ("pi_collection",),
    "permission": ("permission_use",),
    "sharing": ("third_party_sharing",),
    "retention": ("retention_period", "storage_location"),
    "security": ("security_measures",),
    "minors": ("minors",),
    "rights": RIGHTS,
    "contact": ("contact",),
    "policy_change": ("policy_updates",),
    "cessation": ("cessation_of_operations",),
}
EVAL_TOPICS = [t for t in TOPICS if t in TOPIC_ELEMENTS]

# pi_apis.yaml category -> APPCH dangerous-permission group
PI_GROUP: dict[str, str] = {
    "imei": "PHONE",
    "imsi": "PHONE",
    "iccid": "PHONE",
    "phone_number": "PHONE",
    "serial": "PHONE",
    "android_id": "PHONE",
    "oaid": "PHONE",
    "carrier": "PHONE",
    "location": "LOCATION",
    "cell": "LOCATION",
    "photos_storage": "STORAGE",
    "camera": "CAMERA",
    "microphone": "MICROPHONE",
    "contacts": "CONTACTS",
    "calendar": "CALENDAR",
    "sms": "SMS",
    "sensors": "SENSORS",
}
APPCH_GROUPS = (
    "CALENDAR",
    "CAMERA",
    "CONTACTS",
    "LOCATION",
    "MICROPHONE",
    "PHONE",
    "SENSORS",
    "SMS",
    "STORAGE",
)


def prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def macro(rows: dict[str, dict]) -> float:
    return round(sum(r["f1"] for r in rows.values()) / len(rows), 4) if rows else 0.0


def micro(rows: dict[str, dict]) -> dict:
    return prf(
        sum(r["tp"] for r in rows.values()),
        sum(r["fp"] for r in rows.values()),
        sum(r["fn"] for r in rows.values()),
    )


def classifier_or_none():
    try:
        from appwarden.policy.classifier import SentenceClassifier

        return SentenceClassifier.load()
    except Exception as exc:  # no shipped model: report the keyword baseline only
        print(f"classifier not available: {exc}", file=sys.stderr)
        return None


def eval_elements(policies, clf) -> dict:
    """Policy- and sentence-level P/R/F1 per CAPP topic for the keyword baseline and keyword+classifier."""
    methods = ["keyword"] + (["keyword+classifier", "classifier"] if clf is not None else [])
    pol_counts = {m: {t: [0, 0, 0] for t in EVAL_TOPICS} for m in methods}
    sent_counts = {m: {t: [0, 0, 0] for t in EVAL_TOPICS} for m in methods}
    negatives = {t: 0 for t in EVAL_TOPICS}
    for pol in policies:
        text = pol.text
        _, sentences = segment(text)
        # map the segmenter's sentences back to the annotation lines (joined by "\n": same boundaries or finer)
        line_of: list[int] = []
        line_starts = []
        pos = 0
        for s in pol.sentences:
            line_starts.append(pos)
            pos += len(s) + 1
        import bisect

        for sent in sentences:
            line_of.append(bisect.bisect_right(line_starts, sent.start) - 1)
        kw_tags = tag_sentences(sentences)
        clf_tags = clf.predict_topics([s.text for s in sentences]) if clf is not None else None
        clf_hi = clf.predict_topics([s.text for s in sentences], ADD_THRESHOLD) if clf is not None else None
        for m in methods:
            line_pred: list[set[str]] = [set() for _ in pol.sentences]
            for i, li in enumerate(line_of):
                topics: set[str] = set()
                if m in ("keyword", "keyword+classifier"):
                    topics |= {t for t in EVAL_TOPICS if kw_tags[i] & set(TOPIC_ELEMENTS[t])}
                if m == "keyword+classifier":  # what analyze_policy does: confident predictions add elements
                    topics |= clf_hi[i] & set(EVAL_TOPICS)
                if m == "classifier":
                    topics |= clf_tags[i] & set(EVAL_TOPICS)
                line_pred[li] |= topics
            for t in EVAL_TOPICS:
                gold_any = pol.has(t)
                pred_any = any(t in p for p in line_pred)
                c = pol_counts[m][t]
                c[0] += gold_any and pred_any
                c[1] += (not gold_any) and pred_any
                c[2] += gold_any and not pred_any
                sc = sent_counts[m][t]
                for gold, pred in zip(pol.labels, line_pred, strict=True):
                    sc[0] += (t in gold) and (t in pred)
                    sc[1] += (t not in gold) and (t in pred)
                    sc[2] += (t in gold) and (t not in pred)
        for t in EVAL_TOPICS:
            negatives[t] += not pol.has(t)
    out: dict = {"policies": len(policies), "policies_without_topic": negatives, "methods": {}}
    for m in methods:
        pol_rows = {t: prf(*pol_counts[m][t]) for t in EVAL_TOPICS}
        sent_rows = {t: prf(*sent_counts[m][t]) for t in EVAL_TOPICS}
        out["methods"][m] = {
            "policy_level": {"per_element": pol_rows, "macro_f1": macro(pol_rows)},
            "sentence_level": {
                "per_element": sent_rows,
                "macro_f1": macro(sent_rows),
                "micro": micro(sent_rows),
            },
        }
    return out


def eval_pi(corpus: Path, limit: int | None) -> dict:
    policies = load_appch(corpus)
    if limit:
        policies = policies[:limit]
    counts = {g: [0, 0, 0] for g in APPCH_GROUPS}
    errors = 0
    for pol in policies:
        try:
            ev = analyze_policy(pol.text, source=pol.id)
        except Exception:
            errors += 1
            continue
        pred = {PI_GROUP[d.category] for d in ev.declared_pi if d.category in PI_GROUP}
        for g in APPCH_GROUPS:
            c = counts[g]
            c[0] += g in pol.groups and g in pred
            c[1] += g not in pol.groups and g in pred
            c[2] += g in pol.groups and g not in pred
    rows = {g: prf(*counts[g]) for g in APPCH_GROUPS}
    return {
        "dataset": "APPCH manual_annotation (evaluation only)",
        "policies": len(policies),
        "errors": errors,
        "per_category": rows,
        "macro_f1": macro(rows),
        "micro": micro(rows),
    }


def norm(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum()).removesuffix("sdk")


def eval_sdks(corpus: Path) -> dict:
    """Recall of the hand-written SDK gold list; precision proxy = extracted names matching some gold entry."""
    from appwarden.policy.load import load_policy_file

    gold_path = ROOT / "bench" / "data" / "policy_sdk_gold.json"
    if not gold_path.is_file():
        return {"skipped": "no gold file"}
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    per_doc = {}
    tp_all = fn_all = extracted_all = matched_all = 0

    def same(a: str, g: str) -> bool:
        return bool(a) and (a in g or (len(g) >= 3 and g in a))

    for doc in gold["documents"]:
        ev = analyze_policy(load_policy_file(corpus / doc["file"]), source=doc["file"])
        got = [norm(s.name) for s in ev.declared_sdks]
        alts_per = [[norm(a) for a in ([n] if isinstance(n, str) else n)] for n in doc["sdks"]]
        hits = [
            n
            for n, alts in zip(doc["sdks"], alts_per, strict=True)
            if any(same(a, g) for a in alts for g in got)
        ]
        missed = [n for n in doc["sdks"] if n not in hits]
        matched = sum(1 for g in got if any(same(a, g) for alts in alts_per for a in alts))
        tp_all += len(hits)
        fn_all += len(missed)
        extracted_all += len(got)
        matched_all += matched
        per_doc[doc["file"]] = {
            "gold": len(doc["sdks"]),
            "found": len(hits),
            "extracted": len(got),
            "extracted_matching_gold": matched,
            "recall": round(len(hits) / len(doc["sdks"]), 4),
            "missed": missed,
        }
    return {
        "documents": per_doc,
        "recall": round(tp_all / (tp_all + fn_all), 4) if tp_all + fn_all else 0.0,
        "gold_sdks": tp_all + fn_all,
        "extracted_total": extracted_all,
        "precision_proxy": round(matched_all / extracted_all, 4) if extracted_all else 0.0,
        "note": "gold written while developing the extractor on these documents (not blind): optimistic",
    }


def eval_throughput(corpus: Path, rounds: int) -> dict:
    """CPU time (process_time, one core) to analyse the 130 CAPP-130 original texts, best of ``rounds``: the
    rule-based analysis (``classifier=False``) and the default analysis with the shipped classifier."""
    files = sorted((corpus / "policies" / "capp130" / "Original_policies").glob("*.txt"))
    texts = [f.read_text(encoding="utf-8") for f in files]
    out: dict = {
        "policies": len(texts),
        "mean_chars": round(sum(len(t) for t in texts) / len(texts)),
        "rounds": rounds,
    }
    for label, use_clf in (("rule_based", False), ("with_classifier", None)):
        analyze_policy(texts[0], classifier=use_clf)  # warm caches (KB, compiled patterns, model)
        best = None
        for _ in range(rounds):
            t0 = time.process_time()
            for t in texts:
                analyze_policy(t, classifier=use_clf)
            elapsed = time.process_time() - t0
            best = elapsed if best is None else min(best, elapsed)
        out[label] = {
            "cpu_seconds_best": round(best, 3),
            "policies_per_cpu_second": round(len(texts) / best, 1),
        }
    out["policies_per_cpu_second"] = out["rule_based"]["policies_per_cpu_second"]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--corpus",
        type=Path,
        default=Path(os.environ.get("APPWARDEN_SHARED", ROOT.parent / "shared")) / "corpus",
    )
    ap.add_argument(
        "--quick", action="store_true", help="10 test policies, 20 APPCH policies, 1 throughput round"
    )
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    split = json.loads((ROOT / "bench" / "data" / "policy_split.json").read_text(encoding="utf-8"))
    test_ids = split["test"][:10] if args.quick else split["test"]
    clf = classifier_or_none()
    t0 = time.time()
    result = {
        "benchmark": "policy",
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
            "note": "preliminary: shared, busy development machine",
        },
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
        "split": {
            "file": "bench/data/policy_split.json",
            "test": len(test_ids),
            "train": len(split["train"]),
        },
        "elements_test": eval_elements(load_capp130(args.corpus, test_ids), clf),
        "declared_pi": eval_pi(args.corpus, 20 if args.quick else None),
        "declared_sdks": eval_sdks(args.corpus),
        "throughput": eval_throughput(args.corpus, 1 if args.quick else 2),
    }
    result["wall_seconds"] = round(time.time() - t0, 1)
    out = args.out or ROOT / "bench" / "results" / f"{dt.date.today().isoformat()}-policy.json"
    if not args.quick or args.out:
        out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {out}", file=sys.stderr)
    summary = {
        m: {
            "policy_macro_f1": r["policy_level"]["macro_f1"],
            "sentence_macro_f1": r["sentence_level"]["macro_f1"],
        }
        for m, r in result["elements_test"]["methods"].items()
    }
    print(
        json.dumps(
            {
                "elements": summary,
                "pi_macro_f1": result["declared_pi"]["macro_f1"],
                "pi_micro_f1": result["declared_pi"]["micro"]["f1"],
                "sdk_recall": result["declared_sdks"].get("recall"),
                "throughput": result["throughput"]["policies_per_cpu_second"],
            },
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
