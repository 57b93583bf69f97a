"""An arrived message that cannot be parsed is a finding, never a crash (issue 13).

The stdlib header parser raises IndexError and others on truncated headers; parse_message and
parse_authentication_results raise only the project's ParseError, and the live checks turn that
into LIVE_MESSAGE_UNPARSABLE.
"""

from __future__ import annotations

import contextlib
import time
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_sender.errors import ParseError
from pytest_sender.findings import Status
from pytest_sender.inbox.client import ArrivedMessage
from pytest_sender.inbox.inspect import evaluate_authentication, parse_authentication_results, parse_message
from pytest_sender.live.checks import evaluate_as_sent, evaluate_auth, evaluate_placeholders, evaluate_placement
from pytest_sender.live.flow import Delivery, SentMessage
from pytest_sender.settings import resolve_settings

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TRUNCATED = [
    b'To: "\r\n\r\nbody\r\n',
    b"From: <\r\n\r\nbody\r\n",
    b"Message-ID: <[\r\n\r\nbody\r\n",
    b'Subject: hi\r\nTo: "\r\nFrom: <\r\n\r\nbody\r\n',
]


@pytest.mark.parametrize("raw", TRUNCATED)
def test_a_truncated_header_is_a_parse_error(raw: bytes) -> None:
    with pytest.raises(ParseError, match="cannot be parsed"):
        parse_message(raw)


def _delivery(raw: bytes) -> Delivery:
    sent = SentMessage("smtp", "tok", "qa@example.org", "Hi", "app@example.com", time.monotonic())
    arrived = ArrivedMessage("INBOX", 1, raw, datetime.now(timezone.utc), time.monotonic())
    return Delivery("smtp", "qa@example.org", sent=sent, arrived=arrived, junk_folder="Junk")


@pytest.mark.parametrize("raw", TRUNCATED)
def test_every_live_check_of_an_unparsable_message_is_a_finding(raw: bytes) -> None:
    delivery = _delivery(raw)
    findings = [
        evaluate_placement(delivery, "live.smtp.inbox", "qa@example.org"),
        evaluate_auth(delivery, "dkim", "live.smtp.dkim", "qa@example.org", resolve_settings()),
        evaluate_placeholders(delivery, "live.smtp.placeholders", "qa@example.org"),
        evaluate_as_sent(delivery, "live.smtp.as_sent", "qa@example.org"),
    ]
    assert {f.code for f in findings} == {"LIVE_MESSAGE_UNPARSABLE"}
    assert all(f.status is not Status.PASS for f in findings)


_HEADER_NAMES = st.sampled_from(["To", "From", "Cc", "Message-ID", "Subject", "Authentication-Results", "Date", "X-A"])
_HEADER_TEXT = st.text(alphabet=st.sampled_from('<>[]"\\():;,@. =?aZ09\t\u00e9'), max_size=30)


@FUZZ
@given(
    headers=st.lists(st.tuples(_HEADER_NAMES, _HEADER_TEXT), max_size=6),
    body=st.binary(max_size=60),
    cut=st.integers(min_value=0, max_value=400),
)
def test_parse_message_raises_only_parse_error(headers: list[tuple[str, str]], body: bytes, cut: int) -> None:
    raw = b"".join(f"{name}: {value}\r\n".encode() for name, value in headers) + b"\r\n" + body
    for candidate in (raw, raw[:cut]):
        try:
            message = parse_message(candidate)
        except ParseError:
            continue
        with contextlib.suppress(ParseError):
            evaluate_authentication(message)


@FUZZ
@given(st.one_of(st.text(max_size=80), _HEADER_TEXT, st.text(alphabet=st.sampled_from("a=;() .pasdkim"), max_size=60)))
def test_authentication_results_parsing_raises_only_parse_error(value: str) -> None:
    with contextlib.suppress(ParseError):
        parse_authentication_results(value)
