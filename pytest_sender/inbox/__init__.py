"""The live-smoke inbox: an IMAP client (:mod:`.client`) and pure message inspection (:mod:`.inspect`).

Importing this package imports neither imapclient nor authres (the ``live`` extra): the modules
that need them import them when called.
"""

from __future__ import annotations

__all__: list[str] = []
