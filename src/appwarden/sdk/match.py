"""Which third-party SDKs an app contains, and which SDK owns a given class.

Matching rules (the contract, tested in ``tests/sdk/test_match.py``):

* **Package boundaries, never raw string prefixes.** Class names are split into components
  (``Lcom/umeng/analytics/MobclickAgent;`` -> ``com``, ``umeng``, ``analytics``, ``MobclickAgent``; an inner class
  ``Foo$1`` counts as ``Foo``) and looked up in a prefix *trie of components*. ``com.dv`` therefore matches
  ``com.dv.Foo`` and ``com.dv.x.Bar`` but never ``com.dvx.Foo``. A prefix may name a class (``com.stub.StubApp``).
* **Longest prefix wins.** ``com.huawei.hms.push.X`` belongs to the SDK owning ``com.huawei.hms.push`` even when
  another SDK owns ``com.huawei.hms``. A lookup costs O(depth of the class name).
* **Partial obfuscation.** Renamed classes below a known package root (``com.umeng.a.b``) still match the root.
* **The host app's own package is never attributed to an SDK whose prefix is a parent of (or equal to) it.**
  For app ``com.tencent.foo`` a class ``com.tencent.foo.Main`` stays ``host`` even if some SDK owned
  ``com.tencent``; only a prefix *deeper* than the app package (``com.tencent.foo.sdk`` if an SDK owned that) counts.
  Demo apps inside an SDK's namespace (app ``com.umeng.example``) are thus host code, while their bundled
  ``com.umeng.analytics`` classes are still UMeng.
* Manifest components (exact name, ``prefix.*`` or ``re:<regex>``), ``<meta-data>`` keys (application or
  component level), native libraries (``lib/<abi>/<name>.so`` file name, exact or ``re:``) and asset paths
  (exact, folder prefix or glob) are further signature kinds; each hit is listed in ``SdkHit.matched``.

A version is reported when one of the SDK's ``version_hints`` resolves: a ``<meta-data>`` value, or - when a
``CodeIndex`` is given - a static field's constant / a version-looking const-string in a named class.
"""

from __future__ import annotations

import fnmatch
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import compress, repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from appwarden.evidence import SdkHit
from appwarden.limits import check_deadline
from appwarden.sdk.kb import KnowledgeBase, SdkRecord, load_kb
from appwarden.sdk.versions import static_field_value

if TYPE_CHECKING:
    from appwarden.apk.model import Manifest

HOST = "host"
_VERSION_RE = re.compile(r"^v?\d+(\.\d+){1,3}([._-][0-9A-Za-z]+)*$")
_SDK = "\x00sdk"  # trie node keys that cannot be package components
_PREFIX = "\x00prefix"


def _heads(names: list[str] | tuple[str, ...]) -> list[str]:
    """``name.rpartition("/")[0]`` of each name: in C when the DEX walker has it (no tuple and no tail string per
    class, each distinct head one object: ~4x faster over the 75 000 classes of a 100 MB app, and the Counter of the
    heads then hashes each once)."""
    if isinstance(names, list):
        # (imported here: the DEX engine is no cost of this module's import)
        from appwarden.dex import walker

        kernel = getattr(walker, "rpartition_heads", None)
        got = kernel(names, "/") if kernel is not None else None
        if got is not None:
            return got
    return list(map(itemgetter(0), map(str.rpartition, names, repeat("/"))))


def class_components(name: str) -> list[str]:
    """Components of a class name given as a smali descriptor, a dotted name or a slashed internal name."""
    name = name.strip()
    if name.startswith("L") and name.endswith(";"):
        name = name[1:-1]
    elif name.startswith("["):  # array type: look at the element type
        return class_components(name.lstrip("["))
    parts = name.replace("/", ".").split(".")
    if parts:
        parts[-1] = parts[-1].split("$", 1)[0]
    return [p for p in parts if p]


def package_components(package: str | None) -> list[str]:
    return [p for p in (package or "").split(".") if p]


def _package_of(class_name: str) -> str:
    return ".".join(class_components(class_name)[:-1])


