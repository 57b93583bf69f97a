"""The live smoke flow: make one real send per kind, wait for it in the inbox, keep what arrived.

One :class:`Delivery` per send kind (``api-send``, ``template-send``, ``smtp-send``) is made once per
run (:func:`deliver`, shared by every aspect check of that kind through ``CheckContext.shared``):

1. safety, before anything is sent (:func:`prepare`, once per run): the recipient must be the inbox's
   own address (plus-addressing allowed), and the inbox must accept our login, so nothing is sent
   that cannot be checked;
2. the send, with a unique run token in the subject and in the ``X-Pytest-Sender-Run`` header,
   counted against :data:`MAX_LIVE_SENDS`, never retried (an unknown outcome is reported as such);
3. the wait (:func:`pytest_sender.inbox.client.wait_for_message`) across INBOX and Junk, which
   fetches the message and deletes it unless ``live_keep`` is set.

Under ``--sender-sandbox`` the sandbox stands in for Sender and the receiving server: its delivery
component (``RunParts.imap_delivery``) is pointed at the configured inbox here.
"""

from __future__ import annotations

import asyncio
import secrets
import ssl
import threading
import time
from dataclasses import dataclass, replace
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from pytest_sender.errors import InboxLoginRefused, TransportError
from pytest_sender.findings import Finding
from pytest_sender.hints import make_finding
from pytest_sender.inbox.client import RUN_HEADER, ArrivedMessage, InboxInfo, InboxTarget
from pytest_sender.inbox.inspect import recipient_matches_inbox
from pytest_sender.preflight.registry import CheckContext
from pytest_sender.settings import Settings

__all__ = [
    "API_SEND",
    "MAX_LIVE_SENDS",
    "SMTP_SEND",
    "TEMPLATE_SEND",
    "Delivery",
    "Preparation",
    "SentMessage",
    "deliver",
    "inbox_target",
    "live_recipient",
    "live_variables",
    "prepare",
    "send_live_smtp",
]

API_SEND = "api-send"
TEMPLATE_SEND = "template-send"
SMTP_SEND = "smtp-send"
#: No run makes more live sends than this (one per kind is the plan; the cap is the backstop).
MAX_LIVE_SENDS = 3
#: The variables every live send carries; the api-send body uses ``{{ name }}`` to prove rendering.
LIVE_NAME = "pytest-sender"


# --- safety (pure) ---------------------------------------------------------------------------------


def live_recipient(settings: Settings) -> str | None:
    """Where live mail goes: the recipient setting, else the inbox user when that is an address."""
    if settings.recipient:
        return settings.recipient
    if settings.inbox is not None and "@" in settings.inbox.user:
        return settings.inbox.user
    return None


# --- preparation (once per run) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Preparation:
    """What every send of the run needs: the inbox and its folders, or the reason nothing is sent."""

    target: InboxTarget | None = None
    info: InboxInfo | None = None
    problem: Finding | None = None  # a finding for check "live" (re-targeted by each item)


class SendBudget:
    """The per-run cap on live sends (thread-safe; checks run concurrently)."""

    def __init__(self, cap: int = MAX_LIVE_SENDS) -> None:
        self.cap = cap
        self.used = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self.used >= self.cap:
                return False
            self.used += 1
            return True


def _inbox_ssl_context(context: CheckContext) -> ssl.SSLContext:
    if context.parts.inbox_ssl_context is not None:
        return context.parts.inbox_ssl_context
    ssl_context = ssl.create_default_context()
    if context.parts.inbox_ca_pem:
        ssl_context.load_verify_locations(cadata=context.parts.inbox_ca_pem)
    return ssl_context


def inbox_target(settings: Settings, ssl_context: ssl.SSLContext | None = None) -> InboxTarget | None:
    if settings.inbox is None or settings.inbox_password is None:
        return None
    return InboxTarget(settings.inbox, settings.inbox_password, ssl_context=ssl_context, timeout=settings.timeout)


