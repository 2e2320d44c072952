"""SDK compliance contracts (SDK合规接口): the documented privacy start-up APIs of third-party SDKs, as knowledge.

Data: ``knowledge/sdk_contracts/<sdk_id>.yaml``, one file per SDK (``sdk_id`` == file stem == an id of the SDK
knowledge base, :mod:`appwarden.sdk.kb`)::

    sdk_id: umeng_common
    source_url: https://...            # the vendor's compliance guide (合规指南); the default for every contract
    source_title: 友盟+SDK初始化合规方案
    note: str                          # optional: what was left out and why
    contracts:
      - api: "Lcom/umeng/commonsdk/UMConfigure;->preInit(Landroid/content/Context;Ljava/lang/String;Ljava/lang/String;)V"
        role: preinit                  # one of ROLES (below)
        arg_index: null                # declared parameter (``this`` not counted) carrying the yes/no decision
        meaning_zh: str / meaning_en: str
        source_url / source_title      # optional per-contract override of the file's source
        off_value: "false"             # manifest_switch only: the meta-data value that switches collection off
        descriptor_confirmed_in: cn_sdk/x.apk | null   # corpus APK whose DEX references this exact descriptor
        descriptor_note: str           # how the descriptor was established when not confirmed in a corpus APK

Roles (:data:`ROLES`): ``agree`` tells the SDK the user agreed (the argument says yes/no); ``auth`` switches
collection on/off by its argument; ``show`` tells the SDK the policy was shown; ``preinit`` is a compliant
initialisation that collects nothing; ``init`` starts collection (only after consent); ``manifest_switch`` is a
``<meta-data>`` name (in ``api``) whose ``off_value`` disables the SDK's automatic start/collection.

Contract of the API (consumed by the consent analysis):

* :func:`load_contracts` -> ``tuple[SdkContract, ...]``, validated, parsed once per process (file stamps checked);
  raises ``KnowledgeError("<file>:<line>: ...")`` for a malformed file, a contract without a source, an unknown
  role, a descriptor that is not a full method descriptor, or an ``arg_index`` that is not a boolean parameter.
  :func:`check_contracts` returns the same problems as a list (for ``appwarden sdk check``), plus unknown sdk ids.
* :func:`find_contract_calls(code)` -> ``[ContractCall]``: every ``invoke-*`` of a contract method in a
  :class:`~appwarden.dex.index.CodeIndex` (or the ``StaticEvidence`` holding it), all overloads of the contract's ``Lcls;->name`` (an SDK version may add
  one), with the boolean argument resolved when a constant reaches the call linearly (``const/4 v0, 0x1``;
  :mod:`appwarden.dex.regs`): ``const_arg`` True/False, or None when unresolved (``arg_source`` then says what
  the register held: ``call:<descriptor>`` for a helper's result, ``field:<descriptor>`` for a static field).
  Calls made from inside the SDK's own packages (its KB package prefixes, or the contract class's package: its
  internal overload chains) are left out unless ``include_internal=True``. Sorted by (dex, offset). The default
  search (packaged contracts, no internal calls) is remembered per code index (weakly: it never keeps an index
  alive) while the contracts are unchanged, so the consent model and the report's SDK list share one search; each
  call returns a new list.
* :func:`manifest_switches(manifest)` (a ``Manifest``, or an ``Apk``/``StaticEvidence`` holding one) -> ``[ManifestSwitch]``: each contract meta-data key present in
  ``<application>`` (or a component), with its value and whether it is the documented off value.
"""

from __future__ import annotations

import os
import re
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appwarden.errors import DexFormatError, KnowledgeError
from appwarden.knowledge import KNOWLEDGE_DIR, load_yaml
from appwarden.sdk.kb import line_of

CONTRACT_DIR = KNOWLEDGE_DIR / "sdk_contracts"
ROLES = ("agree", "auth", "show", "preinit", "init", "manifest_switch")
ARG_ROLES = frozenset({"agree", "auth", "show"})  # roles whose decision travels in a boolean argument
_METHOD_RE = re.compile(r"L[^;\s()]+;->[^(\s]+\(([^)]*)\)(\[*([ZBSCIJFDV]|L[^;\s]+;))")
_PARAM_RE = re.compile(r"\[*(?:[ZBSCIJFD]|L[^;]+;)")
_META_RE = re.compile(r"[A-Za-z_][\w.]*")
_URL_RE = re.compile(r"https?://\S+")
_ID_RE = re.compile(r"[a-z0-9][a-z0-9_]*")


