"""The HTML report: a self-contained page, checked as text and driven in a real headless Chromium."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from pytest_sender.api.health import (
    DeliveryCounts,
    HealthThresholds,
    health_chart_data,
    parse_daily_series,
)
from pytest_sender.findings import Finding, Status
from pytest_sender.hints import make_finding
from pytest_sender.report_html import health_chart_svg, render_html_report
from pytest_sender.settings import RateThreshold
from tests.test_secret_masking import TOKEN, encodings

ROOT = Path(__file__).resolve().parent.parent
#: Screenshots of the browser tests are kept here (ignored by git; CI can upload the folder).
ARTIFACTS = ROOT / "artifacts"

# --- the daily series a health finding carries -------------------------------------------------------


def test_the_daily_series_fill_every_day_of_the_window() -> None:
    report = {
        "data": {
            "sent": [{"date": "2026-11-28", "count": 10}, {"date": "2026-11-30", "count": 4}],
            "hard_bounces": [{"date": "2026-11-30", "count": 1}],
            "soft_bounces": [],
            "complaints": {"2026-11-28": 2},
            "totals": {"sent_total": 14},
        }
    }
    days = parse_daily_series(report, date_from=date(2026, 11, 28), date_to=date(2026, 11, 30))
    assert [(d.day.isoformat(), d.sent, d.hard_bounces, d.complaints) for d in days] == [
        ("2026-11-28", 10, 0, 2),
        ("2026-11-29", 0, 0, 0),
        ("2026-11-30", 4, 1, 0),
    ]


def test_the_documented_top_level_series_with_date_objects_fill_the_window_too() -> None:
    def day(text: str) -> dict[str, str]:
        return {"from": text, "to": text}

    report = {
        "sent": [{"date": day("2026-11-28"), "count": 10}, {"date": day("2026-11-30"), "count": 4}],
        "hard_bounces": [{"date": day("2026-11-30"), "count": 1}],
        "soft_bounces": [],
        "complaints": [{"date": day("2026-11-28"), "count": 2}],
        "totals": {"sent_total": 14},
    }
    days = parse_daily_series(report, date_from=date(2026, 11, 28), date_to=date(2026, 11, 30))
    assert [(d.day.isoformat(), d.sent, d.hard_bounces, d.complaints) for d in days] == [
        ("2026-11-28", 10, 0, 2),
        ("2026-11-29", 0, 0, 0),
        ("2026-11-30", 4, 1, 0),
    ]


@pytest.mark.parametrize(
    "body",
    [None, [], {"data": {"totals": {}}}, {"sent": "many"}, {"sent": [{"date": 3, "count": 1}]}, {"sent": [{"d": 1}]}],
)
def test_series_that_cannot_be_read_give_no_chart_rather_than_an_error(body: object) -> None:
    assert parse_daily_series(body, date_from=date(2026, 1, 1), date_to=date(2026, 1, 2)) == ()


def test_an_api_health_finding_from_the_sandbox_carries_its_series_and_limits(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(
        "--sender-preflight", "--sender-sandbox=broken", "-k", "api.health", "--sender-report=r.json"
    )
    assert result.ret == 1
    findings = json.loads((pytester.path / "r.json").read_text())["findings"]
    hard = next(f for f in findings if f["target"] == "sbxHRD")
    health = hard["data"]["health"]
    assert health["window"]["days"] == 7
    assert len(health["daily"]) == 7
    assert sum(day["sent"] for day in health["daily"]) == health["totals"]["sent"] == 200
    assert sum(day["hard_bounces"] for day in health["daily"]) == 12
    assert health["limits"]["hard_bounces"] == {"warn": 2.0, "fail": 5.0}
    assert health["limits"]["complaints"] == {"warn": 0.1, "fail": 0.3}


# --- the page as text ----------------------------------------------------------------------------------


class _Page(HTMLParser):
    """Collects attributes, inline style and script texts, and the meta CSP of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.attributes: list[tuple[str, str, str]] = []
        self.csp = ""
        self._inside: str | None = None
        self.inline: dict[str, list[str]] = {"style": [], "script": []}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            self.attributes.append((tag, name, value or ""))
        values = dict(attrs)
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp = values.get("content") or ""
        if tag in self.inline:
            self._inside = tag
            self.inline[tag].append("")

    def handle_endtag(self, tag: str) -> None:
        self._inside = None

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.inline[self._inside][-1] += data


