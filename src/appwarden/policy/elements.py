"""Required elements of a privacy policy: present or absent, with the sentences that show it.

Contract: :func:`detect_elements` takes the policy's sentences and sections (from :mod:`appwarden.policy.segment`) and
returns ``{element name: ElementResult}`` for every name in :data:`ELEMENTS`, each with up to
:data:`MAX_EVIDENCE` evidence sentences (``{type: policy, sentence, start, end, element, section?}``) and the clauses
of ``../shared/regulations`` that require the element. Method: hand-written phrase patterns per element (the keyword
baseline); a sentence inside a section whose heading names the element also counts. The trained sentence classifier
(:mod:`appwarden.policy.classifier`) may add evidence where it measurably helps (see ``docs/policy-eval.md``).

The elements follow GB/T 35273-2020 §5.5 a)–h) (privacy-policy contents), the 认定方法 (RD-1 … RD-6) and the
children's rules (CH-*):
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from appwarden.policy.deadline import NO_DEADLINE, Deadline
from appwarden.policy.model import ElementResult, Section, Sentence
from appwarden.policy.segment import sentence_of_positions
from appwarden.policy.textmatch import ascii_lower, compile_lower

MAX_EVIDENCE = 3


@dataclass(frozen=True, slots=True)
class ElementSpec:
    """One required element of a privacy policy and how its sentences are found."""

    name: str
    title_zh: str
    clauses: tuple[str, ...]
    pattern: re.Pattern[str]
    # Literal (lower-case) words at least one of which every match of ``pattern`` contains: only sentences holding
    # one are searched (one Aho-Corasick pass over the text). tests/policy check the property on the corpus.
    triggers: tuple[str, ...] = ()
    # A sentence matching ``exclude`` (and not ``unless``) never counts: the IP-infringement complaint address is not
    # the privacy complaint channel.
    exclude: re.Pattern[str] | None = None
    unless: re.Pattern[str] | None = None
    # ``accept(text, match)`` may reject a match (``text`` in its original case, ``match`` over its lower case).
    accept: Callable[[str, re.Match[str]], bool] | None = None


def _re(text: str) -> re.Pattern[str]:
    return compile_lower(text)  # matched against ascii_lower(text)


_ACCT = r"(?:账号|账户|帐号|帐户)"

_NAME_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z0-9·&【】]")
_PLACEHOLDER = set("Xx×＊*某_＿ 　")
_GENERIC_OPERATOR = re.compile(r"^(?:本|该|此|上述|我们|我方|平台|应用|软件|产品|服务|网站|公司|客户端)")


def _names_operator(text: str, m: re.Match[str]) -> bool:
    """A ``（以下简称“我们”）`` names the operator only when a real name stands before it: not an empty template, a
    placeholder (``XX公司``) or ``本应用``/``本平台``."""
    found = m.group()
    if "简称" not in found and "下称" not in found:
        return True
    if any(w in found for w in ("公司", "集团")):  # the company name is inside the match
        return True
    i = m.start()
    while i > 0 and text[i - 1] in '（([ 　"“「『以或':  # "（以下简称", "（或简称"
        i -= 1
    j = i
    while j > 0 and i - j < 40 and _NAME_CHAR.match(text[j - 1]):
        j -= 1
    name = text[j:i]
    if len(name) < 2 or _GENERIC_OPERATOR.match(name):
        return False
    return sum(c in _PLACEHOLDER for c in name) < 2 and "某" not in name


_IP_MATTERS = compile_lower(r"知识产权|侵权|著作权|版权|商标|专利")
_PRIVACY_MATTERS = compile_lower(r"个人信息|隐私")
_PI = r"(?:个人信息|个人资料|信息|资料|数据)"

ELEMENTS: dict[str, ElementSpec] = {
    s.name: s
    for s in (
        ElementSpec(
            "operator_identity",
            "运营者基本情况",
            ("GB35273-5.5",),
            _re(
                r"(?:以下简称|下称|简称)[“\"「『]?(?:我们|本公司|我司)|(?:运营者|运营方|开发者|经营者|运营主体|"
                r"个人信息处理者|控制者)(?:为|是|：|:)|注册地址|注册地[为是：:]|由.{2,40}(?:有限公司|公司|集团)"
                r"(?:运营|开发|提供|负责)|(?:有限公司|有限责任公司|股份公司|集团)[^。；\n]{0,30}(?:以下简称|下称|简称)|"
                r"(?:我们|本公司)是.{0,40}(?:有限公司|公司)"
            ),
            triggers=(
                "简称",
                "下称",
                "运营者",
                "运营方",
                "开发者",
                "经营者",
                "运营主体",
                "个人信息处理者",
                "控制者",
                "注册地",
                "公司",
                "集团",
            ),
            accept=_names_operator,
        ),
        ElementSpec(
            "contact",
            "联系方式",
            ("GB35273-5.5", "RD-6.5"),
            _re(
                r"客服(?:电话|热线|邮箱)|联系(?:电话|邮箱|地址|方式)|电子邮(?:件|箱)|邮箱[：:]|电话[：:]|热线|"
                r"(?<![a-z0-9._+-])[a-z0-9._+-]+@[a-z0-9-]+\.[a-z]|400[-\s]?\d{3}[-\s]?\d{4}|95\d{3,4}|\d{3,4}-\d{7,8}|在线客服|"
                r"通信地址|办公地址|邮寄地址|联系我们|与我们联系|联系客服|人工客服|个人信息保护(?:负责人|专职部门|专员)"
            ),
            triggers=(
                "客服",
                "联系",
                "电子邮",
                "邮箱",
                "电话",
                "热线",
                "@",
                "400",
                "95",
                "-",
                "地址",
                "个人信息保护",
            ),
        ),
        ElementSpec(
            "pi_collection",
            "收集的个人信息类型及目的",
            ("RD-2.1", "GB35273-5.5", "M164-1.2"),
            _re(
                r"(?:收集|获取|采集|使用|读取|调用)[^。；\n]{0,40}(?:个人信息|信息|权限|号码|位置|设备|照片|通讯录)|"
                r"(?:需要|将会|可能)(?:向您)?(?:收集|获取)|业务功能|基本功能|扩展功能"
            ),
            triggers=("收集", "获取", "采集", "使用", "读取", "调用", "功能"),
        ),
        ElementSpec(
            "collection_method",
            "收集方式",
            ("RD-2.1", "GB35273-5.5"),
            _re(
                r"(?:您|用户)(?:主动)?(?:提供|填写|上传|输入)|主动提供|自动(?:收集|采集|获取|记录)|间接(?:获取|收集)|"
                r"从第三方(?:获取|获得|收集)|第三方(?:间接)?(?:向我们)?(?:提供|共享)的|Cookie|日志信息|"
                r"(?:SDK|软件开发工具包)[^。；\n]{0,15}(?:收集|获取|采集)"
            ),
            triggers=(
                "提供",
                "填写",
                "上传",
                "输入",
                "自动",
                "间接",
                "第三方",
                "cookie",
                "日志",
                "sdk",
                "软件开发工具包",
            ),
        ),
        ElementSpec(
            "permission_use",
            "系统权限及其目的",
            ("RD-2.3", "M164-2.1", "GB41391-6.5"),
            _re(
                r"权限|(?:授权|允许)[^。；\n]{0,10}(?:访问|使用|开启|获取)|(?:开启|打开|关闭)[^。；\n]{0,10}(?:相机|摄像头|麦克风|"
                r"定位|位置|通讯录|相册|存储|蓝牙)|系统设置"
            ),
            triggers=("权限", "授权", "允许", "开启", "打开", "关闭", "系统设置"),
        ),
        ElementSpec(
            "third_party_sharing",
            "对外共享、转让、公开披露",
            ("GB35273-5.5", "GB35273-9.2", "RD-5.1", "M164-1.3"),
            _re(
                r"共享|转让|公开披露|委托(?:处理|第三方)|(?:提供|披露)给[^。；\n]{0,15}(?:第三方|合作伙伴|合作方)|"
                r"向[^。；\n]{0,15}(?:第三方|合作伙伴|合作方)[^。；\n]{0,10}(?:提供|披露)|第三方合作|授权合作伙伴"
            ),
            triggers=("共享", "转让", "披露", "委托", "提供给", "第三方", "合作伙伴", "合作方"),
        ),
        ElementSpec(
            "sdk_list",
            "第三方SDK清单",
            ("RD-2.1", "GB35273-9.7", "M164-1.3"),
            _re(
                r"SDK[^。；\n]{0,10}(?:名称|清单|列表|目录|目的|用途|提供方|运营方)|(?:第三方|合作方)(?:名称|主体)[：:]|"
                r"(?:SDK|软件开发工具包)\s*(?:名称|提供方)|第三方(?:SDK|代码|插件|软件开发工具包)[^。；\n]{0,20}"
                r"(?:清单|列表|目录|列明|说明|如下)|SDK名称|接入[^。；\n]{0,10}SDK"
            ),
            triggers=("sdk", "第三方", "合作方", "软件开发工具包"),
        ),
        ElementSpec(
            "storage_location",
            "存储地点",
            ("GB35273-5.5", "GB35273-9.8"),
            _re(
                r"(?:存储|保存|存放|储存)(?:在|于)[^。；\n]{0,12}(?:中华人民共和国|中国|境内|大陆)|"
                r"境内[^。；\n]{0,15}(?:存储|保存|储存)|存储地点|存放地域|存储地域"
            ),
            triggers=("存储", "保存", "存放", "储存", "境内"),
        ),
        ElementSpec(
            "retention_period",
            "存储期限",
            ("GB35273-5.5", "GB35273-6.1"),
            _re(
                r"(?:保存|存储|保留|储存)(?:期限|期间|时间|时限)|(?:最短|必要|法定)的?(?:期限|时间|时限)|"
                r"(?:保存|存储|保留|储存)[^。；\n]{0,25}(?:\d+|[一二三六十]+)\s*(?:年|个月|天|日)|期限届满|超出[^。；\n]{0,10}期限|"
                r"实现[^。；\n]{0,15}目的所必需的(?:最短)?(?:期限|时间)"
            ),
            triggers=("保存", "存储", "保留", "储存", "期限", "时限", "时间", "期间"),
        ),
        ElementSpec(
            "cross_border",
            "跨境传输",
            ("GB35273-5.5", "GB35273-9.8"),
            _re(r"跨境|出境|境外|(?:传输|提供)至?[^。；\n]{0,10}(?:国外|海外)|向境外"),
            triggers=("跨境", "出境", "境外", "国外", "海外"),
        ),
        ElementSpec(
            "security_measures",
            "安全保护措施",
            ("GB35273-5.5", "GB35273-11"),
            _re(
                r"加密|SSL|TLS|HTTPS(?!:)|去标识化|匿名化|访问控制|安全防护|安全措施|安全技术|安全保护措施|等级保护|"
                r"ISO\s*/?\s*(?:IEC\s*)?27001|安全认证|数据备份|安全事件|应急预案|安全能力|防止[^。；\n]{0,20}(?:泄露|丢失|篡改)"
            ),
            triggers=(
                "加密",
                "ssl",
                "tls",
                "https",
                "去标识化",
                "匿名化",
                "访问控制",
                "安全",
                "等级保护",
                "27001",
                "备份",
                "应急预案",
                "防止",
            ),
        ),
        ElementSpec(
            "right_access",
            "查询/访问权",
            ("GB35273-8.1", "RD-6.1"),
            _re(
                rf"(?:查询|访问|查阅|查看|复制)(?:您的|你的)?[^。；\n]{{0,12}}{_PI}|{_PI}[^。；\n]{{0,6}}(?:查询|访问|查阅)"
            ),
            triggers=("查询", "访问", "查阅", "查看", "复制"),
        ),
        ElementSpec(
            "right_correct",
            "更正权",
            ("GB35273-8.2", "RD-6.1"),
            _re(
                rf"更正|(?:修改|补充|修正)(?:您的|你的)?[^。；\n]{{0,12}}{_PI}|{_PI}[^。；\n]{{0,6}}(?:修改|更正|补充)"
            ),
            triggers=("更正", "修改", "补充", "修正"),
        ),
        ElementSpec(
            "right_delete",
            "删除权",
            ("GB35273-8.3", "RD-6.1"),
            _re(
                rf"删除(?:您的|你的)?[^。；\n]{{0,15}}{_PI}|(?:要求|请求|申请)(?:我们)?删除|{_PI}[^。；\n]{{0,6}}删除"
            ),
            triggers=("删除",),
        ),
        ElementSpec(
            "right_withdraw_consent",
            "撤回同意",
            ("GB35273-8.4", "RD-3.8"),
            _re(
                r"撤回[^。；\n]{0,8}(?:同意|授权)|撤销[^。；\n]{0,6}(?:同意|授权)|改变[^。；\n]{0,8}(?:授权|同意)(?:范围)?|"
                r"收回[^。；\n]{0,4}授权|(?:关闭|取消)[^。；\n]{0,12}(?:权限|授权)|撤回"
            ),
            triggers=("撤回", "撤销", "改变", "收回", "关闭", "取消"),
        ),
        ElementSpec(
            "right_account_deletion",
            "注销账号",
            ("GB35273-8.5", "RD-6.1"),
            _re(rf"注销[^。；\n]{{0,6}}{_ACCT}|{_ACCT}[^。；\n]{{0,4}}注销|注销(?:功能|申请|流程)"),
            triggers=("注销",),
        ),
        ElementSpec(
            "right_copy",
            "获取个人信息副本",
            ("GB35273-8.6",),
            _re(
                # a copy the user obtains ("删除其副本" is deletion, not a right to a copy)
                r"(?:获取|获得|索取|取得|下载|导出|申请|请求|要求|提供|复制)(?:(?!删除|销毁)[^。；\n]){0,20}副本|"
                r"(?:导出|转移|转移至)[^。；\n]{0,10}(?:个人信息|信息|数据)|个人信息(?:的)?(?:转移|导出|可携带)|可携带"
            ),
            triggers=("副本", "导出", "转移", "可携带"),
        ),
        ElementSpec(
            "complaint_channel",
            "投诉举报渠道",
            ("GB35273-8.8", "RD-6.5"),
            _re(
                r"投诉|举报|申诉|(?:向|提起)[^。；\n]{0,20}(?:诉讼|仲裁)|争议[^。；\n]{0,10}解决|起诉|监管部门|网信"
            ),
            triggers=("投诉", "举报", "申诉", "诉讼", "仲裁", "争议", "起诉", "监管部门", "网信"),
            exclude=_IP_MATTERS,
            unless=_PRIVACY_MATTERS,
        ),
        ElementSpec(
            "response_time",
            "响应时限",
            ("GB35273-8.7", "RD-6.3", "RD-6.5"),
            _re(
                r"(?:\d+|[一二三四五六七八九十]+)\s*(?:个)?\s*(?:工作日|自然日|日|天|小时)(?:之内|内)|"
                r"(?:十五|15)\s*(?:个)?\s*工作日|(?:尽快|及时)[^。；\n]{0,6}(?:回复|答复|响应|反馈|处理)"
            ),
            triggers=("日内", "天内", "时内", "之内", "工作日", "尽快", "及时"),
        ),
        ElementSpec(
            "minors",
            "未成年人/儿童保护",
            ("GB35273-5.4", "CH-8", "CH-9"),
            _re(r"未成年|儿童|不满\s*(?:14|十四|18|十八)\s*周?岁|(?:14|十四)\s*周?岁以下|监护人"),
            triggers=("未成年", "儿童", "岁", "监护人"),
        ),
        ElementSpec(
            "cessation_of_operations",
            "停止运营的处理",
            ("GB35273-6.4", "CH-23"),
            _re(
                r"停止运营|终止运营|停止(?:提供)?(?:产品|服务|业务)[^。；\n]{0,20}(?:通知|删除|匿名化)|停止运营的?情形"
            ),
            triggers=("停止", "终止运营"),
        ),
        ElementSpec(
            "policy_updates",
            "政策更新及通知",
            ("RD-2.2", "GB35273-5.5"),
            _re(
                r"(?:更新|修订|修改|变更)[^。；\n]{0,8}(?:本|我们的|此)?(?:隐私)?(?:政策|指引|条款|规则)|"
                r"本(?:隐私)?(?:政策|指引)[^。；\n]{0,25}(?:更新|修订|变更|修改)|(?:重大|实质性)变更|政策[^。；\n]{0,4}(?:更新|变更)"
            ),
            triggers=("更新", "修订", "修改", "变更"),
        ),
        ElementSpec(
            "effective_date",
            "发布/生效日期",
            ("GB35273-5.5",),
            _re(
                r"(?:生效|发布|更新|修订|版本)(?:日期|时间)|"
                r"\d{4}\s*[年.\-/]\s*\d{1,2}\s*[月.\-/]\s*\d{1,2}\s*日?[^。；\n]{0,6}(?:生效|起施行|施行|更新|发布|起)|"
                r"(?:生效|更新|发布)(?:于|日)?\s*[:：]?\s*\d{4}\s*年"
            ),
            triggers=("日期", "时间", "生效", "施行", "更新", "发布", "起"),
        ),
    )
}


def _matches(spec: ElementSpec, text: str, low: str, sent: Sentence) -> bool:
    """Whether ``spec`` finds its element in ``sent`` (pattern, then exclusion and acceptance checks)."""
    if spec.accept is None:
        if spec.pattern.search(low, sent.start, sent.end) is None:
            return False
    elif not any(spec.accept(text, m) for m in spec.pattern.finditer(low, sent.start, sent.end)):
        return False
    if spec.exclude is not None and spec.exclude.search(low, sent.start, sent.end):
        return spec.unless is not None and spec.unless.search(low, sent.start, sent.end) is not None
    return True


_TOC_TAIL = re.compile(r"[\s.…·\-—_\d]+$")


def toc_headings(sentences: list[Sentence], sections: list[Section]) -> set[int]:
    """Starts of the headings that are table-of-contents lines: a heading with no body sentence before the next
    heading, or whose title (without dot leaders and page numbers) comes again as a later heading."""
    if not sections:
        return set()
    starts = {s.start for s in sections}
    titles = [_TOC_TAIL.sub("", s.title[-MAX_TITLE:]) or s.title for s in sections]
    last_index: dict[str, int] = {}
    for i, title in enumerate(titles):
        last_index[title] = i
    body_after: list[bool] = [False] * len(sections)  # a body sentence between heading i and heading i+1
    order = sorted(range(len(sections)), key=lambda i: sections[i].start)
    k = 0
    for rank, i in enumerate(order):
        nxt = sections[order[rank + 1]].start if rank + 1 < len(order) else None
        while k < len(sentences) and sentences[k].start <= sections[i].start:
            k += 1
        j = k
        while j < len(sentences) and (nxt is None or sentences[j].start < nxt):
            if sentences[j].start not in starts:
                body_after[i] = True
                break
            j += 1
    out: set[int] = set()
    for i, sec in enumerate(sections):
        if (not body_after[i] and _no_body_in(i, sections, body_after)) or (
            last_index[titles[i]] > i and not body_after[i]
        ):
            out.add(sec.start)
    return out


def _no_body_in(i: int, sections: list[Section], body_after: list[bool]) -> bool:
    """No body sentence anywhere in section ``i``'s span (its sub-headings included)."""
    sec = sections[i]
    for j in range(i + 1, len(sections)):
        if sections[j].start >= sec.end:
            break
        if body_after[j]:
            return False
    return True