@dataclass(frozen=True, slots=True)
class SdkContract:
    """One documented compliance API of one SDK (see the module docstring for the fields' meaning)."""

    sdk_id: str
    api: str  # full smali method descriptor; for role manifest_switch the <meta-data> name
    role: str
    arg_index: int | None
    meaning_zh: str
    meaning_en: str
    source_url: str
    source_title: str
    off_value: str | None = None
    descriptor_confirmed_in: str | None = None
    descriptor_note: str = ""
    path: str = ""

    @property
    def member_key(self) -> str:
        """``Lcls;->name`` (every overload); the meta-data name for a manifest switch."""
        return self.api.split("(", 1)[0]

    @property
    def class_desc(self) -> str:
        return self.api.split("->", 1)[0]

    def to_json(self) -> dict[str, Any]:
        return {
            "sdk_id": self.sdk_id,
            "api": self.api,
            "role": self.role,
            "arg_index": self.arg_index,
            "meaning_zh": self.meaning_zh,
            "meaning_en": self.meaning_en,
            "source_url": self.source_url,
            "source_title": self.source_title,
        }


@dataclass(frozen=True, slots=True)
class ContractCall:
    """One call of a contract method in the app's code."""

    caller: str  # full descriptor of the calling method
    contract: SdkContract
    target: str  # the descriptor actually invoked (an overload of contract.api, or the api itself)
    const_arg: (
        bool | None
    )  # the decision argument when a constant reaches the call; None = unresolved / no arg
    dex: str
    offset: int  # byte offset of the invoke instruction in the DEX file
    arg_source: str | None = None  # what the register held when unresolved: "call:<desc>", "field:<desc>"

    def to_json(self) -> dict[str, Any]:
        return {
            "role": self.contract.role,
            "api": self.target,
            "caller": self.caller,
            "arg": self.const_arg,
            "arg_source": self.arg_source,
            "dex": self.dex,
            "offset": self.offset,
            "source_url": self.contract.source_url,
        }


@dataclass(frozen=True, slots=True)
class ManifestSwitch:
    """A contract ``<meta-data>`` found in the manifest."""

    contract: SdkContract
    value: str | None  # as written (resource references unresolved)
    where: str  # "application" or the component name
    off: bool  # value equals the documented off value (collection held back)

    def to_json(self) -> dict[str, Any]:
        return {
            "role": "manifest_switch",
            "api": self.contract.api,
            "value": self.value,
            "where": self.where,
            "off": self.off,
            "source_url": self.contract.source_url,
        }


# -- loading and validation ----------------------------------------------------------------------------------------


def param_types(descriptor: str) -> list[str]:
    """Declared parameter types of a full method descriptor (``[]`` when it is not one)."""
    m = _METHOD_RE.fullmatch(descriptor)
    return _PARAM_RE.findall(m.group(1)) if m else []


def _str(item: dict[str, Any], key: str, default: str | None, path: Path, needle: str) -> str:
    value = item.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise KnowledgeError(f"{path}:{line_of(path, needle)}: contract {needle!r}: missing or empty {key!r}")
    return value.strip()


