"""Helpers for SDK tests: a tiny knowledge base written to tmp, and manifest builders (real model objects)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from appwarden.apk.model import Component, IntentFilter, Manifest, UsesPermission


def write_sdk(base: Path, tier: str, record: dict[str, Any]) -> Path:
    folder = base / tier
    folder.mkdir(parents=True, exist_ok=True)
    data = {
        "name_zh": record["id"],
        "name_en": record["id"],
        "vendor": "v",
        "category": "other",
        "chinese": True,
        "source": "curated",
        **record,
    }
    path = folder / f"{record['id']}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def tiny_kb_dir(tmp_path: Path) -> Path:
    """A KB with nested, class-level and manifest signatures, built to exercise each matching rule."""
    base = tmp_path / "sdks"
    write_sdk(base, "curated", {"id": "dv_tracker", "signatures": {"packages": ["com.dv"]}})
    write_sdk(base, "curated", {"id": "tencent_root", "signatures": {"packages": ["com.tencent"]}})
    write_sdk(
        base,
        "curated",
        {
            "id": "wechat",
            "category": "social_login_share",
            "signatures": {"packages": ["Lcom/tencent/mm/opensdk"]},
        },
    )
    write_sdk(
        base,
        "curated",
        {
            "id": "umeng",
            "category": "analytics",
            "signatures": {"packages": ["com.umeng"], "meta_data_keys": ["UMENG_APPKEY"]},
            "permissions": ["android.permission.READ_PHONE_STATE", "android.permission.CAMERA"],
            "version_hints": [{"kind": "meta_data", "key": "UMENG_SDK_VERSION"}],
        },
    )
    write_sdk(
        base,
        "curated",
        {"id": "umeng_push", "category": "push", "signatures": {"packages": ["com.umeng.message"]}},
    )
    write_sdk(
        base,
        "curated",
        {
            "id": "jpush",
            "category": "push",
            "signatures": {
                "packages": ["cn.jpush.android"],
                "manifest_components": ["cn.jpush.android.service.PushService", "cn.jpush.android.ui.*"],
                "native_libs": ["re:libjcore(.*)\\.so"],
            },
        },
    )
    write_sdk(
        base,
        "curated",
        {
            "id": "stub",
            "category": "security_packer",
            "signatures": {"packages": ["com.stub.StubApp"], "assets": ["assets/libjiagu*.so"]},
        },
    )
    write_sdk(base, "curated", {"id": "x5", "signatures": {"assets": ["assets/tbs"]}})
    return base


def manifest(package: str, components: list[tuple[str, str]] | None = None, meta: dict[str, str] | None = None,
             permissions: list[str] | None = None, launcher: str | None = None, application: str | None = None) -> Manifest:  # fmt: skip
    comps = [Component(kind=k, name=n) for k, n in (components or [])]
    if launcher:
        comps.append(
            Component(
                kind="activity",
                name=launcher,
                intent_filters=[
                    IntentFilter(
                        actions=["android.intent.action.MAIN"],
                        categories=["android.intent.category.LAUNCHER"],
                    )
                ],
            )
        )
    return Manifest(
        package=package,
        components=comps,
        meta_data=dict(meta or {}),
        uses_permissions=[UsesPermission(p) for p in (permissions or [])],
        application_class=application,
    )


@pytest.fixture(autouse=True)
def _sdk_cache_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the KB's JSON cache out of the user's home during tests."""
    monkeypatch.setenv("APPWARDEN_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "appwarden-cache"))
