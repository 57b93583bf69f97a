"""dns.mx-tls (opt-in, ``--sender-mx-tls``): STARTTLS and the certificate on port 25 of each MX host.

Replies and bounces to a sending domain travel to its MX hosts; this check connects to each the
way a delivering server does and says whether mail to it can travel over verified TLS: STARTTLS
offered, a certificate that verifies and is valid for the MX host name. It is off by default
(``MXTLS_DISABLED``), because many networks block outbound port 25.

The layers are the project's own: the MX answer comes from the run's one resolver
(:func:`~pytest_sender.dns.checks.shared_resolver`, so the same cached answer dns.mx and
dns.mta-sts read) and is classified by :func:`~pytest_sender.dns.mx.evaluate_mx`; each MX host is
resolved through the same resolver and probed with the SMTP probe
(:func:`~pytest_sender.smtp.probe.probe_smtp_port`) at its address, with the certificate checked
against the MX host name (``server_hostname``). A host is probed once per run however many
domains share it. :func:`classify_mx_probe` and :func:`evaluate_mx_tls` are pure.

``RunParts.mx_smtp_port`` replaces port 25 and ``RunParts.mx_ca_pem`` replaces the system's CAs
(the sandbox's relay, a test's loopback server).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from pytest_sender.dns.checks import (
    _domain_check,
    _domain_nxdomain,
    _not_found,
    domain_targets,
    fault_finding,
    shared_resolver,
)
from pytest_sender.dns.mx import evaluate_mx, parse_mx_records
from pytest_sender.dns.query import DnsAnswer, Resolver, to_ascii_name
from pytest_sender.errors import InvalidArgument, ParseError
from pytest_sender.findings import Finding
from pytest_sender.hints import make_finding
from pytest_sender.preflight.registry import CheckContext, CheckSpec
from pytest_sender.smtp.probe import Outcome, PortProbe, Stage, make_tls_context, probe_smtp_port

__all__ = [
    "CHECK",
    "CHECKS",
    "MAX_MX_HOSTS",
    "MX_PORT",
    "MxHostResult",
    "check_mx_tls",
    "classify_mx_probe",
    "evaluate_mx_tls",
]

CHECK = "dns.mx-tls"
#: The port delivering servers connect to (RunParts.mx_smtp_port replaces it).
MX_PORT = 25
#: At most this many MX hosts are probed per domain (by preference); the rest are named in the evidence.
MAX_MX_HOSTS = 10

#: What went wrong with one host, in the order a finding reports it (the first kind present wins),
#: with its code. "ok" hosts are not at fault.
_KIND_CODES: tuple[tuple[str, str], ...] = (
    ("no-starttls", "MXTLS_NO_STARTTLS"),
    ("name-mismatch", "MXTLS_NAME_MISMATCH"),
    ("expired", "MXTLS_EXPIRED"),
    ("cert-invalid", "MXTLS_CERT_INVALID"),
    ("unreachable", "MXTLS_UNREACHABLE"),
)
_NAMES_NOT_SHOWN = "names not shown (the certificate could not be fetched)"
_CERT_KINDS = {
    Outcome.CERT_WRONG_NAME: "name-mismatch",
    Outcome.CERT_EXPIRED: "expired",
    Outcome.CERT_UNTRUSTED: "cert-invalid",
    Outcome.TLS_HANDSHAKE_FAILED: "cert-invalid",
}


@dataclass(frozen=True)
class MxHostResult:
    """One MX host: ``kind`` is ``"ok"`` or one of the problems of ``_KIND_CODES``; ``probe`` is None
    when the host could not be probed (no address), ``detail`` says why."""

    host: str
    kind: str
    detail: str = ""
    address: str = ""
    probe: PortProbe | None = None

    def evidence(self) -> list[str]:
        where = f" at {self.address}" if self.address else ""
        lines = [f"MX host {self.host}{where}: {self.kind}" + (f" ({self.detail})" if self.detail else "")]
        if self.probe is not None:
            lines += [f"  {line}" for line in self.probe.evidence()]
        return lines


# --- pure ------------------------------------------------------------------------------------------


def classify_mx_probe(probe: PortProbe) -> str:
    """The kind of one MX host's probe: TLS verified (whatever came after it: an MX host offers no
    AUTH), no STARTTLS (not offered, or refused when asked), a certificate problem, or unreachable
    (refused, timed out, dropped or turned away before TLS)."""
    if probe.tls_version is not None:
        return "ok"
    if probe.outcome is Outcome.NO_STARTTLS or (
        probe.outcome is Outcome.UNEXPECTED_REPLY and probe.stage is Stage.STARTTLS
    ):
        return "no-starttls"
    return _CERT_KINDS.get(probe.outcome, "unreachable")


def evaluate_mx_tls(results: Sequence[MxHostResult]) -> tuple[str, tuple[MxHostResult, ...]]:
    """The finding code for the hosts' results and the hosts it names (at fault, or all when OK)."""
    for kind, code in _KIND_CODES:
        at_fault = tuple(result for result in results if result.kind == kind)
        if at_fault:
            return code, at_fault
    return "MXTLS_OK", tuple(results)


# --- I/O -------------------------------------------------------------------------------------------


async def _tls_context(ca_pem: str | None) -> ssl.SSLContext:
    """The verifying client context: ``ca_pem`` INSTEAD of the system's CAs when given."""
    if not ca_pem:
        return await asyncio.to_thread(make_tls_context)  # the system store reads files: off the loop
    try:
        return ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cadata=ca_pem)
    except (ssl.SSLError, ValueError) as exc:  # a bug of the caller, not a finding about the domain
        raise InvalidArgument(f"RunParts.mx_ca_pem is not a valid PEM certificate: {exc}") from exc


