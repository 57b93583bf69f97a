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

import contextlib
import mimetypes
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from typing import Any

from pytest_sender.content.message import Link, html_links, text_links
from pytest_sender.errors import ParseError, SandboxError

__all__ = ["Attachment", "Link", "Outbox", "OutboxAssertionError", "OutboxMessage"]

_UNSET: Any = object()


class OutboxAssertionError(SandboxError, AssertionError):
    """An outbox assertion failed; the message lists what was sent, closest candidates first."""


@dataclass(frozen=True)
class Attachment:
    """One attachment: ``size`` in bytes (``None`` for a URL attachment Sender downloads: see ``url``)."""

    name: str
    content_type: str
    size: int | None
    url: str | None = None
    content: bytes | None = None


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

    @property
    def sender(self) -> str:
        """The From address."""
        return parseaddr(str(self.message.get("From", "")))[1]

    @property
    def text(self) -> str | None:
        """The plain-text part, or ``None``."""
        return self.body("plain")

    @property
    def html(self) -> str | None:
        """The HTML part, or ``None``."""
        return self.body("html")

    @property
    def headers(self) -> dict[str, str]:
        """The message's headers (the last value of a repeated one)."""
        return {k: str(v) for k, v in self.message.items()}

    @property
    def template(self) -> str | None:
        """The campaign id of a template send."""
        return self.template_id

    @property
    def variables(self) -> dict[str, Any]:
        """The ``variables`` of the API request (empty for SMTP)."""
        value = (self.request or {}).get("variables")
        return dict(value) if isinstance(value, Mapping) else {}

    @property
    def attachments(self) -> list[Attachment]:
        """The MIME attachments, then the API's URL attachments (name to URL)."""
        found: list[Attachment] = []
        for part in self.message.iter_attachments():
            payload = part.get_payload(decode=True)
            content = payload if isinstance(payload, bytes) else b""
            found.append(Attachment(part.get_filename() or "", part.get_content_type(), len(content), content=content))
        by_url = self.details.get("attachments") or {}
        for name, url in dict(by_url).items():
            guessed = mimetypes.guess_type(str(name))[0] or "application/octet-stream"
            found.append(Attachment(name=str(name), content_type=guessed, size=None, url=str(url)))
        return found

    @property
    def links(self) -> list[Link]:
        """Links in the HTML part (href and visible text), then URLs in the text part."""
        found: list[Link] = []
        if self.html:
            with contextlib.suppress(ParseError):  # HTML the scanner cannot read offers no links
                found.extend(html_links(self.html))
        if self.text:
            found.extend(text_links(self.text))
        return found

    def search(self, pattern: str | re.Pattern[str]) -> str | None:
        """The first match of ``pattern`` in the subject, text and HTML (group 1 if it has one), or None.

        For one-time codes and reset links: ``message.search(r"code: (\\d{6})")``.
        """
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        for part in (self.subject, self.text or "", self.html or ""):
            found = regex.search(part)
            if found:
                return found.group(1) if regex.groups else found.group(0)
        return None

    @property
    def placeholders(self) -> list[str]:
        """Names of ``{{ ... }}`` placeholders left unrendered in the subject or bodies, in order, once each."""
        from pytest_sender.sandbox.api_templates import unrendered_placeholders

        names: list[str] = []
        for part in (self.subject, self.text or "", self.html or ""):
            for name in unrendered_placeholders(part):
                if name not in names:
                    names.append(name)
        return names

    def summary(self) -> str:
        """One line for failure messages: recipient, subject, via, template."""
        template = f", template={self.template_id}" if self.template_id else ""
        return f"to={', '.join(self.to)} subject={self.subject!r} via={self.via}{template}"

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

    def to(self, address: str) -> list[OutboxMessage]:
        """The messages sent to ``address`` (case-insensitive), oldest first."""
        wanted = address.lower()
        return [m for m in self.messages() if wanted in (a.lower() for a in m.to)]

    def wait_for(
        self,
        predicate: Callable[[OutboxMessage], bool] = lambda _: True,
        *,
        timeout: float = 5.0,
        **criteria: Any,
    ) -> OutboxMessage:
        """The first message matching ``predicate`` and ``criteria`` (as :meth:`assert_sent`), waiting up
        to ``timeout`` s; an :class:`OutboxAssertionError` listing what was sent if none arrives."""
        check = _criteria(criteria)
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for record in self._messages:
                    if predicate(record) and not check(record):
                        return record
                left = deadline - time.monotonic()
                if left <= 0:
                    raise OutboxAssertionError(
                        f"no matching message arrived in the outbox within {timeout:g} s "
                        f"({len(self._messages)} other message(s) in it)" + _listing(list(self._messages), check)
                    )
                self._changed.wait(left)

    def assert_sent(self, *, count: int | None = None, **criteria: Any) -> Any:
        """The messages matching every given criterion; fails unless ``count`` matched (or any, if omitted).

        Criteria: ``to`` (one of the recipients), ``subject`` (exact, or a compiled pattern searched),
        ``template`` (campaign id), ``variables`` (these items among the request's), ``via`` ("api" or
        "smtp"), ``rendered=True`` (no ``{{ ... }}`` left). Returns the one message when ``count`` is 1,
        or omitted and exactly one matched; else the list.
        """
        check = _criteria(criteria)
        sent = self.messages()
        matching = [m for m in sent if not check(m)]
        if (count is None and not matching) or (count is not None and len(matching) != count):
            wanted = ", ".join(f"{k}={v!r}" for k, v in criteria.items()) or "any message"
            expected = f"{count} message(s)" if count is not None else "a message"
            raise OutboxAssertionError(
                f"expected {expected} with {wanted}; {len(matching)} matched" + _listing(sent, check)
            )
        if count == 1 or (count is None and len(matching) == 1):
            return matching[0]
        return matching

    def assert_nothing_sent(self) -> None:
        """Fail, listing the messages, unless the outbox is empty."""
        sent = self.messages()
        if sent:
            raise OutboxAssertionError(f"expected nothing sent; {len(sent)} sent" + _listing(sent, lambda _: []))

    def __repr__(self) -> str:
        return f"<Outbox with {len(self)} message(s)>"


