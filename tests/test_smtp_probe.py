"""The smtp.port check against real servers on loopback: one server per failure kind, each its own code."""

from __future__ import annotations

import asyncio
import ssl
import warnings
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone

import pytest

from pytest_sender.errors import ParseError
from pytest_sender.findings import Finding, Status
from pytest_sender.preflight.registry import RunParts, load_checks, plan_checks
from pytest_sender.preflight.runner import run_preflight
from pytest_sender.settings import Settings
from pytest_sender.smtp.checks import evaluate_port_probe, smtp_in_use
from pytest_sender.smtp.probe import (
    EhloInfo,
    Outcome,
    PortProbe,
    Reply,
    Stage,
    classify_tls_error,
    make_tls_context,
    parse_certificate,
    parse_ehlo,
    probe_smtp_port,
    usable_auth_mechanisms,
)
from tests.helpers.smtp_servers import STARTTLS_EHLO, SmtpServers

TIMEOUT = 0.5


@pytest.fixture(scope="module")
def servers() -> Iterator[SmtpServers]:
    with SmtpServers() as running:
        yield running


def run_smtp_checks(
    ports: tuple[int, ...], client: ssl.SSLContext, *, host: str = "127.0.0.1", **overrides: object
) -> dict[str, Finding]:
    settings = Settings().with_overrides("test", smtp_host=host, smtp_ports=ports, timeout=TIMEOUT, **overrides)
    planned = plan_checks(settings, load_checks(["pytest_sender.smtp.checks"], plugins=False))
    findings = run_preflight(planned, settings, parts=RunParts(smtp_ssl_context=client))
    return {f.node_name: f for f in findings}


def port_finding(servers: SmtpServers, port: int, client: ssl.SSLContext | None = None) -> Finding:
    return run_smtp_checks((port,), client or servers.client_context())[f"smtp.port[127.0.0.1:{port}]"]


def test_a_relay_with_starttls_a_valid_certificate_and_auth_plain_login_passes(servers: SmtpServers) -> None:
    port = servers.relay(users={"u": "p"})
    finding = port_finding(servers, port)
    assert (finding.status, finding.code) == (Status.PASS, "SMTP_PORT_OK")
    assert finding.summary == (
        f"127.0.0.1:{port} works: greeting, STARTTLS with a verified certificate, AUTH PLAIN LOGIN offered"
    )
    assert any(line.startswith("TLS: TLSv1.") for line in finding.evidence)
    assert "greeting: 220 test.localhost" in " ".join(finding.evidence)
    assert not finding.hint


FailureServer = Callable[[SmtpServers], int]

