"""Detectors: the code behind each screening indicator; the YAML says which detector and with what params.

Contract: a :class:`Detector` has ``check(params) -> problem | None`` (run when the knowledge is loaded) and
``run(ctx, params) -> [evidence item]`` (an empty list: the indicator does not fire). Items are small JSON dicts
naming what was seen: call sites (``caller``, ``api``, ``dex``, ``offset``), manifest components, strings with
where they were found, asset files with their magic, certificates. Bytecode detectors look only at the app's own
code (no known SDK, no platform library: :meth:`ScreenContext.is_app_code`) unless ``params.any_owner`` is true.
Without a code index (packed app, DEX stage skipped) code detectors return nothing.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from appwarden.screening import behaviour, round9
from appwarden.screening.content import ScreenContext

Item = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Detector:
    """One screening detector: its runner, its parameter check and the parameter names it reads."""

    name: str
    run: Callable[[ScreenContext, dict[str, Any]], list[Item]]
    check: Callable[[dict[str, Any]], str | None]
    params: frozenset[str] = frozenset()  # the param names it reads (a typo in YAML is an error, not ignored)


def _need_lists(*keys: str, optional: tuple[str, ...] = ()) -> Callable[[dict[str, Any]], str | None]:
    def check(params: dict[str, Any]) -> str | None:
        for key in keys:
            value = params.get(key)
            if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
                return f"{key} must be a non-empty list of strings"
        for key in optional:
            value = params.get(key)
            if value is not None and (
                not isinstance(value, list) or not all(isinstance(v, str) for v in value)
            ):
                return f"{key} must be a list of strings"
        return None

    return check


def _site(ref: Any) -> Item:
    return {"caller": ref.caller, "api": ref.target, "dex": ref.dex, "offset": int(ref.offset)}


def _app_invokes(ctx: ScreenContext, apis: list[str], any_owner: bool = False) -> list[Any]:
    if ctx.code is None:
        return []
    return ctx.invokes(apis, app_only=not any_owner)


def _app_strings(ctx: ScreenContext, values: list[str], any_owner: bool = False) -> list[Any]:
    if ctx.code is None:
        return []
    return [r for r in ctx.code.strings_matching(values) if any_owner or ctx.is_app_code(r.caller)]


def _permission_gate(ctx: ScreenContext, params: dict[str, Any]) -> bool:
    wanted = params.get("permissions_any")
    return not wanted or bool(ctx.permissions & set(wanted))


def _declares_actions(ctx: ScreenContext, actions: list[str] | None) -> bool:
    """Some manifest component's intent filter names one of ``actions`` (e.g. the managed-provisioning actions
    that only a device- or profile-owner app set up through Android's provisioning flow receives)."""
    if not actions or ctx.manifest is None:
        return False
    wanted = set(actions)
    return any(not wanted.isdisjoint(f.actions) for c in ctx.manifest.components for f in c.intent_filters)


# --------------------------------------------------------------------------------------------------- api_calls


