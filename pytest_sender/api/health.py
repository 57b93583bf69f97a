"""Delivery health of a transactional campaign: exact rates from Sender's counts (pure functions).

Rates are fractions of integer counts (:class:`fractions.Fraction`), compared exactly with the
configured limits (percentages as :class:`~decimal.Decimal`): 3 complaints in 1000 sends is exactly
0.3% and trips a fail limit of 0.3%, with no float rounding on either side of the boundary. Text
shows rates rounded to two decimals (``0.30%``), and never rounds a non-zero rate down to ``0%``.

Recipient addresses from Sender's lists are shown only masked (``j***@example.com``), in evidence and
in any server text quoted there (:func:`mask_addresses`).

    counts = parse_report(report_json)
    finding = evaluate_health(counts, thresholds, campaign="ep2W4y", window_days=7,
                              recent_bounces=parse_bounces(bounces_json))
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from pytest_sender.errors import InvalidArgument, ParseError
from pytest_sender.findings import Finding, Status
from pytest_sender.hints import make_finding
from pytest_sender.settings import RateThreshold, Settings

__all__ = [
    "CHECK",
    "BouncedRecipient",
    "DailyCounts",
    "DeliveryCounts",
    "HealthThresholds",
    "evaluate_health",
    "format_percent",
    "health_chart_data",
    "mask_address",
    "mask_addresses",
    "parse_bounces",
    "parse_daily_series",
    "parse_report",
    "rate",
]

CHECK = "api.health"
#: How many of the latest bounced recipients the evidence lists.
RECENT_BOUNCES = 5
_ADDRESS = re.compile(r"([A-Za-z0-9._%+\-]+)@([A-Za-z0-9](?:[A-Za-z0-9.\-]*[A-Za-z0-9])?)")


@dataclass(frozen=True)
class DeliveryCounts:
    """What Sender counted for one campaign over the window."""

    sent: int
    hard_bounces: int
    soft_bounces: int
    complaints: int


@dataclass(frozen=True)
class HealthThresholds:
    """The warn and fail limits of each rate, in percent of sent mail."""

    complaints: RateThreshold
    hard_bounces: RateThreshold
    soft_bounces: RateThreshold

    @classmethod
    def from_settings(cls, settings: Settings) -> HealthThresholds:
        return cls(settings.health_complaints, settings.health_hard_bounces, settings.health_soft_bounces)


@dataclass(frozen=True)
class DailyCounts:
    """One day of a campaign's report series (the charts of the reports draw them)."""

    day: date
    sent: int
    hard_bounces: int
    soft_bounces: int
    complaints: int


@dataclass(frozen=True)
class BouncedRecipient:
    """One entry of the campaign's bounce list (the address is kept as Sender gave it; show it masked)."""

    email: str
    bounce_type: str
    message: str
    created: str | None = None


# --- masking --------------------------------------------------------------------------------------


def mask_address(email: str) -> str:
    """``john.doe@example.com`` → ``j***@example.com`` (the domain stays: it tells which provider)."""
    local, at, domain = email.strip().rpartition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}" if local else f"***@{domain}"


def mask_addresses(text: str) -> str:
    """``text`` with every email address in it masked (server texts may quote the recipient)."""
    return _ADDRESS.sub(lambda m: mask_address(m.group(0)), text)


# --- rates ----------------------------------------------------------------------------------------


def rate(count: int, sent: int) -> Fraction:
    """``count`` as an exact fraction of ``sent`` (``sent`` must be positive)."""
    if sent <= 0:
        raise InvalidArgument("a rate needs at least one sent message")
    return Fraction(count, sent)


def format_percent(value: Fraction | Decimal) -> str:
    """A rate (a fraction of 1) as a percentage with two decimals; tiny non-zero rates as ``<0.01%``."""
    percent = Fraction(value) * 100
    if 0 < percent < Fraction(1, 100):
        return "<0.01%"
    rounded = Decimal(percent.numerator) / Decimal(percent.denominator)
    return f"{rounded.quantize(Decimal('0.01'))}%"


def _limit(percent: Decimal) -> str:
    return f"{percent.normalize():f}%"


