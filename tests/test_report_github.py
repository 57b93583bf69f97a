"""GitHub Actions output: the step summary and the workflow commands a run writes under Actions."""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
from pathlib import Path

import pytest

from pytest_sender.findings import Finding, Status
from pytest_sender.hints import make_finding
from pytest_sender.report_github import (
    escape_data,
    escape_property,
    github_outputs,
    step_summary,
    workflow_command,
    workflow_commands,
)
from tests.helpers.scripted_http import Reply, ScriptedHttpServer
from tests.test_secret_masking import TOKEN, encodings

# --- the pure parts ---------------------------------------------------------------------------------


def test_workflow_command_escaping_follows_the_runner_rules() -> None:
    assert escape_data("50% of\r\nmail") == "50%25 of%0D%0Amail"
    assert escape_property("dns.spf[a.example]: X, Y") == "dns.spf[a.example]%3A X%2C Y"
    assert escape_property("100%") == "100%25"  # % first, so the encoded forms are not re-encoded


def test_fail_and_error_are_errors_warn_is_a_warning_pass_and_skip_are_silent() -> None:
    fail = make_finding("api.token", "127.0.0.1:8080", "API_TOKEN_REJECTED", http_status=401)
    warn = make_finding("dns.mx", "example.com", "MX_NULL", domain="example.com")
    skip = make_finding("dns.spf", "no-domain-configured", "DNS_NO_DOMAIN")
    error = Finding("dns.spf", "a.example", Status.ERROR, "DNS_TIMEOUT", "no answer\nin 5 s", fix="retry")
    passed = Finding("dns.mx", "a.example", Status.PASS, "MX_OK", "fine")
    command = workflow_command(fail)
    assert command is not None
    assert command.startswith("::error title=api.token[127.0.0.1%3A8080]%3A API_TOKEN_REJECTED::")
    assert f"%0AFix: {escape_data(fail.fix)}" in command
    assert workflow_command(warn) == (
        f"::warning title=dns.mx[example.com]%3A MX_NULL::{escape_data(warn.summary)}%0AFix: {escape_data(warn.fix)}"
    )
    assert workflow_command(warn, strict=True) is not None
    assert workflow_command(warn, strict=True).startswith("::error ")  # type: ignore[union-attr]
    assert workflow_command(error) == "::error title=dns.spf[a.example]%3A DNS_TIMEOUT::no answer%0Ain 5 s%0AFix: retry"
    assert workflow_command(skip) is None
    assert workflow_command(passed) is None
    assert len(workflow_commands([fail, warn, skip, passed, error])) == 3


def test_outputs_follow_the_setting_and_the_runner_environment(tmp_path: Path) -> None:
    file = str(tmp_path / "summary.md")
    actions = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": file}
    assert github_outputs("auto", actions) == (Path(file), True)
    assert github_outputs("summary", actions) == (Path(file), False)
    assert github_outputs("annotations", actions) == (None, True)
    assert github_outputs("off", actions) == (None, False)
    assert github_outputs("auto", {}) == (None, False)  # outside Actions: nothing
    assert github_outputs("auto", {"GITHUB_ACTIONS": "false", "GITHUB_STEP_SUMMARY": ""}) == (None, False)


def test_the_summary_escapes_markup_and_fences_evidence_holding_backticks() -> None:
    finding = Finding(
        "dns.spf",
        "a|b.example",
        Status.FAIL,
        "SPF_INCLUDE_MISSING",
        "record <script>alert(1)</script> is wrong",
        evidence=("TXT ```v=spf1 -all```",),
        hint="What: it is wrong\nHow to fix: publish it",
        fix="publish <this>",
    )
    text = step_summary([finding])
    assert "<script>" not in text
    assert "&lt;script&gt;" in text
    assert "<code>a\\|b.example</code>" in text  # a | would end the table cell
    assert "**Fix:** publish &lt;this&gt;" in text
    details = text.split("<details><summary>Evidence and the full hint</summary>", 1)[1].split("</details>", 1)[0]
    assert "````text\nTXT ```v=spf1 -all```\n````" in details  # a longer fence than the evidence's backticks
    assert "What: it is wrong\nHow to fix: publish it" in details


