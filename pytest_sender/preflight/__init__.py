"""Preflight: the check registry, the run's context and the runner that executes every check concurrently."""

from __future__ import annotations

from pytest_sender.preflight.registry import (
    CheckContext,
    CheckSpec,
    PlannedCheck,
    RunParts,
    load_checks,
    plan_checks,
)
from pytest_sender.preflight.runner import run_check, run_preflight

__all__ = [
    "CheckContext",
    "CheckSpec",
    "PlannedCheck",
    "RunParts",
    "load_checks",
    "plan_checks",
    "run_check",
    "run_preflight",
]
