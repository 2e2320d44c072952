"""Round-five detectors (issue #23): behaviours read off the app's own code that the earlier detectors missed.

Each function is a detector of :mod:`appwarden.screening.detectors` (registered there): ``run(ctx, params) ->
[evidence item]``; an empty list means the indicator does not fire. All of them look at the app's own code only
(:meth:`ScreenContext.is_app_code`) and return nothing without a code index (packed app, DEX stage skipped).

* :func:`locker_unlock_code` - a method that removes a window it drew over other apps after comparing what the user
  typed with a constant (the unlock code of a screen locker).
* :func:`other_app_data` - hard-coded paths into *another* app's private data directory (``/data/data/<pkg>/``),
  read with a shell command (root): cookie and account-database theft.
* :func:`clipboard_swap` - the app watches or reads the clipboard, writes it, and holds a crypto-wallet address
  (a clipper replaces the address the user copied with the attacker's).
"""

from __future__ import annotations

import re
from typing import Any

from appwarden.dex.records import METHOD_WORDS as METHOD_WORDS_
from appwarden.screening.content import ScreenContext

Item = dict[str, Any]


def _site(ref: Any) -> Item:
    return {"caller": ref.caller, "api": ref.target, "dex": ref.dex, "offset": int(ref.offset)}


def _app_refs(ctx: ScreenContext, apis: list[str]) -> list[Any]:
    if ctx.code is None:
        return []
    return ctx.invokes(apis)


def method_targets(ctx: ScreenContext, method: str) -> set[str]:
    """Descriptors (without the prototype) of every method the app method ``method`` invokes."""
    from appwarden.dex.records import EV_INVOKE

    out: set[str] = set()
    if ctx.code is None:
        return out
    try:
        records = ctx.code.method_records(method)
    except (KeyError, LookupError):
        return out
    for ci, r in records:
        code = ctx.code.codes[ci]
        for _i, kind, _op, _off, idx in code.events_of_record(r):
            if kind == EV_INVOKE:
                try:
                    out.add(code.method_desc(idx).split("(", 1)[0])
                except (IndexError, ValueError, LookupError):
                    continue
    return out


def _method_strings(ctx: ScreenContext, method: str) -> list[str]:
    try:
        return [str(s) for s in ctx.code.method_strings(method) or []]
    except (KeyError, LookupError):
        return []


# ------------------------------------------------------------------------------------------------ locker

_REMOVE_VIEW = [
    "Landroid/view/WindowManager;->removeView",
    "Landroid/view/WindowManager;->removeViewImmediate",
    "Landroid/view/ViewManager;->removeView",
]
_EQUALS = (
    "Ljava/lang/String;->equals",
    "Ljava/lang/String;->equalsIgnoreCase",
    "Ljava/lang/String;->contentEquals",
)
_TEXT_INPUT = ("->getText",)
# an unlock code: 3..32 printable ASCII characters without a space (a message shown to the user has spaces); round
# eight admits symbols (``@``, ``#``, ``!``, ``_`` ...), which passwords hold, as long as a letter or digit is there
_CODE_LITERAL = re.compile(r"^(?=[^A-Za-z0-9]*[A-Za-z0-9])[!-~]{3,32}$")


