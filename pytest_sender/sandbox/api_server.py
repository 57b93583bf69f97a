"""The sandbox API: Sender's transactional API as a WSGI app on a real loopback socket.

:class:`SandboxApiApp` implements the contract (``contracts/sender-transactional.openapi.yaml``):
bearer tokens it was configured with, request validation against the OpenAPI document answered
with Sender-shaped 422s, saved templates rendered with ``variables``, a per-token token-bucket rate
limit reported in ``X-RateLimit-*`` on every answer (``Retry-After`` on 429), an outbox of accepted
messages and fault injection matched on the request (see api_faults.py). The rate limit is enforced
unless switched off with ``set_rate_limit(None)`` (the ``sender_sandbox`` fixture's default).

:class:`ApiSandbox` serves it with werkzeug's threaded server on ``127.0.0.1`` and a free port in a
background thread. :class:`ApiSandboxComponent` is its face for the embedded sandbox
(``--sender-sandbox``). werkzeug is imported only when a server starts.

Each request is handled in this order: injected fault, route (404/405), token (401), rate limit
(429), media type (415), body and query validation (422), template lookup (404), accept (200).
"""

from __future__ import annotations

import contextlib
import hmac
import json
import re
import secrets
import socket
import string
import struct
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from pytest_sender.errors import SandboxError
from pytest_sender.sandbox.api_faults import Fault, FaultQueue, Injection, RequestView
from pytest_sender.sandbox.api_ratelimit import RateDecision, TokenBuckets
from pytest_sender.sandbox.api_templates import Template
from pytest_sender.sandbox.outbox import Outbox, OutboxMessage
from pytest_sender.settings import Secret

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

    from werkzeug.serving import BaseWSGIServer

__all__ = [
    "DEFAULT_RATE_LIMIT",
    "DEFAULT_TEMPLATES",
    "ApiSandbox",
    "ApiSandboxComponent",
    "RecordedRequest",
    "SandboxApiApp",
]

API_PREFIX = "/v2"
#: Sender's help pages use 60 requests per minute as their example limit.
DEFAULT_RATE_LIMIT = 60
#: Templates every sandbox starts with (and returns to on reset).
DEFAULT_TEMPLATES = (
    Template(
        id="sbxWLC",
        from_email="hello@sender-sandbox.test",  # the sandbox DNS's domain: its mail is signed and verifies
        from_name="Sandbox",
        subject="Welcome, {{ name }}",
        html="<p>Hello {{ name }}, welcome aboard.</p>",
        text="Hello {{ name }}, welcome aboard.",
    ),
)

UNAUTHENTICATED = {"message": "Unauthenticated."}
TOO_MANY = {"message": "Too Many Attempts."}
NOT_JSON_TYPE = {"message": "The request body must be sent as application/json."}
INVALID_MESSAGE = "The given data was invalid."
_ROUTES: dict[str, tuple[str, ...]] = {  # path template -> allowed methods
    "/message/send": ("POST",),
    "/message/{id}/send": ("POST",),
    "/subscribers": ("GET",),
    # The campaign reports (api health): see api_reports.py.
    "/transactional/{id}/report": ("GET",),
    "/transactional/{id}/sent": ("GET",),
    "/transactional/{id}/bounces": ("GET",),
    "/transactional/{id}/complaints": ("GET",),
}
_ID_ALPHABET = string.ascii_letters + string.digits


def _new_email_id(campaign: str) -> str:
    def chunk(n: int) -> str:
        return "".join(secrets.choice(_ID_ALPHABET) for _ in range(n))

    return f"{campaign}-{chunk(7)}-{chunk(12)}-{chunk(5)}"


