#!/usr/bin/env python3
"""Precision round 4 (2026-12-07): the rule findings over the whole corpus, the hand-check list, an independent
re-check of each listed finding's facts, and what appeared or vanished since rounds 2/3.

Scope of the hand-check (``hand_check`` in the JSON): every ``likely``/``confirmed`` finding of ``cn_sdk``, every
``high`` finding of the whole corpus, and ``--sample`` (40) ``medium`` findings of the whole corpus drawn
round-robin over the rules (each rule's findings shuffled with ``--seed``, 16, as ``rules_eval.py`` does).

Independent re-check (``check`` of each row), with tools that share no code with the engine:

* call-site evidence: the APK's DEX files (``classes*.dex`` and DEX files under ``assets/``) dumped with AOSP
  ``dexdump -d``; the calling method must exist and invoke the API (field: ``sget``; reflection: the method's
  const-strings name the member); each edge of the call path must be an invoke in the caller's code (``direct``),
  an invoke of the same name and prototype on another class (``dispatch``: a super/interface call), or else it is
  listed as ``other`` (thread/handler/reflective edges) for reading by hand; an override is looked at for its size;
* manifest evidence: the manifest decoded by AOSP ``aapt dump xmltree`` (debuggable, allowBackup,
  usesCleartextTraffic, networkSecurityConfig, min/targetSdkVersion, exported providers, launcher activity,
  Application class); the start of each start-up path must be one of the start-up entries of that manifest;
* ``policy.missing``: no asset or raw resource named like a policy page holding 隐私/privacy.

``changes`` lists, per (APK, rule, owner), the findings that appeared or vanished against the round-2 whole-corpus
file (``bench/results/2026-12-06-rules.json``) and the round-2/3 static-rule files.

Usage: ``.venv/bin/python bench/round4_rules_eval.py [--corpus ../shared/corpus] [--from RULES_JSON] [-o FILE]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import rules_eval  # noqa: E402

OLD = ROOT / "bench" / "results" / "2026-12-06-rules.json"
OLD_R2 = ROOT / "bench" / "results" / "2026-12-06-round2-rules.json"
OLD_R3 = ROOT / "bench" / "results" / "2026-12-06-round3-rules.json"
CODE_ITEMS = 8


def scan_full(path: str) -> dict[str, Any]:
    """rules_eval.scan_one keeping up to CODE_ITEMS evidence items with their whole call paths, and the 通报 types
    as the report states them (``scan.evaluate`` scopes 超范围 on a plain read to a declared 39类 type; the
    engine's ``evaluate``, which rules_eval.py runs, gives the rule's declared types)."""
    import appwarden.rules.engine as engine

    if not getattr(engine.evaluate, "_round4", False):
        run_rules = engine.evaluate

        def scoped(evidence: Any, rules: Any) -> Any:
            from appwarden.report.notice import scope_notice_types

            res = run_rules(evidence, rules)
            res.findings = scope_notice_types(res.findings, evidence.category, evidence.category_inferred)
            return res

        scoped._round4 = True  # type: ignore[attr-defined]
        engine.evaluate = scoped
    rules_eval.EVIDENCE_ITEMS = CODE_ITEMS
    rules_eval.compact_item = lambda item: {k: item[k] for k in rules_eval.FIRST_KEYS if k in item}
    return rules_eval.scan_one(path)


# ---------------------------------------------------------------- dexdump


def _dex_blobs(apk: str) -> list[tuple[str, bytes]]:
    out: list[tuple[str, bytes]] = []
    try:
        z = zipfile.ZipFile(apk)
    except zipfile.BadZipFile:
        return out
    with z:
        for n in z.namelist():
            if re.fullmatch(r"classes\d*\.dex", n) or (n.startswith("assets/") and n.endswith(".dex")):
                try:
                    b = z.read(n)
                except Exception:
                    continue
                if b[:4] == b"dex\n":
                    out.append((n, b))
    return out


METHOD_RE = re.compile(r"^\s+#\d+\s+: \(in (L[^;]+;)\)$")


def dex_methods(apk: str) -> dict[str, list[str]]:
    """method descriptor 'Lc;->n(P)R' -> its dexdump -d instruction lines (every DEX of the APK)."""
    methods: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as td:
        for name, blob in _dex_blobs(apk):
            p = Path(td) / name.replace("/", "_")
            p.write_bytes(blob)
            txt = subprocess.run(
                ["dexdump", "-d", str(p)], capture_output=True, text=True, errors="replace"
            ).stdout
            cls = mname = None
            cur: list[str] | None = None
            for line in txt.splitlines():
                m = METHOD_RE.match(line)
                if m:
                    cls, mname, cur = m.group(1), None, None
                    continue
                s = line.strip()
                if cls and s.startswith("name          : '"):
                    mname = s[len("name          : '") : -1]
                elif cls and mname and s.startswith("type          : '"):
                    desc = f"{cls}->{mname}{s[len('type          : ') + 1 : -1]}"
                    cur = methods.setdefault(desc, [])
                elif cur is not None and "|" in line and ": " in line:
                    cur.append(line.split("|", 1)[1])
    return methods


def _dd(api: str) -> str:
    """'Lc;->n(P)R' / 'Lc;->f:T' as dexdump writes it ('Lc;.n:(P)R' / 'Lc;.f:T')."""
    cls, _, rest = api.partition("->")
    if "(" in rest:
        name, _, proto = rest.partition("(")
        return f"{cls}.{name}:({proto}"
    return f"{cls}.{rest}"


def _name_proto(desc: str) -> str:
    rest = desc.partition("->")[2]
    name, _, proto = rest.partition("(")
    return f".{name}:({proto}" if proto else f".{name}:"


def check_callsite(item: dict[str, Any], methods: dict[str, list[str]]) -> dict[str, Any]:
    caller, api, kind = item.get("caller", ""), item.get("api", ""), item.get("kind")
    res: dict[str, Any] = {}
    body = methods.get(caller)
    if body is None:
        res["caller_found"] = False
        return res
    text = "\n".join(body)
    if kind == "override":
        real = [i for i in body if not i.strip().startswith("nop")]
        res["caller_found"] = True
        res["override_insns"] = len(real)
        res["override_body"] = [i.split(",")[0].split("//")[0].strip() for i in real[:4]]
    elif kind == "reflection" or ("(" not in api and ":" not in api):
        cls, _, member = api.partition("->")
        dotted = cls[1:-1].replace("/", ".")
        res["api_in_caller"] = (f'"{dotted}"' in text or (member and f'"{member}"' in text)) and (
            "forName" in text or "getMethod" in text or "getDeclaredMethod" in text or "invoke" in text
        )
        res["reflection_strings"] = sorted(set(re.findall(r'const-string[^"]*"([^"]{1,60})"', text)))[:8]
    else:
        dd = _dd(api)
        res["api_in_caller"] = dd in text or (_name_proto(api) in text and "invoke" in text)
        if not res["api_in_caller"] and dd.split(":")[0].split(".")[-1] and "->" in api:
            # the API named through a subclass or the app's own wrapper type (invoke-virtual on a subtype)
            res["api_name_in_caller"] = _name_proto(api) in text
    path = item.get("path") or []
    edges = []
    for a, b in itertools.pairwise(path):
        ab = methods.get(a)
        if ab is None:
            edges.append("missing")
            continue
        t = "\n".join(ab)
        if _dd(b) in t:
            edges.append("direct")
        elif _name_proto(b) in t:
            edges.append("dispatch")
        else:
            edges.append("other")
    if path:
        res["path_edges"] = dict(Counter(edges))
        pairs = list(itertools.pairwise(path))
        res["path_other"] = [
            f"{a} -> {b}" for (a, b), e in zip(pairs, edges, strict=False) if e in ("other", "missing")
        ]
        res["path_start"] = path[0]
    return res


# ---------------------------------------------------------------- aapt


def _aapt_xmltree(apk: str) -> str:
    out = subprocess.run(["aapt", "dump", "xmltree", apk, "AndroidManifest.xml"], capture_output=True, text=True,
                         errors="replace").stdout  # fmt: skip
    if out.strip():
        return out
    # aapt refuses a DEX/ZIP polyglot (edge/fdroid__janus): hand it the manifest and resources re-zipped
    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td) / "manifest.zip"
        try:
            with zipfile.ZipFile(apk) as z, zipfile.ZipFile(tmp, "w") as o:
                for n in ("AndroidManifest.xml", "resources.arsc"):
                    if n in z.namelist():
                        o.writestr(n, z.read(n))
        except zipfile.BadZipFile:
            return ""
        return subprocess.run(["aapt", "dump", "xmltree", str(tmp), "AndroidManifest.xml"], capture_output=True,
                              text=True, errors="replace").stdout  # fmt: skip


def apktool_manifest(apk: str) -> dict[str, Any]:
    """The same facts from Debian's ``apktool d -s`` (text manifest + apktool.yml), a second decoder."""
    import xml.etree.ElementTree as ET

    with tempfile.TemporaryDirectory() as td:
        out = Path(td) / "d"
        subprocess.run(
            ["apktool", "d", "-s", "-f", "-q", "-o", str(out), apk], capture_output=True, text=True
        )
        man, yml = out / "AndroidManifest.xml", out / "apktool.yml"
        if not man.exists():
            return {}
        root = ET.parse(man).getroot()
        yml_text = yml.read_text(errors="replace") if yml.exists() else ""
    a = "{http://schemas.android.com/apk/res/android}"
    app = root.find("application")
    app_attrs = app.attrib if app is not None else {}

    def sdk(key: str) -> str | None:
        m = re.search(rf"{key}: '?(\d+)'?", yml_text)
        return m.group(1) if m else None

    pkg = root.get("package", "")
    providers = []
    for p in app.findall("provider") if app is not None else []:
        n = p.get(a + "name", "")
        providers.append({"name": pkg + n if n.startswith(".") else n, "exported": p.get(a + "exported"),
                          "permission": p.get(a + "permission") or p.get(a + "readPermission")})  # fmt: skip
    perms = [u.get(a + "name") for u in root.findall("uses-permission")]
    return {
        "debuggable": app_attrs.get(a + "debuggable"),
        "allowBackup": app_attrs.get(a + "allowBackup"),
        "usesCleartextTraffic": app_attrs.get(a + "usesCleartextTraffic"),
        "networkSecurityConfig": app_attrs.get(a + "networkSecurityConfig"),
        "minSdk": sdk("minSdkVersion"),
        "targetSdk": sdk("targetSdkVersion"),
        "providers": providers,
        "internet": "android.permission.INTERNET" in perms,
    }


