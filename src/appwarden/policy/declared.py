"""What the policy declares: PI categories, permissions explained, third-party SDKs listed.

Contract:

* :func:`declared_pi` → ``[DeclaredPi]``: PI categories (keys of ``knowledge/pi_apis.yaml``) named in the policy,
  with the matching phrases and sentences. A mention in a negated clause (``我们不会收集您的通讯录``) does not
  count. Generic device-identifier wording (``设备标识符``) declares the resettable and hardware identifiers
  listed in :data:`GENERIC_TERMS`; the matched term is kept so a reviewer can see it was generic.
* :func:`declared_permissions` → ``[DeclaredPermission]``: Android permissions the policy explains, by their
  ``android.permission.*`` name or their Chinese name (``相机权限``, ``位置权限``, …).
* :func:`declared_sdks` → ``[DeclaredSdk]``: SDKs listed (name, vendor, purpose, PI), from SDK-list records
  (``SDK名称：``/``第三方名称：``/``运营方：``/``使用目的：``/``收集个人信息类型：``), from ``XX SDK`` mentions, and from
  names of the SDK knowledge base (``knowledge/sdks/*.yaml``: ``name_zh``, ``name_en``, ``aliases``) found in the
  text; matched to knowledge-base ids when possible. A small or absent knowledge base only lowers matching.

The phrase dictionary below was written for appwarden from the category names in ``pi_apis.yaml`` and common
policy wording; it is not derived from the research-only or AGPL corpora.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from typing import Any

from appwarden.knowledge import pi_categories
from appwarden.policy.deadline import NO_DEADLINE, Deadline
from appwarden.policy.model import DeclaredPermission, DeclaredPi, DeclaredSdk, Sentence
from appwarden.policy.sdkmatch import find_strong_names, match_name
from appwarden.policy.segment import SentenceIndex
from appwarden.policy.textmatch import ascii_lower, compile_lower, is_latin_term, latin_bounded

MAX_EVIDENCE = 3

# category -> phrases (regex fragments). Latin terms match case-insensitively and not inside longer words.
PI_TERMS: dict[str, tuple[str, ...]] = {
    "imei": ("IMEI", "MEID", "国际移动设备(?:识别码|身份码)", "移动设备识别码"),
    "imsi": ("IMSI", "国际移动用户识别码", "用户识别码"),
    "iccid": ("ICCID", "SIM卡?序列号", "SIM卡?(?:识别码|标识|信息)", "集成电路卡识别码"),
    "phone_number": ("手机号码?", "电话号码", "本机号码", "移动电话号码", "联系电话"),
    "serial": ("序列号", "SN码", "SN", "Serial"),
    "android_id": (r"Android\s*ID", "安卓ID", "SSAID"),
    "oaid": ("OAID", "匿名设备标识符?", "广告标识符?", "广告ID", "IDFA", "GAID", "VAID", "AAID"),
    "mac": (r"MAC(?:地址)?", "物理地址", "媒体访问控制地址"),
    "carrier": ("运营商", "移动网络代码", "MCC", "MNC", "国家码"),
    "cell": ("基站", "小区(?:ID|标识)", r"Cell\s*ID", "蜂窝(?:网络)?信息"),
    "location": ("位置", "定位", "GPS", "经纬度", "地理位置", "所在(?:城市|地区)", "行踪轨迹", "北斗"),
    "wifi": ("WLAN", r"Wi-?Fi", "SSID", "BSSID", "无线(?:网络|局域网)", "热点"),
    "network_info": (r"IP\s*地址", "IP", "网络类型", "网络状态", "网络(?:连接)?信息", "网络制式", "网络环境"),
    "bluetooth": ("蓝牙",),
    "app_list": (
        "(?:应用|软件|APP|App|app)(?:安装)?列表",
        "安装(?:的|了的)?(?:应用|软件|APP|App)",
        "已安装(?:的)?(?:应用|软件|程序|APP|App)",
        "应用(?:程序)?安装信息",
        "运行中的(?:应用|进程)",
        "进程(?:信息|列表)",
    ),
    "clipboard": ("剪切板", "剪贴板", "粘贴板"),
    "contacts": ("通讯录", "联系人", "电话簿"),
    "call_log": ("通话记录", "通话日志", "通话详单"),
    # 短信 as a channel to the user (通过短信通知您, 短信验证码) is not collection of the user's SMS
    "sms": (
        r"(?<!通过)(?<!以)(?<!电话、)(?<!邮件、)(?<!信函、)短信(?!验证|校验|通知|提醒|方式|推送|营销|退订|、|或|等方式|及相关)",
        "短消息",
        "SMS",
        "短彩信",
    ),
    "calendar": ("日历", "日程"),
    "photos_storage": (
        "相册",
        "照片",
        "图片",
        "存储(?:权限|空间)",
        "(?:读写|读取|写入)[^。；，]{0,4}存储",
        "SD卡",
        "媒体文件",
        "音视频文件",
        "文件(?:读写|访问)",
    ),
    "camera": ("相机", "摄像头", "拍照", "拍摄", "扫码", "扫一扫", "录像", "摄像"),
    "microphone": ("麦克风", "录音", "语音(?:输入|识别|搜索|消息|聊天|通话|信息|数据|权限|交互|录制)"),
    "sensors": ("传感器", "加速度", "陀螺仪", "重力感应", "摇一摇", "计步", "方向传感"),
    "accounts": ("设备(?:上的)?账户", "系统账户", "GET_ACCOUNTS"),
    "biometrics": ("人脸", "面部(?:特征|识别|信息)", "指纹", "生物识别", "声纹", "虹膜", "刷脸"),
}

# Generic wording that declares several categories at once.
GENERIC_TERMS: dict[str, tuple[str, ...]] = {
    "设备(?:唯一)?(?:标识符?|识别码|标识信息|识别信息|ID)|唯一设备识别码|设备号|硬件标识": (
        "imei",
        "android_id",
        "oaid",
        "serial",
    ),
    "设备信息": ("imei", "android_id", "oaid"),
}

# Chinese and literal names of permissions -> Android permission names.
PERMISSION_TERMS: dict[str, tuple[str, ...]] = {
    r"(?:相机|摄像头|拍照)权限|CAMERA": ("android.permission.CAMERA",),
    r"(?:位置|定位|地理位置|位置信息|GPS)权限|ACCESS_(?:FINE|COARSE)_LOCATION": (
        "android.permission.ACCESS_FINE_LOCATION",
        "android.permission.ACCESS_COARSE_LOCATION",
    ),
    r"后台(?:位置|定位)|ACCESS_BACKGROUND_LOCATION": ("android.permission.ACCESS_BACKGROUND_LOCATION",),
    r"(?:存储|读写存储|相册|文件|媒体|照片)(?:空间)?权限|(?:READ|WRITE)_EXTERNAL_STORAGE|READ_MEDIA_\w+": (
        "android.permission.READ_EXTERNAL_STORAGE",
        "android.permission.WRITE_EXTERNAL_STORAGE",
        "android.permission.READ_MEDIA_IMAGES",
        "android.permission.READ_MEDIA_VIDEO",
        "android.permission.READ_MEDIA_AUDIO",
    ),
    r"(?:麦克风|录音|语音)权限|RECORD_AUDIO": ("android.permission.RECORD_AUDIO",),
    r"(?:通讯录|联系人)权限|(?:READ|WRITE)_CONTACTS": (
        "android.permission.READ_CONTACTS",
        "android.permission.WRITE_CONTACTS",
    ),
    r"(?:电话|设备信息|手机状态|电话状态)(?:和身份)?权限|读取(?:手机|电话)状态|READ_PHONE_STATE": (
        "android.permission.READ_PHONE_STATE",
    ),
    r"拨打电话|CALL_PHONE": ("android.permission.CALL_PHONE",),
    r"短信权限|(?:READ|RECEIVE|SEND)_SMS": (
        "android.permission.READ_SMS",
        "android.permission.RECEIVE_SMS",
        "android.permission.SEND_SMS",
    ),
    r"(?:日历|日程)权限|(?:READ|WRITE)_CALENDAR": (
        "android.permission.READ_CALENDAR",
        "android.permission.WRITE_CALENDAR",
    ),
    r"通话记录权限|(?:READ|WRITE)_CALL_LOG": ("android.permission.READ_CALL_LOG",),
    r"蓝牙权限|BLUETOOTH(?:_\w+)?": (
        "android.permission.BLUETOOTH",
        "android.permission.BLUETOOTH_CONNECT",
        "android.permission.BLUETOOTH_SCAN",
    ),
    r"传感器权限|BODY_SENSORS|ACTIVITY_RECOGNITION|(?:健身|身体)运动权限": (
        "android.permission.BODY_SENSORS",
        "android.permission.ACTIVITY_RECOGNITION",
    ),
    r"悬浮窗|SYSTEM_ALERT_WINDOW|显示在其他应用上层": ("android.permission.SYSTEM_ALERT_WINDOW",),
    r"通知权限|POST_NOTIFICATIONS": ("android.permission.POST_NOTIFICATIONS",),
    r"(?:应用列表|安装列表|获取已安装应用)(?:权限)?|QUERY_ALL_PACKAGES": (
        "android.permission.QUERY_ALL_PACKAGES",
    ),
    r"账户权限|GET_ACCOUNTS": ("android.permission.GET_ACCOUNTS",),
    r"安装(?:未知)?应用权限|REQUEST_INSTALL_PACKAGES": ("android.permission.REQUEST_INSTALL_PACKAGES",),
    r"(?:WLAN|Wi-?Fi|网络状态)(?:状态)?权限|ACCESS_WIFI_STATE": ("android.permission.ACCESS_WIFI_STATE",),
    r"生物识别|指纹权限|USE_BIOMETRIC|USE_FINGERPRINT": (
        "android.permission.USE_BIOMETRIC",
        "android.permission.USE_FINGERPRINT",
    ),
}
# Every match of a PERMISSION_TERMS pattern contains one of these (lower-case) words; only sentences holding one
# are searched. tests/policy check the property on the corpus.
PERMISSION_TRIGGERS = (
    "权限", "读取", "后台", "拨打电话", "悬浮窗", "显示在其他应用上层", "应用列表", "安装列表", "获取已安装应用", "生物识别",
    "camera", "access_", "external_storage", "read_media", "record_audio", "_contacts", "read_phone_state",
    "call_phone", "_sms", "_calendar", "call_log", "bluetooth", "body_sensors", "activity_recognition",
    "system_alert_window", "post_notifications", "query_all_packages", "get_accounts", "request_install_packages",
    "use_biometric", "use_fingerprint",
)  # fmt: skip
_PERMISSION_TRIGGER_RE = re.compile("|".join(re.escape(w) for w in PERMISSION_TRIGGERS))
_LITERAL_PERMISSION = re.compile(r"android\.permission\.([A-Z_]+)")

_NEGATION = re.compile(
    r"(?:不会|不得|不|未|无需|无须|并不|绝不|从不|不再|禁止|拒绝)(?:会|主动|通过|以任何方式|再)?"
    r"(?:收集|获取|读取|调用|使用|申请|访问|存储|保存|采集|上传)"
)
_CLAUSE_CHARS = "，,。；;：:！？!?\n"


@lru_cache(maxsize=1)
def _term_patterns() -> list[tuple[re.Pattern[str], tuple[str, ...], bool]]:
    """``(pattern for ascii_lower text, categories, needs Latin boundary check)``."""
    pats: list[tuple[re.Pattern[str], tuple[str, ...], bool]] = []
    known = set(pi_categories())
    for category, terms in PI_TERMS.items():
        if category not in known:
            continue
        for term in terms:
            pats.append((compile_lower(term), (category,), is_latin_term(term)))
    for term, cats in GENERIC_TERMS.items():
        pats.append((compile_lower(term), tuple(c for c in cats if c in known), is_latin_term(term)))
    return pats


def _negated(text: str, pos: int) -> bool:
    """True when the clause containing ``pos`` negates collection before ``pos``."""
    lo = max(0, pos - 40)
    window = text[lo:pos]
    cut = max(window.rfind(c) for c in _CLAUSE_CHARS)
    return bool(_NEGATION.search(window, cut + 1))


def declared_pi(
    text: str, sentences: list[Sentence], *, deadline: Deadline = NO_DEADLINE
) -> list[DeclaredPi]:
    """PI categories the policy declares (see module doc); ordered as in ``pi_apis.yaml``.

    Each term pattern runs once over the whole ``text``; a match counts for the sentence containing it."""
    cats = pi_categories()
    index = SentenceIndex(sentences)
    low = ascii_lower(text)
    found: dict[str, DeclaredPi] = {}
    for pattern, categories, latin in _term_patterns():
        if categories and all(c in found and len(found[c].evidence) >= MAX_EVIDENCE for c in categories):
            continue
        deadline.check()
        for m in pattern.finditer(low):
            deadline.tick()
            if (latin and not latin_bounded(low, m.start(), m.end())) or _negated(text, m.start()):
                continue
            sent = index.at(m.start())
            if sent is None:
                continue
            word = text[m.start() : m.end()]
            for cat in categories:
                entry = found.get(cat)
                if entry is None:
                    entry = found[cat] = DeclaredPi(category=cat, name_zh=str(cats[cat].get("name_zh", cat)))
                if word not in entry.terms and len(entry.terms) < 10:
                    entry.terms.append(word)
                if len(entry.evidence) < MAX_EVIDENCE and all(
                    e["start"] != sent.start for e in entry.evidence
                ):
                    entry.evidence.append(sent.ref("declared_pi"))
            if all(len(found[c].evidence) >= MAX_EVIDENCE for c in categories):
                break
    order = list(cats)
    return sorted(found.values(), key=lambda d: order.index(d.category))


@lru_cache(maxsize=1)
def _permission_patterns() -> list[tuple[re.Pattern[str], tuple[str, ...]]]:
    return [(compile_lower(term), perms) for term, perms in PERMISSION_TERMS.items()]


def declared_permissions(
    text: str, sentences: list[Sentence], *, deadline: Deadline = NO_DEADLINE
) -> list[DeclaredPermission]:
    """Android permissions the policy names or describes (see module doc)."""
    index = SentenceIndex(sentences)
    found: dict[str, DeclaredPermission] = {}

    def add(perm: str, term: str, pos: int) -> None:
        sent = index.at(pos)
        if sent is None:
            return
        entry = found.setdefault(perm, DeclaredPermission(permission=perm))
        if term not in entry.terms and len(entry.terms) < 10:
            entry.terms.append(term)
        if len(entry.evidence) < MAX_EVIDENCE and all(e["start"] != sent.start for e in entry.evidence):
            entry.evidence.append(sent.ref("declared_permissions"))

    low = ascii_lower(text)
    patterns = _permission_patterns()
    starts = [s.start for s in sentences]
    hit_sentences: dict[int, None] = {}
    for m in _PERMISSION_TRIGGER_RE.finditer(low):
        i = bisect_right(starts, m.start()) - 1
        if i >= 0 and m.start() < sentences[i].end:
            hit_sentences[i] = None
    for i in hit_sentences:
        deadline.tick(256)
        sent = sentences[i]
        for pattern, perms in patterns:
            for m in pattern.finditer(low, sent.start, sent.end):
                if not _negated(text, m.start()):
                    for perm in perms:
                        add(perm, text[m.start() : m.end()], m.start())
    for m in _LITERAL_PERMISSION.finditer(text):
        deadline.tick()
        add(f"android.permission.{m.group(1)}", m.group(0), m.start())
    return sorted(found.values(), key=lambda d: d.permission)


# -------------------------------------------------------------------------------------------------- SDKs

_FIELD = r"\s*[：:]\s*"
_NAME_FIELD = re.compile(r"^(?:第三方)?(?:SDK|插件|软件开发工具包)(?:名称|名字)?" + _FIELD + r"(.+)$", re.I)
_VENDOR_FIELD = re.compile(
    r"^(?:第三方(?:名称|主体|公司名称)?|接收方(?:名称)?|(?:SDK)?(?:提供方|运营方|开发者|所属公司|公司名称|提供者|运营主体)(?:名称)?)"
    + _FIELD
    + r"(.+)$",
    re.I,
)
_PURPOSE_FIELD = re.compile(
    r"^(?:使用目的|功能|用途|目的|使用场景|合作目的|共享目的|处理目的|收集目的)" + _FIELD + r"(.+)$"
)
_PI_FIELD = re.compile(
    r"^(?:收集(?:的)?(?:个人)?信息(?:类型|字段|范围)?|收集个人信息类型|涉及(?:的)?个人信息|个人信息(?:类型|字段|种类|范围)|"
    r"共享(?:的)?(?:个人)?信息(?:类型|字段|名称)?|处理(?:的)?个人信息(?:类型|种类)?|(?:收集|获取)(?:的)?(?:数据|信息)(?:类型)?)"
    + _FIELD
    + r"(.+)$"
)
_SDK_WORD = re.compile(r"sdk(?![a-z])")  # in ascii_lower text
MENTION_CJK = 10  # CJK characters (and + ·) kept before "SDK"
MENTION_WORDS = 5  # Latin words kept before those
_LATIN_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")


def _is_cjk_name_char(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" or c in "+·"


def sdk_mentions(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each name written before ``SDK`` (``友盟统计SDK``, ``Bugly SDK``, ``OPPO推送SDK``): up to
    :data:`MENTION_WORDS` Latin words then up to :data:`MENTION_CJK` CJK characters, ending before ``SDK``.

    A backward scan from each ``SDK`` (never past the previous mention), so linear in the text; the regular
    expression it replaces nested quantifiers (``(?:[A-Za-z0-9][…]*\\s?){0,4}[…]*``) and backtracked
    polynomially (degree 5) on a run of Latin letters."""
    low = ascii_lower(text)
    out: list[tuple[int, int]] = []
    floor = 0
    for m in _SDK_WORD.finditer(low):
        end = m.start()
        if end > floor and text[end - 1] == " ":
            end -= 1
        i = end
        while i > floor and end - i < MENTION_CJK and _is_cjk_name_char(text[i - 1]):
            i -= 1
        words = 0
        j = i
        if i < end and j - 1 > floor and text[j - 1] == " " and text[j - 2] in _LATIN_NAME_CHARS:
            j -= 1  # "Tencent 优量汇SDK": one space between the Latin words and the CJK part
        while j > floor and words < MENTION_WORDS:
            k = j
            while k > floor and text[k - 1] in _LATIN_NAME_CHARS:
                k -= 1
            while k < j and not text[k].isalnum():  # a word starts with a letter or digit
                k += 1
            if k == j:
                break
            words += 1
            i = j = k
            if j - 1 > floor and text[j - 1] == " " and text[j - 2] in _LATIN_NAME_CHARS:
                j -= 1
            else:
                break
        out.append((i, end))
        floor = m.end()
    return out


