"""End to end (issue #21.1) in a real headless Chromium against a real ``appwarden serve`` with the real engine: the
fixture app ``pi_all.apk`` embeds UMeng stand-ins whose findings the engine attributes to ``umeng_common``; the KB
vendor link (run by ``serve`` at start) puts that SDK under its vendor. A regulator issues an SDK order to the
vendor in the browser; the vendor's user logs in, finds it under 我的SDK, answers with the fixed SDK version; another
vendor's user cannot open it; the regulator starts the re-test, a later scan of the app still shows the finding, and
the regulator escalates to an APP(SDK) 通报 whose export names the SDK and its vendor."""

from __future__ import annotations

import io
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from test_e2e import Web, api, browser, wait_for  # noqa: F401  (browser: the module's Chromium fixture)

from appwarden.cli.platform import submit

ROOT = Path(__file__).resolve().parents[2]
APK = ROOT / "tests" / "fixtures" / "apks" / "pi_all.apk"


def _scan(server, token: str, batch_name: str) -> dict:
    batch = api(server, token, "/api/batches/", {"name": batch_name})
    job = submit(server.base, token, APK, batch=batch["id"])

    def finished():
        state = api(server, token, f"/api/jobs/{job['id']}/")
        return state if state["status"] in ("done", "failed") else None

    done = wait_for(finished, 180)
    assert done["status"] == "done", done
    return done


