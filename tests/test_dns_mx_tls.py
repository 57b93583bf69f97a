"""dns.mx-tls (opt-in): the MX records from loopback DNS servers (the sandbox's and Knot), and real
aiosmtpd servers at the MX hosts' addresses: with and without STARTTLS, with certificates for the
right name, another name, expired and from a CA nobody trusts; and the check through the plugin
with the embedded sandbox."""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_sender.dns.mxtls_checks import (
    MX_PORT,
    MxHostResult,
    check_mx_tls,
    classify_mx_probe,
    evaluate_mx_tls,
)
from pytest_sender.dns.query import Resolver
from pytest_sender.findings import Finding, Status
from pytest_sender.preflight.registry import CheckContext, RunParts
from pytest_sender.sandbox.dns_server import SANDBOX_DOMAIN, SANDBOX_MX_HOST
from pytest_sender.sandbox.smtp_relay import smtp_server_factory
from pytest_sender.sandbox.tls import make_sandbox_tls
from pytest_sender.settings import Settings
from pytest_sender.smtp.probe import Outcome, PortProbe, Stage
from tests.helpers.dns_servers import RunningDns, serve, start_sandbox_dns
from tests.helpers.smtp_servers import STARTTLS_EHLO, RecordingHandler, SmtpServers

TIMEOUT = 1.0
DOMAIN = "ok.mxtls.test"
MX_HOST = "mx.ok.mxtls.test"


@pytest.fixture(scope="module", params=["sandbox", "knot"])
def zone_server(request: pytest.FixtureRequest) -> Iterator[RunningDns]:
    yield from serve(request.param)


@pytest.fixture
def servers() -> Iterator[SmtpServers]:
    with SmtpServers() as running:
        yield running


def context_for(running: RunningDns, servers: SmtpServers, port: int, **settings: object) -> CheckContext:
    resolver = Resolver([running.nameserver], timeout=TIMEOUT)
    given = {"timeout": TIMEOUT, "mx_tls": True} | settings
    parts = RunParts(dns_resolver=resolver, mx_smtp_port=port, mx_ca_pem=servers.tls.ca_pem)
    return CheckContext(Settings(**given), parts)  # type: ignore[arg-type]


def run(context: CheckContext, domain: str = DOMAIN) -> Finding:
    async def one() -> Finding:
        return await check_mx_tls(context, domain)

    return asyncio.run(one())


def good_context(servers: SmtpServers, *names: str) -> ssl.SSLContext:
    return servers.tls.server_context_for(*(names or (MX_HOST,)))


# --- each outcome, over both DNS servers -----------------------------------------------------------


def test_an_mx_host_with_starttls_and_a_certificate_for_its_name_passes(
    zone_server: RunningDns, servers: SmtpServers
) -> None:
    port = servers.relay(tls_context=good_context(servers))  # the certificate names the MX host only
    finding = run(context_for(zone_server, servers, port))
    assert (finding.status, finding.code) == (Status.PASS, "MXTLS_OK")
    assert MX_HOST in finding.summary
    evidence = "\n".join(finding.evidence)
    assert f"MX host {MX_HOST} at 127.0.0.1: ok" in evidence  # connected to the address the DNS gave
    assert f"certificate verified for {MX_HOST}" in evidence  # and checked the certificate against the name


def test_an_mx_host_without_starttls_fails(zone_server: RunningDns, servers: SmtpServers) -> None:
    port = servers.relay(tls_context=None)
    finding = run(context_for(zone_server, servers, port))
    assert (finding.status, finding.code) == (Status.FAIL, "MXTLS_NO_STARTTLS")
    assert finding.summary == f"{MX_HOST} (MX of {DOMAIN}) does not offer STARTTLS on port {port}"
    assert finding.fix == f"turn on STARTTLS on {MX_HOST}, port {port}"


