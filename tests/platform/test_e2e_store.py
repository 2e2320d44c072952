"""End to end in a real headless Chromium against a real ``appwarden serve`` (embedded worker, real engine): the
store pre-listing flow (issue #21.2). Two store operators each submit an APK on ``/store/prelisting/``; each sees
its own verdict and not the other's check; a regulator confirms a finding of the listed app and sees the store's
share of violating apps. Harness (server, browser, page helper) from ``test_e2e.py``; screenshots in
``tests/artifacts/platform/``."""

from __future__ import annotations

import pytest
from test_e2e import APKS, Web, api, browser, wait_for  # noqa: F401  (browser is a fixture)

VERDICTS = ("通过 Pass", "不通过 Fail", "需人工复核 Needs review")


def submit_on_page(web: Web, apk: str, developer: str) -> str:
    """Submit ``apk`` on the store page; return the new check's id (from the success message)."""
    import re

    web.go("/store/prelisting/")
    web.fill(
        "prelisting-form",
        {
            "apk": apk,
            "developer": developer,
            "version": "1.0",
            "policy_url": "https://example.com/privacy",
            "permissions": "READ_PHONE_STATE",
            "updated": "2026-12-01",
        },
    )
    web.submit("prelisting-submit")
    web.wait_page("已提交上架前检测")
    return re.search(r"已提交上架前检测 #(\d+)", web.text()).group(1)


def wait_verdict(web: Web, check_id: str) -> str:
    """The page refreshes itself while the check is pending; wait for the verdict cell."""

    def verdict() -> str | None:
        text = web.by_id(f"verdict-{check_id}").text
        return text if any(v in text for v in VERDICTS) else None

    try:
        return wait_for(verdict, 180)
    except AssertionError:
        raise AssertionError(f"no verdict for check {check_id}: {web.text()[:1500]}") from None


@pytest.mark.e2e
@pytest.mark.slow
def test_store_prelisting_flow(platform_server, browser):  # noqa: F811
    server = platform_server
    reg_token = server.user("regulator-pre", "regulator")
    store_a = api(server, reg_token, "/api/stores/", {"name": "端到端甲市场"})
    store_b = api(server, reg_token, "/api/stores/", {"name": "端到端乙市场"})
    server.user("store-a", "store", "--store", str(store_a["id"]))
    server.user("store-b", "store", "--store", str(store_b["id"]))
    web = Web(browser, server.base)

    web.login("store-b")
    check_b = submit_on_page(web, str(APKS / "minimal.apk"), "乙公司")

    web.login("store-a")
    web.by_id("nav-prelisting").click()
    wait_for(lambda: browser.current_url.endswith("/store/prelisting/"), 20)
    check_a = submit_on_page(web, str(APKS / "pi_all.apk"), "测试开发者")
    web.shot("30-prelisting-submitted")
    verdict = wait_verdict(web, check_a)
    row = web.by_id(f"check-{check_a}").text
    assert "com.appwarden.fixture.pi" in row, row
    assert f'id="check-{check_b}"' not in browser.page_source  # store B's check is not shown to store A
    assert "端到端乙市场" not in web.text()
    web.shot("31-prelisting-verdict")

    # the regulator confirms a finding of the scanned app and lists it in store A
    detail = api(server, reg_token, f"/api/prelisting/{check_a}/")
    assert detail["verdict"] in ("pass", "fail", "needs_review") and detail["store"] == store_a["id"]
    assert verdict.startswith(
        {"pass": "通过", "fail": "不通过", "needs_review": "需人工复核"}[detail["verdict"]]
    )
    job = api(server, reg_token, f"/api/jobs/{detail['job']}/")
    version = api(server, reg_token, f"/api/app-versions/{job['app_version']}/")
    api(server, reg_token, "/api/listings/", {"store": store_a["id"], "app": version["app"], "url": ""})
    finding = api(server, reg_token, f"/api/findings/?job={detail['job']}&limit=1")["results"][0]
    api(
        server,
        reg_token,
        f"/api/findings/{finding['id']}/review/",
        {"action": "confirm", "reason": "上架前检测确认违规"},
    )

    web.login("regulator-pre")
    web.by_id("nav-prelisting").click()
    web.wait_text(f"store-share-{store_a['id']}", "100.0%")
    share_row = web.by_id(f"store-share-{store_a['id']}").text
    assert "端到端甲市场 1 1 100.0%" in share_row, share_row
    assert "0.0%" in web.by_id(f"store-share-{store_b['id']}").text
    assert f"check-{check_b}" in browser.page_source  # staff see every store's checks
    web.shot("32-prelisting-regulator-share")
