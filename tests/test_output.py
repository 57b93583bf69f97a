"""What a person reads at the end of a run: the table, the JSON report's place and metadata, xdist order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_sender.hints import make_finding
from pytest_sender.report import format_table
from pytest_sender.setting_specs import SETTINGS


def _table(stdout: str) -> list[str]:
    lines = stdout.split("= Sender preflight =")[1].splitlines()[2:]  # after the header row
    table = []
    for line in lines:
        if not line or line.startswith(("=", "sender:")):
            break
        table.append(line)
    return table


def test_rows_in_a_row_with_the_same_fix_share_one_fix_line() -> None:
    rows = [make_finding(check, "no-domain-configured", "DNS_NO_DOMAIN") for check in ("dns.spf", "dns.dkim", "dns.mx")]
    other = make_finding("api.token", "h", "API_TOKEN_REJECTED")
    lines = format_table([*rows, other, rows[0]])
    fixes = [line.strip() for line in lines if line.strip().startswith("fix:")]
    assert fixes == [
        "fix: set SENDER_DOMAINS or --sender-domain",
        fixes[1],
        "fix: set SENDER_DOMAINS or --sender-domain",
    ]
    assert fixes[1].startswith("fix: create or renew the token")
    assert lines[1].startswith("dns.spf")
    assert lines[2].startswith("dns.dkim")  # no fix line between the rows of one group
    assert lines[4].strip() == "fix: set SENDER_DOMAINS or --sender-domain"


def test_the_unconfigured_run_prints_each_fix_once(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--sender-preflight")
    assert result.stdout.str().count("fix: set SENDER_DOMAINS or --sender-domain") == 1
    table = _table(result.stdout.str())
    assert [line.split()[0] for line in table if not line.startswith(" ")][-1] == "dns.dnssec"
    assert table[-1].strip() == "fix: set SENDER_DOMAINS or --sender-domain"


def test_the_run_says_where_the_report_went_and_the_report_carries_the_run(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--sender-preflight", "--sender-sandbox", "--sender-report", "out/r.json")
    assert result.ret == 0
    where = pytester.path / "out" / "r.json"
    result.stdout.fnmatch_lines([f"sender: JSON report written to {where}"])
    report = json.loads(where.read_text())
    assert report["version"] == 1
    run = report["run"]
    assert run["mode"] == ["preflight", "sandbox"]
    assert run["sandbox"] == "healthy"
    assert run["started_at"] <= run["finished_at"]
    assert run["plugin_version"] == report["plugin_version"]
    settings = {row["name"]: row for row in run["settings"]}
    assert settings["report"] == {"name": "report", "value": "out/r.json", "source": "flag --sender-report"}
    assert settings["timeout"]["source"] == "default"
    for spec in SETTINGS:
        assert (spec.name in settings) is not spec.secret, spec.name
    assert report["findings"][0]["node_id"].startswith("sender::api.token[127.0.0.1:")


def test_under_xdist_the_table_and_the_report_keep_the_plain_runs_order(pytester: pytest.Pytester) -> None:
    def run(*extra: str) -> tuple[list[tuple[str, str]], list[str]]:
        result = pytester.runpytest_subprocess(
            "--sender-preflight", "--sender-sandbox=broken", "--sender-report=r.json", *extra
        )
        rows = [tuple(line.split()[::3][:2]) for line in _table(result.stdout.str()) if not line.startswith(" ")]
        report = json.loads(Path(pytester.path / "r.json").read_text())
        return [(r[0], r[1]) for r in rows], [f["code"] for f in report["findings"]]

    plain_rows, plain_codes = run()
    xdist_rows, xdist_codes = run("-p", "xdist", "-n", "2")
    assert len(plain_codes) > 9
    assert xdist_rows == plain_rows
    assert xdist_codes == plain_codes


def test_the_warnings_summary_has_one_line_per_warning_code_and_summary(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--sender-preflight", "--sender-sandbox=broken")
    summary = result.stdout.str().split("warnings summary")[1].split("-- Docs:")[0]
    lines = [line.strip() for line in summary.splitlines()[1:] if line.strip()]
    assert lines == [
        "sender::smtp.port[" + lines[0].split("[", 1)[1],
        "sender:0: SenderPreflightWarning: SMTP_PORT_REFUSED: " + lines[1].split("SMTP_PORT_REFUSED: ", 1)[1],
        "sender::dns.mx[sender-sandbox.test]",
        "sender:0: SenderPreflightWarning: MX_NULL: sender-sandbox.test publishes a null MX: it cannot receive "
        "replies or bounces",
    ]
    assert "plugin.py" not in summary
    assert "How to fix" not in summary


def test_junitxml_cases_carry_the_hint_and_the_checks_duration(pytester: pytest.Pytester) -> None:
    import xml.etree.ElementTree as ET

    pytester.runpytest("--sender-preflight", "--sender-sandbox=broken", "--junitxml=j.xml", "--sender-report=r.json")
    report = json.loads((pytester.path / "r.json").read_text())
    findings = {f["node_id"].removeprefix("sender::"): f for f in report["findings"]}
    cases = list(ET.parse(pytester.path / "j.xml").iter("testcase"))
    assert len(cases) == len(findings)
    for case in cases:
        finding = findings[case.get("name", "")]
        properties = {p.get("name"): p.get("value") for p in case.iter("property")}
        assert float(case.get("time", "-1")) == pytest.approx(finding["duration_s"], abs=0.02)  # + setup/teardown
        if finding["status"] == "pass":
            assert "sender_hint" not in properties
        elif finding["status"] == "skip":  # dns.mx-tls (opt-in, off): the skip's message is its code and summary
            assert properties["sender_code"] == finding["code"]
            skipped = case.find("skipped")
            assert skipped is not None
            assert skipped.get("message") == f"{finding['code']}: {finding['summary']}"
        else:
            assert properties["sender_fix"] == finding["fix"]
            assert properties["sender_hint"] == finding["hint"]
            assert properties["sender_hint"].startswith("What:")
    assert max(float(case.get("time", "0")) for case in cases) > 0.01
