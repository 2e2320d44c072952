"""What the screening detectors read besides the code index: text blobs and asset heads, bounded and lazy.

Contract: :class:`ScreenContext` wraps one app's :class:`~appwarden.evidence.StaticEvidence` and, when given, the
opened :class:`~appwarden.apk.Apk`. Nothing is executed; entries are read only through the APK reader (its size,
ratio and total limits apply) and each text source is capped (:data:`MAX_TEXT_FILES`, :data:`MAX_TEXT_BYTES`).
Asset heads are read from the zip's local data without inflating whole entries. Unreadable entries are skipped and
noted in ``notes`` (they become report ``errors`` with stage ``screening``).

Cost: text is searched in one multi-pattern (Aho-Corasick) pass per source, not one search per word. The DEX side
reads only the strings the code loads (``const-string`` ids from the static stage's code index, their MUTF-8 bytes
sliced from the string table: no decoding, no re-walking of the DEX), joined once per DEX; :meth:`ScreenContext.expect`
declares every needle the indicators will ask for, so one pass answers them all (a needle asked for later triggers
one more pass). Results are exactly those of a byte search of each needle's UTF-8 in each string's MUTF-8 bytes (the
code index's ``strings_containing``) and in each text file (tests/screening/test_search.py).
"""

from __future__ import annotations

import re
import struct
import zlib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import accumulate, compress, repeat
from typing import Any

from appwarden.dex import backend as walker_backend
from appwarden.errors import AppwardenError
from appwarden.evidence import Evidence, StaticEvidence
from appwarden.limits import check_deadline, deadline_monotonic

MAX_TEXT_FILES = 400  # layouts or bundled HTML files read per app
MAX_TEXT_BYTES = 8 * 1024 * 1024  # per text source kind
MAX_TEXT_FILE = 4 * 1024 * 1024  # a larger layout or HTML file is skipped (noted)
MAX_ASSETS = 2000  # asset heads read per app
MAX_NESTED_ZIPS = 50  # zip assets opened to look for an APK/JAR inside
MAX_NESTED_ZIP = 16 * 1024 * 1024
HEAD = 64
_LAYOUT = re.compile(r"^res/layout[^/]*/[^/]+\.xml$")
_HTML = re.compile(r"^assets/.+\.(?:html?|js)$", re.IGNORECASE)
_LFH = struct.Struct("<4sHHHHHIIIHH")
_SEP = b"\x00"  # joins a DEX's string bytes: no needle holds a NUL byte, so no match spans two strings


def case_variants(term: str) -> list[str]:
    """The spellings of a vocabulary term searched in DEX strings (as written, lower, Capitalized, UPPER)."""
    return list(dict.fromkeys((term, term.lower(), term.capitalize(), term.upper())))


def _as_bytes(text: str, encoding: str = "utf-8") -> str:
    """``text`` encoded, as latin-1 text (one char per byte): a byte search written as a str search."""
    return text.encode(encoding).decode("latin-1")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeError:
        return False
    return True


@lru_cache(maxsize=32)
def _automaton(keys: frozenset[str]) -> Any:
    """An Aho-Corasick automaton over the non-empty keys (each its own value); built once per key set."""
    import ahocorasick

    auto = ahocorasick.Automaton()
    for key in keys:
        if key:
            auto.add_word(key, key)
    if len(auto):
        auto.make_automaton()
    return auto


def _search(keys: frozenset[str], text: str) -> Iterable[tuple[int, str]]:
    """``(end index, key)`` of every occurrence of a key in ``text``."""
    auto = _automaton(keys)
    return auto.iter(text) if len(auto) and text else ()


@dataclass(slots=True)
class DexStrings:
    """The strings one DEX's code loads (``const-string``): their ids (ascending) and their MUTF-8 bytes, joined
    by NUL bytes into one latin-1 text (one char per byte), so a str search there is a byte search of each string,
    as the code index's ``strings_containing`` does."""

    code: Any  # appwarden.dex.index.DexCode
    ids: list[int]
    joined: str
    starts: list[int]  # index in ``joined`` where each string starts
    firsts: bytes  # the first byte of each string (NUL for the empty string)

    def position(self, index: int) -> int:
        """Which string (list position) holds ``joined[index]``."""
        return bisect_right(self.starts, index) - 1

    def value(self, k: int) -> str:
        """The decoded string at list position ``k`` (the DEX reader's cache)."""
        return str(self.code.dex.string(self.ids[k]))


