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
from datetime import date
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from pytest_sender.api.classify import (
    CHECK_TOKEN,
    READ,
    SEND,
    SEND_TEMPLATE,
    TOKEN_CHECK_PARAMS,
    TOKEN_CHECK_PATH,
    classify_answer,
    classify_transport_error,
    with_attempts,
)
from pytest_sender.api.outcomes import Outcome
from pytest_sender.api.retry import RetryPolicy
from pytest_sender.api.transport import HttpAnswer, api_headers
from pytest_sender.errors import ConfigError, InvalidArgument
from pytest_sender.settings import Secret, Settings

__all__ = [
    "Address",
    "AsyncSenderClient",
    "SenderClient",
    "build_send_payload",
    "build_template_payload",
]

DEFAULT_BASE_URL = "https://api.sender.net/v2"


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
        payload,
        html=html,
        text=text,
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
        {"to": _address(to)},
        html=html,
        text=text,
        headers=dict(headers) if headers is not None else None,
        variables=dict(variables) if variables is not None else None,
        attachments=dict(attachments) if attachments is not None else None,
    )


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
        raise ConfigError(
            "api_token",
            "the client",
            "no API token was given",
            "SenderClient(url, token=Secret(os.environ['SENDER_API_TOKEN']))",
        )
    secret = token if isinstance(token, Secret) else Secret(token)
    if not secret.reveal().strip():
        raise ConfigError(
            "api_token",
            "the client",
            "the API token is empty",
            "SenderClient(url, token=Secret(os.environ['SENDER_API_TOKEN']))",
        )
    return secret


def _template_path(template_id: str) -> str:
    if not template_id.strip() or "/" in template_id:
        raise InvalidArgument(f"a template id is a campaign id such as 'ep2W4y', not {template_id!r}")
    return f"/message/{quote(template_id, safe='')}/send"


# --- reads of a transactional campaign's logs (api health; additive, issue 8) ------------------------

#: The campaign lists Sender paginates: ``GET /transactional/{id}/<list>``.
CAMPAIGN_LISTS = ("sent", "bounces", "complaints")


def _report_call(campaign_id: str, date_from: date, date_to: date, period: str) -> _Call:
    if date_from > date_to:
        raise InvalidArgument(f"the report window starts ({date_from}) after it ends ({date_to})")
    _template_path(campaign_id)  # the same id rules as a template send
    path = f"/transactional/{campaign_id}/report"
    return _Call(READ, "GET", path, params={"from": date_from.isoformat(), "to": date_to.isoformat(), "period": period})


def _list_call(
    campaign_id: str, kind: str, *, page: int, limit: int, direction: str, email_address: str | None
) -> _Call:
    if kind not in CAMPAIGN_LISTS:
        raise InvalidArgument(f"the campaign lists are {', '.join(CAMPAIGN_LISTS)}, not {kind!r}")
    if page < 1 or limit < 1 or direction not in ("asc", "desc"):
        raise InvalidArgument(
            f"page and limit start at 1 and direction is asc or desc, not {page}, {limit}, {direction!r}"
        )
    _template_path(campaign_id)  # the same id rules as a template send
    path = f"/transactional/{campaign_id}/{kind}"
    params = {"page": str(page), "limit": str(limit), "direction": direction}
    if email_address is not None:
        params["email_address"] = email_address
    return _Call(READ, "GET", path, params=params)


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
        from pytest_sender.findings import redact

        secrets = [self._token]  # a Secret: revealed only inside redact
        answer = HttpAnswer(
            method=call.method,
            url=str(response.request.url),
            status=response.status_code,
            # A server that echoes the token (in a Location header, say, or the body, in any encoding)
            # must not put it into the outcome's evidence, repr or str.
            headers={k.lower(): redact(v, secrets) for k, v in response.headers.items()},
            body=_redact_bytes(response.content, secrets),
        )
        return classify_answer(call.operation, answer, template_id=call.template_id)

    def _failure(self, call: _Call, exc: httpx.RequestError) -> Outcome:
        url = str(httpx.URL(self.base_url + call.path, params=call.params))
        return classify_transport_error(call.operation, exc, method=call.method, url=url, timeout=self.timeout)

    def __repr__(self) -> str:  # the token is never shown
        return f"<{type(self).__name__} {self.base_url}>"


