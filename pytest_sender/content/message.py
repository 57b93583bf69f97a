"""What the content rules read from a message: its headers, text, HTML, links and images. Pure.

A message is given as RFC 5322 bytes (an ``.eml`` file, a sandbox outbox message, an arrived
message) or as an HTML document alone (a template exported from Sender), in which case there are
no headers to judge and the header rules do not apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from html.parser import HTMLParser

from pytest_sender.errors import ParseError
from pytest_sender.inbox.inspect import part_text

__all__ = ["Image", "Link", "MessageContent", "html_links", "parse_content", "parse_html_document", "text_links"]

#: Elements a mail client strips or that mark a message as suspicious.
ACTIVE_ELEMENTS = frozenset({"script", "iframe", "form", "object", "embed"})
_INVISIBLE = frozenset({"script", "style", "head", "title"})
# The stdlib header and MIME parsers raise these on broken structure (truncated headers and the like).
_PARSER_FAULTS = (IndexError, ValueError, TypeError, LookupError, AttributeError, AssertionError)


@dataclass(frozen=True)
class Link:
    href: str
    text: str  # the visible text of the anchor, whitespace folded
    part: str  # "html" or "text"


@dataclass(frozen=True)
class Image:
    src: str
    alt: str | None  # None: no alt attribute at all


@dataclass(frozen=True)
class MessageContent:
    """The parts of one message the content rules look at."""

    name: str
    headers: tuple[tuple[str, str], ...]  # (name, value) in order; empty for an HTML document
    has_headers: bool
    subject: str
    text: str | None
    html: str | None
    html_bytes: int
    links: tuple[Link, ...]
    images: tuple[Image, ...]
    active_elements: tuple[str, ...]  # each script/iframe/form/object/embed tag, in order
    visible_text: str  # the HTML's text as a reader sees it (or the text part when there is no HTML)

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def header_count(self, name: str) -> int:
        return sum(1 for key, _ in self.headers if key.lower() == name.lower())


class _HtmlScan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[Link] = []
        self.images: list[Image] = []
        self.active: list[str] = []
        self.text: list[str] = []
        self._hidden = 0
        self._anchor: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in ACTIVE_ELEMENTS:
            self.active.append(tag)
        if tag in _INVISIBLE:
            self._hidden += 1
        elif tag == "a" and attributes.get("href"):
            self._anchor = (str(attributes["href"]).strip(), [])
        elif tag == "img":
            self.images.append(Image(src=str(attributes.get("src") or ""), alt=attributes.get("alt")))

    def handle_endtag(self, tag: str) -> None:
        if tag in _INVISIBLE and self._hidden:
            self._hidden -= 1
        elif tag == "a" and self._anchor is not None:
            href, parts = self._anchor
            self.links.append(Link(href=href, text=" ".join("".join(parts).split()), part="html"))
            self._anchor = None

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        self.text.append(data)
        if self._anchor is not None:
            self._anchor[1].append(data)


def _scan_html(html: str) -> _HtmlScan:
    scan = _HtmlScan()
    try:
        scan.feed(html)
        scan.close()
    except _PARSER_FAULTS as exc:  # html.parser is lenient; this guards its rare assertion paths
        raise ParseError(f"the HTML part cannot be read: {type(exc).__name__}") from exc
    return scan


_TEXT_URL_CHARS = "()<>\"' \t\r\n"


def html_links(html: str) -> list[Link]:
    """Each ``<a href>`` of ``html`` with its visible text; :class:`ParseError` if it cannot be read."""
    return _scan_html(html).links


def text_links(text: str) -> list[Link]:
    """Each http(s) URL in plain text, as a link whose text is the URL."""
    return _text_links(text)


def _text_links(text: str) -> list[Link]:
    links = []
    for raw_word in text.split():
        word = raw_word.strip(_TEXT_URL_CHARS + ".,;:!?[]")
        if word.lower().startswith(("http://", "https://")):
            links.append(Link(href=word, text=word, part="text"))
    return links


def _build(
    name: str, headers: tuple[tuple[str, str], ...], subject: str, text: str | None, html: str | None
) -> MessageContent:
    scan = _scan_html(html) if html is not None else None
    links = [*(scan.links if scan else []), *(_text_links(text) if text else [])]
    visible = " ".join("".join(scan.text).split()) if scan else " ".join((text or "").split())
    return MessageContent(
        name=name,
        headers=headers,
        has_headers=bool(headers),
        subject=subject,
        text=text,
        html=html,
        html_bytes=len(html.encode("utf-8", "replace")) if html is not None else 0,
        links=tuple(links),
        images=tuple(scan.images if scan else ()),
        active_elements=tuple(scan.active if scan else ()),
        visible_text=visible,
    )


def parse_html_document(html: str, *, name: str = "message") -> MessageContent:
    """An HTML document alone (no headers, no text part), as exported from a template editor."""
    return _build(name, (), "", None, html)


def parse_content(raw: bytes, *, name: str = "message") -> MessageContent:
    """An RFC 5322 message; :class:`ParseError` when it has no header section or cannot be read."""
    if not raw.strip():
        raise ParseError("the message is empty")
    try:
        parsed: Message = BytesParser(policy=policy.default).parsebytes(raw)
        if not isinstance(parsed, EmailMessage) or not parsed.keys():
            raise ParseError("the message has no header section")
        headers = tuple((key, " ".join(str(value).split())) for key, value in parsed.items())
        subject = str(parsed.get("Subject", ""))
        text = part_text(parsed, "plain")
        html = part_text(parsed, "html")
    except _PARSER_FAULTS as exc:  # the stdlib header parser fails this way on truncated headers
        raise ParseError(f"the message's headers cannot be read: {type(exc).__name__}") from exc
    return _build(name, headers, subject, text, html)
