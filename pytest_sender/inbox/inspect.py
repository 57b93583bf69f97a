"""What arrived: pure inspection of a fetched message.

:func:`parse_message` reads the raw bytes into a :class:`DeliveredMessage` (subject, recipients,
text and html bodies, the ``Authentication-Results`` headers); :func:`parse_authentication_results`
reads one such header as RFC 8601 with ``authres`` (the ``live`` extra, imported when called);
:func:`evaluate_authentication` takes the verdicts of the receiving server's header;
:func:`find_placeholders` lists ``{{ ... }}`` left unrendered. Nothing here does I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses

from pytest_sender.errors import MissingExtraError, ParseError

__all__ = [
    "AUTH_METHODS",
    "AuthVerdicts",
    "DeliveredMessage",
    "Placeholder",
    "evaluate_authentication",
    "find_placeholders",
    "message_placeholders",
    "parse_authentication_results",
    "parse_message",
    "part_text",
    "recipient_matches_inbox",
    "same_address",
]

#: The methods whose verdicts the live smoke checks.
AUTH_METHODS = ("spf", "dkim", "dmarc")

# Any {{ ... }} on one line; the name inside is whatever the template engine left there.
_PLACEHOLDER = re.compile(r"\{\{\s*([^{}\n]{0,80}?)\s*\}\}")


@dataclass(frozen=True)
class Placeholder:
    """One unrendered placeholder: where it was (subject, text or html) and its text."""

    part: str
    text: str

    @property
    def name(self) -> str:
        return self.text.strip("{} \t")


@dataclass(frozen=True)
class DeliveredMessage:
    """The parts of an arrived message the live checks look at."""

    subject: str
    to: tuple[str, ...]
    from_address: str | None
    text: str | None
    html: str | None
    authentication_results: tuple[str, ...]  # header values, top-most (the receiver's own) first
    run_token: str | None
    message_id: str | None


@dataclass(frozen=True)
class AuthVerdicts:
    """The receiver's verdict per method (``None``: the header does not mention it)."""

    authserv_id: str | None
    verdicts: tuple[tuple[str, str], ...]  # (method, result), in header order; a method may repeat
    header: str | None  # the header value the verdicts came from

    def result(self, method: str) -> str | None:
        """The verdict for ``method``: ``pass`` if any of its results passed (several DKIM
        signatures are common, one valid one is enough), else the first result."""
        results = [result for name, result in self.verdicts if name == method]
        if not results:
            return None
        return "pass" if "pass" in results else results[0]

    def all_results(self, method: str) -> list[str]:
        return [result for name, result in self.verdicts if name == method]


def part_text(message: EmailMessage, subtype: str) -> str | None:
    """The text of the message's ``text/<subtype>`` body part, or None; an unknown charset or a broken
    transfer encoding is decoded as UTF-8 with replacement rather than raised."""
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_type() != f"text/{subtype}":
        return None
    try:
        return str(part.get_content())
    except (LookupError, ValueError):  # an unknown charset or a broken encoding
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else None


def parse_message(raw: bytes) -> DeliveredMessage:
    """Read a fetched message; :class:`ParseError` (and nothing else) when it cannot be read.

    The stdlib parses headers lazily and its header parser raises IndexError, AttributeError and
    others on truncated values (``To: "``, ``From: <``, ``Message-ID: <[``); a message from a
    remote server is data, so every such failure becomes a ParseError here.
    """
    if not raw.strip():
        raise ParseError("the fetched message is empty")
    try:
        return _read_message(raw)
    except ParseError:
        raise
    except Exception as exc:  # any failure of the stdlib parser on remote data
        raise ParseError(f"the fetched message cannot be parsed ({type(exc).__name__} in its headers)") from exc


def _read_message(raw: bytes) -> DeliveredMessage:
    parsed: Message = BytesParser(policy=policy.default).parsebytes(raw)
    if not isinstance(parsed, EmailMessage) or not parsed.keys():
        raise ParseError("the fetched message has no header section")
    to = tuple(addr for _, addr in getaddresses([str(v) for v in parsed.get_all("To", [])]) if addr)
    token = parsed.get("X-Pytest-Sender-Run")
    senders = [addr for _, addr in getaddresses([str(v) for v in parsed.get_all("From", [])]) if addr]
    return DeliveredMessage(
        subject=str(parsed.get("Subject", "")),
        to=to,
        from_address=senders[0] if senders else None,
        text=part_text(parsed, "plain"),
        html=part_text(parsed, "html"),
        authentication_results=tuple(" ".join(str(v).split()) for v in parsed.get_all("Authentication-Results", [])),
        run_token=str(token).strip() if token is not None else None,
        message_id=str(parsed.get("Message-ID")) if parsed.get("Message-ID") else None,
    )


def parse_authentication_results(value: str) -> AuthVerdicts:
    """One ``Authentication-Results`` header value, read as RFC 8601; :class:`ParseError` if it is not."""
    try:
        import authres
    except ImportError as exc:
        raise MissingExtraError("live smoke", "live") from exc
    try:
        header = authres.AuthenticationResultsHeader.parse_value(value)
        verdicts = tuple((str(r.method).lower(), str(r.result).lower()) for r in header.results)
    except authres.AuthResError as exc:
        raise ParseError(f"the Authentication-Results header is not RFC 8601: {exc}") from exc
    except Exception as exc:  # authres on remote data: any other failure is unparsable too
        raise ParseError(f"the Authentication-Results header cannot be parsed ({type(exc).__name__})") from exc
    return AuthVerdicts(authserv_id=header.authserv_id, verdicts=verdicts, header=value)


def evaluate_authentication(message: DeliveredMessage, *, authserv_id: str | None = None) -> AuthVerdicts:
    """The verdicts of the receiving server: its header is the top-most one (each hop prepends its
    own), or the one with ``authserv_id`` when given. No header: no verdicts."""
    headers = message.authentication_results
    if authserv_id is not None:
        for value in headers:
            verdicts = parse_authentication_results(value)
            if (verdicts.authserv_id or "").lower() == authserv_id.lower():
                return verdicts
        return AuthVerdicts(authserv_id=None, verdicts=(), header=None)
    if not headers:
        return AuthVerdicts(authserv_id=None, verdicts=(), header=None)
    return parse_authentication_results(headers[0])


def find_placeholders(text: str | None, part: str) -> list[Placeholder]:
    """Every ``{{ ... }}`` in ``text``, each once, in order."""
    if not text:
        return []
    seen = dict.fromkeys(m.group(0) for m in _PLACEHOLDER.finditer(text))
    return [Placeholder(part, found) for found in seen]


def message_placeholders(message: DeliveredMessage) -> list[Placeholder]:
    """The unrendered placeholders in the subject, the text body and the html body."""
    return [
        *find_placeholders(message.subject, "subject"),
        *find_placeholders(message.text, "text"),
        *find_placeholders(message.html, "html"),
    ]


def same_address(a: str, b: str) -> bool:
    """Addresses equal as mailboxes: the domain compared case-insensitively, the local part as is
    except for case (which nearly every mailbox provider ignores)."""
    return a.strip().lower() == b.strip().lower()


def recipient_matches_inbox(recipient: str, inbox_user: str) -> bool:
    """True when ``recipient`` is the inbox's address or a plus-address of it (``qa+tag@x`` for ``qa@x``)."""
    local, _, domain = recipient.strip().lower().rpartition("@")
    inbox_local, _, inbox_domain = inbox_user.strip().lower().rpartition("@")
    if not local or not inbox_local or domain != inbox_domain:
        return False
    return local.split("+", 1)[0] == inbox_local
