"""What the live smoke still needs before a kind of send can run (pure, over the settings).

Its own module so that ``live.checks`` (the aspect checks) and ``live.logged`` (which shares the
template send) both read it without importing each other.
"""

from __future__ import annotations

from pytest_sender.findings import Finding
from pytest_sender.hints import make_finding
from pytest_sender.live.flow import API_SEND, SMTP_SEND, TEMPLATE_SEND, live_recipient
from pytest_sender.preflight.registry import CheckContext
from pytest_sender.settings import Settings

__all__ = ["missing_settings", "not_configured"]


def missing_settings(settings: Settings, kind: str) -> list[str]:
    """The settings (as environment variables) ``kind`` still needs; empty when it can run."""
    missing = []
    if settings.inbox is None:
        missing.append("SENDER_INBOX_URL (or --sender-inbox)")
    if settings.inbox_password is None:
        missing.append("SENDER_INBOX_PASSWORD")
    if live_recipient(settings) is None:
        missing.append("SENDER_RECIPIENT (or --sender-recipient)")
    if kind in (API_SEND, TEMPLATE_SEND) and settings.api_token is None:
        missing.append("SENDER_API_TOKEN")
    if kind in (API_SEND, SMTP_SEND) and settings.sender_from is None:
        missing.append("SENDER_FROM (or --sender-from)")
    return missing


def not_configured(context: CheckContext, check: str, target: str, missing: list[str]) -> Finding:
    """The skip of a live item that cannot run: the sandbox's missing inbox (Dovecot absent) when
    that is why, else the settings still to set."""
    unavailable = context.parts.sandbox_inbox_unavailable
    if unavailable and context.settings.inbox is None:
        return make_finding(check, target, "LIVE_SANDBOX_NO_INBOX", reason=unavailable)
    return make_finding(check, target, "LIVE_NOT_CONFIGURED", missing=", ".join(missing))
