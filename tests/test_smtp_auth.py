"""The smtp.auth check against real aiosmtpd servers: AUTH then QUIT, never a message, never a leaked secret."""

from __future__ import annotations

import asyncio
import base64
import json
import ssl
from collections.abc import Iterator

import pytest

from pytest_sender.findings import Finding, Status
from pytest_sender.preflight.registry import RunParts, load_checks, plan_checks
from pytest_sender.preflight.runner import run_preflight
from pytest_sender.settings import Secret, Settings
from pytest_sender.smtp.probe import AuthOutcome, query_smtp_auth
from tests.helpers.smtp_servers import SmtpServers

TIMEOUT = 0.5
USER = "smtp-user-7"
PASSWORD = "canary-Pw-5f3e9c1d"  # a canary: must never show up in any output


@pytest.fixture
def servers() -> Iterator[SmtpServers]:
    with SmtpServers() as running:
        yield running


def auth_finding(
    ports: tuple[int, ...], client: ssl.SSLContext, *, user: str | None = USER, password: str | None = PASSWORD
) -> Finding:
    overrides: dict[str, object] = {"smtp_host": "127.0.0.1", "smtp_ports": ports, "timeout": TIMEOUT}
    if user is not None and password is not None:
        overrides.update(smtp_username=Secret(user), smtp_password=Secret(password))
    settings = Settings().with_overrides("test", **overrides)
    planned = [
        p
        for p in plan_checks(settings, load_checks(["pytest_sender.smtp.checks"], plugins=False))
        if p.spec.name == "smtp.auth"
    ]
    (finding,) = run_preflight(planned, settings, parts=RunParts(smtp_ssl_context=client))
    return finding


def assert_no_secret(finding: Finding) -> None:
    assert "?>" not in finding.summary + finding.hint + finding.fix  # every template field was filled
    text = json.dumps(finding.to_dict()) + repr(finding)
    for form in (PASSWORD, base64.b64encode(PASSWORD.encode()).decode()):
        assert form not in text


def test_good_credentials_pass_with_auth_plain_and_no_message_is_sent(servers: SmtpServers) -> None:
    port = servers.relay(users={USER: PASSWORD})
    finding = auth_finding((port,), servers.client_context())
    assert (finding.status, finding.code) == (Status.PASS, "SMTP_AUTH_OK")
    assert finding.summary == f"127.0.0.1 accepted the SMTP credentials on port {port} (AUTH PLAIN); nothing was sent"
    assert "reply: 235 2.7.0 Authentication successful" in finding.evidence
    # On the wire: the credentials reached the server once, and no MAIL FROM or DATA followed.
    assert f"AUTH PLAIN {USER} {PASSWORD}" in servers.seen
    assert not [line for line in servers.seen if line.startswith(("MAIL", "DATA"))]
    assert_no_secret(finding)


def test_rejected_credentials_fail_with_535_and_point_at_senders_smtp_page(servers: SmtpServers) -> None:
    port = servers.relay(users={USER: "the-real-password"})
    finding = auth_finding((port,), servers.client_context())
    assert (finding.status, finding.code) == (Status.FAIL, "SMTP_AUTH_REJECTED")
    assert finding.summary == "127.0.0.1 rejected the SMTP credentials (535 5.7.8 Authentication credentials invalid)"
    assert "Sender: Transactional emails → Setup instructions → SMTP" in finding.hint
    assert "SMTP user credentials" in finding.hint
    assert "Verify: re-run pytest --sender-preflight -k smtp.auth" in finding.hint
    assert f"AUTH PLAIN {USER} {PASSWORD}" in servers.seen  # the attempt really happened
    assert_no_secret(finding)


def test_a_server_offering_only_login_gets_auth_login(servers: SmtpServers) -> None:
    port = servers.relay(users={USER: PASSWORD}, mechanisms=("LOGIN",))
    finding = auth_finding((port,), servers.client_context())
    assert (finding.status, finding.code) == (Status.PASS, "SMTP_AUTH_OK")
    assert "(AUTH LOGIN)" in finding.summary
    assert f"AUTH LOGIN {USER} {PASSWORD}" in servers.seen