FAILURE_KINDS: list[tuple[str, FailureServer, str, str]] = [
    ("refused", lambda s: s.closed(), "SMTP_PORT_REFUSED", "refused the connection"),
    (
        "black hole",
        lambda s: s.black_hole(),
        "SMTP_PORT_TIMEOUT",
        "gave no answer within 0.5 s at the greeting: the port is probably blocked",
    ),
    (
        "421 greeting",
        lambda s: s.scripted(b"421 4.3.2 too busy, try later\r\n", close_after=["GREETING"]),
        "SMTP_SERVICE_UNAVAILABLE",
        "answered 421 4.3.2 too busy, try later at the greeting",
    ),
    (
        "disconnect",
        lambda s: s.scripted(None),
        "SMTP_DISCONNECTED",
        "closed the connection at the greeting without answering",
    ),
    (
        "421 to EHLO",
        lambda s: s.scripted(b"220 hi\r\n", {"EHLO": b"421 4.7.0 rate limited\r\n"}, close_after=["EHLO"]),
        "SMTP_SERVICE_UNAVAILABLE",
        "answered 421 4.7.0 rate limited at the EHLO",
    ),
    (
        "dropped after EHLO",
        lambda s: s.scripted(b"220 hi\r\n", {"EHLO": b""}, close_after=["EHLO"]),
        "SMTP_DISCONNECTED",
        "closed the connection at the EHLO without answering",
    ),
    (
        "STARTTLS refused",
        lambda s: s.scripted(b"220 hi\r\n", {"EHLO": STARTTLS_EHLO, "STARTTLS": b"454 4.7.0 TLS not available\r\n"}),
        "SMTP_UNEXPECTED_REPLY",
        "answered 454 4.7.0 TLS not available at the STARTTLS",
    ),
    (
        "TLS 1.3 only server",
        lambda s: s.relay(tls_context=tls13_only(s)),
        "SMTP_TLS_HANDSHAKE_FAILED",
        "The TLS handshake with 127.0.0.1:",
    ),
    (
        "expired certificate",
        lambda s: s.relay(tls_context=s.expired_context()),
        "SMTP_CERT_EXPIRED",
        "is expired or not yet valid",
    ),
    (
        "certificate for another name",
        lambda s: s.relay(tls_context=s.wrong_name_context()),
        "SMTP_CERT_WRONG_NAME",
        "is not valid for 127.0.0.1",
    ),
    (
        "certificate from an unknown CA",
        lambda s: s.relay(tls_context=s.untrusted_context()),
        "SMTP_CERT_UNTRUSTED",
        "is self-signed or from an untrusted CA",
    ),
    ("no STARTTLS", lambda s: s.relay(tls_context=None), "SMTP_STARTTLS_MISSING", "does not offer STARTTLS"),
    ("no AUTH", lambda s: s.relay(hide_auth=True), "SMTP_AUTH_NOT_OFFERED", "offers no AUTH after TLS"),
    (
        "only CRAM-MD5",
        lambda s: s.cram_only(),
        "SMTP_AUTH_UNUSABLE",
        "offers only AUTH CRAM-MD5; PLAIN or LOGIN is needed",
    ),
]


def tls13_only(servers: SmtpServers) -> ssl.SSLContext:
    context = servers.tls.server_context_for("localhost", "127.0.0.1")
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    return context


def tls12_client(servers: SmtpServers) -> ssl.SSLContext:
    context = servers.client_context()
    context.maximum_version = ssl.TLSVersion.TLSv1_2  # like an old client library meeting a TLS 1.3-only relay
    return context


@pytest.mark.parametrize(
    ("server", "code", "summary_part"), [pytest.param(f, c, s, id=kind) for kind, f, c, s in FAILURE_KINDS]
)
def test_each_failure_kind_from_a_real_server_has_its_own_code_and_hint(
    servers: SmtpServers, server: FailureServer, code: str, summary_part: str
) -> None:
    port = server(servers)
    client = tls12_client(servers) if code == "SMTP_TLS_HANDSHAKE_FAILED" else servers.client_context()
    finding = port_finding(servers, port, client)
    assert (finding.code, finding.status) == (code, Status.FAIL), finding.evidence
    assert summary_part in finding.summary
    # The only port fails, so the hint says no port works and names Sender's other ports to try.
    assert (
        "No probed port works from here. Sender's guide also lists ports 587, 2525 and 25: probe them too"
        in finding.hint
    )
    assert f"--sender-smtp-ports {port},587,2525,25" in finding.hint
    assert "How to fix:" in finding.hint
    assert "Verify: re-run pytest --sender-preflight -k smtp.port" in finding.hint
    assert finding.fix.startswith(f"port {port}: ")
    assert "?>" not in finding.summary + finding.hint + finding.fix  # every template field was filled


def test_certificate_failures_show_what_the_server_presented(servers: SmtpServers) -> None:
    expired = port_finding(servers, servers.relay(tls_context=servers.expired_context()))
    wrong = port_finding(servers, servers.relay(tls_context=servers.wrong_name_context()))
    evidence = " ".join(expired.evidence)
    assert "certificate has expired (X509 code 10)" in evidence
    expired_on = datetime.now(timezone.utc) - timedelta(days=1)  # the helper's notAfter
    assert f"to {expired_on:%Y-%m-%d}" in evidence
    assert "server presented: certificate for localhost, 127.0.0.1" in evidence
    assert "server presented: certificate for mail.other.example" in " ".join(wrong.evidence)
    assert "set the SMTP host to smtp.sender.net" in wrong.hint


