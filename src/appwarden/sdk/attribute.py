"""Attribution: which SDK (or the host app) owns each PI call site, and what each SDK was seen doing.

The owner of a call site is the owner of its **caller class** (``CallSite.caller_class``), decided by
:meth:`appwarden.sdk.match.Matcher.owner_of`. The rules, each tested in ``tests/sdk/test_attribute.py``:

1. **Longest matching SDK prefix wins.** Nested SDK packages belong to the most specific SDK:
   ``com.huawei.hms.push.X`` -> ``huawei_push`` although ``com.huawei.hms`` is ``huawei_hms_core``.
2. **Package boundaries only.** ``com.umengx.Foo`` is not UMeng; ``com.umeng.a.b`` (obfuscated below a known root)
   is.
3. **Host namespace protection.** A class inside the app's own package (manifest ``package``) stays ``host`` unless
   an SDK prefix *deeper than the app package* matches. So a demo app ``com.umeng.example`` keeps its own
   ``com.umeng.example.MainActivity`` as host while its bundled ``com.umeng.analytics.*`` is UMeng, and app
   ``com.tencent.foo`` is never attributed to an SDK owning ``com.tencent``.
4. **Shaded / repackaged SDK code stays host.** An SDK relocated under the host package
   (``com.myapp.shaded.com.umeng.analytics.X``) does not match any KB prefix from the root, so it is reported as
   ``host``: we cannot prove it is the vendor's code, and the app operator is responsible for it either way.
   It is attributed to an SDK only if a KB signature names that relocated package.
5. Inner and anonymous classes (``Foo$1``) belong to their outer class's owner; array descriptors to their element.

:func:`attribute` returns new call sites (``CallSite`` is frozen: :func:`with_owner`) and, when SDK hits are
given, fills each hit's ``pi_categories`` and ``apis`` from the call sites it owns (sorted, de-duplicated) and its
``permissions`` (KB permissions the manifest requests).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Iterable
from typing import TYPE_CHECKING

from appwarden.evidence import CallSite, SdkHit
from appwarden.limits import check_deadline
from appwarden.sdk.match import HOST, Matcher

if TYPE_CHECKING:
    from appwarden.apk.model import Manifest


def attribute(
    callsites: Iterable[CallSite],
    matcher: Matcher,
    sdks: list[SdkHit] | None = None,
    manifest: Manifest | None = None,
    *,
    app_package: str | None = None,
) -> list[CallSite]:
    """Call sites with ``owner`` set (SDK id or ``"host"``); ``sdks`` (if given) are completed in place.

    A call site owned by an SDK that is not yet in ``sdks`` (possible when the SDK matched only through the
    caller class) gets a new SdkHit appended, so every non-host owner appears in the SDK list.
    """
    package = matcher.host_packages(manifest, app_package)
    cache: dict[str, str] = {}
    out: list[CallSite] = []
    for step, site in enumerate(callsites):
        if not step & 1023:
            check_deadline()  # the stage's deadline in any thread
        cls = site.caller_class
        owner = cache.get(cls)
        if owner is None:
            owner = cache[cls] = matcher.owner_of(cls, package)
        out.append(site if site.owner == owner else with_owner(site, owner))
    if sdks is not None:
        _fill_hits(out, matcher, sdks, manifest)
    return out


def with_owner(site: CallSite, owner: str) -> CallSite:
    """``dataclasses.replace(site, owner=owner)`` built positionally (:meth:`CallSite.rebuilt`: ~2x faster; a 100 MB
    app gets thousands of SDK-owned call sites)."""
    return site.rebuilt(owner, site.reachable_from)


def _fill_hits(
    callsites: list[CallSite], matcher: Matcher, sdks: list[SdkHit], manifest: Manifest | None
) -> None:
    categories: dict[str, set[str]] = defaultdict(set)
    apis: dict[str, set[str]] = defaultdict(set)
    for step, site in enumerate(callsites):
        if not step & 1023:
            check_deadline()  # the stage's deadline in any thread
        if site.owner == HOST:
            continue
        categories[site.owner].add(site.category)
        apis[site.owner].add(site.api)
    by_id = {hit.id: hit for hit in sdks}
    for owner in sorted(categories):
        if owner not in by_id and owner in matcher.kb:
            rec = matcher.kb.sdks[owner]
            hit = SdkHit(rec.id, rec.name_zh, rec.name_en, rec.vendor, rec.category, chinese=rec.chinese,
                         matched=["callsite_owner"])  # fmt: skip
            sdks.append(hit)
            by_id[owner] = hit
    requested = set(manifest.permissions) if manifest is not None else set()
    for hit in sdks:
        hit.pi_categories = sorted(categories.get(hit.id, ()))
        hit.apis = sorted(apis.get(hit.id, ()))
        rec = matcher.kb.get(hit.id)
        if rec is not None and manifest is not None:
            hit.permissions = [p for p in rec.permissions if p in requested]


def mark_reachable(
    sdks: list[SdkHit], callsites: Iterable[CallSite], reachable_methods: Container[str]
) -> None:
    """Set ``SdkHit.reachable`` once reachability is known (the rule stage computes it from the call graph).

    ``reachable_methods``: method descriptors reachable from the app's entry points. An SDK is reachable when any
    of its call sites' callers is reachable, or already carries ``reachable_from``; ``False`` when it has call sites
    and none is; left ``None`` (unknown) when it has no PI call site at all - presence is not use.
    """
    seen: dict[str, bool] = {}
    for step, site in enumerate(callsites):
        if not step & 1023:
            check_deadline()  # the stage's deadline in any thread
        if site.owner == HOST:
            continue
        hit = bool(site.reachable_from) or site.caller in reachable_methods
        seen[site.owner] = seen.get(site.owner, False) or hit
    for sdk in sdks:
        if sdk.id in seen:
            sdk.reachable = seen[sdk.id]
