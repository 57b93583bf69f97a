"""Domain blocklists (RHSBL/URI lists): the list catalogue and answer classification.

A domain is looked up as ``<domain>.<list zone>``: NXDOMAIN means "not listed"; an address in
127.0.0.0/8 is a listing code, except the codes each list uses to say "query refused" (public or
over-used resolver), which are *not* listings. Pure: :func:`evaluate_listing`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field

from pytest_sender.dns.query import DnsAnswer, DnsStatus

__all__ = ["DEFAULT_BLOCKLISTS", "Blocklist", "Listing", "evaluate_listing"]


@dataclass(frozen=True)
class Blocklist:
    """One domain blocklist."""

    zone: str
    title: str
    lookup_url: str
    refused_codes: frozenset[str] = frozenset()
    meanings: Mapping[str, str] = field(default_factory=dict)
    bitmask: Mapping[int, str] = field(default_factory=dict)  # last-octet bits (URIBL, SURBL)

    def meaning(self, code: str) -> str:
        if code in self.meanings:
            return self.meanings[code]
        if self.bitmask:
            last = int(code.rsplit(".", 1)[1])
            names = [name for bit, name in sorted(self.bitmask.items()) if last & bit]
            if names:
                return ", ".join(names)
        return f"listed ({code})"


SPAMHAUS_DBL = Blocklist(
    zone="dbl.spamhaus.org",
    title="Spamhaus DBL",
    lookup_url="https://check.spamhaus.org/",
    # 127.255.255.252: typing error in the list name; .254: public/open resolver; .255: too many queries
    refused_codes=frozenset({"127.255.255.252", "127.255.255.254", "127.255.255.255", "127.0.1.255"}),
    meanings={
        "127.0.1.2": "spam domain",
        "127.0.1.4": "phishing domain",
        "127.0.1.5": "malware domain",
        "127.0.1.6": "botnet C&C domain",
        "127.0.1.102": "abused legitimate domain (spam)",
        "127.0.1.103": "abused redirector domain",
        "127.0.1.104": "abused legitimate domain (phishing)",
        "127.0.1.105": "abused legitimate domain (malware)",
        "127.0.1.106": "abused legitimate domain (botnet C&C)",
    },
)
URIBL_MULTI = Blocklist(
    zone="multi.uribl.com",
    title="URIBL",
    lookup_url="https://admin.uribl.com/",
    refused_codes=frozenset({"127.0.0.1"}),  # URIBL: "query refused" for public or heavy resolvers
    bitmask={2: "URIBL black", 4: "URIBL grey", 8: "URIBL red"},
)
SURBL_MULTI = Blocklist(
    zone="multi.surbl.org",
    title="SURBL",
    lookup_url="https://surbl.org/surbl-analysis",
    refused_codes=frozenset({"127.0.0.1"}),  # SURBL: access blocked for this resolver
    bitmask={8: "phishing", 16: "malware", 64: "abuse", 128: "cracked site"},
)

#: The domain blocklists checked by default.
DEFAULT_BLOCKLISTS: tuple[Blocklist, ...] = (SPAMHAUS_DBL, URIBL_MULTI, SURBL_MULTI)


@dataclass(frozen=True)
class Listing:
    """``kind``: ``"clean"``, ``"listed"``, ``"refused"`` (list refused the resolver), ``"bad"`` (not a
    list code) or ``"fault"`` (DNS fault)."""

    blocklist: Blocklist
    kind: str
    codes: tuple[str, ...] = ()
    meaning: str = ""
    answer: DnsAnswer | None = None


def evaluate_listing(blocklist: Blocklist, answer: DnsAnswer) -> Listing:
    """Classify the A answer for ``<domain>.<zone>`` (pure)."""
    if answer.status.is_void:
        return Listing(blocklist, "clean", answer=answer)
    if answer.status is not DnsStatus.OK:
        return Listing(blocklist, "fault", answer=answer)
    codes = tuple(sorted(answer.records))
    loopback = ipaddress.ip_network("127.0.0.0/8")
    for code in codes:
        try:
            in_range = ipaddress.ip_address(code) in loopback
        except ValueError:
            in_range = False
        if not in_range:
            return Listing(blocklist, "bad", codes, answer=answer)
    refused = [code for code in codes if code in blocklist.refused_codes]
    if refused:
        return Listing(blocklist, "refused", tuple(refused), answer=answer)
    meaning = "; ".join(blocklist.meaning(code) for code in codes)
    return Listing(blocklist, "listed", codes, meaning, answer)
