"""dns.tls-rpt (RFC 8460): the parser over any text, and the check over loopback DNS servers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_sender.dns.query import Resolver
from pytest_sender.dns.tlsrpt import is_tlsrpt_candidate, parse_tlsrpt_record, validate_tlsrpt_uri
from pytest_sender.dns.transport_checks import check_tls_rpt
from pytest_sender.errors import ParseError
from pytest_sender.findings import Finding, Status
from tests.helpers.checks import dns_context
from tests.helpers.dns_servers import RunningDns, serve, start_sandbox_dns

TIMEOUT = 0.5
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PIECES = st.sampled_from(
    [
        "v=TLSRPTv1",
        "v=tlsrptv1",
        "rua=mailto:a@example.com",
        "rua=https://r.example.com/x",
        "rua=",
        "rua=,",
        "rua=mailto:",
        "rua=https://",
        "rua=https://h.example.com:99999",
        "rua=https://u@h.example.com",
        "ext=1",
        "=",
        "x",
        "",
        "é",
        "v=TLSRPTv1;",
    ]
)
RECORDS = st.tuples(st.lists(PIECES, max_size=6), st.sampled_from([";", "; ", " ;", ",", ""])).map(
    lambda pair: pair[1].join(pair[0])
)


@pytest.fixture(scope="module", params=["sandbox", "knot"])
def zone_server(request: pytest.FixtureRequest) -> Iterator[RunningDns]:
    yield from serve(request.param)


def run_tls_rpt(running: RunningDns, domain: str) -> Finding:
    resolver = Resolver([running.nameserver], timeout=TIMEOUT)
    return asyncio.run(check_tls_rpt(dns_context(resolver, timeout=TIMEOUT), domain))


# --- the parser ---------------------------------------------------------------------------------


def test_a_record_parses_into_its_destinations() -> None:
    record = parse_tlsrpt_record("v=TLSRPTv1; rua=mailto:a@example.com, https://r.example.com/v1 ; ext_1=x;")
    assert record.rua == ("mailto:a@example.com", "https://r.example.com/v1")
    assert record.extensions == ("ext_1",)
    assert validate_tlsrpt_uri("https://r.example.com:8443/v1").host == "r.example.com"
    assert validate_tlsrpt_uri("mailto:tls@Example.COM").scheme == "mailto"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("v=TLSRPTv1", "no rua="),
        ("v=tlsrptv1; rua=mailto:a@example.com", "must begin with v=TLSRPTv1"),
        ("rua=mailto:a@example.com; v=TLSRPTv1", "must begin with v=TLSRPTv1"),
        ("v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com", "more than once"),
        ("v=TLSRPTv1; rua=mailto:a@example.com,", "empty destination"),
        ("v=TLSRPTv1; rua=mailto:a@example.com; junk", "not a name=value field"),
        ("v=TLSRPTv1; rua=mailto:a@example.com; bad name=x", "neither rua= nor a valid extension"),
    ],
)
def test_broken_records_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_tlsrpt_record(text)


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("tls@example.com", "neither a mailto: nor an https:"),
        ("http://r.example.com/", "neither a mailto: nor an https:"),
        ("mailto:example.com", "does not hold an email address"),
        ("https:r.example.com", "continues with //"),
        ("https://user@r.example.com/", "user information"),
        ("https://r.example.com:0/", "not a port number"),
        ("https://r.example.com:99999/", "the port .99999. is not a whole number"),
        ("https://localhost/", "not a domain name"),
        ("mailto:a b@example.com", "characters a URI cannot"),
    ],
)
def test_broken_destinations_say_what_is_wrong(uri: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        validate_tlsrpt_uri(uri)


def test_only_records_beginning_with_the_version_are_candidates() -> None:
    assert is_tlsrpt_candidate("v=TLSRPTv1; rua=mailto:a@example.com")
    assert is_tlsrpt_candidate("v=TLSRPTv1")
    assert not is_tlsrpt_candidate("v=TLSRPTv10; rua=x")
    assert not is_tlsrpt_candidate(" v=TLSRPTv1;")


@FUZZ
@given(st.one_of(st.text(), RECORDS))
def test_the_parser_and_uri_check_raise_only_parse_error(text: str) -> None:
    with contextlib.suppress(ParseError):
        for uri in parse_tlsrpt_record(text).rua:
            with contextlib.suppress(ParseError):
                assert validate_tlsrpt_uri(uri).scheme in ("mailto", "https")
    with contextlib.suppress(ParseError):
        validate_tlsrpt_uri(text)


@pytest.mark.parametrize("value", [None, 42, b"v=TLSRPTv1"])
def test_non_text_is_a_parse_error(value: object) -> None:
    with pytest.raises(ParseError, match="must be text"):
        parse_tlsrpt_record(value)  # type: ignore[arg-type]
    with pytest.raises(ParseError, match="must be text"):
        validate_tlsrpt_uri(value)  # type: ignore[arg-type]


# --- the check over loopback DNS ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "status", "code"),
    [
        ("ok.tlsrpt.test", Status.PASS, "TLSRPT_OK"),
        ("split.tlsrpt.test", Status.PASS, "TLSRPT_OK"),  # strings joined without separator
        ("none.tlsrpt.test", Status.SKIP, "TLSRPT_NONE"),
        ("multiple.tlsrpt.test", Status.FAIL, "TLSRPT_MULTIPLE"),
        ("norua.tlsrpt.test", Status.FAIL, "TLSRPT_SYNTAX"),
        ("baduri.tlsrpt.test", Status.FAIL, "TLSRPT_BAD_URI"),
        ("http.tlsrpt.test", Status.FAIL, "TLSRPT_BAD_URI"),
        ("absent.tlsrpt.test", Status.FAIL, "DNS_DOMAIN_NOT_FOUND"),
    ],
)
def test_the_check_gives_each_zone_its_code(zone_server: RunningDns, domain: str, status: Status, code: str) -> None:
    finding = run_tls_rpt(zone_server, domain)
    assert (finding.status, finding.code) == (status, code), finding.evidence


def test_the_findings_name_the_record_and_the_fix(zone_server: RunningDns) -> None:
    ok = run_tls_rpt(zone_server, "ok.tlsrpt.test")
    assert ok.summary == (
        "ok.tlsrpt.test asks for TLS reports at mailto:tls@ok.tlsrpt.test, https://reports.example.net/v1/tls-rpt"
    )
    assert "unrelated=text" in ok.evidence[0]  # the other TXT record is shown, not counted
    split = run_tls_rpt(zone_server, "split.tlsrpt.test")
    assert "extension fields (not read): ext_1" in split.evidence
    none = run_tls_rpt(zone_server, "none.tlsrpt.test")
    assert none.fix == 'optional: publish TXT _smtp._tls "v=TLSRPTv1; rua=mailto:tls-reports@none.tlsrpt.test"'
    bad = run_tls_rpt(zone_server, "baduri.tlsrpt.test")
    assert bad.summary == (
        "The TLS-RPT record at _smtp._tls.baduri.tlsrpt.test has an invalid destination tls@baduri.tlsrpt.test: "
        "'tls@baduri.tlsrpt.test' is neither a mailto: nor an https: URI"
    )
    multiple = run_tls_rpt(zone_server, "multiple.tlsrpt.test")
    assert multiple.fix == "keep one TLS-RPT record at _smtp._tls.multiple.tlsrpt.test"


def test_a_dns_fault_is_an_error_never_missing() -> None:
    with start_sandbox_dns() as running:
        assert running.faults is not None
        running.faults.servfail.add("_smtp._tls.servfail.tlsrpt.test")
        finding = run_tls_rpt(running, "servfail.tlsrpt.test")
        running.faults.drop.add("_smtp._tls.ok.tlsrpt.test")
        dropped = run_tls_rpt(running, "ok.tlsrpt.test")
    assert (finding.status, finding.code) == (Status.ERROR, "DNS_SERVFAIL")
    assert (dropped.status, dropped.code) == (Status.ERROR, "DNS_TIMEOUT")
