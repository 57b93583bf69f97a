"""``pytest --sender-live`` through the plugin (pytester): items, outcomes, hints, report, usage errors.

The end-to-end runs use ``--sender-sandbox`` (the sandbox accepts the sends and delivers them) and a
real Dovecot as the inbox; its test CA reaches the plugin's IMAP client through SSL_CERT_FILE, as a
user's private CA would.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import pytest

from tests.helpers.dovecot import RunningDovecot, dovecot_server

RECIPIENT = "qa+nightly@inbox.test"


@pytest.fixture(scope="module")
def dovecot() -> Iterator[RunningDovecot]:
    yield from dovecot_server()


@pytest.fixture
def live_env(dovecot: RunningDovecot, monkeypatch: pytest.MonkeyPatch) -> RunningDovecot:
    monkeypatch.setenv("SENDER_INBOX_PASSWORD", dovecot.password)
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.ca_path))
    return dovecot


def _live_args(dovecot: RunningDovecot, *extra: str) -> list[str]:
    return [
        "--sender-live",
        "--sender-inbox",
        dovecot.url,
        "--sender-recipient",
        RECIPIENT,
        "--sender-from",
        "hello@sandbox.example",
        "--sender-live-timeout",
        "3",
        "--sender-timeout",
        "3",
        "-p",
        "no:cacheprovider",
        *extra,
    ]


def test_live_with_the_healthy_sandbox_passes_every_aspect_and_reports_latency(
    pytester: pytest.Pytester, live_env: RunningDovecot
) -> None:
    report = pytester.path / "live.json"
    result = pytester.runpytest(*_live_args(live_env, "--sender-sandbox", "--sender-report", str(report), "-v"))
    result.assert_outcomes(passed=28)  # 3 sends x 9 aspects, and live.logged (the template send in its sent log)
    result.stdout.fnmatch_lines(
        [
            f"sender::live.api-send.arrived[[]{RECIPIENT}[]] PASSED*",
            f"sender::live.template-send.placeholders[[]{RECIPIENT}[]] PASSED*",
            f"sender::live.smtp-send.dkim[[]{RECIPIENT}[]] PASSED*",
            f"sender::live.logged[[]{RECIPIENT}[]] PASSED*",
            "*= Sender preflight =*",
            f"live.api-send.arrived *{RECIPIENT}*pass*LIVE_ARRIVED",
        ]
    )
    data = json.loads(report.read_text())
    arrived = next(f for f in data["findings"] if f["check"] == "live.api-send.arrived")
    assert any(line.startswith("delivery latency: ") for line in arrived["evidence"])
    assert live_env.password not in report.read_text()
    assert live_env.password not in result.stdout.str()


def _sandbox_inbox_args(*extra: str) -> list[str]:
    return ["--sender-live", "--sender-live-timeout", "5", "--sender-timeout", "3", "-p", "no:cacheprovider", *extra]


@pytest.fixture
def own_inbox() -> None:
    from pytest_sender.sandbox.dovecot import dovecot_skip_reason

    reason = dovecot_skip_reason()
    if reason is not None:
        pytest.skip(reason)


@pytest.mark.usefixtures("own_inbox")
def test_live_with_the_sandbox_and_no_inbox_runs_against_its_own_dovecot(pytester: pytest.Pytester) -> None:
    report = pytester.path / "live.json"
    result = pytester.runpytest(*_sandbox_inbox_args("--sender-sandbox", "--sender-report", str(report)))
    result.assert_outcomes(passed=28)
    result.stdout.fnmatch_lines(
        [
            "*inbox = imaps://qa-*@inbox.sandbox.test@127.0.0.1:* (sandbox (healthy))",
            "live.api-send.dkim *qa-*@inbox.sandbox.test*pass*LIVE_AUTH_PASS",
        ]
    )
    data = json.loads(report.read_text())
    dkim = next(f for f in data["findings"] if f["check"] == "live.smtp-send.dkim")
    assert "dkim=pass" in dkim["evidence"][0]
    assert "header.d=sender-sandbox.test header.s=sender" in dkim["evidence"][0]


@pytest.mark.usefixtures("own_inbox")
def test_live_with_the_broken_sandbox_fails_dkim_and_dmarc_with_the_verifiers_reason(pytester: pytest.Pytester) -> None:
    # Under --sender-live the broken sandbox accepts the sends and breaks the mail path instead: its
    # DNS publishes a key that is not the signer's, an SPF record without Sender, p=quarantine.
    result = pytester.runpytest(*_sandbox_inbox_args("--sender-sandbox=broken", "-k", "api-send", "-v"))
    outcomes = result.parseoutcomes()
    assert outcomes["failed"] == 4, result.stdout.str()  # placement, spf, dkim, dmarc
    result.stdout.fnmatch_lines(
        [
            "sender::live.api-send.arrived[[]qa-*@inbox.sandbox.test[]] PASSED*",
            "sender::live.api-send.dkim[[]qa-*@inbox.sandbox.test[]] FAILED*",
            "*failed: LIVE_DKIM_FAIL (fail)",
            "What: The receiving server's DKIM verdict is fail, not pass",
            "*dkim=fail reason=*does not verify with the key published at sender._domainkey.sender-sandbox.test*",
            "*failed: LIVE_DMARC_FAIL (fail)",
        ]
    )


def test_live_with_the_sandbox_but_no_dovecot_skips_naming_both_ways_out(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pytest_sender.sandbox.dovecot as dovecot_module

    monkeypatch.setattr(dovecot_module, "DOVECOT", None)
    result = pytester.runpytest_inprocess(*_sandbox_inbox_args("--sender-sandbox", "-rs"))
    result.assert_outcomes(skipped=28)
    result.stdout.fnmatch_lines(
        [
            "*LIVE_SANDBOX_NO_INBOX: The sandbox has no inbox of its own here (dovecot is not installed "
            "(Debian package 'dovecot-imapd': apt-get install dovecot-imapd)): install Dovecot or pass --sender-inbox"
        ]
    )


def test_live_without_configuration_skips_and_names_the_settings(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--sender-live", "-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(skipped=9)
    result.stdout.fnmatch_lines(["*LIVE_NOT_CONFIGURED: Live smoke not configured: set SENDER_INBOX_URL*"])


def test_live_without_the_live_extra_is_a_usage_error_naming_the_extra(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "imapclient", None)
    result = pytester.runpytest_inprocess("--sender-live", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ['*live smoke needs the optional dependencies*pip install "pytest-sender[[]live[]] @ git+https://*']
    )


def test_preflight_alone_adds_no_live_items(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--sender-preflight", "--collect-only", "-q", "-p", "no:cacheprovider")
    assert "live." not in result.stdout.str()


def test_under_xdist_the_controller_sends_once_and_the_workers_report(
    pytester: pytest.Pytester, live_env: RunningDovecot
) -> None:
    from tests.helpers.dovecot import folder_uids

    before = len(folder_uids(live_env, "INBOX"))
    # Kept, so the mailbox shows how many messages were sent: one per kind, whatever the workers.
    result = pytester.runpytest(*_live_args(live_env, "--sender-sandbox", "--sender-live-keep", "-n", "2"))
    result.assert_outcomes(passed=28)
    assert result.stdout.str().count("live.api-send.arrived ") == 1  # one row in the summary table
    assert len(folder_uids(live_env, "INBOX")) - before == 3


def test_the_live_family_imports_no_imap_smtp_or_http_library_until_it_runs() -> None:
    import subprocess

    heavy = ["imapclient", "authres", "aiosmtplib", "httpx"]
    code = (
        "import sys, pytest_sender.plugin, pytest_sender.live.checks, pytest_sender.sandbox.imap_delivery\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
