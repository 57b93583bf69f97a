"""content.lint and content.spam-score through the plugin, with a real spamd on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_sender.api.client import Address, SenderClient
from pytest_sender.content.assertions import assert_deliverable
from pytest_sender.content.checks import evaluate_spam_score
from pytest_sender.content.spamd import SpamdServer, SpamScore, find_spamd, parse_spam_report, score_message
from pytest_sender.errors import ParseError
from pytest_sender.findings import Status
from pytest_sender.inbox.client import ArrivedMessage
from pytest_sender.live.checks import evaluate_content
from pytest_sender.live.flow import Delivery
from pytest_sender.sandbox.api_server import ApiSandbox
from pytest_sender.settings import ScoreThreshold
from tests.helpers.dns_servers import RunningDns, start_sandbox_dns
from tests.helpers.scripted_http import closed_port
from tests.test_content_rules import message

GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
REPORT = """\
Content analysis details:   (1004.2 points, 5.0 required)

 pts rule name              description
---- ---------------------- --------------------------------------------------
1000 GTUBE                  BODY: Generic Test for Unsolicited Bulk Email
 2.7 MISSING_DATE           Missing Date: header
-0.0 NO_RELAYS              Informational: message was not relayed via SMTP
 0.9 LONG_RULE              A description that goes on
                            over two lines
"""

needs_spamd = pytest.mark.skipif(
    find_spamd() is None, reason="needs Debian's spamd (apt-get install spamassassin spamd; .ci/run installs it)"
)


def test_the_rule_table_is_read_with_continuation_lines() -> None:
    rules = parse_spam_report(REPORT)
    assert [(r.name, r.points) for r in rules] == [
        ("GTUBE", 1000.0),
        ("MISSING_DATE", 2.7),
        ("NO_RELAYS", -0.0),
        ("LONG_RULE", 0.9),
    ]
    assert rules[3].description == "A description that goes on over two lines"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["----", " 1.0 X y", "²", "9" * 5000, "\n", " ", "-", "RULE", "1e400"])).map("".join))
def test_a_broken_report_only_raises_parse_error(text: str) -> None:
    with contextlib.suppress(ParseError):
        parse_spam_report(text)


def _score(points: float) -> SpamScore:
    return SpamScore(points, 5.0, points >= 5, parse_spam_report(REPORT))


@pytest.mark.parametrize(
    ("points", "code", "status"),
    [(2.9, "SPAM_SCORE_OK", Status.PASS), (3.0, "SPAM_SCORE_HIGH", Status.WARN), (5.0, "SPAM_SCORE_SPAM", Status.FAIL)],
)
def test_limits_are_inclusive(points: float, code: str, status: Status) -> None:
    finding = evaluate_spam_score(_score(points), ScoreThreshold(3.0, 5.0), target="m.eml")
    assert (finding.code, finding.status) == (code, status)
    assert "+1000 GTUBE: BODY: Generic Test for Unsolicited Bulk Email" in finding.evidence


@pytest.fixture(scope="module")
def spamd() -> Iterator[SpamdServer]:
    if find_spamd() is None:
        pytest.skip("needs Debian's spamd (apt-get install spamassassin spamd; .ci/run installs it)")
    with SpamdServer() as server:
        yield server


@needs_spamd
def test_gtube_is_spam_and_a_plain_message_is_not(spamd: SpamdServer) -> None:
    spam = asyncio.run(score_message(message(text=GTUBE, html=None), host=spamd.host, port=spamd.port))
    assert spam.is_spam
    assert "GTUBE" in [rule.name for rule in spam.scoring_rules()]
    plain = asyncio.run(score_message(message(), host=spamd.host, port=spamd.port))
    assert not plain.is_spam
    assert plain.score < 3


@needs_spamd
def test_the_same_message_scores_the_same_every_time(spamd: SpamdServer) -> None:
    raw = message(text=None)
    first, second = (asyncio.run(score_message(raw, host=spamd.host, port=spamd.port)) for _ in range(2))
    assert first == second


def _write_samples(pytester: pytest.Pytester) -> tuple[Path, Path]:
    good = pytester.path / "order.eml"
    good.write_bytes(message())
    spam = pytester.path / "gtube.eml"
    spam.write_bytes(message(text=GTUBE, html=None))
    return good, spam


@pytest.fixture(scope="module")
def loopback_dns() -> Iterator[RunningDns]:
    """The link-domain blocklist lookups go to a DNS server on loopback, never to the system's."""
    with start_sandbox_dns() as running:
        yield running


@needs_spamd
def test_preflight_items_for_sample_messages(pytester: pytest.Pytester, loopback_dns: RunningDns) -> None:
    _write_samples(pytester)
    (pytester.path / "welcome.html").write_text("<p>Hi {{ name }}</p><script>x()</script>")
    result = pytester.runpytest_subprocess(
        "--sender-preflight",
        "-k",
        "content",
        "--sender-message",
        "order.eml",
        "--sender-message",
        "gtube.eml",
        "--sender-message",
        "welcome.html",
        "--sender-report",
        "r.json",
        "--sender-nameserver",
        f"{loopback_dns.nameserver.host}:{loopback_dns.nameserver.port}",
        "-p",
        "no:cacheprovider",
    )
    result.stdout.fnmatch_lines(
        [
            "*content.lint[[]welcome.html[]] failed: CONTENT_ACTIVE_CONTENT (fail)*",
            "*CONTENT_PLACEHOLDER_LEFT (fail): welcome.html still shows unrendered placeholders: name*",
            "*content.spam-score[[]gtube.eml[]] failed: SPAM_SCORE_SPAM (fail)*",
            "*+1000 GTUBE: BODY: Generic Test for Unsolicited Bulk Email*",
        ]
    )
    report = json.loads((pytester.path / "r.json").read_text())
    by_node = {(f["check"], f["target"]): f["code"] for f in report["findings"]}
    assert by_node[("content.lint", "order.eml")] == "CONTENT_OK"
    assert by_node[("content.spam-score", "order.eml")] == "SPAM_SCORE_OK"
    assert by_node[("content.spam-score", "gtube.eml")] == "SPAM_SCORE_SPAM"
    assert result.ret == 1


