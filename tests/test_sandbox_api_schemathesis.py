"""schemathesis against the live sandbox API, with the contract: it must find nothing.

Every check that needs no stateful links runs (status codes, content types, headers, response
schemas, positive data accepted, negative data rejected, missing headers, unsupported methods,
ignored auth, ...), in the examples, coverage and fuzzing phases, with positive and negative data.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pytest_sender.contract import load_contract
from pytest_sender.contract.conformance import ConformanceRun, run_conformance
from pytest_sender.sandbox.api_server import ApiSandbox

schemathesis = pytest.importorskip("schemathesis", reason="needs pytest-sender[contract]")
# Imported now, at collection: pytester's in-process runs elsewhere in the session drop modules they
# imported first, and events from a re-imported engine would not match these classes.
engine = pytest.importorskip("schemathesis.engine")
events = pytest.importorskip("schemathesis.engine.events")

MAX_EXAMPLES = 25


@pytest.fixture(scope="module")
def sandbox() -> Iterator[ApiSandbox]:
    # A limit high enough that the run measures the contract, not the rate limiter.
    with ApiSandbox(rate_limit=1_000_000) as server:
        yield server


def run_schemathesis(sandbox: ApiSandbox, *, seed: int) -> ConformanceRun:
    return run_conformance(load_contract(), sandbox.base_url, sandbox.token, seed=seed, max_examples=MAX_EXAMPLES)


def test_schemathesis_finds_nothing_in_the_sandbox(sandbox: ApiSandbox) -> None:
    run = run_schemathesis(sandbox, seed=20261127)
    checks_run = run.checks_run
    assert sandbox.app.errors == []
    assert run.problems == ()
    # It really ran: every operation, positive and negative data, the checks that matter.
    for name in (
        "not_a_server_error",
        "status_code_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
        "positive_data_acceptance",
        "negative_data_rejection",
        "content_type_conformance",
        "ignored_auth",
        "unsupported_method",
        "missing_required_header",
    ):
        assert checks_run.get(name, 0) > 0, f"{name} did not run"
    requests = sandbox.requests
    assert {(r.method, r.path.split("/")[-1]) for r in requests} >= {("GET", "subscribers"), ("POST", "send")}
    statuses = {r.status for r in requests}
    assert {200, 401, 404, 422} <= statuses  # accepted, unauthenticated, unknown template, invalid
    assert len(sandbox.outbox) > 0  # valid sends were rendered into messages