def _api_calls(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """Invokes of any of ``apis`` (or ``const-string`` uses of any of ``strings``) in app code, when the manifest
    holds one of ``permissions_any`` (if given) and declares a component bound by one of ``bind_any`` (if given).

    Round six (issue #23, store-app false alarms): nothing fires when a component declares one of
    ``unless_actions_any`` (the managed-provisioning actions of a device-policy controller); an invoke made in a
    method named by ``skip_methods`` (name-and-paren prefixes such as ``onClick(``: a button or tile the user
    presses) or in a method that also invokes one of ``skip_with_any`` (e.g. ``AccessibilityEvent.obtain``: the
    app's own view building the event it announces) does not count.

    Round ten: with ``strings_with_any``, a ``strings`` use counts only in a method that also invokes one of those
    APIs (the APK MIME type given to an intent's data type installs a package; the same string in a file manager's
    icon or MIME table does not)."""
    if not _permission_gate(ctx, params) or _declares_actions(ctx, params.get("unless_actions_any")):
        return []
    bind = params.get("bind_any")
    if bind:
        comps = ctx.manifest.components if ctx.manifest is not None else []
        if not any(c.permission in bind for c in comps):
            return []
    any_owner = bool(params.get("any_owner"))
    refs = _app_invokes(ctx, params.get("apis") or [], any_owner)
    skip_methods = tuple(params.get("skip_methods") or ())
    if skip_methods:
        refs = [r for r in refs if not r.caller.split("->", 1)[-1].startswith(skip_methods)]
    skip_with = params.get("skip_with_any")
    if skip_with and refs:
        from appwarden.screening.behaviour import method_targets

        prefixes = tuple(skip_with)
        refs = [r for r in refs if not any(t.startswith(prefixes) for t in method_targets(ctx, r.caller))]
    items = [_site(r) for r in refs]
    srefs = _app_strings(ctx, params.get("strings") or [], any_owner)
    strings_with = params.get("strings_with_any")
    if strings_with and srefs:
        from appwarden.screening.behaviour import method_targets

        prefixes = tuple(strings_with)
        srefs = [r for r in srefs if any(t.startswith(prefixes) for t in method_targets(ctx, r.caller))]
    items += [{"caller": r.caller, "string": r.target, "dex": r.dex, "offset": int(r.offset)} for r in srefs]
    return items


def _check_api_calls(params: dict[str, Any]) -> str | None:
    if not params.get("apis") and not params.get("strings"):
        return "apis or strings is required"
    return _need_lists(
        optional=(
            "apis",
            "strings",
            "permissions_any",
            "bind_any",
            "unless_actions_any",
            "skip_methods",
            "skip_with_any",
            "strings_with_any",
        )
    )(params)


# --------------------------------------------------------------------------------------------------- api_combo


def _api_combo(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """App-code invokes of a ``primary`` API together with one of ``with_any`` in the same class
    (``scope: class``, default), in one top-level class or the classes nested in it (``scope: outer_class``: a
    service and its ``$1`` timer task), in one method (``scope: method``: a loader that deletes the file it has just
    loaded), or anywhere in the app code (``scope: app``); gated like :func:`_api_calls`."""
    if not _permission_gate(ctx, params):
        return []
    primary = _app_invokes(ctx, params["primary"])
    if not primary:
        return []
    others = _app_invokes(ctx, params["with_any"])
    if params.get("scope", "class") == "app":
        if not others:
            return []
        return [_site(r) for r in primary] + [_site(r) for r in others[:3]]
    scope = params.get("scope", "class")
    key = _outer_class if scope == "outer_class" else _caller_method if scope == "method" else _caller_class
    by_class: dict[str, list[Any]] = {}
    for r in others:
        by_class.setdefault(key(r.caller), []).append(r)
    items: list[Item] = []
    for r in primary:
        partners = by_class.get(key(r.caller))
        if partners:
            item = _site(r)
            item["with"] = sorted({p.target for p in partners})[:5]
            items.append(item)
    return items


def _caller_class(caller: str) -> str:
    """``Lcom/a/Svc$1;`` of ``Lcom/a/Svc$1;->run()V``."""
    return caller.split("->", 1)[0]


def _caller_method(caller: str) -> str:
    """The whole descriptor of the calling method (round ten's ``scope: method``)."""
    return caller


def _outer_class(caller: str) -> str:
    """The top-level class of a caller: ``Lcom/a/Svc;`` of ``Lcom/a/Svc$1;->run()V`` (round ten)."""
    return _outer(_caller_class(caller))


def _check_api_combo(params: dict[str, Any]) -> str | None:
    if params.get("scope", "class") not in ("class", "outer_class", "method", "app"):
        return "scope must be class, outer_class, method or app"
    return _need_lists("primary", "with_any", optional=("permissions_any",))(params)


# --------------------------------------------------------------------------------------------------- api_groups


def _api_groups_in_class(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """One app-code class (in any of its methods), or one app method itself or through the app methods it calls
    directly (one hop: a walker calling ``FileUtils.encrypt``), invokes at least one API of *every* list in
    ``groups`` (e.g. a cipher, a directory
    walk and a file delete/rename: the file-encrypting loop of crypto-ransomware); when ``app_any`` is given, the
    app code also invokes one of those anywhere (e.g. the external-storage root); with ``app_any_near`` that call
    must be near the match: in the matched class (or method and its one-hop callees) or in a method that calls it or
    that it calls directly (round five: an SDK's cache class that encrypts, lists and deletes its own files is far
    from any external-storage root; a ransomware walker is handed that root by its caller). Gated like
    :func:`_api_calls`. One item per class, then per method (at most 5)."""
    from appwarden.rules.static_support import callees, methods_of

    if not _permission_gate(ctx, params):
        return []
    if params.get("not_packed") and ctx.static.app.packer:
        return []
    if params.get("app_any") and not _app_invokes(ctx, params["app_any"]):
        return []
    groups = params["groups"]
    refs_by_group = [_app_invokes(ctx, g) for g in groups]
    if not all(refs_by_group):
        return []
    near_callers: set[str] | None = None
    # what the near calls call (n calls m exactly when m is among n's callees): filled on the first question
    near_callees: list[set[str]] = []
    if params.get("app_any") and params.get("app_any_near"):
        near_callers = {r.caller for r in _app_invokes(ctx, params["app_any"])}

    def near(methods: set[str]) -> bool:
        """A near call in ``methods``, in a method one of them calls, or in one that calls one of them: the
        last from the near calls' callees (the forward edges: the call graph's callers are its callees reversed,
        virtual nodes crossed both ways), so the reversed graph is not built for this alone (issue #19); those
        callees are listed on the first question only (most apps match no class or method: none is asked)."""
        if near_callers is None:
            return True
        if not methods.isdisjoint(near_callers):
            return True
        if not near_callees:
            found: set[str] = set()
            for n in sorted(near_callers):
                found |= set(ctx.code.callgraph.callees(n) or ())
            near_callees.append(found)
        if not methods.isdisjoint(near_callees[0]):
            return True
        graph = ctx.code.callgraph
        return any(not near_callers.isdisjoint(graph.callees(m) or ()) for m in methods)

    own: dict[str, dict[int, Any]] = {}  # method -> group index -> its first call site of that group
    by_class: dict[str, dict[int, Any]] = {}
    for gi, refs in enumerate(refs_by_group):
        for r in refs:
            own.setdefault(r.caller, {}).setdefault(gi, r)
            by_class.setdefault(r.caller.split("->", 1)[0], {}).setdefault(gi, r)
    if own:
        # the methods whose callees the loop below asks for (static_support.callees), looked up at once: one C call
        # per DEX, the answers cached as one by one would find them (issue #19: ~800 methods on a 100 MB app); an
        # error is left to the one-by-one lookups, which meet it as before
        with contextlib.suppress(KeyError, LookupError):
            lookup_many = getattr(getattr(ctx.code, "callgraph", None), "lookup_many", None)
            if lookup_many is not None:
                lookup_many([*sorted(own), *sorted(near_callers or ())])
    items: list[Item] = []
    for cls in sorted(by_class):
        if len(by_class[cls]) == len(groups) and len(items) < 5:
            if not near(set(methods_of(ctx.code, cls))):
                continue
            item = _site(by_class[cls][0])
            item["class"] = cls
            item["with"] = sorted({r.target for gi, r in by_class[cls].items() if gi})[:5]
            items.append(item)
    seen = {i["class"] for i in items}
    for m in sorted(own):
        if m.split("->", 1)[0] in seen:
            continue
        covered = dict(own[m])
        via: set[str] = set()
        # the first callee covering a group names it in with/via: by name, not in the set's hash order (only the
        # callees that call an API of a group sorted: the others cover nothing)
        for callee in sorted(c for c in callees(ctx.code, m) if c in own):
            for gi, r in own[callee].items():
                if gi not in covered:
                    covered[gi] = r
                    via.add(callee)
        if len(covered) < len(groups) or not near({m, *via}):
            continue
        item = _site(covered[0])
        item["method"] = m
        item["with"] = sorted({r.target for gi, r in covered.items() if gi})[:5]
        if via:
            item["via"] = sorted(via)[:3]
        items.append(item)
        if len(items) >= 5:
            break
    return items


def _check_api_groups(params: dict[str, Any]) -> str | None:
    groups = params.get("groups")
    if not isinstance(groups, list) or len(groups) < 2:
        return "groups must be a list of at least two API lists"
    for g in groups:
        if not isinstance(g, list) or not g or not all(isinstance(x, str) and x for x in g):
            return "each group must be a non-empty list of API names"
    for flag in ("not_packed", "app_any_near"):
        if flag in params and not isinstance(params[flag], bool):
            return f"{flag} must be true or false"
    return _need_lists(optional=("app_any", "permissions_any"))(params)


# --------------------------------------------------------------------------------------------------- SMS


_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{2,19}$")


def _sms_send_number(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """SMS sent from app code in a method that loads a hard-coded phone number (``const-string`` of digits), and
    with ``premium`` a number matching one of the premium/short-code patterns."""
    patterns = [re.compile(p) for p in params.get("number_patterns") or []]
    items: list[Item] = []
    seen: set[str] = set()
    for ref in _app_invokes(ctx, params["apis"]):
        if ref.caller in seen:
            continue
        seen.add(ref.caller)
        numbers = [s for s in ctx.code.method_strings(ref.caller) if _PHONE.match(s.strip())]  # type: ignore[union-attr]
        if patterns:
            numbers = [
                n for n in numbers if any(p.fullmatch(n.replace(" ", "").replace("-", "")) for p in patterns)
            ]
        if numbers:
            item = _site(ref)
            item["numbers"] = sorted(set(numbers))[:5]
            items.append(item)
    return items


def _check_sms_send(params: dict[str, Any]) -> str | None:
    problem = _need_lists("apis", optional=("number_patterns",))(params)
    if problem:
        return problem
    for p in params.get("number_patterns") or []:
        try:
            re.compile(p)
        except re.error as exc:
            return f"bad pattern {p!r}: {exc}"
    return None


BOOT_ACTION = "android.intent.action.BOOT_COMPLETED"
_UI_BASES = ("Landroid/app/Activity;", "Landroid/app/Fragment;", "Landroid/app/Dialog;")


def _is_ui_class(ctx: ScreenContext, cls: str) -> bool:
    """An Activity, Fragment or Dialog (by the class chain the app defines, or an ``...Activity;`` base from a
    support library the chain stops at): code the user sees and drives."""
    from appwarden.rules.static_support import superclasses

    for c in superclasses(ctx.code, cls):
        if c in _UI_BASES or (c.endswith(("Activity;", "Fragment;", "Dialog;")) and c != cls):
            return True
    return False


def _background_sms_at_boot(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """The app starts at boot (a manifest receiver of BOOT_COMPLETED), holds SEND_SMS, and its own code sends SMS
    from a class that is no Activity, Fragment or Dialog (a service, receiver, observer or helper): messages the
    user neither writes nor sees, whatever number the code takes (hard-coded, from a config or from a server)."""
    if ctx.manifest is None or ctx.code is None or "android.permission.SEND_SMS" not in ctx.permissions:
        return []
    boot = [
        c.name
        for c in ctx.manifest.components_of("receiver")
        if any(BOOT_ACTION in f.actions for f in c.intent_filters)
    ]
    if not boot:
        return []
    items: list[Item] = []
    seen: set[str] = set()
    for ref in _app_invokes(ctx, params["apis"]):
        cls = ref.caller.split("->", 1)[0]
        if cls in seen or _is_ui_class(ctx, cls):
            continue
        seen.add(cls)
        item = _site(ref)
        item["boot_receiver"] = boot[0]
        items.append(item)
    return items


def _boot_beacon(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """The app starts at boot (a manifest receiver of BOOT_COMPLETED) and its own background code (no Activity,
    Fragment or Dialog) both reads a device identifier (``identifiers``: IMEI, IMSI, SIM serial, phone number)
    and talks to the network (``network``): a bot reporting the device to its server from boot on. One item per
    class reading the identifier, naming a network call site."""
    if ctx.manifest is None or ctx.code is None:
        return []
    if not any(
        BOOT_ACTION in f.actions for c in ctx.manifest.components_of("receiver") for f in c.intent_filters
    ):
        return []
    net = [
        r for r in _app_invokes(ctx, params["network"]) if not _is_ui_class(ctx, r.caller.split("->", 1)[0])
    ]
    if not net:
        return []
    items: list[Item] = []
    seen: set[str] = set()
    for ref in _app_invokes(ctx, params["identifiers"]):
        cls = ref.caller.split("->", 1)[0]
        if cls in seen or _is_ui_class(ctx, cls):
            continue
        seen.add(cls)
        item = _site(ref)
        item["network"] = net[0].caller
        items.append(item)
    return items


_APK_MIME = "application/vnd.android.package-archive"


def _bundled_apk_install(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """The app carries another app inside its assets (a zip holding ``AndroidManifest.xml`` or ``classes.dex``,
    under any name) and its own code installs APKs (one of ``apis``, an Intent with the APK MIME type) or names an
    ``.apk`` file it writes (a ``const-string`` ending in ``.apk``): a payload shipped inside the app and installed
    from it. A self-updater downloads its update instead (no APK in its assets); it does not fire."""
    installs = _app_invokes(ctx, params["apis"]) or _app_strings(ctx, [_APK_MIME])
    if not installs and ctx.code is not None:
        installs = [
            r
            for r in ctx.code.strings_matching(lambda v: v.lower().endswith(".apk") and len(v) > 4)
            if ctx.is_app_code(r.caller)
        ]
    if not installs:
        return []
    bundled = _asset_payload(ctx, {"kinds": ["apk"]})
    return [{**b, "installer": installs[0].caller} for b in bundled]


def _packed_with_permissions(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """A known commercial packer (加固) protects the app *and* the manifest requests one of ``permissions``
    (system-only ones): code hidden from review asking for privileges no store app gets. A packer alone never
    fires (packing is common and legitimate in China)."""
    packer = ctx.static.app.packer
    if not packer:
        return []
    wanted = [p for p in params["permissions"] if p in ctx.permissions]
    return [{"packer": str(packer), "permission": p} for p in wanted]


_SP_NUMBER = re.compile(rb"(?<![0-9])106[0-9]{5,17}(?![0-9])")
_CONFIG_DIRS = ("assets/", "res/raw/", "res/xml/")
MAX_CONFIG_FILE = 64 * 1024
MAX_CONFIG_FILES = 200


_MEDIA = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".mp3", ".ogg", ".wav", ".mp4", ".ttf", ".otf", ".so")


def _config_files(ctx: ScreenContext, search: str) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of the small bundled files an app may keep its configuration in (``assets/``, ``res/raw/``,
    ``res/xml/``; binary media skipped, at most :data:`MAX_CONFIG_FILE` bytes each), at most
    :data:`MAX_CONFIG_FILES` of them; when more would be read, ``search`` is named in a note saying it was capped."""
    read = 0
    for name in ctx.static.entry_names:
        if not name.startswith(_CONFIG_DIRS) or name.lower().endswith(_MEDIA) or name.endswith("/"):
            continue
        if ctx._size(name) > MAX_CONFIG_FILE:
            continue
        if read >= MAX_CONFIG_FILES:
            ctx.notes.append(f"{search} capped at {MAX_CONFIG_FILES} files")
            return
        read += 1
        yield name, ctx._read(name) or b""


def _sms_config_number(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """The app's own code sends SMS and a small bundled file (``assets/``, ``res/raw/``, ``res/xml/``; at most
    64 KB, at most 200 files read) holds a China SP (value-added service) number, ``106`` followed by 5-17 digits:
    the destination kept out of the code, in a configuration file. Binary media (images, audio, video) are skipped."""
    sends = _app_invokes(ctx, params["apis"])
    if not sends or ctx.apk is None:
        return []
    items: list[Item] = []
    for name, data in _config_files(ctx, "SMS configuration search"):
        found = sorted({m.decode() for m in _SP_NUMBER.findall(data)})
        if found:
            items.append({"path": name, "numbers": found[:5], "sender": sends[0].caller})
    return items


# Round eight: a per-country table of SMS short codes (ISO 3166-1 alpha-2 country codes; ``uk`` is accepted for GB)
_COUNTRY_LIST = """ad ae af ag ai al am ao ar as at au aw az ba bb bd be bf bg bh bi bj bm bn bo br bs bt bw by bz ca cd cf cg
    ch ci ck cl cm cn co cr cu cv cy cz de dj dk dm do dz ec ee eg er es et fi fj fm fo fr ga gb gd ge gh gi gl gm
    gn gq gr gt gu gw gy hk hn hr ht hu id ie il in iq ir is it jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc
    li lk lr ls lt lu lv ly ma mc md me mg mk ml mm mn mo mr ms mt mu mv mw mx my mz na ne ng ni nl no np nr nz om
    pa pe pg ph pk pl pr ps pt pw py qa ro rs ru rw sa sb sc sd se sg si sk sl sm sn so sr ss st sv sy sz td tg th
    tj tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vn vu ws ye za zm zw"""
COUNTRY_CODES = frozenset(_COUNTRY_LIST.split())
_FIELD_EDGE = rb"|,;:=\s\"'<>{}()\[\]"
# a whole field of 4-5 digits not starting with 0 (a short code) / of 2 letters (a country code), delimited by a
# separator or the line's end
_SHORT_CODE_FIELD = re.compile(
    rb"(?:^|(?<=[" + _FIELD_EDGE + rb"]))([1-9][0-9]{3,4})(?=[" + _FIELD_EDGE + rb"]|$)"
)
_COUNTRY_FIELD = re.compile(rb"(?:^|(?<=[" + _FIELD_EDGE + rb"]))([A-Za-z]{2})(?=[" + _FIELD_EDGE + rb"]|$)")
_BLANK = b" \t\r\n\f\v"


def _table_fields(pattern: re.Pattern[bytes], line: bytes) -> list[bytes]:
    """The fields ``pattern`` finds in ``line`` that touch a data separator (``|,;:=``, quotes, tags, brackets) on
    at least one side: a word between two spaces is prose, not a table field."""
    out = []
    for m in pattern.finditer(line):
        before = line[m.start() - 1 : m.start()]
        after = line[m.end() : m.end() + 1]
        if (before and before not in _BLANK) or (after and after not in _BLANK):
            out.append(m.group(1))
    return out


def short_code_table(data: bytes, min_rows: int = 3) -> dict[str, Any] | None:
    """The rows of ``data`` that name exactly one country (a two-letter ISO 3166 code as a whole field) and hold a
    4-5 digit short code (not starting with 0) as a whole field, each field touching a data separator (``|,;:=``,
    quotes, tags: a word between spaces is prose); a table when at least ``min_rows`` such rows name at least
    ``min_rows`` distinct countries and ``min_rows`` distinct short codes (the per-country premium-number list of an
    SMS trojan that works in many countries). ``None`` otherwise. A row naming several country-like fields is no
    table row (a JSON record of map tiles, a sentence)."""
    rows = 0
    countries: set[str] = set()
    codes: set[str] = set()
    for line in data.splitlines():
        found = _table_fields(_SHORT_CODE_FIELD, line)
        if not found:
            continue
        named = {c.decode().lower() for c in _table_fields(_COUNTRY_FIELD, line)} & COUNTRY_CODES
        if len(named) != 1:
            continue
        rows += 1
        countries |= named
        codes.update(c.decode() for c in found)
    if rows >= min_rows and len(countries) >= min_rows and len(codes) >= min_rows:
        return {"rows": rows, "countries": sorted(countries)[:10], "numbers": sorted(codes)[:10]}
    return None


def _sms_senders(ctx: ScreenContext, params: dict[str, Any]) -> list[Any]:
    """App-code SMS sends: a direct call of one of ``apis``, or (with ``reflective`` class names and one of
    ``permissions_any`` held) ``SmsManager`` named as a string for ``Class.forName`` and a reflective
    ``Method.invoke`` in the same method: the send hidden from a reader of the code."""
    sends = _app_invokes(ctx, params["apis"])
    if sends or not params.get("reflective") or not _permission_gate(ctx, params):
        return sends
    names = _app_strings(ctx, list(params["reflective"]))
    if not names:
        return []
    invokers = {r.caller for r in _app_invokes(ctx, ["Ljava/lang/reflect/Method;->invoke"])}
    return [r for r in names if r.caller in invokers]


def _sms_config_table(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """The app's own code sends SMS (directly, or through reflection on ``SmsManager``: :func:`_sms_senders`) and
    a small bundled file (``assets/``, ``res/raw/``, ``res/xml/``; at most 64 KB, at most 200 files read) is a
    per-country table of SMS short codes (:func:`short_code_table`): the premium destinations of a trojan that
    charges subscribers in many countries, kept out of the code."""
    sends = _sms_senders(ctx, params)
    if not sends or ctx.apk is None:
        return []
    min_rows = int(params.get("min_rows", 3))
    items: list[Item] = []
    for name, data in _config_files(ctx, "SMS short-code table search"):
        table = short_code_table(data, min_rows)
        if table:
            sender = sends[0]
            how = "reflection" if str(sender.target).startswith("android.telephony") else "direct"
            items.append({"path": name, **table, "sender": sender.caller, "send": how})
    return items


def _check_sms_config_table(params: dict[str, Any]) -> str | None:
    rows = params.get("min_rows", 3)
    if not isinstance(rows, int) or isinstance(rows, bool) or rows < 2:
        return "min_rows must be an integer >= 2"
    if params.get("reflective") and not params.get("permissions_any"):
        return "reflective needs permissions_any (the SMS permission the reflective send relies on)"
    return _need_lists("apis", optional=("reflective", "permissions_any"))(params)


SMS_ACTIONS = ("android.provider.Telephony.SMS_RECEIVED", "android.provider.Telephony.SMS_DELIVER")
SMS_READS = (
    "Landroid/telephony/SmsMessage;->createFromPdu",
    "Landroid/telephony/SmsMessage;->getMessageBody",
    "Landroid/telephony/SmsMessage;->getDisplayMessageBody",
    "Landroid/telephony/SmsMessage;->getOriginatingAddress",
    "Landroid/telephony/gsm/SmsMessage;->createFromPdu",
    "Landroid/provider/Telephony$Sms$Intents;->getMessagesFromIntent",
)
_ABORT = "Landroid/content/BroadcastReceiver;->abortBroadcast"


def _sms_receiver(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """Manifest receivers of ``action`` (default SMS_RECEIVED) at ``min_priority`` or above; with ``abort: true``
    only those whose class calls ``BroadcastReceiver.abortBroadcast`` (hiding the message from the user's SMS app),
    and with ``dynamic: true`` also app-code receivers registered at run time (not in the manifest) whose class
    both reads an incoming SMS (``SmsMessage.createFromPdu``, ``getMessageBody`` ...) and aborts the broadcast."""
    if ctx.manifest is None:
        return []
    action = str(params.get("action") or SMS_ACTIONS[0])
    floor = int(params.get("min_priority", 1000))
    receivers = []
    for comp in ctx.manifest.components_of("receiver"):
        for flt in comp.intent_filters:
            if action in flt.actions and (flt.priority or 0) >= floor:
                receivers.append((comp, flt.priority or 0))
                break
    if not params.get("abort"):
        return [
            {"component": c.name, "kind": "receiver", "action": action, "priority": p} for c, p in receivers
        ]
    if ctx.code is None:
        return []
    aborts = ctx.invokes([_ABORT], app_only=False) if receivers or params.get("dynamic") else []
    items: list[Item] = []
    for comp, prio in receivers:
        desc = "L" + comp.name.replace(".", "/") + ";"
        for ref in aborts:
            if ref.caller.startswith(desc + "->"):
                item = _site(ref)
                item.update({"component": comp.name, "priority": prio})
                items.append(item)
                break
    if params.get("dynamic") and not items:
        readers = {r.caller.split("->", 1)[0] for r in _app_invokes(ctx, list(SMS_READS))}
        seen: set[str] = set()
        for ref in aborts:
            cls = ref.caller.split("->", 1)[0]
            if cls in readers and cls not in seen and ctx.is_app_code(ref.caller):
                seen.add(cls)
                item = _site(ref)
                item.update({"component": cls[1:-1].replace("/", "."), "registered": "at run time"})
                items.append(item)
    return items


def _check_sms_receiver(params: dict[str, Any]) -> str | None:
    if not isinstance(params.get("min_priority", 1000), int):
        return "min_priority must be an integer"
    if "action" in params and not (isinstance(params["action"], str) and params["action"]):
        return "action must be an intent action name"
    return None


# --------------------------------------------------------------------------------------------------- manifest


def _manifest_component(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """Components bound by ``permission`` (e.g. BIND_DEVICE_ADMIN) or declaring ``action``, of ``kinds``; none
    when a component declares one of ``unless_actions_any`` (round six: a device-policy controller)."""
    if ctx.manifest is None or _declares_actions(ctx, params.get("unless_actions_any")):
        return []
    kinds = set(params.get("kinds") or ["activity", "service", "receiver", "provider", "activity-alias"])
    items: list[Item] = []
    for comp in ctx.manifest.components:
        if comp.kind not in kinds:
            continue
        if params.get("permission") and comp.permission != params["permission"]:
            continue
        if params.get("action") and params["action"] not in comp.actions:
            continue
        items.append({"component": comp.name, "kind": comp.kind, "permission": comp.permission})
    return items


def _check_manifest_component(params: dict[str, Any]) -> str | None:
    if not params.get("permission") and not params.get("action"):
        return "permission or action is required"
    return _need_lists(optional=("unless_actions_any",))(params)


def _manifest_all(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """Fires only when *every* entry of ``components`` (each a ``permission`` and/or ``action`` with optional
    ``kinds``, as :func:`_manifest_component`) is met by some component: one item per entry (the first match)."""
    items: list[Item] = []
    for need in params["components"]:
        found = _manifest_component(ctx, need)
        if not found:
            return []
        items.append(found[0])
    return items


def _check_manifest_all(params: dict[str, Any]) -> str | None:
    comps = params.get("components")
    if not isinstance(comps, list) or len(comps) < 2:
        return "components must list at least two requirements"
    for need in comps:
        if not isinstance(need, dict) or set(need) - {"permission", "action", "kinds"}:
            return "each component needs permission, action or kinds only"
        problem = _check_manifest_component(need)
        if problem:
            return problem
    return None


def _permissions(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """The manifest requests any of ``permissions`` (``uses-permission``): one item per permission requested.

    Round seven: a permission of ``adb_grantable`` (protection level ``development``: the user grants it with
    ``adb shell pm grant``, which no app can do to itself) does not count when the manifest declares a provider of
    ``adb_grant_providers``, the client end of Shizuku, the service the user starts over ADB and through whose
    dialog they grant an app ADB-level rights. Such an app asks its user for the permission openly; it does not
    expect to be planted in the system partition."""
    held = [p for p in params["permissions"] if p in ctx.permissions]
    grantable = set(params.get("adb_grantable") or [])
    if held and grantable & set(held) and ctx.manifest is not None:
        providers = set(params.get("adb_grant_providers") or [])
        if any(c.name in providers for c in ctx.manifest.components_of("provider")):
            held = [p for p in held if p not in grantable]
    return [{"permission": p} for p in held]


def _check_permissions(params: dict[str, Any]) -> str | None:
    if bool(params.get("adb_grantable")) != bool(params.get("adb_grant_providers")):
        return "adb_grantable and adb_grant_providers go together"
    return _need_lists("permissions", optional=("adb_grantable", "adb_grant_providers"))(params)


# --------------------------------------------------------------------------------------------------- hide icon


# callbacks of a settings switch: a "hide the app icon" option the user turns on is a feature, not stealth
_USER_TOGGLES = ("onPreferenceChange(", "onSharedPreferenceChanged(", "onCheckedChanged(")


def _hide_launcher_icon(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """The launcher-icon hides of :func:`_launcher_hides` (no params), found once per app (its own indicator and
    :func:`~appwarden.screening.behaviour.library_disguise` both ask), a copy of each item each time."""
    got = ctx.memo.get("hide_launcher_icon")
    if got is None:
        got = ctx.memo["hide_launcher_icon"] = _launcher_hides(ctx)
    return [dict(item) for item in got]


def _launcher_hides(ctx: ScreenContext) -> list[Item]:
    """``PackageManager.setComponentEnabledSetting`` in a method holding the DISABLED state (2) that either names
    one of the app's launcher activities (``const-class`` or a string with its name; code of any owner: no SDK
    can name the host's own launcher class, so code that does was written for this app, e.g. a payload hidden in
    a library's namespace), or is app code of a launcher activity (or a class nested in it) that takes its own
    ``getComponentName()``, or app code that resolves its own package's LAUNCHER activity at run time (the
    category string and ``getPackageName`` in the method; round five): the app hides its own icon. A call made
    in a settings-switch callback (``onPreferenceChange``, ``onSharedPreferenceChanged``, ``onCheckedChanged``) is
    the user's own "hide icon" option and does not count (round five, after helper B's store-app false alarms)."""
    if ctx.code is None or not ctx.launcher_activities:
        return []
    from appwarden.dex.records import EV_CONST_CLASS
    from appwarden.screening.behaviour import method_targets

    launchers = ctx.launcher_activities
    launcher_descs = {"L" + n.replace(".", "/") + ";" for n in launchers}
    simple = {n.rsplit(".", 1)[-1] for n in launchers}
    items: list[Item] = []
    refs = ctx.invokes(["Landroid/content/pm/PackageManager;->setComponentEnabledSetting"], app_only=False)
    for ref in refs:
        if 2 not in ctx.code.method_literals(ref.caller):
            continue
        if ref.caller.split("->", 1)[1].startswith(_USER_TOGGLES):
            continue  # a settings switch the user flips ("hide app icon"), not a hide at first start
        names = set(ctx.code.method_strings(ref.caller))
        classes: set[str] = set()
        for ci, r in ctx.code.method_records(ref.caller):
            code = ctx.code.codes[ci]
            for _i, kind, _op, _off, idx in code.events_of_record(r):
                if kind == EV_CONST_CLASS:
                    classes.add(code.type_descs[idx])
        named = (
            (classes & launcher_descs) or (names & launchers) or {s for s in names if s.lstrip(".") in simple}
        )
        if not named and ctx.is_app_code(ref.caller):
            cls = _outer(ref.caller.split("->", 1)[0])
            targets = method_targets(ctx, ref.caller)
            if cls in launcher_descs and any(t.endswith("->getComponentName") for t in targets):
                named = {cls[1:-1].replace("/", ".")}
            elif "android.intent.category.LAUNCHER" in names and any(
                t.endswith("->getPackageName") for t in targets
            ):  # its own package's launcher, resolved at run time (queryIntentActivities of MAIN/LAUNCHER)
                named = {"launcher of " + (ctx.manifest.package if ctx.manifest is not None else "the app")}
        if named:
            item = _site(ref)
            item["component"] = sorted(named)[0]
            if not ctx.is_app_code(ref.caller):
                item["owner"] = "library namespace"
            items.append(item)
    return items


# --------------------------------------------------------------------------------------------------- assets

_MAGICS = {"elf": b"\x7fELF", "dex": b"dex\n", "zip": b"PK\x03\x04"}
_NATURAL_EXT = {"elf": (".so",), "dex": (".dex",), "apk": (".apk", ".jar", ".zip")}
_APK_MARKERS = [b"AndroidManifest.xml", b"classes.dex"]


def _asset_payload(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """Assets whose bytes are executable code: ELF, DEX, or a zip holding an APK/JAR (``classes.dex`` or
    ``AndroidManifest.xml``). With ``disguised_only`` only those whose name hides it (``.png``, ``.dat``, none)."""
    wanted = set(params.get("kinds") or ["elf", "dex", "apk"])
    disguised_only = bool(params.get("disguised_only"))
    items: list[Item] = []
    for name, head in ctx.asset_heads:
        kind = None
        for magic_kind, magic in _MAGICS.items():
            if head.startswith(magic):
                kind = magic_kind
        if kind == "zip":
            kind = "apk" if ("apk" in wanted and ctx.entry_contains(name, _APK_MARKERS)) else None
        if kind is None or kind not in wanted:
            continue
        disguised = not name.lower().endswith(_NATURAL_EXT[kind])
        if disguised_only and not disguised:
            continue
        items.append({"path": name, "magic": kind, "disguised": disguised})
    return items


_IMAGE_EXT = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp")
_IMAGE_MAGICS = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")


def _is_image(head: bytes) -> bool:
    return head.startswith(_IMAGE_MAGICS) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


def _fake_image_asset(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """Assets named as images (.png, .jpg ...) whose bytes are no image format (an encrypted or packed payload
    under an image's name), in an app whose own code calls one of ``with_any`` (e.g. a DEX class loader)."""
    if not _app_invokes(ctx, params["with_any"]):
        return []
    items: list[Item] = []
    for name, head in ctx.asset_heads:
        if name.lower().endswith(_IMAGE_EXT) and len(head) >= 12 and not _is_image(head):
            items.append({"path": name, "head": head[:8].hex()})
    return items


_CODE_EXT = (".jar", ".dex", ".apk")


def _encrypted_code_asset(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """Assets named as code (.jar, .dex, .apk) whose bytes are neither a zip nor a DEX: code kept encrypted until
    run time. Apps protected by a known packer (加固, whose stubs do this by design) are left out."""
    if ctx.static.app.packer:
        return []
    return [
        {"path": name, "head": head[:8].hex()}
        for name, head in ctx.asset_heads
        if name.lower().endswith(_CODE_EXT)
        and len(head) >= 8
        and not head.startswith((b"PK\x03\x04", b"dex\n"))
    ]


def _package_prefix(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """The app's package lies in a namespace of ``prefixes`` (e.g. ``com.android.``) that only its owner publishes."""
    package = ctx.static.app.package or ""
    return [{"package": package, "namespace": p} for p in params["prefixes"] if package.startswith(p)][:1]


# --------------------------------------------------------------------------------------------------- text


def _vocabulary(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """Distinct ``strong`` and ``common`` terms found in the app's text (code strings, resources, layouts, bundled
    HTML). Fires when at least ``min_strong`` strong and ``min_common`` common terms appear and the total reaches
    ``min_total``: one item per term with where it was seen."""
    strong = list(params.get("strong") or [])
    common = list(params.get("common") or [])
    found = ctx.find_text(strong + common)
    n_strong = sum(1 for t in strong if t in found)
    n_common = sum(1 for t in common if t in found)
    if (
        n_strong < int(params.get("min_strong", 0))
        or n_common < int(params.get("min_common", 0))
        or n_strong + n_common < int(params.get("min_total", 1))
    ):
        return []
    return [{"term": t, "strong": t in strong, "where": found[t]} for t in strong + common if t in found]


def _check_vocabulary(params: dict[str, Any]) -> str | None:
    problem = _need_lists(optional=("strong", "common"))(params)
    if problem:
        return problem
    if not params.get("strong") and not params.get("common"):
        return "strong or common terms are required"
    for key in ("min_strong", "min_common", "min_total"):
        if not isinstance(params.get(key, 0), int):
            return f"{key} must be an integer"
    if int(params.get("min_total", 1)) < 1:
        return "min_total must be at least 1"
    return None


def _strings_any(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """Code strings containing any ``needles`` (any owner) or entry names (assets, libs) containing them."""
    needles = list(params["needles"])
    items: list[Item] = []
    if ctx.code is not None:
        for ref in ctx.strings_containing(needles):
            items.append({"caller": ref.caller, "string": str(ref.target)[:120], "dex": ref.dex})
    for name in ctx.static.entry_names:
        base = name.rsplit("/", 1)[-1]
        if any(n in base for n in needles):
            items.append({"path": name})
    return items


# --------------------------------------------------------------------------------------------------- spyware

_HOST = re.compile(r"^(?:https?|tcp|ws)://[^/\s]+|^(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?$", re.IGNORECASE)
# the first byte of every string _HOST matches: h/t/w in any case (no other character folds to them), an ASCII digit,
# or the lead byte of a non-ASCII digit (a pre-filter: ScreenContext.strings_where)
_HOST_FIRST = re.compile(rb"[hHtTwW0-9\x80-\xff]")
# and bytes one of which every such string contains (a second pre-filter, answered by the C substring scan): "://",
# or a digit followed by "." (an ASCII digit, or a non-ASCII one, whose MUTF-8 bytes end with a continuation byte)
_HOST_NEEDLES = (
    b"://",
    *(bytes((c, 0x2E)) for c in range(0x30, 0x3A)),
    *(bytes((c, 0x2E)) for c in range(0x80, 0xC0)),
)


def _host_strings(ctx: ScreenContext) -> list[Any]:
    """``const-string`` uses of a hard-coded server address (:data:`_HOST`), any owner; found once per app."""
    cached = getattr(ctx, "_host_strings_cache", None)
    if cached is None:
        cached = ctx.strings_where(lambda v: bool(_HOST.match(v)), _HOST_FIRST, _HOST_NEEDLES)
        ctx._host_strings_cache = cached
    return cached


def _pi_with_hardcoded_host(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """App code reading PI of ``categories`` (the static stage's call sites; sending an SMS is not reading one)
    in a class that also holds a hard-coded server address (``http(s)://``, ``tcp://``, ``ws://`` or an IPv4
    address): private data read next to where it can be sent.

    ``permissions_for`` (round six): category -> permissions; when the manifest requests none of a category's
    permissions, a bare provider query (``ContentResolver``/``ContentProviderClient.query``, its URI not resolved
    by the static stage: e.g. a calendar sync adapter's query of the URI it is handed) is no read of that category
    (Android would refuse it); a site naming the store itself (its ``CONTENT_URI`` field or ``content://`` string)
    still counts, as the code's intent. An app sharing a platform user id (``android:sharedUserId`` such as
    ``android.uid.system``, :data:`_PLATFORM_UIDS`) holds that uid's permissions without requesting them (Adups FOTA,
    blind5), so for it no category is unreadable."""
    if ctx.code is None:
        return []
    wanted = set(params["categories"])
    needed: dict[str, list[str]] = params.get("permissions_for") or {}
    if getattr(ctx.manifest, "shared_user_id", None) in _PLATFORM_UIDS:
        needed = {}
    unreadable = {c for c in wanted if c in needed and ctx.permissions.isdisjoint(needed[c])}
    sites = [
        c
        for c in ctx.static.callsites
        if c.category in wanted
        and "SmsManager;->send" not in c.api
        and not (c.category in unreadable and c.api.split("(", 1)[0].endswith(_BARE_QUERIES))
        and ctx.is_app_code(c.caller)
    ]
    if not sites:
        return []
    hosts: dict[str, set[str]] = {}
    for ref in _host_strings(ctx):
        if ctx.is_app_code(ref.caller):
            hosts.setdefault(ref.caller.split("->", 1)[0], set()).add(str(ref.target)[:120])
    items: list[Item] = []
    for site in sites:
        found = hosts.get(site.caller.split("->", 1)[0])
        if found:
            items.append(
                {
                    "caller": site.caller,
                    "api": site.api,
                    "category": site.category,
                    "hosts": sorted(found)[:3],
                }
            )
    return items


_BARE_QUERIES = ("Landroid/content/ContentResolver;->query", "Landroid/content/ContentProviderClient;->query")
# shared user ids of the platform's own processes: an app signed with the platform key and sharing one of them runs
# with that process's permissions, declared or not (AOSP frameworks/base core/res AndroidManifest / Process.java)
_PLATFORM_UIDS = frozenset(
    {
        "android.uid.system",
        "android.uid.phone",
        "android.uid.shell",
        "android.uid.nfc",
        "android.uid.bluetooth",
    }
)


def _check_pi_with_hardcoded_host(params: dict[str, Any]) -> str | None:
    problem = _need_lists("categories")(params)
    if problem:
        return problem
    perms = params.get("permissions_for")
    if perms is None:
        return None
    if not isinstance(perms, dict) or not perms:
        return "permissions_for must map categories to permission lists"
    for category, names in perms.items():
        if category not in params["categories"]:
            return f"permissions_for names {category!r}, not one of categories"
        if not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names):
            return f"permissions_for[{category!r}] must be a non-empty list of strings"
    return None


_RECEIVER_BASE = "Landroid/content/BroadcastReceiver;"


def _outer(cls: str) -> str:
    return cls.split("$", 1)[0] + (";" if "$" in cls else "")


def _class_hosts(ctx: ScreenContext) -> dict[str, set[str]]:
    """App class -> hard-coded server addresses its code loads (``http(s)://``, ``tcp://``, ``ws://``, IPv4)."""
    cached = getattr(ctx, "_class_hosts_cache", None)
    if cached is None:
        cached = {}
        for ref in _host_strings(ctx):
            if ctx.is_app_code(ref.caller):
                cached.setdefault(ref.caller.split("->", 1)[0], set()).add(str(ref.target)[:120])
        ctx._class_hosts_cache = cached
    return cached


def _hardcoded_endpoint(ctx: ScreenContext, leak: Any) -> list[str]:
    """Where the leak goes when the app fixed it: constants reaching the sink (a phone number, a server, an
    e-mail address), else (network and mail sinks) a server address loaded by the sink's or the source's class or
    by the class of an app field the endpoint was read from."""
    if leak.endpoint:
        return leak.endpoint
    hosts = _class_hosts(ctx)
    classes = [f.split("->", 1)[0] for f in leak.endpoint_fields]
    if leak.sink.kind in ("network", "mail"):
        classes += [leak.sink.caller.split("->", 1)[0], leak.source["caller"].split("->", 1)[0]]
    for cls in classes:
        for c in (cls, _outer(cls)):
            if hosts.get(c):
                return sorted(hosts[c])[:3]
    if leak.sink.kind == "sms" and leak.endpoint_fields and ctx.code is not None:
        for f in leak.endpoint_fields:  # a number kept in a constant of the field's class
            cls = f.split("->", 1)[0]
            info = ctx.code.class_info(cls)
            for m in info.methods if info is not None else ():
                nums = [v for v in ctx.code.method_strings(m) if _PHONE.match(v.strip())]
                if nums:
                    return nums[:3]
    return []


def _sms_receiver_classes(ctx: ScreenContext) -> set[str]:
    """App classes that receive SMS: manifest receivers of SMS_RECEIVED/SMS_DELIVER and BroadcastReceiver
    subclasses (registered at run time) whose code parses an incoming message."""
    from appwarden.rules.static_support import superclasses

    out: set[str] = set()
    for comp in ctx.manifest.components_of("receiver") if ctx.manifest is not None else []:
        if any(a in f.actions for f in comp.intent_filters for a in SMS_ACTIONS):
            out.add("L" + comp.name.replace(".", "/") + ";")
    for ref in _app_invokes(ctx, list(SMS_READS)):
        cls = ref.caller.split("->", 1)[0]
        if _RECEIVER_BASE in superclasses(ctx.code, cls):
            out.add(cls)
    return out


def _data_leak(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """Private data of ``categories`` read by the app's own code flows to a sink of ``sinks`` (data flow:
    :mod:`appwarden.screening.flow`). ``background_only``: the sending class (and its outer class) is no Activity,
    Fragment or Dialog. ``hardcoded_endpoint``: the destination is fixed by the app (see
    :func:`_hardcoded_endpoint`). ``from_sms_receiver``: the data is an incoming SMS and the app receives SMS in a
    receiver (a forwarder). One item per (source, sink) pair."""
    from appwarden.screening.flow import find_leaks

    if ctx.code is None:
        return []
    wanted = set(params["categories"])
    kinds = set(params["sinks"])
    leaks = [lk for lk in find_leaks(ctx) if lk.category in wanted and lk.sink.kind in kinds]
    if params.get("from_sms_receiver") and leaks and not _sms_receiver_classes(ctx):
        return []
    items: list[Item] = []
    for leak in leaks:
        cls = leak.sink.caller.split("->", 1)[0]
        if params.get("background_only") and (_is_ui_class(ctx, cls) or _is_ui_class(ctx, _outer(cls))):
            continue
        if not ctx.is_app_code(leak.sink.caller):
            continue
        item = leak.item()
        if params.get("hardcoded_endpoint"):
            endpoint = _hardcoded_endpoint(ctx, leak)
            if not endpoint:
                continue
            item["endpoint"] = endpoint
        items.append(item)
    return items


def _check_data_leak(params: dict[str, Any]) -> str | None:
    from appwarden.screening.flow import PRIVATE, SINK_KINDS

    problem = _need_lists("categories", "sinks")(params)
    if problem:
        return problem
    if set(params["categories"]) - set(PRIVATE):
        return f"categories must be among {', '.join(PRIVATE)}"
    if set(params["sinks"]) - set(SINK_KINDS):
        return f"sinks must be among {', '.join(SINK_KINDS)}"
    return None


_SERVICE_BASES = {
    "Landroid/app/Service;",
    "Landroid/app/IntentService;",
    "Landroid/app/job/JobService;",
    "Landroid/accessibilityservice/AccessibilityService;",
    "Landroidx/core/app/JobIntentService;",
}


def _api_in_service(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """Invokes of ``apis`` in app code whose class is a Service (declared in the manifest or extending
    ``android.app.Service``): capture that runs with no screen the user sees. Optional gates: ``permissions_any``
    (the app holds one), ``at_boot`` (a manifest receiver of BOOT_COMPLETED) and ``literals_any`` (the calling
    method loads one of these integer constants, e.g. the window types of a lock screen drawn over everything).
    ``skip_sized_windows`` (round seven): a call whose method builds only windows of a fixed width or height
    (:func:`appwarden.screening.behaviour.sized_windows_only`) adds no lock screen: a floating helper."""
    from appwarden.rules.static_support import method_literals, superclasses
    from appwarden.screening.behaviour import sized_windows_only

    if not _permission_gate(ctx, params):
        return []
    if params.get("at_boot") and not (
        ctx.manifest is not None
        and any(
            BOOT_ACTION in f.actions for c in ctx.manifest.components_of("receiver") for f in c.intent_filters
        )
    ):
        return []
    wanted = {int(v) for v in params.get("literals_any") or []}
    services = {
        "L" + c.name.replace(".", "/") + ";"
        for c in (ctx.manifest.components_of("service") if ctx.manifest else [])
    }
    items: list[Item] = []
    for ref in _app_invokes(ctx, params["apis"]):
        cls = ref.caller.split("->", 1)[0]
        if not (cls in services or _SERVICE_BASES & set(superclasses(ctx.code, cls))):
            continue
        item = _site(ref)
        if wanted:
            hit = sorted(wanted & set(method_literals(ctx.code, ref.caller)))
            if not hit:
                continue
            item["constants"] = hit
        if params.get("skip_sized_windows") and sized_windows_only(ctx, ref.caller):
            continue
        items.append(item)
    return items


def _check_api_in_service(params: dict[str, Any]) -> str | None:
    lits = params.get("literals_any")
    if lits is not None and (not isinstance(lits, list) or not all(isinstance(v, int) for v in lits)):
        return "literals_any must be a list of integers"
    for key in ("at_boot", "skip_sized_windows"):
        if key in params and not isinstance(params[key], bool):
            return f"{key} must be true or false"
    return _need_lists("apis", optional=("permissions_any",))(params)


# --------------------------------------------------------------------------------------------------- identity


def _cert_digests(ctx: ScreenContext) -> set[str]:
    app = ctx.static.app
    digests = {s.sha256.lower() for s in app.signers}
    digests |= {c.sha256.lower() for c in app.signing_lineage}
    return digests


def _counterfeit(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """``mode: signer``: the app uses a registered app's package name but none of its signer certificates.
    ``mode: name``: the app's label is a registered app's name while its package is none of that owner's.
    ``mode: brand``: the label contains a registered brand's name (of ``kinds``) and one of the phishing ``cues``
    (积分兑换, 安全中心 ...) while the package is none of that owner's."""
    from appwarden.screening.loader import load_known_apps

    apps = load_known_apps()
    package = ctx.static.app.package
    digests = _cert_digests(ctx)
    items: list[Item] = []
    mode = params.get("mode", "signer")
    if mode == "signer":
        for app in apps:
            if app["signers"] and package == app["package"] and not digests & set(app["signers"]):
                items.append(
                    {
                        "package": package,
                        "signers": sorted(digests),
                        "expected_signers": app["signers"],
                        "source": app["source"],
                    }
                )
        return items
    kinds = set(params.get("kinds") or ["app", "bank", "carrier", "payment"])
    if mode == "classes":
        return _registered_classes(ctx, [a for a in apps if a["kind"] in kinds], params)
    label = (ctx.static.app.label or "").strip()
    if not label:
        return []
    cues = [str(c) for c in params.get("cues") or []]
    for app in apps:
        if app["kind"] not in kinds or package in app["packages"]:
            continue
        if mode == "name":
            hit = label in app["names"]
        else:
            hit = any(n in label for n in app["names"]) and any(c in label for c in cues)
        if hit:
            items.append(
                {"label": label, "package": package, "imitates": app["package"], "source": app["source"]}
            )
    return items


def _registered_classes(ctx: ScreenContext, apps: list[dict[str, Any]], params: dict[str, Any]) -> list[Item]:
    """``mode: classes``: the app's own code (no known SDK, none of the registered app's ``client_libraries``)
    defines at least ``min_classes`` classes in a registered app's package namespace while its package is none of
    that owner's: that app's code rebuilt under another identity (a repackaged copy)."""
    if ctx.code is None:
        return []
    package = ctx.static.app.package
    digests = _cert_digests(ctx)
    wanted = {
        "L" + app["package"].replace(".", "/") + "/": app
        for app in apps
        if package not in app["packages"]
        and not package.startswith(app["package"] + ".")
        and not digests & set(app["signers"])  # the owner's own signer: its other app, not a copy
    }
    if not wanted:
        return []
    found: dict[str, list[str]] = {}
    prefixes = tuple(wanted)
    # the classes under any prefix by bisection of the sorted classes (not one test per class); each goes to the
    # first prefix (in ``wanted`` order) it starts with
    for desc in ctx.classes_under(prefixes):
        prefix = next(p for p in prefixes if desc.startswith(p))
        found.setdefault(prefix, []).append(desc)
    floor = int(params.get("min_classes", 10))
    items: list[Item] = []
    for prefix, classes in sorted(found.items()):
        libs = tuple("L" + c.replace(".", "/") + "/" for c in wanted[prefix]["client_libraries"])
        own = [c for c in classes if not (libs and c.startswith(libs)) and ctx.is_app_code(c)]
        if len(own) >= floor:
            app = wanted[prefix]
            items.append(
                {
                    "package": package,
                    "imitates": app["package"],
                    "classes": len(own),
                    "examples": sorted(own)[:3],
                    "signers": sorted(digests),
                    "source": app["source"],
                }
            )
    return items


def _check_counterfeit(params: dict[str, Any]) -> str | None:
    mode = params.get("mode", "signer")
    if mode not in ("signer", "name", "brand", "classes"):
        return "mode must be signer, name, brand or classes"
    if not isinstance(params.get("min_classes", 10), int) or int(params.get("min_classes", 10)) < 1:
        return "min_classes must be a positive integer"
    if mode == "brand" and not params.get("cues"):
        return "mode brand needs cues"
    return _need_lists(optional=("kinds", "cues"))(params)


def _no_check(params: dict[str, Any]) -> str | None:
    return None


def expect_text(ctx: ScreenContext, specs: Iterable[Any]) -> None:
    """Tell the context every DEX-string needle and vocabulary term the text detectors of ``specs`` will search
    for, so one multi-pattern pass per source answers all of them (:meth:`ScreenContext.expect`)."""
    for spec in specs:
        if spec.detector == "vocabulary":
            ctx.expect(terms=[*(spec.params.get("strong") or []), *(spec.params.get("common") or [])])
        elif spec.detector == "strings_any":
            ctx.expect(needles=spec.params.get("needles") or [])
        elif spec.detector == "other_app_data":
            ctx.expect(needles=list(behaviour.DATA_DIRS))
        elif spec.detector in ("pi_with_hardcoded_host", "data_leak"):
            ctx.expect(raw=_HOST_NEEDLES)


_P = frozenset
DETECTORS: dict[str, Detector] = {
    d.name: d
    for d in (
        Detector(
            "api_calls",
            _api_calls,
            _check_api_calls,
            _P(
                {
                    "apis",
                    "strings",
                    "permissions_any",
                    "bind_any",
                    "any_owner",
                    "unless_actions_any",
                    "skip_methods",
                    "skip_with_any",
                    "strings_with_any",
                }
            ),
        ),
        Detector(
            "api_combo", _api_combo, _check_api_combo, _P({"primary", "with_any", "scope", "permissions_any"})
        ),
        Detector(
            "api_groups_in_class",
            _api_groups_in_class,
            _check_api_groups,
            _P({"groups", "app_any", "permissions_any", "not_packed", "app_any_near"}),
        ),
        Detector("sms_send_number", _sms_send_number, _check_sms_send, _P({"apis", "number_patterns"})),
        Detector(
            "sms_receiver",
            _sms_receiver,
            _check_sms_receiver,
            _P({"min_priority", "abort", "dynamic", "action"}),
        ),
        Detector("background_sms_at_boot", _background_sms_at_boot, _need_lists("apis"), _P({"apis"})),
        Detector("sms_config_number", _sms_config_number, _need_lists("apis"), _P({"apis"})),
        Detector(
            "sms_config_table",
            _sms_config_table,
            _check_sms_config_table,
            _P({"apis", "reflective", "permissions_any", "min_rows"}),
        ),
        Detector(
            "boot_beacon", _boot_beacon, _need_lists("identifiers", "network"), _P({"identifiers", "network"})
        ),
        Detector("bundled_apk_install", _bundled_apk_install, _need_lists("apis"), _P({"apis"})),
        Detector(
            "packed_with_permissions",
            _packed_with_permissions,
            _need_lists("permissions"),
            _P({"permissions"}),
        ),
        Detector("manifest_all", _manifest_all, _check_manifest_all, _P({"components"})),
        Detector(
            "permissions",
            _permissions,
            _check_permissions,
            _P({"permissions", "adb_grantable", "adb_grant_providers"}),
        ),
        Detector("fake_image_asset", _fake_image_asset, _need_lists("with_any"), _P({"with_any"})),
        Detector("encrypted_code_asset", _encrypted_code_asset, _no_check),
        Detector("package_prefix", _package_prefix, _need_lists("prefixes"), _P({"prefixes"})),
        Detector(
            "manifest_component",
            _manifest_component,
            _check_manifest_component,
            _P({"permission", "action", "kinds", "unless_actions_any"}),
        ),
        Detector("hide_launcher_icon", _hide_launcher_icon, _no_check),
        Detector("asset_payload", _asset_payload, _no_check, _P({"kinds", "disguised_only"})),
        Detector(
            "vocabulary",
            _vocabulary,
            _check_vocabulary,
            _P({"strong", "common", "min_strong", "min_common", "min_total"}),
        ),
        Detector("strings_any", _strings_any, _need_lists("needles"), _P({"needles"})),
        Detector(
            "counterfeit", _counterfeit, _check_counterfeit, _P({"mode", "kinds", "cues", "min_classes"})
        ),
        Detector(
            "pi_with_hardcoded_host",
            _pi_with_hardcoded_host,
            _check_pi_with_hardcoded_host,
            _P({"categories", "permissions_for"}),
        ),
        Detector(
            "api_in_service",
            _api_in_service,
            _check_api_in_service,
            _P({"apis", "permissions_any", "at_boot", "literals_any", "skip_sized_windows"}),
        ),
        Detector(
            "locker_unlock_code",
            behaviour.locker_unlock_code,
            _need_lists(optional=("permissions_any",)),
            _P({"permissions_any"}),
        ),
        Detector("other_app_data", behaviour.other_app_data, _no_check),
        Detector("clipboard_swap", behaviour.clipboard_swap, _no_check),
        Detector("library_disguise", behaviour.library_disguise, _no_check),
        Detector(
            "runtime_components",
            behaviour.runtime_components,
            _need_lists(optional=("permissions", "actions")),
            _P({"permissions", "actions"}),
        ),
        Detector("remote_page_sms_app", behaviour.remote_page_sms_app, _no_check),
        Detector(
            "payload_blob_asset",
            round9.payload_blob_asset,
            round9.check_payload_blob,
            _P({"loaders", "skip_prefixes", "skip_callers", "min_size", "min_entropy"}),
        ),
        Detector(
            "loader_classless_components",
            round9.loader_classless_components,
            round9.check_classless,
            _P({"loaders", "skip_callers", "min_missing"}),
        ),
        Detector(
            "background_data_set",
            behaviour.background_data_set,
            behaviour.check_data_set,
            _P({"all_of", "of", "min_distinct"}),
        ),
        Detector(
            "data_leak",
            _data_leak,
            _check_data_leak,
            _P({"categories", "sinks", "background_only", "hardcoded_endpoint", "from_sms_receiver"}),
        ),
    )
}
