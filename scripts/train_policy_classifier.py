#!/usr/bin/env python3
"""Train the policy-sentence topic classifier shipped as ``src/appwarden/policy/models/topic_classifier.json``.

Reproducible with one command from the repository root (needs scikit-learn and ../shared/corpus)::

    .venv/bin/python scripts/train_policy_classifier.py

Data: CAPP-130 only (Apache-2.0 / CC BY 4.0; Zhu et al., NeurIPS 2023 Datasets & Benchmarks), the *train* policies
of ``bench/data/policy_split.json`` (the test policies are never seen). Nothing from APPCH or VioDroid-Finder is used.

Model: character 1-3-gram TF-IDF (sublinear tf, l2 norm) over a fixed vocabulary of the most frequent n-grams, and
one logistic regression per CAPP-130 topic (one-vs-rest, liblinear, fixed seed). The exported JSON holds the
vocabulary, idf weights, coefficients (float16, base64) and intercepts; ``appwarden.policy.classifier`` reproduces
the vectoriser exactly with numpy at run time. Nothing downloads at run time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from appwarden.policy.classifier import MODEL_PATH, model_dict, preprocess  # noqa: E402
from appwarden.policy.datasets import TOPICS, load_capp130  # noqa: E402

MAX_FEATURES = 12000
C = 4.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--corpus",
        type=Path,
        default=Path(os.environ.get("APPWARDEN_SHARED", ROOT.parent / "shared")) / "corpus",
    )
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    args = ap.parse_args(argv)
    split = json.loads((ROOT / "bench" / "data" / "policy_split.json").read_text(encoding="utf-8"))
    policies = load_capp130(args.corpus, split["train"])
    texts = [preprocess(s) for p in policies for s in p.sentences]
    labels = [lab for p in policies for lab in p.labels]
    print(f"training on {len(policies)} policies, {len(texts)} sentences", file=sys.stderr)
    vec = TfidfVectorizer(
        analyzer="char",
        ngram_range=(1, 3),
        sublinear_tf=True,
        min_df=2,
        max_features=MAX_FEATURES,
        lowercase=False,
        dtype=np.float64,
    )
    X = vec.fit_transform(texts)
    vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
    coefs, intercepts, positives = [], [], {}
    for topic in TOPICS:
        y = np.array([topic in lab for lab in labels], dtype=int)
        positives[topic] = int(y.sum())
        clf = LogisticRegression(C=C, solver="liblinear", max_iter=1000, random_state=0)
        clf.fit(X, y)
        coefs.append(clf.coef_[0])
        intercepts.append(float(clf.intercept_[0]))
    model = model_dict(
        vocab,
        vec.idf_,
        np.vstack(coefs).T,
        intercepts,
        list(TOPICS),
        trained_on="CAPP-130 (Apache-2.0 / CC BY 4.0), train split of bench/data/policy_split.json",
        train_policies=len(policies),
        train_sentences=len(texts),
        positives=positives,
        script="scripts/train_policy_classifier.py",
        vectorizer={"analyzer": "char", "ngram_range": [1, 3], "sublinear_tf": True, "norm": "l2"},
        C=C,
        threshold=0.5,
    )
    payload = json.dumps(model, ensure_ascii=False, separators=(",", ":"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(payload, encoding="utf-8")
    digest = hashlib.sha256(payload.encode()).hexdigest()[:16]
    print(f"wrote {args.out} ({len(payload) // 1024} KiB, sha256 {digest})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