def test_server_hostname_checks_the_certificate_against_that_name_not_the_address(servers: SmtpServers) -> None:
    # dns.mx-tls connects to an MX host's address and checks the certificate against the MX name
    named = servers.relay(tls_context=servers.tls.server_context_for("mx.example.test"))
    client = servers.client_context()

    def probe(port: int, name: str | None) -> PortProbe:
        async def one() -> PortProbe:
            return await probe_smtp_port("127.0.0.1", port, timeout=TIMEOUT, tls_context=client, server_hostname=name)

        return asyncio.run(one())

    verified = probe(named, "mx.example.test")
    assert verified.tls_version is not None
    assert verified.server_hostname == "mx.example.test"
    assert "TLS: " + verified.tls_version + ", certificate verified for mx.example.test" in verified.evidence()
    assert probe(named, None).outcome is Outcome.CERT_WRONG_NAME  # the address is not in the certificate
    wrong = probe(servers.relay(tls_context=servers.wrong_name_context()), "mx.example.test")
    assert wrong.outcome is Outcome.CERT_WRONG_NAME
    assert wrong.certificate is not None  # fetched with the same name in SNI, for the evidence
    assert wrong.certificate.names == ("mail.other.example",)


def test_the_hint_for_a_timeout_names_the_other_ports_to_try(servers: SmtpServers) -> None:
    port = servers.black_hole()
    finding = port_finding(servers, port)
    assert "Try the other ports Sender accepts: 587, 2525, 25." in finding.hint
    assert "stopped at the greeting: Timed out waiting for server ready message" in finding.evidence


def test_one_working_port_makes_the_blocked_ones_warn_and_their_hints_name_it(servers: SmtpServers) -> None:
    good, hole, closed = servers.relay(users={"u": "p"}), servers.black_hole(), servers.closed()
    findings = run_smtp_checks((hole, good, closed), servers.client_context())
    assert findings[f"smtp.port[127.0.0.1:{good}]"].status is Status.PASS
    for port, code in ((hole, "SMTP_PORT_TIMEOUT"), (closed, "SMTP_PORT_REFUSED")):
        finding = findings[f"smtp.port[127.0.0.1:{port}]"]
        assert (finding.status, finding.code) == (Status.WARN, code)
        assert (
            f"Port {good} works from here, so the relay is usable: configure the app with host 127.0.0.1, "
            f"port {good}" in finding.hint
        )
        assert finding.fix.endswith(f"use port {good}, which works from here")
        assert f"working port(s): {good}" in finding.evidence
    refused_hint = findings[f"smtp.port[127.0.0.1:{closed}]"].hint
    assert "Compare the host and port with Sender: Transactional emails → Setup instructions → SMTP" in refused_hint


def test_all_ports_probe_at_once_so_a_black_hole_costs_one_timeout(servers: SmtpServers) -> None:
    # Not a speed assertion (that is benchmarks/bench_smtp_ports.py): every probe's own duration
    # covers the whole run, which only holds when they overlap.
    ports = (servers.black_hole(), servers.black_hole(), servers.relay(), servers.closed())
    findings = run_smtp_checks(ports, servers.client_context())
    durations = [f.duration_s for name, f in findings.items() if name.startswith("smtp.port")]
    assert max(durations) < 3 * TIMEOUT


def test_implicit_tls_port_probes_tls_before_the_greeting(servers: SmtpServers) -> None:
    port = servers.relay(users={"u": "p"}, implicit_tls=True)
    probe = asyncio.run(
        probe_smtp_port("127.0.0.1", port, timeout=TIMEOUT, tls_context=servers.client_context(), implicit_tls=True)
    )
    assert probe.outcome is Outcome.OK, probe.detail
    assert probe.implicit_tls
    assert "(implicit TLS)" in probe.evidence()[0]


