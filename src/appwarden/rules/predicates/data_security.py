"""App data-security checks (GB/T 35273 §6.3, 儿童规定 §13): exported components, WebView, crypto, TLS, files.

Each predicate returns one hit per owner (host or SDK) with every location as evidence:

- ``exported_unprotected`` (manifest): enabled, exported components of ``kinds`` (default ``provider``) with no
  permission (for providers: neither ``permission`` nor read/write permissions). Activities with a MAIN/LAUNCHER
  filter are never reported. Params: ``kinds``.
- ``webview_js_bridge`` (code): ``WebView.addJavascriptInterface`` in an owner that also calls
  ``WebSettings.setJavaScriptEnabled``; severity raised to ``high`` when ``minSdkVersion`` < 17 (any page's script
  can then reach Java by reflection, CVE-2012-6636).
- ``weak_crypto`` (code): ``Cipher.getInstance`` / ``MessageDigest.getInstance`` in a method holding one of the
  ``algorithms`` string constants (default ECB and DES transformations) or, for ciphers, any full transformation
  with ECB mode, DES, 3DES, RC4 or RSA without padding. Each is reported with what is weak about
  it (:func:`cipher_weakness`): ``"AES"`` alone is **ECB mode** (the provider's default transformation is
  ``AES/ECB/PKCS5Padding``), never "weak AES". A bare algorithm name counts only when the method holds no full
  ``algorithm/mode/padding`` transformation: next to ``"AES/CBC/PKCS5Padding"`` the ``"AES"`` names the key
  (``SecretKeySpec``), not the cipher.
- ``hardcoded_crypto_key`` (code): a method that builds a ``SecretKeySpec`` or ``IvParameterSpec`` and holds a
  string constant of a key/IV length (8/16/24/32 chars) turned into bytes (``String.getBytes``): key or IV
  compiled into the app (for an HMAC key, any constant of 16 chars or more). Algorithm and charset names
  (``HmacSHA1``) and transformation pieces (``B/PKCS5P``) are not key material. ``possible``: the constant may be a salt or a test value.
- ``trust_all_tls`` (code): an ``X509TrustManager.checkServerTrusted`` that calls nothing (accepts every
  certificate), a ``HostnameVerifier.verify`` that calls nothing and returns the constant true, the
  ``ALLOW_ALL_HOSTNAME_VERIFIER`` field, or ``SslErrorHandler.proceed()`` called directly in
  ``onReceivedSslError`` (WebView ignoring TLS errors without asking the user).
- ``world_readable_files`` (code): ``openFileOutput``/``getSharedPreferences``/``openOrCreateDatabase``/``getDir``
  whose mode argument (the second declared parameter of each) has the ``MODE_WORLD_READABLE`` (1) or
  ``MODE_WORLD_WRITEABLE`` (2) bit, in an app with targetSdkVersion < 24 (later Android throws instead). The mode is
  read from the argument's register at the call along the method's branches (``dex.regs.reaching_values``: every
  definition that reaches the call, not the last one in file order): when every reaching definition is a constant
  with either bit the call is ``likely`` (evidence ``mode``, or ``modes`` when several constants reach); when a
  world-accessible constant reaches on some paths only (``x ? MODE_WORLD_READABLE : MODE_PRIVATE``) the call is a
  ``possible`` lead marked ``some_paths`` with every constant that reaches (``modes``); when only other constants
  reach it is no finding. A mode nothing resolves (a parameter, a computed value) is kept only when the calling
  method holds a 1 or 2 among its small constants (the former heuristic), ``possible``, marked ``unresolved``: a
  lead for the reviewer, since the constant may be something else (an array index).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from appwarden.evidence import Evidence
from appwarden.rules.model import Hit
from appwarden.rules.predicates import param, predicate
from appwarden.rules.static_support import (
    callees,
    code_of,
    implementers,
    invokes,
    method_literals,
    method_strings,
    owner_label_zh,
    owner_of,
    ref_parts,
)


def _site(caller: str, target: str, dex: str, offset: int, owner: str, **extra) -> dict:
    return {
        "type": "callsite",
        "caller": caller,
        "api": target,
        "owner": owner,
        "dex": dex,
        "offset": offset,
    } | extra


def _group(evidence: Evidence, refs: Iterable[tuple[str, str, str, int]], **extra) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for caller, target, dex, offset in refs:
        owner = owner_of(evidence, caller.split("->", 1)[0])
        out.setdefault(owner, []).append(_site(caller, target, dex, offset, owner, **extra))
    return out


def _hits(evidence: Evidence, groups: dict[str, list[dict]], zh: str, en: str, **kw) -> list[Hit]:
    return [
        Hit(
            evidence=items,
            owner=owner,
            message_zh=f"{owner_label_zh(evidence, owner)}{zh}（{len(items)}处）。",
            message_en=f"{owner}: {en} ({len(items)} places).",
            **kw,
        )
        for owner, items in groups.items()
    ]


@predicate("exported_unprotected", needs=("static.manifest",))
def exported_unprotected(evidence: Evidence, params: dict) -> list[Hit]:
    static = evidence.static
    manifest = static.manifest if static is not None else None
    if manifest is None:
        return []
    kinds = set(param(params, "kinds", ("provider",)))
    groups: dict[str, list[dict]] = {}
    for comp in manifest.exported_components:
        if comp.kind not in kinds:
            continue
        if comp.permission or (comp.kind == "provider" and (comp.read_permission or comp.write_permission)):
            continue
        if comp.kind in ("activity", "activity-alias") and "android.intent.action.MAIN" in comp.actions:
            continue
        item = {"type": "component", "kind": comp.kind, "name": comp.name, "exported": True}
        if comp.authorities:
            item["authorities"] = list(comp.authorities)
        if comp.actions:
            item["actions"] = sorted(comp.actions)
        groups.setdefault(owner_of(evidence, comp.name), []).append(item)
    return _hits(evidence, groups, "存在未设置访问权限的导出组件", "exported components without a permission")


ADD_JS = "Landroid/webkit/WebView;->addJavascriptInterface"
JS_ON = "Landroid/webkit/WebSettings;->setJavaScriptEnabled"


@predicate("webview_js_bridge", needs=("static.manifest", "static.code"))
def webview_js_bridge(evidence: Evidence, params: dict) -> list[Hit]:
    code = code_of(evidence)
    bridges = _group(evidence, invokes(code, [ADD_JS]))
    enabled = set(_group(evidence, invokes(code, [JS_ON])))
    groups = {o: items for o, items in bridges.items() if o in enabled}
    manifest = evidence.static.manifest if evidence.static is not None else None
    old = manifest is not None and manifest.min_sdk is not None and manifest.min_sdk < 17
    return _hits(
        evidence,
        groups,
        "启用WebView JavaScript并通过addJavascriptInterface暴露Java对象"
        + ("，且minSdkVersion低于17存在远程代码执行风险" if old else ""),
        "WebView with JavaScript enabled exposes Java objects via addJavascriptInterface"
        + (" (minSdk < 17: remote code execution)" if old else ""),
        severity="high" if old else None,
    )


CIPHER = "Ljavax/crypto/Cipher;->getInstance"
DIGEST = "Ljava/security/MessageDigest;->getInstance"
WEAK_CIPHERS = ("AES", "AES/ECB/PKCS5Padding", "AES/ECB/PKCS7Padding", "AES/ECB/NoPadding", "DES",
                "DES/ECB/PKCS5Padding", "DES/CBC/PKCS5Padding", "DESede/ECB/PKCS5Padding", "DESede", "RC4", "ARCFOUR",
                "RSA/ECB/NoPadding")  # fmt: skip


TRANSFORMATION = re.compile(r"[A-Za-z0-9_-]+/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+")  # algorithm/mode/padding


def cipher_weakness(transformation: str) -> tuple[str, str]:
    """(zh, en) of what is weak in a ``Cipher.getInstance`` transformation: the mode (ECB, including a bare block
    cipher name, whose default mode is ECB), the algorithm (DES, 3DES, RC4) or RSA without padding."""
    parts = [p.strip().upper() for p in transformation.split("/")]
    alg = parts[0]
    mode = parts[1] if len(parts) > 1 else None
    padding = parts[2] if len(parts) > 2 else None
    if alg == "RSA":
        if padding == "NOPADDING":
            return "RSA无填充（教科书式RSA）", "RSA without padding (textbook RSA)"
        return f"RSA（{transformation}）", f"RSA ({transformation})"
    if alg in ("RC4", "ARCFOUR"):
        return f"RC4流密码（{transformation}）", f"the RC4 stream cipher ({transformation})"
    if alg in ("DES", "DESEDE", "TRIPLEDES"):
        name = "DES" if alg == "DES" else "3DES"
        return f"{name}算法（{transformation}）", f"the {name} algorithm ({transformation})"
    if mode is None:
        return (
            f"ECB模式（“{transformation}”未指定模式，默认{transformation}/ECB/PKCS5Padding）",
            f'ECB mode ("{transformation}" names no mode and defaults to {transformation}/ECB/PKCS5Padding)',
        )
    if mode == "ECB":
        return f"ECB模式（{transformation}）", f"ECB mode ({transformation})"
    return transformation, transformation


def _weak_strings(strings: list[str], algorithms: set[str], cipher: bool) -> list[str]:
    """The method's string constants that name a weak algorithm; for ciphers, bare names only when the method
    holds no full ``algorithm/mode/padding`` transformation (a bare name next to one names a key)."""
    weak = {s for s in strings if s.upper() in algorithms}
    if not cipher:
        return sorted(weak)
    full = [s for s in strings if TRANSFORMATION.fullmatch(s)]
    weak |= {s for s in full if _weak_transformation(s)}  # DES/ECB/NoPadding, Blowfish/ECB/... (any ECB)
    if full:
        weak = {s for s in weak if "/" in s}
    return sorted(weak)


def _weak_transformation(transformation: str) -> bool:
    """Whether a full ``algorithm/mode/padding`` transformation is weak: DES, 3DES, RC4, ECB mode (not for RSA,
    where "ECB" is only a name), RSA without padding."""
    alg, mode, padding = (p.strip().upper() for p in transformation.split("/"))
    if alg == "RSA":
        return padding == "NOPADDING"
    return alg in ("DES", "DESEDE", "TRIPLEDES", "RC4", "ARCFOUR") or mode == "ECB"


@predicate("weak_crypto", needs=("static.code",))
def weak_crypto(evidence: Evidence, params: dict) -> list[Hit]:
    code = code_of(evidence)
    cipher = param(params, "kind", "cipher") == "cipher"
    api = CIPHER if cipher else DIGEST
    algorithms = {a.upper() for a in param(params, "algorithms", WEAK_CIPHERS)}
    groups: dict[str, list[dict]] = {}
    for caller, target, dex, offset in invokes(code, [api]):
        weak = _weak_strings(method_strings(code, caller), algorithms, cipher)
        if not weak:
            continue
        owner = owner_of(evidence, caller.split("->", 1)[0])
        extra: dict = {"algorithms": weak}
        if cipher:
            extra["weaknesses"] = [cipher_weakness(w)[0] for w in weak]
            extra["weaknesses_en"] = [cipher_weakness(w)[1] for w in weak]
        groups.setdefault(owner, []).append(_site(caller, target, dex, offset, owner, **extra))
    if cipher:
        zh = sorted({w for items in groups.values() for i in items for w in i["weaknesses"]})
        en = sorted({w for items in groups.values() for i in items for w in i["weaknesses_en"]})
        return _hits(
            evidence,
            groups,
            f"使用不安全的加密模式或算法：{'；'.join(zh)}",
            f"insecure cipher: {'; '.join(en)}",
        )
    names = sorted({a for items in groups.values() for i in items for a in i["algorithms"]})
    return _hits(
        evidence, groups, f"使用弱摘要算法{'、'.join(names)}", f"weak digest algorithms {', '.join(names)}"
    )


KEY_SPEC = "Ljavax/crypto/spec/SecretKeySpec;-><init>"
IV_SPEC = "Ljavax/crypto/spec/IvParameterSpec;-><init>"
GET_BYTES = "Ljava/lang/String;->getBytes"
KEY_LENGTHS = (8, 16, 24, 32)
# constants of a key's length that are not key material: JCA algorithm and charset names ("HmacSHA1" is 8 chars),
# and pieces of a transformation built by concatenation ("B/PKCS5P")
NOT_KEY = re.compile(
    r"(?i)hmac(md5|sha-?\d+)?|pbkdf2withhmacsha\d*|pbewith\w+|sha-?\d+(with(rsa|ecdsa))?|md5(withrsa)?"
    r"|aes(_?\d+)?|desede|des|tripledes|rsa|blowfish|arcfour|rc4"
    r"|utf-?8|utf-16(be|le)?|iso-8859-\d+|us-ascii|gbk|gb2312|gb18030"
    r"|(?=.*/)[\w/]*(ecb|cbc|gcm|cfb|ofb|ctr|pkcs|padding)[\w/]*"
)


@predicate("hardcoded_crypto_key", needs=("static.code",))
def hardcoded_crypto_key(evidence: Evidence, params: dict) -> list[Hit]:
    code = code_of(evidence)
    groups: dict[str, list[dict]] = {}
    for caller, target, dex, offset in invokes(code, [KEY_SPEC, IV_SPEC]):
        if not any(c.startswith(GET_BYTES) for c in callees(code, caller)):
            continue
        strings = method_strings(code, caller)
        hmac = any(s.lower().startswith("hmac") for s in strings)  # an HMAC key may have any length
        consts = [
            s
            for s in strings
            if (len(s) in KEY_LENGTHS or (hmac and len(s) >= 16))
            and " " not in s
            and not NOT_KEY.fullmatch(s)
        ]
        if not consts:
            continue
        owner = owner_of(evidence, caller.split("->", 1)[0])
        what = "key" if target.startswith(KEY_SPEC) else "iv"
        # the constant itself is a secret: report its length and a short prefix only
        shown = [f"{s[:2]}…({len(s)} chars)" for s in consts]
        groups.setdefault(owner, []).append(
            _site(caller, target, dex, offset, owner, material=what, constants=shown)
        )
    return _hits(evidence, groups, "在代码中硬编码加密密钥或初始向量", "hard-coded crypto key or IV")


TRUST_MANAGER = "Ljavax/net/ssl/X509TrustManager;"
HOSTNAME_VERIFIER = "Ljavax/net/ssl/HostnameVerifier;"
CHECK_SERVER = "checkServerTrusted([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V"
VERIFY = "verify(Ljava/lang/String;Ljavax/net/ssl/SSLSession;)Z"
ALLOW_ALL = "Lorg/apache/http/conn/ssl/SSLSocketFactory;->ALLOW_ALL_HOSTNAME_VERIFIER:Lorg/apache/http/conn/ssl/X509HostnameVerifier;"
SSL_PROCEED = "Landroid/webkit/SslErrorHandler;->proceed"


def _has_code(code, method: str) -> bool:
    try:
        info = code.class_info(method.split("->", 1)[0])
    except (KeyError, LookupError):
        return False
    name = method.split("->", 1)[1]
    for m in getattr(info, "methods", ()) or ():
        text = getattr(m, "descriptor", None) or getattr(m, "name", None) or str(m)
        if text in (method, name) or text.endswith("->" + name):
            return getattr(m, "code_off", 1) != 0
    return False


@predicate("trust_all_tls", needs=("static.code",))
def trust_all_tls(evidence: Evidence, params: dict) -> list[Hit]:
    code = code_of(evidence)
    if code is None:
        return []
    groups: dict[str, list[dict]] = {}

    def add(cls_or_method: str, item: dict) -> None:
        owner = owner_of(evidence, cls_or_method.split("->", 1)[0])
        groups.setdefault(owner, []).append(item | {"owner": owner})

    # concrete classes only: abstract methods have no body to judge
    for cls in implementers(code, TRUST_MANAGER):
        m = f"{cls}->{CHECK_SERVER}"
        if _has_code(code, m) and not callees(code, m):
            add(cls, {"type": "callsite", "caller": m, "api": TRUST_MANAGER + "->" + CHECK_SERVER,
                      "kind": "override", "meaning": "accepts every server certificate"})  # fmt: skip
    for cls in implementers(code, HOSTNAME_VERIFIER):
        m = f"{cls}->{VERIFY}"
        if _has_code(code, m) and not callees(code, m) and set(method_literals(code, m)) == {1}:
            add(cls, {"type": "callsite", "caller": m, "api": HOSTNAME_VERIFIER + "->" + VERIFY,
                      "kind": "override", "meaning": "accepts every host name"})  # fmt: skip
    try:
        field_refs = list(code.field_reads([ALLOW_ALL]))
    except (AttributeError, KeyError, LookupError):
        field_refs = []
    for ref in field_refs:
        caller, target, dex, offset = ref_parts(ref)
        add(
            caller,
            {
                "type": "callsite",
                "caller": caller,
                "api": target,
                "dex": dex,
                "offset": offset,
                "kind": "field",
            },
        )
    for caller, target, dex, offset in invokes(code, [SSL_PROCEED]):
        if "->onReceivedSslError(" not in caller:
            continue  # proceed() from a dialog button is the user's choice
        add(caller, {"type": "callsite", "caller": caller, "api": target, "dex": dex, "offset": offset,
                     "kind": "invoke", "meaning": "WebView proceeds despite TLS errors"})  # fmt: skip
    return _hits(
        evidence,
        groups,
        "存在信任全部证书/主机名或忽略SSL错误的实现",
        "trust-all TLS certificate/host-name handling",
    )


FILE_MODE_APIS = (
    "Landroid/content/Context;->openFileOutput",
    "Landroid/content/Context;->getSharedPreferences",
    "Landroid/content/Context;->openOrCreateDatabase",
    "Landroid/content/Context;->getDir",
    "Landroid/content/ContextWrapper;->openFileOutput",
    "Landroid/content/ContextWrapper;->getSharedPreferences",
    "Landroid/content/ContextWrapper;->openOrCreateDatabase",
    "Landroid/content/ContextWrapper;->getDir",
)


MODE_NAMES = {
    1: "MODE_WORLD_READABLE",
    2: "MODE_WORLD_WRITEABLE",
    3: "MODE_WORLD_READABLE|MODE_WORLD_WRITEABLE",
}


def _file_modes(
    code: Any, caller: str, dex: str, offset: int, cache: dict | None = None, wanted: set[int] | None = None
) -> tuple[list[int], bool] | None:
    """The mode argument (second declared parameter) of the call at ``dex``/``offset`` in ``caller``, read along
    the method's branches (``dex.regs.reaching_values``): (the constants that reach it, sorted; whether some path
    brings a value that is not a constant: a parameter, a computed value). None when the call cannot be read.
    ``cache`` keeps one analysis per method for all its calls (``wanted``: their offsets)."""
    from appwarden.dex.records import OP_INVOKE_STATIC, invoke_arg_registers
    from appwarden.dex.regs import reaching_values

    try:
        for ci, r in code.method_records(caller):
            dc = code.codes[ci]
            if dc.name != dex:
                continue
            code_off = dc.record(r)[3]
            for i, _kind, _op, off, _idx in dc.events_of_record(r):
                if off != offset:
                    continue
                _k, op, _off, midx, a, _b = dc.event(i)
                regs = invoke_arg_registers(op, a)
                pos = 0 if op in OP_INVOKE_STATIC else 1
                for n, t in enumerate(dc.dex.method_param_types(midx)):
                    if pos >= len(regs):
                        return None
                    if n == 1:
                        key = (dex, code_off)
                        states = cache.get(key) if cache is not None else None
                        if states is None:
                            states = reaching_values(dc.dex, code_off, (wanted or set()) | {offset})
                            if cache is not None:
                                cache[key] = states
                        state = states.get(offset)
                        if state is None:
                            return None
                        values = state.get(regs[pos], frozenset({("unknown",)}))
                        literals = sorted({int(v[1]) for v in values if v[0] == "literal"})
                        return literals, any(v[0] != "literal" for v in values)
                    pos += 2 if t in ("J", "D") else 1
                return None
    except (AttributeError, KeyError, LookupError, TypeError, ValueError):
        return None
    return None


def _mode_names(modes: list[int]) -> str:
    return "、".join(dict.fromkeys(MODE_NAMES[m & 3] if m & 3 else f"模式{m}" for m in modes))


@predicate("world_readable_files", needs=("static.manifest", "static.code"))
def world_readable_files(evidence: Evidence, params: dict) -> list[Hit]:
    code = code_of(evidence)
    manifest = evidence.static.manifest if evidence.static is not None else None
    if manifest is None or code is None:
        return []
    target = manifest.target_sdk if manifest.target_sdk is not None else manifest.min_sdk
    if target is None or target >= 24:
        return []
    groups: dict[str, list[dict]] = {}
    calls = invokes(code, FILE_MODE_APIS)
    wanted: dict[tuple[str, str], set[int]] = {}
    for caller, _api, dex, offset in calls:
        wanted.setdefault((caller, dex), set()).add(offset)
    cache: dict = {}  # one reaching-values analysis per calling method
    for caller, api, dex, offset in calls:
        read = _file_modes(code, caller, dex, offset, cache, wanted[(caller, dex)])
        literals, unresolved = read if read is not None else ([], True)
        world = [m for m in literals if m & 3]
        extra: dict[str, Any]
        if world and not unresolved and len(world) == len(literals):
            # every definition reaching the call is world-accessible: resolved
            extra = (
                {"mode": world[0], "meaning": MODE_NAMES[world[0] & 3]}
                if len(world) == 1
                else {"modes": world, "meaning": _mode_names(world)}
            )
        elif world:
            # a world-accessible constant on some paths only; MODE_PRIVATE (or an unknown value) on others
            extra = {
                "modes": literals,
                "some_paths": True,
                "meaning": f"{_mode_names(world)} on some paths only; other paths pass "
                + ", ".join(
                    [str(m) for m in literals if not m & 3] + (["an unresolved value"] if unresolved else [])
                ),
            }
            if unresolved:
                extra["unresolved"] = True
        elif not unresolved:
            continue  # MODE_PRIVATE, MODE_APPEND, ... on every path: resolved, not world-accessible
        else:
            lits = set(method_literals(code, caller))
            if not (lits & {1, 2} and lits <= {0, 1, 2, 3}):
                continue
            extra = {
                "unresolved": True,
                "meaning": "mode argument not resolved; the method holds the constant 1 or 2",
            }
        owner = owner_of(evidence, caller.split("->", 1)[0])
        groups.setdefault(owner, []).append(_site(caller, api, dex, offset, owner, kind="invoke", **extra))
    hits = []
    for owner, items in groups.items():
        resolved = [i for i in items if "mode" in i or ("modes" in i and not i.get("some_paths"))]
        partial = [i for i in items if i.get("some_paths")]
        unknown = len(items) - len(resolved) - len(partial)
        modes = _mode_names([m for i in resolved for m in ([i["mode"]] if "mode" in i else i["modes"])])
        parts = []
        if resolved:
            parts.append(f"{len(resolved)}处以{modes}模式创建文件")
        if partial:
            some = _mode_names([m for i in partial for m in i["modes"] if m & 3])
            parts.append(
                f"{len(partial)}处仅在部分分支上以{some}模式创建文件（其他分支为私有模式或未能确定，需人工确认）"
            )
        if unknown:
            parts.append(f"{unknown}处文件模式参数未能确定（方法中含常量1或2，需人工确认）")
        hits.append(
            Hit(
                evidence=items,
                owner=owner,
                confidence="likely" if resolved else "possible",
                message_zh=f"{owner_label_zh(evidence, owner)}{'；'.join(parts)}。",
                message_en=(
                    f"{owner}: {len(resolved)} files created world-readable/writeable (mode resolved on every "
                    f"path), {len(partial)} on some paths only, {unknown} with an unresolved mode "
                    f"({len(items)} places)."
                ),
            )
        )
    return hits


# -- user-installed CA certificates: explicit (network security config) and implicit (targetSdkVersion <= 23) -----
IMPLICIT_USER_CA_MAX_TARGET = (
    23  # Android 7.0 (API 24) stopped trusting user CAs by default for apps targeting 24+
)
INTERNET = "android.permission.INTERNET"


def _implicit_user_ca(manifest: Any) -> dict[str, Any] | None:
    """The evidence item of the platform default trusting user CAs, or None: the app targets API 23 or lower (an
    absent targetSdkVersion is minSdkVersion, absent that 1), may use the network (INTERNET) and no network security
    config replaces the default (none declared, or one whose base-config has no trust-anchors)."""
    target = manifest.target_sdk if manifest.target_sdk is not None else manifest.min_sdk
    target = 1 if target is None else target
    if target > IMPLICIT_USER_CA_MAX_TARGET or INTERNET not in manifest.permissions:
        return None
    nsc = manifest.network_security
    if nsc is None and manifest.network_security_config:
        return None  # declared but unreadable: its content decides (the parser reports the error)
    base = nsc.base_config if nsc is not None else None
    if base is not None and base.trust_anchors is not None:
        return None  # the base-config's own trust anchors decide (explicit trust is the item above)
    item: dict[str, Any] = {
        "type": "manifest",
        "attribute": "targetSdkVersion",
        "value": str(target),
        "implicit": True,
    }
    if manifest.target_sdk is None:
        item["note"] = "targetSdkVersion absent: minSdkVersion applies"
    if nsc is None:
        item["meaning"] = (
            "no network security config and targetSdkVersion <= 23: the platform default trusts user-installed CAs"
        )
    else:
        item["file"] = nsc.path
        item["meaning"] = (
            "the network security config's base-config sets no trust-anchors and targetSdkVersion <= 23: its "
            "default trusts user-installed CAs"
        )
    return item


@predicate("user_ca_trusted", needs=("static.manifest",))
def user_ca_trusted(evidence: Evidence, params: dict) -> list[Hit]:
    """User-installed CA certificates trusted: explicitly by the network security config (``manifest_flag`` with
    ``flag: user_ca``: base-config, domain-config, or debug-overrides of a debuggable app) or implicitly by the
    platform default of an app targeting API 23 or lower that uses the network (INTERNET) with no network security
    config replacing the default (none, or a base-config without trust-anchors)."""
    from appwarden.rules.predicates.manifest_flags import manifest_flag

    static = evidence.static
    manifest = static.manifest if static is not None else None
    if manifest is None:
        return []
    hits = manifest_flag(evidence, {"flag": "user_ca"})
    item = _implicit_user_ca(manifest)
    if item is None:
        return hits
    where = (
        "未配置网络安全配置（android:networkSecurityConfig）"
        if "file" not in item
        else (f"网络安全配置 {item['file']} 的base-config未设置trust-anchors")
    )
    zh = (
        f"targetSdkVersion为{item['value']}（不高于23）且{where}，系统默认信任用户安装的CA证书，"
        "设备上被安装的CA证书可解密应用的HTTPS通信"
    )
    en = (
        f"targetSdkVersion {item['value']} (23 or lower) and "
        + ("no network security config" if "file" not in item else "a base-config without trust-anchors")
        + ": the platform default trusts user-installed CA certificates"
    )
    if not hits:
        return [Hit(evidence=[item], owner="host", message_zh=f"{zh}。", message_en=f"{en}.")]
    first = hits[0]
    first.evidence.append(item)
    first.message_zh = f"{first.message_zh.rstrip('。')}；{zh}。"
    first.message_en = f"{first.message_en.rstrip('.')}; {en}."
    return hits
