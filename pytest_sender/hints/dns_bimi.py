"""Hints of dns.bimi: the BIMI record, its logo and certificate, DMARC at enforcement."""

from __future__ import annotations

from pytest_sender.findings import Status
from pytest_sender.hints.hint import Hint
from pytest_sender.hints.steps import DNS_EDITOR, RAISE_TIMEOUT, rerun

__all__ = ["HINTS"]

_EXAMPLE = "v=BIMI1; l=https://<your host>/logo.svg; a=https://<your host>/vmc.pem"

HINTS: tuple[Hint, ...] = (
    Hint(
        "BIMI_OK",
        Status.PASS,
        "{domain} shows its BIMI logo {url} ({certificate}; DMARC p={policy})",
        meaning="One valid v=BIMI1 record, an SVG Tiny PS logo, a valid certificate naming the domain (when "
        "a= is given) and DMARC at enforcement.",
    ),
    Hint(
        "BIMI_NONE",
        Status.SKIP,
        "{domain} publishes no BIMI record at {name} (optional)",
        meaning="No v=BIMI1 record (or one with empty l= and a=, declining BIMI): receivers show no logo.",
        why="BIMI only adds your logo beside authenticated mail in supporting inboxes; nothing breaks without it.",
        steps=(
            "Put DMARC at enforcement first (p=quarantine or p=reject), then make an SVG Tiny PS logo "
            "and serve it over HTTPS.",
            DNS_EDITOR + ", add a TXT record at host default._bimi (full name {name}) with the value:\n"
            "       " + _EXAMPLE + "\n     (a= names a Verified Mark Certificate; Gmail requires one).",
        ),
        verify=rerun("dns.bimi", first="dig TXT {name} shows v=BIMI1"),
        fix_line="optional: publish a BIMI record at {name}",
    ),
    Hint(
        "BIMI_MULTIPLE",
        Status.FAIL,
        "{name} publishes {count} BIMI records; exactly one is allowed",
        meaning="Several v=BIMI1 records at one name: receivers use none of them.",
        why="No logo is shown.",
        steps=("Delete all but one v=BIMI1 TXT record at {name}.",),
        verify=rerun("dns.bimi", first="dig TXT {name} shows one v=BIMI1 record"),
        fix_line="keep one BIMI record at {name}",
    ),
    Hint(
        "BIMI_SYNTAX",
        Status.FAIL,
        "The BIMI record at {name} is invalid: {error}",
        meaning="The record breaks the BIMI syntax: v=BIMI1 first, l= an https:// URL (or empty), a= an "
        "https:// URL (or empty), each tag once.",
        why="Receivers discard an invalid record and show no logo.",
        steps=("Fix the record; it is now:\n       {record}\n     A valid example: " + _EXAMPLE,),
        verify=rerun("dns.bimi"),
        fix_line="fix the BIMI record ({error})",
    ),
    Hint(
        "BIMI_LOGO_UNFETCHABLE",
        Status.FAIL,
        "The BIMI logo of {domain} cannot be fetched from {url}: {problem}",
        meaning="l= names a logo that does not arrive over verified HTTPS (no address, refused, TLS, HTTP "
        "status, redirect, over 32 KiB).",
        why="Receivers show no logo they cannot fetch.",
        steps=(
            "Serve the SVG at {url} over HTTPS with a certificate valid for its host, HTTP 200, no "
            "redirect, at most 32 KiB; or change l= in the record at {name}.",
        ),
        verify=rerun("dns.bimi", first="curl -sSI {url} shows HTTP 200"),
        fix_line="serve the BIMI logo at {url} ({problem})",
    ),
    Hint(
        "BIMI_LOGO_INVALID",
        Status.FAIL,
        "The BIMI logo at {url} is not SVG Tiny PS: {problem}",
        meaning='The logo must be SVG Tiny Portable/Secure: an svg root with baseProfile="tiny-ps" and a '
        "title, no scripts, event handlers or references outside the file.",
        why="Receivers refuse logos that are not SVG Tiny PS, so none is shown.",
        steps=(
            "Export the logo as SVG Tiny 1.2 and convert it to SVG Tiny PS (the BIMI group publishes "
            'converters and a validator): version="1.2" baseProfile="tiny-ps", a <title>, no <script>, '
            "no external href.",
            "Serve the new file at {url}.",
        ),
        verify=rerun("dns.bimi"),
        fix_line="make the BIMI logo SVG Tiny PS ({problem})",
    ),
    Hint(
        "BIMI_CERT_UNFETCHABLE",
        Status.FAIL,
        "The BIMI certificate of {domain} cannot be fetched from {url}: {problem}",
        meaning="a= names an evidence certificate that does not arrive over verified HTTPS.",
        why="Receivers that require a Verified Mark Certificate (Gmail) show no logo without it.",
        steps=("Serve the PEM certificate chain at {url} over HTTPS, or change a= in the record at {name}.",),
        verify=rerun("dns.bimi", first="curl -sS {url} prints BEGIN CERTIFICATE"),
        fix_line="serve the BIMI certificate at {url} ({problem})",
    ),
    Hint(
        "BIMI_CERT_INVALID",
        Status.FAIL,
        "The BIMI certificate at {url} is unusable: {problem}",
        meaning="The evidence certificate is not PEM, not valid today, or does not name the domain.",
        why="Receivers that check the certificate show no logo.",
        steps=(
            "Renew the Verified Mark Certificate for {domain} with your mark verifying authority and serve "
            "the new PEM chain at {url}.",
        ),
        verify=rerun("dns.bimi"),
        fix_line="renew or replace the BIMI certificate ({problem})",
    ),
    Hint(
        "BIMI_FETCH_TIMEOUT",
        Status.ERROR,
        "No complete answer from {url} within {timeout:g} s; the BIMI {what} could not be checked",
        meaning="A BIMI file's server did not answer in time; nothing is known about the file.",
        why="A timeout says nothing about the file; receivers that time out too show no logo.",
        steps=("Check that the server answers: curl -sSI {url}.", RAISE_TIMEOUT),
        verify=rerun("dns.bimi"),
        fix_line="make {url} answer in time",
    ),
    Hint(
        "BIMI_DMARC_NOT_ENFORCED",
        Status.WARN,
        "{domain} publishes BIMI, but its DMARC policy is {policy}: receivers show no logo",
        meaning="BIMI requires DMARC at enforcement (p=quarantine or p=reject, also for subdomains).",
        why="Receivers show the logo only beside mail protected by an enforcing DMARC policy.",
        steps=(
            "Read the DMARC aggregate reports until all legitimate mail passes, then raise the policy to "
            "p=quarantine or p=reject (dns.dmarc shows the record to publish).",
        ),
        verify=rerun("dns.bimi or dns.dmarc"),
        fix_line="raise the DMARC policy of {domain} to quarantine or reject for BIMI",
    ),
)
