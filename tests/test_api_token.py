"""The api.token check against a real HTTP server on a loopback socket."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from pytest_sender import __version__
from pytest_sender.api.checks import api_target, check_api_token
from pytest_sender.findings import Finding, Status
from pytest_sender.preflight.registry import CheckContext
from pytest_sender.settings import Secret, Settings
from tests.helpers.scripted_http import Reply, ScriptedHttpServer, closed_port

TOKEN = "tok-1234567890"


def run_check(url: str, *, token: str | None = TOKEN, timeout: float = 2.0) -> Finding:
    settings = Settings(api_url=url + "/v2", api_token=Secret(token) if token else None, timeout=timeout)
    return asyncio.run(check_api_token(CheckContext(settings), api_target(settings)))


def test_a_valid_token_passes_and_reports_rate_limit_headroom() -> None:
    reply = Reply(
        200,
        b'{"data": [], "meta": {}}',
        (("Content-Type", "application/json"), ("X-RateLimit-Limit", "60"), ("X-RateLimit-Remaining", "59")),
    )
    with ScriptedHttpServer([reply]) as server:
        finding = run_check(server.url)
    assert (finding.status, finding.code) == (Status.PASS, "API_TOKEN_OK")
    assert "59 of 60 requests left this minute" in finding.summary
    assert any("rate limit: 59 of 60" in line for line in finding.evidence)


def test_the_request_is_a_read_only_authenticated_json_call() -> None:
    with ScriptedHttpServer() as server:
        run_check(server.url)
    (request,) = server.requests
    assert request.method == "GET"
    assert request.path == "/v2/subscribers?limit=1"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["accept"] == "application/json"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"].startswith(f"pytest-sender/{__version__}")


def test_no_token_skips_and_names_the_variable_to_set() -> None:
    finding = run_check("http://127.0.0.1:9", token=None)
    assert (finding.status, finding.code) == (Status.SKIP, "API_TOKEN_MISSING")
    assert "SENDER_API_TOKEN" in finding.summary


def test_a_rejected_token_fails_with_the_hint_to_the_token_page() -> None:
    with ScriptedHttpServer([Reply(401, b'{"message": "Unauthenticated."}')]) as server:
        finding = run_check(server.url)
    assert (finding.status, finding.code) == (Status.FAIL, "API_TOKEN_REJECTED")
    assert "Account settings → API access tokens" in finding.hint
    assert 'body: {"message": "Unauthenticated."}' in finding.evidence


def test_403_is_its_own_failure() -> None:
    with ScriptedHttpServer([Reply(403, b'{"message": "Forbidden"}')]) as server:
        finding = run_check(server.url)
    assert (finding.status, finding.code) == (Status.FAIL, "API_TOKEN_FORBIDDEN")


def test_404_points_at_the_base_url() -> None:
    with ScriptedHttpServer([Reply(404, b'{"message": "Not Found"}')]) as server:
        finding = run_check(server.url)
    assert (finding.status, finding.code) == (Status.FAIL, "API_ENDPOINT_NOT_FOUND")
    assert "https://api.sender.net/v2" in finding.hint


def test_429_warns_with_the_retry_after_seconds() -> None:
    reply = Reply(
        429,
        b'{"message": "Too Many Attempts"}',
        (
            ("Content-Type", "application/json"),
            ("Retry-After", "30"),
            ("X-RateLimit-Limit", "60"),
            ("X-RateLimit-Remaining", "0"),
        ),
    )
    with ScriptedHttpServer([reply]) as server:
        finding = run_check(server.url)
    assert (finding.status, finding.code) == (Status.WARN, "API_RATE_LIMITED")
    assert "retry after 30 s" in finding.summary
    assert "60 per minute" in finding.hint
    assert "Retry-After: 30" in finding.evidence


def test_429_with_an_http_date_and_a_reset_time() -> None:
    when = datetime.now(timezone.utc) + timedelta(seconds=120)
    reply = Reply(
        429,
        b"{}",
        (
            ("Retry-After", format_datetime(when, usegmt=True)),
            ("X-RateLimit-Reset", when.strftime("%Y-%m-%dT%H:%M:%SZ")),
        ),
    )
    with ScriptedHttpServer([reply]) as server:
        finding = run_check(server.url)
    assert finding.code == "API_RATE_LIMITED"
    seconds = float(finding.summary.split("retry after ")[1].split(" s")[0])
    assert 100 < seconds <= 120


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_an_error_on_senders_side(status: int) -> None:
    with ScriptedHttpServer([Reply(status, b"<html>oops</html>", (("Content-Type", "text/html"),))]) as server:
        finding = run_check(server.url)
    assert (finding.status, finding.code) == (Status.ERROR, "API_SERVER_ERROR")
    assert f"HTTP {status}" in finding.summary
    assert "Sender's side" in finding.summary


def test_a_non_json_200_is_not_a_pass() -> None:
    reply = Reply(200, b"<html>captive portal</html>", (("Content-Type", "text/html"),))
    with ScriptedHttpServer([reply]) as server:
        finding = run_check(server.url)
    assert (finding.status, finding.code) == (Status.ERROR, "API_NOT_JSON")
    assert "text/html" in finding.summary


def test_truncated_json_is_not_a_pass() -> None:
    with ScriptedHttpServer([Reply(200, b'{"data": [')]) as server:
        finding = run_check(server.url)
    assert finding.code == "API_NOT_JSON"


def test_a_redirect_is_unexpected() -> None:
    reply = Reply(301, b"", (("Location", "https://api.sender.net/v2/subscribers"),))
    with ScriptedHttpServer([reply]) as server:
        finding = run_check(server.url)
    assert (finding.status, finding.code) == (Status.ERROR, "API_UNEXPECTED_STATUS")
    assert "Location: https://api.sender.net/v2/subscribers" in finding.evidence


def test_a_slow_answer_times_out() -> None:
    with ScriptedHttpServer([Reply(delay=1.0)]) as server:
        finding = run_check(server.url, timeout=0.2)
    assert (finding.status, finding.code) == (Status.ERROR, "API_TIMEOUT")
    assert "0.2 s" in finding.summary


def test_a_closed_port_is_refused() -> None:
    finding = run_check(f"http://127.0.0.1:{closed_port()}")
    assert (finding.status, finding.code) == (Status.ERROR, "API_CONNECTION_REFUSED")


def test_a_reset_connection_is_a_connect_failure() -> None:
    with ScriptedHttpServer([Reply(reset=True)]) as server:
        finding = run_check(server.url)
    assert (finding.status, finding.code) == (Status.ERROR, "API_CONNECT_FAILED")


def test_a_token_echoed_by_the_server_is_redacted_by_the_runner() -> None:
    from pytest_sender.preflight.registry import load_checks, plan_checks
    from pytest_sender.preflight.runner import run_preflight

    with ScriptedHttpServer([Reply(401, f'{{"message": "bad token {TOKEN}"}}'.encode())]) as server:
        settings = Settings(api_url=server.url + "/v2", api_token=Secret(TOKEN))
        (finding,) = run_preflight(plan_checks(settings, load_checks(plugins=False)[:1]), settings)
    assert finding.code == "API_TOKEN_REJECTED"
    assert TOKEN not in repr(finding.to_dict())
    assert 'body: {"message": "bad token ***"}' in finding.evidence
