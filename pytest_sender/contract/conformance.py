"""Run schemathesis against a live server with the contract document, and collect what it found.

Used by the project's own tests and by the contract suite in ``contracts/``; an app can point it at
its own stand-in for Sender. Needs the ``contract`` extra (schemathesis), imported on call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pytest_sender.errors import MissingExtraError, SenderError

__all__ = ["STATEFUL_CHECKS", "ConformanceProblem", "ConformanceRun", "ConformanceRunFailed", "run_conformance"]

#: Checks that follow links between operations; the contract declares none, so they stay off.
STATEFUL_CHECKS = ("use_after_free", "ensure_resource_availability")


class ConformanceRunFailed(SenderError):
    """schemathesis could not run (a broken document, an unreachable server)."""


@dataclass(frozen=True)
class ConformanceProblem:
    """One failed check on one generated request."""

    operation: str
    check: str
    title: str
    request: str

    def __str__(self) -> str:
        return f"{self.check}: {self.title} ({self.request})"


@dataclass(frozen=True)
class ConformanceRun:
    """What one run found (``problems``) and how often each check ran (``checks_run``)."""

    problems: tuple[ConformanceProblem, ...]
    checks_run: Mapping[str, int] = field(default_factory=dict)


def run_conformance(
    document: Mapping[str, Any],
    base_url: str,
    token: str,
    *,
    seed: int,
    max_examples: int,
    operation_id: str | None = None,
) -> ConformanceRun:
    """Every stateless schemathesis check, positive and negative data, against ``base_url``.

    No example database: the run is the same everywhere and writes nothing into the checkout.
    """
    try:
        import schemathesis
        from schemathesis import engine
        from schemathesis.engine import events
    except ImportError as exc:
        raise MissingExtraError("the conformance run", "contract") from exc

    config = schemathesis.Config.from_dict(
        {
            "base-url": base_url,
            "auth": {"openapi": {"bearerAuth": {"bearer": token}}},
            "generation": {"mode": "all", "max-examples": max_examples, "database": "none"},
            "phases": {"stateful": {"enabled": False}},
            "checks": {name: {"enabled": False} for name in STATEFUL_CHECKS},
            "seed": seed,
        }
    )
    schema: Any = schemathesis.openapi.from_dict(dict(document), config=config)
    if operation_id is not None:
        schema = schema.include(operation_id=operation_id)
    problems: list[ConformanceProblem] = []
    checks_run: dict[str, int] = {}
    for event in engine.from_schema(schema).execute():
        if isinstance(event, (events.NonFatalError, events.FatalError)):
            raise ConformanceRunFailed(f"schemathesis could not run: {event}")
        if not isinstance(event, events.ScenarioFinished):
            continue
        recorder = event.recorder
        for case_id, results in recorder.checks.items():
            for result in results:
                checks_run[result.name] = checks_run.get(result.name, 0) + 1
                if result.failure_info is None:
                    continue
                case = recorder.cases[case_id].value
                request = f"{case.method} {case.formatted_path} query={case.query} body={str(case.body)[:300]}"
                problems.append(
                    ConformanceProblem(recorder.label, result.name, result.failure_info.failure.title, request)
                )
    return ConformanceRun(tuple(problems), checks_run)