def _level(value: Fraction, threshold: RateThreshold) -> Status:
    """FAIL from the fail limit on, WARN from the warn limit on (both inclusive), else PASS."""
    percent = value * 100
    if percent >= Fraction(threshold.fail):
        return Status.FAIL
    if percent >= Fraction(threshold.warn):
        return Status.WARN
    return Status.PASS


# --- parsing (pure) -------------------------------------------------------------------------------


def _count(totals: Mapping[str, Any], *names: str) -> int | None:
    for name in names:
        value = totals.get(name)
        if isinstance(value, bool):
            continue
        if isinstance(value, int) and value >= 0:
            return value
        if isinstance(value, str) and value.isdigit():
            return int(value)
    return None


def parse_report(data: object) -> DeliveryCounts:
    """The counts in an answer of ``GET /transactional/{id}/report``.

    Sender documents the series and ``totals.*_total`` at the top level; the same object under
    ``data`` (the shape earlier copies of the contract gave it) is read too. A missing ``sent_total``
    is a :class:`ParseError`; missing bounce or complaint totals count as zero only when the series
    for them is absent too.
    """
    body = data.get("data", data) if isinstance(data, Mapping) else None
    totals = body.get("totals") if isinstance(body, Mapping) else None
    if not isinstance(totals, Mapping):
        raise ParseError("the report has no totals object")
    sent = _count(totals, "sent_total", "sent")
    if sent is None:
        raise ParseError("the report's totals have no sent_total count")
    values: dict[str, int] = {}
    for name in ("hard_bounces", "soft_bounces", "complaints"):
        value = _count(totals, f"{name}_total", name)
        if value is None:
            if isinstance(body, Mapping) and name in body:
                raise ParseError(f"the report has a {name} series but no {name}_total count")
            value = 0
        values[name] = value
    return DeliveryCounts(sent=sent, **values)


def parse_bounces(items: Iterable[object]) -> list[BouncedRecipient]:
    """Entries of the bounce list (``email``, ``bounce_type``, ``message``, ``created``); others skipped."""
    bounces = []
    for item in items:
        if not isinstance(item, Mapping) or not isinstance(item.get("email"), str):
            continue
        created = item.get("created")
        bounces.append(
            BouncedRecipient(
                email=item["email"],
                bounce_type=str(item.get("bounce_type") or "unknown type"),
                message=str(item.get("message") or "no reason given"),
                created=str(created) if created is not None else None,
            )
        )
    return bounces


# --- evaluation (pure) ----------------------------------------------------------------------------

# The order findings are reported in when several rates trip at the same level: complaints first
# (they hurt the domain's reputation most), then hard bounces, then soft bounces.
_METRICS = (("complaints", "COMPLAINTS"), ("hard_bounces", "HARD_BOUNCES"), ("soft_bounces", "SOFT_BOUNCES"))


def evaluate_health(
    counts: DeliveryCounts,
    thresholds: HealthThresholds,
    *,
    campaign: str,
    window_days: int,
    recent_bounces: Sequence[BouncedRecipient] = (),
    bounces_total: int | None = None,
    evidence: Iterable[str] = (),
    check: str = CHECK,
) -> Finding:
    """The finding for one campaign: the worst rate decides (an empty window is a skip, not a pass)."""
    params: dict[str, Any] = {"campaign": campaign, "window": window_days, "sent": counts.sent}
    lines = list(evidence)
    if counts.sent == 0:
        lines.append(f"sent: 0 in the last {window_days} days")
        return make_finding(check, campaign, "API_HEALTH_NO_SENDS", evidence=lines, **params)
    levels: dict[str, Status] = {}
    short = {"complaints": "complaint", "hard_bounces": "hard", "soft_bounces": "soft"}
    for name, _ in _METRICS:
        count = getattr(counts, name)
        threshold: RateThreshold = getattr(thresholds, name)
        value = rate(count, counts.sent)
        levels[name] = _level(value, threshold)
        key = short[name]
        params.update(
            {
                name: count,
                f"{key}_rate": format_percent(value),
                f"{key}_warn": _limit(threshold.warn),
                f"{key}_fail": _limit(threshold.fail),
            }
        )
        lines.append(
            f"{name.replace('_', ' ')}: {count} of {counts.sent} sent = {format_percent(value)} "
            f"(warn from {_limit(threshold.warn)}, fail from {_limit(threshold.fail)}): {levels[name].value}"
        )
    shown = recent_bounces[:RECENT_BOUNCES]
    if shown:
        total = max(bounces_total or 0, len(recent_bounces))
        lines.append(f"latest {len(shown)} of {total} bounced recipients (newest first, addresses masked):")
    for bounce in shown:
        when = f"{bounce.created} " if bounce.created else ""
        lines.append(
            f"bounced: {when}{mask_address(bounce.email)} {bounce.bounce_type}: {mask_addresses(bounce.message)}"
        )
    if shown and total > len(shown):
        lines.append(f"… {total - len(shown)} more in Sender: Transactional emails → Logs")
    for status, suffix in ((Status.FAIL, "HIGH"), (Status.WARN, "ELEVATED")):
        for name, code in _METRICS:
            if levels[name] is status:
                return make_finding(check, campaign, f"API_HEALTH_{code}_{suffix}", evidence=lines, **params)
    return make_finding(check, campaign, "API_HEALTH_OK", evidence=lines, **params)


