"""The live SMTP send against real aiosmtpd relays on loopback (STARTTLS + AUTH): accepted, refused,
and broken after the data went out (outcome unknown: reported, never resent)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from pytest_sender.findings import Status
from pytest_sender.live.flow import SMTP_SEND, send_live_smtp
from pytest_sender.preflight.registry import CheckContext, RunParts
from pytest_sender.settings import Secret, Settings
from tests.helpers.smtp_servers import RecordingHandler, SmtpServers

USER, PASSWORD = "live-user", "live-password-123"
RECIPIENT = "qa@inbox.test"


class DroppingHandler(RecordingHandler):
    """Takes the whole message, then drops the connection instead of answering."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.seen.append("DATA")
        self.seen.append(envelope.content.decode(errors="replace"))
        server.transport.abort()
        return "250 OK"


class RefusingHandler(RecordingHandler):
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.seen.append("DATA")
        return "550 5.7.1 Sender not verified"


@pytest.fixture
def servers() -> Iterator[SmtpServers]:
    with SmtpServers() as started:
        yield started


def _send(servers: SmtpServers, port: int, *, password: str = PASSWORD) -> tuple[Any, Any]:
    settings = Settings(
        smtp_host="localhost",
        smtp_ports=(port,),
        smtp_username=Secret(USER),
        smtp_password=Secret(password),
        sender_from="hello@sandbox.example",
        timeout=2.0,
    )
    context = CheckContext(settings, RunParts(smtp_ssl_context=servers.client_context()))
    return asyncio.run(send_live_smtp(context, "ps-smtp-1", RECIPIENT))


def test_an_accepted_message_is_sent_once_with_the_run_token(servers: SmtpServers) -> None:
    port = servers.relay(users={USER: PASSWORD})
    sent, problem = _send(servers, port)
    assert problem is None
    assert sent.kind == SMTP_SEND
    assert sent.subject == "pytest-sender live smoke (smtp-send) ps-smtp-1"
    assert sent.evidence == (f"accepted by the SMTP relay localhost:{port}",)
    assert servers.seen.count("DATA") == 1
    assert "MAIL FROM:<hello@sandbox.example>" in servers.seen


def test_a_refused_login_is_a_send_failure_with_the_535_reply(servers: SmtpServers) -> None:
    port = servers.relay(users={USER: PASSWORD})
    sent, problem = _send(servers, port, password="wrong-password-456")
    assert sent is None
    assert problem.code == "LIVE_SMTP_SEND_FAILED"
    assert problem.status is Status.FAIL
    assert problem.summary.startswith(f"The SMTP relay localhost:{port} did not take the message: auth: ")
    assert "535" in problem.summary
    assert "DATA" not in servers.seen


def test_a_refused_message_is_a_send_failure_with_the_relays_reply(servers: SmtpServers) -> None:
    port = servers.relay(users={USER: PASSWORD}, handler=RefusingHandler(servers.seen))
    sent, problem = _send(servers, port)
    assert sent is None
    assert problem.code == "LIVE_SMTP_SEND_FAILED"
    assert "Sender not verified" in problem.summary
    assert "Account settings → Domains" in problem.hint


def test_a_connection_lost_after_the_data_is_an_unknown_outcome_and_not_resent(servers: SmtpServers) -> None:
    port = servers.relay(users={USER: PASSWORD}, handler=DroppingHandler(servers.seen))
    sent, problem = _send(servers, port)
    assert problem.code == "LIVE_SMTP_OUTCOME_UNKNOWN"
    assert problem.status is Status.ERROR
    assert "it was not retried" in problem.summary
    # What was sent is kept, so the flow can still look for it in the inbox.
    assert sent is not None
    assert sent.evidence[0].endswith("not resent")
    assert servers.seen.count("DATA") == 1


def test_nothing_listening_is_a_send_failure_at_connect(servers: SmtpServers) -> None:
    sent, problem = _send(servers, servers.closed())
    assert sent is None
    assert problem.code == "LIVE_SMTP_SEND_FAILED"
    assert ": connect: " in problem.summary
