"""The HTTP layer: one place that builds Sender requests and turns httpx errors into ours."""

from __future__ import annotations

import errno
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from pytest_sender import __version__
from pytest_sender.errors import ConnectFailed, ConnectionRefused, NetworkTimeout, ParseError
from pytest_sender.settings import Secret

__all__ = ["USER_AGENT", "HttpAnswer", "api_headers", "transport_error"]

USER_AGENT = f"pytest-sender/{__version__} (httpx/{httpx.__version__})"


def api_headers(token: Secret | None) -> dict[str, str]:
    """The headers of every Sender API request."""
    headers = {
        "Accept": "application/json",
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }
    if token is not None:
        headers["Authorization"] = f"Bearer {token.reveal()}"
    return headers


@dataclass(frozen=True)
class HttpAnswer:
    """A complete HTTP answer; ``headers`` keys are lower-case."""

    method: str
    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def json(self) -> Any:
        """The body as JSON; :class:`ParseError` if it is not JSON."""
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"the body of HTTP {self.status} is not JSON: {exc}") from exc

    def body_excerpt(self, limit: int = 200) -> str:
        text = self.body.decode("utf-8", errors="replace").strip().replace("\n", " ")
        return text if len(text) <= limit else text[:limit] + "…"


def _is_refused(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError):
            return True
        if isinstance(current, OSError) and current.errno == errno.ECONNREFUSED:
            return True
        if "connection refused" in str(current).lower() or "errno 111" in str(current).lower():
            return True
        current = current.__cause__ or current.__context__
    return False


def transport_error(exc: httpx.TransportError, host: str) -> NetworkTimeout | ConnectionRefused | ConnectFailed:
    """Our error for an httpx transport error (the caller raises it ``from exc``)."""
    if isinstance(exc, httpx.TimeoutException):
        return NetworkTimeout(f"no answer from {host} ({type(exc).__name__})")
    if isinstance(exc, httpx.ConnectError) and _is_refused(exc):
        return ConnectionRefused(f"{host} refused the connection")
    reason = str(exc) or type(exc).__name__
    return ConnectFailed(f"{type(exc).__name__}: {reason}")
