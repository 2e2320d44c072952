"""The report JSON: one dict per scanned app version, the single source every other output is rendered from.

Contract (``../shared/DESIGN.md`` "The report contract", schema ``report/schema/report.schema.json``, documented in
``docs/report-schema.md``):

* :func:`build_report` turns an :class:`~appwarden.evidence.Evidence` and the rule engine's results into the dict;
* :func:`validate_report` checks a dict against the versioned JSON Schema and raises :class:`ReportError`;
* :func:`load_report` / :func:`write_report` read and write report files (UTF-8 JSON).

The builder never drops information silently: engine errors, static-stage errors and rules that could not be
evaluated all appear in the report. Renderers (terminal, HTML, PDF, SARIF, 通报) take only the dict.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from appwarden.errors import AppwardenError
from appwarden.evidence import AppInfo, CallSite, ErrorNote, Evidence, StaticEvidence
from appwarden.report.permissions import is_dangerous, is_special, permission_pi_categories

SCHEMA_VERSION = "1.0"
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "report.schema.json"
MAX_REPORT_BYTES = 512 * 1024 * 1024  # load_report refuses larger files (a report is MBs, not GBs)


class ReportError(AppwardenError):
    """A report dict or file is invalid (schema violation, unreadable, not JSON)."""

    code = "report"


# --------------------------------------------------------------------------------------------------- helpers


_PLAIN = frozenset((type(None), bool, int, float, str))


def _jsonable(value: Any) -> Any:
    """A JSON-compatible copy of ``value`` (dataclasses, tuples, sets, paths and datetimes converted).

    Plain dicts, lists and tuples (most of a finding's evidence) are copied first, their plain values without a
    call: the generic tests below cost a failed ``hasattr(value, "to_json")`` (an AttributeError) and a
    dataclass check per container. Same result: those types take the Mapping / list branch below anyway."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        return {
            (k if type(k) is str else str(k)): (v if type(v) in _PLAIN else _jsonable(v))
            for k, v in value.items()
        }
    if kind is list or kind is tuple:
        return [v if type(v) in _PLAIN else _jsonable(v) for v in value]
    if isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "to_json") and callable(value.to_json):
        return _jsonable(value.to_json())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_jsonable(v) for v in value), key=str)
    if isinstance(value, _dt.datetime | _dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _finding_json(finding: Any) -> Any:
    """A finding as JSON; one without ``notice_types`` (a plain dict, e.g. from an external engine whose rules
    declare none) gets an empty list, so every finding in a report carries the key."""
    data = _jsonable(finding)
    if isinstance(data, dict):
        data.setdefault("notice_types", [])
        if not data.get("merged_rules"):
            data.pop("merged_rules", None)  # only a finding that absorbed others names them (optional field)
        confirmed = _confirmed_categories(data)
        if confirmed is not None:
            data["confirmed_categories"] = confirmed
    return data


def _confirmed_categories(finding: Mapping[str, Any]) -> list[str] | None:
    """For a finding a runtime trace upgraded to confirmed (dynamic/confirm.py's marker in its evidence), the PI
    categories of its call sites the trace showed: the marker's ``categories``, else (an older marker) the
    categories of the trace/network references after it that the call sites have. None for any other finding and
    for owner-level confirmations (self-start, shake), which confirm no PI category (report audit item 3)."""
    evidence = [e for e in finding.get("evidence") or [] if isinstance(e, Mapping)]
    marks = [
        i for i, e in enumerate(evidence) if e.get("type") == "trace" and e.get("event") == "confirmation"
    ]
    if not marks:
        return None
    marker = evidence[marks[0]]
    if isinstance(marker.get("categories"), list):
        return [str(c) for c in marker["categories"]]
    static = [str(e["category"]) for e in evidence if e.get("type") == "callsite" and e.get("category")]
    if not static:
        return None
    after = evidence[marks[0] + 1 :]
    seen = {str(e["category"]) for e in after if e.get("type") in ("trace", "network") and e.get("category")}
    return [c for c in dict.fromkeys(static) if c in seen]


def callsite_json(cs: Any) -> dict[str, Any]:
    """``CallSite.to_json()`` without ``dataclasses.asdict``'s deep copy (call sites are flat; apps have tens of
    thousands), each field named in a dict display (~2.5x faster than a ``getattr`` per field name). Equal to
    ``to_json()``, keys in the same order (tested: a field added to CallSite fails the test until added here);
    other objects go through the generic conversion."""
    if type(cs) is not CallSite:
        return _jsonable(cs)
    return {
        "caller": cs.caller,
        "api": cs.api,
        "category": cs.category,
        "kind": cs.kind,
        "dex": cs.dex,
        "offset": cs.offset,
        "owner": cs.owner,
        "arg": cs.arg,
        "unresolved": cs.unresolved,
        "reachable_from": list(cs.reachable_from),
    }


def _sdks_json(static: Any) -> list[dict[str, Any]]:
    """The SDK list; each SDK with compliance-contract calls or manifest switches (sdk/contracts.py) gets
    ``contracts``: role, api, caller, the constant argument (true/false, null when unresolved) and the source."""
    if static is None:
        return []
    rows = [_jsonable(s) for s in static.sdks]
    try:
        from appwarden.sdk.contracts import contract_calls_by_sdk

        by_sdk = contract_calls_by_sdk(static.code, static.manifest)
    except AppwardenError:  # broken contract knowledge: the SDK list without contracts (sdk check reports it)
        by_sdk = {}
    for row in rows:
        if row.get("id") in by_sdk:
            row["contracts"] = by_sdk[row["id"]]
    return rows


#: The ``dynamic`` section's lists whose items carry the ``owner`` the trace attributed the behaviour to.
RUNTIME_SECTIONS = (
    "pre_consent",
    "after_refusal",
    "background",
    "frequency_exceeded",
    "third_party_transmissions",
)


def runtime_sdk_owners(report: Mapping[str, Any]) -> list[str]:
    """SDK ids the runtime trace attributed behaviour to, in first-seen order: the owners of the ``dynamic``
    section's observations (:data:`RUNTIME_SECTIONS`) and of findings with ``trace``/``network`` evidence; the
    host app is left out. Whether each is also in the ``sdks`` list is the caller's business."""
    seen: dict[str, None] = {}
    dynamic = report.get("dynamic") or {}
    if isinstance(dynamic, Mapping):
        for key in RUNTIME_SECTIONS:
            for item in dynamic.get(key) or []:
                if isinstance(item, Mapping) and item.get("owner"):
                    seen.setdefault(str(item["owner"]), None)
    for f in report.get("findings") or []:
        if isinstance(f, Mapping) and any(
            isinstance(e, Mapping) and e.get("type") in ("trace", "network") for e in f.get("evidence") or []
        ):
            seen.setdefault(str(f.get("owner") or "host"), None)
    return [sdk_id for sdk_id in seen if sdk_id not in ("host", "")]


def _trace_only_sdks_json(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Rows for the ``sdks`` list of the SDKs the runtime trace attributed behaviour to that the code scan did not
    list (code loaded at run time, a packed app, a trace of another build), marked ``detected_by: ["trace"]``
    (report audit item 4): names, vendor and category from the SDK knowledge base (the id as name and empty
    vendor/category when the knowledge base does not know it); ``version`` null, ``matched`` empty, ``reachable``
    null and no ``pi_categories``/``permissions``, because nothing in the code was matched (what the SDK did is in
    the ``dynamic`` section and the findings it owns)."""
    listed = {str(s.get("id")) for s in report.get("sdks") or [] if isinstance(s, Mapping)}
    owners = [o for o in runtime_sdk_owners(report) if o not in listed]
    if not owners:
        return []
    try:
        from appwarden.sdk.kb import load_kb

        records = {r.id: r for r in load_kb()}
    except (AppwardenError, OSError):  # no knowledge base: the ids alone still say which SDK acted
        records = {}
    rows = []
    for sdk_id in owners:
        rec = records.get(sdk_id)
        rows.append(
            {
                "id": sdk_id,
                "name_zh": (rec.name_zh if rec else "") or sdk_id,
                "name_en": (rec.name_en if rec else "") or sdk_id,
                "vendor": rec.vendor if rec else "",
                "category": rec.category if rec else "",
                "version": None,
                "matched": [],
                "chinese": bool(rec.chinese) if rec else False,
                "reachable": None,
                "detected_by": ["trace"],
            }
        )
    return rows


def _section(value: Any) -> dict[str, Any] | None:
    """A generic summary object for the ``policy``/``dynamic`` sections (filled by other stages)."""
    if value is None:
        return None
    for name in ("summary", "to_json"):
        fn = getattr(value, name, None)
        if callable(fn):
            value = fn()
            break
    data = _jsonable(value)
    return data if isinstance(data, dict) else {"value": data}


def _error_note(item: Any, default_stage: str) -> dict[str, Any]:
    """Normalise an engine error (ErrorNote, dict, exception or string) to ``{stage, message, path?}``."""
    if isinstance(item, ErrorNote):
        return item.to_json()
    if isinstance(item, Mapping):
        data = {str(k): _jsonable(v) for k, v in item.items() if v is not None}
        data["stage"] = str(data.get("stage") or default_stage)
        data["message"] = " ".join(str(data.get("message") or data.get("error") or item).split())
        if "path" in data:
            data["path"] = str(data["path"])
        return data
    if hasattr(item, "stage") and hasattr(item, "message"):
        data = {"stage": str(item.stage or default_stage), "message": " ".join(str(item.message).split())}
        if getattr(item, "path", None):
            data["path"] = str(item.path)
        if getattr(item, "rule_id", None):
            data["rule_id"] = str(item.rule_id)
        return data
    if isinstance(item, BaseException):
        return {"stage": default_stage, "message": " ".join(f"{type(item).__name__}: {item}".split())}
    return {"stage": default_stage, "message": " ".join(str(item).split())}


def _app_json(app: AppInfo | None) -> dict[str, Any]:
    if app is None:
        return {"sha256": None, "signers": [], "signing_schemes": []}
    data = _jsonable(app)
    data["signers"] = [_jsonable(s) for s in app.signers]
    return data


def manifest_summary(manifest: Any) -> dict[str, Any] | None:
    """The report's ``manifest`` section: permissions (with ``dangerous``), exported components and risky flags."""
    if manifest is None:
        return None
    pi_by_perm = permission_pi_categories()
    permissions = []
    seen: set[str] = set()
    for perm in manifest.uses_permissions:
        if perm.name in seen:
            continue
        seen.add(perm.name)
        permissions.append(
            {
                "name": perm.name,
                "dangerous": is_dangerous(perm.name),
                "special": is_special(perm.name),
                "max_sdk": perm.max_sdk,
                "pi_categories": list(pi_by_perm.get(perm.name, ())),
            }
        )
    exported = []
    for comp in manifest.exported_components:
        exported.append(
            {
                "kind": comp.kind,
                "name": comp.name,
                "exported_explicit": comp.exported_explicit,
                "permission": comp.permission,
                "actions": sorted(comp.actions),
                "authorities": list(comp.authorities),
            }
        )
    counts = Counter(c.kind for c in manifest.components)
    return {
        "package": manifest.package,
        "version_name": manifest.version_name,
        "version_code": manifest.version_code,
        "min_sdk": manifest.min_sdk,
        "target_sdk": manifest.target_sdk,
        "shared_user_id": manifest.shared_user_id,
        "application_class": manifest.application_class,
        "permissions": permissions,
        "declared_permissions": [
            {"name": p.name, "protection_level": p.protection_level} for p in manifest.declared_permissions
        ],
        "exported_components": exported,
        "component_counts": dict(sorted(counts.items())),
        "flags": {
            "debuggable": bool(manifest.debuggable),
            "allow_backup": manifest.allow_backup,
            "uses_cleartext_traffic": manifest.uses_cleartext_traffic,
            "network_security_config": manifest.network_security_config,
            "network_security": (
                manifest.network_security.summary(manifest.effective_target_sdk, bool(manifest.debuggable))
                if getattr(manifest, "network_security", None) is not None
                else None
            ),
        },
        "uses_features": list(manifest.uses_features),
        "queries_packages": list(manifest.queries_packages),
        "has_queries": bool(manifest.has_queries),
    }


def _results_parts(results: Any) -> tuple[list[Any], list[Any], list[Any], list[str] | None]:
    """(findings, not_evaluated, errors, evaluated rule ids or None) from a RuleResults-like object, a mapping or
    a plain findings list."""
    if results is None:
        return [], [], [], None
    if isinstance(results, Mapping):
        get = results.get
    elif isinstance(results, list | tuple) and not hasattr(results, "findings"):
        return list(results), [], [], None
    else:

        def get(key: str) -> Any:
            return getattr(results, key, None)

    evaluated = get("evaluated")
    return (
        list(get("findings") or []),
        list(get("not_evaluated") or []),
        list(get("errors") or []),
        None if evaluated is None else [str(r) for r in evaluated],
    )


def summarize(report: Mapping[str, Any]) -> dict[str, Any]:
    """Counts derived from a report (the ``summary`` section): findings by severity/confidence/owner, call sites by
    category (call sites whose argument was not resolved count under ``unresolved``, not under the category the
    engine guessed) and owner, SDK and error counts. Recomputed by :func:`build_report`; renderers may call it too."""
    findings = report.get("findings") or []
    callsites = report.get("callsites") or []
    return {
        "findings": len(findings),
        "findings_by_severity": dict(Counter(str(f.get("severity")) for f in findings)),
        "findings_by_confidence": dict(Counter(str(f.get("confidence")) for f in findings)),
        "findings_by_owner": dict(Counter(str(f.get("owner", "host")) for f in findings)),
        "callsites": len(callsites),
        "callsites_by_category": dict(
            Counter("unresolved" if c.get("unresolved") else str(c.get("category")) for c in callsites)
        ),
        "callsites_by_owner": dict(Counter(str(c.get("owner", "host")) for c in callsites)),
        "sdks": len(report.get("sdks") or []),
        "dangerous_permissions": sum(
            1 for p in ((report.get("manifest") or {}).get("permissions") or []) if p.get("dangerous")
        ),
        "evaluated_rules": len(report.get("evaluated_rules") or []),
        "not_evaluated": len(report.get("not_evaluated") or []),
        "errors": len(report.get("errors") or []),
    }


# --------------------------------------------------------------------------------------------------- builder


def _consent(evidence: Evidence, findings: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The ``consent`` section (rules/consent.py): the consent moment the rules analysed and one entry per owner and
    behaviour (pre_consent / after_refusal), static and runtime evidence merged; None when there is nothing."""
    from appwarden.rules.consent import cached_model, consent_section

    section = consent_section(cached_model(evidence), findings)
    if section:
        # a finding that absorbed others of the same behaviour (rules.engine, merged_rules): the entry names them
        entries = {(e.get("owner"), e.get("behaviour")): e for e in section.get("owners") or []}
        for f in findings:
            entry = entries.get((f.get("owner") or "host", f.get("behaviour")))
            if entry is not None:
                entry["rules"].extend(r for r in f.get("merged_rules") or [] if r not in entry["rules"])
    return section


def _screening(evidence: Evidence) -> dict[str, Any]:
    """The ``screening`` section (不良APP, :mod:`appwarden.screening`): the pipeline's when it screened the app, else
    computed here from the static evidence alone (no resources or asset bytes: said in ``notes``), else (no APK)
    verdict ``none`` with ``evaluated`` false. Every report carries it."""
    from appwarden.screening import not_screened, screen

    if evidence.screening is not None:
        return _jsonable(evidence.screening)
    if evidence.static is None:
        return not_screened("no APK in this run: not screened")
    result = screen(evidence.static)
    result.notes.append(
        "screened without the APK's resources and assets (text and asset indicators incomplete)"
    )
    return result.to_json()


def build_report(
    evidence: Evidence,
    results: Any = None,
    *,
    engine: Mapping[str, Any],
    meta: Mapping[str, Any] | None = None,
    timings: Mapping[str, float] | None = None,
    errors: Iterable[Any] = (),
    generated_at: str | None = None,
) -> dict[str, Any]:
    """Build the report dict for one app version.

    ``evidence``: the bundle the rules saw (``static`` may be ``None`` for a policy-only run).
    ``results``: ``rules.engine.evaluate``'s ``RuleResults`` (``findings``, ``not_evaluated``, ``errors``), a mapping
    with those keys, a plain list of findings, or ``None`` when the rules were not run (``rules_evaluated`` false).
    ``engine``: ``{"name", "version", "rules_version"}`` (name defaults to ``appwarden``).
    ``meta``: optional facts not in the APK, e.g. ``developer`` (应用开发者), ``source`` (应用来源: store), ``input``
    (file name); copied to the ``meta`` section. ``timings`` are merged over ``StaticEvidence.timings``.
    ``errors``: extra error notes from the pipeline (timeouts, stages skipped), kept with the others.
    The result is JSON-serialisable and valid against :data:`SCHEMA_PATH` (checked by the tests, not here).
    """
    static: StaticEvidence | None = evidence.static
    findings, not_evaluated, rule_errors, evaluated = _results_parts(results)

    all_errors: list[dict[str, Any]] = []
    if static is not None:
        all_errors += [_error_note(e, "static") for e in static.errors]
    for stage, section in (("policy", evidence.policy), ("dynamic", evidence.dynamic)):
        inner = section.get("errors") if isinstance(section, Mapping) else getattr(section, "errors", None)
        if isinstance(inner, list | tuple):  # the stage's own notes (policy not found, bad trace lines)
            all_errors += [_error_note(e, stage) for e in inner]
    all_errors += [_error_note(e, "rules") for e in rule_errors]
    all_errors += [_error_note(e, "scan") for e in errors]

    engine_info = {
        "name": str(engine.get("name") or "appwarden"),
        "version": str(engine.get("version") or ""),
        "rules_version": None if engine.get("rules_version") is None else str(engine.get("rules_version")),
    }
    engine_info.update({str(k): _jsonable(v) for k, v in engine.items() if k not in engine_info})

    meta_info: dict[str, Any] = {str(k): _jsonable(v) for k, v in (meta or {}).items()}
    if evidence.category is not None:
        meta_info.setdefault("category", evidence.category)
        meta_info.setdefault("category_inferred", bool(evidence.category_inferred))

    all_timings: dict[str, float] = {}
    if static is not None:
        all_timings.update({str(k): float(v) for k, v in static.timings.items()})
    all_timings.update({str(k): float(v) for k, v in (timings or {}).items()})

    packer = None
    if static is not None and static.packer is not None:
        packer = _jsonable(static.packer)

    report: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "generated_at": generated_at or _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        "app": _app_json(static.app if static is not None else None),
        "engine": engine_info,
        "meta": meta_info,
        "manifest": manifest_summary(static.manifest) if static is not None else None,
        "callsites": [callsite_json(c) for c in static.callsites] if static is not None else [],
        "sdks": _sdks_json(static),
        "packer": packer,
        "native_libs": list(static.native_libs) if static is not None else [],
        "rules_evaluated": results is not None,
        "evaluated_rules": evaluated if evaluated is not None else [],
        "findings": [_finding_json(f) for f in findings],
        "not_evaluated": [_jsonable(n) for n in not_evaluated],
        "screening": _screening(evidence),
        "policy": _section(evidence.policy),
        "dynamic": _section(evidence.dynamic),
        "errors": all_errors,
        "timings": all_timings,
    }
    report["sdks"] += _trace_only_sdks_json(report)
    consent = _consent(evidence, report["findings"])
    if consent is not None:
        report["consent"] = consent
    report["summary"] = summarize(report)
    return report


def extend_report(
    report: dict[str, Any], *, findings: Iterable[Any] = (), errors: Iterable[Any] = ()
) -> dict[str, Any]:
    """Append findings (Finding objects or dicts, e.g. from external engines) and error notes to a built report
    and recompute its ``summary``; returns the same dict. Use this instead of appending to the lists directly."""
    report.setdefault("findings", []).extend(_finding_json(f) for f in findings)
    report.setdefault("errors", []).extend(_error_note(e, "scan") for e in errors)
    report["summary"] = summarize(report)
    return report


# --------------------------------------------------------------------------------------------------- schema, I/O


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """The report JSON Schema (draft 2020-12) shipped with the package."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema

    schema = load_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def schema_errors(report: Any) -> list[str]:
    """Every schema violation of ``report`` as ``"<json path>: <message>"`` lines (empty when valid)."""
    errors = []
    for err in sorted(_validator().iter_errors(report), key=lambda e: list(map(str, e.absolute_path))):
        where = "/".join(str(p) for p in err.absolute_path) or "(root)"
        errors.append(f"{where}: {' '.join(err.message.split())[:300]}")
    return errors


@lru_cache(maxsize=1)
def _fast_validator() -> Any:
    """The schema compiled to Python by fastjsonschema (~30x faster on big reports), or None when unavailable."""
    try:
        import fastjsonschema
    except ImportError:  # optional accelerator; jsonschema alone gives the same verdicts
        return None
    try:
        return fastjsonschema.compile(load_schema())
    except Exception:  # an unsupported construct: fall back to jsonschema rather than fail
        return None


def validate_report(report: Any) -> dict[str, Any]:
    """Return ``report`` unchanged when it is valid; raise :class:`ReportError` naming the first problem(s).

    Valid reports are checked by the compiled validator when fastjsonschema is installed; an invalid one is then
    re-checked with jsonschema, whose messages name every problem.
    """
    fast = _fast_validator()
    if fast is not None:
        import fastjsonschema

        try:
            fast(report)
            return report
        except fastjsonschema.JsonSchemaException:
            pass
    errors = schema_errors(report)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ReportError(f"report does not match schema {SCHEMA_VERSION}: {errors[0]}{more}")
    return report


def _upgrade(report: dict[str, Any]) -> None:
    """Bring a report written before a schema extension up to date in place: findings without ``notice_types``
    get the types their rule declares today (:func:`appwarden.report.notice.finding_notice_types`); one without
    ``screening`` gets a not-screened section."""
    findings = report.get("findings")
    if not isinstance(findings, list):
        return
    if "screening" not in report:
        from appwarden.screening import not_screened

        report["screening"] = not_screened("report written before screening existed: not screened")
    old = [f for f in findings if isinstance(f, dict) and "notice_types" not in f]
    if old:
        from appwarden.report.notice import finding_notice_types

        for finding in old:
            finding["notice_types"] = finding_notice_types(finding)


def load_report(path: str | Path, *, validate: bool = True) -> dict[str, Any]:
    """Read a report JSON file; ReportError when unreadable, not JSON, too large or (``validate``) invalid. A
    report from before ``notice_types`` existed is upgraded on read (see :func:`_upgrade`)."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_REPORT_BYTES:
            raise ReportError(f"{path}: report larger than {MAX_REPORT_BYTES // (1024 * 1024)} MB")
        text = path.read_text(encoding="utf-8-sig")
    except ReportError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"{path}: cannot read report: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportError(f"{path}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:  # the C decoder's limit on nesting
        raise ReportError(f"{path}: not a report: JSON nested too deep") from None
    if not isinstance(data, dict):
        raise ReportError(f"{path}: a report is a JSON object, got {type(data).__name__}")
    _upgrade(data)
    if validate:
        try:
            validate_report(data)
        except ReportError as exc:
            raise ReportError(f"{path}: {exc}") from None
    return data


def dumps_report(report: Mapping[str, Any], *, indent: int | None = 2) -> str:
    """The report as JSON text, UTF-8 characters kept, keys in insertion order.

    With ``indent`` (default) the layout is line-oriented rather than fully indented: objects are expanded to two
    levels (``app``, ``manifest`` …), and every element of a list down to the third level (a call site, a finding,
    an SDK, a permission) sits on one line. Big reports stay greppable and diffable, and the C encoder does the work
    (a fully indented dump of a 20 000-call-site report is ~10x slower). ``indent=None`` gives one compact line.
    """
    compact = json.JSONEncoder(ensure_ascii=False, default=_jsonable, separators=(", ", ": "))
    if indent is None:
        return compact.encode(dict(report))
    pad = " " * indent
    encode = _one_encoder() or compact.encode

    def fmt(value: Any, depth: int) -> str:
        inner = pad * (depth + 1)
        if isinstance(value, Mapping) and value and depth < 2:
            body = ",\n".join(f"{inner}{encode(str(k))}: {fmt(v, depth + 1)}" for k, v in value.items())
            return "{\n" + body + "\n" + pad * depth + "}"
        if isinstance(value, list | tuple) and value and depth < 3:
            body = ",\n".join(inner + encode(v) for v in value)
            return "[\n" + body + "\n" + pad * depth + "]"
        return encode(value)

    return fmt(dict(report), 0)


def _one_encoder() -> Any:
    """``compact.encode`` of :func:`dumps_report` as one C encoder made once, or None where :mod:`json` has no C
    encoder (or another signature): ``JSONEncoder.encode`` builds a new one on every call, ~1 us each, and a
    report is encoded one list element at a time (5 000 call sites at 100 MB of DEX: 22 -> 18 ms, issue #19).
    The same arguments ``JSONEncoder.iterencode`` passes (check_circular: a ``markers`` dict, emptied again by each
    call that returns), so the same text."""
    make = getattr(json.encoder, "c_make_encoder", None)
    quote = getattr(json.encoder, "c_encode_basestring", None)
    if make is None or quote is None:
        return None
    try:
        run = make({}, _jsonable, quote, None, ": ", ", ", False, False, True)
    except TypeError:
        return None
    return lambda value: "".join(run(value, 0))


def write_report(report: Mapping[str, Any], path: str | Path, *, indent: int | None = 2) -> Path:
    """Write ``report`` as UTF-8 JSON to ``path`` (parents created); return the path."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dumps_report(report, indent=indent) + "\n", encoding="utf-8")
    except OSError as exc:
        raise ReportError(f"{path}: cannot write report: {exc}") from None
    return path