def parse_contract_file(data: Any, path: Path, known_sdks: set[str] | None = None) -> list[SdkContract]:
    """Validate one parsed ``sdk_contracts/<id>.yaml``; KnowledgeError("<file>:<line>: ...") when malformed."""
    if not isinstance(data, dict):
        raise KnowledgeError(f"{path}:1: an SDK contract file must be a mapping")
    sdk_id = data.get("sdk_id")
    if not isinstance(sdk_id, str) or not _ID_RE.fullmatch(sdk_id):
        raise KnowledgeError(f"{path}:{line_of(path, 'sdk_id:')}: missing or bad 'sdk_id'")
    if path.stem != sdk_id:
        raise KnowledgeError(
            f"{path}:{line_of(path, 'sdk_id:')}: sdk_id {sdk_id!r} does not match the file name"
        )
    if known_sdks is not None and sdk_id not in known_sdks:
        raise KnowledgeError(
            f"{path}:{line_of(path, 'sdk_id:')}: sdk_id {sdk_id!r} is not an SDK of the knowledge base"
        )
    items = data.get("contracts")
    if not isinstance(items, list) or not items:
        raise KnowledgeError(f"{path}:{line_of(path, 'contracts:')}: 'contracts' must be a non-empty list")
    file_url, file_title = data.get("source_url"), data.get("source_title")
    out: list[SdkContract] = []
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("api"), str):
            raise KnowledgeError(
                f"{path}:{line_of(path, '- ')}: each contract must be a mapping with an 'api'"
            )
        api = item["api"].strip()
        role = item.get("role")
        if role not in ROLES:
            raise KnowledgeError(
                f"{path}:{line_of(path, api)}: contract {api!r}: role must be one of {ROLES}"
            )
        if api in seen:
            raise KnowledgeError(f"{path}:{line_of(path, api)}: duplicate contract {api!r}")
        seen.add(api)
        arg = item.get("arg_index")
        off = item.get("off_value")
        if role == "manifest_switch":
            if not _META_RE.fullmatch(api):
                raise KnowledgeError(f"{path}:{line_of(path, api)}: {api!r} is not a <meta-data> name")
            if not isinstance(off, str) or not off:
                raise KnowledgeError(
                    f"{path}:{line_of(path, api)}: manifest switch {api!r} needs 'off_value'"
                )
            if arg is not None:
                raise KnowledgeError(
                    f"{path}:{line_of(path, api)}: manifest switch {api!r} takes no 'arg_index'"
                )
        else:
            if not _METHOD_RE.fullmatch(api):
                raise KnowledgeError(f"{path}:{line_of(path, api)}: {api!r} is not a full method descriptor")
            params = param_types(api)
            if role in ARG_ROLES:
                if not isinstance(arg, int) or isinstance(arg, bool) or not 0 <= arg < len(params):
                    raise KnowledgeError(
                        f"{path}:{line_of(path, api)}: {api!r}: role {role} needs an 'arg_index'"
                    )
                if params[arg] != "Z":
                    raise KnowledgeError(
                        f"{path}:{line_of(path, api)}: {api!r}: parameter {arg} is {params[arg]}, not boolean"
                    )
            elif arg is not None:
                raise KnowledgeError(
                    f"{path}:{line_of(path, api)}: {api!r}: role {role} takes no 'arg_index'"
                )
        url = _str(item, "source_url", file_url, path, api)
        if not _URL_RE.fullmatch(url):
            raise KnowledgeError(f"{path}:{line_of(path, api)}: contract {api!r}: source_url is not a URL")
        confirmed = item.get("descriptor_confirmed_in")
        note = item.get("descriptor_note") or ""
        if role != "manifest_switch" and not confirmed and not str(note).strip():
            raise KnowledgeError(
                f"{path}:{line_of(path, api)}: contract {api!r}: say where the descriptor comes from "
                "('descriptor_confirmed_in' corpus APK, or 'descriptor_note')"
            )
        out.append(
            SdkContract(
                sdk_id=sdk_id,
                api=api,
                role=role,
                arg_index=arg,
                meaning_zh=_str(item, "meaning_zh", None, path, api),
                meaning_en=_str(item, "meaning_en", None, path, api),
                source_url=url,
                source_title=_str(item, "source_title", file_title, path, api),
                off_value=off,
                descriptor_confirmed_in=str(confirmed) if confirmed else None,
                descriptor_note=str(note).strip(),
                path=str(path),
            )
        )
    return out


def _known_sdk_ids() -> set[str]:
    from appwarden.sdk.kb import load_kb

    return set(load_kb().sdks)


def load_contract_dir(directory: str | Path, known_sdks: set[str] | None = None) -> tuple[SdkContract, ...]:
    """Parse every ``*.yaml`` under ``directory`` (no caching); a method descriptor claimed twice is an error."""
    base = Path(directory)
    if not base.is_dir():
        raise KnowledgeError(f"{base}: SDK contract directory not found")
    out: list[SdkContract] = []
    owner: dict[str, str] = {}
    for path in sorted(base.glob("*.yaml")):
        for contract in parse_contract_file(load_yaml(path), path, known_sdks):
            if contract.api in owner:
                raise KnowledgeError(
                    f"{path}:{line_of(path, contract.api)}: {contract.api!r} is already a contract of {owner[contract.api]}"
                )
            owner[contract.api] = contract.sdk_id
            out.append(contract)
    return tuple(out)


