"""Load and validate rules: ``knowledge/rules/*.yaml`` -> :class:`~appwarden.rules.model.Rule` objects.

Contract (format: ``docs/rules-format.md``):

- :func:`load_rules` returns every valid rule, sorted by id; the first invalid rule raises
  :class:`~appwarden.errors.RuleError` whose message is ``"<file>:<line>: <problem>"``.
- :func:`check_rules` validates everything and returns *all* problems (for ``appwarden rules check``), including
  missing or malformed fixtures under ``tests/rules/<rule_id>/cases.yaml`` when a fixtures root is given.
- Validation: required fields and types, no unknown keys, id = file stem and unique, clause IDs exist in
  ``knowledge/regulations.yaml``, ``notice_types`` present (an empty list must be explicit), at most
  :data:`~appwarden.knowledge.notice_types.MAX_PER_RULE` distinct ids of ``knowledge/notice_types.yaml``, none of
  a PI kind for a security-hygiene rule (``sec.*``), ``needs`` in :data:`~appwarden.rules.model.EVIDENCE_KINDS`, predicate registered
  (and its ``validate_params`` accepts ``params``), severity/confidence in their vocabularies.
- :func:`rules_version` is a short content hash of the rule files and the rule code (reports carry it for
  reproducibility; the platform dedupes scans by it).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path
from typing import Any

from appwarden.errors import KnowledgeError, RuleError
from appwarden.knowledge import KNOWLEDGE_DIR, load_yaml
from appwarden.knowledge.cache import cache_dir, read_json, write_json
from appwarden.rules import predicates as predicate_registry
from appwarden.rules.model import CONFIDENCES, EVIDENCE_KINDS, SEVERITIES, Rule

RULES_DIR = KNOWLEDGE_DIR / "rules"
REGULATIONS_FILE = KNOWLEDGE_DIR / "regulations.yaml"
_RULES_DIR_STR = str(RULES_DIR)
_CODE_DIR = os.path.dirname(os.path.realpath(__file__))
_PREDICATES_DIR = os.path.join(_CODE_DIR, "predicates")
# screening (不良APP) code and knowledge decide each report's screening section: part of the version too
_SCREENING_DIRS = (
    (os.path.join(os.path.dirname(_CODE_DIR), "screening"), ".py"),
    (str(KNOWLEDGE_DIR / "screening"), ".yaml"),
)
_VERSION_INPUTS = (
    str(REGULATIONS_FILE),
    str(KNOWLEDGE_DIR / "necessary_pi.yaml"),
    str(KNOWLEDGE_DIR / "notice_types.yaml"),
)
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")

REQUIRED = ("id", "title_zh", "title_en", "clauses", "needs", "predicate", "severity", "confidence",
            "remediation_zh", "description", "notice_types")  # fmt: skip
OPTIONAL = ("params", "needs_review", "tags", "enabled", "extra_clauses", "category_table", "supersedes")
CASE_KEYS = ("name", "apk", "policy", "trace", "category", "expect", "note")
EXPECT_KEYS = (
    "findings",
    "owners",
    "severity",
    "confidence",
    "evidence_contains",
    "not_evaluated",
    "clauses",
    "verdicts",  # owner -> confidence, exactly (consent rules: one verdict per owner)
    "behaviour",  # the findings' behaviour (pre_consent / after_refusal)
)


@lru_cache(maxsize=1)
def clause_index() -> dict[str, dict[str, Any]]:
    """Clause ID -> item record of ``knowledge/regulations.yaml``."""
    data = load_yaml(REGULATIONS_FILE)
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise KnowledgeError(f"{REGULATIONS_FILE}: missing 'items' list")
    return {str(item["id"]): item for item in data["items"]}


_TOP_KEY = re.compile(r"^([A-Za-z_][\w.-]*)\s*:", re.MULTILINE)


def _key_lines(path: Path, text: str) -> dict[str, int]:
    """Top-level key -> 1-based line number (for error messages).

    A rule file is a block mapping, so its top-level keys are the lines starting at column 0 with ``key:``; a
    regular expression finds them ~100x faster than composing the YAML node tree in pure Python.
    """
    lines: dict[str, int] = {}
    for match in _TOP_KEY.finditer(text):
        lines.setdefault(match.group(1), text.count("\n", 0, match.start()) + 1)
    return lines


def _parse_rule(path: Path) -> Rule:
    """Parse and validate one rule file; raise RuleError("<file>:<line>: ...") on the first problem."""
    data = load_yaml(path)  # KnowledgeError with line on YAML syntax errors
    text = path.read_text(encoding="utf-8")
    lines = _key_lines(path, text)

    def fail(key: str | None, problem: str) -> RuleError:
        line = lines.get(key, 1) if key else 1
        return RuleError(f"{path}:{line}: {problem}")

    if not isinstance(data, dict):
        raise fail(None, "a rule file must be one YAML mapping")
    for key in data:
        if key not in REQUIRED and key not in OPTIONAL:
            raise fail(str(key), f"unknown key {key!r} (allowed: {', '.join(REQUIRED + OPTIONAL)})")
    for key in REQUIRED:
        if key not in data:
            raise fail(None, f"missing required key {key!r}")
    for key in ("id", "title_zh", "title_en", "predicate", "severity", "confidence", "description"):
        if not isinstance(data[key], str) or not data[key].strip():
            raise fail(key, f"{key!r} must be a non-empty string")
    if not isinstance(data["remediation_zh"], str):
        raise fail("remediation_zh", "'remediation_zh' must be a string")
    rid = data["id"]
    if not ID_PATTERN.match(rid):
        raise fail("id", f"rule id {rid!r} must match {ID_PATTERN.pattern}")
    if path.stem != rid:
        raise fail("id", f"rule id {rid!r} must equal the file name ({path.stem!r})")
    if data["severity"] not in SEVERITIES:
        raise fail("severity", f"severity {data['severity']!r} not one of {', '.join(SEVERITIES)}")
    if data["confidence"] not in CONFIDENCES:
        raise fail("confidence", f"confidence {data['confidence']!r} not one of {', '.join(CONFIDENCES)}")
    if not data["remediation_zh"].strip() and data["severity"] != "info":
        raise fail("remediation_zh", "'remediation_zh' may be empty only for severity info")
    clauses = data["clauses"]
    if not isinstance(clauses, list) or not clauses or not all(isinstance(c, str) for c in clauses):
        raise fail("clauses", "'clauses' must be a non-empty list of clause IDs")
    known = clause_index()
    for clause in clauses:
        if clause not in known:
            raise fail("clauses", f"unknown clause ID {clause!r} (not in knowledge/regulations.yaml)")
    extra = data.get("extra_clauses") or []
    if not isinstance(extra, list) or not all(isinstance(c, str) for c in extra):
        raise fail("extra_clauses", "'extra_clauses' must be a list of clause IDs")
    for clause in extra:
        if clause not in known:
            raise fail("extra_clauses", f"unknown clause ID {clause!r} (not in knowledge/regulations.yaml)")
    table = data.get("category_table") or ""
    if table:
        problem = category_table_problem(str(table), extra)
        if problem:
            raise fail("category_table", problem)
    notice_types = _check_notice_types(rid, data["notice_types"], lambda p: fail("notice_types", p))
    supersedes = data.get("supersedes") or []
    if not isinstance(supersedes, list) or not all(isinstance(r, str) and r for r in supersedes):
        raise fail("supersedes", "'supersedes' must be a list of rule ids")
    if rid in supersedes:
        raise fail("supersedes", "a rule cannot supersede itself")
    needs = data["needs"]
    if not isinstance(needs, list) or not all(isinstance(n, str) for n in needs):
        raise fail("needs", "'needs' must be a list of evidence kinds")
    for need in needs:
        if need not in EVIDENCE_KINDS:
            raise fail("needs", f"unknown evidence kind {need!r} (known: {', '.join(EVIDENCE_KINDS)})")
    params = data.get("params") or {}
    if not isinstance(params, dict):
        raise fail("params", "'params' must be a mapping")
    for key, kind in (("needs_review", bool), ("enabled", bool)):
        if key in data and not isinstance(data[key], kind):
            raise fail(key, f"{key!r} must be true or false")
    tags = data.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise fail("tags", "'tags' must be a list of strings")
    try:
        pred = predicate_registry.get(data["predicate"])
    except RuleError as exc:
        raise fail("predicate", str(exc)) from None
    validate = getattr(pred.fn, "validate_params", None)
    if validate is not None:
        try:
            validate(params)
        except (RuleError, ValueError, TypeError, KeyError) as exc:
            raise fail("params", f"bad params for predicate {pred.name!r}: {exc}") from None
    return Rule(
        id=rid,
        title_zh=data["title_zh"].strip(),
        title_en=data["title_en"].strip(),
        clauses=list(clauses),
        needs=list(needs),
        predicate=data["predicate"],
        severity=data["severity"],
        confidence=data["confidence"],
        remediation_zh=data["remediation_zh"].strip(),
        description=data["description"].strip(),
        params=dict(params),
        needs_review=data.get("needs_review", True),
        tags=list(tags),
        enabled=data.get("enabled", True),
        extra_clauses=list(extra),
        category_table=str(table),
        supersedes=list(supersedes),
        notice_types=notice_types,
        source=str(path),
        line=lines.get("id", 1),
        predicate_module=pred.module,
        predicate_needs=list(pred.needs),
    )


# Per-category clause tables a rule may declare (``category_table``): name -> the instrument whose items are the
# table's rows. A row counts for ``rules coverage`` only when it has the data the predicate evaluates.
CATEGORY_TABLES = {"necessary_pi": "N39"}


def category_table_rows(table: str) -> dict[str, dict[str, Any]]:
    """Rows of a per-category clause table (``necessary_pi``: ``knowledge/necessary_pi.yaml`` ``types``) that hold
    the data a predicate evaluates: ``justified_permissions`` (a list, may be empty) and either a non-empty
    ``necessary_pi_zh`` or ``no_pi_needed: true``. Unknown table: empty."""
    if table != "necessary_pi":
        return {}
    from appwarden.rules.category import necessary_pi

    rows = {}
    for key, rec in (necessary_pi().get("types") or {}).items():
        if not isinstance(rec, dict) or not isinstance(rec.get("justified_permissions"), list):
            continue
        if rec.get("necessary_pi_zh") or rec.get("no_pi_needed") is True:
            rows[str(key)] = rec
    return rows


def category_table_problem(table: str, extra_clauses: list[str]) -> str | None:
    """Why ``category_table`` is invalid for a rule with these ``extra_clauses`` (None when valid): the table must
    be known, and every extra clause of the table's instrument must be a row with data (a category without data
    would be cited without being checked)."""
    if table not in CATEGORY_TABLES:
        return f"unknown category_table {table!r} (known: {', '.join(CATEGORY_TABLES)})"
    prefix = CATEGORY_TABLES[table] + "-"
    rows = category_table_rows(table)
    cited = [
        c
        for c in extra_clauses
        if c.startswith(prefix) and clause_index().get(c, {}).get("kind") != "definition"
    ]
    if not cited:
        return f"category_table {table!r}: no {prefix}xx row among extra_clauses"
    missing = [c for c in cited if c not in rows]
    if missing:
        return f"category_table {table!r}: rows without data (justified_permissions, necessary PI): {', '.join(missing)}"
    return None


def _check_notice_types(rule_id: str, value: Any, fail: Any) -> list[str]:
    """The validated ``notice_types`` of one rule; raises ``fail(problem)`` (a RuleError) on the first problem."""
    from appwarden.knowledge.notice_types import MAX_PER_RULE, PI_KINDS, vocabulary

    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise fail("'notice_types' must be a list of 通报 problem type ids (an empty list when none applies)")
    known = vocabulary()
    for tid in value:
        if tid not in known:
            raise fail(f"unknown notice type {tid!r} (not in knowledge/notice_types.yaml)")
    if len(set(value)) != len(value):
        raise fail("'notice_types' lists a type twice")
    if len(value) > MAX_PER_RULE:
        raise fail(f"'notice_types' lists {len(value)} types; a rule may declare at most {MAX_PER_RULE}")
    if rule_id.startswith("sec."):
        pi = [t for t in value if known[t]["kind"] in PI_KINDS]
        if pi:
            raise fail(f"security-hygiene rule {rule_id!r} may not declare PI problem types {pi}")
    return list(value)


def rule_files(rules_dir: Path | None = None) -> list[Path]:
    """The rule files of ``rules_dir`` (default: the packaged ``knowledge/rules``), sorted by name."""
    directory = Path(rules_dir) if rules_dir is not None else RULES_DIR
    return [directory / name for name in _names(directory, ".yaml")]


def _names(directory: Path | str, suffix: str) -> list[str]:
    """Sorted names of the regular files in ``directory`` ending with ``suffix``; RuleError when it is missing."""
    try:
        with os.scandir(directory) as it:
            return sorted(e.name for e in it if e.name.endswith(suffix) and e.is_file())
    except (FileNotFoundError, NotADirectoryError):
        raise RuleError(f"{directory}: rules directory not found") from None


def _signature(paths: Iterable[str]) -> tuple[tuple[str, int, int], ...]:
    """(path, size, mtime_ns) of each file: what the per-process caches are keyed by."""
    out = []
    for p in paths:
        st = os.stat(p)
        out.append((p, st.st_size, st.st_mtime_ns))
    return tuple(out)


def _rule_paths(rules_dir: Path | str | None) -> list[str]:
    """:func:`rule_files` as strings (the cache keys are built on every scan: no Path objects)."""
    directory = str(rules_dir) if rules_dir is not None else _RULES_DIR_STR
    return [os.path.join(directory, n) for n in _names(directory, ".yaml")]


def _load(paths: Iterable[Path]) -> tuple[list[Rule], list[str]]:
    rules: dict[str, Rule] = {}
    problems: list[str] = []
    for path in paths:
        try:
            rule = _parse_rule(path)
        except KnowledgeError as exc:
            problems.append(str(exc))
            continue
        if rule.id in rules:
            problems.append(
                f"{path}:{rule.line}: duplicate rule id {rule.id!r} (also in {rules[rule.id].source})"
            )
            continue
        rules[rule.id] = rule
    for rule in rules.values():
        for other in rule.supersedes:
            if other not in rules:
                problems.append(f"{rule.source}:{rule.line}: supersedes unknown rule id {other!r}")
            elif rule.id in rules[other].supersedes:
                problems.append(f"{rule.source}:{rule.line}: {rule.id!r} and {other!r} supersede each other")
    return [rules[k] for k in sorted(rules)], problems


_CACHE: dict[tuple, list[Rule]] = {}


def load_rules(rules_dir: Path | str | None = None) -> list[Rule]:
    """Every rule of ``rules_dir`` (default: packaged rules), sorted by id; RuleError on the first invalid one.

    Parsed rules are cached per set of files (path, size, mtime), so a batch of scans parses them once; treat the
    returned Rule objects as read-only.
    """
    directory = Path(rules_dir) if rules_dir is not None else None
    key = _signature(_rule_paths(directory))
    cached = _CACHE.get(key)
    if cached is not None:
        return list(cached)
    disk = _disk_cache_file() if directory is None else None
    rules = _read_disk_cache(disk)
    if rules is None:
        rules, problems = _load(rule_files(directory))
        if problems:
            raise RuleError(
                problems[0] + (f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else "")
            )
        _write_disk_cache(disk, rules)
    if len(_CACHE) > 8:
        _CACHE.clear()
    _CACHE[key] = rules
    return list(rules)


def _disk_cache_file() -> Path | None:
    """Where the validated packaged rules are cached between processes, keyed by :func:`rules_version` (which
    hashes the rule files, the clause and necessary-PI tables and the rule code); None when disabled
    (``APPWARDEN_NO_CACHE=1``). Start-up of a single ``appwarden scan`` then skips parsing ~50 YAML files."""
    base = cache_dir()
    return None if base is None else base / f"rules-{rules_version()}.json"


def _read_disk_cache(path: Path | None) -> list[Rule] | None:
    """The cached rules, each ``source`` joined to this copy's :data:`RULES_DIR`; None when absent, unreadable or
    of another format (a ``source`` that is not a bare file name included): parse again and rewrite."""
    data = read_json(path)
    if not isinstance(data, list):
        return None
    try:
        rules = []
        for item in data:
            name = item["source"]
            if not isinstance(name, str) or not name or os.sep in name or name in (".", ".."):
                return None
            rules.append(Rule(**{**item, "source": os.path.join(_RULES_DIR_STR, name)}))
        return rules
    except (TypeError, KeyError):
        return None


def _write_disk_cache(path: Path | None, rules: list[Rule]) -> None:
    """Writes ``rules`` with each ``source`` as its file name only: the file is keyed by the rules' content, so
    every copy of the package with the same rules (checkouts, worktrees, a venv) shares it, and each must read its
    own files' paths back."""
    write_json(path, [{**asdict(r), "source": os.path.basename(r.source)} for r in rules])


