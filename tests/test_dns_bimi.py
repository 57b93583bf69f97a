"""dns.bimi: the record, logo and certificate checks over any input, and the check over loopback DNS
servers and a real HTTPS server (certificates from a trustme CA, like the sandbox's)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_sender.dns.bimi import (
    evaluate_certificate,
    parse_bimi_record,
    split_https_url,
    svg_problems,
)
from pytest_sender.dns.bimi_checks import check_bimi
from pytest_sender.dns.query import Resolver
from pytest_sender.errors import ParseError
from pytest_sender.findings import Finding, Status
from pytest_sender.preflight.registry import CheckContext, RunParts
from pytest_sender.sandbox.tls import make_sandbox_tls
from pytest_sender.sandbox.web_server import BROKEN_LOGO, SANDBOX_LOGO, WebFile, WebServer
from pytest_sender.settings import Settings
from tests.helpers.dns_servers import RunningDns, serve

TIMEOUT = 1.0
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SVG_NS = 'xmlns="http://www.w3.org/2000/svg"'
GOOD = SANDBOX_LOGO.encode()
NOW = datetime.now(UTC)


def svg(body: str, root: str = f'{SVG_NS} version="1.2" baseProfile="tiny-ps"') -> bytes:
    return f"<svg {root}><title>t</title>{body}</svg>".encode()


@pytest.fixture(scope="module", params=["sandbox", "knot"])
def zone_server(request: pytest.FixtureRequest) -> Iterator[RunningDns]:
    yield from serve(request.param)


@pytest.fixture(scope="module")
def web() -> Iterator[WebServer]:
    tls = make_sandbox_tls(("localhost",))

    def pem(*names: str, **dates: datetime) -> WebFile:
        return WebFile(tls.ca.issue_cert(*names, **dates).cert_chain_pems[0].bytes())

    host = "img.bimi.test"
    files = {
        (host, "/ok.svg"): WebFile(GOOD),
        (host, "/script.svg"): WebFile(svg("<script>x()</script>")),
        (host, "/profile.svg"): WebFile(svg("", root=SVG_NS)),
        (host, "/external.svg"): WebFile(svg('<image href="https://elsewhere.example/a.png"/>')),
        (host, "/ok.pem"): pem("ok.bimi.test"),
        (host, "/expired.pem"): pem(
            "expired.bimi.test", not_before=NOW - timedelta(days=400), not_after=NOW - timedelta(days=1)
        ),
        (host, "/wrongname.pem"): pem("other.example"),
        (host, "/notpem.pem"): WebFile(b"not a certificate\n"),
    }
    with WebServer(files, tls=tls) as server:
        yield server


def run_bimi(running: RunningDns, web: WebServer, domain: str) -> Finding:
    resolver = Resolver([running.nameserver], timeout=TIMEOUT)
    parts = RunParts(dns_resolver=resolver, fetch_ca_pem=web.ca_pem, fetch_https_port=web.port)
    return asyncio.run(check_bimi(CheckContext(Settings(timeout=TIMEOUT), parts), domain))


# --- the pure parts -------------------------------------------------------------------------------


def test_a_record_parses() -> None:
    record = parse_bimi_record("v=BIMI1; l=https://a.example.com/l.svg; a=https://a.example.com/c.pem;")
    assert (record.location, record.authority, record.declined) == (
        "https://a.example.com/l.svg",
        "https://a.example.com/c.pem",
        False,
    )
    assert parse_bimi_record("v=BIMI1; l=; a=").declined
    assert split_https_url("https://A.example.com/x/l.svg") == ("a.example.com", "/x/l.svg")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("v=BIMI2; l=https://a.example.com/l.svg", "must begin with v=BIMI1"),
        ("v=BIMI1", "no l= tag"),
        ("v=BIMI1; l=http://a.example.com/l.svg", "l= 'http://a.example.com/l.svg' is not an https:// URL"),
        ("v=BIMI1; l=https://a.example.com:8443/l.svg", "not a host name"),
        ("v=BIMI1; l=https://a.example.com/l.svg; l=https://b.example.com/l.svg", "more than once"),
        ("v=BIMI1; l=; a=https://a.example.com/c.pem", "a= is set but l= is empty"),
        ("v=BIMI1; l=https://a.example.com/l.svg; junk", "not a tag=value"),
    ],
)
def test_broken_records_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_bimi_record(text)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (svg("<script>alert(1)</script>"), "it holds a script element"),
        (svg("", root=SVG_NS), 'has no baseProfile, not baseProfile="tiny-ps"'),
        (svg("", root=f'{SVG_NS} baseProfile="tiny"'), "has baseProfile='tiny'"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" baseProfile="tiny-ps"/>', "no title child"),
        (svg('<image href="https://x.example/a.png"/>'), "refers to 'https://x.example/a.png' outside the file"),
        (
            svg('<image xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="http://x.example/a"/>'),
            "outside the file",
        ),
        (svg('<rect onclick="x()"/>'), "event handler onclick="),
        (svg('<rect style="fill:url(https://x.example/f)"/>'), "refers outside the file"),
        (svg("<foreignObject/>"), "foreignObject element"),
        (b"<html/>", "its root element is 'html'"),
        (b"<svg", "not well-formed XML"),
        (b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>', "declares a document type or entities"),
    ],
)
def test_logos_that_are_not_svg_tiny_ps_say_why(body: bytes, problem: str) -> None:
    assert any(problem in found for found in svg_problems(body)), svg_problems(body)


def test_good_logos_have_no_problems() -> None:
    assert svg_problems(GOOD) == []
    assert svg_problems(svg('<defs><linearGradient id="g"/></defs><rect fill="url(#g)"/><use href="#g"/>')) == []
    assert svg_problems(BROKEN_LOGO.encode())  # the broken sandbox's logo is not


def test_a_certificate_is_judged_by_its_dates_and_names() -> None:
    ca = make_sandbox_tls().ca
    dates = {"not_before": NOW - timedelta(days=1), "not_after": NOW + timedelta(days=30)}
    good = ca.issue_cert("example.com", **dates).cert_chain_pems[0].bytes()
    assert evaluate_certificate(good, "example.com", now=NOW).problems == ()
    assert evaluate_certificate(good, "example.org", now=NOW).problems == (
        "it does not name example.org (names: example.com)",
    )
    late = evaluate_certificate(good, "example.com", now=NOW + timedelta(days=31))
    assert late.problems[0].startswith("it expired on ")
    early = evaluate_certificate(good, "example.com", now=NOW - timedelta(days=2))
    assert early.problems[0].startswith("it is not valid before ")
    with pytest.raises(ParseError, match="not a PEM certificate"):
        evaluate_certificate(b"junk", "example.com", now=NOW)


PIECES = st.sampled_from(["v=BIMI1", "l=", "a=", "l=https://a.example.com/x", "a=https://", "l=http://x", "=", "x"])


@FUZZ
@given(st.one_of(st.text(), st.lists(PIECES, max_size=5).map(";".join)))
def test_the_record_parser_raises_only_parse_error(text: str) -> None:
    with contextlib.suppress(ParseError):
        parse_bimi_record(text)
    with contextlib.suppress(ParseError):
        split_https_url(text)


@FUZZ
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode), st.builds(svg, st.text(max_size=80))))
def test_the_logo_and_certificate_checks_never_raise_other_errors(body: bytes) -> None:
    assert isinstance(svg_problems(body), list)
    with contextlib.suppress(ParseError):
        evaluate_certificate(body, "example.com", now=NOW)


# --- the check over loopback DNS and HTTPS ----------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "status", "code"),
    [
        ("ok.bimi.test", Status.PASS, "BIMI_OK"),
        ("nocert.bimi.test", Status.PASS, "BIMI_OK"),
        ("norecord.bimi.test", Status.SKIP, "BIMI_NONE"),
        ("declined.bimi.test", Status.SKIP, "BIMI_NONE"),
        ("multiple.bimi.test", Status.FAIL, "BIMI_MULTIPLE"),
        ("badrecord.bimi.test", Status.FAIL, "BIMI_SYNTAX"),
        ("nologo.bimi.test", Status.FAIL, "BIMI_LOGO_UNFETCHABLE"),
        ("nohost.bimi.test", Status.FAIL, "BIMI_LOGO_UNFETCHABLE"),
        ("script.bimi.test", Status.FAIL, "BIMI_LOGO_INVALID"),
        ("profile.bimi.test", Status.FAIL, "BIMI_LOGO_INVALID"),
        ("external.bimi.test", Status.FAIL, "BIMI_LOGO_INVALID"),
        ("expired.bimi.test", Status.FAIL, "BIMI_CERT_INVALID"),
        ("wrongname.bimi.test", Status.FAIL, "BIMI_CERT_INVALID"),
        ("notpem.bimi.test", Status.FAIL, "BIMI_CERT_INVALID"),
        ("nocertfile.bimi.test", Status.FAIL, "BIMI_CERT_UNFETCHABLE"),
        ("pnone.bimi.test", Status.WARN, "BIMI_DMARC_NOT_ENFORCED"),
        ("nodmarc.bimi.test", Status.WARN, "BIMI_DMARC_NOT_ENFORCED"),
        ("absent.bimi.test", Status.FAIL, "DNS_DOMAIN_NOT_FOUND"),
    ],
)
def test_the_check_gives_each_domain_its_code(
    zone_server: RunningDns, web: WebServer, domain: str, status: Status, code: str
) -> None:
    finding = run_bimi(zone_server, web, domain)
    assert (finding.status, finding.code) == (status, code), finding.evidence


def test_the_findings_say_what_was_fetched_and_why_it_failed(zone_server: RunningDns, web: WebServer) -> None:
    ok = run_bimi(zone_server, web, "ok.bimi.test")
    assert ok.summary == (
        "ok.bimi.test shows its BIMI logo https://img.bimi.test/ok.svg (with its certificate; DMARC p=reject)"
    )
    assert any(line.startswith("certificate: CN=") or "certificate: " in line for line in ok.evidence)
    nocert = run_bimi(zone_server, web, "nocert.bimi.test")
    assert "without a certificate (a=)" in nocert.summary
    expired = run_bimi(zone_server, web, "expired.bimi.test")
    assert "it expired on " in expired.summary
    wrong = run_bimi(zone_server, web, "wrongname.bimi.test")
    assert wrong.summary.endswith("it does not name wrongname.bimi.test (names: other.example)")
    assert run_bimi(zone_server, web, "nologo.bimi.test").summary.endswith("/missing.svg: HTTP 404")
    script = run_bimi(zone_server, web, "script.bimi.test")
    assert script.fix == "make the BIMI logo SVG Tiny PS (it holds a script element)"
    pnone = run_bimi(zone_server, web, "pnone.bimi.test")
    assert pnone.summary == "pnone.bimi.test publishes BIMI, but its DMARC policy is none: receivers show no logo"
    nodmarc = run_bimi(zone_server, web, "nodmarc.bimi.test")
    assert "DMARC policy is none (no valid DMARC record)" in nodmarc.summary