class Matcher:
    """A compiled index over a knowledge base: package trie plus manifest/native-lib/asset tables.

    Build once per process (``Matcher(load_kb())``) and reuse for every app; it holds no per-app state.
    """

    def __init__(self, kb: KnowledgeBase | None = None) -> None:
        self.kb = kb if kb is not None else load_kb()
        tables = self.kb.compiled.get("matcher")
        if tables is not None:  # another Matcher over the same (cached) KB already built the index
            self.__dict__.update(tables)
            return
        self._trie: dict[str, Any] = {}
        self._components: dict[str, list[str]] = defaultdict(list)
        self._component_prefixes: list[tuple[str, str]] = []
        self._component_regexes: list[tuple[re.Pattern[str], str, str]] = []
        self._meta: dict[str, list[str]] = defaultdict(list)
        self._libs: dict[str, list[str]] = defaultdict(list)
        self._lib_regexes: list[tuple[re.Pattern[str], str, str]] = []
        self._assets: list[tuple[str, str]] = []
        for sdk in self.kb:
            self._add(sdk)
        self.kb.compiled["matcher"] = {k: v for k, v in self.__dict__.items() if k != "kb"}

    # -- building ----------------------------------------------------------------------------------------------
    def _add(self, sdk: SdkRecord) -> None:
        for prefix in sdk.packages:
            node = self._trie
            for part in prefix.split("."):
                node = node.setdefault(part, {})
            # two SDKs claiming the very same prefix is a KB error (``appwarden sdk check``); first one wins here
            node.setdefault(_SDK, sdk.id)
            node.setdefault(_PREFIX, prefix)
        for comp in sdk.manifest_components:
            if comp.startswith("re:"):
                self._component_regexes.append((re.compile(comp[3:]), sdk.id, comp))
            elif comp.endswith("*"):
                self._component_prefixes.append((comp[:-1], sdk.id))
            else:
                self._components[comp].append(sdk.id)
        for key in sdk.meta_data_keys:
            self._meta[key].append(sdk.id)
        for lib in sdk.native_libs:
            if lib.startswith("re:"):
                self._lib_regexes.append((re.compile(lib[3:]), sdk.id, lib))
            else:
                self._libs[lib].append(sdk.id)
        for asset in sdk.assets:
            self._assets.append((asset, sdk.id))

    # -- class ownership ---------------------------------------------------------------------------------------
    def match_class(self, class_name: str) -> tuple[str, str, int] | None:
        """(sdk id, matched prefix, prefix depth) of the longest KB prefix owning the class, ignoring the host rule."""
        node = self._trie
        best: tuple[str, str, int] | None = None
        parts = class_components(class_name)
        for depth, part in enumerate(parts, 1):
            node = node.get(part)  # type: ignore[assignment]
            if node is None:
                break
            sdk_id = node.get(_SDK)
            # The last component is the class's own name: it matches only a class-level prefix (upper-case
            # initial, as in identify()), never a package prefix (class ``com.mob`` is not in package ``com.mob``).
            if sdk_id is not None and (depth < len(parts) or part[:1].isupper()):
                best = (sdk_id, node[_PREFIX], depth)
        return best

    def _package_entry(
        self, pkg: str, hosts: frozenset[tuple[str, ...]], longest_host: int
    ) -> tuple[Any, Any, int, int]:
        """For a slashed package: (longest KB match, {child name: trie node} of KB prefixes one level below the
        package (candidate class-level prefixes) or None, the package depth, depth of the host namespace containing
        the package or 0). ``hosts``: the host namespaces as component tuples (:func:`_host_set`), the longest
        ``longest_host`` components long."""
        parts = pkg.split("/")
        node: dict[str, Any] | None = self._trie
        best: tuple[str, str, int] | None = None
        for depth, part in enumerate(parts, 1):
            node = node.get(part)  # type: ignore[union-attr]
            if node is None:
                break
            sdk_id = node.get(_SDK)
            if sdk_id is not None:
                best = (sdk_id, node[_PREFIX], depth)
        # the longest host namespace the package lies in: one set lookup per depth, not one comparison per host
        host_depth = 0
        for n in range(min(len(parts), longest_host), 0, -1):
            if tuple(parts[:n]) in hosts:
                host_depth = n
                break
        leaves = None
        if node is not None:
            # children that are KB prefixes and look like class names (Java: upper-case initial)
            leaves = {k: v for k, v in node.items() if k[:1].isupper() and _SDK in v} or None
        return best, leaves, len(parts), host_depth

    def host_packages(self, manifest: Manifest | None, app_package: str | None = None) -> list[str]:
        """The host app's own namespaces: the manifest package, plus the packages of the application class and of
        the launcher activities when those are not SDK components (a demo app declared as ``com.x.demo`` whose code
        lives in ``cn.vendor.demo`` keeps ``cn.vendor.demo`` as host code)."""
        found: list[str] = []
        package = app_package or (manifest.package if manifest is not None else None)
        if package:
            found.append(package)
        if manifest is None:
            return found
        names = [manifest.application_class] if manifest.application_class else []
        for comp in manifest.components:
            if comp.kind in ("activity", "activity-alias") and any(
                "android.intent.category.LAUNCHER" in f.categories for f in comp.intent_filters
            ):
                names.append(comp.target_activity or comp.name)
        for name in names:
            if not name or self._is_sdk_component(name):
                continue
            pkg = _package_of(name)
            if pkg and pkg.count(".") >= 1 and pkg not in found:
                found.append(pkg)
        return found

    def _is_sdk_component(self, name: str) -> bool:
        if name in self._components:
            return True
        if any(name.startswith(p) for p, _ in self._component_prefixes):
            return True
        hit = self.match_class(name)
        return hit is not None and hit[2] > len(
            package_components(_package_of(name))
        )  # a class-level KB prefix

    def owner_of(self, class_name: str, app_package: str | Iterable[str] | None = None) -> str:
        """The SDK id owning ``class_name`` (smali descriptor or dotted), or ``"host"``. O(depth) per lookup.

        ``app_package`` (the manifest package, or a list from :meth:`host_packages`) protects the host's own
        namespace: a class under it is host unless a KB prefix *deeper* than that package matches.
        """
        hit = self.match_class(class_name)
        if hit is None:
            return HOST
        if app_package and _under_any_host(class_name, app_package, hit[2]):
            return HOST
        return hit[0]

    # -- identification ----------------------------------------------------------------------------------------
    def identify(
        self,
        class_names: Iterable[str],
        manifest: Manifest | None = None,
        entry_names: Iterable[str] = (),
        *,
        code: Any = None,
        app_package: str | None = None,
    ) -> list[SdkHit]:
        """The SDKs present in one app, with the signatures that matched and the number of classes they own.

        ``class_names``: classes *defined* in the app's DEX files (smali descriptors). ``manifest``: the parsed
        manifest (or None). ``entry_names``: every zip entry name. ``code``: an optional ``CodeIndex`` used only to
        read versions. Sorted by number of classes (descending), then id.
        """
        check_deadline()  # the sdk stage's deadline, in any thread (loops below check every few thousand steps)
        hosts = [package_components(p) for p in self.host_packages(manifest, app_package)]
        host_set = frozenset(map(tuple, hosts))
        longest_host = max(map(len, hosts), default=0)
        counts: Counter[str] = Counter()
        matched: dict[str, set[str]] = defaultdict(set)
        # Count classes per package (one cheap pass), walk the trie once per distinct package, and look at class
        # names again only below packages holding a class-level KB prefix (com.stub.StubApp, com.mob.MobSDK).
        # Equivalent to owner_of() on every class, several times faster in CPython.
        names = class_names if isinstance(class_names, list | tuple) else list(class_names or ())
        if names and not all(n.startswith("L") for n in names[:1]):
            names = [
                n if n.startswith("L") and n.endswith(";") else "L" + n.replace(".", "/") + ";" for n in names
            ]
        # n[1 : n.rfind("/")] per name ("" without a "/"), counted in C: rpartition's head is n[: n.rfind("/")]
        # (empty without a "/"); heads differing only in their first character are merged as the slice merges them
        heads = _heads(names)
        by_head = Counter(heads)
        by_package: Counter[str] = Counter()
        for head, n in by_head.items():
            by_package[head[1:]] += n
        leaf_packages: dict[str, tuple[dict[str, Any], Any, int, int]] = {}
        for step, (pkg, n) in enumerate(by_package.items()):
            if not step & 1023:
                check_deadline()
            if not pkg:
                continue
            best, leaves, depth, host_depth = self._package_entry(pkg, host_set, longest_host)
            if leaves is not None:
                leaf_packages[pkg] = (leaves, best, depth, host_depth)
            if best is None or (host_depth and best[2] <= host_depth):
                continue
            counts[best[0]] += n
            matched[best[0]].add(f"package:{best[1]}")
        if leaf_packages or "" in by_package:
            # only the names the loop below does not skip: top-level ones and those in a leaf package (selected
            # in C by their rpartition head, whose [1:] is the package the loop computes)
            wanted = {h for h in by_head if h[1:] == "" or h[1:] in leaf_packages}
            for step, name in enumerate(compress(names, map(wanted.__contains__, heads))):
                if not step & 4095:
                    check_deadline()
                cut = name.rfind("/")
                pkg = name[1:cut] if cut > 0 else ""
                if pkg == "":  # top-level class: its own name is the only component
                    hit = self.match_class(name)
                    if hit is not None and not (
                        hosts and _under_any_host(name, [".".join(h) for h in hosts], hit[2])
                    ):
                        counts[hit[0]] += 1
                        matched[hit[0]].add(f"package:{hit[1]}")
                    continue
                entry = leaf_packages.get(pkg)
                if entry is None:
                    continue
                leaves, old, depth, host_depth = entry
                leaf = leaves.get(name[cut + 1 : -1].split("$", 1)[0])
                if leaf is None or (host_depth and depth + 1 <= host_depth):
                    continue
                if old is not None and not (host_depth and old[2] <= host_depth):
                    counts[old[0]] -= 1  # the class was counted for the package's owner above
                counts[leaf[_SDK]] += 1
                matched[leaf[_SDK]].add(f"package:{leaf[_PREFIX]}")
        for sdk_id in [k for k, v in counts.items() if v <= 0]:
            del counts[sdk_id]
            stale = {m for m in matched.get(sdk_id, ()) if m.startswith("package:")}
            if sdk_id in matched and stale:
                matched[sdk_id] -= stale
                if not matched[sdk_id]:
                    del matched[sdk_id]
        if manifest is not None:
            self._match_manifest(manifest, matched)
        self._match_entries(entry_names or (), matched)
        hits: list[SdkHit] = []
        requested = set(manifest.permissions) if manifest is not None else set()
        for sdk_id in matched:
            sdk = self.kb.sdks[sdk_id]
            hits.append(
                SdkHit(
                    id=sdk.id,
                    name_zh=sdk.name_zh,
                    name_en=sdk.name_en,
                    vendor=sdk.vendor,
                    category=sdk.category,
                    version=_version(sdk, manifest, code),
                    matched=sorted(matched[sdk_id]),
                    classes=counts.get(sdk_id, 0),
                    chinese=sdk.chinese,
                    permissions=[p for p in sdk.permissions if p in requested],
                )
            )
        hits.sort(key=lambda h: (-h.classes, h.id))
        return hits

    def _match_manifest(self, manifest: Manifest, matched: dict[str, set[str]]) -> None:
        names = [c.name for c in manifest.components]
        if manifest.application_class:
            names.append(manifest.application_class)
        for name in names:
            for sdk_id in self._components.get(name, ()):
                matched[sdk_id].add(f"component:{name}")
            for prefix, sdk_id in self._component_prefixes:
                if name.startswith(prefix):
                    matched[sdk_id].add(f"component:{name}")
            for regex, sdk_id, _ in self._component_regexes:
                if regex.fullmatch(name):
                    matched[sdk_id].add(f"component:{name}")
        keys = set(manifest.meta_data)
        for comp in manifest.components:
            keys.update(comp.meta_data)
        for key in keys:
            for sdk_id in self._meta.get(key, ()):
                matched[sdk_id].add(f"meta:{key}")

    def _match_entries(self, entry_names: Iterable[str], matched: dict[str, set[str]]) -> None:
        for step, entry in enumerate(entry_names):
            if not step & 1023:
                check_deadline()
            if entry.startswith("lib/") and entry.endswith(".so"):
                lib = entry.rsplit("/", 1)[-1]
                for sdk_id in self._libs.get(lib, ()):
                    matched[sdk_id].add(f"native_lib:{lib}")
                for regex, sdk_id, _ in self._lib_regexes:
                    if regex.fullmatch(lib):
                        matched[sdk_id].add(f"native_lib:{lib}")
            elif entry.startswith("assets/"):
                for pattern, sdk_id in self._assets:
                    if _asset_match(entry, pattern):
                        matched[sdk_id].add(f"asset:{pattern}")