def test_an_mx_host_that_refuses_starttls_when_asked_fails_the_same_way(
    zone_server: RunningDns, servers: SmtpServers
) -> None:
    port = servers.scripted(
        b"220 mx.ok.mxtls.test ESMTP\r\n",
        {"EHLO": STARTTLS_EHLO, "STARTTLS": b"454 4.7.0 TLS not available due to temporary reason\r\n"},
    )
    finding = run(context_for(zone_server, servers, port))
    assert finding.code == "MXTLS_NO_STARTTLS"
    assert any("454 4.7.0 TLS not available" in line for line in finding.evidence)


def test_a_certificate_for_another_name_fails_naming_the_names_it_has(
    zone_server: RunningDns, servers: SmtpServers
) -> None:
    port = servers.relay(tls_context=servers.wrong_name_context())  # issued for mail.other.example
    finding = run(context_for(zone_server, servers, port))
    assert (finding.status, finding.code) == (Status.FAIL, "MXTLS_NAME_MISMATCH")
    assert finding.summary == (
        f"The certificate of {MX_HOST} (MX of {DOMAIN}) is not valid for that name: it names mail.other.example"
    )
    assert f"Get a certificate whose names include {MX_HOST}" in finding.hint


def test_a_certificate_for_the_address_only_is_a_name_mismatch(zone_server: RunningDns, servers: SmtpServers) -> None:
    # what a probe of the address would have accepted: the check verifies against the MX name
    port = servers.relay(tls_context=good_context(servers, "127.0.0.1", "localhost"))
    assert run(context_for(zone_server, servers, port)).code == "MXTLS_NAME_MISMATCH"


def test_an_expired_certificate_fails(zone_server: RunningDns, servers: SmtpServers) -> None:
    now = datetime.now(timezone.utc)
    expired = servers.tls.server_context_for(
        MX_HOST, not_before=now - timedelta(days=90), not_after=now - timedelta(days=2)
    )
    port = servers.relay(tls_context=expired)
    finding = run(context_for(zone_server, servers, port))
    assert (finding.status, finding.code) == (Status.FAIL, "MXTLS_EXPIRED")
    assert "certificate has expired" in finding.summary
    assert any("server presented: certificate for mx.ok.mxtls.test" in line for line in finding.evidence)
    assert f"Renew the certificate of {MX_HOST}" in finding.hint


def test_a_certificate_from_an_untrusted_ca_is_invalid(zone_server: RunningDns, servers: SmtpServers) -> None:
    port = servers.relay(tls_context=make_sandbox_tls((MX_HOST,)).server_context)
    finding = run(context_for(zone_server, servers, port))
    assert (finding.status, finding.code) == (Status.FAIL, "MXTLS_CERT_INVALID")
    assert "unable to get local issuer certificate" in finding.summary


@pytest.mark.parametrize("kind", ["closed", "black hole"])
def test_a_port_that_cannot_be_reached_is_an_error_that_says_port_25_is_often_blocked(
    zone_server: RunningDns, servers: SmtpServers, kind: str
) -> None:
    port = servers.closed() if kind == "closed" else servers.black_hole()
    finding = run(context_for(zone_server, servers, port))
    assert (finding.status, finding.code) == (Status.ERROR, "MXTLS_UNREACHABLE")
    assert finding.summary.startswith(f"Port {port} of {MX_HOST} (MX of {DOMAIN}) cannot be reached from here: ")
    assert "Many networks block outbound port 25" in finding.hint
    assert f"many networks block outbound port {port}: run from one that allows it" in finding.evidence


@pytest.mark.parametrize(
    ("domain", "reason"),
    [
        ("null.mxtls.test", "it publishes a null MX (MX 0 .): it receives no mail"),
        ("nomx.mxtls.test", "it publishes no MX record"),
    ],
)
def test_a_domain_without_mx_hosts_skips(
    zone_server: RunningDns, servers: SmtpServers, domain: str, reason: str
) -> None:
    finding = run(context_for(zone_server, servers, servers.closed()), domain)
    assert (finding.status, finding.code) == (Status.SKIP, "MXTLS_NO_MX")
    assert finding.summary == f"{domain} has no MX host to test: {reason}"