MAX_TITLE = 80

RIGHTS = (
    "right_access",
    "right_correct",
    "right_delete",
    "right_withdraw_consent",
    "right_account_deletion",
    "right_copy",
)


MAX_CANDIDATES = 12  # keyword matches looked at per element before ranking


@lru_cache(maxsize=1)
def _trigger_automaton() -> Any:
    """Aho-Corasick automaton: trigger word -> element names (None without pyahocorasick)."""
    try:
        import ahocorasick
    except ImportError:  # pragma: no cover - pyahocorasick is a core dependency
        return None
    table: dict[str, list[str]] = {}
    for name, spec in ELEMENTS.items():
        for word in spec.triggers:
            table.setdefault(word, []).append(name)
    auto = ahocorasick.Automaton()
    for word, names in table.items():
        auto.add_word(word, tuple(names))
    auto.make_automaton()
    return auto


def candidate_sentences(
    low: str, sentences: list[Sentence], deadline: Deadline = NO_DEADLINE
) -> dict[str, list[int]] | None:
    """Per element, the indices (ascending) of sentences containing one of its triggers; None when every sentence
    must be searched (no automaton, or an element without triggers)."""
    auto = _trigger_automaton()
    if auto is None or any(not spec.triggers for spec in ELEMENTS.values()):
        return None
    where = sentence_of_positions(len(low), sentences)
    found: dict[str, set[int]] = {name: set() for name in ELEMENTS}
    for end, names in auto.iter(low):
        deadline.tick()
        i = where[end]
        if i >= 0:
            for name in names:
                found[name].add(i)
    return {name: sorted(idx) for name, idx in found.items()}


