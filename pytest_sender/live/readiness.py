"""What the live smoke still needs before a kind of send can run (pure, over the settings).

Its own module so that ``live.checks`` (the aspect checks) and ``live.logged`` (which shares the
template send) both read it without importing each other.
"""

from __future__ import annotations

from pytest_sender.live.flow import API_SEND, SMTP_SEND, TEMPLATE_SEND, live_recipient
from pytest_sender.settings import Settings

__all__ = ["missing_settings"]


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
