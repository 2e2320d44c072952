"""The shipped topic classifier: numpy inference reproduces scikit-learn, the model loads and predicts sensibly."""

from __future__ import annotations

import json

import pytest

from appwarden.errors import KnowledgeError
from appwarden.policy.classifier import MODEL_PATH, SentenceClassifier, model_dict, preprocess

SENTENCES = [
    ("如您对本政策有任何疑问，请发送邮件至 privacy@example.cn 与我们联系。", "contact"),
    ("您可以拨打客服电话 400-000-0000 联系我们。", "contact"),
    ("我们会收集您的位置信息，用于推荐附近的门店。", "collection"),
    ("为提供扫码功能，我们会收集您的设备信息和位置信息。", "collection"),
    ("我们可能会向合作伙伴共享您的订单信息。", "sharing"),
    ("未经您的同意，我们不会与第三方共享您的个人信息。", "sharing"),
    ("若您是未满十四周岁的儿童，请在监护人同意后使用。", "minors"),
    ("我们非常重视未成年人的个人信息保护。", "minors"),
]


def test_numpy_inference_matches_sklearn(tmp_path):
    np = pytest.importorskip("numpy")
    sk_text = pytest.importorskip("sklearn.feature_extraction.text")
    sk_lr = pytest.importorskip("sklearn.linear_model")
    texts = [preprocess(s) for s, _ in SENTENCES]
    topics = ["contact", "collection", "sharing", "minors"]
    vec = sk_text.TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, lowercase=False)
    X = vec.fit_transform(texts)
    coefs, intercepts, models = [], [], []
    for t in topics:
        y = np.array([lab == t for _, lab in SENTENCES], dtype=int)
        clf = sk_lr.LogisticRegression(C=4.0, solver="liblinear", random_state=0).fit(X, y)
        models.append(clf)
        coefs.append(clf.coef_[0])
        intercepts.append(float(clf.intercept_[0]))
    vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
    path = tmp_path / "m.json"
    path.write_text(
        json.dumps(model_dict(vocab, vec.idf_, np.vstack(coefs).T, intercepts, topics)), encoding="utf-8"
    )
    ours = SentenceClassifier.load(path)
    probe = [s for s, _ in SENTENCES] + ["我们会采用加密技术保护您的信息。", "", "Ａ"]
    got = ours.predict_proba(probe)
    want = np.column_stack(
        [m.predict_proba(vec.transform([preprocess(p) for p in probe]))[:, 1] for m in models]
    )
    assert np.abs(got - want).max() < 0.01  # float16 weights


def test_shipped_model_loads_and_predicts():
    pytest.importorskip("numpy")
    clf = SentenceClassifier.load()
    meta = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert "CAPP-130" in meta["trained_on"] and meta["script"] == "scripts/train_policy_classifier.py"
    assert MODEL_PATH.stat().st_size < 1_000_000
    tags = clf.predict_topics(
        [
            "如您对本隐私政策有任何疑问、意见或建议，可通过客服邮箱与我们联系。",
            "若您是未满14周岁的儿童，在使用我们的服务前，应在监护人的陪同下阅读本政策。",
            "我们会采取加密、去标识化等安全措施保护您的个人信息。",
        ]
    )
    assert "contact" in tags[0] and "minors" in tags[1] and "security" in tags[2]


def test_broken_model_file_is_knowledge_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(KnowledgeError):
        SentenceClassifier.load(bad)
    bad.write_text(json.dumps({"topics": ["a"]}), encoding="utf-8")
    with pytest.raises(KnowledgeError):
        SentenceClassifier.load(bad)
