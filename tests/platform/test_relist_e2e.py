"""End to end in headless Chromium against a real ``appwarden serve``: a reviewer puts an inactive listing on sale
again with the 重新上架 button on the store's page (the message and 在架 是 on the page, ``active`` in the API), and
the same button on a listing of a company under 停止接入 shows only the Chinese refusal naming the measure (the
listing stays inactive). Harness (server, browser, page helper) from ``test_e2e.py``; screenshots in
``tests/artifacts/platform/``."""

from __future__ import annotations

import datetime as dt

import pytest
from test_e2e import Web, api, browser, valid_code  # noqa: F401  (browser is a fixture)


def listing_of(server, token: str, store: int, app: int) -> dict:
    rows = api(server, token, f"/api/listings/?store={store}&app={app}&limit=10")
    rows = rows["results"] if isinstance(rows, dict) else rows
    (row,) = rows
    return row


@pytest.mark.e2e
@pytest.mark.slow
def test_reviewer_relists_an_inactive_listing_in_the_browser(platform_server, browser):  # noqa: F811
    server = platform_server
    reg_token = server.user("regulator-relist", "regulator")
    server.user("reviewer-relist", "reviewer")
    store = api(server, reg_token, "/api/stores/", {"name": "重新上架端到端市场"})
    good = api(
        server,
        reg_token,
        "/api/companies/",
        {"name": "重新上架端到端有限公司", "credit_code": valid_code("91440300MA5T2E1C4")},
    )
    barred = api(
        server,
        reg_token,
        "/api/companies/",
        {"name": "停止接入重新上架有限公司", "credit_code": valid_code("91440300MA5T2E2C5")},
    )
    app = api(
        server,
        reg_token,
        "/api/apps/",
        {"package": "com.e2e.relist.ok", "name": "可重新上架应用", "company": good["id"]},
    )
    barred_app = api(
        server,
        reg_token,
        "/api/apps/",
        {"package": "com.e2e.relist.barred", "name": "停止接入中应用", "company": barred["id"]},
    )
    for a in (app, barred_app):
        api(
            server,
            reg_token,
            "/api/listings/",
            {"store": store["id"], "app": a["id"], "url": "", "active": False},
        )
    measure = api(
        server,
        reg_token,
        "/api/sanctions/",
        {
            "company": barred["id"],
            "kind": "stop_access",
            # in force since last year: the yearly report of this year (test_sanctions_e2e.py counts its own
            # measure there, on the same server) does not count it
            "start_date": dt.date(dt.date.today().year - 1, 1, 1).isoformat(),
            "reason": "拒不整改，停止接入",
            "authority": "端到端通信管理局",
            "stores": [store["id"]],
        },
    )
    ok = listing_of(server, reg_token, store["id"], app["id"])
    bad = listing_of(server, reg_token, store["id"], barred_app["id"])

    web = Web(browser, server.base)
    web.login("reviewer-relist")
    web.go(f"/registry/stores/{store['id']}/")
    web.by_id(f"relist-{ok['id']}")  # both inactive listings offer the button
    web.by_id(f"relist-{bad['id']}")
    web.shot("60-relist-store-page")
    web.submit(f"relist-{ok['id']}")
    web.wait_page("已重新上架")
    text = web.text()
    assert "可重新上架应用 (com.e2e.relist.ok) 是 yes" in text, text[:1500]
    assert browser.current_url.endswith(f"/registry/stores/{store['id']}/"), browser.current_url
    web.shot("61-relisted")
    assert listing_of(server, reg_token, store["id"], app["id"])["active"] is True

    web.submit(f"relist-{bad['id']}")
    web.wait_page("已拒绝，未保存")
    text = web.text()
    assert "企业「停止接入重新上架有限公司」处于停止接入期间" in text, text[:1500]
    assert f"惩戒措施 #{measure['id']}" in text, text[:1500]
    assert "停止接入中应用 (com.e2e.relist.barred) 否 no" in text, text[:1500]
    web.shot("62-relist-refused")
    assert listing_of(server, reg_token, store["id"], barred_app["id"])["active"] is False
