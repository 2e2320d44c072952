"""Network security config parser on hand-built binary XML, and its glue into ``open_apk``."""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.apk import open_apk
from appwarden.apk.netsec import MAX_CONFIGS, MAX_NESTING, parse_network_security_config
from appwarden.errors import AxmlFormatError

from .apk_zipbuild import Attr, Entry, Node, ZipSpec, a, build_axml, build_zip, manifest_node

TYPE_REFERENCE = 0x01
TYPE_STRING = 0x03


def p(name: str, value: str | int | bool, **kw: object) -> Attr:
    """A plain (namespace-less) attribute, as network security configs use."""
    return Attr(name, value, ns=None, **kw)  # type: ignore[arg-type]


def certs(src: str, **kw: object) -> Node:
    return Node("certificates", [p("src", src), *[p(k, v) for k, v in kw.items()]])  # type: ignore[arg-type]


def domain(name: str, subdomains: bool | None = None) -> Node:
    return Node("domain", [p("includeSubdomains", subdomains)] if subdomains is not None else [], text=name)


def nsc(*children: Node) -> bytes:
    return build_axml(Node("network-security-config", [], list(children)))


def parse(*children: Node, **kw: object):
    return parse_network_security_config(nsc(*children), "res/xml/nsc.xml", **kw)  # type: ignore[arg-type]


PIN = Node("pin", [p("digest", "SHA-256")], text="7HIpactkIAq2Y49orFOOQKurWxmmSFZhBCoQYcRhJ3Y=")


class FakeResources:
    def __init__(self, values: dict[int, object]) -> None:
        self.values = values

    def resolve(self, res_id: int) -> object:
        return self.values.get(res_id)


def test_full_config() -> None:
    cfg = parse(
        Node(
            "base-config",
            [p("cleartextTrafficPermitted", True)],
            [
                Node(
                    "trust-anchors",
                    [],
                    [
                        certs("system"),
                        certs("user", overridePins=True),
                        Node("certificates", [p("src", 0x7F030000, type=TYPE_REFERENCE)]),
                    ],
                )
            ],
        ),
        Node(
            "domain-config",
            [p("cleartextTrafficPermitted", False)],
            [
                domain("  Api.Example.CN ", True),
                domain("10.0.2.2"),
                Node("pin-set", [p("expiration", "2030-01-01")], [PIN]),
                Node("domain-config", [], [domain("img.api.example.cn")]),
                Node("unknown", [], [Node("domain-config", [], [domain("ignored.example.cn")])]),
            ],
        ),
        Node("debug-overrides", [], [Node("trust-anchors", [], [certs("user")])]),
        resources=FakeResources({0x7F030000: "res/raw/my_ca.pem"}),
    )
    assert cfg.notes == []
    base = cfg.base_config
    assert base is not None and base.cleartext_permitted is True and base.cleartext_raw is None
    assert [(t.src, t.override_pins, t.resource) for t in base.trust_anchors or []] == [
        ("system", False, False),
        ("user", True, False),
        ("res/raw/my_ca.pem", False, True),
    ]
    assert base.trusts_user
    top, nested = cfg.domain_configs
    assert [(d.name, d.include_subdomains) for d in top.domains] == [
        ("api.example.cn", True),
        ("10.0.2.2", False),
    ]
    assert top.pin_set and top.pin_count == 1 and top.pin_expiration == "2030-01-01"
    assert top.trust_anchors is None and not top.trusts_user
    assert nested.parent == 0 and [d.name for d in nested.domains] == ["img.api.example.cn"]
    debug = cfg.debug_overrides
    assert debug is not None and [(t.src, t.override_pins) for t in debug.trust_anchors or []] == [
        ("user", True)
    ]