_LEADING_NOISE = re.compile(
    r"^(?:.*?(?:接入|集成|嵌入|使用|调用|通过|包括|包含|例如|比如|提供的|的|了|与|和|及|或|、|第三方))+"
)
_GENERIC_NAMES = re.compile(
    r"^(?:第三方|相关|上述|前述|该|此|这些|其他|合作方|我们的|我们|本|各|部分|对应|具体|一些|某些|所述|如下|以下|"
    r"第三方合作|合作伙伴|必要的|功能|服务|开发|官方|对应的|所接入|接入|集成|嵌入|使用|提供|该类|此类|有关|"
    r"第三方代码|软件开发工具包|插件|统计|推送|支付|地图|分享|登录|广告|定位|一键登录|)$"
)


# words of a sentence, never of an SDK's name ("们建议您尽快升级最新SDK" is a fragment of 我们建议您…升级最新SDK)
_FRAGMENT_WORDS = re.compile(
    r"们|您|你|请|建议|升级|最新|尽快|版本|需要|如果|是否|可能|进行|以便|为了|用于|通过|我|相应|所述|以上|以下|请勿"
)
# a KB name followed by one of these is the user's account with that service (您的支付宝账户), not the SDK
_ACCOUNT_AFTER = ("账号", "账户", "帐号", "帐户", "钱包", "余额", "会员", "用户名", "昵称", "头像")
_BAD_START = re.compile(r"^(?:由|该|此|其|本|这|那|上述|前述|以上|以下|下列|所有|各类|各种)")
_HEADER_LINE = re.compile(r"^[^：:。；;，,！？!?]{2,40}$")


