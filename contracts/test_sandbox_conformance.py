"""(a) The sandbox keeps to the contract: schemathesis (positive and negative data) and the answers' shapes.

schemathesis generates requests for each operation from the document and checks every answer: status
codes, content types, headers and bodies against the documented schemas, valid data accepted and
invalid data rejected. The explicit tests below pin what schemathesis cannot see from the document
alone: the rate-limit headers the sandbox promises on every answer, and each documented answer's shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import pytest

from pytest_sender.contract import load_contract
from pytest_sender.contract.assertions import response_problems
from pytest_sender.contract.conformance import run_conformance
from pytest_sender.sandbox.api_server import ApiSandbox

NEEDS_EXTRA = 'needs the contract extra: pip install "pytest-sender[contract]"'
schemathesis = pytest.importorskip("schemathesis", reason=NEEDS_EXTRA)
# Imported now, at collection: events from an engine re-imported later would not match these classes.
engine = pytest.importorskip("schemathesis.engine")
events = pytest.importorskip("schemathesis.engine.events")

#: A campaign id no sandbox (and no Sender account) has.
UNKNOWN_TEMPLATE_ID = "pytestSenderNoSuchTemplate"
#: Small on purpose: the suite runs in every CI run (the project's own tests use more).
MAX_EXAMPLES = 12
SEED = 6
RATE_LIMIT_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")
#: Sender documents all three report parameters as required.
REPORT_WINDOW = {"from": "2026-11-01", "to": "2026-11-30", "period": "week"}
#: Every operation the document declares, by its operationId.
OPERATIONS = [
    operation["operationId"]
    for item in load_contract()["paths"].values()
    for method, operation in item.items()
    if isinstance(operation, dict) and "operationId" in operation
]


def run_schemathesis(sandbox: ApiSandbox, operation_id: str) -> tuple[list[str], Mapping[str, int]]:
    """schemathesis against one operation of the sandbox: the problems it found and the checks it ran."""
    run = run_conformance(
        load_contract(),
        sandbox.base_url,
        sandbox.token,
        seed=SEED,
        max_examples=MAX_EXAMPLES,
        operation_id=operation_id,
    )
    return sorted({str(problem) for problem in run.problems}), run.checks_run


def _requests(sandbox: ApiSandbox) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """One request per documented answer the sandbox can give: name -> (method, path template, httpx kwargs)."""
    token = {"Authorization": f"Bearer {sandbox.token}"}
    valid = {
        "from": {"email": "app@example.com", "name": "App"},
        "to": {"email": "ada@example.org"},
        "subject": "Hi",
        "text": "Hello",
    }
    return {
        "sent": ("POST", "/message/send", {"json": valid, "headers": token}),
        "template sent": (
            "POST",
            "/message/{id}/send",
            {
                "json": {"to": {"email": "ada@example.org"}, "variables": {"name": "Ada"}},
                "headers": token,
                "url": "/message/sbxWLC/send",
            },
        ),
        "invalid": ("POST", "/message/send", {"json": {**valid, "to": [valid["to"]]}, "headers": token}),
        "unknown template": (
            "POST",
            "/message/{id}/send",
            {
                "json": {"to": {"email": "ada@example.org"}},
                "headers": token,
                "url": f"/message/{UNKNOWN_TEMPLATE_ID}/send",
            },
        ),
        "not json": (
            "POST",
            "/message/send",
            {"content": b"to=ada", "headers": {**token, "Content-Type": "application/x-www-form-urlencoded"}},
        ),
        "token check": ("GET", "/subscribers", {"params": {"limit": "1"}, "headers": token}),
        "report": (
            "GET",
            "/transactional/{id}/report",
            {"params": REPORT_WINDOW, "headers": token, "url": "/transactional/sbxWLC/report"},
        ),
        "report without its period": (
            "GET",
            "/transactional/{id}/report",
            {
                "params": {k: v for k, v in REPORT_WINDOW.items() if k != "period"},
                "headers": token,
                "url": "/transactional/sbxWLC/report",
            },
        ),
        "unauthenticated": ("POST", "/message/send", {"json": valid, "headers": {"Authorization": "Bearer nope"}}),
    }


def _call(sandbox: ApiSandbox, method: str, path: str, kwargs: Mapping[str, Any]) -> httpx.Response:
    kwargs = dict(kwargs)
    url = sandbox.base_url + kwargs.pop("url", path)
    return httpx.request(method, url, timeout=5.0, **kwargs)


EXPECTED_STATUS = {
    "sent": 200,
    "template sent": 200,
    "invalid": 422,
    "unknown template": 404,
    "not json": 415,
    "token check": 200,
    "report": 200,
    "report without its period": 422,
    "unauthenticated": 401,
}


@pytest.mark.parametrize("name", list(EXPECTED_STATUS))
def test_each_documented_answer_has_the_documented_shape(contract_sandbox: ApiSandbox, name: str) -> None:
    method, path, kwargs = _requests(contract_sandbox)[name]
    response = _call(contract_sandbox, method, path, kwargs)
    assert response.status_code == EXPECTED_STATUS[name], response.text
    problems = response_problems(method, path, response.status_code, dict(response.headers), response.content)
    assert problems == []


@pytest.mark.parametrize("name", [n for n in EXPECTED_STATUS if n != "unauthenticated"])
def test_every_authenticated_answer_carries_the_rate_limit_headers(contract_sandbox: ApiSandbox, name: str) -> None:
    # The contract: Sender's help pages say every answer carries them; apps pace themselves by them.
    method, path, kwargs = _requests(contract_sandbox)[name]
    response = _call(contract_sandbox, method, path, kwargs)
    missing = [header for header in RATE_LIMIT_HEADERS if header not in response.headers]
    assert missing == [], f"HTTP {response.status_code} to {name!r} lacks {', '.join(missing)}"
    assert int(response.headers["x-ratelimit-remaining"]) <= int(response.headers["x-ratelimit-limit"])


def test_a_valid_send_is_answered_with_an_email_id_and_lands_in_the_outbox(contract_sandbox: ApiSandbox) -> None:
    method, path, kwargs = _requests(contract_sandbox)["sent"]
    response = _call(contract_sandbox, method, path, kwargs)
    data = response.json()
    assert response.status_code == 200
    assert data.get("success") is True
    assert data.get("emailId"), f"a 200 without an emailId: {data}"
    record = contract_sandbox.outbox.wait_for(lambda m: m.email_id == data["emailId"], timeout=2)
    assert record.to == ("ada@example.org",)


def test_the_report_answers_at_the_top_level_and_requires_its_window(contract_sandbox: ApiSandbox) -> None:
    method, path, kwargs = _requests(contract_sandbox)["report"]
    body = _call(contract_sandbox, method, path, kwargs).json()
    assert "data" not in body, "the report is not wrapped in data (Sender documents it at the top level)"
    assert isinstance(body["totals"]["sent_total"], int)
    assert all(isinstance(entry["date"], dict) for entry in body["sent"])
    method, path, kwargs = _requests(contract_sandbox)["report without its period"]
    refused = _call(contract_sandbox, method, path, kwargs).json()
    assert refused["errors"] == {"period": ["The period field is required."]}


def test_to_as_an_array_is_refused_with_a_422_naming_the_field(contract_sandbox: ApiSandbox) -> None:
    method, path, kwargs = _requests(contract_sandbox)["invalid"]
    response = _call(contract_sandbox, method, path, kwargs)
    assert response.status_code == 422, f"`to` as an array was not refused with 422: {response.status_code}"
    body = response.json()
    assert isinstance(body.get("errors"), dict)
    assert "to" in body["errors"], body


# Last: the cheap, pointed checks above fail first when something is broken.
@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_schemathesis_finds_nothing_in_the_sandbox(contract_sandbox: ApiSandbox, operation_id: str) -> None:
    problems, checks_run = run_schemathesis(contract_sandbox, operation_id)
    assert problems == [], "the sandbox breaks the contract:\n" + "\n".join(problems)
    assert contract_sandbox.app.errors == []
    # It really ran, with valid and invalid data and the checks that matter.
    for name in (
        "not_a_server_error",
        "status_code_conformance",
        "response_schema_conformance",
        "positive_data_acceptance",
        "negative_data_rejection",
    ):
        assert checks_run.get(name, 0) > 0, f"{name} did not run"