def compared_constants(ctx: ScreenContext, method: str) -> list[str]:
    """Short ``const-string`` values without spaces (printable ASCII holding a letter or digit) that reach ``String.equals`` (or ``equalsIgnoreCase`` /
    ``contentEquals``) as an argument or receiver in ``method``, read in instruction order: a register keeps its
    constant until another recorded instruction or an invoke's ``move-result`` writes it. Conservative: a constant
    copied to another register first is not seen."""
    from appwarden.dex.records import EV_INVOKE, EV_STRING, invoke_arg_registers

    found: list[str] = []
    try:
        records = ctx.code.method_records(method)
    except (KeyError, LookupError):
        return found
    for ci, r in records:
        code = ctx.code.codes[ci]
        data = code.dex.data
        held: dict[int, str] = {}
        base = r * METHOD_WORDS_
        for i in range(code.methods[base + 4], code.methods[base + 5]):
            kind, op, off, idx, a, _b = code.event(i)
            if kind == EV_STRING:
                try:
                    held[a] = code.dex.string(idx)
                except (IndexError, ValueError, LookupError):
                    held.pop(a, None)
                continue
            if kind != EV_INVOKE:
                held.pop(a, None)
                continue
            try:
                target = code.method_desc(idx)
            except (IndexError, ValueError, LookupError):
                target = ""
            if target.startswith(_EQUALS):
                for reg in invoke_arg_registers(op, a):
                    value = held.get(reg)
                    if value is not None and _CODE_LITERAL.match(value) and value not in found:
                        found.append(value)
            nxt = off + 6  # 35c and 3rc invokes are 3 code units
            if nxt + 1 < len(data) and data[nxt] in (0x0A, 0x0B, 0x0C):  # move-result(-wide/-object) vAA
                held.pop(data[nxt + 1], None)
    return found