def _criteria(criteria: Mapping[str, Any]) -> Callable[[OutboxMessage], list[str]]:
    """A function giving, for one message, the criteria it misses (as short reasons; empty: a match)."""
    known = {"to", "subject", "template", "variables", "via", "rendered"}
    unknown = sorted(set(criteria) - known)
    if unknown:
        raise TypeError(f"unknown outbox criteria {', '.join(unknown)}; use {', '.join(sorted(known))}")

    def misses(message: OutboxMessage) -> list[str]:
        reasons: list[str] = []
        if "to" in criteria and str(criteria["to"]).lower() not in (a.lower() for a in message.to):
            reasons.append("to")
        if "subject" in criteria:
            wanted = criteria["subject"]
            if isinstance(wanted, re.Pattern):
                if wanted.search(message.subject) is None:
                    reasons.append("subject")
            elif message.subject != wanted:
                reasons.append("subject")
        if "template" in criteria and message.template_id != criteria["template"]:
            reasons.append("template")
        if "via" in criteria and message.via != criteria["via"]:
            reasons.append("via")
        if "variables" in criteria:
            have = message.variables
            if any(have.get(k, _UNSET) != v for k, v in dict(criteria["variables"]).items()):
                reasons.append("variables")
        if criteria.get("rendered") and message.placeholders:
            reasons.append("rendered (unrendered: " + ", ".join(message.placeholders) + ")")
        return reasons

    return misses


def _listing(sent: list[OutboxMessage], misses: Callable[[OutboxMessage], list[str]]) -> str:
    if not sent:
        return "\nNothing was sent."
    ranked = sorted(sent, key=lambda m: len(misses(m)))  # stable: closest first, then oldest first
    lines = []
    for message in ranked:
        missed = misses(message)
        note = f"  (differs in: {', '.join(missed)})" if missed else ""
        lines.append(f"  - {message.summary()}{note}")
    return "\nSent, closest first:\n" + "\n".join(lines)
