"""The sandbox's outbound step: every accepted message is DKIM-signed the way Sender signs it.

Sender signs with ``d=`` the From domain and selector ``sender``, and each customer publishes the
key by a CNAME ``sender._domainkey.<domain>`` to Sender's key host in ``sendersrv.com``. The sandbox
does the same: :func:`sandbox_signing_key` is one RSA key per process, made at first use;
the sandbox DNS publishes its public half at :data:`KEY_HOST` when the live smoke runs (see
:class:`~pytest_sender.sandbox.dns_server.DnsSandboxComponent`), and :func:`sign_accepted` signs
a message (from the API or the SMTP relay) before the sandbox's receiving server gets it.
"""

from __future__ import annotations

import functools
from email import policy
from email.utils import getaddresses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pytest_sender.mailauth.signatures import SigningKey
    from pytest_sender.sandbox.outbox import OutboxMessage

__all__ = ["KEY_HOST", "SELECTOR", "from_domain", "sandbox_signing_key", "sign_accepted"]

#: Sender's DKIM selector and the key host its customers' CNAMEs point to.
SELECTOR = "sender"
KEY_HOST = "dkim.sendersrv.com"


@functools.lru_cache(maxsize=1)
def sandbox_signing_key() -> SigningKey:
    """The sandbox's signing key (2048-bit RSA, made once per process: about half a second)."""
    from pytest_sender.mailauth.signatures import generate_signing_key

    return generate_signing_key(2048)


def from_domain(record: OutboxMessage) -> str:
    """The domain of the message's (first) From address, lower-case; empty without one."""
    senders = [addr for _, addr in getaddresses([str(v) for v in record.message.get_all("From", [])]) if addr]
    return senders[0].rpartition("@")[2].strip("<> ").lower() if senders else ""


def sign_accepted(record: OutboxMessage) -> bytes:
    """The message as Sender hands it on: CRLF line ends, a ``DKIM-Signature`` with ``d=`` its From domain."""
    from pytest_sender.mailauth.signatures import sign_message

    raw = record.message.as_bytes(policy=policy.SMTP)
    domain = from_domain(record)
    if not domain:
        return raw  # nothing to sign for: the receiver finds no signature
    return sign_message(raw, domain=domain, selector=SELECTOR, key=sandbox_signing_key())
