"""Fault injection for the sandbox API: requests that match a rule fail in a chosen way.

An :class:`Injection` pairs a :class:`Fault` with what it applies to (method, path, endpoint,
recipient, template, or any callable on the request) and how often (``times``; ``None`` until the
sandbox is reset). Rules are tried in the order injected; the first that matches and still has
uses left answers; a request no rule matches gets the normal answer. Each rule counts its ``hits``.

A :class:`Fault` replaces the answer (a status and body), delays it, or drops the connection
without answering; with ``deliver=True`` a dropped request is processed first, so the message is
in the outbox although the client never hears back (the "outcome unknown" case).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pytest_sender.errors import InvalidArgument

__all__ = ["ENDPOINTS", "Fault", "FaultQueue", "Injection", "RequestView"]

#: The ``endpoint`` names of :meth:`Injection`: the short names and the contract's operation ids,
#: each mapped to its (method, path template under /v2).
ENDPOINTS: dict[str, tuple[str, str]] = {
    "send": ("POST", "/message/send"),
    "template_send": ("POST", "/message/{id}/send"),
    "sendMessage": ("POST", "/message/send"),
    "sendTemplate": ("POST", "/message/{id}/send"),
    "listSubscribers": ("GET", "/subscribers"),
    "campaignReport": ("GET", "/transactional/{id}/report"),
    "campaignSent": ("GET", "/transactional/{id}/sent"),
    "campaignBounces": ("GET", "/transactional/{id}/bounces"),
    "campaignComplaints": ("GET", "/transactional/{id}/complaints"),
}


@dataclass(frozen=True)
class RequestView:
    """What a rule sees of one request before it is answered (the Authorization value is never kept).

    ``route`` is the path template under ``/v2`` (``"/message/{id}/send"``) or ``None``; ``template``
    the campaign id of a template send; ``to`` the recipient addresses of a send body.
    """

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes
    route: str | None
    template: str | None
    to: tuple[str, ...]

    def json(self) -> Any:
        return json.loads(self.body)


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


class Injection:
    """One injected rule: which requests it applies to, the :class:`Fault`, and how often it hit.

    ``hits`` counts the requests it answered; ``times`` is how many it may answer (``None``: no limit).
    """

    def __init__(
        self,
        fault: Fault,
        *,
        times: int | None = 1,
        method: str | None = None,
        path: str | re.Pattern[str] | None = None,
        endpoint: str | None = None,
        to: str | None = None,
        template: str | None = None,
        match: Callable[[RequestView], bool] | None = None,
    ) -> None:
        if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
            raise InvalidArgument(f"times must be a whole number of at least 1 (or None for no limit), not {times!r}")
        if endpoint is not None and endpoint not in ENDPOINTS:
            raise InvalidArgument(f"unknown endpoint {endpoint!r}; use one of: {', '.join(ENDPOINTS)}")
        if match is not None and not callable(match):
            raise InvalidArgument(f"match must be a callable taking the request, not {match!r}")
        self.fault = fault
        self.times = times
        self.method = method.upper() if method else None
        self.path = path
        self.endpoint = endpoint
        self.to = to.lower() if to else None
        self.template = template
        self.match = match
        self.hits = 0
        self._lock = threading.Lock()

    @property
    def used(self) -> bool:
        return self.hits > 0

    @property
    def spent(self) -> bool:
        """Whether it has answered as many requests as ``times`` allows (never with ``times=None``)."""
        return self.times is not None and self.hits >= self.times

    def matches(self, request: RequestView) -> bool:
        if self.method is not None and request.method.upper() != self.method:
            return False
        if self.endpoint is not None:
            method, route = ENDPOINTS[self.endpoint]
            if request.method.upper() != method or request.route != route:
                return False
        if isinstance(self.path, re.Pattern):
            if self.path.search(request.path) is None:
                return False
        elif self.path is not None and request.path not in (self.path, "/v2" + self.path):
            return False
        if self.to is not None and self.to not in (a.lower() for a in request.to):
            return False
        if self.template is not None and request.template != self.template:
            return False
        return self.match is None or bool(self.match(request))

    def _claim(self) -> bool:
        with self._lock:
            if self.times is not None and self.hits >= self.times:
                return False
            self.hits += 1
            return True

    def describe(self) -> str:
        """The rule as the test wrote it, e.g. ``inject(status=429, endpoint='send', times=1)``."""
        parts: list[str] = []
        fault = self.fault
        if fault.status is not None:
            parts.append(f"status={fault.status}")
        if fault.delay_s:
            parts.append(f"delay_s={fault.delay_s}")
        if fault.drop:
            parts.append("drop=True")
        if fault.deliver:
            parts.append("deliver=True")
        for name in ("method", "path", "endpoint", "to", "template"):
            value = getattr(self, name)
            if value is not None:
                shown = f"re.compile({value.pattern!r})" if isinstance(value, re.Pattern) else repr(value)
                parts.append(f"{name}={shown}")
        if self.match is not None:
            parts.append(f"match={getattr(self.match, '__qualname__', repr(self.match))}")
        parts.append(f"times={self.times}")
        return f"inject({', '.join(parts)})"

    def __repr__(self) -> str:
        return f"<Injection {self.describe()} hits={self.hits}>"


class FaultQueue:
    """The injected rules in the order injected; thread-safe."""

    def __init__(self) -> None:
        self._rules: list[Injection] = []
        self._lock = threading.Lock()

    def push(self, fault: Fault | Injection, times: int | None = 1) -> Injection:
        rule = fault if isinstance(fault, Injection) else Injection(fault, times=times)
        with self._lock:
            self._rules.append(rule)
        return rule

    def take(self, request: RequestView) -> Fault | None:
        """The fault of the first rule that has uses left and matches ``request`` (that use is spent).

        A spent rule is not matched at all: its ``match`` callable is not called again."""
        with self._lock:
            rules = list(self._rules)
        for rule in rules:
            if not rule.spent and rule.matches(request) and rule._claim():
                return rule.fault
        return None

    @property
    def has_live_rules(self) -> bool:
        """Whether any rule may still change a request; if none can, a request needs no matching."""
        with self._lock:
            return any(not rule.spent for rule in self._rules)

    @property
    def rules(self) -> list[Injection]:
        with self._lock:
            return list(self._rules)

    def unused(self) -> list[Injection]:
        return [rule for rule in self.rules if not rule.used]

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def __len__(self) -> int:
        """Uses left over all rules (a rule with ``times=None`` counts once)."""
        with self._lock:
            return sum(1 if r.times is None else r.times - r.hits for r in self._rules)
