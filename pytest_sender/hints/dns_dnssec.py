"""Hints of dns.dnssec: is the sending domain signed, and does its chain of trust validate."""

from __future__ import annotations

from pytest_sender.findings import Status
from pytest_sender.hints.hint import Hint
from pytest_sender.hints.steps import rerun

__all__ = ["HINTS"]

_DELV = "delv {domain} SOA (or dig +dnssec {domain} SOA through a validating resolver: the ad flag is set)"
_ANALYZER = "A DNSSEC analyzer (dnsviz.net, dnssec-analyzer.verisignlabs.com) draws the whole chain."

HINTS: tuple[Hint, ...] = (
    Hint(
        "DNSSEC_OK",
        Status.PASS,
        "{domain} is signed and its chain of trust validates: {chain}",
        meaning="Every zone cut from the trust anchor down to the domain validates: each zone's keys "
        "match the DS record its parent signed, and the domain's own records carry valid signatures.",
    ),
    Hint(
        "DNSSEC_UNSIGNED",
        Status.PASS,
        "{domain} is not signed with DNSSEC: {parent} has no DS record for {zone} (informational)",
        meaning="The chain of trust ends above the domain: the zone is not signed, so validating "
        "receivers treat its answers as insecure, neither trusted nor rejected. Mail is delivered as "
        "usual; DNSSEC is optional (DANE for inbound TLS needs it).",
    ),
    Hint(
        "DNSSEC_DS_MISSING",
        Status.WARN,
        "{zone} publishes DNSSEC keys (key tag {tags}) but {parent} has no DS record for it, so nobody validates them",
        meaning="The zone is signed, but its parent does not vouch for the keys: to validators it is "
        "unsigned (insecure), and signing it buys nothing until the DS record is published.",
        why="The signing work protects nothing, and the day a DS is published with the wrong key the "
        "domain turns from insecure to bogus: validating receivers then reject its records.",
        steps=(
            "At the registrar of {zone} (where the domain is registered, not always the DNS host), add "
            "a DS record for the zone's key-signing key; your DNS host shows its value (key tag, "
            "algorithm, digest type and digest), often under DNSSEC settings.",
            "If you did not mean to sign the zone, turn signing off at the DNS host instead.",
        ),
        verify=rerun("dns.dnssec", first="dig DS {zone} shows the record and " + _DELV),
        fix_line="publish the DS record of {zone} at its registrar ({parent})",
    ),
    Hint(
        "DNSSEC_BOGUS",
        Status.FAIL,
        "The DNSSEC chain of trust of {domain} is broken at {zone}: {problem}",
        meaning="A zone on the way from the trust anchor down to the domain does not validate: no key "
        "matches the DS record of its parent, a signature does not verify, or a signed answer comes "
        "without one. Validating resolvers answer SERVFAIL for such a domain.",
        why="Receivers behind validating resolvers (a large share of mail servers) cannot look up "
        "the domain's SPF, DKIM, DMARC or MX records at all: mail from it is deferred or rejected, "
        "and replies to it bounce.",
        steps=(
            "No DNSKEY matches the DS: the DS record at the registrar of {zone} still names an old key "
            "(a key rollover, or a move to another DNS host). Replace it with the DS your DNS host "
            "shows now, or remove it to go unsigned while you sort it out.",
            "A signature does not verify or is missing: the DNS host must re-sign the zone {zone} "
            "(re-enable DNSSEC signing there, or re-run the signer of a self-hosted zone and reload it).",
            _ANALYZER,
        ),
        verify=rerun("dns.dnssec", first=_DELV + " reports a fully validated answer"),
        fix_line="fix the DNSSEC chain at {zone}: {problem}",
    ),
    Hint(
        "DNSSEC_EXPIRED",
        Status.FAIL,
        "A DNSSEC signature in {zone} is out of date: {problem}",
        meaning="The only signatures over a record of the chain are outside their validity window "
        "(expired, or dated in the future): validators treat the answer as bogus.",
        why="As with a broken chain, validating receivers cannot look up the domain's records, so its "
        "mail is deferred or rejected until the zone is re-signed.",
        steps=(
            "The signer of {zone} stopped re-signing: at the DNS host, check that DNSSEC signing is "
            "still on (re-enable it); for a self-hosted zone, run the signer again (dnssec-signzone, "
            "knotc zone-sign, ldns-signzone) and make sure its scheduled re-signing runs.",
            "A signature dated in the future points at a wrong clock on the signer: fix its time.",
            _ANALYZER,
        ),
        verify=rerun("dns.dnssec", first=_DELV + " reports a fully validated answer"),
        fix_line="re-sign the zone {zone} (signature out of date)",
    ),
    Hint(
        "DNSSEC_ANCHOR_UNRELATED",
        Status.SKIP,
        "The DNSSEC trust anchor is for {anchor_zone}, which is neither {domain} nor above it",
        meaning="The configured trust anchor cannot vouch for this domain: the chain of trust has to "
        "start at the domain's zone or one of its parents.",
        steps=(
            "Leave --sender-dnssec-trust-anchor (SENDER_DNSSEC_TRUST_ANCHOR) unset to start from the "
            "root, or give the DS or DNSKEY records of {domain}'s zone or of a parent zone.",
        ),
        verify=rerun("dns.dnssec"),
        fix_line="set SENDER_DNSSEC_TRUST_ANCHOR to a zone above {domain}, or unset it",
    ),
    Hint(
        "DNSSEC_ANCHOR_INVALID",
        Status.SKIP,
        "The DNSSEC trust anchor cannot be read: {error}",
        meaning="The trust anchor handed to the check (by a library caller, or a sandbox) is not DS "
        "or DNSKEY records of one zone; a malformed setting stops the run before it starts instead.",
        steps=(
            "Give --sender-dnssec-trust-anchor DS or DNSKEY records in zone-file form, one a line, "
            "for example: example.com. IN DS 12345 13 2 <the SHA-256 digest in hex>.",
        ),
        verify=rerun("dns.dnssec"),
        fix_line="fix the DNSSEC trust anchor ({error})",
    ),
)
