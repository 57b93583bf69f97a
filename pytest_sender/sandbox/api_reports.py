"""The sandbox's transactional reports: ``/transactional/{id}/report|sent|bounces|complaints``.

Built from the sandbox's own outbox (every template send of the campaign) plus events a test
injects (:meth:`ReportStore.inject_sent`, :meth:`~ReportStore.inject_bounce`,
:meth:`~ReportStore.inject_complaint`). The lists are paginated with Sender's envelope (``data``,
``links``, ``meta``, ``has_more_resources``); the report has its series and totals at the top level,
as Sender documents it. Pure except for the store's lock; the server answers with
:func:`report_body` and :func:`list_page`.
"""

from __future__ import annotations

import secrets
import string
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

from pytest_sender.errors import InvalidArgument
from pytest_sender.sandbox.outbox import OutboxMessage

__all__ = [
    "BOUNCE_TYPES",
    "LISTS",
    "PERIODS",
    "ReportEvent",
    "ReportStore",
    "list_page",
    "period_bounds",
    "report_body",
]

LISTS = ("sent", "bounces", "complaints")
BOUNCE_TYPES = ("HARD_BOUNCE", "SOFT_BOUNCE")
_ALPHABET = string.ascii_letters + string.digits
#: The account id the sandbox puts in sent entries (Sender's sent list carries one).
SANDBOX_ACCOUNT_ID = "sbxAccount"


@dataclass(frozen=True)
class ReportEvent:
    """One injected event of a campaign: a send, a bounce or a complaint."""

    kind: str  # "sent", "bounces" or "complaints"
    campaign_id: str
    email: str
    created: datetime
    email_id: str | None
    bounce_type: str | None = None
    message: str | None = None


def _email_id(campaign_id: str) -> str:
    def chunk(n: int) -> str:
        return "".join(secrets.choice(_ALPHABET) for _ in range(n))

    return f"{campaign_id}-{chunk(7)}-{chunk(12)}-{chunk(5)}"


def _utc(when: datetime | None) -> datetime:
    if when is None:
        return datetime.now(timezone.utc)
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