def test_cleartext_inheritance_and_defaults() -> None:
    # a domain-config before the base-config still inherits from it; nested ones from their parent
    cfg = parse(
        Node("domain-config", [], [domain("a.cn"), Node("domain-config", [], [domain("b.a.cn")])]),
        Node(
            "domain-config",
            [p("cleartextTrafficPermitted", True)],
            [domain("c.cn"), Node("domain-config", [], [domain("d.c.cn")])],
        ),
        Node("base-config", [p("cleartextTrafficPermitted", False)]),
    )
    a_cfg, b_cfg, c_cfg, d_cfg = cfg.domain_configs
    assert [cfg.cleartext(c, 30) for c in (a_cfg, b_cfg, c_cfg, d_cfg)] == [False, False, True, True]
    assert cfg.inherited_from_domain(d_cfg) is c_cfg and cfg.inherited_from_domain(b_cfg) is None
    assert cfg.inherited_from_domain(c_cfg) is None
    # no cleartext attribute anywhere: the NSC default (targetSdk < 28), whatever the manifest says
    bare = parse(Node("base-config"), Node("domain-config", [], [domain("x.cn")]))
    assert bare.base_cleartext(27) is True and bare.base_cleartext(28) is False
    assert bare.cleartext(bare.domain_configs[0], 27) is True
    assert parse(Node("debug-overrides")).base_cleartext(30) is False  # no base-config at all


def test_values_android_does_not_read_as_booleans() -> None:
    res = FakeResources({0x7F040000: False})
    cfg = parse(
        Node("base-config", [p("cleartextTrafficPermitted", 0x7F040000, type=TYPE_REFERENCE)]),
        Node(
            "domain-config",
            [p("cleartextTrafficPermitted", "false")],  # a string, not a compiled boolean
            [domain("x.cn", None), Node("domain", [p("includeSubdomains", "true")], text="y.cn")],
        ),
        resources=res,
    )
    base = cfg.base_config
    assert base is not None and base.cleartext_permitted is True  # the default, as Android reads it
    assert base.cleartext_raw == "@0x7f040000"
    assert any("resources.arsc holds 'false'" in n and "default, true" in n for n in cfg.notes)
    d = cfg.domain_configs[0]
    assert d.cleartext_permitted is True and d.cleartext_raw == "false"
    assert [x.include_subdomains for x in d.domains] == [False, False]
    # an integer-typed value counts (non-zero is true)
    zero = parse(Node("base-config", [p("cleartextTrafficPermitted", 0)])).base_config
    assert zero is not None and zero.cleartext_permitted is False


@pytest.mark.parametrize(
    ("children", "expected"),
    [
        ([Node("base-config"), Node("base-config")], "more than one <base-config>"),
        ([Node("domain-config")], "<domain-config> without a <domain>"),
        ([Node("base-config", [], [domain("x.cn")])], "<domain> not allowed in <base-config>"),
        ([Node("base-config", [], [Node("pin-set")])], "<pin-set> not allowed in <base-config>"),
        (
            [Node("base-config", [], [Node("domain-config", [], [domain("x.cn")])])],
            "nested <domain-config> not allowed",
        ),
        (
            [Node("base-config", [], [Node("trust-anchors"), Node("trust-anchors")])],
            "more than one <trust-anchors>",
        ),
        (
            [Node("base-config", [], [Node("trust-anchors", [], [certs("everyone")])])],
            "unknown certificates src 'everyone'",
        ),
        (
            [Node("base-config", [], [Node("trust-anchors", [], [Node("certificates")])])],
            "<certificates> without src",
        ),
        (
            [Node("domain-config", [], [domain("x.cn")]), Node("domain-config", [], [domain("X.cn")])],
            "domain x.cn specified twice",
        ),
        ([Node("domain-config", [], [Node("domain")])], "<domain> without a domain name"),
        (
            [
                Node(
                    "domain-config",
                    [],
                    [domain("x.cn"), Node("pin-set", [], [Node("pin", [p("digest", "MD5")], text="AA==")])],
                )
            ],
            "unsupported pin digest",
        ),
        (
            [
                Node(
                    "domain-config",
                    [],
                    [
                        domain("x.cn"),
                        Node("pin-set", [], [Node("pin", [p("digest", "SHA-256")], text="AA==")]),
                    ],
                )
            ],
            "not a base64 SHA-256",
        ),
        (
            [Node("domain-config", [], [domain("x.cn"), Node("pin-set", [p("expiration", "soon")])])],
            "not a yyyy-MM-dd date",
        ),
        ([Node("debug-overrides"), Node("debug-overrides")], "more than one <debug-overrides>"),
    ],
)
def test_what_android_rejects_is_noted(children: list[Node], expected: str) -> None:
    notes = parse(*children).notes
    assert any(expected in n and n.startswith("Android rejects this file") for n in notes), notes


