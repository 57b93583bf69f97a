"""The registry of preflight checks.

A check family is a module exposing ``CHECKS``, a sequence of :class:`CheckSpec`. The built-in
families are listed in :data:`BUILTIN_CHECK_MODULES`; other packages add theirs through the
``pytest_sender.checks`` entry-point group (each entry point names such a module). Nothing here
imports a family until :func:`load_checks` runs, so the plugin stays cheap when preflight is off.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, TypeVar

from pytest_sender.findings import Finding
from pytest_sender.settings import Settings

__all__ = [
    "BUILTIN_CHECK_MODULES",
    "NOT_CONFIGURED_TARGET",
    "CheckContext",
    "CheckSpec",
    "PlannedCheck",
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
    "pytest_sender.content.checks",
)

ENTRY_POINT_GROUP = "pytest_sender.checks"
#: The target of a check whose subject is not configured (it then reports what is missing).
NOT_CONFIGURED_TARGET = "not-configured"


@dataclass
class CheckContext:
    """What one preflight run shares between its checks.

    ``shared`` runs a coroutine once per key and hands every caller the same result, so checks
    that need the same lookup (an SMTP probe of all ports, a DNS answer) do it once.
    """

    settings: Settings
    extras: dict[str, Any] = field(default_factory=dict)  # injected transports/resolvers for tests
    _tasks: dict[object, asyncio.Task[Any]] = field(default_factory=dict, repr=False)

    async def shared(self, key: object, factory: Callable[[], Awaitable[T]]) -> T:
        task = self._tasks.get(key)
        if task is None:
            task = asyncio.ensure_future(factory())
            self._tasks[key] = task
        result: T = await asyncio.shield(task)
        return result


@dataclass(frozen=True)
class CheckSpec:
    """One preflight check.

    ``targets`` lists the targets for the settings (each becomes a test item
    ``sender::<name>[<target>]``); a check that is not configured returns one placeholder target
    and its ``run`` returns a ``skip`` finding naming the missing setting. ``run`` never raises
    for a network fault: it returns a finding with status ``error``.
    """

    name: str
    description: str
    targets: Callable[[Settings], Sequence[str]]
    run: Callable[[CheckContext, str], Awaitable[Finding]]
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
