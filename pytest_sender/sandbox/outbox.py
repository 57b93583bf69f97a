"""The outbox: every message the sandbox accepted, from its API or its SMTP relay.

One :class:`Outbox` is shared by the sandbox's components (the :class:`EmbeddedSandbox` hands the
same instance to each component that has an ``outbox`` attribute), so a test sees everything the
app sent, whichever way it was sent. It is thread-safe: servers add from their own threads while
the test reads and waits.

Usage from a component::

    outbox.add(message, via="smtp", envelope_from="app@example.com", envelope_to=("a@example.org",))

and from a test::

    record = outbox.wait_for(lambda m: m.to == ("a@example.org",), timeout=1.0)
    assert record.message["Subject"] == "Welcome"
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any

from pytest_sender.errors import SandboxError

__all__ = ["Outbox", "OutboxMessage"]


@dataclass(frozen=True)
class OutboxMessage:
    """One accepted message.

    ``message`` is the rendered RFC 5322 message; ``request`` is the API request body as received
    (``None`` for SMTP); ``envelope_to`` is the SMTP envelope (for API sends: the ``to`` address).
    """

    via: str  # "api" or "smtp"
    message: EmailMessage
    received_at: datetime
    envelope_from: str | None = None
    envelope_to: tuple[str, ...] = ()
    request: Mapping[str, Any] | None = None
    email_id: str | None = None
    template_id: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)  # component-specific, e.g. the SMTP user

    @property
    def subject(self) -> str:
        return str(self.message.get("Subject", ""))

    @property
    def to(self) -> tuple[str, ...]:
        """The recipients' addresses: the envelope if known, else the To header."""
        if self.envelope_to:
            return self.envelope_to
        return tuple(addr for _, addr in getaddresses(self.message.get_all("To", [])))

    @property
    def raw(self) -> bytes:
        """The message as bytes on the wire."""
        return self.message.as_bytes()

    def content_findings(self) -> list[Any]:
        """The content rules' findings for this message (see ``pytest_sender.content``)."""
        from pytest_sender.content.assertions import message_content_findings

        return message_content_findings(self.raw, name=f"outbox message to {', '.join(self.to) or '?'}")

    def body(self, subtype: str = "plain") -> str | None:
        """The text of the ``text/<subtype>`` part, or ``None``."""
        part = self.message.get_body(preferencelist=(subtype,))
        if part is None:
            return None
        content = part.get_content()
        return str(content)


class Outbox:
    """A thread-safe, ordered record of accepted messages."""

    def __init__(self) -> None:
        self._messages: list[OutboxMessage] = []
        self._changed = threading.Condition()
        self._subscribers: list[Callable[[OutboxMessage], None]] = []

    def add(
        self,
        message: EmailMessage,
        *,
        via: str,
        envelope_from: str | None = None,
        envelope_to: Sequence[str] = (),
        request: Mapping[str, Any] | None = None,
        email_id: str | None = None,
        template_id: str | None = None,
        details: Mapping[str, Any] | None = None,
        received_at: datetime | None = None,
    ) -> OutboxMessage:
        """Record one accepted message and wake up waiters; returns the stored record."""
        record = OutboxMessage(
            via=via,
            message=message,
            received_at=received_at or datetime.now(timezone.utc),
            envelope_from=envelope_from,
            envelope_to=tuple(envelope_to),
            request=request,
            email_id=email_id,
            template_id=template_id,
            details=dict(details or {}),
        )
        with self._changed:
            self._messages.append(record)
            self._changed.notify_all()
            subscribers = list(self._subscribers)
        for callback in subscribers:  # outside the lock: a callback may read the outbox
            callback(record)
        return record

    def subscribe(self, callback: Callable[[OutboxMessage], None]) -> Callable[[], None]:
        """Call ``callback(record)`` for each message added from now on, in the adding thread (keep it
        quick: the sender waits for it). Returns the function that unsubscribes."""
        with self._changed:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._changed:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def messages(self, via: str | None = None) -> list[OutboxMessage]:
        """A snapshot of the accepted messages, oldest first (only those sent ``via`` if given)."""
        with self._changed:
            return [m for m in self._messages if via is None or m.via == via]

    def clear(self) -> None:
        with self._changed:
            self._messages.clear()

    def __len__(self) -> int:
        with self._changed:
            return len(self._messages)

    def __iter__(self) -> Iterator[OutboxMessage]:
        return iter(self.messages())

    def wait_for(
        self, predicate: Callable[[OutboxMessage], bool] = lambda _: True, *, timeout: float = 5.0
    ) -> OutboxMessage:
        """The first message matching ``predicate``, waiting up to ``timeout`` s for it to arrive."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for record in self._messages:
                    if predicate(record):
                        return record
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SandboxError(
                        f"no matching message arrived in the outbox within {timeout:g} s "
                        f"({len(self._messages)} other message(s) in it)"
                    )
                self._changed.wait(left)

    def __repr__(self) -> str:
        return f"<Outbox with {len(self)} message(s)>"
