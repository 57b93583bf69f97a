"""DKIM key records (RFC 6376 §3.6.1, RFC 8463): the tag-list parser and the key decoder.

Pure: :func:`parse_tag_list`, :func:`parse_dkim_record`, :func:`decode_dkim_key`; the only error
they raise is :class:`~pytest_sender.errors.ParseError`. The ``dns.dkim`` check lives in
:mod:`pytest_sender.dns.checks`; :func:`dkim_name` builds the name it queries.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from pytest_sender.errors import ParseError

__all__ = [
    "MIN_RSA_BITS",
    "RECOMMENDED_RSA_BITS",
    "DkimKey",
    "DkimRecord",
    "decode_dkim_key",
    "dkim_name",
    "parse_dkim_record",
    "parse_tag_list",
    "unusable_for_email",
]

MIN_RSA_BITS = 1024  # RFC 8301 §3.2: verifiers must not accept shorter keys
RECOMMENDED_RSA_BITS = 2048
_TAG_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def dkim_name(selector: str, domain: str) -> str:
    """``<selector>._domainkey.<domain>``."""
    return f"{selector}._domainkey.{domain}"


def parse_tag_list(text: str, *, what: str = "record") -> tuple[tuple[str, str], ...]:
    """RFC 6376 §3.2 tag=value list separated by ``;``; tag names keep their case, values are stripped.

    Raises :class:`ParseError` for a part without ``=``, an invalid or repeated tag name.
    """
    if not isinstance(text, str):
        raise ParseError(f"a {what} must be text")
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    parts = text.split(";")
    for index, part in enumerate(parts):
        if not part.strip():
            if index == len(parts) - 1 or not part:
                continue  # a trailing ';' (or an empty part) is allowed
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep:
            raise ParseError(f"{part.strip()[:40]!r} in the {what} is not tag=value")
        if not _TAG_NAME.match(name):
            raise ParseError(f"{name[:40]!r} is not a valid tag name in the {what}")
        if name in seen:
            raise ParseError(f"tag {name!r} appears twice in the {what}")
        seen.add(name)
        pairs.append((name, value.strip()))
    return tuple(pairs)


@dataclass(frozen=True)
class DkimRecord:
    """A parsed DKIM key record."""

    text: str
    tags: tuple[tuple[str, str], ...]
    key_type: str  # "rsa" (default) or "ed25519"; other values are kept for the decoder to refuse
    public_key: str  # p=, whitespace removed; empty means revoked
    testing: bool  # t=y
    hash_algorithms: tuple[str, ...] = ()
    service_types: tuple[str, ...] = ("*",)

    def tag(self, name: str) -> str | None:
        for key, value in self.tags:
            if key == name:
                return value
        return None

    @property
    def revoked(self) -> bool:
        return self.public_key == ""


def parse_dkim_record(text: str) -> DkimRecord:
    """Parse a DKIM key record (the TXT strings already joined); raises :class:`ParseError`."""
    tags = parse_tag_list(text, what="DKIM record")
    if not tags:
        raise ParseError("the DKIM record is empty")
    names = [name for name, _ in tags]
    values = dict(tags)
    if "v" in values:
        if names[0] != "v":
            raise ParseError("v=DKIM1 must be the first tag of a DKIM record")
        if values["v"] != "DKIM1":
            raise ParseError(f"v={values['v']!r} is not DKIM1")
    if "p" not in values:
        raise ParseError("the DKIM record has no p= (public key) tag")
    key_type = values.get("k", "rsa").lower()
    public_key = re.sub(r"\s+", "", values["p"])
    flags = [flag.strip() for flag in values.get("t", "").split(":") if flag.strip()]
    hashes = tuple(h.strip().lower() for h in values.get("h", "").split(":") if h.strip())
    services = tuple(s.strip().lower() for s in values.get("s", "*").split(":") if s.strip()) or ("*",)
    return DkimRecord(text, tags, key_type, public_key, "y" in flags, hashes, services)


def unusable_for_email(record: DkimRecord) -> str:
    """Why the key cannot sign Sender's mail even though it parses ("" when it can)."""
    if "*" not in record.service_types and "email" not in record.service_types:
        return f"s={':'.join(record.service_types)} does not allow email (use s=email or drop s=)"
    if record.hash_algorithms and "sha256" not in record.hash_algorithms:
        # RFC 8301: rsa-sha1 signatures must not be accepted, so a key limited to sha1 never verifies
        return f"h={':'.join(record.hash_algorithms)} does not allow sha256"
    return ""


