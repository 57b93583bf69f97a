"""DMARC: the parser, report URIs, the organisational domain and the dns.dmarc check over loopback DNS."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from pytest_sender.dns.checks import check_dmarc
from pytest_sender.dns.dmarc import (
    organisational_domain,
    parse_dmarc_record,
    suggest_dmarc_record,
    validate_report_uri,
)
from pytest_sender.dns.query import Resolver
from pytest_sender.errors import ParseError
from pytest_sender.findings import Finding, Status
from tests.helpers.checks import dns_context
from tests.helpers.dns_servers import RunningDns, serve, start_sandbox_dns

TIMEOUT = 0.5


@pytest.fixture(scope="module", params=["sandbox", "knot"])
def zone_server(request: pytest.FixtureRequest) -> Iterator[RunningDns]:
    yield from serve(request.param)


def run_dmarc(running: RunningDns, domain: str) -> Finding:
    resolver = Resolver([running.nameserver], timeout=TIMEOUT)
    return asyncio.run(check_dmarc(dns_context(resolver, timeout=TIMEOUT), domain))


def test_a_full_record_parses_with_defaults_for_absent_tags() -> None:
    record = parse_dmarc_record(
        "v=DMARC1; p=Reject; sp=none; pct=50; adkim=s; fo=1:d; ri=3600; "
        "rua=mailto:a@x.test,mailto:b@y.test!10m; ruf=mailto:f@x.test"
    )
    assert (record.policy, record.subdomain_policy, record.pct, record.adkim, record.aspf) == (
        "reject",
        "none",
        50,
        "s",
        "r",
    )
    assert record.rua == ("mailto:a@x.test", "mailto:b@y.test!10m")
    assert (record.fo, record.ri) == ("1:d", 3600)
    assert record.effective_policy(for_subdomain=True) == "none"
    assert record.effective_policy(for_subdomain=False) == "reject"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("p=reject; v=DMARC1", "v=DMARC1 must be the first tag"),
        ("v=DMARC2; p=reject", "is not DMARC1"),
        ("v=DMARC1; rua=mailto:a@b.test", "no p= policy"),
        ("v=DMARC1; p=block", "not one of none, quarantine, reject"),
        ("v=DMARC1; p=none; sp=maybe", "sp='maybe'"),
        ("v=DMARC1; p=none; adkim=x", "adkim='x' must be r"),
        ("v=DMARC1; p=none; fo=2", "fo='2'"),
        ("v=DMARC1; p=none; rua=", "rua= is empty"),
        ("v=DMARC1; p=none; p=reject", "appears twice"),
    ],
)
def test_malformed_records_raise_parse_error(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message.replace("(", r"\(")):
        parse_dmarc_record(text)


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("dmarc@example.com", "is not a mailto: URI"),
        ("https://example.com/report", "is not a mailto: URI"),
        ("mailto:example.com", "does not hold an email address"),
        ("mailto:a@localhost", "is not a domain name"),
        ("mailto:a@example.com!lots", "size limit"),
    ],
)
def test_bad_report_uris_are_named(uri: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        validate_report_uri(uri)


def test_a_good_report_uri_gives_its_host() -> None:
    assert validate_report_uri("mailto:Agg@Reports.Example.com!10m").host == "reports.example.com"


@pytest.mark.parametrize(
    ("domain", "org"),
    [
        ("mail.shop.co.uk", "shop.co.uk"),
        ("shop.co.uk", "shop.co.uk"),
        ("a.b.example.com", "example.com"),
        ("co.uk", "co.uk"),
        ("mail.xn--bcher-kva.test", "xn--bcher-kva.test"),
    ],
)
def test_the_organisational_domain_follows_the_public_suffix_list(domain: str, org: str) -> None:
    assert organisational_domain(domain) == org


def test_the_suggested_record_raises_the_policy_and_keeps_the_rest() -> None:
    current = parse_dmarc_record("v=DMARC1; p=none; pct=50; rua=mailto:d@x.test")
    # pct= is gone from RFC 9989: the suggestion drops it
    assert suggest_dmarc_record(current, "x.test") == "v=DMARC1; p=quarantine; rua=mailto:d@x.test"
    assert suggest_dmarc_record(None, "x.test") == "v=DMARC1; p=none; rua=mailto:dmarc@x.test"
    parse_dmarc_record(suggest_dmarc_record(current, "x.test"))


@pytest.mark.parametrize(
    ("domain", "status", "code"),
    [
        ("good.test", Status.PASS, "DMARC_OK"),
        ("bücher.test", Status.PASS, "DMARC_OK"),
        ("mail.shop.co.uk", Status.PASS, "DMARC_OK"),  # found at shop.co.uk, not at co.uk
        ("extok.dmarc.test", Status.PASS, "DMARC_OK"),  # the external destination authorises the domain
        ("empty.test", Status.FAIL, "DMARC_MISSING"),
        ("multi.dmarc.test", Status.FAIL, "DMARC_MULTIPLE"),
        ("order.dmarc.test", Status.FAIL, "DMARC_SYNTAX"),
        ("badtag.dmarc.test", Status.FAIL, "DMARC_SYNTAX"),
        ("baduri.dmarc.test", Status.FAIL, "DMARC_BAD_URI"),
        ("pnone.dmarc.test", Status.WARN, "DMARC_POLICY_NONE"),
        ("sub.dmarc.test", Status.WARN, "DMARC_POLICY_NONE"),  # the org record's sp=none applies
        ("ext.dmarc.test", Status.WARN, "DMARC_EXTERNAL_UNAUTHORISED"),
    ],
)
def test_the_dmarc_check_gives_each_record_its_code(
    zone_server: RunningDns, domain: str, status: Status, code: str
) -> None:
    finding = run_dmarc(zone_server, domain)
    assert (finding.status, finding.code) == (status, code), finding.evidence


def test_a_subdomain_record_found_at_the_organisational_domain_says_so(zone_server: RunningDns) -> None:
    finding = run_dmarc(zone_server, "mail.shop.co.uk")
    assert finding.summary == (
        "DMARC policy p=quarantine, sp=reject (applies to mail.shop.co.uk: reject) at _dmarc.shop.co.uk"
    )
    assert "mail.shop.co.uk has no record of its own; the record of shop.co.uk applies" in finding.evidence


def test_the_missing_hint_gives_the_record_to_publish(zone_server: RunningDns) -> None:
    finding = run_dmarc(zone_server, "empty.test")
    assert finding.fix == 'publish TXT _dmarc "v=DMARC1; p=none; rua=mailto:dmarc@empty.test"'


def test_the_external_hint_names_the_authorisation_record(zone_server: RunningDns) -> None:
    finding = run_dmarc(zone_server, "ext.dmarc.test")
    assert "ext.dmarc.test._report._dmarc.reports.test" in finding.hint


def test_a_timeout_on_the_record_is_an_error_never_missing() -> None:
    with start_sandbox_dns() as running:
        assert running.faults is not None
        running.faults.drop.add("_dmarc.good.test")
        finding = run_dmarc(running, "good.test")
    assert (finding.status, finding.code) == (Status.ERROR, "DNS_TIMEOUT")
