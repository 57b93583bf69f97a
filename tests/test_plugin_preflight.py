"""The plugin as a user meets it: items, outcomes, the summary table, reports; run with pytester."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.helpers.scripted_http import Reply, ScriptedHttpServer

USER_TESTS = """
def test_one():
    assert True

def test_two():
    assert 1 + 1 == 2
"""

# Other check families (DNS, SMTP) add items of their own; these tests are about the plugin's
# mechanics, shown on api.token, so they select it (and the user's own tests) by keyword.
ONLY_TOKEN = ("-k", "api.token or test_")

RATE_LIMITED = Reply(
    429,
    b'{"message": "Too Many Attempts"}',
    (
        ("Content-Type", "application/json"),
        ("Retry-After", "30"),
        ("X-RateLimit-Limit", "60"),
        ("X-RateLimit-Remaining", "0"),
    ),
)


@pytest.fixture
def api_server() -> ScriptedHttpServer:
    with ScriptedHttpServer(
        [
            Reply(
                200,
                b'{"data": []}',
                (
                    ("Content-Type", "application/json"),
                    ("X-RateLimit-Limit", "60"),
                    ("X-RateLimit-Remaining", "58"),
                ),
            )
        ]
    ) as server:
        yield server  # type: ignore[misc]


def point_at(monkeypatch: pytest.MonkeyPatch, server: ScriptedHttpServer, token: str = "tok-valid") -> None:
    monkeypatch.setenv("SENDER_API_URL", server.url + "/v2")
    monkeypatch.setenv("SENDER_API_TOKEN", token)


def test_in_an_empty_directory_preflight_skips_the_token_check_and_names_the_variable(
    pytester: pytest.Pytester,
) -> None:
    result = pytester.runpytest("--sender-preflight", "-rs")
    assert result.ret == 0  # nothing is configured, so every check skips and names its setting
    assert result.parseoutcomes()["skipped"] >= 1
    assert "failed" not in result.parseoutcomes()
    result.stdout.fnmatch_lines(
        [
            "*= Sender preflight =*",
            "check*target*status*code*",
            "api.token*api.sender.net*skip*API_TOKEN_MISSING*",
            "*fix: set SENDER_API_TOKEN (or SENDER_API_TOKEN_FILE)*",
            "SKIPPED [[]1[]] sender::api.token[[]api.sender.net[]]: API_TOKEN_MISSING: No API token is configured: "
            "set SENDER_API_TOKEN*",
        ]
    )


def test_items_have_sender_node_ids_and_run_alongside_the_users_tests(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, api_server: ScriptedHttpServer
) -> None:
    point_at(monkeypatch, api_server)
    pytester.makepyfile(test_app=USER_TESTS)
    result = pytester.runpytest("--sender-preflight", *ONLY_TOKEN, "--collect-only", "-q")
    host = api_server.url.removeprefix("http://")
    result.stdout.fnmatch_lines([f"sender::api.token[[]{host}[]]", "test_app.py::test_one", "test_app.py::test_two"])
    result = pytester.runpytest("--sender-preflight", *ONLY_TOKEN, "-v")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines([f"sender::api.token[[]{host}[]] PASSED*"])


def test_keyword_selection_works_on_check_names(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, api_server: ScriptedHttpServer
) -> None:
    point_at(monkeypatch, api_server)
    pytester.makepyfile(test_app=USER_TESTS)
    pytester.runpytest("--sender-preflight", "-k", "api.token").assert_outcomes(passed=1)
    pytester.runpytest("--sender-preflight", "-k", "not sender").assert_outcomes(passed=2)
    assert len(api_server.requests) == 1  # a deselected check does not run


def test_without_the_flag_the_users_suite_runs_exactly_as_before(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENDER_TIMEOUT", "not-a-number")  # inert: not even read
    pytester.makepyfile(test_app=USER_TESTS)
    with_plugin = pytester.runpytest("-W", "error")
    without_plugin = pytester.runpytest("-p", "no:sender", "-W", "error")
    with_plugin.assert_outcomes(passed=2)
    without_plugin.assert_outcomes(passed=2)
    assert "sender" not in with_plugin.stdout.str().replace("plugins:", "").split("collected")[1]
    assert "warning" not in with_plugin.stdout.str().lower()
    with_plugin.stdout.no_fnmatch_line("*Sender preflight*")
    with_plugin.stdout.no_fnmatch_line("*sender: settings*")


def test_loading_the_plugin_imports_nothing_heavy() -> None:
    heavy = ["schemathesis", "hypothesis", "dns", "werkzeug", "aiosmtpd", "httpx", "yaml", "jsonschema"]
    code = f"import sys, pytest_sender.plugin\nprint(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_loading_the_plugin_imports_only_the_options_table_of_ours() -> None:
    # Every pytest start pays for what the plugin module imports, even when the plugin is unused.
    code = "import sys, pytest_sender.plugin\nprint(sorted(m for m in sys.modules if m.startswith('pytest_sender')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['pytest_sender', 'pytest_sender.plugin', 'pytest_sender.setting_specs']"


def test_an_inert_pytest_run_imports_only_the_options_table_of_ours(tmp_path: Path) -> None:
    # Not only the module: the hooks an inert run calls (pytest_configure registers the markers)
    # must not import the sandbox, the checks or anything they pull in.
    code = (
        "import sys, pytest\n"
        "pytest.main(['--collect-only', '-q', '-p', 'no:cacheprovider'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('pytest_sender')))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert (
        out.stdout.strip().splitlines()[-1]
        == "['pytest_sender', 'pytest_sender.plugin', 'pytest_sender.setting_specs']"
    )


def test_a_rejected_token_fails_with_code_evidence_and_hint_without_plugin_frames(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ScriptedHttpServer([Reply(401, b'{"message": "Unauthenticated."}')]) as server:
        point_at(monkeypatch, server)
        result = pytester.runpytest("--sender-preflight", *ONLY_TOKEN, "--tb=long")
    result.assert_outcomes(failed=1)
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "*api.token*failed: API_TOKEN_REJECTED (fail)",
            "What: Sender rejected the API token (HTTP 401)",
            "Evidence:",
            "  GET http://127.0.0.1:*/v2/subscribers?limit=1 → HTTP 401",
            "How to fix:",
            "*Account settings → API access tokens*",
        ]
    )
    output = result.stdout.str()
    assert "pytest_sender" not in output.split("= FAILURES =")[1]  # no plugin frames
    assert "Traceback" not in output


def test_an_error_fails_as_could_not_be_checked(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    with ScriptedHttpServer([Reply(503, b"<html>down</html>", (("Content-Type", "text/html"),))]) as server:
        point_at(monkeypatch, server)
        result = pytester.runpytest("--sender-preflight", *ONLY_TOKEN)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*could not be checked: API_SERVER_ERROR (error)*", "*error*API_SERVER_ERROR*"])


def test_a_warning_passes_with_a_pytest_warning_unless_strict(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ScriptedHttpServer([RATE_LIMITED]) as server:
        point_at(monkeypatch, server)
        result = pytester.runpytest("--sender-preflight", *ONLY_TOKEN)
        result.assert_outcomes(passed=1, warnings=1)
        result.stdout.fnmatch_lines(["*SenderPreflightWarning*API_RATE_LIMITED*", "*honour Retry-After*"])
        strict = pytester.runpytest("--sender-preflight", *ONLY_TOKEN, "--sender-strict")
        strict.assert_outcomes(failed=1)
        monkeypatch.setenv("SENDER_STRICT", "1")
        pytester.runpytest("--sender-preflight", *ONLY_TOKEN).assert_outcomes(failed=1)


def test_a_bad_setting_stops_the_run_naming_setting_source_and_example(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENDER_SMTP_PORTS", "587,two")
    result = pytester.runpytest("--sender-preflight", *ONLY_TOKEN)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "*invalid setting smtp_ports (from env SENDER_SMTP_PORTS): 'two' is not a port number*"
            "Example of a valid value: 587,2525,25*"
        ]
    )
    pytester.makeini("[pytest]\nsender_api_url = api.sender.net\n")
    monkeypatch.delenv("SENDER_SMTP_PORTS")
    result = pytester.runpytest("--sender-preflight", *ONLY_TOKEN)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*api_url (from ini sender_api_url): 'api.sender.net' has no http*"])
    pytester.makeini("[pytest]\n")
    result = pytester.runpytest("--sender-preflight", *ONLY_TOKEN, "--sender-timeout", "0")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*timeout (from flag --sender-timeout): '0' must be more than 0*"])


def test_the_report_header_lists_each_setting_and_its_source(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENDER_API_TOKEN", "canary-header-token")
    pytester.makeini("[pytest]\nsender_dkim_selector = s2024\n")
    result = pytester.runpytest("--sender-preflight", *ONLY_TOKEN, "--sender-timeout", "0.3", "--collect-only")
    result.stdout.fnmatch_lines(
        [
            "sender: settings (value, source):",
            "  api_url = https://api.sender.net/v2 (default)",
            "  api_token = set (***) (env SENDER_API_TOKEN)",
            "  dkim_selector = s2024 (ini sender_dkim_selector)",
            "  timeout = 0.3 (flag --sender-timeout)",
        ]
    )
    assert "canary-header-token" not in result.stdout.str()


def test_json_report_and_junitxml_carry_the_findings(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ScriptedHttpServer([RATE_LIMITED]) as server:
        point_at(monkeypatch, server)
        pytester.makepyfile(test_app=USER_TESTS)
        result = pytester.runpytest(
            "--sender-preflight", *ONLY_TOKEN, "--sender-report", "out/report.json", "--junitxml=j.xml"
        )
    result.assert_outcomes(passed=3, warnings=1)
    report = json.loads((pytester.path / "out" / "report.json").read_text())
    assert report["version"] == 1
    assert report["summary"] == {"pass": 0, "warn": 1, "fail": 0, "error": 0, "skip": 0, "total": 1, "ok": True}
    (finding,) = report["findings"]
    assert finding["check"] == "api.token"
    assert finding["code"] == "API_RATE_LIMITED"
    assert finding["status"] == "warn"
    assert "Retry-After" in finding["hint"]
    assert set(report["durations"]) == {finding["check"] + "[" + finding["target"] + "]"}
    testcase = next(
        case for case in ET.parse(pytester.path / "j.xml").iter("testcase") if case.get("name", "").startswith("api")
    )
    properties = {p.get("name"): p.get("value") for p in testcase.iter("property")}
    assert properties == {
        "sender_status": "warn",
        "sender_code": "API_RATE_LIMITED",
        "sender_fix": finding["fix"],
        "sender_hint": finding["hint"],
    }


def test_the_json_report_path_can_come_from_the_environment(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENDER_REPORT", "r.json")
    pytester.runpytest("--sender-preflight", *ONLY_TOKEN)
    report = json.loads((pytester.path / "r.json").read_text())
    assert report["summary"]["skip"] == 1
    assert report["summary"]["ok"] is True


CANARY = "canary-5ecret-t0ken"


def test_the_token_appears_in_no_output_report_junit_or_log(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The server echoes the Authorization header back: the worst case for a leak.
    with ScriptedHttpServer([Reply(401, f'{{"message": "rejected Bearer {CANARY}"}}'.encode())]) as server:
        point_at(monkeypatch, server, token=CANARY)
        pytester.makepyfile(test_app="import logging\ndef test_log():\n    logging.getLogger('x').warning('hi')\n")
        result = pytester.runpytest_subprocess(
            "--sender-preflight",
            *ONLY_TOKEN,
            "-vv",
            "--tb=long",
            "-rA",
            "--log-level=DEBUG",
            "--junitxml=j.xml",
            "--sender-report=r.json",
            "-o",
            "junit_logging=all",
        )
    result.assert_outcomes(failed=1, passed=1)
    outputs = {
        "stdout": result.stdout.str(),
        "stderr": result.stderr.str(),
        "junit": (pytester.path / "j.xml").read_text(),
        "report": (pytester.path / "r.json").read_text(),
    }
    for name, text in outputs.items():
        assert CANARY not in text, name
    assert "rejected Bearer ***" in outputs["report"]


def test_xdist_reports_every_finding_once(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, api_server: ScriptedHttpServer
) -> None:
    point_at(monkeypatch, api_server)
    pytester.makepyfile(test_app=USER_TESTS)
    result = pytester.runpytest_subprocess(
        "--sender-preflight", *ONLY_TOKEN, "-n", "2", "--sender-report=r.json", "-p", "xdist"
    )
    result.assert_outcomes(passed=3)
    table = result.stdout.str().split("Sender preflight")[1]
    assert table.count("API_TOKEN_OK") == 1
    report = json.loads(Path(pytester.path / "r.json").read_text())
    assert [f["code"] for f in report["findings"]] == ["API_TOKEN_OK"]
    assert len(api_server.requests) == 1  # the one worker given the api shard ran the check, once
