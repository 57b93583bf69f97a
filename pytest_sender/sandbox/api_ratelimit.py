"""The sandbox's per-token rate limit: a token bucket refilled continuously over a minute.

Sender states its limits per minute (``X-RateLimit-Limit``); a bucket of that capacity refilled at
``limit / 60`` per second lets short bursts through and holds the long-run rate to the limit.
Pure except for the injectable clock; thread-safe.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from pytest_sender.errors import InvalidArgument

__all__ = ["RateDecision", "TokenBuckets"]

WINDOW_S = 60.0


@dataclass(frozen=True)
class RateDecision:
    """The answer of the limiter for one request, and the headers that report it."""

    allowed: bool
    limit: int
    remaining: int
    reset_at: datetime  # when the bucket is full again
    retry_after_s: int  # whole seconds until one request is allowed (0 when allowed)

    def headers(self) -> dict[str, str]:
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": self.reset_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after_s)
        return headers


class TokenBuckets:
    """One bucket per API token, each holding up to ``limit`` requests.

    With ``enforce=False`` the buckets still count (the ``X-RateLimit-*`` headers report them) but
    every request is allowed: no 429 unless :meth:`drain` was called.
    """

    def __init__(
        self,
        limit: int,
        *,
        enforce: bool = True,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        if limit < 1:
            raise InvalidArgument(f"the rate limit must be at least 1 request per minute, not {limit}")
        self.limit = limit
        self.enforce = enforce
        self._drained: set[str] = set()
        self._clock = clock
        self._wall_clock = wall_clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    @property
    def rate_per_s(self) -> float:
        return self.limit / WINDOW_S

    def _level(self, key: str, now: float) -> float:
        tokens, at = self._buckets.get(key, (float(self.limit), now))
        return min(float(self.limit), tokens + (now - at) * self.rate_per_s)

    def _decision(self, allowed: bool, tokens: float) -> RateDecision:
        full_in = (self.limit - tokens) / self.rate_per_s
        retry_after = 0 if allowed else math.ceil((1.0 - tokens) / self.rate_per_s)
        return RateDecision(
            allowed=allowed,
            limit=self.limit,
            remaining=max(0, math.floor(tokens)),
            reset_at=self._wall_clock() + timedelta(seconds=math.ceil(full_in)),
            retry_after_s=max(retry_after, 0 if allowed else 1),
        )

    def take(self, key: str) -> RateDecision:
        """Spend one request from ``key``'s bucket if it holds one."""
        with self._lock:
            now = self._clock()
            tokens = self._level(key, now)
            allowed = tokens >= 1.0 or (not self.enforce and key not in self._drained)
            if not self.enforce and key in self._drained and tokens >= 1.0:
                self._drained.discard(key)  # a drained bucket that refilled a request is allowed again
            if allowed:
                tokens = max(0.0, tokens - 1.0)
            self._buckets[key] = (tokens, now)
            return self._decision(allowed, tokens)

    def peek(self, key: str) -> RateDecision:
        """The bucket's state without spending (for answers that do not count, such as 401)."""
        with self._lock:
            return self._decision(True, self._level(key, self._clock()))

    def drain(self, key: str) -> None:
        """Empty ``key``'s bucket (tests use it to provoke a 429 at once)."""
        with self._lock:
            self._buckets[key] = (0.0, self._clock())
            self._drained.add(key)

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
            self._drained.clear()
