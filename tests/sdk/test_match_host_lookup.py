"""The host-namespace lookups of :mod:`appwarden.sdk.match` (one set lookup per depth since issue #19's popular-app
work) give exactly what the former per-package walks gave."""

from __future__ import annotations

import itertools

from appwarden.sdk.match import (
    Matcher,
    _host_set,
    _under_any_host,
    class_components,
    package_components,
)


def _under_any_host_reference(class_name: str, packages: str | list[str], match_depth: int) -> bool:
    """The former implementation: every package walked for every class."""
    if isinstance(packages, str):
        packages = [packages]
    for package in packages:
        app = package_components(package)
        parts = class_components(class_name)
        if len(parts) > len(app) and parts[: len(app)] == app and match_depth <= len(app):
            return True
    return False


CLASSES = [
    "Lcom/example/app/Main;",
    "Lcom/example/app/sdk/Push$1;",
    "Lcom/example/Other;",
    "Lcom/example;",
    "Lcn/vendor/demo/Launcher;",
    "Lcn/vendor/demo;",
    "LTopLevel;",
    "com.example.app.Dotted",
    "Lorg/x/y/z/w/Deep;",
    "[Lcom/example/app/Arr;",
]
PACKAGE_LISTS = [
    [],
    ["com.example.app"],
    ["com.example"],
    ["com.example.app", "cn.vendor.demo", "org.x.y"],
    ["", "com..example", "org.x.y.z.w.Deep"],
    "com.example.app",
]


def test_under_any_host_matches_the_per_package_walk() -> None:
    for cls, packages, depth in itertools.product(CLASSES, PACKAGE_LISTS, range(0, 7)):
        assert _under_any_host(cls, packages, depth) == _under_any_host_reference(cls, packages, depth), (
            cls,
            packages,
            depth,
        )


def test_host_set_is_remembered_but_bounded() -> None:
    first = _host_set(("com.example.app",))
    assert _host_set(("com.example.app",)) is first
    for n in range(100):
        _host_set((f"p{n}.q",))
    assert _host_set(("com.example.app",)) == first  # recomputed after the clear, same value


def test_package_entry_host_depth_is_the_longest_host_namespace_holding_the_package() -> None:
    matcher = Matcher()
    hosts = [package_components(p) for p in ("com.example", "com.example.app", "cn.vendor", "")]
    host_set = frozenset(map(tuple, hosts))
    longest = max(map(len, hosts))
    for pkg in ("com/example/app/ui", "com/example", "com/exam", "cn/vendor/x", "org/y", "com/example/app"):
        parts = pkg.split("/")
        expected = max((len(h) for h in hosts if len(parts) >= len(h) and parts[: len(h)] == h), default=0)
        assert matcher._package_entry(pkg, host_set, longest)[3] == expected, pkg


def test_identify_counts_names_in_any_spelling_and_top_level_classes() -> None:
    matcher = Matcher()
    descriptors = ["Lcom/umeng/analytics/A;", "Lcom/umeng/analytics/B$1;", "LTop;", "Lcom/example/app/Main;"]
    dotted = ["com.umeng.analytics.A", "com.umeng.analytics.B$1", "Top", "com.example.app.Main"]
    a = matcher.identify(descriptors)
    b = matcher.identify(dotted)
    assert [(h.id, h.classes, h.matched) for h in a] == [(h.id, h.classes, h.matched) for h in b]
    assert any(h.classes == 2 for h in a)  # the two umeng classes, counted once each
