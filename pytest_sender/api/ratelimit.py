"""Pure parsing of Sender's rate-limit headers (``X-RateLimit-*`` and ``Retry-After``)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

__all__ = ["RateLimit", "parse_rate_limit", "parse_retry_after"]


@dataclass(frozen=True)
class RateLimit:
    """What the rate-limit headers of one response said; ``None`` where a header was absent or bad."""

    limit: int | None = None
    remaining: int | None = None
    reset: datetime | None = None
    retry_after_s: float | None = None
    #: Notes on headers that were present but could not be read (and so were ignored), for evidence.
    unreadable: tuple[str, ...] = ()

    @property
    def present(self) -> bool:
        return self.limit is not None or self.remaining is not None

    def headroom(self) -> str:
        """A short phrase for evidence, e.g. ``59 of 60 requests left this minute``."""
        if self.remaining is not None and self.limit is not None:
            return f"{self.remaining} of {self.limit} requests left this minute"
        if self.remaining is not None:
            return f"{self.remaining} requests left this minute"
        return "no rate-limit headers in the answer"

    def wait_text(self, now: datetime) -> str:
        """When the limit lifts, in words, e.g. ``30 s`` or ``2026-03-18T13:02:00Z``."""
        if self.retry_after_s is not None:
            return f"{self.retry_after_s:g} s"
        if self.reset is not None:
            seconds = max(0.0, (self.reset - now).total_seconds())
            return f"{seconds:.0f} s (at {self.reset.strftime('%Y-%m-%dT%H:%M:%SZ')})"
        return "an unknown time (no Retry-After or X-RateLimit-Reset header)"


_MAX_DIGITS = 18  # more is no count, time or epoch any server means; int() of 4,300+ digits raises


def _is_number(text: str) -> bool:
    """1-18 ASCII digits (``str.isdigit`` alone also accepts look-alikes such as '²')."""
    return 0 < len(text) <= _MAX_DIGITS and text.isascii() and text.isdigit()


def _int_header(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip()
    return int(text) if _is_number(text) else None


def _from_timestamp(seconds: float) -> datetime | None:
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):  # outside what the platform's time functions take
        return None


def _parse_reset(value: str | None, now: datetime) -> datetime | None:
    """``X-RateLimit-Reset``: Sender documents a date-time; epoch seconds, epoch milliseconds and
    delta seconds also occur. ``None`` when absent or unreadable (never an exception)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if _is_number(text):
        number = int(text)
        if number > 10**11:  # epoch milliseconds (epoch seconds reach 10**11 only in the year 5138)
            return _from_timestamp(number / 1000)
        if number > 10**9:  # epoch seconds
            return _from_timestamp(number)
        return _from_timestamp(now.timestamp() + number)
    if len(text) > 64:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """``Retry-After`` as seconds to wait: delta seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if len(text) > 64:
        return None
    try:
        seconds = float(text) if text.isascii() else math.nan
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        try:
            return max(0.0, (when - now).total_seconds())
        except OverflowError:
            return None
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


_NAMES = {
    "x-ratelimit-limit": "X-RateLimit-Limit",
    "x-ratelimit-remaining": "X-RateLimit-Remaining",
    "x-ratelimit-reset": "X-RateLimit-Reset",
    "retry-after": "Retry-After",
}


def _note(name: str, value: str) -> str:
    shown = value.strip()
    shown = repr(shown) if len(shown) <= 40 else f"{shown[:40]!r}… ({len(shown)} characters)"
    return f"{_NAMES[name]}: {shown} cannot be read; ignored"


def parse_rate_limit(headers: Mapping[str, str], *, now: datetime) -> RateLimit:
    """Read the rate-limit headers; keys must be lower-case. Never raises: a header that cannot be
    read counts as absent, with a note in ``unreadable``."""
    values = {name: headers.get(name) for name in _NAMES}
    limit = _int_header(values["x-ratelimit-limit"])
    remaining = _int_header(values["x-ratelimit-remaining"])
    reset = _parse_reset(values["x-ratelimit-reset"], now)
    retry_after_s = parse_retry_after(values["retry-after"], now=now)
    read = dict(zip(_NAMES, (limit, remaining, reset, retry_after_s), strict=True))
    unreadable = tuple(
        _note(name, raw) for name, raw in values.items() if raw is not None and raw.strip() and read[name] is None
    )
    return RateLimit(limit, remaining, reset, retry_after_s, unreadable)