def identify(
    class_names: Iterable[str],
    manifest: Manifest | None,
    entry_names: Iterable[str],
    kb: KnowledgeBase | None = None,
    code: Any = None,
) -> list[SdkHit]:
    """Module-level convenience: ``Matcher(kb).identify(...)`` (build a Matcher yourself to reuse it)."""
    return _matcher_for(kb).identify(class_names, manifest, entry_names, code=code)


_MATCHERS: dict[int, Matcher] = {}


def _matcher_for(kb: KnowledgeBase | None) -> Matcher:
    kb = kb if kb is not None else load_kb()
    matcher = _MATCHERS.get(id(kb))
    if matcher is None or matcher.kb is not kb:
        matcher = Matcher(kb)
        _MATCHERS.clear()
        _MATCHERS[id(kb)] = matcher
    return matcher


def _under_any_host(class_name: str, packages: str | Iterable[str], match_depth: int) -> bool:
    """:func:`_under_host` for any of ``packages``: one set lookup per depth of the class name, not one walk per
    package (popular apps declare dozens of host namespaces, and this runs per distinct caller class)."""
    hosts = _host_set((packages,) if isinstance(packages, str) else tuple(packages))
    parts = class_components(class_name)
    return any(tuple(parts[:n]) in hosts for n in range(max(match_depth, 0), len(parts)))


