"""The sandbox's mail path without a mailbox: Sender's signature, then the receiver's computed verdicts.

The DNS is the sandbox's own zones on a loopback server, as ``--sender-live --sender-sandbox`` serves
them: "healthy" publishes the signing key at Sender's key host, "broken" a key that is not it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from pytest_sender.dns.query import Resolver
from pytest_sender.inbox.inspect import parse_authentication_results, parse_message
from pytest_sender.sandbox.dns_server import SANDBOX_DOMAIN, DnsSandboxComponent
from pytest_sender.sandbox.outbox import Outbox, OutboxMessage
from pytest_sender.sandbox.receiver import (
    ReceivedVerdicts,
    authentication_results,
    compute_verdicts,
    delivered_bytes,
    placement,
)
from pytest_sender.sandbox.signing import from_domain, sign_accepted


def _dns(scenario: str) -> Iterator[DnsSandboxComponent]:
    component = DnsSandboxComponent()
    component.live = True
    component.start(scenario)
    try:
        yield component
    finally:
        component.stop()


@pytest.fixture(scope="module")
def healthy() -> Iterator[DnsSandboxComponent]:
    yield from _dns("healthy")


@pytest.fixture(scope="module")
def broken() -> Iterator[DnsSandboxComponent]:
    yield from _dns("broken")


def _record(sender: str = f"hello@{SANDBOX_DOMAIN}", envelope_from: str | None = None) -> OutboxMessage:
    message = EmailMessage()
    message["From"] = f"Sandbox <{sender}>"
    message["To"] = "qa@inbox.test"
    message["Subject"] = "Welcome"
    message.set_content("Hello there.")
    return Outbox().add(message, via="api", envelope_from=envelope_from or sender, envelope_to=("qa@inbox.test",))


def _judge(component: DnsSandboxComponent, record: OutboxMessage) -> tuple[bytes, ReceivedVerdicts]:
    assert component.server is not None
    signed = sign_accepted(record)
    resolver = Resolver([component.server.nameserver], timeout=2.0)
    verdicts = asyncio.run(
        compute_verdicts(signed, envelope_from=record.envelope_from, header_from=from_domain(record), resolver=resolver)
    )
    return signed, verdicts


def test_the_healthy_sandbox_signs_like_sender_and_its_receiver_passes_everything(
    healthy: DnsSandboxComponent,
) -> None:
    signed, verdicts = _judge(healthy, _record())
    assert b"d=sender-sandbox.test;" in signed
    assert b"s=sender;" in signed
    assert (verdicts.spf.result, verdicts.dkim_result, verdicts.dmarc.result) == ("pass", "pass", "pass")
    assert verdicts.spf.reason == "matched include:sendersrv.com in sender-sandbox.test"
    assert verdicts.dmarc.aligned_by == "dkim+spf"
    assert placement(verdicts) == "inbox"
    value = authentication_results(verdicts)
    parsed = parse_authentication_results(value)
    assert parsed.authserv_id == "mx.sandbox.localhost"
    assert [m for m, _ in parsed.verdicts] == ["spf", "dkim", "dmarc"]
    assert "header.d=sender-sandbox.test header.s=sender" in value
    assert 'reason="p=quarantine; aligned: dkim+spf; DKIM d=sender-sandbox.test passes' in value


def test_the_broken_sandbox_publishes_another_key_so_the_signature_really_fails(broken: DnsSandboxComponent) -> None:
    _, verdicts = _judge(broken, _record())
    [dkim] = verdicts.dkim
    assert dkim.result == "fail"
    assert "does not verify with the key published at sender._domainkey.sender-sandbox.test" in dkim.reason
    assert verdicts.spf.result == "neutral"  # the broken SPF record does not name Sender's relay
    assert verdicts.dmarc.result == "fail"
    assert verdicts.dmarc.policy == "quarantine"
    assert placement(verdicts) == "junk"


def test_a_from_domain_without_dns_is_judged_not_trusted(healthy: DnsSandboxComponent) -> None:
    # The sandbox DNS refuses names outside its zones: no key, no SPF record, no DMARC record readable.
    _, verdicts = _judge(healthy, _record("orders@elsewhere.example"))
    assert verdicts.dkim_result == "temperror"
    assert verdicts.spf.result == "temperror"
    assert verdicts.dmarc.result == "temperror"
    assert placement(verdicts) == "inbox"  # nothing says quarantine


def test_the_stored_message_has_received_and_the_folded_verdicts_on_top(healthy: DnsSandboxComponent) -> None:
    signed, verdicts = _judge(healthy, _record())
    raw = delivered_bytes(signed, verdicts, recipient="qa@inbox.test", queue_id="sbx000001")
    assert raw.startswith(
        b"Return-Path: <hello@sender-sandbox.test>\r\nAuthentication-Results: mx.sandbox.localhost;\r\n\tspf=pass"
    )
    assert (
        b"\r\nReceived: from mail6.sendersrv.com (mail6.sendersrv.com [198.51.100.25]) by mx.sandbox.localhost" in raw
    )
    assert b" with ESMTPS id sbx000001 for <qa@inbox.test>; " in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")
    message = parse_message(raw)
    assert message.subject == "Welcome"
    assert parse_authentication_results(message.authentication_results[0]).result("dkim") == "pass"
