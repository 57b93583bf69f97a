"""Sender's HTTP API: the httpx transport layer, rate-limit parsing and the ``api.*`` checks.

Importing this package does not import httpx; the modules that talk HTTP import it themselves.
"""

from __future__ import annotations

__all__: list[str] = []
