"""The SMTP probe: what one relay port does from here, and whether the credentials authenticate.

Layers:

* I/O: :func:`probe_smtp_port` (connect, banner, EHLO, STARTTLS or implicit TLS with certificate
  verification, EHLO again, QUIT), :func:`fetch_certificate` (only after a certificate failure, to
  show what the server presented) and :func:`query_smtp_auth` (AUTH PLAIN or LOGIN, then QUIT;
  never MAIL FROM, so nothing is ever sent).
* Pure: :func:`parse_ehlo`, :func:`parse_certificate`, :func:`classify_probe_error`,
  :func:`classify_tls_error`, :func:`usable_auth_mechanisms`.

The client is aiosmtplib rather than smtplib in a thread or hand-written asyncio streams: it is
asyncio-native (all ports are probed at once in the preflight loop), keeps connect timeouts apart
from read timeouts (a port that drops packets vs one that accepts and never greets), raises the
greeting's reply code (421) as an exception of its own, and keeps the ``ssl`` error as the cause of
its own errors, so certificate failures can be told apart by their OpenSSL verify code.
"""

from __future__ import annotations

import asyncio
import enum
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pytest_sender.errors import ParseError

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence
    from datetime import datetime

    import aiosmtplib

    from pytest_sender.settings import Secret

__all__ = [
    "IMPLICIT_TLS_PORTS",
    "SENDER_RELAY_PORTS",
    "USABLE_AUTH_MECHANISMS",
    "AuthAttempt",
    "AuthOutcome",
    "CertificateFacts",
    "EhloInfo",
    "Outcome",
    "PortProbe",
    "Reply",
    "Stage",
    "classify_probe_error",
    "classify_tls_error",
    "fetch_certificate",
    "make_tls_context",
    "parse_certificate",
    "parse_ehlo",
    "probe_smtp_port",
    "query_smtp_auth",
    "usable_auth_mechanisms",
]

#: Ports where TLS starts before the greeting (RFC 8314 submissions); every other port uses STARTTLS.
IMPLICIT_TLS_PORTS = frozenset({465})
#: The ports Sender's guide lists for its relay, in the order worth trying.
SENDER_RELAY_PORTS = (587, 2525, 25)
#: The AUTH mechanisms the plugin (and most mail libraries) can use, in order of preference.
USABLE_AUTH_MECHANISMS = ("PLAIN", "LOGIN")

# OpenSSL X509 verify codes (x509_vfy.h) that name the certificate's problem.
_X509_NOT_YET_VALID = 9
_X509_EXPIRED = 10
_X509_HOSTNAME_MISMATCH = 62
_X509_IP_MISMATCH = 64


class Stage(str, enum.Enum):
    """How far the SMTP dialogue got."""

    CONNECT = "TCP connect"
    BANNER = "greeting"
    EHLO = "EHLO"
    STARTTLS = "STARTTLS"
    TLS = "TLS handshake"
    EHLO_TLS = "EHLO after TLS"
    AUTH = "AUTH"
    DONE = "done"

    def __str__(self) -> str:
        return self.value


class Outcome(str, enum.Enum):
    """What a port probe found; each failure kind maps to its own finding code."""

    OK = "ok"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    CONNECT_FAILED = "connect-failed"
    SERVICE_UNAVAILABLE = "service-unavailable"
    DISCONNECTED = "disconnected"
    UNEXPECTED_REPLY = "unexpected-reply"
    TLS_HANDSHAKE_FAILED = "tls-handshake-failed"
    CERT_EXPIRED = "cert-expired"
    CERT_WRONG_NAME = "cert-wrong-name"
    CERT_UNTRUSTED = "cert-untrusted"
    NO_STARTTLS = "no-starttls"
    NO_AUTH = "no-auth"
    AUTH_UNUSABLE = "auth-unusable"

    def __str__(self) -> str:
        return self.value

    @property
    def is_certificate_problem(self) -> bool:
        return self in (Outcome.CERT_EXPIRED, Outcome.CERT_WRONG_NAME, Outcome.CERT_UNTRUSTED)


@dataclass(frozen=True)
class Reply:
    """One SMTP reply: its code and text (lines joined with ' / ')."""

    code: int
    text: str

    def __str__(self) -> str:
        return f"{self.code} {self.text}".strip()


