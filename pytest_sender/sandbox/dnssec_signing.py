"""DNSSEC signing for the sandbox's zones: a key made at start, a signed zone text, its DS record.

:func:`new_zone_key` makes one ED25519 key (flags 257, the SEP bit: it signs every rrset of its
zone, so one key is both KSK and ZSK; cheap to make and to sign with). :func:`sign_zone_text`
returns the zone with its DNSKEY, the RRSIG of every rrset and the NSEC chain
(``dns.dnssec.sign_zone``), ready for :class:`~pytest_sender.sandbox.dns_server.DnsServer`.
:meth:`ZoneKey.ds_text` is the DS record a parent (or a validator's trust anchor) holds for the
key. dnspython and cryptography are imported only when a key is made.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from pytest_sender.errors import SandboxError

__all__ = ["SIGNATURE_LIFETIME_S", "ZoneKey", "new_zone_key", "sign_zone_text"]

#: How long the sandbox's signatures are valid from their inception.
SIGNATURE_LIFETIME_S = 7 * 86400


@dataclass(frozen=True)
class ZoneKey:
    """One zone's signing key: the private key and its DNSKEY record."""

    origin: str  # without the final dot
    private_key: Any  # cryptography's Ed25519PrivateKey
    dnskey: Any  # dns.rdtypes.ANY.DNSKEY.DNSKEY

    @property
    def key_tag(self) -> int:
        import dns.dnssec

        return int(dns.dnssec.key_id(self.dnskey))

    def ds_rdata_text(self) -> str:
        """The DS record's data (SHA-256 digest) for this key."""
        import dns.dnssec

        return str(dns.dnssec.make_ds(f"{self.origin}.", self.dnskey, "SHA256").to_text())

    def ds_text(self, ttl: int = 300) -> str:
        """The DS record in zone-file form, owner included: what a parent publishes, or a trust anchor."""
        return f"{self.origin}. {ttl} IN DS {self.ds_rdata_text()}"


def new_zone_key(origin: str) -> ZoneKey:
    """A fresh ED25519 key for ``origin``."""
    import dns.dnssec
    from cryptography.hazmat.primitives.asymmetric import ed25519

    private_key = ed25519.Ed25519PrivateKey.generate()
    dnskey = dns.dnssec.make_dnskey(private_key.public_key(), "ED25519", flags=257)
    return ZoneKey(origin.rstrip("."), private_key, dnskey)


def sign_zone_text(
    origin: str, text: str, key: ZoneKey, *, inception: float | None = None, expiration: float | None = None
) -> str:
    """``text`` (the zone ``origin``) signed with ``key``: DNSKEY, RRSIGs and NSEC records added.

    Signatures are valid from ``inception`` (default: an hour ago, for clocks that differ) to
    ``expiration`` (default: :data:`SIGNATURE_LIFETIME_S` after inception); pass dates in the past
    for a zone whose signatures have expired.
    """
    import dns.dnssec
    import dns.exception
    import dns.name
    import dns.zone

    start = time.time() - 3600 if inception is None else inception
    end = start + SIGNATURE_LIFETIME_S if expiration is None else expiration
    try:
        zone = dns.zone.from_text(text, origin=dns.name.from_text(origin), relativize=False, check_origin=True)
        with zone.writer() as txn:
            dns.dnssec.sign_zone(
                zone, txn, keys=[(key.private_key, key.dnskey)], inception=int(start), expiration=int(end)
            )
    except dns.exception.DNSException as exc:
        raise SandboxError(f"zone {origin}: cannot be signed: {exc}") from exc
    return str(zone.to_text(relativize=False))
