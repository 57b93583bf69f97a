"""The live smoke end to end on loopback: the sandbox API and SMTP relay accept the sends, the sandbox
delivery files them into a real Dovecot (INBOX or Junk, with Authentication-Results), and the
``live.*`` checks find, inspect and delete them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from pytest_sender.dns.query import Resolver
from pytest_sender.findings import Finding, Status
from pytest_sender.mailauth.signatures import generate_signing_key
from pytest_sender.preflight.registry import load_checks, plan_checks
from pytest_sender.preflight.runner import run_preflight
from pytest_sender.sandbox import EmbeddedSandbox
from pytest_sender.sandbox.api_server import ApiSandboxComponent
from pytest_sender.sandbox.dns_server import (
    SANDBOX_DOMAIN,
    ZONES_DIR,
    DnsSandboxComponent,
    DnsServer,
    load_zones,
    with_txt_record,
)
from pytest_sender.sandbox.imap_delivery import HEALTHY_PLAN, DeliveryPlan, ImapDelivery
from pytest_sender.sandbox.signing import sandbox_signing_key
from pytest_sender.settings import Secret, Settings
from tests.helpers.dovecot import RunningDovecot, dovecot_server, folder_uids

RECIPIENT = "qa+smoke@inbox.test"
COMPONENTS = (
    "pytest_sender.sandbox.api_server:ApiSandboxComponent",
    "pytest_sender.sandbox.smtp_relay:SmtpSandboxComponent",
    "pytest_sender.sandbox.dns_server:DnsSandboxComponent",
    "pytest_sender.sandbox.imap_delivery:ImapDeliveryComponent",
)


@pytest.fixture(scope="module")
def dovecot() -> Iterator[RunningDovecot]:
    yield from dovecot_server()


@pytest.fixture(scope="module")
def sandbox(dovecot: RunningDovecot) -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox("healthy", components=COMPONENTS, live=True) as started:
        yield started


@pytest.fixture
def delivery(sandbox: EmbeddedSandbox) -> Iterator[ImapDelivery]:
    component = sandbox.run_parts().imap_delivery
    assert isinstance(component, ImapDelivery)
    yield component
    component.plan = HEALTHY_PLAN


def _api(sandbox: EmbeddedSandbox) -> ApiSandboxComponent:
    return next(c for c in sandbox.components if isinstance(c, ApiSandboxComponent))


def _settings(
    sandbox: EmbeddedSandbox, dovecot: RunningDovecot, *, smtp: bool = False, template: bool = False, **changes: object
) -> Settings:
    overrides = sandbox.settings_overrides()
    if not smtp:
        overrides.update(smtp_username=None, smtp_password=None)
    if not template:
        overrides["template_id"] = None
    settings = Settings().with_overrides("sandbox", **overrides)
    values: dict[str, object] = {
        "inbox": dovecot.address,
        "inbox_password": dovecot.secret,
        "recipient": RECIPIENT,
        "timeout": 3.0,
        "live_timeout": 3.0,
    }
    values.update(changes)
    return settings.with_overrides("test", **values)


def _run(
    sandbox: EmbeddedSandbox, dovecot: RunningDovecot, settings: Settings, **more_parts: Any
) -> dict[str, Finding]:
    planned = plan_checks(settings, load_checks(("pytest_sender.live.checks",), plugins=False))
    parts = replace(sandbox.run_parts(), inbox_ca_pem=dovecot.ca_pem, **more_parts)
    return {f.check: f for f in run_preflight(planned, settings, parts=parts)}


def test_a_healthy_run_sends_three_ways_and_every_aspect_passes(
    sandbox: EmbeddedSandbox, dovecot: RunningDovecot, delivery: ImapDelivery
) -> None:
    before = len(sandbox.outbox)
    findings = _run(sandbox, dovecot, _settings(sandbox, dovecot, smtp=True, template=True))
    assert len(findings) == 28  # 3 sends x 9 aspects, and live.logged
    assert {f.status for f in findings.values()} == {Status.PASS}, [
        (f.check, f.code, f.summary) for f in findings.values() if f.status is not Status.PASS
    ]
    assert {f.target for f in findings.values()} == {RECIPIENT}
    arrived = findings["live.api-send.arrived"]
    assert arrived.code == "LIVE_ARRIVED"
    assert "arrived in INBOX" in arrived.summary
    assert any(line.startswith("delivery latency: ") for line in arrived.evidence)
    assert "deleted after checking" in arrived.evidence
    assert findings["live.smtp-send.dkim"].code == "LIVE_AUTH_PASS"
    # The receiver's word and our own verification, side by side.
    dkim = findings["live.api-send.dkim"].evidence
    assert "dkim=pass reason=" in dkim[0]
    assert dkim[1] == (
        "our verification: dkim=pass (d=sender-sandbox.test s=sender): "
        "verified with the key at sender._domainkey.sender-sandbox.test"
    )
    dmarc = findings["live.smtp-send.dmarc"].evidence
    assert "identifiers: From sender-sandbox.test; DKIM d=sender-sandbox.test; Return-Path sender-sandbox.test" in dmarc
    assert "our DMARC reading (_dmarc.sender-sandbox.test, adkim=r aspf=r): dmarc=pass, aligned: dkim+spf" in dmarc
    assert any(
        line.startswith("alignment: DKIM d=sender-sandbox.test passes and aligns with From sender-sandbox.test")
        for line in dmarc
    )
    assert findings["live.template-send.placeholders"].code == "LIVE_NO_PLACEHOLDERS"
    assert findings["live.logged"].code == "LIVE_LOGGED"
    # One send per kind, each carrying the run token in its header; nothing left in the mailbox.
    sent = sandbox.outbox.messages()[before:]
    assert sorted(m.via for m in sent) == ["api", "api", "smtp"]
    assert all(m.message["X-Pytest-Sender-Run"] for m in sent)
    assert folder_uids(dovecot, "INBOX") == []
    assert len(delivery.log.delivered) >= 3


def test_a_message_filed_in_junk_fails_placement_with_the_spam_hint(
    sandbox: EmbeddedSandbox, dovecot: RunningDovecot, delivery: ImapDelivery
) -> None:
    delivery.plan = DeliveryPlan(folder="junk")
    findings = _run(sandbox, dovecot, _settings(sandbox, dovecot))
    assert findings["live.api-send.arrived"].status is Status.PASS
    assert "arrived in Junk" in findings["live.api-send.arrived"].summary
    placement = findings["live.api-send.placement"]
    assert placement.status is Status.FAIL
    assert placement.code == "LIVE_IN_JUNK"
    assert "landed in the spam folder Junk" in placement.summary
    assert "Make SPF, DKIM and DMARC pass for sender-sandbox.test" in placement.hint
    assert folder_uids(dovecot, "Junk") == []


def test_a_message_that_never_arrives_fails_arrival_and_skips_the_rest(
    sandbox: EmbeddedSandbox, dovecot: RunningDovecot, delivery: ImapDelivery
) -> None:
    delivery.plan = DeliveryPlan(folder="drop")
    findings = _run(sandbox, dovecot, _settings(sandbox, dovecot, live_timeout=0.6))
    arrived = findings["live.api-send.arrived"]
    assert arrived.status is Status.FAIL
    assert arrived.code == "LIVE_NOT_ARRIVED"
    assert arrived.summary == "The api-send message did not arrive in INBOX and Junk within 0.6 s"
    assert "Transactional emails → Logs (recipient qa+smoke@inbox.test)" in arrived.hint
    assert "searched: INBOX, Junk for 0.6 s" in arrived.evidence
    for aspect in ("placement", "spf", "dkim", "dmarc", "placeholders", "as-sent"):
        finding = findings[f"live.api-send.{aspect}"]
        assert finding.status is Status.SKIP
        assert finding.code == "LIVE_NOT_CHECKED"


def test_a_placeholder_the_variables_did_not_fill_fails_with_the_variables_hint(
    sandbox: EmbeddedSandbox, dovecot: RunningDovecot, delivery: ImapDelivery
) -> None:
    api = _api(sandbox).sandbox
    assert api is not None
    api.add_template(
        "sbxORD",
        from_email="orders@sandbox.example",
        from_name="Shop",
        subject="Your order {{ order_id }}",
        text="Hi {{ name }}, order {{ order_id }} ships.",
    )
    settings = _settings(sandbox, dovecot, template=True, template_id="sbxORD")
    findings = _run(sandbox, dovecot, settings)
    placeholders = findings["live.template-send.placeholders"]
    assert placeholders.status is Status.FAIL
    assert placeholders.code == "LIVE_PLACEHOLDER_LEFT"
    assert "subject: {{ order_id }}" in placeholders.summary
    assert '"variables": {"order_id": "…"}' in placeholders.hint
    assert placeholders.fix == "add order_id to the send's variables object"
    assert '--sender-live-variables \'"order_id": "…"\'' not in placeholders.hint
    assert '--sender-live-variables \'{"order_id": "…"}\'' in placeholders.hint
    # {{ name }} was filled from the variables the live send passes.
    assert "name" not in placeholders.fix
    assert findings["live.api-send.placeholders"].status is Status.PASS
    # With the template's variable given, nothing is left.
    filled = _run(sandbox, dovecot, settings.with_overrides("test", live_variables='{"order_id": "A-1001"}'))
    assert filled["live.template-send.placeholders"].code == "LIVE_NO_PLACEHOLDERS"
    subject_line = filled["live.template-send.as-sent"].evidence[0]
    assert subject_line == "arrived subject: 'Your order A-1001' (set by the template)"


def _dns(sandbox: EmbeddedSandbox) -> DnsServer:
    component = next(c for c in sandbox.components if isinstance(c, DnsSandboxComponent))
    assert component.server is not None
    return component.server


@pytest.fixture
def zones(sandbox: EmbeddedSandbox) -> Iterator[dict[str, str]]:
    """The sandbox's zones as served now; any zone a test changes is put back afterwards."""
    served = {origin: text for origin, text in load_zones(ZONES_DIR / "common").items()}
    served.update(load_zones(ZONES_DIR / "healthy"))
    served["sendersrv.com"] = with_txt_record(served["sendersrv.com"], "dkim", sandbox_signing_key().zone_rdata())
    yield served
    for origin in ("sendersrv.com", SANDBOX_DOMAIN):
        _dns(sandbox).set_zone(origin, served[origin])


