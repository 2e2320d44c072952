"""The third-party SDK knowledge base (第三方SDK清单 data): ``knowledge/sdks/{curated,imported}/<id>.yaml``.

One SDK per file. ``imported/`` is written by ``scripts/import_sdks.py`` from permissively licensed data sets
(LibChecker-Rules, LibRadar, apk-analyzer); ``curated/`` is edited by hand. **A curated file wins over an imported one
with the same id.** Every record carries ``source`` (``curated`` or a list of data sets with the facts taken from
each), so every shipped fact can be traced.

Record schema (all keys present after loading; lists may be empty)::

    id: umeng_analytics                 # == file stem, [a-z0-9_]+
    name_zh / name_en / vendor: str
    category: one of CATEGORIES
    chinese: bool
    signatures:
      packages: [com.umeng.analytics]   # dotted package or class prefixes, matched on package boundaries
      manifest_components: [cn.jpush.android.service.PushService, com.x.y.*, "re:<regex>"]
      meta_data_keys: [UMENG_APPKEY]    # <meta-data android:name> in <application> or a component
      native_libs: [libjcore.so, "re:libjcore(.*)\\.so"]   # file name of lib/<abi>/<name>.so
      assets: [assets/tbs, "assets/libjiagu*.so"]          # entry path, a folder prefix or a glob
    domains: [umeng.com]
    pi_collected: [android_id, oaid]    # category keys of knowledge/pi_apis.yaml
    permissions: [android.permission.READ_PHONE_STATE]
    privacy_policy_url: str | null
    version_hints: [{kind: static_field|const_string|meta_data, class: dotted, field|pattern|key: str}]
    source: curated | [{dataset, repo, commit, licence, facts: [...]}]

Package prefixes are normalised to dotted form on load (``Lcom/umeng/analytics`` -> ``com.umeng.analytics``).
:func:`load_kb` parses every file once per process (and again only when a file's mtime or the file set changes).
Parsing ~440 YAML files costs 0.25-0.9 s (libyaml, measured on a shared 2-core machine by ``bench/sdk_eval.py``),
so the validated records are also kept in a cache file (``$APPWARDEN_CACHE_DIR`` or ``~/.cache/appwarden``),
keyed by a hash of every file's path, size and mtime and the Python version: the records' field values in
:mod:`marshal` form (plain data, no code runs on load), one tuple per record; reading it takes ~3 ms (the JSON
form it replaced took ~8 ms, a cost every cold ``appwarden scan`` pays). A stale, unreadable or damaged cache is
ignored and rewritten; ``APPWARDEN_NO_CACHE=1`` disables it.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appwarden.errors import KnowledgeError
from appwarden.knowledge import KNOWLEDGE_DIR, load_yaml, pi_categories
from appwarden.knowledge.cache import cache_dir, read_bytes, write_bytes

SDK_DIR = KNOWLEDGE_DIR / "sdks"
TIERS = ("imported", "curated")  # load order: later tiers override earlier ones on id clashes

CATEGORIES = (
    "push",
    "analytics",
    "advertising",
    "map_location",
    "payment",
    "social_login_share",
    "crash_apm",
    "hot_update",
    "security_packer",
    "customer_service",
    "other",
)
CATEGORY_NAMES_ZH = {
    "push": "推送",
    "analytics": "统计分析",
    "advertising": "广告",
    "map_location": "地图定位",
    "payment": "支付",
    "social_login_share": "登录分享",
    "crash_apm": "崩溃监控/性能",
    "hot_update": "热更新",
    "security_packer": "安全加固",
    "customer_service": "客服",
    "other": "其他",
}
SIGNATURE_KINDS = ("packages", "manifest_components", "meta_data_keys", "native_libs", "assets")
VERSION_HINT_KINDS = ("static_field", "const_string", "meta_data")
_ID_RE = re.compile(r"[a-z0-9][a-z0-9_]*")
_DOTTED_RE = re.compile(r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*")


@dataclass(frozen=True, slots=True)
class SdkRecord:
    """One SDK of the knowledge base (validated, normalised)."""

    id: str
    name_zh: str
    name_en: str
    vendor: str
    category: str
    chinese: bool
    packages: tuple[str, ...] = ()
    manifest_components: tuple[str, ...] = ()
    meta_data_keys: tuple[str, ...] = ()
    native_libs: tuple[str, ...] = ()
    assets: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    pi_collected: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()
    privacy_policy_url: str | None = None
    version_hints: tuple[dict[str, str], ...] = ()
    source: Any = None
    path: str = ""
    curated: bool = False

    def signatures(self) -> dict[str, tuple[str, ...]]:
        return {kind: getattr(self, kind) for kind in SIGNATURE_KINDS}

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "vendor": self.vendor,
            "category": self.category,
            "chinese": self.chinese,
            "signatures": {k: list(v) for k, v in self.signatures().items()},
            "domains": list(self.domains),
            "pi_collected": list(self.pi_collected),
            "permissions": list(self.permissions),
            "privacy_policy_url": self.privacy_policy_url,
            "version_hints": [dict(h) for h in self.version_hints],
            "source": self.source,
            "path": self.path,
        }


@dataclass(slots=True)
class KnowledgeBase:
    """All SDK records by id, plus what the loader noticed (overridden imported files)."""

    sdks: dict[str, SdkRecord]
    directory: str = ""
    overridden: list[tuple[str, str]] = field(default_factory=list)  # (imported path, curated path)
    compiled: dict[str, Any] = field(
        default_factory=dict, repr=False, compare=False
    )  # matcher tables, built once

    def __len__(self) -> int:
        return len(self.sdks)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.sdks.values())

    def __contains__(self, sdk_id: object) -> bool:
        return sdk_id in self.sdks

    def get(self, sdk_id: str) -> SdkRecord | None:
        return self.sdks.get(sdk_id)


def normalise_package(value: str) -> str:
    """``Lcom/umeng/analytics;`` / ``com/umeng/analytics/`` / ``com.umeng.analytics.`` -> ``com.umeng.analytics``."""
    value = value.strip()
    if value.startswith("L") and ("/" in value or value.endswith(";")):
        value = value[1:]
    return value.replace("/", ".").rstrip(".;")


def line_of(path: str | Path, needle: str) -> int:
    """1-based line of the first occurrence of ``needle`` in the file (1 when absent); for file:line messages."""
    try:
        for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if needle in line:
                return number
    except (OSError, UnicodeDecodeError):
        pass
    return 1


def _str_list(data: dict[str, Any], key: str, path: Path) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise KnowledgeError(f"{path}:{line_of(path, key + ':')}: '{key}' must be a list of strings")
    return tuple(value)


def parse_record(data: Any, path: Path, *, curated: bool) -> SdkRecord:
    """Validate one parsed YAML document; raise KnowledgeError("<file>:<line>: ...") when it is malformed."""
    if not isinstance(data, dict):
        raise KnowledgeError(f"{path}:1: an SDK file must be a mapping")
    for key in ("id", "name_zh", "name_en", "category"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise KnowledgeError(f"{path}:{line_of(path, key + ':')}: missing or empty '{key}'")
    sdk_id = data["id"]
    if not _ID_RE.fullmatch(sdk_id):
        raise KnowledgeError(f"{path}:{line_of(path, 'id:')}: bad id {sdk_id!r} (use [a-z0-9_])")
    if path.stem != sdk_id:
        raise KnowledgeError(f"{path}:{line_of(path, 'id:')}: id {sdk_id!r} does not match the file name")
    if data["category"] not in CATEGORIES:
        raise KnowledgeError(f"{path}:{line_of(path, 'category:')}: unknown category {data['category']!r}")
    if not isinstance(data.get("chinese", False), bool):
        raise KnowledgeError(f"{path}:{line_of(path, 'chinese:')}: 'chinese' must be true or false")
    sigs = data.get("signatures") or {}
    if not isinstance(sigs, dict):
        raise KnowledgeError(f"{path}:{line_of(path, 'signatures:')}: 'signatures' must be a mapping")
    unknown = set(sigs) - set(SIGNATURE_KINDS)
    if unknown:
        raise KnowledgeError(
            f"{path}:{line_of(path, sorted(unknown)[0])}: unknown signature kind {sorted(unknown)[0]!r}"
        )
    lists = {kind: _str_list(sigs, kind, path) for kind in SIGNATURE_KINDS}
    packages = []
    for pkg in lists["packages"]:
        norm = normalise_package(pkg)
        if not _DOTTED_RE.fullmatch(norm):
            raise KnowledgeError(f"{path}:{line_of(path, pkg)}: bad package prefix {pkg!r}")
        packages.append(norm)
    for kind in ("manifest_components", "native_libs"):
        for value in lists[kind]:
            if value.startswith("re:"):
                try:
                    re.compile(value[3:])
                except re.error as exc:
                    raise KnowledgeError(
                        f"{path}:{line_of(path, value)}: bad regex {value!r}: {exc}"
                    ) from None
    if not any(lists.values()):
        raise KnowledgeError(f"{path}:{line_of(path, 'signatures:')}: SDK has no signature at all")
    pi = _str_list(data, "pi_collected", path)
    known_pi = pi_categories()
    for key in pi:
        if key not in known_pi:
            raise KnowledgeError(f"{path}:{line_of(path, '- ' + key)}: unknown PI category {key!r}")
    hints = data.get("version_hints") or []
    if not isinstance(hints, list) or not all(
        isinstance(h, dict) and h.get("kind") in VERSION_HINT_KINDS for h in hints
    ):
        raise KnowledgeError(
            f"{path}:{line_of(path, 'version_hints:')}: bad version_hints (kinds: {VERSION_HINT_KINDS})"
        )
    source = data.get("source")
    if not source:
        raise KnowledgeError(
            f"{path}:{line_of(path, 'source:')}: missing 'source' (where each fact came from)"
        )
    url = data.get("privacy_policy_url")
    return SdkRecord(
        id=sdk_id,
        name_zh=data["name_zh"].strip(),
        name_en=data["name_en"].strip(),
        vendor=str(data.get("vendor") or "unknown"),
        category=data["category"],
        chinese=bool(data.get("chinese", False)),
        packages=tuple(dict.fromkeys(packages)),
        manifest_components=lists["manifest_components"],
        meta_data_keys=lists["meta_data_keys"],
        native_libs=lists["native_libs"],
        assets=lists["assets"],
        domains=_str_list(data, "domains", path),
        pi_collected=pi,
        permissions=_str_list(data, "permissions", path),
        privacy_policy_url=str(url) if url else None,
        version_hints=tuple({str(k): str(v) for k, v in h.items()} for h in hints),
        source=source,
        path=str(path),
        curated=curated,
    )


def _files(directory: Path) -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    for tier in TIERS:
        found += [(tier, p) for p in sorted((directory / tier).glob("*.yaml"))]
    # loose files directly under sdks/ count as curated (hand-written)
    found += [("curated", p) for p in sorted(directory.glob("*.yaml"))]
    return found


def load_directory(directory: Path) -> KnowledgeBase:
    """Parse every SDK file under ``directory`` (no caching). Duplicate ids inside one tier are an error."""
    if not directory.is_dir():
        raise KnowledgeError(f"{directory}: SDK knowledge directory not found")
    sdks: dict[str, SdkRecord] = {}
    seen_tier: dict[str, str] = {}
    overridden: list[tuple[str, str]] = []
    for tier, path in _files(directory):
        record = parse_record(load_yaml(path), path, curated=tier == "curated")
        previous = sdks.get(record.id)
        if previous is not None:
            if seen_tier[record.id] == tier:
                raise KnowledgeError(
                    f"{path}:{line_of(path, 'id:')}: duplicate SDK id {record.id!r} (also {previous.path})"
                )
            overridden.append((previous.path, record.path))
        sdks[record.id] = record
        seen_tier[record.id] = tier
    return KnowledgeBase(sdks=dict(sorted(sdks.items())), directory=str(directory), overridden=overridden)


_CACHE: dict[str, tuple[tuple[tuple[str, int, int], ...], KnowledgeBase]] = {}  # path -> (quick stamp, KB)
_LOCK = threading.Lock()
_CACHE_FORMAT = 2  # 2: marshal of field-value tuples (1 was JSON of field dicts)


def _stamp(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """(path, size, mtime) of every file :func:`_files` reads, in the same order (os.scandir: this runs at the
    start of every scan, and pathlib globbing of ~430 files cost ~10 ms)."""
    out = []
    for folder in (*(directory / t for t in TIERS), directory):
        rows = []
        try:
            with os.scandir(folder) as it:
                for entry in it:
                    if entry.name.endswith(".yaml"):
                        try:
                            st = entry.stat()
                        except OSError:  # removed while we looked (the importer rewriting imported/)
                            continue
                        if not entry.is_dir():
                            rows.append((entry.path, st.st_size, st.st_mtime_ns))
        except OSError:
            continue
        out += sorted(rows)
    return tuple(out)


def _quick_stamp(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """Cheap per-call freshness check: mtimes and entry counts of the KB folders (adding, removing or renaming a
    file changes them; editors that save by rename do too). A long-running process does not notice an in-place
    edit of an existing file until restart - the on-disk JSON cache, keyed by every file's stamp, does."""
    out = []
    for folder in (directory, *(directory / t for t in TIERS)):
        try:
            st = folder.stat()
            out.append((str(folder), st.st_mtime_ns, len(os.listdir(folder))))
        except OSError:
            out.append((str(folder), 0, 0))
    return tuple(out)


