"""The privacy dialog when its text lives in resources or a WebView (issue #18), for :mod:`appwarden.rules.consent`.

Contract: :func:`resource_dialogs(static, code)` returns ``(methods, notes)``: the app methods that show the
privacy dialog through resources, each note saying which resource or asset named the policy. Called only when the
``const-string`` route found no dialog; one pass per scan, bounded.

* **String resources**: ``resources.arsc`` entries of type ``string`` whose value contains a ``dialog_texts``
  phrase (``knowledge/consent.yaml``) give *policy string IDs*.
* **Layouts**: compiled layout files (``res/layout*/``, at most :data:`MAX_LAYOUTS` of at most
  :data:`MAX_LAYOUT_BYTES` each) that reference a policy string ID (``@string/…`` is stored as the 4-byte ID) or
  hold a ``dialog_texts`` phrase inline (UTF-8 or UTF-16LE) give *policy layout IDs*; so do layouts including one
  (``<include layout="@layout/…"/>``, the included layout's 4-byte ID), :data:`MAX_INCLUDE_DEPTH` levels up, and
  a layout including one with an agree word offers to agree.
* **Code**: a method loading one of those IDs as a literal (``const vX, 0x7f…`` then ``getString``/``setText``/
  ``setMessage``/``setContentView``/``inflate``) shows the dialog, when the dialog also offers to agree: the
  resource itself, or a resource ID or ``const-string`` loaded by a method of the same class, holds an
  ``agree_texts`` word (同意/agree…). A settings screen that only links to the policy is not a consent moment.
  The literals are found by a byte search of the index's event table (the ID as the event's ``idx`` word of an
  ``EV_LITERAL`` event), never a decode.
* **WebView**: bundled ``assets/`` HTML/text files whose name matches ``asset_name`` or whose content holds a
  ``dialog_texts`` phrase; a method loading a ``const-string`` naming that file (``file:///android_asset/x.html``)
  shows the dialog; so does a method that loads a remote URL matching ``asset_name`` and calls
  ``WebView.loadUrl``.

IDs read from a library module's ``R`` class field (``sget R$layout;->x``, not a constant there) count too.

Cost: the layouts are read once per APK (remembered for the APK, weakly, when their bytes total at most 4 MiB:
the navigation rules search them again with their own titles) and searched in one regular-expression pass over
them joined; the literal IDs are found in the events' idx column by their upper halves (package and type).

Limits: strings assembled at run time from pieces and dialogs built by server configuration are not seen.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
import struct
import threading
import weakref
from dataclasses import dataclass, field
from typing import Any

from appwarden.apk.axml import TYPE_STRING
from appwarden.dex.records import EV_LITERAL, EVENT_WORDS
from appwarden.errors import AppwardenError
from appwarden.rules.static_support import method_literals, method_strings, methods_of

MAX_LAYOUTS = 4000
MAX_LAYOUT_BYTES = 256 * 1024
MAX_ASSETS = 200
MAX_ASSET_BYTES = 512 * 1024
MAX_IDS = 64  # policy resource IDs searched in the code (the first ones found)
MAX_METHODS = 50
MAX_INCLUDE_DEPTH = 3  # <include> levels followed from a policy or agree layout
_ASSET_TEXT = re.compile(r"\.(html?|txt|xhtml)$", re.IGNORECASE)
_LOAD_URL = ("Landroid/webkit/WebView;->loadUrl(", "->loadUrl(Ljava/lang/String;")


def _read(apk: Any, name: str, limit: int) -> bytes | None:
    try:
        info = apk.archive.info(name)
        if int(info.uncompressed_size) > limit:
            return None
        return bytes(apk.read(name))
    except (AppwardenError, KeyError, AttributeError, OSError):
        return None


def _has_text(data: bytes, needles: list[bytes]) -> bool:
    return any(n in data for n in needles)


def _blobs_with(blobs: list[bytes], needles: list[bytes]) -> list[bool]:
    """Per blob, whether it contains one of ``needles`` (``_has_text`` of each blob), found by one regular-expression
    pass over the blobs joined instead of one search per needle and blob. A match running across the end of a blob
    is not that blob's: the blob is then tested on its own (exact either way)."""
    out = [False] * len(blobs)
    wanted = list(dict.fromkeys(n for n in needles if n))
    if not wanted or not blobs:
        return out
    rx = re.compile(b"|".join(re.escape(n) for n in wanted))
    joined = b"".join(blobs)
    ends = list(itertools.accumulate(len(b) for b in blobs))
    pos = 0
    while (m := rx.search(joined, pos)) is not None:
        i = bisect.bisect_right(ends, m.start())  # the blob the match starts in (never an empty one)
        if m.end() <= ends[i]:
            out[i] = True
        else:
            out[i] = _has_text(blobs[i], wanted)
        pos = ends[i]  # that blob is decided: go on with the next one
    return out


