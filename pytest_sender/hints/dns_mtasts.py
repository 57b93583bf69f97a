"""Hints of dns.mta-sts: the MTA-STS record and policy (RFC 8461)."""

from __future__ import annotations

from pytest_sender.findings import Status
from pytest_sender.hints.hint import Hint
from pytest_sender.hints.steps import DNS_EDITOR, RAISE_TIMEOUT, rerun

__all__ = ["HINTS"]

_CURL = "curl -sS https://{host}/.well-known/mta-sts.txt"

HINTS: tuple[Hint, ...] = (
    Hint(
        "MTASTS_OK",
        Status.PASS,
        "{domain} enforces MTA-STS (max_age {max_age} s) for {hosts}",
        meaning="One valid v=STSv1 record, and a policy served over verified HTTPS in enforce mode whose mx "
        "patterns cover every MX host.",
    ),
    Hint(
        "MTASTS_NONE",
        Status.SKIP,
        "{domain} publishes no MTA-STS record at {name} (optional)",
        meaning="No v=STSv1 record: servers delivering to the domain may fall back to unencrypted or "
        "unverified SMTP. Nothing breaks; MTA-STS is optional.",
        why="Without MTA-STS an attacker on the path can strip STARTTLS from replies and bounces sent to "
        "the domain, and read them.",
        steps=(
            "Serve a policy at https://{host}/.well-known/mta-sts.txt (a certificate valid for {host}, "
            "no redirect) listing your MX hosts, starting with mode: testing:\n"
            "       version: STSv1\n       mode: testing\n       mx: <each MX host>\n       max_age: 86400",
            DNS_EDITOR + ', add a TXT record at host _mta-sts (full name {name}) with the value "v=STSv1; '
            'id=<a new value whenever the policy changes, e.g. 20260101>".',
            "Publish a TLS-RPT record (dns.tls-rpt) to hear about failures, then move to mode: enforce.",
        ),
        verify=rerun("dns.mta-sts", first=_CURL + " shows the policy"),
        fix_line="optional: serve an MTA-STS policy at {host} and publish TXT _mta-sts",
    ),
    Hint(
        "MTASTS_MULTIPLE",
        Status.FAIL,
        "{name} publishes {count} MTA-STS records; exactly one is allowed",
        meaning="Several v=STSv1 records at one name: senders treat the domain as having no policy (RFC 8461 §3.1).",
        why="The policy you serve is ignored, so delivery to the domain is not protected.",
        steps=("Delete all but one v=STSv1 TXT record at {name}.",),
        verify=rerun("dns.mta-sts", first="dig TXT {name} shows one v=STSv1 record"),
        fix_line="keep one MTA-STS record at {name}",
    ),
    Hint(
        "MTASTS_RECORD_SYNTAX",
        Status.FAIL,
        "The MTA-STS record at {name} is invalid: {error}",
        meaning="The record breaks RFC 8461 syntax: v=STSv1 first, one id= of 1 to 32 letters and digits.",
        why="Senders discard an invalid record and ignore the policy.",
        steps=('Fix the record; it is now:\n       {record}\n     A valid example: "v=STSv1; id=20260101".',),
        verify=rerun("dns.mta-sts"),
        fix_line="fix the MTA-STS record ({error})",
    ),
    Hint(
        "MTASTS_POLICY_UNFETCHABLE",
        Status.FAIL,
        "{domain} announces MTA-STS at {name}, but its policy cannot be fetched: {problem}",
        meaning="The record exists, but the policy at https://mta-sts.<domain>/.well-known/mta-sts.txt does "
        "not arrive: no address, refused, a certificate that does not verify, a redirect, an HTTP error, "
        "over 64 KiB, or not served as text/plain.",
        why="Senders that cached an earlier policy keep enforcing it until it expires, and a new one "
        "cannot reach them; the record promises a policy nobody can read.",
        steps=(
            "Serve the policy at {url}: host {host} resolvable, HTTPS with a certificate valid for {host} "
            "from a public CA, HTTP 200 with Content-Type text/plain, no redirect, under 64 KiB.",
            "If you no longer want MTA-STS, serve mode: none for a while, then remove the record at {name}.",
        ),
        verify=rerun("dns.mta-sts", first=_CURL + " prints the policy"),
        fix_line="serve the MTA-STS policy at {url} ({problem})",
    ),
    Hint(
        "MTASTS_POLICY_TIMEOUT",
        Status.ERROR,
        "No complete answer from {url} within {timeout:g} s; the MTA-STS policy could not be checked",
        meaning="The policy server did not answer in time; nothing is known about the policy.",
        why="A timeout says nothing about the policy; senders that time out too deliver without it.",
        steps=("Check that {host} answers on port 443: " + _CURL + ".", RAISE_TIMEOUT),
        verify=rerun("dns.mta-sts"),
        fix_line="make {url} answer in time",
    ),
    Hint(
        "MTASTS_POLICY_SYNTAX",
        Status.FAIL,
        "The MTA-STS policy at {url} is invalid: {error}",
        meaning="The policy file breaks RFC 8461: version: STSv1, mode enforce/testing/none, max_age up to "
        "31557600, mx host names or *.<domain> patterns, one key: value per line.",
        why="Senders ignore an invalid policy, so delivery to the domain is not protected.",
        steps=(
            "Fix the file at {url}; a valid one:\n       version: STSv1\n       mode: enforce\n"
            "       mx: <each MX host>\n       max_age: 604800",
            "Then change the id= in the record at {name} so senders fetch it again.",
        ),
        verify=rerun("dns.mta-sts", first=_CURL),
        fix_line="fix the MTA-STS policy ({error})",
    ),
    Hint(
        "MTASTS_MX_NOT_COVERED",
        Status.WARN,
        "The MTA-STS policy of {domain} (mode {mode}) does not cover its MX host(s) {uncovered}",
        meaning="An MX host matches none of the policy's mx patterns; in enforce mode senders refuse to deliver to it.",
        why="Under mode enforce, replies and bounces to that host are not delivered; under testing they "
        "are, and reported as failures.",
        steps=(
            "Add an mx line for {uncovered} to the policy at {url} (now: {patterns}), or fix the MX records.",
            "Change the id= in the record at {name} so senders fetch the new policy.",
        ),
        verify=rerun("dns.mta-sts", first="dig MX {domain} and " + _CURL + " agree"),
        fix_line="add mx: {uncovered} to the MTA-STS policy",
    ),
    Hint(
        "MTASTS_TESTING",
        Status.WARN,
        "The MTA-STS policy of {domain} is in mode testing: failures are reported, not prevented",
        meaning="mode: testing: senders deliver even when TLS fails, and only report it (TLS-RPT).",
        why="Until mode enforce, an attacker can still strip TLS from mail to the domain.",
        steps=(
            "When TLS-RPT reports show no failures, change mode: testing to mode: enforce at {url}, "
            "then change the id= in the record at {name}.",
        ),
        verify=rerun("dns.mta-sts"),
        fix_line="move the MTA-STS policy of {domain} to mode: enforce",
    ),
    Hint(
        "MTASTS_MODE_NONE",
        Status.WARN,
        "The MTA-STS policy of {domain} is in mode none: it protects nothing",
        meaning="mode: none withdraws the policy (the step before removing MTA-STS).",
        why="Senders treat the domain as having no policy.",
        steps=(
            "If MTA-STS is being removed, remove the record at {name} after the old max_age has passed; "
            "otherwise set mode: testing or enforce at {url} and change the record's id=.",
        ),
        verify=rerun("dns.mta-sts"),
        fix_line="set the MTA-STS mode of {domain} to testing or enforce, or remove the record",
    ),
    Hint(
        "MTASTS_MAX_AGE_SHORT",
        Status.WARN,
        "The MTA-STS policy of {domain} has max_age {max_age} s, under {minimum} s",
        meaning="A policy cached for less than a day leaves long gaps in which a sender has none (RFC 8461 "
        "suggests weeks).",
        why="Between the cache expiring and the next fetch, an attacker who blocks the fetch also disables the policy.",
        steps=("Raise max_age at {url} to 604800 (a week) or more, then change the record's id= at {name}.",),
        verify=rerun("dns.mta-sts"),
        fix_line="raise the MTA-STS max_age of {domain} to 604800",
    ),
)
