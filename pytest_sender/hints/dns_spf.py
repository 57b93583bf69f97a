"""Hints of dns.spf (RFC 7208)."""

from __future__ import annotations

from pytest_sender.findings import Status
from pytest_sender.hints.hint import Hint
from pytest_sender.hints.steps import DNS_EDITOR, RECHECK_DNS, rerun

__all__ = ["HINTS"]

HINTS: tuple[Hint, ...] = (
    Hint(
        "SPF_OK",
        Status.PASS,
        "SPF authorises Sender ({lookups} of 10 DNS lookups, {void_lookups} of 2 void lookups)",
        meaning="Exactly one valid SPF record that includes Sender, within the lookup limits.",
    ),
    Hint(
        "SPF_MISSING",
        Status.FAIL,
        "{domain} publishes no SPF record",
        meaning="No TXT record starting with v=spf1 at the domain.",
        why="Without SPF, receivers cannot tell Sender's servers are allowed to send for {domain}; "
        "Gmail and Yahoo require SPF or DKIM, and DMARC alignment fails, so mail lands in spam or is rejected.",
        steps=(
            DNS_EDITOR + ", add a TXT record at the domain itself (host @) with the value:\n       {suggested}",
            "If other services send mail for {domain}, add their include: terms before ~all.",
            RECHECK_DNS,
        ),
        verify=rerun("dns.spf", first="dig TXT {domain} shows the record"),
        fix_line='publish TXT @ "{suggested}"',
    ),
    Hint(
        "SPF_MULTIPLE",
        Status.FAIL,
        "{domain} publishes {count} SPF records; exactly one is allowed",
        meaning="More than one v=spf1 TXT record: SPF evaluation is a permanent error (RFC 7208 §4.5).",
        why="With two SPF records every receiver gets a permerror, which counts as no SPF: DMARC "
        "fails on SPF and mail is filtered.",
        steps=(
            DNS_EDITOR + ", delete all {count} v=spf1 TXT records and publish one merged record:\n       {suggested}",
            "Check the merged record still names every service that sends for {domain}.",
            RECHECK_DNS,
        ),
        verify=rerun("dns.spf", first="dig TXT {domain} shows exactly one v=spf1 record"),
        fix_line='merge into one record: "{suggested}"',
    ),
    Hint(
        "SPF_SYNTAX",
        Status.FAIL,
        "The SPF record of {domain} is invalid: {error}",
        meaning="The record does not follow RFC 7208 syntax: receivers return permerror.",
        why="A record with a syntax error is a permanent error for every receiver: SPF never passes.",
        steps=(
            "Fix the term named in the error. The record now is:\n       {record}",
            "Mechanisms are all, include:, a, mx, ptr, ip4:, ip6:, exists: (with +, -, ~ or ? in "
            "front); modifiers are redirect= and exp=; terms are separated by single spaces.",
            RECHECK_DNS,
        ),
        verify=rerun("dns.spf"),
        fix_line="fix the SPF syntax: {error}",
    ),
    Hint(
        "SPF_INCLUDE_LOOP",
        Status.FAIL,
        "The SPF include tree of {domain} loops: {loop}",
        meaning="An include or redirect leads back to a record already being evaluated.",
        why="A loop exhausts the 10-lookup limit: receivers return permerror and SPF never passes.",
        steps=(
            "Remove the include:/redirect= that points back up the chain ({loop}).",
            RECHECK_DNS,
        ),
        verify=rerun("dns.spf"),
        fix_line="break the include loop {loop}",
    ),
    Hint(
        "SPF_TOO_MANY_LOOKUPS",
        Status.FAIL,
        "The SPF record of {domain} needs {lookups} DNS lookups; at most 10 are allowed",
        meaning="include, a, mx, ptr, exists and redirect across the whole tree exceed RFC 7208's limit of 10.",
        why="Receivers stop at the 11th lookup with permerror: SPF fails for every sender listed after it, "
        "often including Sender.",
        steps=(
            "Remove includes of services that no longer send for {domain}.",
            "Replace a and mx terms with ip4:/ip6: ranges (they cost no lookup), and ptr altogether.",
            "Keep include:{include}; the lookups counted were: {terms}.",
            RECHECK_DNS,
        ),
        verify=rerun("dns.spf", then="the pass line shows the lookup count"),
        fix_line="cut SPF DNS lookups from {lookups} to 10 or fewer",
    ),
    Hint(
        "SPF_TOO_MANY_VOID_LOOKUPS",
        Status.FAIL,
        "The SPF record of {domain} has {void_lookups} lookups that find nothing; at most 2 are allowed",
        meaning="More than two mechanisms name hosts that do not exist or have no records (RFC 7208 §4.6.4).",
        why="Receivers return permerror after the third void lookup, so SPF never passes.",
        steps=(
            "Remove or correct the terms that point at nothing: {terms}.",
            RECHECK_DNS,
        ),
        verify=rerun("dns.spf"),
        fix_line="remove SPF terms that resolve to nothing ({terms})",
    ),
    Hint(
        "SPF_INCLUDE_BROKEN",
        Status.FAIL,
        "An include in the SPF tree of {domain} is unusable: {problem}",
        meaning="An include:/redirect= target has no SPF record, several, or an invalid one: permerror.",
        why="A broken include is a permanent error for the whole record: SPF never passes.",
        steps=(
            "Remove the include of a service you no longer use, or correct its name (check the "
            "provider's documentation for the exact include value).",
            RECHECK_DNS,
        ),
        verify=rerun("dns.spf"),
        fix_line="fix or remove the broken include ({problem})",
    ),
    Hint(
        "SPF_PASS_ALL",
        Status.FAIL,
        "The SPF record of {domain} ends in {term}: it authorises every server on the internet",
        meaning="+all (or a bare all) lets anyone pass SPF for the domain.",
        why="Anyone can send mail that passes SPF as {domain}; receivers treat such records as a "
        "spam signal and the domain is open to spoofing.",
        steps=(
            DNS_EDITOR + ", replace the SPF record with:\n       {suggested}",
            RECHECK_DNS,
        ),
        verify=rerun("dns.spf", first="dig TXT {domain} ends in ~all or -all"),
        fix_line='replace {term} with ~all: "{suggested}"',
    ),
    Hint(
        "SPF_INCLUDE_MISSING",
        Status.FAIL,
        "The SPF record of {domain} does not include {include}",
        meaning="Sender's servers are not authorised by the domain's SPF record.",
        why="Mail Sender sends for {domain} fails SPF (softfail or fail): it is filtered or rejected, "
        "and Sender shows the domain as not authenticated.",
        steps=(
            DNS_EDITOR + ", change the TXT record at @ from:\n       {record}\n     to:\n       {suggested}",
            "Keep a single v=spf1 record: merge, do not add a second one.",
            RECHECK_DNS,
        ),
        verify=rerun("dns.spf", first="dig TXT {domain} shows include:{include}"),
        fix_line='publish "{suggested}"',
    ),
    Hint(
        "SPF_NEUTRAL_ALL",
        Status.WARN,
        "The SPF record of {domain} ends in {term}: servers it does not list get a neutral result",
        meaning="?all (or no all at all) asserts nothing about unlisted servers.",
        why="Spoofed mail gets 'neutral' instead of failing, so receivers trust the domain less and "
        "DMARC cannot rely on SPF failures.",
        steps=(
            DNS_EDITOR + ", publish:\n       {suggested}",
            RECHECK_DNS,
        ),
        verify=rerun("dns.spf"),
        fix_line='end the SPF record with ~all or -all: "{suggested}"',
    ),
    Hint(
        "SPF_TOO_LONG",
        Status.WARN,
        "The SPF record of {domain} is {length} bytes long; keep it under 450",
        meaning="A long SPF record risks truncated UDP answers and is hard to maintain.",
        why="Answers over 512 bytes need TCP; receivers behind firewalls that block TCP/53 then "
        "time out and treat SPF as a temporary error.",
        steps=(
            "Replace long lists of ip4:/ip6: terms with an include: of a record that holds them, or "
            "merge adjacent ranges into larger prefixes.",
            "Remove TXT verification tokens at @ that are no longer needed (they share the answer).",
        ),
        verify=rerun("dns.spf"),
        fix_line="shorten the SPF record ({length} bytes)",
    ),
    Hint(
        "SPF_ANSWER_TOO_LARGE",
        Status.WARN,
        "The TXT answer at {domain} is {answer_bytes} bytes: the SPF record ({record_bytes} bytes) shares it "
        "with {others} other TXT records ({others_bytes} bytes)",
        meaning="The SPF record itself is short, but the other TXT records at the same name make the answer "
        "receivers fetch too large for one UDP packet (RFC 7208 §3.4 counts the whole answer).",
        why="Receivers get every TXT record at the name in one answer; past 512 bytes it needs TCP, and "
        "receivers that cannot use TCP/53 see a temporary SPF error.",
        steps=(
            "Remove TXT records at {domain} that are no longer needed (old site-verification tokens, "
            "duplicate records); the evidence lists each with its size.",
            "Services that accept it can verify at a subdomain instead (for example _service.{domain}); "
            "move their tokens there.",
            "Keep the SPF record as it is: it is not the problem.",
        ),
        verify=rerun("dns.spf", first="dig TXT {domain} shows fewer records"),
        fix_line="remove unneeded TXT records at {domain} (answer {answer_bytes} bytes)",
    ),
)
