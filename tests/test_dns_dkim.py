"""DKIM: the tag-list parser, key decoding and the dns.dkim check over loopback DNS."""

from __future__ import annotations

import asyncio
import base64
import json
import re
from collections.abc import Iterator

import pytest

from pytest_sender.dns.checks import check_dkim
from pytest_sender.dns.dkim import DkimKey, decode_dkim_key, parse_dkim_record, parse_tag_list, unusable_for_email
from pytest_sender.dns.query import Resolver
from pytest_sender.errors import ParseError
from pytest_sender.findings import Finding, Status
from tests.helpers.checks import dns_context
from tests.helpers.dns_servers import ZONES, RunningDns, serve, start_sandbox_dns

TIMEOUT = 0.5


@pytest.fixture(scope="module", params=["sandbox", "knot"])
def zone_server(request: pytest.FixtureRequest) -> Iterator[RunningDns]:
    yield from serve(request.param)


def run_dkim(running: RunningDns, domain: str, selector: str = "sender") -> Finding:
    resolver = Resolver([running.nameserver], timeout=TIMEOUT)
    return asyncio.run(check_dkim(dns_context(resolver, dkim_selector=selector, timeout=TIMEOUT), domain))


def zone_key(selector: str) -> str:
    """The p= value published for ``selector`` in tests/zones/dkim.test.zone."""
    text = (ZONES / "dkim.test.zone").read_text()
    line = next(line for line in text.splitlines() if line.startswith(f"{selector}._domainkey"))
    joined = "".join(json.loads(part) for part in line.split(" TXT ", 1)[1].replace('" "', '"\n"').splitlines())
    return joined.split("p=", 1)[1]


def test_tags_parse_with_whitespace_and_a_trailing_semicolon() -> None:
    assert parse_tag_list(" v = DKIM1 ; k=rsa;p=AB CD ;") == (("v", "DKIM1"), ("k", "rsa"), ("p", "AB CD"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("v=DKIM1; k=rsa", "no p= (public key) tag"),
        ("k=rsa; v=DKIM1; p=AAAA", "v=DKIM1 must be the first tag"),
        ("v=DKIM2; p=AAAA", "is not DKIM1"),
        ("v=DKIM1; p=AAAA; p=BBBB", "tag 'p' appears twice"),
        ("v=DKIM1; k=rsa p=AAAA", "no p= (public key) tag"),
        ("v=DKIM1; 1x=2; p=AAAA", "not a valid tag name"),
        ("v=DKIM1; just words", "is not tag=value"),
        ("", "the DKIM record is empty"),
    ],
)
def test_malformed_records_raise_parse_error(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=re.escape(message)):
        parse_dkim_record(text)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("v=DKIM1; p=AAAA", ""),
        ("v=DKIM1; s=email:tlsrpt; h=sha1:sha256; p=AAAA", ""),
        ("v=DKIM1; s=tlsrpt; p=AAAA", "s=tlsrpt does not allow email (use s=email or drop s=)"),
        ("v=DKIM1; h=sha1; p=AAAA", "h=sha1 does not allow sha256"),
    ],
)
def test_keys_restricted_away_from_email_signing_are_named(text: str, problem: str) -> None:
    assert unusable_for_email(parse_dkim_record(text)) == problem


def test_record_fields_are_read() -> None:
    record = parse_dkim_record("v=DKIM1; k=ed25519; h=sha256; s=email; t=y:s; p=AB\n CD")
    assert (record.key_type, record.public_key, record.testing) == ("ed25519", "ABCD", True)
    assert (record.hash_algorithms, record.service_types) == (("sha256",), ("email",))
    assert parse_dkim_record("p=").revoked


@pytest.mark.parametrize(
    ("selector", "expected"),
    [("direct", DkimKey("rsa", 2048)), ("weak", DkimKey("rsa", 1024)), ("short", DkimKey("rsa", 512))],
)
def test_rsa_keys_are_decoded_and_sized(selector: str, expected: DkimKey) -> None:
    assert decode_dkim_key(parse_dkim_record(f"v=DKIM1; k=rsa; p={zone_key(selector)}")) == expected


