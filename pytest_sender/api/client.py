"""The Sender API client: ``send()``, ``send_template()`` and ``check_token()`` with typed outcomes.

:class:`AsyncSenderClient` is the core (the preflight runs in asyncio); :class:`SenderClient` is its
synchronous twin for apps' tests, sharing every rule: the request building, the pure
classification of answers (:func:`classify_answer`, :func:`classify_transport_error`) and the retry
policy (:mod:`pytest_sender.api.retry`, on tenacity). No call raises for an HTTP answer or a network
fault: each returns an :class:`~pytest_sender.api.outcomes.Outcome`.

    with SenderClient("https://api.sender.net/v2", token=Secret(os.environ["SENDER_API_TOKEN"])) as client:
        outcome = client.send(Address("ada@example.org", "Ada"), "Welcome",
                              sender=Address("hello@example.com", "Example"), text="Hi Ada")
        if not outcome.ok:
            print(outcome.hint)
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import httpx

from pytest_sender.api.outcomes import (
    BadRequest,
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
from pytest_sender.api.ratelimit import parse_rate_limit
from pytest_sender.api.retry import RetryPolicy
from pytest_sender.api.transport import HttpAnswer, api_headers, transport_error
from pytest_sender.errors import ConfigError, ConnectionRefused, NetworkTimeout, ParseError
from pytest_sender.settings import Secret, Settings

__all__ = [
    "Address",
    "AsyncSenderClient",
    "SenderClient",
    "build_send_payload",
    "build_template_payload",
    "classify_answer",
    "classify_transport_error",
]

SEND = "send"
SEND_TEMPLATE = "send_template"
CHECK_TOKEN = "check_token"
TOKEN_CHECK_PARAMS = {"limit": "1"}
DEFAULT_BASE_URL = "https://api.sender.net/v2"

# httpx errors raised before the request was completely written: Sender cannot have acted on it.
_NOT_SENT_TRANSIENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError,
                       httpx.WriteTimeout)
_NOT_SENT_PERMANENT = (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.ProxyError)


@dataclass(frozen=True)
class Address:
    """An email address with an optional display name."""

    email: str
    name: str | None = None

    def to_json(self) -> dict[str, str]:
        return {"email": self.email} if self.name is None else {"email": self.email, "name": self.name}


def _address(value: Address | str) -> dict[str, str]:
    return value.to_json() if isinstance(value, Address) else {"email": value}


def _optional(payload: dict[str, Any], **fields: object) -> dict[str, Any]:
    payload.update({name: value for name, value in fields.items() if value is not None})
    return payload


def build_send_payload(
    to: Address | str,
    subject: str,
    *,
    sender: Address,
    html: str | None = None,
    text: str | None = None,
    headers: Mapping[str, str] | None = None,
    variables: Mapping[str, str | int | float | bool] | None = None,
    attachments: Mapping[str, str] | None = None,
    reply_to: Address | str | None = None,
) -> dict[str, Any]:
    """The JSON body of ``POST /message/send`` (the contract's ``SendRequest``)."""
    payload: dict[str, Any] = {"from": sender.to_json(), "to": _address(to), "subject": subject}
    return _optional(
        payload, html=html, text=text,
        headers=dict(headers) if headers is not None else None,
        variables=dict(variables) if variables is not None else None,
        attachments=dict(attachments) if attachments is not None else None,
        reply_to=_address(reply_to) if reply_to is not None else None,
    )


def build_template_payload(
    to: Address | str,
    *,
    variables: Mapping[str, str | int | float | bool] | None = None,
    html: str | None = None,
    text: str | None = None,
    headers: Mapping[str, str] | None = None,
    attachments: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The JSON body of ``POST /message/{id}/send`` (the contract's ``TemplateSendRequest``)."""
    return _optional(
        {"to": _address(to)}, html=html, text=text,
        headers=dict(headers) if headers is not None else None,
        variables=dict(variables) if variables is not None else None,
        attachments=dict(attachments) if attachments is not None else None,
    )


# --- classification (pure) ------------------------------------------------------------------------


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


def _plural_attempts(count: int) -> str:
    return "1 attempt" if count == 1 else f"{count} attempts"


def classify_answer(
    operation: str, answer: HttpAnswer, *, template_id: str | None = None, now: datetime | None = None
) -> Outcome:
    """The outcome of one complete HTTP answer to ``operation`` (pure)."""
    now = now or datetime.now(timezone.utc)
    limits = parse_rate_limit(answer.headers, now=now)
    host = urlsplit(answer.url).netloc
    status = answer.status
    evidence = [f"{answer.method} {answer.url} → HTTP {status}"]
    if limits.present:
        evidence.append(f"rate limit: {limits.headroom()}")
    common: dict[str, Any] = {"operation": operation, "http_status": status, "rate_limit": limits}
    data = _json_object(answer)
    is_token_check = operation == CHECK_TOKEN

    if 200 <= status < 300:
        if is_token_check:
            if data is None and answer.content_type != "application/json":
                evidence.append(f"body: {answer.body_excerpt()}")
            try:
                answer.json()
            except ParseError:
                return UnexpectedAnswer(code="API_NOT_JSON", evidence=tuple(evidence), reason="not JSON", **common,
                                        params={"host": host, "http_status": status,
                                                "content_type": answer.content_type or "no content type"})
            return TokenAccepted(code="API_TOKEN_OK", evidence=tuple(evidence), **common,
                                 params={"headroom": limits.headroom()})
        if data is not None and data.get("success") is True:
            email_id = str(data.get("emailId") or "")
            if not email_id:
                evidence.append("the answer carries no emailId")
            return Sent(code="API_SEND_OK", email_id=email_id, message=str(data.get("message", "")),
                        evidence=tuple(evidence), **common, params={"email_id": email_id or "none given"})
        evidence.append(f"body: {answer.body_excerpt()}")
        if data is not None and data.get("success") is False:
            message = str(data.get("message", ""))
            return BadRequest(code="API_SEND_BAD_REQUEST", message=message, evidence=tuple(evidence), **common,
                              params={"message": message or "no message given"})
        reason = f"HTTP {status} arrived with a body that is not Sender's success JSON"
        return OutcomeUnknown(code="API_OUTCOME_UNKNOWN", reason=reason, evidence=tuple(evidence), **common,
                              params={"reason": reason})

    if answer.body:
        evidence.append(f"body: {answer.body_excerpt()}")
    message = str((data or {}).get("message", ""))
    if status == 401:
        return Unauthorized(code="API_TOKEN_REJECTED", evidence=tuple(evidence), **common)
    if status == 403:
        return Forbidden(code="API_TOKEN_FORBIDDEN", evidence=tuple(evidence), **common)
    if status == 404:
        if operation == SEND_TEMPLATE:
            return NotFound(code="API_TEMPLATE_NOT_FOUND", message=message, evidence=tuple(evidence), **common,
                            params={"template_id": template_id or "?"})
        return NotFound(code="API_ENDPOINT_NOT_FOUND", message=message, evidence=tuple(evidence), **common,
                        params={"url": answer.url})
    if status == 429:
        if limits.retry_after_s is not None:
            evidence.append(f"Retry-After: {answer.headers.get('retry-after')}")
        if limits.reset is not None:
            evidence.append(f"X-RateLimit-Reset: {answer.headers.get('x-ratelimit-reset')}")
        params = {"retry_after": limits.wait_text(now), "limit": limits.limit if limits.limit is not None else "?"}
        return RateLimited(code="API_RATE_LIMITED" if is_token_check else "API_SEND_RATE_LIMITED",
                           retry_after_s=limits.retry_after_s, limit=limits.limit, remaining=limits.remaining,
                           evidence=tuple(evidence), **common, params=params)
    if status >= 500:
        return ServerError(code="API_SERVER_ERROR" if is_token_check else "API_SEND_SERVER_ERROR",
                           evidence=tuple(evidence), **common, params={"http_status": status})
    if not is_token_check and status == 422:
        errors = _field_errors(data)
        fields = "; ".join(f"{name}: {' '.join(texts)}" for name, texts in errors.items())
        return Invalid(code="API_SEND_INVALID", message=message, errors=errors, evidence=tuple(evidence),
                       **common, params={"fields": fields or "the answer named no fields"})
    if not is_token_check and status == 400:
        return BadRequest(code="API_SEND_BAD_REQUEST", message=message, evidence=tuple(evidence), **common,
                          params={"message": message or "no message given"})
    if "location" in answer.headers:
        evidence.append(f"Location: {answer.headers['location']}")
    if is_token_check:
        return UnexpectedAnswer(code="API_UNEXPECTED_STATUS", reason=f"HTTP {status}", evidence=tuple(evidence),
                                **common, params={"host": host, "http_status": status})
    return UnexpectedAnswer(code="API_SEND_UNEXPECTED", reason=f"HTTP {status}", evidence=tuple(evidence),
                            **common, params={"host": host, "reason": f"HTTP {status}"})


def classify_transport_error(
    operation: str, exc: httpx.TransportError, *, method: str, url: str, timeout: float
) -> Outcome:
    """The outcome of a request that got no complete answer (``exc`` is httpx's error)."""
    host = urlsplit(url).netloc
    ours = transport_error(exc, host)
    where = f"{method} {url}"
    evidence = (where, f"{type(exc).__name__}: {ours}")
    not_sent = isinstance(exc, _NOT_SENT_TRANSIENT + _NOT_SENT_PERMANENT)
    transient = not isinstance(exc, _NOT_SENT_PERMANENT)
    if operation == CHECK_TOKEN:
        # A safe GET: whether or not it was written, nothing changed at Sender; retrying is fine.
        if isinstance(ours, NetworkTimeout):
            return Unreachable(code="API_TIMEOUT", operation=operation, reason=str(ours), transient=transient,
                               evidence=evidence, params={"host": host, "timeout": timeout})
        if isinstance(ours, ConnectionRefused):
            return Unreachable(code="API_CONNECTION_REFUSED", operation=operation, reason=str(ours),
                               transient=transient, evidence=evidence, params={"host": host})
        return Unreachable(code="API_CONNECT_FAILED", operation=operation, reason=str(ours), transient=transient,
                           evidence=evidence, params={"host": host, "reason": str(ours)})
    if not_sent:
        return Unreachable(code="API_SEND_UNREACHABLE", operation=operation, reason=str(ours), transient=transient,
                           evidence=evidence, params={"host": host, "reason": str(ours)})
    if isinstance(ours, NetworkTimeout):
        reason = f"no answer within {timeout:g} s after the request was sent"
    else:
        reason = f"the connection broke after the request was sent ({type(exc).__name__})"
    return OutcomeUnknown(code="API_OUTCOME_UNKNOWN", operation=operation, reason=reason, evidence=evidence,
                          params={"reason": reason})


def _with_attempts(outcome: Outcome, attempts: int) -> Outcome:
    from dataclasses import replace

    params = {**outcome.params, "attempts": attempts, "attempts_text": _plural_attempts(attempts)}
    return replace(outcome, attempts=attempts, params=params)


# --- the clients ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Call:
    operation: str
    method: str
    path: str
    json_body: Any = None
    params: Mapping[str, str] | None = None
    template_id: str | None = None

    @property
    def safe(self) -> bool:
        return self.method == "GET"


def _check_base_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError("api_url", "the client", f"{base_url!r} is not an http(s) URL", DEFAULT_BASE_URL)
    return base_url.rstrip("/")


def _secret(token: Secret | str | None) -> Secret:
    if token is None:
        raise ConfigError("api_token", "the client", "no API token was given",
                          "SenderClient(url, token=Secret(os.environ['SENDER_API_TOKEN']))")
    return token if isinstance(token, Secret) else Secret(token)


def _template_path(template_id: str) -> str:
    if not template_id or "/" in template_id or "?" in template_id or "#" in template_id:
        raise ValueError(f"a template id is a campaign id such as 'ep2W4y', not {template_id!r}")
    return f"/message/{template_id}/send"


class _ClientBase:
    def __init__(self, base_url: str, token: Secret | str | None, *, timeout: float, retry: RetryPolicy) -> None:
        self.base_url = _check_base_url(base_url)
        self._token = _secret(token)
        self.timeout = timeout
        self.retry = retry

    @property
    def _headers(self) -> dict[str, str]:
        # Built per request, so the token is never stored in plain text on the client.
        return api_headers(self._token)

    def _answer(self, call: _Call, response: httpx.Response) -> Outcome:
        answer = HttpAnswer(
            method=call.method, url=str(response.request.url), status=response.status_code,
            headers={k.lower(): v for k, v in response.headers.items()}, body=response.content,
        )
        return classify_answer(call.operation, answer, template_id=call.template_id)

    def _failure(self, call: _Call, exc: httpx.TransportError) -> Outcome:
        url = self.base_url + call.path
        return classify_transport_error(call.operation, exc, method=call.method, url=url, timeout=self.timeout)

    def __repr__(self) -> str:  # the token is never shown
        return f"<{type(self).__name__} {self.base_url}>"





class AsyncSenderClient(_ClientBase):
    """The asyncio client. Use ``async with``, or call :meth:`aclose`."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        token: Secret | str | None = None,
        *,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(base_url, token, timeout=timeout, retry=retry or RetryPolicy())
        self._http = httpx.AsyncClient(transport=transport, timeout=timeout, follow_redirects=False)
        self._sleep = sleep

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> AsyncSenderClient:
        return cls(settings.api_url, settings.api_token, timeout=settings.timeout, **kwargs)

    async def _attempt(self, call: _Call) -> Outcome:
        try:
            response = await self._http.request(
                call.method, self.base_url + call.path, params=call.params,
                content=None if call.json_body is None else json.dumps(call.json_body).encode(),
                headers=self._headers,
            )
        except httpx.TransportError as exc:
            return self._failure(call, exc)
        return self._answer(call, response)

    async def _execute(self, call: _Call) -> Outcome:
        import tenacity

        attempts = 0

        async def attempt() -> Outcome:
            nonlocal attempts
            attempts += 1
            return await self._attempt(call)

        retrying = tenacity.AsyncRetrying(sleep=self._sleep, **self.retry.tenacity_kwargs(safe=call.safe))
        outcome: Outcome = await retrying(attempt)
        return _with_attempts(outcome, attempts)

    async def send(self, to: Address | str, subject: str, *, sender: Address, html: str | None = None,
                   text: str | None = None, headers: Mapping[str, str] | None = None,
                   variables: Mapping[str, str | int | float | bool] | None = None,
                   attachments: Mapping[str, str] | None = None, reply_to: Address | str | None = None) -> Outcome:
        """``POST /message/send``: one message to one recipient."""
        payload = build_send_payload(to, subject, sender=sender, html=html, text=text, headers=headers,
                                     variables=variables, attachments=attachments, reply_to=reply_to)
        return await self.send_payload(payload)

    async def send_payload(self, payload: Mapping[str, Any]) -> Outcome:
        """``POST /message/send`` with a body built by the caller (sent as it is)."""
        return await self._execute(_Call(SEND, "POST", "/message/send", json_body=payload))

    async def send_template(self, template_id: str, to: Address | str, *,
                            variables: Mapping[str, str | int | float | bool] | None = None,
                            html: str | None = None, text: str | None = None,
                            headers: Mapping[str, str] | None = None,
                            attachments: Mapping[str, str] | None = None) -> Outcome:
        """``POST /message/{id}/send``: a saved transactional campaign, rendered with ``variables``."""
        payload = build_template_payload(to, variables=variables, html=html, text=text, headers=headers,
                                         attachments=attachments)
        return await self._execute(_Call(SEND_TEMPLATE, "POST", _template_path(template_id), json_body=payload,
                                         template_id=template_id))

    async def check_token(self) -> Outcome:
        """``GET /subscribers?limit=1``: the read-only call that proves the token works."""
        return await self._execute(_Call(CHECK_TOKEN, "GET", "/subscribers", params=TOKEN_CHECK_PARAMS))

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncSenderClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class SenderClient(_ClientBase):
    """The synchronous client, for apps' tests and scripts. Use ``with``, or call :meth:`close`."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        token: Secret | str | None = None,
        *,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        import time

        super().__init__(base_url, token, timeout=timeout, retry=retry or RetryPolicy())
        self._http = httpx.Client(transport=transport, timeout=timeout, follow_redirects=False)
        self._sleep = sleep or time.sleep

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> SenderClient:
        return cls(settings.api_url, settings.api_token, timeout=settings.timeout, **kwargs)

    def _attempt(self, call: _Call) -> Outcome:
        try:
            response = self._http.request(
                call.method, self.base_url + call.path, params=call.params,
                content=None if call.json_body is None else json.dumps(call.json_body).encode(),
                headers=self._headers,
            )
        except httpx.TransportError as exc:
            return self._failure(call, exc)
        return self._answer(call, response)

    def _execute(self, call: _Call) -> Outcome:
        import tenacity

        attempts = 0

        def attempt() -> Outcome:
            nonlocal attempts
            attempts += 1
            return self._attempt(call)

        retrying = tenacity.Retrying(sleep=self._sleep, **self.retry.tenacity_kwargs(safe=call.safe))
        outcome: Outcome = retrying(attempt)
        return _with_attempts(outcome, attempts)

    def send(self, to: Address | str, subject: str, *, sender: Address, html: str | None = None,
             text: str | None = None, headers: Mapping[str, str] | None = None,
             variables: Mapping[str, str | int | float | bool] | None = None,
             attachments: Mapping[str, str] | None = None, reply_to: Address | str | None = None) -> Outcome:
        """``POST /message/send``: one message to one recipient."""
        payload = build_send_payload(to, subject, sender=sender, html=html, text=text, headers=headers,
                                     variables=variables, attachments=attachments, reply_to=reply_to)
        return self.send_payload(payload)

    def send_payload(self, payload: Mapping[str, Any]) -> Outcome:
        """``POST /message/send`` with a body built by the caller (sent as it is)."""
        return self._execute(_Call(SEND, "POST", "/message/send", json_body=payload))

    def send_template(self, template_id: str, to: Address | str, *,
                      variables: Mapping[str, str | int | float | bool] | None = None,
                      html: str | None = None, text: str | None = None,
                      headers: Mapping[str, str] | None = None,
                      attachments: Mapping[str, str] | None = None) -> Outcome:
        """``POST /message/{id}/send``: a saved transactional campaign, rendered with ``variables``."""
        payload = build_template_payload(to, variables=variables, html=html, text=text, headers=headers,
                                         attachments=attachments)
        return self._execute(_Call(SEND_TEMPLATE, "POST", _template_path(template_id), json_body=payload,
                                   template_id=template_id))

    def check_token(self) -> Outcome:
        """``GET /subscribers?limit=1``: the read-only call that proves the token works."""
        return self._execute(_Call(CHECK_TOKEN, "GET", "/subscribers", params=TOKEN_CHECK_PARAMS))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SenderClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