@dataclass(frozen=True)
class RecordedRequest:
    """One request the sandbox received (the Authorization value is never kept)."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes
    received_at: datetime
    authenticated: bool | None  # None when a fault answered before the token was looked at
    status: int | None  # None when the connection was dropped

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class _State:
    tokens: set[str]
    templates: dict[str, Template]
    buckets: TokenBuckets
    faults: FaultQueue = field(default_factory=FaultQueue)
    requests: list[RecordedRequest] = field(default_factory=list)


def _match_route(path: str) -> tuple[str, dict[str, str]] | None:
    if not path.startswith(API_PREFIX + "/"):
        return None
    rest = path[len(API_PREFIX) :]
    if rest in _ROUTES:
        return rest, {}
    parts = rest.split("/")
    if len(parts) == 4 and parts[1] == "message" and parts[3] == "send" and parts[2]:
        return "/message/{id}/send", {"id": parts[2]}
    if len(parts) == 4 and parts[1] == "transactional" and parts[2] and f"/transactional/{{id}}/{parts[3]}" in _ROUTES:
        return f"/transactional/{{id}}/{parts[3]}", {"id": parts[2]}
    return None


def _view(request: Any, body: bytes) -> RequestView:
    """The request as injection rules see it: route, recipients and campaign read from the body."""
    route = _match_route(request.path)
    to: tuple[str, ...] = ()
    try:
        payload = json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError):
        payload = None
    if isinstance(payload, Mapping):
        recipient = payload.get("to")
        if isinstance(recipient, Mapping) and isinstance(recipient.get("email"), str):
            to = (recipient["email"],)
        elif isinstance(payload.get("recipient_email"), str):
            to = (payload["recipient_email"],)
    return RequestView(
        method=request.method,
        path=request.path,
        query=request.query_string.decode("latin-1"),
        headers={k.lower(): v for k, v in request.headers.items() if k.lower() != "authorization"},
        body=body,
        route=route[0] if route else None,
        template=route[1].get("id") if route and route[0] == "/message/{id}/send" else None,
        to=to,
    )


class _Answer:
    def __init__(
        self,
        status: int,
        body: object = None,
        headers: Mapping[str, str] | None = None,
        raw: bytes | None = None,
        content_type: str = "application/json",
    ) -> None:
        self.status = status
        self.raw = raw if raw is not None else json.dumps(body).encode()
        self.headers = dict(headers or {})
        self.content_type = content_type


class SandboxApiApp:
    """The WSGI application (usable on its own, e.g. with an in-process transport)."""

    def __init__(
        self,
        *,
        tokens: Iterable[str],
        templates: Iterable[Template] = DEFAULT_TEMPLATES,
        rate_limit: int = DEFAULT_RATE_LIMIT,
        outbox: Outbox | None = None,
    ) -> None:
        from pytest_sender.contract import RequestValidator, load_contract

        self._lock = threading.Lock()
        # Each app builds its own validator: nothing long-lived is shared between sandboxes.
        self._validator = RequestValidator(load_contract())
        self.outbox = outbox if outbox is not None else Outbox()
        from pytest_sender.sandbox.api_reports import ReportStore

        #: Injected sends, bounces and complaints of campaigns (the reports add the outbox's sends).
        self.reports = ReportStore()
        # Tokens accepted by the report endpoints only: the broken scenario's revoked token, so one run
        # shows both the rejected token and the campaign health failures.
        self._report_tokens: set[str] = set()
        #: Tracebacks of exceptions the app raised while handling requests (answered 500).
        self.errors: list[str] = []
        self._defaults = (tuple(tokens), tuple(templates), rate_limit)
        self._state = self._fresh_state()

    def _fresh_state(self) -> _State:
        tokens, templates, rate_limit = self._defaults
        return _State(set(tokens), {t.id: t for t in templates}, TokenBuckets(rate_limit))

    # --- configuration (thread-safe) ---

    def reset(self) -> None:
        """Back to the configured tokens, templates and rate limit; empty outbox, faults and log."""
        with self._lock:
            self._state = self._fresh_state()
            self.errors.clear()
        self.outbox.clear()
        self.reports.reset()

    def add_token(self, token: str) -> None:
        with self._lock:
            self._state.tokens.add(token)

    def revoke_token(self, token: str) -> None:
        with self._lock:
            self._state.tokens.discard(token)

    def allow_report_token(self, token: str) -> None:
        """Accept ``token`` on the report endpoints only (kept across :meth:`reset`)."""
        with self._lock:
            self._report_tokens.add(token)

    def add_template(self, template: Template) -> None:
        with self._lock:
            self._state.templates[template.id] = template

    def set_rate_limit(self, per_minute: int | None) -> None:
        """Enforce ``per_minute`` (429 past it); ``None``: never 429, headers still report the default."""
        buckets = TokenBuckets(DEFAULT_RATE_LIMIT, enforce=False) if per_minute is None else TokenBuckets(per_minute)
        with self._lock:
            self._state.buckets = buckets

    def exhaust_rate_limit(self, token: str) -> None:
        """Use up ``token``'s budget, so its next request is answered 429."""
        self._state.buckets.drain(token)

    def inject(self, fault: Fault | Injection, times: int | None = 1) -> Injection:
        return self._state.faults.push(fault, times)

    @property
    def injections(self) -> list[Injection]:
        """The rules injected since the last reset, in the order injected."""
        return self._state.faults.rules

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._state.requests)

    # --- WSGI ---

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        from werkzeug.wrappers import Request

        request = Request(environ)
        body = request.get_data(cache=True)
        fault = self._pick_fault(request, body)
        authenticated: bool | None = None
        answer: _Answer | None = None
        if fault is not None and fault.delay_s:
            time.sleep(fault.delay_s)
        if fault is not None and fault.drop:
            if fault.deliver:
                self._safe_handle(request, body)
            self._record(request, body, None, None)
            _drop_connection(environ)
            start_response("500 Internal Server Error", [("Content-Length", "0")])
            return [b""]
        if fault is not None and fault.status is not None:
            answer = _Answer(fault.status, raw=fault.body, headers=fault.headers, content_type=fault.content_type)
        else:
            answer, authenticated = self._safe_handle(request, body)
        self._record(request, body, authenticated, answer.status)
        headers = [("Content-Type", answer.content_type), ("Content-Length", str(len(answer.raw)))]
        headers.extend(answer.headers.items())
        start_response(f"{answer.status} {_reason(answer.status)}", headers)
        return [answer.raw]

    def _pick_fault(self, request: Any, body: bytes) -> Fault | None:
        if not self._state.faults.has_live_rules:
            return None  # the fast path: no rule injected, or every rule spent
        try:
            return self._state.faults.take(_view(request, body))
        except Exception:
            # A rule's match callable failed: the test must hear of it (errors fail it at teardown).
            with self._lock:
                self.errors.append(traceback.format_exc())
            return None

    def _safe_handle(self, request: Any, body: bytes) -> tuple[_Answer, bool | None]:
        try:
            return self._handle(request, body)
        except Exception:
            # A sandbox bug: answer like a server would, and keep the traceback for the test.
            with self._lock:
                self.errors.append(traceback.format_exc())
            return _Answer(500, {"message": "Server Error"}), None

    def _record(self, request: Any, body: bytes, authenticated: bool | None, status: int | None) -> None:
        headers = {k.lower(): v for k, v in request.headers.items() if k.lower() != "authorization"}
        record = RecordedRequest(
            method=request.method,
            path=request.path,
            query=request.query_string.decode("latin-1"),
            headers=headers,
            body=body,
            received_at=datetime.now(timezone.utc),
            authenticated=authenticated,
            status=status,
        )
        with self._lock:
            self._state.requests.append(record)

    def _token(self, request: Any, *, reports: bool = False) -> str | None:
        scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            return None
        offered = credentials.strip()
        with self._lock:
            known = list(self._state.tokens) + (list(self._report_tokens) if reports else [])
        for token in known:
            if hmac.compare_digest(token.encode(), offered.encode("utf-8", "surrogateescape")):
                return token
        return None

    def _handle(self, request: Any, body: bytes) -> tuple[_Answer, bool | None]:
        route = _match_route(request.path)
        if route is None:
            return _Answer(404, {"message": "Not found."}), None
        template_path, params = route
        allowed = _ROUTES[template_path]
        if request.method not in allowed:
            return _Answer(
                405,
                {"message": f"The {request.method} method is not supported for this route."},
                headers={"Allow": ", ".join(allowed)},
            ), None
        token = self._token(request, reports=template_path.startswith("/transactional/"))
        if token is None:
            return _Answer(401, UNAUTHENTICATED, headers=self._state.buckets.peek("").headers()), False
        decision = self._state.buckets.take(token)
        if not decision.allowed:
            return _Answer(429, TOO_MANY, headers=decision.headers()), True
        if template_path.startswith("/transactional/"):
            return self._campaign_report(request, template_path, params["id"], decision), True
        if request.method == "GET":
            return self._list_subscribers(request, template_path, decision), True
        return self._send(request, body, template_path, params, decision), True

    def _invalid(self, errors: Mapping[str, list[str]], decision: RateDecision) -> _Answer:
        return _Answer(422, {"message": INVALID_MESSAGE, "errors": dict(errors)}, headers=decision.headers())

    def _list_subscribers(self, request: Any, template_path: str, decision: RateDecision) -> _Answer:
        query = {k: request.args.getlist(k)[-1] for k in request.args}
        errors = self._validator.query_errors("GET", template_path, query)
        if errors:
            return self._invalid(errors, decision)
        limit = int(query.get("limit", "50"))
        page = int(query.get("page", "1"))
        page_data = {
            "data": [],
            "links": {"first": None, "last": None, "prev": None, "next": None},
            "meta": {
                "current_page": page,
                "from": None,
                "last_page": 1,
                "path": request.base_url,
                "per_page": limit,
                "to": None,
                "total": 0,
            },
        }
        return _Answer(200, page_data, headers=decision.headers())

    def _campaign_report(self, request: Any, template_path: str, campaign_id: str, decision: RateDecision) -> _Answer:
        from pytest_sender.sandbox.api_reports import list_page, report_body

        query = {k: request.args.getlist(k)[-1] for k in request.args}
        errors = self._validator.query_errors("GET", template_path, query)
        if errors:
            return self._invalid(errors, decision)
        with self._lock:
            known = campaign_id in self._state.templates
        if not known and not self.reports.knows(campaign_id):
            return _Answer(
                404, {"success": False, "message": "Transactional campaign not found."}, headers=decision.headers()
            )
        outbox = self.outbox.messages(via="api")
        kind = template_path.rsplit("/", 1)[1]
        if kind == "report":
            # from, to and period are required (the validator answered 422 above when one is missing).
            try:
                date_from = date.fromisoformat(query["from"])
                date_to = date.fromisoformat(query["to"])
            except ValueError:
                return self._invalid({"from": ["The from and to fields must be dates (YYYY-MM-DD)."]}, decision)
            by_kind = {k: self.reports.events(campaign_id, k, outbox) for k in ("sent", "bounces", "complaints")}
            body = report_body(by_kind, date_from=date_from, date_to=date_to, period=query["period"])
            return _Answer(200, body, headers=decision.headers())
        page = list_page(
            self.reports.events(campaign_id, kind, outbox),
            base_url=request.base_url,
            page=int(query.get("page", "1")),
            limit=int(query.get("limit", "50")),
            direction=query.get("direction", "desc"),
            email_address=query.get("email_address"),
        )
        return _Answer(200, page, headers=decision.headers())

    def _send(
        self, request: Any, body: bytes, template_path: str, params: Mapping[str, str], decision: RateDecision
    ) -> _Answer:
        media_type = (request.mimetype or "").lower()
        if media_type != "application/json" and not media_type.endswith("+json"):
            return _Answer(415, NOT_JSON_TYPE, headers=decision.headers())
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return self._invalid({"body": ["The request body must be valid JSON."]}, decision)
        errors = self._validator.body_errors("POST", template_path, payload)
        if errors:
            return self._invalid(errors, decision)
        template: Template | None = None
        if "id" in params:
            with self._lock:
                template = self._state.templates.get(params["id"])
            if template is None:
                return _Answer(
                    404, {"success": False, "message": "Transactional campaign not found."}, headers=decision.headers()
                )
        record = self._accept(payload, template)
        return _Answer(
            200, {"success": True, "message": "Email sent", "emailId": record.email_id}, headers=decision.headers()
        )

    def _accept(self, payload: Mapping[str, Any], template: Template | None) -> OutboxMessage:
        from pytest_sender.sandbox.api_messages import build_message

        email_id = _new_email_id(template.id if template else "sbxAPI")
        rendered = build_message(payload, email_id=email_id, template=template)
        to = payload.get("to") or {"email": payload.get("recipient_email", "")}
        sender_email = template.from_email if template else payload["from"]["email"]
        return self.outbox.add(
            rendered.message,
            via="api",
            envelope_from=sender_email,
            envelope_to=(str(to.get("email", "")),),
            request=payload,
            email_id=email_id,
            template_id=template.id if template else None,
            details={"skipped_headers": rendered.skipped_headers, "attachments": payload.get("attachments", {})},
        )


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _drop_connection(environ: WSGIEnvironment) -> None:
    """Shut the client's connection down at once, without an answer (it reads end-of-stream).

    SO_LINGER 0 makes the server's final close() a reset rather than a graceful close, so the client
    cannot mistake the end for a complete answer.
    """
    sock = environ.get("werkzeug.socket")
    if sock is None:
        raise SandboxError("dropping the connection needs werkzeug's server (no werkzeug.socket)")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):  # already gone
        sock.shutdown(socket.SHUT_RDWR)


