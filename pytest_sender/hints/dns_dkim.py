"""Hints of dns.dkim (RFC 6376, RFC 8301)."""

from __future__ import annotations

from pytest_sender.findings import Status
from pytest_sender.hints.hint import Hint
from pytest_sender.hints.steps import DNS_EDITOR, DOMAINS_PAGE, RECHECK_DNS, rerun

__all__ = ["HINTS"]

HINTS: tuple[Hint, ...] = (
    Hint(
        "DKIM_OK",
        Status.PASS,
        "DKIM key {name} is published ({key})",
        meaning="The selector's record holds a valid key of at least 2048 bits (RSA) or Ed25519.",
    ),
    Hint(
        "DKIM_MISSING",
        Status.FAIL,
        "No DKIM key is published at {name}",
        meaning="The selector's name has no CNAME and no TXT record.",
        why="Without Sender's DKIM key, mail from {domain} is unsigned by your domain: DMARC cannot "
        "align on DKIM, and Gmail and Yahoo filter or reject it.",
        steps=(
            DNS_EDITOR + ", add a CNAME record: host {selector}._domainkey, target {cname_target} "
            "(use the exact value shown in " + DOMAINS_PAGE + " → {domain}).",
            "If your DNS provider proxies CNAMEs (Cloudflare: orange cloud), switch it to DNS only.",
            RECHECK_DNS,
        ),
        verify=rerun("dns.dkim", first="dig CNAME {name} shows {cname_target}"),
        fix_line="add CNAME {selector}._domainkey → {cname_target}",
    ),
    Hint(
        "DKIM_CNAME_DANGLING",
        Status.FAIL,
        "The DKIM name {name} is a CNAME to {target}, {state}",
        meaning="A dangling CNAME: the key host it points to has no record.",
        why="Receivers find no key, so every DKIM signature fails and DMARC cannot align on DKIM.",
        steps=(
            DNS_EDITOR + ", change the CNAME {selector}._domainkey to point at {cname_target} "
            "(check the exact value in " + DOMAINS_PAGE + " → {domain}); a typo in the target is the usual cause.",
            RECHECK_DNS,
        ),
        verify=rerun("dns.dkim", first="dig TXT {name} returns a v=DKIM1 key"),
        fix_line="point CNAME {selector}._domainkey at {cname_target}",
    ),
    Hint(
        "DKIM_REVOKED",
        Status.FAIL,
        "The DKIM key at {name} is revoked (empty p=)",
        meaning="An empty p= tag means the key was withdrawn (RFC 6376 §3.6.1).",
        why="Signatures with this selector fail everywhere; DMARC cannot align on DKIM.",
        steps=(
            DNS_EDITOR + ", replace the TXT record at {selector}._domainkey with the CNAME to "
            "{cname_target} that " + DOMAINS_PAGE + " shows.",
            RECHECK_DNS,
        ),
        verify=rerun("dns.dkim", first="dig TXT {name} shows a non-empty p="),
        fix_line="replace the revoked key: CNAME {selector}._domainkey → {cname_target}",
    ),
    Hint(
        "DKIM_KEY_UNDECODABLE",
        Status.FAIL,
        "The DKIM key at {name} cannot be decoded: {error}",
        meaning="p= is not a valid base64 public key of the stated type.",
        why="Receivers cannot verify any signature with this key: DKIM fails.",
        steps=(
            "Republish the key exactly as given, usually by the CNAME to {cname_target} instead of "
            "a pasted TXT record; pasted keys are often cut or wrapped with quotes or spaces.",
            RECHECK_DNS,
        ),
        verify=rerun("dns.dkim"),
        fix_line="republish the DKIM key at {name} ({error})",
    ),
    Hint(
        "DKIM_SYNTAX",
        Status.FAIL,
        "The DKIM record at {name} is invalid: {error}",
        meaning="The record is not a valid DKIM tag list, or several records answer at the selector.",
        why="Receivers cannot use the record: DKIM fails.",
        steps=(
            "Publish exactly one record at {selector}._domainkey; the simplest is the CNAME to {cname_target}.",
            "A TXT key record is a ';'-separated tag list such as v=DKIM1; k=rsa; p=MIIB...",
            RECHECK_DNS,
        ),
        verify=rerun("dns.dkim"),
        fix_line="fix the DKIM record at {name} ({error})",
    ),
    Hint(
        "DKIM_KEY_TOO_SHORT",
        Status.FAIL,
        "The DKIM key at {name} is only {bits} bits; receivers require at least 1024",
        meaning="RSA keys under 1024 bits are rejected by receivers (RFC 8301).",
        why="Signatures with short keys are treated as invalid: DKIM fails.",
        steps=(
            "Publish a 2048-bit key: use the CNAME to {cname_target} from " + DOMAINS_PAGE + ".",
            RECHECK_DNS,
        ),
        verify=rerun("dns.dkim"),
        fix_line="replace the {bits}-bit DKIM key with a 2048-bit one",
    ),
    Hint(
        "DKIM_KEY_WEAK",
        Status.WARN,
        "The DKIM key at {name} is {bits} bits; 2048 is recommended",
        meaning="Accepted today, but under the recommended 2048 bits (RFC 8301).",
        why="Short keys are being phased out; some receivers already score them lower.",
        steps=("Rotate to a 2048-bit key; with Sender, use the CNAME to {cname_target}.",),
        verify=rerun("dns.dkim"),
        fix_line="rotate the {bits}-bit DKIM key to 2048 bits",
    ),
    Hint(
        "DKIM_TESTING",
        Status.WARN,
        "The DKIM key at {name} is in testing mode (t=y)",
        meaning="t=y asks receivers to treat signatures as if unsigned.",
        why="Receivers may ignore the DKIM result, so DMARC cannot rely on it.",
        steps=("Remove t=y from the record at {selector}._domainkey once signing works.",),
        verify=rerun("dns.dkim"),
        fix_line="remove t=y from the DKIM record",
    ),
)
