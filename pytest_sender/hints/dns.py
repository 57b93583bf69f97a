"""Hints every dns.* check shares: no domain configured, the DNS faults (a fault is never "record
missing"), an invalid or non-existent domain."""

from __future__ import annotations

from pytest_sender.findings import Status
from pytest_sender.hints.hint import Hint
from pytest_sender.hints.steps import RAISE_TIMEOUT, rerun

__all__ = ["HINTS"]

HINTS: tuple[Hint, ...] = (
    Hint(
        "DNS_NO_DOMAIN",
        Status.SKIP,
        "No sending domain is configured: set SENDER_DOMAINS or --sender-domain",
        meaning="The DNS checks were skipped because no sending domain is set.",
        steps=(
            "Name the domain(s) in your From addresses: --sender-domain example.com (repeatable), "
            "SENDER_DOMAINS=example.com,example.org, or sender_domains in the ini file.",
        ),
        fix_line="set SENDER_DOMAINS or --sender-domain",
    ),
    Hint(
        "DNS_TIMEOUT",
        Status.ERROR,
        "No DNS answer for {rdtype} {name} within {timeout:g} s; the {record} could not be checked",
        meaning="A DNS query timed out; the record is not known to be missing, it could not be read.",
        why="A timeout says nothing about the record; receivers whose lookups time out treat SPF and "
        "DMARC as a temporary error and may defer or reject mail.",
        steps=(
            "Check that this machine can reach its DNS servers ({server}) over UDP and TCP port 53.",
            "Query the name yourself: dig {rdtype} {name}; a slow or dead authoritative server of "
            "{name} also times out for receivers.",
            RAISE_TIMEOUT,
        ),
        verify=rerun("dns", first="dig {rdtype} {name} answers promptly"),
        fix_line="DNS query {rdtype} {name} timed out; check DNS reachability or raise --sender-timeout",
    ),
    Hint(
        "DNS_SERVFAIL",
        Status.ERROR,
        "The DNS server failed (SERVFAIL) on {rdtype} {name}; the {record} could not be checked",
        meaning="SERVFAIL: the resolver or the domain's servers failed; the record is not known to be missing.",
        why="Receivers that get SERVFAIL treat SPF/DMARC as a temporary error: mail is deferred or, "
        "after retries, bounced.",
        steps=(
            "Query the name yourself: dig {rdtype} {name}. A persistent SERVFAIL usually means a "
            "broken DNSSEC chain or unreachable authoritative servers for the domain.",
            "Check the domain's DNSSEC (DS record at the registrar versus the zone's keys) and that "
            "every NS server answers.",
        ),
        verify=rerun("dns", first="dig {rdtype} {name} returns NOERROR or NXDOMAIN"),
        fix_line="SERVFAIL on {rdtype} {name}; check the domain's DNS servers and DNSSEC",
    ),
    Hint(
        "DNS_REFUSED",
        Status.ERROR,
        "The DNS server {server} refused the query {rdtype} {name}; the {record} could not be checked",
        meaning="REFUSED: the configured DNS server will not answer this name (not recursive for us, "
        "or an access list).",
        why="Nothing was learned about the record.",
        steps=(
            "Point --sender-nameserver (SENDER_NAMESERVERS) at a recursive resolver that serves this "
            "machine, or leave it unset to use the system's resolvers.",
        ),
        verify=rerun("dns", first="dig @SERVER {rdtype} {name} answers"),
        fix_line="DNS server refused {rdtype} {name}; use a recursive resolver (--sender-nameserver)",
    ),
    Hint(
        "DNS_ERROR",
        Status.ERROR,
        "The DNS query {rdtype} {name} failed: {detail}; the {record} could not be checked",
        meaning="Any other DNS fault (network error, malformed answer, unusual response code).",
        why="Nothing was learned about the record.",
        steps=(
            "Query the name yourself: dig {rdtype} {name}.",
            "Check the configured DNS servers (--sender-nameserver / SENDER_NAMESERVERS).",
        ),
        fix_line="DNS query {rdtype} {name} failed ({detail})",
    ),
    Hint(
        "DNS_INVALID_NAME",
        Status.ERROR,
        "{domain!r} cannot be looked up in DNS: {detail}",
        meaning="The sending domain (or a name built from it, such as the DKIM selector's) is not a valid "
        "DNS name, so no record could be read.",
        why="A name with an empty or over-long label, or an invalid international form, cannot be sent to "
        "a DNS server; receivers cannot look it up either.",
        steps=(
            "Check the configured sending domain (--sender-domain / SENDER_DOMAINS) and the DKIM selector "
            "for typos: no empty labels (a..b), no label over 63 characters, at most 253 characters.",
        ),
        verify="Re-run the preflight; the check then reads the domain's records.",
        fix_line="fix the domain name {domain!r} ({detail})",
    ),
    Hint(
        "DNS_DOMAIN_NOT_FOUND",
        Status.FAIL,
        "{domain} does not exist in DNS (NXDOMAIN from {server}): no SPF, DKIM, DMARC or MX record can "
        "exist for it, and mail from it is refused",
        meaning="The sending domain itself does not resolve (NXDOMAIN): a typo, an unregistered or expired "
        "domain, or a resolver that cannot see it. Every dns check of the domain reports this code.",
        why="Receivers reject mail from a domain that does not exist, whatever SPF, DKIM or DMARC say; "
        "no record can be added until the name resolves.",
        steps=(
            "Check the spelling of the configured domain (--sender-domain / SENDER_DOMAINS): it must be "
            "the domain of your From addresses.",
            "Check at your registrar that {domain} is registered and not expired, and that its NS "
            "records point at servers that serve the zone.",
            "If the domain is new or internal, check that the DNS server the run uses "
            "(--sender-nameserver / SENDER_NAMESERVERS) can see it.",
        ),
        verify="dig SOA {domain} answers NOERROR with the zone's SOA; then re-run the preflight.",
        fix_line="{domain} does not exist (NXDOMAIN): check the name and its registration",
    ),
)