def test_an_mx_host_without_an_address_is_unreachable(zone_server: RunningDns, servers: SmtpServers) -> None:
    finding = run(context_for(zone_server, servers, servers.closed()), "noaddr.mxtls.test")
    assert finding.code == "MXTLS_UNREACHABLE"
    assert "mx.noaddr.mxtls.test" in finding.summary
    assert "no address" in finding.summary


def test_a_domain_that_does_not_exist_is_the_shared_dns_finding(zone_server: RunningDns, servers: SmtpServers) -> None:
    finding = run(context_for(zone_server, servers, servers.closed()), "gone.mxtls.test")
    assert finding.code == "DNS_DOMAIN_NOT_FOUND"


def test_off_by_default_the_check_skips_naming_the_setting(servers: SmtpServers) -> None:
    with start_sandbox_dns() as running:
        context = context_for(running, servers, servers.closed(), mx_tls=False)
        assert Settings().mx_tls is False
        finding = run(context)
        log = running.server.log if running.server is not None else []
    assert (finding.status, finding.code) == (Status.SKIP, "MXTLS_DISABLED")
    assert "--sender-mx-tls" in finding.summary
    assert "SENDER_MX_TLS" in finding.summary
    assert log == []  # nothing asked, nothing connected to


# --- several hosts and domains (the sandbox DNS server: 127.0.0.2 and fault injection) -------------


def test_of_two_mx_hosts_the_one_at_fault_is_named(servers: SmtpServers) -> None:
    good = servers.relay(tls_context=good_context(servers, "mx1.two.mxtls.test"))
    factory = smtp_server_factory(
        RecordingHandler(servers.seen),
        hostname="mx2.two.mxtls.test",
        tls_context=servers.tls.server_context_for("mx.elsewhere.example"),
        require_starttls=True,
    )
    try:
        servers.loop.serve(factory, host="127.0.0.2", port=good)  # the same port, the second host's address
    except Exception as exc:  # pragma: no cover - a machine without 127.0.0.2 on loopback
        pytest.skip(f"cannot listen on 127.0.0.2:{good}: {exc}")
    with start_sandbox_dns() as running:
        finding = run(context_for(running, servers, good), "two.mxtls.test")
    assert finding.code == "MXTLS_NAME_MISMATCH"
    assert finding.summary.startswith("The certificate of mx2.two.mxtls.test (MX of two.mxtls.test)")
    evidence = "\n".join(finding.evidence)
    assert "MX host mx1.two.mxtls.test at 127.0.0.1: ok" in evidence
    assert "MX host mx2.two.mxtls.test at 127.0.0.2: name-mismatch" in evidence


def test_domains_sharing_an_mx_host_share_one_probe(servers: SmtpServers) -> None:
    port = servers.relay(tls_context=good_context(servers))
    with start_sandbox_dns() as running:
        context = context_for(running, servers, port)

        async def both() -> list[Finding]:
            return list(await asyncio.gather(check_mx_tls(context, DOMAIN), check_mx_tls(context, "shared.mxtls.test")))

        findings = asyncio.run(both())
    assert [f.code for f in findings] == ["MXTLS_OK", "MXTLS_OK"]
    assert [line for line in servers.seen if line.startswith("EHLO")] != []
    assert len([line for line in servers.seen if line.startswith("EHLO")]) == 2  # before and after TLS, once


def test_a_dns_fault_on_the_host_address_is_an_error_never_unreachable(servers: SmtpServers) -> None:
    with start_sandbox_dns() as running:
        assert running.faults is not None
        running.faults.servfail.add("mx.servfail.mxtls.test")
        finding = run(context_for(running, servers, servers.closed()), "servfail.mxtls.test")
    assert (finding.status, finding.code) == (Status.ERROR, "DNS_SERVFAIL")


def test_without_a_port_given_the_check_connects_to_port_25() -> None:
    assert MX_PORT == 25
    assert RunParts().mx_smtp_port is None


# --- the pure parts ------------------------------------------------------------------------------


