"""Files a domain publishes over HTTPS for receivers (MTA-STS policy, BIMI logo), fetched as receivers do.

:func:`fetch_https` resolves the host through the run's :class:`~pytest_sender.dns.query.Resolver`
(never the system's), connects to the first address with httpx, verifies the certificate against
the host name (the system's CAs, plus ``ca_pem`` when given: the sandbox's CA), follows no redirect
(RFC 8461 §3.3 forbids them for the policy) and reads at most ``limit`` bytes. It never raises for
a DNS, network, TLS or HTTP fault: the outcome is a frozen :class:`Fetched` whose ``kind`` names
what went wrong. ``port`` replaces 443 (a test's or the sandbox's server on loopback).

httpx is imported when the first fetch is made.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
from dataclasses import dataclass

from pytest_sender.dns.query import DnsAnswer, Resolver

__all__ = ["FETCH_KINDS", "Fetched", "fetch_https"]

#: What :attr:`Fetched.kind` can be.
FETCH_KINDS = ("ok", "dns", "no-address", "timeout", "refused", "tls", "http", "redirect", "too-large", "error")


@dataclass(frozen=True)
class Fetched:
    """The outcome of one fetch: ``body`` when ``kind`` is ``"ok"``, else ``problem`` says what failed.

    ``answer`` is the address lookup that decided (the fault answer when ``kind`` is ``"dns"``).
    """

    url: str
    kind: str
    body: bytes = b""
    problem: str = ""
    address: str = ""
    http_status: int | None = None
    answer: DnsAnswer | None = None
    content_type: str = ""  # the media type, lower-case, without parameters

    @property
    def ok(self) -> bool:
        return self.kind == "ok"

    def describe(self) -> str:
        """One evidence line: the URL, where it went, what came back."""
        via = f" (at {self.address})" if self.address else ""
        if self.ok:
            media = self.content_type or "no Content-Type"
            return f"GET {self.url}{via}: HTTP {self.http_status}, {len(self.body)} bytes, {media}"
        return f"GET {self.url}{via}: {self.problem}"


async def fetch_https(
    resolver: Resolver,
    host: str,
    path: str,
    *,
    timeout: float,
    limit: int,
    ca_pem: str | None = None,
    port: int | None = None,
) -> Fetched:
    """GET ``https://<host><path>`` as described in the module's docstring; never raises for a fault."""
    url = f"https://{host}{path}"
    a, aaaa = await asyncio.gather(resolver.query(host, "A"), resolver.query(host, "AAAA"))
    addresses = [*a.records, *aaaa.records]
    if not addresses:
        for answer in (a, aaaa):
            if answer.status.is_fault:
                return Fetched(url, "dns", problem=answer.describe(), answer=answer)
        return Fetched(
            url, "no-address", problem=f"{host} has no address ({a.describe()}; {aaaa.describe()})", answer=a
        )
    address = addresses[0]
    try:
        return await asyncio.wait_for(
            _get(url, host, path, address, port or 443, timeout=timeout, limit=limit, ca_pem=ca_pem), timeout
        )
    except TimeoutError:
        return Fetched(url, "timeout", problem=f"no complete answer within {timeout:g} s", address=address)


async def _get(
    url: str, host: str, path: str, address: str, port: int, *, timeout: float, limit: int, ca_pem: str | None
) -> Fetched:
    import httpx

    context = _client_context(ca_pem)
    shown = f"{address}:{port}"
    target = f"https://{f'[{address}]' if ':' in address else address}:{port}{path}"
    headers = {"Host": host if port == 443 else f"{host}:{port}", "User-Agent": _user_agent()}
    try:
        async with (
            httpx.AsyncClient(verify=context, timeout=timeout, follow_redirects=False, trust_env=False) as client,
            client.stream("GET", target, headers=headers, extensions={"sni_hostname": host}) as response,
        ):
            status = response.status_code
            if 300 <= status < 400:
                where = response.headers.get("location", "nowhere")
                return Fetched(
                    url, "redirect", problem=f"HTTP {status} redirect to {where[:200]} (not followed)", address=shown
                )
            if status != 200:
                return Fetched(url, "http", problem=f"HTTP {status}", address=shown, http_status=status)
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > limit:
                    return Fetched(url, "too-large", problem=f"larger than {limit} bytes", address=shown)
            media = response.headers.get("content-type", "").partition(";")[0].strip().lower()
            return Fetched(url, "ok", body=bytes(body), address=shown, http_status=status, content_type=media)
    except httpx.TimeoutException:
        return Fetched(url, "timeout", problem=f"no complete answer within {timeout:g} s", address=shown)
    except httpx.ConnectError as exc:
        tls = _tls_problem(exc)
        if tls:
            return Fetched(url, "tls", problem=f"TLS: {tls}", address=shown)
        if _refused(exc):
            return Fetched(url, "refused", problem="connection refused", address=shown)
        return Fetched(url, "error", problem=f"cannot connect: {exc or type(exc).__name__}", address=shown)
    except (httpx.HTTPError, OSError) as exc:
        tls = _tls_problem(exc)
        kind = "tls" if tls else "error"
        return Fetched(url, kind, problem=f"TLS: {tls}" if tls else f"{type(exc).__name__}: {exc}", address=shown)


@functools.lru_cache(maxsize=8)
def _client_context(ca_pem: str | None) -> ssl.SSLContext:
    """The verifying client context: the system's CAs (loading them costs milliseconds of CPU, so
    once per process), plus ``ca_pem``."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    if ca_pem:
        context.load_verify_locations(cadata=ca_pem)
    return context


def _refused(exc: BaseException) -> bool:
    """A ``ConnectionRefusedError`` behind ``exc`` (httpx and anyio wrap it)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError) or "refused" in str(seen).lower():
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _tls_problem(exc: BaseException) -> str:
    """The TLS failure behind ``exc`` (a certificate that does not verify, a failed handshake), or ""."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen.verify_message or str(seen)
        if isinstance(seen, ssl.SSLError):
            return seen.reason or str(seen)
        seen = seen.__cause__ or seen.__context__
    text = str(exc)
    return text if "CERTIFICATE_VERIFY_FAILED" in text or "SSL" in text else ""


def _user_agent() -> str:
    from pytest_sender import __version__

    return f"pytest-sender/{__version__} (domain checks)"
