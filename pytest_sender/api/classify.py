"""Classify Sender's answers (and the lack of them) into typed outcomes: pure functions.

:func:`classify_answer` maps one complete HTTP answer to an
:class:`~pytest_sender.api.outcomes.Outcome` with its catalog code; :func:`classify_transport_error`
maps an httpx transport error, deciding from the error's kind whether the request can have reached
Sender. The client and the ``api.token`` check both use them, so they agree on every answer.
Importing this module does not import httpx.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pytest_sender.api.outcomes import (
    BadRequest,
    Fetched,
    Forbidden,
    Invalid,
    NotFound,
    Outcome,
    OutcomeUnknown,
    RateLimited,
    Sent,
    ServerError,
    TokenAccepted,
    Unauthorized,
    UnexpectedAnswer,
    Unreachable,
)
from pytest_sender.api.ratelimit import RateLimit, parse_rate_limit
from pytest_sender.errors import ConnectFailed, ConnectionRefused, NetworkTimeout, ParseError

if TYPE_CHECKING:
    import httpx

    from pytest_sender.api.transport import HttpAnswer

__all__ = [
    "CHECK_TOKEN",
    "READ",
    "SEND",
    "SEND_TEMPLATE",
    "TOKEN_CHECK_PARAMS",
    "TOKEN_CHECK_PATH",
    "classify_answer",
    "classify_transport_error",
    "with_attempts",
]

SEND = "send"
SEND_TEMPLATE = "send_template"
CHECK_TOKEN = "check_token"
#: A read-only report call (api health): classified like the token check, a safe GET.
READ = "read"
#: Sender documents this call as the safe, read-only way to test a token.
TOKEN_CHECK_PATH = "/subscribers"
TOKEN_CHECK_PARAMS = {"limit": "1"}


def _json_object(answer: HttpAnswer) -> dict[str, Any] | None:
    try:
        data = answer.json()
    except ParseError:
        return None
    return data if isinstance(data, dict) else None


def _field_errors(data: Mapping[str, Any] | None) -> dict[str, tuple[str, ...]]:
    """Sender's ``errors``: field to a list of texts; a single string per field also occurs (SDK)."""
    raw = (data or {}).get("errors")
    if not isinstance(raw, Mapping):
        return {}
    errors: dict[str, tuple[str, ...]] = {}
    for name, texts in raw.items():
        if isinstance(texts, str):
            errors[str(name)] = (texts,)
        elif isinstance(texts, list):
            errors[str(name)] = tuple(str(t) for t in texts)
        else:
            errors[str(name)] = (str(texts),)
    return errors


def _limit_evidence(limits: RateLimit) -> list[str]:
    """The headroom when the answer names it, and a note on each rate-limit header that was ignored."""
    lines = [f"rate limit: {limits.headroom()}"] if limits.present else []
    return [*lines, *limits.unreadable]


def classify_answer(
    operation: str, answer: HttpAnswer, *, template_id: str | None = None, now: datetime | None = None
) -> Outcome:
    """The outcome of one complete HTTP answer to ``operation`` (pure)."""
    now = now or datetime.now(timezone.utc)
    limits = parse_rate_limit(answer.headers, now=now)
    host = urlsplit(answer.url).netloc
    status = answer.status
    evidence = [f"{answer.method} {answer.url} → HTTP {status}", *_limit_evidence(limits)]
    common: dict[str, Any] = {"operation": operation, "http_status": status, "rate_limit": limits}
    data = _json_object(answer)
    is_token_check = operation in (CHECK_TOKEN, READ)

    if 200 <= status < 300:
        if operation == READ:
            try:
                return Fetched(
                    code="API_READ_OK",
                    data=answer.json(),
                    evidence=tuple(evidence),
                    **common,
                    params={"http_status": status},
                )
            except ParseError:
                pass  # classified below like the token check's answer that is not JSON
        if is_token_check:
            try:
                answer.json()
            except ParseError:
                evidence.append(f"body: {answer.body_excerpt()}")
                return UnexpectedAnswer(
                    code="API_NOT_JSON",
                    evidence=tuple(evidence),
                    reason="not JSON",
                    **common,
                    params={
                        "host": host,
                        "http_status": status,
                        "content_type": answer.content_type or "no content type",
                    },
                )
            return TokenAccepted(
                code="API_TOKEN_OK", evidence=tuple(evidence), **common, params={"headroom": limits.headroom()}
            )
        if data is not None and data.get("success") is True:
            email_id = str(data.get("emailId") or "")
            if not email_id:
                evidence.append("the answer carries no emailId")
            return Sent(
                code="API_SEND_OK",
                email_id=email_id,
                message=str(data.get("message", "")),
                evidence=tuple(evidence),
                **common,
                params={"email_id": email_id or "none given"},
            )
        evidence.append(f"body: {answer.body_excerpt()}")
        if data is not None and data.get("success") is False:
            message = str(data.get("message", ""))
            return BadRequest(
                code="API_SEND_BAD_REQUEST",
                message=message,
                evidence=tuple(evidence),
                **common,
                params={"message": message or "no message given"},
            )
        reason = f"HTTP {status} arrived with a body that is not Sender's success JSON"
        return OutcomeUnknown(
            code="API_OUTCOME_UNKNOWN", reason=reason, evidence=tuple(evidence), **common, params={"reason": reason}
        )

    if answer.body:
        evidence.append(f"body: {answer.body_excerpt()}")
    message = str((data or {}).get("message", ""))
    if status == 401:
        return Unauthorized(code="API_TOKEN_REJECTED", evidence=tuple(evidence), **common)
    if status == 403:
        return Forbidden(code="API_TOKEN_FORBIDDEN", evidence=tuple(evidence), **common)
    if status == 404:
        if operation == SEND_TEMPLATE:
            return NotFound(
                code="API_TEMPLATE_NOT_FOUND",
                message=message,
                evidence=tuple(evidence),
                **common,
                params={"template_id": template_id or "?"},
            )
        return NotFound(
            code="API_ENDPOINT_NOT_FOUND",
            message=message,
            evidence=tuple(evidence),
            **common,
            params={"url": answer.url},
        )
    if status == 429:
        if limits.retry_after_s is not None:
            evidence.append(f"Retry-After: {answer.headers.get('retry-after')}")
        if limits.reset is not None:
            evidence.append(f"X-RateLimit-Reset: {answer.headers.get('x-ratelimit-reset')}")
        params = {"retry_after": limits.wait_text(now), "limit": limits.limit if limits.limit is not None else "?"}
        return RateLimited(
            code="API_RATE_LIMITED" if is_token_check else "API_SEND_RATE_LIMITED",
            retry_after_s=limits.retry_after_s,
            limit=limits.limit,
            remaining=limits.remaining,
            evidence=tuple(evidence),
            **common,
            params=params,
        )
    if status >= 500:
        return ServerError(
            code="API_SERVER_ERROR" if is_token_check else "API_SEND_SERVER_ERROR",
            evidence=tuple(evidence),
            **common,
            params={"http_status": status},
        )
    if not is_token_check and status == 422:
        errors = _field_errors(data)
        fields = "; ".join(f"{name}: {' '.join(texts)}" for name, texts in errors.items())
        return Invalid(
            code="API_SEND_INVALID",
            message=message,
            errors=errors,
            evidence=tuple(evidence),
            **common,
            params={"fields": fields or "the answer named no fields"},
        )
    if not is_token_check and status == 400:
        return BadRequest(
            code="API_SEND_BAD_REQUEST",
            message=message,
            evidence=tuple(evidence),
            **common,
            params={"message": message or "no message given"},
        )
    if "location" in answer.headers:
        evidence.append(f"Location: {answer.headers['location']}")
    if is_token_check:
        return UnexpectedAnswer(
            code="API_UNEXPECTED_STATUS",
            reason=f"HTTP {status}",
            evidence=tuple(evidence),
            **common,
            params={"host": host, "http_status": status},
        )
    return UnexpectedAnswer(
        code="API_SEND_UNEXPECTED",
        reason=f"HTTP {status}",
        evidence=tuple(evidence),
        **common,
        params={"host": host, "reason": f"HTTP {status}"},
    )


