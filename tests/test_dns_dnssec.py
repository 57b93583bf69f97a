"""dns.dnssec over the real sandbox DNS server on loopback: a signed chain of zones made at start.

The server holds ``test`` (the trust anchor's zone, signed) and its children: ``example.test``
(signed, its DS in ``test``), ``unsigned.test`` (delegated, not signed), ``island.test`` (signed,
no DS), ``mismatch.test`` (its DS names another key), ``expired.test`` (signatures of last week)
and ``tampered.test`` (a record changed after signing). The plugin runs under ``--sender-sandbox``
(healthy and broken) too; and the trust anchor parser gets arbitrary text (hypothesis).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_sender.dns.dnssec import (
    ROOT_TRUST_ANCHOR,
    SignedRRset,
    Validity,
    parse_trust_anchor,
    validate_rrset,
    validate_zone_keys,
)
from pytest_sender.dns.dnssec_checks import check_dnssec, names_below
from pytest_sender.dns.query import DnsAnswer, Resolver
from pytest_sender.errors import ConfigError, ParseError
from pytest_sender.findings import Finding, Status
from pytest_sender.preflight.registry import CheckContext, RunParts
from pytest_sender.sandbox import EmbeddedSandbox
from pytest_sender.sandbox.dns_server import SANDBOX_DOMAIN, DnsServer
from pytest_sender.sandbox.dnssec_signing import ZoneKey, new_zone_key, sign_zone_text
from pytest_sender.settings import DnssecTrustAnchor, Nameserver, Settings, resolve_settings
from tests.helpers.dns_servers import KNOTD, SKIP_KNOT_REASON, start_knot

SOA = "@ IN SOA ns1.{o}. hostmaster.{o}. 1 3600 600 86400 300\n@ IN NS ns1.{o}.\nns1 IN A 127.0.0.1\n"
CHILDREN = ("example", "unsigned", "island", "mismatch", "expired", "tampered")


def _zone(origin: str, extra: str = "") -> str:
    return "$TTL 300\n" + SOA.format(o=origin) + extra


class Chain:
    """The zones, the keys and the server serving them."""

    def __init__(self) -> None:
        self.keys: dict[str, ZoneKey] = {o: new_zone_key(o) for o in ("test", *(f"{c}.test" for c in CHILDREN))}
        now = time.time()
        zones: dict[str, str] = {}
        sign: dict[str, dict[str, float]] = {
            "example.test": {},
            "island.test": {},
            "mismatch.test": {},
            "expired.test": {"inception": now - 14 * 86400, "expiration": now - 7 * 86400},
            "tampered.test": {},
        }
        for origin in (f"{c}.test" for c in CHILDREN):
            extra = "@ MX 10 mx\nmx A 127.0.0.1\nsub MX 10 mx\n"
            text = _zone(origin, extra)
            if origin in sign:
                text = sign_zone_text(origin, text, self.keys[origin], **sign[origin])
            zones[origin] = text
        # a record changed after signing: its signature no longer verifies
        zones["tampered.test"] = zones["tampered.test"].replace(" 1 3600 600 86400 300", " 2 3600 600 86400 300")
        assert " 2 3600 600 86400 300" in zones["tampered.test"]
        parent = ""
        for child in CHILDREN:
            parent += f"{child} NS ns1.{child}.test.\n"
            if child in ("unsigned", "island"):
                continue
            key = self.keys[f"{child}.test"] if child != "mismatch" else new_zone_key("mismatch.test")
            parent += f"{child} DS {key.ds_rdata_text()}\n"
        zones["test"] = sign_zone_text("test", _zone("test", parent), self.keys["test"])
        self.zones = zones
        self.server = DnsServer(zones).start()
        self.anchor = self.keys["test"].ds_text()

    def context(
        self, timeout: float = 2.0, anchor: str | None = None, server: Nameserver | None = None
    ) -> CheckContext:
        resolver = Resolver([server or self.server.nameserver], timeout=timeout)
        return CheckContext(
            Settings(
                timeout=timeout,
                dnssec_trust_anchor=DnssecTrustAnchor("inline", self.anchor if anchor is None else anchor),
            ),
            RunParts(dns_resolver=resolver),
        )

    def check(self, domain: str, timeout: float = 2.0, anchor: str | None = None) -> Finding:
        return run_check(self.context(timeout, anchor), domain)


def run_check(context: CheckContext, domain: str) -> Finding:
    async def main() -> Finding:
        return await check_dnssec(context, domain)

    return asyncio.run(main())


@pytest.fixture(scope="module")
def chain() -> Iterator[Chain]:
    made = Chain()
    try:
        yield made
    finally:
        made.server.stop()


@pytest.fixture(autouse=True)
def _clear_faults(chain: Chain) -> Iterator[None]:
    yield
    chain.server.faults.clear()


# --- the query layer ----------------------------------------------------------------------------


def test_a_dnssec_query_carries_the_rrsigs_and_a_plain_one_does_not(chain: Chain) -> None:
    async def ask() -> tuple[DnsAnswer, DnsAnswer, DnsAnswer, int]:
        resolver = Resolver([chain.server.nameserver], timeout=2)
        plain = await resolver.query("example.test", "SOA")
        signed = await resolver.query("example.test", "SOA", dnssec=True)
        again = await resolver.query("example.test", "SOA", dnssec=True)
        return plain, signed, again, resolver.queries_sent

    plain, signed, again, sent = asyncio.run(ask())
    assert plain.ok
    assert plain.rrsigs == ()
    assert signed.ok
    assert signed.records == plain.records
    assert [r.split()[0] for r in signed.rrsigs] == ["SOA"]
    assert again is signed
    assert sent == 2


def test_the_do_bit_survives_the_tcp_retry(chain: Chain) -> None:
    chain.server.faults.truncate.add("example.test")
    before = len(chain.server.packets)
    answer = asyncio.run(Resolver([chain.server.nameserver], timeout=2).query("example.test", "DNSKEY", dnssec=True))
    assert [t for _, t in chain.server.packets[before:]] == ["udp", "tcp"]
    assert answer.ok
    assert answer.rrsigs


def test_the_root_can_be_asked_and_the_walk_goes_down_label_by_label(chain: Chain) -> None:
    answer = asyncio.run(Resolver([chain.server.nameserver], timeout=2).query(".", "DNSKEY", dnssec=True))
    assert (answer.name, answer.status.value) == (".", "refused")  # on the wire: this server has no root zone
    assert names_below(".", "a.example.com") == ["com", "example.com", "a.example.com"]
    assert names_below("example.com", "a.b.example.com") == ["b.example.com", "a.b.example.com"]
    assert names_below("example.com", "example.com") == []
    assert names_below("example.com", "example.org") is None
    assert names_below("ample.com", "example.com") is None


# --- the check ----------------------------------------------------------------------------------


def test_a_signed_chain_validates(chain: Chain) -> None:
    finding = chain.check("example.test")
    assert (finding.status, finding.code) == (Status.PASS, "DNSSEC_OK"), finding.evidence
    assert "test (key tag" in finding.summary
    assert "example.test (key tag" in finding.summary
    assert finding.summary.endswith("SOA example.test")


def test_a_name_inside_a_signed_zone_validates_by_its_mx(chain: Chain) -> None:
    finding = chain.check("sub.example.test")
    assert finding.code == "DNSSEC_OK"
    assert finding.summary.endswith("MX sub.example.test")


def test_an_unsigned_domain_is_informational(chain: Chain) -> None:
    finding = chain.check("unsigned.test")
    assert (finding.status, finding.code) == (Status.PASS, "DNSSEC_UNSIGNED")
    assert "test has no DS record for unsigned.test" in finding.summary


def test_a_signed_zone_without_ds_warns(chain: Chain) -> None:
    finding = chain.check("island.test")
    assert (finding.status, finding.code) == (Status.WARN, "DNSSEC_DS_MISSING")
    assert str(chain.keys["island.test"].key_tag) in finding.summary
    assert "registrar" in finding.hint


def test_a_ds_matching_no_key_is_bogus(chain: Chain) -> None:
    finding = chain.check("mismatch.test")
    assert (finding.status, finding.code) == (Status.FAIL, "DNSSEC_BOGUS")
    assert "broken at mismatch.test: no DNSKEY of mismatch.test matches the DS record" in finding.summary
    assert "DS record at the registrar" in finding.hint


def test_an_expired_signature_fails_with_its_dates(chain: Chain) -> None:
    finding = chain.check("expired.test")
    assert (finding.status, finding.code) == (Status.FAIL, "DNSSEC_EXPIRED")
    assert "expired: valid from" in finding.summary
    assert "re-sign" in finding.fix


def test_a_record_changed_after_signing_is_bogus(chain: Chain) -> None:
    finding = chain.check("tampered.test")
    assert (finding.status, finding.code) == (Status.FAIL, "DNSSEC_BOGUS")
    assert "does not verify" in finding.summary


def test_the_wrong_anchor_key_is_bogus_at_the_top(chain: Chain) -> None:
    finding = chain.check("example.test", anchor=new_zone_key("test").ds_text())
    assert finding.code == "DNSSEC_BOGUS"
    assert "broken at test:" in finding.summary


def test_an_anchor_for_another_tree_skips(chain: Chain) -> None:
    finding = chain.check("example.test", anchor=new_zone_key("other.example").ds_text())
    assert (finding.status, finding.code) == (Status.SKIP, "DNSSEC_ANCHOR_UNRELATED")


def test_a_timeout_is_an_error_not_a_verdict(chain: Chain) -> None:
    chain.server.faults.drop.add("*")
    finding = chain.check("example.test", timeout=0.3)
    assert (finding.status, finding.code) == (Status.ERROR, "DNS_TIMEOUT")


def test_a_domain_that_does_not_exist_is_not_found(chain: Chain) -> None:
    assert chain.check("nowhere.test").code == "DNS_DOMAIN_NOT_FOUND"


KNOT_VERDICTS = {
    "example.test": "DNSSEC_OK",
    "sub.example.test": "DNSSEC_OK",
    "unsigned.test": "DNSSEC_UNSIGNED",
    "island.test": "DNSSEC_DS_MISSING",
    "mismatch.test": "DNSSEC_BOGUS",
    "expired.test": "DNSSEC_EXPIRED",
    "tampered.test": "DNSSEC_BOGUS",
}


@pytest.mark.skipif(KNOTD is None, reason=SKIP_KNOT_REASON)
def test_knot_serving_the_same_signed_zones_gives_the_same_verdicts(chain: Chain, tmp_path: Path) -> None:
    for origin, text in chain.zones.items():
        (tmp_path / f"{origin}.zone").write_text(text, encoding="utf-8")
    with start_knot(tmp_path) as knot:
        verdicts = {domain: run_check(chain.context(server=knot.nameserver), domain).code for domain in KNOT_VERDICTS}
    assert verdicts == KNOT_VERDICTS


def test_the_setting_takes_a_file_or_the_records_and_refuses_garbage(chain: Chain, tmp_path: Path) -> None:
    path = tmp_path / "anchor.txt"
    path.write_text("; the test zone\n" + chain.anchor + "\n", encoding="utf-8")
    from_file = resolve_settings(cli={"dnssec_trust_anchor": str(path)}).dnssec_trust_anchor
    assert (from_file.source, from_file.zone) == (str(path), "test")
    inline = resolve_settings(env={"SENDER_DNSSEC_TRUST_ANCHOR": chain.anchor}).dnssec_trust_anchor
    assert (inline.source, inline.zone) == ("inline", "test")
    assert resolve_settings().dnssec_trust_anchor.source == "root"
    resolver = Resolver([chain.server.nameserver], timeout=2)
    context = CheckContext(Settings(dnssec_trust_anchor=from_file), RunParts(dns_resolver=resolver))
    assert run_check(context, "example.test").code == "DNSSEC_OK"
    with pytest.raises(
        ConfigError, match=r"dnssec_trust_anchor \(from flag --sender-dnssec-trust-anchor\): line 1 .*digest"
    ):
        resolve_settings(cli={"dnssec_trust_anchor": "test. IN DS 1 15 2 abcd"})


def test_a_malformed_anchor_is_a_usage_error_naming_the_setting(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x():\n    pass\n")
    result = pytester.runpytest("--sender-preflight", "--sender-dnssec-trust-anchor", "example.com. IN DS 1 8 2 zz")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "invalid setting dnssec_trust_anchor (from flag --sender-dnssec-trust-anchor)" in result.stderr.str()


# --- the sandbox --------------------------------------------------------------------------------


@pytest.mark.parametrize(("scenario", "code"), [("healthy", "DNSSEC_OK"), ("broken", "DNSSEC_BOGUS")])
def test_the_sandbox_zone_is_signed_and_hands_over_its_anchor(scenario: str, code: str) -> None:
    with EmbeddedSandbox(scenario, components=["pytest_sender.sandbox.dns_server:DnsSandboxComponent"]) as sandbox:
        settings = Settings().with_overrides("sandbox", timeout=2.0, **sandbox.settings_overrides())
        assert settings.dnssec_trust_anchor.zone == SANDBOX_DOMAIN
        assert settings.sources["dnssec_trust_anchor"] == "sandbox"
        finding = run_check(CheckContext(settings, sandbox.run_parts()), SANDBOX_DOMAIN)
    assert finding.code == code, (finding.summary, finding.evidence)


def test_the_plugin_passes_dnssec_under_the_sandbox(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--sender-preflight", "--sender-sandbox", "-k", "dnssec")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"dns.dnssec*{SANDBOX_DOMAIN}*pass*DNSSEC_OK*"])
    # the header names the anchor used: the sandbox's zone key, not the root key
    result.stdout.fnmatch_lines([f"  dnssec_trust_anchor = inline ({SANDBOX_DOMAIN}) (sandbox (healthy))"])


def test_the_plugin_fails_dnssec_under_the_broken_sandbox(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--sender-preflight", "--sender-sandbox=broken", "-k", "dnssec")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"dns.dnssec*{SANDBOX_DOMAIN}*fail*DNSSEC_BOGUS*", "*fix the DNSSEC chain*"])


# --- the pure parts -----------------------------------------------------------------------------


def test_the_root_anchor_is_ksk_2017() -> None:
    anchor = parse_trust_anchor(ROOT_TRUST_ANCHOR)
    assert (anchor.zone, anchor.rdtype, anchor.key_tags) == (".", "DS", (20326,))


def test_a_dnskey_anchor_validates_like_a_ds(chain: Chain) -> None:
    key = chain.keys["test"]
    anchor = parse_trust_anchor(f"test. 300 IN DNSKEY {key.dnskey.to_text()}")
    answer = asyncio.run(Resolver([chain.server.nameserver], timeout=2).query("test", "DNSKEY", dnssec=True))
    verdict = validate_zone_keys(anchor, SignedRRset("test", "DNSKEY", answer.records, answer.rrsigs))
    assert verdict.ok
    assert verdict.signed_by == (key.key_tag,)
    unsigned = validate_rrset(SignedRRset("test", "DNSKEY", answer.records), "test", verdict.keys)
    assert unsigned.validity is Validity.BOGUS
    assert "without a signature" in unsigned.problem
    late = validate_zone_keys(
        anchor, SignedRRset("test", "DNSKEY", answer.records, answer.rrsigs), now=time.time() + 30 * 86400
    )
    assert late.validity is Validity.EXPIRED


@pytest.mark.parametrize(
    "text",
    [
        "",
        "; only a comment",
        ". IN DS ²0326 8 2 " + "ab" * 32,  # a digit look-alike
        ". IN DS 20326 8 2 " + "ab" * 31,  # the digest cut short
        ". IN DS 20326 8 9 " + "ab" * 32,  # an unknown digest type
        ". IN DS 99999999999999999999 8 2 " + "ab" * 32,  # a huge key tag
        ". 9" + "9" * 40 + " IN DS 20326 8 2 " + "ab" * 32,  # a huge TTL
        ". IN DS 20326 8 2",
        ". IN A 192.0.2.1",
        "example.com. DNSKEY 256 2 15 AAAA",  # protocol 2
        "example.com. DNSKEY 0 3 15 AAAA",  # not a zone key
        "a.. IN DS 1 8 2 " + "ab" * 32,
        ". IN DS 20326 8 2 " + "ab" * 32 + "\nexample. IN DS 1 8 2 " + "ab" * 32,  # two zones
        "x" * 70000,
    ],
)
def test_a_broken_anchor_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError):
        parse_trust_anchor(text)


ANCHOR_WORDS = st.sampled_from(
    [".", "example.com.", "IN", "DS", "DNSKEY", "20326", "²", "٣", "8", "2", "15", "257", "3", "(", ")", ";", "\\#"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.text(),
        st.lists(st.one_of(ANCHOR_WORDS, st.text(max_size=8), st.integers().map(str)), max_size=9).map(" ".join),
        st.integers(0, 90).map(lambda n: ROOT_TRUST_ANCHOR[:n]),
        st.text(alphabet="0123456789abcdefABCDEF+/= \n", max_size=200).map(lambda t: ". IN DS 20326 8 2 " + t),
        st.text(alphabet="0123456789abcdefABCDEF+/= \n", max_size=200).map(lambda t: "e. DNSKEY 257 3 15 " + t),
    )
)
def test_only_parse_errors_escape_the_anchor_parser(text: str) -> None:
    try:
        anchor = parse_trust_anchor(text)
    except ParseError:
        return
    assert anchor.rdtype in ("DS", "DNSKEY")
    assert anchor.records
    assert len(anchor.key_tags) == len(anchor.records)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=80), max_size=3), st.lists(st.text(max_size=120), max_size=3))
def test_validation_never_raises_on_garbage_records(records: list[str], rrsigs: list[str]) -> None:
    anchor = parse_trust_anchor(ROOT_TRUST_ANCHOR)
    verdict = validate_zone_keys(anchor, SignedRRset(".", "DNSKEY", tuple(records), tuple(rrsigs)))
    assert verdict.validity in (Validity.BOGUS, Validity.EXPIRED)
    other = validate_rrset(SignedRRset("x", "MX", tuple(records), tuple(rrsigs)), "x", tuple(records))
    assert other.validity in (Validity.BOGUS, Validity.EXPIRED, Validity.OK)