def _clean_name(raw: str) -> str:
    name = re.sub(r"[（(【\[].*$", "", raw).strip(" 　:：-—·、，,。；;|\t*#“”\"'")
    return name[:40]


def match_sdk_id(name: str) -> str | None:
    """The knowledge-base id a policy's SDK name refers to (see :func:`appwarden.policy.sdkmatch.match_name`)."""
    return match_name(name)


def _pi_keys(text: str) -> list[str]:
    keys: list[str] = []
    low = ascii_lower(text)
    for pattern, categories, _ in _term_patterns():
        if pattern.search(low):
            keys.extend(c for c in categories if c not in keys)
    order = list(pi_categories())
    return sorted(keys, key=order.index)


def declared_sdks(
    full_text: str, sentences: list[Sentence], *, deadline: Deadline = NO_DEADLINE
) -> list[DeclaredSdk]:
    """Third-party SDKs the policy lists (see module doc), in order of first appearance, one per name."""
    records: list[DeclaredSdk] = []
    by_key: dict[str, DeclaredSdk] = {}
    current: DeclaredSdk | None = None
    current_age = 0

    def key_of(name: str) -> str:
        return re.sub(r"[\s\-_·]+|sdk$", "", name.lower())

    def add(name: str, sent: Sentence) -> DeclaredSdk | None:
        name = _clean_name(name)
        if len(name) < 2 or _GENERIC_NAMES.match(name) or _BAD_START.match(name) or len(name) > 30:
            return None
        sdk_id = match_sdk_id(name)
        if sdk_id is None and _FRAGMENT_WORDS.search(name):
            return None  # a sentence fragment, not a name
        if name.endswith(_ACCOUNT_AFTER) and sdk_id is None:
            return None  # 支付账号, 微信账户: the user's account
        k = key_of(name)
        if not k or _GENERIC_NAMES.match(k):
            return None
        rec = by_key.get(k)
        if rec is None:
            rec = DeclaredSdk(name=name, sdk_id=sdk_id)
            rec.evidence.append(sent.ref("declared_sdks"))
            by_key[k] = rec
            records.append(rec)
        return rec

    prev: Sentence | None = None
    for sent in sentences:
        deadline.tick(256)
        header, prev = prev, sent
        text = sent.text.strip()
        current_age += 1
        if "：" not in text and ":" not in text and "sdk" not in text.lower():
            continue
        m = _NAME_FIELD.match(text)
        if m:
            current = add(m.group(1), sent)
            current_age = 0
            continue
        if (
            (current is None or current_age > 1)
            and header is not None
            and _HEADER_LINE.match(header.text)
            and (_VENDOR_FIELD.match(text) or _PURPOSE_FIELD.match(text))
        ):
            # an entry without "SDK" in its name: a short title line followed by its fields (广告服务 / 第三方名称：…)
            rec = add(header.text, header)
            if rec is not None:
                current, current_age = rec, 1
        if current is not None and current_age <= 8:
            m = _VENDOR_FIELD.match(text)
            if m and not current.vendor:
                current.vendor = m.group(1).strip(" 　:：-—·、，,。；;|\t*#")[:60] or None
                continue
            m = _PURPOSE_FIELD.match(text)
            if m and not current.purpose:
                current.purpose = m.group(1).strip()[:200]
                continue
            m = _PI_FIELD.match(text)
            if m and not current.pi_text:
                current.pi_text = m.group(1).strip()[:300]
                current.pi = _pi_keys(current.pi_text)
                continue
        if "sdk" not in text.lower():
            continue
        if "://" in text:
            text = re.sub(r"\S+://\S+", " ", text)
        mentions = sdk_mentions(text)
        for ms, me in mentions:
            raw = text[ms:me]
            raw = _LEADING_NOISE.sub("", raw) if not raw.isascii() else raw
            rec = add(raw + ("SDK" if raw and not raw.isascii() else " SDK"), sent) if raw.strip() else None
            if rec is not None and len(mentions) == 1 and len(text) <= 60:
                current, current_age = rec, 0  # a heading-like line "**OPPO推送SDK**" starts a record
    # KB names found anywhere in the text (names without the "SDK" suffix, e.g. 友盟+、极光推送、vendors)
    seen_ids = {r.sdk_id for r in records if r.sdk_id}
    index = SentenceIndex(sentences)
    for sdk_id, start, end in find_strong_names(ascii_lower(full_text)):
        deadline.tick()
        if sdk_id in seen_ids:
            continue
        if full_text.startswith(_ACCOUNT_AFTER, end) or full_text.startswith(_ACCOUNT_AFTER, end + 1):
            continue  # 您的支付宝账户: the user's account, not the SDK
        sent = index.at(start)
        if sent is not None:
            seen_ids.add(sdk_id)
            rec = DeclaredSdk(name=full_text[start:end], sdk_id=sdk_id)
            rec.evidence.append(sent.ref("declared_sdks"))
            records.append(rec)
    return records


def sdk_summary(records: list[DeclaredSdk]) -> list[dict[str, Any]]:
    """Compact rows ``{name, sdk_id, vendor, purpose, pi}`` for reports."""
    return [
        {"name": r.name, "sdk_id": r.sdk_id, "vendor": r.vendor, "purpose": r.purpose, "pi": r.pi}
        for r in records
    ]
