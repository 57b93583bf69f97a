"""DKIM signatures (RFC 6376): sign like Sender does, verify against the DNS.

Signing: :func:`generate_signing_key` makes an RSA key (its public half is the ``v=DKIM1`` record to
publish), :func:`sign_message` puts a ``DKIM-Signature`` on top of a message (relaxed/relaxed,
rsa-sha256, ``d=`` and ``s=`` as given).

Verification is layered like the rest of the project: :func:`fetch_keys` asks the DNS for the key
of each signature (``<s>._domainkey.<d>``) through :class:`~pytest_sender.dns.query.Resolver`, never
the system's own resolver library; :func:`evaluate_signature` is pure: it checks one signature with
the key record it is given (dkimpy does the cryptography) and says why it failed, in words.
:func:`verify_message` is both. Results use RFC 8601's words: ``pass``, ``fail``, ``neutral``,
``temperror``, ``permerror``, ``none``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pytest_sender.dns.dkim import decode_dkim_key, dkim_name, parse_dkim_record, parse_tag_list
from pytest_sender.errors import MissingExtraError, ParseError, SenderError

if TYPE_CHECKING:
    from pytest_sender.dns.query import DnsAnswer, Resolver

__all__ = [
    "DEFAULT_SIGNED_HEADERS",
    "DkimVerdict",
    "SignatureTags",
    "SigningKey",
    "evaluate_signature",
    "fetch_keys",
    "generate_signing_key",
    "parse_signatures",
    "sign_message",
    "verify_message",
]

#: The headers the signer covers (those present are signed; From always is).
DEFAULT_SIGNED_HEADERS = (
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "Reply-To",
    "Cc",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
)


def _dkimpy() -> Any:
    try:
        import dkim
    except ImportError as exc:
        raise MissingExtraError("DKIM signing and verification", "live") from exc
    return dkim


@functools.lru_cache(maxsize=1)
def _quiet_logger() -> logging.Logger:
    """dkimpy logs every failed verification at ERROR; the verdict carries the reason instead."""
    logger = logging.getLogger("pytest_sender.mailauth.dkimpy")
    logger.addHandler(logging.NullHandler())
    logger.propagate = False
    return logger


# --- signing -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SigningKey:
    """An RSA signing key: the private key (PEM, never shown) and the public key record to publish."""

    private_pem: bytes = field(repr=False)
    public_b64: str
    bits: int

    @property
    def record(self) -> str:
        """The ``v=DKIM1`` TXT record that publishes this key."""
        return f"v=DKIM1; k=rsa; p={self.public_b64}"

    def zone_rdata(self) -> str:
        """The record as zone-file TXT data: quoted character-strings of at most 255 bytes."""
        text = self.record
        return " ".join(f'"{text[i : i + 255]}"' for i in range(0, len(text), 255))


def generate_signing_key(bits: int = 2048) -> SigningKey:
    """A fresh RSA key of ``bits`` bits."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    der = private.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return SigningKey(private_pem=pem, public_b64=base64.b64encode(der).decode("ascii"), bits=bits)