def locker_unlock_code(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """An app method removes a window from the WindowManager after reading typed text (``getText`` of a text field)
    and comparing it with ``String.equals`` against a short constant without spaces (the unlock code; a value
    read from the app's settings does not count). Gated on the manifest holding one of ``permissions_any`` and the
    app code adding a window (``WindowManager.addView``): the overlay a screen locker draws over everything and
    takes down only when the code the victim bought is typed in."""
    wanted = params.get("permissions_any")
    if wanted and not (ctx.permissions & set(wanted)):
        return []
    if not _app_refs(ctx, ["Landroid/view/WindowManager;->addView", "Landroid/view/ViewManager;->addView"]):
        return []
    items: list[Item] = []
    for ref in _app_refs(ctx, _REMOVE_VIEW):
        targets = method_targets(ctx, ref.caller)
        if not any(
            t.endswith(_TEXT_INPUT) and ("widget/" in t or not t.startswith("Landroid/")) for t in targets
        ):
            continue
        codes = compared_constants(ctx, ref.caller)
        if not codes:
            continue
        item = _site(ref)
        item["constants"] = codes[:3]
        items.append(item)
        if len(items) >= 5:
            break
    return items


# ------------------------------------------------------------------------------------------------ other app data

_DATA_PATH = re.compile(r"/data/(?:data|user/\d+|user_de/\d+)/([A-Za-z][\w]*(?:\.[A-Za-z_][\w]*)+)/(\S*)")
# the stores of another app's sessions and data: its databases, preferences, WebView/Chrome profile (cookies)
_DATA_STORE = re.compile(
    r"^(?:databases/|shared_prefs/|app_webview/|app_chrome/|files/.*\.(?:db|sqlite|xml)$)|Cookies|\.db$"
)
DATA_DIRS = (
    "/data/data/",
    "/data/user/",
    "/data/user_de/",
)  # searched in the one DEX-string pass (expect_text)
_SHELL = [
    "Ljava/lang/Runtime;->exec",
    "Ljava/lang/ProcessBuilder;-><init>",
    "Ljava/lang/ProcessBuilder;->command",
]
# shell commands handed to a native runner instead of Runtime.exec (the command string is in the app's code)
_SHELL_COMMANDS = ("su", "su -c", "chmod ", "cp ", "cat ", "mount ", "sh -c", "busybox ")


def _runs_shell(ctx: ScreenContext) -> bool:
    if _app_refs(ctx, _SHELL):
        return True
    try:
        refs = ctx.code.strings_starting_with(list(_SHELL_COMMANDS))
    except (KeyError, LookupError):
        return False
    return any(
        ctx.is_app_code(r.caller) and (str(r.target) == "su" or str(r.target).startswith(_SHELL_COMMANDS[1:]))
        for r in refs
    )


def other_app_data(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """App-code strings naming a data store inside another app's private data directory
    (``/data/data/<package>/`` + ``databases/``, ``shared_prefs/``, ``app_webview/``, ``app_chrome/``, a ``.db``
    or a ``Cookies`` file; the package is not the app's own: a helper binary under ``files/`` is not its data), and the app code runs shell commands (``Runtime.exec`` /
    ``ProcessBuilder``, or command strings such as ``cp``/``chmod``/``su`` handed to a native runner: with root,
    the way past the sandbox). Android's own providers count as other apps (an SMS
    database read this way is the same theft)."""
    if ctx.code is None or not _runs_shell(ctx):
        return []
    own = ctx.manifest.package if ctx.manifest is not None else ""
    items: list[Item] = []
    seen: set[str] = set()
    for ref in ctx.strings_containing(list(DATA_DIRS)):
        if not ctx.is_app_code(ref.caller):
            continue
        value = str(ref.target)
        m = _DATA_PATH.search(value)
        if not m or m.group(1) == own or (own and m.group(1).startswith(own + ".")):
            continue
        if not _DATA_STORE.search(m.group(2)):
            continue
        if value in seen:
            continue
        seen.add(value)
        items.append({"caller": ref.caller, "string": value[:160], "package": m.group(1), "dex": ref.dex})
        if len(items) >= 5:
            break
    return items


# ------------------------------------------------------------------------------------------------ clipper

_WALLETS = {
    "ethereum": re.compile(r"^0x[0-9a-fA-F]{40}$"),
    "bitcoin": re.compile(r"^(?:[13][a-km-zA-HJ-NP-Z1-9]{25,34}|bc1[ac-hj-np-z02-9]{39,59})$"),
    "tron": re.compile(r"^T[1-9A-HJ-NP-Za-km-z]{33}$"),
    "monero": re.compile(r"^4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}$"),
}
_CLIP_READ = [
    "Landroid/content/ClipboardManager;->addPrimaryClipChangedListener",
    "Landroid/content/ClipboardManager;->getPrimaryClip",
    "Landroid/content/ClipboardManager;->getText",
    "Landroid/text/ClipboardManager;->getText",
]
_CLIP_WRITE = [
    "Landroid/content/ClipboardManager;->setPrimaryClip",
    "Landroid/content/ClipboardManager;->setText",
    "Landroid/text/ClipboardManager;->setText",
]


def _wallet_kind(value: str) -> str | None:
    for kind, pattern in _WALLETS.items():
        if pattern.match(value):
            if kind != "ethereum" and not value.startswith("bc1"):
                # a base58 address mixes digits, upper- and lower-case letters; a 34-letter identifier
                # ("ThirdPartyDeviceManagementRequired") or a lower-case hex digest does not
                body = value[1:]
                if not (
                    any(c.isdigit() for c in body)
                    and any(c.isupper() for c in body)
                    and any(c.islower() for c in body)
                ):
                    return None
            return kind
    return None


def _outer_class(method: str) -> str:
    cls = method.split("->", 1)[0]
    return cls.split("$", 1)[0] + (";" if "$" in cls else "")


def clipboard_swap(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """One class of the app's own code (with its nested classes) reads the clipboard (a change listener,
    ``getPrimaryClip``/``getText``), writes it (``setPrimaryClip``/``setText``) and holds a hard-coded
    crypto-wallet address (Ethereum, Bitcoin, Tron, Monero formats). A wallet's "copy my address" button writes
    without reading; a clipper does all three in its clipboard listener."""
    reads: dict[str, Any] = {}
    writes: dict[str, Any] = {}
    for ref in _app_refs(ctx, _CLIP_READ):
        reads.setdefault(_outer_class(ref.caller), ref)
    for ref in _app_refs(ctx, _CLIP_WRITE):
        writes.setdefault(_outer_class(ref.caller), ref)
    both = set(reads) & set(writes)
    if not both:
        return []
    from appwarden.rules.static_support import methods_of

    items: list[Item] = []
    # a class and its nested classes start with "La/B;" or "La/B$": one bisection of the sorted classes per
    # prefix, then the exact outer-class check on the few found (88k classes of a 100 MB app cost 0.25 s through
    # _outer_class, and still ~25 ms through one prefix test per class)
    prefixes = [p for outer in both for p in (outer, outer[:-1] + "$")]
    for cls in [c for c in ctx.classes_under(prefixes) if _outer_class(c + "->") in both]:
        for method in methods_of(ctx.code, cls):
            for value in dict.fromkeys(_method_strings(ctx, method)):
                kind = _wallet_kind(value)
                if kind is None:
                    continue
                outer = _outer_class(method)
                if not any(i.get("class") == outer for i in items):
                    items += [_site(reads[outer]), _site(writes[outer])]
                items.append({"caller": method, "class": outer, "string": value, "wallet": kind})
                if len(items) >= 6:
                    return items
    return items


# ------------------------------------------------------------------------------------------------ private data sets


# runtimes packed whole into every app built with them, whatever components the app uses (MIT App Inventor)
_BUNDLED_RUNTIMES = ("Lcom/google/appinventor/components/runtime/",)


def background_data_set(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """The app's own background code (classes that are no Activity, Fragment or Dialog) reads private data of every
    category in ``all_of`` (when given) and of at least ``min_distinct`` categories of ``of`` (when given): the
    collection set of a remote-access trojan or stalkerware (contacts, call log and SMS inbox together, or those with
    microphone, camera and location), read with no screen the user drives. One item per category (its first site).
    A runtime bundled whole into every app made with it (MIT App Inventor's component runtime) does not count: its
    contacts, SMS, camera and location components are there whether the app uses them or not."""
    from appwarden.screening.detectors import _is_ui_class

    if ctx.code is None:
        return []
    all_of = set(params.get("all_of") or [])
    of = set(params.get("of") or [])
    wanted = all_of | of
    first: dict[str, Any] = {}
    ui: dict[str, bool] = {}
    for site in ctx.static.callsites:
        cat = site.category
        if cat not in wanted or cat in first or "SmsManager;->send" in site.api:
            continue
        if site.api.startswith("Landroid/content/ContentResolver;->query"):
            continue  # a query whose URI the static stage did not resolve: its category is a guess
        if not ctx.is_app_code(site.caller) or site.caller.startswith(_BUNDLED_RUNTIMES):
            continue
        cls = site.caller.split("->", 1)[0]
        if cls not in ui:
            ui[cls] = _is_ui_class(ctx, cls)
        if ui[cls]:
            continue
        first[cat] = site
    if not all_of <= set(first):
        return []
    if of and len(of & set(first)) < int(params.get("min_distinct") or len(of)):
        return []
    return [
        {"caller": s.caller, "api": s.api, "category": cat}
        for cat, s in sorted(first.items(), key=lambda kv: kv[0])
    ]


def check_data_set(params: dict[str, Any]) -> str | None:
    for key in ("all_of", "of"):
        value = params.get(key)
        if value is not None and (
            not isinstance(value, list) or not all(isinstance(v, str) and v for v in value)
        ):
            return f"{key} must be a list of category names"
    if not params.get("all_of") and not params.get("of"):
        return "all_of or of is required"
    n = params.get("min_distinct")
    if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n < 1):
        return "min_distinct must be a positive integer"
    return None


# ------------------------------------------------------------------------------------------------ library disguise

_LIBRARY_NAMESPACES = (
    "androidx.",
    "android.support.",
    "com.google.android.gms.",
    "com.google.firebase.",
    "com.facebook.",
    "kotlin.",
    "kotlinx.",
    "okhttp3.",
    "retrofit2.",
)
_SENSITIVE_BINDS = {
    "android.permission.BIND_ACCESSIBILITY_SERVICE",
    "android.permission.BIND_NOTIFICATION_LISTENER_SERVICE",
    "android.permission.BIND_DEVICE_ADMIN",
}


def library_disguise(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """The app's own entry points sit in a well-known library's package (androidx, the support library, Google
    Play services, Firebase, Facebook, Kotlin, OkHttp, Retrofit), where no library declares them for its host:
    a launcher activity, or a component bound as accessibility service, notification listener or device admin; or
    code in such a namespace hides the app's launcher icon (what :func:`~appwarden.screening.detectors
    ._hide_launcher_icon` reports with ``owner: library namespace``). Payload classes named like a library are
    skipped by reviewers and by SDK-aware scanners. An app whose own package is in that namespace is left out."""
    from appwarden.screening.detectors import _hide_launcher_icon

    if ctx.manifest is None:
        return []
    own = ctx.manifest.package or ""
    if own.startswith(_LIBRARY_NAMESPACES):
        return []
    items: list[Item] = []
    for name in sorted(ctx.launcher_activities):
        if name.startswith(_LIBRARY_NAMESPACES):
            items.append({"component": name, "kind": "launcher activity"})
    for comp in ctx.manifest.components:
        if comp.permission in _SENSITIVE_BINDS and comp.name.startswith(_LIBRARY_NAMESPACES):
            items.append({"component": comp.name, "kind": comp.kind, "permission": comp.permission})
    if ctx.code is not None:
        for item in _hide_launcher_icon(ctx, {}):
            cls = item["caller"].split("->", 1)[0][1:].replace("/", ".")
            if item.get("owner") and cls.startswith(_LIBRARY_NAMESPACES):
                items.append({**item, "kind": "hides the launcher icon"})
    return items[:5]


# ------------------------------------------------------------------------------------------------ runtime components


_PLATFORM_PACKAGES = ("android.", "com.android.internal.", "java.", "javax.", "dalvik.")


def runtime_components(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """A component of the manifest that holds one of Android's most powerful roles - bound with one of
    ``permissions`` (accessibility service, notification listener, device administrator) or receiving one of
    ``actions`` (incoming SMS, device-admin enabling) - has no class in any DEX of the APK, and no known packer (加固)
    protects the app: the code that will run with that power is decrypted or downloaded at run time, after any
    review of the package. Android loads a component's class from the app's class loader, so the class must exist
    by the time the component starts; an app that ships without it fills that loader itself. Apps whose DEX could
    not be read are left out (``ctx.code`` is None), and so are apps with a DEX the engine refused (a zip-bomb entry,
    corrupt, over a limit): the missing class may be in that DEX. Each item's ``components_without_class`` ("n of
    m") counts the manifest's named components other than activity aliases, which name no class of their own."""
    if ctx.manifest is None or ctx.code is None or ctx.static.app.packer:
        return []
    if any(e.stage == "dex" and e.path for e in ctx.static.errors):
        return []
    binds = set(params.get("permissions") or [])
    # a platform class the manifest may name directly (``android.app.admin.DeviceAdminReceiver`` used as is) is in
    # the device's boot class path, not in the APK
    actions = set(params.get("actions") or [])
    classes = ctx.code.classes
    items: list[Item] = []
    missing = 0
    # an activity-alias names no class of its own (it points at its targetActivity): not counted in "n of m"
    counted = [c for c in ctx.manifest.components if c.kind != "activity-alias" and c.name]
    for comp in counted:
        if "L" + comp.name.replace(".", "/") + ";" in classes:
            continue
        if comp.name.startswith(_PLATFORM_PACKAGES):
            continue
        missing += 1
        if comp.kind not in ("service", "receiver"):
            continue
        role = comp.permission if comp.permission in binds else None
        if role is None:
            role = next((a for f in comp.intent_filters for a in f.actions if a in actions), None)
        if role is not None and len(items) < 5:
            items.append({"component": comp.name, "kind": comp.kind, "role": role})
    for item in items:
        item["components_without_class"] = f"{missing} of {len(counted)}"
    return items


# ------------------------------------------------------------------------------------------------ phishing carrier

_ASSET_URL = re.compile(rb"^\s*(https?://[^\s\"'<>]{4,200})\s*$")
_SMS_ACTIONS = {"android.provider.Telephony.SMS_RECEIVED", "android.provider.Telephony.SMS_DELIVER"}


def remote_page_sms_app(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """The app receives SMS (a manifest SMS_RECEIVED/SMS_DELIVER receiver), its own code loads a page in a WebView
    (``WebView.loadUrl``), and a small asset holds nothing but a web address: the phishing page is fetched from an
    address shipped beside the code (so it can change after review) and shown by an app that also intercepts the
    one-time codes the page asks for. It names the *phishing* category on such apps; weak alone."""
    if ctx.manifest is None or ctx.code is None:
        return []
    receivers = [
        c.name
        for c in ctx.manifest.components_of("receiver")
        if any(_SMS_ACTIONS & set(f.actions) for f in c.intent_filters)
    ]
    if not receivers:
        return []
    loads = _app_refs(ctx, ["Landroid/webkit/WebView;->loadUrl"])
    if not loads:
        return []
    from appwarden.errors import AppwardenError

    urls: list[Item] = []
    if ctx.apk is None:
        return []
    for name in ctx.static.assets[:2000]:
        try:
            if int(ctx.apk.archive.info(name).uncompressed_size) > 512:
                continue
            data = bytes(ctx.apk.read(name))
        except (AppwardenError, KeyError, AttributeError, ValueError):
            continue
        m = _ASSET_URL.match(data)
        if m:
            urls.append({"path": name, "url": m.group(1).decode("ascii", "replace")[:200]})
            if len(urls) >= 3:
                break
    if not urls:
        return []
    return [*urls[:3], _site(loads[0]), {"component": receivers[0], "receives": "SMS"}]


# ------------------------------------------------------------------------------------------------ window size

_LAYOUT_PARAMS_INIT = "Landroid/view/WindowManager$LayoutParams;-><init>"
# constructors that take the window's size: (w, h, type, flags, format) and (w, h, x, y, type, flags, format);
# the others ((), (type), (type, flags), (type, flags, format)) make a MATCH_PARENT window: the whole screen
_SIZED_PROTOS = ("(IIIII)V", "(IIIIIII)V")


def sized_windows_only(ctx: ScreenContext, method: str) -> bool:
    """True when the app method ``method`` builds window parameters (``WindowManager.LayoutParams``) and every one
    it builds has a fixed width or height: a constructor taking the size whose width or height argument is, on
    every path that reaches the call (``dex.regs.reaching_values``), a literal of zero or more pixels. Such a window
    is smaller than the screen (a floating button, a clipboard strip, a 0 x 0 key catcher), so it cannot be a lock
    screen. False when the method builds none (the parameters come from elsewhere), when a constructor makes a
    MATCH_PARENT window, or when a size is MATCH_PARENT (-1), WRAP_CONTENT (-2) or not a constant (e.g. read from
    the display's metrics): all of which may cover the screen. Never raises (unreadable code: False)."""
    from appwarden.dex.records import invoke_arg_registers
    from appwarden.dex.regs import reaching_values

    if ctx.code is None:
        return False
    seen = 0
    try:
        for ci, r in ctx.code.method_records(method):
            dc = ctx.code.codes[ci]
            sites = []
            for i, _kind, _op, off, idx in dc.events_of_record(r):
                try:
                    desc = dc.method_desc(idx)
                except (IndexError, ValueError, LookupError):
                    continue
                if desc.startswith(_LAYOUT_PARAMS_INIT):
                    sites.append((i, off, desc))
            if not sites:
                continue
            code_off = dc.record(r)[3]
            states = reaching_values(dc.dex, code_off, {off for _i, off, _d in sites})
            for i, off, desc in sites:
                seen += 1
                if not desc.endswith(_SIZED_PROTOS):
                    return False
                _k, op, _off, _midx, a, _b = dc.event(i)
                regs = invoke_arg_registers(op, a)
                state = states.get(off)
                if state is None or len(regs) < 3:
                    return False
                fixed = False
                for reg in regs[1:3]:  # width, height (after the constructed object)
                    values = state.get(reg, frozenset({("unknown",)}))
                    if values and all(v[0] == "literal" and int(v[1]) >= 0 for v in values):
                        fixed = True
                if not fixed:
                    return False
    except (AttributeError, KeyError, LookupError, TypeError, ValueError):
        return False
    return seen > 0