def test_a_spamd_that_does_not_answer_is_an_error_not_a_pass(pytester: pytest.Pytester) -> None:
    _write_samples(pytester)
    result = pytester.runpytest_subprocess(
        "--sender-preflight",
        "-k",
        "spam",
        "--sender-message",
        "order.eml",
        "--sender-spamd",
        f"127.0.0.1:{closed_port()}",
        "-p",
        "no:cacheprovider",
    )
    result.stdout.fnmatch_lines(["*content.spam-score[[]order.eml[]] could not be checked: SPAM_SCORE_UNAVAILABLE*"])
    assert result.ret == 1


def test_no_message_configured_adds_no_content_items(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--sender-preflight", "--collect-only", "-q", "-p", "no:cacheprovider")
    assert "content." not in result.stdout.str()


@pytest.mark.parametrize(
    ("args", "env", "setting"),
    [
        (["--sender-message", "missing.eml"], {}, "messages (from flag --sender-message)"),
        ([], {"SENDER_SPAMD": "nohost"}, "spamd (from env SENDER_SPAMD)"),
        (["--sender-spam-score", "5,3"], {}, "spam_score (from flag --sender-spam-score)"),
        (["--sender-spam-score", "²,5"], {}, "spam_score (from flag --sender-spam-score)"),
    ],
)
def test_bad_content_settings_are_usage_errors(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, args: list[str], env: dict[str, str], setting: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = pytester.runpytest_subprocess("--sender-preflight", *args, "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*invalid setting {setting}*"])


def _delivery(raw: bytes) -> Delivery:
    arrived = ArrivedMessage(folder="INBOX", uid=1, raw=raw, found_at=datetime.now(timezone.utc), found_monotonic=0.0)
    return Delivery(kind="api-send", recipient="qa@example.org", arrived=arrived)


def test_live_content_aspect_reports_the_worst_problem_of_the_arrived_message() -> None:
    html = "<p>Reset your password: <a href='http://192.0.2.7/reset'>https://example.com/reset</a></p>"
    finding = evaluate_content(_delivery(message(html=html)), "live.api-send.content", "qa@example.org")
    assert (finding.check, finding.target, finding.code) == (
        "live.api-send.content",
        "qa@example.org",
        "CONTENT_IP_LINK",
    )
    assert any("CONTENT_INSECURE_LINK (warn)" in line for line in finding.evidence)
    clean = evaluate_content(_delivery(message()), "live.api-send.content", "qa@example.org")
    assert clean.code == "CONTENT_OK"
    unparsable = evaluate_content(_delivery(b"\r\n\r\nno headers"), "live.api-send.content", "qa@example.org")
    assert unparsable.code == "LIVE_MESSAGE_UNPARSABLE"


@needs_spamd
def test_live_spam_score_aspect_fails_an_arrived_gtube(spamd: SpamdServer) -> None:
    from pytest_sender.live.checks import score_arrived
    from pytest_sender.preflight.registry import CheckContext
    from pytest_sender.settings import Settings, SpamdAddress

    context = CheckContext(Settings(spamd=SpamdAddress(spamd.host, spamd.port)))
    finding = asyncio.run(
        score_arrived(context, _delivery(message(text=GTUBE, html=None)), "live.api-send.spam-score", "qa@example.org")
    )
    assert (finding.code, finding.status) == ("SPAM_SCORE_SPAM", Status.FAIL)
    assert finding.summary.startswith("SpamAssassin scores the api-send message at ")


def test_an_outbox_message_has_content_findings(sender_sandbox: ApiSandbox, sender_client: SenderClient) -> None:
    sender_client.send(
        "ada@example.org",
        "Your order",
        sender=Address("shop@example.com", "Shop"),
        html="<p>Click <a href='https://bit.ly/x'>here</a></p>",
    )
    (sent,) = sender_sandbox.outbox.messages()
    codes = {f.code for f in sent.content_findings()}
    assert "CONTENT_URL_SHORTENER" in codes
    with pytest.raises(AssertionError, match="CONTENT_URL_SHORTENER \\(warn\\)"):
        assert_deliverable(sent)
    assert_deliverable(sent, allow={"CONTENT_URL_SHORTENER", "CONTENT_NO_TEXT_PART", "CONTENT_LOW_TEXT_RATIO"})


@needs_spamd
def test_assert_deliverable_with_a_spam_score(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        from pytest_sender.content.assertions import assert_deliverable
        from tests_message import message

        def test_plain(sender_spamd):
            assert_deliverable(message(), max_spam_score=5, spamd=sender_spamd)

        def test_gtube(sender_spamd):
            assert_deliverable(message(text={GTUBE!r}, html=None), max_spam_score=5, spamd=sender_spamd)
        """
    )
    (pytester.path / "tests_message.py").write_text(Path(__file__).with_name("test_content_rules.py").read_text())
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*UndeliverableMessage: the message is not fit to deliver:*", "*+1000 GTUBE: BODY*"])