async def prepare(context: CheckContext) -> Preparation:
    """Safety checks and one login to the inbox; the sandbox's delivery is pointed at the inbox."""
    from pytest_sender.inbox.client import probe_inbox

    settings = context.settings
    recipient = live_recipient(settings)
    assert settings.inbox is not None  # the checks plan no live target without an inbox
    if recipient is None or not recipient_matches_inbox(recipient, settings.inbox.user):
        shown = recipient or "(none)"
        local, _, domain = settings.inbox.user.rpartition("@")
        return Preparation(
            problem=make_finding(
                "live",
                shown,
                "LIVE_RECIPIENT_NOT_INBOX",
                recipient=shown,
                inbox_user=settings.inbox.user,
                plus_example=f"{local}+sender@{domain}" if domain else "USER+sender@DOMAIN",
                evidence=[f"recipient: {shown}", f"inbox: {settings.inbox}"],
            )
        )
    target = inbox_target(settings, await asyncio.to_thread(_inbox_ssl_context, context))
    assert target is not None
    try:
        info = await asyncio.to_thread(probe_inbox, target)
    except InboxLoginRefused as exc:
        return Preparation(
            problem=make_finding(
                "live",
                recipient,
                "LIVE_INBOX_LOGIN_REFUSED",
                inbox=str(settings.inbox),
                user=settings.inbox.user,
                evidence=[str(exc)],
            )
        )
    except TransportError as exc:
        return Preparation(
            problem=make_finding(
                "live",
                recipient,
                "LIVE_INBOX_UNREACHABLE",
                inbox=str(settings.inbox),
                reason=str(exc),
                evidence=[f"{type(exc).__name__}: {exc}"],
            )
        )
    delivery = context.parts.imap_delivery
    if delivery is not None:
        # the sandbox's receiver judges each message against the DNS the settings name (its own)
        await asyncio.to_thread(delivery.attach, target, settings.nameservers, timeout=settings.timeout)
    return Preparation(target=target, info=info)


# --- one send ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SentMessage:
    """What the run sent (for the as-sent checks) and when."""

    kind: str
    token: str
    recipient: str
    subject: str | None  # None for a template send: the template sets the subject
    from_address: str | None
    started_monotonic: float
    evidence: tuple[str, ...] = ()
    email_id: str | None = None  # Sender's emailId of an accepted API send (live.logged looks for it)


@dataclass(frozen=True)
class Delivery:
    """The outcome of one live send: the problem that stopped it, or what arrived (or nothing)."""

    kind: str
    recipient: str
    problem: Finding | None = None
    sent: SentMessage | None = None
    arrived: ArrivedMessage | None = None
    junk_folder: str | None = None
    folders: tuple[str, ...] = ()
    timeout: float = 0.0

    @property
    def latency_s(self) -> float | None:
        if self.sent is None or self.arrived is None:
            return None
        return max(0.0, self.arrived.found_monotonic - self.sent.started_monotonic)


def new_run_token() -> str:
    return f"ps-{secrets.token_hex(8)}"


def _subject(kind: str, token: str) -> str:
    return f"pytest-sender live smoke ({kind}) {token}"


def _text_body(token: str) -> str:
    return f"Hello {{{{ name }}}}, this is the pytest-sender live smoke, run {token}. It is deleted once checked."


def _html_body(token: str) -> str:
    return (
        f"<p>Hello {{{{ name }}}},</p><p>this is the pytest-sender live smoke, run <code>{token}</code>. "
        "It is deleted once checked.</p>"
    )


def live_variables(settings: Settings, token: str) -> dict[str, str | int | float | bool]:
    """The variables of a live send: ``name`` and ``run_token``, plus (over ``name``) the user's
    ``live_variables``, so a real template's own placeholders can be filled."""
    import json

    variables: dict[str, str | int | float | bool] = {"name": LIVE_NAME}
    if settings.live_variables:
        variables.update(json.loads(settings.live_variables))
    variables["run_token"] = token
    return variables


