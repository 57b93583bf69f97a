"""The live-smoke inbox over IMAP (TLS only), on ``imapclient``.

:func:`probe_inbox` logs in once and finds the folders to watch: INBOX and the Junk/Spam folder the
server advertises through SPECIAL-USE (RFC 6154). :func:`wait_for_message` waits for the message
carrying a run token: one watcher per folder, each on its own connection, using IDLE where the
server offers it (a new message is seen as soon as the server announces it) and polling with
backoff otherwise; the first watcher to find the message wins and stops the others. The message is
fetched whole and, unless asked to keep it, deleted at once: every check runs on the fetched bytes.

Everything here blocks (``imapclient`` is synchronous); the live checks call it through
``asyncio.to_thread``. imapclient's errors become ours at this boundary: a refused login is
:class:`~pytest_sender.errors.InboxLoginRefused`, network faults are
:class:`~pytest_sender.errors.TransportError` subclasses. imapclient is imported lazily (the
``live`` extra).
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from pytest_sender.errors import (
    ConnectFailed,
    ConnectionRefused,
    InboxLoginRefused,
    MissingExtraError,
    NetworkTimeout,
    TransportError,
)
from pytest_sender.settings import InboxAddress, Secret

__all__ = [
    "RUN_HEADER",
    "ArrivedMessage",
    "InboxInfo",
    "InboxTarget",
    "connect_inbox",
    "probe_inbox",
    "require_imapclient",
    "run_token_criteria",
    "wait_for_message",
]

#: The header every live-smoke message carries, with the run token as its value.
RUN_HEADER = "X-Pytest-Sender-Run"
INBOX = "INBOX"
#: A watcher in IDLE wakes this often to see whether another watcher already found the message.
IDLE_SLICE_S = 0.25
#: Even in IDLE, search again this often: some servers do not announce every new message.
IDLE_RESEARCH_S = 15.0
POLL_FIRST_S = 0.25
POLL_MAX_S = 5.0


def require_imapclient() -> Any:
    """The ``imapclient`` module, or :class:`MissingExtraError` naming the ``live`` extra."""
    try:
        import imapclient
    except ImportError as exc:
        raise MissingExtraError("live smoke", "live") from exc
    return imapclient


@dataclass(frozen=True)
class InboxTarget:
    """Where the inbox is and how to log in. ``ssl_context`` defaults to the system's CAs."""

    address: InboxAddress
    password: Secret
    ssl_context: ssl.SSLContext | None = None
    timeout: float = 10.0

    def __repr__(self) -> str:  # the password never shows
        return f"InboxTarget({self.address})"


@dataclass(frozen=True)
class InboxInfo:
    """What a login found: the folders to watch and whether the server offers IDLE."""

    folders: tuple[str, ...]
    junk_folder: str | None
    idle: bool


@dataclass(frozen=True)
class ArrivedMessage:
    """The message that carried the run token, as fetched, and when and where it was found."""

    folder: str
    uid: int
    raw: bytes
    found_at: datetime  # wall-clock time the watcher saw it
    found_monotonic: float  # time.monotonic() at that moment, for latency
    internal_date: datetime | None = None  # the server's arrival time (INTERNALDATE)
    deleted: bool = False
    via_idle: bool = False

    def is_junk(self, junk_folder: str | None) -> bool:
        return junk_folder is not None and self.folder == junk_folder


def _convert(
    exc: BaseException, address: InboxAddress, password: Secret | None = None
) -> TransportError | InboxLoginRefused:
    """Our error for a failure of imapclient or the socket under it (the caller raises it ``from exc``).

    A server's text may echo the password (quoted and escaped as IMAP sends it): it is masked."""
    imapclient = require_imapclient()
    where = f"{address.host}:{address.port}"
    if isinstance(exc, imapclient.exceptions.LoginError):
        return InboxLoginRefused(f"{where} refused the login of {address.user!r}: {_text(exc, password)}")
    if isinstance(exc, ConnectionRefusedError):
        return ConnectionRefused(f"{where} refused the connection (nothing listens there?)")
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return NetworkTimeout(f"no answer from {where}")
    if isinstance(exc, ssl.SSLError):
        return ConnectFailed(f"TLS with {where} failed: {exc.reason or exc}")
    return ConnectFailed(f"{where}: {type(exc).__name__}: {_text(exc, password)}")


