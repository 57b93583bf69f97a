"""BIMI (Brand Indicators for Message Identification): the record, the logo, the evidence certificate (pure).

A domain publishes ``v=BIMI1; l=<https URL of an SVG logo>; a=<https URL of a PEM certificate>`` at
``default._bimi.<domain>``; receivers that support BIMI show the logo beside mail that passes DMARC
at enforcement (``p=quarantine`` or ``reject``). The logo must be SVG Tiny Portable/Secure: an
``svg`` root with ``baseProfile="tiny-ps"``, a ``title``, no scripts and nothing fetched from
elsewhere. The evidence certificate (a Verified Mark Certificate) names the domain.

:func:`parse_bimi_record`, :func:`split_https_url`, :func:`svg_problems` and
:func:`evaluate_certificate` raise only :class:`~pytest_sender.errors.ParseError` (or return a list
of problems). The SVG is parsed with the standard library's ``xml.etree`` after refusing any
document type declaration (so no entity can be defined, let alone expanded or fetched); the
certificate with ``cryptography``. The ``dns.bimi`` check is in :mod:`pytest_sender.dns.bimi_checks`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from pytest_sender.errors import ParseError

__all__ = [
    "MAX_CERTIFICATE_BYTES",
    "MAX_LOGO_BYTES",
    "BimiRecord",
    "CertificateVerdict",
    "bimi_name",
    "evaluate_certificate",
    "is_bimi_candidate",
    "parse_bimi_record",
    "split_https_url",
    "svg_problems",
]

#: The largest logo receivers accept (the BIMI group's limit for SVG Tiny PS files).
MAX_LOGO_BYTES = 32 * 1024
#: A PEM chain of a few certificates, with room to spare.
MAX_CERTIFICATE_BYTES = 64 * 1024

_CANDIDATE = re.compile(r"^v=BIMI1[ \t]*(;|$)")
_TAG = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_HOST = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
_SVG = "{http://www.w3.org/2000/svg}"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def bimi_name(domain: str, selector: str = "default") -> str:
    """Where the record of ``domain`` (an A-label name) is published."""
    return f"{selector}._bimi.{domain}"


def is_bimi_candidate(text: str) -> bool:
    """``text`` begins with ``v=BIMI1`` (other TXT records at the name are not BIMI records)."""
    return bool(_CANDIDATE.match(text))


@dataclass(frozen=True)
class BimiRecord:
    """``location`` (``l=``) and ``authority`` (``a=``) as written; both empty: the domain declines BIMI."""

    text: str
    location: str
    authority: str

    @property
    def declined(self) -> bool:
        return not self.location and not self.authority


def parse_bimi_record(text: str) -> BimiRecord:
    """``v=BIMI1`` first; ``l=`` (an https URL, or empty), optional ``a=`` (an https URL, or empty)."""
    if not isinstance(text, str):
        raise ParseError(f"a BIMI record must be text, not {type(text).__name__}")
    fields = [part.strip(" \t") for part in text.split(";")]
    if fields and fields[-1] == "":
        fields.pop()
    if not fields or fields[0].replace(" ", "") != "v=BIMI1":
        raise ParseError("the record must begin with v=BIMI1")
    tags: dict[str, str] = {}
    for field in fields[1:]:
        name, sep, value = field.partition("=")
        name, value = name.strip(" \t"), value.strip(" \t")
        if not sep or not _TAG.match(name):
            raise ParseError(f"{field[:60]!r} is not a tag=value field")
        if name in tags or name == "v":
            raise ParseError(f"{name}= appears more than once")
        tags[name] = value
    if "l" not in tags:
        raise ParseError("the record has no l= tag (the logo's https URL, or empty to decline)")
    location, authority = tags["l"], tags.get("a", "")
    for tag, url in (("l", location), ("a", authority)):
        if url:
            try:
                split_https_url(url)
            except ParseError as exc:
                raise ParseError(f"{tag}= {exc}") from exc
    if not location and authority:
        raise ParseError("a= is set but l= is empty: the certificate carries the logo, but l= must name it too")
    return BimiRecord(text, location, authority)


def split_https_url(url: str) -> tuple[str, str]:
    """``https://<host>/<path>`` as (host, path); raises :class:`ParseError` for anything else."""
    if not isinstance(url, str):
        raise ParseError(f"a URL must be text, not {type(url).__name__}")
    shown = url[:100]
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() != "https":
        raise ParseError(f"{shown!r} is not an https:// URL")
    host, slash, path = rest.partition("/")
    if not _HOST.match(host):
        raise ParseError(f"{shown!r}: {host[:60]!r} is not a host name (no port, no user)")
    if any(c.isspace() or not c.isprintable() for c in path) or "#" in path:
        raise ParseError(f"{shown!r}: the path holds spaces, control characters or a fragment")
    return host.lower(), slash + path or "/"


