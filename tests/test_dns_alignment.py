"""The dns.alignment preflight check against a real DNS server on loopback, and through the plugin."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from pytest_sender.dns.alignment_checks import CHECKS, check_alignment, signing_domain
from pytest_sender.findings import Finding, Status
from pytest_sender.preflight.registry import CheckContext
from pytest_sender.sandbox.dns_server import DnsServer
from pytest_sender.settings import Settings


def _zone(origin: str, *records: str) -> str:
    head = [
        "$TTL 300",
        f"@ IN SOA ns1.{origin}. hostmaster.{origin}. 1 3600 600 86400 300",
        f"@ IN NS ns1.{origin}.",
        "ns1 A 127.0.0.1",
    ]
    return "\n".join([*head, *records]) + "\n"


ZONES = {
    "strict.test": _zone("strict.test", '_dmarc TXT "v=DMARC1; p=reject; adkim=s"'),
    "relaxed.test": _zone("relaxed.test", '_dmarc TXT "v=DMARC1; p=quarantine"'),
    "nodmarc.test": _zone("nodmarc.test", '@ TXT "v=spf1 include:sendersrv.com -all"'),
    "broken.test": _zone("broken.test", '_dmarc TXT "v=DMARC1; p=bogus"'),
}


@pytest.fixture(scope="module")
def dns() -> Iterator[DnsServer]:
    with DnsServer(ZONES) as server:
        yield server


def _check(dns: DnsServer, address: str, *domains: str) -> Finding:
    settings = Settings(domains=domains, nameservers=(dns.nameserver,), timeout=2.0, sender_from=address)
    return asyncio.run(check_alignment(CheckContext(settings=settings), address))


@pytest.mark.parametrize(
    ("from_domain", "domains", "signer"),
    [
        ("example.com", ("example.com",), "example.com"),
        ("news.example.com", ("example.com", "other.com"), "example.com"),
        ("a.b.example.com", ("example.com", "b.example.com"), "b.example.com"),
        ("example.com", ("mail.example.com",), "mail.example.com"),  # the same organisational domain
        ("shop.co.uk", ("other.co.uk",), None),  # co.uk is a public suffix: not the same organisation
        ("example.net", ("example.com",), None),
    ],
)
def test_the_signing_domain_is_the_from_domain_or_its_configured_relative(
    from_domain: str, domains: tuple[str, ...], signer: str | None
) -> None:
    assert signing_domain(from_domain, domains) == signer


def test_a_from_on_the_sending_domain_itself_aligns_even_strictly(dns: DnsServer) -> None:
    finding = _check(dns, "hello@strict.test", "strict.test")
    assert finding.status is Status.PASS
    assert finding.code == "ALIGNMENT_OK"
    assert finding.summary == (
        "Mail from hello@strict.test, signed by Sender with d=strict.test, aligns with From strict.test "
        "under adkim=s (strict: the same domain)"
    )


def test_a_from_on_a_subdomain_aligns_under_relaxed_and_fails_under_strict(dns: DnsServer) -> None:
    relaxed = _check(dns, "news@mail.relaxed.test", "relaxed.test")
    assert relaxed.code == "ALIGNMENT_OK"
    assert "(relaxed: the same organisational domain)" in relaxed.summary
    assert "_dmarc.relaxed.test: v=DMARC1; p=quarantine (adkim=r, relaxed)" in relaxed.evidence
    strict = _check(dns, "news@mail.strict.test", "strict.test")
    assert strict.status is Status.FAIL
    assert strict.code == "ALIGNMENT_STRICT_SUBDOMAIN"
    assert "asks strict DKIM alignment (adkim=s)" in strict.summary
    assert "add mail.strict.test as a sending domain of its own in Sender" in strict.hint
    assert "relax the DMARC record of strict.test to adkim=r" in strict.hint


def test_a_from_on_no_configured_sending_domain_fails(dns: DnsServer) -> None:
    finding = _check(dns, "hello@relaxed.test", "strict.test")
    assert finding.status is Status.FAIL
    assert finding.code == "ALIGNMENT_NOT_SENDING_DOMAIN"
    assert "Or change the From address to one on a sending domain you configured (strict.test)." in finding.hint


def test_a_from_without_dmarc_warns_and_a_dns_fault_is_an_error(dns: DnsServer) -> None:
    none = _check(dns, "hello@nodmarc.test", "nodmarc.test")
    assert none.status is Status.WARN
    assert none.code == "ALIGNMENT_NO_DMARC"
    assert '_dmarc.nodmarc.test: "v=DMARC1; p=none; rua=mailto:dmarc@nodmarc.test"' in none.hint
    unusable = _check(dns, "hello@broken.test", "broken.test")
    assert unusable.code == "ALIGNMENT_NO_DMARC"
    dns.faults.servfail.add("_dmarc.relaxed.test")
    try:
        fault = _check(dns, "hello@relaxed.test", "relaxed.test")
    finally:
        dns.faults.clear()
    assert fault.status is Status.ERROR
    assert fault.code == "DNS_SERVFAIL"
    assert fault.check == "dns.alignment"


def test_there_is_an_item_only_when_a_from_address_is_set() -> None:
    [spec] = CHECKS
    assert spec.targets(Settings()) == []
    assert spec.targets(Settings(sender_from="hello@example.com")) == ["hello@example.com"]


def test_the_plugin_runs_dns_alignment_for_the_from_address(pytester: pytest.Pytester, dns: DnsServer) -> None:
    result = pytester.runpytest(
        "--sender-preflight",
        "--sender-domain",
        "strict.test",
        "--sender-from",
        "news@mail.strict.test",
        "--sender-nameserver",
        str(dns.nameserver),
        "-k",
        "alignment",
        "-p",
        "no:cacheprovider",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*dns.alignment[[]news@mail.strict.test[]] failed: ALIGNMENT_STRICT_SUBDOMAIN (fail)",
            "*dns.alignment *news@mail.strict.test*fail*ALIGNMENT_STRICT_SUBDOMAIN*",
        ]
    )
