"""Who made a runtime call: Java stack frames -> owner (an SDK id or ``"host"``); network hosts -> owner.

An :data:`Attributor` maps a smali class descriptor (``Lcom/umeng/Foo;``) to an SDK id or ``"host"``.
:func:`default_attributor` uses the SDK knowledge base (``appwarden.sdk``) when it is installed and falls back to
``"host"`` for everything otherwise; :class:`PrefixAttributor` is a small package-prefix map (tests, and users
without the knowledge base). Prefixes match on package boundaries only (``com.dv`` never matches ``com.dvadm``).

Stack frames are ``StackTraceElement.toString()`` strings, innermost first. The *caller* of an API is the first
frame that is not platform code (:data:`PLATFORM_PREFIXES`) nor the hooking agent itself.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache

log = logging.getLogger(__name__)

Attributor = Callable[[str], str]

PLATFORM_PREFIXES = (
    "android.",
    "androidx.",
    "com.android.",
    "java.",
    "javax.",
    "dalvik.",
    "libcore.",
    "sun.",
    "kotlin.",
    "kotlinx.",
    "org.apache.harmony.",
    "com.google.android.collect.",
    "<",  # frida/agent synthetic frames such as <anonymous>
)
_FRAME = re.compile(r"^\s*(?:at\s+)?([\w$.]+)\.([\w$<>-]+)\((.*)\)\s*$")


@lru_cache(maxsize=16384)
def frame_class(frame: str) -> str | None:
    """The Java class name of one frame (``com.x.Foo$1`` from ``com.x.Foo$1.run(Foo.java:3)``), or None."""
    m = _FRAME.match(frame)
    return m.group(1) if m else None


def to_descriptor(java_class: str) -> str:
    """``com.x.Foo`` -> ``Lcom/x/Foo;``."""
    return "L" + java_class.replace(".", "/") + ";"


def is_platform(java_class: str) -> bool:
    return java_class.startswith(PLATFORM_PREFIXES)


def caller_frame(stack: Iterable[str] | None) -> str | None:
    """The first non-platform frame of a stack (the code that called the API), or None."""
    for frame in stack or ():
        cls = frame_class(frame)
        if cls and not is_platform(cls):
            return frame
    return None


def stack_owner(stack: Iterable[str] | None, attributor: Attributor) -> tuple[str, str | None]:
    """``(owner, caller_frame)`` for a stack; owner ``"host"`` when the stack is empty or all platform."""
    frame = caller_frame(stack)
    if frame is None:
        return "host", None
    cls = frame_class(frame)
    return (attributor(to_descriptor(cls)) if cls else "host"), frame


class CachedOwner:
    """``stack_owner`` with a bounded per-caller-frame cache (traces repeat the same callers millions of times)."""

    def __init__(self, attributor: Attributor, max_entries: int = 50_000) -> None:
        self.attributor = attributor
        self.cache: dict[str, str] = {}
        self.max_entries = max_entries

    def __call__(self, stack: Iterable[str] | None) -> tuple[str, str | None]:
        frame = caller_frame(stack)
        if frame is None:
            return "host", None
        owner = self.cache.get(frame)
        if owner is None:
            cls = frame_class(frame)
            owner = self.attributor(to_descriptor(cls)) if cls else "host"
            if len(self.cache) >= self.max_entries:
                self.cache.clear()
            self.cache[frame] = owner
        return owner, frame


class PrefixAttributor:
    """Attribute classes by Java package prefix: ``{"com.umeng": "umeng", "cn.jpush": "jpush"}``.

    The longest matching prefix wins; a prefix matches a class in that package or any sub-package.
    ``domains`` optionally maps network domains to owners (``{"umeng.com": "umeng"}``).
    """

    def __init__(self, prefixes: Mapping[str, str], domains: Mapping[str, str] | None = None) -> None:
        self.prefixes = sorted(((p.rstrip("."), o) for p, o in prefixes.items()), key=lambda x: -len(x[0]))
        self.domains = dict(domains or {})

    def __call__(self, descriptor: str) -> str:
        name = descriptor[1:-1].replace("/", ".") if descriptor.startswith("L") else descriptor
        for prefix, owner in self.prefixes:
            if name == prefix or name.startswith(prefix + "."):
                return owner
        return "host"

    def domain_owner(self, host: str) -> str | None:
        return domain_lookup(host, self.domains)


def domain_lookup(host: str, domains: Mapping[str, str]) -> str | None:
    """Owner of ``host`` from a domain map, matching the domain or any sub-domain; None when unknown."""
    host = host.lower().rstrip(".")
    parts = host.split(".")
    for i in range(len(parts)):
        owner = domains.get(".".join(parts[i:]))
        if owner is not None:
            return owner
    return None


class KbAttributor:
    """Attribution by the SDK knowledge base (``appwarden.sdk``): class owner via ``Matcher.owner_of`` (package
    boundaries, longest prefix, the app's own namespace protected) and network domains via the SDKs' ``domains``."""

    def __init__(self, app_package: str | None = None) -> None:
        from appwarden.sdk.kb import load_kb
        from appwarden.sdk.match import Matcher

        kb = load_kb()
        self.matcher = Matcher(kb)
        self.app_package = app_package or None
        self.domains = {
            d.lower().lstrip("."): sdk.id for sdk in kb for d in getattr(sdk, "domains", ()) or ()
        }

    def __call__(self, descriptor: str) -> str:
        return self.matcher.owner_of(descriptor, self.app_package)

    def domain_owner(self, host: str) -> str | None:
        return domain_lookup(host, self.domains)


def default_attributor(app_package: str | None = None) -> Attributor:
    """The SDK knowledge base's attribution when ``appwarden.sdk`` is available, else everything is ``"host"``."""
    try:
        return KbAttributor(app_package)
    except ImportError:
        log.debug("appwarden.sdk not available; runtime calls attributed to host")
    except Exception as exc:  # a broken knowledge base must not stop trace analysis
        log.warning("SDK knowledge base unusable for trace attribution: %s", exc)
    return lambda _descriptor: "host"


def registrable_domain(host: str) -> str:
    """A rough registrable domain: the last two labels, or three for ``*.com.cn``-style suffixes."""
    parts = host.lower().rstrip(".").split(".")
    if len(parts) >= 3 and parts[-2] in ("com", "net", "org", "gov", "edu", "co") and len(parts[-1]) == 2:
        return ".".join(parts[-3:])
    return ".".join(parts[-2:])


def is_first_party(host: str, package: str, first_party_domains: Iterable[str] = ()) -> bool:
    """Whether ``host`` belongs to the app's own operator: a listed first-party domain, or the package's
    reversed prefix (``com.example.app`` -> ``example.com``). Heuristic: the header's ``first_party_domains``
    should be set by the tester for apps whose servers are not under their package name."""
    host = host.lower().rstrip(".")
    for dom in first_party_domains:
        dom = dom.lower().lstrip(".")
        if host == dom or host.endswith("." + dom):
            return True
    parts = package.lower().split(".")
    if len(parts) >= 2:
        guess = f"{parts[1]}.{parts[0]}"
        if host == guess or host.endswith("." + guess):
            return True
    return False