def _blobs_with_each(blobs: list[bytes], *needle_sets: list[bytes]) -> list[list[bool]]:
    """Per needle set, per blob, whether the blob contains one of the set's needles: one :func:`_blobs_with` pass
    for all the sets together, then each set tested on its own in the few blobs holding any needle at all."""
    out = [[False] * len(blobs) for _ in needle_sets]
    for i, hit in enumerate(_blobs_with(blobs, [n for needles in needle_sets for n in needles])):
        if hit:
            for k, needles in enumerate(needle_sets):
                out[k][i] = _has_text(blobs[i], needles)
    return out


def _needles(texts: list[str], ids: Any) -> list[bytes]:
    return (
        [t.encode("utf-8") for t in texts]
        + [t.encode("utf-16-le") for t in texts]
        + [struct.pack("<I", rid) for rid in ids]
    )


@dataclass
class PolicyResources:
    """Resource IDs naming the policy (ID -> ``type/name`` or layout file), IDs holding an agree word, notes."""

    policy: dict[int, str] = field(default_factory=dict)
    agree: set[int] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)


@dataclass
class _LayoutFiles:
    """The compiled layouts of an APK as :func:`policy_resources` reads them (see :func:`_layouts`)."""

    files: list[tuple[int, str]]  # (layout ID, file) of every layout read, in resource-table order
    by_path: dict[str, bytes | None]  # file -> its bytes (None: unreadable or over MAX_LAYOUT_BYTES)
    notes: list[str]


# per Apk (weakly: an entry goes with its APK), when the layouts' bytes total at most _LAYOUT_CACHE_BYTES: the
# consent model and the navigation rules (rules/navigation.py) both search them in one scan
_LAYOUT_CACHE: weakref.WeakKeyDictionary[Any, _LayoutFiles] = weakref.WeakKeyDictionary()
# bounds what a scan keeps beyond the search (the largest corpus app's layouts: 0.26 MB)
_LAYOUT_CACHE_BYTES = 4 * 1024 * 1024
_LAYOUT_LOCK = threading.Lock()


def _layouts(apk: Any, res: Any) -> tuple[list[tuple[int, str]], dict[str, bytes | None], list[str]]:
    """``(files, by_path, notes)``: every ``layout`` entry of the resource table that names an ``.xml`` file,
    each file read once (at most :data:`MAX_LAYOUTS` files of at most :data:`MAX_LAYOUT_BYTES`), and the note
    saying the cap was reached. Read once per APK: remembered for the APK when small enough (the callers only
    read the lists and bytes)."""
    try:
        with _LAYOUT_LOCK:
            cached = _LAYOUT_CACHE.get(apk)
    except TypeError:  # not weakly referable: read every time
        cached, apk_key = None, None
    else:
        apk_key = apk
    if cached is not None:
        return cached.files, cached.by_path, cached.notes
    pool = res.strings
    layouts = 0
    by_path: dict[str, bytes | None] = {}
    files: list[tuple[int, str]] = []
    notes: list[str] = []
    for rid, vtype, data in res.entries_of_type("layout"):
        if vtype != TYPE_STRING:
            continue
        path = pool.get(data)
        if not path or not path.endswith(".xml"):
            continue
        if path not in by_path:
            if layouts >= MAX_LAYOUTS:
                notes.append(f"layouts searched for policy text capped at {MAX_LAYOUTS}")
                break
            layouts += 1
            by_path[path] = _read(apk, path, MAX_LAYOUT_BYTES)
        if by_path[path] is not None:
            files.append((rid, path))
    if apk_key is not None and sum(len(b) for b in by_path.values() if b) <= _LAYOUT_CACHE_BYTES:
        with _LAYOUT_LOCK:
            _LAYOUT_CACHE[apk_key] = _LayoutFiles(files, by_path, notes)
    return files, by_path, notes


