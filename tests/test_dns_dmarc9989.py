"""DMARC as RFC 9989 defines it, over a real DNS server on loopback: tree walk, psd, np, t, removed tags."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from pytest_sender.dns.checks import check_dmarc
from pytest_sender.dns.dmarc import MAX_TREE_WALK_QUERIES, discover, parse_dmarc_record, tree_walk_names
from pytest_sender.dns.query import Resolver
from pytest_sender.findings import Finding, Status
from pytest_sender.sandbox.dns_server import DnsServer
from tests.helpers.checks import dns_context

HEAD = """$TTL 300
@ IN SOA ns1 hostmaster 1 3600 600 86400 300
@ IN NS ns1
ns1 IN A 127.0.0.1
"""
ZONES = {
    # a registry-like suffix publishing a PSD record, and a company below it
    "psdtld": HEAD
    + """
_dmarc TXT "v=DMARC1; p=reject; psd=y"
_dmarc.company TXT "v=DMARC1; p=quarantine; sp=reject; np=reject; rua=mailto:agg@company.psdtld"
a.b.c.d.e.company A 192.0.2.1
mail.company A 192.0.2.1
_dmarc.removed TXT "v=DMARC1; p=reject; pct=50; rf=afrf; ri=3600; xyz=1"
_dmarc.order TXT "v=DMARC1; rua=mailto:d@order.psdtld; p=reject"
_dmarc.testing TXT "v=DMARC1; p=reject; t=y"
_dmarc.unknown TXT "v=DMARC1; p=reject; future=yes; other=1"
_dmarc.ext TXT "v=DMARC1; p=reject; rua=mailto:agg@reports.reportsink"
_dmarc.orgn TXT "v=DMARC1; p=reject; psd=n"
_dmarc.sub.orgn TXT "v=DMARC1; p=reject; rua=mailto:d@orgn.psdtld"
""",
    "reportsink": HEAD,  # no authorisation records: external destinations are unauthorised
}


@pytest.fixture(scope="module")
def resolver() -> Iterator[Resolver]:
    server = DnsServer(ZONES).start()
    try:
        yield Resolver([server.nameserver], timeout=1.0)
    finally:
        server.stop()


def run(resolver: Resolver, domain: str) -> Finding:
    return asyncio.run(check_dmarc(dns_context(resolver, timeout=1.0), domain))


def test_the_tree_walk_names_are_bounded_to_eight() -> None:
    assert tree_walk_names("mail.shop.co.uk") == ("mail.shop.co.uk", "shop.co.uk", "co.uk", "uk")
    long = ".".join(f"l{i}" for i in range(12))
    names = tree_walk_names(long)
    assert len(names) == MAX_TREE_WALK_QUERIES
    assert names[1] == ".".join(f"l{i}" for i in range(5, 12))  # the rightmost seven labels
    assert names[-1] == "l11"


def test_a_multi_label_domain_finds_the_record_of_an_ancestor_by_the_walk(resolver: Resolver) -> None:
    finding = run(resolver, "a.b.c.d.e.company.psdtld")
    assert (finding.status, finding.code) == (Status.PASS, "DMARC_OK")
    assert "sp=reject" in finding.summary
    assert "(applies to a.b.c.d.e.company.psdtld: reject)" in finding.summary
    assert "np=reject" in finding.summary
    reason = " ".join(finding.evidence)
    assert "a.b.c.d.e.company.psdtld has no record; the tree walk found _dmarc.company.psdtld" in reason
    assert "psd=y (a public suffix domain)" in reason  # why company.psdtld is the organisational domain


def test_a_psd_record_makes_the_name_below_it_the_organisational_domain() -> None:
    records = {"mail.company.psdtld": (), "company.psdtld": (), "psdtld": ("v=DMARC1; p=reject; psd=y",)}
    found = discover("mail.company.psdtld", records)
    assert (found.policy_domain, found.organisational_domain) == ("psdtld", "company.psdtld")
    with_n = discover("sub.orgn.psdtld", {"orgn.psdtld": ("v=DMARC1; p=reject; psd=n",)})
    assert with_n.organisational_domain == "orgn.psdtld"


def test_np_and_psd_and_t_are_understood() -> None:
    record = parse_dmarc_record("v=DMARC1; p=none; np=reject; psd=n; t=y")
    assert (record.nonexistent_policy, record.psd, record.testing) == ("reject", "n", True)


@pytest.mark.parametrize("tag", ["pct=50", "rf=afrf", "ri=3600"])
def test_each_removed_tag_is_a_warning_saying_what_to_use_instead(tag: str) -> None:
    record = parse_dmarc_record(f"v=DMARC1; p=reject; {tag}")
    assert record.removed == (tag.split("=", maxsplit=1)[0],)


def test_removed_tags_in_a_published_record(resolver: Resolver) -> None:
    finding = run(resolver, "removed.psdtld")
    assert (finding.status, finding.code) == (Status.WARN, "DMARC_REMOVED_TAGS")
    assert "uses pct=, rf=, ri=, which RFC 9989 removed" in finding.summary
    assert "t=y (testing) for a partial roll-out" in finding.hint
    assert "ignored (not RFC 9989 tags): xyz" in finding.evidence
    assert "v=DMARC1; p=reject" in finding.hint
    assert "pct=50" not in finding.hint.split("without them:")[1]


def test_unknown_tags_are_ignored_with_a_note(resolver: Resolver) -> None:
    finding = run(resolver, "unknown.psdtld")
    assert finding.code == "DMARC_OK"
    assert "ignored (not RFC 9989 tags): future, other" in finding.evidence


def test_p_later_than_second_is_valid_but_warns_for_older_receivers(resolver: Resolver) -> None:
    finding = run(resolver, "order.psdtld")
    assert (finding.status, finding.code) == (Status.WARN, "DMARC_P_NOT_SECOND")
    assert "v=DMARC1; p=reject; rua=mailto:d@order.psdtld" in finding.hint


def test_testing_mode_warns(resolver: Resolver) -> None:
    finding = run(resolver, "testing.psdtld")
    assert (finding.status, finding.code) == (Status.WARN, "DMARC_TESTING")


def test_an_external_report_destination_is_judged_by_organisational_domain(resolver: Resolver) -> None:
    external = run(resolver, "ext.psdtld")
    assert external.code == "DMARC_EXTERNAL_UNAUTHORISED"
    assert "ext.psdtld._report._dmarc.reports.reportsink" in external.hint
    internal = run(resolver, "sub.orgn.psdtld")  # orgn.psdtld is the organisational domain (psd=n)
    assert internal.code == "DMARC_OK"
