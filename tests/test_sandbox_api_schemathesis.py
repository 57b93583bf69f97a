"""schemathesis against the live sandbox API, with the contract: it must find nothing.

Every check that needs no stateful links runs (status codes, content types, headers, response
schemas, positive data accepted, negative data rejected, missing headers, unsupported methods,
ignored auth, ...), in the examples, coverage and fuzzing phases, with positive and negative data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from pytest_sender.contract import load_contract
from pytest_sender.sandbox.api_server import ApiSandbox

schemathesis = pytest.importorskip("schemathesis", reason="needs pytest-sender[contract]")
# Imported now, at collection: pytester's in-process runs elsewhere in the session drop modules they
# imported first, and events from a re-imported engine would not match these classes.
engine = pytest.importorskip("schemathesis.engine")
events = pytest.importorskip("schemathesis.engine.events")

#: Checks that follow links between operations (the contract declares none) stay off.
STATEFUL_CHECKS = ("use_after_free", "ensure_resource_availability")
MAX_EXAMPLES = 25


@dataclass(frozen=True)
class Problem:
    operation: str
    check: str
    title: str
    request: str


@pytest.fixture(scope="module")
def sandbox() -> Iterator[ApiSandbox]:
    # A limit high enough that the run measures the contract, not the rate limiter.
    with ApiSandbox(rate_limit=1_000_000) as server:
        yield server


def run_schemathesis(sandbox: ApiSandbox, *, seed: int) -> tuple[list[Problem], dict[str, int]]:
    config = schemathesis.Config.from_dict({
        "base-url": sandbox.base_url,
        "auth": {"openapi": {"bearerAuth": {"bearer": sandbox.token}}},
        # No example database: the run is the same everywhere and writes nothing into the checkout.
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "database": "none"},
        "phases": {"stateful": {"enabled": False}},
        "checks": {name: {"enabled": False} for name in STATEFUL_CHECKS},
        "seed": seed,
    })
    schema = schemathesis.openapi.from_dict(load_contract(), config=config)
    problems: list[Problem] = []
    checks_run: dict[str, int] = {}
    for event in engine.from_schema(schema).execute():
        if isinstance(event, (events.NonFatalError, events.FatalError)):
            pytest.fail(f"schemathesis could not run: {event}")
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
                problems.append(Problem(recorder.label, result.name, result.failure_info.failure.title, request))
    return problems, checks_run


def test_schemathesis_finds_nothing_in_the_sandbox(sandbox: ApiSandbox) -> None:
    problems, checks_run = run_schemathesis(sandbox, seed=20261127)
    assert sandbox.app.errors == []
    assert problems == []
    # It really ran: every operation, positive and negative data, the checks that matter.
    for name in ("not_a_server_error", "status_code_conformance", "response_schema_conformance",
                 "response_headers_conformance", "positive_data_acceptance", "negative_data_rejection",
                 "content_type_conformance", "ignored_auth", "unsupported_method", "missing_required_header"):
        assert checks_run.get(name, 0) > 0, f"{name} did not run"
    requests = sandbox.requests
    assert {(r.method, r.path.split("/")[-1]) for r in requests} >= {("GET", "subscribers"), ("POST", "send")}
    statuses = {r.status for r in requests}
    assert {200, 401, 404, 422} <= statuses  # accepted, unauthenticated, unknown template, invalid
    assert len(sandbox.outbox) > 0  # valid sends were rendered into messages
