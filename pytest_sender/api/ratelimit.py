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


def _int_header(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip()
    return int(text) if text.isascii() and text.isdigit() else None


def _parse_reset(value: str | None, now: datetime) -> datetime | None:
    """``X-RateLimit-Reset``: Sender documents a date-time; epoch seconds and delta seconds also occur."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        number = int(text)
        if number > 10**9:  # epoch seconds
            return datetime.fromtimestamp(number, tz=timezone.utc)
        return datetime.fromtimestamp(now.timestamp() + number, tz=timezone.utc)
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
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return max(0.0, (when - now).total_seconds())
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


def parse_rate_limit(headers: Mapping[str, str], *, now: datetime) -> RateLimit:
    """Read the rate-limit headers; keys must be lower-case."""
    return RateLimit(
        limit=_int_header(headers.get("x-ratelimit-limit")),
        remaining=_int_header(headers.get("x-ratelimit-remaining")),
        reset=_parse_reset(headers.get("x-ratelimit-reset"), now),
        retry_after_s=parse_retry_after(headers.get("retry-after"), now=now),
    )
