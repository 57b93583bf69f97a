"""DKIM signing and verification, and DMARC alignment (pytest_sender.mailauth).

Verification asks a real DNS server on loopback (the sandbox's) through the project's resolver;
alignment is pure logic over the public suffix list.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import SMTP

import pytest

from pytest_sender.dns.dmarc import parse_dmarc_record
from pytest_sender.dns.query import Resolver
from pytest_sender.mailauth.alignment import DmarcPolicy, evaluate_dmarc, fetch_policy, is_aligned
from pytest_sender.mailauth.signatures import (
    DkimVerdict,
    SigningKey,
    generate_signing_key,
    parse_signatures,
    sign_message,
    verify_message,
)
from pytest_sender.sandbox.dns_server import DnsServer, with_txt_record

ORIGIN = "shop.test"
ZONE = """$TTL 300
@ IN SOA ns1.shop.test. hostmaster.shop.test. 1 3600 600 86400 300
@ IN NS ns1.shop.test.
ns1 A 127.0.0.1
sender._domainkey CNAME dkim.keys.test.
revoked._domainkey TXT "v=DKIM1; k=rsa; p="
_dmarc TXT "v=DMARC1; p=quarantine; adkim=s"
"""
KEYS_ZONE = """$TTL 300
@ IN SOA ns1.keys.test. hostmaster.keys.test. 1 3600 600 86400 300
@ IN NS ns1.keys.test.
ns1 A 127.0.0.1
"""


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return generate_signing_key(2048)


@pytest.fixture
def dns(key: SigningKey) -> Iterator[DnsServer]:
    zones = {ORIGIN: ZONE, "keys.test": with_txt_record(KEYS_ZONE, "dkim", key.zone_rdata())}
    with DnsServer(zones) as server:
        yield server


def _message(body: str = "Your order ships today.") -> bytes:
    message = EmailMessage()
    message["From"] = "Shop <orders@shop.test>"
    message["To"] = "qa@inbox.test"
    message["Subject"] = "Order A-1001"
    message.set_content(body)
    return message.as_bytes(policy=SMTP)


def _verify(raw: bytes, server: DnsServer) -> tuple[DkimVerdict, ...]:
    return asyncio.run(verify_message(raw, resolver=Resolver([server.nameserver], timeout=2.0)))


def test_a_signed_message_verifies_through_the_cname_to_the_key_host(key: SigningKey, dns: DnsServer) -> None:
    signed = sign_message(_message(), domain=ORIGIN, selector="sender", key=key)
    assert signed.startswith(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;")
    [tags] = parse_signatures(signed)
    assert not isinstance(tags, Exception)
    assert (tags.domain, tags.selector) == (ORIGIN, "sender")
    assert {"from", "to", "subject"} <= set(tags.signed_headers)
    [verdict] = _verify(signed, dns)
    assert verdict.result == "pass"
    assert verdict.reason == "verified with the key at sender._domainkey.shop.test"
    # The key was asked of the loopback server, through the CNAME Sender's customers publish.
    assert ("udp", "sender._domainkey.shop.test", "TXT") in dns.log


def test_a_body_changed_after_signing_fails_with_the_body_hash_reason(key: SigningKey, dns: DnsServer) -> None:
    signed = sign_message(_message(), domain=ORIGIN, selector="sender", key=key)
    tampered = signed.replace(b"ships today", b"ships never")
    [verdict] = _verify(tampered, dns)
    assert verdict.result == "fail"
    assert "the body changed after signing" in verdict.reason
    assert "body hash mismatch" in verdict.reason


def test_a_signed_header_changed_fails(key: SigningKey, dns: DnsServer) -> None:
    signed = sign_message(_message(), domain=ORIGIN, selector="sender", key=key)
    [verdict] = _verify(signed.replace(b"Subject: Order A-1001", b"Subject: Order A-9999"), dns)
    assert verdict.result == "fail"
    assert "body hash matches" in verdict.reason


def test_a_key_rotated_in_dns_fails_the_old_signature(key: SigningKey, dns: DnsServer) -> None:
    signed = sign_message(_message(), domain=ORIGIN, selector="sender", key=key)
    assert _verify(signed, dns)[0].result == "pass"
    rotated = generate_signing_key(1024)
    dns.set_zone("keys.test", with_txt_record(KEYS_ZONE, "dkim", rotated.zone_rdata()))
    [verdict] = _verify(signed, dns)
    assert verdict.result == "fail"
    assert "not the one that signed (rotated or replaced)" in verdict.reason
    # Signed again with the new key, it verifies.
    assert _verify(sign_message(_message(), domain=ORIGIN, selector="sender", key=rotated), dns)[0].result == "pass"


def test_a_revoked_or_missing_key_and_a_dns_fault_each_have_their_result(key: SigningKey, dns: DnsServer) -> None:
    revoked = _verify(sign_message(_message(), domain=ORIGIN, selector="revoked", key=key), dns)[0]
    assert (revoked.result, revoked.reason) == ("fail", "the key at revoked._domainkey.shop.test is revoked (empty p=)")
    missing = _verify(sign_message(_message(), domain=ORIGIN, selector="nope", key=key), dns)[0]
    assert missing.result == "permerror"
    assert missing.reason == "no key is published at nope._domainkey.shop.test: NXDOMAIN"
    dns.faults.servfail.add("sender._domainkey.shop.test")
    fault = _verify(sign_message(_message(), domain=ORIGIN, selector="sender", key=key), dns)[0]
    assert fault.result == "temperror"
    assert "SERVFAIL" in fault.reason


def test_an_unsigned_message_has_no_verdicts(dns: DnsServer) -> None:
    assert _verify(_message(), dns) == ()


def test_the_dmarc_record_is_found_by_the_tree_walk(dns: DnsServer) -> None:
    resolver = Resolver([dns.nameserver], timeout=2.0)
    own = asyncio.run(fetch_policy("shop.test", resolver=resolver))
    assert own.policy_domain == "shop.test"
    assert own.record is not None
    assert own.record.adkim == "s"
    parent = asyncio.run(fetch_policy("mail.shop.test", resolver=Resolver([dns.nameserver], timeout=2.0)))
    assert parent.policy_domain == "shop.test"


# --- alignment (pure) -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "from_domain", "mode", "aligned"),
    [
        ("example.com", "example.com", "s", True),
        ("EXAMPLE.com.", "example.com", "s", True),
        ("mail.example.com", "example.com", "r", True),
        ("mail.example.com", "example.com", "s", False),
        ("example.com", "news.example.com", "r", True),
        ("a.example.com", "b.example.com", "r", True),
        ("a.example.com", "b.example.com", "s", False),
        ("example.net", "example.com", "r", False),
        # the organisational domain follows the public suffix list: co.uk is a suffix
        ("mail.shop.co.uk", "shop.co.uk", "r", True),
        ("shop.co.uk", "other.co.uk", "r", False),
        ("", "example.com", "r", False),
    ],
)
def test_alignment_relaxed_and_strict(domain: str, from_domain: str, mode: str, aligned: bool) -> None:
    assert is_aligned(domain, from_domain, mode) is aligned


def _policy(text: str | None, domain: str = "example.com") -> DmarcPolicy:
    return DmarcPolicy(domain, parse_dmarc_record(text) if text else None, domain if text else None)


def _dkim(domain: str, result: str = "pass") -> DkimVerdict:
    return DkimVerdict(result, domain, "sender", "test")


def test_dmarc_relies_on_dkim_when_spf_passes_for_an_unaligned_bounce_domain() -> None:
    verdict = evaluate_dmarc(
        "example.com",
        _policy("v=DMARC1; p=reject"),
        spf_result="pass",
        spf_domain="bounces.example.net",
        dkim=[_dkim("example.com")],
    )
    assert verdict.result == "pass"
    assert verdict.aligned_by == "dkim"
    assert (
        "SPF passes for the bounce domain bounces.example.net, which is not aligned with From example.com"
        in verdict.explanation
    )
    assert verdict.explanation.endswith("DMARC relies on DKIM here")
    assert "DKIM d=example.com passes and aligns with From example.com (relaxed: the same domain)" in (
        verdict.explanation
    )


def test_strict_dkim_alignment_fails_a_parent_domain_signature_and_says_what_to_change() -> None:
    verdict = evaluate_dmarc(
        "news.example.com",
        _policy("v=DMARC1; p=quarantine; adkim=s; aspf=s", "example.com"),
        spf_result="fail",
        spf_domain="news.example.com",
        dkim=[_dkim("example.com")],
    )
    assert verdict.result == "fail"
    assert verdict.aligned_by == "none"
    assert "strict alignment needs exactly news.example.com" in verdict.explanation
    assert "sign with d=news.example.com exactly, or relax the record to adkim=r" in verdict.explanation
    relaxed = evaluate_dmarc(
        "news.example.com",
        _policy("v=DMARC1; p=quarantine", "example.com"),
        spf_result="fail",
        spf_domain="news.example.com",
        dkim=[_dkim("example.com")],
    )
    assert relaxed.result == "pass"
    assert "(relaxed: the same organisational domain)" in relaxed.explanation


def test_spf_alone_can_pass_dmarc_and_nothing_passing_fails_it() -> None:
    spf_only = evaluate_dmarc(
        "example.com",
        _policy("v=DMARC1; p=none"),
        spf_result="pass",
        spf_domain="example.com",
        dkim=[_dkim("example.com", "fail")],
    )
    assert (spf_only.result, spf_only.aligned_by) == ("pass", "spf")
    assert spf_only.explanation.endswith("DMARC relies on SPF here")
    nothing = evaluate_dmarc(
        "example.com", _policy("v=DMARC1; p=reject"), spf_result="softfail", spf_domain="example.com", dkim=[]
    )
    assert nothing.result == "fail"
    assert nothing.policy == "reject"
    assert "no identifier aligns: make DKIM pass with d=example.com" in nothing.explanation


def test_no_record_is_dmarc_none_and_a_dns_fault_temperror() -> None:
    none = evaluate_dmarc("example.com", _policy(None), spf_result="pass", spf_domain="example.com", dkim=[])
    assert none.result == "none"
    assert none.explanation.startswith("example.com and its organisational domain publish no DMARC record")
    fault = evaluate_dmarc(
        "example.com",
        DmarcPolicy("example.com", None, None, fault="TXT _dmarc.example.com: SERVFAIL"),
        spf_result="pass",
        spf_domain="example.com",
        dkim=[],
    )
    assert fault.result == "temperror"


def test_the_live_smoke_reads_the_identifiers_and_explains_an_unaligned_bounce_domain(key: SigningKey) -> None:
    from pytest_sender.live.verify import alignment_lines
    from pytest_sender.mailauth.alignment import message_identifiers

    message = EmailMessage()
    message["From"] = "Shop <orders@example.com>"
    message["To"] = "qa@inbox.test"
    message["Subject"] = "Order"
    message.set_content("Hello.")
    signed = sign_message(message.as_bytes(policy=SMTP), domain="example.com", selector="sender", key=key)
    raw = b"Return-Path: <bounce-123@bounces.example.net>\r\n" + signed
    identifiers = message_identifiers(raw)
    assert (identifiers.from_domain, identifiers.dkim_domains, identifiers.return_path_domain) == (
        "example.com",
        ("example.com",),
        "bounces.example.net",
    )
    lines = alignment_lines(identifiers, _policy("v=DMARC1; p=reject"), spf_result="pass", ours=(_dkim("example.com"),))
    assert lines[0] == "identifiers: From example.com; DKIM d=example.com; Return-Path bounces.example.net"
    assert lines[1] == "our DMARC reading (_dmarc.example.com, adkim=r aspf=r): dmarc=pass, aligned: dkim"
    assert (
        "SPF passes for the bounce domain bounces.example.net, which is not aligned with From example.com" in (lines[2])
    )
    assert lines[2].endswith("DMARC relies on DKIM here")
    # Without the DKIM pass, the explanation says which identifier must change.
    failing = alignment_lines(identifiers, _policy("v=DMARC1; p=reject"), spf_result="pass", ours=())
    assert "dmarc=fail, aligned: none" in failing[1]
    assert "make DKIM pass with d=example.com, or use a bounce domain under example.com" in failing[2]