def test_implicit_tls_against_a_starttls_port_fails_the_handshake(servers: SmtpServers) -> None:
    port = servers.relay()
    probe = asyncio.run(
        probe_smtp_port("127.0.0.1", port, timeout=TIMEOUT, tls_context=servers.client_context(), implicit_tls=True)
    )
    assert (probe.outcome, probe.stage) == (Outcome.TLS_HANDSHAKE_FAILED, Stage.TLS)
    assert "WRONG_VERSION_NUMBER" in probe.detail


def test_an_unresolvable_host_is_a_connect_failure_not_a_timeout(servers: SmtpServers) -> None:
    probe = asyncio.run(probe_smtp_port("no-such-host.invalid", 587, timeout=TIMEOUT))
    # A resolver without network may time out instead of answering NXDOMAIN; never "refused".
    assert probe.outcome in (Outcome.CONNECT_FAILED, Outcome.TIMEOUT)
    if probe.outcome is Outcome.CONNECT_FAILED:
        assert "no-such-host.invalid" in probe.detail
        finding = evaluate_port_probe(probe, [probe], target="no-such-host.invalid:587", timeout=TIMEOUT)
        assert finding.code == "SMTP_CONNECT_FAILED"
        assert finding.summary.startswith("Could not connect to no-such-host.invalid:587: Error connecting")
        assert "Sender's relay is smtp.sender.net (SENDER_SMTP_HOST)" in finding.hint


def test_smtp_is_skipped_with_the_settings_named_when_it_is_not_in_use() -> None:
    settings = Settings()
    assert not smtp_in_use(settings)
    planned = plan_checks(settings, load_checks(["pytest_sender.smtp.checks"], plugins=False))
    assert [p.node_name for p in planned] == ["smtp.port[smtp.sender.net]", "smtp.auth[smtp.sender.net]"]
    findings = run_preflight(planned, settings)
    assert [(f.status, f.code) for f in findings] == [
        (Status.SKIP, "SMTP_NOT_CONFIGURED"),
        (Status.SKIP, "SMTP_AUTH_NOT_CONFIGURED"),
    ]
    assert "set SENDER_SMTP_USERNAME and SENDER_SMTP_PASSWORD" in findings[0].summary
    assert "set SENDER_SMTP_USERNAME and SENDER_SMTP_PASSWORD" in findings[1].summary


# --- pure parts ------------------------------------------------------------------------------------


def test_parse_ehlo_reads_extensions_and_both_auth_forms() -> None:
    info = parse_ehlo("smtp.example greets you\nSIZE 1000\nAUTH=LOGIN\nAUTH PLAIN LOGIN CRAM-MD5\nSTARTTLS")
    assert info.greeting == "smtp.example greets you"
    assert info.supports("starttls")
    assert info.auth_mechanisms == ("LOGIN", "PLAIN", "CRAM-MD5")
    assert usable_auth_mechanisms(info.auth_mechanisms) == ("PLAIN", "LOGIN")
    assert usable_auth_mechanisms(("cram-md5", "login")) == ("LOGIN",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the EHLO answer is empty"),
        ("host\n!!! nonsense", "EHLO extension line '!!! nonsense' does not start with a keyword"),
    ],
)
def test_parse_ehlo_rejects_malformed_answers_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_ehlo(text)


def test_parse_certificate_reads_names_and_dates(servers: SmtpServers) -> None:
    cert = servers.tls.ca.issue_cert("a.example", "10.0.0.1")
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    der = x509.load_pem_x509_certificate(cert.cert_chain_pems[0].bytes()).public_bytes(Encoding.DER)
    facts = parse_certificate(der)
    assert facts.names == ("a.example", "10.0.0.1")
    assert not facts.self_signed
    assert facts.not_after > facts.not_before


def test_parse_certificate_rejects_bytes_that_are_not_a_certificate() -> None:
    with pytest.raises(ParseError, match="the server's certificate could not be parsed"):
        parse_certificate(b"not a certificate")


def test_make_tls_context_rejects_a_ca_that_is_not_pem() -> None:
    with pytest.raises(ParseError, match="the extra CA certificate is not valid PEM"):
        make_tls_context("-----BEGIN CERTIFICATE-----\nnonsense\n-----END CERTIFICATE-----\n")