def test_a_pkcs1_rsa_key_is_accepted_too() -> None:
    from cryptography.hazmat.primitives import serialization

    spki = base64.b64decode(zone_key("direct"))
    pkcs1 = serialization.load_der_public_key(spki).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.PKCS1
    )
    record = parse_dkim_record("p=" + base64.b64encode(pkcs1).decode())
    assert decode_dkim_key(record) == DkimKey("rsa", 2048)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("p=!!!", "not valid base64"),
        ("p=bm90IGEga2V5", "does not hold an RSA public key"),
        ("k=ed25519; p=bm90IGEga2V5", "not a 32-byte Ed25519 key"),
        ("k=dsa; p=AAAA", "k=dsa is not a DKIM key type"),
        ("p=", "revoked"),
    ],
)
def test_undecodable_keys_raise_parse_error(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        decode_dkim_key(parse_dkim_record(text))


@pytest.mark.parametrize(
    ("domain", "selector", "status", "code"),
    [
        ("good.test", "sender", Status.PASS, "DKIM_OK"),  # CNAME-delegated to dkim.sendersrv.com
        ("bücher.test", "sender", Status.PASS, "DKIM_OK"),
        ("dkim.test", "direct", Status.PASS, "DKIM_OK"),  # TXT, key split over several strings
        ("dkim.test", "ed", Status.PASS, "DKIM_OK"),
        ("empty.test", "sender", Status.FAIL, "DKIM_MISSING"),
        ("dkim.test", "dangling", Status.FAIL, "DKIM_CNAME_DANGLING"),
        ("dkim.test", "away", Status.FAIL, "DKIM_CNAME_DANGLING"),
        ("dkim.test", "revoked", Status.FAIL, "DKIM_REVOKED"),
        ("dkim.test", "bad", Status.FAIL, "DKIM_KEY_UNDECODABLE"),
        ("dkim.test", "garbled", Status.FAIL, "DKIM_SYNTAX"),
        ("dkim.test", "two", Status.FAIL, "DKIM_SYNTAX"),
        ("dkim.test", "short", Status.FAIL, "DKIM_KEY_TOO_SHORT"),
        ("dkim.test", "weak", Status.WARN, "DKIM_KEY_WEAK"),
        ("dkim.test", "testing", Status.WARN, "DKIM_TESTING"),
    ],
)
def test_the_dkim_check_gives_each_record_its_code(
    zone_server: RunningDns, domain: str, selector: str, status: Status, code: str
) -> None:
    finding = run_dkim(zone_server, domain, selector)
    assert (finding.status, finding.code) == (status, code), finding.evidence


def test_the_pass_names_the_key_and_the_cname(zone_server: RunningDns) -> None:
    finding = run_dkim(zone_server, "good.test")
    assert finding.summary == (
        "DKIM key sender._domainkey.good.test is published (RSA 2048 bits via CNAME dkim.sendersrv.com)"
    )


def test_the_missing_hint_gives_the_cname_to_publish(zone_server: RunningDns) -> None:
    finding = run_dkim(zone_server, "empty.test")
    assert finding.fix == "add CNAME sender._domainkey → dkim.sendersrv.com"
    assert "host sender._domainkey, target dkim.sendersrv.com" in finding.hint
    assert "Recheck DNS records" in finding.hint


def test_the_dangling_hint_names_the_missing_target(zone_server: RunningDns) -> None:
    finding = run_dkim(zone_server, "dkim.test", "away")
    assert "is a CNAME to nothere.sendersrv.com, which does not exist" in finding.summary


def test_a_servfail_is_an_error_not_a_missing_key() -> None:
    with start_sandbox_dns() as running:
        assert running.faults is not None
        running.faults.servfail.add("sender._domainkey.good.test")
        finding = run_dkim(running, "good.test")
    assert (finding.status, finding.code) == (Status.ERROR, "DNS_SERVFAIL")
    assert "DKIM key could not be checked" in finding.summary
