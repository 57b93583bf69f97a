"""``--sender-sandbox`` and the sandbox fixtures, as a user meets them (pytester)."""

from __future__ import annotations

import re

import pytest


def test_in_an_empty_directory_the_sandbox_makes_the_token_check_pass(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--sender-preflight", "--sender-sandbox", "-v", "-k", "api.token")
    result.assert_outcomes(passed=1)
    assert result.ret == 0
    result.stdout.fnmatch_lines([
        "sender::api.token[[]127.0.0.1:*[]] PASSED*",
        "*= Sender preflight =*",
        "check*target*status*code*",
        "api.token*127.0.0.1:*pass*API_TOKEN_OK*",
    ])


def test_the_whole_preflight_shows_api_token_passing_against_the_sandbox(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--sender-preflight", "--sender-sandbox", "-v")
    result.stdout.fnmatch_lines(["sender::api.token[[]127.0.0.1:*[]] PASSED*", "*= Sender preflight =*"])
    result.stdout.no_fnmatch_line("*API_TOKEN_REJECTED*")


def test_broken_sandbox_fails_the_token_check_with_its_hint(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--sender-preflight", "--sender-sandbox=broken", "-k", "api.token")
    result.assert_outcomes(failed=1)
    assert result.ret == 1
    result.stdout.fnmatch_lines([
        "*failed: API_TOKEN_REJECTED (fail)",
        "What: Sender rejected the API token (HTTP 401)",
        "*How to fix:*",
        "*Account settings → API access tokens*",
        "*= Sender preflight =*",
        "api.token*127.0.0.1:*fail*API_TOKEN_REJECTED*",
    ])


def test_the_sandbox_token_never_appears_in_the_output(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--sender-preflight", "--sender-sandbox", "-v", "-k", "api.token")
    output = result.stdout.str() + result.stderr.str()
    assert "api_token = <secret" in output or "api_token" in output
    assert not re.search(r"sbx-[A-Za-z0-9_-]{20,}", output)


def test_the_report_header_points_the_settings_at_the_sandbox(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--sender-preflight", "--sender-sandbox", "-k", "api.token")
    result.stdout.fnmatch_lines(["*api_url = http://127.0.0.1:*/v2 (sandbox (healthy))*"])
