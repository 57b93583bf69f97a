"""DNSSEC: the trust anchor and the validation of one zone cut (pure; no I/O).

A validating resolver trusts a zone's keys (its DNSKEY rrset) when a key the parent vouches for
(a DS record, RFC 4034 §5) signed them, and trusts an answer when one of those keys signed it
(an RRSIG inside its validity window). The walk starts at a trust anchor: the IANA root key
(:data:`ROOT_TRUST_ANCHOR`, KSK-2017, key tag 20326) or any zone's DS or DNSKEY records given in
zone-file text (:func:`parse_trust_anchor`). This module judges what the queries brought back:

- :func:`validate_zone_keys`: a zone's DNSKEY rrset and its RRSIGs against the DS records (or
  DNSKEYs) vouching for it: a key matching the DS, and a valid signature by that key;
- :func:`validate_rrset`: any rrset and its RRSIGs against the zone's trusted keys.

Each returns a :class:`ZoneVerdict`: ``OK``, ``BOGUS`` (which key or signature failed, in words) or
``EXPIRED`` (the signature's validity window, against ``now``). Records come as the texts
:class:`~pytest_sender.dns.query.DnsAnswer` holds (``records`` and ``rrsigs``). dnspython (its
``dns.dnssec``, with ``cryptography``) is imported only when a function is called.
"""

from __future__ import annotations

import enum
import functools
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pytest_sender.errors import ParseError

__all__ = [
    "MAX_ANCHOR_CHARS",
    "ROOT_TRUST_ANCHOR",
    "SignedRRset",
    "TrustAnchor",
    "Validity",
    "ZoneVerdict",
    "ds_anchor",
    "key_tags",
    "parse_trust_anchor",
    "validate_rrset",
    "validate_zone_keys",
]

#: The IANA root zone's key-signing key KSK-2017 (key tag 20326, RSASHA256), as its SHA-256 DS
#: record, as published at https://data.iana.org/root-anchors/root-anchors.xml.
ROOT_TRUST_ANCHOR = ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D"
#: A trust anchor longer than this is refused (a few keys take a few hundred characters).
MAX_ANCHOR_CHARS = 65536
#: Records in one trust anchor, at most.
MAX_ANCHOR_RECORDS = 32

_TTL = re.compile(r"^[0-9]{1,10}$")  # ASCII digits only: no look-alikes such as '²'
_DIGEST_BYTES = {1: 20, 2: 32, 4: 48}  # SHA-1, SHA-256, SHA-384 (RFC 3658, 4509, 6605)
_ZONE_KEY_FLAG = 0x0100  # RFC 4034 §2.1.1


class Validity(str, enum.Enum):
    """What validating one zone cut or one rrset came to."""

    OK = "ok"
    BOGUS = "bogus"  # no key matches, no signature, or a signature that does not verify
    EXPIRED = "expired"  # the only signatures are outside their validity window

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class TrustAnchor:
    """The records a validation starts from: DS or DNSKEY records of one zone.

    ``zone`` is the zone's name in lower case without the final dot (``"."`` for the root);
    ``records`` the rdata texts (as dnspython renders them), ``key_tags`` their key tags.
    """

    zone: str
    rdtype: str  # "DS" or "DNSKEY"
    records: tuple[str, ...]
    key_tags: tuple[int, ...]

    def describe(self) -> str:
        tags = ", ".join(str(tag) for tag in self.key_tags)
        return f"{self.rdtype} of {self.zone} (key tag {tags})"


@dataclass(frozen=True)
class SignedRRset:
    """One rrset with the RRSIGs that came with it: ``name`` without the final dot (``"."`` for
    the root), ``records`` and ``rrsigs`` as rdata texts."""

    name: str
    rdtype: str
    records: tuple[str, ...]
    rrsigs: tuple[str, ...] = ()


@dataclass(frozen=True)
class ZoneVerdict:
    """The outcome for one zone (or one rrset of it).

    ``problem`` says what failed, in words (empty when OK); ``keys`` holds the zone's DNSKEY
    texts, trusted from here on, when :func:`validate_zone_keys` is OK; ``signed_by`` the key tags
    whose signatures verified.
    """

    validity: Validity
    zone: str
    problem: str = ""
    keys: tuple[str, ...] = ()
    signed_by: tuple[int, ...] = ()

    @property
    def ok(self) -> bool:
        return self.validity is Validity.OK


