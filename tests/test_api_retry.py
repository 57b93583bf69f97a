"""The retry policy's rules, as pure functions (the socket-level behaviour is in test_api_client.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pytest_sender.api.outcomes import OutcomeUnknown, RateLimited, ServerError, Unreachable
from pytest_sender.api.ratelimit import RateLimit
from pytest_sender.api.retry import NO_RETRIES, RetryPolicy, next_wait, should_retry

POLICY = RetryPolicy(
    max_attempts=4, backoff_s=0.5, max_backoff_s=3.0, max_retry_after_s=30, jitter_s=0.5, random=lambda: 1.0
)
NOW = datetime(2026, 3, 18, 13, 1, 0, tzinfo=timezone.utc)


def limited(retry_after: float | None = None, reset: datetime | None = None) -> RateLimited:
    return RateLimited(
        code="API_SEND_RATE_LIMITED",
        operation="send",
        http_status=429,
        retry_after_s=retry_after,
        rate_limit=RateLimit(reset=reset, retry_after_s=retry_after),
    )


def test_429_waits_retry_after_plus_jitter() -> None:
    assert next_wait(limited(10), 1, POLICY) == 10.5
    assert should_retry(limited(10), safe=False, policy=POLICY)


def test_429_beyond_the_cap_is_not_retried() -> None:
    assert not should_retry(limited(31), safe=False, policy=POLICY)
    assert should_retry(limited(30), safe=False, policy=POLICY)


def test_429_without_retry_after_uses_the_reset_time_then_the_backoff() -> None:
    in_twenty = limited(reset=NOW + timedelta(seconds=20))
    assert POLICY.rate_limit_wait(in_twenty, now=NOW) == 20
    assert POLICY.rate_limit_wait(limited(), now=NOW) is None
    assert next_wait(limited(), 1, POLICY) == 0.5  # the backoff's ceiling with random() == 1


def test_the_backoff_doubles_up_to_its_ceiling() -> None:
    assert [POLICY.backoff(n) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    half = RetryPolicy(backoff_s=1.0, random=lambda: 0.5)
    assert half.backoff(1) == 0.5  # full jitter: anywhere between 0 and the ceiling


def test_5xx_is_retried_only_for_safe_requests() -> None:
    error = ServerError(code="API_SEND_SERVER_ERROR", operation="send", http_status=503)
    assert should_retry(error, safe=True, policy=POLICY)
    assert not should_retry(error, safe=False, policy=POLICY)


def test_an_unknown_outcome_is_never_retried() -> None:
    unknown = OutcomeUnknown(code="API_OUTCOME_UNKNOWN", operation="send", reason="timeout")
    assert not should_retry(unknown, safe=False, policy=POLICY)
    assert not should_retry(unknown, safe=True, policy=POLICY)


def test_unreachable_is_retried_unless_permanent() -> None:
    transient = Unreachable(code="API_SEND_UNREACHABLE", operation="send", reason="refused")
    permanent = Unreachable(code="API_SEND_UNREACHABLE", operation="send", reason="bad URL", transient=False)
    assert should_retry(transient, safe=False, policy=POLICY)
    assert not should_retry(permanent, safe=False, policy=POLICY)


def test_no_retries_means_one_attempt() -> None:
    assert NO_RETRIES.max_attempts == 1


@pytest.mark.parametrize("name", ["backoff_s", "max_backoff_s", "max_retry_after_s", "jitter_s"])
def test_negative_times_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match=f"{name} must not be negative"):
        RetryPolicy(**{name: -1.0})  # type: ignore[arg-type]


def test_rate_limit_headers_with_non_ascii_digits_are_ignored_not_a_crash() -> None:
    from pytest_sender.api.ratelimit import parse_rate_limit

    limits = parse_rate_limit(
        {"x-ratelimit-limit": "¹", "x-ratelimit-remaining": "²", "x-ratelimit-reset": "³", "retry-after": "½"}, now=NOW
    )
    assert (limits.limit, limits.remaining, limits.reset, limits.retry_after_s) == (None, None, None, None)
    assert len(limits.unreadable) == 4