def manifest(apk: str) -> dict[str, Any]:
    out = _aapt_xmltree(apk)
    els: list[dict[str, Any]] = []
    stack: list[tuple[int, dict[str, Any]]] = []
    for line in out.splitlines():
        ind = len(line) - len(line.lstrip())
        s = line.strip()
        if s.startswith("E: "):
            el = {"tag": s[3:].split(" ")[0], "attrs": {}, "children": []}
            while stack and stack[-1][0] >= ind:
                stack.pop()
            if stack:
                stack[-1][1]["children"].append(el)
            els.append(el)
            stack.append((ind, el))
        elif s.startswith("A: ") and stack:
            m = re.match(r"A: (?:android:)?([\w:]+)(?:\(0x[0-9a-f]+\))?=(.*)$", s)
            if m:
                v = m.group(2)
                mm = re.match(r'"(.*?)"', v)
                if mm:
                    v = mm.group(1)
                elif "(type 0x12)" in v:
                    v = "true" if v.endswith("0xffffffff") else "false"
                elif "(type 0x10)" in v:
                    v = str(int(re.search(r"\(type 0x10\)(0x[0-9a-f]+)", v).group(1), 16))
                stack[-1][1]["attrs"][m.group(1)] = v
    pkg = next((e["attrs"].get("package") for e in els if e["tag"] == "manifest"), "")
    app = next((e for e in els if e["tag"] == "application"), {"attrs": {}, "children": []})
    sdk = next((e["attrs"] for e in els if e["tag"] == "uses-sdk"), {})

    def full(n: str) -> str:
        return pkg + n if n.startswith(".") else (n if "." in n else f"{pkg}.{n}")

    launchers, providers = [], []
    for c in app["children"]:
        if c["tag"] in ("activity", "activity-alias"):
            for f in c["children"]:
                if f["tag"] != "intent-filter":
                    continue
                names = {g["attrs"].get("name") for g in f["children"]}
                if "android.intent.action.MAIN" in names and "android.intent.category.LAUNCHER" in names:
                    launchers.append(full(c["attrs"].get("targetActivity") or c["attrs"].get("name", "")))
        if c["tag"] == "provider":
            providers.append({"name": full(c["attrs"].get("name", "")), "exported": c["attrs"].get("exported"),
                              "permission": c["attrs"].get("permission") or c["attrs"].get("readPermission")})  # fmt: skip
    perms = [e["attrs"].get("name") for e in els if e["tag"] == "uses-permission"]
    return {
        "package": pkg,
        "application_class": full(app["attrs"]["name"]) if app["attrs"].get("name") else None,
        "app_factory": app["attrs"].get("appComponentFactory"),
        "debuggable": app["attrs"].get("debuggable"),
        "allowBackup": app["attrs"].get("allowBackup"),
        "usesCleartextTraffic": app["attrs"].get("usesCleartextTraffic"),
        "networkSecurityConfig": app["attrs"].get("networkSecurityConfig"),
        "minSdk": sdk.get("minSdkVersion"),
        "targetSdk": sdk.get("targetSdkVersion"),
        "launchers": launchers,
        "providers": providers,
        "internet": "android.permission.INTERNET" in perms,
    }


