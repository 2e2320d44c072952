"""Engine contract on hand-built evidence: not_evaluated, errors, per-owner merge, order, extra clauses."""

from __future__ import annotations

import pytest

from appwarden.apk.model import Manifest
from appwarden.evidence import AppInfo, Evidence, StaticEvidence
from appwarden.rules.engine import evaluate
from appwarden.rules.model import EvidenceMissing, Hit, Rule
from appwarden.rules.predicates import PREDICATES, predicate


def make_rule(rid: str, pred: str, **kw) -> Rule:
    base = dict(
        id=rid,
        title_zh="测试",
        title_en="test",
        clauses=["RD-3.1"],
        needs=["static.manifest"],
        predicate=pred,
        severity="medium",
        confidence="possible",
        remediation_zh="修复",
        description="d",
    )
    base.update(kw)
    return Rule(**base)


def static_evidence() -> Evidence:
    return Evidence(static=StaticEvidence(app=AppInfo(sha256="0" * 64), manifest=Manifest(package="x")))


@pytest.fixture(autouse=True)
def test_predicates():
    names = []

    def reg(name, fn, needs=()):
        predicate(name, needs=needs)(fn)
        names.append(name)

    reg("t_boom", lambda ev, p: 1 / 0)
    reg("t_missing", lambda ev, p: (_ for _ in ()).throw(EvidenceMissing("policy.text", "no policy")))
    reg(
        "t_hits",
        lambda ev, p: [
            Hit([{"type": "string", "caller": "a", "value": "1"}], owner="sdk_b"),
            Hit([{"type": "string", "caller": "a", "value": "1"}], owner="host", confidence="likely"),
            Hit([{"type": "string", "caller": "b", "value": "2"}], owner="host", severity="high"),
            Hit([{"type": "string", "caller": "a", "value": "1"}], owner="host"),  # duplicate evidence
            Hit([], owner="sdk_c"),  # empty evidence: no finding
        ],
    )
    reg(
        "t_clause",
        lambda ev, p: [Hit([{"type": "manifest", "attribute": "x", "value": "1"}], clauses=[p["c"]])],
    )
    reg("t_needs_trace", lambda ev, p: [], needs=("dynamic.trace",))
    yield
    for n in names:
        PREDICATES.pop(n, None)


def test_failing_predicate_is_an_error_not_an_abort() -> None:
    rules = [make_rule("a.boom", "t_boom"), make_rule("b.hits", "t_hits")]
    res = evaluate(static_evidence(), rules)
    assert [e.message.split(":")[0] for e in res.errors] == ["a.boom"]
    assert "ZeroDivisionError" in res.errors[0].message
    assert {f.rule_id for f in res.findings} == {"b.hits"}


def test_missing_evidence_is_not_evaluated() -> None:
    ev = static_evidence()
    rules = [
        make_rule("r.policy", "t_hits", needs=["policy.text"]),
        make_rule("r.trace", "t_needs_trace"),  # predicate's own needs
        make_rule("r.empty", "t_missing"),
    ]
    res = evaluate(ev, rules)
    assert res.findings == []
    got = {n.rule_id: n.missing for n in res.not_evaluated}
    assert got == {"r.policy": ["policy.text"], "r.trace": ["dynamic.trace"], "r.empty": ["policy.text"]}
    assert all(n.reason for n in res.not_evaluated)
    assert evaluate(Evidence(), [make_rule("r.none", "t_hits")]).not_evaluated[0].missing == [
        "static.manifest"
    ]


def test_hits_merge_per_owner_and_sort() -> None:
    res = evaluate(
        static_evidence(), [make_rule("z.hits", "t_hits"), make_rule("a.hits", "t_hits", severity="low")]
    )
    order = [(f.rule_id, f.owner) for f in res.findings]
    # severity first (host findings are raised to high by a hit; a.hits defaults to low), then rule id
    assert order == [("a.hits", "host"), ("z.hits", "host"), ("z.hits", "sdk_b"), ("a.hits", "sdk_b")]
    assert [f.severity for f in res.findings] == ["high", "high", "medium", "low"]
    host = res.findings[0]
    assert host.severity == "high" and host.confidence == "likely"
    assert len(host.evidence) == 2  # duplicate removed
    assert host.to_json()["clauses"] == ["RD-3.1"]


def test_disabled_rule_is_skipped() -> None:
    res = evaluate(static_evidence(), [make_rule("r.off", "t_boom", enabled=False)])
    assert res.findings == [] and res.errors == [] and res.not_evaluated == []


def test_extra_clauses_must_be_declared() -> None:
    ok = make_rule("r.ok", "t_clause", params={"c": "N39-30"}, extra_clauses=["N39-30"])
    bad = make_rule("r.bad", "t_clause", params={"c": "N39-01"}, extra_clauses=["N39-30"])
    res = evaluate(static_evidence(), [ok, bad])
    assert [f.clauses for f in res.findings] == [["RD-3.1", "N39-30"]]
    assert [e.message.split(":")[0] for e in res.errors] == ["r.bad"]


def test_packed_app_code_rule_without_hits_is_not_evaluated() -> None:
    from appwarden.evidence import PackerInfo

    ev = static_evidence()
    ev.static.packer = PackerInfo("jiagu360", "360加固")
    ev.static.code = object()  # code evidence "available" (the predicates here do not read it)
    predicate("t_nothing")(lambda ev, p: [])
    try:
        code_rule = make_rule("r.code", "t_nothing", needs=["static.manifest", "static.code"])
        res = evaluate(ev, [code_rule, make_rule("r.manifest", "t_nothing")])
        assert [(n.rule_id, n.missing) for n in res.not_evaluated] == [("r.code", ["static.code"])]
        assert "packed" in res.not_evaluated[0].reason and "360加固" in res.not_evaluated[0].reason
        # a code rule that does find something on a packed app keeps its finding
        finds = make_rule("r.finds", "t_hits", needs=["static.manifest", "static.code"])
        assert {f.rule_id for f in evaluate(ev, [finds]).findings} == {"r.finds"}
    finally:
        PREDICATES.pop("t_nothing", None)


def test_unknown_category_is_not_evaluated_not_a_pass() -> None:
    from appwarden.rules.loader import load_rules

    rule = next(r for r in load_rules() if r.id == "perm.beyond_category")
    ev = static_evidence()
    ev.static.manifest.uses_permissions = []
    ev.category = "N39-99"
    res = evaluate(ev, [rule])
    assert res.findings == [] and [n.rule_id for n in res.not_evaluated] == ["perm.beyond_category"]
    assert "N39-99" in res.not_evaluated[0].reason


def test_finding_json_equals_asdict(fixtures_dir) -> None:
    """Finding/NotEvaluated.to_json() (a hand-written copy) equal dataclasses.asdict on the findings of real scans."""
    from dataclasses import asdict

    from appwarden.scan import build_evidence
    from appwarden.scan import evaluate as evaluate_all

    seen = 0
    for name in ("pi_all.apk", "shop.apk", "minimal.apk"):
        path = fixtures_dir / "apks" / name
        results = evaluate_all(build_evidence(path))
        for item in [*results.findings, *results.not_evaluated]:
            data = item.to_json()
            assert data == asdict(item)
            seen += 1
            if getattr(item, "evidence", None):  # a copy: editing it leaves the finding alone
                data["evidence"][0]["__probe__"] = 1
                assert "__probe__" not in item.evidence[0]
    assert seen >= 5