def policy_resources(apk: Any, texts: list[str], agree_texts: list[str]) -> PolicyResources:
    """String and layout resources whose text names the policy, and those holding an agree word."""
    out = PolicyResources()
    res = getattr(apk, "resources", None)
    if res is None or res.strings is None:
        return out
    pool = res.strings
    policy_idx, agree_idx = set(), set()
    candidates = _pool_candidates(pool, [*texts, *agree_texts])
    for i in sorted(candidates) if candidates is not None else range(len(pool)):
        v = pool.get(i)
        if not v or len(v) > 4096:
            continue
        if any(t in v for t in texts):
            policy_idx.add(i)
        if any(t in v for t in agree_texts):
            agree_idx.add(i)
    if policy_idx or agree_idx:
        for rid, vtype, data in res.entries_of_type("string"):
            if vtype != TYPE_STRING:
                continue
            if data in policy_idx and rid not in out.policy:
                out.policy[rid] = res.name_of(rid) or f"string/{rid:#x}"
            if data in agree_idx:
                out.agree.add(rid)
    needles = _needles(texts, list(out.policy))
    agree_needles = _needles(agree_texts, sorted(out.agree)[:256])
    policy_layouts: dict[int, str] = {}
    agree_layouts: set[int] = set()
    files, by_path, notes = _layouts(apk, res)
    out.notes.extend(notes)
    # every layout read once, then searched in one pass per needle set (in file order, as read)
    read = [p for p, b in by_path.items() if b is not None]
    blobs = [by_path[p] or b"" for p in read]
    found_policy, found_agree = _blobs_with_each(blobs, needles, agree_needles)
    has_policy = dict(zip(read, found_policy, strict=True))
    has_agree = dict(zip(read, found_agree, strict=True))
    for rid, path in files:
        if has_policy[path]:
            policy_layouts.setdefault(rid, path)
        if has_agree[path]:
            agree_layouts.add(rid)
    _follow_includes(by_path, files, policy_layouts, agree_layouts)
    for rid, path in policy_layouts.items():
        out.policy.setdefault(rid, path)
    out.agree.update(agree_layouts)
    return out


def _follow_includes(
    blobs: dict[str, bytes | None], files: list[tuple[int, str]], policy: dict[int, str], agree: set[int]
) -> None:
    """A layout that includes a policy layout (``<include layout="@layout/x"/>``, ``ViewStub android:layout``:
    the 4-byte layout ID in the compiled XML) names the policy too; one including a layout with an agree word
    offers to agree. Followed :data:`MAX_INCLUDE_DEPTH` levels up; ``policy`` notes the included file."""
    new_policy, new_agree = dict(policy), set(agree)
    for _ in range(MAX_INCLUDE_DEPTH):
        p_needles = [struct.pack("<I", r) for r in new_policy]
        a_needles = [struct.pack("<I", r) for r in new_agree]
        new_policy, new_agree = {}, set()
        if not p_needles and not a_needles:
            return
        read = [p for p, b in blobs.items() if b is not None]
        data = [blobs[p] or b"" for p in read]
        found_p, found_a = _blobs_with_each(data, p_needles, a_needles)
        has_p = dict(zip(read, found_p, strict=True))
        has_a = dict(zip(read, found_a, strict=True))
        for rid, path in files:
            blob = blobs.get(path)
            if blob is None:
                continue
            if rid not in policy and p_needles and has_p[path]:
                inner = next(policy[r] for r in policy if struct.pack("<I", r) in blob)
                new_policy[rid] = f"{path} (includes {inner})"
            if rid not in agree and a_needles and has_a[path]:
                new_agree.add(rid)
        policy.update(new_policy)
        agree.update(new_agree)


