"""(c) Drift checks against Sender itself (``--sender-live``): requests that cannot send mail.

Each request is one Sender must refuse before anything is sent: a wrong token, a body without a
recipient, a campaign id no account has (with a recipient under ``.invalid``, which never receives
mail, RFC 6761). Each answer's status and shape are checked against the contract document, so a
change on Sender's side shows up here before it shows up as lost mail. Without ``--sender-live``
they skip; with it they never carry a deliverable recipient (the project's safety test checks that).
"""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest

from pytest_sender.api import NO_RETRIES, Invalid, NotFound, SenderClient, Unauthorized
from pytest_sender.api.transport import api_headers
from pytest_sender.contract.assertions import response_problems
from pytest_sender.settings import Secret

#: The only recipient a drift request names: .invalid never receives mail (RFC 6761).
UNDELIVERABLE_RECIPIENT = "drift-check@pytest-sender.invalid"
UNKNOWN_TEMPLATE_ID = "pytestSenderNoSuchTemplate"
SENDER_ADDRESS = {"email": "drift-check@pytest-sender.invalid", "name": "pytest-sender drift check"}


class DeliverableRecipientRefused(AssertionError):
    """A drift request named a recipient that could receive mail; it was not sent."""


def _post(base_url: str, token: Secret, path: str, body: dict[str, Any]) -> httpx.Response:
    recipient = body.get("to")
    if recipient is not None and not str(recipient.get("email", "")).endswith(".invalid"):
        # Drift checks must never be able to send mail: refuse before anything leaves this process.
        raise DeliverableRecipientRefused(f"drift requests name no deliverable recipient, not {recipient!r}")
    # Plain httpx, one attempt: the drift check wants Sender's raw answer, never a retry.
    return httpx.post(base_url.rstrip("/") + path, json=body, headers=api_headers(token), timeout=10.0)


def test_a_wrong_token_is_refused_with_401(live_api: tuple[str, Secret]) -> None:
    base_url, _ = live_api
    wrong = Secret(f"pytest-sender-wrong-{secrets.token_hex(8)}")
    body = {"from": SENDER_ADDRESS, "subject": "drift check", "text": "never sent"}  # and no recipient
    response = _post(base_url, wrong, "/message/send", body)
    assert response.status_code == 401, f"a wrong token was answered {response.status_code}: {response.text[:300]}"
    with SenderClient(base_url, wrong, retry=NO_RETRIES) as client:
        assert isinstance(client.check_token(), Unauthorized)


def test_a_body_without_to_gets_422_with_an_errors_object(live_api: tuple[str, Secret]) -> None:
    base_url, token = live_api
    body = {"from": SENDER_ADDRESS, "subject": "drift check", "text": "never sent"}  # no "to": nothing to send
    response = _post(base_url, token, "/message/send", body)
    assert response.status_code == 422, f"a body without `to` was answered {response.status_code}"
    assert response_problems("POST", "/message/send", 422, dict(response.headers), response.content) == []
    errors = response.json()["errors"]
    assert isinstance(errors, dict)
    assert any(field == "to" or field.startswith("to.") for field in errors), f"`to` not named in {errors}"


def test_an_unknown_template_id_is_refused(live_api: tuple[str, Secret]) -> None:
    base_url, token = live_api
    path = "/message/{id}/send"
    body = {"to": {"email": UNDELIVERABLE_RECIPIENT}}
    response = _post(base_url, token, f"/message/{UNKNOWN_TEMPLATE_ID}/send", body)
    # 404 is the documented answer; a 422 (the .invalid recipient refused first) is as safe and as useful.
    assert response.status_code in (404, 422), f"unknown template answered {response.status_code}"
    assert response_problems("POST", path, response.status_code, dict(response.headers), response.content) == []
    with SenderClient(base_url, token, retry=NO_RETRIES) as client:
        outcome = client.send_template(UNKNOWN_TEMPLATE_ID, UNDELIVERABLE_RECIPIENT)
    assert isinstance(outcome, (NotFound, Invalid)), outcome.code


def test_the_token_check_answer_has_the_documented_shape(live_api: tuple[str, Secret]) -> None:
    base_url, token = live_api
    response = httpx.get(
        base_url.rstrip("/") + "/subscribers", params={"limit": "1"}, headers=api_headers(token), timeout=10.0
    )
    assert (
        response_problems("GET", "/subscribers", response.status_code, dict(response.headers), response.content) == []
    )


def test_a_drift_request_with_a_deliverable_recipient_is_never_sent() -> None:
    # No --sender-live needed: the guard refuses before any connection is made (port 9 is discard).
    with pytest.raises(DeliverableRecipientRefused, match="no deliverable recipient"):
        _post("http://127.0.0.1:9/v2", Secret("unused"), "/message/send", {"to": {"email": "ada@gmail.com"}})