_VERSIONS: dict[tuple, str] = {}


def version_inputs(rules_dir: Path | str | None = None) -> list[str]:
    """The files :func:`rules_version` hashes, in order: rule files, clause/necessary-PI/notice tables, rule code
    (engine, predicates, helpers), and the screening code and knowledge (``appwarden.attest`` hashes the same)."""
    inputs = [*_rule_paths(rules_dir), *_VERSION_INPUTS]
    inputs += [os.path.join(_CODE_DIR, n) for n in _names(_CODE_DIR, ".py")]
    inputs += [os.path.join(_PREDICATES_DIR, n) for n in _names(_PREDICATES_DIR, ".py")]
    inputs += [os.path.join(d, n) for d, ext in _SCREENING_DIRS for n in _names(d, ext)]
    return inputs


def rules_version(rules_dir: Path | str | None = None) -> str:
    """Short sha256 over the rule files, the clause and necessary-PI tables and the rule code (engine, predicates,
    helpers), and the screening code and knowledge: changes whenever a rule or the screening could decide
    differently, so cached results keyed by it stay valid.

    The hash is remembered per (path, size, mtime) signature of those files, in the process and, for the packaged
    rules, in the disk cache: a scan stats the files instead of reading and hashing ~75 of them."""
    inputs = version_inputs(rules_dir)
    key = _signature(inputs)
    version = _VERSIONS.get(key)
    if version is not None:
        return version
    base = cache_dir() if rules_dir is None else None
    memo = None
    if base is not None:
        sig = hashlib.sha256(repr(key).encode()).hexdigest()[:16]
        memo = base / f"rulesver-{sig}.json"
        version = read_json(memo)
    if not (isinstance(version, str) and len(version) == 12):
        digest = hashlib.sha256()
        for path in inputs:
            digest.update(os.path.basename(path).encode() + b"\0")
            with open(path, "rb") as fh:
                digest.update(fh.read() + b"\0")
        version = digest.hexdigest()[:12]
        write_json(memo, version)
    if len(_VERSIONS) > 8:
        _VERSIONS.clear()
    _VERSIONS[key] = version
    return version


