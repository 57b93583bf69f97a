"""Fault injection for the sandbox API: the next N requests fail in a chosen way.

A :class:`Fault` replaces the answer (a status and body), delays it, or drops the connection
without answering; with ``deliver=True`` a dropped request is processed first, so the message is
in the outbox although the client never hears back (the "outcome unknown" case).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pytest_sender.errors import InvalidArgument

__all__ = ["Fault", "FaultQueue"]


@dataclass(frozen=True)
class Fault:
    """How one request fails. With no ``status`` and no ``drop``, only the delay applies."""

    status: int | None = None
    body: bytes = b""
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    drop: bool = False
    deliver: bool = False  # with drop: process the request before dropping the connection

    def __post_init__(self) -> None:
        if self.status is not None and not 100 <= self.status <= 599:
            raise InvalidArgument(f"a fault's status must be an HTTP status (100-599), not {self.status}")
        if self.delay_s < 0:
            raise InvalidArgument(f"a fault's delay must not be negative, not {self.delay_s}")
        if self.deliver and not self.drop:
            raise InvalidArgument("deliver=True only makes sense with drop=True")

    @classmethod
    def build(
        cls,
        *,
        status: int | None = None,
        body: bytes | str | Mapping[str, Any] | None = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        delay_s: float = 0.0,
        drop: bool = False,
        deliver: bool = False,
    ) -> Fault:
        """A fault from friendly values: a dict body is sent as JSON, a str as UTF-8."""
        if isinstance(body, Mapping):
            raw = json.dumps(body).encode()
            content_type = content_type or "application/json"
        elif isinstance(body, str):
            raw = body.encode()
        else:
            raw = body or b""
        if content_type is None:
            stripped = raw.lstrip()[:1]
            if stripped in (b"{", b"["):
                content_type = "application/json"
            elif stripped == b"<":
                content_type = "text/html; charset=utf-8"
            else:
                content_type = "text/plain; charset=utf-8"
        return cls(
            status=status,
            body=raw,
            content_type=content_type,
            headers=dict(headers or {}),
            delay_s=delay_s,
            drop=drop,
            deliver=deliver,
        )


class FaultQueue:
    """Faults waiting for the next requests, first in first out; thread-safe."""

    def __init__(self) -> None:
        self._queue: list[Fault] = []
        self._lock = threading.Lock()

    def push(self, fault: Fault, times: int = 1) -> None:
        if times < 1:
            raise InvalidArgument(f"times must be at least 1, not {times}")
        with self._lock:
            self._queue.extend([fault] * times)

    def pop(self) -> Fault | None:
        with self._lock:
            return self._queue.pop(0) if self._queue else None

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._queue)
