"""``content.lint[<file>]`` and ``content.spam-score[<file>]``: sample messages checked before a deploy.

Each ``--sender-message`` file (an ``.eml`` message or an ``.html`` template, for example one
exported from Sender) is one target. No file configured: no items (the content checks are opt-in).
The spam score uses ``--sender-spamd`` or, when Debian's spamd is installed, a throwaway one on
loopback started once per run; neither: a skip naming what to install.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_sender.content.message import MessageContent, parse_content, parse_html_document
from pytest_sender.content.rules import content_findings, link_domains, summarise
from pytest_sender.content.spamd import SpamdServer, SpamScore, find_spamd, score_message
from pytest_sender.dns.blocklist import DEFAULT_BLOCKLISTS, Blocklist, evaluate_listing
from pytest_sender.errors import MissingExtraError, ParseError, SandboxError, TransportError
from pytest_sender.findings import Finding
from pytest_sender.hints import make_finding
from pytest_sender.preflight.registry import CheckContext, CheckSpec
from pytest_sender.settings import ScoreThreshold, Settings

if TYPE_CHECKING:
    from pytest_sender.dns.query import Resolver

__all__ = [
    "CHECKS",
    "check_content",
    "check_spam_score",
    "evaluate_spam_score",
    "link_listings",
    "load_message",
    "message_targets",
    "score_messages",
]

LINT_CHECK = "content.lint"
SPAM_CHECK = "content.spam-score"
_SHOWN_RULES = 8
_TEMPLATE_HEADERS = (
    "From: Template preview <template@preflight.invalid>\r\nTo: recipient@preflight.invalid\r\n"
    "Subject: Template preview\r\nDate: {date}\r\nMessage-ID: {msgid}\r\nMIME-Version: 1.0\r\n"
    "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
)


def message_targets(settings: Settings) -> list[str]:
    return [str(path) for path in settings.messages]


def load_message(path: Path) -> tuple[bytes, MessageContent]:
    """The raw bytes to score and the parsed content; ``.htm``/``.html`` files are HTML alone."""
    raw = path.read_bytes()
    if path.suffix.lower() in {".html", ".htm"}:
        html = raw.decode("utf-8", "replace")
        # spamd scores a whole message: give the HTML the headers Sender adds when it sends a template,
        # so the score judges the template, not headers a sample file cannot have.
        wrapped = _TEMPLATE_HEADERS.format(date=formatdate(usegmt=True), msgid=make_msgid(domain="preflight.invalid"))
        wrapped_bytes = wrapped.encode() + raw
        return wrapped_bytes, parse_html_document(html, name=str(path))
    return raw, parse_content(raw, name=str(path))


async def link_listings(
    content: MessageContent,
    *,
    resolver: Resolver,
    lists: Sequence[Blocklist] = DEFAULT_BLOCKLISTS,
    check: str = LINT_CHECK,
) -> tuple[list[Finding], list[str]]:
    """Every link domain on every domain blocklist, all asked at once.

    Returns the ``CONTENT_LINK_LISTED`` findings and notes for the lookups that could not be
    answered (a timeout or a list's "query refused" code is never a listing, and never a pass
    either: it is noted in the evidence).
    """
    domains = link_domains(content)
    pairs = [(domain, bl) for domain in domains for bl in lists]
    answers = await asyncio.gather(*(resolver.query(f"{domain}.{bl.zone}", "A") for domain, bl in pairs))
    findings, notes = [], []
    for (domain, bl), answer in zip(pairs, answers, strict=True):
        listing = evaluate_listing(bl, answer)
        if listing.kind == "listed":
            findings.append(
                make_finding(
                    check,
                    content.name,
                    "CONTENT_LINK_LISTED",
                    evidence=[answer.describe()],
                    name=content.name,
                    domain=domain,
                    listing=f"{bl.title} ({listing.meaning})",
                    lookup=bl.lookup_url,
                )
            )
        elif listing.kind != "clean":
            notes.append(f"{domain} on {bl.title}: not answered ({answer.describe()})")
    return findings, notes


async def check_content(context: CheckContext, target: str) -> Finding:
    """The content rules on the file ``target``, and its link domains on the domain blocklists (the
    run's resolver and lists, :func:`~pytest_sender.dns.checks.shared_resolver`): the worst
    problem, every problem in the evidence."""
    from pytest_sender.dns.checks import shared_blocklists, shared_resolver

    try:
        _, content = await asyncio.to_thread(load_message, Path(target))
    except OSError as exc:
        return make_finding(LINT_CHECK, target, "CONTENT_UNREADABLE", name=target, problem=exc.strerror or str(exc))
    except ParseError as exc:
        return make_finding(LINT_CHECK, target, "CONTENT_UNREADABLE", name=target, problem=str(exc))
    findings = content_findings(content, check=LINT_CHECK)
    resolver = await shared_resolver(context)
    try:
        listed, notes = await link_listings(content, resolver=resolver, lists=shared_blocklists(context))
    except ParseError as exc:  # a link host that cannot be put on the wire
        listed, notes = [], [f"link domains not looked up: {exc}"]
    if listed:
        findings = [f for f in findings if f.code != "CONTENT_OK"] + listed
    summary = summarise(findings)
    if notes:
        summary = replace(summary, evidence=(*summary.evidence, "blocklist lookups not answered:", *notes))
    return summary


def evaluate_spam_score(
    score: SpamScore, limits: ScoreThreshold, *, target: str, check: str = SPAM_CHECK, name: str | None = None
) -> Finding:
    """Pass below the warn score, warn from it, fail from the fail score; the rules hit in the evidence."""
    rules = score.scoring_rules()
    evidence = [
        f"score {score.score:g} (spamd's own threshold {score.threshold:g}); warn from {limits.warn:g}, "
        f"fail from {limits.fail:g}"
    ]
    evidence.extend(f"{rule.points:+g} {rule.name}: {rule.description}" for rule in rules[:_SHOWN_RULES])
    if len(rules) > _SHOWN_RULES:
        evidence.append(f"… and {len(rules) - _SHOWN_RULES} more rules")
    top = ", ".join(f"{rule.name} ({rule.points:+g})" for rule in rules[:3]) or "none"
    code = "SPAM_SCORE_OK"
    if score.score >= limits.fail:
        code = "SPAM_SCORE_SPAM"
    elif score.score >= limits.warn:
        code = "SPAM_SCORE_HIGH"
    return make_finding(
        check,
        target,
        code,
        evidence=evidence,
        name=name or target,
        score=f"{score.score:g}",
        warn=f"{limits.warn:g}",
        fail=f"{limits.fail:g}",
        top_rules=top,
    )


async def score_messages(
    settings: Settings, messages: dict[str, bytes], *, check: str = SPAM_CHECK
) -> dict[str, SpamScore | Finding]:
    """Score each message (by target) with one spamd: ``--sender-spamd``, or one started for the call.

    A target that could not be scored maps to its finding (a skip without spamd or without the
    client library, an error when spamd fails); never raises for a spamd fault.
    """
    results: dict[str, SpamScore | Finding] = {}
    server: SpamdServer | None = None
    try:
        if settings.spamd is not None:
            host, port = settings.spamd.host, settings.spamd.port
        else:
            if find_spamd() is None:
                return {t: make_finding(check, t, "SPAM_SCORE_NO_SPAMD", name=t) for t in messages}
            server = await asyncio.to_thread(SpamdServer().start)
            host, port = server.host, server.port
        for target, raw in messages.items():
            try:
                results[target] = await score_message(raw, host=host, port=port, timeout=max(settings.timeout, 30.0))
            except (ParseError, TransportError) as exc:
                results[target] = make_finding(
                    check, target, "SPAM_SCORE_UNAVAILABLE", name=target, spamd=f"{host}:{port}", problem=str(exc)
                )
    except MissingExtraError:
        return {t: make_finding(check, t, "SPAM_SCORE_NO_CLIENT", name=t) for t in messages}
    except SandboxError as exc:
        return {
            t: make_finding(check, t, "SPAM_SCORE_UNAVAILABLE", name=t, spamd="spamd", problem=str(exc))
            for t in messages
        }
    finally:
        if server is not None:
            await asyncio.to_thread(server.stop)
    return results


async def _score_files(settings: Settings) -> dict[str, SpamScore | Finding]:
    messages: dict[str, bytes] = {}
    unreadable: dict[str, SpamScore | Finding] = {}
    for path in settings.messages:
        target = str(path)
        try:
            messages[target], _ = await asyncio.to_thread(load_message, path)
        except (OSError, ParseError) as exc:
            unreadable[target] = make_finding(SPAM_CHECK, target, "CONTENT_UNREADABLE", name=target, problem=str(exc))
    return {**unreadable, **(await score_messages(settings, messages) if messages else {})}


async def check_spam_score(context: CheckContext, target: str) -> Finding:
    """SpamAssassin's offline score of the file ``target`` (all files scored once per run, by one spamd)."""
    results = await context.shared(("spamd-scores",), lambda: _score_files(context.settings))
    result = results.get(target)
    if isinstance(result, Finding):
        return result
    if result is None:  # pragma: no cover - every target is scored
        return make_finding(
            SPAM_CHECK, target, "SPAM_SCORE_UNAVAILABLE", name=target, spamd="spamd", problem="not scored"
        )
    return evaluate_spam_score(result, context.settings.spam_score, target=target)


CHECKS = (
    CheckSpec(
        name=LINT_CHECK,
        description="the content rules on each --sender-message file (structure, images, links, placeholders, headers)",
        targets=message_targets,
        run=check_content,
    ),
    CheckSpec(
        name=SPAM_CHECK,
        description="SpamAssassin's score of each --sender-message file, offline",
        targets=message_targets,
        run=check_spam_score,
        budget_factor=20.0,  # spamd's start-up and rule compilation come first
    ),
)
