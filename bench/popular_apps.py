#!/usr/bin/env python3
"""Popular-app benchmark (issue #19): build big multidex APKs from the corpus and time every scan stage on them.

The corpus has small apps (the largest DEX is ~6.6 MB); the national programme tests popular apps with 20-100 MB of
DEX. This script **builds** such apps from the corpus, then measures them. One command (from the repo root)::

    .venv/bin/python bench/popular_apps.py                        # default set: 20, 50 and 100 MB of DEX
    .venv/bin/python bench/popular_apps.py --sizes 15 --no-androguard   # a quick end-to-end check
    .venv/bin/python bench/popular_apps.py --build-only --sizes 100     # only write bench/work/popular-100mb.apk
    .venv/bin/python bench/popular_apps.py --sizes 40 100 --tag r2 --note "..."   # -> <date>-popular-r2.{json,md}
    .venv/bin/python bench/popular_apps.py --sizes 100 --pack-intact    # the r1-r4 shape (33 DEX at 100 MB)
    .venv/bin/python bench/popular_apps.py --sizes 100 --intact-sizes 100   # both shapes in one run and table

Bench-only dependency (not installed by the Makefile, not needed by ``make test``): the DEX merger
``bench/DexMerge.java`` runs on a JDK (11+, it is run as a source file) with dexlib2 from Debian's
``libsmali-java``: ``apt-get install default-jdk-headless libsmali-java``. ``--pack-intact`` needs neither.

Building the 100 MB app takes 75-95 CPU s, most of it the merge in Java (~0.5 GB RSS, serial GC; 12 DEX files, a 40 MB APK),
the intact one ~10 s; measuring it with androguard takes 2-8 min (~8.8 GB RSS). ``--render JSON`` rewrites the
.md of a results file.

Generated APKs go to ``bench/work/`` (gitignored); results to ``bench/results/<date>-popular.json`` and ``.md``.

How an app is built (``build_app``):

- **DEX sources**: every ``classes*.dex`` of the corpus APKs, largest first, is taken in turn until the target
  size is reached (1.6 x the target + 10 MB when merging, since merged DEX files share ids and are smaller).
  The corpus repeats SDKs (every DroidBench app carries the support library), and only ~16 MB of it is distinct,
  so a DEX whose classes were already added is added again as a **renamed copy**: for every package prefix
  ``La/b/`` of the classes it defines (never a platform prefix such as ``Landroid/``), every string of its string
  pool that starts with ``La/b/`` (or ``[La/b/``, ``[[La/b/``...) has one character of the package name replaced
  by another, the same for the whole prefix. The replacement is chosen so that the string pool stays sorted in
  UTF-16 order (each renamed string is checked against its neighbours) and no class name clashes with a class
  already in the app; the string lengths do not change, so no offset moves and every index (types, protos,
  fields, methods, ``const-string``) still points at the same string. The DEX checksum and SHA-1 signature are
  recomputed. Strings that merely contain a descriptor (generic ``Signature`` annotations such as
  ``(La/b/C;)V``) are left as they are: metadata, not code.
- **DEX files, merged (the default)**: the sources' classes, in order, are merged by ``bench/DexMerge.java``
  (dexlib2's ``DexPool``, as smali writes DEX files) into ``classesN.dex`` files each filled up to the DEX
  format's limits, 65,536 method ids, field ids and type ids (``--max-refs``), as a release build fills them:
  a class that would take a file past a limit starts the next file, and the merge stops at about the target
  size (the last file is cut where the bytes per class so far predict the target; it is smaller, as in real
  apps). On the corpus a full file is 7-10 MB (the method-id limit binds first), so 20 / 50 / 100 MB of DEX are
  3 / 6 / 12 files; a popular app with longer methods has fewer, larger files. A class whose name the renaming
  left clashing is kept once (``duplicate_classes``). The merge is checked before the APK is written:
  appwarden's DEX reader reads every file without an error and finds exactly the classes the merger wrote, and
  every class read is written, a duplicate or a failure (``merge.check``); androguard's class count is recorded
  with its run (``androguard.classes``).
- **DEX files, ``--pack-intact``**: each source is its own ``classesN.dex`` (no merger needed), so a 100 MB app
  has ~33 small DEX files, each re-listing the framework's method ids (more per-DEX fixed costs, but fewer
  classes and method ids per MB than merged files: r5 measured the intact 100 MB app lighter than the merged one).
  Duplicate class definitions the renaming left are counted (``duplicate_classes``).
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
import resource
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
# RSS is reported in MB of 10^6 bytes, the unit of the DEX sizes and of the budget (2 x DEX MB + 150): the kernel's
# kB are KiB. Results before r8 divided by 1024 (MiB) and so compared MiB with MB, 4.6 % in the budget's favour.
KB_TO_MB = 1024 / 1e6
FRAMEWORK_RES = Path("/usr/share/android-framework-res/framework-res.apk")
STAGES = ("apk", "inflate", "dex", "sdk", "reachability", "screening", "policy", "rules", "report")
# Classes of these packages come from the device (boot class path), never from the app: never renamed
# (except the support library, which apps bundle).
PLATFORM = (b"Landroid/", b"Ljava/", b"Ljavax/", b"Ldalvik/", b"Lorg/json/", b"Lorg/xml/", b"Lorg/w3c/",
            b"Lorg/apache/http/", b"Lcom/android/", b"Ljunit/", b"Lsun/", b"Llibcore/")  # fmt: skip
CANDIDATES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# The DEX merger (bench/DexMerge.java) runs on dexlib2 from Debian's libsmali-java (a bench-only dependency).
MERGER = Path(__file__).resolve().with_name("DexMerge.java")
DEXLIB2 = ("/usr/share/java/dexlib2.jar", "/usr/share/java/guava.jar")


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


def select_sources(target_bytes: float) -> tuple[list[dict], int, dict[str, dict[bytes, bytes]], int]:
    """Corpus DEX files, largest first, renamed copies once their classes are taken (see the module docstring),
    until their bytes reach ``target_bytes``: (one dict per DEX with its ``data``, classes still clashing,
    source APK -> old descriptor -> new descriptor, classes defined)."""
    sources = corpus_dex()
    taken: set[bytes] = set()
    chosen: list[dict] = []
    total = 0
    clashes = 0
    renamed_classes: dict[str, dict[bytes, bytes]] = {}
    salt = 0
    while total < target_bytes:
        progress = False
        for rel, name, blob in sources:
            if total >= target_bytes:
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
            chosen.append(
                {"apk": rel, "entry": name, "bytes": len(data), "renamed": data is not blob, "data": data}
            )
            total += len(data)
            progress = True
        if not progress:
            break
    return chosen, clashes, renamed_classes, len(taken)


def dex_counts(data: bytes) -> dict:
    """The id-table sizes of a DEX header (what the 65,536 limits are about)."""
    s, _so, t, _to, p, _po, f, _fo, m, _mo, c, _co = struct.unpack_from("<12I", data, 0x38)
    return {"version": data[4:7].decode(), "strings": s, "types": t, "protos": p, "fields": f, "methods": m,
            "classes": c}  # fmt: skip


def merge_dex(chosen: list[dict], target_bytes: float, max_refs: int, tmp: Path) -> tuple[list[bytes], dict]:
    """Merge the DEX files of ``chosen`` (in order) into classesN.dex files each filled up to ``max_refs`` method,
    field and type ids, about ``target_bytes`` in all (``bench/DexMerge.java`` on Debian's dexlib2); returns
    (the DEX files, the merger's summary plus the classes written)."""
    missing = [j for j in DEXLIB2 if not Path(j).exists()]
    if missing or not shutil.which("java"):
        sys.exit(
            "合并 DEX 需要 java 和 dexlib2: apt-get install default-jdk-headless libsmali-java "
            f"(缺少 {', '.join(missing) or 'java'}); 或用 --pack-intact"
        )
    src, dst = tmp / "in", tmp / "out"
    src.mkdir()
    dst.mkdir()
    inputs = []
    for n, item in enumerate(chosen):
        f = src / f"{n:04d}.dex"
        f.write_bytes(item["data"])
        inputs.append(str(f))
    cmd = ["java", "-Xmx3g", "-XX:+UseSerialGC", "-cp", ":".join(DEXLIB2), str(MERGER), str(dst),
           str(int(target_bytes)), str(max_refs), *inputs]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        sys.exit(
            f"DEX 合并失败 (DexMerge.java): {(proc.stderr.strip().splitlines() or ['no output'])[-1][:500]}"
        )
    summary = json.loads(lines[-1])
    summary["written"] = set((dst / "classes.txt").read_text(encoding="utf-8").split())
    blobs = [(dst / f["name"]).read_bytes() for f in summary["files"]]
    for f, blob in zip(summary["files"], blobs, strict=True):
        f.update(dex_counts(blob))
    return blobs, summary


def check_merged(blobs: list[bytes], summary: dict) -> dict:
    """appwarden's DEX reader on the merged files: no error, and exactly the classes the merger wrote; the merger's
    own count: every class read is written, a duplicate or a failure."""
    from appwarden.dex.index import build_index

    index = build_index(
        [("classes.dex" if n == 0 else f"classes{n + 1}.dex", b) for n, b in enumerate(blobs)]
    )
    read = set(index.classes)
    check = {
        "appwarden_classes": len(read),
        "appwarden_errors": [e.message for e in index.errors][:5],
        "classes_match": read == summary["written"],
        "classes_accounted": summary["classes_in"]
        == summary["classes_out"] + summary["duplicates"] + summary["failed"],
    }
    if check["appwarden_errors"] or not check["classes_match"] or not check["classes_accounted"]:
        sys.exit(f"合并后的 DEX 未通过检查: {json.dumps(check, ensure_ascii=False)}")
    return check


def build_app(target_mb: float, out: Path, pack_intact: bool = False, max_refs: int = 65536) -> dict:
    """Write a multidex APK of about ``target_mb`` MB of DEX to ``out``; return what went into it.

    By default the selected corpus DEX files are merged into classesN.dex files filled up to the DEX limits, as
    a popular app's build does; with ``pack_intact`` each is packed as its own classesN.dex (the r1-r4 apps)."""
    if not shutil.which("aapt2") or not FRAMEWORK_RES.exists():
        sys.exit("aapt2 and /usr/share/android-framework-res/framework-res.apk are needed (make deb-tools)")
    target = target_mb * 1e6
    # Merging shares the framework's method, field and type ids between the sources, so the merged bytes are
    # fewer than the inputs': take more (the merger stops at the target).
    chosen, clashes, renamed_classes, defined = select_sources(target if pack_intact else 1.6 * target + 10e6)
    merge: dict | None = None
    with tempfile.TemporaryDirectory() as tmpdir:
        if pack_intact:
            blobs = [item.pop("data") for item in chosen]
            written = None
        else:
            blobs, merge = merge_dex(chosen, target, max_refs, Path(tmpdir))
            chosen = chosen[: merge["inputs_used"]]
            for item in chosen:
                item.pop("data")
            written = {t.encode() for t in merge.pop("written")}
            merge["check"] = check_merged(blobs, {**merge, "written": {t.decode() for t in written}})
        components = []
        for rel, mapping in renamed_classes.items():
            for kind, cname, filters in source_components(rel):
                desc = ("L" + cname.replace(".", "/") + ";").encode()
                if desc in mapping and (written is None or mapping[desc] in written):
                    components.append((kind, mapping[desc].decode()[1:-1].replace("/", "."), filters))
        package = f"org.appwarden.bench.popular{int(target_mb)}"
        xml = Path(tmpdir) / "AndroidManifest.xml"
        xml.write_text(manifest_xml(package, components))
        base = Path(tmpdir) / "base.apk"
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
            for n, blob in enumerate(blobs):
                dst.writestr("classes.dex" if n == 0 else f"classes{n + 1}.dex", blob)
    return {
        "apk": str(out.relative_to(ROOT)),
        "mode": "pack-intact" if pack_intact else "merged",
        "apk_bytes": out.stat().st_size,
        "dex_files": len(blobs),
        "dex_bytes": sum(len(b) for b in blobs),
        "classes": len(written) if written is not None else defined,
        # packed intact: classes the renaming left clashing; merged: the merger kept the first of each class
        "duplicate_classes": merge["duplicates"] if merge else clashes,
        "renamed_dex": sum(1 for c in chosen if c["renamed"]),
        "components": len({c[1] for c in components}),
        "dex": [{"bytes": len(b), **dex_counts(b)} for b in blobs] if merge is None else merge.pop("files"),
        "merge": merge,
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
                "peak_rss_mb": {k: v * KB_TO_MB for k, v in peaks.items()},
                "imports_rss_mb": base_kb * KB_TO_MB,
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
                "maxrss_mb": usage.ru_maxrss * KB_TO_MB,
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
        "floor_libdeflate_cpu_s": floor_libdeflate_cpu(apk),
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
                "classes": ag.get("classes"),
                "maxrss_mb": usage["maxrss_mb"],
                "process_cpu_s": usage.get("cpu_s"),
            }
    return row


def _command(argv: list[str]) -> str:
    """The options of this run, without the ``--note`` text (recorded on its own)."""
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
        elif a == "--note":
            skip = True
        elif not a.startswith("--note="):
            out.append(a)
    return " ".join(out)


def _cpu_with_children() -> float:
    """CPU seconds of this process and of its waited-for children (the merger, the workers, androguard)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


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


def floor_libdeflate_cpu(path: Path) -> float | None:
    """CPU seconds (best of 3) of inflating every ``classes*.dex`` entry with libdeflate (the ``deflate`` package the
    scan inflates with since 2026-12-07), from the compressed bytes already read; None without the package. A
    second floor beside :func:`floor_cpu`: the issue's floor is zlib's, and a scan that inflates with a faster
    library moves its own ratio to zlib without doing anything else faster."""
    try:
        from deflate import deflate_decompress
    except ImportError:
        return None
    with zipfile.ZipFile(path) as z:
        infos = [i for i in z.infolist() if i.filename.startswith("classes") and i.filename.endswith(".dex")]
        blobs = []
        with open(path, "rb") as f:
            for i in infos:
                f.seek(i.header_offset + 26)
                nlen, xlen = struct.unpack("<HH", f.read(4))
                f.seek(i.header_offset + 30 + nlen + xlen)
                blobs.append((i.compress_type, f.read(i.compress_size), i.file_size))
    best = float("inf")
    for _ in range(3):
        c = time.process_time()
        for method, blob, size in blobs:
            if method == zipfile.ZIP_DEFLATED and size:
                deflate_decompress(blob, size)
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
        + (" RSS and DEX sizes in MB of 10^6 bytes." if result.get("rss_unit") == "MB" else "")
        + (f" **{result['note']}**" if result.get("note") else "")
        + (
            f" Apps of `{result['reused_from']}` measured again (not rebuilt); "
            + (
                "androguard run again on the merged apps in this run."
                if "--androguard-again" in result.get("command", "")
                else "androguard's numbers copied from that run."
            )
            if result.get("reused_from")
            else ""
        ),
        "",
        "Generated by `bench/popular_apps.py` (apps built from the corpus, see the script's docstring)"
        + (f": `{result['command']}`" if result.get("command") else "")
        + (
            f"; whole run {result['cpu_s_total']:.0f} CPU s (this process and its children) in "
            f"{result['wall_s_total']:.0f} s."
            if result.get("cpu_s_total") is not None
            else "."
        ),
        "",
        "DEX shape (merged: classes of the corpus DEX files merged into files filled up to the DEX limits; "
        "intact: every corpus DEX packed as it is); ids are the most any one file of the app has:",
        "",
        "| app | mode | DEX files | MB per DEX (min-max) | method ids | field ids | type ids | classes "
        "(androguard) | build s (CPU s) | load before / after |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *(
            f"| {Path(r['apk']).name} | {r.get('mode', 'pack-intact')} | {r['dex_files']} "
            f"| {min(d['bytes'] for d in r['dex']) / 1e6:.1f}-{max(d['bytes'] for d in r['dex']) / 1e6:.1f} "
            f"| {max(d['methods'] for d in r['dex'])} | {max(d['fields'] for d in r['dex'])} "
            f"| {max(d['types'] for d in r['dex'])} | {r['classes']} "
            f"({(r.get('androguard') or {}).get('classes') or '–'}) "
            f"| {_f(r.get('build_s'), '{:.0f}')} ({_f(r.get('build_cpu_s'), '{:.0f}')}) "
            f"| {r.get('load_before', '–')} / {r.get('load_after', '–')} |"
            for r in result["apps"]
            if r.get("dex")
        ),
        "",
        *(
            ["Checks run separately on these apps (recorded in the JSON's `checks`):", ""]
            + [f"- {c}" for c in result.get("checks", [])]
            + [""]
            if result.get("checks")
            else []
        ),
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
    if any(r.get("floor_libdeflate_cpu_s") for r in result["apps"]):
        lines += [
            "",
            "The same cold scans against a libdeflate floor (CPU s of inflating the DEX with the library the scan "
            "inflates with since 2026-12-07; the issue's floor above is zlib's):",
            "",
            "| app | zlib floor CPU s | libdeflate floor CPU s | cold CPU s | cold / libdeflate floor (CPU / CPU) |",
            "|---|---|---|---|---|",
        ]
        for r in result["apps"]:
            fl, cpu = r.get("floor_libdeflate_cpu_s"), r["cold"].get("cpu_s")
            share = _f(cpu / fl if cpu is not None and fl else None, "{:.1f}×")
            lines.append(
                f"| {Path(r['apk']).name} | {_f(r.get('floor_cpu_s'))} | {_f(fl, '{:.3f}')} | {_f(cpu)} | {share} |"
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
    ap.add_argument(
        "--pack-intact",
        action="store_true",
        help="pack every corpus DEX as its own classesN.dex (the r1-r4 apps: ~3 MB per DEX, 33 DEX at 100 MB) "
        "instead of merging them into DEX files filled up to the format's limits",
    )
    ap.add_argument(
        "--intact-sizes",
        type=float,
        nargs="*",
        default=[],
        help="also build these sizes with --pack-intact and measure them in the same run (without androguard)",
    )
    ap.add_argument(
        "--max-refs",
        type=int,
        default=65536,
        help="method/field/type ids per merged DEX (default 65536, the DEX format's limit)",
    )
    ap.add_argument("--render", metavar="JSON", type=Path, help="only rewrite the .md of a results .json")
    ap.add_argument(
        "--reuse",
        metavar="JSON",
        type=Path,
        help="measure the apps of an earlier results .json again without rebuilding them (each file must still "
        "have the size recorded there); androguard's numbers are copied from that run (androguard does not change "
        "with our engine), marked androguard_from; with --androguard-again androguard is run again instead",
    )
    ap.add_argument(
        "--androguard-again",
        action="store_true",
        help="with --reuse: run androguard on the reused apps in this run (the same-run baseline) instead of copying",
    )
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
    if args.render:
        saved = json.loads(args.render.read_text())
        args.render.with_suffix(".md").write_text(markdown(saved))
        return None
    cpu_start, wall_start = _cpu_with_children(), time.perf_counter()
    result: dict = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": static_bench.machine_info(),
        "load_start": [round(x, 2) for x in os.getloadavg()],
        "command": _command(sys.argv[1:]),
        "note": args.note,
        "rss_unit": "MB",  # 10^6 bytes (KB_TO_MB); absent in results before r8, which hold MiB
        "apps": [],
    }
    if args.reuse:
        return _measure_again(args, result, cpu_start, wall_start)
    plan = [(size, args.pack_intact) for size in args.sizes] + [(size, True) for size in args.intact_sizes]
    for size, intact in plan:
        out = WORK / f"popular-{size:g}mb{'-intact' if intact else ''}.apk"
        t, c = time.perf_counter(), _cpu_with_children()
        info = build_app(size, out, intact, args.max_refs)
        build = {"build_s": time.perf_counter() - t, "build_cpu_s": _cpu_with_children() - c}
        print(f"built {out} in {build['build_s']:.1f}s: "
              f"{json.dumps({k: v for k, v in info.items() if k != 'sources'})}", flush=True)  # fmt: skip
        if args.build_only:
            continue
        load = [round(x, 2) for x in os.getloadavg()]
        # the extra intact apps skip androguard (its numbers on that shape are in the r4 results)
        androguard = not args.no_androguard and not (intact and not args.pack_intact)
        row = measure(out, info, androguard, args.androguard_timeout, not args.no_tracemalloc)
        row.update(build, load_before=load, load_after=[round(x, 2) for x in os.getloadavg()])
        row["sources"] = [{k: v for k, v in s.items()} for s in info["sources"]]
        result["apps"].append(row)
        print(json.dumps({k: v for k, v in row.items() if k != "sources"}), flush=True)
    if args.build_only:
        return None
    return _write_results(args, result, cpu_start, wall_start)


def _measure_again(args: argparse.Namespace, result: dict, cpu_start: float, wall_start: float) -> None:
    """``--reuse``: the apps of an earlier run, measured again as they are (no build; androguard's numbers copied
    from that run unless ``--androguard-again`` runs it again on the merged apps)."""
    saved = json.loads(args.reuse.read_text())
    result["reused_from"] = str(args.reuse)
    for old in saved["apps"]:
        apk = ROOT / old["apk"]
        if (
            not apk.is_file() or apk.stat().st_size != old["apk_bytes"]
        ):  # noted; the others are still measured
            print(f"{apk}: 不是 {args.reuse} 记录的文件 (missing or another size): skipped", file=sys.stderr)
            result.setdefault("skipped", []).append(old["apk"])
            continue
        info = {k: v for k, v in old.items() if k in _BUILD_INFO}
        load = [round(x, 2) for x in os.getloadavg()]
        again = args.androguard_again and old.get("mode") != "pack-intact"
        row = measure(apk, info, again, args.androguard_timeout, not args.no_tracemalloc)
        if old.get("androguard") and not again:
            row["androguard"] = old["androguard"]
            row["androguard_from"] = saved["date"]
        row.update(load_before=load, load_after=[round(x, 2) for x in os.getloadavg()])
        result["apps"].append(row)
        print(json.dumps(row), flush=True)
    return _write_results(args, result, cpu_start, wall_start)


_BUILD_INFO = ("apk", "mode", "apk_bytes", "dex_files", "dex_bytes", "classes", "duplicate_classes", "renamed_dex",
               "components", "dex", "merge")  # fmt: skip


def _write_results(args: argparse.Namespace, result: dict, cpu_start: float, wall_start: float) -> None:
    result["load_end"] = [round(x, 2) for x in os.getloadavg()]
    result["cpu_s_total"] = round(_cpu_with_children() - cpu_start, 1)
    result["wall_s_total"] = round(time.perf_counter() - wall_start, 1)
    RESULTS.mkdir(exist_ok=True)
    stem = RESULTS / (f"{result['date'][:10]}-popular" + (f"-{args.tag}" if args.tag else ""))
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    stem.with_suffix(".md").write_text(markdown(result))
    print(markdown(result))
    return None


if __name__ == "__main__":
    main()
