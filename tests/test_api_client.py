"""The API client over a real loopback socket: every documented answer, its outcome and attempts."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from pytest_sender.api.client import Address, AsyncSenderClient, SenderClient
from pytest_sender.api.outcomes import (
    BadRequest,
    Forbidden,
    Invalid,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    Sent,
    ServerError,
    TokenAccepted,
    Unauthorized,
    UnexpectedAnswer,
    Unreachable,
)
from pytest_sender.api.retry import RetryPolicy
from pytest_sender.errors import ConfigError
from pytest_sender.findings import Status
from pytest_sender.sandbox.api_server import ApiSandbox
from tests.helpers.scripted_http import Reply, ScriptedHttpServer, closed_port

FAST = RetryPolicy(max_attempts=3, backoff_s=0.01, max_backoff_s=0.02, jitter_s=0.0)
SENDER = Address("app@example.com", "The App")
JSON = ("Content-Type", "application/json")
HTML_PAGE = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"


@pytest.fixture(scope="module")
def server() -> Iterator[ApiSandbox]:
    with ApiSandbox(tokens=["tok-client-test"]) as sandbox:
        yield sandbox


@pytest.fixture
def client(sandbox: ApiSandbox) -> Iterator[SenderClient]:
    with SenderClient(sandbox.base_url, sandbox.token, timeout=1.0, retry=FAST) as sender_client:
        yield sender_client


def send_one(client: SenderClient) -> object:
    return client.send(Address("ada@example.org", "Ada"), "Welcome", sender=SENDER, text="Hi Ada")


def scripted_client(server: ScriptedHttpServer, **kwargs: object) -> SenderClient:
    options: dict[str, object] = {"timeout": 1.0, "retry": FAST, **kwargs}
    return SenderClient(server.url + "/v2", "tok-scripted", **options)  # type: ignore[arg-type]


# --- 2xx ---


def test_200_is_sent_with_the_email_id_the_outbox_recorded(sandbox: ApiSandbox, client: SenderClient) -> None:
    outcome = send_one(client)
    assert isinstance(outcome, Sent)
    assert outcome.ok
    assert (outcome.code, outcome.http_status, outcome.attempts) == ("API_SEND_OK", 200, 1)
    [record] = sandbox.outbox.messages()
    assert outcome.email_id == record.email_id
    assert record.request == {
        "from": {"email": "app@example.com", "name": "The App"},
        "to": {"email": "ada@example.org", "name": "Ada"},
        "subject": "Welcome",
        "text": "Hi Ada",
    }
    assert outcome.finding("api.send", "sandbox").status is Status.PASS


def test_the_request_is_authenticated_json(sandbox: ApiSandbox, client: SenderClient) -> None:
    send_one(client)
    [request] = sandbox.requests
    assert request.authenticated is True
    assert request.headers["content-type"] == "application/json"
    assert request.headers["accept"] == "application/json"
    assert request.headers["user-agent"].startswith("pytest-sender/")


def test_201_is_sent_too() -> None:
    body = b'{"success": true, "message": "Email sent", "emailId": "ep2W4y-7pn8o21-YPpLY9PR5Jy9-x7GYQ"}'
    with ScriptedHttpServer([Reply(201, body, (JSON,))]) as server, scripted_client(server) as client:
        outcome = send_one(client)
    assert isinstance(outcome, Sent)
    assert (outcome.email_id, outcome.http_status, outcome.attempts) == ("ep2W4y-7pn8o21-YPpLY9PR5Jy9-x7GYQ", 201, 1)


def test_a_template_send_renders_in_the_sandbox(sandbox: ApiSandbox, client: SenderClient) -> None:
    outcome = client.send_template("sbxWLC", "ada@example.org", variables={"name": "Ada"})
    assert isinstance(outcome, Sent)
    assert sandbox.outbox.wait_for(timeout=1).message["Subject"] == "Welcome, Ada"


def test_the_token_check_passes_with_headroom(client: SenderClient) -> None:
    outcome = client.check_token()
    assert isinstance(outcome, TokenAccepted)
    assert outcome.code == "API_TOKEN_OK"
    assert outcome.rate_limit.remaining == 59
    assert "59 of 60 requests left this minute" in outcome.summary


# --- 4xx ---


def test_400_is_a_bad_request_with_senders_message(sandbox: ApiSandbox, client: SenderClient) -> None:
    sandbox.inject(status=400, body={"success": False, "message": "You must activate workflow first"})
    outcome = send_one(client)
    assert isinstance(outcome, BadRequest)
    assert (outcome.code, outcome.message, outcome.attempts) == (
        "API_SEND_BAD_REQUEST",
        "You must activate workflow first",
        1,
    )
    assert "activate it" in outcome.hint
    assert len(sandbox.requests) == 1


def test_401_is_unauthorized_with_the_token_hint(sandbox: ApiSandbox) -> None:
    with SenderClient(sandbox.base_url, "tok-revoked-secret-value", retry=FAST) as client:
        outcome = send_one(client)
    assert isinstance(outcome, Unauthorized)
    assert (outcome.code, outcome.http_status, outcome.attempts) == ("API_TOKEN_REJECTED", 401, 1)
    assert "Account settings → API access tokens" in outcome.hint
    assert "tok-revoked-secret-value" not in repr(outcome) + outcome.hint + " ".join(outcome.evidence)


def test_403_is_forbidden(sandbox: ApiSandbox, client: SenderClient) -> None:
    sandbox.inject(status=403, body={"message": "This action is unauthorized."})
    outcome = send_one(client)
    assert isinstance(outcome, Forbidden)
    assert outcome.code == "API_TOKEN_FORBIDDEN"


def test_404_on_a_template_names_the_template(sandbox: ApiSandbox, client: SenderClient) -> None:
    outcome = client.send_template("nope42", "ada@example.org")
    assert isinstance(outcome, NotFound)
    assert (outcome.code, outcome.attempts) == ("API_TEMPLATE_NOT_FOUND", 1)
    assert "no transactional campaign nope42" in outcome.summary
    assert "Transactional emails" in outcome.hint


def test_a_template_id_with_odd_characters_is_quoted_into_the_path(sandbox: ApiSandbox, client: SenderClient) -> None:
    outcome = client.send_template("a b?c#d", "ada@example.org")
    assert isinstance(outcome, NotFound)
    assert sandbox.requests[-1].path == "/v2/message/a b?c#d/send"  # decoded by the server: one segment
    assert "no transactional campaign a b?c#d" in outcome.summary


def test_404_on_send_means_a_wrong_base_url(sandbox: ApiSandbox) -> None:
    with SenderClient(sandbox.base_url.removesuffix("/v2") + "/v1", sandbox.token, retry=FAST) as client:
        outcome = send_one(client)
    assert isinstance(outcome, NotFound)
    assert outcome.code == "API_ENDPOINT_NOT_FOUND"
    assert "/v1/message/send answered HTTP 404" in outcome.summary


def test_422_is_invalid_with_field_errors(sandbox: ApiSandbox, client: SenderClient) -> None:
    outcome = client.send_payload(
        {"from": {"email": "app@example.com"}, "to": [{"email": "ada@example.org"}], "subject": "x", "html": "<p>x</p>"}
    )
    assert isinstance(outcome, Invalid)
    assert (outcome.code, outcome.http_status, outcome.attempts) == ("API_SEND_INVALID", 422, 1)
    assert outcome.message == "The given data was invalid."
    assert outcome.errors == {
        "from.name": ("The from.name field is required.",),
        "to": ("The to field must be an object.",),
    }
    assert "to: The to field must be an object." in outcome.summary
    assert outcome.finding("api.send", "x").status is Status.FAIL
    assert len(sandbox.outbox) == 0


def test_422_with_a_single_string_per_field_is_understood() -> None:
    body = b'{"message": "The given data was invalid.", "errors": {"email": "Required value, email"}}'
    with ScriptedHttpServer([Reply(422, body, (JSON,))]) as server, scripted_client(server) as client:
        outcome = send_one(client)
    assert isinstance(outcome, Invalid)
    assert outcome.errors == {"email": ("Required value, email",)}


# --- 429 ---


def test_429_with_retry_after_seconds_waits_then_sends(sandbox: ApiSandbox, client: SenderClient) -> None:
    sandbox.exhaust_rate_limit()
    started = time.perf_counter()
    outcome = send_one(client)
    elapsed = time.perf_counter() - started
    assert isinstance(outcome, Sent)
    assert outcome.attempts == 2
    assert [r.status for r in sandbox.requests] == [429, 200]
    assert elapsed >= 1.0  # the sandbox said Retry-After: 1


def test_429_with_an_http_date_waits_until_that_date() -> None:
    waits: list[float] = []
    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=3), usegmt=True)
    replies = [
        Reply(429, b'{"message": "Too Many Attempts."}', (JSON, ("Retry-After", when))),
        Reply(200, b'{"success": true, "message": "Email sent", "emailId": "x-1-2-3"}', (JSON,)),
    ]
    with ScriptedHttpServer(replies) as server, scripted_client(server, sleep=waits.append) as client:
        outcome = send_one(client)
    assert isinstance(outcome, Sent)
    assert outcome.attempts == 2
    assert len(server.requests) == 2
    assert len(waits) == 1
    assert 1.0 < waits[0] <= 3.0


def test_429_without_retry_after_backs_off_and_gives_up_after_the_bound() -> None:
    waits: list[float] = []
    with (
        ScriptedHttpServer([Reply(429, b'{"message": "Too Many Attempts"}', (JSON,))]) as server,
        scripted_client(server, sleep=waits.append) as client,
    ):
        outcome = send_one(client)
    assert isinstance(outcome, RateLimited)
    assert (outcome.code, outcome.attempts, outcome.retry_after_s) == ("API_SEND_RATE_LIMITED", 3, None)
    assert len(server.requests) == 3
    assert len(waits) == 2
    assert all(0 <= w <= 0.02 for w in waits)  # the backoff, not a Retry-After
    assert "after 3 attempts" in outcome.summary
    assert "an unknown time" in outcome.summary


def test_a_retry_after_beyond_the_cap_is_returned_at_once() -> None:
    headers = (JSON, ("Retry-After", "3600"), ("X-RateLimit-Limit", "60"), ("X-RateLimit-Remaining", "0"))
    with (
        ScriptedHttpServer([Reply(429, b'{"message": "Too Many Attempts"}', headers)]) as server,
        scripted_client(server) as client,
    ):
        outcome = send_one(client)
    assert isinstance(outcome, RateLimited)
    assert (outcome.attempts, outcome.retry_after_s, outcome.limit, outcome.remaining) == (1, 3600.0, 60, 0)
    assert len(server.requests) == 1
    assert "retry after 3600 s" in outcome.summary
    assert "below 60/min" in outcome.finding("api.send", "x").fix


def test_a_429_on_the_token_check_is_a_warning_code(sandbox: ApiSandbox) -> None:
    with SenderClient(sandbox.base_url, sandbox.token, retry=RetryPolicy(max_attempts=1)) as client:
        sandbox.exhaust_rate_limit()
        outcome = client.check_token()
    assert isinstance(outcome, RateLimited)
    assert outcome.code == "API_RATE_LIMITED"
    assert outcome.finding("api.token", "x").status is Status.WARN


# --- 5xx ---


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_5xx_on_a_send_is_not_retried(sandbox: ApiSandbox, client: SenderClient, status: int) -> None:
    sandbox.inject(status=status, body={"message": "Server Error"}, times=3)
    outcome = send_one(client)
    assert isinstance(outcome, ServerError)
    assert (outcome.code, outcome.http_status, outcome.attempts) == ("API_SEND_SERVER_ERROR", status, 1)
    assert len(sandbox.requests) == 1
    assert "Transactional emails → Logs" in outcome.hint


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_5xx_on_the_token_check_is_retried_up_to_the_bound(
    sandbox: ApiSandbox, client: SenderClient, status: int
) -> None:
    sandbox.inject(status=status, body={"message": "Server Error"}, times=3)
    outcome = client.check_token()
    assert isinstance(outcome, ServerError)
    assert (outcome.code, outcome.attempts) == ("API_SERVER_ERROR", 3)
    assert [r.status for r in sandbox.requests] == [status] * 3


def test_a_503_then_200_on_the_token_check_recovers(sandbox: ApiSandbox, client: SenderClient) -> None:
    sandbox.inject(status=503, body={"message": "Service Unavailable"})
    outcome = client.check_token()
    assert isinstance(outcome, TokenAccepted)
    assert outcome.attempts == 2


def test_an_html_error_page_is_a_server_error_with_the_page_in_evidence(
    sandbox: ApiSandbox, client: SenderClient
) -> None:
    sandbox.inject(status=502, body=HTML_PAGE)
    outcome = send_one(client)
    assert isinstance(outcome, ServerError)
    assert outcome.attempts == 1
    assert any("<title>502 Bad Gateway</title>" in line for line in outcome.evidence)


# --- broken answers and the network ---


class TruncatingServer:
    """Answers every request with a Content-Length larger than the body it sends, then closes."""

    def __init__(self, partial: bytes) -> None:
        self.partial = partial
        self.requests = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                head, _, body = data.partition(b"\r\n\r\n")
                length = int(
                    next(
                        (
                            line.split(b":")[1]
                            for line in head.split(b"\r\n")
                            if line.lower().startswith(b"content-length:")
                        ),
                        b"0",
                    )
                )
                while len(body) < length:
                    body += conn.recv(65536)
                self.requests += 1
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n" + self.partial
                )

    def __enter__(self) -> TruncatingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._listener.close()


def test_json_cut_off_on_the_wire_makes_a_send_outcome_unknown() -> None:
    with (
        TruncatingServer(b'{"success": true, "message": "Em') as server,
        SenderClient(server.url + "/v2", "tok", retry=FAST, timeout=1.0) as client,
    ):
        outcome = send_one(client)
        token = client.check_token()
    assert isinstance(outcome, OutcomeUnknown)
    assert outcome.attempts == 1
    assert "the connection broke after the request was sent (RemoteProtocolError)" in outcome.summary
    assert isinstance(token, Unreachable)  # a read-only call is simply retried
    assert token.attempts == 3
    assert server.requests == 4


def test_truncated_json_on_200_makes_the_outcome_unknown() -> None:
    with (
        ScriptedHttpServer([Reply(200, b'{"success": true, "message": "Email se', (JSON,))]) as server,
        scripted_client(server) as client,
    ):
        outcome = send_one(client)
    assert isinstance(outcome, OutcomeUnknown)
    assert (outcome.code, outcome.attempts) == ("API_OUTCOME_UNKNOWN", 1)
    assert len(server.requests) == 1
    assert "not Sender's success JSON" in outcome.summary


def test_an_html_page_with_200_fails_the_token_check_as_not_json() -> None:
    with (
        ScriptedHttpServer([Reply(200, HTML_PAGE, (("Content-Type", "text/html"),))]) as server,
        scripted_client(server) as client,
    ):
        outcome = client.check_token()
    assert isinstance(outcome, UnexpectedAnswer)
    assert outcome.code == "API_NOT_JSON"
    assert "text/html" in outcome.summary


def test_a_slow_answer_to_a_send_is_outcome_unknown_and_not_retried(sandbox: ApiSandbox) -> None:
    sandbox.inject(delay_s=0.6, times=3)
    with SenderClient(sandbox.base_url, sandbox.token, timeout=0.2, retry=FAST) as client:
        outcome = send_one(client)
    assert isinstance(outcome, OutcomeUnknown)
    assert (outcome.code, outcome.attempts, outcome.http_status) == ("API_OUTCOME_UNKNOWN", 1, None)
    assert "no answer within 0.2 s after the request was sent" in outcome.summary
    time.sleep(0.5)  # let the sandbox finish the slow request
    assert len(sandbox.requests) == 1
    assert len(sandbox.outbox) == 1  # it was sent after all: exactly why it must not be retried


def test_a_slow_answer_to_the_token_check_is_retried(sandbox: ApiSandbox) -> None:
    sandbox.inject(delay_s=0.4, times=3)
    with SenderClient(sandbox.base_url, sandbox.token, timeout=0.15, retry=FAST) as client:
        outcome = client.check_token()
    assert isinstance(outcome, Unreachable)
    assert (outcome.code, outcome.attempts) == ("API_TIMEOUT", 3)
    time.sleep(0.45)
    assert len(sandbox.requests) == 3


def test_a_dropped_connection_after_delivery_is_outcome_unknown(sandbox: ApiSandbox, client: SenderClient) -> None:
    sandbox.inject(drop=True, deliver=True)
    outcome = send_one(client)
    assert isinstance(outcome, OutcomeUnknown)
    assert outcome.attempts == 1
    assert len(sandbox.outbox) == 1
    assert "Look for the message in Sender: Transactional emails → Logs" in outcome.hint


def test_a_reset_connection_on_a_send_is_outcome_unknown() -> None:
    with ScriptedHttpServer([Reply(reset=True)]) as server, scripted_client(server) as client:
        outcome = send_one(client)
    assert isinstance(outcome, OutcomeUnknown)
    assert outcome.attempts == 1
    assert len(server.requests) == 1
    assert "the connection broke after the request was sent" in outcome.summary


def test_a_reset_connection_on_the_token_check_is_retried() -> None:
    with ScriptedHttpServer([Reply(reset=True)]) as server, scripted_client(server) as client:
        outcome = client.check_token()
    assert isinstance(outcome, Unreachable)
    assert (outcome.code, outcome.attempts) == ("API_CONNECT_FAILED", 3)
    assert len(server.requests) == 3


def test_a_refused_connection_is_retried_because_nothing_was_sent() -> None:
    waits: list[float] = []
    with SenderClient(f"http://127.0.0.1:{closed_port()}/v2", "tok", retry=FAST, sleep=waits.append) as client:
        outcome = send_one(client)
        token_outcome = client.check_token()
    assert isinstance(outcome, Unreachable)
    assert (outcome.code, outcome.attempts) == ("API_SEND_UNREACHABLE", 3)
    assert "refused the connection" in outcome.summary
    assert "nothing was sent" in outcome.summary
    assert len(waits) == 4  # two backoffs per call
    assert token_outcome.code == "API_CONNECTION_REFUSED"


def test_an_answer_that_cannot_be_decoded_is_outcome_unknown_not_an_exception() -> None:
    reply = Reply(200, b"this is not gzip", (JSON, ("Content-Encoding", "gzip")))
    with ScriptedHttpServer([reply]) as server, scripted_client(server) as client:
        outcome = send_one(client)
    assert isinstance(outcome, OutcomeUnknown)
    assert (outcome.attempts, len(server.requests)) == (1, 1)
    assert "the answer could not be read (DecodingError)" in outcome.summary


def test_a_redirect_is_an_unexpected_answer() -> None:
    reply = Reply(301, b"", (("Location", "https://www.sender.net/"),))
    with ScriptedHttpServer([reply]) as server, scripted_client(server) as client:
        outcome = send_one(client)
    assert isinstance(outcome, UnexpectedAnswer)
    assert outcome.code == "API_SEND_UNEXPECTED"
    assert "Location: https://www.sender.net/" in outcome.evidence


# --- the async client ---


def test_the_async_client_follows_the_same_rules(sandbox: ApiSandbox) -> None:
    async def scenario() -> list[object]:
        async with AsyncSenderClient(sandbox.base_url, sandbox.token, timeout=1.0, retry=FAST) as client:
            sent = await client.send("ada@example.org", "Hi", sender=SENDER, html="<p>Hi</p>")
            sandbox.inject(status=500, times=3)
            failed_send = await client.send("ada@example.org", "Hi", sender=SENDER, html="<p>Hi</p>")
            token = await client.check_token()
            return [sent, failed_send, token]

    sent, failed_send, token = asyncio.run(scenario())
    assert isinstance(sent, Sent)
    assert isinstance(failed_send, ServerError)
    assert failed_send.attempts == 1
    assert isinstance(token, TokenAccepted)
    assert token.attempts == 3  # the two faults left over, then success
    assert [r.status for r in sandbox.requests] == [200, 500, 500, 500, 200]


# --- bad input ---


def test_bad_configuration_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match=r"api_url .*'api.sender.net/v2' is not an http\(s\) URL"):
        SenderClient("api.sender.net/v2", "tok")
    with pytest.raises(ConfigError, match="no API token was given"):
        SenderClient("https://api.sender.net/v2", None)
    with pytest.raises(ConfigError, match="the API token is empty"):
        SenderClient("https://api.sender.net/v2", " ")
    with (
        SenderClient("https://api.sender.net/v2", "tok") as client,
        pytest.raises(ValueError, match="a template id is a campaign id"),
    ):
        client.send_template("../users", "ada@example.org")
    with pytest.raises(ValueError, match="max_attempts must be at least 1"):
        RetryPolicy(max_attempts=0)


def test_the_client_never_shows_its_token() -> None:
    with SenderClient("https://api.sender.net/v2", "tok-very-secret") as client:
        assert "tok-very-secret" not in repr(client)
        assert "tok-very-secret" not in json.dumps(client.__dict__, default=str)


def test_a_token_echoed_by_the_server_is_masked_in_the_evidence() -> None:
    body = b'{"message": "token tok-scripted is revoked"}'
    with ScriptedHttpServer([Reply(401, body, (JSON,))]) as server, scripted_client(server) as client:
        outcome = send_one(client)
    assert 'body: {"message": "token *** is revoked"}' in outcome.evidence
    assert "tok-scripted" not in repr(outcome) + outcome.hint
