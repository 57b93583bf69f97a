"""The SMTP checks: ``smtp.port`` (one target per configured port) and ``smtp.auth``.

Every port is probed once per run, all at the same time (:meth:`CheckContext.shared`), so probing
four ports where one is a black hole takes about one timeout. A port's verdict depends on the
others: one working port means the relay works from here, so a failing port only warns and its
hint names the port that works.

Layers: :mod:`pytest_sender.smtp.probe` does the I/O; :func:`evaluate_port_probe` and
:func:`evaluate_auth_attempt` are pure; ``check_*`` return findings and never raise for a network
fault.

Test and sandbox parts (:class:`~pytest_sender.preflight.registry.RunParts`): ``smtp_ssl_context``
(an ``ssl.SSLContext``) or ``smtp_ca_pem`` (a PEM CA trusted in addition to the system's; the
sandbox hands its relay's CA here). Certificates are verified in every mode.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from pytest_sender.findings import Status
from pytest_sender.hints import make_finding
from pytest_sender.preflight.registry import CheckContext, CheckSpec
from pytest_sender.smtp.probe import (
    SENDER_RELAY_PORTS,
    AuthAttempt,
    AuthOutcome,
    Outcome,
    PortProbe,
)

if TYPE_CHECKING:
    import ssl
    from collections.abc import Awaitable, Callable, Sequence

    from pytest_sender.findings import Finding
    from pytest_sender.settings import Settings

__all__ = [
    "CHECKS",
    "CHECK_AUTH",
    "CHECK_PORT",
    "check_smtp_auth",
    "check_smtp_port",
    "evaluate_auth_attempt",
    "evaluate_port_probe",
    "port_targets",
    "probe_all_ports",
]

CHECK_PORT = "smtp.port"
CHECK_AUTH = "smtp.auth"

#: The code of each probe outcome.
PORT_CODES: dict[Outcome, str] = {
    Outcome.OK: "SMTP_PORT_OK",
    Outcome.REFUSED: "SMTP_PORT_REFUSED",
    Outcome.TIMEOUT: "SMTP_PORT_TIMEOUT",
    Outcome.CONNECT_FAILED: "SMTP_CONNECT_FAILED",
    Outcome.SERVICE_UNAVAILABLE: "SMTP_SERVICE_UNAVAILABLE",
    Outcome.DISCONNECTED: "SMTP_DISCONNECTED",
    Outcome.UNEXPECTED_REPLY: "SMTP_UNEXPECTED_REPLY",
    Outcome.TLS_HANDSHAKE_FAILED: "SMTP_TLS_HANDSHAKE_FAILED",
    Outcome.CERT_EXPIRED: "SMTP_CERT_EXPIRED",
    Outcome.CERT_WRONG_NAME: "SMTP_CERT_WRONG_NAME",
    Outcome.CERT_UNTRUSTED: "SMTP_CERT_UNTRUSTED",
    Outcome.NO_STARTTLS: "SMTP_STARTTLS_MISSING",
    Outcome.NO_AUTH: "SMTP_AUTH_NOT_OFFERED",
    Outcome.AUTH_UNUSABLE: "SMTP_AUTH_UNUSABLE",
}

#: A few words for each failure, for the one-line fix.
PROBLEM_WORDS: dict[Outcome, str] = {
    Outcome.REFUSED: "connection refused",
    Outcome.TIMEOUT: "blocked (no answer)",
    Outcome.CONNECT_FAILED: "cannot connect",
    Outcome.SERVICE_UNAVAILABLE: "server unavailable",
    Outcome.DISCONNECTED: "connection dropped",
    Outcome.UNEXPECTED_REPLY: "unexpected reply",
    Outcome.TLS_HANDSHAKE_FAILED: "TLS handshake fails",
    Outcome.CERT_EXPIRED: "certificate expired",
    Outcome.CERT_WRONG_NAME: "certificate for another name",
    Outcome.CERT_UNTRUSTED: "certificate untrusted",
    Outcome.NO_STARTTLS: "no STARTTLS",
    Outcome.NO_AUTH: "no AUTH",
    Outcome.AUTH_UNUSABLE: "no usable AUTH",
}

# The advice sentences a port's hint opens with; which one depends on the other ports.
ADVICE_USE_WORKING = (
    "{working} from here, so the relay is usable: configure the app with host {host}, "
    "port {first} ({tls}). Fix this port only if the app must use it."
)
ADVICE_TRY_UNTRIED = (
    "No probed port works from here. Sender's guide also lists {untried}: probe them too with "
    "--sender-smtp-ports {all_ports} (or SENDER_SMTP_PORTS)."
)
ADVICE_NO_PORT = "No probed port ({tried}) works from here, so the relay cannot be used from this network yet."
NO_PORT_LEFT = "none is left to try ({tried} all fail from here)"
FIX_USE_WORKING = "port {port}: {problem}; use port {first}, which works from here"
FIX_TRY_OTHERS = "port {port}: {problem}; try port {other_ports}"
FIX_NONE = "port {port}: {problem}; see the hint"


def _join(ports: Sequence[int]) -> str:
    return ", ".join(str(p) for p in ports)


def _and_join(ports: Sequence[int]) -> str:
    """'25' or '587, 2525 and 25'."""
    return str(ports[0]) if len(ports) == 1 else f"{_join(ports[:-1])} and {ports[-1]}"


def _ports_phrase(ports: Sequence[int]) -> str:
    """'port 2525' or 'ports 587, 2525 and 25'."""
    return f"port {ports[0]}" if len(ports) == 1 else f"ports {_and_join(ports)}"


#: Settings that, when set by the user (not left at their defaults), mean SMTP is in use.
SMTP_IN_USE_SETTINGS = ("smtp_host", "smtp_ports", "smtp_username")


def smtp_in_use(settings: Settings) -> bool:
    """True when the run is meant to probe SMTP: credentials set, or the host or ports chosen.

    A team that sends only through the API leaves all three unset and gets one skip per check,
    not failures from ports its CI network happens to block.
    """
    return settings.smtp_username is not None or any(name in settings.sources for name in SMTP_IN_USE_SETTINGS)


def port_targets(settings: Settings) -> list[str]:
    """One target per configured port, ``host:port``; just the host when SMTP is not in use."""
    if not smtp_in_use(settings):
        return [settings.smtp_host]
    return [f"{settings.smtp_host}:{port}" for port in settings.smtp_ports]


def _port_of(target: str) -> int:
    return int(target.rpartition(":")[2])


def _other_ports(port: int, working: Sequence[int], configured: Sequence[int]) -> list[int]:
    """Ports worth trying instead of ``port``: those that work from here, then Sender's untried ones."""
    return [*working, *(p for p in SENDER_RELAY_PORTS if p != port and p not in configured)]