def _health_finding(code: str = "API_HEALTH_HARD_BOUNCES_HIGH") -> Finding:
    counts = DeliveryCounts(sent=30, hard_bounces=3, soft_bounces=0, complaints=0)
    thresholds = HealthThresholds(_threshold("0.1", "0.3"), _threshold("2", "5"), _threshold("5", "10"))
    report = {
        "sent": [{"date": "2026-11-01", "count": 10}, {"date": "2026-11-03", "count": 20}],
        "hard_bounces": [{"date": "2026-11-03", "count": 3}],
    }
    days = parse_daily_series(report, date_from=date(2026, 11, 1), date_to=date(2026, 11, 3))
    data = health_chart_data(counts, thresholds, days, date_from=date(2026, 11, 1), date_to=date(2026, 11, 3))
    return Finding("api.health", "cmp1", Status.FAIL, code, "hard bounces 10%", data={"health": data})


def _threshold(warn: str, fail: str) -> RateThreshold:
    return RateThreshold(Decimal(warn), Decimal(fail))


def test_the_page_loads_nothing_and_allows_only_its_own_style_and_script() -> None:
    findings = [
        make_finding("dns.mx", "example.com", "MX_NULL", domain="example.com"),
        Finding("dns.spf", "a.example", Status.FAIL, "SPF_INCLUDE_MISSING", "see https://evil.example/x.js"),
        _health_finding(),
    ]
    page = _Page()
    page.feed(render_html_report(findings))
    assert "default-src 'none'" in page.csp
    for kind in ("style", "script"):
        (text,) = page.inline[kind]
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        assert f"{kind}-src 'sha256-{digest}'" in page.csp
    for tag, name, value in page.attributes:
        assert name not in ("src", "href", "xlink:href", "action", "srcset"), (tag, name, value)
        assert not re.match(r"\s*(https?:|//)", value), (tag, name, value)


def test_text_from_findings_is_escaped_and_secrets_are_masked() -> None:
    echoed = " ".join(encodings(TOKEN))
    finding = Finding(
        "api.token", "h", Status.FAIL, "API_TOKEN_REJECTED", "<img src=x onerror=alert(1)>", evidence=(echoed,)
    )
    run = {"settings": [{"name": "api_url", "value": TOKEN, "source": "env SENDER_API_URL"}]}
    text = render_html_report([finding], secrets=[TOKEN], run=run)
    assert "<img" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    for form in encodings(TOKEN):
        assert form not in text, form


def test_the_health_chart_draws_each_limit_and_a_point_per_day_with_sends() -> None:
    svg = health_chart_svg(_health_finding().data["health"], campaign="cmp1")
    for rate in ("hard_bounces", "soft_bounces", "complaints"):
        assert svg.count(f'class="limit limit-warn" data-rate="{rate}"') == 1
        assert svg.count(f'class="limit limit-fail" data-rate="{rate}"') == 1
        assert svg.count(f'class="rate" data-rate="{rate}"') == 2  # 11-02 had no sends: no rate that day
    assert svg.count('class="sends"') == 3
    assert "2026-11-03: hard-bounce rate 15%" in svg
    assert "fail 5%" in svg
    assert "warn 0.1%" in svg


# --- in a real browser ----------------------------------------------------------------------------------


def _browser_parts() -> tuple[str, str]:
    pytest.importorskip("selenium", reason="the HTML report's browser tests need selenium (the test extra)")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chromium is None or driver is None:
        pytest.skip(
            "Debian's chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
        )
    return chromium, driver