@dataclass(frozen=True)
class EhloInfo:
    """The EHLO answer: the greeting line and the extensions (keyword upper-case → parameters)."""

    greeting: str
    extensions: Mapping[str, str] = field(default_factory=dict)

    def supports(self, keyword: str) -> bool:
        return keyword.upper() in self.extensions

    @property
    def auth_mechanisms(self) -> tuple[str, ...]:
        return tuple(self.extensions.get("AUTH", "").upper().split())

    def describe(self) -> str:
        names = [f"{k} {v}".strip() for k, v in self.extensions.items()]
        return ", ".join(names) if names else "no extensions"


@dataclass(frozen=True)
class CertificateFacts:
    """What a server certificate says, for evidence and hints."""

    subject: str
    issuer: str
    names: tuple[str, ...]
    not_before: datetime
    not_after: datetime
    self_signed: bool

    def describe(self) -> str:
        names = ", ".join(self.names) or "none"
        issuer = "self-signed" if self.self_signed else f"issued by {self.issuer}"
        return (
            f"certificate for {names} ({self.subject}), valid {self.not_before:%Y-%m-%d} to "
            f"{self.not_after:%Y-%m-%d}, {issuer}"
        )


@dataclass(frozen=True)
class PortProbe:
    """Everything one port probe observed. ``detail`` never holds a secret (no credentials are used)."""

    host: str
    port: int
    implicit_tls: bool
    outcome: Outcome
    stage: Stage
    detail: str = ""
    banner: Reply | None = None
    reply: Reply | None = None  # the reply that ended the dialogue (421, 454, ...)
    ehlo: EhloInfo | None = None  # the last EHLO answer: after TLS when TLS worked
    tls_version: str | None = None
    certificate: CertificateFacts | None = None
    elapsed_s: float = 0.0
    server_hostname: str | None = None  # the name the certificate was checked against, when not ``host``

    @property
    def works(self) -> bool:
        return self.outcome is Outcome.OK

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def auth_mechanisms(self) -> tuple[str, ...]:
        return self.ehlo.auth_mechanisms if self.ehlo is not None else ()

    @property
    def usable_mechanisms(self) -> tuple[str, ...]:
        return usable_auth_mechanisms(self.auth_mechanisms)

    def evidence(self) -> list[str]:
        mode = "implicit TLS" if self.implicit_tls else "plain, then STARTTLS"
        lines = [f"connect {self.address} ({mode})"]
        if self.banner is not None:
            lines.append(f"greeting: {self.banner}")
        if self.tls_version is not None:
            lines.append(f"TLS: {self.tls_version}, certificate verified for {self.server_hostname or self.host}")
        if self.ehlo is not None:
            after = "after TLS" if self.tls_version else "before TLS"
            lines.append(f"EHLO ({after}): {self.ehlo.describe()}")
        if self.reply is not None:
            lines.append(f"reply at the {self.stage}: {self.reply}")
        if self.outcome is not Outcome.OK and self.detail and not (self.reply and str(self.reply) in self.detail):
            lines.append(f"stopped at the {self.stage}: {self.detail}")
        if self.certificate is not None:
            lines.append(f"server presented: {self.certificate.describe()}")
        lines.append(f"took {self.elapsed_s:.2f} s")
        return lines


