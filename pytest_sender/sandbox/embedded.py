"""Start and stop every sandbox component together, and point the settings at them.

A component is a class with ``start(scenario)``, ``stop()`` and ``settings_overrides()``. The
components are listed by import path in :data:`COMPONENTS`, so each family (API, SMTP, DNS) adds
its own without touching the others; a component is imported only when the sandbox starts.

What the checks take from a component besides settings is a named part of it (the relay's
``ca_pem``, the IMAP delivery's ``delivery``); :meth:`EmbeddedSandbox.run_parts` builds the run's
typed :class:`~pytest_sender.preflight.registry.RunParts` from them, field by field.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pytest_sender.errors import SandboxError
from pytest_sender.sandbox.outbox import Outbox

if TYPE_CHECKING:
    from pytest_sender.preflight.registry import RunParts

__all__ = ["COMPONENTS", "INBOX_COMPONENT", "SCENARIOS", "EmbeddedSandbox", "SandboxComponent"]

#: "healthy": every preflight check passes; "broken": each check family fails with its hints.
SCENARIOS = ("healthy", "broken")

#: ``module:Class`` of each component, started in this order and stopped in reverse.
COMPONENTS: tuple[str, ...] = (
    "pytest_sender.sandbox.api_server:ApiSandboxComponent",
    "pytest_sender.sandbox.smtp_relay:SmtpSandboxComponent",
    "pytest_sender.sandbox.dns_server:DnsSandboxComponent",
    "pytest_sender.sandbox.web_server:WebSandboxComponent",  # the MTA-STS policy over HTTPS
    "pytest_sender.sandbox.imap_delivery:ImapDeliveryComponent",
)
#: Added for the live smoke when no inbox is configured: the sandbox's own throwaway Dovecot.
INBOX_COMPONENT = "pytest_sender.sandbox.dovecot:DovecotInboxComponent"


C = TypeVar("C")


class SandboxComponent(Protocol):
    def start(self, scenario: str) -> None: ...

    def stop(self) -> None: ...

    def settings_overrides(self) -> dict[str, Any]:
        """Settings (by name) that point the checks at this component."""
        ...


def _load(path: str) -> SandboxComponent:
    module_name, _, class_name = path.partition(":")
    component: SandboxComponent = getattr(importlib.import_module(module_name), class_name)()
    return component


class EmbeddedSandbox:
    """Every sandbox component, started together on free loopback ports."""

    def __init__(
        self,
        scenario: str = "healthy",
        components: Sequence[str] = COMPONENTS,
        *,
        live: bool = False,
        own_inbox: bool = False,
    ) -> None:
        if scenario not in SCENARIOS:
            raise SandboxError(f"unknown sandbox scenario {scenario!r}; choose one of {', '.join(SCENARIOS)}")
        self.scenario = scenario
        self._paths = tuple(components) + ((INBOX_COMPONENT,) if own_inbox else ())
        self.components: list[SandboxComponent] = []
        # One outbox for every component that records messages (API, SMTP relay): a component
        # with an ``outbox`` attribute gets this instance before its start().
        self.outbox = Outbox()
        # Under --sender-live mail flows end to end: a component with a ``live`` attribute gets it
        # before its start() (the DNS publishes the signing key; credentials stay valid in "broken").
        self.live = live

    def start(self) -> EmbeddedSandbox:
        try:
            for path in self._paths:
                component = _load(path)
                if hasattr(component, "outbox"):
                    component.outbox = self.outbox
                if hasattr(component, "live"):
                    component.live = self.live
                component.start(self.scenario)
                self.components.append(component)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        while self.components:
            self.components.pop().stop()

    def settings_overrides(self) -> dict[str, Any]:
        overrides: dict[str, Any] = {}
        for component in self.components:
            overrides.update(component.settings_overrides())
        return overrides

    def component(self, kind: type[C]) -> C | None:
        """The started component of class ``kind``, or None when this sandbox does not run one."""
        return next((c for c in self.components if isinstance(c, kind)), None)

    def run_parts(self) -> RunParts:
        """The parts the checks take from the sandbox besides settings: the SMTP relay's CA (the
        checks verify TLS and trust it), the IMAP delivery the live smoke attaches to its inbox, and
        the web server's CA and port (dns.mta-sts fetches the policy there), and the relay's port and
        CA again for dns.mx-tls (the relay stands in for the zone's MX host). The DNS zone's trust
        anchor is a setting (``dnssec_trust_anchor``), so the report header shows which one is used."""
        from pytest_sender.preflight.registry import RunParts
        from pytest_sender.sandbox.dovecot import DovecotInboxComponent
        from pytest_sender.sandbox.imap_delivery import ImapDeliveryComponent
        from pytest_sender.sandbox.smtp_relay import SmtpSandboxComponent
        from pytest_sender.sandbox.web_server import WebSandboxComponent

        if not self.components:
            raise SandboxError("the sandbox is not started")
        relay = self.component(SmtpSandboxComponent)
        imap = self.component(ImapDeliveryComponent)
        inbox = self.component(DovecotInboxComponent)
        web = self.component(WebSandboxComponent)
        return RunParts(
            smtp_ca_pem=relay.ca_pem if relay is not None else None,
            imap_delivery=imap.delivery if imap is not None else None,
            inbox_ca_pem=inbox.ca_pem if inbox is not None else None,
            sandbox_inbox_unavailable=inbox.unavailable_reason if inbox is not None else None,
            fetch_ca_pem=web.ca_pem if web is not None else None,
            fetch_https_port=web.port if web is not None else None,
            mx_smtp_port=relay.port if relay is not None else None,
            mx_ca_pem=relay.ca_pem if relay is not None else None,
        )

    def __enter__(self) -> EmbeddedSandbox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