async def _probe_host(
    resolver: Resolver, host: str, *, port: int, tls: ssl.SSLContext, timeout: float
) -> MxHostResult | DnsAnswer:
    """One MX host: its address through the run's resolver, then the probe (STARTTLS, the
    certificate checked against ``host``). A DNS fault is returned as its answer."""
    a, aaaa = await asyncio.gather(resolver.query(host, "A"), resolver.query(host, "AAAA"))
    addresses = [*a.records, *aaaa.records]  # IPv4 first: IPv6 is more often unroutable from here
    if not addresses:
        fault = next((answer for answer in (a, aaaa) if answer.status.is_fault), None)
        if fault is not None:
            return fault
        return MxHostResult(host, "unreachable", detail=f"no address: {a.describe()}; {aaaa.describe()}")
    address = addresses[0]
    probe = await probe_smtp_port(
        address,
        port,
        timeout=timeout,
        tls_context=tls,
        implicit_tls=False,
        server_hostname=host,
        deadline_factor=2.0,
    )
    kind = classify_mx_probe(probe)
    detail = "" if kind == "ok" else probe.detail  # what came after TLS (no AUTH on an MX) is no problem
    return MxHostResult(host, kind, detail=detail, address=address, probe=probe)


@_domain_check(CHECK)
async def check_mx_tls(context: CheckContext, domain: str) -> Finding:
    """STARTTLS and a certificate valid for the host's name on port 25 of each MX host (opt-in).

    Without a domain it is the placeholder skip of every dns check (DNS_NO_DOMAIN); with one but
    the setting off, ``MXTLS_DISABLED`` names the setting and nothing is asked or connected to.
    """
    if not context.settings.mx_tls:
        return make_finding(
            CHECK, domain, "MXTLS_DISABLED", evidence=["--sender-mx-tls is not set (default: off)"], domain=domain
        )
    resolver, timeout = await shared_resolver(context), context.settings.timeout
    parts = context.parts
    port = parts.mx_smtp_port or MX_PORT
    name = to_ascii_name(domain)
    mx = await resolver.query(name, "MX")  # the answer dns.mx asks for (one cache)
    if _domain_nxdomain(mx, name):
        return _not_found(CHECK, domain, mx)
    evidence = [mx.describe()]
    try:
        verdict = evaluate_mx(mx, mx, mx)  # MX records only: the A fallback is not tested
        preferences = parse_mx_records(mx.records) if verdict.kind == "mx" else ()
    except ParseError as exc:
        return make_finding(
            CHECK, domain, "DNS_ERROR", evidence=evidence, rdtype="MX", name=name, detail=str(exc), record="MX record"
        )
    if verdict.kind == "fault":
        return fault_finding(CHECK, domain, mx, "MX record", timeout=timeout)
    if verdict.kind != "mx" or not verdict.hosts:
        null = verdict.kind == "null"
        reason = "it publishes a null MX (MX 0 .): it receives no mail" if null else "it publishes no MX record"
        return make_finding(CHECK, domain, "MXTLS_NO_MX", evidence=evidence, domain=domain, reason=reason)
    hosts = list(dict.fromkeys(host for _, host in preferences if host != "."))
    if len(hosts) > MAX_MX_HOSTS:
        evidence.append(f"not tested (over {MAX_MX_HOSTS} MX hosts): {', '.join(hosts[MAX_MX_HOSTS:])}")
        hosts = hosts[:MAX_MX_HOSTS]
    tls = await context.shared(("dns.mx-tls.tls_context", parts.mx_ca_pem), lambda: _tls_context(parts.mx_ca_pem))

    def probe(host: str) -> Coroutine[Any, Any, MxHostResult | DnsAnswer]:
        # one probe per host and port in the run: domains that share MX hosts share the probe
        return context.shared(
            ("dns.mx-tls.probe", host, port),
            lambda: _probe_host(resolver, host, port=port, tls=tls, timeout=timeout),
        )

    outcomes = await asyncio.gather(*(probe(host) for host in hosts))
    for outcome in outcomes:
        if isinstance(outcome, DnsAnswer):
            return fault_finding(CHECK, domain, outcome, "MX host address", timeout=timeout, evidence=evidence)
    results: list[MxHostResult] = [outcome for outcome in outcomes if isinstance(outcome, MxHostResult)]
    for result in results:
        evidence += result.evidence()
    code, named = evaluate_mx_tls(results)
    first = named[0]
    params: dict[str, Any] = {
        "domain": domain,
        "hosts": ", ".join(result.host for result in named),
        "host": first.host,
        "port": port,
        "problem": first.detail or first.kind,
    }
    if code == "MXTLS_NAME_MISMATCH":
        certificate = first.probe.certificate if first.probe is not None else None
        shown = certificate is not None and certificate.names
        params["names"] = ", ".join(certificate.names) if certificate is not None and shown else _NAMES_NOT_SHOWN
    if code == "MXTLS_UNREACHABLE":
        evidence.append(f"many networks block outbound port {port}: run from one that allows it")
    return make_finding(CHECK, domain, code, evidence=evidence, **params)


CHECKS = (
    CheckSpec(
        name=CHECK,
        description="opt-in (--sender-mx-tls): port 25 of each MX host offers STARTTLS with a certificate "
        "that verifies and is valid for the MX host name",
        targets=domain_targets,
        run=check_mx_tls,
        budget_factor=6.0,  # the MX answer, the hosts' addresses, the probe (2 timeouts), the certificate fetch
    ),
)