def _cls(desc: str) -> str:
    return desc.split("->")[0][1:-1].replace("/", ".")


def check_manifest(rule: str, m: dict[str, Any], f: dict[str, Any]) -> dict[str, Any]:
    tgt = m["targetSdk"] or m["minSdk"] or "1"
    if rule == "sec.debuggable":
        return {"fact": m["debuggable"] == "true", "aapt": m["debuggable"]}
    if rule == "sec.allow_backup":
        return {"fact": m["allowBackup"] in (None, "true"), "aapt": m["allowBackup"]}
    if rule == "sec.cleartext":
        if m["networkSecurityConfig"]:
            return {"fact": None, "aapt": f"networkSecurityConfig {m['networkSecurityConfig']}: read the XML"}
        v = m["usesCleartextTraffic"]
        return {"fact": v == "true" or (v is None and int(tgt) < 28), "aapt": f"{v}, target {tgt}"}
    if rule == "perm.target_sdk_below_23":
        return {"fact": int(tgt) < 23, "aapt": f"target {m['targetSdk']} min {m['minSdk']}"}
    if rule == "sec.user_ca_trusted":
        return {"fact": int(tgt) <= 23 and m["internet"] and not m["networkSecurityConfig"],
                "aapt": f"target {tgt}, INTERNET {m['internet']}, nsc {m['networkSecurityConfig']}"}  # fmt: skip
    if rule == "sec.exported_provider":
        names = {i.get("name") for i in f.get("items", [])}
        ps = [p for p in m["providers"] if p["name"] in names]
        tgt_i = int(tgt)
        ok = bool(ps) and all(
            (p["exported"] == "true" or (p["exported"] is None and tgt_i < 17)) and not p["permission"]
            for p in ps
        )
        return {"fact": ok, "aapt": ps}
    return {}