def _pool_candidates(pool: Any, texts: list[str]) -> set[int] | None:
    """Indices of the pool strings whose encoded bytes contain one of ``texts`` (a byte search of the pool's data,
    then the owning string by its offset), so only those are decoded; None when the pool's layout is not the one
    expected (then every string is decoded). A candidate is a superset: the caller still tests the decoded text."""
    buf, start, end = (
        getattr(pool, "_buf", None),
        getattr(pool, "_data_start", None),
        getattr(pool, "_end", None),
    )
    offsets = getattr(pool, "_offsets", None)
    if not isinstance(buf, (bytes, bytearray)) or not isinstance(start, int) or not isinstance(end, int):
        return None
    if offsets is None or not 0 <= start <= end <= len(buf):
        return None
    region = bytes(buf[start:end])
    encoding = "utf-8" if getattr(pool, "utf8", True) else "utf-16-le"
    order = sorted((o, i) for i, o in enumerate(offsets))
    keys = [o for o, _i in order]
    out: set[int] = set()
    for t in texts:
        needle = t.encode(encoding)
        pos = region.find(needle)
        while pos >= 0:
            k = bisect.bisect_right(keys, pos) - 1
            owner = keys[k] if k >= 0 else -1
            while k >= 0 and keys[k] == owner:  # every index sharing the owning string's offset
                out.add(order[k][1])
                k -= 1
            pos = region.find(needle, pos + 1)
    return out


def _literal_callers(code: Any, ids: dict[int, str]) -> dict[str, tuple[int, str]]:
    """Methods loading one of the IDs as a ``const`` literal -> (ID, what it names) (byte search of the events)."""
    out: dict[str, tuple[int, str]] = {}
    wanted = list(ids.items())[:MAX_IDS]
    if not wanted:
        return out
    # the idx words of the events, one 4-byte column per DEX (a fifth of the table: the searches run on it)
    columns = [bytes(memoryview(dc.events_raw).cast("I")[2::EVENT_WORDS]) for dc in code.codes]
    # the event numbers holding each ID, per DEX in table order: one search per distinct upper half of the IDs
    # (package and type bytes, "\x0b\x7f"; few distinct ones) at the upper half of an idx word, then the whole word
    needles = {struct.pack("<I", rid): rid for rid, _what in wanted}
    events: dict[tuple[int, int], list[int]] = {}
    for ci, col in enumerate(columns):
        for high in dict.fromkeys(n[2:] for n in needles):
            pos = col.find(high, 2)
            while pos >= 0:
                if pos & 3 == 2 and (rid := needles.get(col[pos - 2 : pos + 2])) is not None:
                    events.setdefault((rid, ci), []).append(pos >> 2)
                pos = col.find(high, pos + 1)
    for rid, what in wanted:
        for ci, dc in enumerate(code.codes):
            for i in sorted(events.get((rid, ci), ())):
                if (dc.events[i * EVENT_WORDS] >> 8) == EV_LITERAL:
                    out.setdefault(dc.caller_of_event(i), (rid, what))
                    if len(out) >= MAX_METHODS:
                        return out
    return out


