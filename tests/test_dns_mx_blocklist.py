"""dns.mx (can the domain receive replies and bounces) and dns.blocklist over loopback DNS."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from pytest_sender.dns.blocklist import DEFAULT_BLOCKLISTS, SPAMHAUS_DBL, URIBL_MULTI, Blocklist, evaluate_listing
from pytest_sender.dns.checks import check_blocklist, check_mx
from pytest_sender.dns.mx import parse_mx_records
from pytest_sender.dns.query import DnsAnswer, DnsStatus, Resolver
from pytest_sender.errors import ParseError
from pytest_sender.findings import Finding, Status
from pytest_sender.preflight.registry import CheckContext, RunParts
from pytest_sender.settings import Settings
from tests.helpers.checks import dns_context
from tests.helpers.dns_servers import RunningDns, serve, start_sandbox_dns

TIMEOUT = 0.5


@pytest.fixture(scope="module", params=["sandbox", "knot"])
def zone_server(request: pytest.FixtureRequest) -> Iterator[RunningDns]:
    yield from serve(request.param)


def resolver_for(running: RunningDns) -> Resolver:
    return Resolver([running.nameserver], timeout=TIMEOUT)


def run_mx(running: RunningDns, domain: str) -> Finding:
    return asyncio.run(check_mx(dns_context(resolver_for(running), timeout=TIMEOUT), domain))


def run_blocklist(running: RunningDns, domain: str, lists: tuple[Blocklist, ...] = DEFAULT_BLOCKLISTS) -> Finding:
    context = CheckContext(
        Settings(timeout=TIMEOUT), RunParts(dns_resolver=resolver_for(running), dns_blocklists=lists)
    )
    return asyncio.run(check_blocklist(context, domain))


def test_mx_records_parse_and_sort() -> None:
    assert parse_mx_records(["20 b.example.com", "10 a.example.com."]) == ((10, "a.example.com"), (20, "b.example.com"))
    with pytest.raises(ParseError, match="is not an MX record"):
        parse_mx_records(["ten a.example.com"])


@pytest.mark.parametrize(
    ("domain", "status", "code"),
    [
        ("good.test", Status.PASS, "MX_OK"),
        ("bücher.test", Status.PASS, "MX_OK"),
        ("afallback.mx.test", Status.PASS, "MX_A_FALLBACK"),
        ("null.mx.test", Status.WARN, "MX_NULL"),
        ("nothing.mx.test", Status.WARN, "MX_NONE"),
        ("absent.mx.test", Status.FAIL, "DNS_DOMAIN_NOT_FOUND"),  # NXDOMAIN: the domain itself does not exist
    ],
)
def test_the_mx_check_gives_each_zone_its_code(zone_server: RunningDns, domain: str, status: Status, code: str) -> None:
    finding = run_mx(zone_server, domain)
    assert (finding.status, finding.code) == (status, code), finding.evidence


def test_the_mx_pass_names_the_hosts(zone_server: RunningDns) -> None:
    assert run_mx(zone_server, "good.test").summary == "good.test receives mail at mx.good.test"
    assert "192.0.2.70" in run_mx(zone_server, "afallback.mx.test").summary


def test_an_mx_servfail_is_an_error() -> None:
    with start_sandbox_dns() as running:
        assert running.faults is not None
        running.faults.servfail.add("good.test")
        finding = run_mx(running, "good.test")
    assert (finding.status, finding.code) == (Status.ERROR, "DNS_SERVFAIL")


def answer(status: DnsStatus, *records: str) -> DnsAnswer:
    return DnsAnswer("x.test.dbl.spamhaus.org", "A", status, records)


@pytest.mark.parametrize(
    ("blocklist", "result", "kind", "meaning"),
    [
        (SPAMHAUS_DBL, answer(DnsStatus.NXDOMAIN), "clean", ""),
        (SPAMHAUS_DBL, answer(DnsStatus.OK, "127.0.1.2"), "listed", "spam domain"),
        (SPAMHAUS_DBL, answer(DnsStatus.OK, "127.0.1.104"), "listed", "abused legitimate domain (phishing)"),
        (SPAMHAUS_DBL, answer(DnsStatus.OK, "127.255.255.254"), "refused", ""),
        (SPAMHAUS_DBL, answer(DnsStatus.OK, "127.255.255.255"), "refused", ""),
        (URIBL_MULTI, answer(DnsStatus.OK, "127.0.0.1"), "refused", ""),
        (URIBL_MULTI, answer(DnsStatus.OK, "127.0.0.6"), "listed", "URIBL black, URIBL grey"),
        (SPAMHAUS_DBL, answer(DnsStatus.OK, "198.51.100.1"), "bad", ""),
        (SPAMHAUS_DBL, answer(DnsStatus.SERVFAIL), "fault", ""),
        (SPAMHAUS_DBL, answer(DnsStatus.TIMEOUT), "fault", ""),
    ],
)
def test_answers_are_classified_and_refusals_are_never_listings(
    blocklist: Blocklist, result: DnsAnswer, kind: str, meaning: str
) -> None:
    listing = evaluate_listing(blocklist, result)
    assert listing.kind == kind
    assert listing.meaning == meaning


@pytest.mark.parametrize(
    ("domain", "status", "code"),
    [
        ("good.test", Status.PASS, "BLOCKLIST_CLEAN"),
        ("listed.test", Status.FAIL, "BLOCKLIST_LISTED"),
        ("listed2.test", Status.FAIL, "BLOCKLIST_LISTED"),
        ("blocked.test", Status.ERROR, "BLOCKLIST_QUERY_REFUSED"),
    ],
)
def test_the_blocklist_check_gives_each_answer_its_code(
    zone_server: RunningDns, domain: str, status: Status, code: str
) -> None:
    finding = run_blocklist(zone_server, domain)
    assert (finding.status, finding.code) == (status, code), finding.evidence


def test_a_listing_names_the_list_and_its_meaning(zone_server: RunningDns) -> None:
    finding = run_blocklist(zone_server, "listed.test")
    assert finding.summary == "listed.test is listed on Spamhaus DBL (spam domain)"
    assert "https://check.spamhaus.org/" in finding.hint


def test_the_lists_are_configurable(zone_server: RunningDns) -> None:
    only_uribl = run_blocklist(zone_server, "listed.test", lists=(URIBL_MULTI,))
    assert only_uribl.code == "BLOCKLIST_CLEAN"
    assert only_uribl.summary == "listed.test is on none of URIBL"


def test_a_list_that_does_not_answer_is_an_error_not_clean() -> None:
    with start_sandbox_dns() as running:
        assert running.faults is not None
        running.faults.drop.add("*.multi.surbl.org")
        finding = run_blocklist(running, "good.test")
    assert (finding.status, finding.code) == (Status.ERROR, "DNS_TIMEOUT")
    assert "SURBL listing could not be checked" in finding.summary
