"""``live.logged``: the live template send's ``emailId`` shows up in its campaign's sent list.

Step 5's "how to verify" of Sender's troubleshooting guide (the send appears under Transactional
emails → Logs, Emails sent) as a check: after ``live.template-send`` (whose send it shares through
``CheckContext.shared``), :func:`confirm_logged` reads ``GET /transactional/{id}/sent`` for the
recipient, newest first, following the pages, until the ``emailId`` is there or ``live_timeout``
seconds have passed. Only the template send can be checked: ad-hoc sends belong to no campaign.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pytest_sender.findings import Finding
from pytest_sender.hints import make_finding
from pytest_sender.live.flow import TEMPLATE_SEND, deliver, live_recipient
from pytest_sender.live.readiness import missing_settings, not_configured
from pytest_sender.preflight.registry import NOT_CONFIGURED_TARGET, CheckContext, CheckSpec
from pytest_sender.settings import Settings

if TYPE_CHECKING:
    import httpx

__all__ = ["CHECK", "LOGGED_CHECKS", "check_logged", "confirm_logged", "logged_targets"]

CHECK = "live.logged"
#: Pages of the recipient's sent list read per look (newest first: a fresh send is on the first).
PAGES_PER_LOOK = 3
PAGE_SIZE = 50
#: The first pause between looks, doubling up to the maximum (seconds).
FIRST_PAUSE_S = 0.5
MAX_PAUSE_S = 10.0


def logged_targets(settings: Settings) -> list[str]:
    """The recipient, only when a template is set (like ``live.template-send``)."""
    if settings.template_id is None:
        return []
    if missing_settings(settings, TEMPLATE_SEND):
        return [NOT_CONFIGURED_TARGET]
    return [live_recipient(settings) or NOT_CONFIGURED_TARGET]


async def confirm_logged(
    settings: Settings,
    campaign_id: str,
    email_id: str,
    recipient: str,
    *,
    target: str,
    timeout: float,
    first_pause_s: float = FIRST_PAUSE_S,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Finding:
    """Look for ``email_id`` in ``campaign_id``'s sent list until ``timeout``; never raises for a network fault.

    A rejected token, an unknown campaign or an answer that is not a page ends the wait at once; a
    429, a 5xx or no answer is looked past until the deadline, then reported with the client's code.
    """
    from pytest_sender.api.client import AsyncSenderClient
    from pytest_sender.api.outcomes import NotFound, RateLimited, ServerError, Unreachable
    from pytest_sender.api.pages import fetch_pages
    from pytest_sender.api.retry import NO_RETRIES
    from pytest_sender.errors import ParseError

    started = time.monotonic()
    deadline = started + timeout
    pause = first_pause_s
    looks = 0

    def is_ours(item: Mapping[str, Any]) -> bool:
        return str(item.get("emailId") or "") == email_id

    params: dict[str, Any] = {"campaign": campaign_id, "email_id": email_id}
    async with AsyncSenderClient.from_settings(settings, retry=NO_RETRIES, transport=transport) as client:
        while True:
            looks += 1
            try:
                result = await fetch_pages(
                    lambda page: client.campaign_list(
                        campaign_id, "sent", page=page, limit=PAGE_SIZE, direction="desc", email_address=recipient
                    ),
                    stop=is_ours,
                    max_pages=PAGES_PER_LOOK,
                )
            except ParseError as exc:
                return make_finding(
                    CHECK, target, "API_HEALTH_UNREADABLE", what="sent list", campaign=campaign_id, reason=str(exc)
                )
            elapsed = time.monotonic() - started
            evidence = [
                f"GET {settings.api_url}/transactional/{campaign_id}/sent (the recipient's entries, "
                f"newest first): {looks} look(s) in {elapsed:.1f} s"
            ]
            if result.found is not None:
                evidence.append(f"listed: {result.found.get('created', 'no time given')} emailId {email_id}")
                return make_finding(CHECK, target, "LIVE_LOGGED", elapsed=f"{elapsed:.1f}", evidence=evidence, **params)
            if isinstance(result.problem, NotFound):
                return make_finding(
                    CHECK,
                    target,
                    "API_HEALTH_CAMPAIGN_NOT_FOUND",
                    campaign=campaign_id,
                    evidence=result.problem.evidence,
                )
            transient = isinstance(result.problem, (RateLimited, ServerError, Unreachable))
            if result.problem is not None and not transient:
                return result.problem.finding(CHECK, target)
            left = deadline - time.monotonic()
            if left <= 0:
                if result.problem is not None:
                    return result.problem.finding(CHECK, target)
                evidence.append(f"entries seen for the recipient: {len(result.items)}")
                return make_finding(
                    CHECK, target, "LIVE_NOT_LOGGED", timeout=f"{timeout:g}", evidence=evidence, **params
                )
            await asyncio.sleep(min(pause, left))  # the last look is at the deadline
            pause = min(pause * 2, MAX_PAUSE_S)


async def check_logged(context: CheckContext, target: str) -> Finding:
    """The template send's ``emailId`` in its campaign's sent list (``RunParts.logged_first_pause_s``
    sets the first pause between looks)."""
    settings = context.settings
    missing = missing_settings(settings, TEMPLATE_SEND)
    if missing:
        return not_configured(context, CHECK, target, missing)
    delivery = await context.shared(("live:deliver", TEMPLATE_SEND), lambda: deliver(context, TEMPLATE_SEND))
    sent = delivery.sent
    if sent is None:
        return make_finding(
            CHECK,
            target,
            "LIVE_LOGGED_NOT_CHECKED",
            reason="the template send was not accepted (see live.template-send.arrived)",
        )
    if not sent.email_id:
        return make_finding(
            CHECK,
            target,
            "LIVE_LOGGED_NOT_CHECKED",
            reason="no emailId came back for the template send (see live.template-send.arrived)",
        )
    assert settings.template_id is not None
    return await confirm_logged(
        settings,
        settings.template_id,
        sent.email_id,
        sent.recipient,
        target=target,
        timeout=settings.live_timeout,
        first_pause_s=context.parts.logged_first_pause_s or FIRST_PAUSE_S,
        transport=context.parts.api_transport,
    )


LOGGED_CHECKS: tuple[CheckSpec, ...] = (
    CheckSpec(
        name=CHECK,
        description="the live template send's emailId appears in the campaign's sent list "
        "(GET /transactional/{id}/sent) within the live timeout",
        targets=logged_targets,
        run=check_logged,
        budget_factor=1000.0,  # keeps its own deadline (live_timeout), like the other live checks
    ),
)
