"""The ``api.health`` check: bounce and complaint rates of each configured transactional campaign.

Layers: the API client reads ``GET /transactional/{id}/report`` over the window (and, when there
were bounces, the latest entries of ``/bounces``), :mod:`pytest_sender.api.health` computes and
judges the rates (pure), and :func:`check_campaign_health` (a registered check) returns a finding and
never raises: 401, 429, 5xx, a timeout or an answer that is not JSON keep the client's codes.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING

from pytest_sender.api.health import (
    CHECK,
    RECENT_BOUNCES,
    BouncedRecipient,
    HealthThresholds,
    evaluate_health,
    mask_addresses,
    parse_bounces,
    parse_report,
)
from pytest_sender.api.pages import parse_page
from pytest_sender.errors import ParseError
from pytest_sender.findings import Finding, Status
from pytest_sender.hints import make_finding
from pytest_sender.preflight.registry import NOT_CONFIGURED_TARGET, CheckContext, CheckSpec
from pytest_sender.settings import Settings

if TYPE_CHECKING:
    import ssl

    import httpx

    from pytest_sender.api.outcomes import Outcome

__all__ = ["CHECKS", "NOT_CONFIGURED_TARGET", "check_campaign_health", "health_targets", "report_window"]

#: Up to two reads, each with at most two attempts: the budget leaves room for both.
BUDGET_FACTOR = 5.0


def health_targets(settings: Settings) -> list[str]:
    """One target per configured campaign id; a placeholder that skips when none is set."""
    return list(settings.campaigns) or [NOT_CONFIGURED_TARGET]


def report_window(window_days: int, today: date) -> tuple[date, date]:
    """The first and last day of a window of ``window_days`` days ending today (both inclusive)."""
    return today - timedelta(days=window_days - 1), today


def _masked(finding: Finding) -> Finding:
    return replace(finding, evidence=tuple(mask_addresses(line) for line in finding.evidence))


def _problem(outcome: Outcome, campaign: str) -> Finding:
    """The finding for a read that did not succeed, in the client's codes."""
    from pytest_sender.api.outcomes import NotFound, RateLimited

    if isinstance(outcome, NotFound):
        return make_finding(
            CHECK, campaign, "API_HEALTH_CAMPAIGN_NOT_FOUND", campaign=campaign, evidence=outcome.evidence
        )
    finding = _masked(outcome.finding(CHECK, campaign))
    if isinstance(outcome, RateLimited):
        # For the token check a 429 proves the token works (warn); here nothing was judged.
        finding = replace(finding, status=Status.ERROR)
    return finding


async def check_campaign_health(context: CheckContext, campaign: str) -> Finding:
    """Judge ``campaign``'s last ``settings.health_window`` days (UTC); never raises."""
    settings = context.settings
    if campaign == NOT_CONFIGURED_TARGET and not settings.campaigns:
        return make_finding(CHECK, campaign, "API_HEALTH_NOT_CONFIGURED")
    if settings.api_token is None:
        return make_finding(CHECK, campaign, "API_TOKEN_MISSING", evidence=["SENDER_API_TOKEN is not set"])

    from pytest_sender.api.client import AsyncSenderClient
    from pytest_sender.api.outcomes import Fetched
    from pytest_sender.api.retry import RetryPolicy

    transport = context.parts.api_transport or await _verified_transport(context)
    date_from, date_to = report_window(settings.health_window, datetime.now(timezone.utc).date())
    # The client's policy (429 waits for Retry-After, 5xx and connection errors retried: these are safe
    # GETs), kept short so a preflight item never waits longer than the network timeout.
    policy = RetryPolicy(max_attempts=2, max_retry_after_s=settings.timeout)
    async with AsyncSenderClient.from_settings(settings, retry=policy, transport=transport) as client:
        report = await client.campaign_report(campaign, date_from=date_from, date_to=date_to)
        if not isinstance(report, Fetched):
            return _problem(report, campaign)
        window = f"window: {date_from.isoformat()} to {date_to.isoformat()} ({settings.health_window} days, UTC)"
        try:
            counts = parse_report(report.data)
        except ParseError as exc:
            return make_finding(
                CHECK,
                campaign,
                "API_HEALTH_UNREADABLE",
                what="report",
                campaign=campaign,
                reason=str(exc),
                evidence=[*report.evidence, window],
            )
        evidence = [*report.evidence, window]
        recent: list[BouncedRecipient] = []
        total: int | None = None
        if counts.sent and counts.hard_bounces + counts.soft_bounces:
            # Only evidence: the rates are judged even when the list cannot be read.
            bounces = await client.campaign_list(campaign, "bounces", limit=RECENT_BOUNCES, direction="desc")
            if not isinstance(bounces, Fetched):
                evidence.append(f"the latest bounces could not be read (answered {bounces.code})")
            else:
                try:
                    page = parse_page(bounces.data)
                except ParseError as exc:
                    evidence.append(f"the latest bounces could not be read ({exc})")
                else:
                    recent, total = parse_bounces(page.items), page.total
    return evaluate_health(
        counts,
        HealthThresholds.from_settings(settings),
        campaign=campaign,
        window_days=settings.health_window,
        recent_bounces=recent,
        bounces_total=total,
        evidence=evidence,
    )


async def _ssl_context() -> ssl.SSLContext:
    import httpx

    return await asyncio.to_thread(httpx.create_ssl_context)


async def _verified_transport(context: CheckContext) -> httpx.AsyncBaseTransport:
    """A transport verifying with the system's CAs, whose trust store is loaded once per run
    (~25 ms of CPU): not once per campaign."""
    import httpx

    ssl_context = await context.shared("api.health:ssl_context", _ssl_context)
    return httpx.AsyncHTTPTransport(verify=ssl_context)


CHECKS = (
    CheckSpec(
        name=CHECK,
        description="hard-bounce, soft-bounce and spam-complaint rates of each transactional campaign "
        "(GET /transactional/{id}/report) stay below their limits",
        targets=health_targets,
        run=check_campaign_health,
        budget_factor=BUDGET_FACTOR,
    ),
)