def _text(exc: BaseException, password: Secret | None = None) -> str:
    from pytest_sender.findings import redact

    text = str(exc)
    text = text.removeprefix("b'").removeprefix('b"').rstrip("'\"") or type(exc).__name__
    return redact(text, [password]) if password is not None else text


@contextmanager
def connect_inbox(target: InboxTarget) -> Iterator[Any]:
    """A logged-in ``IMAPClient``; logs out on exit. Raises our errors, never imapclient's."""
    imapclient = require_imapclient()
    address = target.address
    context = target.ssl_context or ssl.create_default_context()
    try:
        client = imapclient.IMAPClient(
            address.host, port=address.port, ssl=True, ssl_context=context, timeout=target.timeout
        )
    except (OSError, imapclient.exceptions.IMAPClientError) as exc:
        raise _convert(exc, address) from exc
    try:
        try:
            client.login(address.user, target.password.reveal())
        except (OSError, imapclient.exceptions.IMAPClientError) as exc:
            # not chained: imapclient's own message may quote the password
            raise _convert(exc, address, target.password) from None
        yield client
    finally:
        try:
            client.logout()
        except Exception:  # the connection may already be gone: just close the socket
            with suppress(Exception):
                client.shutdown()


def _junk_folder(client: Any) -> str | None:
    imapclient = require_imapclient()
    found = client.find_special_folder(imapclient.imapclient.JUNK)
    return str(found) if found else None


def probe_inbox(target: InboxTarget) -> InboxInfo:
    """Log in once, find INBOX and the Junk/Spam folder, see whether IDLE is offered."""
    imapclient = require_imapclient()
    with connect_inbox(target) as client:
        try:
            junk = _junk_folder(client)
            idle = bool(client.has_capability("IDLE"))
        except (OSError, imapclient.exceptions.IMAPClientError) as exc:
            raise _convert(exc, target.address) from exc
    folders = (INBOX,) if junk is None else (INBOX, junk)
    return InboxInfo(folders=folders, junk_folder=junk, idle=idle)


def run_token_criteria(token: str) -> list[str]:
    """SEARCH criteria for the run token: in the run header, or in the subject (some senders drop
    custom headers, the subject always survives)."""
    return ["OR", "HEADER", RUN_HEADER, token, "SUBJECT", token]


