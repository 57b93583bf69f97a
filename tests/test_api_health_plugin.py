"""api.health as a user meets it: pytester runs against the embedded sandbox (in a subprocess, as the
other sandbox plugin tests: real servers and connections inside the inner pytest)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NO_SLOW_PLUGINS = ("-p", "no:schemathesis", "-p", "no:hypothesispytest")
#: The sandbox's seeded recipients are customerN@example.net; none may appear unmasked anywhere.
FULL_ADDRESS = re.compile(r"customer\d+@example\.net")


def test_the_broken_sandbox_trips_each_limit_and_no_report_shows_a_full_address(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(
        *NO_SLOW_PLUGINS,
        "--sender-preflight",
        "--sender-sandbox=broken",
        "-k",
        "api.health",
        "--sender-report",
        "r.json",
        "--junitxml",
        "j.xml",
        "-o",
        "junit_logging=all",
        "-rA",
    )
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(
        [
            "*api.health[[]sbxHRD[]] failed: API_HEALTH_HARD_BOUNCES_HIGH (fail)",
            "What: Hard bounces on campaign sbxHRD are at 6.00% (12 of 200 sent in 7 days), "
            "at or above the fail limit 5%",
            "*bounced: * c***@example.net HARD_BOUNCE: 550 5.1.1 <c***@example.net>: Mailbox not found",
            "*api.health[[]sbxSFT[]] failed: API_HEALTH_SOFT_BOUNCES_HIGH (fail)",
            "*api.health[[]sbxCMP[]] failed: API_HEALTH_COMPLAINTS_HIGH (fail)",
            "*= Sender preflight =*",
            "api.health*sbxHRD*fail*API_HEALTH_HARD_BOUNCES_HIGH*",
            "*fix: hard bounces 6.00% ≥ 5%*",
        ]
    )
    report = json.loads(Path(pytester.path, "r.json").read_text())
    codes = {f["target"]: f["code"] for f in report["findings"]}
    assert codes == {
        "sbxHRD": "API_HEALTH_HARD_BOUNCES_HIGH",
        "sbxSFT": "API_HEALTH_SOFT_BOUNCES_HIGH",
        "sbxCMP": "API_HEALTH_COMPLAINTS_HIGH",
    }
    evidence = [line for f in report["findings"] for line in f["evidence"]]
    assert sum("c***@example.net" in line for line in evidence) >= 10
    junit = Path(pytester.path, "j.xml").read_text()
    assert "API_HEALTH_HARD_BOUNCES_HIGH" in junit
    for where, text in (
        ("stdout", result.stdout.str()),
        ("stderr", result.stderr.str()),
        ("JSON report", json.dumps(report, ensure_ascii=False)),
        ("junitxml", junit),
    ):
        assert not FULL_ADDRESS.search(text), f"a full recipient address in the {where}"


def test_the_healthy_sandbox_passes(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(
        *NO_SLOW_PLUGINS, "--sender-preflight", "--sender-sandbox", "-k", "api.health", "-v"
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "sender::api.health[[]sbxWLC[]] PASSED*",
            "api.health*sbxWLC*pass*API_HEALTH_OK*",
        ]
    )


def test_without_campaigns_the_check_skips_naming_the_setting(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(*NO_SLOW_PLUGINS, "--sender-preflight", "-k", "api.health", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        [
            "SKIPPED [[]1[]] sender::api.health[[]not-configured[]]: API_HEALTH_NOT_CONFIGURED: No transactional "
            "campaign to check: set SENDER_CAMPAIGNS or --sender-campaign*",
        ]
    )


def test_a_bad_threshold_stops_the_run_naming_the_setting(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(
        *NO_SLOW_PLUGINS, "--sender-preflight", "--sender-health-complaints", "0.5,0.3"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "*invalid setting health_complaints (from flag --sender-health-complaints): the warn rate 0.5% is above "
            "the fail rate 0.3%*Example of a valid value: 0.1,0.3*",
        ]
    )
