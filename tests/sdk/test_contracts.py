"""SDK compliance contracts (knowledge/sdk_contracts, appwarden.sdk.contracts): the data, its validation, and their
detection on a fixture app built from committed smali (tests/sdk/_apps/src/contracts, rebuilt by
tests/sdk/build_fixtures.sh) and on corpus apps."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from appwarden.apk import open_apk
from appwarden.cli import main
from appwarden.dex.index import build_index
from appwarden.errors import KnowledgeError
from appwarden.sdk.contracts import (
    ARG_ROLES,
    ROLES,
    check_contracts,
    contracts_by_sdk,
    find_contract_calls,
    load_contract_dir,
    load_contracts,
    manifest_switches,
    param_types,
)
from appwarden.sdk.kb import load_kb

APP = Path(__file__).parent / "_apps" / "contracts.apk"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "apks"
DESCRIPTOR = re.compile(r"L[^;\s]+;->[^(\s]+\([^)]*\)\S+")

# -- the shipped data -------------------------------------------------------------------------------------------


def test_at_least_25_sourced_sdks_all_in_the_sdk_knowledge_base() -> None:
    contracts = load_contracts()
    sdks = contracts_by_sdk(contracts)
    assert len(sdks) >= 25
    known = set(load_kb().sdks)
    assert set(sdks) <= known
    for contract in contracts:
        assert contract.role in ROLES
        assert contract.source_url.startswith("https://"), contract.api
        assert contract.source_title.strip(), contract.api
        assert contract.meaning_zh.strip() and contract.meaning_en.strip()


# hosts that repost or aggregate vendor guides: never a contract's source (issue #18: cite the vendor's own page)
REPOST_HOSTS = ("csdn.net", "infoq.cn", "juejin.cn", "segmentfault.com", "nameidi.com", "lequ7.com", "51cto.com",
                "jianshu.com", "cnblogs.com", "zhihu.com")  # fmt: skip


def test_contracts_cite_the_vendor_not_a_repost() -> None:
    for contract in load_contracts():
        host = contract.source_url.split("/")[2]
        assert not host.endswith(REPOST_HOSTS), (contract.api, contract.source_url)


def test_umeng_mobtech_getui_contracts_cite_the_vendor() -> None:
    apis = {c.api: c for c in load_contracts()}
    um = "Lcom/umeng/commonsdk/UMConfigure;->"
    assert apis[um + "submitPolicyGrantResult(Landroid/content/Context;Z)V"].role == "agree"
    assert apis[
        um + "preInit(Landroid/content/Context;Ljava/lang/String;Ljava/lang/String;)V"
    ].source_url == ("https://github.com/umeng/MultiFunctionAndroidDemo")
    assert apis["Lcom/mob/MobSDK;->submitPolicyGrantResult(Z)V"].source_url.startswith(
        "https://github.com/MobClub/"
    )
    pre = apis["Lcom/igexin/sdk/PushManager;->preInit(Landroid/content/Context;)V"]
    assert pre.role == "preinit" and pre.source_url.startswith("https://docs.getui.com/")


def test_descriptors_are_well_formed_and_their_origin_is_stated() -> None:
    for contract in load_contracts():
        if contract.role == "manifest_switch":
            assert contract.off_value in ("true", "false")
            assert "->" not in contract.api
            continue
        assert DESCRIPTOR.fullmatch(contract.api), contract.api
        assert contract.descriptor_confirmed_in or contract.descriptor_note, contract.api
        if contract.role in ARG_ROLES:
            assert param_types(contract.api)[contract.arg_index] == "Z", contract.api
        else:
            assert contract.arg_index is None


def test_the_issue_s_named_contracts_are_present() -> None:
    apis = {c.api: c for c in load_contracts()}
    expect = {
        "Lcom/umeng/commonsdk/UMConfigure;->preInit(Landroid/content/Context;Ljava/lang/String;Ljava/lang/String;)V": "preinit",
        "Lcn/jiguang/api/utils/JCollectionAuth;->setAuth(Landroid/content/Context;Z)V": "auth",
        "Lcom/amap/api/location/AMapLocationClient;->updatePrivacyAgree(Landroid/content/Context;Z)V": "agree",
        "Lcom/baidu/mapapi/SDKInitializer;->setAgreePrivacy(Landroid/content/Context;Z)V": "agree",
        "Lcom/tencent/map/geolocation/TencentLocationManager;->setUserAgreePrivacy(Z)V": "agree",
        "Lcom/mob/MobSDK;->submitPolicyGrantResult(Z)V": "agree",
        "firebase_messaging_auto_init_enabled": "manifest_switch",
        "push_kit_auto_init_enabled": "manifest_switch",
    }  # fmt: skip
    for api, role in expect.items():
        assert apis[api].role == role


def test_shipped_files_pass_the_check_and_sdk_check_counts_them(capsys: pytest.CaptureFixture[str]) -> None:
    errors, count = check_contracts()
    assert errors == [] and count == len(load_contracts())
    assert main(["sdk", "check"]) == 0
    assert f"{count} compliance contracts" in capsys.readouterr().out


# -- validation -------------------------------------------------------------------------------------------------


def _write(directory: Path, sdk_id: str, contracts: list[dict], **top: object) -> Path:
    data = {"sdk_id": sdk_id, "source_url": "https://vendor.example/guide", "source_title": "guide", **top}
    data["contracts"] = contracts
    path = directory / f"{sdk_id}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _contract(**over: object) -> dict:
    base = {
        "api": "Lcom/umeng/commonsdk/UMConfigure;->submit(Landroid/content/Context;Z)V",
        "role": "agree",
        "arg_index": 1,
        "meaning_zh": "同意",
        "meaning_en": "agreed",
        "descriptor_note": "test",
    }
    base.update(over)
    return base


def test_a_contract_without_a_source_fails_naming_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "umeng_common", [_contract()], source_url=None)
    with pytest.raises(KnowledgeError) as err:
        load_contract_dir(tmp_path)
    assert str(err.value).startswith(f"{path}:") and "source_url" in str(err.value)


@pytest.mark.parametrize(
    ("sdk_id", "contract", "needle"),
    [
        ("no_such_sdk", _contract(), "not an SDK of the knowledge base"),
        ("umeng_common", _contract(api="UMConfigure.preInit"), "not a full method descriptor"),
        ("umeng_common", _contract(arg_index=0), "not boolean"),
        ("umeng_common", _contract(arg_index=None), "needs an 'arg_index'"),
        ("umeng_common", _contract(role="start"), "role must be one of"),
        ("umeng_common", _contract(role="init"), "takes no 'arg_index'"),
        ("umeng_common", _contract(source_url="see the vendor site"), "not a URL"),
        ("umeng_common", _contract(descriptor_note=""), "where the descriptor comes from"),
        (
            "umeng_common",
            _contract(api="umeng_auto_init", role="manifest_switch", arg_index=None),
            "off_value",
        ),
    ],
)
def test_malformed_contracts_are_rejected(tmp_path: Path, sdk_id: str, contract: dict, needle: str) -> None:
    path = _write(tmp_path, sdk_id, [contract])
    with pytest.raises(KnowledgeError) as err:
        load_contract_dir(tmp_path, set(load_kb().sdks))
    assert str(err.value).startswith(f"{path}:") and needle in str(err.value)


def test_sdk_check_reports_every_broken_contract_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _write(tmp_path, "umeng_common", [_contract()], source_url=None)
    unknown = _write(tmp_path, "no_such_sdk", [_contract()])
    _write(tmp_path, "jpush", [_contract(api="Lcn/jpush/android/api/JPushInterface;->init(Landroid/content/Context;)V",
                                         role="init", arg_index=None)])  # fmt: skip
    assert main(["sdk", "check", "--contracts", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:" in err and f"{unknown}:" in err and "jpush.yaml" not in err


def test_a_descriptor_claimed_by_two_sdks_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path, "jpush", [_contract(api="Lcom/x/A;->agree(Z)V", arg_index=0)])
    _write(tmp_path, "umeng_common", [_contract(api="Lcom/x/A;->agree(Z)V", arg_index=0)])
    errors, _count = check_contracts(tmp_path)
    assert len(errors) == 1 and "also claimed by jpush" in errors[0]


# -- detection on the fixture app -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_apk():  # type: ignore[no-untyped-def]
    if not APP.is_file():
        pytest.skip("tests/sdk/_apps/contracts.apk not built (tests/sdk/build_fixtures.sh)")
    return open_apk(APP)


@pytest.fixture(scope="module")
def fixture_index(fixture_apk):  # type: ignore[no-untyped-def]
    return build_index([(n, fixture_apk.read(n)) for n in fixture_apk.dex_names])


def _short(calls: list) -> list[tuple]:
    return [
        (c.contract.sdk_id, c.contract.role, c.caller.split(";->")[0].rsplit("/", 1)[-1], c.caller.split("->")[1].split("(")[0],
         c.const_arg, c.arg_source)
        for c in calls
    ]  # fmt: skip


def test_contract_calls_with_their_constant_argument(fixture_index) -> None:  # type: ignore[no-untyped-def]
    calls = find_contract_calls(fixture_index)
    assert _short(calls) == [
        ("amap_location", "show", "App", "onCreate", True, None),
        ("amap_location", "agree", "App", "onCreate", True, None),  # hard-coded true before any dialog
        ("jiguang_jcore", "auth", "App", "onCreate", False, None),  # collection held back
        ("umeng_common", "preinit", "App", "onCreate", None, None),
        ("jiguang_jcore", "auth", "MainActivity", "onAgree", None, "call:Lcom/appwarden/sdkc/Prefs;->agreed(Landroid/content/Context;)Z"),
        ("umeng_common", "init", "MainActivity", "onAgree", None, None),
        ("baidu_location", "agree", "MainActivity", "onAgree", None, "field:Lcom/appwarden/sdkc/Prefs;->AGREED:Z"),
        ("qq_connect", "agree", "MainActivity", "onAgree", True, None),  # the (boolean, String) overload
    ]  # fmt: skip
    assert all(c.offset > 0 and c.dex == "classes.dex" for c in calls)
    assert calls[0].target == calls[0].contract.api


def test_the_sdk_s_own_overload_chain_is_internal(fixture_index) -> None:  # type: ignore[no-untyped-def]
    internal = [
        c
        for c in find_contract_calls(fixture_index, include_internal=True)
        if c.caller.startswith("Lcom/umeng/")
    ]
    assert [c.caller for c in internal] == [
        "Lcom/umeng/commonsdk/UMConfigure;->init(Landroid/content/Context;ILjava/lang/String;)V"
    ]  # fmt: skip


def test_manifest_switches(fixture_apk) -> None:  # type: ignore[no-untyped-def]
    found = {
        (s.contract.sdk_id, s.contract.api, s.value, s.where, s.off)
        for s in manifest_switches(fixture_apk.manifest)
    }
    assert found == {
        ("firebase_messaging", "firebase_messaging_auto_init_enabled", "false", "application", True),
        ("huawei_push", "push_kit_auto_init_enabled", "true", "application", False),
    }  # fmt: skip


def test_no_code_no_manifest_is_empty() -> None:
    assert find_contract_calls(None) == [] and manifest_switches(None) == []


def test_report_sdk_rows_carry_their_contracts() -> None:
    if not APP.is_file():
        pytest.skip("tests/sdk/_apps/contracts.apk not built")
    from appwarden.report.json import validate_report
    from appwarden.scan import scan_apk

    report = scan_apk(APP, run_rules=False)
    validate_report(report)
    rows = {s["id"]: s for s in report["sdks"]}
    amap = rows["amap_location"]["contracts"]
    assert [(c["role"], c["arg"]) for c in amap] == [("show", True), ("agree", True)]
    assert amap[1]["caller"] == "Lcom/appwarden/sdkc/App;->onCreate()V"
    assert amap[1]["source_url"].startswith("https://")
    assert [(c["role"], c["arg"]) for c in rows["jiguang_jcore"]["contracts"]] == [
        ("auth", False),
        ("auth", None),
    ]


# -- corpus -----------------------------------------------------------------------------------------------------


def _corpus_index(rel: str):  # type: ignore[no-untyped-def]
    apk = open_apk(CORPUS / rel)
    return build_index([(n, apk.read(n)) for n in apk.dex_names])


@pytest.mark.corpus
def test_descriptors_said_to_be_confirmed_are_in_that_corpus_apk() -> None:
    if not CORPUS.is_dir():
        pytest.skip("corpus not present (../shared/corpus)")
    by_apk: dict[str, list[str]] = {}
    for contract in load_contracts():
        if contract.descriptor_confirmed_in:
            by_apk.setdefault(contract.descriptor_confirmed_in, []).append(contract.api)
    assert by_apk
    for rel, apis in by_apk.items():
        index = _corpus_index(rel)
        for api in apis:
            assert index.invokes([api]) or any(api in code.descs for code in index.codes), (rel, api)


@pytest.mark.corpus
def test_corpus_app_calls_umeng_init_from_its_wrapper() -> None:
    rel = "cn_sdk/AndroidProject__release_a.apk"
    if not (CORPUS / rel).is_file():
        pytest.skip("corpus not present (../shared/corpus)")
    calls = [c for c in find_contract_calls(_corpus_index(rel)) if c.contract.sdk_id == "umeng_common"]
    assert [(c.contract.role, c.caller) for c in calls] == [
        ("init", "Lcom/hjq/umeng/UmengClient;->init(Landroid/app/Application;)V")
    ]


def test_sdk_show_lists_the_sdk_s_contracts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sdk", "show", "amap_location"]) == 0
    out = capsys.readouterr().out
    assert "contract [agree]: Lcom/amap/api/location/AMapLocationClient;->updatePrivacyAgree" in out
    assert "https://lbs.amap.com/" in out


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("- just\n- a list\n", "must be a mapping"),
        ("sdk_id: jpush\ncontracts: [unclosed\n", ""),
        ("sdk_id: jpush\ncontracts: []\n", "non-empty list"),
        ("sdk_id: jpush\nsource_url: https://x.example\ncontracts:\n- 42\n", "mapping with an 'api'"),
        ("sdk_id: umeng_common\ncontracts:\n- api: Lx;->y()V\n", "does not match the file name"),
    ],
)
def test_hostile_files_give_one_file_line_error(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "jpush.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError) as err:
        load_contract_dir(tmp_path)
    message = str(err.value)
    assert message.startswith(str(path)) and "\n" not in message and needle in message


def test_each_contract_class_is_attributed_to_its_sdk_by_the_kb() -> None:
    """The report attaches contract calls to the SDK rows by id: the class must fall under that SDK's packages."""
    prefixes = {p: rec.id for rec in load_kb() for p in rec.packages}
    for contract in load_contracts():
        if contract.role == "manifest_switch":
            continue
        parts = contract.class_desc[1:-1].split("/")
        owners = [
            prefixes[".".join(parts[:i])] for i in range(len(parts), 0, -1) if ".".join(parts[:i]) in prefixes
        ]
        assert owners and owners[0] == contract.sdk_id, contract.api


def test_the_evidence_objects_are_accepted_too(fixture_apk, fixture_index) -> None:  # type: ignore[no-untyped-def]
    from appwarden.evidence import StaticEvidence

    evidence = StaticEvidence(app=fixture_apk.app_info(), manifest=fixture_apk.manifest, code=fixture_index)
    assert find_contract_calls(evidence) == find_contract_calls(fixture_index)
    assert (
        manifest_switches(evidence)
        == manifest_switches(fixture_apk)
        == manifest_switches(fixture_apk.manifest)
    )