# --- the trust anchor ---------------------------------------------------------------------------


def _shown(text: str, limit: int = 60) -> str:
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}… ({len(text)} characters)"


def _reason(exc: BaseException) -> str:
    """An exception's message for ours, cut short (dnspython's may quote the whole input)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:119] + "…"


def _dns_errors() -> tuple[type[BaseException], ...]:
    import dns.exception

    # what dnspython's text parsers raise for bad input (binascii.Error is a ValueError)
    return (dns.exception.DNSException, ValueError, TypeError, ArithmeticError, LookupError, UnicodeError)


def _zone_text(name: Any) -> str:
    text: str = name.to_text(omit_final_dot=True).lower()
    return text or "."


def parse_trust_anchor(text: str) -> TrustAnchor:
    """DS or DNSKEY records of one zone, one a line in zone-file form: ``<zone> [<ttl>] [IN] DS|DNSKEY <rdata>``.

    Blank lines and ``;`` comments are skipped. Every record must have the same owner and type;
    a DS needs a known digest type (1, 2 or 4) of the right length, a DNSKEY the zone-key flag
    and protocol 3. Raises :class:`ParseError` (and nothing else) for anything else.
    """
    if not isinstance(text, str):
        raise ParseError("the trust anchor is not text")
    return _parse_trust_anchor(text)


@functools.lru_cache(maxsize=64)
def _parse_trust_anchor(text: str) -> TrustAnchor:  # once per run's anchor, not once per domain
    if len(text) > MAX_ANCHOR_CHARS:
        raise ParseError(f"the trust anchor is longer than {MAX_ANCHOR_CHARS} characters")
    lines = [line.split(";", 1)[0].strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise ParseError("the trust anchor is empty (give DS or DNSKEY records, one a line)")
    if len(lines) > MAX_ANCHOR_RECORDS:
        raise ParseError(f"the trust anchor has more than {MAX_ANCHOR_RECORDS} records")
    owner: Any = None
    rdtype = ""
    records: list[str] = []
    tags: list[int] = []
    for number, line in enumerate(lines, start=1):
        where = f"line {number} ({_shown(line)})"
        name, kind, record, tag = _parse_anchor_line(line, where)
        if owner is not None and (name != owner or kind != rdtype):
            raise ParseError(f"{where}: every record must be a {rdtype} of {_zone_text(owner)}")
        owner, rdtype = name, kind
        records.append(record)
        tags.append(tag)
    return TrustAnchor(_zone_text(owner), rdtype, tuple(records), tuple(tags))


def _parse_anchor_line(line: str, where: str) -> tuple[Any, str, str, int]:
    """One record of a trust anchor: (owner name, type, rdata text, key tag)."""
    import dns.dnssec
    import dns.name
    import dns.rdata
    import dns.rdataclass
    import dns.rdatatype

    errors = _dns_errors()
    fields = line.split()
    if len(fields) < 3:
        raise ParseError(f"{where} is not a record: <zone> [<ttl>] [IN] DS|DNSKEY <data>")
    try:
        name = dns.name.from_text(fields[0], origin=dns.name.root)
    except errors as exc:
        raise ParseError(f"{where}: {_shown(fields[0])} is not a zone name") from exc
    rest = fields[1:]
    if rest and _TTL.match(rest[0]):
        rest = rest[1:]
    if rest and rest[0].upper() == "IN":
        rest = rest[1:]
    if not rest or rest[0].upper() not in ("DS", "DNSKEY"):
        raise ParseError(f"{where} is neither a DS nor a DNSKEY record")
    kind, data = rest[0].upper(), " ".join(rest[1:])
    if not data:
        raise ParseError(f"{where} has no record data")
    try:
        rdata: Any = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(kind), data, origin=dns.name.root)
    except errors as exc:
        raise ParseError(f"{where}: the {kind} data cannot be read ({_reason(exc)})") from exc
    if kind == "DS":
        expected = _DIGEST_BYTES.get(rdata.digest_type)
        if expected is None:
            raise ParseError(f"{where}: digest type {rdata.digest_type} is not SHA-1, SHA-256 or SHA-384 (1, 2, 4)")
        if len(rdata.digest) != expected:
            raise ParseError(f"{where}: the digest has {len(rdata.digest)} bytes, not {expected}")
        tag = int(rdata.key_tag)
    else:
        if not rdata.flags & _ZONE_KEY_FLAG or rdata.protocol != 3:
            raise ParseError(f"{where}: not a zone key (flags with 256 set, protocol 3)")
        try:
            tag = int(dns.dnssec.key_id(rdata))
        except errors as exc:
            raise ParseError(f"{where}: the key cannot be read ({_reason(exc)})") from exc
    return name, kind, rdata.to_text(), tag


# --- validation ---------------------------------------------------------------------------------


def _rdataset(rdtype: str, texts: Sequence[str]) -> Any:
    """The rdataset of ``texts`` (never changed by its users: parsed once per run of the same records,
    as every domain of a fleet meets the same keys of the zones above it)."""
    return _parsed_rdataset(rdtype, tuple(texts))


@functools.lru_cache(maxsize=4096)
def _parsed_rdataset(rdtype: str, texts: tuple[str, ...]) -> Any:
    import dns.name
    import dns.rdataclass
    import dns.rdataset

    return dns.rdataset.from_text_list(
        dns.rdataclass.IN, rdtype, 0, list(texts), origin=dns.name.root, relativize=False
    )


def ds_anchor(zone: str, ds_records: Sequence[str]) -> TrustAnchor:
    """The DS records a parent publishes for ``zone`` (rdata texts), as the anchor of its keys;
    records this validator cannot read are left out (then no key matches)."""
    try:
        records = list(_rdataset("DS", ds_records))
    except _dns_errors():
        return TrustAnchor(zone, "DS", (), ())
    usable = [r for r in records if _DIGEST_BYTES.get(r.digest_type) == len(r.digest)]
    return TrustAnchor(zone, "DS", tuple(r.to_text() for r in usable), tuple(int(r.key_tag) for r in usable))


def key_tags(dnskeys: Sequence[str]) -> tuple[int, ...]:
    """The key tags (RFC 4034 Appendix B) of DNSKEY rdata texts; those that cannot be read are left out."""
    import dns.dnssec

    tags: list[int] = []
    for text in dnskeys:
        try:
            tags.extend(int(dns.dnssec.key_id(key)) for key in _rdataset("DNSKEY", [text]))
        except _dns_errors():
            continue
    return tuple(tags)


def _when(timestamp: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(timestamp))


def _check_signatures(rrset: SignedRRset, zone: str, keys: Sequence[Any], now: float) -> ZoneVerdict:
    """``rrset`` signed by one of ``keys`` (DNSKEY rdatas of ``zone``) at ``now``."""
    import dns.dnssec
    import dns.exception
    import dns.name
    import dns.rdataclass
    import dns.rdataset
    import dns.rdatatype
    import dns.rdtypes.ANY.RRSIG

    errors = _dns_errors()
    what = f"the {rrset.rdtype} records of {rrset.name}"
    try:
        name = dns.name.from_text(rrset.name, origin=dns.name.root)
        zone_name = dns.name.from_text(zone, origin=dns.name.root)
        rdataset = _rdataset(rrset.rdtype, rrset.records)
        sigs = [s for s in _rdataset("RRSIG", rrset.rrsigs)] if rrset.rrsigs else []
    except errors as exc:
        return ZoneVerdict(Validity.BOGUS, zone, f"{what} or their signatures cannot be read ({exc})")
    if not sigs:
        return ZoneVerdict(Validity.BOGUS, zone, f"{what} came without a signature (no RRSIG) in a signed zone")
    covering = [s for s in sigs if isinstance(s, dns.rdtypes.ANY.RRSIG.RRSIG) and s.type_covered == rdataset.rdtype]
    by_zone = [s for s in covering if s.signer == zone_name]
    if not by_zone:
        signers = ", ".join(sorted({_zone_text(s.signer) for s in covering})) or "nobody"
        return ZoneVerdict(Validity.BOGUS, zone, f"{what} are signed by {signers}, not by the zone {zone}")
    tags = {int(dns.dnssec.key_id(key)): key for key in keys}
    keyed = [s for s in by_zone if s.key_tag in tags]
    if not keyed:
        used = ", ".join(str(s.key_tag) for s in by_zone)
        known = ", ".join(str(tag) for tag in sorted(tags)) or "none"
        return ZoneVerdict(
            Validity.BOGUS, zone, f"{what} are signed by key tag {used}, which is not a trusted key ({known})"
        )
    key_set = dns.rdataset.Rdataset(dns.rdataclass.IN, dns.rdatatype.DNSKEY)
    for key in keys:
        key_set.add(key)
    expired: list[Any] = []
    failed: list[str] = []
    for sig in keyed:
        if not sig.inception <= now <= sig.expiration:
            expired.append(sig)
            continue
        try:
            dns.dnssec.validate_rrsig((name, rdataset), sig, {zone_name: key_set}, now=now)
        except dns.exception.UnsupportedAlgorithm as exc:
            failed.append(f"key tag {sig.key_tag}: algorithm {sig.algorithm} is not supported here ({exc})")
            continue
        except dns.exception.ValidationFailure as exc:
            failed.append(f"the signature by key tag {sig.key_tag} does not verify ({exc})")
            continue
        return ZoneVerdict(Validity.OK, zone, signed_by=(int(sig.key_tag),))
    if expired and not failed:
        sig = expired[0]
        state = "expired" if sig.expiration < now else "is not valid yet"
        return ZoneVerdict(
            Validity.EXPIRED,
            zone,
            f"the signature of {what} by key tag {sig.key_tag} {state}: valid from {_when(sig.inception)} "
            f"to {_when(sig.expiration)}, checked at {_when(int(now))}",
        )
    return ZoneVerdict(Validity.BOGUS, zone, f"{what}: " + "; ".join(failed))


def validate_zone_keys(anchor: TrustAnchor, dnskey: SignedRRset, *, now: float | None = None) -> ZoneVerdict:
    """The zone's DNSKEY rrset vouched for by ``anchor`` (the parent's DS records, or trusted DNSKEYs).

    OK when a DNSKEY matches the anchor and its signature over the DNSKEY rrset verifies at
    ``now`` (default: the current time); the verdict's ``keys`` are then the zone's trusted keys.
    """
    import dns.dnssec
    import dns.name
    import dns.rdatatype

    now = time.time() if now is None else now
    zone = anchor.zone
    errors = _dns_errors()
    if not dnskey.records:
        return ZoneVerdict(Validity.BOGUS, zone, f"the zone {zone} publishes no DNSKEY, but {anchor.describe()} exists")
    try:
        owner = dns.name.from_text(dnskey.name, origin=dns.name.root)
        keys = list(_rdataset("DNSKEY", dnskey.records))
        vouching = list(_rdataset(anchor.rdtype, anchor.records))
    except errors as exc:
        return ZoneVerdict(Validity.BOGUS, zone, f"the DNSKEY records of {zone} cannot be read ({exc})")
    entry: list[Any] = []
    for key in keys:
        for record in vouching:
            if record.rdtype == dns.rdatatype.DNSKEY:
                matches = record == key
            else:
                try:
                    matches = (
                        record.key_tag == dns.dnssec.key_id(key)
                        and record.algorithm == key.algorithm
                        and dns.dnssec.make_ds(owner, key, record.digest_type, validating=True).digest == record.digest
                    )
                except errors:  # an unsupported algorithm or digest, a digest type the policy denies
                    matches = False
            if matches:
                entry.append(key)
                break
    if not entry:
        published = ", ".join(str(dns.dnssec.key_id(key)) for key in keys)
        return ZoneVerdict(
            Validity.BOGUS,
            zone,
            f"no DNSKEY of {zone} matches the {anchor.rdtype} record (key tag "
            f"{', '.join(str(t) for t in anchor.key_tags)}); the zone's keys have key tag {published}",
        )
    verdict = _check_signatures(dnskey, zone, entry, now)
    if not verdict.ok:
        return verdict
    return ZoneVerdict(Validity.OK, zone, keys=tuple(key.to_text() for key in keys), signed_by=verdict.signed_by)


def validate_rrset(rrset: SignedRRset, zone: str, keys: Sequence[str], *, now: float | None = None) -> ZoneVerdict:
    """``rrset`` signed by one of ``keys`` (the trusted DNSKEY texts of ``zone``) at ``now``."""
    now = time.time() if now is None else now
    try:
        key_rdatas = list(_rdataset("DNSKEY", keys))
    except _dns_errors() as exc:
        return ZoneVerdict(Validity.BOGUS, zone, f"the DNSKEY records of {zone} cannot be read ({exc})")
    return _check_signatures(rrset, zone, key_rdatas, now)