@pytest.mark.parametrize(
    ("code", "outcome"),
    [
        (10, Outcome.CERT_EXPIRED),
        (9, Outcome.CERT_EXPIRED),
        (62, Outcome.CERT_WRONG_NAME),
        (64, Outcome.CERT_WRONG_NAME),
        (18, Outcome.CERT_UNTRUSTED),
        (20, Outcome.CERT_UNTRUSTED),
    ],
)
def test_classify_tls_error_uses_the_openssl_verify_code(code: int, outcome: Outcome) -> None:
    error = ssl.SSLCertVerificationError(1, "certificate verify failed")
    error.verify_code = code
    error.verify_message = "words from OpenSSL"
    assert classify_tls_error(error) == (outcome, f"certificate verify failed: words from OpenSSL (X509 code {code})")


def _probe(port: int, outcome: Outcome) -> PortProbe:
    ehlo = EhloInfo("relay", {"AUTH": "PLAIN LOGIN"}) if outcome is Outcome.OK else None
    reply = Reply(421, "busy") if outcome is Outcome.SERVICE_UNAVAILABLE else None
    return PortProbe(
        "relay.example", port, False, outcome, Stage.DONE if ehlo else Stage.CONNECT, detail="x", ehlo=ehlo, reply=reply
    )


def test_evaluate_port_probe_warns_only_when_another_port_works() -> None:
    probes = [_probe(587, Outcome.TIMEOUT), _probe(2525, Outcome.OK), _probe(25, Outcome.SERVICE_UNAVAILABLE)]
    blocked = evaluate_port_probe(probes[0], probes, target="relay.example:587", timeout=5)
    assert (blocked.status, blocked.code) == (Status.WARN, "SMTP_PORT_TIMEOUT")
    assert "Port 2525 works from here" in blocked.hint
    alone = evaluate_port_probe(probes[0], [probes[0], probes[2]], target="relay.example:587", timeout=5)
    assert alone.status is Status.FAIL
    assert "Try the other ports Sender accepts: 2525." in alone.hint
    everything_fails = [_probe(587, Outcome.TIMEOUT), _probe(2525, Outcome.REFUSED), _probe(25, Outcome.TIMEOUT)]
    stuck = evaluate_port_probe(everything_fails[0], everything_fails, target="relay.example:587", timeout=5)
    assert "Try the other ports Sender accepts: none is left to try (587, 2525, 25 all fail from here)." in stuck.hint
    assert "No probed port (587, 2525, 25) works from here" in stuck.hint
    assert stuck.fix == "port 587: blocked (no answer); see the hint"
    assert "Sender's guide also lists port 2525" in alone.hint
    two_work = [_probe(587, Outcome.TIMEOUT), _probe(2525, Outcome.OK), _probe(25, Outcome.OK)]
    warned = evaluate_port_probe(two_work[0], two_work, target="relay.example:587", timeout=5)
    assert "Ports 2525 and 25 work from here, so the relay is usable" in warned.hint
    assert "configure the app with host relay.example, port 2525 (STARTTLS)" in warned.hint
    implicit = PortProbe("relay.example", 465, True, Outcome.OK, Stage.DONE, ehlo=EhloInfo("r", {"AUTH": "LOGIN"}))
    via_465 = evaluate_port_probe(probes[0], [probes[0], implicit], target="relay.example:587", timeout=5)
    assert (
        "Port 465 works from here, so the relay is usable: configure the app with host relay.example, "
        "port 465 (implicit TLS)" in via_465.hint
    )
    unavailable = evaluate_port_probe(probes[2], probes, target="relay.example:25", timeout=5)
    assert (
        unavailable.summary == "relay.example:25 answered 421 busy at the TCP connect: the server will not take "
        "a session now"
    )


def test_a_probe_emits_no_warnings(servers: SmtpServers) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        asyncio.run(probe_smtp_port("127.0.0.1", servers.closed(), timeout=TIMEOUT))
