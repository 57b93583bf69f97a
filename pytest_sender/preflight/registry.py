"""The registry of preflight checks, and the context one run hands them.

A check family is a module exposing ``CHECKS``, a sequence of :class:`CheckSpec`. The built-in
families are listed in :data:`BUILTIN_CHECK_MODULES`; other packages add theirs through the
``pytest_sender.checks`` entry-point group (each entry point names such a module). Nothing here
imports a family until :func:`load_checks` runs, so the plugin stays cheap when preflight is off.

The check contract: every registered check is ``async def check_x(context: CheckContext, target:
str) -> Finding``. It returns a finding for every outcome (a network or DNS fault is an ``error``
finding, missing configuration a ``skip``) and never raises; the runner still turns a check that
does raise into ``CHECK_CRASHED``, the safety net for a bug. A check runs without pytest too: build
a context from settings, ``asyncio.run(check_spf(CheckContext(settings), "example.com"))``, or run
a registered check by name with :func:`pytest_sender.preflight.runner.run_check`.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pytest_sender.findings import Finding
from pytest_sender.settings import Nameserver, Settings

if TYPE_CHECKING:
    import ssl

    import httpx

    from pytest_sender.dns.blocklist import Blocklist
    from pytest_sender.dns.query import Resolver
    from pytest_sender.inbox.client import InboxTarget

__all__ = [
    "BUILTIN_CHECK_MODULES",
    "LIVE_CHECK_MODULES",
    "NOT_CONFIGURED_TARGET",
    "CheckContext",
    "CheckFunction",
    "CheckSpec",
    "InboxDelivery",
    "PlannedCheck",
    "RunParts",
    "load_checks",
    "plan_checks",
]

T = TypeVar("T")

#: Modules holding the built-in check families, in report order.
BUILTIN_CHECK_MODULES: tuple[str, ...] = (
    "pytest_sender.api.checks",
    "pytest_sender.api.health_checks",
    "pytest_sender.smtp.checks",
    "pytest_sender.dns.checks",
    "pytest_sender.dns.alignment_checks",  # dns.alignment[<from address>], when --sender-from is set
    "pytest_sender.dns.transport_checks",  # dns.mta-sts, dns.tls-rpt: for servers delivering to the domain
    "pytest_sender.dns.mxtls_checks",  # dns.mx-tls (opt-in, --sender-mx-tls): STARTTLS on port 25 of each MX
    "pytest_sender.dns.bimi_checks",  # dns.bimi: the logo receivers show beside authenticated mail
    "pytest_sender.dns.dnssec_checks",  # dns.dnssec: the domain's chain of trust from the trust anchor
    "pytest_sender.content.checks",
)
#: The live smoke's checks (real sends): planned under ``--sender-live`` only.
LIVE_CHECK_MODULES: tuple[str, ...] = ("pytest_sender.live.checks",)

ENTRY_POINT_GROUP = "pytest_sender.checks"
#: The target of a check whose subject is not configured (it then reports what is missing).
NOT_CONFIGURED_TARGET = "not-configured"


class InboxDelivery(Protocol):
    """What stands in for the receiving mail server under ``--sender-sandbox``: the live smoke
    attaches it to the configured inbox before it sends, with the DNS it judges each message by."""

    def attach(self, target: InboxTarget, nameservers: Sequence[Nameserver] = (), *, timeout: float = 5.0) -> None: ...


@dataclass(frozen=True)
class RunParts:
    """What a run hands its checks besides the settings, each named once.

    Every field is optional: ``None`` means "make the usual one from the settings". The embedded
    sandbox fills the parts its components provide (:meth:`EmbeddedSandbox.run_parts
    <pytest_sender.sandbox.embedded.EmbeddedSandbox.run_parts>`); a test fills the ones that point
    the checks at its real local servers.
    """

    #: The resolver of every DNS lookup of the run (dns.*, content.lint's link domains).
    dns_resolver: Resolver | None = None
    #: The domain blocklists of dns.blocklist and content.lint (default: ``DEFAULT_BLOCKLISTS``).
    dns_blocklists: tuple[Blocklist, ...] | None = None
    #: The HTTP transport of every Sender API call (api.*, the live sends, live.logged).
    api_transport: httpx.AsyncBaseTransport | None = None
    #: The TLS context of every SMTP connection; or a PEM CA trusted besides the system's.
    smtp_ssl_context: ssl.SSLContext | None = None
    smtp_ca_pem: str | None = None
    #: The TLS context of the live smoke's IMAP connections; or a PEM CA trusted besides the system's.
    inbox_ssl_context: ssl.SSLContext | None = None
    inbox_ca_pem: str | None = None
    #: The sandbox's stand-in for the receiving server, attached to the inbox by the live smoke.
    imap_delivery: InboxDelivery | None = None
    #: live.logged's first pause between looks at the sent list, in seconds (default 0.5).
    logged_first_pause_s: float | None = None
    #: The files dns checks fetch over HTTPS (MTA-STS policy, BIMI logo): a PEM CA trusted besides the
    #: system's, and the port connected to instead of 443 (a loopback server); hosts are still
    #: resolved through ``dns_resolver`` and certificates verified against their names.
    fetch_ca_pem: str | None = None
    fetch_https_port: int | None = None
    #: dns.mx-tls's SMTP connections to the MX hosts: the port connected to instead of 25 (a loopback
    #: server), and a PEM CA trusted INSTEAD of the system's (the sandbox's, a test's); hosts are still
    #: resolved through ``dns_resolver`` and certificates verified against the MX host names.
    mx_smtp_port: int | None = None
    mx_ca_pem: str | None = None
    #: Why the sandbox could not start an inbox of its own (Dovecot absent): the live items skip with it.
    sandbox_inbox_unavailable: str | None = None


@dataclass(frozen=True)
class CheckContext:
    """What one preflight run shares between its checks: the settings, the parts, shared work.

    ``shared`` runs a coroutine once per key and hands every caller the same result, so checks
    that need the same lookup (an SMTP probe of all ports, a DNS answer) do it once.
    """

    settings: Settings
    parts: RunParts = field(default_factory=RunParts)
    _tasks: dict[object, asyncio.Task[Any]] = field(default_factory=dict, repr=False, compare=False)

    async def shared(self, key: object, factory: Callable[[], Awaitable[T]]) -> T:
        task = self._tasks.get(key)
        if task is None:
            task = asyncio.ensure_future(factory())
            self._tasks[key] = task
        elif task.done() and not task.cancelled():
            done: T = task.result()  # done already: no shield, no extra future
            return done
        result: T = await asyncio.shield(task)
        return result


#: The one signature of a registered check (see the module's docstring for its rule).
CheckFunction = Callable[[CheckContext, str], Awaitable[Finding]]


@dataclass(frozen=True)
class CheckSpec:
    """One preflight check.

    ``targets`` lists the targets for the settings (each becomes a test item
    ``sender::<name>[<target>]``); a check that is not configured returns one placeholder target
    and its ``run`` returns a ``skip`` finding naming the missing setting. ``run`` is the check
    itself, ``check_x(context, target) -> Finding``: it never raises (a network fault is a finding
    with status ``error``).
    """

    name: str
    description: str
    targets: Callable[[Settings], Sequence[str]]
    run: CheckFunction
    budget_factor: float = 3.0  # the check's time budget, in multiples of the network timeout


@dataclass(frozen=True)
class PlannedCheck:
    spec: CheckSpec
    target: str

    @property
    def node_name(self) -> str:
        return f"{self.spec.name}[{self.target}]"


def load_checks(modules: Sequence[str] = BUILTIN_CHECK_MODULES, *, plugins: bool = True) -> list[CheckSpec]:
    """Import the check families and return their checks, built-ins first."""
    names = list(modules)
    if plugins:
        names.extend(ep.value for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.value not in names)
    specs: list[CheckSpec] = []
    seen: set[str] = set()
    for module_name in names:
        module = importlib.import_module(module_name)
        for spec in getattr(module, "CHECKS", ()):
            if spec.name in seen:
                raise RuntimeError(f"two preflight checks are named {spec.name!r}")
            seen.add(spec.name)
            specs.append(spec)
    return specs


def plan_checks(settings: Settings, specs: Sequence[CheckSpec]) -> list[PlannedCheck]:
    """One planned check per (check, target), in registry order."""
    return [PlannedCheck(spec, target) for spec in specs for target in spec.targets(settings)]
