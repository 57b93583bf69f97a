"""Content assertions for an app's tests: is the message the app sent fit to be delivered?

``assert_deliverable(message)`` runs the content rules on a sandbox outbox message (or an
``EmailMessage``, or raw bytes) and, with ``max_spam_score``, SpamAssassin's offline score; it
fails with every problem and every rule hit. The spamd is the one given (a
:class:`~pytest_sender.content.spamd.SpamdServer`, such as the ``sender_spamd`` fixture's, or a
``HOST:PORT``), else ``SENDER_SPAMD``, else one started for the call.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from email.message import EmailMessage
from typing import Protocol

from pytest_sender.content.message import parse_content
from pytest_sender.content.rules import content_findings
from pytest_sender.content.spamd import SpamdServer, SpamScore, score_message
from pytest_sender.errors import SenderError, UndeliverableMessage
from pytest_sender.findings import Finding, Status

__all__ = ["assert_deliverable", "message_bytes", "message_content_findings"]


class _HasRaw(Protocol):
    @property
    def raw(self) -> bytes: ...


MessageLike = _HasRaw | EmailMessage | bytes


def message_bytes(message: MessageLike) -> bytes:
    if isinstance(message, bytes):
        return message
    if isinstance(message, EmailMessage):
        return message.as_bytes()
    return message.raw


def message_content_findings(message: MessageLike, *, name: str = "message") -> list[Finding]:
    """The content rules' findings for one message (``CONTENT_OK`` alone when nothing is wrong)."""
    return content_findings(parse_content(message_bytes(message), name=name))


def _spamd_address(spamd: SpamdServer | str | None) -> tuple[str, int] | None:
    if isinstance(spamd, SpamdServer):
        return spamd.host, spamd.port
    text = spamd or os.environ.get("SENDER_SPAMD")
    if not text:
        return None
    from pytest_sender.settings import parse_spamd

    address = parse_spamd(text)
    return address.host, address.port


def _score(raw: bytes, spamd: SpamdServer | str | None) -> SpamScore:
    address = _spamd_address(spamd)
    if address is not None:
        return asyncio.run(score_message(raw, host=address[0], port=address[1]))
    with SpamdServer() as server:
        return asyncio.run(score_message(raw, host=server.host, port=server.port))


def assert_deliverable(
    message: MessageLike,
    *,
    max_spam_score: float | None = None,
    allow: Iterable[str] = (),
    spamd: SpamdServer | str | None = None,
) -> list[Finding]:
    """Fail unless the content rules find nothing worse than ``pass`` (codes in ``allow`` excepted)
    and, with ``max_spam_score``, SpamAssassin scores the message below it. Returns the findings."""
    allowed = set(allow)
    raw = message_bytes(message)
    findings = message_content_findings(raw)
    problems = [f for f in findings if f.status is not Status.PASS and f.code not in allowed]
    lines = [f"{f.code} ({f.status.value}): {f.summary}\n    fix: {f.fix}" for f in problems]
    if max_spam_score is not None:
        try:
            score = _score(raw, spamd)
        except SenderError as exc:
            raise UndeliverableMessage(f"the spam score could not be computed: {exc}") from exc
        if score.score >= max_spam_score:
            rules = "".join(f"\n    {r.points:+g} {r.name}: {r.description}" for r in score.scoring_rules())
            lines.append(f"SpamAssassin score {score.score:g} ≥ max_spam_score {max_spam_score:g}; rules hit:{rules}")
    if lines:
        raise UndeliverableMessage("the message is not fit to deliver:\n  " + "\n  ".join(lines))
    return findings