def test_auth_uses_the_first_working_port(servers: SmtpServers) -> None:
    closed, good = servers.closed(), servers.relay(users={USER: PASSWORD})
    finding = auth_finding((closed, good), servers.client_context())
    assert finding.code == "SMTP_AUTH_OK"
    assert f"AUTH PLAIN on 127.0.0.1:{good} after TLS (credentials not shown), then QUIT" in finding.evidence


def test_without_credentials_auth_is_skipped_naming_the_variables(servers: SmtpServers) -> None:
    finding = auth_finding((servers.relay(),), servers.client_context(), user=None, password=None)
    assert (finding.status, finding.code) == (Status.SKIP, "SMTP_AUTH_NOT_CONFIGURED")
    assert finding.summary == ("No SMTP credentials are configured: set SENDER_SMTP_USERNAME and SENDER_SMTP_PASSWORD")
    assert servers.seen == []  # nothing was contacted


def test_when_no_port_works_auth_is_an_error_not_a_rejection(servers: SmtpServers) -> None:
    closed, hole = servers.closed(), servers.black_hole()
    finding = auth_finding((closed, hole), servers.client_context())
    assert (finding.status, finding.code) == (Status.ERROR, "SMTP_AUTH_NO_PORT")
    assert finding.summary == (
        f"The SMTP credentials could not be tried: no port of 127.0.0.1 works from here ({closed}, {hole})"
    )
    assert finding.evidence == (f"port {closed}: refused at the TCP connect", f"port {hole}: timeout at the greeting")


def test_a_temporary_auth_failure_is_an_error_with_the_reply(servers: SmtpServers) -> None:
    port = servers.relay(users={}, failure_reply="454 4.7.0 Temporary authentication failure")
    finding = auth_finding((port,), servers.client_context())
    assert (finding.status, finding.code) == (Status.ERROR, "SMTP_AUTH_UNEXPECTED_REPLY")
    assert finding.summary == (
        f"127.0.0.1 answered AUTH PLAIN on port {port} with 454 4.7.0 Temporary authentication failure"
    )
    assert_no_secret(finding)


def test_a_connection_dropped_during_auth_is_an_error_that_tells_nothing_about_the_credentials(
    servers: SmtpServers,
) -> None:
    port = servers.relay(users={USER: PASSWORD}, drop_on_auth=True)
    finding = auth_finding((port,), servers.client_context())
    assert (finding.status, finding.code) == (Status.ERROR, "SMTP_AUTH_CONNECTION_FAILED")
    assert finding.summary.startswith(
        f"The connection to 127.0.0.1:{port} failed during the AUTH attempt: disconnected"
    )
    assert f"follow the smtp.port hint for port {port}" in finding.hint
    assert_no_secret(finding)


def test_a_server_quoting_the_password_back_does_not_leak_it(servers: SmtpServers) -> None:
    encoded = base64.b64encode(PASSWORD.encode()).decode()
    port = servers.relay(users={}, failure_reply=f"535 5.7.8 bad password {PASSWORD} ({encoded})")
    finding = auth_finding((port,), servers.client_context())
    assert finding.code == "SMTP_AUTH_REJECTED"
    assert "535 5.7.8 bad password *** (***)" in finding.summary
    assert_no_secret(finding)


def test_query_smtp_auth_keeps_secrets_out_of_its_result(servers: SmtpServers) -> None:
    port = servers.relay(users={USER: "other"})
    attempt = asyncio.run(
        query_smtp_auth(
            "127.0.0.1",
            port,
            username=Secret(USER),
            password=Secret(PASSWORD),
            mechanisms=("LOGIN", "PLAIN"),
            timeout=TIMEOUT,
            tls_context=servers.client_context(),
        )
    )
    assert (attempt.outcome, attempt.mechanism) == (AuthOutcome.REJECTED, "PLAIN")
    assert PASSWORD not in repr(attempt)