_CACHE: dict[str, tuple[tuple, tuple[SdkContract, ...]]] = {}
_LOCK = threading.Lock()


def _stamp(directory: Path) -> tuple:
    try:
        with os.scandir(directory) as it:
            return tuple(
                sorted(
                    (e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in it if e.name.endswith(".yaml")
                )
            )
    except OSError:
        return ()


def load_contracts(directory: str | Path | None = None) -> tuple[SdkContract, ...]:
    """All SDK contracts (the packaged ones by default), validated against the SDK knowledge base; parsed once per
    process and again only when a file changes. Raises KnowledgeError naming file and line.

    Between processes the validated contracts are kept in one cache file (:func:`_disk_cache_file`: keyed by the
    directory, every file's name, size and mtime, the SDK ids they were validated against and the Python
    version), so a cold ``appwarden scan`` reads one file instead of parsing every contract file (~5 -> ~1 ms)."""
    path = Path(directory) if directory is not None else CONTRACT_DIR
    key = str(path.resolve())
    stamp = _stamp(path)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        known = _known_sdk_ids()
        disk = _disk_cache_file(key, stamp, known) if stamp else None
        contracts = _read_disk_cache(disk)
        if contracts is None:
            contracts = load_contract_dir(path, known)
            _write_disk_cache(disk, contracts)
        _CACHE[key] = (stamp, contracts)
        return contracts


_DISK_FORMAT = 1


def _disk_cache_file(directory: str, stamp: tuple, known: set[str]) -> Path | None:
    import hashlib
    import marshal
    import sys

    from appwarden.knowledge.cache import cache_dir

    base = cache_dir()
    if base is None:
        return None
    known_digest = hashlib.sha256("\n".join(sorted(known)).encode()).hexdigest()
    key = (_DISK_FORMAT, directory, stamp, known_digest, sys.version, marshal.version)
    return base / f"sdk-contracts-{hashlib.sha256(repr(key).encode()).hexdigest()[:24]}.marshal"


def _read_disk_cache(path: Path | None) -> tuple[SdkContract, ...] | None:
    """The contracts in the cache file ``path``; None when it is absent, damaged or of another layout."""
    import marshal

    from appwarden.knowledge.cache import read_bytes

    raw = read_bytes(path)
    if raw is None:
        return None
    try:
        data = marshal.loads(raw)
        if data["fields"] != SdkContract.__slots__:  # type: ignore[attr-defined]  # the layout changed
            return None
        return tuple(SdkContract(*values) for values in data["contracts"])
    except (ValueError, KeyError, TypeError, EOFError, IndexError, AttributeError):
        return None


def _write_disk_cache(path: Path | None, contracts: tuple[SdkContract, ...]) -> None:
    import marshal

    from appwarden.knowledge.cache import write_bytes

    if path is None:
        return
    fields = SdkContract.__slots__  # type: ignore[attr-defined]
    data = {"fields": fields, "contracts": [tuple(getattr(c, f) for f in fields) for c in contracts]}
    try:
        raw = marshal.dumps(data)
    except ValueError:  # a value marshal cannot hold: no cache
        return
    write_bytes(path, raw)


def check_contracts(directory: str | Path | None = None) -> tuple[list[str], int]:
    """Lint the contract files: (``file:line: message`` errors, number of contracts). Every file is checked even
    when an earlier one is broken (for ``appwarden sdk check``)."""
    base = Path(directory) if directory is not None else CONTRACT_DIR
    if not base.is_dir():
        return [f"{base}: SDK contract directory not found"], 0
    errors: list[str] = []
    known = _known_sdk_ids()
    count = 0
    owner: dict[str, str] = {}
    for path in sorted(base.glob("*.yaml")):
        try:
            contracts = parse_contract_file(load_yaml(path), path, known)
        except KnowledgeError as exc:
            errors.append(str(exc))
            continue
        for contract in contracts:
            if contract.api in owner:
                errors.append(
                    f"{path}:{line_of(path, contract.api)}: {contract.api!r} also claimed by {owner[contract.api]}"
                )
            owner.setdefault(contract.api, contract.sdk_id)
        count += len(contracts)
    return errors, count


def contracts_by_sdk(contracts: tuple[SdkContract, ...] | None = None) -> dict[str, list[SdkContract]]:
    """sdk_id -> its contracts (file order)."""
    out: dict[str, list[SdkContract]] = {}
    for contract in contracts if contracts is not None else load_contracts():
        out.setdefault(contract.sdk_id, []).append(contract)
    return out


# -- detection -----------------------------------------------------------------------------------------------------


_PACKAGES: list[tuple[Any, dict[str, tuple[str, ...]]]] = []  # (knowledge base, its prefixes): the last one
_CALLS: weakref.WeakKeyDictionary[Any, tuple[tuple[SdkContract, ...], list[ContractCall]]] = (
    weakref.WeakKeyDictionary()
)


def _sdk_packages() -> dict[str, tuple[str, ...]]:
    """sdk id -> its package prefixes as type-descriptor prefixes (computed again only when the KB is reloaded)."""
    from appwarden.sdk.kb import load_kb

    kb = load_kb()
    with _LOCK:
        if _PACKAGES and _PACKAGES[0][0] is kb:
            return _PACKAGES[0][1]
    packages = {rec.id: tuple("L" + p.replace(".", "/") for p in rec.packages) for rec in kb}
    with _LOCK:
        _PACKAGES[:] = [(kb, packages)]
    return packages


def _internal(caller: str, prefixes: tuple[str, ...]) -> bool:
    cls = caller.split("->", 1)[0]
    return any(cls.startswith(p) and cls[len(p)] in "/;$" for p in prefixes if len(cls) > len(p))


def find_contract_calls(
    code: Any, contracts: tuple[SdkContract, ...] | None = None, *, include_internal: bool = False
) -> list[ContractCall]:
    """Every call of a contract method in ``code`` (a CodeIndex; see the module docstring)."""
    if code is not None and not hasattr(code, "codes"):  # StaticEvidence (or anything holding the index)
        code = getattr(code, "code", None)
    if code is None:
        return []
    if contracts is None and not include_internal:  # the default search: remembered per code index
        packaged = load_contracts()
        try:
            with _LOCK:
                cached = _CALLS.get(code)
        except TypeError:  # an index that cannot be weakly referenced: not remembered
            return _find_contract_calls(code, packaged, False)
        if cached is not None and cached[0] is packaged:
            return list(cached[1])
        calls = _find_contract_calls(code, packaged, False)
        with _LOCK:
            _CALLS[code] = (packaged, calls)
        return list(calls)
    return _find_contract_calls(
        code, contracts if contracts is not None else load_contracts(), include_internal
    )


def _find_contract_calls(
    code: Any, contracts: tuple[SdkContract, ...], include_internal: bool
) -> list[ContractCall]:
    """:func:`find_contract_calls` of a code index with the given contracts (not remembered)."""
    from appwarden.dex.records import (
        EV_INVOKE,
        EVENT_WORDS,
        METHOD_WORDS,
        OP_INVOKE_STATIC,
        invoke_arg_registers,
    )
    from appwarden.dex.regs import register_states

    method_contracts = [c for c in contracts if c.role != "manifest_switch"]
    if not method_contracts:
        return []
    by_key: dict[str, list[SdkContract]] = {}
    for contract in method_contracts:
        by_key.setdefault(contract.member_key, []).append(contract)
    packages = _sdk_packages() if not include_internal else {}
    pending: dict[tuple[int, int], list[tuple[int, str, SdkContract]]] = {}
    calls: list[ContractCall] = []
    for ci, dcode, i, target in code._iter_matches(EV_INVOKE, list(by_key), False, False):
        key = target.split("(", 1)[0]
        candidates = by_key.get(key)
        if not candidates:
            continue
        contract = next((c for c in candidates if c.api == target), None)
        if contract is None:  # another overload: take the contract whose parameter list it extends or matches
            contract = _best_overload(candidates, target)
        caller = dcode.caller_of_event(i)
        own = (*packages.get(contract.sdk_id, ()), contract.class_desc.rsplit("/", 1)[0])
        if not include_internal and _internal(caller, own):
            continue
        off = dcode.events[i * EVENT_WORDS + 1]
        if contract.arg_index is None:
            calls.append(ContractCall(caller, contract, target, None, dcode.name, off))
        else:
            pending.setdefault((ci, dcode.record_of_event(i)), []).append((i, target, contract))
    for (ci, r), items in pending.items():
        dcode = code.codes[ci]
        code_off = dcode.methods[r * METHOD_WORDS + 3]
        caller = dcode.method_desc(dcode.methods[r * METHOD_WORDS + 1])
        states = register_states(
            dcode.dex, code_off, {dcode.events[i * EVENT_WORDS + 1] for i, _t, _c in items}
        )
        for i, target, contract in items:
            kind, off, midx, a, _b = dcode.events[i * EVENT_WORDS : (i + 1) * EVENT_WORDS]
            op = kind & 0xFF
            regs = invoke_arg_registers(op, a)
            pos = 0 if op in OP_INVOKE_STATIC else 1
            arg_reg = None
            for n, t in enumerate(dcode.dex.method_param_types(midx)):
                if n == contract.arg_index:
                    arg_reg = regs[pos] if pos < len(regs) and t == "Z" else None
                    break
                pos += 2 if t in ("J", "D") else 1
            value = states.get(off, {}).get(arg_reg, ("unknown",)) if arg_reg is not None else ("unknown",)
            const, source = _boolean(value, dcode)
            calls.append(ContractCall(caller, contract, target, const, dcode.name, off, source))
    calls.sort(key=lambda c: (c.dex, c.offset))
    return calls


def _best_overload(candidates: list[SdkContract], target: str) -> SdkContract:
    params = param_types(target)
    for contract in candidates:
        if (
            contract.arg_index is not None
            and contract.arg_index < len(params)
            and params[contract.arg_index] == "Z"
        ):
            return contract
    return candidates[0]


def _boolean(value: tuple, dcode: Any) -> tuple[bool | None, str | None]:
    """A register Value (appwarden.dex.regs) as a constant boolean, or None with what the register held."""
    if value[0] == "literal" and value[1] in (0, 1):
        return bool(value[1]), None
    try:
        if value[0] == "result":
            return None, "call:" + dcode.method_desc(value[1])
        if value[0] == "field":
            return None, "field:" + dcode.dex.field_desc(value[1])
    except (DexFormatError, IndexError, ValueError):  # a malformed index: the value is simply unknown
        return None, None
    return None, None


def manifest_switches(
    manifest: Any, contracts: tuple[SdkContract, ...] | None = None
) -> list[ManifestSwitch]:
    """Contract ``<meta-data>`` keys present in the manifest (application first, then components)."""
    if manifest is not None and not hasattr(
        manifest, "components"
    ):  # StaticEvidence / Apk: take its manifest
        manifest = getattr(manifest, "manifest", None)
    if manifest is None:
        return []
    wanted = {
        c.api: c
        for c in (contracts if contracts is not None else load_contracts())
        if c.role == "manifest_switch"
    }
    out: list[ManifestSwitch] = []
    for where, name, value in _meta_items(manifest):
        contract = wanted.get(name)
        if contract is None or contract.off_value is None:
            continue
        off = value is not None and value.strip().lower() == contract.off_value.lower()
        out.append(ManifestSwitch(contract, value, where, off))
    return out


def _meta_items(manifest: Any) -> list[tuple[str, str, str | None]]:
    """(where, name, value) of every <meta-data>: ``Manifest.meta_data`` / ``Component.meta_data`` (name -> value)."""
    items: list[tuple[str, str, str | None]] = []
    for name, value in (getattr(manifest, "meta_data", None) or {}).items():
        items.append(("application", str(name), None if value is None else str(value)))
    for comp in getattr(manifest, "components", None) or []:
        for name, value in (getattr(comp, "meta_data", None) or {}).items():
            items.append(
                (
                    str(getattr(comp, "name", "") or "component"),
                    str(name),
                    None if value is None else str(value),
                )
            )
    return items


def contract_calls_by_sdk(code: Any, manifest: Any) -> dict[str, list[dict[str, Any]]]:
    """For the report: sdk_id -> its contract calls (``ContractCall.to_json``, code order) followed by its
    manifest switches (``ManifestSwitch.to_json``). Empty when there is no code and no manifest."""
    out: dict[str, list[dict[str, Any]]] = {}
    for call in find_contract_calls(code):
        out.setdefault(call.contract.sdk_id, []).append(call.to_json())
    for switch in manifest_switches(manifest):
        out.setdefault(switch.contract.sdk_id, []).append(switch.to_json())
    return out
