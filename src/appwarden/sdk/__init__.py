"""Third-party SDKs (第三方SDK): knowledge base, identification, attribution of call sites, packer detection.

- :mod:`appwarden.sdk.kb` - ``load_kb()``: the SDK knowledge base (``knowledge/sdks/{curated,imported}/*.yaml``);
- :mod:`appwarden.sdk.match` - ``Matcher(kb).identify(classes, manifest, entry_names, code=...)`` -> ``[SdkHit]``
  and ``Matcher.owner_of(class_descriptor, app_package)`` -> SDK id or ``"host"``;
- :mod:`appwarden.sdk.attribute` - ``attribute(callsites, matcher, sdks, manifest)`` sets ``CallSite.owner`` and
  completes each ``SdkHit`` (PI categories, APIs, permissions);
- :mod:`appwarden.sdk.packers` - ``detect_packer(entry_names, classes, manifest)`` -> ``PackerInfo | None``;
- :mod:`appwarden.sdk.versions` - SDK versions from DEX static values;
- :mod:`appwarden.sdk.lint` - ``appwarden sdk check``.
"""