def _not_sent_errors() -> tuple[tuple[type[Exception], ...], tuple[type[Exception], ...]]:
    """httpx errors raised before the request was completely written: (transient, permanent)."""
    import httpx

    return (
        (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError, httpx.WriteTimeout),
        (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.ProxyError),
    )


def classify_transport_error(
    operation: str, exc: httpx.RequestError, *, method: str, url: str, timeout: float
) -> Outcome:
    """The outcome of a request that got no complete, readable answer (``exc`` is httpx's error).

    Sender cannot have acted on a request whose connection failed before it was written; one
    whose answer was lost afterwards may have been acted on: for a send that is "outcome unknown".
    An answer that arrived but could not be decoded (a bad Content-Encoding) counts as lost.
    """
    import httpx

    from pytest_sender.api.transport import transport_error

    host = urlsplit(url).netloc
    if isinstance(exc, httpx.TransportError):
        ours: Exception = transport_error(exc, host)
    else:
        ours = ConnectFailed(f"the answer from {host} could not be read: {exc}")
    evidence = (f"{method} {url}", f"{type(exc).__name__}: {ours}")
    transient_errors, permanent_errors = _not_sent_errors()
    not_sent = isinstance(exc, transient_errors + permanent_errors)
    transient = not isinstance(exc, permanent_errors)
    if operation in (CHECK_TOKEN, READ):
        # A safe GET: whether or not it was written, nothing changed at Sender; retrying is fine.
        if isinstance(ours, NetworkTimeout):
            return Unreachable(
                code="API_TIMEOUT",
                operation=operation,
                reason=str(ours),
                transient=transient,
                evidence=evidence,
                params={"host": host, "timeout": timeout},
            )
        if isinstance(ours, ConnectionRefused):
            return Unreachable(
                code="API_CONNECTION_REFUSED",
                operation=operation,
                reason=str(ours),
                transient=transient,
                evidence=evidence,
                params={"host": host},
            )
        return Unreachable(
            code="API_CONNECT_FAILED",
            operation=operation,
            reason=str(ours),
            transient=transient,
            evidence=evidence,
            params={"host": host, "reason": str(ours)},
        )
    if not_sent:
        return Unreachable(
            code="API_SEND_UNREACHABLE",
            operation=operation,
            reason=str(ours),
            transient=transient,
            evidence=evidence,
            params={"host": host, "reason": str(ours)},
        )
    if isinstance(ours, NetworkTimeout):
        reason = f"no answer within {timeout:g} s after the request was sent"
    else:
        reason = f"the connection broke after the request was sent ({type(exc).__name__})"
        if not isinstance(exc, httpx.TransportError):
            reason = f"the answer could not be read ({type(exc).__name__})"
    return OutcomeUnknown(
        code="API_OUTCOME_UNKNOWN", operation=operation, reason=reason, evidence=evidence, params={"reason": reason}
    )


def with_attempts(outcome: Outcome, attempts: int) -> Outcome:
    """``outcome`` as the result of ``attempts`` attempts (the hint texts mention the count)."""
    return replace(outcome, attempts=attempts)
