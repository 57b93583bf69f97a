"""The SMTP checks as a user meets them: pytest --sender-preflight against real loopback servers, and the sandbox."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import aiosmtpd.smtp
import aiosmtplib
import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from pytest_sender.errors import SandboxError
from pytest_sender.sandbox.smtp_relay import SmtpSandboxComponent
from tests.helpers.smtp_servers import SmtpServers

USER = "smtp-user-7"
CANARY = "canary-SmtpPw-0b9d27e4"  # the SMTP password: must never appear in any output

# In-process pytester runs drop the modules first imported inside them; imported here, the TLS and
# SMTP libraries stay one copy (a re-imported cryptography makes trustme's keys "not a curve").
PRELOADED = (aiosmtpd.smtp, aiosmtplib, trustme, x509, ec)


@pytest.fixture
def servers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServers]:
    """Test servers whose CA this machine trusts for the run (SSL_CERT_FILE), as a corporate CA would be."""
    with SmtpServers() as running:
        ca_file = tmp_path / "test-ca.pem"
        running.tls.ca.cert_pem.write_to_path(str(ca_file))
        monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
        monkeypatch.setenv("SENDER_SMTP_USERNAME", USER)
        monkeypatch.setenv("SENDER_SMTP_PASSWORD", CANARY)
        yield running


def report_codes(path: Path) -> dict[str, tuple[str, str]]:
    report = json.loads(path.read_text())
    return {f"{f['check']}[{f['target']}]": (f["status"], f["code"]) for f in report["findings"]}


def test_each_port_is_an_item_and_a_working_port_makes_the_blocked_ones_warn(
    pytester: pytest.Pytester, servers: SmtpServers
) -> None:
    good = servers.relay(users={USER: CANARY})
    hole, closed = servers.black_hole(), servers.closed()
    result = pytester.runpytest(
        "--sender-preflight",
        "--sender-smtp-host",
        "127.0.0.1",
        "--sender-smtp-ports",
        f"{good},{hole},{closed}",
        "--sender-timeout",
        "0.5",
        "-k",
        "smtp",
        "--sender-report",
        "r.json",
        "-v",
    )
    result.assert_outcomes(passed=4, warnings=2)
    result.stdout.fnmatch_lines(
        [
            f"sender::smtp.port[[]127.0.0.1:{good}[]] PASSED*",
            f"sender::smtp.port[[]127.0.0.1:{hole}[]] PASSED*",
            f"sender::smtp.port[[]127.0.0.1:{closed}[]] PASSED*",
            "sender::smtp.auth[[]127.0.0.1[]] PASSED*",
            "*= Sender preflight =*",
            f"smtp.port*127.0.0.1:{hole}*warn*SMTP_PORT_TIMEOUT*",
            f"*fix: port {hole}: blocked (no answer); use port {good}, which works from here*",
        ]
    )
    assert report_codes(pytester.path / "r.json") == {
        f"smtp.port[127.0.0.1:{good}]": ("pass", "SMTP_PORT_OK"),
        f"smtp.port[127.0.0.1:{hole}]": ("warn", "SMTP_PORT_TIMEOUT"),
        f"smtp.port[127.0.0.1:{closed}]": ("warn", "SMTP_PORT_REFUSED"),
        "smtp.auth[127.0.0.1]": ("pass", "SMTP_AUTH_OK"),
    }
    assert not [line for line in servers.seen if line.startswith(("MAIL", "DATA"))]  # nothing was sent


def test_rejected_credentials_fail_with_the_hint_and_the_password_appears_nowhere(
    pytester: pytest.Pytester, servers: SmtpServers
) -> None:
    good = servers.relay(users={USER: "the-real-password"})
    cert = servers.relay(tls_context=servers.expired_context())
    result = pytester.runpytest_subprocess(
        "--sender-preflight",
        "--sender-smtp-host",
        "127.0.0.1",
        "--sender-smtp-ports",
        f"{cert},{good}",
        "--sender-timeout",
        "0.5",
        "-k",
        "smtp",
        "-vv",
        "--tb=long",
        "-rA",
        "--log-level=DEBUG",
        "--junitxml=j.xml",
        "-o",
        "junit_logging=all",
        "--sender-report=r.json",
    )
    result.assert_outcomes(passed=2, failed=1, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*smtp.auth[[]127.0.0.1[]]*SMTP_AUTH_REJECTED*",
            "*127.0.0.1 rejected the SMTP credentials (535 5.7.8 Authentication credentials invalid)*",
            "*Open Sender: Transactional emails → Setup instructions → SMTP and check that the SMTP user still exists*",
        ]
    )
    assert report_codes(pytester.path / "r.json")[f"smtp.port[127.0.0.1:{cert}]"] == ("warn", "SMTP_CERT_EXPIRED")
    assert f"AUTH PLAIN {USER} {CANARY}" in servers.seen  # the password did go on the wire, and only there
    outputs = {
        "stdout": result.stdout.str(),
        "stderr": result.stderr.str(),
        "junit": (pytester.path / "j.xml").read_text(),
        "report": (pytester.path / "r.json").read_text(),
    }
    for name, text in outputs.items():
        for form in (CANARY, base64.b64encode(CANARY.encode()).decode()):
            assert form not in text, name


def test_the_sandbox_relay_passes_every_smtp_check(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--sender-preflight", "--sender-sandbox", "-k", "smtp", "--sender-report", "r.json")
    result.assert_outcomes(passed=2)
    codes = sorted(code for _, code in report_codes(pytester.path / "r.json").values())
    assert codes == ["SMTP_AUTH_OK", "SMTP_PORT_OK"]


@pytest.mark.slow  # xdist starts two worker interpreters: about 10 s on two cores
def test_the_broken_sandbox_fails_smtp_auth_and_warns_for_the_refusing_port_once_under_xdist(
    pytester: pytest.Pytester,
) -> None:
    result = pytester.runpytest_subprocess(
        "--sender-preflight",
        "--sender-sandbox=broken",
        "-n",
        "2",
        "-p",
        "xdist",
        "--sender-report=r.json",
    )
    table = result.stdout.str().split("Sender preflight")[1].split("short test summary")[0]
    rows = [line.split() for line in table.splitlines() if line.startswith("smtp.")]
    assert sorted((row[0], row[2], row[3]) for row in rows) == [
        ("smtp.auth", "fail", "SMTP_AUTH_REJECTED"),
        ("smtp.port", "pass", "SMTP_PORT_OK"),
        ("smtp.port", "warn", "SMTP_PORT_REFUSED"),
    ]
    report = json.loads((pytester.path / "r.json").read_text())
    nodes = [f"{f['check']}[{f['target']}]" for f in report["findings"]]
    assert len(nodes) == len(set(nodes))  # every finding once
    smtp = sorted(f["code"] for f in report["findings"] if f["check"].startswith("smtp."))
    assert smtp == ["SMTP_AUTH_REJECTED", "SMTP_PORT_OK", "SMTP_PORT_REFUSED"]


def test_the_sandbox_relay_takes_mail_only_after_starttls_and_auth_and_keeps_it_in_the_outbox() -> None:
    import smtplib
    import ssl
    from email.message import EmailMessage

    relay = SmtpSandboxComponent()
    relay.start("healthy")
    try:
        context = ssl.create_default_context(cadata=relay.ca_pem)
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "app@example.com", "user@example.org", "Welcome"
        message.set_content("Hello")
        with smtplib.SMTP(relay.host, relay.port, timeout=2) as client:
            client.ehlo()
            with pytest.raises(smtplib.SMTPSenderRefused, match="530"):  # STARTTLS first
                client.sendmail("app@example.com", ["user@example.org"], message.as_bytes())
            client.starttls(context=context)
            client.ehlo()
            with pytest.raises(smtplib.SMTPAuthenticationError, match="535"):
                client.login(relay.username, "wrong")
            client.login(relay.username, relay.password)
            client.send_message(message)
        assert relay.outbox is not None
        (record,) = relay.outbox.messages(via="smtp")
        assert record.subject == "Welcome"
        assert record.envelope_from == "app@example.com"
        assert record.envelope_to == ("user@example.org",)
        assert record.details == {"smtp_user": relay.username}
    finally:
        relay.stop()


def test_the_sandbox_component_points_the_settings_at_the_relay_and_hands_over_its_ca() -> None:
    relay = SmtpSandboxComponent()
    with pytest.raises(SandboxError, match="the SMTP relay is not started"):
        _ = relay.ca_pem
    relay.start("broken")
    try:
        overrides = relay.settings_overrides()
        assert overrides["smtp_host"] == "localhost"
        assert overrides["smtp_ports"][0] == relay.port
        assert len(overrides["smtp_ports"]) == 2
        assert overrides["smtp_password"].reveal() != relay.password  # broken: a password the relay rejects
        assert relay.ca_pem.startswith("-----BEGIN CERTIFICATE-----")
    finally:
        relay.stop()


APP_TESTS = """
import smtplib
from email.message import EmailMessage


def test_the_app_sends_through_the_relay(sender_smtp_relay, sender_sandbox):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "app@example.com", "user@example.org", "Reset"
    message.set_content("code 123")
    with smtplib.SMTP(sender_smtp_relay.host, sender_smtp_relay.port, timeout=5) as client:
        client.starttls(context=sender_smtp_relay.client_context())
        client.login(sender_smtp_relay.username, sender_smtp_relay.password)
        client.send_message(message)
    (record,) = sender_sandbox.outbox.messages(via="smtp")
    assert record.subject == "Reset"
    assert record.envelope_to == ("user@example.org",)


def test_the_outbox_starts_empty_in_every_test(sender_smtp_relay, sender_sandbox):
    assert sender_sandbox.outbox.messages() == []
"""


def test_the_sender_smtp_relay_fixture_records_the_apps_mail_in_the_sandbox_outbox(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app=APP_TESTS)
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=2)