def _field_callers(apk: Any, code: Any, ids: dict[int, str]) -> dict[str, tuple[int, str]]:
    """Methods reading a policy resource's ``R`` class field (``sget R$layout;->name``: library modules, whose R
    fields are not constants) -> (ID, what it names)."""
    res = apk.resources
    by_type: dict[str, dict[str, int]] = {}
    for rid in list(ids)[:MAX_IDS]:
        name = res.name_of(rid) or ""
        kind, _, key = name.partition("/")
        if key:
            by_type.setdefault(kind, {})[key] = rid
    fields: dict[str, int] = {}
    if not by_type:
        return {}
    # only an R class of one of these kinds ("…/R$layout;") can hold one: the others are skipped in C
    suffixes = tuple(f"${kind};" for kind in by_type)
    classes = list(code.classes)
    for cls in itertools.compress(classes, map(operator.methodcaller("endswith", suffixes), classes)):
        if cls.endswith(";") and "/R$" in cls:
            kind = cls[cls.rindex("$") + 1 : -1]
            for key, rid in by_type.get(kind, {}).items():
                fields[f"{cls}->{key}"] = rid
    out: dict[str, tuple[int, str]] = {}
    if fields:
        for ref in code.field_reads(list(fields)):
            rid = fields.get(str(ref.target).split(":", 1)[0])
            if rid is not None:
                out.setdefault(ref.caller, (rid, ids[rid]))
    return out


def _webview_callers(apk: Any, code: Any, texts: list[str], asset_name: re.Pattern[str]) -> dict[str, str]:
    """Methods naming a bundled policy page (by file name) or loading a policy URL into a WebView."""
    out: dict[str, str] = {}
    needles = [t.encode("utf-8") for t in texts]
    pages: list[str] = []
    for name in getattr(apk, "assets", None) or []:
        if len(pages) >= MAX_ASSETS or not _ASSET_TEXT.search(name):
            continue
        base = name.rsplit("/", 1)[-1]
        if asset_name.search(base):
            pages.append(name[len("assets/") :])
            continue
        blob = _read(apk, name, MAX_ASSET_BYTES)
        if blob is not None and _has_text(blob, needles):
            pages.append(name[len("assets/") :])
    if pages:
        for ref in code.strings_containing(pages):
            target = str(ref.target)
            page = next((p for p in pages if p in target), None)
            if page is not None and ("android_asset/" in target or target == page):
                out.setdefault(ref.caller, f"assets/{page}")
    for ref in code.strings_starting_with(["http://", "https://"]):
        target = str(ref.target)
        path = target.split("?", 1)[0].split("//", 1)[-1]
        if "/" not in path or not asset_name.search(path.split("/", 1)[1]):
            continue
        try:
            callees = code.callgraph.callees(ref.caller)
        except (KeyError, LookupError):
            continue
        if any(x in c for c in callees for x in _LOAD_URL):
            out.setdefault(ref.caller, target[:120])
        if len(out) >= MAX_METHODS:
            break
    return out


def _offers_agree(code: Any, method: str, res: PolicyResources, agree_texts: list[str]) -> bool:
    """Whether a method of ``method``'s class loads an agree resource or an agree ``const-string``."""
    cls = method.split("->", 1)[0]
    for m in methods_of(code, cls)[:200] or [method]:
        if any(v in res.agree for v in method_literals(code, m)):
            return True
        if any(t in s for s in method_strings(code, m) for t in agree_texts):
            return True
    return False


def resource_dialogs(
    static: Any, code: Any, texts: list[str], asset_name: re.Pattern[str], agree_texts: list[str]
) -> tuple[list[str], list[str]]:
    """``(dialog methods, notes)``: methods showing the privacy dialog through a string/layout resource or a
    WebView page naming the policy; each note ``method <- what`` (the resource or page), then any bound reached."""
    apk = getattr(static, "apk", None)
    if apk is None or code is None:
        return [], []
    res = policy_resources(apk, texts, agree_texts)
    notes = list(res.notes)
    found: dict[str, str] = {}
    callers = _literal_callers(code, res.policy) if res.policy else {}
    for m, hit in (_field_callers(apk, code, res.policy) if res.policy else {}).items():
        callers.setdefault(m, hit)
    for m, (rid, what) in callers.items():
        if rid in res.agree or _offers_agree(code, m, res, agree_texts):
            found[m] = what
        elif len(notes) < 5:
            notes.append(f"{m} <- {what}: names the policy but offers no agree button (not a consent dialog)")
    for m, what in _webview_callers(apk, code, texts, asset_name).items():
        found.setdefault(m, what)
    methods = list(found)[:MAX_METHODS]
    return methods, [f"{m} <- {found[m]}" for m in methods] + notes
