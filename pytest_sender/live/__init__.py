"""The live smoke (``pytest --sender-live``): real sends to a controlled IMAP inbox, checked end to end.

:mod:`.flow` makes the sends and waits for them; :mod:`.checks` holds the ``live.*`` check family.
Importing this package imports nothing heavy; :func:`require_live_extra` tells, at start-up, whether
the ``live`` extra (imapclient, authres, dkimpy) is installed.
"""

from __future__ import annotations

import importlib

from pytest_sender.errors import MissingExtraError

__all__ = ["LIVE_EXTRA_MODULES", "require_live_extra"]

#: The modules of the ``live`` extra.
LIVE_EXTRA_MODULES = ("imapclient", "authres", "dkim")


def require_live_extra() -> None:
    """Raise :class:`MissingExtraError` (with the pip command) unless the ``live`` extra is installed."""
    for name in LIVE_EXTRA_MODULES:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise MissingExtraError("live smoke", "live") from exc
