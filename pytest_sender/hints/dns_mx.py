"""Hints of dns.mx: can the sending domain receive replies and bounces."""

from __future__ import annotations

from pytest_sender.findings import Status
from pytest_sender.hints.hint import Hint
from pytest_sender.hints.steps import DNS_EDITOR

__all__ = ["HINTS"]

HINTS: tuple[Hint, ...] = (
    Hint(
        "MX_OK",
        Status.PASS,
        "{domain} receives mail at {hosts}",
        meaning="The domain has MX records, so replies and bounces can arrive.",
    ),
    Hint(
        "MX_A_FALLBACK",
        Status.PASS,
        "{domain} has no MX but receives mail at its address {address}",
        meaning="No MX, but an A/AAAA record that senders fall back to (RFC 5321 §5.1).",
    ),
    Hint(
        "MX_NULL",
        Status.WARN,
        "{domain} publishes a null MX: it cannot receive replies or bounces",
        meaning="MX 0 . declares the domain accepts no mail (RFC 7505).",
        why="Replies to your transactional mail bounce, and some receivers distrust From domains "
        "that cannot receive mail.",
        steps=(
            "If customers reply to these messages, replace the null MX with your mail host's MX "
            "records, or set a reply_to address on a domain that receives mail.",
        ),
        verify="dig MX {domain}.",
        fix_line="replace the null MX of {domain} if replies must arrive",
    ),
    Hint(
        "MX_NONE",
        Status.WARN,
        "{domain} has no MX and no address record: it cannot receive replies or bounces",
        meaning="Neither MX nor A/AAAA: mail to the domain cannot be delivered.",
        why="Replies and bounces are lost, and receivers distrust From domains that cannot receive mail.",
        steps=(
            DNS_EDITOR + ", add MX records for the mail service that receives for {domain}, or "
            "send from a domain that receives mail.",
        ),
        verify="dig MX {domain}.",
        fix_line="add MX records for {domain}",
    ),
)