def test_a_key_rotated_in_dns_fails_dkim_and_dmarc_with_the_verifiers_reason(
    sandbox: EmbeddedSandbox, dovecot: RunningDovecot, delivery: ImapDelivery, zones: dict[str, str]
) -> None:
    # Sender's key host now publishes another key: the signature the sandbox makes no longer verifies.
    rotated = with_txt_record(zones["sendersrv.com"], "dkim", generate_signing_key(1024).zone_rdata())
    _dns(sandbox).set_zone("sendersrv.com", rotated)
    findings = _run(sandbox, dovecot, _settings(sandbox, dovecot))
    dkim = findings["live.api-send.dkim"]
    assert dkim.status is Status.FAIL
    assert dkim.code == "LIVE_DKIM_FAIL"
    assert dkim.summary == "The receiving server's DKIM verdict is fail, not pass"
    assert "a CNAME sender._domainkey.sender-sandbox.test" in dkim.hint
    assert dkim.evidence[0].startswith("Authentication-Results: mx.sandbox.localhost; spf=pass")
    assert "the key there is not the one that signed" in dkim.evidence[0]
    # Our own verification, with the same DNS, agrees and says why.
    assert dkim.evidence[1].startswith("our verification: dkim=fail (d=sender-sandbox.test s=sender): ")
    assert findings["live.api-send.spf"].status is Status.PASS
    # SPF passes for the From domain itself, so DMARC still passes (through SPF alone).
    dmarc = findings["live.api-send.dmarc"]
    assert dmarc.status is Status.PASS
    assert "DMARC relies on SPF here" in dmarc.evidence[0]
    assert any(line.startswith("alignment: SPF passes for sender-sandbox.test, aligned") for line in dmarc.evidence)
    assert findings["live.api-send.placement"].status is Status.PASS


