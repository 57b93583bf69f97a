"""dns.mta-sts (RFC 8461): the record and policy parsers over any text, and the check over loopback
DNS servers and a real HTTPS server whose certificate comes from the sandbox's kind of CA."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_sender.dns.fetch import fetch_https
from pytest_sender.dns.mtasts import (
    MAX_POLICY_BYTES,
    POLICY_PATH,
    StsPolicy,
    mx_pattern_matches,
    parse_sts_policy,
    parse_sts_record,
    uncovered_hosts,
)
from pytest_sender.dns.query import Resolver
from pytest_sender.dns.transport_checks import check_mta_sts
from pytest_sender.errors import ParseError
from pytest_sender.findings import Finding, Status
from pytest_sender.preflight.registry import CheckContext, RunParts
from pytest_sender.sandbox.web_server import WebFile, WebServer
from pytest_sender.settings import Settings
from tests.helpers.dns_servers import RunningDns, free_port, serve, start_sandbox_dns

TIMEOUT = 1.0
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def policy(mode: str = "enforce", mx: tuple[str, ...] = ("mx.{d}",), max_age: int = 604800) -> bytes:
    lines = ["version: STSv1", f"mode: {mode}", *(f"mx: {m}" for m in mx), f"max_age: {max_age}"]
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def _files() -> dict[tuple[str, str], WebFile]:
    bodies = {
        "ok": policy(mx=("mx.ok.mtasts.test",)),
        "wild": policy(mx=("*.wild.mtasts.test",)),
        "testing": policy("testing", ("mx.testing.mtasts.test",)),
        "none": policy("none", ()),
        "uncovered": policy(mx=("mx.uncovered.mtasts.test",)),
        "short": policy(mx=("mx.short.mtasts.test",), max_age=3600),
        "big": b"version: STSv1\n" + b"x" * (MAX_POLICY_BYTES + 10),
        "wrongcert": policy(mx=("mx.wrongcert.mtasts.test",)),
        "badpolicy": b"version: STSv2\nmode: enforce\nmx: mx.badpolicy.mtasts.test\nmax_age: 1\n",
        "nomx": policy(mx=("mx.nomx.mtasts.test",)),
        "servfail": policy(mx=("mx.servfail.mtasts.test",)),
    }
    files = {(f"mta-sts.{d}.mtasts.test", POLICY_PATH): WebFile(body) for d, body in bodies.items()}
    files[("mta-sts.wrongtype.mtasts.test", POLICY_PATH)] = WebFile(
        policy(mx=("mx.wrongtype.mtasts.test",)), headers=(("Content-Type", "text/html; charset=utf-8"),)
    )
    files[("mta-sts.redirect.mtasts.test", POLICY_PATH)] = WebFile(
        b"", 301, (("Location", "https://elsewhere.example/.well-known/mta-sts.txt"),)
    )
    return files


@pytest.fixture(scope="module", params=["sandbox", "knot"])
def zone_server(request: pytest.FixtureRequest) -> Iterator[RunningDns]:
    yield from serve(request.param)


@pytest.fixture(scope="module")
def web() -> Iterator[WebServer]:
    with WebServer(
        _files(),
        certificate_names={"mta-sts.wrongcert.mtasts.test": ("other.example",)},
        names=("mta-sts.missing.mtasts.test",),
    ) as server:
        yield server


def context_for(running: RunningDns, web: WebServer, **parts: object) -> CheckContext:
    resolver = Resolver([running.nameserver], timeout=TIMEOUT)
    given = {"fetch_ca_pem": web.ca_pem, "fetch_https_port": web.port} | parts
    return CheckContext(Settings(timeout=TIMEOUT), RunParts(dns_resolver=resolver, **given))  # type: ignore[arg-type]


def run_sts(running: RunningDns, web: WebServer, domain: str, **parts: object) -> Finding:
    return asyncio.run(check_mta_sts(context_for(running, web, **parts), domain))


# --- the parsers --------------------------------------------------------------------------------


def test_a_record_and_a_policy_parse() -> None:
    assert parse_sts_record("v=STSv1; id=20260101T1;").id == "20260101T1"
    text = "version: STSv1\nmode: enforce\nmx: MX.example.com\nmx: *.b.example.com\nmax_age: 86400\n"
    parsed = parse_sts_policy(text)
    assert parsed == StsPolicy("STSv1", "enforce", 86400, ("mx.example.com", "*.b.example.com"))
    noted = parse_sts_policy("version: STSv1\r\nmode: none\r\nmax_age: 0\r\nmode: enforce\r\nextra_1: x")
    assert noted.mode == "none"
    assert noted.notes == ("line 4: mode repeated; the first value applies", "line 5: unknown field 'extra_1' ignored")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("v=STSv1", "no id="),
        ("v=stsv1; id=1", "must begin with v=STSv1"),
        ("v=STSv1; id=a-b", "1 to 32 letters and digits"),
        ("v=STSv1; id=" + "1" * 33, "1 to 32 letters and digits"),
        ("v=STSv1; id=1; id=2", "more than once"),
        ("v=STSv1; id=1; junk", "not a name=value"),
    ],
)
def test_broken_records_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_sts_record(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mode: enforce\nmx: a.example.com\nmax_age: 1", "no version"),
        ("version: STSv2\nmode: enforce\nmx: a.example.com\nmax_age: 1", "is not STSv1"),
        ("version: STSv1\nmode: on\nmx: a.example.com\nmax_age: 1", "none of enforce, testing, none"),
        ("version: STSv1\nmode: enforce\nmax_age: 1", "at least one mx"),
        ("version: STSv1\nmode: enforce\nmx: a.example.com\nmax_age: 31557601", "max_age"),
        ("version: STSv1\nmode: enforce\nmx: a.example.com\nmax_age: -1", "max_age"),
        ("version: STSv1\nmode: enforce\nmx: *.*.example.com\nmax_age: 1", "not a host name"),
        ("version: STSv1\nmode enforce\nmx: a.example.com\nmax_age: 1", "not a 'key: value' line"),
        ("version: STSv1\nmode: enforcé\nmx: a.example.com\nmax_age: 1", "outside printable ASCII"),
    ],
)
def test_broken_policies_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_sts_policy(text)


def test_mx_patterns_match_as_rfc_8461_says() -> None:
    assert mx_pattern_matches("mx.example.com", "MX.example.com.")
    assert mx_pattern_matches("*.example.com", "mail.example.com")
    assert not mx_pattern_matches("*.example.com", "example.com")
    assert not mx_pattern_matches("*.example.com", "a.b.example.com")
    sts = StsPolicy("STSv1", "enforce", 1, ("*.example.com",))
    assert uncovered_hosts(sts, ["a.example.com", "a.example.net"]) == ("a.example.net",)


POLICY_LINES = st.sampled_from(
    ["version: STSv1", "mode: enforce", "mode: none", "mx: a.example.com", "mx: *.", "max_age: 99", "max_age:", ":", ""]
)


@FUZZ
@given(st.one_of(st.text(), st.lists(POLICY_LINES, max_size=6).map("\n".join)))
def test_the_parsers_raise_only_parse_error(text: str) -> None:
    with contextlib.suppress(ParseError):
        parse_sts_record(text)
    with contextlib.suppress(ParseError):
        parsed = parse_sts_policy(text)
        uncovered_hosts(parsed, [text, "a.example.com"])


@pytest.mark.parametrize("value", [None, 42, b"v=STSv1; id=1"])
def test_non_text_is_a_parse_error(value: object) -> None:
    with pytest.raises(ParseError, match="must be text"):
        parse_sts_record(value)  # type: ignore[arg-type]
    with pytest.raises(ParseError, match="must be text"):
        parse_sts_policy(value)  # type: ignore[arg-type]


# --- the check over loopback DNS and HTTPS ----------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "status", "code"),
    [
        ("ok.mtasts.test", Status.PASS, "MTASTS_OK"),
        ("wild.mtasts.test", Status.PASS, "MTASTS_OK"),
        ("nomx.mtasts.test", Status.PASS, "MTASTS_OK"),  # no MX host to cover
        ("norecord.mtasts.test", Status.SKIP, "MTASTS_NONE"),
        ("multiple.mtasts.test", Status.FAIL, "MTASTS_MULTIPLE"),
        ("badrecord.mtasts.test", Status.FAIL, "MTASTS_RECORD_SYNTAX"),
        ("nohost.mtasts.test", Status.FAIL, "MTASTS_POLICY_UNFETCHABLE"),
        ("missing.mtasts.test", Status.FAIL, "MTASTS_POLICY_UNFETCHABLE"),
        ("redirect.mtasts.test", Status.FAIL, "MTASTS_POLICY_UNFETCHABLE"),
        ("big.mtasts.test", Status.FAIL, "MTASTS_POLICY_UNFETCHABLE"),
        ("wrongcert.mtasts.test", Status.FAIL, "MTASTS_POLICY_UNFETCHABLE"),
        ("wrongtype.mtasts.test", Status.FAIL, "MTASTS_POLICY_UNFETCHABLE"),
        ("badpolicy.mtasts.test", Status.FAIL, "MTASTS_POLICY_SYNTAX"),
        ("testing.mtasts.test", Status.WARN, "MTASTS_TESTING"),
        ("none.mtasts.test", Status.WARN, "MTASTS_MODE_NONE"),
        ("uncovered.mtasts.test", Status.WARN, "MTASTS_MX_NOT_COVERED"),
        ("short.mtasts.test", Status.WARN, "MTASTS_MAX_AGE_SHORT"),
        ("absent.mtasts.test", Status.FAIL, "DNS_DOMAIN_NOT_FOUND"),
    ],
)
def test_the_check_gives_each_domain_its_code(
    zone_server: RunningDns, web: WebServer, domain: str, status: Status, code: str
) -> None:
    finding = run_sts(zone_server, web, domain)
    assert (finding.status, finding.code) == (status, code), finding.evidence


def test_each_unfetchable_policy_says_why(zone_server: RunningDns, web: WebServer) -> None:
    def problem(domain: str) -> str:
        return run_sts(zone_server, web, f"{domain}.mtasts.test").summary.partition("cannot be fetched: ")[2]

    nohost = "mta-sts.nohost.mtasts.test has no address (A mta-sts.nohost.mtasts.test: NXDOMAIN"
    assert problem("nohost").startswith(nohost)
    assert problem("missing") == "HTTP 404"
    redirect = "HTTP 301 redirect to https://elsewhere.example/.well-known/mta-sts.txt (not followed)"
    assert problem("redirect") == redirect
    assert problem("big") == f"larger than {MAX_POLICY_BYTES} bytes"
    assert problem("wrongcert").startswith("TLS: ")
    assert "mta-sts.wrongcert.mtasts.test" in problem("wrongcert")  # the name the certificate does not match
    assert problem("wrongtype") == "served as text/html, not text/plain"


def test_the_findings_name_hosts_patterns_and_the_request(zone_server: RunningDns, web: WebServer) -> None:
    ok = run_sts(zone_server, web, "ok.mtasts.test")
    assert ok.summary == "ok.mtasts.test enforces MTA-STS (max_age 604800 s) for mx.ok.mtasts.test"
    assert f"GET https://mta-sts.ok.mtasts.test{POLICY_PATH} (at 127.0.0.1:{web.port}): HTTP 200, " in ok.evidence[1]
    assert ok.evidence[1].endswith(" bytes, text/plain")
    assert "policy id 20260101: mode enforce, max_age 604800, mx mx.ok.mtasts.test" in ok.evidence
    assert ("mta-sts.ok.mtasts.test", POLICY_PATH) in web.requests  # asked by name (Host), SNI verified
    uncovered = run_sts(zone_server, web, "uncovered.mtasts.test")
    assert uncovered.fix == "add mx: backup.other.test to the MTA-STS policy"
    assert "now: mx.uncovered.mtasts.test" in uncovered.hint
    short = run_sts(zone_server, web, "short.mtasts.test")
    assert short.summary == "The MTA-STS policy of short.mtasts.test has max_age 3600 s, under 86400 s"


def test_without_the_sandbox_ca_the_certificate_does_not_verify(zone_server: RunningDns, web: WebServer) -> None:
    finding = run_sts(zone_server, web, "ok.mtasts.test", fetch_ca_pem=None)
    assert finding.code == "MTASTS_POLICY_UNFETCHABLE"
    assert "TLS: " in finding.summary


def test_a_closed_port_is_refused(zone_server: RunningDns, web: WebServer) -> None:
    finding = run_sts(zone_server, web, "ok.mtasts.test", fetch_https_port=free_port())
    assert finding.code == "MTASTS_POLICY_UNFETCHABLE"
    assert finding.summary.endswith("cannot be fetched: connection refused")


def test_a_server_that_never_answers_is_a_timeout_error(zone_server: RunningDns, web: WebServer) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # accepts the connection (backlog), never speaks TLS
        finding = run_sts(zone_server, web, "ok.mtasts.test", fetch_https_port=silent.getsockname()[1])
    assert (finding.status, finding.code) == (Status.ERROR, "MTASTS_POLICY_TIMEOUT")


def test_dns_faults_are_errors_never_missing(web: WebServer) -> None:
    with start_sandbox_dns() as running:
        assert running.faults is not None
        running.faults.servfail.add("mta-sts.servfail.mtasts.test")
        host_fault = run_sts(running, web, "servfail.mtasts.test")
        running.faults.drop.add("_mta-sts.ok.mtasts.test")
        record_fault = run_sts(running, web, "ok.mtasts.test")
    assert (host_fault.status, host_fault.code) == (Status.ERROR, "DNS_SERVFAIL")
    assert (record_fault.status, record_fault.code) == (Status.ERROR, "DNS_TIMEOUT")


def test_the_fetch_resolves_through_the_given_resolver_only(zone_server: RunningDns, web: WebServer) -> None:
    resolver = Resolver([zone_server.nameserver], timeout=TIMEOUT)
    fetched = asyncio.run(
        fetch_https(
            resolver, "mta-sts.ok.mtasts.test", POLICY_PATH, timeout=TIMEOUT, limit=50, ca_pem=web.ca_pem, port=web.port
        )
    )
    assert fetched.kind == "too-large"  # the policy is over 50 bytes
    assert fetched.address == f"127.0.0.1:{web.port}"
