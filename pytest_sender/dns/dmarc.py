"""DMARC records (RFC 9989, which obsoletes RFC 7489): the parser, policy discovery, report URIs.

Pure: :func:`parse_dmarc_record`, :func:`validate_report_uri`, :func:`tree_walk_names` (the names
RFC 9989's DNS tree walk queries, at most :data:`MAX_TREE_WALK_QUERIES`), :func:`discover` (which
record applies and the organisational domain, from the walk's answers), :func:`suggest_dmarc_record`.
:func:`organisational_domain` (the public suffix list shipped by ``publicsuffixlist``; nothing is
downloaded) is kept only to advise where to publish a first record when the walk finds none: RFC
9989 determines policy and organisational domains by the walk alone. Only
:class:`~pytest_sender.errors.ParseError` leaves the parser.
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
    "MAX_TREE_WALK_QUERIES",
    "POLICIES",
    "REMOVED_TAGS",
    "Discovery",
    "DmarcRecord",
    "ReportUri",
    "discover",
    "dmarc_name",
    "is_dmarc_candidate",
    "organisational_domain",
    "parse_dmarc_record",
    "report_authorisation_name",
    "suggest_dmarc_record",
    "tree_walk_names",
    "validate_report_uri",
]

POLICIES = ("none", "quarantine", "reject")
#: RFC 9989 §4.10: the author domain, then at most seven shorter names.
MAX_TREE_WALK_QUERIES = 8
#: Tags of RFC 7489 that RFC 9989 removed, with what replaces them.
REMOVED_TAGS = {
    "pct": "t=y (testing) for a partial roll-out",
    "rf": "nothing: failure reports have one format (RFC 9991)",
    "ri": "nothing: receivers send aggregate reports daily (RFC 9990)",
}
_KNOWN_TAGS = frozenset({"v", "p", "sp", "np", "psd", "t", "adkim", "aspf", "rua", "ruf", "fo"})
_FO_OPTIONS = {"0", "1", "d", "s"}
_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$")
_HOST = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
_SIZE = re.compile(r"^[0-9]+[kmgt]?$", re.I)
_MAX_UINT32 = 2**32 - 1


def dmarc_name(domain: str) -> str:
    return f"_dmarc.{domain}"


def report_authorisation_name(policy_domain: str, destination_host: str) -> str:
    """RFC 9990 §4 (as RFC 7489 §7.1): ``<policy domain>._report._dmarc.<destination host>``."""
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
    """A parsed DMARC record; absent tags hold their RFC 9989 defaults.

    ``pct`` and ``ri`` are read (leniently) only to describe them: RFC 9989 receivers ignore them.
    ``removed`` and ``unknown`` name the tags receivers ignore; ``p_follows_v`` is False when ``p``
    is not the second tag (RFC 7489 receivers insist on it).
    """

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
    nonexistent_policy: str | None = None  # np=
    psd: str = "u"  # y: a public suffix domain's record, n: an organisational domain's, u: unsaid
    testing: bool = False  # t=y
    removed: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    p_follows_v: bool = True
    notes: tuple[str, ...] = ()

    def effective_policy(self, *, for_subdomain: bool) -> str:
        """The policy for the domain itself, or for a subdomain when found at an ancestor."""
        if for_subdomain and self.subdomain_policy is not None:
            return self.subdomain_policy
        return self.policy


def _uri_list(value: str, tag: str) -> tuple[str, ...]:
    uris = tuple(part.strip() for part in value.split(",") if part.strip())
    if not uris:
        raise ParseError(f"{tag}= is empty")
    return uris


def parse_dmarc_record(text: str) -> DmarcRecord:
    """Parse a DMARC record (RFC 9989 §4.7); raises :class:`ParseError` (report URIs are checked separately).

    Unknown tags are ignored (listed in ``unknown``), as RFC 9989 requires; the removed tags ``pct``,
    ``rf`` and ``ri`` never make the record invalid.
    """
    tags = parse_tag_list(text, what="DMARC record")
    if not tags or tags[0][0] != "v":
        raise ParseError("v=DMARC1 must be the first tag")
    if tags[0][1] != "DMARC1":
        raise ParseError(f"v={tags[0][1][:40]!r} is not DMARC1")
    values = {name.lower(): value for name, value in tags}
    if "p" not in values:
        raise ParseError("the record has no p= policy")
    fields: dict[str, Any] = {}
    notes: list[str] = []
    for name in ("p", "sp", "np"):
        if name in values:
            if values[name].lower() not in POLICIES:
                raise ParseError(f"{name}={values[name][:40]!r} is not one of none, quarantine, reject")
            fields[name] = values[name].lower()
    for name in ("adkim", "aspf"):
        if name in values:
            if values[name].lower() not in ("r", "s"):
                raise ParseError(f"{name}={values[name][:40]!r} must be r (relaxed) or s (strict)")
            fields[name] = values[name].lower()
    if "psd" in values:
        if values["psd"].lower() not in ("y", "n", "u"):
            raise ParseError(f"psd={values['psd'][:40]!r} must be y, n or u")
        fields["psd"] = values["psd"].lower()
    if "t" in values:
        if values["t"].lower() not in ("y", "n"):
            raise ParseError(f"t={values['t'][:40]!r} must be y (testing) or n")
        fields["testing"] = values["t"].lower() == "y"
    if "fo" in values:
        options = [option.strip() for option in values["fo"].split(":")]
        if not options or any(option not in _FO_OPTIONS for option in options):
            raise ParseError(f"fo={values['fo'][:40]!r} must be a ':'-list of 0, 1, d, s")
        fields["fo"] = values["fo"]
    for name, maximum in (("pct", 100), ("ri", _MAX_UINT32)):
        if name in values:
            try:
                fields[name] = parse_number(values[name], maximum=maximum, what=f"{name}=")
            except ParseError as exc:
                notes.append(f"{exc} (ignored)")
    names = [name.lower() for name, _ in tags]
    removed = tuple(name for name in names if name in REMOVED_TAGS)
    unknown = tuple(name for name in names if name not in _KNOWN_TAGS and name not in REMOVED_TAGS)
    rua = _uri_list(values["rua"], "rua") if "rua" in values else ()
    ruf = _uri_list(values["ruf"], "ruf") if "ruf" in values else ()
    return DmarcRecord(
        text=text,
        policy=fields.pop("p"),
        subdomain_policy=fields.pop("sp", None),
        nonexistent_policy=fields.pop("np", None),
        rua=rua,
        ruf=ruf,
        removed=removed,
        unknown=unknown,
        p_follows_v=len(names) > 1 and names[1] == "p",
        notes=tuple(notes),
        **fields,
    )


def tree_walk_names(domain: str) -> tuple[str, ...]:
    """The names whose ``_dmarc`` records RFC 9989's tree walk reads, in order (at most eight).

    The author domain first; then, from the rightmost seven labels (or the domain less its first
    label when it has fewer), one label fewer at a time down to a single label.
    """
    name = domain.rstrip(".").lower()
    labels = name.split(".")
    start = labels[-(MAX_TREE_WALK_QUERIES - 1) :] if len(labels) >= MAX_TREE_WALK_QUERIES else labels[1:]
    return (name, *(".".join(start[i:]) for i in range(len(start))))


@dataclass(frozen=True)
class Discovery:
    """What the tree walk found: the record that applies, where, and the organisational domain."""

    policy_domain: str | None  # the name whose _dmarc record applies (None: no record anywhere)
    texts: tuple[str, ...]  # the v=DMARC1 candidates at that name
    organisational_domain: str
    reason: str  # why, in words, for the evidence


def discover(domain: str, records: dict[str, tuple[str, ...]]) -> Discovery:
    """RFC 9989 §4.10 from the walk's answers: ``records`` maps each walked name to its DMARC candidates.

    The policy record is the first name (in walk order) with a candidate. The organisational
    domain is the first name whose record says ``psd=n``; else the name just below the first
    ``psd=y`` record (the public suffix domain); else the shortest name with a record; else the
    domain itself.
    """
    walk = tree_walk_names(domain)
    policy_domain = next((name for name in walk if records.get(name)), None)
    parsed: dict[str, DmarcRecord] = {}
    for name in walk:
        texts = records.get(name, ())
        if len(texts) == 1:
            try:
                parsed[name] = parse_dmarc_record(texts[0])
            except ParseError:
                continue
    org: str | None = None
    why = ""
    for index, name in enumerate(walk):
        record = parsed.get(name)
        if record is None:
            continue
        if record.psd == "n":
            org, why = name, f"_dmarc.{name} says psd=n"
            break
        if record.psd == "y":
            org = walk[index - 1] if index > 0 else name
            why = f"_dmarc.{name} says psd=y (a public suffix domain), so the name below it"
            break
    if org is None:
        with_record = [name for name in walk if name in parsed]
        if with_record:
            org, why = with_record[-1], "the shortest name in the walk with a DMARC record"
        else:
            org, why = walk[0], "no DMARC record anywhere in the walk"
    if policy_domain is None:
        reason = f"no v=DMARC1 record at _dmarc of {', '.join(walk)}"
    elif policy_domain == walk[0]:
        reason = f"the record at _dmarc.{policy_domain} is the domain's own"
    else:
        reason = f"{walk[0]} has no record; the tree walk found _dmarc.{policy_domain}"
    return Discovery(
        policy_domain,
        records.get(policy_domain, ()) if policy_domain else (),
        org,
        f"{reason}; organisational domain {org}: {why}",
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
        ("adkim", current.adkim, "r"),
        ("aspf", current.aspf, "r"),
        ("fo", current.fo, "0"),
    ):
        if value != default:
            parts.append(f"{name}={value}")
    if current.nonexistent_policy is not None:
        parts.append(f"np={current.nonexistent_policy}")
    if current.psd != "u":
        parts.append(f"psd={current.psd}")
    rua: Sequence[str] = current.rua or (f"mailto:dmarc@{org_domain}",)
    parts.append("rua=" + ",".join(rua))
    if current.ruf:
        parts.append("ruf=" + ",".join(current.ruf))
    return "; ".join(parts)
