"""The classification of answers, for any answer at all: never raises, always a catalog code."""

from __future__ import annotations

import json

import pytest

from pytest_sender.api.classify import CHECK_TOKEN, SEND, SEND_TEMPLATE, classify_answer
from pytest_sender.api.outcomes import Outcome, OutcomeUnknown, Sent, ServerError
from pytest_sender.api.retry import RetryPolicy, should_retry
from pytest_sender.api.transport import HttpAnswer
from pytest_sender.hints import CATALOG

hypothesis = pytest.importorskip("hypothesis", reason="needs pytest-sender[contract]")
st = pytest.importorskip("hypothesis.strategies")

OPERATIONS = st.sampled_from([SEND, SEND_TEMPLATE, CHECK_TOKEN])
HEADER_VALUES = st.one_of(st.none(), st.text(max_size=40), st.integers(-5, 10**6).map(str))
FIELD_ERRORS = st.dictionaries(
    st.text(max_size=5), st.one_of(st.text(max_size=10), st.lists(st.text(max_size=10), max_size=3), st.integers())
)
JSON_OBJECTS = st.dictionaries(
    st.sampled_from(["success", "message", "emailId", "errors"]),
    st.one_of(st.booleans(), st.text(max_size=20), st.none(), FIELD_ERRORS),
)
BODIES = st.one_of(st.binary(max_size=200), JSON_OBJECTS.map(lambda data: json.dumps(data).encode()))


def answer(status: int, body: bytes, headers: dict[str, str]) -> HttpAnswer:
    return HttpAnswer("POST", "http://127.0.0.1:1/v2/message/send", status, headers, body)


@hypothesis.settings(max_examples=300, deadline=None, database=None)
@hypothesis.example(operation=SEND, status=429, body=b"", retry_after="½", limit="¹", reset="³")  # found once
@hypothesis.given(
    operation=OPERATIONS,
    status=st.integers(100, 599),
    body=BODIES,
    retry_after=HEADER_VALUES,
    limit=HEADER_VALUES,
    reset=HEADER_VALUES,
)
def test_any_answer_becomes_an_outcome_with_a_catalog_code(
    operation: str, status: int, body: bytes, retry_after: str | None, limit: str | None, reset: str | None
) -> None:
    headers = {
        name: value
        for name, value in (("retry-after", retry_after), ("x-ratelimit-limit", limit), ("x-ratelimit-reset", reset))
        if value is not None
    }
    outcome = classify_answer(operation, answer(status, body, headers), template_id="ep2W4y")
    assert isinstance(outcome, Outcome)
    assert outcome.code in CATALOG
    assert outcome.http_status == status
    finding = outcome.finding("api.send", "x")  # every hint renders with the params it carries
    assert "?>" not in finding.summary + finding.hint + finding.fix
    if isinstance(outcome, Sent):
        assert 200 <= status < 300
    if operation != CHECK_TOKEN:
        # A send that may have reached Sender is never retried, whatever came back.
        retried = should_retry(outcome, safe=False, policy=RetryPolicy())
        assert not retried or status == 429
    if isinstance(outcome, ServerError):
        assert status >= 500


def test_a_success_without_the_success_flag_is_not_taken_for_a_send() -> None:
    outcome = classify_answer(SEND, answer(200, b'{"message": "ok", "emailId": "x"}', {}))
    assert isinstance(outcome, OutcomeUnknown)