class _Race:
    """Shared by the watchers of one wait: the first result or error, and the stop signal."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self.result: ArrivedMessage | None = None
        self.error: BaseException | None = None

    def found(self, message: ArrivedMessage) -> bool:
        with self._lock:
            if self.result is not None:
                return False
            self.result = message
        self.stop.set()
        return True

    def failed(self, exc: BaseException) -> None:
        with self._lock:
            if self.error is None and self.result is None:
                self.error = exc
        self.stop.set()


def _fetch_and_delete(client: Any, uid: int, folder: str, *, delete: bool, via_idle: bool) -> ArrivedMessage:
    data = client.fetch([uid], ["RFC822", "INTERNALDATE"]).get(uid, {})
    found_monotonic, found_at = time.monotonic(), datetime.now(timezone.utc)
    raw = bytes(data.get(b"RFC822", b""))
    internal = data.get(b"INTERNALDATE")
    if isinstance(internal, datetime) and internal.tzinfo is None:
        internal = internal.replace(tzinfo=timezone.utc)
    deleted = False
    if delete:
        client.delete_messages([uid])
        if client.has_capability("UIDPLUS"):
            client.uid_expunge([uid])  # only ours, never another message flagged \Deleted
        else:
            client.expunge()
        deleted = True
    return ArrivedMessage(
        folder=folder,
        uid=uid,
        raw=raw,
        found_at=found_at,
        found_monotonic=found_monotonic,
        internal_date=internal if isinstance(internal, datetime) else None,
        deleted=deleted,
        via_idle=via_idle,
    )


def _announces_new_mail(responses: Sequence[Any]) -> bool:
    return any(isinstance(r, tuple) and len(r) >= 2 and r[1] in (b"EXISTS", b"RECENT") for r in responses)


def _watch_folder(
    target: InboxTarget,
    folder: str,
    criteria: list[str],
    race: _Race,
    *,
    deadline: float,
    use_idle: bool | None,
    delete: bool,
    poll_first_s: float,
    poll_max_s: float,
) -> None:
    imapclient = require_imapclient()
    try:
        with connect_inbox(target) as client:
            client.select_folder(folder)
            idle = bool(client.has_capability("IDLE")) if use_idle is None else use_idle
            backoff = poll_first_s
            via_idle = False
            while not race.stop.is_set():
                uids = sorted(client.search(criteria))
                if uids:
                    message = _fetch_and_delete(client, uids[0], folder, delete=delete, via_idle=via_idle)
                    race.found(message)
                    return
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                if idle:
                    via_idle = _idle_until_news(client, race, until=min(deadline, time.monotonic() + IDLE_RESEARCH_S))
                else:
                    race.stop.wait(min(backoff, left))
                    backoff = min(backoff * 2, poll_max_s)
                    client.noop()  # lets the server report what arrived since the last command
    except (OSError, imapclient.exceptions.IMAPClientError) as exc:
        race.failed(_convert(exc, target.address))
    except (TransportError, InboxLoginRefused) as exc:
        race.failed(exc)


def _idle_until_news(client: Any, race: _Race, *, until: float) -> bool:
    """Sit in IDLE until the server announces new mail, another watcher wins, or ``until``."""
    client.idle()
    try:
        while not race.stop.is_set():
            left = until - time.monotonic()
            if left <= 0:
                return False
            if _announces_new_mail(client.idle_check(timeout=min(IDLE_SLICE_S, left))):
                return True
        return False
    finally:
        client.idle_done()


def wait_for_message(
    target: InboxTarget,
    token: str,
    *,
    timeout: float,
    folders: Sequence[str] = (INBOX,),
    use_idle: bool | None = None,
    delete: bool = True,
    poll_first_s: float = POLL_FIRST_S,
    poll_max_s: float = POLL_MAX_S,
) -> ArrivedMessage | None:
    """The message carrying ``token``, from whichever of ``folders`` it lands in, or ``None`` when
    none arrived within ``timeout`` seconds.

    ``use_idle``: ``None`` uses IDLE where the server offers it; ``False`` polls (first after
    ``poll_first_s``, doubling up to ``poll_max_s``). Raises :class:`InboxLoginRefused` or a
    :class:`TransportError` when a watcher cannot do its job.
    """
    deadline = time.monotonic() + timeout
    criteria = run_token_criteria(token)
    race = _Race()
    watchers = [
        threading.Thread(
            target=_watch_folder,
            name=f"pytest-sender-inbox-{folder}",
            args=(target, folder, criteria, race),
            kwargs={
                "deadline": deadline,
                "use_idle": use_idle,
                "delete": delete,
                "poll_first_s": poll_first_s,
                "poll_max_s": poll_max_s,
            },
            daemon=True,
        )
        for folder in dict.fromkeys(folders)
    ]
    for watcher in watchers:
        watcher.start()
    # Each watcher stops by its deadline; the margin covers a slow logout.
    for watcher in watchers:
        watcher.join(max(0.0, deadline - time.monotonic()) + target.timeout + 1.0)
    race.stop.set()
    if race.result is not None:
        return race.result
    if race.error is not None:
        raise race.error
    return None
