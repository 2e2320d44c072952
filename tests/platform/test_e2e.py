"""End to end in a real headless Chromium against a real ``appwarden serve`` (SQLite + embedded worker) and the
real engine on the fixture APKs: a reviewer uploads and confirms, issues an order; the company answers with a new
version; the reviewer re-tests; the regulator names the app in a notice and exports the XLSX. Screenshots go to
``tests/artifacts/platform/``. Also: ``appwarden submit`` against the same server."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import time
import urllib.request
from pathlib import Path

import pytest

from appwarden.cli.platform import submit
from appwarden.errors import AppwardenError
from appwarden.platform.registry.validators import credit_code_check_char

ROOT = Path(__file__).resolve().parents[2]
APKS = ROOT / "tests" / "fixtures" / "apks"
ARTIFACTS = ROOT / "tests" / "artifacts" / "platform"


def valid_code(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


def api(server, token: str, path: str, data: dict | None = None) -> dict:
    req = urllib.request.Request(
        server.base + path,
        data=json.dumps(data).encode() if data is not None else None,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST" if data is not None else "GET",
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def wait_for(fn, timeout: float = 90, interval: float = 0.5):
    from selenium.common.exceptions import WebDriverException

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            value = fn()
        except WebDriverException:  # the page was reloading (auto-refresh) while we looked
            value = None
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out waiting")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not shutil.which("chromium") or not shutil.which("chromedriver"):
        pytest.skip("Debian chromium / chromium-driver not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium")
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--window-size=1400,1800",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
    driver.set_page_load_timeout(60)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


class Web:
    def __init__(self, driver, base: str) -> None:
        self.d, self.base = driver, base

    def go(self, path: str) -> None:
        self.d.get(self.base + path)

    def by_id(self, ident: str):
        from selenium.webdriver.common.by import By

        return self.d.find_element(By.ID, ident)

    def login(self, name: str, password: str | None = None) -> None:
        self.d.delete_all_cookies()
        self.go("/login/")
        self.by_id("id_username").send_keys(name)
        self.by_id("id_password").send_keys(password or f"pw-{name}")
        self.by_id("login-submit").click()
        wait_for(lambda: "/login/" not in self.d.current_url, 20)

    def fill(self, form_id: str, values: dict[str, str]) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select

        form = self.by_id(form_id)
        for name, value in values.items():
            el = form.find_element(By.NAME, name)
            if el.tag_name == "select":
                Select(el).select_by_value(value)
            else:
                el.clear() if el.get_attribute("type") != "file" else None
                el.send_keys(value)

    def submit(self, button_id: str) -> None:
        """Click and wait for the navigation the form submit causes (reading the old page races it)."""
        from selenium.common.exceptions import TimeoutException, WebDriverException
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait

        old = self.d.find_element(By.TAG_NAME, "html")
        self.by_id(button_id).click()
        # No navigation (e.g. browser-side validation) times out quietly: later waits report what the page shows.
        # While the navigation is under way Chromium may answer the staleness probe with an inspector error
        # ("unhandled inspector error"); that is the old page going away, so it is polled again, not a failure.
        with contextlib.suppress(TimeoutException):
            WebDriverWait(self.d, 60, ignored_exceptions=(WebDriverException,)).until(ec.staleness_of(old))

    def wait_text(self, ident: str, expected: str, timeout: float = 30) -> None:
        """Wait until element ``ident`` contains ``expected`` (tolerates the page still loading)."""
        try:
            wait_for(lambda: expected in self.by_id(ident).text, timeout)
        except AssertionError:
            raise AssertionError(f"#{ident} never showed {expected!r}; page: {self.text()[:1500]}") from None

    def wait_page(self, expected: str, timeout: float = 30) -> None:
        try:
            wait_for(lambda: expected in self.text(), timeout)
        except AssertionError:
            raise AssertionError(f"page never showed {expected!r}: {self.text()[:1500]}") from None

    def text(self) -> str:
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.common.by import By

        for _ in range(50):  # the page may be replaced between finding <body> and reading it
            try:
                return self.d.find_element(By.TAG_NAME, "body").text
            except StaleElementReferenceException:
                time.sleep(0.1)
        return self.d.find_element(By.TAG_NAME, "body").text

    def shot(self, name: str) -> None:
        self.d.save_screenshot(str(ARTIFACTS / f"{name}.png"))


@pytest.mark.e2e
@pytest.mark.slow
def test_review_order_response_retest_notice(platform_server, browser):
    server = platform_server
    reg_token = server.user("regulator1", "regulator")
    server.user("reviewer1", "reviewer")
    company = api(
        server,
        reg_token,
        "/api/companies/",
        {"name": "示例开发者有限公司", "credit_code": "91350100M000100Y43"},
    )
    server.user("company1", "company", "--company", str(company["id"]))
    other = api(
        server,
        reg_token,
        "/api/companies/",
        {"name": "无关公司", "credit_code": valid_code("91110000MA0000001")},
    )
    server.user("company2", "company", "--company", str(other["id"]))
    store = api(server, reg_token, "/api/stores/", {"name": "示例应用市场"})
    web = Web(browser, server.base)

    # reviewer: a non-APK is refused with a clear message; the fixture APK is queued and scanned by the worker
    web.login("reviewer1")
    web.go("/testing/upload/")
    bad = server.data_dir / "not-an-apk.apk"
    bad.write_text("hello")
    web.fill("upload-form", {"file": str(bad)})
    web.submit("upload-submit")
    web.wait_page("not an APK")
    web.go("/testing/upload/")
    web.fill("upload-form", {"file": str(APKS / "minimal.apk"), "company": str(company["id"])})
    web.submit("upload-submit")
    web.shot("00-after-upload")
    wait_for(
        lambda: "完成 Done" in web.by_id("job-status").text or "失败" in web.by_id("job-status").text, 120
    )
    assert "完成 Done" in web.by_id("job-status").text, web.text()
    job_url = browser.current_url
    web.shot("01-job-scanned")
    # a duplicate upload points at the existing job
    web.go("/testing/upload/")
    web.fill("upload-form", {"file": str(APKS / "minimal.apk")})
    web.submit("upload-submit")
    web.wait_page("duplicate")
    assert browser.current_url == job_url

    from selenium.webdriver.common.by import By

    findings = browser.find_elements(By.CSS_SELECTOR, ".finding")
    assert findings, "the real engine found nothing on minimal.apk"
    for fid in [f.get_attribute("id").split("-")[1] for f in findings]:
        web.fill(f"finding-{fid}", {"reason": "证据确凿 evidence checked"})
        browser.find_element(By.ID, f"review-action-{fid}")  # default action: confirm
        web.submit(f"review-submit-{fid}")
        web.wait_page("已记录审核 review recorded")
        web.wait_text(f"finding-status-{fid}", "已确认")
    web.shot("02-findings-confirmed")
    web.fill("issue-form", {"reason": "检测发现违规收集使用个人信息"})
    web.submit("issue-submit")
    web.wait_text("order-state", "已下发整改 Issued")
    order_url = browser.current_url
    order_id = order_url.rstrip("/").split("/")[-1]
    web.shot("03-order-issued")

    app_id = api(server, reg_token, f"/api/orders/{order_id}/")["app"]
    api(
        server,
        reg_token,
        "/api/listings/",
        {"store": store["id"], "app": app_id, "url": "https://example.invalid/a"},
    )

    # another company cannot open the order
    web.login("company2")
    web.go(f"/enforcement/orders/{order_id}/")
    assert "示例开发者有限公司" not in web.text()

    # the company answers with a new version
    web.login("company1")
    web.go("/")
    assert "ZG-" in web.text()
    web.go(f"/enforcement/orders/{order_id}/")
    # another app's APK is refused, in Chinese, and the order stays as it was
    web.fill("respond-form", {"explanation": "整改版本", "apk": str(APKS / "shop.apk")})
    web.submit("respond-submit")
    web.wait_page("与责令整改的应用 com.example.fixture 不一致")
    web.wait_text("order-state", "已下发整改 Issued")
    web.shot("04a-other-app-refused")
    web.fill(
        "respond-form", {"explanation": "已在首次启动时弹出隐私政策 fixed", "apk": str(APKS / "v2_only.apk")}
    )
    web.submit("respond-submit")
    web.wait_text("order-state", "企业已答复 Responded")
    web.shot("04-company-responded")

    # the reviewer re-tests; the page refreshes until the diff is there
    web.login("reviewer1")
    web.go(f"/enforcement/orders/{order_id}/")
    web.fill("retest-form", {"reason": "复测整改版本"})
    web.submit("retest-submit")
    web.wait_text("order-state", "复测完成", 120)
    result = wait_for(lambda: web.by_id("retest-result").text, 30)
    web.shot("05-retested")

    # the regulator names the app (the re-test still shows the finding) and exports the notice
    web.login("regulator1")
    web.go("/enforcement/notices/")
    web.fill("notice-form", {"title": "关于侵害用户权益行为的APP通报（端到端测试）", "number": "2026年第9批"})
    web.submit("notice-submit")
    wait_for(lambda: re.search(r"/enforcement/notices/\d+/$", browser.current_url), 30)
    notice_url = browser.current_url
    web.go(f"/enforcement/orders/{order_id}/")
    assert result == "未通过 not passed", "minimal.apk and v2_only.apk share the policy.missing finding"
    notice_id = notice_url.rstrip("/").split("/")[-1]
    web.fill("escalate-form", {"notice": notice_id, "reason": "复测未通过 re-test failed"})
    web.submit("escalate-submit")
    web.wait_text("order-state", "拟通报")  # in a draft notice: not 已通报 before the notice is published
    web.go(f"/enforcement/notices/{notice_id}/")
    assert "示例开发者有限公司" in web.by_id("notice-table").text
    web.shot("07-notice")
    web.submit("publish-submit")
    web.wait_page("已发布 published")
    web.go(f"/enforcement/orders/{order_id}/")
    web.wait_text("order-state", "已通报")
    web.shot("06-order-noticed")
    history = web.by_id("transitions").text
    for step in ("issue", "respond", "start_retest", "complete_retest", "escalate", "publish_notice"):
        assert step in history

    cookies = "; ".join(f"{c['name']}={c['value']}" for c in browser.get_cookies())
    req = urllib.request.Request(
        f"{server.base}/enforcement/notices/{notice_id}/export.xlsx", headers={"Cookie": cookies}
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        body = resp.read()
    from openpyxl import load_workbook

    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(body)).active.iter_rows()]
    assert rows[1] == ["序号", "应用名称", "应用开发者", "应用来源", "应用版本", "所涉问题"]
    assert rows[2][0] == "1" and rows[2][2] == "示例开发者有限公司" and rows[2][3] == "示例应用市场"
    assert rows[2][5]
    (ARTIFACTS / "notice.xlsx").write_bytes(body)
    web.go("/")
    assert web.text().count("无数据") < 5  # the charts have data
    web.shot("08-dashboard")


@pytest.mark.e2e
@pytest.mark.slow
def test_regulator_creates_a_company_user_who_sees_only_its_company(platform_server, browser):
    server = platform_server
    reg_token = server.user("regulator-users", "regulator")
    mine = api(
        server,
        reg_token,
        "/api/companies/",
        {"name": "浏览器建号公司", "credit_code": valid_code("91110000MA0000007")},
    )
    theirs = api(
        server,
        reg_token,
        "/api/companies/",
        {"name": "旁人公司", "credit_code": valid_code("91110000MA0000008")},
    )
    api(
        server,
        reg_token,
        "/api/apps/",
        {"package": "com.users.mine", "name": "我的应用", "company": mine["id"]},
    )
    api(
        server,
        reg_token,
        "/api/apps/",
        {"package": "com.users.theirs", "name": "旁人应用", "company": theirs["id"]},
    )
    web = Web(browser, server.base)

    web.login("regulator-users")
    web.by_id("nav-users").click()
    wait_for(lambda: browser.current_url.endswith("/users/"), 20)
    web.go("/users/new/")
    form = {"username": "browser-co", "password": "short", "role": "company", "company": str(mine["id"])}
    web.fill("user-form", form)
    web.submit("user-submit")
    web.wait_page("too short")  # Django's password validators run on the page
    web.fill("user-form", {**form, "password": "Kite-harbour-71"})
    web.submit("user-submit")
    web.wait_page("已创建用户 user browser-co created")
    assert "浏览器建号公司" in web.by_id("user-summary").text
    web.shot("10-user-created")

    web.login("browser-co", "Kite-harbour-71")
    assert "/login/" not in browser.current_url
    assert 'id="nav-users"' not in browser.page_source
    web.go("/registry/apps/")
    text = web.text()
    assert "com.users.mine" in text and "com.users.theirs" not in text, text
    web.go("/users/")
    assert "403" in web.text() or "Forbidden" in web.text(), web.text()
    web.shot("11-company-user-scoped")


@pytest.mark.e2e
@pytest.mark.slow
def test_regulator_takes_down_a_harmful_app_from_the_early_warning_page(platform_server, browser):
    """Issue #23: the real engine screens the bad fixture APK as harmful; the regulator sends it to 下架 from
    /early-warning/ in the browser and the store gets the takedown order."""
    from selenium.webdriver.common.by import By

    server = platform_server
    reg_token = server.user("regulator-ew", "regulator")
    reviewer_token = server.user("reviewer-ew", "reviewer")
    job = submit(server.base, reviewer_token, ROOT / "tests" / "screening" / "_apps" / "screen_bad.apk")

    def finished():
        state = api(server, reviewer_token, f"/api/jobs/{job['id']}/")
        return state if state["status"] in ("done", "failed") else None

    done = wait_for(finished, 120)
    assert done["status"] == "done", done
    version = api(server, reg_token, f"/api/app-versions/{done['app_version']}/")
    store = api(server, reg_token, "/api/stores/", {"name": "预警测试市场"})
    api(server, reg_token, "/api/listings/", {"store": store["id"], "app": version["app"], "url": ""})
    # a direct 下架 rests on a confirmed screening review by another person (the reviewer)
    api(
        server,
        reviewer_token,
        f"/api/jobs/{job['id']}/screening_review/",
        {"decision": "confirmed", "note": "核实"},
    )
    web = Web(browser, server.base)
    web.login("regulator-ew")
    web.by_id("nav-early-warning").click()
    web.wait_text("harmful-apps", "com.appwarden.screen.bad")
    web.shot("20-early-warning")
    form = browser.find_element(By.CSS_SELECTOR, f'form[action="/early-warning/{version["id"]}/takedown/"]')
    form.find_element(By.NAME, "reason").send_keys("恶意扣费，直接下架")
    form.find_element(By.TAG_NAME, "button").click()
    web.wait_page("已下发下架通知")
    assert "下架中 Takedown ordered" in web.text(), web.text()
    web.shot("21-direct-takedown")
    takedowns = api(server, reg_token, f"/api/takedowns/?store={store['id']}")["results"]
    assert [t["status"] for t in takedowns] == ["pending"]


@pytest.mark.slow
def test_cli_submit_against_server(platform_server):
    server = platform_server
    token = server.user("submitter", "reviewer")
    job = submit(server.base, token, APKS / "pi_all.apk")
    assert job["status"] == "queued" and len(job["sha256"]) == 64

    def finished():
        state = api(server, token, f"/api/jobs/{job['id']}/")
        return state if state["status"] in ("done", "failed") else None

    assert wait_for(finished, 120)["status"] == "done"
    report = api(server, token, f"/api/jobs/{job['id']}/report/")
    assert report["app"]["package"] == "com.appwarden.fixture.pi"
    findings = api(server, token, f"/api/findings/?job={job['id']}&limit=500")["results"]
    assert len(findings) == len(report["findings"]) > 0
    with pytest.raises(AppwardenError, match="HTTP 409"):
        submit(server.base, token, APKS / "pi_all.apk")
    with pytest.raises(AppwardenError, match="HTTP 401"):
        submit(server.base, "wrong-token", APKS / "minimal.apk")
    with pytest.raises(AppwardenError, match="cannot reach"):
        submit("http://127.0.0.1:9", token, APKS / "minimal.apk", timeout=5)