@dataclass(frozen=True)
class DkimKey:
    """A decoded public key: its type and size."""

    key_type: str
    bits: int

    def __str__(self) -> str:
        return f"{self.key_type.upper()} {self.bits} bits" if self.key_type == "rsa" else "Ed25519"


#: The DER of the rsaEncryption algorithm OID (1.2.840.113549.1.1.1).
_RSA_ENCRYPTION_OID = bytes.fromhex("06092a864886f70d010101")


def _is_spki_of_another_algorithm(raw: bytes) -> bool:
    """Whether ``raw`` is shaped as a SubjectPublicKeyInfo (a SEQUENCE whose first element is the
    algorithm SEQUENCE) naming an algorithm other than RSA; a bare PKCS#1 key starts with an INTEGER."""
    if len(raw) < 4 or raw[0] != 0x30:
        return False
    offset = 2 + (raw[1] & 0x7F if raw[1] & 0x80 else 0)  # past the outer SEQUENCE's tag and length
    if len(raw) <= offset + 2 or raw[offset] != 0x30:
        return False
    algorithm = raw[offset + 2 : offset + 2 + len(_RSA_ENCRYPTION_OID)]
    return algorithm[:1] == b"\x06" and algorithm != _RSA_ENCRYPTION_OID


def decode_dkim_key(record: DkimRecord) -> DkimKey:
    """Decode ``p=`` with ``cryptography``; raises :class:`ParseError` when it is not a usable key."""
    if record.revoked:
        raise ParseError("the key is revoked (empty p=)")
    try:
        raw = base64.b64decode(record.public_key, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ParseError(f"p= is not valid base64 ({exc})") from exc
    from cryptography.exceptions import UnsupportedAlgorithm

    if record.key_type == "ed25519":
        from cryptography.hazmat.primitives.asymmetric import ed25519

        try:
            ed25519.Ed25519PublicKey.from_public_bytes(raw)
        except (ValueError, UnsupportedAlgorithm) as exc:
            raise ParseError(f"p= is not a 32-byte Ed25519 key ({len(raw)} bytes)") from exc
        return DkimKey("ed25519", 256)
    if record.key_type != "rsa":
        raise ParseError(f"k={record.key_type} is not a DKIM key type (rsa or ed25519)")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key: object
    try:
        key = serialization.load_der_public_key(raw)  # SubjectPublicKeyInfo, what everyone publishes
    except UnsupportedAlgorithm as exc:
        # an algorithm OID or an EC curve the cryptography library does not know: no DKIM verifier will
        raise ParseError(f"p= holds a key of an unsupported algorithm ({exc})") from exc
    except (ValueError, TypeError) as exc:
        if _is_spki_of_another_algorithm(raw):
            # older cryptography releases (46 and before) raise ValueError for an unknown OID
            raise ParseError(f"p= holds a key of an unsupported algorithm ({exc})") from exc
        # some publish a bare PKCS#1 RSAPublicKey
        pem = b"-----BEGIN RSA PUBLIC KEY-----\n" + base64.encodebytes(raw) + b"-----END RSA PUBLIC KEY-----\n"
        try:
            key = serialization.load_pem_public_key(pem)
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            raise ParseError("p= does not hold an RSA public key") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise ParseError(f"p= holds a {type(key).__name__}, not an RSA key")
    return DkimKey("rsa", key.key_size)
