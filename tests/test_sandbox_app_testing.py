"""An app's own tests against ``sender_sandbox``: matching faults, teardown checks, the marker, rate limit.

Each inner test is what an app's test author writes; the outer test asserts what they see (which
pass, which fail, and the failure text). The inner runs use real sockets, in a subprocess.
"""

from __future__ import annotations

import pytest

NO_SLOW_PLUGINS = ("-p", "no:schemathesis", "-p", "no:hypothesispytest")

APP = '''
import re
import httpx
import pytest

def send(sandbox, email, subject="Welcome", timeout=5.0):
    """The app's code: a plain httpx call to Sender's send endpoint."""
    return httpx.post(sandbox.base_url + "/message/send", headers={"Authorization": "Bearer " + sandbox.token},
                      json={"from": {"email": "app@example.com", "name": "App"}, "to": {"email": email},
                            "subject": subject, "text": "Hello"}, timeout=timeout)

def send_template(sandbox, email, name="Ada"):
    return httpx.post(sandbox.base_url + "/message/sbxWLC/send",
                      headers={"Authorization": "Bearer " + sandbox.token},
                      json={"to": {"email": email}, "variables": {"name": name}}, timeout=5.0)
'''

MATCHING = (
    APP
    + """
def test_endpoint_send_only(sender_sandbox):
    rule = sender_sandbox.inject(status=429, endpoint="send", times=1)
    assert send_template(sender_sandbox, "a@example.org").status_code == 200
    assert send(sender_sandbox, "a@example.org").status_code == 429
    assert send(sender_sandbox, "a@example.org").status_code == 200
    assert rule.hits == 1

def test_to_and_times_none(sender_sandbox):
    rule = sender_sandbox.inject(status=503, to="bob@example.org", times=None)
    assert [send(sender_sandbox, "bob@example.org").status_code for _ in range(3)] == [503, 503, 503]
    assert send(sender_sandbox, "ann@example.org").status_code == 200
    assert rule.hits == 3

def test_order_of_rules(sender_sandbox):
    first = sender_sandbox.inject(status=500, method="POST", times=1)
    second = sender_sandbox.inject(status=502, path=re.compile(r"/message/"), times=1)
    codes = [send(sender_sandbox, "a@example.org").status_code for _ in range(3)]
    assert codes == [500, 502, 200]
    assert (first.hits, second.hits) == (1, 1)

def test_template_path_and_match(sender_sandbox):
    by_template = sender_sandbox.inject(status=404, template="sbxWLC")
    by_path = sender_sandbox.inject(status=418, path="/message/send")
    by_match = sender_sandbox.inject(status=500, match=lambda r: r.json()["subject"] == "Reset")
    assert send_template(sender_sandbox, "a@example.org").status_code == 404
    assert send(sender_sandbox, "a@example.org", subject="Reset").status_code == 418
    assert send(sender_sandbox, "a@example.org", subject="Reset").status_code == 500
    assert [by_template.hits, by_path.hits, by_match.hits] == [1, 1, 1]

def test_operation_id_and_timeout(sender_sandbox):
    sender_sandbox.inject(delay_s=0.5, endpoint="sendMessage")
    with pytest.raises(httpx.TimeoutException):
        send(sender_sandbox, "a@example.org", timeout=0.1)

def test_unknown_endpoint_is_a_clear_error(sender_sandbox):
    with pytest.raises(ValueError, match="unknown endpoint 'mail'; use one of: send, template_send"):
        sender_sandbox.inject(status=500, endpoint="mail")
"""
)


def test_matching_faults_apply_to_the_requests_they_name_in_order(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app=MATCHING)
    result = pytester.runpytest_subprocess(*NO_SLOW_PLUGINS, "-v")
    result.assert_outcomes(passed=6)


TEARDOWN = (
    APP
    + """
def test_unused_injection(sender_sandbox):
    sender_sandbox.inject(status=429, endpoint="template_send", times=1)
    sender_sandbox.inject(status=500, to="nobody@example.org", times=None)
    assert send(sender_sandbox, "a@example.org").status_code == 200

@pytest.mark.sender_sandbox(assert_all_injections_used=False)
def test_unused_injection_allowed_by_marker(sender_sandbox):
    sender_sandbox.inject(status=429, endpoint="template_send")

def test_sandbox_exception(sender_sandbox):
    def broken(request):
        raise RuntimeError("the matcher broke")
    sender_sandbox.inject(status=500, match=broken)
    assert send(sender_sandbox, "a@example.org").status_code == 200

@pytest.mark.sender_sandbox(rate_limit="fast")
def test_bad_marker(sender_sandbox):
    pass

@pytest.mark.sender_sandbox(colour="red")
def test_unknown_marker_argument(sender_sandbox):
    pass
"""
)


def test_teardown_fails_on_unused_injections_and_sandbox_errors(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app=TEARDOWN)
    result = pytester.runpytest_subprocess(*NO_SLOW_PLUGINS, "-v", "--strict-markers")
    out = result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*test_unused_injection PASSED*",
            "*test_unused_injection ERROR*",
            "*test_unused_injection_allowed_by_marker PASSED*",
            "*test_sandbox_exception PASSED*",
            "*test_sandbox_exception ERROR*",
        ]
    )
    assert "2 injection(s) matched no request:" in out
    assert "  - inject(status=429, endpoint='template_send', times=1)" in out
    assert "  - inject(status=500, to='nobody@example.org', times=None)" in out
    assert "assert_all_injections_used=False" in out
    assert "the sender sandbox raised 1 exception(s)" in out
    assert "RuntimeError: the matcher broke" in out
    assert "sender_sandbox(rate_limit=...) must be None or a whole number" in out
    assert "'fast'" in out
    assert "the sender_sandbox marker has no argument colour" in out


def test_the_marker_is_registered_with_its_signature_when_the_plugin_is_inert(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(*NO_SLOW_PLUGINS, "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.sender_sandbox(assert_all_injections_used=True, rate_limit=None):*"])


RATE = (
    APP
    + """
def test_no_rate_limit_by_default(sender_sandbox):
    answers = [send(sender_sandbox, "a@example.org") for _ in range(80)]
    assert {a.status_code for a in answers} == {200}
    assert answers[0].headers["X-RateLimit-Limit"] == "60"

@pytest.mark.sender_sandbox(rate_limit=3)
def test_rate_limit_from_marker(sender_sandbox):
    codes = [send(sender_sandbox, "a@example.org").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]

def test_set_rate_limit(sender_sandbox):
    sender_sandbox.set_rate_limit(2)
    codes = [send(sender_sandbox, "a@example.org").status_code for _ in range(3)]
    assert codes == [200, 200, 429]

def test_exhaust_rate_limit_still_works(sender_sandbox):
    sender_sandbox.exhaust_rate_limit()
    answer = send(sender_sandbox, "a@example.org")
    assert answer.status_code == 429
    assert "Retry-After" in answer.headers
"""
)


def test_rate_limit_only_when_asked(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app=RATE)
    result = pytester.runpytest_subprocess(*NO_SLOW_PLUGINS, "-v")
    result.assert_outcomes(passed=4)
