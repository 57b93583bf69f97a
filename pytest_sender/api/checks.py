"""The ``api.token`` check: an authenticated, read-only call that proves the token works.

Layers: the API client (:meth:`pytest_sender.api.client.AsyncSenderClient.check_token`) does the I/O,
the client's pure classification (:mod:`pytest_sender.api.classify`) maps an answer to a finding,
and :func:`check_api_token` (a registered check) returns a finding and never raises.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pytest_sender.api.classify import TOKEN_CHECK_PATH
from pytest_sender.findings import Finding
from pytest_sender.hints import make_finding
from pytest_sender.preflight.registry import CheckContext, CheckSpec
from pytest_sender.settings import Settings

__all__ = ["CHECKS", "TOKEN_CHECK_PATH", "api_target", "check_api_token"]

CHECK = "api.token"


def api_target(settings: Settings) -> str:
    """The target name of API checks: the API's host (and port, when not the default)."""
    return urlsplit(settings.api_url).netloc


async def check_api_token(context: CheckContext, target: str) -> Finding:
    """The token check against ``settings.api_url`` (through ``RunParts.api_transport`` when given).

    One attempt, no retries: the preflight reports what it sees (a 429 is a warning with the wait,
    a 5xx an error on Sender's side) instead of waiting it out.
    """
    settings = context.settings
    if settings.api_token is None:
        return make_finding(CHECK, target, "API_TOKEN_MISSING", evidence=["SENDER_API_TOKEN is not set"])

    from pytest_sender.api.client import AsyncSenderClient
    from pytest_sender.api.retry import NO_RETRIES

    async with AsyncSenderClient.from_settings(
        settings, retry=NO_RETRIES, transport=context.parts.api_transport
    ) as client:
        outcome = await client.check_token()
    return outcome.finding(CHECK, target)


CHECKS = (
    CheckSpec(
        name=CHECK,
        description="the API token authenticates (GET /subscribers?limit=1, read-only)",
        targets=lambda settings: [api_target(settings)],
        run=check_api_token,
    ),
)
