"""``--sender-sandbox`` and the sandbox fixtures, as a user meets them (pytester)."""

from __future__ import annotations

import re

import pytest

# These runs start real servers and make real connections inside the inner pytest. pytester's
# in-process runs drop every module first imported inside them (httpx's and cryptography's lazily
# imported parts included), which breaks later tests in this process, so they run in a subprocess
# (without the schemathesis and hypothesis plugins, which only slow each start down).
NO_SLOW_PLUGINS = ("-p", "no:schemathesis", "-p", "no:hypothesispytest")


def test_in_an_empty_directory_the_sandbox_makes_the_token_check_pass(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(*NO_SLOW_PLUGINS, "--sender-preflight", "--sender-sandbox", "-v")
    result.stdout.fnmatch_lines(
        [
            "*api_url = http://127.0.0.1:*/v2 (sandbox (healthy))*",
            "*api_token = set (***) (sandbox (healthy))*",
            "sender::api.token[[]127.0.0.1:*[]] PASSED*",
            "*= Sender preflight =*",
            "check*target*status*code*",
            "api.token*127.0.0.1:*pass*API_TOKEN_OK*",
        ]
    )
    result.stdout.no_fnmatch_line("*API_TOKEN_REJECTED*")
    output = result.stdout.str() + result.stderr.str()
    assert not re.search(r"sbx-[A-Za-z0-9_-]{20,}", output)  # the sandbox's token is never shown


def test_broken_sandbox_fails_the_token_check_with_its_hint(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(
        *NO_SLOW_PLUGINS, "--sender-preflight", "--sender-sandbox=broken", "-k", "api.token"
    )
    result.assert_outcomes(failed=1)
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "*failed: API_TOKEN_REJECTED (fail)",
            "What: Sender rejected the API token (HTTP 401)",
            "*How to fix:*",
            "*Account settings → API access tokens*",
            "*= Sender preflight =*",
            "api.token*127.0.0.1:*fail*API_TOKEN_REJECTED*",
        ]
    )
    assert not re.search(r"sbx-[A-Za-z0-9_-]{20,}", result.stdout.str() + result.stderr.str())


APP_TESTS = '''
import httpx
from pytest_sender.api import Address, Sent, ServerError

def send_welcome(base_url, token, email):
    """The app's own code: a plain httpx call to Sender."""
    return httpx.post(base_url + "/message/send", headers={"Authorization": "Bearer " + token},
                      json={"from": {"email": "app@example.com", "name": "App"}, "to": {"email": email},
                            "subject": "Welcome", "text": "Hello"})

def test_the_app_sends_and_the_outbox_has_it(sender_sandbox):
    response = send_welcome(sender_sandbox.base_url, sender_sandbox.token, "ada@example.org")
    assert response.status_code == 200
    [record] = sender_sandbox.outbox.messages()
    assert record.message["Subject"] == "Welcome"
    assert record.to == ("ada@example.org",)

def test_the_outbox_is_empty_again_in_the_next_test(sender_sandbox):
    assert len(sender_sandbox.outbox) == 0
    assert sender_sandbox.requests == []

def test_the_client_fixture_talks_to_the_sandbox(sender_client, sender_sandbox):
    outcome = sender_client.send("ada@example.org", "Hi", sender=Address("app@example.com", "App"), text="x")
    assert isinstance(outcome, Sent)
    assert sender_sandbox.outbox.messages()[0].email_id == outcome.email_id

def test_faults_can_be_injected(sender_client, sender_sandbox):
    sender_sandbox.inject(status=500, body={"message": "Server Error"})
    outcome = sender_client.send("ada@example.org", "Hi", sender=Address("app@example.com", "App"), text="x")
    assert isinstance(outcome, ServerError)

def test_the_server_is_kept_for_the_session(sender_sandbox_server, sender_sandbox):
    assert sender_sandbox is sender_sandbox_server
'''


def test_the_fixtures_give_each_test_a_reset_sandbox_on_one_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app=APP_TESTS)
    result = pytester.runpytest_subprocess(*NO_SLOW_PLUGINS, "-p", "no:randomly")
    result.assert_outcomes(passed=5)


def test_the_fixtures_reuse_the_embedded_sandbox_under_sender_sandbox(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_app=APP_TESTS
        + """
def test_it_is_the_embedded_one(sender_sandbox, sender_settings):
    assert sender_settings.api_url == sender_sandbox.base_url
"""
    )
    result = pytester.runpytest_subprocess(*NO_SLOW_PLUGINS, "--sender-sandbox", "-p", "no:randomly")
    result.assert_outcomes(passed=6)


def test_the_fixtures_are_documented(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--fixtures")
    result.stdout.fnmatch_lines(
        [
            "*sender_sandbox_server*session*",
            "*sandbox Sender API, started once per session*",
            "*sender_sandbox*",
            "*A local Sender API on a real loopback socket, reset for this test.*",
            "*sender_client*",
            "*A synchronous*SenderClient*",
        ]
    )


def test_loading_the_plugin_does_not_start_or_import_the_sandbox(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_modules="""
import sys

def test_nothing_heavy_is_imported():
    assert "werkzeug" not in sys.modules
    assert "pytest_sender.sandbox.api_server" not in sys.modules
    assert "tenacity" not in sys.modules
"""
    )
    pytester.runpytest_subprocess(*NO_SLOW_PLUGINS).assert_outcomes(passed=1)


def test_each_xdist_worker_gets_its_own_sandbox(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_app="""
import pathlib
import pytest

@pytest.mark.parametrize("n", range(6))
def test_port(sender_sandbox, n, worker_id):
    pathlib.Path(f"port-{worker_id}-{n}").write_text(str(sender_sandbox.port))
    assert len(sender_sandbox.outbox) == 0
"""
    )
    result = pytester.runpytest_subprocess(*NO_SLOW_PLUGINS, "-n", "2", "-p", "no:randomly")
    result.assert_outcomes(passed=6)
    ports: dict[str, set[str]] = {}
    for path in pytester.path.glob("port-*"):
        ports.setdefault(path.name.split("-")[1], set()).add(path.read_text())
    assert set(ports) == {"gw0", "gw1"}
    assert all(len(seen) == 1 for seen in ports.values())  # one server per worker, kept for its session
    assert ports["gw0"] != ports["gw1"]