def test_a_receiver_that_says_pass_while_our_resolver_sees_another_key_is_a_disagreement(
    sandbox: EmbeddedSandbox, dovecot: RunningDovecot, delivery: ImapDelivery, zones: dict[str, str]
) -> None:
    # Split-horizon DNS: the receiver judges with the sandbox's zones, the configured resolver sees a
    # version of Sender's key host that publishes another key.
    other = dict(zones)
    other["sendersrv.com"] = with_txt_record(zones["sendersrv.com"], "dkim", generate_signing_key(1024).zone_rdata())
    with DnsServer(other) as elsewhere:
        resolver = Resolver([elsewhere.nameserver], timeout=3.0)
        findings = _run(sandbox, dovecot, _settings(sandbox, dovecot), dns_resolver=resolver)
    dkim = findings["live.api-send.dkim"]
    assert dkim.status is Status.FAIL
    assert dkim.code == "LIVE_DKIM_DISAGREE"
    assert dkim.summary == "The receiving server says dkim=pass, the project's own verification says dkim=fail"
    assert "dkim=pass reason=" in dkim.evidence[0]
    assert "not the one that signed" in dkim.evidence[1]
    assert "dig TXT sender._domainkey.sender-sandbox.test" in dkim.hint
    assert dkim.fix.startswith("receiver dkim=pass, ours dkim=fail")
    # The receiver's other verdicts stand.
    assert findings["live.api-send.spf"].status is Status.PASS
    assert findings["live.api-send.placement"].status is Status.PASS


