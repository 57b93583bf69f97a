"""Whether a domain can receive replies and bounces: MX records, null MX (RFC 7505), A fallback.

Pure: :func:`parse_mx_records` and :func:`evaluate_mx`; the ``dns.mx`` check in
:mod:`pytest_sender.dns.checks` does the three queries (MX, A, AAAA) at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pytest_sender.dns.numbers import parse_number
from pytest_sender.dns.query import DnsAnswer
from pytest_sender.errors import ParseError

__all__ = ["MxVerdict", "evaluate_mx", "parse_mx_records"]


def parse_mx_records(records: Sequence[str]) -> tuple[tuple[int, str], ...]:
    """``"<preference> <host>"`` texts as (preference, host), sorted by preference."""
    parsed: list[tuple[int, str]] = []
    for record in records:
        preference, _, host = record.partition(" ")
        if not host:
            raise ParseError(f"{record[:60]!r} is not an MX record (preference host)")
        try:
            number = parse_number(preference, maximum=65535, what="its preference ")
        except ParseError as exc:
            raise ParseError(f"{record[:60]!r} is not an MX record: {exc}") from exc
        parsed.append((number, host.strip().rstrip(".").lower() or "."))
    return tuple(sorted(parsed))


@dataclass(frozen=True)
class MxVerdict:
    """``kind`` is ``"mx"``, ``"null"``, ``"address"`` (A/AAAA fallback), ``"none"`` or ``"fault"``."""

    kind: str
    hosts: tuple[str, ...] = ()
    fault: DnsAnswer | None = None


def evaluate_mx(mx: DnsAnswer, a: DnsAnswer, aaaa: DnsAnswer) -> MxVerdict:
    """Classify the three answers (pure)."""
    if mx.status.is_fault:
        return MxVerdict("fault", fault=mx)
    if mx.ok:
        hosts = parse_mx_records(mx.records)
        if len(hosts) == 1 and hosts[0][1] == ".":
            return MxVerdict("null")
        return MxVerdict("mx", tuple(host for _, host in hosts if host != "."))
    addresses = tuple(a.records) + tuple(aaaa.records)
    if addresses:
        return MxVerdict("address", addresses)
    for answer in (a, aaaa):
        if answer.status.is_fault:
            return MxVerdict("fault", fault=answer)
    return MxVerdict("none")