def startup_entries(m: dict[str, Any]) -> set[str]:
    return {c for c in [m["application_class"], m["app_factory"], *m["launchers"]] if c} | {
        p["name"] for p in m["providers"]
    }


def policy_files(apk: str) -> list[str]:
    hits: list[str] = []
    try:
        z = zipfile.ZipFile(apk)
    except zipfile.BadZipFile:
        return ["(zip not readable by Python's zipfile)"]
    with z:
        for n in z.namelist():
            low = n.lower()
            if (low.startswith("assets/") or low.startswith("res/raw/")) and low.endswith(
                (".html", ".htm", ".txt")
            ):
                try:
                    b = z.read(n)[:200000]
                except Exception:
                    continue
                t = b.decode("utf-8", "replace")
                if "隐私" in t or "privacy" in t.lower():
                    hits.append(n)
    return hits


# ---------------------------------------------------------------- verdicts

# Read by hand (docs: /tmp/helpers/out/prec-doc.md, round 4). Key "app|rule|owner" or "*|rule" (every listed row of
# a rule whose facts the tools above do not re-check: read in the apktool/aapt manifest or the code by hand).
MANUAL: dict[str, dict[str, str]] = {
    "GeneralJava__VirtualDispatch3|pi.startup.device_id|host": {
        "fact": "false",
        "note": "MyInterface.getString is called on the B created by createInterfaceImplementation (returns a "
        "constant); the A whose getString reads the IMEI is created afterwards and only printed: the read never "
        "runs. Call-graph dispatch to every implementer (CHA). Fixture twin tests/rules/_apps/dispatch_dead.",
    },
    "GeneralJava__VirtualDispatch4|pi.startup.device_id|host": {
        "fact": "false",
        "note": "as VirtualDispatch3 (the factory's return type is B; A is only printed)",
    },
    "exodus__blooddonation|pi.startup.device_id|google_play_services": {
        "owner": "debatable",
        "note": "the readers are in the monolithic com.google.android.gms.internal package of an old play-services; "
        "the path enters through com.google.android.gms.ads.AdView.loadAd from MainActivity.setupPub: AdMob's "
        "code, which a 通报 would name as the ads SDK, not the Play-services base library",
    },
    "exodus__blooddonation|pi.startup.location|google_play_services": {
        "owner": "debatable",
        "note": "as the device_id finding (AdMob ad request reading the last known location)",
    },
    "xgdemo3__comqqxgdemo-release|sec.trust_all_tls|host": {
        "owner": "debatable",
        "note": "xUtils (com.lidroid.xutils) bundled as app code; not in the SDK knowledge base (as in round 2)",
    },
    "Reinforce__app-release|sec.weak_cipher|host": {
        "owner": "debatable",
        "note": "JavaMail's NTLM (com.sun.mail.auth.Ntlm) bundled as app code (as in round 2)",
    },
    "MobPush__demo|pi.app_list.read|host": {
        "owner": "unknown",
        "note": "obfuscated c.b.a.f (vendor-push helper) reported as the app's (as in round 2)",
    },
    "fdroid__SpeedoMeterApp.main_1|pi.startup.location|host": {
        "note": "true: Speedometer.onCreate requests GPS updates with no notice or consent; the app's function needs "
        "location, which bears on 超范围 (not claimed), not on 私自收集 (M337-1)",
    },
    "MobPush__demo|selfstart.push_wakeup|mob_push": {
        "note": "MobService exported with action com.mob.intent.MOB_SERVICE, MobPushReceiver on CONNECTIVITY_CHANGE "
        "(aapt); that apps of the push alliance wake each other is the rule's reading (possible)",
    },
    "AndroidProject__release_a|sec.cleartext|host": {
        "note": "res/xml/network_security_config.xml: base-config cleartextTrafficPermitted=true (aapt xmltree)",
    },
    "PolicyLibDemo__app-debug|sec.cleartext|host": {
        "note": "res/xml/net_config.xml: base-config cleartextTrafficPermitted=true (aapt xmltree)",
    },
    "*|selfstart.push_wakeup": {"note": "components, exported flags and actions read in the aapt manifest"},
    "*|selfstart.receivers": {
        "note": "receivers and their system-broadcast actions read in the aapt manifest"
    },
    "*|perm.beyond_category": {
        "note": "as round 2 row 48: inferred 地图导航类, READ_CONTACTS/SMS/CAMERA... requested"
    },
    "*|ads.personalization.no_switch": {
        "note": "as round 3: AdMob embedded, no UMP, no personalised-ads text"
    },
    "*|uninstall.launcher_hidden": {
        "note": "as round 3: @string/app_name empty, application and launcher label"
    },
}


