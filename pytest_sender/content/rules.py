"""Content rules: what in a message makes receivers junk, clip or distrust it. Pure.

Each rule reads a :class:`~pytest_sender.content.message.MessageContent` and reports
:class:`ContentIssue` values, one per problem, each with a catalog code (``CONTENT_*`` in
:mod:`pytest_sender.hints`). :func:`content_findings` turns them into findings;
:func:`summarise` folds them into the one finding of a ``content.lint`` item.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from pytest_sender.content.message import MessageContent
from pytest_sender.dns.dmarc import organisational_domain
from pytest_sender.findings import Finding, Status
from pytest_sender.hints import CATALOG, make_finding
from pytest_sender.inbox.inspect import find_placeholders

__all__ = [
    "GMAIL_CLIP_BYTES",
    "URL_SHORTENERS",
    "ContentIssue",
    "content_findings",
    "evaluate_content",
    "link_domains",
    "summarise",
]

#: Gmail shows "[Message clipped]" and hides the rest of an HTML body past about 102 KB.
GMAIL_CLIP_BYTES = 102 * 1024
#: Below this many characters of visible text per image, filters treat a message as image-heavy.
MIN_TEXT_PER_IMAGE = 100
#: Less visible text than this, with images, is an image-only message.
IMAGE_ONLY_TEXT = 20
#: Public link shorteners: they hide the destination, and spammers use them for exactly that.
URL_SHORTENERS = frozenset(
    {
        "bit.ly",
        "buff.ly",
        "cutt.ly",
        "goo.gl",
        "is.gd",
        "ow.ly",
        "rb.gy",
        "rebrand.ly",
        "s.id",
        "shorturl.at",
        "t.co",
        "t.ly",
        "tiny.cc",
        "tinyurl.com",
    }
)

_MSG_ID = re.compile(r"^<[^<>@\s]+@[^<>@\s]+>$")
_DOMAIN_TEXT = re.compile(r"^(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,63})(?:[/:?#]\S*)?$", re.I)
_LIST_URI = re.compile(r"<([^<>\s]+)>")
_SHOWN_PER_RULE = 3


@dataclass(frozen=True)
class ContentIssue:
    """One problem found by one rule: the catalog code, the template fields and what was seen."""

    code: str
    params: dict[str, object] = field(default_factory=dict)
    evidence: tuple[str, ...] = ()

    @property
    def status(self) -> Status:
        return CATALOG[self.code].status


def _host(href: str) -> str | None:
    try:
        host = urlsplit(href).hostname
    except ValueError:  # an unbalanced IPv6 bracket and the like
        return None
    return host.rstrip(".").lower() if host else None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _web_links(content: MessageContent) -> list[tuple[str, str, str]]:
    """(href, visible text, host) of every http(s) link."""
    found = []
    for link in content.links:
        if link.href.lower().startswith(("http://", "https://")):
            host = _host(link.href)
            if host:
                found.append((link.href, link.text, host))
    return found


def link_domains(content: MessageContent) -> list[str]:
    """The registrable domain of every web link, each once, in order (for blocklist lookups)."""
    domains = [organisational_domain(host) for _, _, host in _web_links(content) if not _is_ip(host)]
    return list(dict.fromkeys(domains))


def _shown(items: Sequence[str]) -> str:
    more = len(items) - _SHOWN_PER_RULE
    return ", ".join(items[:_SHOWN_PER_RULE]) + (f" and {more} more" if more > 0 else "")


def _structure(content: MessageContent) -> list[ContentIssue]:
    issues = []
    if content.has_headers and content.html is not None and not (content.text or "").strip():
        issues.append(ContentIssue("CONTENT_NO_TEXT_PART", {}, ("parts: text/html only",)))
    if content.html_bytes > GMAIL_CLIP_BYTES:
        kib = content.html_bytes / 1024
        issues.append(
            ContentIssue(
                "CONTENT_HTML_CLIPPED",
                {"size_kb": f"{kib:.0f}", "limit_kb": GMAIL_CLIP_BYTES // 1024},
                (f"HTML part: {content.html_bytes} bytes",),
            )
        )
    if content.active_elements:
        tags = list(dict.fromkeys(content.active_elements))
        issues.append(
            ContentIssue(
                "CONTENT_ACTIVE_CONTENT",
                {"tags": ", ".join(f"<{t}>" for t in tags)},
                tuple(f"<{t}> x{content.active_elements.count(t)}" for t in tags),
            )
        )
    return issues


def _images(content: MessageContent) -> list[ContentIssue]:
    issues = []
    missing_alt = [image.src or "(no src)" for image in content.images if image.alt is None]
    if missing_alt:
        issues.append(
            ContentIssue(
                "CONTENT_IMAGE_NO_ALT",
                {"count": len(missing_alt), "images": _shown(missing_alt)},
                tuple(f"<img src={src!r}> has no alt" for src in missing_alt[:_SHOWN_PER_RULE]),
            )
        )
    if content.images:
        chars = len(content.visible_text)
        seen = (f"{len(content.images)} image(s), {chars} characters of visible text",)
        if chars < IMAGE_ONLY_TEXT:
            issues.append(ContentIssue("CONTENT_IMAGE_ONLY", {"images": len(content.images), "chars": chars}, seen))
        elif chars < MIN_TEXT_PER_IMAGE * len(content.images):
            issues.append(
                ContentIssue(
                    "CONTENT_LOW_TEXT_RATIO",
                    {"images": len(content.images), "chars": chars, "per_image": MIN_TEXT_PER_IMAGE},
                    seen,
                )
            )
    return issues


def _links(content: MessageContent) -> list[ContentIssue]:
    issues = []
    links = _web_links(content)
    short = [href for href, _, host in links if host in URL_SHORTENERS]
    if short:
        issues.append(ContentIssue("CONTENT_URL_SHORTENER", {"links": _shown(short)}, tuple(short[:_SHOWN_PER_RULE])))
    plain = [href for href, _, _ in links if href.lower().startswith("http://")]
    if plain:
        issues.append(
            ContentIssue("CONTENT_INSECURE_LINK", {"count": len(plain), "links": _shown(plain)}, tuple(plain[:3]))
        )
    by_ip = [href for href, _, host in links if _is_ip(host)]
    if by_ip:
        issues.append(ContentIssue("CONTENT_IP_LINK", {"links": _shown(by_ip)}, tuple(by_ip[:_SHOWN_PER_RULE])))
    mismatched = []
    for href, text, host in links:
        shown = _DOMAIN_TEXT.match(text.strip())
        if shown and not _is_ip(host):
            shown_host = shown.group(1).lower().rstrip(".")
            if organisational_domain(shown_host) != organisational_domain(host):
                mismatched.append(f"text {text.strip()!r} → {href}")
    if mismatched:
        issues.append(ContentIssue("CONTENT_LINK_TEXT_MISMATCH", {"links": _shown(mismatched)}, tuple(mismatched[:3])))
    return issues


def _placeholders(content: MessageContent) -> list[ContentIssue]:
    found = [
        *find_placeholders(content.subject, "subject"),
        *find_placeholders(content.text, "text"),
        *find_placeholders(content.html, "html"),
    ]
    if not found:
        return []
    names = list(dict.fromkeys(placeholder.name for placeholder in found))
    return [
        ContentIssue(
            "CONTENT_PLACEHOLDER_LEFT",
            {"names": ", ".join(names)},
            tuple(f"{p.part}: {p.text}" for p in found[:6]),
        )
    ]


def _headers(content: MessageContent) -> list[ContentIssue]:
    if not content.has_headers:
        return []
    issues = []
    message_id = content.header("Message-ID")
    if message_id is None:
        issues.append(ContentIssue("CONTENT_MESSAGE_ID_MISSING", {}, ("no Message-ID header",)))
    elif not _MSG_ID.match(message_id.strip()):
        issues.append(ContentIssue("CONTENT_MESSAGE_ID_MALFORMED", {"value": message_id[:120]}, (message_id[:200],)))
    date = content.header("Date")
    if date is None:
        issues.append(ContentIssue("CONTENT_DATE_MISSING", {}, ("no Date header",)))
    else:
        try:
            parsedate_to_datetime(date)
        except (TypeError, ValueError, IndexError, OverflowError):
            issues.append(ContentIssue("CONTENT_DATE_MALFORMED", {"value": date[:120]}, (f"Date: {date[:200]}",)))
    issues.extend(_list_unsubscribe(content))
    return issues


def _list_unsubscribe(content: MessageContent) -> list[ContentIssue]:
    value = content.header("List-Unsubscribe")
    post = content.header("List-Unsubscribe-Post")
    issues = []
    uris: list[str] = []
    if value is not None:
        uris = _LIST_URI.findall(value)
        leftover = _LIST_URI.sub("", value).replace(",", "").strip()
        bad = [u for u in uris if not u.lower().startswith(("mailto:", "https://", "http://"))]
        if not uris or leftover or bad:
            issues.append(
                ContentIssue(
                    "CONTENT_LIST_UNSUBSCRIBE_MALFORMED", {"value": value[:120]}, (f"List-Unsubscribe: {value[:200]}",)
                )
            )
    if post is not None:
        https = [u for u in uris if u.lower().startswith("https://")]
        if post.strip() != "List-Unsubscribe=One-Click" or not https:
            issues.append(
                ContentIssue(
                    "CONTENT_ONE_CLICK_INVALID",
                    {"post": post[:80]},
                    (f"List-Unsubscribe-Post: {post[:200]}", f"List-Unsubscribe: {value or '(absent)'}"[:240]),
                )
            )
    return issues


RULES: tuple[Callable[[MessageContent], list[ContentIssue]], ...] = (
    _structure,
    _images,
    _links,
    _placeholders,
    _headers,
)


def evaluate_content(content: MessageContent) -> list[ContentIssue]:
    """Every content problem of the message, rule by rule; empty when there is none."""
    return [issue for rule in RULES for issue in rule(content)]


def _fields(content: MessageContent, issue: ContentIssue) -> dict[str, Any]:
    return {"name": content.name, **issue.params}


def content_findings(content: MessageContent, *, check: str = "content.lint") -> list[Finding]:
    """One finding per problem (``CONTENT_OK`` alone when there is none)."""
    issues = evaluate_content(content)
    if not issues:
        return [make_finding(check, content.name, "CONTENT_OK", name=content.name)]
    return [
        make_finding(check, content.name, issue.code, evidence=issue.evidence, **_fields(content, issue))
        for issue in issues
    ]


_SEVERITY = {Status.PASS: 0, Status.SKIP: 1, Status.WARN: 2, Status.ERROR: 3, Status.FAIL: 4}


def summarise(findings: Sequence[Finding]) -> Finding:
    """The one finding of a ``content.lint`` item: the worst problem, with every problem in the evidence."""
    worst = max(findings, key=lambda f: _SEVERITY[f.status])
    if len(findings) == 1:
        return worst
    others = [f"{f.code} ({f.status.value}): {f.summary}" for f in findings]

    return replace(worst, evidence=(*worst.evidence, "all content findings:", *(f"  {line}" for line in others)))
