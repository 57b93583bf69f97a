"""Sender's HTTP API: the client, its outcomes and retry policy, rate-limit parsing, the ``api.*`` checks.

    from pytest_sender.api import SenderClient, Address

Importing this package does not import httpx: the client's names are loaded on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytest_sender.api.client import Address, AsyncSenderClient, SenderClient
    from pytest_sender.api.outcomes import (
        BadRequest,
        Fetched,
        Forbidden,
        Invalid,
        NotFound,
        Outcome,
        OutcomeUnknown,
        RateLimited,
        Sent,
        ServerError,
        TokenAccepted,
        Unauthorized,
        UnexpectedAnswer,
        Unreachable,
    )
    from pytest_sender.api.retry import NO_RETRIES, RetryPolicy

_LAZY = {
    "Address": "client",
    "AsyncSenderClient": "client",
    "SenderClient": "client",
    "NO_RETRIES": "retry",
    "RetryPolicy": "retry",
    **{
        name: "outcomes"
        for name in (
            "BadRequest",
            "Fetched",
            "Forbidden",
            "Invalid",
            "NotFound",
            "Outcome",
            "OutcomeUnknown",
            "RateLimited",
            "Sent",
            "ServerError",
            "TokenAccepted",
            "Unauthorized",
            "UnexpectedAnswer",
            "Unreachable",
        )
    },
}

__all__ = [
    "NO_RETRIES",
    "Address",
    "AsyncSenderClient",
    "BadRequest",
    "Fetched",
    "Forbidden",
    "Invalid",
    "NotFound",
    "Outcome",
    "OutcomeUnknown",
    "RateLimited",
    "RetryPolicy",
    "SenderClient",
    "Sent",
    "ServerError",
    "TokenAccepted",
    "Unauthorized",
    "UnexpectedAnswer",
    "Unreachable",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