def sign_message(
    raw: bytes,
    *,
    domain: str,
    selector: str,
    key: SigningKey,
    headers: Sequence[str] = DEFAULT_SIGNED_HEADERS,
) -> bytes:
    """``raw`` with a ``DKIM-Signature`` (``d=domain``, ``s=selector``, relaxed/relaxed) on top.

    Only the listed headers the message has are signed. Raises :class:`SenderError` when the
    message cannot be signed (no From, a malformed header block).
    """
    dkim = _dkimpy()
    present = {line.split(b":", 1)[0].strip().lower() for line in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")}
    include = [h.encode() for h in headers if h.lower().encode() in present]
    try:
        signature: bytes = dkim.sign(
            raw,
            selector.encode("ascii"),
            domain.encode("idna"),
            key.private_pem,
            include_headers=include,
            canonicalize=(b"relaxed", b"relaxed"),
            logger=_quiet_logger(),
        )
    except dkim.DKIMException as exc:
        raise SenderError(f"the message cannot be DKIM-signed for {domain}: {exc}") from exc
    return signature + raw


# --- verification --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureTags:
    """The tags of one ``DKIM-Signature`` header that name its signer."""

    index: int  # 0: the top-most signature
    domain: str  # d=
    selector: str  # s=
    algorithm: str  # a=
    signed_headers: tuple[str, ...]  # h=

    @property
    def key_name(self) -> str:
        return dkim_name(self.selector, self.domain)


@dataclass(frozen=True)
class DkimVerdict:
    """The verification of one signature (``domain``/``selector`` empty when the header is unreadable)."""

    result: str
    domain: str
    selector: str
    reason: str
    key_name: str = ""

    def describe(self) -> str:
        signer = f"d={self.domain} s={self.selector}" if self.domain else "an unreadable signature"
        return f"dkim={self.result} ({signer}): {self.reason}"


def _header_block(raw: bytes) -> list[tuple[str, str]]:
    """(name, unfolded value) of each header, in order."""
    head = raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("utf-8", "replace")
    fields: list[tuple[str, str]] = []
    for line in head.split("\n"):
        if line[:1] in (" ", "\t") and fields:
            name, value = fields[-1]
            fields[-1] = (name, value + " " + line.strip())
        elif ":" in line:
            name, _, value = line.partition(":")
            fields.append((name.strip(), value.strip()))
    return fields


def parse_signatures(raw: bytes) -> list[SignatureTags | ParseError]:
    """Each ``DKIM-Signature`` of the message, top-most first (a :class:`ParseError` for one without
    readable ``d=``/``s=`` tags, in its place)."""
    found: list[SignatureTags | ParseError] = []
    signatures = [value for name, value in _header_block(raw) if name.lower() == "dkim-signature"]
    for index, value in enumerate(signatures):
        try:
            tags = dict(parse_tag_list(value, what="DKIM-Signature"))
        except ParseError as exc:
            found.append(exc)
            continue
        domain = "".join(tags.get("d", "").split()).lower().rstrip(".")
        selector = "".join(tags.get("s", "").split()).lower()
        if not domain or not selector:
            found.append(ParseError("the DKIM-Signature has no d= or s= tag"))
            continue
        found.append(
            SignatureTags(
                index=index,
                domain=domain,
                selector=selector,
                algorithm=tags.get("a", "").strip(),
                signed_headers=tuple(h.strip().lower() for h in tags.get("h", "").split(":") if h.strip()),
            )
        )
    return found


def evaluate_signature(raw: bytes, tags: SignatureTags, answer: DnsAnswer) -> DkimVerdict:
    """Verify signature ``tags.index`` of ``raw`` with the key record in ``answer`` (pure).

    A DNS fault is ``temperror``; no key, a revoked or malformed key ``permerror``/``fail`` as
    RFC 6376 §6.1 says; a body or header that changed after signing, or a key that is not the
    signer's (rotated, replaced), ``fail`` with the reason.
    """
    name = tags.key_name

    def verdict(result: str, reason: str) -> DkimVerdict:
        return DkimVerdict(result, tags.domain, tags.selector, reason, name)

    if answer.status.is_fault:
        return verdict("temperror", f"the key could not be fetched: {answer.describe()}")
    if answer.status.is_void or not answer.records:
        via = f" (via CNAME {answer.final_name})" if answer.cname_chain else ""
        return verdict("permerror", f"no key is published at {name}{via}: {answer.status.value.upper()}")
    if len(answer.records) > 1:
        return verdict("permerror", f"{len(answer.records)} TXT records at {name}; a key name holds one")
    text = answer.records[0]
    try:
        record = parse_dkim_record(text)
        if record.revoked:
            return verdict("fail", f"the key at {name} is revoked (empty p=)")
        decode_dkim_key(record)
    except ParseError as exc:
        return verdict("permerror", f"the key at {name} is unusable: {exc}")
    dkim = _dkimpy()

    def from_dns(_name: bytes, timeout: float = 5.0) -> bytes:
        return text.encode("ascii", "replace")

    try:
        valid = dkim.DKIM(raw, logger=_quiet_logger()).verify(idx=tags.index, dnsfunc=from_dns)
    except dkim.ValidationError as exc:
        detail = str(exc)
        if "body hash" in detail:
            return verdict("fail", "the body changed after signing: its hash does not match bh= (body hash mismatch)")
        return verdict("permerror", f"the signature is not valid: {detail}")
    except dkim.DKIMException as exc:
        return verdict("permerror", f"the signature cannot be checked: {exc}")
    except Exception as exc:  # dkimpy on a message from the outside: any other failure is unreadable too
        return verdict("permerror", f"the signature cannot be checked ({type(exc).__name__}: {exc})")
    if valid:
        return verdict("pass", f"verified with the key at {name}")
    return verdict(
        "fail",
        f"the signature does not verify with the key published at {name} (body hash matches): the key "
        "there is not the one that signed (rotated or replaced), or a signed header changed",
    )


async def fetch_keys(signatures: Sequence[SignatureTags], *, resolver: Resolver) -> Mapping[str, DnsAnswer]:
    """The TXT answer for each signature's key name (CNAMEs followed), asked at once."""
    names = sorted({tags.key_name for tags in signatures})
    answers = await asyncio.gather(*(_query_key(resolver, name) for name in names))
    return dict(zip(names, answers, strict=True))


async def _query_key(resolver: Resolver, name: str) -> DnsAnswer:
    from pytest_sender.dns.query import DnsAnswer, DnsStatus

    try:
        return await resolver.query(name, "TXT")
    except ParseError as exc:
        return DnsAnswer(name, "TXT", DnsStatus.ERROR, detail=str(exc))


async def verify_message(raw: bytes, *, resolver: Resolver) -> tuple[DkimVerdict, ...]:
    """Every DKIM signature of ``raw`` verified against the DNS ``resolver`` asks; ``()`` if unsigned."""
    parsed = parse_signatures(raw)
    signatures = [tags for tags in parsed if isinstance(tags, SignatureTags)]
    keys = await fetch_keys(signatures, resolver=resolver)
    verdicts: list[DkimVerdict] = []
    for item in parsed:
        if isinstance(item, ParseError):
            verdicts.append(DkimVerdict("permerror", "", "", str(item)))
        else:
            verdicts.append(evaluate_signature(raw, item, keys[item.key_name]))
    return tuple(verdicts)
