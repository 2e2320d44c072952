#!/usr/bin/env python3
"""Build ``knowledge/regulations.yaml`` (clause index) and ``knowledge/necessary_pi.yaml`` from ``shared/regulations``.

Input: ``index.yaml`` (one entry per clause ID: file, title, status, detectable_by, kind) and the instrument
Markdown files (for the English gloss: the ``- en:`` line under each ``### <ID>`` heading, or the gloss column of
the 164-scenario and 39-type tables). Output: one YAML mapping with ``instruments`` and ``items``; every item has
``id, instrument, title_zh, title_en, status, detectable_by, automatable`` (and ``kind: definition`` where set).

Usage: ``python scripts/build_regulations.py [--shared ../shared] [-o src/appwarden/knowledge/regulations.yaml]``.
Deterministic: the same input gives byte-identical output.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "appwarden" / "knowledge" / "regulations.yaml"
NECESSARY_OUT = ROOT / "src" / "appwarden" / "knowledge" / "necessary_pi.yaml"
PI_APIS = ROOT / "src" / "appwarden" / "knowledge" / "pi_apis.yaml"

# Which PI categories (keys of knowledge/pi_apis.yaml) a necessary-PI term of the 39类 table justifies collecting
# through an Android API. DERIVED (appwarden's reading, not regulation text): PI the user types in (phone number,
# names, addresses, ID numbers) justifies no API; only location-type terms justify positioning APIs, and an
# "ID copy"/"driving licence" justifies the camera and photo picker used to upload it.
TERM_CATEGORIES = {
    "位置信息": ["location", "wifi", "cell"],
    "行踪轨迹": ["location", "wifi", "cell"],
    "证件影印件": ["camera", "photos_storage"],
    "驾驶证件信息": ["camera", "photos_storage"],
    "简历": ["photos_storage"],
}
# Local-use permissions a type's basic function needs although the type needs no PI (bixu39.md rule-writing note:
# "无须个人信息" does not forbid permissions the function uses locally). DERIVED guidance, reviewed per app.
LOCAL_USE = {
    "N39-22": ["camera"],  # scan the QR code on a shared bike/car
    "N39-26": ["microphone", "camera"],  # audio/video meetings
    "N39-36": ["camera", "photos_storage"],  # photo and beautify apps
    # utilities: recorder, calendar, file manager, scanner, weather; a broad type: findings for it are lowered to
    # `possible` by the rule
    "N39-38": ["microphone", "calendar", "photos_storage", "camera", "location"],
    # voice/video/picture messages are the basic function
    "N39-03": ["microphone", "camera", "photos_storage"],
    "N39-28": ["photos_storage"],  # play local media
    "N39-35": ["photos_storage"],  # open local e-books
}

# Corrections to shared/regulations/index.yaml (read-only there), each with its reason.
# RD-3.6: index.yaml marks it `kind: definition`, but 认定方法 lists it as item 6 of chapter 三 ("以下行为可被认定为
# 未经用户同意收集使用个人信息": 利用用户个人信息和算法定向推送信息，未提供非定向推送信息的选项) - a violation item like
# its neighbours, and the item 337号文 type 4 / 164号文 item 4 (定向推送) map to.
KIND_OVERRIDES = {"RD-3.6": "obligation"}

# Items index.yaml marks as machine-detectable but that only a human can decide, each with the reason (written into
# the item as ``manual_reason`` with ``automatable: false``; ``appwarden rules coverage`` lists them). Issue #20: every
# 认定方法 item either has a rule or a reason here.
MANUAL_REASONS = {
    "RD-2.4": "规则是否晦涩冗长是读者的判断：篇幅和术语数量不能决定（长政策可以清楚，短政策可以费解），需人工阅读评估。"
    " Whether a policy is obscure or too long is a reader's judgement; length or jargon counts do not decide it.",
    "RD-3.5": "Android不允许App自行授予运行时权限，升级后权限状态是否被改回默认只能在设备上对比升级前后的设置（人工升级测试）。"
    " Apps cannot grant themselves runtime permissions; a reset shows only by comparing settings before and after an "
    "update on a device (a human upgrade test).",
    "RD-3.7": "欺诈诱骗看的是界面向用户说了什么与真实目的是否相符、是否误导，属于对呈现方式和意图的判断，需人工评估界面与话术。"
    " Deception is a judgement of what the screens tell the user against the real purpose; a trace shows the screens, "
    "a human judges whether they mislead.",
    "RD-4.3": "需要对比新旧两个版本的功能、用户对旧版本的授权范围，以及拒绝新授权后旧功能是否被取消（跨版本的人工测试）。"
    " Needs two versions, the consent given for the old one and the refusal flow of the new one (a cross-version "
    "human test).",
    "RD-6.4": "后台是否真正完成删除/注销发生在运营者服务器上，APK、隐私政策和客户端轨迹都无法证明，需人工核查（如向运营者调取记录）。"
    " Whether the back end really deleted the data happens on the operator's servers; no APK, policy or client trace "
    "can show it (a human check, e.g. records requested from the operator).",
    # 164号文 (issue #20, round 2): items and scenarios no APK fact or trace event can decide. The scenarios the source
    # (camille after 史宾格) itself marks 人工自查 say so. Items 3.1 and 3.2 themselves are not here since round 3:
    # the APK shows a lead for each (ads.sdk.app_install: an ad SDK that installs APKs; lure.identity_for_reward: text
    # tying ID numbers/biometrics to rewards), which miit164.md names as their static evidence; their scenarios stay.
    "M164-1.2-S3": "（来源标注人工自查）SDK收集是否“超出与所声称的目的具有直接或合理关联的范围”，要把收集行为与政策所述目的逐项对照判断，需人工评估。"
    " Whether an SDK collects beyond what relates to its stated purpose is a judgement of collection against the "
    "stated purposes (marked 人工自查 by the source).",
    "M164-1.4-S3": "（来源标注人工自查）页面是否以“个性化展示”“定推”等字样显著区分个性化内容，是对界面呈现是否显著的判断，需人工查看页面。"
    " Whether personalised content is conspicuously labelled on the pages is a judgement of the screens (人工自查).",
    "M164-2.1-S2": "（来源标注人工自查）权限是否为“当前服务场景未使用到的”，取决于该界面提供的功能，需人工结合场景判断。"
    " Whether a permission is unused by the current scenario depends on what the screen offers: a human judgement.",
    "M164-2.1-S3": "（来源标注人工自查）拒绝权限后能否正常注册登录，需人工在注册登录流程中拒绝授权并判断流程是否被阻断；轨迹格式不记录注册登录结果。"
    " Whether refusing a permission blocks registration or login needs a human run of that flow; the trace format "
    "records no registration/login outcome.",
    "M164-2.1-S4": "（来源标注人工自查）与S2相同，需判断权限是否与当前服务场景无关；轨迹格式也不记录应用退出。"
    " As S2, whether the permission is unrelated to the scenario is a human judgement; the trace records no app exit.",
    "M164-3.1-S1": "“无显著APP下载提示”是对提示是否显著的判断，且轨迹不记录点击和下载事件，需人工点击广告/开屏页观察。"
    " Whether a download prompt is conspicuous is a judgement, and the trace records no taps or downloads: a human "
    "taps the ads and splash pages.",
    "M164-3.1-S2": "以“是否立即开始游戏”等话术诱导下载，需人工判断话术是否欺骗误导。"
    " Luring wording such as 'start the game now?' needs a human to judge whether it misleads.",
    "M164-3.1-S3": "以“领取红包”等话术诱导下载，需人工判断话术是否欺骗误导。"
    " Luring wording such as 'collect a red packet' needs a human to judge whether it misleads.",
    "M164-3.1-S4": "点击“下载按钮”以外区域即下载，需要知道界面上哪个区域是下载按钮，轨迹不记录点击位置和下载事件，需人工测试。"
    " Needs to know which area of the screen is the download button; the trace records no tap positions or downloads.",
    "M164-3.1-S5": "（来源标注人工自查）暂停下载后重启应用是否自动恢复，需人工操作下载管理并重启；轨迹格式不记录下载事件。"
    " Whether a paused download resumes after a restart needs a human run; the trace records no downloads (人工自查).",
    "M164-3.1-S6": "（来源标注人工自查）是否“设置关闭障碍”强迫下载，是对界面关闭方式的判断，需人工测试。"
    " Whether closing is obstructed to force a download is a judgement of the screens (人工自查).",
    "M164-4.1": "应用分发平台（应用商店）的责任：商店页面是否明示开发者、版本、隐私政策、权限等，要核查商店页面而非APK；appwarden不采集商店页面，需人工核查。"
    " A distribution platform's duty: what the store page shows is checked on the store, not in the APK; appwarden "
    "collects no store pages, so a human checks them.",
    "M164-4.2": "应用分发平台的上架审核、开发者核验和在架巡查属于平台的管理流程，APK、隐私政策和客户端轨迹都无法证明，需人工核查平台。"
    " Listing review, developer verification and clean-up are the platform's processes; no APK, policy or trace "
    "shows them: a human checks the platform.",
    # 26号文, 儿童规定, GB/T (issue #20, round 3): items whose test is a judgement of screens or intent, a back-end or
    # organisational fact, two versions, or a definition with no obligation of its own.
    "M26-2": "网页推荐下载行为发生在网站页面中，不在被测APK内；APK、隐私政策和客户端轨迹都不记录网页行为，需人工在网页上测试。"
    " Download prompts on web pages happen on web sites, outside the APK under test; no APK, policy or trace records "
    "them: a human tests the pages.",
    "M26-5": "资费、会员等附加条件是否“显著提示”，是对开通页面呈现是否显著的判断，需人工查看页面。"
    " Whether fees and membership conditions are shown prominently is a judgement of the sign-up screens: a human "
    "looks at them.",
    "M26-B": "分发平台的责任（26号文第二部分），核查对象是应用商店而非APK；appwarden不采集商店页面（同M164-4.1），需人工核查。"
    " A distribution platform's duties (part two of 26号文) are checked on the store, not in the APK; appwarden "
    "collects no store pages (as M164-4.1): a human checks them.",
    "M26-T1a": "是否以欺骗、误导或强迫方式提供服务或产品，是对界面和话术是否欺骗的判断，需人工评估。"
    " Whether a service is provided by deceiving, misleading or forcing users is a judgement of the screens and "
    "their wording: a human assessment.",
    "M26-T1c": "文字、图片或视频链接是否欺骗误导强迫跳转（如伪装的关闭按钮、诱导点击的文案），是对界面元素真实含义的判断，需人工查看。"
    " Whether a text, image or video link deceives users into a jump (a fake close button, a luring caption) is a "
    "judgement of what the screen element means: a human looks at it.",
    "CH-14": "需要对比前后两版儿童个人信息规则的目的和范围，并确认超出约定时是否再次征得监护人同意（跨版本的人工测试，同RD-4.3）。"
    " Needs two versions of the children's rules and a check that the guardian was asked again when use went beyond "
    "them (a cross-version human test, as RD-4.3).",
    "CH-18": "披露是否有法律、行政法规依据或监护人约定，是对披露行为合法性的判断，披露发生在运营者一侧，需人工核查。"
    " Whether a disclosure has a legal basis or the guardian's agreement is a legal judgement of something the "
    "operator does: a human check.",
    "GB35273-3.2": "个人敏感信息的定义及附录B用于给其他检查定级（如敏感信息的严重程度），本身不是一项可检查的义务。"
    " The definition of sensitive PI (and annex B) grades other checks; it is not an obligation a check can decide.",
    "GB35273-6.2": "去标识化发生在运营者的存储和处理环节，APK、隐私政策和客户端轨迹都无法证明数据是否已去标识化，需人工核查。"
    " De-identification happens in the operator's storage and processing; no APK, policy or client trace shows it: "
    "a human check.",
    "GB35273-7.3": "个人信息的使用是否超出收集时声明的目的，发生在运营者后台的使用环节，需人工核查。"
    " Whether PI is used beyond the purposes stated at collection happens in the operator's back end: a human check.",
    "GB35273-7.7": "是否存在对个人权益有重大影响的自动决策、是否做过安全评估，需人工核查运营者的系统和评估记录。"
    " Whether automated decisions with a significant impact exist, and were assessed, is checked in the operator's "
    "systems and records: a human check.",
    "GB35273-9.1": "委托处理的安全评估、委托合同和对受托方的监督属于运营者的管理活动；APK只能显示嵌入的SDK（由其他规则报告），需人工核查。"
    " The assessment, contract and supervision of processors are the operator's management; the APK only shows the "
    "embedded SDKs (reported by other rules): a human check.",
    "GB35273-D": "附录D是隐私政策模板（参考而非要求），没有可判定的义务；隐私政策要素检查按5.5进行。"
    " Annex D is a model policy (a reference, not a requirement): there is no obligation to decide; policy elements "
    "are checked under 5.5.",
    "GB41391-5": "基本业务功能与扩展业务功能的划分是App自己的声明，划分是否合理需人工结合产品功能判断；其结果用于选择39类类型。"
    " The split into basic and extended functions is the app's own declaration; whether it is reasonable is a human "
    "judgement of the product, and it feeds the choice of the 39类 type.",
}

# file -> (instrument key, short name zh, full title, issuer/year, legal status)
INSTRUMENTS = {
    "rendingfangfa.md": (
        "RD",
        "认定方法",
        "《App违法违规收集使用个人信息行为认定方法》国信办秘字〔2019〕191号",
        "normative document",
    ),
    "miit164.md": (
        "M164",
        "164号文",
        "《关于开展纵深推进APP侵害用户权益专项整治行动的通知》工信部信管函〔2020〕164号",
        "administrative notice",
    ),
    "miit337.md": (
        "M337",
        "337号文",
        "《关于开展APP侵害用户权益专项整治工作的通知》工信部信管函〔2019〕337号",
        "administrative notice",
    ),
    "miit26.md": (
        "M26",
        "26号文",
        "《关于进一步提升移动互联网应用服务能力的通知》工信部信管函〔2023〕26号",
        "administrative notice",
    ),
    "bixu39.md": (
        "N39",
        "39类必要个人信息",
        "《常见类型移动互联网应用程序必要个人信息范围规定》国信办秘字〔2021〕14号",
        "normative document",
    ),
    "children.md": (
        "CH",
        "儿童个人信息网络保护规定",
        "《儿童个人信息网络保护规定》国家互联网信息办公室令第4号",
        "departmental rule",
    ),
    "gbt.md": (
        "GBT",
        "GB/T 35273 · GB/T 41391",
        "GB/T 35273-2020 个人信息安全规范; GB/T 41391-2022 App收集个人信息基本要求",
        "recommended national standard",
    ),
}

HEADING = re.compile(r"^#{2,5}\s+([A-Z][A-Z0-9]*-[A-Za-z0-9.\-]+)\s+(.*)$")
TABLE_ROW = re.compile(r"^\|\s*([A-Z][A-Z0-9]*-[A-Za-z0-9.\-]+)\s*\|(.*)\|\s*$")


def english_glosses(md: str) -> dict[str, str]:
    """ID -> English gloss found in one instrument file."""
    out: dict[str, str] = {}
    current: str | None = None
    for line in md.splitlines():
        m = HEADING.match(line)
        if m:
            current = m.group(1)
            continue
        if current and current not in out:
            for prefix in ("- en:", "- summary:"):  # GB/T items carry an English summary instead of a gloss
                if line.startswith(prefix):
                    out[current] = line[len(prefix) :].strip()
            if current in out:
                continue
        t = TABLE_ROW.match(line)
        if t and t.group(1) not in out:
            cells = [c.strip() for c in t.group(2).split("|")]
            if t.group(1).startswith("N39-") and len(cells) >= 5:
                out[t.group(1)] = cells[-1]  # 39-type table: last column is the gloss
            elif len(cells) >= 3:
                out[t.group(1)] = cells[1]  # 164 scenario table: zh | en | detectable by
    return out


def _heading_gloss(title: str) -> str:
    """Fallback gloss: the parenthesised English in a heading such as ``关闭按钮 (close button)``."""
    m = re.search(r"\(([A-Za-z][^)]*)\)", title)
    return m.group(1) if m else ""


def clean(text: str, limit: int = 160) -> str:
    text = re.sub(r"\*\*|`", "", " ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def build(shared: Path) -> dict:
    regs = shared / "regulations"
    index = yaml.safe_load((regs / "index.yaml").read_text(encoding="utf-8"))
    glosses: dict[str, str] = {}
    for name in INSTRUMENTS:
        glosses.update(english_glosses((regs / name).read_text(encoding="utf-8")))
    items = []
    seen: set[str] = set()
    for entry in index["items"]:
        cid = str(entry["id"])
        if cid in seen:
            raise SystemExit(f"duplicate clause id {cid} in index.yaml")
        seen.add(cid)
        inst = INSTRUMENTS[entry["file"]][0]
        detect = [str(d) for d in (entry.get("detectable_by") or [])]
        kind = KIND_OVERRIDES.get(cid) or entry.get("kind") or ("definition" if not detect else "obligation")
        automatable = (
            kind != "definition" and any(d != "manual" for d in detect) and cid not in MANUAL_REASONS
        )
        item = {
            "id": cid,
            "instrument": inst,
            "title_zh": clean(str(entry["title"])),
            "title_en": clean(glosses.get(cid) or _heading_gloss(str(entry["title"]))),
            "status": str(entry.get("status") or ""),
            "detectable_by": detect,
            "kind": kind,
            "automatable": automatable,
        }
        if cid in MANUAL_REASONS:
            item["manual_reason"] = MANUAL_REASONS[cid]
        items.append(item)
    instruments = [
        {"key": key, "name_zh": short, "title": title, "legal_status": status, "file": f"regulations/{file}"}
        for file, (key, short, title, status) in INSTRUMENTS.items()
    ]
    return {
        "schema_version": 1,
        "generated_by": "scripts/build_regulations.py from shared/regulations/index.yaml + the instrument .md files",
        "note": "detectable_by lists the evidence kinds that CAN show the item; automatable=false means only a "
        "human can judge it (manual; manual_reason says why where the index lists machine evidence kinds) or it is a definition/scope article. title_zh/title_en are short labels, "
        "not the legal text; see shared/regulations for the wording and its verbatim/summary status.",
        "instruments": instruments,
        "items": items,
    }


def _necessary_block(md: str) -> dict:
    m = re.search(r"## YAML.*?```yaml\n(.*?)```", md, re.S)
    if not m:
        raise SystemExit("bixu39.md: YAML block not found")
    return yaml.safe_load(m.group(1))


def build_necessary(shared: Path) -> dict:
    """The 39 app types with their necessary PI mapped to PI categories and the permissions those justify."""
    table = _necessary_block((shared / "regulations" / "bixu39.md").read_text(encoding="utf-8"))
    pi = yaml.safe_load(PI_APIS.read_text(encoding="utf-8"))["categories"]
    perm_categories: dict[str, list[str]] = {}
    for key, record in pi.items():
        for perm in record.get("permissions") or []:
            perm_categories.setdefault(perm, []).append(key)
    types = {}
    for tid in sorted(table):
        row = table[tid]
        cats: list[str] = []
        for term in row.get("necessary_pi") or []:
            for needle, mapped in TERM_CATEGORIES.items():
                if needle in term:
                    cats.extend(c for c in mapped if c not in cats)
        local = [c for c in LOCAL_USE.get(tid, []) if c not in cats]
        for c in cats + local:
            if c not in pi:
                raise SystemExit(f"{tid}: unknown PI category {c}")
        perms = sorted({p for c in cats + local for p in pi[c].get("permissions") or []})
        perms += sorted(f"android.permission.{p}" for p in row.get("typical_permissions") or [] if
                        f"android.permission.{p}" not in perms)  # fmt: skip
        types[tid] = {
            "name_zh": row["name_zh"],
            "name_en": row["name_en"],
            "basic_function_zh": row["basic_function_zh"],
            "no_pi_needed": bool(row["no_pi_needed"]),
            "status": str(row["status"]),
            "necessary_pi_zh": list(row.get("necessary_pi") or []),
            "pi_categories": cats,
            "local_use_categories": local,
            "justified_permissions": sorted(set(perms)),
            "broad": tid == "N39-38",
        }
    return {
        "schema_version": 1,
        "generated_by": "scripts/build_regulations.py from shared/regulations/bixu39.md (YAML block) + pi_apis.yaml",
        "note": "necessary_pi_zh is the regulation's list (status V verbatim / S summary); pi_categories, "
        "local_use_categories and justified_permissions are appwarden's DERIVED mapping (see the script): PI the "
        "user types in justifies no API, so no type justifies device identifiers, app lists, contacts, SMS, call "
        "logs or the clipboard.",
        "permission_categories": {p: sorted(c) for p, c in sorted(perm_categories.items())},
        "types": types,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("-o", "--output", type=Path, default=OUT)
    args = ap.parse_args(argv)
    if not (args.shared / "regulations" / "index.yaml").is_file():
        print(f"build_regulations: {args.shared}/regulations/index.yaml not found", file=sys.stderr)
        return 2
    data = build(args.shared)
    header = "# Generated by scripts/build_regulations.py from shared/regulations/; do not edit by hand.\n"
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)
    args.output.write_text(header + text, encoding="utf-8")
    print(f"wrote {args.output} ({len(data['items'])} items)")
    necessary = build_necessary(args.shared)
    text = yaml.safe_dump(necessary, allow_unicode=True, sort_keys=False, width=120)
    NECESSARY_OUT.write_text(header + text, encoding="utf-8")
    print(f"wrote {NECESSARY_OUT} ({len(necessary['types'])} app types)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
