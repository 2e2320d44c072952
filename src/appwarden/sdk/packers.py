"""Packer (加固) detection: is the app's real code encrypted behind a loader stub?

When a packer is found the bytecode we see is mostly the packer's stub; every static conclusion about PI call
sites and SDKs is then incomplete, and the report must say so (``appwarden.scan`` records an ``ErrorNote``).

Each packer has *strong* signatures (one is enough) and *weak* ones (two are needed, or one weak plus one strong):

* native libraries, by file name, wherever they sit (``lib/<abi>/`` or ``assets/``: packers hide them in assets);
* asset paths (exact or glob);
* stub classes: the ``<application android:name>`` / ``appComponentFactory`` in the manifest, or a class defined in
  the DEX, matched on package boundaries (``com.stub.StubApp`` matches ``Lcom/stub/StubApp;`` and
  ``Lcom/stub/StubApp$1;`` but not ``Lcom/stub/StubAppX;``).

Signature facts come from the packers' own file layouts as observed in public samples (author knowledge), written
here as data; ``detect_packer`` returns the packer with the most matched signatures, or None.
"""

from __future__ import annotations

import fnmatch
import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from appwarden.evidence import PackerInfo
from appwarden.sdk.match import class_components

if TYPE_CHECKING:
    from appwarden.apk.model import Manifest


@dataclass(frozen=True, slots=True)
class PackerSignature:
    """How one packer (app protector) is recognised: strong and weak library, asset and class markers."""

    id: str
    name: str
    libs: tuple[str, ...] = ()  # file names or regexes ("re:...") of .so files, anywhere in the APK
    assets: tuple[str, ...] = ()  # asset entry paths or globs
    classes: tuple[str, ...] = ()  # dotted stub class / package names
    weak_libs: tuple[str, ...] = ()
    weak_assets: tuple[str, ...] = ()
    weak_classes: tuple[str, ...] = ()