class ReportStore:
    """Injected events, thread-safe. :meth:`mark_baseline` keeps what is there now across :meth:`reset`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: list[ReportEvent] = []
        # (campaign, kind) -> events: a report request reads its campaign's events, not everyone's.
        self._index: dict[tuple[str, str], list[ReportEvent]] = {}
        self._baseline = 0

    def _add(self, event: ReportEvent) -> ReportEvent:
        with self._lock:
            self._events.append(event)
            self._index.setdefault((event.campaign_id, event.kind), []).append(event)
        return event

    def inject_sent(
        self, campaign_id: str, email: str, *, when: datetime | None = None, email_id: str | None = None
    ) -> ReportEvent:
        """A send of ``campaign_id`` to ``email`` (at ``when``, default now) that the outbox does not hold."""
        return self._add(ReportEvent("sent", campaign_id, email, _utc(when), email_id or _email_id(campaign_id)))

    def inject_bounce(
        self,
        campaign_id: str,
        email: str,
        bounce_type: str = "HARD_BOUNCE",
        message: str = "Mailbox not found",
        *,
        when: datetime | None = None,
        email_id: str | None = None,
    ) -> ReportEvent:
        """A bounce of a message of ``campaign_id`` to ``email``; ``bounce_type`` HARD_BOUNCE or SOFT_BOUNCE."""
        if bounce_type not in BOUNCE_TYPES:
            raise InvalidArgument(f"bounce_type is one of {', '.join(BOUNCE_TYPES)}, not {bounce_type!r}")
        return self._add(
            ReportEvent("bounces", campaign_id, email, _utc(when), email_id, bounce_type=bounce_type, message=message)
        )

    def inject_complaint(
        self, campaign_id: str, email: str, *, when: datetime | None = None, email_id: str | None = None
    ) -> ReportEvent:
        """A spam complaint about a message of ``campaign_id`` from ``email``."""
        return self._add(ReportEvent("complaints", campaign_id, email, _utc(when), email_id))

    def mark_baseline(self) -> None:
        with self._lock:
            self._baseline = len(self._events)

    def reset(self) -> None:
        """Forget the events injected after :meth:`mark_baseline`."""
        with self._lock:
            del self._events[self._baseline :]
            self._index = {}
            for event in self._events:
                self._index.setdefault((event.campaign_id, event.kind), []).append(event)

    def events(self, campaign_id: str, kind: str, outbox: Iterable[OutboxMessage] = ()) -> list[ReportEvent]:
        """The campaign's events of ``kind``, oldest first; sends include the outbox's template sends."""
        with self._lock:
            found = list(self._index.get((campaign_id, kind), ()))
        if kind == "sent":
            found += [
                ReportEvent("sent", campaign_id, m.to[0] if m.to else "", m.received_at, m.email_id)
                for m in outbox
                if m.template_id == campaign_id
            ]
        return sorted(found, key=lambda e: e.created)

    def knows(self, campaign_id: str) -> bool:
        with self._lock:
            return any(key[0] == campaign_id for key in self._index)


def _item(event: ReportEvent) -> dict[str, Any]:
    created = event.created.strftime("%Y-%m-%d %H:%M:%S")
    if event.kind == "sent":
        return {
            "email": event.email,
            "subscriber_id": None,
            "created": created,
            "has_preview": False,
            "account_id": SANDBOX_ACCOUNT_ID,
            "emailId": event.email_id,
        }
    if event.kind == "bounces":
        return {
            "email": event.email,
            "bounce_type": event.bounce_type,
            "message": event.message,
            "emailId": event.email_id,
            "created": created,
        }
    return {"email": event.email, "emailId": event.email_id, "created": created}


def list_page(
    events: list[ReportEvent], *, base_url: str, page: int, limit: int, direction: str, email_address: str | None
) -> dict[str, Any]:
    """One page of a list in Sender's envelope (newest first unless ``direction`` is ``asc``)."""
    if email_address is not None:
        events = [e for e in events if e.email.lower() == email_address.lower()]
    ordered = events if direction == "asc" else list(reversed(events))
    total = len(ordered)
    last_page = max(1, -(-total // limit))
    start = (page - 1) * limit
    chunk = ordered[start : start + limit]
    extra = {"limit": limit, "direction": direction}
    if email_address is not None:
        extra["email_address"] = email_address

    def link(number: int) -> str:
        return f"{base_url}?{urlencode({**extra, 'page': number})}"

    return {
        "data": [_item(e) for e in chunk],
        "links": {
            "first": link(1),
            "last": link(last_page),
            "prev": link(page - 1) if 1 < page <= last_page + 1 else None,
            "next": link(page + 1) if page < last_page else None,
        },
        "meta": {
            "current_page": page,
            "from": start + 1 if chunk else None,
            "last_page": last_page,
            "path": base_url,
            "per_page": limit,
            "to": start + len(chunk) if chunk else None,
            "total": total,
        },
        "has_more_resources": page < last_page,
    }


#: The ``period`` values of the report, as Sender documents them.
PERIODS = ("day", "week", "month", "year")


def period_bounds(day: date, period: str) -> tuple[date, date]:
    """The first and last day of the ``period`` (day, week from Monday, month, year) holding ``day``."""
    if period == "day":
        return day, day
    if period == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if period == "month":
        start = day.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
        return start, following - timedelta(days=1)
    if period == "year":
        return day.replace(month=1, day=1), day.replace(month=12, day=31)
    raise ValueError(f"period is one of {', '.join(PERIODS)}, not {period!r}")


def report_body(
    by_kind: Mapping[str, list[ReportEvent]], *, date_from: date, date_to: date, period: str = "day"
) -> dict[str, Any]:
    """The ``report`` answer in Sender's documented shape: at the top level, a series per metric and
    ``totals.<metric>_total`` over the window.

    A series entry is ``{"date": {"from": ..., "to": ...}, "count": n}`` for one ``period`` (clipped
    to the window). Only periods with at least one event of any metric are listed, in every series
    (``count`` 0 where that metric has none), as Sender's example shows; a wide window stays small.
    """

    def in_window(events: Iterable[ReportEvent]) -> list[ReportEvent]:
        return [e for e in events if date_from <= e.created.date() <= date_to]

    bounces = in_window(by_kind.get("bounces", []))
    metrics = {
        "sent": in_window(by_kind.get("sent", [])),
        "opens": [],
        "clicks": [],
        "bounces": bounces,
        "soft_bounces": [e for e in bounces if e.bounce_type == "SOFT_BOUNCE"],
        "hard_bounces": [e for e in bounces if e.bounce_type == "HARD_BOUNCE"],
        "unsubscribes": [],
        "complaints": in_window(by_kind.get("complaints", [])),
    }

    def bucket(event: ReportEvent) -> tuple[date, date]:
        start, end = period_bounds(event.created.date(), period)
        return max(start, date_from), min(end, date_to)

    counts = {name: Counter(bucket(e) for e in events) for name, events in metrics.items()}
    periods = sorted(set().union(*counts.values()))
    body: dict[str, Any] = {
        name: [
            {"date": {"from": start.isoformat(), "to": end.isoformat()}, "count": per_period[(start, end)]}
            for start, end in periods
        ]
        for name, per_period in counts.items()
    }
    body["totals"] = {f"{name}_total": len(events) for name, events in metrics.items()}
    return body


# --- the embedded sandbox's campaigns ------------------------------------------------------------------

#: scenario -> (campaign id, sends, hard bounces, soft bounces, complaints) seeded over the last days.
#: Healthy stays under every default warn limit; broken trips each default fail limit once.
SCENARIO_CAMPAIGNS: dict[str, tuple[tuple[str, int, int, int, int], ...]] = {
    "healthy": (("sbxWLC", 400, 0, 2, 0),),
    "broken": (
        ("sbxHRD", 200, 12, 0, 0),  # hard bounces 6% (fail from 5%)
        ("sbxSFT", 200, 0, 24, 0),  # soft bounces 12% (fail from 10%)
        ("sbxCMP", 1000, 0, 0, 4),  # complaints 0.4% (fail from 0.3%)
    ),
}
_REASONS = {
    "HARD_BOUNCE": ("550 5.1.1 <{email}>: Mailbox not found", "550 5.1.2 Domain does not exist"),
    "SOFT_BOUNCE": ("452 4.2.2 Mailbox full", "421 4.7.0 Try again later: too many messages from this sender"),
}


def seed_scenario(store: ReportStore, scenario: str, *, now: datetime | None = None) -> tuple[str, ...]:
    """Fill ``store`` with the scenario's campaign history (spread over the last 6 days); the campaign ids."""
    now = _utc(now)
    campaigns = SCENARIO_CAMPAIGNS.get(scenario, ())
    for campaign_id, sends, hard, soft, complaints in campaigns:

        def when(n: int, total: int) -> datetime:
            return now - timedelta(days=6) + timedelta(seconds=(6 * 86400 - 60) * n // max(total, 1))

        emails = [f"customer{n}@example.net" for n in range(sends)]
        ids = [store.inject_sent(campaign_id, email, when=when(n, sends)).email_id for n, email in enumerate(emails)]
        for bounce_type, count in (("HARD_BOUNCE", hard), ("SOFT_BOUNCE", soft)):
            for n in range(count):
                index = (n * 7 + (3 if bounce_type == "SOFT_BOUNCE" else 0)) % sends
                reason = _REASONS[bounce_type][n % 2].format(email=emails[index])
                store.inject_bounce(
                    campaign_id,
                    emails[index],
                    bounce_type,
                    reason,
                    when=when(index, sends) + timedelta(seconds=30),
                    email_id=ids[index],
                )
        for n in range(complaints):
            index = (n * 11 + 5) % sends
            store.inject_complaint(
                campaign_id, emails[index], when=when(index, sends) + timedelta(hours=1), email_id=ids[index]
            )
    store.mark_baseline()
    return tuple(c[0] for c in campaigns)
