"""A gate never goes green by accident: --sender-strict fails on missing configuration, and a run
that checked nothing says so on its last line."""

from __future__ import annotations

import json

import pytest

from tests.helpers.scripted_http import Reply, ScriptedHttpServer

NOTHING_CHECKED = (
    "sender: nothing was checked: set SENDER_API_TOKEN, SENDER_CAMPAIGNS, SENDER_SMTP_USERNAME, "
    "SENDER_SMTP_PASSWORD, SENDER_DOMAINS"
)
RATE_LIMITED = Reply(
    429,
    b'{"message": "Too Many Attempts"}',
    (("Content-Type", "application/json"), ("Retry-After", "30"), ("X-RateLimit-Remaining", "0")),
)


def _last_line(outlines: list[str]) -> str:
    return [line for line in outlines if line.strip()][-1]


def test_with_nothing_configured_the_run_passes_and_its_last_line_says_nothing_was_checked(
    pytester: pytest.Pytester,
) -> None:
    result = pytester.runpytest("--sender-preflight")
    assert result.ret == 0  # the fork pull request: no secrets, not strict, still green
    result.assert_outcomes(skipped=14)
    assert _last_line(result.outlines) == NOTHING_CHECKED
    assert "14 skipped" in [line for line in result.outlines if line.strip()][-2]


def test_under_strict_a_missing_token_or_domain_fails_naming_the_setting(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--sender-preflight", "--sender-strict", "--sender-report", "r.json")
    assert result.ret == 1
    result.assert_outcomes(failed=11, skipped=3)  # the token and the ten dns checks
    result.stdout.fnmatch_lines(
        [
            "*api.token[[]api.sender.net[]] failed: not configured, required under --sender-strict: "
            "API_TOKEN_MISSING (fail)*",
            "*set SENDER_API_TOKEN*",
        ]
    )
    result.stdout.fnmatch_lines(["api.token*api.sender.net*fail*API_TOKEN_MISSING*", "dns.spf*fail*DNS_NO_DOMAIN*"])
    assert "nothing was checked" not in result.stdout.str()
    report = json.loads((pytester.path / "r.json").read_text())
    assert report["summary"]["ok"] is False
    assert {f["code"]: f["status"] for f in report["findings"]}["API_TOKEN_MISSING"] == "fail"


def test_a_strict_warning_fails_saying_so(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    with ScriptedHttpServer([RATE_LIMITED]) as server:
        monkeypatch.setenv("SENDER_API_URL", server.url + "/v2")
        monkeypatch.setenv("SENDER_API_TOKEN", "tok-valid")
        result = pytester.runpytest("--sender-preflight", "-k", "api.token", "--sender-strict")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*api.token*failed: warning under --sender-strict: API_RATE_LIMITED (warn)*"])
    assert "passed with a warning" not in result.stdout.str()
    assert "nothing was checked" not in result.stdout.str()