class AuthOutcome(str, enum.Enum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"  # 535: bad credentials
    UNEXPECTED_REPLY = "unexpected-reply"
    CONNECTION_FAILED = "connection-failed"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class AuthAttempt:
    """One AUTH attempt (never followed by MAIL FROM). ``detail`` and ``reply`` hold no secret."""

    host: str
    port: int
    mechanism: str
    outcome: AuthOutcome
    reply: Reply | None = None
    detail: str = ""
    elapsed_s: float = 0.0

    def evidence(self) -> list[str]:
        lines = [f"AUTH {self.mechanism} on {self.host}:{self.port} after TLS (credentials not shown), then QUIT"]
        if self.reply is not None:
            lines.append(f"reply: {self.reply}")
        if self.detail:
            lines.append(f"detail: {self.detail}")
        lines.append("no MAIL FROM was sent: nothing was queued or delivered")
        lines.append(f"took {self.elapsed_s:.2f} s")
        return lines


# --- pure parsing and classification ------------------------------------------------------------


def parse_ehlo(message: str) -> EhloInfo:
    """Parse the text of a 250 EHLO answer (lines without their ``250-`` prefixes).

    Accepts the obsolete ``AUTH=PLAIN LOGIN`` form too; duplicate AUTH lines are merged.
    """
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if not lines:
        raise ParseError("the EHLO answer is empty: no greeting line")
    extensions: dict[str, str] = {}
    for raw_line in lines[1:]:
        line = "AUTH " + raw_line[5:] if raw_line.upper().startswith("AUTH=") else raw_line
        keyword, _, params = line.partition(" ")
        keyword = keyword.upper()
        if not keyword.replace("-", "").isalnum():
            raise ParseError(f"EHLO extension line {line!r} does not start with a keyword")
        if keyword == "AUTH" and "AUTH" in extensions:
            merged = extensions["AUTH"].split() + [m for m in params.split() if m not in extensions["AUTH"].split()]
            extensions["AUTH"] = " ".join(merged)
        else:
            extensions[keyword] = params.strip()
    return EhloInfo(greeting=lines[0], extensions=extensions)


def usable_auth_mechanisms(offered: Sequence[str]) -> tuple[str, ...]:
    """The offered mechanisms the plugin can use, in order of preference."""
    upper = {m.upper() for m in offered}
    return tuple(m for m in USABLE_AUTH_MECHANISMS if m in upper)


def parse_certificate(der: bytes) -> CertificateFacts:
    """The facts of a DER certificate; :class:`ParseError` when it is not one."""
    from cryptography import x509

    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError as exc:
        raise ParseError(f"the server's certificate could not be parsed: {exc}") from exc
    names: list[str] = []
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        san = None
    if san is not None:
        names.extend(san.get_values_for_type(x509.DNSName))
        names.extend(str(ip) for ip in san.get_values_for_type(x509.IPAddress))
    subject = cert.subject.rfc4514_string() or "empty subject"
    return CertificateFacts(
        subject=subject,
        issuer=cert.issuer.rfc4514_string() or "empty issuer",
        names=tuple(names),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        self_signed=cert.issuer == cert.subject,
    )


def classify_tls_error(error: ssl.SSLError) -> tuple[Outcome, str]:
    """Which TLS failure an ``ssl`` error is, with OpenSSL's own words as the detail."""
    if isinstance(error, ssl.SSLCertVerificationError):
        detail = f"certificate verify failed: {error.verify_message} (X509 code {error.verify_code})"
        if error.verify_code in (_X509_EXPIRED, _X509_NOT_YET_VALID):
            return Outcome.CERT_EXPIRED, detail
        if error.verify_code in (_X509_HOSTNAME_MISMATCH, _X509_IP_MISMATCH):
            return Outcome.CERT_WRONG_NAME, detail
        return Outcome.CERT_UNTRUSTED, detail
    reason = error.reason or type(error).__name__
    return Outcome.TLS_HANDSHAKE_FAILED, f"{reason}: {error}"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def classify_probe_error(exc: BaseException, stage: Stage) -> tuple[Outcome, Stage, str, Reply | None]:
    """Map an error raised at ``stage`` to (outcome, stage where it really happened, detail, reply)."""
    import aiosmtplib

    chain = list(_chain(exc))
    detail = str(exc) or type(exc).__name__
    tls_error = next((e for e in chain if isinstance(e, ssl.SSLError)), None)
    if tls_error is not None:
        outcome, tls_detail = classify_tls_error(tls_error)
        return outcome, Stage.TLS, tls_detail, None
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        reply = Reply(exc.code, " / ".join(exc.message.splitlines()))
        if isinstance(exc, aiosmtplib.SMTPConnectResponseError):
            stage = Stage.BANNER
        if exc.code == 421 or stage is Stage.BANNER:
            return Outcome.SERVICE_UNAVAILABLE, stage, f"the server answered {reply}", reply
        return Outcome.UNEXPECTED_REPLY, stage, f"the server answered {reply}", reply
    if any(isinstance(e, TimeoutError) for e in chain):
        if isinstance(exc, aiosmtplib.SMTPConnectTimeoutError) and isinstance(
            exc.__cause__, aiosmtplib.SMTPReadTimeoutError
        ):
            stage = Stage.BANNER  # TCP connected, but no greeting came
        if stage is Stage.STARTTLS and "upgrading transport" in detail:
            stage = Stage.TLS
        return Outcome.TIMEOUT, stage, detail, None
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return Outcome.REFUSED, Stage.CONNECT, detail, None
    if any(isinstance(e, (aiosmtplib.SMTPServerDisconnected, ConnectionResetError, BrokenPipeError)) for e in chain):
        if stage is Stage.CONNECT:
            stage = Stage.BANNER  # aiosmtplib reads the greeting inside connect()
        if stage is Stage.STARTTLS and "upgrading transport" in detail:
            return Outcome.TLS_HANDSHAKE_FAILED, Stage.TLS, detail, None
        return Outcome.DISCONNECTED, stage, detail, None
    return Outcome.CONNECT_FAILED, stage, detail, None


def make_tls_context(ca_pem: str | None = None) -> ssl.SSLContext:
    """The client context: the system's trust store, plus ``ca_pem`` (the sandbox's CA) if given.

    Verification stays on (CERT_REQUIRED, host name checked) in every mode.
    """
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    if ca_pem:
        try:
            context.load_verify_locations(cadata=ca_pem)
        except ssl.SSLError as exc:
            raise ParseError(f"the extra CA certificate is not valid PEM: {exc}") from exc
    return context


# --- I/O -----------------------------------------------------------------------------------------


def _client(
    host: str,
    port: int,
    *,
    timeout: float,
    implicit_tls: bool,
    tls_context: ssl.SSLContext | None,
    local_hostname: str | None,
    validate_certs: bool = True,
) -> aiosmtplib.SMTP:
    import aiosmtplib

    return aiosmtplib.SMTP(
        hostname=host,
        port=port,
        timeout=timeout,
        use_tls=implicit_tls,
        start_tls=False,  # STARTTLS is a step of its own, so its failure is told apart
        validate_certs=validate_certs,
        tls_context=tls_context if validate_certs else None,
        # gethostname, not aiosmtplib's default getfqdn: that can block on a reverse DNS lookup.
        local_hostname=local_hostname or socket.gethostname() or "localhost",
    )


def _ssl_object(client: aiosmtplib.SMTP) -> ssl.SSLObject | None:
    obj: Any = client.get_transport_info("ssl_object")
    return obj if isinstance(obj, ssl.SSLObject | ssl.SSLSocket) else None  # type: ignore[return-value]


async def _quit_quietly(client: aiosmtplib.SMTP) -> None:
    try:
        await client.quit()
    except Exception:  # the verdict is already known; a rude goodbye changes nothing
        client.close()


@dataclass
class _ProbeProgress:
    """What the probe has seen so far; kept outside the task so a deadline cannot lose it."""

    stage: Stage = Stage.CONNECT
    banner: Reply | None = None
    ehlo: EhloInfo | None = None
    tls_version: str | None = None


async def _run_dialogue(
    client: aiosmtplib.SMTP, progress: _ProbeProgress, *, implicit_tls: bool, server_hostname: str | None
) -> Outcome:
    progress.stage = Stage.CONNECT
    greeting = await client.connect()
    progress.banner = Reply(greeting.code, " / ".join(greeting.message.splitlines()))
    if implicit_tls:
        ssl_object = _ssl_object(client)
        progress.tls_version = ssl_object.version() if ssl_object else "TLS"
    progress.stage = Stage.EHLO
    answer = await client.ehlo()
    progress.ehlo = parse_ehlo(answer.message)
    if not implicit_tls:
        if not progress.ehlo.supports("STARTTLS"):
            return Outcome.NO_STARTTLS
        progress.stage = Stage.STARTTLS
        await client.starttls(server_hostname=server_hostname)
        ssl_object = _ssl_object(client)
        progress.tls_version = ssl_object.version() if ssl_object else "TLS"
        progress.stage = Stage.EHLO_TLS
        answer = await client.ehlo()
        progress.ehlo = parse_ehlo(answer.message)
    progress.stage = Stage.AUTH
    if not progress.ehlo.auth_mechanisms:
        return Outcome.NO_AUTH
    if not usable_auth_mechanisms(progress.ehlo.auth_mechanisms):
        return Outcome.AUTH_UNUSABLE
    progress.stage = Stage.DONE
    return Outcome.OK


async def probe_smtp_port(
    host: str,
    port: int,
    *,
    timeout: float,
    tls_context: ssl.SSLContext | None = None,
    implicit_tls: bool | None = None,
    local_hostname: str | None = None,
    deadline_factor: float = 3.0,
    server_hostname: str | None = None,
) -> PortProbe:
    """Probe one port: connect, greeting, EHLO, STARTTLS (or implicit TLS), EHLO, the AUTH offer, QUIT.

    ``timeout`` bounds each step; the whole probe is bounded by ``deadline_factor * timeout``.
    ``server_hostname`` is the name sent in SNI and the certificate is verified against after
    STARTTLS, when ``host`` is not that name (an MX host's address, found through the run's
    resolver); with implicit TLS the certificate is verified against ``host``.
    Never raises for a network or protocol fault: the outcome says what happened.
    """
    import aiosmtplib

    implicit = port in IMPLICIT_TLS_PORTS if implicit_tls is None else implicit_tls
    context = tls_context if tls_context is not None else make_tls_context()
    client = _client(
        host, port, timeout=timeout, implicit_tls=implicit, tls_context=context, local_hostname=local_hostname
    )
    progress = _ProbeProgress()
    started = time.perf_counter()
    detail = ""
    reply: Reply | None = None
    try:
        outcome = await asyncio.wait_for(
            _run_dialogue(client, progress, implicit_tls=implicit, server_hostname=server_hostname),
            timeout=timeout * deadline_factor,
        )
        stage = progress.stage
    except ParseError as exc:
        client.close()
        outcome, stage, detail = Outcome.UNEXPECTED_REPLY, progress.stage, str(exc)
    except aiosmtplib.SMTPException as exc:  # its timeouts are TimeoutErrors too: classify them first
        client.close()
        outcome, stage, detail, reply = classify_probe_error(exc, progress.stage)
    except asyncio.TimeoutError:
        client.close()
        outcome, stage = Outcome.TIMEOUT, progress.stage
        detail = f"the dialogue did not finish within {timeout * deadline_factor:g} s"
    except Exception as exc:  # converted at the boundary: the outcome carries it
        client.close()
        outcome, stage, detail, reply = classify_probe_error(exc, progress.stage)
    else:
        await _quit_quietly(client)
    if outcome is Outcome.NO_STARTTLS:
        detail = "the EHLO answer does not offer STARTTLS"
    elif outcome is Outcome.NO_AUTH:
        detail = "the EHLO answer after TLS offers no AUTH"
    elif outcome is Outcome.AUTH_UNUSABLE:
        detail = f"AUTH offers only {' '.join(progress.ehlo.auth_mechanisms) if progress.ehlo else '?'}"
    certificate = None
    if outcome.is_certificate_problem:
        der = await fetch_certificate(
            host,
            port,
            implicit_tls=implicit,
            timeout=timeout,
            local_hostname=local_hostname,
            server_hostname=server_hostname,
        )
        if der is not None:
            try:
                certificate = parse_certificate(der)
            except ParseError as exc:
                detail = f"{detail}; {exc}"
    return PortProbe(
        host=host,
        port=port,
        implicit_tls=implicit,
        outcome=outcome,
        stage=stage,
        detail=detail,
        banner=progress.banner,
        reply=reply,
        ehlo=progress.ehlo,
        tls_version=progress.tls_version,
        certificate=certificate,
        elapsed_s=time.perf_counter() - started,
        server_hostname=server_hostname,
    )


async def fetch_certificate(
    host: str,
    port: int,
    *,
    implicit_tls: bool,
    timeout: float,
    local_hostname: str | None = None,
    server_hostname: str | None = None,
) -> bytes | None:
    """The certificate the server presents, fetched WITHOUT verification, for evidence only.

    Used only after verification failed, to show which names and dates the certificate has
    (``server_hostname`` is sent in SNI after STARTTLS, as the probe did). ``None`` when it cannot
    be fetched.
    """
    client = _client(
        host,
        port,
        timeout=timeout,
        implicit_tls=implicit_tls,
        tls_context=None,
        local_hostname=local_hostname,
        validate_certs=False,
    )

    async def _fetch() -> bytes | None:
        await client.connect()
        if not implicit_tls:
            await client.starttls(server_hostname=server_hostname)
        ssl_object = _ssl_object(client)
        return ssl_object.getpeercert(binary_form=True) if ssl_object else None

    try:
        return await asyncio.wait_for(_fetch(), timeout=timeout * 2)
    except Exception:  # evidence only: the verdict was made with verification on
        return None
    finally:
        client.close()


async def query_smtp_auth(
    host: str,
    port: int,
    *,
    username: Secret,
    password: Secret,
    mechanisms: Sequence[str],
    timeout: float,
    tls_context: ssl.SSLContext | None = None,
    implicit_tls: bool | None = None,
    local_hostname: str | None = None,
    deadline_factor: float = 3.0,
) -> AuthAttempt:
    """Authenticate over TLS with the first usable mechanism, then QUIT. Never sends MAIL FROM.

    The secrets are revealed only into the AUTH exchange; nothing returned or raised holds them.
    """
    import aiosmtplib

    implicit = port in IMPLICIT_TLS_PORTS if implicit_tls is None else implicit_tls
    usable = usable_auth_mechanisms(mechanisms)
    mechanism = usable[0] if usable else "PLAIN"
    context = tls_context if tls_context is not None else make_tls_context()
    client = _client(
        host, port, timeout=timeout, implicit_tls=implicit, tls_context=context, local_hostname=local_hostname
    )
    started = time.perf_counter()

    async def _authenticate() -> aiosmtplib.SMTPResponse:
        await client.connect()
        if not implicit:
            await client.starttls()
        await client.ehlo()
        if mechanism == "LOGIN":
            return await client.auth_login(username.reveal(), password.reveal())
        return await client.auth_plain(username.reveal(), password.reveal())

    def attempt(outcome: AuthOutcome, reply: Reply | None = None, detail: str = "") -> AuthAttempt:
        return AuthAttempt(
            host,
            port,
            mechanism,
            outcome,
            reply=reply,
            detail=_scrub(detail, username, password),
            elapsed_s=time.perf_counter() - started,
        )

    try:
        response = await asyncio.wait_for(_authenticate(), timeout=timeout * deadline_factor)
    except aiosmtplib.SMTPAuthenticationError as exc:
        client.close()
        reply = Reply(exc.code, _scrub(" / ".join(exc.message.splitlines()), username, password))
        outcome = AuthOutcome.REJECTED if exc.code == 535 else AuthOutcome.UNEXPECTED_REPLY
        return attempt(outcome, reply)
    except aiosmtplib.SMTPResponseException as exc:
        client.close()
        return attempt(
            AuthOutcome.UNEXPECTED_REPLY,
            Reply(exc.code, _scrub(" / ".join(exc.message.splitlines()), username, password)),
        )
    except aiosmtplib.SMTPException as exc:  # before TimeoutError: its timeouts are TimeoutErrors too
        client.close()
        outcome_kind, stage, detail, _ = classify_probe_error(exc, Stage.AUTH)
        return attempt(AuthOutcome.CONNECTION_FAILED, detail=f"{outcome_kind} at the {stage}: {detail}")
    except asyncio.TimeoutError:
        client.close()
        return attempt(AuthOutcome.CONNECTION_FAILED, detail=f"no answer within {timeout * deadline_factor:g} s")
    except Exception as exc:  # converted at the boundary; the detail never holds the secrets
        client.close()
        outcome_kind, stage, detail, _ = classify_probe_error(exc, Stage.AUTH)
        return attempt(AuthOutcome.CONNECTION_FAILED, detail=f"{outcome_kind} at the {stage}: {detail}")
    await _quit_quietly(client)
    reply = Reply(response.code, _scrub(" / ".join(response.message.splitlines()), username, password))
    return attempt(AuthOutcome.ACCEPTED, reply)


def _scrub(text: str, *secrets: Secret) -> str:
    """Remove secret values, in every encoding (AUTH puts them on the wire as base64), from ``text``."""
    from pytest_sender.findings import redact

    return redact(text, secrets)
