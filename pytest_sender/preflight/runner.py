"""Run planned checks concurrently and collect one finding per (check, target).

:func:`run_preflight` is what the plugin calls; :func:`run_check` runs one registered check by
name, without pytest, through the same runner (budget, the ``CHECK_CRASHED`` safety net,
redaction).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from pytest_sender.errors import InvalidArgument
from pytest_sender.findings import Finding
from pytest_sender.hints import make_finding
from pytest_sender.preflight.registry import (
    BUILTIN_CHECK_MODULES,
    LIVE_CHECK_MODULES,
    CheckContext,
    PlannedCheck,
    RunParts,
    load_checks,
    plan_checks,
)
from pytest_sender.settings import Settings

__all__ = ["MAX_RUNNING_CHECKS", "run_check", "run_checks", "run_preflight"]

#: Checks in progress at once. A check's budget starts when it starts, so a fleet's tens of
#: thousands of checks must not all start at once: the last ones would spend their budget waiting
#: for the event loop, and time out although each answer came back quickly.
MAX_RUNNING_CHECKS = 1024


async def _run_one(planned: PlannedCheck, context: CheckContext) -> Finding:
    spec, target = planned.spec, planned.target
    budget = context.settings.timeout * spec.budget_factor
    started = time.perf_counter()
    try:
        finding = await asyncio.wait_for(spec.run(context, target), timeout=budget)
    except asyncio.TimeoutError:
        finding = make_finding(
            spec.name,
            target,
            "CHECK_TIMED_OUT",
            check_name=spec.name,
            seconds=budget,
            evidence=[f"budget: {budget:g} s ({spec.budget_factor:g} x the {context.settings.timeout:g} s timeout)"],
        )
    except Exception as exc:  # a bug must become a finding, not abort the other checks
        finding = make_finding(
            spec.name,
            target,
            "CHECK_CRASHED",
            check_name=spec.name,
            exception=type(exc).__name__,
            evidence=[f"{type(exc).__name__}: {exc}"],
        )
    return finding.with_duration(time.perf_counter() - started)


async def run_checks(
    planned: Sequence[PlannedCheck],
    settings: Settings,
    *,
    parts: RunParts | None = None,
    context: CheckContext | None = None,
    max_running: int = MAX_RUNNING_CHECKS,
) -> list[Finding]:
    """Run the planned checks concurrently, at most ``max_running`` at a time, in plan order.

    Findings come back in plan order, secrets redacted. ``context`` is the one to share with
    earlier batches on the same event loop (an xdist worker runs its shards one after another, and
    its DNS lookups share one resolver cache); without it, a new context of ``settings`` and ``parts``.
    """
    if max_running < 1:
        raise InvalidArgument("max_running must be at least 1")
    if context is None:
        context = CheckContext(settings, parts or RunParts())
    findings: list[Finding | None] = [None] * len(planned)
    todo = iter(enumerate(planned))  # shared by the runners: each takes the next check when free

    async def runner() -> None:
        for index, check in todo:
            findings[index] = await _run_one(check, context)

    await asyncio.gather(*(runner() for _ in range(min(max_running, len(planned)))))
    secrets = settings.secrets()  # still wrapped: a traceback's locals never show a plain value
    return [f.redacted(secrets) for f in findings if f is not None]


def run_preflight(
    planned: Sequence[PlannedCheck], settings: Settings, *, parts: RunParts | None = None
) -> list[Finding]:
    """Blocking entry point: run the checks on a fresh event loop."""
    if not planned:
        return []
    return asyncio.run(run_checks(planned, settings, parts=parts))


def run_check(name: str, settings: Settings, *, parts: RunParts | None = None) -> list[Finding]:
    """Run the registered check ``name`` (``"dns.spf"``, ``"api.token"``, ...) for each of its targets.

    Blocking, without pytest: ``run_check("dns.spf", resolve_settings(env=os.environ))``. The
    built-in, live and entry-point checks are known; an unknown name is :class:`InvalidArgument`.
    """
    specs = [spec for spec in load_checks(BUILTIN_CHECK_MODULES + LIVE_CHECK_MODULES) if spec.name == name]
    if not specs:
        raise InvalidArgument(f"no preflight check is named {name!r}")
    return run_preflight(plan_checks(settings, specs), settings, parts=parts)