def evaluate_port_probe(probe: PortProbe, all_probes: Sequence[PortProbe], *, target: str, timeout: float) -> Finding:
    """The finding for one port, knowing what the other ports did (pure)."""
    evidence = probe.evidence()
    if probe.works:
        tls = "implicit TLS" if probe.implicit_tls else "STARTTLS"
        return make_finding(
            CHECK_PORT,
            target,
            "SMTP_PORT_OK",
            evidence=evidence,
            address=probe.address,
            tls=tls,
            mechanisms=" ".join(probe.usable_mechanisms),
        )
    configured = [p.port for p in all_probes]
    working_probes = [p for p in all_probes if p.works and p.port != probe.port]
    working = [p.port for p in working_probes]
    others = _other_ports(probe.port, working, configured)
    untried = [p for p in SENDER_RELAY_PORTS if p not in configured]
    problem = PROBLEM_WORDS[probe.outcome]
    params: dict[str, Any] = {
        "address": probe.address,
        "host": probe.host,
        "port": probe.port,
        "stage": probe.stage,
        "detail": probe.detail,
        "reply": str(probe.reply) if probe.reply else "no reply",
        "timeout": timeout,
        "mechanisms": " ".join(probe.auth_mechanisms) or "none",
        "other_ports": _join(others) or NO_PORT_LEFT.format(tried=_join(configured)),
    }
    status: Status | None = None
    if working:
        status = Status.WARN  # the relay works from here through another port
        works = f"Port {working[0]} works" if len(working) == 1 else f"Ports {_and_join(working)} work"
        tls = "implicit TLS" if working_probes[0].implicit_tls else "STARTTLS"
        params["advice"] = ADVICE_USE_WORKING.format(working=works, host=probe.host, first=working[0], tls=tls)
        params["short_advice"] = FIX_USE_WORKING.format(port=probe.port, problem=problem, first=working[0])
        evidence.append(f"working port(s): {_join(working)}")
    elif untried:
        params["advice"] = ADVICE_TRY_UNTRIED.format(
            untried=_ports_phrase(untried), all_ports=",".join(str(p) for p in [*configured, *untried])
        )
        params["short_advice"] = FIX_TRY_OTHERS.format(port=probe.port, problem=problem, other_ports=_join(others))
    else:
        params["advice"] = ADVICE_NO_PORT.format(tried=_join(configured))
        params["short_advice"] = FIX_NONE.format(port=probe.port, problem=problem)
    return make_finding(CHECK_PORT, target, PORT_CODES[probe.outcome], evidence=evidence, status=status, **params)