@pytest.fixture
def browser() -> Iterator[Any]:
    chromium, driver_path = _browser_parts()
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,3200"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=webdriver.ChromeService(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _visible_rows(browser: Any) -> list[Any]:
    from selenium.webdriver.common.by import By

    return [row for row in browser.find_elements(By.CSS_SELECTOR, "tbody.finding") if row.is_displayed()]


def test_the_report_renders_filters_and_fetches_nothing_in_chromium(
    pytester: pytest.Pytester, browser: Any, record_property: Any
) -> None:
    from selenium.webdriver.common.by import By

    result = pytester.runpytest("--sender-preflight", "--sender-sandbox=broken", "--sender-html=out/report.html")
    assert result.ret == 1
    path = pytester.path / "out" / "report.html"
    result.stdout.fnmatch_lines([f"sender: HTML report written to {path}"])
    browser.get(path.as_uri())

    assert browser.find_element(By.ID, "verdict").text == "Sender preflight failed"
    counts = browser.find_element(By.ID, "counts").text
    assert "1 pass" in counts
    assert "2 warn" in counts
    every = _visible_rows(browser)
    assert len(every) == int(browser.find_element(By.ID, "visible-count").text) > 5
    statuses = [row.get_attribute("data-status") for row in every]
    families = {row.get_attribute("data-family") for row in every}
    assert {"api", "dns", "smtp"} <= families

    # A status filter: clicking "fail" hides every failing row, and only those.
    browser.find_element(By.CSS_SELECTOR, 'button.filter[data-kind="status"][data-value="fail"]').click()
    visible = _visible_rows(browser)
    assert len(visible) == len(every) - statuses.count("fail")
    assert all(row.get_attribute("data-status") != "fail" for row in visible)
    assert browser.find_element(By.ID, "visible-count").text == str(len(visible))
    # A family filter on top: clicking "dns" hides the DNS rows too; a second click shows them again.
    dns = browser.find_element(By.CSS_SELECTOR, 'button.filter[data-kind="family"][data-value="dns"]')
    dns.click()
    assert all(row.get_attribute("data-family") != "dns" for row in _visible_rows(browser))
    assert dns.get_attribute("aria-pressed") == "false"
    dns.click()
    assert any(row.get_attribute("data-family") == "dns" for row in _visible_rows(browser))
    browser.find_element(By.CSS_SELECTOR, 'button.filter[data-kind="status"][data-value="fail"]').click()
    assert len(_visible_rows(browser)) == len(every)

    # Evidence and hint fold out.
    spf = browser.find_element(By.CSS_SELECTOR, 'tbody.finding[data-node^="dns.spf["]')
    hint = spf.find_element(By.CSS_SELECTOR, "pre.hint")
    assert not hint.is_displayed()
    spf.find_element(By.TAG_NAME, "summary").click()
    assert hint.is_displayed()
    assert "include:sendersrv.com" in hint.text

    # One chart per api.health campaign, drawn (a size on the page) with its limits.
    charts = browser.find_elements(By.CSS_SELECTOR, "figure.health-chart")
    assert sorted(c.get_attribute("data-campaign") for c in charts) == ["sbxCMP", "sbxHRD", "sbxSFT"]
    for chart in charts:
        svg = chart.find_element(By.TAG_NAME, "svg")
        assert svg.size["height"] > 100
        assert len(svg.find_elements(By.CSS_SELECTOR, "line.limit")) == 6
        assert svg.find_elements(By.CSS_SELECTOR, "rect.sends")

    # Nothing fetched but the page itself, and the policy blocked nothing the page needs.
    requested = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requested.append(message["params"]["request"]["url"])
    assert requested == [path.as_uri()]
    console = [entry["message"] for entry in browser.get_log("browser")]
    assert not [line for line in console if "Content Security Policy" in line or "Refused" in line], console

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "html-report.png"
    assert browser.save_screenshot(str(shot))
    record_property("screenshot", str(shot))
    print(f"screenshot of the HTML report: {shot}")