def verdict(row: dict[str, Any]) -> dict[str, str]:
    """The verdict of one listed finding: the re-checks' result, overridden by a reading by hand (MANUAL)."""
    chk = row.get("check", {})
    fails, open_ = [], []
    for cs in chk.get("callsites", []):
        if cs.get("caller_found") is False or cs.get("api_in_caller") is False:
            fails.append("call site not found in dexdump")
        if cs.get("override_insns") is not None and cs["override_insns"] > 3:
            open_.append("override has a body")
    for key in ("manifest", "manifest_apktool"):
        f = chk.get(key, {}).get("fact", True)
        if f is False:
            fails.append(f"{key}: fact not in the manifest")
        elif f is None:
            open_.append(f"{key}: read by hand")
    if [p for p in chk.get("policy_files", []) if not p.startswith("(")]:
        fails.append("a policy file is bundled")
    if not fails and not open_ and chk:
        out = {"fact": "true", "owner": "right", "by": "re-check"}
    elif fails:
        out = {"fact": "check", "owner": "?", "by": "; ".join(fails)}
    else:  # nothing the tools decide: true only when read by hand (MANUAL)
        out = {
            "fact": "unverified",
            "owner": "?",
            "by": "no tool re-check: " + "; ".join(open_ or ["no tool"]),
        }
    man = MANUAL.get(f"{row['app']}|{row['rule_id']}|{row['owner']}")
    if man is None and row.get("sampled_as") != ["all"]:  # the rule-wide notes cover the listed rows only
        man = MANUAL.get(f"*|{row['rule_id']}")
    if man:
        by = "re-check + by hand" if out["by"] == "re-check" else "by hand"
        if out["fact"] == "unverified":
            out = {"fact": "true", "owner": "right"}
        out = dict(out, **man, by=by)
    return out


