"""The shipped policy-sentence topic classifier (CAPP-130 topics), reproducing a scikit-learn TF-IDF + logistic
regression model with numpy only.

Contract: :meth:`SentenceClassifier.load` reads ``models/topic_classifier.json`` (trained by
``scripts/train_policy_classifier.py`` on the CAPP-130 train split only) and raises
:class:`~appwarden.errors.KnowledgeError` when the file or numpy is missing; :meth:`predict_proba` returns one row of
topic probabilities per sentence; :meth:`predict_topics` the topics over the threshold. Nothing downloads at run
time. Topics map to policy elements in :data:`TOPIC_ELEMENTS`.
"""

from __future__ import annotations

import base64
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from appwarden.errors import KnowledgeError

MODEL_PATH = Path(__file__).resolve().parent / "models" / "topic_classifier.json"

# CAPP-130 topic -> the elements whose evidence it supports ("usage" has no element). A confident prediction
# (>= ADD_THRESHOLD) may establish the first element of a topic on its own; any prediction over the model threshold
# ranks keyword evidence of all its elements (sentences both methods agree on come first).
TOPIC_ELEMENTS: dict[str, tuple[str, ...]] = {
    "collection": ("pi_collection",),
    "permission": ("permission_use",),
    "sharing": ("third_party_sharing",),
    "retention": ("retention_period",),
    "security": ("security_measures",),
    "minors": ("minors",),
    "rights": (
        "right_access", "right_correct", "right_delete", "right_withdraw_consent", "right_account_deletion",
        "right_copy",
    ),
    "contact": ("contact",),
    "policy_change": ("policy_updates",),
    "cessation": ("cessation_of_operations",),
}  # fmt: skip
ADD_THRESHOLD = 0.8
# Sentences vectorised at once by predict_proba: their n-gram features take ~6.6 KB a sentence (a 20 MB policy of
# short sentences would hold ~4 GB at once); 1024 of them ~7 MB.
BATCH = 1024

_SPACES = re.compile(r"\s+")


def preprocess(sentence: str) -> str:
    """The text the model sees: ASCII lower-cased, whitespace collapsed (identical at training and run time)."""
    return _SPACES.sub(" ", sentence.lower()).strip()


class SentenceClassifier:
    """Character 1-3-gram TF-IDF (sublinear tf, l2) + one logistic regression per topic."""

    def __init__(self, model: dict[str, Any]) -> None:
        try:
            import numpy as np
        except ImportError:
            raise KnowledgeError("policy classifier needs numpy (install appwarden[ml])") from None
        self.np = np
        self.topics: list[str] = list(model["topics"])
        self.threshold = float(model.get("threshold", 0.5))
        self.vocab = {term: i for i, term in enumerate(model["vocab"])}
        self.idf = np.frombuffer(base64.b64decode(model["idf"]), dtype=np.float32).astype(np.float64)
        coef = np.frombuffer(base64.b64decode(model["coef"]), dtype=np.float16).astype(np.float64)
        self.coef = coef.reshape(len(self.vocab), len(self.topics))
        self.intercept = np.array(model["intercept"], dtype=np.float64)
        lo, hi = model.get("vectorizer", {}).get("ngram_range", [1, 3])
        self.ngram_range = (int(lo), int(hi))
        if self.idf.shape[0] != len(self.vocab):
            raise KnowledgeError(f"{MODEL_PATH}: idf length does not match the vocabulary")

    @classmethod
    def load(cls, path: str | Path | None = None) -> SentenceClassifier:
        """The shipped model (cached per process for the default path)."""
        if path is None:
            return _default()
        return cls._from_file(Path(path))

    @classmethod
    def _from_file(cls, path: Path) -> SentenceClassifier:
        try:
            model = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise KnowledgeError(f"{path}: cannot load the policy classifier: {exc}") from None
        try:
            return cls(model)
        except (KeyError, TypeError, ValueError) as exc:
            raise KnowledgeError(f"{path}: malformed policy classifier: {exc}") from None

    def _counts(self, sentence: str) -> dict[int, int]:
        text = preprocess(sentence)
        counts: dict[int, int] = {}
        lo, hi = self.ngram_range
        get = self.vocab.get
        for n in range(lo, hi + 1):
            for i in range(len(text) - n + 1):
                j = get(text[i : i + n])
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
        return counts

    def predict_proba(self, sentences: list[str]) -> Any:
        """``(len(sentences), len(topics))`` probabilities. Sentences are vectorised :data:`BATCH` at a time (each
        row depends on its own sentence only, so the rows are those of one big batch), which bounds the features
        held at once whatever the policy's sentence count."""
        np = self.np
        n = len(sentences)
        if n <= BATCH:
            return self._proba_batch(sentences)
        out = np.empty((n, len(self.topics)), dtype=np.float64)
        for lo in range(0, n, BATCH):
            out[lo : lo + BATCH] = self._proba_batch(sentences[lo : lo + BATCH])
        return out

    def _proba_batch(self, sentences: list[str]) -> Any:
        """:meth:`predict_proba` of one batch: all its sentences vectorised at once."""
        np = self.np
        n = len(sentences)
        rows: list[int] = []
        cols: list[int] = []
        cnts: list[int] = []
        for r, sentence in enumerate(sentences):
            counts = self._counts(sentence)
            rows.extend([r] * len(counts))
            cols.extend(counts)
            cnts.extend(counts.values())
        scores = np.tile(self.intercept, (n, 1))
        if not cols:
            return 1.0 / (1.0 + np.exp(-scores))
        rws = np.asarray(rows, dtype=np.int64)
        idx = np.asarray(cols, dtype=np.int64)
        val = (1.0 + np.log(np.asarray(cnts, dtype=np.float64))) * self.idf[idx]  # sublinear tf * idf
        norm = np.sqrt(np.bincount(rws, weights=val * val, minlength=n))
        val = val / norm[rws]  # l2 per sentence
        contrib = self.coef[idx] * val[:, None]  # elementwise: no BLAS threads
        for k in range(len(self.topics)):
            scores[:, k] += np.bincount(rws, weights=contrib[:, k], minlength=n)
        return 1.0 / (1.0 + np.exp(-scores))

    def predict_topics(self, sentences: list[str], threshold: float | None = None) -> list[set[str]]:
        """The topics whose probability reaches ``threshold`` (default: the model's), per sentence."""
        cut = self.threshold if threshold is None else threshold
        proba = self.predict_proba(sentences)
        return [{t for t, p in zip(self.topics, row, strict=True) if p >= cut} for row in proba]


def model_dict(
    vocab: list[str], idf: Any, coef: Any, intercept: list[float], topics: list[str], **meta: Any
) -> dict[str, Any]:
    """The JSON form of a model: ``coef`` is ``(len(vocab), len(topics))``; weights stored as base64 float32 (idf)
    and float16 (coef). Used by ``scripts/train_policy_classifier.py`` and the tests."""
    import numpy as np

    return {
        "format": "appwarden-policy-topic-classifier/1",
        **meta,
        "topics": list(topics),
        "threshold": float(meta.get("threshold", 0.5)),
        "vocab": list(vocab),
        "idf": base64.b64encode(np.asarray(idf, dtype=np.float32).tobytes()).decode("ascii"),
        "coef": base64.b64encode(np.asarray(coef, dtype=np.float16).tobytes()).decode("ascii"),
        "intercept": [round(float(v), 6) for v in intercept],
    }


@lru_cache(maxsize=1)
def _default() -> SentenceClassifier:
    return SentenceClassifier._from_file(MODEL_PATH)