def test_a_secret_in_any_encoding_never_reaches_the_summary_or_the_commands() -> None:
    echoed = " ".join(encodings(TOKEN))
    finding = Finding(
        "api.token", "h", Status.FAIL, "API_TOKEN_REJECTED", f"server said {echoed}", evidence=(echoed,), fix=echoed
    )
    run = {"settings": [{"name": "api_url", "value": f"https://h/?t={TOKEN}", "source": "env SENDER_API_URL"}]}
    outputs = [step_summary([finding], run=run, secrets=[TOKEN]), *workflow_commands([finding], secrets=[TOKEN])]
    for text in outputs:
        for form in encodings(TOKEN):
            assert form not in text, form


# --- a real run under a simulated Actions environment ----------------------------------------------


def _actions_env(monkeypatch: pytest.MonkeyPatch, path: Path) -> Path:
    summary = path / "step-summary.md"
    summary.write_text("## an earlier step's summary\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    return summary


def _commands(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("::")]


def test_under_actions_a_broken_run_appends_the_summary_and_prints_one_command_per_finding(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = _actions_env(monkeypatch, pytester.path)
    result = pytester.runpytest("--sender-preflight", "--sender-sandbox=broken", "--sender-report=r.json")
    assert result.ret == 1
    report = json.loads((pytester.path / "r.json").read_text())
    findings = report["findings"]
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## an earlier step's summary\n## ❌ Sender preflight failed: ")  # appended
    # The table: one row per finding, with its status word and emoji.
    rows = [line for line in text.splitlines() if line.startswith("| ") and "<code>" in line]
    table = rows[: len(findings)]
    badge = {"pass": "✅ pass", "warn": "⚠️ warn", "fail": "❌ fail", "error": "🛑 error", "skip": "⏭️ skip"}
    for row, finding in zip(table, findings, strict=True):
        assert row.startswith(f"| {badge[finding['status']]} | <code>{finding['check']}</code> |"), row
        assert f"<code>{finding['code']}</code>" in row
    # Every non-pass finding has its section: fix, then evidence and hint folded.
    sections = text.split("\n#### ")[1:]
    problems = [f for f in findings if f["status"] != "pass"]
    assert len(sections) == len(problems)
    spf = next(s for s in sections if "SPF_INCLUDE_MISSING" in s.split("\n", 1)[0])
    finding = next(f for f in findings if f["code"] == "SPF_INCLUDE_MISSING")
    assert f"**Fix:** {finding['fix']}" in spf
    folded = spf.split("<details><summary>Evidence and the full hint</summary>", 1)[1]
    assert finding["evidence"][0] in folded.split("</details>")[0]
    assert finding["hint"].splitlines()[-1] in folded
    # The run's settings, without secrets.
    settings = text.split("<details><summary>The run's settings</summary>", 1)[1]
    assert "| <code>report</code> | r.json | flag --sender-report |" in settings
    assert "api_token" not in settings
    assert "- JSON report: " in settings
    # The commands: one per warn, fail and error, titled check[target]: CODE.
    commands = _commands(result.stdout.str())
    expected = [f for f in findings if f["status"] in ("warn", "fail", "error")]
    assert len(commands) == len(expected)
    for command, finding in zip(commands, expected, strict=True):
        kind = "warning" if finding["status"] == "warn" else "error"
        title = escape_property(f"{finding['check']}[{finding['target']}]: {finding['code']}")
        assert command.startswith(f"::{kind} title={title}::{escape_data(finding['summary'])}"), command
    result.stdout.fnmatch_lines([f"sender: GitHub Actions step summary appended to {summary}"])


def test_strict_turns_warning_commands_into_errors(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    _actions_env(monkeypatch, pytester.path)
    result = pytester.runpytest("--sender-preflight", "--sender-sandbox=broken", "--sender-strict", "-k", "dns.mx")
    commands = _commands(result.stdout.str())
    assert commands, result.stdout.str()
    assert all(c.startswith("::error title=dns.mx[") for c in commands)


@pytest.mark.parametrize(
    ("how", "summary_written", "commands_printed"),
    [
        (("--sender-github=off",), False, False),
        (("-o", "sender_github=summary"), True, False),
        (("--sender-github", "annotations"), False, True),
    ],
)
def test_the_github_setting_turns_each_output_off(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    how: tuple[str, ...],
    summary_written: bool,
    commands_printed: bool,
) -> None:
    summary = _actions_env(monkeypatch, pytester.path)
    result = pytester.runpytest("--sender-preflight", "--sender-sandbox=broken", *how)
    assert ("Sender preflight failed" in summary.read_text()) is summary_written
    assert bool(_commands(result.stdout.str())) is commands_printed


def test_sender_github_env_off_and_a_bad_value_is_a_usage_error(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = _actions_env(monkeypatch, pytester.path)
    monkeypatch.setenv("SENDER_GITHUB", "off")
    result = pytester.runpytest("--sender-preflight", "--sender-sandbox")
    assert result.ret == 0
    assert summary.read_text() == "## an earlier step's summary\n"
    assert not _commands(result.stdout.str())
    monkeypatch.setenv("SENDER_GITHUB", "sometimes")
    result = pytester.runpytest("--sender-preflight", "--sender-sandbox")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*invalid setting github (from env SENDER_GITHUB)*sometimes*Example*off*"])


def test_outside_actions_nothing_is_written(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--sender-preflight", "--sender-sandbox=broken")
    assert not _commands(result.stdout.str())
    assert "step summary" not in result.stdout.str()


def test_a_token_echoed_by_the_api_reaches_neither_the_summary_nor_the_commands(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = _actions_env(monkeypatch, pytester.path)
    echoed = " ".join(encodings(TOKEN)) + " " + base64.b64encode(f"Bearer {TOKEN}".encode()).decode()
    body = json.dumps({"message": f"rejected {echoed}"}).encode()
    location = f"https://app.example/?token={urllib.parse.quote(TOKEN, safe='')}"
    replies = [Reply(401, body, (("Content-Type", "application/json"), ("Location", location)))]
    with ScriptedHttpServer(replies) as server:
        monkeypatch.setenv("SENDER_API_URL", server.url + "/v2")
        monkeypatch.setenv("SENDER_API_TOKEN", TOKEN)
        result = pytester.runpytest_subprocess("--sender-preflight", "-k", "api.token", "--sender-html=r.html")
    result.assert_outcomes(failed=1)
    outputs = {
        "summary": summary.read_text(encoding="utf-8"),
        "stdout": result.stdout.str(),
        "html": (pytester.path / "r.html").read_text(encoding="utf-8"),
    }
    assert "API_TOKEN_REJECTED" in outputs["summary"]
    assert re.search(r"^::error title=api\.token\[", outputs["stdout"], flags=re.M)
    for name, text in outputs.items():
        for form in encodings(TOKEN):
            assert form not in text, (name, form)


def test_under_xdist_the_controller_writes_the_summary_and_the_commands_once(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = _actions_env(monkeypatch, pytester.path)
    result = pytester.runpytest_subprocess(
        "--sender-preflight", "--sender-sandbox=broken", "--sender-report=r.json", "-p", "xdist", "-n", "2"
    )
    findings = json.loads((pytester.path / "r.json").read_text())["findings"]
    text = summary.read_text(encoding="utf-8")
    assert text.count("Sender preflight failed") == 1
    assert len(text.split("\n#### ")) - 1 == len([f for f in findings if f["status"] != "pass"])
    commands = _commands(result.stdout.str())
    assert len(commands) == len([f for f in findings if f["status"] in ("warn", "fail", "error")])
    assert len(set(commands)) == len(commands)
