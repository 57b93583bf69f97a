"""The sandbox's receiving server: it computes SPF, DKIM and DMARC for each message it is handed.

Like a real MX, it sees the message arrive from Sender's relay (:data:`RELAY_ADDRESS`, inside the
``ip4:`` range the sandbox's ``sendersrv.com`` zone publishes) and asks the DNS — the sandbox DNS,
through the project's one resolver — for what it needs:

- SPF: RFC 7208 ``check_host()`` (:func:`pytest_sender.dns.spf.check_host`) for the relay's address
  and the envelope sender's domain (the Return-Path);
- DKIM: each ``DKIM-Signature`` verified with the key its ``d=``/``s=`` name in DNS
  (:func:`pytest_sender.mailauth.signatures.verify_message`);
- DMARC: the From domain's record by the tree walk, with its ``adkim``/``aspf`` alignment modes
  (:func:`pytest_sender.mailauth.alignment.evaluate_dmarc`).

The verdicts go into an RFC 8601 ``Authentication-Results`` header (each with the verifier's
``reason``) and a ``Received`` line on top of the message. Where the message is filed follows from
them (:func:`placement`: DMARC failing under ``p=quarantine`` goes to Junk, under ``p=reject`` it is
refused); tests can still force a folder or a loss through the delivery plan, never a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pytest_sender.dns.query import Resolver
    from pytest_sender.dns.spf import SpfResult
    from pytest_sender.mailauth.alignment import DmarcPolicy, DmarcVerdict
    from pytest_sender.mailauth.signatures import DkimVerdict

__all__ = [
    "AUTHSERV_ID",
    "RELAY_ADDRESS",
    "RELAY_HOSTNAME",
    "ReceivedVerdicts",
    "authentication_results",
    "compute_verdicts",
    "delivered_bytes",
    "placement",
    "received_line",
]

AUTHSERV_ID = "mx.sandbox.localhost"
#: The address and name the sandbox's "Sender relay" connects from (198.51.100.0/24 is the range
#: the sandbox's sendersrv.com SPF record authorises).
RELAY_ADDRESS = "198.51.100.25"
RELAY_HOSTNAME = "mail6.sendersrv.com"
#: Between the results of a stored Authentication-Results header: one result per folded line.
FOLDED = ";\r\n\t"


@dataclass(frozen=True)
class ReceivedVerdicts:
    """What the receiving server concluded about one message."""

    mail_from: str  # the envelope sender (Return-Path)
    spf_domain: str  # the domain SPF was checked for
    spf: SpfResult
    dkim: tuple[DkimVerdict, ...]
    policy: DmarcPolicy
    dmarc: DmarcVerdict
    header_from: str  # the From domain

    @property
    def dkim_result(self) -> str:
        if not self.dkim:
            return "none"
        results = [v.result for v in self.dkim]
        return "pass" if "pass" in results else results[0]


def _domain_of(address: str) -> str:
    return address.strip().strip("<>").rpartition("@")[2].lower()


async def compute_verdicts(
    raw: bytes,
    *,
    envelope_from: str | None,
    header_from: str,
    resolver: Resolver,
    relay_ip: str = RELAY_ADDRESS,
    helo: str = RELAY_HOSTNAME,
) -> ReceivedVerdicts:
    """SPF for ``relay_ip`` and the envelope sender, every DKIM signature, and DMARC for ``header_from``."""
    import asyncio

    from pytest_sender.dns.spf import check_host
    from pytest_sender.mailauth.alignment import evaluate_dmarc, fetch_policy
    from pytest_sender.mailauth.signatures import verify_message

    mail_from = (envelope_from or "").strip().strip("<>")
    spf_domain = _domain_of(mail_from) or helo
    spf, dkim, policy = await asyncio.gather(
        check_host(relay_ip, spf_domain, mail_from, helo=helo, resolver=resolver),
        verify_message(raw, resolver=resolver),
        fetch_policy(header_from, resolver=resolver),
    )
    dmarc = evaluate_dmarc(header_from, policy, spf_result=spf.result, spf_domain=spf_domain, dkim=dkim)
    return ReceivedVerdicts(mail_from, spf_domain, spf, dkim, policy, dmarc, header_from)


def _quoted(text: str) -> str:
    """An RFC 8601 ``reason`` value: a quoted-string (no CR/LF, quotes and backslashes escaped)."""
    flat = " ".join(text.split())
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def authentication_results(verdicts: ReceivedVerdicts, authserv_id: str = AUTHSERV_ID, *, separator: str = "; ") -> str:
    """The ``Authentication-Results`` value (RFC 8601) for these verdicts, each with its reason
    (``separator`` between the results: :data:`FOLDED` puts one per line)."""
    spf = verdicts.spf
    mail_from = verdicts.mail_from or verdicts.spf_domain
    parts = [authserv_id, f"spf={spf.result} reason={_quoted(spf.reason or spf.result)} smtp.mailfrom={mail_from}"]
    if not verdicts.dkim:
        parts.append(f"dkim=none reason={_quoted('the message carries no DKIM-Signature')}")
    for dkim in verdicts.dkim:
        signer = f" header.d={dkim.domain} header.s={dkim.selector}" if dkim.domain else ""
        parts.append(f"dkim={dkim.result} reason={_quoted(dkim.reason)}{signer}")
    dmarc = verdicts.dmarc
    policy = f"p={dmarc.policy}" if dmarc.policy else "no policy"
    parts.append(
        f"dmarc={dmarc.result} reason={_quoted(f'{policy}; aligned: {dmarc.aligned_by}; {dmarc.explanation}')} "
        f"header.from={verdicts.header_from or 'unknown'}"
    )
    return separator.join(parts)


def received_line(*, recipient: str, queue_id: str, by: str = AUTHSERV_ID, when: datetime | None = None) -> str:
    """The receiving server's ``Received`` value (RFC 5321 §4.4) for a message from the relay."""
    stamp = format_datetime(when or datetime.now(timezone.utc))
    return (
        f"from {RELAY_HOSTNAME} ({RELAY_HOSTNAME} [{RELAY_ADDRESS}]) by {by} with ESMTPS id {queue_id} "
        f"for <{recipient}>; {stamp}"
    )


def placement(verdicts: ReceivedVerdicts) -> str:
    """Where the receiver files the message: ``inbox``, ``junk`` (DMARC fails under p=quarantine) or
    ``drop`` (refused: DMARC fails under p=reject)."""
    if verdicts.dmarc.result == "fail" and verdicts.dmarc.policy == "reject":
        return "drop"
    if verdicts.dmarc.result == "fail" and verdicts.dmarc.policy == "quarantine":
        return "junk"
    return "inbox"


def delivered_bytes(signed: bytes, verdicts: ReceivedVerdicts, *, recipient: str, queue_id: str) -> bytes:
    """The message as the receiving server stores it: the envelope sender as ``Return-Path`` (as the
    final delivery records it, RFC 5321 §4.4), its ``Received`` and verdicts on top, CRLF line ends."""
    top = (
        f"Return-Path: <{verdicts.mail_from}>\r\n"
        f"Authentication-Results: {authentication_results(verdicts, separator=FOLDED)}\r\n"
        f"Received: {received_line(recipient=recipient, queue_id=queue_id)}\r\n"
    )
    return top.encode("utf-8") + signed
