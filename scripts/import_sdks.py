#!/usr/bin/env python3
"""Import third-party SDK signatures from permissively licensed data sets into ``knowledge/sdks/imported/``.

Usage::

    python scripts/import_sdks.py [--corpus ../shared/corpus] [--check]

Sources (all under ``<corpus>/trackers/``; provenance in ``corpus/DATASETS.md``):

* ``libchecker_rules/rules.db`` + ``rules.jsonl`` - LibChecker-Rules (Apache-2.0): manifest component, native-lib
  and package-prefix rules with Chinese SDK names and vendors.
* ``libradar/tag_rules.csv`` - LibRadar (Apache-2.0): smali package -> library name and type.
* ``apk_analyzer_sdks/sdk_signatures/*/*.yaml`` - apk-analyzer (MIT): the hand-written (non ``lc_``) files only.

The Exodus list (AGPL) and camille's list (no licence) are evaluation truth only: this script never reads them.

The output is deterministic (sorted keys, sorted lists, ids derived from the data) and the whole ``imported/``
folder is rewritten on each run, so re-running it gives a byte-identical tree. Hand-curated files
(``knowledge/sdks/curated/*.yaml``) win: an imported group sharing any signature with a curated SDK is dropped and
listed on stderr, so the curated file stays the one place to edit that SDK.

What is *not* imported: generic open-source/development libraries that do not themselves process personal
information (Jetpack, support libraries, Kotlin, OkHttp, image loaders, codecs, game engines, ...). They would
only clutter the 第三方SDK清单 and fire on every clean app. The deny rules are the ``_LIBRARY_*`` tables below.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import shutil
import sqlite3
import sys
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SDK_DIR = ROOT / "src" / "appwarden" / "knowledge" / "sdks"
OUT_DIR = SDK_DIR / "imported"
CURATED_DIR = SDK_DIR / "curated"

LIBCHECKER = {
    "dataset": "libchecker_rules",
    "repo": "LibChecker/LibChecker-Rules",
    "commit": "3ec8753a0bb53843793e19537bcaf7cd73b9a05d",
    "licence": "Apache-2.0",
}
LIBRADAR = {
    "dataset": "libradar",
    "repo": "pkumza/LibRadar",
    "commit": "2fa3891123e5fd97d631fbe14bf029714c328ca3",
    "licence": "Apache-2.0",
}
APK_ANALYZER = {
    "dataset": "apk_analyzer",
    "repo": "pypi:apk-analyzer==1.32.0 (1PersonLtd/apk-analyzer)",
    "commit": "wheel-sha256:c8275c10207f58792b3b3a0de908fb15e005c77fa0cbd42525847991aeb63083",
    "licence": "MIT",
}

# LibChecker rules.db type -> our signature kind
_LC_TYPES = {0: "native_libs", 1: "manifest_components", 2: "manifest_components", 3: "manifest_components",
             4: "manifest_components", 5: "packages", 6: "packages"}  # fmt: skip

# Vendors (LibChecker "team") whose products here are generic libraries, not PI-processing SDKs.
_LIBRARY_TEAMS_RE = re.compile(
    r"^(android|google|ffmpeg|freetype|giflib|opencv|openssl|sqlite|zlib|square|jakewharton|chromium|mozilla|"
    r"xiph|videolan|the lame project|libgdx|godot|unity|unity technologies|qt|mpv|webrtc|webm project|"
    r"tensorflow|tesseract|protocol labs|aria2|curl|gnu|yaml|libusb|libfuse|libsdl\.org|epic games|"
    r"cocos2d.*|fcitx.*|rime.*|lsposed|realm|mongodb|dropbox|openvpn.*|wireguard|.*open.?source.*)$",
    re.I,
)
# Labels that are libraries whatever the team says (matched case-insensitively as whole label or prefix).
_LIBRARY_LABELS_RE = re.compile(
    r"^(jetpack|support library|kotlin|okhttp|okio|retrofit|gson|fastjson|glide|fresco|lottie|picasso|butter ?knife|"
    r"eventbus|greendao|zxing|protobuf|material design|flexbox|exoplayer|flutter|react native|hermes|yoga|folly|"
    r"ijkplayer|mmkv|wcdb|ncnn|mnn|tnn|paddle|mindspore|libyuv|libjpeg|webp|opus|speex|vorbis|lame|x264|"
    r"sqlcipher|conscrypt|boringssl|brotli|zstandard|7-zip|un7zip|androidp7zip|c\+\+|file provider|"
    r"open source notices|leakcanary|flipper|breakpad|xcrash|xhook|bhook|shadowhook|koom|matrix|epic|"
    r"sandhook|freereflection|lsplant|dexkit|virtualapp|shizuku|renderscript|oboe|filament|liquidfun|"
    r"mapbox gl native|quickjs|javet|node\.js|androlua|zandrolua|python-for-android|golang|rust|xamarin|"
    r"unity|unreal|cocos|godot|gamemaker|layaair|ren'py|libsdl|qt[56]|libgdx|live2d|wwise|fmod|"
    r"openal|cri |avpro|burst|native ?audio|easy mobile|artemis|团结引擎|ucrop|android-crop|matisse|"
    r"pictureselector|xpopup|andpermission|easypermissions|androidautosize|androidutilcode|agentweb|"
    r"filedownloader|okdownload|hdiffpatch|hsynz|bspatch|zipalign|process phoenix|retoast|stackblur|"
    r"threadfix|izuko|sense|cello|enet|dexter|log4a|logan|glog|log for c\+\+|cjson|iconv|libzip|"
    r"libyaml|tagLib|mediainfolib|libraw|leptonica|mupdf|pdfium|imebra|minilzo|sodium|soundtouch|"
    r"sonic|stretch|uni ?rapidjson|apngdrawable|glidewebpdecoder|android ndk gif|android-gif-drawable|"
    r"android-tiffbitmapfactory|androidphotofilters|androidlame|gpuimage|burstlinker|cwac|czxing|zbar|"
    r"zxing android embedded|android-job|android ble|android beacon|android crazy linker|"
    r"android game development kit|appauth|bitfrost|clash|trojan|tun2socks|rclone|gocryptsfs|libp2p|"
    r"jlibtorrent|libtorrent4j|torrent library|libtnet|libmpv|libvlc|lib_xul|liblouis|librtlsdr|libtcc|"
    r"libdeflate|libavif|libhfyuv|libchrome|libmonochrome|libdevinfo|libaria2|libcurl|libime|"
    r"isar|megazord|mozilla nss|trichrome|ion|hwcpipe|hexagon|symphony|snpe|gl4es|google ink|"
    r"google woff2|barhopper|cardboard|google vr|arcore|virocore|vosk|opencc|opencore-amr|"
    r"mediastreamer2|pjsip|quiche|tquic|xquic|cronet|rxffmpeg|ffmpegkit|playersdk|smartappupdates|"
    r"rupgrade|wgs2gcj|zipw|nmmp|xnn|android-tree-sitter|flutter pty|react-native|telegram|tdlib|"
    r"trust wallet|iapp|jsenv|tracepath|videodec|quack|lspatch|rootbeer|antifakerandroidchecker|"
    r"easyprotector|dnschecker|xpref|boostmultidex|codelocator|mira|drouter|virtualapk|neptune|qigsaw|"
    r"replugin|hippy|weex|kraken|gcanvas|gaiax|lynx|pag|xlua|hardcoder|mars|xnet|alinnpython|"
    r"dcloud|finclip|flutterboost|mobileimsdk|anychat|tutk|threadfix|fresco|coil|room|volley|rxjava|"
    r"bytehook|keva|ttnet|bytevc|西瓜播放器|烈焰弹幕使|正版曲库直通车|sqlite|javame|mongodb|okhttp3|retrofit2|protocol buffer|processphoenix|logging|sdl|light sdk|smart app updates|"
    r"exec|dict_parser|saturn|connectionbase|realm|wireguard|shook|lib ?xul|frame pacing|legacy photo picker|"
    r"games plugin for unity|liblibrtlsdr|cri adx2|cri sofdec2|lofelt|foxit pdf|openmobilemaps|crosswalk)(?![a-z])",
    re.I,
)
# Package prefixes too generic to attribute (umbrella roots shared by many products, or not an SDK at all).
_GENERIC_PREFIXES = {
    "com.facebook", "com.tencent", "com.tencent.common", "com.tencent.utils", "com.tencent.t", "com.tencent.record",
    "com.tencent.plus", "com.tencent.jsutil", "com.github", "com.thirdparty", "com.huawei.android", "com.baidu.android",
    "com.baidu.platform", "com.google.android.gms", "com.google.firebase", "android.widget", "android.content.pm",
    "android.opengl", "com.amazon", "com.letv", "com.aliyun", "com.alibaba.mtl", "com.mob.tools", "com.mob.commons",
    "com.adsdk", "com.batch", "com.bump", "com.parse", "com.papaya", "com.verizon", "com.dobao", "com.doapps",
    "com.magtab", "com.vercoop", "anetwork.channel.aidl", "com.google.android.vending", "com.android.vending",
}  # fmt: skip
# LibRadar types whose rows are SDK candidates; other types only via _LIBRADAR_KEEP_NAMES.
_LIBRADAR_TYPES = {
    "Advertisement": "advertising",
    "Mobile Analytics": "analytics",
    "Social Network": "social_login_share",
    "Payment": "payment",
    "Map/LBS": "map_location",
    "Digital Identity": "other",
}
_LIBRADAR_KEEP_NAMES_RE = re.compile(
    r"push|jpush|jiguang|getui|umeng|xiaomi|qihoo|tpush|xinge|baidu|iflytek|xunfei|mob sms|huanxin|easemob|"
    r"netease im|taobao accs|ut mini|alibaba|aliyun|heyzap|ironsource|leadbolt|mobfox|newrelic|pollfish|"
    r"appbrain|bugsense|acra|fabric|tapdaq|tapit|nuance|radius networks|tencent|lenovo|huawei|letv|coolyun",
    re.I,
)
# afinal/smack/twitter4j: libraries; Microsoft MapPoint: one helper class (TileSystem) that osmdroid bundles.
_LIBRADAR_DROP_NAMES_RE = re.compile(
    r"^(afinal|smack|outline games|twitter 4j|ti map|mapsforge|openstreetmap|microsoft mappoint)", re.I
)

_CATEGORY_KEYWORDS = [
    ("security_packer", r"加固|乐固|御安全|梆梆|爱加密|jiagu|guard|shell|packer|protect"),
    ("hot_update", r"热修复|hotfix|tinker|sophix|andfix|robust|热更新|patch"),
    ("push", r"推送|push|xinge|信鸽|getui|个推|mipush|agoo|accs"),
    (
        "advertising",
        r"广告|\bads?\b|\bad\b|admob|adcolony|applovin|ironsource|pangle|穿山甲|mobads|联盟|推广|tanx|"
        r"unity ads|audience network|mopub|inmobi|vungle|chartboost|tapjoy|startapp|youmi|domob|adview",
    ),
    ("crash_apm", r"crash|崩溃|bugly|apm|性能|监控|sentry|bugsnag|instabug|acra|岳鹰|云捕|crasheye|newrelic"),
    (
        "analytics",
        r"统计|分析|analytics|\bstat|mta|灯塔|datafinder|applog|adjust|appsflyer|flurry|talkingdata|"
        r"tenddata|growingio|sensors|神策|umeng|友盟|埋点",
    ),
    ("map_location", r"地图|定位|\blbs\b|\bmap|location|navi|高德|amap"),
    ("payment", r"支付|pay|银联|钱包|wallet|米大师|billing|iap"),
    (
        "social_login_share",
        r"分享|登录|share|login|oauth|微博|weibo|wechat|微信|qq|开放平台|sso|账号|帐号|"
        r"social|facebook|sign-in|抖音|小红书|快手开放",
    ),
    ("customer_service", r"客服|七鱼|美洽|智齿|udesk|customer"),
]
_CN_TEAMS_RE = re.compile(
    r"tencent|腾讯|alibaba|alipay|aliyun|阿里|baidu|百度|huawei|honor|xiaomi|小米|bytedance|volcengine|火山|"
    r"netease|网易|iqiyi|didi|滴滴|meituan|bilibili|vivo|oppo|meizu|nubia|jd|qihoo|360|umeng|友盟|mobclub|"
    r"kingsoft|金山|weibo|sina|iflytek|讯飞|douyin|快手|kwai|极光|aurora|个推|数美|同盾|梆梆|顶象|旷视|"
    r"hpplay|乐播|融云|环信|七牛|中国|银联|招商|ping\+\+|taptap|西山居|xiaohongshu|有道|haluo|哈啰|"
    r"cmb|china|凡泰|数字天堂|思必驰|aispeech|即构|美摄|美洽|智齿|创蓝|游密|youme|屹通|北京|上海|杭州|广州|"
    r"宁波|深圳|公安部|移动安全联盟|快应用|mikage|御影|layabox",
    re.I,
)
_CN_PREFIX_RE = re.compile(
    r"^(cn\.|com\.(tencent|baidu|alibaba|alipay|taobao|umeng|huawei|hihonor|xiaomi|sina|weibo|iflytek|igexin|"
    r"qihoo|qihoo360|netease|bytedance|ss\.android|kwad|meizu|vivo|heytap|coloros|amap|autonavi|tendcloud|"
    r"letv|mob|unionpay|jd|ksyun|qiniu|getui|xunlei|duoku|uc|ut|ta|youku|iqiyi|didi|meituan|bilibili|"
    r"sensorsdata|growingio|talkingdata|mobclick|nd|yixia|iwanvi|chineseall|anzhi|iapppay|mobisage|"
    r"adwo|madhouse|kuguo|adsmogo|easemob|avos|alimama|duapp|tendcloud)\b|org\.android\.agoo|u\.aly|"
    r"mm\.purchasesdk|net\.youmi|anet\.channel)",
)
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")


def _slug(text: str) -> str:
    text = text.lower().replace("+", "plus").replace("&", "and")
    text = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    return re.sub(r"_+", "_", text)


def _norm_package(value: str) -> str | None:
    """A package/class prefix in dotted form, or None when it is not usable as one."""
    value = value.strip()
    if value.startswith("L"):
        value = value[1:]
    value = value.replace("/", ".").rstrip(".;")
    value = re.sub(r"\.\(\.\*\)$", "", value)  # LibChecker 'com.alipay.(.*)'
    if not re.fullmatch(r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*", value):
        return None
    return value


def _norm_component_regex(pattern: str) -> str:
    """LibChecker component regexes 'a.b.(.*)' become a component prefix rule 'a.b.*'; others stay 're:...'."""
    m = re.fullmatch(r"([\w$.]+?)\.?\(\.\*\)", pattern)
    if m and not any(c in m.group(1) for c in "\\[]()|?+*"):
        return m.group(1) + "*"
    return "re:" + pattern


def _category(*texts: str) -> str:
    blob = " ".join(t for t in texts if t)
    for category, pattern in _CATEGORY_KEYWORDS:
        if re.search(pattern, blob, re.I):
            return category
    return "other"


def _is_library(label: str, team: str) -> bool:
    return bool(_LIBRARY_LABELS_RE.match(label.strip()) or _LIBRARY_TEAMS_RE.match((team or "").strip()))


class Group:
    """One SDK being assembled from rules that share a name."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.names: dict[str, str] = {}  # name_zh / name_en
        self.vendor = ""
        self.category = ""
        self.url = ""
        self.sigs: dict[str, set[str]] = defaultdict(set)
        self.sources: dict[str, dict] = {}
        self.facts: dict[str, set[str]] = defaultdict(set)
        self.permissions: set[str] = set()
        self.version_hints: list[dict] = []
        self.description = ""

    def add(self, kind: str, value: str, source: dict) -> None:
        self.sigs[kind].add(value)
        self.sources.setdefault(source["dataset"], source)
        self.facts[source["dataset"]].add(f"signatures.{kind}")

    def fact(self, name: str, source: dict) -> None:
        self.sources.setdefault(source["dataset"], source)
        self.facts[source["dataset"]].add(name)