def test_debug_overrides_unchecked_when_not_debuggable() -> None:
    bad = Node("debug-overrides", [], [Node("trust-anchors", [], [certs("bogus"), certs("user")])])
    assert parse(bad).notes  # a debuggable app reads it: rejected
    quiet = parse(bad, debuggable=False)
    assert quiet.notes == [] and quiet.debug_overrides is not None and quiet.debug_overrides.trusts_user


def test_not_a_network_security_config() -> None:
    with pytest.raises(AxmlFormatError, match="not <network-security-config>"):
        parse_network_security_config(build_axml(Node("manifest")), "res/xml/x.xml")
    with pytest.raises(AxmlFormatError):
        parse_network_security_config(b"\x03\x00\x08\x00garbage", "res/xml/x.xml")


def test_bounds() -> None:
    deep = Node("domain-config", [], [domain("d0.cn")])
    node = deep
    for i in range(1, MAX_NESTING + 1):
        child = Node("domain-config", [], [domain(f"d{i}.cn")])
        node.children.append(child)
        node = child
    with pytest.raises(AxmlFormatError, match="nested deeper"):
        parse(deep)
    many = [Node("domain-config", [], [domain(f"h{i}.cn")]) for i in range(MAX_CONFIGS + 1)]
    with pytest.raises(AxmlFormatError, match="domain-config"):
        parse(*many)


# -- open_apk glue ---------------------------------------------------------------------------------------------------
NSC_ATTR = 0x01010527
DEBUGGABLE = 0x0101000F


def apk_with(
    tmp_path: Path, files: dict[str, bytes], ref: str = "res/xml/nsc.xml", debuggable: bool = False
) -> Path:
    app_attrs = [a("label", "x"), Attr("networkSecurityConfig", ref, res_id=NSC_ATTR)]
    if debuggable:
        app_attrs.append(Attr("debuggable", True, res_id=DEBUGGABLE))
    root = manifest_node("com.example.nsc", Node("application", app_attrs), target=30)
    entries = [Entry("AndroidManifest.xml", build_axml(root))] + [Entry(n, d) for n, d in files.items()]
    path = tmp_path / "nsc.apk"
    path.write_bytes(build_zip(ZipSpec(entries)))
    return path


def test_open_apk_parses_the_config(tmp_path: Path) -> None:
    data = nsc(Node("base-config", [p("cleartextTrafficPermitted", True)]))
    apk = open_apk(apk_with(tmp_path, {"res/xml/nsc.xml": data}))
    cfg = apk.manifest.network_security
    assert cfg is not None and cfg.path == "res/xml/nsc.xml" and cfg.base_cleartext(30) is True
    assert [e for e in apk.errors if e.stage == "netsec"] == []
    assert apk.manifest.to_json()["network_security"]["base_config"]["cleartext_permitted"] is True


@pytest.mark.parametrize(
    ("files", "ref", "message"),
    [
        ({"res/xml/nsc.xml": b"\x03\x00\x08\x00\xff\xff\xff\xff"}, "res/xml/nsc.xml", "binary XML"),
        (
            {"res/xml/nsc.xml": build_axml(Node("manifest"))},
            "res/xml/nsc.xml",
            "not <network-security-config>",
        ),
        ({}, "res/xml/nsc.xml", "no such entry"),
        ({}, "@0x7f0f0001", "unresolved resource reference"),
    ],
)
def test_open_apk_survives_a_bad_config(
    tmp_path: Path, files: dict[str, bytes], ref: str, message: str
) -> None:
    apk = open_apk(apk_with(tmp_path, files, ref))
    assert apk.manifest.network_security is None
    notes = [e for e in apk.errors if e.stage == "netsec"]
    assert len(notes) == 1 and message in notes[0].message


def test_debug_companion_file(tmp_path: Path) -> None:
    main = nsc(Node("base-config", [p("cleartextTrafficPermitted", False)]))
    debug = nsc(Node("debug-overrides", [], [Node("trust-anchors", [], [certs("user")])]))
    files = {"res/xml/nsc.xml": main, "res/xml/nsc_debug.xml": debug}
    cfg = open_apk(apk_with(tmp_path, files, debuggable=True)).manifest.network_security
    assert cfg is not None and cfg.debug_overrides_path == "res/xml/nsc_debug.xml"
    assert cfg.debug_overrides is not None and cfg.debug_overrides.trusts_user
    release = open_apk(apk_with(tmp_path, files)).manifest.network_security
    # Android reads the companion for debuggable apps only
    assert release is not None and release.debug_overrides is None
