"""Turn an accepted API request into the RFC 5322 message Sender would deliver (stdlib ``email``).

Pure: a request body (already validated against the contract) and an optional template in, an
:class:`~email.message.EmailMessage` out. Values that cannot go into a header as they are (line
breaks, odd header names) are cleaned or left out, never a reason to fail an accepted send; what
was left out is returned alongside so tests can see it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from typing import Any

from pytest_sender.sandbox.api_templates import Template, render_placeholders

__all__ = ["RenderedMessage", "build_message", "request_headers"]

#: Headers the sandbox writes itself; a request cannot replace them.
STRUCTURAL_HEADERS = frozenset(
    {
        "from",
        "to",
        "subject",
        "date",
        "message-id",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
        "sender",
        "bcc",
        "cc",
    }
)
_HEADER_NAME = re.compile(r"[!-9;-~]{1,76}")  # printable ASCII without ':' (RFC 5322 ftext)


def _one_line(value: str) -> str:
    return " ".join(value.replace("\x00", "").split())


def request_headers(headers: object) -> list[tuple[str, str]]:
    """The custom headers of a request, from either documented form (object or name/value list)."""
    if isinstance(headers, Mapping):
        return [(str(k), str(v)) for k, v in headers.items()]
    if isinstance(headers, list):
        return [(str(h.get("name", "")), str(h.get("value", ""))) for h in headers if isinstance(h, Mapping)]
    return []


class RenderedMessage:
    """The built message and the custom headers that had to be left out (name, reason)."""

    def __init__(self, message: EmailMessage, skipped_headers: list[tuple[str, str]]) -> None:
        self.message = message
        self.skipped_headers = skipped_headers


def _set(message: EmailMessage, name: str, value: str) -> None:
    try:
        message[name] = value
    except (ValueError, TypeError, IndexError):
        # The header parser refused the value; keep it verbatim, made safe for the wire.
        message.set_raw(name, value.encode("ascii", "backslashreplace").decode("ascii"))


def _address(address: Mapping[str, Any] | None) -> str:
    if not address:
        return ""
    email = _one_line(str(address.get("email", "")))
    name = _one_line(str(address.get("name", "") or ""))
    try:
        return formataddr((name, email)) if name else email
    except (UnicodeError, ValueError):
        return email


def _set_body(message: EmailMessage, text: str | None, html: str | None) -> None:
    def safe(value: str) -> str:
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")

    if text is not None and html is not None:
        message.set_content(safe(text))
        message.add_alternative(safe(html), subtype="html")
    elif html is not None:
        message.set_content(safe(html), subtype="html")
    else:
        message.set_content(safe(text or ""))


def build_message(body: Mapping[str, Any], *, email_id: str, template: Template | None = None) -> RenderedMessage:
    """The message for a validated send request (``template`` for ``/message/{id}/send``)."""
    variables = {str(k): v for k, v in (body.get("variables") or {}).items()}
    if template is not None:
        sender: Mapping[str, Any] = {"email": template.from_email, "name": template.from_name}
        subject = template.subject
        html = body.get("html", template.html)
        text = body.get("text", template.text)
    else:
        sender = body.get("from") or {}
        subject = str(body.get("subject", ""))
        html = body.get("html")
        text = body.get("text")
    recipient = body.get("to") or {"email": body.get("recipient_email", "")}

    message = EmailMessage()
    _set(message, "From", _address(sender))
    _set(message, "To", _address(recipient))
    _set(message, "Subject", _one_line(render_placeholders(subject, variables)))
    _set(message, "Date", formatdate(localtime=False, usegmt=True))
    domain = str(sender.get("email", "")).rpartition("@")[2] or "sandbox.invalid"
    _set(message, "Message-ID", make_msgid(idstring=email_id, domain=_one_line(domain) or "sandbox.invalid"))
    if body.get("reply_to"):
        _set(message, "Reply-To", _address(body["reply_to"]))
    _set(message, "X-Sender-Email-Id", email_id)

    skipped: list[tuple[str, str]] = []
    for name, value in request_headers(body.get("headers")):
        if not _HEADER_NAME.fullmatch(name):
            skipped.append((name, "not a valid header name"))
        elif name.lower() in STRUCTURAL_HEADERS:
            skipped.append((name, "set by Sender itself"))
        else:
            _set(message, name, _one_line(render_placeholders(value, variables)))

    _set_body(
        message,
        None if text is None else render_placeholders(str(text), variables),
        None if html is None else render_placeholders(str(html), variables),
    )
    return RenderedMessage(message, skipped)