def evaluate_auth_attempt(attempt: AuthAttempt, *, target: str) -> Finding:
    """The ``smtp.auth`` finding for one AUTH attempt (pure)."""
    evidence = attempt.evidence()
    reply = str(attempt.reply) if attempt.reply else "no reply"
    params: dict[str, Any] = {
        "host": attempt.host,
        "port": attempt.port,
        "mechanism": attempt.mechanism,
        "reply": reply,
        "detail": attempt.detail,
    }
    codes = {
        AuthOutcome.ACCEPTED: "SMTP_AUTH_OK",
        AuthOutcome.REJECTED: "SMTP_AUTH_REJECTED",
        AuthOutcome.UNEXPECTED_REPLY: "SMTP_AUTH_UNEXPECTED_REPLY",
        AuthOutcome.CONNECTION_FAILED: "SMTP_AUTH_CONNECTION_FAILED",
    }
    return make_finding(CHECK_AUTH, target, codes[attempt.outcome], evidence=evidence, **params)


# --- running -------------------------------------------------------------------------------------


async def _tls_context(context: CheckContext) -> ssl.SSLContext:
    from pytest_sender.smtp.probe import make_tls_context

    if context.parts.smtp_ssl_context is not None:
        return context.parts.smtp_ssl_context
    # Loading the system trust store reads files: once per run, off the event loop.
    return await asyncio.to_thread(make_tls_context, context.parts.smtp_ca_pem)


async def probe_all_ports(context: CheckContext) -> list[PortProbe]:
    """Every configured port's probe, run once per preflight run and all at the same time."""
    from pytest_sender.smtp.probe import probe_smtp_port

    settings = context.settings
    tls = await context.shared(("smtp.tls_context",), lambda: _tls_context(context))

    def factory(port: int) -> Callable[[], Awaitable[PortProbe]]:
        return lambda: probe_smtp_port(settings.smtp_host, port, timeout=settings.timeout, tls_context=tls)

    probes = await asyncio.gather(
        *(context.shared(("smtp.port", settings.smtp_host, port), factory(port)) for port in settings.smtp_ports)
    )
    return list(probes)


async def check_smtp_port(context: CheckContext, target: str) -> Finding:
    """The ``smtp.port`` finding for ``host:port``; never raises."""
    if not smtp_in_use(context.settings):
        return make_finding(
            CHECK_PORT,
            target,
            "SMTP_NOT_CONFIGURED",
            evidence=["SENDER_SMTP_USERNAME, SENDER_SMTP_HOST and SENDER_SMTP_PORTS are not set"],
        )
    port = _port_of(target)
    probes = await probe_all_ports(context)
    probe = next(p for p in probes if p.port == port)
    return evaluate_port_probe(probe, probes, target=target, timeout=context.settings.timeout)


async def check_smtp_auth(context: CheckContext, target: str) -> Finding:
    """The ``smtp.auth`` finding: AUTH on the first working port, then QUIT; never sends a message."""
    settings = context.settings
    if settings.smtp_username is None or settings.smtp_password is None:
        return make_finding(
            CHECK_AUTH,
            target,
            "SMTP_AUTH_NOT_CONFIGURED",
            evidence=["SENDER_SMTP_USERNAME / SENDER_SMTP_PASSWORD are not set"],
        )
    probes = await probe_all_ports(context)
    working = [p for p in probes if p.works]
    if not working:
        evidence = [f"port {p.port}: {p.outcome} at the {p.stage}" for p in probes]
        return make_finding(
            CHECK_AUTH,
            target,
            "SMTP_AUTH_NO_PORT",
            evidence=evidence,
            host=settings.smtp_host,
            ports=_join([p.port for p in probes]),
        )
    from pytest_sender.smtp.probe import query_smtp_auth

    chosen = working[0]
    tls = await context.shared(("smtp.tls_context",), lambda: _tls_context(context))
    attempt = await query_smtp_auth(
        chosen.host,
        chosen.port,
        username=settings.smtp_username,
        password=settings.smtp_password,
        mechanisms=chosen.usable_mechanisms,
        timeout=settings.timeout,
        tls_context=tls,
        implicit_tls=chosen.implicit_tls,
    )
    return evaluate_auth_attempt(attempt, target=target)


CHECKS = (
    CheckSpec(
        name=CHECK_PORT,
        description="each SMTP port: connect, greeting, EHLO, STARTTLS with a verified certificate, AUTH offered",
        targets=port_targets,
        run=check_smtp_port,
        budget_factor=6.0,  # the probe's own deadline (3 timeouts) plus fetching a bad certificate
    ),
    CheckSpec(
        name=CHECK_AUTH,
        description="the SMTP credentials authenticate (AUTH then QUIT; nothing is sent)",
        targets=lambda settings: [settings.smtp_host],
        run=check_smtp_auth,
        budget_factor=9.0,  # the port probes, then one more dialogue
    ),
)
