#!/usr/bin/env python3
"""Popular-app benchmark (issue #19): build big multidex APKs from the corpus and time every scan stage on them.

The corpus has small apps (the largest DEX is ~6.6 MB); the national programme tests popular apps with 20-100 MB of
DEX. This script **builds** such apps from the corpus, then measures them. One command (from the repo root)::

    .venv/bin/python bench/popular_apps.py                        # default set: 20, 50 and 100 MB of DEX
    .venv/bin/python bench/popular_apps.py --sizes 15 --no-androguard   # a quick end-to-end check
    .venv/bin/python bench/popular_apps.py --build-only --sizes 100     # only write bench/work/popular-100mb.apk
    .venv/bin/python bench/popular_apps.py --sizes 40 100 --tag r2 --note "..."   # -> <date>-popular-r2.{json,md}

Building the 100 MB app takes ~10 s (33 DEX files, 37 MB APK); measuring it with androguard ~5 min (~8 GB RSS).

Generated APKs go to ``bench/work/`` (gitignored); results to ``bench/results/<date>-popular.json`` and ``.md``.

How an app is built (``build_app``):

- **DEX**: every ``classes*.dex`` of the corpus APKs, largest first, is added intact as the next ``classesN.dex``
  until the target size is reached (DEX files cannot be merged without a DEX merger, so a 100 MB app has ~30 DEX
  files, more than the 5-10 of a typical popular app: the per-DEX fixed costs are over-, not under-counted).
  The corpus repeats SDKs (every DroidBench app carries the support library), and only ~16 MB of it is distinct,
  so a DEX whose classes were already added is added again as a **renamed copy**: for every package prefix
  ``La/b/`` of the classes it defines (never a platform prefix such as ``Landroid/``), every string of its string
  pool that starts with ``La/b/`` (or ``[La/b/``, ``[[La/b/``...) has one character of the package name replaced
  by another, the same for the whole prefix. The replacement is chosen so that the string pool stays sorted in
  UTF-16 order (each renamed string is checked against its neighbours) and no class name clashes with a class
  already in the app; the string lengths do not change, so no offset moves and every index (types, protos,
  fields, methods, ``const-string``) still points at the same string. The DEX checksum and SHA-1 signature are
  recomputed. Strings that merely contain a descriptor (generic ``Signature`` annotations such as
  ``(La/b/C;)V``) are left as they are: metadata, not code. Duplicate class definitions left over are counted
  and reported (``duplicate_classes``).
- **Manifest**: a real binary manifest compiled by ``aapt2 link`` (against the Debian ``framework-res.apk``) that
  declares the components of every source app whose class is defined in the app (renamed like the class), so
  reachability starts from thousands of real entry points, as in a popular app.
- **Signing**: unsigned (``appwarden scan`` reads unsigned APKs: the signature check is a report field, not a
  precondition; androguard reads them too).

What is measured, on each built app, one after the other:

- **floor**: ``zipfile`` inflating every ``classes*.dex`` entry (best of 3), as in ``bench/static_bench.py``;
- **in-process**: ``scan_apk`` (rules and report included) in a fresh interpreter, per stage: wall time (the
  pipeline's own stage timings), CPU time of the process (``time.process_time``: what to compare on a machine
  loaded by other jobs) and peak RSS (``VmHWM``, reset with ``/proc/self/clear_refs`` at the start of each
  stage, so each number is that stage's peak); imports are not counted;
- **tracemalloc** (unless ``--no-tracemalloc``): the same in another fresh interpreter under ``tracemalloc``: per
  stage, the MB Python holds at its end and its peak, and the largest holders (allocation site and caller); its
  times and RSS are not the scan's (tracemalloc slows it and adds memory), so they are not reported;
- **cold CLI**: ``appwarden scan APK -o report.json`` as a fresh process (wall time, peak RSS from ``wait4`` of a
  small launcher, the stage timings from the report);
- **androguard**: ``AnalyzeAPK`` + xrefs of the PI APIs in a subprocess (``bench/static_bench.py``'s worker) with
  a timeout (``--androguard-timeout``, default 1800 s); a timeout is recorded as such.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import itertools
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import static_bench

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
CORPUS = Path(os.environ.get("APPWARDEN_SHARED", ROOT.parent / "shared")) / "corpus"
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
FRAMEWORK_RES = Path("/usr/share/android-framework-res/framework-res.apk")
STAGES = ("apk", "inflate", "dex", "sdk", "reachability", "screening", "policy", "rules", "report")
# Classes of these packages come from the device (boot class path), never from the app: never renamed
# (except the support library, which apps bundle).
PLATFORM = (b"Landroid/", b"Ljava/", b"Ljavax/", b"Ldalvik/", b"Lorg/json/", b"Lorg/xml/", b"Lorg/w3c/",
            b"Lorg/apache/http/", b"Lcom/android/", b"Ljunit/", b"Lsun/", b"Llibcore/")  # fmt: skip
CANDIDATES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


# -- DEX string pool ---------------------------------------------------------------------------------------------


def _uleb(b: bytes | bytearray, o: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        x = b[o]
        o += 1
        result |= (x & 0x7F) << shift
        shift += 7
        if x < 0x80:
            return result, o


def read_strings(dex: bytes | bytearray) -> tuple[list[int], list[bytes]]:
    """(offset of each string's MUTF-8 bytes, the bytes) for every string id, in id order."""
    count, off = struct.unpack_from("<II", dex, 0x38)
    offsets, values = [], []
    for i in range(count):
        (data,) = struct.unpack_from("<I", dex, off + 4 * i)
        _n, start = _uleb(dex, data)
        end = dex.index(0, start)
        offsets.append(start)
        values.append(bytes(dex[start:end]))
    return offsets, values


def defined_classes(dex: bytes | bytearray, strings: list[bytes]) -> list[bytes]:
    """Descriptors of the classes the DEX defines."""
    type_off = struct.unpack_from("<I", dex, 0x44)[0]
    count, off = struct.unpack_from("<II", dex, 0x60)
    out = []
    for i in range(count):
        (t,) = struct.unpack_from("<I", dex, off + 32 * i)
        (s,) = struct.unpack_from("<I", dex, type_off + 4 * t)
        out.append(strings[s])
    return out


def _key(s: bytes) -> bytes:
    """Sort key of a MUTF-8 string in DEX order (UTF-16 code units)."""
    return (
        s.replace(b"\xc0\x80", b"\x00").decode("utf-8", "surrogatepass").encode("utf-16-be", "surrogatepass")
    )


def _body(s: bytes) -> tuple[int, bytes]:
    n = len(s) - len(s.lstrip(b"["))
    return n, s[n:]


def rename_copy(dex: bytes, taken: set[bytes], salt: int) -> tuple[bytes, dict[bytes, bytes], int] | None:
    """A copy of ``dex`` whose app classes get new names not in ``taken`` (see the module docstring).

    Returns (new DEX, old descriptor -> new descriptor for every defined class, classes still clashing), or None
    when no package prefix could be renamed. The string pool stays sorted and every length is unchanged."""
    offsets, strings = read_strings(dex)
    classes = defined_classes(dex, strings)
    prefixes = sorted(
        {
            b"/".join(c.split(b"/")[:2]) + b"/" if c.count(b"/") >= 2 else c.rsplit(b"/", 1)[0] + b"/"
            for c in classes
            if b"/" in c and (not c.startswith(PLATFORM) or c.startswith(b"Landroid/support/"))
        }
    )
    keys = [_key(s) for s in strings]
    new = list(strings)
    renamed_any = False
    for prefix in prefixes:
        members = [i for i, s in enumerate(strings) if _body(s)[1].startswith(prefix)]
        pos = len(prefix) - 2  # last character of the package name
        old = prefix[pos : pos + 1]
        order = CANDIDATES[salt % len(CANDIDATES) :] + CANDIDATES[: salt % len(CANDIDATES)]
        for ch in order.encode():
            if bytes([ch]) == old:
                continue
            repl = prefix[:pos] + bytes([ch]) + prefix[pos + 1 :]
            trial = {}
            for i in members:
                n, body = _body(new[i])
                trial[i] = b"[" * n + repl + body[len(prefix) :]
            if any(_body(v)[1].endswith(b";") and _body(v)[1] in taken for v in trial.values()):
                continue
            tkeys = {i: _key(v) for i, v in trial.items()}

            def key_at(j: int, tkeys: dict[int, bytes] = tkeys) -> bytes:
                return tkeys[j] if j in tkeys else keys[j]

            if all(
                (i == 0 or key_at(i - 1) < tkeys[i]) and (i + 1 == len(keys) or tkeys[i] < key_at(i + 1))
                for i in trial
            ):
                for i, v in trial.items():
                    new[i] = v
                    keys[i] = tkeys[i]
                renamed_any = True
                break
    if not renamed_any:
        return None
    assert all(a < b for a, b in itertools.pairwise(keys)), "string pool no longer sorted"
    out = bytearray(dex)
    for start, s in zip(offsets, new, strict=True):
        out[start : start + len(s)] = s
    out[12:32] = hashlib.sha1(out[32:]).digest()
    out[8:12] = struct.pack("<I", zlib.adler32(bytes(out[12:])))
    mapping = {}
    strings_index = {s: i for i, s in enumerate(strings)}
    for c in classes:
        mapping[c] = new[strings_index[c]]
    clashes = sum(1 for v in mapping.values() if v in taken)
    return bytes(out), mapping, clashes


# -- building an app ---------------------------------------------------------------------------------------------


def corpus_dex() -> list[tuple[str, str, bytes]]:
    """(APK path relative to the corpus, entry name, bytes) of every readable DEX of the corpus, largest first."""
    out = []
    for line in (CORPUS / "MANIFEST.tsv").read_text().splitlines()[1:]:
        rel = line.split("\t", 1)[0]
        if not rel.endswith(".apk"):
            continue
        try:
            with zipfile.ZipFile(CORPUS / rel) as z:
                for info in z.infolist():
                    if info.filename.startswith("classes") and info.filename.endswith(".dex"):
                        blob = z.read(info)
                        if blob[:3] == b"dex" and len(blob) >= 0x70:
                            out.append((rel, info.filename, blob))
        except (OSError, zipfile.BadZipFile, ValueError):
            continue
    out.sort(key=lambda r: (-len(r[2]), r[0], r[1]))
    return out


def source_components(rel: str) -> list[tuple[str, str, list]]:
    """(kind, class name, intent filters) of the components declared by a corpus APK's manifest."""
    from appwarden.apk import open_apk

    try:
        apk = open_apk(CORPUS / rel)
    except Exception:  # an unreadable corpus APK simply contributes no component
        return []
    with apk:
        return [
            (c.kind, c.name, c.intent_filters)
            for c in apk.manifest.components
            if c.kind in ("activity", "service", "receiver", "provider")
        ]


def _xml_attr(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def manifest_xml(package: str, components: list[tuple[str, str, list]]) -> str:
    """A text AndroidManifest.xml declaring ``components`` (exported when they have intent filters)."""
    perms = [
        "INTERNET",
        "READ_PHONE_STATE",
        "ACCESS_FINE_LOCATION",
        "READ_CONTACTS",
        "CAMERA",
        "RECORD_AUDIO",
    ]
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="{package}"'
        ' android:versionCode="1" android:versionName="1.0">',
        '  <uses-sdk android:minSdkVersion="21" android:targetSdkVersion="30"/>',
        *(f'  <uses-permission android:name="android.permission.{p}"/>' for p in perms),
        '  <application android:label="popular">',
    ]
    seen: set[str] = set()
    for n, (kind, name, filters) in enumerate(components):
        if name in seen:
            continue
        seen.add(name)
        extra = f' android:authorities="{_xml_attr(package)}.p{n}"' if kind == "provider" else ""
        exported = "true" if filters else "false"
        lines.append(f'    <{kind} android:name="{_xml_attr(name)}" android:exported="{exported}"{extra}>')
        for f in filters if kind != "provider" else []:
            lines.append("      <intent-filter>")
            lines += [f'        <action android:name="{_xml_attr(a)}"/>' for a in f.actions]
            lines += [f'        <category android:name="{_xml_attr(c)}"/>' for c in f.categories]
            lines.append("      </intent-filter>")
        lines.append(f"    </{kind}>")
    lines += ["  </application>", "</manifest>", ""]
    return "\n".join(lines)


def build_app(target_mb: float, out: Path) -> dict:
    """Write a multidex APK of about ``target_mb`` MB of DEX to ``out``; return what went into it."""
    if not shutil.which("aapt2") or not FRAMEWORK_RES.exists():
        sys.exit("aapt2 and /usr/share/android-framework-res/framework-res.apk are needed (make deb-tools)")
    sources = corpus_dex()
    taken: set[bytes] = set()
    chosen: list[dict] = []
    total = 0
    clashes = 0
    renamed_classes: dict[str, dict[bytes, bytes]] = {}
    salt = 0
    while total < target_mb * 1e6:
        progress = False
        for rel, name, blob in sources:
            if total >= target_mb * 1e6:
                break
            _offs, strings = read_strings(blob)
            classes = defined_classes(blob, strings)
            dup = sum(1 for c in classes if c in taken)
            if dup == 0:
                data, mapping, left = blob, {c: c for c in classes}, 0
            else:
                salt += 1
                renamed = rename_copy(blob, taken, salt)
                if renamed is None:
                    continue
                data, mapping, left = renamed
            taken.update(mapping.values())
            clashes += left
            renamed_classes.setdefault(rel, {}).update(mapping)
            chosen.append({"apk": rel, "entry": name, "bytes": len(data), "renamed": data is not blob})
            total += len(data)
            progress = True
            chosen[-1]["data"] = data
        if not progress:
            break
    components = []
    for rel, mapping in renamed_classes.items():
        for kind, cname, filters in source_components(rel):
            desc = ("L" + cname.replace(".", "/") + ";").encode()
            if desc in mapping:
                components.append((kind, mapping[desc].decode()[1:-1].replace("/", "."), filters))
    package = f"org.appwarden.bench.popular{int(target_mb)}"
    with tempfile.TemporaryDirectory() as tmp:
        xml = Path(tmp) / "AndroidManifest.xml"
        xml.write_text(manifest_xml(package, components))
        base = Path(tmp) / "base.apk"
        proc = subprocess.run(
            ["aapt2", "link", "--manifest", str(xml), "-I", str(FRAMEWORK_RES), "-o", str(base)],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            sys.exit(f"aapt2 link failed: {proc.stderr.strip()[:2000]}")
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(base) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                dst.writestr(info, src.read(info))
            for n, item in enumerate(chosen):
                dst.writestr("classes.dex" if n == 0 else f"classes{n + 1}.dex", item.pop("data"))
    return {
        "apk": str(out.relative_to(ROOT)),
        "apk_bytes": out.stat().st_size,
        "dex_files": len(chosen),
        "dex_bytes": total,
        "classes": len(taken),
        "duplicate_classes": clashes,
        "renamed_dex": sum(1 for c in chosen if c["renamed"]),
        "components": len({c[1] for c in components}),
        "sources": chosen,
    }


# -- workers (fresh interpreters) --------------------------------------------------------------------------------


def _hwm_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _reset_hwm() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # Linux: reset the peak RSS to the current RSS


def _traced(stage: str) -> dict:
    """tracemalloc at the end of a stage: Python-allocated MB still held, the stage's traced peak, and the largest
    holders (file:line of the allocation and its caller)."""
    current, peak = tracemalloc.get_traced_memory()
    top = tracemalloc.take_snapshot().statistics("traceback")[:6]
    return {
        "current_mb": current / 1e6,
        "peak_mb": peak / 1e6,
        "top": [
            {
                "mb": st.size / 1e6,
                "blocks": st.count,
                "where": " <- ".join(f"{Path(f.filename).name}:{f.lineno}" for f in st.traceback),
            }
            for st in top
        ],
    }


def inprocess_worker(path: str, trace: bool = False) -> None:
    """``scan_apk`` with each stage's wall time, CPU time and peak RSS; with ``trace``, tracemalloc too (which
    slows the scan and adds its own memory: its times and RSS are not the scan's). Prints one JSON line."""
    import appwarden.scan as scan

    base_kb = _hwm_kb()
    peaks: dict[str, int] = {}
    spent: dict[str, float] = {}
    cpu: dict[str, float] = {}
    traced: dict[str, dict] = {}
    inner = scan.stage_deadline

    @contextlib.contextmanager
    def measured(stage: str, seconds: float):  # same contract as scan.stage_deadline
        _reset_hwm()
        if trace:
            tracemalloc.reset_peak()
        t, c = time.perf_counter(), time.process_time()
        try:
            with inner(stage, seconds):
                yield
        finally:
            spent[stage] = spent.get(stage, 0.0) + time.perf_counter() - t
            cpu[stage] = cpu.get(stage, 0.0) + time.process_time() - c
            peaks[stage] = max(peaks.get(stage, 0), _hwm_kb())
            if trace:
                traced[stage] = _traced(stage)

    scan.stage_deadline = measured
    if trace:
        tracemalloc.start(2)
    _reset_hwm()
    t, c = time.perf_counter(), time.process_time()
    report = scan.scan_apk(path)
    wall, cpu_total = time.perf_counter() - t, time.process_time() - c
    timings = {**spent, "inflate": report.get("timings", {}).get("inflate")}
    print(
        json.dumps(
            {
                "wall_s": wall,
                "cpu_s": cpu_total,
                "timings": timings,
                "cpu": cpu,
                "traced": traced,
                "peak_rss_mb": {k: v / 1024 for k, v in peaks.items()},
                "imports_rss_mb": base_kb / 1024,
                "findings": len(report.get("findings", [])),
                "callsites": len(report.get("callsites") or []),
                "errors": [
                    e.get("message", "")[:200] for e in report.get("errors", []) if isinstance(e, dict)
                ],
            }
        )
    )


def rusage_worker(cmd: list[str]) -> None:
    """Run ``cmd`` and print its wall time, exit code and peak RSS (``wait4``; this launcher is small, so the
    inherited high-water mark does not inflate it)."""
    t = time.perf_counter()
    pid = os.spawnv(os.P_NOWAIT, cmd[0], cmd)
    _pid, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - t
    print(
        json.dumps(
            {
                "wall_s": wall,
                "cpu_s": usage.ru_utime + usage.ru_stime,
                "rc": os.waitstatus_to_exitcode(status),
                "maxrss_mb": usage.ru_maxrss / 1024,
            }
        )
    )


# -- measuring ---------------------------------------------------------------------------------------------------


def measure(apk: Path, info: dict, androguard: bool, ag_timeout: float, trace: bool = True) -> dict:
    me = str(Path(__file__).resolve())
    floor, _dex_bytes = static_bench.inflate_floor(apk)
    row: dict = {
        **{k: v for k, v in info.items() if k != "sources"},
        "floor_s": floor,
        "floor_cpu_s": floor_cpu(apk),
    }
    inproc, err, _wall = static_bench.sub_json([sys.executable, me, "--inprocess-worker", str(apk)], 3600)
    row["inprocess"] = inproc or {"error": err}
    if trace:  # a separate run: tracemalloc slows the scan and adds its own memory
        traced, err, _wall = static_bench.sub_json([sys.executable, me, "--trace-worker", str(apk)], 3600)
        row["tracemalloc"] = (traced or {}).get("traced") or {"error": err}
    env_exe = ROOT / ".venv" / "bin" / "appwarden"
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        cold, err, _wall = static_bench.sub_json(
            [sys.executable, me, "--rusage-worker", str(env_exe), "scan", str(apk), "-o", str(report)], 3600
        )
        if cold and report.exists():
            cold["timings"] = json.loads(report.read_text()).get("timings", {})
        row["cold"] = cold or {"error": err}
    if androguard:  # one run: the androguard worker's JSON line, then the launcher's (wall time and peak RSS)
        proc, wall = static_bench.run_waited(
            [sys.executable, me, "--rusage-worker", sys.executable, str(Path(static_bench.__file__)),
             "--androguard-worker", str(apk)],
            ag_timeout, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        )  # fmt: skip
        found = [json.loads(ln) for ln in (proc.stdout if proc else "").splitlines() if ln.startswith("{")]
        if proc is None:
            row["androguard"] = {"error": f"timeout after {ag_timeout:.0f}s", "timeout_s": ag_timeout}
        elif len(found) < 2:
            row["androguard"] = {"error": (proc.stderr.strip().splitlines() or ["no output"])[-1][:200]}
        else:
            ag, usage = found[0], found[-1]
            row["androguard"] = {
                "analyze_xref_s": ag["analyze"] + ag["xref"],
                "process_s": wall,
                "pairs": len(ag["pairs"]),
                "maxrss_mb": usage["maxrss_mb"],
                "process_cpu_s": usage.get("cpu_s"),
            }
    return row


def floor_cpu(path: Path) -> float:
    """CPU seconds (best of 3) of inflating every ``classes*.dex`` entry with ``zipfile``: the floor on a loaded
    machine, where wall seconds depend on the other jobs."""
    best = float("inf")
    for _ in range(3):
        c = time.process_time()
        with zipfile.ZipFile(path) as z:
            for n in z.namelist():
                if n.startswith("classes") and n.endswith(".dex"):
                    z.read(n)
        best = min(best, time.process_time() - c)
    return best


def _f(v: float | None, fmt: str = "{:.2f}") -> str:
    return "–" if v is None else fmt.format(v)


def markdown(result: dict) -> str:
    m = result["machine"]
    lines = [
        f"# Popular-app benchmark, {result['date']}",
        "",
        f"Machine: {m.get('cpu')}, {m.get('cores')} cores, {m.get('ram_gb')} GB RAM, {m.get('os')}, "
        f"Python {m.get('python')}. Load average at start / end: {result['load_start']} / {result['load_end']}."
        + (f" **{result['note']}**" if result.get("note") else ""),
        "",
        "Generated by `bench/popular_apps.py` (apps built from the corpus, see the script's docstring).",
        "",
        "| app | DEX MB (files) | classes | components | floor s (CPU s) | androguard s / RSS MB "
        "| cold CLI s (CPU s) / RSS MB | cold / floor (CPU / CPU) | in-process s (CPU s) / floor (CPU / CPU) "
        "| RSS budget MB | budget met (cold) | androguard / cold (process CPU / CPU) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result["apps"]:
        ag = r.get("androguard") or {}
        ag_s = (
            f"{_f(ag.get('analyze_xref_s'), '{:.1f}')} / {_f(ag.get('maxrss_mb'), '{:.0f}')}"
            if "analyze_xref_s" in ag
            else (ag.get("error") or "not run")
        )
        cold, inp = r["cold"], r["inprocess"]
        budget = 2 * r["dex_bytes"] / 1e6 + 150
        met = "–" if cold.get("maxrss_mb") is None else ("yes" if cold["maxrss_mb"] <= budget else "**no**")
        fc = r.get("floor_cpu_s")

        def ratio(a: float | None, b: float | None) -> str:
            return _f(a / b if a is not None and b else None, "{:.1f}×")

        vs_ag = ratio(ag.get("analyze_xref_s"), cold.get("wall_s"))
        vs_ag_cpu = ratio(ag.get("process_cpu_s"), cold.get("cpu_s"))
        lines.append(
            f"| {Path(r['apk']).name} | {r['dex_bytes'] / 1e6:.1f} ({r['dex_files']}) | {r['classes']} "
            f"| {r['components']} | {r['floor_s']:.2f} ({_f(fc)}) | {ag_s} "
            f"| {_f(cold.get('wall_s'))} ({_f(cold.get('cpu_s'))}) / {_f(cold.get('maxrss_mb'), '{:.0f}')} "
            f"| {ratio(cold.get('wall_s'), r['floor_s'])} ({ratio(cold.get('cpu_s'), fc)}) "
            f"| {_f(inp.get('wall_s'))} ({_f(inp.get('cpu_s'))}) / {ratio(inp.get('wall_s'), r['floor_s'])} "
            f"({ratio(inp.get('cpu_s'), fc)}) | {budget:.0f} | {met} | {vs_ag} ({vs_ag_cpu}) |"
        )
    lines += [
        "",
        "Per stage, in-process (wall s / CPU s / peak RSS MB of the stage; inflate is part of dex):",
        "",
    ]
    lines += ["| app | " + " | ".join(STAGES) + " |", "|---|" + "---|" * len(STAGES)]
    for r in result["apps"]:
        inp = r["inprocess"]
        t, c, p = inp.get("timings", {}), inp.get("cpu", {}), inp.get("peak_rss_mb", {})
        cells = [
            f"{_f(t.get(s), '{:.3f}')} / {_f(c.get(s), '{:.3f}')} / {_f(p.get(s), '{:.0f}')}" for s in STAGES
        ]
        lines.append(f"| {Path(r['apk']).name} | " + " | ".join(cells) + " |")
    traced_rows = [
        r for r in result["apps"] if isinstance(r.get("tracemalloc"), dict) and "dex" in r["tracemalloc"]
    ]
    if traced_rows:
        lines += [
            "",
            "tracemalloc per stage (a separate run; MB held by Python at the stage's end / the stage's peak):",
            "",
        ]
        lines += ["| app | " + " | ".join(STAGES) + " |", "|---|" + "---|" * len(STAGES)]
        for r in traced_rows:
            tm = r["tracemalloc"]
            cells = [
                f"{tm[s]['current_mb']:.0f} / {tm[s]['peak_mb']:.0f}" if s in tm else "–" for s in STAGES
            ]
            lines.append(f"| {Path(r['apk']).name} | " + " | ".join(cells) + " |")
        lines += [
            "",
            "Largest holders at the end of the reachability stage (tracemalloc, allocation site <- caller):",
            "",
        ]
        for r in traced_rows:
            top = r["tracemalloc"].get("reachability", {}).get("top", [])
            lines.append(
                f"- {Path(r['apk']).name}: "
                + "; ".join(f"{t['mb']:.1f} MB in {t['blocks']} blocks at {t['where']}" for t in top)
            )
    lines += ["", "Per stage, cold CLI (s, from the report's `timings`; the report stage is not in it):", ""]
    lines += ["| app | " + " | ".join(STAGES) + " |", "|---|" + "---|" * len(STAGES)]
    for r in result["apps"]:
        t = r["cold"].get("timings", {})
        lines.append(
            f"| {Path(r['apk']).name} | " + " | ".join(_f(t.get(s), "{:.3f}") for s in STAGES) + " |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=float, nargs="+", default=[20, 50, 100], help="MB of DEX per built app")
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--no-androguard", action="store_true")
    ap.add_argument("--androguard-timeout", type=float, default=1800)
    ap.add_argument("--note", default="", help="a remark printed with the results (e.g. 'taken under load')")
    ap.add_argument(
        "--tag", default="", help="results go to <date>-popular-<tag>.{json,md} (default: no tag)"
    )
    ap.add_argument("--no-tracemalloc", action="store_true", help="skip the tracemalloc run of each app")
    ap.add_argument("--inprocess-worker", metavar="APK")
    ap.add_argument("--trace-worker", metavar="APK")
    ap.add_argument("--rusage-worker", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    if args.inprocess_worker:
        return inprocess_worker(args.inprocess_worker)
    if args.trace_worker:
        return inprocess_worker(args.trace_worker, trace=True)
    if args.rusage_worker:
        return rusage_worker(args.rusage_worker)
    result: dict = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": static_bench.machine_info(),
        "load_start": [round(x, 2) for x in os.getloadavg()],
        "note": args.note,
        "apps": [],
    }
    for size in args.sizes:
        out = WORK / f"popular-{size:g}mb.apk"
        t = time.perf_counter()
        info = build_app(size, out)
        print(f"built {out} in {time.perf_counter() - t:.1f}s: "
              f"{json.dumps({k: v for k, v in info.items() if k != 'sources'})}", flush=True)  # fmt: skip
        if args.build_only:
            continue
        row = measure(out, info, not args.no_androguard, args.androguard_timeout, not args.no_tracemalloc)
        row["sources"] = [{k: v for k, v in s.items()} for s in info["sources"]]
        result["apps"].append(row)
        print(json.dumps({k: v for k, v in row.items() if k != "sources"}), flush=True)
    if args.build_only:
        return None
    result["load_end"] = [round(x, 2) for x in os.getloadavg()]
    RESULTS.mkdir(exist_ok=True)
    stem = RESULTS / (f"{result['date'][:10]}-popular" + (f"-{args.tag}" if args.tag else ""))
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    stem.with_suffix(".md").write_text(markdown(result))
    print(markdown(result))
    return None


if __name__ == "__main__":
    main()