@pytest.mark.e2e
@pytest.mark.slow
def test_regulator_orders_an_sdk_vendor_who_answers_then_escalates(platform_server, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    server = platform_server
    reg_token = server.user("regulator-sdk", "regulator")
    job = _scan(server, reg_token, "SDK整改端到端 first scan")
    findings = api(server, reg_token, f"/api/findings/?job={job['id']}&limit=500")["results"]
    umeng = [f for f in findings if f["owner"] == "umeng_common"]
    assert umeng, f"the engine attributed nothing to umeng_common: {[f['owner'] for f in findings]}"
    for f in findings:
        if f["owner"] in ("umeng_common", "host"):
            api(
                server, reg_token, f"/api/findings/{f['id']}/review/", {"action": "confirm", "reason": "核实"}
            )
    vendors = api(server, reg_token, "/api/sdk-vendors/?limit=500")
    vendors = vendors["results"] if isinstance(vendors, dict) else vendors
    vendor = next(v for v in vendors if "umeng_common" in (v["sdk_ids"] or []))
    other = next(v for v in vendors if "jpush" in (v["sdk_ids"] or []))
    server.user("vendor-umeng", "sdk_vendor", "--sdk-vendor", str(vendor["id"]))
    server.user("vendor-jpush", "sdk_vendor", "--sdk-vendor", str(other["id"]))
    web = Web(browser, server.base)

    # the regulator issues the order in the browser: choose the vendor, its SDK's confirmed findings are ticked
    web.login("regulator-sdk")
    web.by_id("nav-sdk-orders").click()
    wait_for(lambda: browser.current_url.endswith("/enforcement/sdk-orders/"), 20)
    web.by_id("sdk-order-new").click()
    wait_for(lambda: "/enforcement/sdk-orders/new/" in browser.current_url, 20)
    web.fill("sdk-vendor-form", {"vendor": str(vendor["id"])})
    web.submit("sdk-vendor-submit")
    form_text = web.by_id("sdk-issue-form").text
    assert "umeng_common" in form_text and "jpush" not in form_text, form_text
    web.fill("sdk-issue-form", {"reason": "SDK在用户同意前收集设备标识符"})
    web.submit("sdk-issue-submit")
    web.wait_text("order-state", "已下发整改 Issued")
    order_id = browser.current_url.rstrip("/").split("/")[-1]
    number = web.by_id("sdk-order-summary").text
    assert vendor["name"] in number
    web.shot("30-sdk-order-issued")

    # another vendor sees nothing of it
    web.login("vendor-jpush")
    web.go("/my-sdk/orders/")
    assert "SDK-" not in web.by_id("sdk-order-table").text
    req = urllib.request.Request(
        f"{server.base}/api/sdk-orders/{order_id}/",
        headers={
            "Authorization": "Token "
            + server.user("vendor-jpush-api", "sdk_vendor", "--sdk-vendor", str(other["id"]))
        },
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=30)
    assert err.value.code == 404

    # the vendor logs in, finds the order under 我的SDK and answers with the fixed SDK version
    web.login("vendor-umeng")
    assert browser.current_url.endswith("/my-sdk/"), browser.current_url
    web.by_id("nav-my-sdk-orders").click()
    web.wait_text("sdk-order-table", "SDK-")
    assert "已下发整改" in web.by_id("sdk-order-table").text
    browser.find_element(By.CSS_SELECTOR, "#sdk-order-table a").click()
    web.wait_text("order-state", "已下发整改 Issued")
    page = web.text()
    assert "umeng_common" in page and "com.appwarden.fixture.pi" in page
    assert "jpush" not in web.by_id("sdk-order-findings").text  # the app's other SDK's findings are not shown
    web.fill(
        "respond-form", {"explanation": "已在新版本中改为用户同意后再初始化", "new_sdk_version": "9.6.1"}
    )
    web.submit("respond-submit")
    web.wait_text("order-state", "厂商已答复")
    assert "9.6.1" in web.text()
    web.shot("31-sdk-vendor-responded")

    # the regulator starts the re-test; a later scan of the app still shows the finding → not passed
    web.login("regulator-sdk")
    web.go(f"/enforcement/sdk-orders/{order_id}/")
    web.fill("retest-form", {"reason": "等待嵌入该SDK的应用复测"})
    web.submit("retest-submit")
    web.wait_text("order-state", "复测中")
    _scan(server, reg_token, "SDK整改端到端 re-test scan")
    web.go(f"/enforcement/sdk-orders/{order_id}/")
    web.wait_text("order-state", "复测完成", 60)
    assert "未通过" in web.by_id("retest-result").text
    assert "仍存在" in web.by_id("sdk-retest-apps").text
    web.shot("32-sdk-retested")

    web.go("/enforcement/notices/")
    web.fill(
        "notice-form", {"title": "关于侵害用户权益行为的APP(SDK)通报（端到端测试）", "number": "2026年第10批"}
    )
    web.submit("notice-submit")
    wait_for(lambda: re.search(r"/enforcement/notices/\d+/$", browser.current_url), 30)
    notice_id = browser.current_url.rstrip("/").split("/")[-1]
    web.go(f"/enforcement/sdk-orders/{order_id}/")
    web.fill("escalate-form", {"notice": notice_id, "reason": "复测未通过"})
    web.submit("escalate-submit")
    web.wait_text("order-state", "拟通报")
    web.go(f"/enforcement/notices/{notice_id}/")
    table = web.by_id("notice-table").text
    assert "SDK厂商" in table and vendor["name"] in table and "umeng_common" in table, table
    web.submit("publish-submit")
    web.wait_page("已发布 published")
    web.go(f"/enforcement/sdk-orders/{order_id}/")
    web.wait_text("order-state", "已通报")
    history = web.by_id("transitions").text
    for step in ("issue", "respond", "start_retest", "complete_retest", "escalate", "publish_notice"):
        assert step in history
    web.shot("33-sdk-noticed")

    cookies = "; ".join(f"{c['name']}={c['value']}" for c in browser.get_cookies())
    req = urllib.request.Request(
        f"{server.base}/enforcement/notices/{notice_id}/export.xlsx", headers={"Cookie": cookies}
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        body = resp.read()
    from openpyxl import load_workbook

    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(body)).active.iter_rows()]
    assert rows[1][5:7] == ["SDK名称", "SDK厂商"], rows[1]
    assert rows[2][6] == vendor["name"] and "umeng_common" in rows[2][5], rows[2]

    # the vendor sees the outcome on its own page
    web.login("vendor-umeng")
    web.go(f"/my-sdk/orders/{order_id}/")
    web.wait_text("order-state", "已通报")
