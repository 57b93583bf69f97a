"""SPF: the parser, macros, RFC 7208 check_host() and the dns.spf check, over real DNS on loopback.

Zone-backed tests run against the sandbox DNS server and against Knot DNS (skipped where knotd
is not installed); fault injection (SERVFAIL, drops) needs the sandbox server.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Iterator

import pytest

from pytest_sender.dns.checks import check_spf
from pytest_sender.dns.query import Resolver
from pytest_sender.dns.spf import (
    MacroContext,
    Mechanism,
    Modifier,
    check_host,
    check_host_sync,
    expand_macros,
    parse_spf_record,
    select_spf_records,
    suggest_spf_record,
)
from pytest_sender.errors import ParseError
from pytest_sender.findings import Status
from tests.helpers.checks import dns_context
from tests.helpers.dns_servers import RunningDns, serve, start_sandbox_dns

TIMEOUT = 0.5


@pytest.fixture(scope="module", params=["sandbox", "knot"])
def zone_server(request: pytest.FixtureRequest) -> Iterator[RunningDns]:
    yield from serve(request.param)


@pytest.fixture
def resolver(zone_server: RunningDns) -> Resolver:
    return Resolver([zone_server.nameserver], timeout=TIMEOUT)


# --- the parser ---------------------------------------------------------------------------------


def test_a_record_parses_into_mechanisms_and_modifiers() -> None:
    record = parse_spf_record(
        "v=spf1 ip4:192.0.2.0/24 a:mail.example.com/28//64 -mx ~include:_spf.x.org "
        "?exists:%{i}.bl.example.org ip6:2001:db8::/32 ptr -all exp=why.%{d} foo=bar"
    )
    kinds = [(t.qualifier, t.name) for t in record.mechanisms]
    assert kinds == [
        ("+", "ip4"),
        ("+", "a"),
        ("-", "mx"),
        ("~", "include"),
        ("?", "exists"),
        ("+", "ip6"),
        ("+", "ptr"),
        ("-", "all"),
    ]
    a = record.mechanisms[1]
    assert (a.domain_spec, a.cidr4, a.cidr6) == ("mail.example.com", 28, 64)
    assert record.mechanisms[0] == Mechanism("+", "ip4", network="192.0.2.0", cidr4=24, text="ip4:192.0.2.0/24")
    assert record.exp == "why.%{d}"
    assert record.modifier("foo") == Modifier("foo", "bar", "foo=bar")
    assert record.all_term is not None
    assert record.all_term.result == "fail"


def test_mechanism_names_are_case_insensitive_and_extra_spaces_are_tolerated() -> None:
    record = parse_spf_record("V=SPF1  IP4:192.0.2.1   Include:example.com  -ALL")
    assert [m.name for m in record.mechanisms] == ["ip4", "include", "all"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("v=spf1 foo:bar -all", "unknown mechanism 'foo'"),
        ("v=spf1 ip4:192.0.2.300 -all", "is not an IP address"),
        ("v=spf1 ip4:2001:db8::1 -all", "is not an IPv4 address"),
        ("v=spf1 ip4:192.0.2.0/33", "prefix length '33' is not a whole number from 0 to 32"),
        ("v=spf1 ip6:2001:db8::/129", "prefix length '129' is not a whole number from 0 to 128"),
        ("v=spf1 a/33", "IPv4 prefix length '33' is not a whole number from 0 to 32"),
        ("v=spf1 include -all", "include needs ':domain'"),
        ("v=spf1 include:localhost -all", "not a fully qualified domain name"),
        ("v=spf1 include:example.c0m1- -all", "not a valid top-level label"),
        ("v=spf1 redirect=a.example.com redirect=b.example.com", "redirect= appears more than once"),
        ("v=spf1 exists:%{z}.example.com", "invalid macro"),
        ("v=spf1 exists:%{c}.example.com", "allowed only in exp="),
        ("v=spf1 -all:foo", "'all' takes no argument"),
        ("v=spf10 -all", "does not start with 'v=spf1'"),
        ("v=spf1 ip4:192.0.2.1 \u00e9", "outside printable ASCII"),
    ],
)
def test_malformed_records_raise_parse_error_naming_the_problem(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_spf_record(text)


def test_only_records_starting_with_exactly_v_spf1_are_selected() -> None:
    texts = ["v=spf1 -all", " v=spf1 -all", "v=spf10 -all", "google-site-verification=x", "v=spf1"]
    assert select_spf_records(texts) == ["v=spf1 -all", "v=spf1"]


# --- macros (RFC 7208 §7.4 examples) --------------------------------------------------------------

RFC_CONTEXT = MacroContext(
    sender="strong-bad@email.example.com", domain="email.example.com", ip=ipaddress.ip_address("192.0.2.3")
)


@pytest.mark.parametrize(
    ("spec", "expanded"),
    [
        ("%{s}", "strong-bad@email.example.com"),
        ("%{o}", "email.example.com"),
        ("%{d}", "email.example.com"),
        ("%{d4}", "email.example.com"),
        ("%{d3}", "email.example.com"),
        ("%{d2}", "example.com"),
        ("%{d1}", "com"),
        ("%{dr}", "com.example.email"),
        ("%{d2r}", "example.email"),
        ("%{l}", "strong-bad"),
        ("%{l-}", "strong.bad"),
        ("%{lr}", "strong-bad"),
        ("%{lr-}", "bad.strong"),
        ("%{l1r-}", "strong"),
        ("%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"),
        ("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"),
        ("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"),
        ("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"),
        ("%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"),
        ("%{L}.x.example.com", "strong-bad.x.example.com"),
        ("a%%b%_c%-d.example.com", "a%b c%20d.example.com"),
    ],
)
def test_macro_expansion_matches_the_rfc_examples(spec: str, expanded: str) -> None:
    assert expand_macros(spec, RFC_CONTEXT) == expanded


def test_ipv6_macro_expansion_uses_dotted_nibbles() -> None:
    context = MacroContext("strong-bad@email.example.com", "email.example.com", ipaddress.ip_address("2001:db8::cb01"))
    # capital nibbles, as RFC 7208 §7.4 writes them
    expected = "1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6._spf.example.com"
    assert expand_macros("%{ir}.%{v}._spf.%{d2}", context) == expected


def test_exp_only_letters_expand_in_explanations() -> None:
    assert expand_macros("%{c} via %{r} at %{t}", RFC_CONTEXT, exp=True) == "192.0.2.3 via unknown at 0"
    with pytest.raises(ParseError, match="only in exp"):
        expand_macros("%{c}.example.com", RFC_CONTEXT)


def test_an_expansion_over_253_characters_loses_labels_from_the_left() -> None:
    context = MacroContext("x@" + "a" * 60 + ".example.com", "example.com", ipaddress.ip_address("192.0.2.3"))
    expanded = expand_macros("%{o}.%{o}.%{o}.%{o}.%{o}", context)
    assert len(expanded) <= 253
    assert expanded.endswith("example.com")


# --- the corrected record -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        (None, "v=spf1 include:sendersrv.com ~all"),
        ("v=spf1 ip4:192.0.2.1 -all", "v=spf1 ip4:192.0.2.1 include:sendersrv.com -all"),
        ("v=spf1 mx include:_spf.google.com ~all", "v=spf1 mx include:_spf.google.com include:sendersrv.com ~all"),
        ("v=spf1 ip4:192.0.2.1", "v=spf1 ip4:192.0.2.1 include:sendersrv.com ~all"),
        (
            "v=spf1 ip4:192.0.2.1 redirect=_spf.example.com",
            "v=spf1 ip4:192.0.2.1 include:sendersrv.com redirect=_spf.example.com",
        ),
        ("v=spf1 include:sendersrv.com -all", "v=spf1 include:sendersrv.com -all"),
        ("v=spf1 a -all exp=why.example.com", "v=spf1 a include:sendersrv.com -all exp=why.example.com"),
    ],
)
def test_the_suggested_record_merges_the_include_before_all(current: str | None, expected: str) -> None:
    assert suggest_spf_record(current, "sendersrv.com") == expected
    if current is not None:
        parse_spf_record(expected)  # the suggestion is itself valid


def test_several_records_merge_into_one_with_the_strictest_all() -> None:
    merged = suggest_spf_record(["v=spf1 include:a.example ~all", "v=spf1 ip4:192.0.2.30 -all"], "sendersrv.com")
    assert merged == "v=spf1 include:a.example ip4:192.0.2.30 include:sendersrv.com -all"


def test_a_pass_all_record_is_softened_when_asked() -> None:
    assert suggest_spf_record("v=spf1 +all", "sendersrv.com", soften_all=True) == "v=spf1 include:sendersrv.com ~all"
    assert suggest_spf_record("v=spf1 a all", "sendersrv.com", soften_all=True) == "v=spf1 a include:sendersrv.com ~all"


# --- check_host() over DNS --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ip", "domain", "result", "reason"),
    [
        ("192.0.2.10", "good.test", "pass", "matched ip4:192.0.2.10"),
        ("198.51.100.7", "good.test", "pass", "matched include:sendersrv.com"),
        ("192.0.2.99", "good.test", "fail", "matched -all"),
        ("::ffff:192.0.2.10", "good.test", "pass", "matched ip4:192.0.2.10"),
        ("192.0.2.10", "bücher.test", "pass", "in xn--bcher-kva.test"),
        ("192.0.2.1", "multi-spf.test", "permerror", "publishes 2 SPF records"),
        ("192.0.2.1", "loop.test", "permerror", "more than 10 DNS lookups"),
        ("192.0.2.99", "lookups.test", "permerror", "more than 10 DNS lookups (at a:h4.lookups.test)"),
        ("192.0.2.99", "ten.lookups.test", "fail", "matched -all"),
        ("192.0.2.99", "void.test", "permerror", "more than 2 void lookups"),
        ("192.0.2.99", "two.void.test", "fail", "matched -all"),
        ("192.0.2.20", "redirect.test", "pass", "matched ip4:192.0.2.20 in _spf.redirect.test"),
        ("192.0.2.20", "withall.redirect.test", "neutral", "matched ?all"),  # redirect ignored: all present
        ("192.0.2.9", "dangling.redirect.test", "permerror", "redirect=nothing.redirect.test has no SPF record"),
        ("192.0.2.7", "macro.test", "pass", "matched exists:%{ir}.%{v}._spf.%{d}"),
        ("192.0.2.1", "split.test", "pass", "matched ip4:192.0.2.1"),
        ("192.0.2.11", "a.rfc.test", "pass", "matched a:rfc.test"),
        ("192.0.2.200", "a24.rfc.test", "pass", "matched a:rfc.test/24"),
        ("192.0.2.200", "a.rfc.test", "fail", "matched -all"),
        ("192.0.2.130", "mx.rfc.test", "pass", "matched mx:rfc.test"),
        ("192.0.2.65", "ptr.rfc.test", "pass", "matched ptr:rfc.test"),
        ("192.0.2.66", "ptr.rfc.test", "fail", "matched -all"),  # the PTR name has no matching A
        ("2001:db8::1", "ip6.rfc.test", "pass", "matched ip6:2001:db8::/32"),
        ("2001:db8::10", "a.rfc.test", "pass", "matched a:rfc.test"),
        ("192.0.2.9", "soft.rfc.test", "softfail", "matched ~all"),
        ("192.0.2.9", "neutral.rfc.test", "neutral", "matched ?all"),
        ("192.0.2.9", "noall.rfc.test", "neutral", "no mechanism matched"),
        ("192.0.2.9", "bad.rfc.test", "permerror", "unknown mechanism 'foo'"),
        ("192.0.2.9", "incnone.rfc.test", "permerror", "include:empty.test has no SPF record"),
        ("192.0.2.9", "incfail.rfc.test", "fail", "matched -all in incfail.rfc.test"),  # include softfail = no match
        ("192.0.2.9", "plusall.rfc.test", "pass", "matched +all"),
        ("192.0.2.9", "empty.test", "none", "publishes no SPF record"),
        ("192.0.2.9", "nothing.empty.test", "none", "publishes no SPF record"),
    ],
)
def test_check_host_returns_the_rfc_result(resolver: Resolver, ip: str, domain: str, result: str, reason: str) -> None:
    outcome = asyncio.run(check_host(ip, domain, f"alice@{domain}", resolver=resolver))
    assert outcome.result == result, outcome
    assert reason in outcome.reason


def test_fail_carries_the_exp_explanation_with_macros_expanded(resolver: Resolver) -> None:
    outcome = asyncio.run(check_host("192.0.2.8", "macro.test", "alice@macro.test", resolver=resolver))
    assert outcome.result == "fail"
    assert outcome.explanation == (
        "192.0.2.8 is not one of macro.test's designated mail servers (sender alice at macro.test)"
    )
    via_redirect = asyncio.run(check_host("192.0.2.99", "redirect.test", "bob@redirect.test", resolver=resolver))
    assert via_redirect.result == "fail"
    assert via_redirect.explanation == "192.0.2.99 is not allowed to send for _spf.redirect.test"


def test_the_sender_local_part_feeds_the_l_macro(resolver: Resolver) -> None:
    for sender, result in (("alice", "pass"), ("mallory", "fail")):
        outcome = asyncio.run(check_host("192.0.2.9", "user.macro.test", f"{sender}@x.test", resolver=resolver))
        assert outcome.result == result


def test_lookup_counts_are_reported(resolver: Resolver) -> None:
    outcome = asyncio.run(check_host("192.0.2.99", "ten.lookups.test", "a@ten.lookups.test", resolver=resolver))
    assert (outcome.result, outcome.lookups, outcome.void_lookups) == ("fail", 10, 0)


def test_check_host_sync_gives_the_same_answer(zone_server: RunningDns) -> None:
    resolver = Resolver([zone_server.nameserver], timeout=TIMEOUT)
    outcome = check_host_sync("198.51.100.7", "good.test", "", resolver=resolver)
    assert outcome.result == "pass"


def test_an_invalid_ip_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6 address"):
        check_host_sync("not-an-ip", "good.test", "a@good.test", resolver=Resolver(timeout=TIMEOUT))


def test_servfail_and_timeout_are_temperror_while_nxdomain_is_none() -> None:
    with start_sandbox_dns() as running:
        assert running.faults is not None
        running.faults.servfail.add("servfail.test")
        running.faults.drop.add("_spf.redirect.test")
        resolver = Resolver([running.nameserver], timeout=0.3)
        servfail = asyncio.run(check_host("192.0.2.1", "servfail.test", "a@servfail.test", resolver=resolver))
        assert servfail.result == "temperror"
        assert "SERVFAIL" in servfail.reason
        dropped = asyncio.run(check_host("192.0.2.1", "redirect.test", "a@redirect.test", resolver=resolver))
        assert dropped.result == "temperror"
        assert "TIMEOUT" in dropped.reason
        missing = asyncio.run(check_host("192.0.2.1", "nothing.servfail.test", "a@x.test", resolver=resolver))
        assert missing.result == "none"


# --- the dns.spf check ------------------------------------------------------------------------------


def run_spf(resolver: Resolver, domain: str, include: str = "sendersrv.com"):  # type: ignore[no-untyped-def]
    return asyncio.run(check_spf(dns_context(resolver, spf_include=include, timeout=TIMEOUT), domain))


@pytest.mark.parametrize(
    ("domain", "status", "code"),
    [
        ("good.test", Status.PASS, "SPF_OK"),
        ("bücher.test", Status.PASS, "SPF_OK"),
        ("split.test", Status.PASS, "SPF_OK"),
        ("redirect.test", Status.PASS, "SPF_OK"),
        ("macro.test", Status.PASS, "SPF_OK"),
        ("empty.test", Status.FAIL, "SPF_MISSING"),
        ("multi-spf.test", Status.FAIL, "SPF_MULTIPLE"),
        ("loop.test", Status.FAIL, "SPF_INCLUDE_LOOP"),
        ("lookups.test", Status.FAIL, "SPF_TOO_MANY_LOOKUPS"),
        ("void.test", Status.FAIL, "SPF_TOO_MANY_VOID_LOOKUPS"),
        ("withall.redirect.test", Status.FAIL, "SPF_INCLUDE_MISSING"),
        ("dangling.redirect.test", Status.FAIL, "SPF_INCLUDE_BROKEN"),
        ("incnone.rfc.test", Status.FAIL, "SPF_INCLUDE_BROKEN"),
        ("bad.rfc.test", Status.FAIL, "SPF_SYNTAX"),
        ("plusall.rfc.test", Status.FAIL, "SPF_PASS_ALL"),
        ("bareall.rfc.test", Status.FAIL, "SPF_PASS_ALL"),
        ("neutral.rfc.test", Status.FAIL, "SPF_INCLUDE_MISSING"),
        ("long.rfc.test", Status.WARN, "SPF_TOO_LONG"),
        ("big.test", Status.WARN, "SPF_ANSWER_TOO_LARGE"),
    ],
)
def test_the_spf_check_gives_each_zone_its_code(resolver: Resolver, domain: str, status: Status, code: str) -> None:
    finding = run_spf(resolver, domain)
    assert (finding.status, finding.code) == (status, code), finding.evidence


def test_neutral_all_with_the_include_warns(resolver: Resolver) -> None:
    finding = run_spf(resolver, "neutral.rfc.test", include="rfc.test")  # any include target will do
    assert finding.code == "SPF_INCLUDE_MISSING"
    finding = run_spf(resolver, "soft.rfc.test", include="sendersrv.com")
    assert finding.code == "SPF_INCLUDE_MISSING"
    assert "v=spf1 ip4:192.0.2.1 include:sendersrv.com ~all" in finding.hint


def test_a_question_mark_all_warns_with_the_fixed_record() -> None:
    zone = '$TTL 60\n@ SOA ns h 1 1 1 1 1\n@ NS ns\n@ TXT "v=spf1 include:sendersrv.com ?all"\n'
    from pytest_sender.sandbox.dns_server import DnsServer, load_zones
    from tests.helpers.dns_servers import ZONES

    zones = {"sendersrv.com": load_zones(ZONES)["sendersrv.com"], "q.test": zone}
    with DnsServer(zones) as server:
        finding = run_spf(Resolver([server.nameserver], timeout=TIMEOUT), "q.test")
    assert (finding.status, finding.code) == (Status.WARN, "SPF_NEUTRAL_ALL")
    assert '"v=spf1 include:sendersrv.com ~all"' in finding.fix


def test_the_missing_include_hint_shows_the_current_and_corrected_records(resolver: Resolver) -> None:
    finding = run_spf(resolver, "withall.redirect.test")
    assert "v=spf1 ip4:192.0.2.21 ?all redirect=_spf.redirect.test" in finding.hint
    assert "v=spf1 ip4:192.0.2.21 include:sendersrv.com ~all" in finding.hint  # ?all softened, redirect dropped
    assert "Recheck DNS records" in finding.hint


def test_too_many_lookups_lists_every_counted_term(resolver: Resolver) -> None:
    finding = run_spf(resolver, "lookups.test")
    assert "needs 11 DNS lookups" in finding.summary
    assert "i2.lookups.test: a:h4.lookups.test" in finding.hint
    assert "DNS lookups: 11 of 10" in finding.evidence


def test_void_lookups_name_the_terms(resolver: Resolver) -> None:
    finding = run_spf(resolver, "void.test")
    assert "a:nx1.void.test → NXDOMAIN" in finding.hint
    assert "mx:nx3.void.test → NXDOMAIN" in finding.hint


def test_the_missing_record_hint_gives_the_full_record(resolver: Resolver) -> None:
    finding = run_spf(resolver, "empty.test")
    assert finding.fix == 'publish TXT @ "v=spf1 include:sendersrv.com ~all"'


def test_multiple_records_hint_merges_them(resolver: Resolver) -> None:
    finding = run_spf(resolver, "multi-spf.test")
    assert "v=spf1 include:sendersrv.com ip4:192.0.2.30 -all" in finding.hint


def test_spf_servfail_is_an_error_never_missing() -> None:
    with start_sandbox_dns() as running:
        assert running.faults is not None
        running.faults.servfail.add("servfail.test")
        running.faults.drop.add("i2.lookups.test")
        resolver = Resolver([running.nameserver], timeout=0.3)
        finding = run_spf(resolver, "servfail.test")
        assert (finding.status, finding.code) == (Status.ERROR, "DNS_SERVFAIL")
        assert "could not be checked" in finding.summary
        nested = run_spf(resolver, "lookups.test")
        assert (nested.status, nested.code) == (Status.ERROR, "DNS_TIMEOUT")
        assert "i2.lookups.test" in nested.summary
        missing = run_spf(resolver, "nothing.servfail.test")
        assert (missing.status, missing.code) == (Status.FAIL, "DNS_DOMAIN_NOT_FOUND")  # a void answer, never a fault