# ---------------------------------------------------------------- scope, changes


def hand_check_rows(apps: list[dict[str, Any]], sample: int, seed: int) -> list[dict[str, Any]]:

    rows, medium = [], defaultdict(list)
    for app in apps:
        for i, f in enumerate(app.get("findings", [])):
            row = {"app": Path(app["file"]).stem, "set": app["set"], "file": app["file"], "index": i, **f}
            why = []
            if app["set"] == "cn_sdk" and f["confidence"] in ("likely", "confirmed"):
                why.append("cn_sdk_likely")
            if f["severity"] == "high":
                why.append("high")
            if why:
                rows.append(row | {"sampled_as": why})
            elif f["severity"] == "medium":
                medium[f["rule_id"]].append(row | {"sampled_as": ["medium_sample"]})
    return rows + rules_eval.round_robin(medium, sample, seed, "file")


def _keys(apps: list[dict[str, Any]]) -> Counter:
    c: Counter = Counter()
    for a in apps:
        for f in a.get("findings", []):
            c[(a["file"], f["rule_id"], f["owner"], f["severity"], f["confidence"])] += 1
    return c


def changes(new_apps: list[dict[str, Any]]) -> dict[str, Any]:
    old = json.loads(OLD.read_text(encoding="utf-8"))
    o, n = _keys(old["per_app"]), _keys(new_apps)
    gone, came = o - n, n - o
    out: dict[str, Any] = {"base": OLD.name, "appeared": [], "vanished": [], "by_rule": {}}
    by_rule: dict[str, Counter] = defaultdict(Counter)
    for k, v in sorted(came.items()):
        out["appeared"].append(
            {"file": k[0], "rule_id": k[1], "owner": k[2], "severity": k[3], "confidence": k[4], "n": v}
        )
        by_rule[k[1]]["+"] += v
    for k, v in sorted(gone.items()):
        out["vanished"].append(
            {"file": k[0], "rule_id": k[1], "owner": k[2], "severity": k[3], "confidence": k[4], "n": v}
        )
        by_rule[k[1]]["-"] += v
    out["by_rule"] = {r: dict(c) for r, c in sorted(by_rule.items())}
    # round-2/3 static-rule files: (set, apk, rule, owner) then vs now
    now = {
        (a["set"], Path(a["file"]).name, f["rule_id"], f["owner"])
        for a in new_apps
        for f in a.get("findings", [])
    }
    for label, path, parts in (
        (OLD_R2.name, OLD_R2, ("cn_sdk",)),
        (OLD_R3.name, OLD_R3, ("cn_sdk", "global_sdk", "clean")),
    ):
        d = json.loads(path.read_text(encoding="utf-8"))
        then = set()
        rules = set()
        for part in parts:
            for rid, fs in d[part]["findings"].items():
                rules.add(rid)
                for f in fs:
                    then.add((part, f["input"], rid, f["owner"]))
        cur = {k for k in now if k[2] in rules and k[0] in parts}
        out[label] = {"appeared": sorted(map(list, cur - then)), "vanished": sorted(map(list, then - cur))}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument(
        "--from", dest="from_json", type=Path, help="per-app findings already scanned (this script's -o)"
    )
    ap.add_argument("--sample", type=int, default=40)
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--all", action="store_true", help="re-check every finding, not only the hand-check list")
    ap.add_argument(
        "--apktool-set", default="cn_sdk", help="also decode this set's manifests with apktool d -s"
    )
    ap.add_argument("-o", "--output", type=Path)
    args = ap.parse_args(argv)
    if args.from_json:
        apps = json.loads(args.from_json.read_text(encoding="utf-8"))["per_app"]
    else:
        apps = []
        for s in rules_eval.DEFAULT_SETS:
            for p in sorted((args.corpus / "apks" / s).glob("*.apk")):
                r = scan_full(str(p))
                r["set"], r["file"] = s, str(p.relative_to(args.corpus))
                apps.append(r)
                print(r["file"], len(r.get("findings", [])), file=sys.stderr)
    rows = hand_check_rows(apps, args.sample, args.seed)
    if args.all:
        listed = {(r["file"], r["index"]) for r in rows}
        rows += [
            {
                "app": Path(a["file"]).stem,
                "set": a["set"],
                "file": a["file"],
                "index": i,
                **f,
                "sampled_as": ["all"],
            }
            for a in apps
            for i, f in enumerate(a.get("findings", []))
            if (a["file"], i) not in listed
        ]
    dex_cache: dict[str, dict[str, list[str]]] = {}
    man_cache: dict[str, dict[str, Any]] = {}
    apk_cache: dict[str, dict[str, Any]] = {}
    for row in rows:
        apk = str(args.corpus / row["file"])
        if apk not in man_cache:
            man_cache[apk] = manifest(apk)
        m = man_cache[apk]
        chk: dict[str, Any] = {}
        code = [i for i in row.get("items", []) if i.get("type") == "callsite"]
        if code:
            if apk not in dex_cache:
                dex_cache = {apk: dex_methods(apk)}  # one APK's dump in memory at a time
            chk["callsites"] = [check_callsite(i, dex_cache[apk]) for i in code]
            starts = {c["path_start"] for c in chk["callsites"] if c.get("path_start")}
            if starts:
                entries = startup_entries(m)
                chk["path_starts_at_entry"] = {
                    s: _cls(s).split("$")[0] in entries or _cls(s) in entries for s in starts
                }
        mf = check_manifest(row["rule_id"], m, row)
        if mf:
            chk["manifest"] = mf
            if row["set"] == args.apktool_set:
                if apk not in apk_cache:
                    apk_cache[apk] = apktool_manifest(apk)
                if apk_cache[apk]:
                    both = dict(m, **apk_cache[apk])
                    chk["manifest_apktool"] = check_manifest(row["rule_id"], both, row)
        if row["rule_id"] == "policy.missing":
            chk["policy_files"] = policy_files(apk)
        row["check"] = chk
        row["verdict"] = verdict(row)
        for it in row.get("items", []):  # paths cut as rules_eval.compact_item does (checked in full above)
            if isinstance(it.get("path"), list) and len(it["path"]) > 5:
                it["path"] = [*it["path"][:3], "…", *it["path"][-2:]]
    summary: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for row in rows:
        fam = row["rule_id"].split(".")[0]
        for part in row["sampled_as"]:
            summary[part][fam][f"fact_{row['verdict']['fact']}"] += 1
            summary[part][fam][f"owner_{row['verdict']['owner']}"] += 1
    compact = []
    for a in apps:
        a = dict(a)
        a["findings"] = [dict(f, items=f.get("items", [])[:4]) for f in a.get("findings", [])]
        compact.append(a)
    out = {
        "benchmark": "round4_rules_eval",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scope": "cn_sdk likely/confirmed + every high finding + 40 medium (seed 16, round-robin over rules, whole corpus)",
        "per_rule": rules_eval.aggregate(apps),
        "hand_check_summary": {
            p: {f: dict(c) for f, c in sorted(v.items())} for p, v in sorted(summary.items())
        },
        "changes": changes(apps),
        "hand_check": rows,
        "per_app": compact,
    }
    path = args.output or ROOT / "bench" / "results" / f"{dt.date.today().isoformat()}-round4-rules.json"
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    print(f"wrote {path}: {len(rows)} rows to check", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
