"""Start and stop every sandbox component together, and point the settings at them.

A component is a class with ``start(scenario)``, ``stop()`` and ``settings_overrides()``. The
components are listed by import path in :data:`COMPONENTS`, so each family (API, SMTP, DNS) adds
its own without touching the others; a component is imported only when the sandbox starts.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any, Protocol

from pytest_sender.errors import SandboxError
from pytest_sender.sandbox.outbox import Outbox

__all__ = ["COMPONENTS", "INBOX_COMPONENT", "SCENARIOS", "EmbeddedSandbox", "SandboxComponent"]

#: "healthy": every preflight check passes; "broken": each check family fails with its hints.
SCENARIOS = ("healthy", "broken")

#: ``module:Class`` of each component, started in this order and stopped in reverse.
COMPONENTS: tuple[str, ...] = (
    "pytest_sender.sandbox.api_server:ApiSandboxComponent",
    "pytest_sender.sandbox.smtp_relay:SmtpSandboxComponent",
    "pytest_sender.sandbox.dns_server:DnsSandboxComponent",
    "pytest_sender.sandbox.imap_delivery:ImapDeliveryComponent",
)
#: Added for the live smoke when no inbox is configured: the sandbox's own throwaway Dovecot.
INBOX_COMPONENT = "pytest_sender.sandbox.dovecot:DovecotInboxComponent"


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

    def check_extras(self) -> dict[str, Any]:
        """What the checks need besides settings (e.g. the SMTP relay's CA), from each component
        that has an optional ``check_extras()``; passed to the preflight as ``CheckContext.extras``."""
        extras: dict[str, Any] = {}
        for component in self.components:
            provide = getattr(component, "check_extras", None)
            if provide is not None:
                extras.update(provide())
        return extras

    def __enter__(self) -> EmbeddedSandbox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
