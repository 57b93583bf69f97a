"""The retry policy of the API client, built on tenacity.

Rules (DESIGN: a duplicate transactional email is worse than a reported error):

- **429** is retried for every request: Sender refused it without acting on it. The wait is
  ``Retry-After`` (seconds or an HTTP-date), else the time to ``X-RateLimit-Reset``, else the
  backoff; plus a random jitter. A wait longer than ``max_retry_after_s`` is not waited out: the
  call returns :class:`~pytest_sender.api.outcomes.RateLimited` at once, so a test or a request
  handler never blocks for minutes.
- **5xx** is retried with exponential backoff (full jitter) only for safe requests (the GET of the
  token check): a send that got a 5xx reached Sender and may have been acted on.
- **Connection errors** are retried with backoff when the request cannot have reached Sender (the
  connection failed or was refused before the request was written), or for safe requests.
- A send whose request was written and whose answer was lost (a read timeout, a dropped
  connection) is **never** retried: it is :class:`~pytest_sender.api.outcomes.OutcomeUnknown`.
- At most ``max_attempts`` attempts in all.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from pytest_sender.api.outcomes import Outcome, RateLimited, ServerError, Unreachable
from pytest_sender.errors import InvalidArgument

if TYPE_CHECKING:
    import tenacity

__all__ = ["NO_RETRIES", "RetryPolicy", "next_wait", "should_retry"]


@dataclass(frozen=True)
class RetryPolicy:
    """How many attempts, and how long to wait between them (seconds)."""

    max_attempts: int = 3
    backoff_s: float = 0.25  # the first backoff's upper bound; doubles each attempt
    max_backoff_s: float = 4.0
    max_retry_after_s: float = 30.0  # a longer Retry-After is returned, not waited out
    jitter_s: float = 0.25  # added at random to a Retry-After wait, so clients do not retry in step
    random: Callable[[], float] = field(default=random.random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise InvalidArgument(f"max_attempts must be at least 1, not {self.max_attempts}")
        for name in ("backoff_s", "max_backoff_s", "max_retry_after_s", "jitter_s"):
            if getattr(self, name) < 0:
                raise InvalidArgument(f"{name} must not be negative, not {getattr(self, name)}")

    def backoff(self, attempt_number: int) -> float:
        """Full-jitter exponential backoff after attempt ``attempt_number`` (1-based)."""
        ceiling = min(self.max_backoff_s, self.backoff_s * float(2 ** (attempt_number - 1)))
        return float(ceiling * self.random())

    def rate_limit_wait(self, outcome: RateLimited, *, now: datetime | None = None) -> float | None:
        """What a 429 asks to wait (before jitter), or ``None`` when it names no time."""
        if outcome.retry_after_s is not None:
            return outcome.retry_after_s
        reset = outcome.rate_limit.reset
        if reset is not None:
            return max(0.0, (reset - (now or datetime.now(timezone.utc))).total_seconds())
        return None

    def tenacity_kwargs(self, *, safe: bool) -> dict[str, Any]:
        """The stop/wait/retry arguments for ``tenacity.Retrying`` or ``AsyncRetrying``."""
        import tenacity

        def wait(state: tenacity.RetryCallState) -> float:
            assert state.outcome is not None  # tenacity waits only after an attempt
            return next_wait(state.outcome.result(), state.attempt_number, self)

        return {
            "stop": tenacity.stop_after_attempt(self.max_attempts),
            "wait": wait,
            "retry": tenacity.retry_if_result(lambda outcome: should_retry(outcome, safe=safe, policy=self)),
            # When attempts run out, the last outcome is the answer (not a RetryError).
            "retry_error_callback": lambda state: state.outcome.result() if state.outcome else None,
            "reraise": True,
        }


#: One attempt, no waiting: what the preflight's token check uses.
NO_RETRIES = RetryPolicy(max_attempts=1)


def should_retry(outcome: Outcome, *, safe: bool, policy: RetryPolicy) -> bool:
    """Whether another attempt may follow ``outcome`` (pure)."""
    if isinstance(outcome, RateLimited):
        wait = policy.rate_limit_wait(outcome)
        return wait is None or wait <= policy.max_retry_after_s
    if isinstance(outcome, Unreachable):
        return outcome.transient  # only produced for requests Sender cannot have acted on, or safe ones
    if isinstance(outcome, ServerError):
        return safe
    return False


def next_wait(outcome: Outcome, attempt_number: int, policy: RetryPolicy) -> float:
    """Seconds to wait after attempt ``attempt_number`` ended in ``outcome`` (pure but for jitter)."""
    if isinstance(outcome, RateLimited):
        wait = policy.rate_limit_wait(outcome)
        if wait is not None:
            return min(wait, policy.max_retry_after_s) + policy.jitter_s * policy.random()
    return policy.backoff(attempt_number)