def test_a_domain_that_does_not_authorise_the_relay_and_quarantines_lands_in_junk(
    sandbox: EmbeddedSandbox, dovecot: RunningDovecot, delivery: ImapDelivery, zones: dict[str, str]
) -> None:
    # SPF without Sender's include, the key rotated: no identifier passes; p=quarantine files it in Junk.
    domain = zones[SANDBOX_DOMAIN].replace("include:sendersrv.com -all", "ip4:192.0.2.10 ?all")
    _dns(sandbox).set_zone(SANDBOX_DOMAIN, domain)
    rotated = with_txt_record(zones["sendersrv.com"], "dkim", generate_signing_key(1024).zone_rdata())
    _dns(sandbox).set_zone("sendersrv.com", rotated)
    findings = _run(sandbox, dovecot, _settings(sandbox, dovecot))
    assert findings["live.api-send.spf"].code == "LIVE_SPF_FAIL"
    assert "verdict is neutral" in findings["live.api-send.spf"].summary
    assert findings["live.api-send.dmarc"].code == "LIVE_DMARC_FAIL"
    assert "verdict is fail" in findings["live.api-send.dmarc"].summary
    assert findings["live.api-send.placement"].code == "LIVE_IN_JUNK"
    assert "arrived in Junk" in findings["live.api-send.arrived"].summary


def test_a_recipient_that_is_not_the_inbox_is_refused_before_sending(
    sandbox: EmbeddedSandbox, dovecot: RunningDovecot, delivery: ImapDelivery
) -> None:
    before = len(sandbox.outbox)
    findings = _run(sandbox, dovecot, _settings(sandbox, dovecot, recipient="someone@else.example"))
    arrived = findings["live.api-send.arrived"]
    assert arrived.status is Status.FAIL
    assert arrived.code == "LIVE_RECIPIENT_NOT_INBOX"
    assert "qa+sender@inbox.test" in arrived.hint
    assert len(sandbox.outbox) == before


