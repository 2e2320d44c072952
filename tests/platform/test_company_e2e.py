"""End to end in a real headless Chromium against a real ``appwarden serve`` (embedded worker, real engine): the
company's work (issue #21.3). A company runs a self-assessment of ``minimal.apk`` on ``/my/selfcheck/`` and sees
its findings while another company gets 404 and the regulator only the count; a reviewer forwards a complaint about
the company's app, the company answers on ``/my/complaints/`` and the reviewer accepts. Harness (server, browser,
page helper) from ``test_e2e.py``; screenshots in ``tests/artifacts/platform/``."""

from __future__ import annotations

import json
import urllib.request

import pytest
from test_e2e import Web, api, browser, valid_code, wait_for  # noqa: F401  (browser is a fixture)

ROOT_APK = __import__("pathlib").Path(__file__).resolve().parents[1] / "fixtures" / "apks" / "minimal.apk"


def public_complaint(server, data: dict) -> dict:
    req = urllib.request.Request(
        server.base + "/api/public/complaints/",
        data=json.dumps(data).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


@pytest.mark.e2e
@pytest.mark.slow
def test_company_selfcheck_and_forwarded_complaint(platform_server, browser):  # noqa: F811
    server = platform_server
    reg_token = server.user("regulator-co", "regulator")
    server.user("reviewer-co", "reviewer")
    co_a = api(
        server,
        reg_token,
        "/api/companies/",
        {"name": "端到端甲企业", "credit_code": valid_code("91440300MA5E2E0A1")},
    )
    co_b = api(
        server,
        reg_token,
        "/api/companies/",
        {"name": "端到端乙企业", "credit_code": valid_code("91440300MA5E2E0B2")},
    )
    server.user("co-a", "company", "--company", str(co_a["id"]))
    server.user("co-b", "company", "--company", str(co_b["id"]))
    web = Web(browser, server.base)
    apps_before = api(server, reg_token, "/api/apps/")["count"]
    jobs_before = api(server, reg_token, "/api/jobs/")["count"]

    # --- self-assessment -------------------------------------------------------------------------------------
    web.login("co-a")
    web.by_id("nav-my-selfcheck").click()
    wait_for(lambda: browser.current_url.endswith("/my/selfcheck/"), 20)
    web.fill("selfcheck-form", {"apk": str(ROOT_APK)})
    web.submit("selfcheck-submit")
    web.wait_page("已提交自评估")
    own_url = browser.current_url
    web.wait_text("selfcheck-status", "完成 Done", timeout=180)  # the page refreshes itself while pending
    findings = web.by_id("selfcheck-findings").text
    assert "policy.missing" in findings, findings
    web.shot("40-company-selfcheck")

    web.login("co-b")
    web.d.get(own_url)
    assert "policy.missing" not in web.text()
    assert "com.example.fixture" not in web.text()
    web.go("/my/selfcheck/")
    assert "com.example.fixture" not in web.text()

    web.login("regulator-co")
    web.by_id("nav-selfcheck").click()
    web.wait_text("selfcheck-total", "1")
    assert "端到端甲企业" in web.by_id("selfcheck-companies").text
    assert "com.example.fixture" not in web.text() and "policy.missing" not in web.text()
    assert api(server, reg_token, "/api/apps/")["count"] == apps_before  # a self-assessment registers no app
    assert api(server, reg_token, "/api/jobs/")["count"] == jobs_before  # and is no scan job

    # --- a forwarded complaint ---------------------------------------------------------------------------------
    app = api(
        server,
        reg_token,
        "/api/apps/",
        {"package": "com.e2e.jia", "name": "甲端到端应用", "company": co_a["id"]},
    )
    complaint = public_complaint(
        server,
        {
            "app_name": "甲端到端应用",
            "package": "com.e2e.jia",
            "category": "collection",
            "description": "打开即读取通讯录",
            "reporter_contact": "13911112222",
            "contact_consent": False,
        },
    )
    cid = api(server, reg_token, f"/api/complaints/?tracking_number={complaint['tracking_number']}")[
        "results"
    ][0]["id"]
    api(
        server,
        reg_token,
        f"/api/complaints/{cid}/triage/",
        {"status": "triaged", "note": "转企业", "app": app["id"]},
    )

    web.login("reviewer-co")
    web.go(f"/complaints/{cid}/")
    web.fill("forward-form", {"instructions": "请核实并答复", "working_days": "5"})
    web.submit("forward-submit")
    web.wait_text("forward-state", "待企业答复")
    forward_url = browser.current_url

    web.login("co-a")
    web.by_id("nav-my-complaints").click()
    wait_for(lambda: "甲端到端应用" in web.by_id("forward-table").text, 20)
    assert "13911112222" not in web.text()
    web.d.get(forward_url)
    assert "未经投诉人同意不予提供" in web.by_id("forward-reporter").text
    web.fill("answer-form", {"text": "已下线通讯录读取"})
    web.submit("answer-submit")
    web.wait_text("forward-state", "企业已答复")
    web.shot("41-company-answered")

    web.login("co-b")
    web.d.get(forward_url)
    assert "甲端到端应用" not in web.text()

    web.login("reviewer-co")
    web.d.get(forward_url)
    web.fill("decision-form", {"decision": "accept", "note": "答复属实"})
    web.submit("decision-submit")
    web.wait_text("forward-state", "已办结")
    assert "13911112222" in web.by_id("forward-reporter").text  # staff see the contact
    web.shot("42-forward-accepted")
