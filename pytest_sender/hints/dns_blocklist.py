"""Hints of dns.blocklist: the sending domain on domain blocklists."""

from __future__ import annotations

from pytest_sender.findings import Status
from pytest_sender.hints.hint import Hint
from pytest_sender.hints.steps import rerun

__all__ = ["HINTS"]

HINTS: tuple[Hint, ...] = (
    Hint(
        "BLOCKLIST_CLEAN",
        Status.PASS,
        "{domain} is on none of {lists}",
        meaning="No domain blocklist lists the domain.",
    ),
    Hint(
        "BLOCKLIST_LISTED",
        Status.FAIL,
        "{domain} is listed on {listing}",
        meaning="A domain blocklist lists the domain; receivers using it reject or junk mail naming it.",
        why="Mail that names a listed domain (From, links) is rejected or sent to spam by receivers that use the list.",
        steps=(
            "Find out why: look the domain up on the list's own site ({lookup}).",
            "Fix the cause (compromised site or account, spam links, bought lists), then request "
            "delisting on that site.",
            "Tell Sender support, who can check whether the listing affects their sending pool.",
        ),
        verify=rerun("dns.blocklist", when="after the list removes the entry"),
        fix_line="request delisting of {domain} from {listing}",
    ),
    Hint(
        "BLOCKLIST_QUERY_REFUSED",
        Status.ERROR,
        "{zone} refused the query from this resolver ({answer}); the listing is unknown",
        meaning="The list answered with its 'query refused' code (public or high-volume resolver), not a listing.",
        why="Nothing was learned about the domain.",
        steps=(
            "Query through your own recursive resolver (not a public one such as 8.8.8.8) with "
            "--sender-nameserver, or use the list's registered access (e.g. a Spamhaus DQS key).",
        ),
        verify=rerun("dns.blocklist"),
        fix_line="{zone} refused this resolver; use a private resolver",
    ),
    Hint(
        "BLOCKLIST_BAD_ANSWER",
        Status.ERROR,
        "{zone} answered {answer}, which is not a blocklist code; the listing is unknown",
        meaning="An answer outside 127.0.0.0/8: the resolver rewrites answers (ad or NXDOMAIN redirection).",
        why="Nothing was learned about the domain.",
        steps=("Use a resolver that does not rewrite NXDOMAIN answers (--sender-nameserver).",),
        verify=rerun("dns.blocklist"),
        fix_line="{zone} answer {answer} is not a list code; use a non-rewriting resolver",
    ),
)
