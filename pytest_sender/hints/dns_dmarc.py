"""Hints of dns.dmarc (RFC 9989, RFC 9990)."""

from __future__ import annotations

from pytest_sender.findings import Status
from pytest_sender.hints.hint import Hint
from pytest_sender.hints.steps import RECHECK_DNS, rerun

__all__ = ["HINTS"]

HINTS: tuple[Hint, ...] = (
    Hint(
        "DMARC_OK",
        Status.PASS,
        "DMARC policy {policy} at {name}",
        meaning="One valid DMARC record with an enforcing policy (quarantine or reject).",
    ),
    Hint(
        "DMARC_MISSING",
        Status.FAIL,
        "No DMARC record at {name}{fallback}",
        meaning="Neither the domain nor any name above it on RFC 9989's tree walk publishes a v=DMARC1 record.",
        why="Gmail and Yahoo require a DMARC record from bulk senders; without it mail is filtered "
        "or rejected, and nobody receives reports of spoofing.",
        steps=(
            "In your DNS provider's zone editor for {org_domain}, add a TXT record at host _dmarc "
            "(full name _dmarc.{org_domain}; it also covers every subdomain) with the value:\n       {suggested}",
            "Start with p=none while reports come in, then move to p=quarantine.",
            RECHECK_DNS,
        ),
        verify=rerun("dns.dmarc", first="dig TXT _dmarc.{org_domain} shows v=DMARC1"),
        fix_line='publish TXT _dmarc "{suggested}"',
    ),
    Hint(
        "DMARC_MULTIPLE",
        Status.FAIL,
        "{name} publishes {count} DMARC records; exactly one is allowed",
        meaning="Several v=DMARC1 records at one name: receivers ignore them and treat the name as having "
        "no record (RFC 9989).",
        why="With several records no policy applies, as if none were published.",
        steps=(
            "Delete all but one v=DMARC1 TXT record at {name}.",
            RECHECK_DNS,
        ),
        verify="dig TXT {name} shows one v=DMARC1 record.",
        fix_line="keep one DMARC record at {name}",
    ),
    Hint(
        "DMARC_SYNTAX",
        Status.FAIL,
        "The DMARC record at {name} is invalid: {error}",
        meaning="The record breaks RFC 9989 syntax: v=DMARC1 first, and p, sp, np, adkim, aspf, fo, psd, t "
        "with valid values (unknown tags are ignored, not errors).",
        why="Receivers discard an invalid record, as if none were published.",
        steps=(
            "Fix the record; it is now:\n       {record}",
            "A valid example: {suggested}",
            RECHECK_DNS,
        ),
        verify=rerun("dns.dmarc"),
        fix_line="fix the DMARC record ({error})",
    ),
    Hint(
        "DMARC_POLICY_NONE",
        Status.WARN,
        "DMARC at {name} has policy none: spoofed mail is not blocked",
        meaning="p=none (or sp=none for subdomains) only monitors.",
        why="Receivers deliver mail that fails DMARC; Gmail and Yahoo accept p=none, but it gives "
        "no protection and less trust.",
        steps=(
            "Read the aggregate reports (rua) to confirm all legitimate mail passes, then change "
            "the record at {name} to:\n       {suggested}",
        ),
        verify=rerun("dns.dmarc"),
        fix_line='raise the DMARC policy: "{suggested}"',
    ),
    Hint(
        "DMARC_BAD_URI",
        Status.FAIL,
        "The DMARC record at {name} has an invalid report address: {uri}",
        meaning="rua/ruf must be a comma-separated list of mailto: URIs (with an optional !size).",
        why="Receivers drop reports to invalid addresses; some treat the record as invalid.",
        steps=(
            "Write each address as mailto:user@host, for example rua=mailto:dmarc@{org_domain}.",
            RECHECK_DNS,
        ),
        verify=rerun("dns.dmarc"),
        fix_line="fix the DMARC report address {uri}",
    ),
    Hint(
        "DMARC_EXTERNAL_UNAUTHORISED",
        Status.WARN,
        "{host} has not agreed to receive DMARC reports for {domain}",
        meaning="A rua/ruf destination in another organisational domain (found by RFC 9989's tree walk) "
        "lacks its authorisation record (RFC 9990).",
        why="Receivers send no reports to that address, so you will not see failures or spoofing.",
        steps=(
            "Ask the operator of {host} (your DMARC report service) to publish TXT "
            "{auth_name} with the value v=DMARC1, or send reports to an address at {org_domain}.",
        ),
        verify="dig TXT {auth_name} shows v=DMARC1.",
        fix_line='publish TXT {auth_name} "v=DMARC1" at the report host',
    ),
    Hint(
        "DMARC_TESTING",
        Status.WARN,
        "DMARC policy p={policy} at {name} is in testing mode (t=y): receivers may apply a lighter policy",
        meaning="t=y (RFC 9989) asks receivers to treat the policy as a test: quarantine as none, reject as "
        "quarantine.",
        why="While testing, spoofed mail is not held back as the policy says.",
        steps=(
            "When the aggregate reports show your own mail passing, remove t=y from the record at {name} (or set t=n).",
        ),
        verify=rerun("dns.dmarc", first="dig TXT {name} shows no t=y"),
        fix_line="remove t=y from {name} when the reports are clean",
    ),
    Hint(
        "DMARC_REMOVED_TAGS",
        Status.WARN,
        "The DMARC record at {name} uses {tags}, which RFC 9989 removed: receivers following it ignore them",
        meaning="pct, rf or ri: tags of RFC 7489 that RFC 9989 removed; receivers following RFC 9989 ignore them.",
        why="A roll-out that relies on pct= (apply the policy to part of the mail) does not happen at "
        "RFC 9989 receivers: they apply the whole policy.",
        steps=(
            "Use instead: {instead}.",
            "Publish the record without them:\n       {suggested}",
        ),
        verify=rerun("dns.dmarc", first="dig TXT {name} shows none of {tags}"),
        fix_line="drop {tags} from {name}",
    ),
    Hint(
        "DMARC_P_NOT_SECOND",
        Status.WARN,
        "In the DMARC record at {name}, p= does not come right after v=DMARC1: older receivers reject it",
        meaning="RFC 9989 allows p= anywhere, but RFC 7489 receivers, still common, require it right after "
        "v=DMARC1 and ignore the record otherwise.",
        why="Receivers that still follow RFC 7489 treat the domain as having no DMARC record.",
        steps=("Reorder the record so p= is the second tag:\n       {suggested}",),
        verify=rerun("dns.dmarc", first="dig TXT {name} starts with v=DMARC1; p="),
        fix_line="put p= right after v=DMARC1 in {name}",
    ),
)
