"""live.logged: the live template send's emailId in the campaign's sent list, against the sandbox API
over a real socket (the wait, pagination, errors) and through the check's shared delivery."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import datetime, timedelta, timezone

from pytest_sender.findings import Finding, Status
from pytest_sender.live.flow import TEMPLATE_SEND, Delivery, SentMessage
from pytest_sender.live.logged import CHECK, LOGGED_CHECKS, confirm_logged, logged_targets
from pytest_sender.preflight.registry import CheckContext, RunParts
from pytest_sender.sandbox.api_server import ApiSandbox
from pytest_sender.settings import InboxAddress, Secret, Settings

RECIPIENT = "qa+nightly@inbox.test"
TEMPLATE = "sbxWLC"


def live_settings(sandbox: ApiSandbox, token: str | None = None, **changes: object) -> Settings:
    settings = Settings(
        api_url=sandbox.base_url,
        api_token=Secret(token or sandbox.token),
        timeout=1.0,
        inbox=InboxAddress("qa@inbox.test", "127.0.0.1"),
        inbox_password=Secret("pw-1"),
        recipient=RECIPIENT,
        template_id=TEMPLATE,
        live_timeout=1.0,
    )
    return settings.with_overrides("test", **changes) if changes else settings


def confirm(sandbox: ApiSandbox, email_id: str, *, timeout: float = 1.0, token: str | None = None) -> Finding:
    return asyncio.run(
        confirm_logged(
            live_settings(sandbox, token),
            TEMPLATE,
            email_id,
            RECIPIENT,
            target=RECIPIENT,
            timeout=timeout,
            first_pause_s=0.05,
        )
    )


def send_template(sandbox: ApiSandbox) -> str:
    from pytest_sender.api.client import SenderClient

    with SenderClient(sandbox.base_url, sandbox.token, timeout=1.0) as client:
        outcome = client.send_template(TEMPLATE, RECIPIENT, variables={"name": "QA"})
    email_id = getattr(outcome, "email_id", "")
    assert email_id
    return str(email_id)


def test_a_template_send_is_found_in_the_sent_list(sandbox: ApiSandbox) -> None:
    email_id = send_template(sandbox)
    finding = confirm(sandbox, email_id)
    assert (finding.status, finding.code) == (Status.PASS, "LIVE_LOGGED")
    assert f"Sender lists the live send {email_id} in campaign {TEMPLATE}'s sent log" in finding.summary
    (request,) = [r for r in sandbox.requests if r.path.endswith("/sent")]
    assert "email_address=qa%2Bnightly%40inbox.test" in request.query
    assert "direction=desc" in request.query


def test_a_send_listed_late_is_found_by_looking_again(sandbox: ApiSandbox) -> None:
    email_id = "sbxWLC-late0001-abcdefabcdef-12345"
    timer = threading.Timer(0.3, lambda: sandbox.inject_sent(TEMPLATE, RECIPIENT, email_id=email_id))
    timer.start()
    try:
        finding = confirm(sandbox, email_id, timeout=3.0)
    finally:
        timer.cancel()
    assert finding.code == "LIVE_LOGGED"
    assert len([r for r in sandbox.requests if r.path.endswith("/sent")]) >= 2


def test_a_send_never_listed_fails_after_the_timeout(sandbox: ApiSandbox) -> None:
    sandbox.inject_sent(TEMPLATE, RECIPIENT)  # someone else's send to the same recipient
    started = time.monotonic()
    finding = confirm(sandbox, "sbxWLC-missing-000000000000-00000", timeout=0.4)
    assert 0.3 <= time.monotonic() - started < 2.0
    assert (finding.status, finding.code) == (Status.FAIL, "LIVE_NOT_LOGGED")
    assert "did not appear in campaign sbxWLC's sent log within 0.4 s" in finding.summary
    assert "Transactional emails → Logs" in finding.hint
    assert "entries seen for the recipient: 1" in finding.evidence


def test_a_send_behind_newer_ones_is_found_on_a_later_page(sandbox: ApiSandbox) -> None:
    old = datetime.now(timezone.utc) - timedelta(minutes=10)
    email_id = sandbox.inject_sent(TEMPLATE, RECIPIENT, when=old)
    for n in range(120):  # newer sends to the same recipient: ours is on page 3 of 50
        sandbox.inject_sent(TEMPLATE, RECIPIENT, when=old + timedelta(seconds=n + 1))
    finding = confirm(sandbox, email_id)
    assert finding.code == "LIVE_LOGGED"
    pages = [r.query for r in sandbox.requests if r.path.endswith("/sent")]
    assert [q.split("page=")[1].split("&")[0] for q in pages] == ["1", "2", "3"]


def test_a_rejected_token_ends_the_wait_at_once(sandbox: ApiSandbox) -> None:
    started = time.monotonic()
    finding = confirm(sandbox, "sbxWLC-x", timeout=5.0, token="sbx-wrong-token-xyz")
    assert time.monotonic() - started < 2.0
    assert (finding.status, finding.code) == (Status.FAIL, "API_TOKEN_REJECTED")


def test_server_errors_are_looked_past_until_the_deadline(sandbox: ApiSandbox) -> None:
    sandbox.inject(status=503, body={"message": "Service Unavailable"}, times=1000)
    finding = confirm(sandbox, "sbxWLC-x", timeout=0.3)
    assert (finding.status, finding.code) == (Status.ERROR, "API_SERVER_ERROR")
    sandbox.reset()
    email_id = send_template(sandbox)
    sandbox.inject(status=503, body={"message": "Service Unavailable"}, times=1)
    assert confirm(sandbox, email_id).code == "LIVE_LOGGED"


def test_an_unknown_campaign_ends_the_wait_with_its_own_code(sandbox: ApiSandbox) -> None:
    finding = asyncio.run(
        confirm_logged(
            live_settings(sandbox), "nOsuch", "x", RECIPIENT, target=RECIPIENT, timeout=5.0, first_pause_s=0.05
        )
    )
    assert (finding.status, finding.code) == (Status.FAIL, "API_HEALTH_CAMPAIGN_NOT_FOUND")
    assert "Sender knows no transactional campaign nOsuch" in finding.summary


def test_a_sent_list_of_another_shape_is_unreadable(sandbox: ApiSandbox) -> None:
    sandbox.inject(status=200, body={"message": "fine"})
    finding = confirm(sandbox, "sbxWLC-x")
    assert (finding.status, finding.code) == (Status.ERROR, "API_HEALTH_UNREADABLE")
    assert "sent list for campaign sbxWLC could not be read" in finding.summary


# --- the check: targets and the shared template send ---------------------------------------------------


def test_targets_follow_the_template_send(sandbox: ApiSandbox) -> None:
    assert logged_targets(Settings()) == []
    assert logged_targets(Settings(template_id=TEMPLATE)) == ["not-configured"]
    assert logged_targets(live_settings(sandbox)) == [RECIPIENT]


def run_check(sandbox: ApiSandbox, delivery: Delivery) -> Finding:
    async def main() -> Finding:
        context = CheckContext(live_settings(sandbox), RunParts(logged_first_pause_s=0.05))

        async def shared_delivery() -> Delivery:
            return delivery

        # The template send the live family made (primed here: no IMAP needed for this check).
        await context.shared(("live:deliver", TEMPLATE_SEND), shared_delivery)
        (spec,) = LOGGED_CHECKS
        assert spec.name == CHECK
        return await spec.run(context, RECIPIENT)

    return asyncio.run(main())


def sent(email_id: str | None) -> SentMessage:
    return SentMessage(
        kind=TEMPLATE_SEND,
        token="ps-1",
        recipient=RECIPIENT,
        subject=None,
        from_address=None,
        started_monotonic=time.monotonic(),
        email_id=email_id,
    )


def test_the_check_confirms_the_shared_template_send(sandbox: ApiSandbox) -> None:
    email_id = send_template(sandbox)
    finding = run_check(sandbox, Delivery(kind=TEMPLATE_SEND, recipient=RECIPIENT, sent=sent(email_id)))
    assert (finding.check, finding.target, finding.code) == (CHECK, RECIPIENT, "LIVE_LOGGED")


def test_the_check_skips_when_the_template_send_was_not_accepted(sandbox: ApiSandbox) -> None:
    finding = run_check(sandbox, Delivery(kind=TEMPLATE_SEND, recipient=RECIPIENT))
    assert (finding.status, finding.code) == (Status.SKIP, "LIVE_LOGGED_NOT_CHECKED")
    assert "the template send was not accepted" in finding.summary
    finding = run_check(sandbox, Delivery(kind=TEMPLATE_SEND, recipient=RECIPIENT, sent=sent(None)))
    assert "no emailId came back" in finding.summary


def test_the_check_is_part_of_the_live_family_and_skips_unconfigured() -> None:
    from pytest_sender.live.checks import CHECKS

    assert CHECK in {spec.name for spec in CHECKS}

    async def main() -> Finding:
        (spec,) = LOGGED_CHECKS
        return await spec.run(CheckContext(Settings(template_id=TEMPLATE)), "not-configured")

    finding = asyncio.run(main())
    assert (finding.status, finding.code) == (Status.SKIP, "LIVE_NOT_CONFIGURED")
    assert "SENDER_INBOX_URL" in finding.summary
