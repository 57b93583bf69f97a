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


ALREADY_FAILED = (
    APP
    + """
def broken(request):
    raise RuntimeError("the matcher broke")

def test_fails_on_its_own(sender_sandbox):
    sender_sandbox.inject(status=429, endpoint="send")
    assert 1 == 2, "the app's own failure"

def test_fails_and_the_sandbox_broke(sender_sandbox):
    sender_sandbox.inject(status=500, match=broken)
    send(sender_sandbox, "a@example.org")
    assert 1 == 2, "the app's own failure"

def test_skips_before_its_send(sender_sandbox):
    sender_sandbox.inject(status=429, endpoint="send")
    pytest.skip("not on this platform")

@pytest.mark.xfail(reason="a known bug", strict=True)
def test_xfails_before_its_send(sender_sandbox):
    sender_sandbox.inject(status=429, endpoint="send")
    assert 1 == 2

def test_passes_with_an_unused_injection(sender_sandbox):
    sender_sandbox.inject(status=429, endpoint="template_send")
"""
)


def test_a_test_that_failed_already_is_not_also_blamed_for_its_unused_injections(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app=ALREADY_FAILED)
    result = pytester.runpytest_subprocess(*NO_SLOW_PLUGINS, "-rA")
    result.assert_outcomes(passed=1, failed=2, skipped=1, xfailed=1, errors=2)
    out = result.stdout.str()
    # Its own failure is what the author sees; no second report about the send it never made.
    result.stdout.fnmatch_lines(["*AssertionError: the app's own failure*"])
    for name in ("test_fails_on_its_own", "test_skips_before_its_send", "test_xfails_before_its_send"):
        assert f"ERROR at teardown of {name} " not in out
    # The sandbox's own exception still fails the test that already failed, with its traceback ...
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_fails_and_the_sandbox_broke*"])
    assert "RuntimeError: the matcher broke" in out
    # ... and a passing test is still blamed for an injection it never used.
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_passes_with_an_unused_injection*"])
    assert "  - inject(status=429, endpoint='template_send', times=1)" in out
    # The failed, skipped and xfailed tests' rules (endpoint="send") are listed nowhere.
    assert "endpoint='send'" not in out


LEFT_BEHIND = (
    APP
    + """
def test_a_leaves_faults_a_template_and_no_rate_limit(sender_sandbox):
    sender_sandbox.inject(status=503, endpoint="send", times=None)
    sender_sandbox.add_template("tmplLeft", subject="Hi", text="Hi")
    assert send(sender_sandbox, "a@example.org").status_code == 503

def test_b_the_session_server_is_back_to_its_defaults(sender_sandbox_server):
    assert sender_sandbox_server.injections == []
    assert len(sender_sandbox_server.outbox) == 0
    assert sender_sandbox_server.requests == []
    answer = send(sender_sandbox_server, "b@example.org")
    assert answer.status_code == 200
    # The server's default rate limit counts again (the fixture had switched it off for test a).
    assert (answer.headers["X-RateLimit-Limit"], answer.headers["X-RateLimit-Remaining"]) == ("60", "59")
    template = httpx.post(sender_sandbox_server.base_url + "/message/tmplLeft/send",
                          headers={"Authorization": "Bearer " + sender_sandbox_server.token},
                          json={"to": {"email": "b@example.org"}}, timeout=5.0)
    assert template.status_code == 404

def test_c_fresh_blocks_leave_nothing_behind_even_when_they_fail(sender_sandbox_server):
    with sender_sandbox_server.fresh():
        sender_sandbox_server.inject(status=500, to="c@example.org", times=None)
        assert send(sender_sandbox_server, "c@example.org").status_code == 500
    assert (sender_sandbox_server.injections, len(sender_sandbox_server.outbox)) == ([], 0)
    with pytest.raises(AssertionError, match="matched no request"):
        with sender_sandbox_server.fresh():
            sender_sandbox_server.inject(status=500, endpoint="template_send")
    assert sender_sandbox_server.injections == []
    with pytest.raises(ZeroDivisionError):
        with sender_sandbox_server.fresh():
            sender_sandbox_server.inject(status=500, endpoint="send", times=None)
            1 / 0
    assert send(sender_sandbox_server, "c@example.org").status_code == 200
"""
)


def test_the_session_server_is_back_to_its_defaults_after_each_test_and_fresh_block(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app=LEFT_BEHIND)
    result = pytester.runpytest_subprocess(*NO_SLOW_PLUGINS, "-v", "-p", "no:randomly")
    result.assert_outcomes(passed=3)


SPENT_RULES = (
    APP
    + """
def test_a_spent_rule_is_not_matched_again(sender_sandbox):
    asked = []

    def sends_to_ada(request):
        asked.append(request.method + " " + request.path)
        return request.json()["to"]["email"] == "ada@example.org"  # a GET has no JSON: this would raise

    rule = sender_sandbox.inject(status=500, match=sends_to_ada)  # times=1
    live = sender_sandbox.inject(status=429, endpoint="template_send", times=None)
    assert send(sender_sandbox, "ada@example.org").status_code == 500
    listing = httpx.get(sender_sandbox.base_url + "/subscribers",
                        headers={"Authorization": "Bearer " + sender_sandbox.token}, timeout=5.0)
    assert listing.status_code == 200
    assert send_template(sender_sandbox, "bob@example.org").status_code == 429
    assert (rule.hits, live.hits) == (1, 1)
    assert asked == ["POST /v2/message/send"]

def test_requests_after_every_rule_is_spent_get_the_normal_answer(sender_sandbox):
    asked = []
    sender_sandbox.inject(status=503, endpoint="send", times=2, match=lambda r: asked.append(r.path) or True)
    codes = [send(sender_sandbox, "a@example.org").status_code for _ in range(4)]
    assert codes == [503, 503, 200, 200]
    assert len(asked) == 2
    assert len(sender_sandbox.outbox) == 2
"""
)


def test_spent_rules_are_not_matched_and_requests_then_skip_matching(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app=SPENT_RULES)
    result = pytester.runpytest_subprocess(*NO_SLOW_PLUGINS, "-v")
    result.assert_outcomes(passed=2)