def svg_problems(body: bytes) -> list[str]:
    """What keeps ``body`` from being an SVG Tiny PS logo (empty when none); never raises."""
    import xml.etree.ElementTree as ET

    head = body[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in body.lower():
        return ["it declares a document type or entities (SVG Tiny PS allows none)"]
    try:
        root = ET.fromstring(body)
    except (ET.ParseError, ValueError, LookupError) as exc:
        return [f"it is not well-formed XML ({exc})"]
    problems = []
    if root.tag != f"{_SVG}svg":
        return [f"its root element is {root.tag!r}, not svg in the SVG namespace"]
    profile = root.get("baseProfile")
    if profile != "tiny-ps":
        shown = "no baseProfile" if profile is None else f"baseProfile={profile[:20]!r}"
        problems.append(f'the svg element has {shown}, not baseProfile="tiny-ps"')
    if root.find(f"{_SVG}title") is None:
        problems.append("the svg element has no title child")
    for element in root.iter():
        name = element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""
        if name in ("script", "foreignObject"):
            problems.append(f"it holds a {name} element")
        for attribute, value in element.attrib.items():
            local = attribute.rpartition("}")[2]
            if local.lower().startswith("on"):
                problems.append(f"the {name} element has an event handler {local}=")
            elif (attribute == _XLINK_HREF or local == "href") and not value.strip().startswith("#"):
                problems.append(f"the {name} element refers to {value[:80]!r} outside the file")
            elif "url(" in value and "url(#" not in value.replace(" ", ""):
                problems.append(f"the {name} element's {local}= refers outside the file")
    return list(dict.fromkeys(problems))


@dataclass(frozen=True)
class CertificateVerdict:
    """The evidence certificate's subject, validity and names, and what is wrong with it."""

    subject: str
    not_after: str
    names: tuple[str, ...]
    problems: tuple[str, ...]


def evaluate_certificate(pem: bytes, domain: str, *, now: datetime) -> CertificateVerdict:
    """The first certificate of a PEM chain: valid at ``now`` and naming ``domain`` (SAN, or the subject).

    The chain to a mark verifying authority is not verified here (receivers hold those roots);
    raises :class:`ParseError` when ``pem`` holds no certificate.
    """
    from cryptography import x509

    try:
        certificates = x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise ParseError(f"not a PEM certificate ({exc})") from exc
    certificate = certificates[0]
    problems = []
    start, end = certificate.not_valid_before_utc, certificate.not_valid_after_utc
    if now < start:
        problems.append(f"it is not valid before {start:%Y-%m-%d}")
    if now > end:
        problems.append(f"it expired on {end:%Y-%m-%d}")
    try:
        names = tuple(
            certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
                x509.DNSName
            )
        )
    except x509.ExtensionNotFound:
        names = ()
    subject = certificate.subject.rfc4514_string()
    wanted = domain.lower().rstrip(".")
    if wanted not in {n.lower().rstrip(".") for n in names} and f"CN={wanted}" not in subject:
        problems.append(f"it does not name {wanted} (names: {', '.join(names) or 'none'})")
    return CertificateVerdict(subject, f"{end:%Y-%m-%d}", names, tuple(problems))