async def _send_api(
    context: CheckContext, kind: str, token: str, recipient: str
) -> tuple[SentMessage | None, Finding | None]:
    from pytest_sender.api.client import Address, AsyncSenderClient
    from pytest_sender.api.outcomes import OutcomeUnknown
    from pytest_sender.api.retry import NO_RETRIES

    settings = context.settings
    headers = {RUN_HEADER: token}
    started = time.monotonic()
    # NO_RETRIES: a live send is made once; an unknown outcome is reported, never resent.
    async with AsyncSenderClient.from_settings(
        settings, retry=NO_RETRIES, transport=context.parts.api_transport
    ) as client:
        if kind == TEMPLATE_SEND:
            assert settings.template_id is not None
            outcome = await client.send_template(
                settings.template_id, Address(recipient), variables=live_variables(settings, token), headers=headers
            )
            subject = None
        else:
            assert settings.sender_from is not None
            subject = _subject(kind, token)
            outcome = await client.send(
                Address(recipient),
                subject,
                sender=Address(settings.sender_from, LIVE_NAME),
                html=_html_body(token),
                text=_text_body(token),
                headers=headers,
                variables=live_variables(settings, token),
            )
    from_address = settings.sender_from if kind == API_SEND else None
    if isinstance(outcome, OutcomeUnknown):
        # The request went out and its answer was lost: not resent, but it may still arrive.
        unknown = SentMessage(
            kind=kind,
            token=token,
            recipient=recipient,
            subject=subject,
            from_address=from_address,
            started_monotonic=started,
            evidence=(f"{outcome.code}: {outcome.reason}; not resent",),
        )
        return unknown, outcome.finding("live", recipient)
    if not outcome.ok:
        return None, outcome.finding("live", recipient)
    email_id = getattr(outcome, "email_id", "")
    sent = SentMessage(
        kind=kind,
        token=token,
        recipient=recipient,
        subject=subject,
        from_address=from_address,
        started_monotonic=started,
        email_id=email_id or None,
        evidence=(f"accepted by {settings.api_url} (emailId {email_id or 'none given'})",),
    )
    return sent, None


