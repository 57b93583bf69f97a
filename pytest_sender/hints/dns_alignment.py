"""Hints of dns.alignment: whether mail from the configured From address can pass DMARC when
Sender signs it with d= the sending domain."""

from __future__ import annotations

from pytest_sender.findings import Status
from pytest_sender.hints.hint import Hint
from pytest_sender.hints.steps import rerun

__all__ = ["HINTS"]

HINTS: tuple[Hint, ...] = (
    Hint(
        "ALIGNMENT_OK",
        Status.PASS,
        "Mail from {address}, signed by Sender with d={signing_domain}, aligns with From {from_domain} "
        "under adkim={adkim} ({mode}: {how})",
        meaning="The sending domain Sender signs with aligns with the From domain under the DMARC record's "
        "adkim mode, so a valid signature passes DMARC.",
    ),
    Hint(
        "ALIGNMENT_STRICT_SUBDOMAIN",
        Status.FAIL,
        "Mail from {address} cannot pass DMARC: Sender signs with d={signing_domain}, and the record of "
        "{policy_domain} asks strict DKIM alignment (adkim=s)",
        meaning="The From address is on a subdomain of the sending domain, and the DMARC record demands strict "
        "alignment: the signature's d= must equal the From domain exactly.",
        why="Sender's bounce domain is its own, so SPF does not align with your From; DMARC relies on the DKIM "
        "signature, which strict alignment rejects here. Receivers apply the record's policy to every message.",
        steps=(
            "Either add {from_domain} as a sending domain of its own in Sender: Account settings → Domains → Add "
            "domain, then publish its sender._domainkey CNAME, so Sender signs with d={from_domain}.",
            "Or relax the DMARC record of {policy_domain} to adkim=r (relaxed alignment accepts d={signing_domain} "
            "for mail from {from_domain}).",
            "Or send from an address on {signing_domain} itself.",
        ),
        verify=rerun("alignment", then="dns.alignment passes"),
        fix_line="add {from_domain} as a sending domain in Sender, or set adkim=r at {policy_domain}",
    ),
    Hint(
        "ALIGNMENT_NOT_SENDING_DOMAIN",
        Status.FAIL,
        "Mail from {address} cannot be signed for its domain: {from_domain} is not a configured sending domain",
        meaning="No configured sending domain is the From domain, a parent of it or of its organisational "
        "domain, so Sender has no key that can make DKIM align with this From.",
        why="Sender signs with the domains verified in your account; mail from another domain fails DMARC "
        "wherever that domain publishes a record, and Sender may refuse the send.",
        steps=(
            "Add {from_domain} in Sender: Account settings → Domains → Add domain, verify it and publish its "
            "DKIM CNAME; then add it to SENDER_DOMAINS (or --sender-domain).",
            "Or change the From address to one on a sending domain you configured ({domains}).",
        ),
        verify=rerun("alignment", then="dns.alignment passes"),
        fix_line="verify {from_domain} in Sender and add it to SENDER_DOMAINS, or send from {domains}",
    ),
    Hint(
        "ALIGNMENT_NO_DMARC",
        Status.WARN,
        "Mail from {address}: {from_domain} and its organisational domain publish no usable DMARC record ({error})",
        meaning="Without a DMARC record for the From domain, no alignment applies: receivers that require "
        "DMARC (large mailbox providers do, for bulk senders) treat the mail with suspicion.",
        why="A DMARC record is what lets receivers trust that mail from your domain is yours; without one, "
        "spoofed mail and yours look the same.",
        steps=(
            'Publish a TXT record at _dmarc.{org_domain}: "v=DMARC1; p=none; rua=mailto:dmarc@{org_domain}", '
            "then move to p=quarantine once reports show Sender's mail passing.",
        ),
        verify=rerun("alignment", then="dns.alignment passes"),
        fix_line="publish a DMARC record at _dmarc.{org_domain}",
    ),
)
