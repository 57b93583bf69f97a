"""Hints of dns.tls-rpt: the SMTP TLS Reporting record (RFC 8460)."""

from __future__ import annotations

from pytest_sender.findings import Status
from pytest_sender.hints.hint import Hint
from pytest_sender.hints.steps import DNS_EDITOR, rerun

__all__ = ["HINTS"]

_EXAMPLE = "v=TLSRPTv1; rua=mailto:tls-reports@{domain}"

HINTS: tuple[Hint, ...] = (
    Hint(
        "TLSRPT_OK",
        Status.PASS,
        "{domain} asks for TLS reports at {rua}",
        meaning="One valid v=TLSRPTv1 record at _smtp._tls with mailto: or https: destinations.",
    ),
    Hint(
        "TLSRPT_NONE",
        Status.SKIP,
        "{domain} publishes no TLS-RPT record at {name} (optional)",
        meaning="No v=TLSRPTv1 record: nothing is wrong, but nobody tells you when servers fail to "
        "deliver replies and bounces to the domain over TLS.",
        why="Without it, TLS failures on the way to your MX hosts (an expired certificate, a broken "
        "MTA-STS policy) stay silent until replies go missing.",
        steps=(
            DNS_EDITOR + ", add a TXT record at host _smtp._tls (full name {name}) with the value:\n       " + _EXAMPLE,
            "Use a mailbox (or an https: endpoint) that a report service or a person reads: reports "
            "arrive daily as gzipped JSON.",
        ),
        verify=rerun("dns.tls-rpt", first="dig TXT {name} shows v=TLSRPTv1"),
        fix_line='optional: publish TXT _smtp._tls "' + _EXAMPLE + '"',
    ),
    Hint(
        "TLSRPT_MULTIPLE",
        Status.FAIL,
        "{name} publishes {count} TLS-RPT records; exactly one is allowed",
        meaning="Several v=TLSRPTv1 records at one name: senders treat the domain as not asking for "
        "reports (RFC 8460 §3).",
        why="No sending server sends reports, so TLS failures toward the domain go unnoticed.",
        steps=("Delete all but one v=TLSRPTv1 TXT record at {name}; list every destination in its rua=.",),
        verify=rerun("dns.tls-rpt", first="dig TXT {name} shows one v=TLSRPTv1 record"),
        fix_line="keep one TLS-RPT record at {name}",
    ),
    Hint(
        "TLSRPT_SYNTAX",
        Status.FAIL,
        "The TLS-RPT record at {name} is invalid: {error}",
        meaning="The record breaks RFC 8460 syntax: v=TLSRPTv1 first, exactly one rua=, extension "
        "fields as name=value.",
        why="Sending servers discard an invalid record, so no reports arrive.",
        steps=(
            "Fix the record; it is now:\n       {record}",
            "A valid example: " + _EXAMPLE,
        ),
        verify=rerun("dns.tls-rpt"),
        fix_line="fix the TLS-RPT record ({error})",
    ),
    Hint(
        "TLSRPT_BAD_URI",
        Status.FAIL,
        "The TLS-RPT record at {name} has an invalid destination {uri}: {error}",
        meaning="Each rua= destination must be a mailto: address or an https: URL (RFC 8460 §3); "
        "commas inside one must be written %2C.",
        why="Reports cannot be delivered to a destination senders cannot read.",
        steps=(
            "Replace {uri} in the record at {name} with a mailto: address (mailto:tls-reports@{domain}) "
            "or an https:// URL of a report service; the record is now:\n       {record}",
        ),
        verify=rerun("dns.tls-rpt"),
        fix_line="fix the TLS-RPT destination {uri}",
    ),
)
