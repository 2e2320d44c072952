"""SDK identification benchmark: precision/recall against independent truth, false positives, matching time.

One command (from the repo root)::

    .venv/bin/python bench/sdk_eval.py                 # every APK under ../shared/corpus/apks
    .venv/bin/python bench/sdk_eval.py --sets cn_sdk   # a subset

writes ``bench/results/<YYYY-MM-DD>-sdk.json`` and rewrites the generated part of ``docs/sdk-eval.md`` (between the
``sdk-eval`` markers; the hand-written analysis around it is kept).

Truth per app is the union of three independent sources, applied *directly* to the app (never through our KB):

1. **Exodus** code signatures (``trackers/exodus/exodus_trackers.json``, AGPL: read at run time, never shipped):
   each ``|``-separated regex searched in every dotted class name, as exodus-core does;
2. **LibChecker-Rules** (``trackers/libchecker_rules/rules.db``): manifest component, native-lib and package
   rules applied to the manifest, the ``lib/*/*.so`` names and the class list;
3. the **corpus notes** (``MANIFEST.tsv``): SDK names from the source repository's build files and the
   ``dex/so scan`` tokens.

Truth labels are mapped to KB ids by the explicit ``TRUTH_MAP`` below (a label may map to several KB ids when the
KB splits a product, e.g. Umeng common/analytics). Labels with no KB id (generic libraries such as Jetpack, OkHttp,
Kotlin; or SDKs the KB does not know) are listed as *out of KB scope* and not scored. Scoring per app:

- a truth SDK is *found* when any of its KB ids is reported (recall);
- a reported KB id is *correct* when some truth label of the app maps to it (precision); reported ids that no
  truth source can speak about are listed as *unverifiable* and not scored.

Also measured: SDKs reported on ``apks/clean`` and ``apks/droidbench`` (should be none), packer verdicts, and the
SDK stage time (identify + attribute + packer, KB already loaded) as a share of the static scan time
(``appwarden.scan.build_static_evidence`` timings).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import re
import sqlite3
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from appwarden.errors import AppwardenError  # noqa: E402
from appwarden.evidence import Evidence  # noqa: E402
from appwarden.scan import build_static_evidence, evaluate  # noqa: E402
from appwarden.sdk.attribute import attribute  # noqa: E402
from appwarden.sdk.kb import load_kb  # noqa: E402
from appwarden.sdk.match import Matcher  # noqa: E402
from appwarden.sdk.packers import detect_packer  # noqa: E402

DEFAULT_CORPUS = Path(os.environ.get("APPWARDEN_SHARED", ROOT.parent / "shared")) / "corpus"
SETS = ("cn_sdk", "global_sdk", "clean", "droidbench")
FP_SETS = ("clean", "droidbench")

# truth label (source-prefixed) -> KB ids. "exodus:<name>", "lc:<label>", "note:<token>".
TRUTH_MAP: dict[str, tuple[str, ...]] = {
    # Exodus tracker names
    "exodus:Umeng Analytics": ("umeng_analytics", "umeng_common"),
    "exodus:Umeng Social": ("umeng_share",),
    "exodus:Umeng+": ("umeng_common", "umeng_analytics"),
    "exodus:Umeng Push": ("umeng_push",),
    "exodus:Bugly": ("tencent_bugly",),
    "exodus:Tencent Stats": ("tencent_mta",),
    "exodus:Tencent MTA": ("tencent_mta",),
    "exodus:Tencent Map LBS": ("tencent_map", "tencent_location"),
    "exodus:JiGuang Aurora Mobile JPush": ("jpush", "jiguang_jcore"),
    "exodus:JPush": ("jpush", "jiguang_jcore"),
    "exodus:Baidu Location": ("baidu_location",),
    "exodus:Baidu Map": ("baidu_map",),
    "exodus:Baidu Maps": ("baidu_map",),
    "exodus:Baidu APPX": ("baidu_mobads",),
    "exodus:Baidu Mobile Ads": ("baidu_mobads",),
    "exodus:Baidu Mobile Stat": ("baidu_mtj",),
    "exodus:Baidu Push": ("baidu_push",),
    "exodus:AMap": ("amap_location", "amap_map"),
    "exodus:Getui": ("getui_push",),
    "exodus:Xiaomi Push": ("xiaomi_push",),
    "exodus:Huawei Mobile Services (HMS) Core": ("huawei_hms_core", "huawei_push"),
    "exodus:Huawei Push": ("huawei_push",),
    "exodus:Meizu Push": ("meizu_push",),
    "exodus:OPPO Push": ("oppo_push",),
    "exodus:Vivo Push": ("vivo_push",),
    "exodus:Sina Weibo": ("weibo_sdk",),
    "exodus:Weibo": ("weibo_sdk",),
    "exodus:Tencent Login": ("qq_connect",),
    "exodus:QQ Connect": ("qq_connect",),
    "exodus:WeChat": ("wechat_opensdk",),
    "exodus:ShareSDK": ("sharesdk", "mob_common"),
    "exodus:Mob": ("mob_common",),
    "exodus:MobTech": ("mob_common",),
    "exodus:iFlyTek": ("iflytek_msc",),
    "exodus:Alipay": ("alipay_sdk",),
    "exodus:Google AdMob": ("google_admob",),
    "exodus:Google Ads": ("google_admob",),
    "exodus:Google Firebase Analytics": ("firebase_analytics",),
    "exodus:Google Analytics": ("firebase_analytics",),
    "exodus:Google CrashLytics": ("firebase_crashlytics",),
    "exodus:Crashlytics": ("firebase_crashlytics",),
    "exodus:Fabric": ("firebase_crashlytics",),
    "exodus:Facebook Login": ("facebook_sdk",),
    "exodus:Facebook Share": ("facebook_sdk",),
    "exodus:Facebook Analytics": ("facebook_sdk",),
    "exodus:Facebook Places": ("facebook_sdk",),
    "exodus:Facebook Ads": ("facebook_audience_network",),
    "exodus:Facebook Audience": ("facebook_audience_network",),
    "exodus:Twitter MoPub": ("mopub",),
    "exodus:Tencent Bugly": ("tencent_bugly",),
    "exodus:Tinker": ("tencent_tinker",),
    "exodus:Pangle": ("pangle",),
    "exodus:GDT": ("tencent_gdt",),
    "exodus:Sensors Analytics": ("sensors_analytics",),
    "exodus:GrowingIO": ("growingio",),
    "exodus:TalkingData": ("talkingdata",),
    "exodus:LinkedIn": ("linkedin_sdk",),
    "exodus:Twitter": ("twitter_kit",),
    "exodus:AutoNavi / Amap": ("amap_location", "amap_map"),
    # LibChecker labels
    "lc:移动统计分析": ("umeng_analytics", "umeng_common"),
    "lc:友盟推送": ("umeng_push",),
    "lc:U-Share 社会化分享": ("umeng_share",),
    "lc:Bugly": ("tencent_bugly",),
    "lc:Tinker": ("tencent_tinker",),
    "lc:信鸽推送": ("tencent_tpns",),
    "lc:腾讯移动推送": ("tencent_tpns",),
    "lc:腾讯移动分析": ("tencent_mta",),
    "lc:腾讯开放平台": ("qq_connect", "wechat_opensdk"),
    "lc:腾讯地图 SDK": ("tencent_map", "tencent_location"),
    "lc:腾讯浏览服务（TBS）": ("tencent_x5",),
    "lc:TBS": ("tencent_x5",),
    "lc:极光推送": ("jpush", "jiguang_jcore"),
    "lc:个推": ("getui_push",),
    "lc:MiPush": ("xiaomi_push",),
    "lc:Huawei Push": ("huawei_push",),
    "lc:HMS Core": ("huawei_hms_core",),
    "lc:HMS Update": ("huawei_hms_core",),
    "lc:AppGallery Connect": ("huawei_hms_core",),
    "lc:OPPO Push": ("oppo_push",),
    "lc:vivo Push": ("vivo_push",),
    "lc:Meizu Push": ("meizu_push",),
    "lc:荣耀推送服务": ("honor_push",),
    "lc:百度 LBS": ("baidu_location",),
    "lc:百度地图 SDK": ("baidu_map", "baidu_location"),
    "lc:百度云推送": ("baidu_push",),
    "lc:高德 SDK": ("amap_map", "amap_location"),
    "lc:高德地图 SDK": ("amap_map", "amap_location"),
    "lc:微博 SDK": ("weibo_sdk",),
    "lc:支付宝 SDK": ("alipay_sdk", "alipay_share"),
    "lc:ShareSDK": ("sharesdk", "mob_common"),
    "lc:讯飞 SDK": ("iflytek_msc",),
    "lc:DCloud": ("dcloud_uniapp",),
    "lc:360 加固": ("qihoo_jiagu",),
    "lc:MSA SDK": ("msa_oaid",),
    "lc:UTDID": ("alibaba_utdid",),
    "lc:Google AdMob": ("google_admob",),
    "lc:Firebase Analytics": ("firebase_analytics",),
    "lc:Firebase Cloud Messaging": ("firebase_messaging",),
    "lc:Crashlytics": ("firebase_crashlytics",),
    "lc:Facebook SDK": ("facebook_sdk",),
    "lc:Audience Network": ("facebook_audience_network",),
    "lc:Google Sign-In": ("google_signin",),
    "lc:FCM": ("firebase_messaging",),
    "lc:HUAWEI Push": ("huawei_push",),
    "lc:HUAWEI Push(TPNS Proxy)": ("huawei_push_tpns_proxy",),
    "lc:MiPush(TPNS Proxy)": ("mipush_tpns_proxy",),
    # SDKs named in the corpus notes' free text (source repo README / build.gradle), see NOTE_NAMES
    "named:umeng-analytics": ("umeng_analytics", "umeng_common"),
    "named:umeng-share": ("umeng_share",),
    "named:bugly": ("tencent_bugly",),
    "named:tinker": ("tencent_tinker",),
    "named:qq": ("qq_connect",),
    "named:wechat": ("wechat_opensdk",),
    "named:weibo": ("weibo_sdk",),
    "named:amap": ("amap_location", "amap_map"),
    "named:baidu-map": ("baidu_map",),
    "named:baidu-location": ("baidu_location",),
    "named:baidu-push": ("baidu_push",),
    "named:jpush": ("jpush", "jiguang_jcore"),
    "named:jmlink": ("jiguang_jmlink", "jiguang_jcore"),
    "named:iflytek": ("iflytek_msc",),
    "named:dcloud": ("dcloud_uniapp",),
    "named:mobpush": ("mob_push", "mob_common"),
    "named:sharesdk": ("sharesdk", "mob_common"),
    "named:smssdk": ("mob_smssdk", "mob_common"),
    "named:tencent-xg": ("tencent_tpns",),
    "named:xiaomi-push": ("xiaomi_push",),
    "named:huawei-push": ("huawei_push", "huawei_hms_core"),
    "named:meizu-push": ("meizu_push",),
    "named:oppo-push": ("oppo_push",),
    "named:vivo-push": ("vivo_push",),
    "named:fcm": ("firebase_messaging",),
    "named:admob": ("google_admob",),
    "named:firebase": ("firebase_analytics", "firebase_messaging"),
    "named:facebook": ("facebook_sdk", "facebook_audience_network"),
    "named:google-signin": ("google_signin",),
    "named:twitter-kit": ("twitter_kit",),
    "named:crashlytics": ("firebase_crashlytics",),
    "named:linkedin": ("linkedin_sdk",),
    "named:gms-location": ("google_location",),
    # corpus-notes tokens (dex/so scan) and named SDKs
    "note:umeng": ("umeng_analytics", "umeng_common", "umeng_share", "umeng_push", "umeng_apm"),
    "note:bugly": ("tencent_bugly",),
    "note:tinker": ("tencent_tinker",),
    "note:qq-connect": ("qq_connect",),
    "note:wechat-sdk": ("wechat_opensdk",),
    "note:sina-weibo": ("weibo_sdk",),
    "note:tencent-mta": ("tencent_mta",),
    "note:tencent-xg/tpns": ("tencent_tpns",),
    "note:jpush/jiguang": (
        "jpush",
        "jiguang_jcore",
        "jiguang_jmlink",
        "jiguang_jverification",
        "jiguang_janalytics",
    ),
    "note:iflytek": ("iflytek_msc",),
    "note:baidu-location": ("baidu_location",),
    "note:baidu-map": ("baidu_map",),
    "note:baidu-push": ("baidu_push",),
    "note:amap": ("amap_location", "amap_map"),
    "note:sharesdk/mob": ("sharesdk", "mob_common", "mob_smssdk", "mob_push"),
    "note:huawei-push/hms": ("huawei_push", "huawei_hms_core"),
    "note:xiaomi-push": ("xiaomi_push",),
    "note:meizu-push": ("meizu_push",),
    "note:oppo-push": ("oppo_push",),
    "note:vivo-push": ("vivo_push",),
    "note:firebase-messaging": ("firebase_messaging",),
    "note:firebase-analytics": ("firebase_analytics",),
    "note:crashlytics": ("firebase_crashlytics",),
    "note:facebook": ("facebook_sdk", "facebook_audience_network"),
    "note:admob": ("google_admob",),
    "note:google-adid": ("google_adid",),
    "note:gms-location": ("google_location",),
    "note:packer:360-jiagu": ("qihoo_jiagu",),
}
# Notes tokens that name something outside the KB's scope (not scored).
NOTE_IGNORE = {"firebase-other"}
# SDK names in the notes' free text (what the source repository's README/build files say the app uses).
NOTE_NAMES: tuple[tuple[str, str], ...] = (
    (r"UMeng analytics|UMeng demo", "umeng-analytics"),
    (r"UMeng share", "umeng-share"),
    (r"Bugly", "bugly"),
    (r"Tinker", "tinker"),
    (r"\bQQ\b", "qq"),
    (r"WeChat", "wechat"),
    (r"Weibo", "weibo"),
    (r"AMap", "amap"),
    (r"Baidu Map", "baidu-map"),
    (r"Baidu Location", "baidu-location"),
    (r"Baidu Cloud Push", "baidu-push"),
    (r"JPush plugin", "jpush"),
    (r"JMLink", "jmlink"),
    (r"iFlytek", "iflytek"),
    (r"DCloud", "dcloud"),
    (r"MobPush", "mobpush"),
    (r"ShareSDK", "sharesdk"),
    (r"SMSSDK", "smssdk"),
    (r"Tencent XG", "tencent-xg"),
    (r"Xiaomi", "xiaomi-push"),
    (r"Huawei", "huawei-push"),
    (r"Meizu", "meizu-push"),
    (r"OPPO", "oppo-push"),
    (r"vivo", "vivo-push"),
    (r"\bFCM\b", "fcm"),
    (r"AdMob", "admob"),
    (r"Firebase", "firebase"),
    (r"Facebook SDK", "facebook"),
    (r"Google Sign-In", "google-signin"),
    (r"Twitter Kit", "twitter-kit"),
    (r"Crashlytics", "crashlytics"),
    (r"LinkedIn", "linkedin"),
    (r"Play Services location", "gms-location"),
)


def _dotted(desc: str) -> str:
    return desc[1:-1].replace("/", ".") if desc.startswith("L") and desc.endswith(";") else desc


def load_exodus(corpus: Path) -> list[tuple[str, re.Pattern[str]]]:
    data = json.loads((corpus / "trackers" / "exodus" / "exodus_trackers.json").read_text(encoding="utf-8"))
    out = []
    for rec in data["trackers"].values():
        sig = (rec.get("code_signature") or "").strip()
        if sig:
            out.append((rec["name"], re.compile(sig)))
    return out


def load_libchecker(corpus: Path) -> list[tuple[int, str, str, bool]]:
    db = sqlite3.connect(f"file:{corpus / 'trackers' / 'libchecker_rules' / 'rules.db'}?mode=ro", uri=True)
    try:
        return [
            (t, n, label, bool(r))
            for n, label, t, r in db.execute("SELECT name, label, type, isRegexRule FROM rules_table")
        ]
    finally:
        db.close()


def truth_for(app: dict, exodus, libchecker, note: str) -> dict[str, str]:
    """truth label -> evidence string, for one app (independent of the KB)."""
    found: dict[str, str] = {}
    dotted = [_dotted(c) for c in app["classes"]]
    blob = "\n".join(dotted)
    for name, regex in exodus:
        m = regex.search(blob)
        if m:
            line_start = blob.rfind("\n", 0, m.start()) + 1
            line_end = blob.find("\n", m.end())
            found[f"exodus:{name}"] = f"class {blob[line_start : line_end if line_end >= 0 else None]}"
    comps = set(app["components"])
    libs = set(app["libs"])
    for rtype, name, label, is_regex in libchecker:
        key = f"lc:{label}"
        if key in found:
            continue
        if rtype == 0:
            hit = next((x for x in libs if (re.fullmatch(name, x) if is_regex else x == name)), None)
            if hit:
                found[key] = f"native_lib {hit}"
        elif rtype in (1, 2, 3, 4):
            hit = next((x for x in comps if (re.fullmatch(name, x) if is_regex else x == name)), None)
            if hit:
                found[key] = f"component {hit}"
        elif rtype == 5:
            prefix = name[: -len(".(.*)")] if is_regex and name.endswith(".(.*)") else name
            hit = next((c for c in dotted if c.startswith(prefix + ".")), None)
            if hit:
                found[key] = f"class {hit}"
    free_text = note.split("| dex/so scan:", 1)[0]
    for pattern, name in NOTE_NAMES:
        if re.search(pattern, free_text):
            found[f"named:{name}"] = "corpus notes (source repository README/build files)"
    tokens = note.split("dex/so scan:", 1)[1] if "dex/so scan:" in note else ""
    for token in tokens.split(";")[0].split(","):
        token = token.strip()
        if token and token != "no known tracker prefixes" and token not in NOTE_IGNORE:
            found[f"note:{token}"] = "corpus notes (dex/so string scan)"
    return found


def extract(path: Path, with_rules: bool) -> tuple[dict, dict]:
    """Run the static stage once; return the app facts for truth and the stage results/timings.

    ``timings`` gets ``sdk_code``: identify + attribute + detect_packer re-run on the finished evidence (warm KB,
    dex lookups already built), i.e. the cost of the matching code itself; and ``rules`` when ``with_rules``.
    """
    ev = build_static_evidence(path)
    matcher = Matcher(load_kb())
    classes_all = list(ev.code.classes) if ev.code is not None else []
    t = time.perf_counter()
    hits = matcher.identify(classes_all, ev.manifest, ev.entry_names, code=ev.code)
    attribute(ev.callsites, matcher, hits, ev.manifest)
    detect_packer(ev.entry_names, classes_all, ev.manifest)
    ev.timings["sdk_code"] = time.perf_counter() - t
    if with_rules:
        t = time.perf_counter()
        evaluate(Evidence(static=ev))
        ev.timings["rules"] = time.perf_counter() - t
    classes = list(ev.code.classes) if ev.code is not None else []
    man = ev.manifest
    app = {
        "package": man.package if man else None,
        "classes": classes,
        "components": [c.name for c in man.components] if man else [],
        "libs": sorted(
            {n.rsplit("/", 1)[-1] for n in ev.entry_names if n.startswith("lib/") and n.endswith(".so")}
        ),
    }
    result = {
        "sdks": {h.id: {"classes": h.classes, "matched": h.matched, "version": h.version} for h in ev.sdks},
        "packer": ev.packer.id if ev.packer else None,
        "timings": dict(ev.timings),
        "callsites": len(ev.callsites),
        "owners": sorted({c.owner for c in ev.callsites}),
    }
    return app, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--sets", nargs="*", default=list(SETS))
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/sdk-eval.md")
    parser.add_argument(
        "--no-rules", action="store_true", help="skip the rule engine (full-scan share not measured)"
    )
    args = parser.parse_args(argv)
    manifest_tsv = args.corpus / "MANIFEST.tsv"
    if not manifest_tsv.is_file():
        print(f"sdk_eval: corpus not found at {args.corpus}", file=sys.stderr)
        return 2
    with manifest_tsv.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if r["file"].split("/")[1] in args.sets]
    t = time.perf_counter()
    kb = load_kb()
    kb_load = time.perf_counter() - t
    exodus, libchecker = load_exodus(args.corpus), load_libchecker(args.corpus)
    # warm up: first scan pays the KB load / index build; keep it out of the timing shares
    build_static_evidence(args.corpus / rows[0]["file"])

    per_app = []
    per_sdk: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fn": 0, "fp": 0})
    out_of_scope: dict[str, int] = defaultdict(int)
    unverifiable: dict[str, int] = defaultdict(int)
    fp_sets_hits: list[dict] = []
    shares: list[float] = []
    code_shares: list[float] = []
    full_shares: list[float] = []
    totals = {"tp": 0, "fn": 0, "fp": 0, "pred_tp": 0, "pred_fp": 0}
    for row in rows:
        path = args.corpus / row["file"]
        group = row["file"].split("/")[1]
        try:
            app, res = extract(path, with_rules=not args.no_rules and group not in FP_SETS)
        except AppwardenError as exc:
            per_app.append({"file": row["file"], "error": str(exc)})
            continue
        timings = res["timings"]
        if timings.get("total", 0) > 0.05:
            shares.append(timings.get("sdk", 0.0) / timings["total"])
            code_shares.append(timings["sdk_code"] / timings["total"])
            if "rules" in timings:
                full_shares.append(timings.get("sdk", 0.0) / (timings["total"] + timings["rules"]))
        predicted = set(res["sdks"])
        if group in FP_SETS:
            if predicted:
                fp_sets_hits.append({"file": row["file"], "sdks": sorted(predicted)})
            per_app.append(
                {"file": row["file"], "set": group, "predicted": sorted(predicted), "packer": res["packer"]}
            )
            continue
        truth = truth_for(app, exodus, libchecker, row.get("notes", ""))
        scored_truth: dict[str, tuple[str, ...]] = {}
        for label in truth:
            ids = tuple(i for i in TRUTH_MAP.get(label, ()) if i in kb)
            if ids:
                scored_truth[label] = ids
            else:
                out_of_scope[label] += 1
        truth_ids = {i for ids in scored_truth.values() for i in ids}
        misses = []
        for label, ids in sorted(scored_truth.items()):
            if predicted & set(ids):
                totals["tp"] += 1
                per_sdk[label]["tp"] += 1
            else:
                totals["fn"] += 1
                per_sdk[label]["fn"] += 1
                misses.append({"truth": label, "evidence": truth[label], "kb_ids": list(ids)})
        verifiable_ids = {i for ids in TRUTH_MAP.values() for i in ids}
        wrong = []
        for sdk_id in sorted(predicted):
            if sdk_id in truth_ids:
                totals["pred_tp"] += 1
                per_sdk[f"kb:{sdk_id}"]["tp"] += 1
            elif sdk_id in verifiable_ids:
                totals["pred_fp"] += 1
                per_sdk[f"kb:{sdk_id}"]["fp"] += 1
                wrong.append({"kb_id": sdk_id, "matched": res["sdks"][sdk_id]["matched"][:4]})
            else:
                unverifiable[sdk_id] += 1
        per_app.append(
            {
                "file": row["file"],
                "set": group,
                "package": app["package"],
                "predicted": {
                    k: {"classes": v["classes"], "version": v["version"]}
                    for k, v in sorted(res["sdks"].items())
                },
                "truth": sorted(truth),
                "misses": misses,
                "false_positives": wrong,
                "packer": res["packer"],
                "timings": {k: round(v, 4) for k, v in timings.items()},
            }
        )
    recall = totals["tp"] / (totals["tp"] + totals["fn"]) if totals["tp"] + totals["fn"] else None
    precision = (
        totals["pred_tp"] / (totals["pred_tp"] + totals["pred_fp"])
        if totals["pred_tp"] + totals["pred_fp"]
        else None
    )
    result = {
        "date": dt.date.today().isoformat(),
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
        "note": "preliminary: shared machine (other engineers' jobs running); rerun on a quiet machine",
        "corpus": str(args.corpus),
        "sets": args.sets,
        "kb": {
            "sdks": len(kb),
            "chinese": sum(1 for s in kb if s.chinese),
            "load_seconds": round(kb_load, 3),
        },
        "overall": {
            "truth_found": totals["tp"],
            "truth_missed": totals["fn"],
            "recall": round(recall, 4) if recall is not None else None,
            "reported_correct": totals["pred_tp"],
            "reported_wrong": totals["pred_fp"],
            "precision": round(precision, 4) if precision is not None else None,
        },
        "per_sdk": {k: v for k, v in sorted(per_sdk.items())},
        "fp_check_sets": {"sets": list(FP_SETS), "apps_with_sdks": fp_sets_hits},
        "out_of_kb_scope_truth": dict(sorted(out_of_scope.items())),
        "unverifiable_reported": dict(sorted(unverifiable.items())),
        "timing": {
            "definition": "sdk = the scan's 'sdk' stage (identify+attribute+packer, incl. first-use dex lookups); "
            "sdk_code = the same three calls re-run warm; static = apk+inflate+dex+sdk; full = static + rules",
            "sdk_share_of_static_scan_median": _r(statistics.median(shares)) if shares else None,
            "sdk_share_of_static_scan_max": _r(max(shares)) if shares else None,
            "sdk_code_share_of_static_scan_median": _r(statistics.median(code_shares))
            if code_shares
            else None,
            "sdk_code_share_of_static_scan_max": _r(max(code_shares)) if code_shares else None,
            "sdk_share_of_full_scan_median": _r(statistics.median(full_shares)) if full_shares else None,
            "sdk_share_of_full_scan_max": _r(max(full_shares)) if full_shares else None,
            "apps_timed": len(shares),
        },
        "apps": per_app,
    }
    out = ROOT / "bench" / "results" / f"{result['date']}-sdk.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("kb", "overall", "timing")}, ensure_ascii=False))
    print(f"FP-check apps with SDKs: {fp_sets_hits}")
    if not args.no_docs:
        _write_docs(result)
    print(f"wrote {out}")
    return 0


def _r(x: float) -> float:
    return round(x, 4)


MARK_BEGIN = "<!-- sdk-eval:begin (generated by bench/sdk_eval.py) -->"
MARK_END = "<!-- sdk-eval:end -->"


def _write_docs(result: dict) -> None:
    doc = ROOT / "docs" / "sdk-eval.md"
    o, tm = result["overall"], result["timing"]
    lines = [
        MARK_BEGIN,
        f"Run {result['date']} on {result['machine']} ({result['note']}).",
        "",
        f"KB: {result['kb']['sdks']} SDKs ({result['kb']['chinese']} Chinese), loaded in {result['kb']['load_seconds']} s.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| truth SDKs found / missed | {o['truth_found']} / {o['truth_missed']} |",
        f"| **recall** | {o['recall']} |",
        f"| reported SDKs correct / wrong | {o['reported_correct']} / {o['reported_wrong']} |",
        f"| **precision** | {o['precision']} |",
        f"| apps in {', '.join(result['fp_check_sets']['sets'])} with any SDK reported | {len(result['fp_check_sets']['apps_with_sdks'])} |",
        f"| SDK stage share of static scan time (median / max over {tm['apps_timed']} apps) | {tm['sdk_share_of_static_scan_median']} / {tm['sdk_share_of_static_scan_max']} |",
        f"| matching code alone (warm), share of static scan time (median / max) | {tm['sdk_code_share_of_static_scan_median']} / {tm['sdk_code_share_of_static_scan_max']} |",
        f"| SDK stage share of full scan time incl. rules (median / max) | {tm['sdk_share_of_full_scan_median']} / {tm['sdk_share_of_full_scan_max']} |",
        "",
        "Per app (scored sets):",
        "",
        "| app | reported | missed truth | wrong |",
        "|---|---|---|---|",
    ]
    for app in result["apps"]:
        if "misses" not in app:
            continue
        name = app["file"].split("/")[-1]
        reported = ", ".join(app["predicted"]) or "-"
        missed = ", ".join(m["truth"] for m in app["misses"]) or "-"
        wrong = ", ".join(f["kb_id"] for f in app["false_positives"]) or "-"
        lines.append(f"| {name} | {reported} | {missed} | {wrong} |")
    lines += [
        "",
        "Per truth label / reported KB id (tp, fn, fp):",
        "",
        "| label | tp | fn | fp |",
        "|---|---|---|---|",
    ]
    for label, v in result["per_sdk"].items():
        lines.append(f"| {label} | {v['tp']} | {v['fn']} | {v['fp']} |")
    lines += [
        "",
        f"Out-of-KB-scope truth labels (not scored): {', '.join(f'{k} ({v})' for k, v in result['out_of_kb_scope_truth'].items()) or '-'}",
        "",
        f"Reported but unverifiable (no truth source covers them): {', '.join(f'{k} ({v})' for k, v in result['unverifiable_reported'].items()) or '-'}",
        MARK_END,
    ]
    block = "\n".join(lines)
    text = (
        doc.read_text(encoding="utf-8")
        if doc.is_file()
        else f"# SDK identification: evaluation\n\n{MARK_BEGIN}\n{MARK_END}\n"
    )
    if MARK_BEGIN in text and MARK_END in text:
        head, rest = text.split(MARK_BEGIN, 1)
        _, tail = rest.split(MARK_END, 1)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