def _data_start(data: bytes, pos: int, limit: int) -> int:
    """Where a string's bytes start after its ULEB128 length at ``pos``; -1 when the length is malformed."""
    for _ in range(5):
        if pos >= limit:
            return -1
        byte = data[pos]
        pos += 1
        if not byte & 0x80:
            return pos
    return -1


# byte value -> its 8 bits, least significant first, one byte each (a bitmap over ids -> one flag byte per id)
_BITS = [bytes((value >> k) & 1 for k in range(8)) for value in range(256)]


def _loaded_starts(code: Any) -> tuple[list[int], list[int]]:
    """The ids (ascending) of the strings one DEX's code loads (``const-string``: the code index's
    ``loaded_strings`` bitmap, unpacked with C-level maps) whose ``string_ids`` offset lies inside the DEX, and
    where each one's bytes start (after its ULEB128 length; -1 where the length cannot be read): what
    :func:`_dex_strings` and :func:`_dex_heads` both start from."""
    dex = code.dex
    size, data, limit = dex.string_ids_size, dex.data, dex.container_size
    ids = list(compress(range(size), b"".join(map(_BITS.__getitem__, code.loaded_strings))))
    offsets = list(map(dex.string_ids.__getitem__, ids))
    if offsets and max(offsets) >= limit:
        ids = [i for i, o in zip(ids, offsets, strict=True) if o < limit]
        offsets = [o for o in offsets if o < limit]
    starts = list(map((1).__add__, offsets))  # a length below 128 is one ULEB128 byte
    heads = bytes(map(data.__getitem__, offsets))
    if not heads.isascii():
        for k in (k for k, h in enumerate(heads) if h & 0x80):
            starts[k] = _data_start(data, offsets[k], limit)
    return ids, starts


def _dex_strings(code: Any) -> DexStrings:
    """One DEX's ``const-string`` strings, read from the code index's events and the string table without
    decoding them: C-level maps over the ids (a string whose data is malformed is left out, as the code index's
    byte search leaves it out). The ids are those of the code index's ``loaded_strings`` bitmap (every string id
    below the table size that a ``const-string`` event names; already built by the static stage's string
    searches), unpacked in C."""
    data, limit = code.dex.data, code.dex.container_size
    ids, starts = _loaded_starts(code)
    ends = list(map(data.find, repeat(b"\x00"), starts, repeat(limit)))
    if -1 in ends or -1 in starts:  # no NUL before the end, or a bad length: not a readable string
        kept = [k for k in range(len(ids)) if starts[k] >= 0 and ends[k] >= 0]
        ids, starts, ends = [ids[k] for k in kept], [starts[k] for k in kept], [ends[k] for k in kept]
    raw = _SEP.join(map(data.__getitem__, map(slice, starts, ends)))
    positions = list(accumulate(map((1).__add__, map(int.__sub__, ends, starts)), initial=0))[:-1]
    return DexStrings(code, ids, raw.decode("latin-1"), positions, bytes(map(data.__getitem__, starts)))


@dataclass(slots=True)
class DexHeads:
    """The strings one DEX's code loads (``const-string``), as far as a first-byte pre-filter needs them: their ids
    (ascending, those of :class:`DexStrings` before the end-of-string check), where each one's bytes start in the
    DEX and its first byte (``firsts``; a string whose bytes do not start inside the DEX is left out)."""

    code: Any  # appwarden.dex.index.DexCode
    ids: list[int]
    starts: list[int]  # offset in the DEX data of each string's first byte (after its ULEB128 length)
    firsts: bytes

    def readable(self, k: int) -> bool:
        """Whether string ``k`` (list position) ends with a NUL inside the DEX (:func:`_dex_strings` keeps only
        those)."""
        dex = self.code.dex
        return dex.data.find(b"\x00", self.starts[k], dex.container_size) >= 0

    def value(self, k: int) -> str:
        """The decoded string at list position ``k`` (the DEX reader's cache)."""
        return str(self.code.dex.string(self.ids[k]))


def _dex_heads(code: Any) -> DexHeads:
    """:class:`DexHeads` of one DEX: C-level maps over the loaded ids, no search for each string's end (the
    costliest step of :func:`_dex_strings`; :meth:`DexHeads.readable` checks it for the few strings that pass a
    pre-filter)."""
    data, limit = code.dex.data, code.dex.container_size
    ids, starts = _loaded_starts(code)
    if starts and (min(starts) < 0 or max(starts) >= limit):  # a bad length, or no byte left for the string
        kept = [k for k in range(len(ids)) if 0 <= starts[k] < limit]
        ids, starts = [ids[k] for k in kept], [starts[k] for k in kept]
    return DexHeads(code, ids, starts, bytes(map(data.__getitem__, starts)))


