"""hypothesis's @given with the sandbox: fresh() on the session-scoped server, no health-check error (pytester)."""

from __future__ import annotations

import pytest

APP = """
import httpx
from hypothesis import given, settings
from pytest_sender.strategies import send_requests

CLIENT = httpx.Client(timeout=5.0)

@settings(max_examples=200, deadline=None)
@given(payload=send_requests())
def test_every_generated_send_is_accepted(sender_sandbox_server, payload):
    with sender_sandbox_server.fresh() as sandbox:
        answer = CLIENT.post(sandbox.base_url + "/message/send",
                             headers={"Authorization": "Bearer " + sandbox.token}, json=payload)
        assert answer.status_code == 200, answer.text
        assert len(sandbox.outbox) == 1
        calls.append(1)

calls = []

def test_all_examples_ran():
    assert len(calls) >= 200

@settings(max_examples=5, deadline=None)
@given(payload=send_requests())
def test_an_unused_injection_fails_the_example(sender_sandbox_server, payload):
    with sender_sandbox_server.fresh() as sandbox:
        sandbox.inject(status=500, endpoint="template_send")
"""


def test_given_with_fresh_runs_200_examples_without_health_check_or_429(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app=APP)
    result = pytester.runpytest_subprocess("-p", "no:schemathesis", "-v")
    out = result.stdout.str()
    result.assert_outcomes(passed=2, failed=1)
    assert "test_every_generated_send_is_accepted PASSED" in out
    assert "FailedHealthCheck" not in out  # and each example asserted its 200 (so no 429)
    assert "test_an_unused_injection_fails_the_example FAILED" in out
    assert "1 injection(s) matched no request" in out
