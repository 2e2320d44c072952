"""End to end in a real headless Chromium against a real ``appwarden serve`` (embedded worker, real engine): the
users of today's platform features click through their pages. A regulator decides a 停止接入 measure against a
company; the store's operator submits a pre-listing check of the company's app on ``/store/prelisting/`` and sees
不通过 citing the measure; a reviewer tries to put an inactive listing of the app on sale again on
``/registry/new/listing/`` and sees the refusal in Chinese; the regulator sees the measure on ``/early-warning/``,
a published 通报 row flagged by migration ``enforcement 0004`` under 待更正 on ``/enforcement/notices/`` and the
yearly report with today's numbers (not the zeros of the snapshot the server computed at its start); the company
sees its measure and the notification retention line. Harness (server, browser, page helper) from ``test_e2e.py``;
screenshots in ``tests/artifacts/platform/``."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from test_e2e import APKS, ROOT, Web, api, browser, valid_code, wait_for  # noqa: F401  (browser is a fixture)
from test_e2e_store import submit_on_page, wait_verdict

COMPANY = "停止接入端到端有限公司"
APP_PACKAGE = "com.appwarden.fixture.multidex"  # multidex.apk: used by no other e2e test

# What the test cannot wait for or replay: the order's deadline passing (so 通报 is allowed) and migration
# ``enforcement 0004`` flagging a published row whose 超范围 type was unproven (it writes only ``correction_note``,
# with its own ``_note`` text; the migration itself runs once, at ``serve``'s start).
DB_STEP = """
import importlib, sys, datetime as dt, django
django.setup()
from django.utils import timezone
from appwarden.platform.enforcement.models import NoticeItem, RectificationOrder
step, pk = sys.argv[1], int(sys.argv[2])
if step == "overdue":
    RectificationOrder.objects.filter(pk=pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
else:
    note = importlib.import_module("appwarden.platform.enforcement.migrations.0004_notice_scope")._note
    from appwarden.report.notice import PROBLEM_SEPARATOR
    item = NoticeItem.objects.get(order_id=pk)
    name = item.problems.split(PROBLEM_SEPARATOR)[0]
    NoticeItem.objects.filter(pk=item.pk).update(correction_note=note(name, [sys.argv[3]], True, False))
"""


def db_step(server, step: str, order_id: int, rule: str = "") -> None:
    env = {**server.env, "DJANGO_SETTINGS_MODULE": "appwarden.platform.settings"}
    proc = subprocess.run(
        [sys.executable, "-c", DB_STEP, step, str(order_id), rule],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr


def published_notice_of(server, token: str, check_id: str) -> tuple[int, str]:
    """Confirm a finding of the check's scan, issue an order, let it go overdue, name it in a published 通报 and
    flag the row as the migration does; return (notice id, the finding's rule)."""
    detail = api(server, token, f"/api/prelisting/{check_id}/")
    job = api(server, token, f"/api/jobs/{detail['job']}/")
    finding = api(server, token, f"/api/findings/?job={detail['job']}&limit=1")["results"][0]
    api(server, token, f"/api/findings/{finding['id']}/review/", {"action": "confirm", "reason": "核实"})
    order = api(
        server,
        token,
        "/api/orders/",
        {"app_version": job["app_version"], "findings": [finding["id"]], "reason": "违规收集个人信息"},
    )
    db_step(server, "overdue", order["id"])
    notice = api(server, token, "/api/notices/", {"title": NOTICE_TITLE, "number": "2026年第3批"})
    api(
        server,
        token,
        f"/api/orders/{order['id']}/escalate/",
        {"reason": "逾期未整改", "notice": notice["id"]},
    )
    api(server, token, f"/api/notices/{notice['id']}/publish/", {})
    db_step(server, "flag", order["id"], finding["rule_id"])
    return notice["id"], finding["rule_id"]


NOTICE_TITLE = "关于侵害用户权益行为的APP通报（更正端到端）"


def save_and_wait(driver) -> None:
    """Click the generic form's 保存 button (it has no id) and wait for the page it posts to."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, "form.card button[type=submit]").click()
    WebDriverWait(driver, 60, ignored_exceptions=(WebDriverException,)).until(ec.staleness_of(old))


def broken_links(web: Web) -> list[tuple[str, int]]:
    """Every same-site link on the current page fetched with the browser's session: those answering >= 400."""
    import urllib.error
    import urllib.request

    from selenium.webdriver.common.by import By

    cookies = "; ".join(f"{c['name']}={c['value']}" for c in web.d.get_cookies())
    hrefs = {a.get_attribute("href") for a in web.d.find_elements(By.TAG_NAME, "a")}
    bad = []
    for href in sorted(h for h in hrefs if h and h.startswith(web.base)):
        try:
            with urllib.request.urlopen(
                urllib.request.Request(href, headers={"Cookie": cookies}), timeout=60
            ):
                pass
        except urllib.error.HTTPError as exc:
            bad.append((href[len(web.base) :], exc.code))
    return bad


@pytest.mark.e2e
@pytest.mark.slow
def test_stop_access_corrections_yearly_and_retention_in_the_browser(platform_server, browser):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    server = platform_server
    reg_token = server.user("regulator-sanction", "regulator")
    server.user("reviewer-sanction", "reviewer")
    company = api(
        server,
        reg_token,
        "/api/companies/",
        {"name": COMPANY, "credit_code": valid_code("91440300MA5T2E0C3")},
    )
    store = api(server, reg_token, "/api/stores/", {"name": "停止接入端到端市场"})
    server.user("store-sanction", "store", "--store", str(store["id"]))
    server.user("co-sanction", "company", "--company", str(company["id"]))
    app = api(
        server,
        reg_token,
        "/api/apps/",
        {"package": APP_PACKAGE, "name": "惩戒端到端应用", "company": company["id"]},
    )
    listed = api(
        server,
        reg_token,
        "/api/apps/",
        {"package": "com.e2e.sanction.listed", "name": "仍在架端到端应用", "company": company["id"]},
    )
    # on sale before the measure (listed on /early-warning/ as 仍在架) and an inactive record of the scanned app
    api(server, reg_token, "/api/listings/", {"store": store["id"], "app": listed["id"], "url": ""})
    api(
        server,
        reg_token,
        "/api/listings/",
        {"store": store["id"], "app": app["id"], "url": "", "active": False},
    )
    measure = api(
        server,
        reg_token,
        "/api/sanctions/",
        {
            "company": company["id"],
            "kind": "stop_access",
            "start_date": dt.date.today().isoformat(),
            "reason": "拒不整改，停止接入",
            "authority": "端到端通信管理局",
            "stores": [store["id"]],
        },
    )
    web = Web(browser, server.base)

    # --- the store: its pre-listing check of the sanctioned company's app fails citing the measure ----------------
    web.login("store-sanction")
    web.by_id("nav-prelisting").click()
    wait_for(lambda: browser.current_url.endswith("/store/prelisting/"), 20)
    assert COMPANY in web.text(), web.text()[
        :1500
    ]  # the measures concerning this store are shown above the checks
    check = submit_on_page(web, str(APKS / "multidex.apk"), COMPANY)
    verdict = wait_verdict(web, check)
    assert verdict.startswith("不通过"), verdict
    row = web.by_id(f"check-{check}").text
    assert "该企业处于停止接入期间，不予通过" in row, row
    assert f"惩戒措施 #{measure['id']}" in row and "端到端通信管理局" in row, row
    web.shot("50-prelisting-stop-access")
    assert not broken_links(web), broken_links(web)
    web.go("/notifications/")
    web.wait_text("delivery-retention", "投递记录保留期限")
    assert f"【上架前检测】#{check} 不通过" in web.text(), web.text()[:1500]  # the verdict's notification
    web.shot("50a-store-notifications")

    # --- a reviewer tries to put the inactive listing on sale again -------------------------------------------------
    web.login("reviewer-sanction")
    web.go("/registry/new/listing/")
    Select(browser.find_element(By.NAME, "store")).select_by_value(str(store["id"]))
    Select(browser.find_element(By.NAME, "app")).select_by_value(str(app["id"]))
    active = browser.find_element(By.NAME, "active")
    if not active.is_selected():
        active.click()
    save_and_wait(browser)
    web.wait_page("已拒绝，未保存")
    text = web.text()
    assert f"企业「{COMPANY}」处于停止接入期间" in text and f"惩戒措施 #{measure['id']}" in text, text[:1500]
    assert "already exists" not in text, text[:1500]  # the case officer reads Chinese, not Django's English
    web.shot("51-listing-refused")
    assert not broken_links(web), broken_links(web)
    listings = api(server, reg_token, f"/api/listings/?store={store['id']}&limit=50")
    listings = listings["results"] if isinstance(listings, dict) else listings
    assert [x["active"] for x in listings if x["app"] == app["id"]] == [False]

    # --- the regulator: early-warning list, pending corrections, yearly snapshot -------------------------------------
    batch_id, rule = published_notice_of(server, reg_token, check)
    web.login("regulator-sanction")
    web.by_id("nav-early-warning").click()
    web.wait_text("stop-access-measures", COMPANY)
    measures = web.by_id("stop-access-measures").text
    assert f"#{measure['id']}" in measures and "仍在架端到端应用 @ 停止接入端到端市场" in measures, measures
    row = browser.find_element(By.CSS_SELECTOR, f'#stop-access-measures tr[data-measure="{measure["id"]}"]')
    assert row.text.rstrip().endswith("1"), row.text  # the refused pre-listing check counts under the measure
    web.shot("52-early-warning-stop-access")
    assert not broken_links(web), broken_links(web)
    browser.find_element(By.LINK_TEXT, "JSON").click()  # the page's JSON link: the paginated list (f492167)
    web.wait_page('"pagination"')
    assert COMPANY in web.text() and '"sections"' in web.text(), web.text()[:1500]
    browser.back()
    row = browser.find_element(By.CSS_SELECTOR, f'#stop-access-measures tr[data-measure="{measure["id"]}"]')
    row.find_element(By.LINK_TEXT, f"#{measure['id']}").click()
    web.wait_page("拒不整改，停止接入")
    assert "404" not in browser.title and COMPANY in web.text()
    history = web.by_id("sanction-history").text
    assert "限定商店 Stores: — → 停止接入端到端市场" in history and "stop_access" not in history, history
    assert "未定 open" in web.text()
    web.shot("52a-measure-page")
    assert not broken_links(web), broken_links(web)

    web.go("/enforcement/notices/")
    web.wait_text("pending-corrections", "待更正")
    corrections = web.by_id("corrections-table").text
    assert "已发布" in corrections and NOTICE_TITLE in corrections, corrections
    note = browser.find_element(By.CSS_SELECTOR, "#corrections-table .correction-note").text
    assert "待复核：本行所涉问题“" in note and f"（{rule}）" in note and "请复核是否需要发布更正" in note, (
        note
    )
    web.shot("53-pending-corrections")
    assert not broken_links(web), broken_links(web)
    browser.find_element(By.LINK_TEXT, NOTICE_TITLE).click()
    wait_for(lambda: browser.current_url.endswith(f"/enforcement/notices/{batch_id}/"), 20)
    assert "请复核是否需要发布更正" in web.text(), web.text()[:1500]
    web.shot("53a-corrected-batch")
    assert not broken_links(web), broken_links(web)

    web.go(f"/stats/yearly/?year={dt.date.today().year}")
    web.wait_text("yearly-generated", "数据生成于")
    # the server computed the year's snapshot at its first tick, before any of this data existed (all zeros); the
    # page does not serve those zeros as the year's numbers: the data changed since and the snapshot was cheap, so
    # it is computed again for this read
    summary = web.by_id("yearly-summary").text
    assert "停止接入措施数 Stop-access measures 1" in summary, summary
    assert "上架前检测数 Pre-listing checks 0" not in summary, summary
    assert not browser.find_elements(By.ID, "yearly-outdated")
    first = web.by_id("yearly-generated").text
    assert not any(m in first for m in ("a.m.", "p.m.", "midnight", "noon")), first  # a Chinese date
    web.shot("54-yearly-current")
    # read again: the snapshot just stored (or computed again if the worker changed something meanwhile)
    web.go(f"/stats/yearly/?year={dt.date.today().year}")
    generated = web.by_id("yearly-generated").text
    assert "预先计算的统计快照" in generated or "本次请求时计算" in generated, generated
    assert web.by_id("yearly-summary").text == summary
    web.by_id("yearly-fresh").click()
    web.wait_text("yearly-generated", "本次请求时计算")
    fresh = web.by_id("yearly-summary").text
    assert fresh == summary, (summary, fresh)
    web.shot("55-yearly-recomputed")
    assert not broken_links(web), broken_links(web)

    # --- the company: its measure and the notification retention line ------------------------------------------------
    web.login("co-sanction")
    web.go("/sanctions/")
    assert "停止接入" in web.text() and COMPANY in web.text(), web.text()[:1500]
    web.shot("56a-company-sanctions")
    assert not broken_links(web), broken_links(web)
    web.go("/notifications/")
    web.wait_text("delivery-retention", "投递记录保留期限")
    web.shot("56-company-notifications")
    assert not broken_links(web), broken_links(web)