def _readable_string(dex: Any, i: int) -> bool:
    """Whether string id ``i`` is one :func:`_dex_strings` keeps: its data starts inside the DEX, its ULEB128
    length is well formed and a NUL ends its bytes inside the DEX."""
    limit = dex.container_size
    offset = dex.string_ids[i]
    if offset >= limit:
        return False
    start = _data_start(dex.data, offset, limit)
    return start >= 0 and dex.data.find(b"\x00", start, limit) >= 0


def _surely_readable(dex: Any) -> int:
    """An offset such that every string the substring kernel searches (its ``string_ids`` offset and ULEB128 length
    inside ``dex.data``) whose offset is at most this one is readable (:func:`_readable_string`), -1 when none is
    known so: when ``dex.data`` is the whole DEX (no v041 container tail), a NUL at or past a string's offset + 5
    (its length's longest encoding) ends its bytes inside the DEX, so the last NUL of the DEX, minus 5, is such an
    offset. Saves reading each hit string's end again (~2 400 strings on a 100 MB app)."""
    if dex.container_size != len(dex.data):
        return -1
    return max(dex.data.rfind(b"\x00") - 5, -1)


@lru_cache(maxsize=16)
def _first_bytes(first_byte: re.Pattern[bytes]) -> bytes:
    """Byte ``b`` of the result is 1 when ``first_byte`` matches the one byte ``b`` (what
    :meth:`ScreenContext.strings_where` asks of a string's first byte), else 0: one table read per string."""
    return bytes(1 if first_byte.match(bytes((b,))) else 0 for b in range(256))


def _substring_kernel() -> Callable[..., list[tuple[int, int]]]:
    """The multi-needle search of a DEX's strings: the DEX walker's ``find_substrings`` (the one kernel, shared with
    the code index's string references: in C, needles bucketed by their first two bytes and each string read once;
    else its pure-Python twin)."""
    from appwarden.dex import walker

    return walker.find_substrings  # type: ignore[no-any-return]


def _refs(code: Any, ids: Iterable[int]) -> list[Any]:
    """The ``const-string`` uses of the string ids in ``code``, in event order (as the code index builds them)."""
    from appwarden.dex.index import Ref
    from appwarden.dex.records import EV_STRING, EVENT_WORDS

    dex = code.dex
    refs = []
    for i in code.select(EV_STRING, ids, dex.string_ids_size):
        off, idx = code.events[i * EVENT_WORDS + 1], code.events[i * EVENT_WORDS + 2]
        refs.append(Ref(code.caller_of_event(i), dex.string(idx), code.name, off))
    return refs


