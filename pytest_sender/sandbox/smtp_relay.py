"""The sandbox SMTP relay: aiosmtpd with STARTTLS and AUTH PLAIN/LOGIN on free loopback ports.

Accepted messages go to the sandbox :class:`~pytest_sender.sandbox.outbox.Outbox` (``via="smtp"``),
the same one the sandbox API writes to. The relay's certificate is issued at start-up by a private
CA (:mod:`pytest_sender.sandbox.tls`); :attr:`SmtpSandboxComponent.ca_pem` is that CA, which the
embedded sandbox hands to the preflight (``RunParts.smtp_ca_pem``): the checks keep verifying
certificates and trust it in addition to the system's CAs.

Scenarios:

* ``healthy``: one relay port with STARTTLS and AUTH; the credentials in the settings are those of
  the relay's user, so ``smtp.port`` and ``smtp.auth`` pass.
* ``broken``: the relay port plus a closed port that refuses connections (``smtp.port`` warns for
  it and names the working port), and a wrong password (``smtp.auth`` fails with 535).

The relay also stands in for the sandbox zone's MX host (``SANDBOX_MX_HOST``, at 127.0.0.1): its
certificate names that host as well, and the embedded sandbox hands its port and CA to dns.mx-tls
(``RunParts.mx_smtp_port``, ``RunParts.mx_ca_pem``). The "broken" zone publishes a null MX (dns.mx
warns ``MX_NULL`` for it), so there dns.mx-tls has no MX host to test and skips.

:class:`LoopThread` runs the servers on an asyncio loop of their own, in a daemon thread, so the
relay works while pytest (or the preflight's own loop) runs in the main thread.
"""

from __future__ import annotations

import asyncio
import hmac
import itertools
import secrets
import socket
import ssl
import threading
from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from pytest_sender.errors import SandboxError

if TYPE_CHECKING:
    from pytest_sender.sandbox.outbox import Outbox
    from pytest_sender.sandbox.tls import SandboxTls

__all__ = [
    "LoopThread",
    "RelayHandler",
    "SmtpSandboxComponent",
    "UserAuthenticator",
    "closed_port",
    "relay_factory",
    "smtp_server_factory",
]

T = TypeVar("T")

RELAY_HOSTNAME = "sandbox.localhost"
#: The host name the settings point at: the sandbox certificate covers it.
RELAY_CONNECT_HOST = "localhost"
SANDBOX_SMTP_USER = "sandbox-smtp-user"
START_TIMEOUT_S = 10.0


