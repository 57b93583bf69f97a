"""RFC 7208 corner cases of check_host() and the dns.spf check, over a real DNS server on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from pytest_sender.dns.checks import check_spf
from pytest_sender.dns.query import Resolver
from pytest_sender.dns.spf import check_host, parse_spf_record
from pytest_sender.errors import ParseError
from pytest_sender.findings import Status
from pytest_sender.sandbox.dns_server import DnsServer
from tests.helpers.checks import dns_context

HEAD = """$TTL 300
@ IN SOA ns1 hostmaster 1 3600 600 86400 300
@ IN NS ns1
ns1 IN A 127.0.0.1
"""
ZONES = {
    "spf7208.test": HEAD
    + """
num TXT "v=spf1 a:111.222.33.44 -all"
abc TXT "v=spf1 a:abc.123 -all"
mxnum TXT "v=spf1 mx:abc.123 -all"
hyphen TXT "v=spf1 a:host.x-1 ?all"
ptrcase TXT "v=spf1 ptr:SPF7208.Test -all"
Mail A 192.0.2.70
voids TXT "v=spf1 include:inc.spf7208.test ptr:nothing.spf7208.test a:absent.spf7208.test -all"
twovoids TXT "v=spf1 include:inc.spf7208.test ptr:nothing.spf7208.test -all"
inc TXT "v=spf1 exists:gone.spf7208.test"
big TXT "v=spf1 include:sendersrv.com -all"
"""
    + "".join(f'big TXT "site-verification-{i}={"x" * 50}"\n' for i in range(30)),
    "2.0.192.in-addr.arpa": HEAD + "70 PTR Mail.Spf7208.TEST.\n",
    "x-1": HEAD,  # a hyphenated top-level label: the name below it does not exist
    "sendersrv.com": HEAD + '@ TXT "v=spf1 ip4:203.0.113.0/24 -all"\n',
}


@pytest.fixture(scope="module")
def resolver() -> Iterator[Resolver]:
    server = DnsServer(ZONES).start()
    try:
        yield Resolver([server.nameserver], timeout=1.0)
    finally:
        server.stop()


def host(resolver: Resolver, ip: str, domain: str) -> tuple[str, str]:
    result = asyncio.run(check_host(ip, domain, f"user@{domain}", resolver=resolver))
    return result.result, result.reason


@pytest.mark.parametrize("term", ["a:111.222.33.44", "a:abc.123", "mx:abc.123", "include:x.42", "a:x.1-"])
def test_an_all_numeric_top_label_is_a_syntax_error(term: str) -> None:
    with pytest.raises(ParseError, match="top-level label"):
        parse_spf_record(f"v=spf1 {term} -all")


@pytest.mark.parametrize("term", ["a:host.x-1", "a:host.1x", "a:host.com.", "a:abc.1-2", "a:EXAMPLE.COM"])
def test_top_labels_with_a_letter_or_a_hyphen_parse(term: str) -> None:
    parse_spf_record(f"v=spf1 {term} -all")


@pytest.mark.parametrize("domain", ["num.spf7208.test", "abc.spf7208.test", "mxnum.spf7208.test"])
def test_check_host_gives_permerror_for_an_all_numeric_top_label(resolver: Resolver, domain: str) -> None:
    result, reason = host(resolver, "192.0.2.1", domain)
    assert (result, "top-level label" in reason) == ("permerror", True)


def test_the_hyphenated_top_label_form_is_looked_up(resolver: Resolver) -> None:
    assert host(resolver, "192.0.2.1", "hyphen.spf7208.test")[0] == "neutral"


def test_ptr_names_compare_case_insensitively(resolver: Resolver) -> None:
    result, reason = host(resolver, "192.0.2.70", "ptrcase.spf7208.test")
    assert (result, reason) == ("pass", "matched ptr:SPF7208.Test in ptrcase.spf7208.test")


def test_a_ptr_term_without_ptr_records_counts_as_a_void_lookup(resolver: Resolver) -> None:
    outcome = asyncio.run(check_host("192.0.2.99", "voids.spf7208.test", "u@voids.spf7208.test", resolver=resolver))
    assert outcome.result == "permerror"
    assert "more than 2 void lookups" in outcome.reason
    assert outcome.void_lookups == 3
    two = asyncio.run(check_host("192.0.2.99", "twovoids.spf7208.test", "u@x.test", resolver=resolver))
    assert (two.result, two.void_lookups) == ("fail", 2)


def test_a_large_answer_around_a_short_record_has_its_own_finding(resolver: Resolver) -> None:
    finding = asyncio.run(check_spf(dns_context(resolver, timeout=1.0), "big.spf7208.test"))
    assert (finding.code, finding.status) == ("SPF_ANSWER_TOO_LARGE", Status.WARN)
    assert "the SPF record (33 bytes) shares it with 30 other TXT records" in finding.summary
    assert "shorten the SPF record" not in (finding.hint + finding.fix)
    shared = [line for line in finding.evidence if line.startswith("shares the answer: ")]
    assert len(shared) == 30
    sizes = sorted(int(line.split()[3]) for line in shared)  # the answer comes in any order
    assert sizes == [70] * 10 + [71] * 20  # site-verification-0..9 and 10..29
    assert all("site-verification-" in line for line in shared)


# --- a sending domain that does not exist (issue 14 item 7) --------------------------------------


def test_every_dns_check_reports_a_domain_that_does_not_exist_once_and_never_passes(resolver: Resolver) -> None:
    from pytest_sender.dns.checks import check_blocklist, check_dkim, check_dmarc, check_mx

    domain = "typo.spf7208.test"  # NXDOMAIN in a zone the server serves
    context = dns_context(resolver, timeout=1.0)  # one context: the checks share its resolver's cache
    findings = [
        asyncio.run(check(context, domain)) for check in (check_spf, check_dkim, check_dmarc, check_mx, check_blocklist)
    ]
    for finding in findings:
        assert (finding.code, finding.status) == ("DNS_DOMAIN_NOT_FOUND", Status.FAIL), finding.check
        assert "typo.spf7208.test does not exist in DNS (NXDOMAIN" in finding.summary
        assert "TXT typo.spf7208.test: NXDOMAIN" in " ".join(finding.evidence) or "MX " in finding.evidence[0]
        text = finding.hint + finding.fix
        for advice in ("v=spf1", "v=DMARC1", "CNAME", "publish"):
            assert advice not in text, (finding.check, advice)
        assert "registrar" in finding.hint


def test_a_subdomain_without_records_is_not_reported_as_missing_domain(resolver: Resolver) -> None:
    finding = asyncio.run(check_spf(dns_context(resolver, timeout=1.0), "ns1.spf7208.test"))
    assert finding.code == "SPF_MISSING"  # the name exists (an A record): NODATA, not NXDOMAIN