def _redact_bytes(body: bytes, secrets: list[Secret]) -> bytes:
    """``body`` with every form of the secrets masked (text as UTF-8 when it is, else byte for byte)."""
    from pytest_sender.findings import redact

    if not body:
        return body
    try:
        return redact(body.decode("utf-8"), secrets).encode("utf-8")
    except UnicodeDecodeError:
        return redact(body.decode("latin-1"), secrets).encode("latin-1", "replace")


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
                call.method,
                self.base_url + call.path,
                params=call.params,
                content=None if call.json_body is None else json.dumps(call.json_body).encode(),
                headers=self._headers,
            )
        except httpx.RequestError as exc:  # the network, or an answer that cannot be decoded
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
        return with_attempts(outcome, attempts)

    async def send(
        self,
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
    ) -> Outcome:
        """``POST /message/send``: one message to one recipient."""
        payload = build_send_payload(
            to,
            subject,
            sender=sender,
            html=html,
            text=text,
            headers=headers,
            variables=variables,
            attachments=attachments,
            reply_to=reply_to,
        )
        return await self.send_payload(payload)

    async def send_payload(self, payload: Mapping[str, Any]) -> Outcome:
        """``POST /message/send`` with a body built by the caller (sent as it is)."""
        return await self._execute(_Call(SEND, "POST", "/message/send", json_body=payload))

    async def send_template(
        self,
        template_id: str,
        to: Address | str,
        *,
        variables: Mapping[str, str | int | float | bool] | None = None,
        html: str | None = None,
        text: str | None = None,
        headers: Mapping[str, str] | None = None,
        attachments: Mapping[str, str] | None = None,
    ) -> Outcome:
        """``POST /message/{id}/send``: a saved transactional campaign, rendered with ``variables``."""
        payload = build_template_payload(
            to, variables=variables, html=html, text=text, headers=headers, attachments=attachments
        )
        return await self._execute(
            _Call(SEND_TEMPLATE, "POST", _template_path(template_id), json_body=payload, template_id=template_id)
        )

    async def check_token(self) -> Outcome:
        """``GET /subscribers?limit=1``: the read-only call that proves the token works."""
        return await self._execute(_Call(CHECK_TOKEN, "GET", TOKEN_CHECK_PATH, params=TOKEN_CHECK_PARAMS))

    async def campaign_report(
        self, campaign_id: str, *, date_from: date, date_to: date, period: str = "day"
    ) -> Outcome:
        """``GET /transactional/{id}/report``: counts from ``date_from`` to ``date_to`` (``Fetched.data``)."""
        return await self._execute(_report_call(campaign_id, date_from, date_to, period))

    async def campaign_list(
        self,
        campaign_id: str,
        kind: str,
        *,
        page: int = 1,
        limit: int = 50,
        direction: str = "desc",
        email_address: str | None = None,
    ) -> Outcome:
        """``GET /transactional/{id}/{kind}`` (``sent``, ``bounces``, ``complaints``): one page, newest first
        by default; :func:`pytest_sender.api.pages.fetch_pages` follows the pages."""
        return await self._execute(
            _list_call(campaign_id, kind, page=page, limit=limit, direction=direction, email_address=email_address)
        )

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
                call.method,
                self.base_url + call.path,
                params=call.params,
                content=None if call.json_body is None else json.dumps(call.json_body).encode(),
                headers=self._headers,
            )
        except httpx.RequestError as exc:  # the network, or an answer that cannot be decoded
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
        return with_attempts(outcome, attempts)

    def send(
        self,
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
    ) -> Outcome:
        """``POST /message/send``: one message to one recipient."""
        payload = build_send_payload(
            to,
            subject,
            sender=sender,
            html=html,
            text=text,
            headers=headers,
            variables=variables,
            attachments=attachments,
            reply_to=reply_to,
        )
        return self.send_payload(payload)

    def send_payload(self, payload: Mapping[str, Any]) -> Outcome:
        """``POST /message/send`` with a body built by the caller (sent as it is)."""
        return self._execute(_Call(SEND, "POST", "/message/send", json_body=payload))

    def send_template(
        self,
        template_id: str,
        to: Address | str,
        *,
        variables: Mapping[str, str | int | float | bool] | None = None,
        html: str | None = None,
        text: str | None = None,
        headers: Mapping[str, str] | None = None,
        attachments: Mapping[str, str] | None = None,
    ) -> Outcome:
        """``POST /message/{id}/send``: a saved transactional campaign, rendered with ``variables``."""
        payload = build_template_payload(
            to, variables=variables, html=html, text=text, headers=headers, attachments=attachments
        )
        return self._execute(
            _Call(SEND_TEMPLATE, "POST", _template_path(template_id), json_body=payload, template_id=template_id)
        )

    def check_token(self) -> Outcome:
        """``GET /subscribers?limit=1``: the read-only call that proves the token works."""
        return self._execute(_Call(CHECK_TOKEN, "GET", TOKEN_CHECK_PATH, params=TOKEN_CHECK_PARAMS))

    def campaign_report(self, campaign_id: str, *, date_from: date, date_to: date, period: str = "day") -> Outcome:
        """``GET /transactional/{id}/report``: counts from ``date_from`` to ``date_to`` (``Fetched.data``)."""
        return self._execute(_report_call(campaign_id, date_from, date_to, period))

    def campaign_list(
        self,
        campaign_id: str,
        kind: str,
        *,
        page: int = 1,
        limit: int = 50,
        direction: str = "desc",
        email_address: str | None = None,
    ) -> Outcome:
        """``GET /transactional/{id}/{kind}`` (``sent``, ``bounces``, ``complaints``): one page."""
        return self._execute(
            _list_call(campaign_id, kind, page=page, limit=limit, direction=direction, email_address=email_address)
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SenderClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
