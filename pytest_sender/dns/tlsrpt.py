"""SMTP TLS Reporting (RFC 8460): the ``_smtp._tls.<domain>`` TXT record, parsed (pure).

A receiving domain publishes ``v=TLSRPTv1; rua=<uri>[,<uri>...]`` to ask sending servers for daily
reports of their TLS failures (MTA-STS, DANE, STARTTLS) when delivering to it. The reports only
arrive when the record is exactly one, well formed, and names ``mailto:`` or ``https:`` destinations
(RFC 8460 §3). :func:`parse_tlsrpt_record` reads the record's structure; :func:`validate_tlsrpt_uri`
each destination. Both raise only :class:`~pytest_sender.errors.ParseError`. The ``dns.tls-rpt``
check is in :mod:`pytest_sender.dns.transport_checks`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pytest_sender.dns.numbers import is_ascii_number, parse_number
from pytest_sender.errors import ParseError

__all__ = [
    "TlsRptRecord",
    "TlsRptUri",
    "is_tlsrpt_candidate",
    "parse_tlsrpt_record",
    "tlsrpt_name",
    "validate_tlsrpt_uri",
]

VERSION = "v=TLSRPTv1"
_CANDIDATE = re.compile(r"^v=TLSRPTv1[ \t]*(;|$)")
# RFC 8460 §3: tlsrpt-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
_EXT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
# tlsrpt-ext-value = 1*(%x21-3A / %x3C / %x3E-7E): visible ASCII without ";" and "="
_EXT_VALUE = re.compile(r"^[\x21-\x3a\x3c\x3e-\x7e]+$")
_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$")
_HOST = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
_URI_CHARS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+;=%]+$")  # RFC 3986's characters (a "," ends a URI)


def tlsrpt_name(domain: str) -> str:
    """Where the record of ``domain`` (an A-label name) is published."""
    return f"_smtp._tls.{domain}"


def is_tlsrpt_candidate(text: str) -> bool:
    """``text`` begins with ``v=TLSRPTv1`` (RFC 8460 §3: other TXT records at the name are discarded)."""
    return bool(_CANDIDATE.match(text))


@dataclass(frozen=True)
class TlsRptRecord:
    """A parsed record: its report destinations as written, and the extension fields' names."""

    text: str
    rua: tuple[str, ...]
    extensions: tuple[str, ...] = ()


@dataclass(frozen=True)
class TlsRptUri:
    """One report destination: ``scheme`` is ``mailto`` or ``https``; ``host`` the domain it names."""

    uri: str
    scheme: str
    host: str


def parse_tlsrpt_record(text: str) -> TlsRptRecord:
    """The record's fields: ``v=TLSRPTv1`` first, exactly one ``rua=``, valid extension fields.

    The destinations are returned as written (split at commas); check each with
    :func:`validate_tlsrpt_uri`. Raises :class:`ParseError` saying what is wrong.
    """
    if not isinstance(text, str):
        raise ParseError(f"a TLS-RPT record must be text, not {type(text).__name__}")
    fields = [part.strip(" \t") for part in text.split(";")]
    if fields and fields[-1] == "":
        fields.pop()  # a trailing ";" is allowed
    if not fields or fields[0] != VERSION:
        raise ParseError(f"the record must begin with {VERSION} (exactly, case included)")
    rua: tuple[str, ...] | None = None
    extensions: list[str] = []
    for field in fields[1:]:
        name, sep, value = field.partition("=")
        name = name.strip(" \t")
        if not sep:
            raise ParseError(f"{field[:60]!r} is not a name=value field")
        if name == "rua":
            if rua is not None:
                raise ParseError("rua= appears more than once")
            rua = tuple(uri.strip(" \t") for uri in value.split(","))
            if not all(rua):
                raise ParseError("rua= holds an empty destination (a stray comma?)")
        elif name == "v":
            raise ParseError("v= appears more than once")
        elif _EXT_NAME.match(name) and _EXT_VALUE.match(value):
            extensions.append(name)
        else:
            raise ParseError(f"{field[:60]!r} is neither rua= nor a valid extension field")
    if rua is None:
        raise ParseError("the record has no rua= field: it names no destination for the reports")
    return TlsRptRecord(text, rua, tuple(extensions))


def validate_tlsrpt_uri(uri: str) -> TlsRptUri:
    """``mailto:<address>`` or ``https://<host>[:port][/path]`` (RFC 8460 §3); raises :class:`ParseError`."""
    if not isinstance(uri, str):
        raise ParseError(f"a TLS-RPT destination must be text, not {type(uri).__name__}")
    shown = uri[:80]
    if not _URI_CHARS.match(uri):
        raise ParseError(f"{shown!r} holds characters a URI cannot (encode spaces and others as %XX)")
    scheme, sep, rest = uri.partition(":")
    scheme = scheme.lower()
    if not sep or scheme not in ("mailto", "https"):
        raise ParseError(f"{shown!r} is neither a mailto: nor an https: URI")
    if scheme == "mailto":
        address = rest.partition("?")[0]
        local, at, host = address.rpartition("@")
        if not at or not local or not _LOCAL_PART.match(local):
            raise ParseError(f"{shown!r} does not hold an email address")
    else:
        if not rest.startswith("//"):
            raise ParseError(f"{shown!r}: an https: URI continues with // and a host name")
        authority = re.split(r"[/?#]", rest[2:], maxsplit=1)[0]
        if "@" in authority:
            raise ParseError(f"{shown!r}: an https: destination must not carry user information")
        host, colon, port = authority.partition(":")
        if colon and not (is_ascii_number(port) and parse_number(port, maximum=65535, what="the port ") > 0):
            raise ParseError(f"{shown!r}: {port[:10]!r} is not a port number")
    if not _HOST.match(host):
        raise ParseError(f"{shown!r}: {host[:60]!r} is not a domain name")
    return TlsRptUri(uri, scheme, host.lower())
