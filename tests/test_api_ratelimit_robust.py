"""Rate-limit and Retry-After headers that cannot be read are ignored with a note, never a crash (issue 13).

Over a real loopback HTTP server: a send that was accepted stays accepted whatever the headers say.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_sender.api.client import Address, SenderClient
from pytest_sender.api.outcomes import RateLimited, Sent, TokenAccepted
from pytest_sender.api.ratelimit import parse_rate_limit, parse_retry_after
from pytest_sender.api.retry import RetryPolicy
from tests.helpers.scripted_http import Reply, ScriptedHttpServer

NOW = datetime(2025, 12, 2, 8, 0, tzinfo=timezone.utc)
FAST = RetryPolicy(max_attempts=2, backoff_s=0.0, max_backoff_s=0.0, jitter_s=0.0, max_retry_after_s=0.5)
JSON = ("Content-Type", "application/json")
SENT = b'{"success": true, "message": "Email sent", "emailId": "x-1-2-3"}'

BAD_VALUES = ["1764662400000", "9" * 5000, "9" * 25, "²", "٣٠", "1e400", "-5", "nan", "Wed, 99 Zzz 99999 99:99:99 GMT"]


def _header_values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=40),
        st.text(alphabet=st.sampled_from("0123456789²³٣０.-+eE:TZ "), max_size=30),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.integers(min_value=19, max_value=6000).map(lambda n: "9" * n),
        st.sampled_from(BAD_VALUES),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(limit=_header_values(), remaining=_header_values(), reset=_header_values(), retry_after=_header_values())
def test_the_header_parsers_never_raise(limit: str, remaining: str, reset: str, retry_after: str) -> None:
    headers = {
        "x-ratelimit-limit": limit,
        "x-ratelimit-remaining": remaining,
        "x-ratelimit-reset": reset,
        "retry-after": retry_after,
    }
    limits = parse_rate_limit(headers, now=NOW)
    limits.headroom()
    limits.wait_text(NOW)
    RetryPolicy().rate_limit_wait(RateLimited(code="X", operation="send", rate_limit=limits), now=NOW)
    parse_retry_after(retry_after, now=NOW)
    assert all("cannot be read; ignored" in note for note in limits.unreadable)


def test_epoch_milliseconds_are_read_as_a_time() -> None:
    limits = parse_rate_limit({"x-ratelimit-reset": "1764662400000"}, now=NOW)
    assert limits.reset == datetime(2025, 12, 2, 8, 0, tzinfo=timezone.utc)
    assert limits.unreadable == ()


def test_an_unreadable_header_is_a_note_naming_it() -> None:
    limits = parse_rate_limit({"x-ratelimit-reset": "9" * 5000, "retry-after": "²"}, now=NOW)
    assert (limits.reset, limits.retry_after_s) == (None, None)
    assert limits.unreadable[0].startswith("X-RateLimit-Reset: '9999")
    assert "(5000 characters) cannot be read; ignored" in limits.unreadable[0]
    assert limits.unreadable[1] == "Retry-After: '²' cannot be read; ignored"


def _wire(value: str) -> str:
    """The value as UTF-8 bytes on the wire (the test server writes header text as latin-1)."""
    return value.encode().decode("latin-1")


def _client(server: ScriptedHttpServer) -> SenderClient:
    return SenderClient(server.url + "/v2", "tok-scripted", timeout=2.0, retry=FAST, sleep=lambda _: None)


@pytest.mark.parametrize("value", BAD_VALUES)
@pytest.mark.parametrize("header", ["X-RateLimit-Reset", "X-RateLimit-Limit", "X-RateLimit-Remaining", "Retry-After"])
def test_an_accepted_send_stays_accepted_whatever_its_headers(header: str, value: str) -> None:
    with ScriptedHttpServer([Reply(200, SENT, (JSON, (header, _wire(value))))]) as server, _client(server) as client:
        outcome = client.send(Address("ada@example.org"), "Hi", sender=Address("app@example.com"), text="Hi")
    assert isinstance(outcome, Sent)
    assert outcome.email_id == "x-1-2-3"
    assert len(server.requests) == 1


@pytest.mark.parametrize("value", BAD_VALUES)
def test_the_token_check_survives_unreadable_headers(value: str) -> None:
    headers = (JSON, ("X-RateLimit-Limit", "60"), ("X-RateLimit-Remaining", "59"), ("X-RateLimit-Reset", _wire(value)))
    with ScriptedHttpServer([Reply(200, b'{"data": []}', headers)]) as server, _client(server) as client:
        outcome = client.check_token()
    assert isinstance(outcome, TokenAccepted)


def test_a_429_with_an_unreadable_retry_after_says_so_in_the_evidence() -> None:
    reply = Reply(429, b'{"message": "Too Many Attempts."}', (JSON, ("Retry-After", "²"), ("X-RateLimit-Limit", "60")))
    with ScriptedHttpServer([reply]) as server, _client(server) as client:
        outcome = client.check_token()
    assert isinstance(outcome, RateLimited)
    assert "Retry-After: '²' cannot be read; ignored" in outcome.evidence
    assert outcome.retry_after_s is None