def _cache_file(directory: Path, stamp: tuple[tuple[str, int, int], ...]) -> Path | None:
    base = cache_dir()
    if base is None:
        return None
    key = (_CACHE_FORMAT, str(directory.resolve()), stamp, sys.version, marshal.version)
    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:24]
    return base / f"sdk-kb-{digest}.marshal"


def _read_cache(path: Path | None) -> KnowledgeBase | None:
    """The knowledge base in the cache file ``path``; None when it is absent, damaged or of another layout."""
    raw = read_bytes(path)
    if raw is None:
        return None
    try:
        data = marshal.loads(raw)
        if data["fields"] != SdkRecord.__slots__:  # type: ignore[attr-defined]  # the record layout changed
            return None
        sdks = {}
        for values in data["sdks"]:
            record = SdkRecord(*values)
            sdks[record.id] = record
        return KnowledgeBase(
            sdks=sdks, directory=data["directory"], overridden=[tuple(x) for x in data["overridden"]]
        )
    except (ValueError, KeyError, TypeError, EOFError, IndexError, AttributeError):
        return None


def _write_cache(path: Path | None, kb: KnowledgeBase) -> None:
    fields = SdkRecord.__slots__  # type: ignore[attr-defined]
    data = {
        "fields": fields,
        "directory": kb.directory,
        "overridden": [tuple(x) for x in kb.overridden],
        "sdks": [tuple(getattr(rec, f) for f in fields) for rec in kb.sdks.values()],
    }
    try:
        raw = marshal.dumps(data)
    except ValueError:  # a value marshal cannot hold: no cache, the files are parsed every time
        return
    write_bytes(path, raw)


def load_kb(directory: str | Path | None = None) -> KnowledgeBase:
    """The SDK knowledge base, parsed once per process and re-parsed only when its files change.

    Raises KnowledgeError naming file and line when any file is malformed.
    """
    path = Path(directory) if directory is not None else SDK_DIR
    key = str(path.resolve())
    quick = _quick_stamp(path)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None and cached[0] == quick:
            return cached[1]
        stamp = _stamp(path) if path.is_dir() else ()
        cache_file = _cache_file(path, stamp) if stamp else None
        kb = _read_cache(cache_file)
        if kb is None:
            kb = load_directory(path)
            _write_cache(cache_file, kb)
        _CACHE[key] = (quick, kb)
        return kb