def _probe(outcome: Outcome, stage: Stage = Stage.CONNECT, tls_version: str | None = None) -> PortProbe:
    return PortProbe("127.0.0.1", 25, False, outcome, stage, tls_version=tls_version)


@pytest.mark.parametrize(
    ("probe", "kind"),
    [
        (_probe(Outcome.NO_AUTH, Stage.AUTH, "TLSv1.3"), "ok"),  # an MX host offers no AUTH: TLS is what counts
        (_probe(Outcome.OK, Stage.DONE, "TLSv1.3"), "ok"),
        (_probe(Outcome.NO_STARTTLS, Stage.EHLO), "no-starttls"),
        (_probe(Outcome.UNEXPECTED_REPLY, Stage.STARTTLS), "no-starttls"),
        (_probe(Outcome.CERT_WRONG_NAME, Stage.TLS), "name-mismatch"),
        (_probe(Outcome.CERT_EXPIRED, Stage.TLS), "expired"),
        (_probe(Outcome.CERT_UNTRUSTED, Stage.TLS), "cert-invalid"),
        (_probe(Outcome.TLS_HANDSHAKE_FAILED, Stage.TLS), "cert-invalid"),
        (_probe(Outcome.REFUSED), "unreachable"),
        (_probe(Outcome.TIMEOUT, Stage.BANNER), "unreachable"),
        (_probe(Outcome.SERVICE_UNAVAILABLE, Stage.BANNER), "unreachable"),
    ],
)
def test_each_probe_outcome_is_one_kind(probe: PortProbe, kind: str) -> None:
    assert classify_mx_probe(probe) == kind


KINDS = ["ok", "no-starttls", "name-mismatch", "expired", "cert-invalid", "unreachable"]


@given(st.lists(st.tuples(st.sampled_from(KINDS), st.sampled_from(["a.test", "b.test", "c.test"])), min_size=1))
def test_a_failure_outranks_an_error_and_every_host_named_has_that_kind(pairs: list[tuple[str, str]]) -> None:
    results = [MxHostResult(host, kind) for kind, host in pairs]
    code, named = evaluate_mx_tls(results)
    kinds = {kind for kind, _ in pairs}
    if kinds == {"ok"}:
        assert (code, named) == ("MXTLS_OK", tuple(results))
        return
    (kind,) = {result.kind for result in named}
    assert named == tuple(result for result in results if result.kind == kind)
    first_fault = next(k for k in KINDS[1:] if k in kinds)
    assert kind == first_fault
    assert code == "MXTLS_" + kind.replace("-", "_").upper()  # no-starttls: MXTLS_NO_STARTTLS


# --- through the plugin, with the embedded sandbox ------------------------------------------------------


def test_the_sandbox_passes_dns_mx_tls_when_asked(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(
        "--sender-preflight", "--sender-sandbox", "--sender-mx-tls", "-k", "mx-tls", "--sender-report=r.json"
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"dns.mx-tls*{SANDBOX_DOMAIN}*pass*MXTLS_OK*"])
    (finding,) = json.loads((pytester.path / "r.json").read_text())["findings"]
    assert f"MX host {SANDBOX_MX_HOST} at 127.0.0.1: ok" in finding["evidence"]  # the relay stood in for it


def test_the_sandbox_skips_dns_mx_tls_unless_asked(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--sender-preflight", "--sender-sandbox", "-k", "mx-tls", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        ["SKIPPED*sender::dns.mx-tls[[]sender-sandbox.test[]]: MXTLS_DISABLED: *--sender-mx-tls*"]
    )


def test_the_broken_sandbox_has_a_null_mx_so_dns_mx_tls_has_no_host_to_test(pytester: pytest.Pytester) -> None:
    # the broken zone keeps its null MX (dns.mx warns MX_NULL there): dns.mx-tls skips, never passes
    result = pytester.runpytest(
        "--sender-preflight", "--sender-sandbox=broken", "--sender-mx-tls", "-k", "mx-tls", "-rs"
    )
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED*dns.mx-tls*MXTLS_NO_MX*null MX*"])