def _load_libchecker(tdir: Path, groups: dict[str, Group]) -> None:
    meta: dict[str, dict] = {}
    with (tdir / "libchecker_rules" / "rules.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            meta.setdefault(rec["label"], rec)
    db = sqlite3.connect(f"file:{tdir / 'libchecker_rules' / 'rules.db'}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT name, label, type, isRegexRule FROM rules_table ORDER BY _id").fetchall()
    finally:
        db.close()
    for name, label, rtype, is_regex in rows:
        info = meta.get(label, {})
        team = info.get("team") or ""
        if _is_library(label, team):
            continue
        kind = _LC_TYPES.get(rtype)
        if kind is None:
            continue
        if kind == "packages":
            value = _norm_package(name)
            if value is None or value in _GENERIC_PREFIXES:
                continue
        elif kind == "native_libs":
            value = ("re:" + name) if is_regex else name
        else:
            value = _norm_component_regex(name) if is_regex else name
        group = groups.setdefault(f"lc:{label}", Group(f"lc:{label}"))
        group.add(kind, value, LIBCHECKER)
        if not group.names:
            if _CJK_RE.search(label):
                group.names["name_zh"] = label
            else:
                group.names["name_en"] = label
            group.vendor = team
            group.url = info.get("relativeUrl") or ""
            group.description = (info.get("description") or "").strip()
            group.fact("name", LIBCHECKER)
            if team:
                group.fact("vendor", LIBCHECKER)


def _load_libradar(tdir: Path, groups: dict[str, Group]) -> None:
    with (tdir / "libradar" / "tag_rules.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        lib = (row.get("Library Name") or "").strip()
        ltype = (row.get("Type") or "").strip()
        if not lib or lib == "no" or _LIBRADAR_DROP_NAMES_RE.match(lib):
            continue
        if ltype not in _LIBRADAR_TYPES and not _LIBRADAR_KEEP_NAMES_RE.search(lib):
            continue
        if _is_library(lib, ""):
            continue
        prefix = _norm_package(row["Package Name"])
        if prefix is None or prefix in _GENERIC_PREFIXES or "." not in prefix:
            continue
        key = f"lr:{lib.lower()}"
        group = groups.setdefault(key, Group(key))
        group.add("packages", prefix, LIBRADAR)
        if not group.names:
            group.names["name_en"] = lib
            group.url = (row.get("Official Website") or "").strip()
            group.category = _LIBRADAR_TYPES.get(ltype, "")
            group.fact("name", LIBRADAR)
            if group.category:
                group.fact("category", LIBRADAR)


_AA_SKIP_DIRS = {"network", "ui", "storage", "media"}
_AA_SKIP_IDS = {"bytedance_bytehook", "bytedance_keva", "bytedance_lynx", "bytedance_shadowhook",
                "bytedance_ttnet", "umeng_uapm", "sea_secure_sdk", "google_play_integrity", "crosswalk_webview"}  # fmt: skip
_AA_CATEGORIES = {"ads": "advertising", "analytics": "analytics", "bytedance_internal": "analytics",
                  "map": "map_location", "payment": "payment", "push": "push", "security": "security_packer",
                  "social": "social_login_share", "webview": "other"}  # fmt: skip
_AA_GENERIC_LIBS = {"libwebview.so", "libwebcore.so", "libuc.so", "libsecure.so"}


def _load_apk_analyzer(tdir: Path, groups: dict[str, Group]) -> None:
    base = tdir / "apk_analyzer_sdks" / "sdk_signatures"
    for path in sorted(base.glob("*/*.yaml")):
        if path.name.startswith("lc_") or path.parent.name in _AA_SKIP_DIRS:
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("id") in _AA_SKIP_IDS:
            continue
        det = data.get("detection") or {}
        key = f"aa:{data['id']}"
        group = groups.setdefault(key, Group(key))
        for prefix in det.get("package_prefixes") or []:
            value = _norm_package(prefix)
            if value and value not in _GENERIC_PREFIXES:
                group.add("packages", value, APK_ANALYZER)
        for lib in det.get("native_libs") or []:
            if lib not in _AA_GENERIC_LIBS:
                group.add("native_libs", lib, APK_ANALYZER)
        for kind in ("manifest_activities", "manifest_services", "manifest_providers", "manifest_receivers"):
            for comp in det.get(kind) or []:
                group.add("manifest_components", comp, APK_ANALYZER)
        name = str(data.get("name") or data["id"])
        group.names["name_zh" if _CJK_RE.search(name) else "name_en"] = name
        group.vendor = str(data.get("vendor") or "")
        group.category = _AA_CATEGORIES.get(path.parent.name, "")
        group.description = str(data.get("description") or "")
        group.fact("name", APK_ANALYZER)
        group.fact("vendor", APK_ANALYZER)
        group.fact("category", APK_ANALYZER)
        perms = (data.get("risk") or {}).get("permissions") or []
        group.permissions.update(
            p for p in perms if isinstance(p, str) and p.startswith("android.permission.")
        )
        if perms:
            group.fact("permissions", APK_ANALYZER)
        bc = (data.get("version_extraction") or {}).get("buildconfig") or {}
        if bc.get("class_pattern") and bc.get("field"):
            cls = _norm_package(bc["class_pattern"])
            if cls:
                group.version_hints.append({"kind": "static_field", "class": cls, "field": bc["field"]})
                group.fact("version_hints", APK_ANALYZER)


def _merge_by_signature(groups: dict[str, Group]) -> list[Group]:
    """Union groups that share a package prefix (same SDK named differently by two data sets)."""
    parent = {k: k for k in groups}

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    owner: dict[tuple[str, str], str] = {}
    for key in sorted(groups):
        for name in groups[key].names.values():
            norm = re.sub(r"(sdk|\s|[^\w\u4e00-\u9fff])+", "", name.lower())
            if norm:
                other = owner.setdefault(("name", norm), key)
                if other != key:
                    ra, rb = find(other), find(key)
                    if ra != rb:
                        parent[max(ra, rb)] = min(ra, rb)
        for kind in ("packages", "manifest_components", "native_libs"):
            for value in sorted(groups[key].sigs.get(kind, ())):
                other = owner.setdefault((kind, value), key)
                if other != key:
                    ra, rb = find(other), find(key)
                    if ra != rb:
                        parent[max(ra, rb)] = min(ra, rb)
    merged: dict[str, Group] = {}
    for key in sorted(groups):
        root = find(key)
        if root == key:
            merged[key] = groups[key]
            continue
        target, src = merged[root], groups[key]
        for kind, values in src.sigs.items():
            target.sigs[kind] |= values
        for name, value in src.names.items():
            target.names.setdefault(name, value)
        target.vendor = target.vendor or src.vendor
        target.category = target.category or src.category
        target.url = target.url or src.url
        target.description = target.description or src.description
        target.permissions |= src.permissions
        target.version_hints += [h for h in src.version_hints if h not in target.version_hints]
        for ds, source in src.sources.items():
            target.sources.setdefault(ds, source)
            target.facts[ds] |= src.facts[ds]
    return list(merged.values())


def _load_curated() -> tuple[dict[str, dict], dict[tuple[str, str], str]]:
    curated: dict[str, dict] = {}
    sig_owner: dict[tuple[str, str], str] = {}
    if CURATED_DIR.is_dir():
        for path in sorted(CURATED_DIR.glob("*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or "id" not in data:
                continue
            curated[data["id"]] = data
            for kind, values in (data.get("signatures") or {}).items():
                for value in values or []:
                    sig_owner[(kind, str(value))] = data["id"]
    return curated, sig_owner


def _prune_parent_prefixes(group: Group, sig_owner: dict[tuple[str, str], str]) -> None:
    """Drop imported package prefixes that are proper parents of a curated prefix (too coarse: the curated SDK
    defines that namespace more precisely, e.g. LibRadar's ``com.tencent.mm`` vs curated ``com.tencent.mm.opensdk``)."""
    curated_pkgs = [v for (kind, v) in sig_owner if kind == "packages"]
    keep = set()
    for value in group.sigs.get("packages", ()):
        if not any(c.startswith(value + ".") for c in curated_pkgs):
            keep.add(value)
    if "packages" in group.sigs:
        group.sigs["packages"] = keep


# Imported groups (by data-set label) that are the same product as a curated SDK although they share no
# signature with it: dropped, so one product is one row of the 第三方SDK清单.
CURATED_ALIASES = {
    "神策分析 SDK": "sensors_analytics", "腾讯灯塔 SDK": "tencent_beacon", "阿里聚安全": "alibaba_security",
    "华为帐号服务": "huawei_account", "号码认证服务": "aliyun_numberauth", "阿里云号码认证 SDK": "aliyun_numberauth",
    "极光认证 SDK": "jiguang_jverification", "七鱼 SDK": "netease_qiyu", "智齿客服 SDK": "sobot", "网易云信": "netease_nim",
    "网易云通信 SDK": "netease_nim", "百度人脸识别": "baidu_face", "开普勒 SDK": "jd_kepler", "滴滴 SDK": "didi_sdk",
    "腾讯游戏 MSDK": "tencent_msdk", "MSDK": "tencent_msdk", "腾讯乐固": "tencent_legu", "人脸核身 SDK": "tencent_faceid",
    "实人认证 SDK": "aliyun_realperson", "金融级实人认证 SDK": "aliyun_realperson", "小米广告 SDK": "xiaomi_ads",
    "Kwai Ad SDK": "kuaishou_ads", "快手广告 SDK": "kuaishou_ads", "HUAWEI Ads Kit": "huawei_ads",
    "Huawei Ads SDK": "huawei_ads", "百川电商 SDK - 唤醒手淘": "alibaba_baichuan", "百川电商 SDK - 授权": "alibaba_baichuan",
    "百川 SDK": "alibaba_baichuan", "旷视 SDK": "megvii_faceid", "腾讯云实时音视频 SDK": "tencent_trtc",
    "腾讯云实时音视频": "tencent_trtc", "腾讯云 HTTPDNS": "tencent_httpdns", "DataFinder": "bytedance_applog",
    "HMS Core AAID": "huawei_hms_core", "腾讯云通信 SDK": "tencent_im", "融云 IM SDK": "rongcloud_im",
    "环信 IM": "easemob_im", "美洽客服 SDK": "meiqia", "闪验 SDK": "chuanglan_shanyan", "移动号码认证": "cmcc_auth",
    "Huanxin": "easemob_im", "Netease IM SDK": "netease_nim", "Tencent Map LBS": "tencent_location",
    "数美 SDK": "shumei", "同盾设备指纹": "tongdun", "网易易盾": "netease_yidun", "顶象无感验证 SDK": "dingxiang_risk",
    "MSA SDK": "msa_oaid", "讯飞 SDK": "iflytek_msc", "梆梆安全": "bangcle", "爱加密": "ijiami", "360 加固": "qihoo_jiagu",
    "百度应用加固": "baidu_jiagu", "腾讯开放平台": "qq_connect", "微博 SDK": "weibo_sdk", "支付宝 SDK": "alipay_sdk",
    "银联 SDK": "unionpay_sdk", "阿里移动热修复": "aliyun_sophix", "阿里移动推送": "aliyun_push", "米大师": "tencent_midas",
    "抖音 SDK": "douyin_opensdk", "腾讯广告 SDK": "tencent_gdt", "移动应用推广 SDK": "baidu_mobads",
    "腾讯浏览服务（TBS）": "tencent_x5", "TBS": "tencent_x5", "友盟推送": "umeng_push", "移动统计分析": "umeng_analytics",
    "U-Share 社会化分享": "umeng_share", "个推": "getui_push", "极光推送": "jpush", "信鸽推送": "tencent_tpns",
    "腾讯移动推送": "tencent_tpns", "腾讯移动分析": "tencent_mta", "腾讯地图 SDK": "tencent_map", "百度地图 SDK": "baidu_map",
    "百度 LBS": "baidu_location", "百度云推送": "baidu_push", "高德 SDK": "amap_map", "高德地图 SDK": "amap_map",
    "Pangle SDK": "pangle", "荣耀推送服务": "honor_push", "Meizu Push": "meizu_push", "OPPO Push": "oppo_push",
    "vivo Push": "vivo_push", "MiPush": "xiaomi_push", "Huawei Push": "huawei_push", "HUAWEI Push": "huawei_push",
    "Bugly": "tencent_bugly", "Tinker": "tencent_tinker", "ShareSDK": "sharesdk", "UTDID": "alibaba_utdid",
    "DCloud": "dcloud_uniapp", "防水墙": "tencent_captcha",
}  # fmt: skip


def _alias_of(group: Group, curated: dict[str, dict]) -> str | None:
    for name in group.names.values():
        target = CURATED_ALIASES.get(name)
        if target in curated:
            return target
    return None


def _covered_by_curated(group: Group, sig_owner: dict[tuple[str, str], str]) -> str | None:
    """The curated SDK id that already owns one of this group's signatures (or a parent package of one)."""
    for kind, values in sorted(group.sigs.items()):
        for value in sorted(values):
            if (kind, value) in sig_owner:
                return sig_owner[(kind, value)]
            if kind == "packages":
                parts = value.split(".")
                for i in range(len(parts) - 1, 1, -1):
                    hit = sig_owner.get(("packages", ".".join(parts[:i])))
                    if hit:
                        return hit
    return None


def _id_for(group: Group) -> str:
    name_en = group.names.get("name_en")
    if name_en:
        base = _slug(name_en)
        vendor = _slug(group.vendor) if group.vendor and _CJK_RE.search(group.vendor) is None else ""
        if vendor and not base.startswith(vendor.split("_")[0]) and len(base) < 5:
            base = f"{vendor}_{base}"
        if base:
            return base
    # Chinese-only name: derive from the most specific shared package or component root, else a native lib.
    for kind in ("packages", "manifest_components"):
        values = sorted(v for v in group.sigs.get(kind, ()) if not v.startswith("re:"))
        if values:
            parts = values[0].rstrip("*").split(".")
            root = [p for p in parts[:4] if p not in ("com", "cn", "org", "net", "android", "sdk")][:3]
            if root:
                return _slug("_".join(root))
    libs = sorted(re.sub(r"^re:|\(.*$|\\.*$", "", v) for v in group.sigs.get("native_libs", ()))
    libs = [v for v in libs if _slug(re.sub(r"^lib|\.so$", "", v))]
    if libs:
        return _slug(re.sub(r"^lib|\.so$", "", libs[0]))
    return "sdk_" + hashlib.sha1(group.key.encode()).hexdigest()[:10]


_CN_NAMES_RE = re.compile(
    r"huawei|honor|mipush|xiaomi|vivo|oppo|meizu|kwai|qihoo|letv|coolyun|tencent|qapm|jad sdk|apminsight|agc apm|"
    r"ping\+\+|baidu|alibaba|aliyun|alipay|umeng|getui|jpush|jiguang|sina|weibo|iflytek|xunfei|mob share|mobcent|"
    r"bytedance|pangle|netease|taobao|tendcloud|talkingdata|sensors|growingio|xinhua|duoku|anzhi|yixia|unionpay|"
    r"lenovo|^msdk$",
    re.I,
)


def _chinese(group: Group) -> bool:
    blob = " ".join([*group.names.values(), group.vendor])
    if _CJK_RE.search(blob) or _CN_TEAMS_RE.search(group.vendor or "") or _CN_NAMES_RE.search(blob):
        return True
    return any(_CN_PREFIX_RE.match(v) for v in group.sigs.get("packages", ()))


def _record(group: Group, sdk_id: str) -> dict:
    name_zh = group.names.get("name_zh") or group.names.get("name_en") or sdk_id
    name_en = group.names.get("name_en") or group.names.get("name_zh") or sdk_id
    category = group.category or _category(name_zh, name_en)  # descriptions are too noisy for keywords
    if not group.category:
        for ds in group.facts:
            if "name" in group.facts[ds]:
                group.facts[ds].add("category (keyword rule on the name/description)")
                break
    signatures = {
        kind: sorted(group.sigs.get(kind, ()))
        for kind in ("packages", "manifest_components", "meta_data_keys", "native_libs", "assets")
    }
    record = {
        "id": sdk_id,
        "name_zh": name_zh,
        "name_en": name_en,
        "vendor": group.vendor or "unknown",
        "category": category,
        "chinese": _chinese(group),
        "signatures": signatures,
        "domains": [],
        "pi_collected": [],
        "permissions": sorted(group.permissions),
        "privacy_policy_url": None,
        "homepage": group.url or None,
        "version_hints": group.version_hints,
        "source": [{**group.sources[ds], "facts": sorted(group.facts[ds])} for ds in sorted(group.sources)],
    }
    return record


def build(corpus: Path) -> tuple[dict[str, dict], list[str]]:
    """All imported SDK records by id, and log lines (superseded / skipped groups)."""
    tdir = corpus / "trackers"
    groups: dict[str, Group] = {}
    _load_libchecker(tdir, groups)
    _load_libradar(tdir, groups)
    _load_apk_analyzer(tdir, groups)
    merged = _merge_by_signature(groups)
    curated, sig_owner = _load_curated()
    out: dict[str, dict] = {}
    log: list[str] = []
    for group in sorted(merged, key=lambda g: g.key):
        if not any(group.sigs.values()):
            continue
        cur = _alias_of(group, curated) or _covered_by_curated(group, sig_owner)
        if cur is None:
            _prune_parent_prefixes(group, sig_owner)
            if not any(group.sigs.values()):
                log.append(f"dropped (only parents of curated prefixes): {group.key}")
                continue
        if cur is not None:
            log.append(f"superseded by curated {cur}: {group.key}")
            continue
        sdk_id = _id_for(group)
        if sdk_id in curated:
            sdk_id = f"{sdk_id}_imported"
        base, n = sdk_id, 2
        while sdk_id in out:
            sdk_id = f"{base}_{n}"
            n += 1
        out[sdk_id] = _record(group, sdk_id)
    return out, log


class _Dumper(yaml.SafeDumper):
    pass


def _dump(record: dict) -> str:
    header = "# Imported by scripts/import_sdks.py - do not edit by hand; curate in ../curated/<id>.yaml instead.\n"
    return header + yaml.dump(record, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--check", action="store_true", help="only report whether imported/ is up to date")
    parser.add_argument("-v", "--verbose", action="store_true", help="list superseded groups")
    args = parser.parse_args(argv)
    if not (args.corpus / "trackers").is_dir():
        print(f"import_sdks: no trackers/ under {args.corpus}", file=sys.stderr)
        return 2
    records, log = build(args.corpus)
    rendered = {f"{sdk_id}.yaml": _dump(rec) for sdk_id, rec in records.items()}
    if args.check:
        current = (
            {p.name: p.read_text(encoding="utf-8") for p in OUT_DIR.glob("*.yaml")}
            if OUT_DIR.is_dir()
            else {}
        )
        if current != rendered:
            print("import_sdks: imported/ is out of date; rerun scripts/import_sdks.py", file=sys.stderr)
            return 1
        print(f"import_sdks: imported/ up to date ({len(rendered)} SDKs)")
        return 0
    # write a sibling folder, then swap it in: a scan running meanwhile sees the old or the new set, not a mix
    staging = OUT_DIR.with_name(".imported.new")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    for name, text in sorted(rendered.items()):
        (staging / name).write_text(text, encoding="utf-8")
    old = OUT_DIR.with_name(".imported.old")
    if old.exists():
        shutil.rmtree(old)
    if OUT_DIR.is_dir():
        OUT_DIR.rename(old)
    staging.rename(OUT_DIR)
    if old.exists():
        shutil.rmtree(old)
    if args.verbose:
        for line in log:
            print(line, file=sys.stderr)
    chinese = sum(1 for r in records.values() if r["chinese"])
    print(
        f"import_sdks: wrote {len(records)} SDKs ({chinese} Chinese) to {OUT_DIR}; {len(log)} groups superseded"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
