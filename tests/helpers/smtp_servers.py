"""Real SMTP servers on loopback, one per failure kind, for the SMTP probe's tests.

:class:`SmtpServers` owns one asyncio loop thread and a private CA (``tls``); each method starts a
server on a free 127.0.0.1 port and returns the port. Servers:

* ``relay``: aiosmtpd with STARTTLS, AUTH PLAIN/LOGIN after TLS against ``users`` (the good case);
  variants through its options (expired or wrong-name certificate, implicit TLS, no STARTTLS,
  no AUTH, only CRAM-MD5, only LOGIN);
* ``scripted``: a raw protocol answering from a script (421, disconnect, garbage after STARTTLS);
* ``black_hole``: a listening socket that accepts and never answers;
* ``closed``: a port where nothing listens.

``seen`` records every command line the aiosmtpd servers received (AUTH payloads are kept, so a
test can prove the credentials went on the wire and nowhere else).
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from types import TracebackType
from typing import Any

from pytest_sender.sandbox.smtp_relay import LoopThread, UserAuthenticator, closed_port, smtp_server_factory
from pytest_sender.sandbox.tls import SandboxTls, make_sandbox_tls

NAMES = ("localhost", "127.0.0.1")


class RecordingHandler:
    """An aiosmtpd handler that records commands, optionally hides AUTH, and never delivers."""

    def __init__(self, seen: list[str], *, hide_auth: bool = False) -> None:
        self.seen = seen
        self.hide_auth = hide_auth

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.seen.append(f"EHLO {hostname}")
        session.host_name = hostname
        if self.hide_auth:
            responses = [r for r in responses if not r[4:].upper().startswith("AUTH")]
        return responses

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        self.seen.append(f"MAIL FROM:<{address}>")
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.seen.append("DATA")
        return "250 OK"


class RecordingAuthenticator(UserAuthenticator):
    """Records each AUTH attempt, credentials included, so a test can prove what went on the wire."""

    def __init__(
        self, users: Mapping[str, str], seen: list[str], failure_reply: str | None = None, drop: bool = False
    ) -> None:
        super().__init__(users)
        self.seen = seen
        self.failure_reply = failure_reply  # e.g. "454 4.7.0 Temporary authentication failure"
        self.drop = drop  # close the connection instead of answering AUTH

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
        login = getattr(auth_data, "login", b"").decode("utf-8", "replace")
        password = getattr(auth_data, "password", b"").decode("utf-8", "replace")
        self.seen.append(f"AUTH {mechanism} {login} {password}")
        if self.drop:
            server.transport.close()
        result = super().__call__(server, session, envelope, mechanism, auth_data)
        if not result.success and self.failure_reply is not None:
            from aiosmtpd.smtp import AuthResult

            return AuthResult(success=False, handled=False, message=self.failure_reply)
        return result


class CramOnlyHandler(RecordingHandler):
    """Offers CRAM-MD5 as its only AUTH mechanism (PLAIN and LOGIN are excluded by the server)."""

    async def auth_CRAM__MD5(self, server: Any, args: list[str]) -> Any:
        from aiosmtpd.smtp import AuthResult

        return AuthResult(success=False, handled=False)


class ScriptedSmtp(asyncio.Protocol):
    """Answers each command by its verb from ``replies``; ``close_after`` verbs end the session.

    ``greeting`` None closes at once (a disconnect before any reply); ``after_close`` bytes are
    written just before closing (e.g. garbage where a TLS handshake should start).
    """

    def __init__(
        self,
        greeting: bytes | None,
        replies: Mapping[str, bytes],
        close_after: Sequence[str] = (),
        after_close: bytes = b"",
    ) -> None:
        self.greeting = greeting
        self.replies = replies
        self.close_after = {v.upper() for v in close_after}
        self.after_close = after_close
        self.transport: asyncio.Transport | None = None
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        if self.greeting is None:
            transport.close()
            return
        transport.write(self.greeting)
        if "GREETING" in self.close_after:
            transport.close()

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.buffer += data
        while b"\r\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\r\n", 1)
            verb = line.split(b" ", 1)[0].decode("ascii", "replace").upper()
            self.transport.write(self.replies.get(verb, b"502 5.5.2 command not implemented\r\n"))
            if verb in self.close_after:
                if self.after_close:
                    self.transport.write(self.after_close)
                self.transport.close()
                return


class SmtpServers:
    """Start test servers; use as a context manager (stops them all)."""

    def __init__(self) -> None:
        self.loop = LoopThread("smtp-test-servers").start()
        self.tls: SandboxTls = make_sandbox_tls(NAMES)
        self.seen: list[str] = []
        self._sockets: list[socket.socket] = []

    def client_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts the servers' CA."""
        return self.tls.client_context()

    def relay(
        self,
        *,
        users: Mapping[str, str] | None = None,
        tls_context: ssl.SSLContext | bool | None = True,
        implicit_tls: bool = False,
        hide_auth: bool = False,
        mechanisms: Sequence[str] = ("PLAIN", "LOGIN"),
        handler: RecordingHandler | None = None,
        failure_reply: str | None = None,
        drop_on_auth: bool = False,
    ) -> int:
        """aiosmtpd; ``tls_context`` True uses a good certificate, None/False means no STARTTLS."""
        context = self.tls.server_context if tls_context is True else (tls_context or None)
        excluded = [m for m in ("PLAIN", "LOGIN") if m not in mechanisms]
        kwargs: dict[str, Any] = {
            "hostname": "test.localhost",
            "auth_require_tls": True,
            "auth_exclude_mechanism": excluded,
            "authenticator": RecordingAuthenticator(users or {}, self.seen, failure_reply, drop_on_auth),
        }
        if implicit_tls:
            kwargs["auth_require_tls"] = False  # TLS is already there; aiosmtpd does not see it as STARTTLS
        elif context is not None:
            kwargs["tls_context"] = context
            kwargs["require_starttls"] = True
        factory = smtp_server_factory(handler or RecordingHandler(self.seen, hide_auth=hide_auth), **kwargs)
        return self.loop.serve(factory, ssl_context=context if implicit_tls else None)

    def expired_context(self) -> ssl.SSLContext:
        now = datetime.now(timezone.utc)
        return self.tls.server_context_for(
            *NAMES, not_before=now - timedelta(days=60), not_after=now - timedelta(days=1)
        )

    def wrong_name_context(self) -> ssl.SSLContext:
        return self.tls.server_context_for("mail.other.example")

    def untrusted_context(self) -> ssl.SSLContext:
        return make_sandbox_tls(NAMES).server_context  # another CA, which the client does not trust

    def cram_only(self) -> int:
        return self.relay(mechanisms=(), handler=CramOnlyHandler(self.seen))

    def scripted(
        self,
        greeting: bytes | None,
        replies: Mapping[str, bytes] | None = None,
        close_after: Sequence[str] = (),
        after_close: bytes = b"",
    ) -> int:
        return self.loop.serve(lambda: ScriptedSmtp(greeting, replies or {}, close_after, after_close))

    def black_hole(self) -> int:
        """Accepts TCP connections (the kernel completes the handshake) and never says a word."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        self._sockets.append(sock)
        port: int = sock.getsockname()[1]
        return port

    def closed(self) -> int:
        return closed_port()

    def stop(self) -> None:
        self.loop.stop()
        for sock in self._sockets:
            sock.close()

    def __enter__(self) -> SmtpServers:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


#: The replies of a server that offers STARTTLS and then breaks the handshake.
STARTTLS_EHLO = b"250-test.localhost\r\n250-STARTTLS\r\n250 HELP\r\n"