_HOST_SETS: dict[tuple[str, ...], frozenset[tuple[str, ...]]] = {}


def _host_set(packages: tuple[str, ...]) -> frozenset[tuple[str, ...]]:
    """The component tuples of ``packages`` (remembered for the last few package lists)."""
    found = _HOST_SETS.get(packages)
    if found is None:
        if len(_HOST_SETS) >= 64:
            _HOST_SETS.clear()
        found = _HOST_SETS[packages] = frozenset(tuple(package_components(p)) for p in packages)
    return found


def _under_host(class_name: str, app_package: str, match_depth: int) -> bool:
    """True when the class lies in the app's own package and the SDK prefix is not deeper than that package."""
    app = package_components(app_package)
    parts = class_components(class_name)
    return len(parts) > len(app) and parts[: len(app)] == app and match_depth <= len(app)


def _asset_match(entry: str, pattern: str) -> bool:
    if any(c in pattern for c in "*?["):
        return fnmatch.fnmatchcase(entry, pattern)
    return entry == pattern or entry.startswith(pattern.rstrip("/") + "/")


def _descriptor(dotted: str) -> str:
    return "L" + dotted.replace(".", "/") + ";"


def _version(sdk: SdkRecord, manifest: Manifest | None, code: Any) -> str | None:
    """The first version hint that resolves; never raises (a missing API or class just gives None)."""
    for hint in sdk.version_hints:
        try:
            value = _resolve_hint(hint, manifest, code)
        except Exception:
            value = None
        if value:
            return value
    return None