def test_a_rejected_api_send_reports_the_api_code_and_is_not_retried(
    sandbox: EmbeddedSandbox, dovecot: RunningDovecot, delivery: ImapDelivery
) -> None:
    api = _api(sandbox).sandbox
    assert api is not None
    before = len(api.requests)
    settings = _settings(sandbox, dovecot, api_token=Secret("sbx-not-a-token"))
    findings = _run(sandbox, dovecot, settings)
    arrived = findings["live.api-send.arrived"]
    assert arrived.status is Status.FAIL
    assert arrived.code.startswith("API_")
    assert [r.path for r in api.requests[before:]] == ["/v2/message/send"]


@pytest.mark.parametrize("delivered", [True, False])
def test_a_send_whose_answer_is_lost_is_not_resent_but_still_looked_for(
    sandbox: EmbeddedSandbox, dovecot: RunningDovecot, delivery: ImapDelivery, delivered: bool
) -> None:
    api = _api(sandbox).sandbox
    assert api is not None
    before = len(api.requests)
    # The sandbox takes the request (or not), then drops the connection without answering.
    api.inject(drop=True, deliver=delivered)
    # A message that is delivered gets time to be signed, judged and filed on a busy machine; one that
    # is not is waited for 1 s only.
    findings = _run(sandbox, dovecot, _settings(sandbox, dovecot, live_timeout=10.0 if delivered else 1.0))
    assert [r.path for r in api.requests[before:]] == ["/v2/message/send"]  # never retried
    arrived = findings["live.api-send.arrived"]
    if delivered:
        assert arrived.code == "LIVE_ARRIVED"
        assert any(
            line.startswith("API_OUTCOME_UNKNOWN: ") and line.endswith("not resent") for line in arrived.evidence
        )
        assert findings["live.api-send.dkim"].status is Status.PASS
    else:
        assert arrived.status is Status.ERROR
        assert arrived.code == "API_OUTCOME_UNKNOWN"
        assert "nothing arrived within 1 s" in arrived.evidence
        assert findings["live.api-send.dkim"].code == "LIVE_NOT_CHECKED"


def test_without_an_inbox_the_api_items_skip_naming_what_to_set(sandbox: EmbeddedSandbox) -> None:
    settings = replace(Settings(), api_token=Secret("a-token-value"))
    findings = {
        f.check: f
        for f in run_preflight(
            plan_checks(settings, load_checks(("pytest_sender.live.checks",), plugins=False)), settings
        )
    }
    assert set(findings) == {
        f"live.api-send.{a}"
        for a in ("arrived", "placement", "spf", "dkim", "dmarc", "placeholders", "as-sent", "content", "spam-score")
    }
    arrived = findings["live.api-send.arrived"]
    assert arrived.status is Status.SKIP
    assert arrived.target == "not-configured"
    assert arrived.summary.startswith("Live smoke not configured: set SENDER_INBOX_URL")
    assert "SENDER_FROM" in arrived.summary


# Last in the module: Dovecot delays further logins from an address after a failed one.
def test_a_refused_imap_login_sends_nothing(
    sandbox: EmbeddedSandbox, dovecot: RunningDovecot, delivery: ImapDelivery
) -> None:
    before = len(sandbox.outbox)
    wrong = "not-the-password-" + "x" * 6
    settings = _settings(sandbox, dovecot, inbox_password=Secret(wrong), timeout=6.0)
    findings = _run(sandbox, dovecot, settings)
    arrived = findings["live.api-send.arrived"]
    assert arrived.status is Status.ERROR
    assert arrived.code == "LIVE_INBOX_LOGIN_REFUSED"
    assert "SENDER_INBOX_PASSWORD" in arrived.hint
    assert wrong not in str(arrived.to_dict())
    assert findings["live.api-send.dkim"].code == "LIVE_NOT_CHECKED"
    assert len(sandbox.outbox) == before
