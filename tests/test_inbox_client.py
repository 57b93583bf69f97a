"""The inbox client against a real Dovecot on loopback (IMAPS, INBOX + Junk through SPECIAL-USE)."""

from __future__ import annotations

import secrets
import ssl
import threading
import time
from collections.abc import Iterator

import pytest

from pytest_sender.errors import ConnectFailed, ConnectionRefused, InboxLoginRefused
from pytest_sender.inbox.client import InboxTarget, probe_inbox, wait_for_message
from pytest_sender.settings import InboxAddress, Secret
from tests.helpers.dovecot import (
    RunningDovecot,
    append_message,
    dovecot_server,
    folder_uids,
    free_tcp_port,
    make_test_message,
    start_dovecot,
)


@pytest.fixture(scope="module")
def dovecot() -> Iterator[RunningDovecot]:
    yield from dovecot_server()


def _target(server: RunningDovecot, **changes: object) -> InboxTarget:
    fields: dict[str, object] = {
        "address": server.address,
        "password": server.secret,
        "ssl_context": server.client_context(),
        "timeout": 2.0,
    }
    fields.update(changes)
    return InboxTarget(**fields)  # type: ignore[arg-type]


def _token() -> str:
    return "run-" + secrets.token_hex(6)


def _append_later(server: RunningDovecot, folder: str, raw: bytes, delay: float) -> threading.Thread:
    def deliver() -> None:
        time.sleep(delay)
        append_message(server, folder, raw)

    thread = threading.Thread(target=deliver, daemon=True)
    thread.start()
    return thread


def test_probe_finds_inbox_and_the_junk_folder_through_special_use(dovecot: RunningDovecot) -> None:
    info = probe_inbox(_target(dovecot))
    assert info.folders == ("INBOX", "Junk")
    assert info.junk_folder == "Junk"
    assert info.idle is True


def test_a_message_already_in_the_inbox_is_found_fetched_whole_and_deleted(dovecot: RunningDovecot) -> None:
    token = _token()
    raw = make_test_message(token)
    append_message(dovecot, "INBOX", raw)
    arrived = wait_for_message(_target(dovecot), token, timeout=2.0, folders=("INBOX", "Junk"))
    assert arrived is not None
    assert arrived.folder == "INBOX"
    assert raw.replace(b"\r\n", b"\n") in arrived.raw.replace(b"\r\n", b"\n")
    assert arrived.deleted
    assert arrived.uid not in folder_uids(dovecot, "INBOX")


def test_a_message_landing_in_junk_during_the_wait_is_seen_through_idle(dovecot: RunningDovecot) -> None:
    token = _token()
    delivery = _append_later(dovecot, "Junk", make_test_message(token), delay=0.4)
    started = time.monotonic()
    arrived = wait_for_message(_target(dovecot), token, timeout=5.0, folders=("INBOX", "Junk"))
    delivery.join()
    assert arrived is not None
    assert arrived.folder == "Junk"
    assert arrived.via_idle
    assert time.monotonic() - started < 2.0
    assert folder_uids(dovecot, "Junk") == []


def test_polling_with_backoff_finds_the_message_when_idle_is_not_used(dovecot: RunningDovecot) -> None:
    token = _token()
    delivery = _append_later(dovecot, "INBOX", make_test_message(token), delay=0.3)
    arrived = wait_for_message(_target(dovecot), token, timeout=5.0, use_idle=False, poll_first_s=0.1, poll_max_s=0.4)
    delivery.join()
    assert arrived is not None
    assert arrived.folder == "INBOX"
    assert not arrived.via_idle


def test_keep_leaves_the_message_in_place(dovecot: RunningDovecot) -> None:
    token = _token()
    append_message(dovecot, "INBOX", make_test_message(token))
    arrived = wait_for_message(_target(dovecot), token, timeout=2.0, delete=False)
    assert arrived is not None
    assert not arrived.deleted
    assert arrived.uid in folder_uids(dovecot, "INBOX")


def test_the_token_in_the_subject_alone_is_enough(dovecot: RunningDovecot) -> None:
    token = _token()
    raw = (f"From: a@sandbox.example\r\nTo: qa@inbox.test\r\nSubject: smoke {token}\r\n\r\nbody\r\n").encode()
    append_message(dovecot, "INBOX", raw)
    arrived = wait_for_message(_target(dovecot), token, timeout=2.0)
    assert arrived is not None


def test_another_runs_message_is_not_taken_and_the_wait_times_out(dovecot: RunningDovecot) -> None:
    other = _token()
    append_message(dovecot, "INBOX", make_test_message(other))
    started = time.monotonic()
    arrived = wait_for_message(_target(dovecot), _token(), timeout=0.6, folders=("INBOX", "Junk"))
    elapsed = time.monotonic() - started
    assert arrived is None
    assert 0.5 <= elapsed < 3.0
    # The other run's message is untouched.
    assert len(folder_uids(dovecot, "INBOX")) >= 1


def test_a_wrong_password_is_a_refused_login_that_does_not_show_the_password(dovecot: RunningDovecot) -> None:
    wrong = "wrong-" + secrets.token_hex(8)
    with pytest.raises(InboxLoginRefused) as excinfo:
        probe_inbox(_target(dovecot, password=Secret(wrong)))
    assert dovecot.user in str(excinfo.value)
    assert wrong not in str(excinfo.value)
    # Dovecot delays a repeated failed login from one address (anvil's auth penalty): allow for it.
    with pytest.raises(InboxLoginRefused):
        wait_for_message(_target(dovecot, password=Secret(wrong), timeout=8.0), _token(), timeout=1.0)


def test_nothing_listening_is_a_refused_connection() -> None:
    target = InboxTarget(InboxAddress("qa@inbox.test", "127.0.0.1", free_tcp_port()), Secret("x"), timeout=1.0)
    with pytest.raises(ConnectionRefused, match="refused the connection"):
        probe_inbox(target)


def test_a_certificate_from_an_unknown_ca_fails_tls_verification(dovecot: RunningDovecot) -> None:
    with pytest.raises(ConnectFailed, match="TLS"):
        probe_inbox(_target(dovecot, ssl_context=ssl.create_default_context()))


def test_the_target_never_shows_its_password(dovecot: RunningDovecot) -> None:
    target = _target(dovecot)
    assert dovecot.password not in repr(target)
    assert dovecot.password not in str(target)


def test_a_server_without_idle_is_polled_with_backoff(dovecot: RunningDovecot) -> None:
    with start_dovecot(capabilities="IMAP4rev1 SASL-IR ID ENABLE SPECIAL-USE UIDPLUS LITERAL+") as no_idle:
        target = _target(no_idle)
        info = probe_inbox(target)
        assert info.idle is False
        assert info.junk_folder == "Junk"
        token = _token()
        delivery = _append_later(no_idle, "Junk", make_test_message(token), delay=0.3)
        arrived = wait_for_message(target, token, timeout=5.0, folders=info.folders, poll_first_s=0.1)
        delivery.join()
        assert arrived is not None
        assert arrived.folder == "Junk"
        assert not arrived.via_idle
