"""End to end in headless Chromium against a real ``appwarden serve``: a case officer (regulator) whose draft 通报
cannot be published because one company's named finding went back under review reads the refusal naming that
order, withdraws it with the row's 撤出本批次 button (a reason is required), publishes the other company's row and
finds the withdrawal in Chinese in the order's 流转记录. Harness (server, browser, page helper) from ``test_e2e.py``;
screenshots in ``tests/artifacts/platform/``.

The two cases are set up in the server's database by a separate process (two apps of two companies with one
confirmed finding each, orders past their deadline, both in a draft batch, one finding reopened): the browser walk
is the officer's part, the real engine is exercised by the other e2e tests.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from test_e2e import ROOT, Web, api, browser  # noqa: F401  (browser is a fixture)

SETUP = """
import json, sys, datetime as dt, hashlib, django
sys.path.insert(0, sys.argv[3])
django.setup()
import platform_factories as pf
from django.contrib.auth import get_user_model
from django.utils import timezone
from appwarden.platform.enforcement import workflow
from appwarden.platform.enforcement.models import RectificationOrder
from appwarden.platform.testing import services
from appwarden.platform.testing.models import ScanJob

users = get_user_model().objects
reviewer, regulator = users.get(username=sys.argv[1]), users.get(username=sys.argv[2])
notice = workflow.create_notice_batch(user=regulator, title="撤出端到端通报（草稿）")
out = {"notice": notice.pk, "orders": {}}
from appwarden.platform.registry.models import Company
for n, key in enumerate(("x", "y")):
    # a credit code of its own: the server is shared with the other e2e tests (test_e2e.py uses pf's first codes)
    company = Company.objects.create(name=f"撤出端到端{key}有限公司", credit_code=pf.credit_code(7300001 + n))
    finding = pf.finding("pi.pre_consent", ["RD-3.1", "M164-1.1"], notice_types=["M337-1"])
    rep = pf.report(f"com.e2e.withdraw.{key}", "1.0", [finding], label=f"撤出端到端应用{key}")
    sha = hashlib.sha256(f"withdraw-e2e-{key}".encode()).hexdigest()
    # a job already running (never queued: the server's worker leaves it alone), then the report stored
    job = ScanJob.objects.create(sha256=sha, file_name=f"{key}.apk", size=1, status="running", company=company,
                                 dedupe_key=f"withdraw-e2e-{key}")
    services.ingest_report(job, rep)
    for f in job.findings.all():
        services.review_finding(f, user=reviewer, action="confirm", reason="核实")
    order = workflow.issue_order(job.app_version, list(job.findings.all()), user=reviewer, reason="违规收集")
    RectificationOrder.objects.filter(pk=order.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    order.refresh_from_db()
    workflow.escalate(order, user=regulator, reason="逾期未整改", notice=notice)
    out["orders"][key] = {"id": order.pk, "number": order.number}
    if key == "x":  # the company objected: the finding is reviewed again
        services.reopen_finding(job.findings.get(), user=regulator, reason="企业申辩，重新复核")
print(json.dumps(out))
"""


def setup_cases(server, reviewer: str, regulator: str) -> dict:
    env = {**server.env, "DJANGO_SETTINGS_MODULE": "appwarden.platform.settings"}
    proc = subprocess.run(
        [sys.executable, "-c", SETUP, reviewer, regulator, str(ROOT / "tests" / "platform")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.e2e
@pytest.mark.slow
def test_officer_withdraws_a_blocked_order_and_publishes_the_rest(platform_server, browser):  # noqa: F811
    server = platform_server
    reg_token = server.user("regulator-withdraw", "regulator")
    server.user("reviewer-withdraw", "reviewer")
    cases = setup_cases(server, "reviewer-withdraw", "regulator-withdraw")
    notice, x, y = cases["notice"], cases["orders"]["x"], cases["orders"]["y"]
    item = next(
        i["id"] for i in api(server, reg_token, f"/api/notices/{notice}/")["items"] if i["order"] == x["id"]
    )

    web = Web(browser, server.base)
    web.login("regulator-withdraw")
    web.go(f"/enforcement/notices/{notice}/")
    assert "正在复核" in web.by_id(f"row-blocked-{item}").find_element("xpath", "..").text
    web.shot("70-withdraw-draft-batch")
    web.submit("publish-submit")
    web.wait_page("撤出本批次（通报批次页该行")
    text = web.text()
    assert x["number"] in text and "正在复核" in text, text[:2000]
    web.shot("71-publish-refused-names-the-order")

    # the reason is required: the browser does not send the form without one
    web.by_id(f"withdraw-submit-{item}").click()
    assert api(server, reg_token, f"/api/orders/{x['id']}/")["state"] == "notice_draft"
    web.fill(f"withdraw-item-{item}", {"reason": "该企业申辩，问题复核中；先发布其余各行"})
    web.submit(f"withdraw-submit-{item}")
    web.wait_page(f"已将 {x['number']} 撤出本批次")
    web.shot("72-withdrawn")
    assert "撤出端到端应用x" not in web.by_id("notice-table").text

    web.submit("publish-submit")
    web.wait_page("已发布 published")
    web.shot("73-published-the-others")
    assert api(server, reg_token, f"/api/orders/{y['id']}/")["state"] == "noticed"
    order = api(server, reg_token, f"/api/orders/{x['id']}/")
    assert order["state"] == "issued", order["state"]
    assert order["transitions"][-1]["name"] == "withdraw_notice"

    web.go(f"/enforcement/orders/{x['id']}/")
    web.wait_text("order-state", "已下发整改 Issued")
    history = web.by_id("transitions").text
    assert "撤出通报 withdraw_notice" in history, history
    assert "拟通报(通报未发布) → 已下发整改" in history, history
    assert "该企业申辩，问题复核中；先发布其余各行" in history, history
    web.shot("74-order-history")

    # the published batch offers no withdraw form any more
    web.go(f"/enforcement/notices/{notice}/")
    assert "已发布 published" in web.text()
    from selenium.webdriver.common.by import By

    assert not browser.find_elements(By.ID, "notice-withdraw")