PACKERS: tuple[PackerSignature, ...] = (
    PackerSignature(
        "qihoo_jiagu", "360加固保 (Qihoo 360 Jiagu)",
        libs=("re:libjiagu(_a64|_x86|_x64|_art|_64)?\\.so", "libjgdtc.so", "libjgbibc_32.so", "libjgbibc_64.so"),
        classes=("com.stub.StubApp", "com.qihoo.util.StubApp", "com.qihoo.util.StubApplication", "com.qihoo.util.StubAppxxxxxxxx"),
        weak_assets=("assets/.appkey", "assets/libjiagu*.so"),
        weak_classes=("com.qihoo.util.QHDialog", "com.qihoo.util.Configuration", "com.tianyu.util"),
    ),
    PackerSignature(
        "tencent_legu", "腾讯乐固 (Tencent Legu)",
        libs=("re:libshella-[\\d.]+\\.so", "re:libshell-super\\.[\\w.]+\\.so", "libshellx-super.2019.so", "libtxAppProtect.so"),
        assets=("assets/0OO00l111l1l", "assets/o0oooOO0ooOo.dat", "assets/t86", "assets/tosversion"),
        classes=("com.tencent.StubShell", "com.wrapper.proxyapplication.WrapperProxyApplication"),
        weak_libs=("libBugly-rqd.so",),  # legu bundles it; only counts together with another signature
    ),
    PackerSignature(
        "bangcle", "梆梆安全 (Bangcle / SecNeo)",
        libs=("libsecexe.so", "libsecmain.so", "libSecShell.so", "re:libSecShell-x86\\.so", "libDexHelper.so", "libDexHelper-x86.so",
              "libsecexe.x86.so", "libsecmain.x86.so"),
        assets=("assets/secData0.jar", "assets/bangcleplugin/*", "assets/bangcle_classes.jar"),
        classes=("com.secneo.apkwrapper", "com.SecShell.SecShell", "com.bangcle.protect"),
        weak_libs=("libsecpreload.so",),
    ),
    PackerSignature(
        "ijiami", "爱加密 (Ijiami)",
        libs=("libexecmain.so", "libijiami.so", "libijiamiUtil.so"),
        assets=("assets/ijiami.dat", "assets/ijiami.ajm", "assets/ijm_lib/*", "assets/af.bin", "assets/signed.bin"),
        classes=("com.shell.SuperApplication", "s.h.e.l.l"),
        weak_libs=("libexec.so",),
    ),
    PackerSignature(
        "baidu_protect", "百度应用加固 (Baidu App Protection)",
        libs=("libbaiduprotect.so", "libbaiduprotect_x86.so", "re:libbaiduprotect_[\\w]+\\.so"),
        assets=("assets/baiduprotect.jar", "assets/baiduprotect*.jar"),
        classes=("com.baidu.protect.StubApplication", "com.baidu.protect.A", "com.baidu.protect.CrashHandler"),
    ),
    PackerSignature(
        "netease_yidun", "网易易盾加固 (NetEase Yidun)",
        libs=("libnesec.so", "libnesec-x86.so"),
        assets=("assets/nis_*.dat",),
        classes=("com.netease.nis.wrapper",),
    ),
    PackerSignature(
        "alibaba_mobisec", "阿里聚安全加固 (Alibaba)",
        libs=("libmobisec.so", "libmobisecy.so", "libdemolish.so", "libdemolishdata.so", "libaliutils.so"),
        assets=("assets/aliprotect.dat", "assets/libmobisecy1.zip", "assets/libmobisec*.so"),
        classes=("com.ali.mobisecenhance", "com.ali.fixHelper"),
    ),
    PackerSignature(
        "dexprotector", "DexProtector (Licel)",
        libs=("libdexprotector.so", "re:libdexprotector[\\w.]*\\.so", "re:libdp[\\w.-]*\\.art\\.\\w+\\.so"),
        assets=("assets/classes.dex.dat", "assets/dp.arm*.so.dat", "assets/dp.x86*.so.dat", "assets/dp.*.art.*.so"),
        classes=("com.licel.dexprotector",),
        weak_assets=("assets/dp.mp3",),
    ),
    PackerSignature(
        "payegis", "通付盾 (Payegis)",
        libs=("libegis.so", "libNSaferOnly.so"),
        classes=("com.payegis.ProxyApplication",),
    ),
    PackerSignature(
        "kiwisec", "几维安全 (KiwiSec)",
        libs=("libkwscmm.so", "libkwscr.so", "libkwslinker.so"),
        classes=("com.kiwisec.ProxyApplication", "com.kiwisec"),
    ),
    PackerSignature(
        "dingxiang", "顶象加固 (Dingxiang)",
        libs=("libx3g.so",),
        classes=("com.dingxiang.mobile.StubApplication", "com.security.shell.AppStub1"),
    ),
)  # fmt: skip


def _name_match(name: str, pattern: str) -> bool:
    if pattern.startswith("re:"):
        return re.fullmatch(pattern[3:], name) is not None
    return name == pattern


def _asset_match(entry: str, pattern: str) -> bool:
    if any(c in pattern for c in "*?["):
        return fnmatch.fnmatchcase(entry, pattern)
    return entry == pattern


def _class_match(class_parts: list[str], prefix: str) -> bool:
    parts = prefix.split(".")
    return class_parts[: len(parts)] == parts


def _class_prefix_table() -> list[tuple[str, int, bool]]:
    """(descriptor prefix ``Lcom/stub/StubApp``, packer index, strong?) for every stub class/package name."""
    table: list[tuple[str, int, bool]] = []
    for index, packer in enumerate(PACKERS):
        table += [("L" + p.replace(".", "/"), index, True) for p in packer.classes]
        table += [("L" + p.replace(".", "/"), index, False) for p in packer.weak_classes]
    return table


_CLASS_TABLE = _class_prefix_table()