class ApiSandbox:
    """The sandbox API served on ``127.0.0.1`` and a free port, in a background thread.

    >>> with ApiSandbox() as sandbox:
    ...     sandbox.base_url  # doctest: +SKIP
    'http://127.0.0.1:40123/v2'
    """

    def __init__(
        self,
        *,
        tokens: Iterable[str] | None = None,
        templates: Iterable[Template] = DEFAULT_TEMPLATES,
        rate_limit: int = DEFAULT_RATE_LIMIT,
        outbox: Outbox | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        token_list = list(tokens) if tokens is not None else [f"sbx-{secrets.token_urlsafe(24)}"]
        if not token_list:
            raise SandboxError("the sandbox API needs at least one token")
        self.token = token_list[0]
        self.app = SandboxApiApp(tokens=token_list, templates=templates, rate_limit=rate_limit, outbox=outbox)
        self.host = host
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def outbox(self) -> Outbox:
        return self.app.outbox

    @property
    def port(self) -> int:
        if self._server is None:
            raise SandboxError("the sandbox API is not running")
        return int(self._server.port)

    @property
    def base_url(self) -> str:
        """The API base URL, like ``https://api.sender.net/v2`` but local."""
        return f"http://{self.host}:{self.port}{API_PREFIX}"

    @property
    def secret_token(self) -> Secret:
        return Secret(self.token)

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.app.requests

    @property
    def errors(self) -> list[str]:
        """Tracebacks of the sandbox's own failures (each answered 500); empty unless it has a bug."""
        return self.app.errors

    def start(self) -> ApiSandbox:
        from werkzeug.serving import WSGIRequestHandler, make_server

        class QuietHandler(WSGIRequestHandler):
            # The sandbox must not write a log line per request into the user's test output.
            def log(self, type: str, message: str, *args: Any) -> None:
                pass

        if self._server is not None:
            return self
        try:
            self._server = make_server(self.host, 0, self.app, threaded=True, request_handler=QuietHandler)
        except OSError as exc:
            raise SandboxError(f"the sandbox API could not listen on {self.host}: {exc}") from exc
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sender-sandbox-api:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def reset(self) -> None:
        """Forget everything since start: outbox, faults, requests, buckets, added templates/tokens.

        Back to the server's defaults, its default rate limit (enforced) included."""
        self.app.reset()

    def prepare(self, *, rate_limit: int | None = None) -> None:
        """The state an app's test starts from (``sender_sandbox``, :meth:`fresh`): :meth:`reset`, then
        ``rate_limit`` per minute (``None``: no 429 unless the test asks for one)."""
        self.reset()
        self.set_rate_limit(rate_limit)

    @contextlib.contextmanager
    def fresh(self, *, rate_limit: int | None = None, assert_all_injections_used: bool = True) -> Iterator[ApiSandbox]:
        """A fresh sandbox state for one block, e.g. one hypothesis example on the session-scoped server.

        :meth:`prepare` (rate limit off unless ``rate_limit``), yields the server, and at the end fails
        with an AssertionError like the ``sender_sandbox`` fixture's teardown (unused injections,
        sandbox errors); however the block ends, the server is :meth:`reset` to its defaults after it.
        """
        from pytest_sender.sandbox.testing import SandboxOptions, teardown_failure

        options = SandboxOptions(assert_all_injections_used=assert_all_injections_used, rate_limit=rate_limit)
        self.prepare(rate_limit=rate_limit)
        try:
            yield self
            failure = teardown_failure(self, options)
        finally:
            self.reset()
        if failure is not None:
            raise AssertionError(failure)

    # --- conveniences for tests ---

    def add_template(
        self,
        template_id: str,
        *,
        subject: str,
        html: str | None = None,
        text: str | None = None,
        sender: str | None = None,
        from_email: str | None = None,
        from_name: str | None = None,
    ) -> Template:
        """Save a transactional campaign; its ``{{ name }}`` placeholders render from a send's ``variables``.

        ``sender`` is ``"Name <address>"`` or an address (default ``"Sandbox <hello@sandbox.example>"``);
        ``from_email`` / ``from_name`` set the parts one by one. A placeholder without a value stays raw.
        """
        from email.utils import parseaddr

        name, address = parseaddr(sender) if sender else ("", "")
        template = Template(
            template_id,
            from_email or address or "hello@sandbox.example",
            from_name or name or "Sandbox",
            subject,
            html,
            text,
        )
        self.app.add_template(template)
        return template

    def inject(
        self,
        *,
        status: int | None = None,
        body: bytes | str | Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        content_type: str | None = None,
        delay_s: float = 0.0,
        drop: bool = False,
        deliver: bool = False,
        times: int | None = 1,
        method: str | None = None,
        path: str | re.Pattern[str] | None = None,
        endpoint: str | None = None,
        to: str | None = None,
        template: str | None = None,
        match: Callable[[RequestView], bool] | None = None,
    ) -> Injection:
        """Make matching requests fail: answer ``status``/``body``, wait ``delay_s``, or ``drop``.

        With no matching argument the rule applies to any request. ``method``; ``path`` (exact, with or
        without ``/v2``, or a compiled pattern searched in the path); ``endpoint`` (``"send"``,
        ``"template_send"`` or a contract operation id such as ``"sendMessage"``); ``to`` (a recipient
        address); ``template`` (the campaign id of a template send); ``match`` (a callable on the
        :class:`~pytest_sender.sandbox.api_faults.RequestView`). ``times`` uses (``None``: until the
        test ends). Rules apply in the order injected; unmatched requests get the normal answer.
        Returns the :class:`~pytest_sender.sandbox.api_faults.Injection` (its ``hits`` count).
        """
        fault = Fault.build(
            status=status,
            body=body,
            headers=headers,
            content_type=content_type,
            delay_s=delay_s,
            drop=drop,
            deliver=deliver,
        )
        rule = Injection(
            fault, times=times, method=method, path=path, endpoint=endpoint, to=to, template=template, match=match
        )
        return self.app.inject(rule)

    @property
    def injections(self) -> list[Injection]:
        """The rules injected since the last reset, in the order injected."""
        return self.app.injections

    def assert_sent(self, *, count: int | None = None, **criteria: Any) -> Any:
        """The outbox's :meth:`~pytest_sender.sandbox.outbox.Outbox.assert_sent` (to, subject, template,
        variables, via, rendered, count); an AssertionError listing what was sent, closest first."""
        return self.outbox.assert_sent(count=count, **criteria)

    def assert_nothing_sent(self) -> None:
        """Fail, listing what was sent, unless nothing was."""
        self.outbox.assert_nothing_sent()

    def set_rate_limit(self, per_minute: int | None) -> None:
        """Answer 429 past ``per_minute`` requests per token; ``None`` turns 429s off (headers stay)."""
        self.app.set_rate_limit(per_minute)

    def inject_sent(
        self, campaign_id: str, email: str, *, when: datetime | None = None, email_id: str | None = None
    ) -> str:
        """Record a send of ``campaign_id`` in its reports (the outbox's template sends count too); its emailId."""
        return str(self.app.reports.inject_sent(campaign_id, email, when=when, email_id=email_id).email_id)

    def inject_bounce(
        self,
        campaign_id: str,
        email: str,
        bounce_type: str = "HARD_BOUNCE",
        message: str = "Mailbox not found",
        *,
        when: datetime | None = None,
        email_id: str | None = None,
    ) -> None:
        """Record a bounce (``HARD_BOUNCE`` or ``SOFT_BOUNCE``) in ``campaign_id``'s reports."""
        self.app.reports.inject_bounce(campaign_id, email, bounce_type, message, when=when, email_id=email_id)

    def inject_complaint(
        self, campaign_id: str, email: str, *, when: datetime | None = None, email_id: str | None = None
    ) -> None:
        """Record a spam complaint in ``campaign_id``'s reports."""
        self.app.reports.inject_complaint(campaign_id, email, when=when, email_id=email_id)

    def exhaust_rate_limit(self, token: str | None = None) -> None:
        self.app.exhaust_rate_limit(token or self.token)

    def __enter__(self) -> ApiSandbox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.base_url if self._server is not None else "not running"
        return f"<ApiSandbox {where}>"


class ApiSandboxComponent:
    """The sandbox API as a component of the embedded sandbox (``--sender-sandbox``).

    ``outbox``: the embedded sandbox may set this attribute to its shared :class:`Outbox` before
    :meth:`start`, so the API and the SMTP relay record into one outbox.
    """

    def __init__(self) -> None:
        self.outbox: Outbox = Outbox()
        self.sandbox: ApiSandbox | None = None
        self._handed_out: str | None = None
        self._campaigns: tuple[str, ...] = ()
        #: Set by the embedded sandbox under --sender-live: "broken" then keeps the token valid, so
        #: the mail can flow and fail where the live smoke looks (signature, alignment, placement).
        self.live = False

    def start(self, scenario: str) -> None:
        self.sandbox = ApiSandbox(outbox=self.outbox).start()
        if scenario == "broken" and not self.live:
            # A token the sandbox has never issued: every call is answered 401.
            self._handed_out = f"sbx-revoked-{secrets.token_urlsafe(16)}"
            self.sandbox.app.allow_report_token(self._handed_out)  # but api.health still sees its campaigns
        else:
            self._handed_out = self.sandbox.token
        from pytest_sender.sandbox.api_reports import seed_scenario

        self._campaigns = seed_scenario(self.sandbox.app.reports, scenario)  # api.health's campaigns

    def stop(self) -> None:
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None

    def settings_overrides(self) -> dict[str, Any]:
        if self.sandbox is None or self._handed_out is None:
            raise SandboxError("the sandbox API component is not started")
        return {"api_url": self.sandbox.base_url, "api_token": Secret(self._handed_out), "campaigns": self._campaigns}