# --- the daily series, for the reports' charts (pure) ------------------------------------------------

#: The report's series the charts draw, by the name each has in :class:`DeliveryCounts`.
_SERIES = ("sent", "hard_bounces", "soft_bounces", "complaints")


def _series_counts(series: object) -> dict[str, int] | None:
    """A series as ``{YYYY-MM-DD: count}``: a list of ``{"date", "count"}`` objects or a mapping.

    ``date`` is Sender's documented ``{"from": ..., "to": ...}`` period (a day, with ``period=day``)
    or a plain ``YYYY-MM-DD``, as older answers gave it.
    """
    entries: Iterable[tuple[object, object]]
    if isinstance(series, Mapping):
        entries = series.items()
    elif isinstance(series, list):
        pairs = []
        for item in series:
            if not isinstance(item, Mapping):
                return None
            day = item.get("date", item.get("day", item.get("period")))
            if isinstance(day, Mapping):
                day = day.get("from")
            pairs.append((day, item.get("count", item.get("value", item.get("total")))))
        entries = pairs
    else:
        return None
    counts: dict[str, int] = {}
    for day, value in entries:
        number = _count({"n": value}, "n")
        if not isinstance(day, str) or number is None:
            return None
        key = day.strip()[:10]
        counts[key] = counts.get(key, 0) + number
    return counts


def parse_daily_series(data: object, *, date_from: date, date_to: date) -> tuple[DailyCounts, ...]:
    """Every day of the window with its sends, bounces and complaints, from the report's daily series.

    Days a series does not list count zero. Only for showing: an answer whose series cannot be read
    (or that has no ``sent`` series) gives an empty tuple, never an error; the verdict is judged
    from the totals alone (:func:`parse_report`).
    """
    body = data.get("data", data) if isinstance(data, Mapping) else None
    if not isinstance(body, Mapping) or "sent" not in body:
        return ()
    series: dict[str, dict[str, int]] = {}
    for name in _SERIES:
        counts = _series_counts(body.get(name, []))
        if counts is None:
            return ()
        series[name] = counts
    days = []
    day = date_from
    while day <= date_to:
        key = day.isoformat()
        days.append(DailyCounts(day, *(series[name].get(key, 0) for name in _SERIES)))
        day += timedelta(days=1)
    return tuple(days)


def health_chart_data(
    counts: DeliveryCounts,
    thresholds: HealthThresholds,
    daily: Sequence[DailyCounts],
    *,
    date_from: date,
    date_to: date,
) -> dict[str, Any]:
    """What the reports draw for one campaign (a finding's ``data["health"]``): the window, each day's
    counts, the totals and each rate's warn and fail limits in percent (JSON types only)."""
    return {
        "window": {"from": date_from.isoformat(), "to": date_to.isoformat(), "days": (date_to - date_from).days + 1},
        "daily": [{"date": d.day.isoformat(), **{name: getattr(d, name) for name in _SERIES}} for d in daily],
        "totals": {name: getattr(counts, name) for name in _SERIES},
        "limits": {
            name: {"warn": float(limit.warn), "fail": float(limit.fail)}
            for name in ("hard_bounces", "soft_bounces", "complaints")
            for limit in (getattr(thresholds, name),)
        },
    }