def _defined_class_hits(class_names: Iterable[str]) -> dict[int, tuple[list[str], list[str]]]:
    """Packer index -> (strong, weak) ``class:`` labels (at most 5 each) for defined classes under a stub prefix.

    The class list is sorted once (in C) and each stub prefix is found by bisection, so the cost is
    O(N log N) in C plus O(prefixes * log N) in Python; a prefix matches on boundaries only: the class itself
    (``...StubApp;``), its inner classes (``...StubApp$1;``) or anything in the package (``.../wrapper/X;``).
    """
    names = sorted(class_names)  # (in C)
    # sorted, every name starts with "L" when the first and the last do (the names between them sort between "L..."
    # strings): descriptors already, as a DEX's classes are; one test instead of a startswith per class
    if names and not (names[0].startswith("L") and names[-1].startswith("L")):
        names = sorted(d if d.startswith("L") else "L" + d.replace(".", "/") + ";" for d in names)
    hits: dict[int, tuple[list[str], list[str]]] = {}
    for prefix, index, strong in _CLASS_TABLE:
        for start in (prefix + "$", prefix + "/", prefix + ";"):
            pos = bisect_left(names, start)
            bucket = hits.setdefault(index, ([], []))[0 if strong else 1]
            while pos < len(names) and names[pos].startswith(start[:-1]) and len(bucket) < 5:
                name = names[pos]
                if name.startswith(start) or (start.endswith(";") and name == start):
                    bucket.append(f"class:{name}")
                else:
                    break
                pos += 1
    return {k: v for k, v in hits.items() if v[0] or v[1]}


def detect_packer(
    entry_names: Iterable[str],
    class_names: Iterable[str] = (),
    manifest: Manifest | None = None,
) -> PackerInfo | None:
    """The packer protecting this APK, or None. ``matched`` lists the signatures that decided it.

    ``entry_names``: every zip entry; ``class_names``: classes defined in the DEX files (smali descriptors);
    ``manifest``: for the application class and app component factory.
    """
    entries = list(entry_names or ())
    class_names = class_names or ()
    so_names = sorted(
        {e.rsplit("/", 1)[-1] for e in entries if e.endswith(".so") and (e.startswith(("lib/", "assets/")))}
    )
    assets = [e for e in entries if e.startswith("assets/")]
    stub_classes: list[tuple[str, list[str]]] = []
    if manifest is not None:
        for name in (manifest.application_class, manifest.app_component_factory):
            if name:
                stub_classes.append((f"manifest:{name}", class_components(name)))
    defined_hits = _defined_class_hits(class_names)

    best: tuple[int, PackerSignature, list[str]] | None = None
    for index, packer in enumerate(PACKERS):
        strong: list[str] = []
        weak: list[str] = []
        for lib in so_names:
            if any(_name_match(lib, p) for p in packer.libs):
                strong.append(f"native_lib:{lib}")
            elif any(_name_match(lib, p) for p in packer.weak_libs):
                weak.append(f"native_lib:{lib}")
        for entry in assets:
            if f"native_lib:{entry.rsplit('/', 1)[-1]}" in strong:
                continue  # a packer library hidden in assets/ is already listed as native_lib
            if any(_asset_match(entry, p) for p in packer.assets):
                strong.append(f"asset:{entry}")
            elif any(_asset_match(entry, p) for p in packer.weak_assets):
                weak.append(f"asset:{entry}")
        for label, parts in stub_classes:
            if any(_class_match(parts, p) for p in packer.classes):
                strong.append(label)
            elif any(_class_match(parts, p) for p in packer.weak_classes):
                weak.append(label)
        hit_strong, hit_weak = defined_hits.get(index, ([], []))
        strong += hit_strong[:1]  # one defined stub class is enough evidence; don't list hundreds
        weak += hit_weak[:5]
        if not strong and len(weak) < 2:
            continue
        matched = sorted(set(strong)) + sorted(set(weak))
        score = 2 * len(set(strong)) + len(set(weak))
        if best is None or score > best[0]:
            best = (score, packer, matched)
    if best is None:
        return None
    return PackerInfo(id=best[1].id, name=best[1].name, matched=best[2])
