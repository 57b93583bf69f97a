"""DMARC records (RFC 7489): the parser, report-URI validation and the organisational domain.

Pure: :func:`parse_dmarc_record`, :func:`validate_report_uri`, :func:`organisational_domain`
(from the public suffix list shipped by the ``publicsuffixlist`` package; nothing is downloaded),
:func:`suggest_dmarc_record`. Only :class:`~pytest_sender.errors.ParseError` leaves the parser.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pytest_sender.dns.dkim import parse_tag_list
from pytest_sender.dns.numbers import parse_number
from pytest_sender.errors import ParseError

__all__ = [
    "POLICIES",
    "DmarcRecord",
    "ReportUri",
    "dmarc_name",
    "is_dmarc_candidate",
    "organisational_domain",
    "parse_dmarc_record",
    "report_authorisation_name",
    "suggest_dmarc_record",
    "validate_report_uri",
]

POLICIES = ("none", "quarantine", "reject")
_FO_OPTIONS = {"0", "1", "d", "s"}
_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$")
_HOST = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
_SIZE = re.compile(r"^[0-9]+[kmgt]?$", re.I)
_MAX_UINT32 = 2**32 - 1


def dmarc_name(domain: str) -> str:
    return f"_dmarc.{domain}"


def report_authorisation_name(policy_domain: str, destination_host: str) -> str:
    """RFC 7489 §7.1: ``<policy domain>._report._dmarc.<destination host>``."""
    return f"{policy_domain}._report._dmarc.{destination_host}"


def is_dmarc_candidate(text: str) -> bool:
    """A TXT text meant as a DMARC record (``v=DMARC1`` somewhere; the parser insists it comes first)."""
    return "v=dmarc1" in text.replace(" ", "").lower()


@dataclass(frozen=True)
class ReportUri:
    """One rua/ruf destination."""

    uri: str
    address: str
    host: str
    max_size: str = ""


def validate_report_uri(text: str) -> ReportUri:
    """Parse ``mailto:user@host[!size]``; raises :class:`ParseError` saying what is wrong."""
    uri = text.strip()
    body, _, size = uri.partition("!")
    if size and not _SIZE.match(size):
        raise ParseError(f"{uri!r}: the size limit after '!' must be a number with k, m, g or t")
    scheme, sep, address = body.partition(":")
    if not sep or scheme.lower() != "mailto":
        raise ParseError(f"{uri!r} is not a mailto: URI")
    local, at, host = address.rpartition("@")
    if not at or not local or not _LOCAL_PART.match(local):
        raise ParseError(f"{uri!r} does not hold an email address")
    if not _HOST.match(host):
        raise ParseError(f"{uri!r}: {host!r} is not a domain name")
    return ReportUri(uri, address, host.lower(), size)


@dataclass(frozen=True)
class DmarcRecord:
    """A parsed DMARC record; absent tags hold their RFC 7489 defaults."""

    text: str
    policy: str
    subdomain_policy: str | None
    pct: int = 100
    adkim: str = "r"
    aspf: str = "r"
    rua: tuple[str, ...] = ()
    ruf: tuple[str, ...] = ()
    fo: str = "0"
    ri: int = 86400

    def effective_policy(self, *, for_subdomain: bool) -> str:
        """The policy for the domain itself, or for a subdomain when found at the organisational domain."""
        if for_subdomain and self.subdomain_policy is not None:
            return self.subdomain_policy
        return self.policy


def _uri_list(value: str, tag: str) -> tuple[str, ...]:
    uris = tuple(part.strip() for part in value.split(",") if part.strip())
    if not uris:
        raise ParseError(f"{tag}= is empty")
    return uris


def parse_dmarc_record(text: str) -> DmarcRecord:
    """Parse a DMARC record; raises :class:`ParseError` (report URIs are checked separately)."""
    tags = parse_tag_list(text, what="DMARC record")
    if not tags or tags[0][0] != "v":
        raise ParseError("v=DMARC1 must be the first tag")
    if tags[0][1] != "DMARC1":
        raise ParseError(f"v={tags[0][1]!r} is not DMARC1")
    values = {name.lower(): value for name, value in tags}
    if "p" not in values:
        raise ParseError("the record has no p= policy")
    fields: dict[str, Any] = {}
    for name in ("p", "sp"):
        if name in values:
            if values[name].lower() not in POLICIES:
                raise ParseError(f"{name}={values[name]!r} is not one of none, quarantine, reject")
            fields[name] = values[name].lower()
    if "pct" in values:
        fields["pct"] = parse_number(values["pct"], maximum=100, what="pct=")
    for name in ("adkim", "aspf"):
        if name in values:
            if values[name].lower() not in ("r", "s"):
                raise ParseError(f"{name}={values[name]!r} must be r (relaxed) or s (strict)")
            fields[name] = values[name].lower()
    if "fo" in values:
        options = [option.strip() for option in values["fo"].split(":")]
        if not options or any(option not in _FO_OPTIONS for option in options):
            raise ParseError(f"fo={values['fo']!r} must be a ':'-list of 0, 1, d, s")
        fields["fo"] = values["fo"]
    if "ri" in values:
        fields["ri"] = parse_number(values["ri"], maximum=_MAX_UINT32, what="ri=")
    rua = _uri_list(values["rua"], "rua") if "rua" in values else ()
    ruf = _uri_list(values["ruf"], "ruf") if "ruf" in values else ()
    return DmarcRecord(
        text=text, policy=fields.pop("p"), subdomain_policy=fields.pop("sp", None), rua=rua, ruf=ruf, **fields
    )


@functools.lru_cache(maxsize=1)
def _public_suffix_list() -> Any:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def organisational_domain(domain: str) -> str:
    """The registrable domain by the public suffix list (``mail.shop.co.uk`` → ``shop.co.uk``).

    Give the A-label form. A name that is itself a public suffix is returned unchanged.
    """
    name = domain.rstrip(".").lower()
    org: str | None = _public_suffix_list().privatesuffix(name)
    return org or name


def suggest_dmarc_record(current: DmarcRecord | None, org_domain: str, *, policy: str | None = None) -> str:
    """The record to publish: ``current`` with ``policy`` (quarantine by default), other tags kept."""
    if current is None:
        return f"v=DMARC1; p={policy or 'none'}; rua=mailto:dmarc@{org_domain}"
    wanted = policy or "quarantine"
    parts = [f"v=DMARC1; p={wanted}"]
    if current.subdomain_policy is not None:
        parts.append(f"sp={wanted if current.subdomain_policy == 'none' else current.subdomain_policy}")
    for name, value, default in (
        ("pct", current.pct, 100),
        ("adkim", current.adkim, "r"),
        ("aspf", current.aspf, "r"),
        ("fo", current.fo, "0"),
        ("ri", current.ri, 86400),
    ):
        if value != default:
            parts.append(f"{name}={value}")
    rua: Sequence[str] = current.rua or (f"mailto:dmarc@{org_domain}",)
    parts.append("rua=" + ",".join(rua))
    if current.ruf:
        parts.append("ruf=" + ",".join(current.ruf))
    return "; ".join(parts)
