"""The ``api.token`` check: an authenticated, read-only call that proves the token works.

Layers: :func:`pytest_sender.api.transport.request` does the I/O, :func:`evaluate_token_answer`
is pure, and :func:`check_api_token` returns a finding and never raises for a network fault.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pytest_sender.errors import ConnectionRefused, NetworkTimeout, ParseError, TransportError
from pytest_sender.findings import Finding
from pytest_sender.hints import make_finding
from pytest_sender.preflight.registry import CheckContext, CheckSpec
from pytest_sender.settings import Settings

if TYPE_CHECKING:
    import httpx

    from pytest_sender.api.transport import HttpAnswer

__all__ = ["CHECKS", "TOKEN_CHECK_PATH", "check_api_token", "evaluate_token_answer"]

CHECK = "api.token"
#: Sender documents this call as the safe, read-only way to test a token.
TOKEN_CHECK_PATH = "/subscribers"
TOKEN_CHECK_PARAMS = {"limit": "1"}


def api_target(settings: Settings) -> str:
    """The target name of API checks: the API's host (and port, when not the default)."""
    return urlsplit(settings.api_url).netloc


def evaluate_token_answer(answer: HttpAnswer, *, target: str, now: datetime | None = None) -> Finding:
    """Classify the answer to ``GET /subscribers?limit=1`` (pure)."""
    from pytest_sender.api.ratelimit import parse_rate_limit

    now = now or datetime.now(timezone.utc)
    limits = parse_rate_limit(answer.headers, now=now)
    host = urlsplit(answer.url).netloc
    evidence = [f"{answer.method} {answer.url} → HTTP {answer.status}"]
    if limits.present:
        evidence.append(f"rate limit: {limits.headroom()}")
    status = answer.status

    if 200 <= status < 300:
        try:
            answer.json()
        except ParseError:
            evidence.append(f"body: {answer.body_excerpt()}")
            return make_finding(
                CHECK, target, "API_NOT_JSON", evidence=evidence,
                host=host, http_status=status, content_type=answer.content_type or "no content type",
            )
        return make_finding(CHECK, target, "API_TOKEN_OK", evidence=evidence, headroom=limits.headroom())
    if answer.body:
        evidence.append(f"body: {answer.body_excerpt()}")
    if status == 401:
        return make_finding(CHECK, target, "API_TOKEN_REJECTED", evidence=evidence)
    if status == 403:
        return make_finding(CHECK, target, "API_TOKEN_FORBIDDEN", evidence=evidence)
    if status == 404:
        return make_finding(CHECK, target, "API_ENDPOINT_NOT_FOUND", evidence=evidence, url=answer.url)
    if status == 429:
        if limits.retry_after_s is not None:
            evidence.append(f"Retry-After: {answer.headers.get('retry-after')}")
        if limits.reset is not None:
            evidence.append(f"X-RateLimit-Reset: {answer.headers.get('x-ratelimit-reset')}")
        return make_finding(
            CHECK, target, "API_RATE_LIMITED", evidence=evidence,
            retry_after=limits.wait_text(now), limit=limits.limit if limits.limit is not None else "?",
        )
    if status >= 500:
        return make_finding(CHECK, target, "API_SERVER_ERROR", evidence=evidence, http_status=status)
    if "location" in answer.headers:
        evidence.append(f"Location: {answer.headers['location']}")
    return make_finding(CHECK, target, "API_UNEXPECTED_STATUS", evidence=evidence, host=host, http_status=status)


async def check_api_token(
    settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
) -> Finding:
    """Run the token check against ``settings.api_url``; never raises for a network fault."""
    target = api_target(settings)
    if settings.api_token is None:
        return make_finding(CHECK, target, "API_TOKEN_MISSING", evidence=["SENDER_API_TOKEN is not set"])

    from pytest_sender.api.transport import request

    url = settings.api_url + TOKEN_CHECK_PATH
    host = urlsplit(url).netloc
    where = f"GET {url}?limit=1"
    try:
        answer = await request(
            "GET", url, token=settings.api_token, timeout=settings.timeout,
            transport=transport, params=TOKEN_CHECK_PARAMS,
        )
    except NetworkTimeout as exc:
        return make_finding(
            CHECK, target, "API_TIMEOUT", evidence=[where, str(exc)], host=host, timeout=settings.timeout
        )
    except ConnectionRefused as exc:
        return make_finding(CHECK, target, "API_CONNECTION_REFUSED", evidence=[where, str(exc)], host=host)
    except TransportError as exc:
        return make_finding(
            CHECK, target, "API_CONNECT_FAILED", evidence=[where, str(exc)], host=host, reason=str(exc)
        )
    return evaluate_token_answer(answer, target=target)


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
