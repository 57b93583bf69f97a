"""The live smoke's safety rules and its sandbox building blocks, without a mail server."""

from __future__ import annotations

import sys
import threading
from email.message import EmailMessage

import pytest

from pytest_sender.errors import ConfigError, MissingExtraError, SandboxError
from pytest_sender.inbox.inspect import parse_message, recipient_matches_inbox
from pytest_sender.live import require_live_extra
from pytest_sender.live.flow import (
    SendBudget,
    build_smtp_message,
    live_recipient,
    live_variables,
)
from pytest_sender.sandbox.imap_delivery import DeliveryPlan
from pytest_sender.sandbox.outbox import Outbox, OutboxMessage
from pytest_sender.settings import InboxAddress, Settings, resolve_settings


@pytest.mark.parametrize(
    ("recipient", "inbox_user", "matches"),
    [
        ("qa@inbox.test", "qa@inbox.test", True),
        ("QA@Inbox.Test", "qa@inbox.test", True),
        ("qa+nightly@inbox.test", "qa@inbox.test", True),
        ("qa+a+b@inbox.test", "qa@inbox.test", True),
        ("qa@other.test", "qa@inbox.test", False),
        ("qab@inbox.test", "qa@inbox.test", False),
        ("someone@inbox.test", "qa@inbox.test", False),
        ("qa@inbox.test", "qa", False),  # a login name is no address: nothing can be matched
        ("not-an-address", "qa@inbox.test", False),
    ],
)
def test_the_recipient_must_be_the_inbox_or_a_plus_address_of_it(
    recipient: str, inbox_user: str, matches: bool
) -> None:
    assert recipient_matches_inbox(recipient, inbox_user) is matches


def test_the_recipient_defaults_to_the_inbox_user_when_that_is_an_address() -> None:
    inbox = Settings(inbox=InboxAddress("qa@inbox.test", "imap.inbox.test"))
    assert live_recipient(inbox) == "qa@inbox.test"
    assert live_recipient(Settings(inbox=InboxAddress("qa", "imap.inbox.test"))) is None
    assert live_recipient(Settings(recipient="qa+x@inbox.test")) == "qa+x@inbox.test"


def test_the_send_budget_caps_sends_across_threads() -> None:
    budget = SendBudget(cap=3)
    results: list[bool] = []
    threads = [threading.Thread(target=lambda: results.append(budget.take())) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 3
    assert budget.used == 3


def test_the_smtp_message_carries_the_token_in_subject_and_header() -> None:
    message = build_smtp_message("ps-123", sender="hello@sandbox.example", recipient="qa@inbox.test")
    assert message["X-Pytest-Sender-Run"] == "ps-123"
    assert message["Subject"].endswith("ps-123")
    parsed = parse_message(message.as_bytes())
    assert parsed.text is not None
    assert "{{" not in parsed.text


def _record(outbox: Outbox) -> OutboxMessage:
    message = EmailMessage()
    message["From"] = "Shop <orders@shop.example>"
    message["To"] = "qa@inbox.test"
    message["Subject"] = "Hello"
    message.set_content("Hi\n")
    return outbox.add(message, via="api", envelope_to=("qa@inbox.test",))


def test_outbox_subscribers_see_each_new_message_until_they_unsubscribe() -> None:
    outbox = Outbox()
    _record(outbox)  # before subscribing: not seen
    seen: list[str] = []
    unsubscribe = outbox.subscribe(lambda record: seen.append(record.subject))
    _record(outbox)
    unsubscribe()
    unsubscribe()  # twice is harmless
    _record(outbox)
    assert seen == ["Hello"]
    assert len(outbox) == 3


def test_an_unknown_delivery_folder_is_refused_clearly() -> None:
    with pytest.raises(SandboxError, match="'auto', 'inbox', 'junk' or 'drop', not 'spam'"):
        DeliveryPlan(folder="spam")


def test_a_missing_live_extra_names_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "imapclient", None)
    with pytest.raises(MissingExtraError, match=r'pip install "pytest-sender\[live\] @ git\+https://'):
        require_live_extra()


def test_live_settings_resolve_from_flags_and_environment() -> None:
    settings = resolve_settings(
        cli={"live_timeout": "30", "live_keep": True},
        env={"SENDER_LIVE_VARIABLES": '{"order_id": "A-1", "total": 12.5, "vip": true}'},
    )
    assert settings.live_timeout == 30.0
    assert settings.live_keep is True
    assert live_variables(settings, "ps-1") == {
        "name": "pytest-sender",
        "order_id": "A-1",
        "total": 12.5,
        "vip": True,
        "run_token": "ps-1",
    }
    assert resolve_settings(env={"SENDER_LIVE_KEEP": "no"}).live_keep is False


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("{order_id: 1}", "not JSON"),
        ('["order_id"]', "must be a JSON object"),
        ('{"order id": "x"}', "'order id' is not a variable name"),
        ('{"items": [1, 2]}', "the value of 'items' must be a string, a number or true/false"),
        ('{"coupon": null}', "the value of 'coupon' must be"),
    ],
)
def test_bad_live_variables_stop_the_run_naming_the_setting_and_an_example(raw: str, problem: str) -> None:
    with pytest.raises(ConfigError) as excinfo:
        resolve_settings(env={"SENDER_LIVE_VARIABLES": raw})
    message = str(excinfo.value)
    assert message.startswith("live_variables (from env SENDER_LIVE_VARIABLES): ")
    assert problem in message
    assert message.endswith('Example of a valid value: {"order_id": "A-1001"}')


def test_a_live_timeout_out_of_range_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"live_timeout \(from flag --sender-live-timeout\): '0'"):
        resolve_settings(cli={"live_timeout": "0"})
