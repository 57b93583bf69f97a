"""Dovecot (IMAP over TLS) on a free loopback port, for the inbox and live-smoke tests.

The server itself is the sandbox's (:mod:`pytest_sender.sandbox.dovecot`: IMAPS only, a certificate
from the sandbox CA, one ``passwd-file`` user, INBOX plus a ``Junk`` folder advertised through
SPECIAL-USE); this module adds what only tests need: the skipping fixture body and direct APPENDs
and listings.

CI installs the Debian package ``dovecot-imapd``; where ``dovecot`` is absent, :data:`SKIP_REASON`
says why the tests skip.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pytest_sender.sandbox.dovecot import (
    DOVEADM,
    DOVECOT,
    INBOX_USER,
    SKIP_REASON,
    RunningDovecot,
    dovecot_skip_reason,
    free_tcp_port,
    start_dovecot,
)

__all__ = [
    "DOVEADM",
    "DOVECOT",
    "INBOX_USER",
    "SKIP_REASON",
    "RunningDovecot",
    "append_message",
    "dovecot_server",
    "dovecot_skip_reason",
    "folder_uids",
    "free_tcp_port",
    "make_test_message",
    "start_dovecot",
]


def append_message(server: RunningDovecot, folder: str, raw: bytes) -> None:
    """APPEND ``raw`` into ``folder`` over a connection of its own (as a delivering MTA would)."""
    import imapclient

    client = imapclient.IMAPClient(
        server.host, port=server.port, ssl=True, ssl_context=server.client_context(), timeout=5
    )
    try:
        client.login(server.user, server.password)
        client.append(folder, raw)
    finally:
        client.logout()


def folder_uids(server: RunningDovecot, folder: str) -> list[int]:
    """Every message UID in ``folder`` now."""
    import imapclient

    client = imapclient.IMAPClient(
        server.host, port=server.port, ssl=True, ssl_context=server.client_context(), timeout=5
    )
    try:
        client.login(server.user, server.password)
        client.select_folder(folder, readonly=True)
        return sorted(client.search(["ALL"]))
    finally:
        client.logout()


def make_test_message(
    token: str, *, subject: str | None = None, to: str = INBOX_USER, extra_headers: str = "", body: str = "Hello."
) -> bytes:
    lines = [
        "From: Sender Sandbox <hello@sandbox.example>",
        f"To: {to}",
        f"Subject: {subject if subject is not None else f'pytest-sender live {token}'}",
        f"X-Pytest-Sender-Run: {token}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
    ]
    head = "\r\n".join(lines) + "\r\n" + extra_headers
    return (head + "\r\n" + body + "\r\n").encode()


def dovecot_server() -> Iterator[RunningDovecot]:
    """The body of a ``dovecot`` fixture (INBOX + Junk, one user); skips where Dovecot is absent."""
    reason = dovecot_skip_reason()
    if reason is not None:
        pytest.skip(reason)
    with start_dovecot() as server:
        yield server