def detect_elements(
    text: str,
    sentences: list[Sentence],
    sections: list[Section],
    *,
    extra_sdk_evidence: list[dict] | None = None,
    support: dict[str, dict[int, float]] | None = None,
    add: dict[str, dict[int, float]] | None = None,
    deadline: Deadline = NO_DEADLINE,
) -> dict[str, ElementResult]:
    """Decide every element of :data:`ELEMENTS` present/absent.

    Keyword baseline: each element's pattern is searched in the sentences holding one of its trigger words (one
    Aho-Corasick pass finds them); matches in headings are used only when no body sentence matched. With the classifier
    (:mod:`appwarden.policy.classifier`), ``support`` maps an element to ``{sentence start: probability}`` of the
    sentences its topic was predicted for: keyword evidence those sentences back comes first
    (``method="keyword+classifier"``); ``add`` holds confident predictions that establish an element no keyword found
    (``method="classifier"``).
    """
    heading_starts = {s.start for s in sections}
    toc = toc_headings(sentences, sections)
    by_start = {s.start: s for s in sentences}
    results: dict[str, ElementResult] = {}
    low = ascii_lower(text)
    support = support or {}
    add = add or {}
    candidates = candidate_sentences(low, sentences, deadline)
    for name, spec in ELEMENTS.items():
        body: list[Sentence] = []
        heads: list[Sentence] = []
        pool = sentences if candidates is None else [sentences[i] for i in candidates[name]]
        deadline.check()
        for sent in pool:
            deadline.tick(256)
            if not _matches(spec, text, low, sent):
                continue
            if sent.start in toc:
                continue  # a table-of-contents line names a clause; it is not the clause
            if sent.start in heading_starts:
                if len(heads) < MAX_EVIDENCE:
                    heads.append(sent)
            else:
                body.append(sent)
                if len(body) >= (MAX_CANDIDATES if name in support else MAX_EVIDENCE):
                    break
        method = "keyword"
        backed = support.get(name, {})
        if body and backed:
            ranked = sorted(body, key=lambda s: (-backed.get(s.start, 0.0), s.start))
            chosen = ranked[:MAX_EVIDENCE]  # best-supported first
            if any(s.start in backed for s in chosen):
                method = "keyword+classifier"
        else:
            chosen = body[:MAX_EVIDENCE] or heads[:MAX_EVIDENCE]
        if not chosen and add.get(name):
            best = sorted(add[name].items(), key=lambda kv: -kv[1])[:MAX_EVIDENCE]
            chosen = [by_start[st] for st, _ in best if st in by_start]
            method = "classifier"
        evidence = [
            s.ref(name, sections[s.section].title if 0 <= s.section < len(sections) else None) for s in chosen
        ]
        if name == "sdk_list" and not evidence and extra_sdk_evidence:
            evidence = extra_sdk_evidence[:MAX_EVIDENCE]
        results[name] = ElementResult(
            present=bool(evidence), evidence=evidence, clauses=list(spec.clauses), method=method
        )
    return results


def tag_sentences(sentences: list[Sentence]) -> list[set[str]]:
    """Every element whose pattern matches each sentence (full tagging, for evaluation and the classifier's
    features); :func:`detect_elements` is the fast path that stops at :data:`MAX_EVIDENCE` sentences."""
    out: list[set[str]] = []
    for sent in sentences:
        low = ascii_lower(sent.text)
        out.append({name for name, spec in ELEMENTS.items() if spec.pattern.search(low)})
    return out