class ScreenContext:
    """One app as the detectors see it (see the module docstring)."""

    def __init__(self, static: StaticEvidence, apk: Any = None) -> None:
        self.static = static
        self.apk = apk
        self.code = static.code
        self.manifest = static.manifest
        self.notes: list[str] = []
        self._owners: dict[str, bool] = {}
        self._nested = 0
        self._flow_leaks: list[Any] | None = None  # appwarden.screening.flow.find_leaks, run once per app
        self._expected_keys: set[str] = set()  # DEX-string needles the indicators will ask for (expect())
        self._expected_terms: set[str] = set()  # lower-cased vocabulary terms, searched in the text blobs
        self._expected_raw: set[bytes] = (
            set()
        )  # raw MUTF-8 needles (strings_where's pre-filter), C backend only
        self._raw_keys: frozenset[bytes] = frozenset()  # raw needles the C scan has answered
        self._keys: frozenset[str] = frozenset()  # needles the DEX pass has answered
        self._found: list[dict[int, set[str]]] = []  # per DEX: string id -> needles it contains
        self._by_needle: list[dict[str | bytes, list[int]]] | None = (
            None  # per DEX: needle -> ids (of _found)
        )
        self._terms: frozenset[str] = frozenset()  # terms the text-blob pass has answered
        self._blob_found: list[set[str]] = []  # per text blob: lower-cased terms it contains
        self._invokes: dict[tuple[tuple[str, ...], bool], list[Any]] = {}  # (apis, app code only) -> refs
        self.memo: dict[
            str, Any
        ] = {}  # detector results asked for by more than one indicator (name -> result)
        self._evidence: Evidence | None = None  # what owner_of reads (is_app_code), built on the first miss

    def expect(
        self, needles: Iterable[str] = (), terms: Iterable[str] = (), raw: Iterable[bytes] = ()
    ) -> None:
        """Declare DEX-string ``needles`` (exact) and vocabulary ``terms`` (as :meth:`find_text` takes them) that
        will be asked for, and the ``raw`` byte needles of a :meth:`strings_where` pre-filter, so the first search
        answers them all in one pass."""
        self._expected_raw.update(n for n in raw if n)
        for term in terms:  # a term that cannot be encoded fails in its own indicator, as before
            if _encodable(term):
                self._expected_keys.update(v for v in case_variants(term) if _encodable(v))
                self._expected_terms.add(term.lower())
        self._expected_keys.update(n for n in needles if _encodable(n))

    # -- code ownership ----------------------------------------------------------------------------------------

    def is_app_code(self, method_or_class: str) -> bool:
        """True for code the app itself ships and no known SDK or platform library owns (malware hides there)."""
        known = self._owners.get(method_or_class)  # a method or class asked before (keys: both kinds)
        if known is not None:
            return known
        cls = method_or_class.split("->", 1)[0]
        known = self._owners.get(cls)
        if known is None:  # the imports only on a miss: this runs per instruction of the data-flow walk
            from appwarden.dex.api_index import is_platform_library
            from appwarden.rules.static_support import owner_of

            if self._evidence is None:  # owner_of reads only ``static``: one Evidence for every miss
                self._evidence = Evidence(static=self.static)
            known = not is_platform_library(cls) and owner_of(self._evidence, cls) == "host"
            self._owners[cls] = known
        self._owners[method_or_class] = known
        return known

    def invokes(self, apis: Iterable[str], app_only: bool = True) -> list[Any]:
        """The code index's invokes of ``apis`` (through app subclasses), only those made in app code
        (:meth:`is_app_code`) when ``app_only``: asked of the code index once per API list and app (several indicators
        ask for the same list), a new list each time."""
        key = (tuple(apis), app_only)
        got = self._invokes.get(key)
        if got is None:
            refs = (
                self.code.invokes(list(key[0]), through_app_subclasses=True) if self.code is not None else []
            )
            got = self._invokes[key] = [r for r in refs if not app_only or self.is_app_code(r.caller)]
        return list(got)

    @cached_property
    def sorted_classes(self) -> list[str]:
        """The code index's class descriptors, sorted (built once per app, shared by the prefix queries of
        :meth:`classes_under` and the data-flow walk's nested classes)."""
        return sorted(self.code.classes) if self.code is not None else []

    def classes_under(self, prefixes: Iterable[str]) -> list[str]:
        """The classes of the code index whose descriptor starts with one of ``prefixes``, sorted, each once: the
        classes a ``startswith`` test of every class finds, by one bisection of :attr:`sorted_classes` per prefix
        (a 100 MB app defines ~88k classes; the prefixes name a few hundred)."""
        names = self.sorted_classes
        found: set[str] = set()
        for prefix in set(prefixes):
            i = bisect_left(names, prefix)
            while i < len(names) and names[i].startswith(prefix):
                found.add(names[i])
                i += 1
        return sorted(found)

    @cached_property
    def permissions(self) -> set[str]:
        return set(self.manifest.permissions) if self.manifest is not None else set()

    @cached_property
    def launcher_activities(self) -> set[str]:
        """Dotted names of activities (and aliases, with their targets) that show a launcher icon."""
        names: set[str] = set()
        for comp in self.manifest.components if self.manifest is not None else []:
            if comp.kind not in ("activity", "activity-alias"):
                continue
            for flt in comp.intent_filters:
                if (
                    "android.intent.action.MAIN" in flt.actions
                    and "android.intent.category.LAUNCHER" in flt.categories
                ):
                    names.add(comp.name)
                    if comp.target_activity:
                        names.add(comp.target_activity)
        return names

    # -- DEX strings ---------------------------------------------------------------------------------------------

    @cached_property
    def const_strings(self) -> list[DexStrings]:
        """Per DEX of the code index: the strings its code loads (read once, shared by every detector)."""
        out: list[DexStrings] = []
        for code in self.code.codes if self.code is not None else []:
            check_deadline()
            out.append(_dex_strings(code))
        return out

    @cached_property
    def const_heads(self) -> list[DexHeads]:
        """Per DEX of the code index: the ids and first bytes of the strings its code loads (for
        :meth:`strings_where`; cheaper than :attr:`const_strings`)."""
        out: list[DexHeads] = []
        for code in self.code.codes if self.code is not None else []:
            check_deadline()
            out.append(_dex_heads(code))
        return out

    def _answer(self, needles: set[str]) -> None:
        if needles <= self._keys:
            return
        if walker_backend() == "c":
            self._answer_c(needles)
            return
        keys = frozenset(self._keys | needles | self._expected_keys)
        by_bytes: dict[str, str] = {_as_bytes(n): n for n in keys}  # UTF-8 is injective: one needle per key
        found: list[dict[int, set[str]]] = []
        for ds in self.const_strings:
            check_deadline()
            hits: dict[int, set[str]] = {}
            for end, key in _search(frozenset(by_bytes), ds.joined):
                hits.setdefault(ds.ids[ds.position(end - len(key) + 1)], set()).add(by_bytes[key])
            found.append(hits)
        self._keys, self._found, self._by_needle = keys, found, None

    def _answer_c(self, needles: set[str], raw: set[bytes] | frozenset[bytes] = frozenset()) -> None:
        """:meth:`_answer` with the C extension: one C substring scan per DEX (:func:`_substring_kernel`, over the
        loaded strings only) for the needles not answered yet (all expected ones on the first call); a hit on a string :func:`_dex_strings` would leave out (malformed) is dropped, so
        the answers are those of the one-pass search."""
        from appwarden.dex import timed_out

        scan = _substring_kernel()
        new = sorted((needles | self._expected_keys) - self._keys)
        new_raw = sorted((raw | self._expected_raw) - self._raw_keys)
        labels: list[str | bytes] = [*new, *new_raw]  # a hit's needle as asked for (a raw needle: its bytes)
        encoded = [n.encode("utf-8") for n in new] + new_raw
        codes = self.code.codes if self.code is not None else []
        found = self._found or [{} for _c in codes]
        for code, hits in zip(codes, found, strict=True):
            check_deadline()
            dex = code.dex
            if not encoded or not any(code.loaded_strings):
                continue
            try:
                pairs = scan(
                    dex.data,
                    dex.string_ids_off,
                    dex.string_ids_size,
                    encoded,
                    deadline_monotonic(),
                    code.loaded_strings,
                )
            except TimeoutError:
                timed_out()
            readable: dict[int, bool] = {}
            sure, ids = _surely_readable(dex), dex.string_ids
            for i, k in pairs:
                ok = readable.get(i)
                if ok is None:
                    ok = readable[i] = ids[i] <= sure or _readable_string(dex, i)
                if ok:
                    hits.setdefault(i, set()).add(labels[k])
        self._keys, self._raw_keys, self._found = (
            self._keys | frozenset(new),
            self._raw_keys | frozenset(new_raw),
            found,
        )
        self._by_needle = None

    def _needle_ids(self) -> list[dict[str | bytes, list[int]]]:
        """Per DEX: needle -> the string ids holding it, the answers so far (:attr:`_found`) inverted once per
        pass, so each query reads only its own needles' ids."""
        if self._by_needle is None:
            self._by_needle = []
            for hits in self._found:
                by_needle: dict[str | bytes, list[int]] = {}
                for i, keys in hits.items():
                    for key in keys:
                        by_needle.setdefault(key, []).append(i)
                self._by_needle.append(by_needle)
        return self._by_needle

    def strings_containing(self, needles: Iterable[str]) -> list[Any]:
        """``const-string`` uses whose value contains one of the needles (the code index's
        ``strings_containing``, answered from one multi-pattern pass)."""
        wanted = {n for n in needles if n}
        if self.code is None or not wanted:
            return []
        self._answer(wanted)
        refs: list[Any] = []
        for code, by_needle in zip(self.code.codes, self._needle_ids(), strict=True):
            ids = {i for n in wanted for i in by_needle.get(n, ())}
            if ids:  # the code index selects the uses in event order, whatever the order of the ids
                refs += _refs(code, ids)
        return refs

    def strings_where(
        self,
        match: Callable[[str], bool],
        first_byte: re.Pattern[bytes],
        needles: Iterable[bytes] | None = None,
    ) -> list[Any]:
        """``const-string`` uses whose value satisfies ``match``. ``first_byte`` is a cheap pre-filter: a bytes
        pattern that must match the first MUTF-8 byte of every string ``match`` accepts; only those strings are
        decoded and tested. ``needles`` (optional), a second one: byte strings one of which the MUTF-8 bytes of
        every string ``match`` accepts contain; with the C extension only the strings holding one (found by the
        one C substring scan per DEX, with every other needle: declare them with :meth:`expect`) are looked at,
        not every loaded string's first byte (issue #19)."""
        if needles is not None and self.code is not None and walker_backend() == "c":
            return self._strings_where_c(match, first_byte, {n for n in needles if n})
        refs: list[Any] = []
        for ds in self.const_heads:
            check_deadline()
            ids = [
                ds.ids[k]
                for k in (m.start() for m in first_byte.finditer(ds.firsts))
                if ds.readable(k) and match(ds.value(k))
            ]
            if ids:
                refs += _refs(ds.code, ids)
        return refs

    def _strings_where_c(
        self, match: Callable[[str], bool], first_byte: re.Pattern[bytes], raw: set[bytes]
    ) -> list[Any]:
        if not raw <= self._raw_keys:
            self._answer_c(set(), raw)
        firsts = _first_bytes(first_byte)
        refs: list[Any] = []
        for code, by_needle in zip(self.code.codes, self._needle_ids(), strict=False):  # type: ignore[union-attr]
            check_deadline()
            dex = code.dex
            data, limit = dex.data, dex.container_size
            ids = []
            offsets = dex.string_ids
            for i in sorted({i for n in raw for i in by_needle.get(n, ())}):
                off = offsets[i]  # readable: _answer_c kept only those (a byte at start, before its NUL)
                start = off + 1 if data[off] < 0x80 else _data_start(data, off, limit)
                if firsts[data[start]] and match(str(dex.string(i))):
                    ids.append(i)
            if ids:
                refs += _refs(code, ids)
        return refs

    # -- text --------------------------------------------------------------------------------------------------

    def _read(self, name: str) -> bytes | None:
        if self.apk is None:
            return None
        try:
            return bytes(self.apk.read(name))
        except AppwardenError as exc:
            self.notes.append(f"{name}: not read for screening: {exc}")
            return None

    def _blobs(self, pattern: re.Pattern[str]) -> list[tuple[str, bytes]]:
        out: list[tuple[str, bytes]] = []
        total = 0
        for name in self.static.entry_names:
            if not pattern.match(name):
                continue
            if len(out) >= MAX_TEXT_FILES or total >= MAX_TEXT_BYTES:
                self.notes.append(f"text sources capped at {len(out)} files matching {pattern.pattern}")
                break
            if self._size(name) > MAX_TEXT_FILE:
                self.notes.append(
                    f"{name}: over {MAX_TEXT_FILE // (1024 * 1024)} MB, not searched for screening"
                )
                continue
            data = self._read(name)
            if data:
                out.append((name, data))
                total += len(data)
        return out

    @cached_property
    def text_blobs(self) -> list[tuple[str, str, bytes]]:
        """``(source kind, entry, lower-cased bytes)`` for resources.arsc, compiled layouts and bundled HTML/JS.

        Compiled XML string pools hold UTF-8 or UTF-16LE; search both encodings (:meth:`find_text`)."""
        blobs: list[tuple[str, str, bytes]] = []
        if "resources.arsc" in self.static.entry_names:
            data = self._read("resources.arsc")
            if data:
                blobs.append(("resources", "resources.arsc", data.lower()))
        blobs += [("layout", n, d.lower()) for n, d in self._blobs(_LAYOUT)]
        blobs += [("html", n, d.lower()) for n, d in self._blobs(_HTML)]
        return blobs

    def find_text(self, terms: list[str]) -> dict[str, list[dict[str, Any]]]:
        """For each term found anywhere in the app's text: where (first few places). Case-insensitive for ASCII.

        Sources: ``const-string`` literals of the bytecode (with their method) and :attr:`text_blobs`."""
        found: dict[str, list[dict[str, Any]]] = {}
        lowered = [(t, t.lower()) for t in terms]
        if self.code is not None and terms:
            needles = {v for t in terms for v in case_variants(t)}
            in_value: dict[
                str, list[str]
            ] = {}  # string -> the terms it holds (a string loaded at many sites)
            for ref in self.strings_containing(needles):
                value = str(ref.target)
                held = in_value.get(value)
                if held is None:
                    low = value.lower()
                    held = in_value[value] = [t for t, t_low in lowered if t_low in low]
                for t in held:
                    places = found.setdefault(t, [])
                    if len(places) < 3:
                        places.append(
                            {"source": "dex", "caller": ref.caller, "dex": ref.dex, "text": value[:120]}
                        )
        blobs = self.text_blobs
        if blobs and terms:
            self._answer_terms({t_low for _t, t_low in lowered})
        for (kind, name, _blob), present in zip(blobs, self._blob_found, strict=False):
            for t, t_low in lowered:
                if t_low in present:
                    places = found.setdefault(t, [])
                    if len(places) < 3:
                        places.append({"source": kind, "path": name})
        return found

    def _answer_terms(self, lows: set[str]) -> None:
        """Which lower-cased terms each text blob holds (UTF-8 or UTF-16LE bytes), in one pass over all blobs
        (joined; an occurrence that straddles two blobs is in neither and is dropped)."""
        if lows <= self._terms:
            return
        terms = frozenset(self._terms | lows | self._expected_terms)
        by_key: dict[str, set[str]] = {}
        for low in terms:
            for key in (_as_bytes(low), _as_bytes(low, "utf-16-le")):
                by_key.setdefault(key, set()).add(low)
        empty = {low for low in terms if not low}  # the empty term is in every blob, as ``b"" in blob`` is
        blobs = [blob for _kind, _name, blob in self.text_blobs]
        found: list[set[str]] = [set(empty) for _b in blobs]
        starts = list(accumulate(map((1).__add__, map(len, blobs)), initial=0))
        check_deadline()
        for end, key in _search(frozenset(by_key), b"\x00".join(blobs).decode("latin-1")):
            b = bisect_right(starts, end - len(key) + 1) - 1
            if end < starts[b + 1] - 1:  # the blob's last byte is at starts[b + 1] - 2
                found[b] |= by_key[key]
        self._terms, self._blob_found = terms, found

    # -- assets ------------------------------------------------------------------------------------------------

    @cached_property
    def asset_heads(self) -> list[tuple[str, bytes]]:
        """The first :data:`HEAD` bytes of each asset (at most :data:`MAX_ASSETS`), read without inflating it all."""
        if self.apk is None:
            return []
        out: list[tuple[str, bytes]] = []
        for name in self.static.assets[:MAX_ASSETS]:
            head = self._head(name)
            if head:
                out.append((name, head))
        if len(self.static.assets) > MAX_ASSETS:
            self.notes.append(
                f"only the first {MAX_ASSETS} of {len(self.static.assets)} assets were screened"
            )
        return out

    def _head(self, name: str) -> bytes | None:
        archive = self.apk.archive
        try:
            entry = archive.info(name)
            buf = archive.buffer
            pos = entry.local_header_offset
            sig, *_rest, nlen, xlen = _LFH.unpack_from(buf, pos)
            if sig != b"PK\x03\x04":
                return None
            start = pos + _LFH.size + nlen + xlen
            if entry.method == 0:
                return bytes(buf[start : start + min(HEAD, entry.uncompressed_size)])
            if entry.method == 8:
                raw = bytes(buf[start : start + min(entry.compressed_size, 4096)])
                return zlib.decompressobj(-15).decompress(raw, HEAD)
        except (AppwardenError, KeyError, struct.error, zlib.error, ValueError, IndexError):
            self.notes.append(f"{name}: asset head not readable")
        return None

    def _size(self, name: str) -> int:
        try:
            return int(self.apk.archive.info(name).uncompressed_size)
        except (AppwardenError, KeyError, AttributeError):
            return 0

    def entry_contains(self, name: str, needles: list[bytes]) -> bool:
        """Whether a zip asset contains any of the byte strings (e.g. an APK inside an asset). Bounded: at most
        :data:`MAX_NESTED_ZIPS` entries of at most :data:`MAX_NESTED_ZIP` bytes each are read (others noted)."""
        self._nested += 1
        if self._nested > MAX_NESTED_ZIPS or self._size(name) > MAX_NESTED_ZIP:
            self.notes.append(f"{name}: zip asset not opened for screening (over the bounds)")
            return False
        data = self._read(name)
        return bool(data) and any(n in data for n in needles)  # type: ignore[operator]
