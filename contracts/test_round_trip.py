"""(b) Every strategy case round-trips through the client and the sandbox with the expected outcome.

Valid bodies from :mod:`pytest_sender.strategies` are sent with :class:`~pytest_sender.api.SenderClient`
and must come back ``Sent`` with an emailId that names the message in the sandbox's outbox; invalid
bodies must come back ``Invalid`` (422) with exactly the field errors the strategy predicted. Every
body is also checked with ``assert_valid_send_request`` first, so the assertion helper and the
strategies agree.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from pytest_sender.api import Address, Invalid, SenderClient, Sent
from pytest_sender.api.classify import SEND_TEMPLATE, classify_answer
from pytest_sender.api.transport import HttpAnswer
from pytest_sender.contract.assertions import (
    assert_valid_send_request,
    assert_valid_template_send_request,
    send_request_problems,
)
from pytest_sender.sandbox.api_server import DEFAULT_TEMPLATES, ApiSandbox

hypothesis = pytest.importorskip("hypothesis", reason='needs the contract extra: pip install "pytest-sender[contract]"')
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

from pytest_sender.strategies import (  # noqa: E402
    InvalidSendRequest,
    invalid_send_requests,
    is_reserved_domain,
    send_requests,
    template_send_requests,
)

TEMPLATE_ID = DEFAULT_TEMPLATES[0].id
#: Each case is one loopback request; the suite stays within seconds. No shrinking: a contract break is
#: usually systematic, the first failing case shows it, and shrinking a whole body costs seconds.
SUITE_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _sent_message(sandbox: ApiSandbox, email_id: str) -> Any:
    records = [m for m in sandbox.outbox.messages() if m.email_id == email_id]
    assert len(records) == 1, f"the emailId {email_id!r} names {len(records)} messages in the outbox"
    return records[0]


@SUITE_SETTINGS
@given(payload=send_requests())
def test_every_valid_send_request_is_sent(
    contract_client: SenderClient, contract_sandbox: ApiSandbox, payload: dict[str, Any]
) -> None:
    assert_valid_send_request(payload)
    assert is_reserved_domain(payload["to"]["email"].rpartition("@")[2])
    outcome = contract_client.send_payload(payload)
    assert isinstance(outcome, Sent), f"{outcome.code}: {outcome.evidence}"
    assert outcome.email_id, f"the sandbox accepted the send without an emailId: {outcome.evidence}"
    record = _sent_message(contract_sandbox, outcome.email_id)
    assert record.request == payload  # what arrived is what was sent
    assert record.to == (payload["to"]["email"],)


@SUITE_SETTINGS
@given(payload=template_send_requests())
def test_every_valid_template_send_request_is_sent(
    contract_client: SenderClient, contract_sandbox: ApiSandbox, payload: dict[str, Any]
) -> None:
    assert_valid_template_send_request(payload)
    headers = payload.get("headers")
    if isinstance(headers, list):  # the client takes headers as a mapping; the list form goes as a mapping
        headers = {entry["name"]: entry["value"] for entry in headers}
    to = Address(payload["to"]["email"], payload["to"].get("name"))
    outcome = contract_client.send_template(
        TEMPLATE_ID,
        to,
        variables=payload.get("variables"),
        html=payload.get("html"),
        text=payload.get("text"),
        headers=headers,
        attachments=payload.get("attachments"),
    )
    assert isinstance(outcome, Sent), f"{outcome.code}: {outcome.evidence}"
    assert outcome.email_id
    record = _sent_message(contract_sandbox, outcome.email_id)
    assert record.template_id == TEMPLATE_ID
    assert record.to == (payload["to"]["email"],)


def _assert_invalid(outcome: object, case: InvalidSendRequest) -> None:
    assert isinstance(outcome, Invalid), f"{case.payload!r} was not refused with 422: {outcome}"
    assert dict(outcome.errors) == case.errors
    assert outcome.code == "API_SEND_INVALID"


@SUITE_SETTINGS
@given(case=invalid_send_requests())
def test_every_invalid_send_request_gets_the_predicted_field_errors(
    contract_client: SenderClient, case: InvalidSendRequest
) -> None:
    # The assertion helper names the same fields the API will (it may name more: e-mail syntax).
    named = {problem.field for problem in send_request_problems(case.payload)}
    assert set(case.errors) <= named
    _assert_invalid(contract_client.send_payload(case.payload), case)


@SUITE_SETTINGS
@given(case=invalid_send_requests(template=True))
def test_every_invalid_template_send_request_gets_the_predicted_field_errors(
    contract_http: httpx.Client, case: InvalidSendRequest
) -> None:
    with pytest.raises(AssertionError):
        assert_valid_template_send_request(case.payload)
    # The client builds template bodies from typed arguments, which cannot express these mistakes: the
    # body goes as it is, and the answer through the client's own classification.
    response = contract_http.post(
        f"message/{TEMPLATE_ID}/send",
        content=json.dumps(case.payload).encode(),
        headers={"Content-Type": "application/json"},
    )
    url = str(response.request.url)
    answer = HttpAnswer(
        method="POST",
        url=url,
        status=response.status_code,
        headers={k.lower(): v for k, v in response.headers.items()},
        body=response.content,
    )
    _assert_invalid(classify_answer(SEND_TEMPLATE, answer, template_id=TEMPLATE_ID), case)