def _resolve_hint(hint: dict[str, str], manifest: Manifest | None, code: Any) -> str | None:
    kind = hint.get("kind")
    if kind == "meta_data":
        if manifest is None:
            return None
        key = hint.get("key", "")
        value = manifest.meta_data.get(key)
        if value is None:
            for comp in manifest.components:
                value = comp.meta_data.get(key)
                if value is not None:
                    break
        return str(value) if value not in (None, "") else None
    if code is None or not hint.get("class"):
        return None
    desc = _descriptor(hint["class"])
    if kind == "static_field":
        value = static_field_value(code, desc, hint.get("field", ""))
        if value is not None and _VERSION_RE.match(value.strip()):
            return value.strip()
        return None  # a non-final field set in <clinit>: give a const_string hint for that class
    if kind == "const_string":
        pattern = re.compile(hint["pattern"]) if hint.get("pattern") else None
        return _first_version_string(code, desc, pattern)
    return None


def _first_version_string(code: Any, desc: str, pattern: re.Pattern[str] | None) -> str | None:
    info = code.class_info(desc)
    if info is None:
        return None
    methods = getattr(info, "methods", None) or []
    for method in methods:
        method_name = (
            method if isinstance(method, str) else getattr(method, "descriptor", None) or str(method)
        )
        for value in code.method_strings(method_name) or ():
            text = value if isinstance(value, str) else getattr(value, "value", None)
            if not isinstance(text, str):
                continue
            if (pattern.match(text) if pattern is not None else _VERSION_RE.match(text)) is not None:
                return text
    return None
