"""The ``api.token`` check: an authenticated, read-only call that proves the token works.

Layers: the API client (:meth:`pytest_sender.api.client.AsyncSenderClient.check_token`) does the I/O,
the client's pure classification (:mod:`pytest_sender.api.classify`) maps an answer to a finding,
and :func:`check_api_token` returns a finding and never raises for a network fault.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pytest_sender.api.classify import TOKEN_CHECK_PATH
from pytest_sender.findings import Finding
from pytest_sender.hints import make_finding
from pytest_sender.preflight.registry import CheckContext, CheckSpec
from pytest_sender.settings import Settings

if TYPE_CHECKING:
    import httpx


__all__ = ["CHECKS", "TOKEN_CHECK_PATH", "check_api_token"]

CHECK = "api.token"


def api_target(settings: Settings) -> str:
    """The target name of API checks: the API's host (and port, when not the default)."""
    return urlsplit(settings.api_url).netloc


async def check_api_token(settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None) -> Finding:
    """Run the token check against ``settings.api_url``; never raises for a network fault.

    One attempt, no retries: the preflight reports what it sees (a 429 is a warning with the wait,
    a 5xx an error on Sender's side) instead of waiting it out.
    """
    target = api_target(settings)
    if settings.api_token is None:
        return make_finding(CHECK, target, "API_TOKEN_MISSING", evidence=["SENDER_API_TOKEN is not set"])

    from pytest_sender.api.client import AsyncSenderClient
    from pytest_sender.api.retry import NO_RETRIES

    async with AsyncSenderClient(
        settings.api_url, settings.api_token, timeout=settings.timeout, retry=NO_RETRIES, transport=transport
    ) as client:
        outcome = await client.check_token()
    return outcome.finding(CHECK, target)


async def _run_token_check(context: CheckContext, target: str) -> Finding:
    return await check_api_token(context.settings, transport=context.extras.get("http_transport"))


CHECKS = (
    CheckSpec(
        name=CHECK,
        description="the API token authenticates (GET /subscribers?limit=1, read-only)",
        targets=lambda settings: [api_target(settings)],
        run=_run_token_check,
    ),
)