def default_fixtures_root() -> Path | None:
    """``tests/rules`` of a source checkout (None in an installed package without tests)."""
    candidate = KNOWLEDGE_DIR.parents[2] / "tests" / "rules"
    return candidate if candidate.is_dir() else None


def load_cases(rule_id: str, fixtures_root: Path) -> tuple[Path, list[dict[str, Any]]]:
    """Read and validate ``<fixtures_root>/<rule_id>/cases.yaml``; RuleError names file and line on problems."""
    folder = Path(fixtures_root) / rule_id
    path = folder / "cases.yaml"
    if not path.is_file():
        raise RuleError(
            f"{path}: missing fixtures for rule {rule_id!r} (need a firing and a non-firing case)"
        )
    data = load_yaml(path)
    lines = _case_lines(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list) or not data["cases"]:
        raise RuleError(f"{path}:1: 'cases' must be a non-empty list")
    names: set[str] = set()
    fires = silent = False
    for i, case in enumerate(data["cases"]):
        line = lines[i] if i < len(lines) else 1
        where = f"{path}:{line}"
        if not isinstance(case, dict):
            raise RuleError(f"{where}: a case must be a mapping")
        for key in case:
            if key not in CASE_KEYS:
                raise RuleError(f"{where}: unknown case key {key!r} (allowed: {', '.join(CASE_KEYS)})")
        name = case.get("name")
        if not isinstance(name, str) or not name or name in names:
            raise RuleError(f"{where}: each case needs a unique 'name'")
        names.add(name)
        if not isinstance(case.get("apk"), str):
            raise RuleError(f"{where}: case {name!r} needs an 'apk' path")
        for key in ("apk", "policy", "trace"):
            if isinstance(case.get(key), str) and not resolve_fixture(folder, case[key]).is_file():
                raise RuleError(f"{where}: case {name!r}: {key} file {case[key]!r} not found")
        expect = case.get("expect")
        if not isinstance(expect, dict):
            raise RuleError(f"{where}: case {name!r} needs an 'expect' mapping")
        for key in expect:
            if key not in EXPECT_KEYS:
                raise RuleError(f"{where}: unknown expect key {key!r} (allowed: {', '.join(EXPECT_KEYS)})")
        if expect.get("not_evaluated"):
            silent = True
            continue
        count = expect.get("findings")
        if not isinstance(count, int) or count < 0:
            raise RuleError(f"{where}: case {name!r}: expect.findings must be a count >= 0")
        fires |= count > 0
        silent |= count == 0
    if not fires or not silent:
        raise RuleError(f"{path}:1: rule {rule_id!r} needs at least one firing and one non-firing case")
    return folder, data["cases"]


def _case_lines(text: str) -> list[int]:
    import yaml  # only for fixture checks (``rules check``), not on the scan path

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if key.value == "cases" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def resolve_fixture(folder: Path, ref: str) -> Path:
    """A case's file reference: ``@fixtures/x`` = ``tests/fixtures/x``; otherwise relative to the rule folder."""
    if ref.startswith("@fixtures/"):
        return Path(folder).parents[1] / "fixtures" / ref[len("@fixtures/") :]
    return Path(folder) / ref


def check_rules(rules_dir: Path | str | None = None, fixtures_root: Path | str | None = None) -> list[str]:
    """Validate every rule (and, with ``fixtures_root``, its fixtures); return all problems (empty = OK)."""
    paths = rule_files(Path(rules_dir) if rules_dir is not None else None)
    rules, problems = _load(paths)
    if fixtures_root is not None:
        for rule in rules:
            if not rule.enabled:
                continue
            try:
                load_cases(rule.id, Path(fixtures_root))
            except KnowledgeError as exc:
                problems.append(str(exc))
    return problems