class LoopThread:
    """An asyncio loop in a daemon thread, for servers that must run beside blocking code."""

    def __init__(self, name: str = "pytest-sender-smtp") -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._servers: list[asyncio.Server] = []

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def start(self) -> LoopThread:
        self._thread.start()
        return self

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = START_TIMEOUT_S) -> T:
        """Run ``coro`` on the loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def serve(
        self,
        factory: Callable[[], asyncio.BaseProtocol],
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        ssl_context: ssl.SSLContext | None = None,
    ) -> int:
        """Listen with ``factory`` on ``host`` (TLS from the first byte with ``ssl_context``).

        Returns the port: a free one when ``port`` is 0.
        """

        async def _start() -> asyncio.Server:
            return await self.loop.create_server(factory, host=host, port=port, ssl=ssl_context)

        try:
            server = self.run(_start())
        except OSError as exc:
            raise SandboxError(f"the sandbox SMTP server could not listen on {host}:{port}: {exc}") from exc
        self._servers.append(server)
        bound: int = server.sockets[0].getsockname()[1]
        return bound

    def stop(self) -> None:
        if not self._thread.is_alive():
            return

        async def _shutdown() -> None:
            for server in self._servers:
                server.close()
            current = asyncio.current_task()
            tasks = [t for t in asyncio.all_tasks() if t is not current]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        try:
            self.run(_shutdown())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(START_TIMEOUT_S)
            self._servers.clear()
            self.loop.close()


def closed_port(host: str = "127.0.0.1") -> int:
    """A port that refuses connections right now (bound once to find it, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
    return port


class UserAuthenticator:
    """aiosmtpd authenticator for PLAIN and LOGIN against ``users`` (name → password)."""

    def __init__(self, users: Mapping[str, str]) -> None:
        self._users = dict(users)

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        if mechanism not in ("PLAIN", "LOGIN") or not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode("utf-8", "replace")
        expected = self._users.get(login)
        ok = expected is not None and hmac.compare_digest(expected.encode(), auth_data.password)
        return AuthResult(success=ok, handled=False, auth_data=login if ok else None)


class RelayHandler:
    """Stores every accepted message in the outbox (nothing is delivered anywhere)."""

    _ids = itertools.count(1)

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import email
        import email.policy
        from email.message import EmailMessage

        raw = envelope.original_content or envelope.content
        data = raw if isinstance(raw, bytes) else str(raw).encode("utf-8")
        message = email.message_from_bytes(data, policy=email.policy.default)
        if not isinstance(message, EmailMessage):  # the default policy always makes one
            raise SandboxError("the relay could not parse a message")
        queue_id = f"sandbox-{next(self._ids)}"
        self.outbox.add(
            message,
            via="smtp",
            envelope_from=envelope.mail_from,
            envelope_to=tuple(envelope.rcpt_tos),
            email_id=queue_id,
            details={"smtp_user": session.auth_data},
        )
        return f"250 2.0.0 OK: queued as {queue_id}"


def smtp_server_factory(handler: Any, **smtp_kwargs: Any) -> Callable[[], asyncio.BaseProtocol]:
    """A protocol factory for an aiosmtpd server with ``handler`` and aiosmtpd's ``SMTP`` options.

    aiosmtpd 1.4 sets its deprecated ``Session.login_data`` on every successful AUTH, which warns
    each time; the session used here stores it without the warning (nothing reads it).
    """
    from aiosmtpd.smtp import SMTP, Session

    class _QuietSession(Session):
        @property
        def login_data(self) -> Any:
            return self._login_data

        @login_data.setter
        def login_data(self, value: Any) -> None:
            self._login_data = value

    class _SMTP(SMTP):
        def _create_session(self) -> Session:
            return _QuietSession(self.loop)

    def make() -> asyncio.BaseProtocol:
        protocol: asyncio.BaseProtocol = _SMTP(handler, **smtp_kwargs)
        return protocol

    return make


def relay_factory(
    *, tls: SandboxTls, users: Mapping[str, str], outbox: Outbox, hostname: str = RELAY_HOSTNAME
) -> Callable[[], asyncio.BaseProtocol]:
    """A protocol factory for the relay: STARTTLS required, AUTH only after TLS, MAIL only after AUTH."""
    return smtp_server_factory(
        RelayHandler(outbox),
        hostname=hostname,
        tls_context=tls.server_context,
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=UserAuthenticator(users),
    )


class SmtpSandboxComponent:
    """The sandbox's SMTP relay (``pytest_sender.sandbox.smtp_relay:SmtpSandboxComponent``).

    ``outbox`` may be set before :meth:`start` (the embedded sandbox shares one between its
    components); otherwise the relay makes its own.
    """

    def __init__(self, outbox: Outbox | None = None) -> None:
        self.outbox: Outbox | None = outbox
        self.scenario = "healthy"
        self.host = RELAY_CONNECT_HOST
        self.port = 0
        self.ports: tuple[int, ...] = ()
        self.username = SANDBOX_SMTP_USER
        self.password = ""
        self._tls: SandboxTls | None = None
        self._loop: LoopThread | None = None
        #: Set by the embedded sandbox under --sender-live: "broken" then keeps the password valid.
        self.live = False

    def start(self, scenario: str) -> None:
        from pytest_sender.sandbox.dns_server import SANDBOX_MX_HOST
        from pytest_sender.sandbox.outbox import Outbox
        from pytest_sender.sandbox.tls import SANDBOX_TLS_NAMES, make_sandbox_tls

        self.scenario = scenario
        if self.outbox is None:
            self.outbox = Outbox()
        # the relay is also the zone's MX host (dns.mx-tls): its certificate names that host too
        self._tls = make_sandbox_tls((*SANDBOX_TLS_NAMES, SANDBOX_MX_HOST))
        self.password = secrets.token_urlsafe(18)
        self._loop = LoopThread().start()
        factory = relay_factory(tls=self._tls, users={self.username: self.password}, outbox=self.outbox)
        self.port = self._loop.serve(factory)
        self.ports = (self.port, closed_port()) if scenario == "broken" else (self.port,)

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.stop()
            self._loop = None

    @property
    def ca_pem(self) -> str:
        """The PEM of the CA that issued the relay's certificate."""
        if self._tls is None:
            raise SandboxError("the SMTP relay is not started")
        return self._tls.ca_pem

    def client_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts the relay's CA (and the system's)."""
        if self._tls is None:
            raise SandboxError("the SMTP relay is not started")
        return self._tls.client_context()

    def settings_overrides(self) -> dict[str, Any]:
        from pytest_sender.settings import Secret

        # "broken": a password the relay does not know, so smtp.auth meets a real 535.
        password = self.password if self.scenario != "broken" or self.live else "wrong-" + self.password
        return {
            "smtp_host": self.host,
            "smtp_ports": self.ports,
            "smtp_username": Secret(self.username),
            "smtp_password": Secret(password),
        }
