"""api.health: exact rates at the threshold boundaries (pure), the settings, and the check against the
sandbox API over a real loopback socket (every error answer keeps the client's code)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction

import httpx
import hypothesis
import pytest
from hypothesis import strategies as st

from pytest_sender.api.health import (
    BouncedRecipient,
    DeliveryCounts,
    HealthThresholds,
    evaluate_health,
    format_percent,
    mask_address,
    mask_addresses,
    parse_report,
    rate,
)
from pytest_sender.api.health_checks import NOT_CONFIGURED_TARGET, check_campaign_health, health_targets
from pytest_sender.errors import ConfigError, ParseError
from pytest_sender.findings import Finding, Status
from pytest_sender.hints import CATALOG
from pytest_sender.preflight.registry import CheckContext, RunParts
from pytest_sender.sandbox.api_server import ApiSandbox
from pytest_sender.settings import RateThreshold, Secret, Settings, resolve_settings

DEFAULTS = HealthThresholds.from_settings(Settings())
CAMPAIGN = "cmpH1t"


def judge(sent: int, hard: int = 0, soft: int = 0, complaints: int = 0, **kwargs: object) -> Finding:
    counts = DeliveryCounts(sent=sent, hard_bounces=hard, soft_bounces=soft, complaints=complaints)
    return evaluate_health(counts, DEFAULTS, campaign=CAMPAIGN, window_days=7, **kwargs)  # type: ignore[arg-type]


# --- rates and their boundaries (pure) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("complaints", "sent", "status", "code"),
    [
        (0, 1000, Status.PASS, "API_HEALTH_OK"),
        (1, 1001, Status.PASS, "API_HEALTH_OK"),  # 0.0999% just under the warn limit
        (1, 1000, Status.WARN, "API_HEALTH_COMPLAINTS_ELEVATED"),  # exactly 0.1%: warn from 0.1%
        (2, 1000, Status.WARN, "API_HEALTH_COMPLAINTS_ELEVATED"),
        (2999, 1_000_000, Status.WARN, "API_HEALTH_COMPLAINTS_ELEVATED"),  # 0.2999%
        (3, 1000, Status.FAIL, "API_HEALTH_COMPLAINTS_HIGH"),  # exactly 0.3%: fail from 0.3%
        (1, 3, Status.FAIL, "API_HEALTH_COMPLAINTS_HIGH"),
    ],
)
def test_complaint_rate_boundaries_are_exact(complaints: int, sent: int, status: Status, code: str) -> None:
    finding = judge(sent, complaints=complaints)
    assert (finding.status, finding.code) == (status, code)


@pytest.mark.parametrize(
    ("hard", "sent", "status", "code"),
    [
        (1, 51, Status.PASS, "API_HEALTH_OK"),  # 1.96%
        (2, 100, Status.WARN, "API_HEALTH_HARD_BOUNCES_ELEVATED"),  # exactly 2%
        (49_999, 1_000_000, Status.WARN, "API_HEALTH_HARD_BOUNCES_ELEVATED"),  # 4.9999%
        (5, 100, Status.FAIL, "API_HEALTH_HARD_BOUNCES_HIGH"),  # exactly 5%
        (1, 1, Status.FAIL, "API_HEALTH_HARD_BOUNCES_HIGH"),
    ],
)
def test_hard_bounce_rate_boundaries_are_exact(hard: int, sent: int, status: Status, code: str) -> None:
    finding = judge(sent, hard=hard)
    assert (finding.status, finding.code) == (status, code)


@pytest.mark.parametrize(
    ("soft", "sent", "status", "code"),
    [
        (4, 81, Status.PASS, "API_HEALTH_OK"),  # 4.94%
        (5, 100, Status.WARN, "API_HEALTH_SOFT_BOUNCES_ELEVATED"),
        (9, 91, Status.WARN, "API_HEALTH_SOFT_BOUNCES_ELEVATED"),  # 9.89%
        (10, 100, Status.FAIL, "API_HEALTH_SOFT_BOUNCES_HIGH"),
    ],
)
def test_soft_bounce_rate_boundaries_are_exact(soft: int, sent: int, status: Status, code: str) -> None:
    finding = judge(sent, soft=soft)
    assert (finding.status, finding.code) == (status, code)


@pytest.mark.parametrize(("count", "sent", "limit"), [(9, 1000, "0.9"), (29, 100, "29"), (37, 1000, "3.7")])
def test_a_boundary_float_arithmetic_gets_wrong_is_judged_exactly(count: int, sent: int, limit: str) -> None:
    # In floats 9 / 1000 * 100 is 0.8999999999999999, below 0.9; as fractions it is exactly 0.9.
    assert count / sent * 100 < float(limit)
    thresholds = HealthThresholds(
        RateThreshold(Decimal(limit), Decimal(limit)), DEFAULTS.hard_bounces, DEFAULTS.soft_bounces
    )
    counts = DeliveryCounts(sent=sent, hard_bounces=0, soft_bounces=0, complaints=count)
    finding = evaluate_health(counts, thresholds, campaign=CAMPAIGN, window_days=7)
    assert finding.code == "API_HEALTH_COMPLAINTS_HIGH"
    assert rate(count, sent) * 100 == Fraction(Decimal(limit))


def test_the_worst_rate_decides_and_complaints_come_first_among_equals() -> None:
    assert judge(100, hard=5, soft=10, complaints=1).code == "API_HEALTH_COMPLAINTS_HIGH"
    assert judge(1000, hard=50, soft=100).code == "API_HEALTH_HARD_BOUNCES_HIGH"
    assert judge(1000, hard=20, soft=100).code == "API_HEALTH_SOFT_BOUNCES_HIGH"  # a fail beats a warn
    assert judge(1000, hard=20, soft=50, complaints=1).code == "API_HEALTH_COMPLAINTS_ELEVATED"


def test_an_empty_window_is_a_skip_not_a_pass() -> None:
    finding = judge(0)
    assert (finding.status, finding.code) == (Status.SKIP, "API_HEALTH_NO_SENDS")
    assert "sent nothing in the last 7 days" in finding.summary
    assert "--sender-health-window" in finding.hint


def test_the_summary_and_evidence_give_counts_and_rounded_rates() -> None:
    finding = judge(3, hard=1)
    assert finding.summary == (
        "Hard bounces on campaign cmpH1t are at 33.33% (1 of 3 sent in 7 days), at or above the fail limit 5%"
    )
    assert "hard bounces: 1 of 3 sent = 33.33% (warn from 2%, fail from 5%): fail" in finding.evidence
    assert "complaints: 0 of 3 sent = 0.00% (warn from 0.1%, fail from 0.3%): pass" in finding.evidence
    ok = judge(400, soft=2)
    assert ok.summary == (
        "Delivery is healthy over the last 7 days: 400 sent, hard bounces 0.00%, soft bounces 0.50%, complaints 0.00%"
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(0), "0.00%"),
        (Fraction(1, 3), "33.33%"),
        (Fraction(2, 3), "66.67%"),
        (Fraction(1), "100.00%"),
        (Fraction(1, 1_000_000), "<0.01%"),
        (Fraction(1, 10_000), "0.01%"),
        (Fraction(3, 1000), "0.30%"),
    ],
)
def test_percentages_are_rounded_to_two_decimals_and_never_hide_a_tiny_rate(value: Fraction, text: str) -> None:
    assert format_percent(value) == text


def test_a_rate_needs_sends() -> None:
    with pytest.raises(ValueError, match="at least one sent message"):
        rate(1, 0)


def test_addresses_are_masked_keeping_the_first_letter_and_the_domain() -> None:
    assert mask_address("john.doe@example.com") == "j***@example.com"
    assert mask_address("@example.com") == "***@example.com"
    assert mask_address("not an address") == "***"
    assert mask_addresses("550 5.1.1 <ann+x@mail.example.org>: unknown; cc bob@b.io") == (
        "550 5.1.1 <a***@mail.example.org>: unknown; cc b***@b.io"
    )


def test_bounced_recipients_appear_masked_with_their_reasons() -> None:
    bounces = [
        BouncedRecipient(
            f"person{n}@example.org",
            "HARD_BOUNCE",
            f"550 <person{n}@example.org>: Mailbox not found",
            "2026-11-26 10:00:00",
        )
        for n in range(7)
    ]
    finding = judge(100, hard=7, recent_bounces=bounces, bounces_total=7)
    text = "\n".join(finding.evidence)
    assert "latest 5 of 7 bounced recipients (newest first, addresses masked):" in text
    assert (
        "bounced: 2026-11-26 10:00:00 p***@example.org HARD_BOUNCE: 550 <p***@example.org>: Mailbox not found"
    ) in text
    assert "… 2 more in Sender: Transactional emails → Logs" in text
    assert "person" not in text


def test_the_hints_say_what_to_do_about_each_pattern() -> None:
    hard = judge(100, hard=5).hint
    assert "Invalid addresses" in hard
    assert "List hygiene" in hard
    assert "SPF, DKIM and DMARC" in hard
    assert "not retried" in hard
    assert "resend" in hard
    assert "Transactional emails → Logs" in hard
    assert "Transactional emails → Metrics" in judge(1000, complaints=3).hint
    assert "not retried" in judge(100, soft=10).hint


def test_report_parsing_reads_totals_under_data_or_at_the_top() -> None:
    totals = {"sent_total": 10, "hard_bounces_total": 1, "soft_bounces_total": 2, "complaints_total": 3}
    expected = DeliveryCounts(10, 1, 2, 3)
    assert parse_report({"data": {"totals": totals}}) == expected
    assert parse_report({"totals": totals}) == expected
    assert parse_report({"totals": {"sent_total": 4}}) == DeliveryCounts(4, 0, 0, 0)


def _series(count: int) -> list[dict[str, object]]:
    return [{"date": {"from": "2025-07-24", "to": "2025-07-24"}, "count": count}]


#: The answer as Sender's documentation shows it: every series and the totals at the top level.
DOCUMENTED_REPORT = {
    "sent": _series(10),
    "opens": _series(7),
    "clicks": _series(3),
    "bounces": _series(1),
    "soft_bounces": _series(0),
    "hard_bounces": _series(1),
    "unsubscribes": _series(0),
    "complaints": _series(0),
    "totals": {
        "sent_total": 10,
        "opens_total": 7,
        "clicks_total": 3,
        "bounces_total": 1,
        "soft_bounces_total": 0,
        "hard_bounces_total": 1,
        "unsubscribes_total": 0,
        "complaints_total": 0,
    },
}
#: The shape earlier copies of the contract (and the sandbox) had: under ``data``, string dates.
ENVELOPED_REPORT = {
    "data": {
        "sent": [{"date": "2025-07-24", "count": 10}],
        "hard_bounces": [{"date": "2025-07-24", "count": 1}],
        "totals": {"sent_total": 10, "hard_bounces_total": 1, "soft_bounces_total": 0, "complaints_total": 0},
    }
}


def test_report_parsing_reads_senders_documented_answer_and_the_enveloped_one() -> None:
    assert parse_report(DOCUMENTED_REPORT) == DeliveryCounts(10, 1, 0, 0)
    assert parse_report(ENVELOPED_REPORT) == DeliveryCounts(10, 1, 0, 0)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "no totals object"),
        ({"data": {"sent": []}}, "no totals object"),
        ({"totals": {"hard_bounces_total": 1}}, "no sent_total"),
        ({"totals": {"sent_total": -1}}, "no sent_total"),
        ({"totals": {"sent_total": True}}, "no sent_total"),
        ({"totals": {"sent_total": 5}, "complaints": []}, "complaints series but no complaints_total"),
    ],
)
def test_a_report_of_another_shape_is_a_parse_error(body: object, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_report(body)


# --- settings --------------------------------------------------------------------------------------


def test_settings_have_the_published_defaults_and_resolve_from_each_source() -> None:
    settings = resolve_settings()
    assert settings.campaigns == ()
    assert settings.health_window == 7
    assert settings.health_complaints == RateThreshold(Decimal("0.1"), Decimal("0.3"))
    assert settings.health_hard_bounces == RateThreshold(Decimal("2"), Decimal("5"))
    assert settings.health_soft_bounces == RateThreshold(Decimal("5"), Decimal("10"))
    settings = resolve_settings(
        cli={"campaigns": ["ep2W4y", "ab_C-1"]},
        env={"SENDER_HEALTH_WINDOW": "30", "SENDER_HEALTH_COMPLAINTS": "0.05%, 0.2%"},
        ini={"health_hard_bounces": "1,3"},
    )
    assert settings.campaigns == ("ep2W4y", "ab_C-1")
    assert settings.health_window == 30
    assert settings.health_complaints == RateThreshold(Decimal("0.05"), Decimal("0.2"))
    assert settings.health_hard_bounces == RateThreshold(Decimal("1"), Decimal("3"))
    assert settings.sources["health_hard_bounces"] == "ini sender_health_hard_bounces"
    assert resolve_settings(env={"SENDER_CAMPAIGNS": "a1, b2 ,a1"}).campaigns == ("a1", "b2")
    assert ("health_complaints", "0.05%,0.2%", "env SENDER_HEALTH_COMPLAINTS") in settings.describe()
    odd = resolve_settings(env={"SENDER_HEALTH_SOFT_BOUNCES": "5.00,1e1"})
    assert odd.health_soft_bounces == RateThreshold(Decimal(5), Decimal(10))
    assert str(odd.health_soft_bounces) == "5%,10%"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SENDER_HEALTH_COMPLAINTS": "0.3"}, "is not WARN,FAIL (two percentages, e.g. 0.1,0.3)"),
        ({"SENDER_HEALTH_COMPLAINTS": "0.1,0.3,1"}, "is not WARN,FAIL"),
        ({"SENDER_HEALTH_COMPLAINTS": "0.5,0.3"}, "the warn rate 0.5% is above the fail rate 0.3%"),
        ({"SENDER_HEALTH_HARD_BOUNCES": "two,5"}, "the warn rate 'two' is not a percentage such as 0.3"),
        ({"SENDER_HEALTH_HARD_BOUNCES": "2,150"}, "the fail rate '150' must be a percentage from 0 to 100"),
        ({"SENDER_HEALTH_SOFT_BOUNCES": "-1,5"}, "the warn rate '-1' must be a percentage from 0 to 100"),
        ({"SENDER_HEALTH_SOFT_BOUNCES": "NaN,5"}, "must be a percentage from 0 to 100"),
        ({"SENDER_HEALTH_WINDOW": "0"}, "'0' is not a number of days from 1 to 365"),
        ({"SENDER_HEALTH_WINDOW": "7.5"}, "is not a number of days"),
        ({"SENDER_CAMPAIGNS": "ok1,bad/id"}, "'bad/id' is not a transactional campaign id"),
    ],
)
def test_malformed_health_settings_stop_the_run_with_a_clear_message(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        resolve_settings(env=env)
    text = str(info.value)
    assert message in text
    assert f"env {next(iter(env))}" in text


def test_targets_are_the_campaigns_or_one_placeholder() -> None:
    assert health_targets(Settings(campaigns=("a1", "b2"))) == ["a1", "b2"]
    assert health_targets(Settings()) == [NOT_CONFIGURED_TARGET]


# --- the check against the sandbox over a real socket --------------------------------------------------


def run(sandbox: ApiSandbox, campaign: str = CAMPAIGN, *, timeout: float = 1.0, **changes: object) -> Finding:
    settings = Settings(
        api_url=sandbox.base_url, api_token=Secret(sandbox.token), timeout=timeout, campaigns=(campaign,)
    )
    if changes:
        settings = settings.with_overrides("test", **changes)
    return asyncio.run(check_campaign_health(CheckContext(settings), campaign))


def seed(
    sandbox: ApiSandbox, sent: int, *, hard: int = 0, soft: int = 0, complaints: int = 0, when: datetime | None = None
) -> None:
    for n in range(sent):
        sandbox.inject_sent(CAMPAIGN, f"user{n}@example.com", when=when)
    for n in range(hard):
        sandbox.inject_bounce(
            CAMPAIGN,
            f"hard{n}@example.com",
            "HARD_BOUNCE",
            f"550 5.1.1 <hard{n}@example.com>: Mailbox not found",
            when=when,
        )
    for n in range(soft):
        sandbox.inject_bounce(CAMPAIGN, f"soft{n}@example.com", "SOFT_BOUNCE", "452 Mailbox full", when=when)
    for n in range(complaints):
        sandbox.inject_complaint(CAMPAIGN, f"angry{n}@example.com", when=when)


def test_a_clean_campaign_passes_with_its_counts(sandbox: ApiSandbox) -> None:
    seed(sandbox, 200, soft=1)
    finding = run(sandbox)
    assert (finding.status, finding.code) == (Status.PASS, "API_HEALTH_OK")
    assert "200 sent" in finding.summary
    assert "soft bounces: 1 of 200 sent = 0.50% (warn from 5%, fail from 10%): pass" in finding.evidence
    report, bounces = [r for r in sandbox.requests if "/transactional/" in r.path]
    assert report.path == f"/v2/transactional/{CAMPAIGN}/report"
    today = datetime.now(timezone.utc).date()
    assert report.query == f"from={today - timedelta(days=6)}&to={today}&period=day"
    assert bounces.path.endswith("/bounces")
    assert "limit=5" in bounces.query
    assert "direction=desc" in bounces.query


@pytest.mark.parametrize(
    ("hard", "complaints", "status", "code"),
    [
        (4, 0, Status.WARN, "API_HEALTH_HARD_BOUNCES_ELEVATED"),  # 2% of 200
        (10, 0, Status.FAIL, "API_HEALTH_HARD_BOUNCES_HIGH"),  # 5% of 200
        (0, 1, Status.PASS, "API_HEALTH_OK"),  # 0.05% of 2000 is under 0.1%
    ],
)
def test_thresholds_over_the_socket(sandbox: ApiSandbox, hard: int, complaints: int, status: Status, code: str) -> None:
    seed(sandbox, 200 if complaints == 0 else 2000, hard=hard, complaints=complaints)
    finding = run(sandbox)
    assert (finding.status, finding.code) == (status, code)


def test_the_latest_bounces_are_listed_masked(sandbox: ApiSandbox) -> None:
    seed(sandbox, 100, hard=7)
    finding = run(sandbox)
    text = "\n".join(finding.evidence) + finding.hint + finding.summary
    assert "latest 5 of 7 bounced recipients" in text
    assert text.count("h***@example.com HARD_BOUNCE: 550 5.1.1 <h***@example.com>: Mailbox not found") == 5
    assert "hard0@" not in text
    assert "@example.com" in text


def test_sends_outside_the_window_do_not_count(sandbox: ApiSandbox) -> None:
    seed(sandbox, 50, hard=50, when=datetime.now(timezone.utc) - timedelta(days=8))
    finding = run(sandbox)
    assert (finding.status, finding.code) == (Status.SKIP, "API_HEALTH_NO_SENDS")
    assert run(sandbox, health_window=9).code == "API_HEALTH_HARD_BOUNCES_HIGH"


def test_an_empty_window_skips(sandbox: ApiSandbox) -> None:
    sandbox.add_template(CAMPAIGN, from_email="a@example.com", from_name="A", subject="S", text="t")
    finding = run(sandbox)
    assert (finding.status, finding.code) == (Status.SKIP, "API_HEALTH_NO_SENDS")


def test_template_sends_in_the_outbox_count_as_sent(sandbox: ApiSandbox) -> None:
    from pytest_sender.api.client import SenderClient

    with SenderClient(sandbox.base_url, sandbox.token, timeout=1) as client:
        for n in range(3):
            assert client.send_template("sbxWLC", f"reader{n}@example.com", variables={"name": "R"}).ok
    sandbox.inject_complaint("sbxWLC", "reader0@example.com")
    finding = run(sandbox, "sbxWLC")
    assert finding.code == "API_HEALTH_COMPLAINTS_HIGH"
    assert "1 of 3 sent" in finding.summary


def test_an_unknown_campaign_fails_with_its_own_code(sandbox: ApiSandbox) -> None:
    finding = run(sandbox, "nOsuch")
    assert (finding.status, finding.code) == (Status.FAIL, "API_HEALTH_CAMPAIGN_NOT_FOUND")
    assert "Sender knows no transactional campaign nOsuch" in finding.summary


def test_a_rejected_token_keeps_the_clients_code(sandbox: ApiSandbox) -> None:
    seed(sandbox, 10)
    settings = Settings(
        api_url=sandbox.base_url, api_token=Secret("sbx-wrong-token-123"), timeout=1.0, campaigns=(CAMPAIGN,)
    )
    finding = asyncio.run(check_campaign_health(CheckContext(settings), CAMPAIGN))
    assert (finding.status, finding.code) == (Status.FAIL, "API_TOKEN_REJECTED")
    assert "sbx-wrong-token-123" not in repr(finding)


def test_a_rate_limit_is_an_error_with_the_wait_not_a_verdict(sandbox: ApiSandbox) -> None:
    seed(sandbox, 10)
    sandbox.inject(status=429, body={"message": "Too Many Attempts."}, headers={"Retry-After": "120"})
    finding = run(sandbox)
    assert (finding.status, finding.code) == (Status.ERROR, "API_RATE_LIMITED")
    assert "retry after" in finding.summary


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_retried_once_then_reported(sandbox: ApiSandbox, status: int) -> None:
    seed(sandbox, 10)
    sandbox.inject(status=status, body={"message": "Server Error"}, times=2)
    finding = run(sandbox)
    assert (finding.status, finding.code) == (Status.ERROR, "API_SERVER_ERROR")
    assert "attempts: 2" in finding.evidence
    sandbox.inject(status=status, body={"message": "Server Error"}, times=1)
    assert run(sandbox).code == "API_HEALTH_OK"  # the retry got through


def test_a_timeout_is_an_error(sandbox: ApiSandbox) -> None:
    seed(sandbox, 10)
    sandbox.inject(delay_s=0.5, times=2)
    finding = run(sandbox, timeout=0.2)
    assert (finding.status, finding.code) == (Status.ERROR, "API_TIMEOUT")
    assert "within 0.2 s" in finding.summary


def test_an_answer_that_is_not_json_is_an_error(sandbox: ApiSandbox) -> None:
    seed(sandbox, 10)
    sandbox.inject(status=200, body=b"<html>login</html>", content_type="text/html")
    finding = run(sandbox)
    assert (finding.status, finding.code) == (Status.ERROR, "API_NOT_JSON")


@pytest.mark.parametrize("body", [DOCUMENTED_REPORT, ENVELOPED_REPORT], ids=["documented", "enveloped"])
def test_the_check_reads_the_documented_report_and_the_enveloped_one(
    sandbox: ApiSandbox, body: dict[str, object]
) -> None:
    seed(sandbox, 1)
    sandbox.inject(status=200, body=body, endpoint="campaignReport")
    finding = run(sandbox)
    # 1 hard bounce in 10 sent is 10%: above the default fail limit of 5%, whichever shape carried it.
    assert (finding.status, finding.code) == (Status.FAIL, "API_HEALTH_HARD_BOUNCES_HIGH")
    assert "hard bounces: 1 of 10 sent = 10.00%" in " ".join(finding.evidence)


def test_the_sandbox_answers_the_documented_report_and_the_check_reads_it(sandbox: ApiSandbox) -> None:
    seed(sandbox, 40, hard=4)
    finding = run(sandbox)
    assert (finding.status, finding.code) == (Status.FAIL, "API_HEALTH_HARD_BOUNCES_HIGH")
    report = next(r for r in sandbox.requests if r.path.endswith("/report"))
    assert report.status == 200
    today = datetime.now(timezone.utc).date().isoformat()
    answer = httpx.get(
        f"{sandbox.base_url}/transactional/{CAMPAIGN}/report",
        params={"from": today, "to": today, "period": "day"},
        headers={"Authorization": f"Bearer {sandbox.token}"},
        timeout=1.0,
    ).json()
    assert "data" not in answer
    assert answer["totals"]["sent_total"] == 40
    assert answer["hard_bounces"] == [{"date": {"from": today, "to": today}, "count": 4}]


def test_a_report_of_another_shape_is_unreadable(sandbox: ApiSandbox) -> None:
    seed(sandbox, 10)
    sandbox.inject(status=200, body={"data": {"sent": 3}})
    finding = run(sandbox)
    assert (finding.status, finding.code) == (Status.ERROR, "API_HEALTH_UNREADABLE")
    assert "no totals object" in finding.summary


def test_a_bounce_list_that_cannot_be_read_still_judges_the_rates(sandbox: ApiSandbox) -> None:
    seed(sandbox, 100, hard=10)
    finding = asyncio.run(_with_second_request_failing(sandbox))
    assert finding.code == "API_HEALTH_HARD_BOUNCES_HIGH"
    assert any(
        "the latest bounces could not be read (answered API_TOKEN_REJECTED)" in line for line in finding.evidence
    )


async def _with_second_request_failing(sandbox: ApiSandbox) -> Finding:
    import httpx

    # A transport that lets the report through and answers the bounce list 401.
    real = httpx.AsyncHTTPTransport()

    class SecondFails(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path.endswith("/bounces"):
                return httpx.Response(401, json={"message": "Unauthenticated."})
            return await real.handle_async_request(request)

    settings = Settings(api_url=sandbox.base_url, api_token=Secret(sandbox.token), timeout=1.0, campaigns=(CAMPAIGN,))
    return await check_campaign_health(CheckContext(settings, RunParts(api_transport=SecondFails())), CAMPAIGN)


def test_nothing_configured_skips_naming_the_setting() -> None:
    finding = asyncio.run(check_campaign_health(CheckContext(Settings()), NOT_CONFIGURED_TARGET))
    assert (finding.status, finding.code) == (Status.SKIP, "API_HEALTH_NOT_CONFIGURED")
    assert "set SENDER_CAMPAIGNS or --sender-campaign" in finding.summary


def test_no_token_skips(sandbox: ApiSandbox) -> None:
    finding = asyncio.run(
        check_campaign_health(CheckContext(Settings(api_url=sandbox.base_url, campaigns=("a1",))), "a1")
    )
    assert (finding.status, finding.code) == (Status.SKIP, "API_TOKEN_MISSING")


def test_every_health_hint_field_is_filled(sandbox: ApiSandbox) -> None:
    findings = [
        judge(0),
        judge(100),
        judge(100, hard=2),
        judge(100, hard=5),
        judge(100, soft=5),
        judge(100, soft=10),
        judge(1000, complaints=1),
        judge(1000, complaints=3),
        run(sandbox, "nOsuch"),
    ]
    for finding in findings:
        text = finding.summary + finding.hint + finding.fix
        assert "?>" not in text, (finding.code, text)
    assert {f.code for f in findings} | {"API_HEALTH_NOT_CONFIGURED", "API_HEALTH_UNREADABLE"} >= {
        code for code in CATALOG if code.startswith("API_HEALTH_")
    }


def test_the_report_window_ends_today_and_spans_the_setting() -> None:
    from pytest_sender.api.health_checks import report_window

    assert report_window(7, date(2026, 3, 10)) == (date(2026, 3, 4), date(2026, 3, 10))
    assert report_window(1, date(2026, 3, 10)) == (date(2026, 3, 10), date(2026, 3, 10))


def test_the_preflight_checks_every_campaign_at_once_loading_the_trust_store_once(
    sandbox: ApiSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ssl

    import httpx
    import httpx._transports.default

    from pytest_sender.api.health_checks import CHECKS
    from pytest_sender.preflight.registry import plan_checks
    from pytest_sender.preflight.runner import run_preflight

    campaigns = ("cmpA01", "cmpB02", "cmpC03")
    for campaign in campaigns:
        sandbox.inject_sent(campaign, "a@example.com")
    loads = []
    real = httpx.create_ssl_context

    def counting(*args: object, **kwargs: object) -> object:
        # httpx 0.27 takes (cert, verify, ...), 0.28 (verify, cert, ...): whichever, a call that is
        # handed a ready SSLContext does not load the trust store.
        if not any(isinstance(value, ssl.SSLContext) for value in (*args, *kwargs.values())):
            loads.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    # httpx's transports call the function by the name they imported.
    monkeypatch.setattr(httpx, "create_ssl_context", counting)
    monkeypatch.setattr(httpx._transports.default, "create_ssl_context", counting)
    settings = Settings(api_url=sandbox.base_url, api_token=Secret(sandbox.token), timeout=1.0, campaigns=campaigns)
    findings = run_preflight(plan_checks(settings, CHECKS), settings)
    assert [(f.target, f.code) for f in findings] == [(c, "API_HEALTH_OK") for c in campaigns]
    assert len(loads) == 1


# A limit with up to 3 decimals is m / 1000 percent: count / sent >= m / 100000 exactly when
# count * 100000 >= m * sent (integers only: the oracle has no rounding at all).
@hypothesis.settings(max_examples=1000, deadline=None, database=None)
@hypothesis.given(
    sent=st.one_of(st.integers(1, 10**9), st.sampled_from([100, 200, 1000, 10_000])),
    data=st.data(),
    warn=st.one_of(st.integers(0, 100_000), st.integers(0, 100).map(lambda n: n * 100)),
    spread=st.integers(0, 100_000),
)
def test_levels_agree_with_integer_arithmetic_for_any_counts_and_limits(
    sent: int, data: st.DataObject, warn: int, spread: int
) -> None:
    fail = min(100_000, warn + spread)
    # Half the time a count right at a limit (the smallest count reaching it, or one below).
    edges = [c for m in (warn, fail) for c in (-(-m * sent // 100_000), -(-m * sent // 100_000) - 1) if 0 <= c <= sent]
    count = data.draw(st.one_of(st.integers(0, sent), st.sampled_from(edges)))
    limit = RateThreshold(Decimal(warn) / 1000, Decimal(fail) / 1000)
    thresholds = HealthThresholds(limit, DEFAULTS.hard_bounces, DEFAULTS.soft_bounces)
    counts = DeliveryCounts(sent=sent, hard_bounces=0, soft_bounces=0, complaints=count)
    finding = evaluate_health(counts, thresholds, campaign=CAMPAIGN, window_days=7)
    expected = (
        "API_HEALTH_COMPLAINTS_HIGH"
        if count * 100_000 >= fail * sent
        else "API_HEALTH_COMPLAINTS_ELEVATED"
        if count * 100_000 >= warn * sent
        else "API_HEALTH_OK"
    )
    assert finding.code == expected


def test_nothing_listening_is_a_refused_connection() -> None:
    from tests.helpers.scripted_http import closed_port

    url = f"http://127.0.0.1:{closed_port()}/v2"
    settings = Settings(api_url=url, api_token=Secret("tok-1"), timeout=0.5, campaigns=(CAMPAIGN,))
    finding = asyncio.run(check_campaign_health(CheckContext(settings), CAMPAIGN))
    assert (finding.status, finding.code) == (Status.ERROR, "API_CONNECTION_REFUSED")