def build_smtp_message(token: str, *, sender: str, recipient: str) -> EmailMessage:
    """The live SMTP message (SMTP has no variables: the bodies are final text)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = _subject(SMTP_SEND, token)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(idstring=token, domain=sender.rpartition("@")[2] or None)
    message[RUN_HEADER] = token
    text = f"Hello {LIVE_NAME}, this is the pytest-sender live smoke over SMTP, run {token}."
    message.set_content(text)
    message.add_alternative(f"<p>{text}</p>", subtype="html")
    return message


async def send_live_smtp(
    context: CheckContext, token: str, recipient: str
) -> tuple[SentMessage | None, Finding | None]:
    """One live message through the SMTP relay (STARTTLS, or TLS on 465; AUTH), never retried.

    Returns what was sent, or the finding that stopped it; both when the outcome is unknown (the
    connection broke after the data was written: the message may still arrive).
    """
    import aiosmtplib

    from pytest_sender.smtp.probe import make_tls_context

    settings = context.settings
    assert settings.smtp_username is not None
    assert settings.smtp_password is not None
    assert settings.sender_from is not None
    port = settings.smtp_ports[0]
    host = settings.smtp_host
    message = build_smtp_message(token, sender=settings.sender_from, recipient=recipient)
    tls_context = context.parts.smtp_ssl_context or await asyncio.to_thread(make_tls_context, context.parts.smtp_ca_pem)
    implicit = port == 465
    client = aiosmtplib.SMTP(
        hostname=host,
        port=port,
        timeout=settings.timeout,
        use_tls=implicit,
        start_tls=not implicit,
        tls_context=tls_context,
    )
    started = time.monotonic()
    stage = "connect"
    try:
        await client.connect()
        stage = "auth"
        await client.login(settings.smtp_username.reveal(), settings.smtp_password.reveal())
        stage = "send"
        await client.send_message(message)
    except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError) as exc:
        if stage == "send":
            # The data may have reached the relay: never resent, but it may still arrive.
            reason = str(exc) or type(exc).__name__
            unknown = SentMessage(
                kind=SMTP_SEND,
                token=token,
                recipient=recipient,
                subject=str(message["Subject"]),
                from_address=settings.sender_from,
                started_monotonic=started,
                evidence=(f"LIVE_SMTP_OUTCOME_UNKNOWN: {reason}; not resent",),
            )
            return unknown, make_finding(
                "live",
                recipient,
                "LIVE_SMTP_OUTCOME_UNKNOWN",
                reason=reason,
                evidence=[f"{host}:{port} during {stage}: {type(exc).__name__}: {exc}"],
            )
        return None, _smtp_failed(recipient, host, port, stage, exc)
    except (aiosmtplib.SMTPException, OSError) as exc:
        return None, _smtp_failed(recipient, host, port, stage, exc)
    finally:
        if client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()
    sent = SentMessage(
        kind=SMTP_SEND,
        token=token,
        recipient=recipient,
        subject=str(message["Subject"]),
        from_address=settings.sender_from,
        started_monotonic=started,
        evidence=(f"accepted by the SMTP relay {host}:{port}",),
    )
    return sent, None


def _smtp_failed(recipient: str, host: str, port: int, stage: str, exc: BaseException) -> Finding:
    reason = f"{stage}: {exc}" if str(exc) else f"{stage}: {type(exc).__name__}"
    return make_finding(
        "live",
        recipient,
        "LIVE_SMTP_SEND_FAILED",
        host=host,
        port=port,
        reason=reason,
        evidence=[f"{host}:{port} {type(exc).__name__}: {exc}"],
    )


async def deliver(context: CheckContext, kind: str) -> Delivery:
    """Send one ``kind`` message and wait for it; never raises for a network fault."""
    from pytest_sender.inbox.client import wait_for_message

    settings = context.settings
    recipient = live_recipient(settings) or "(none)"
    preparation = await context.shared("live:prepare", lambda: prepare(context))
    if preparation.problem is not None:
        return Delivery(kind=kind, recipient=recipient, problem=preparation.problem)
    assert preparation.target is not None
    assert preparation.info is not None
    budget = await context.shared("live:budget", _new_budget)
    if not budget.take():
        return Delivery(
            kind=kind,
            recipient=recipient,
            problem=make_finding(
                "live", recipient, "LIVE_SEND_CAP_REACHED", cap=budget.cap, evidence=[f"sends this run: {budget.used}"]
            ),
        )
    token = new_run_token()
    if kind == SMTP_SEND:
        sent, problem = await send_live_smtp(context, token, recipient)
    else:
        sent, problem = await _send_api(context, kind, token, recipient)
    if problem is not None and sent is None:
        return Delivery(kind=kind, recipient=recipient, problem=problem)
    assert sent is not None
    info = preparation.info
    try:
        arrived = await asyncio.to_thread(
            wait_for_message,
            preparation.target,
            token,
            timeout=settings.live_timeout,
            folders=info.folders,
            delete=not settings.live_keep,
        )
    except InboxLoginRefused as exc:
        return Delivery(
            kind=kind,
            recipient=recipient,
            sent=sent,
            problem=make_finding(
                "live",
                recipient,
                "LIVE_INBOX_LOGIN_REFUSED",
                inbox=str(settings.inbox),
                user=settings.inbox.user if settings.inbox else "",
                evidence=[*sent.evidence, str(exc)],
            ),
        )
    except TransportError as exc:
        return Delivery(
            kind=kind,
            recipient=recipient,
            sent=sent,
            problem=make_finding(
                "live",
                recipient,
                "LIVE_INBOX_UNREACHABLE",
                inbox=str(settings.inbox),
                reason=str(exc),
                evidence=[*sent.evidence, f"{type(exc).__name__}: {exc}"],
            ),
        )
    if arrived is None and problem is not None:
        # An unknown outcome and nothing arrived: the unknown outcome is the finding (it may still come).
        return Delivery(
            kind=kind,
            recipient=recipient,
            sent=sent,
            problem=replace(
                problem, evidence=(*problem.evidence, f"nothing arrived within {settings.live_timeout:g} s")
            ),
        )
    return Delivery(
        kind=kind,
        recipient=recipient,
        sent=sent,
        arrived=arrived,
        junk_folder=info.junk_folder,
        folders=info.folders,
        timeout=settings.live_timeout,
    )


async def _new_budget() -> SendBudget:
    return SendBudget()
