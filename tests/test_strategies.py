"""pytest_sender.strategies and the contract assertions: derived from the document, valid, safe, clear."""

from __future__ import annotations

import copy
import subprocess
import sys
from typing import Any

import pytest

from pytest_sender.contract import load_contract, request_validator
from pytest_sender.contract.assertions import (
    SenderContract,
    assert_valid_send_request,
    assert_valid_template_send_request,
    email_syntax_problem,
    response_problems,
    send_request_problems,
)
from pytest_sender.errors import ContractViolation

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, Phase, find, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from pytest_sender.strategies import (  # noqa: E402
    RESERVED_DOMAINS,
    InvalidSendRequest,
    email_addresses,
    invalid_send_requests,
    is_reserved_domain,
    send_requests,
    template_send_requests,
)

FAST = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
#: find() without shrinking: the first match is enough, and shrinking a whole body is slow.
SEARCH = settings(database=None, max_examples=3000, phases=[Phase.generate])
VALID = {
    "from": {"email": "hello@example.com", "name": "Example"},
    "to": {"email": "ada@example.org"},
    "subject": "Welcome",
    "html": "<p>Hi</p>",
}


def _domain(address: str) -> str:
    return address.rpartition("@")[2]


# --- valid bodies -------------------------------------------------------------------------------------


@FAST
@given(send_requests())
def test_send_requests_are_accepted_by_the_contract_and_the_assertion(payload: dict[str, Any]) -> None:
    assert request_validator().body_errors("POST", "/message/send", payload) == {}
    assert_valid_send_request(payload)
    assert isinstance(payload["to"], dict)  # one object, never a list
    assert payload.get("html") is not None or payload.get("text") is not None


@FAST
@given(template_send_requests())
def test_template_send_requests_are_accepted_by_the_contract_and_the_assertion(payload: dict[str, Any]) -> None:
    assert request_validator().body_errors("POST", "/message/{id}/send", payload) == {}
    assert_valid_template_send_request(payload)
    assert "from" not in payload
    assert "subject" not in payload


@FAST
@given(send_requests())
def test_every_generated_address_is_at_a_reserved_domain(payload: dict[str, Any]) -> None:
    addresses = [payload["to"]["email"], payload["from"]["email"]]
    if "reply_to" in payload:
        addresses.append(payload["reply_to"]["email"])
    for address in addresses:
        assert is_reserved_domain(_domain(address)), address
        assert email_syntax_problem(address) is None, address


@pytest.mark.parametrize(
    ("description", "predicate"),
    [
        ("an IDN domain as unicode", lambda a: any(ord(c) > 127 for c in _domain(a))),
        ("an IDN domain as punycode", lambda a: "xn--" in _domain(a)),
        ("a quoted local part", lambda a: a.startswith('"')),
        ("a plus-address", lambda a: "+" in a.rpartition("@")[0] and not a.startswith('"')),
        ("a .invalid domain", lambda a: _domain(a).endswith(".invalid")),
        ("a .test domain", lambda a: _domain(a).endswith(".test")),
    ],
)
def test_addresses_cover_real_email_syntax(description: str, predicate: Any) -> None:
    found = find(email_addresses(), predicate, settings=SEARCH)
    assert email_syntax_problem(found) is None, found


@pytest.mark.parametrize("field", ["reply_to", "headers", "variables", "attachments", "html", "text"])
def test_every_optional_field_of_the_contract_is_generated(field: str) -> None:
    find(send_requests(), lambda p: field in p, settings=SEARCH)


def test_unicode_subjects_names_and_both_header_forms_are_generated() -> None:
    cfg = SEARCH
    find(send_requests(), lambda p: any(ord(c) > 0xFFFF for c in p["subject"]), settings=cfg)
    find(send_requests(), lambda p: any(ord(c) > 127 for c in p["from"]["name"]), settings=cfg)
    find(send_requests(), lambda p: isinstance(p.get("headers"), list) and p["headers"], settings=cfg)
    find(send_requests(), lambda p: isinstance(p.get("headers"), dict) and p["headers"], settings=cfg)
    at_limit = find(send_requests(), lambda p: len(p["subject"]) == 998, settings=cfg)
    assert_valid_send_request(at_limit)


def test_the_strategies_follow_the_document_limits() -> None:
    document = copy.deepcopy(load_contract())
    schema = document["components"]["schemas"]["SendRequest"]["properties"]
    schema["subject"] = {"type": "string", "minLength": 1, "maxLength": 12}

    @settings(max_examples=100, deadline=None, database=None)
    @given(send_requests(document=document))
    def subjects_within_the_new_limit(payload: dict[str, Any]) -> None:
        assert 1 <= len(payload["subject"]) <= 12

    subjects_within_the_new_limit()
    case = find(
        invalid_send_requests(document=document),
        lambda c: "subject" in c.errors and "greater" in c.errors["subject"][0],
        settings=SEARCH,
    )
    assert case.errors == {"subject": ("The subject field must not be greater than 12 characters.",)}
    assert len(case.payload["subject"]) == 13


def test_a_required_field_the_strategies_do_not_know_is_refused_clearly() -> None:
    document = copy.deepcopy(load_contract())
    send = document["components"]["schemas"]["SendRequest"]
    send["properties"]["campaign_tag"] = {"type": "integer"}
    send["required"] = [*send["required"], "campaign_tag"]
    with pytest.raises(LookupError, match="do not know the contract's field 'campaign_tag'"):
        send_requests(document=document).example()


def test_reserved_domains_are_exactly_the_rfc_2606_and_6761_names() -> None:
    assert set(RESERVED_DOMAINS) == {"example.com", "example.org", "example.net", "test", "example", "invalid"}
    assert is_reserved_domain("mail.example.com")
    assert is_reserved_domain("bücher.test")
    assert not is_reserved_domain("example.co")
    assert not is_reserved_domain("notexample.com")
    assert not is_reserved_domain("gmail.com")


# --- invalid bodies -----------------------------------------------------------------------------------


@FAST
@given(invalid_send_requests())
def test_invalid_send_requests_predict_the_sandbox_validators_field_errors(case: InvalidSendRequest) -> None:
    errors = request_validator().body_errors("POST", "/message/send", case.payload)
    assert {field: tuple(texts) for field, texts in errors.items()} == case.errors
    with pytest.raises(ContractViolation):
        assert_valid_send_request(case.payload)


@FAST
@given(invalid_send_requests(template=True))
def test_invalid_template_send_requests_predict_the_field_errors(case: InvalidSendRequest) -> None:
    errors = request_validator().body_errors("POST", "/message/{id}/send", case.payload)
    assert {field: tuple(texts) for field, texts in errors.items()} == case.errors


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("to", "The to field must be an object."),
        ("from.name", "The from.name field is required."),
        ("html", "The html field is required when text is not present."),
        ("to.email", "The to.email field must be a valid email address."),
        ("subject", "The subject field must be a string."),
        ("headers", "The headers field is invalid."),
        ("attachments.invoice", "The attachments.invoice field must be a string."),
    ],
)
def test_the_classic_mistakes_are_among_the_invalid_cases(field: str, text: str) -> None:
    case = find(invalid_send_requests(), lambda c: c.errors.get(field) == (text,), settings=SEARCH)
    payload, errors = case  # it unpacks like the (payload, errors) pair it is
    assert errors == {field: (text,)}
    assert request_validator().body_errors("POST", "/message/send", payload) == {field: [text]}


# --- assert_valid_send_request ------------------------------------------------------------------------


def _violation(payload: object, *, template: bool = False) -> str:
    check = assert_valid_template_send_request if template else assert_valid_send_request
    with pytest.raises(ContractViolation) as excinfo:
        check(payload)
    assert isinstance(excinfo.value, AssertionError)  # pytest shows it as a plain assertion failure
    return str(excinfo.value)


def test_to_as_an_array_names_the_field_what_was_expected_and_the_fix() -> None:
    message = _violation({**VALID, "to": [{"email": "a@example.org"}, {"email": "b@example.org"}]})
    assert "`to`: must be one object, not an array (found a list of 2)" in message
    assert 'fix: send one request per recipient: "to": {"email": "ada@example.org", "name": "Ada"}' in message


def test_each_problem_of_a_badly_built_body_is_named_once() -> None:
    message = _violation(
        {
            "from": {"email": "hello@example.com"},
            "to": {"email": "ada@example.org"},
            "subject": "",
            "html_body": "<p>Hi</p>",
        }
    )
    assert message.startswith("the send request breaks Sender's contract (4 problems):")
    assert "`from.name`: is required (missing)" in message
    assert "Sender requires" in message
    assert "`subject`: must not be empty" in message
    assert "`html`: at least one of `html` / `text` is required (none given)" in message
    assert "`html_body`: is not a field of the contract; Sender ignores it" in message
    assert "fix: rename it to `html`" in message


def test_from_as_a_string_and_a_missing_recipient() -> None:
    message = _violation({"from": "Example <hello@example.com>", "subject": "Hi", "text": "x"})
    assert '`from`: must be an object (found a string: "Example <hello@example.com>")' in message
    assert 'fix: split it into an object: "from": {"email": "hello@example.com", "name": "Example"}' in message
    assert "`to`: is required (missing)" in message
    assert "recipient_email is deprecated" in message


def test_an_address_with_an_unquoted_space_is_named_with_the_quoting_fix() -> None:
    message = _violation({**VALID, "to": {"email": "ada lovelace@example.org"}})
    assert "`to.email`: must be a valid e-mail address: the part before @ needs quoting" in message
    assert '"ada smith"@example.org' in message
    assert_valid_send_request({**VALID, "to": {"email": '"ada lovelace"@example.org'}})


def test_a_template_body_is_checked_against_the_template_operation() -> None:
    assert_valid_template_send_request({"to": {"email": "ada@example.org"}, "variables": {"name": "Ada"}})
    message = _violation({"to": {"email": "ada@example.org"}, "variables": {"order": {"id": 1}}}, template=True)
    assert "`variables.order`: must be a string or a number or true or false" in message


def test_headers_in_neither_documented_form_name_both_forms() -> None:
    message = _violation({**VALID, "headers": "X-Campaign: spring"})
    assert '`headers`: must be an object of header names to values, or a list of {"name", "value"} objects' in message
    assert 'fix: send e.g. "headers": {"X-Campaign": "spring"}' in message
    assert_valid_send_request({**VALID, "headers": [{"name": "X-Campaign", "value": "spring"}]})


def test_a_body_that_is_not_an_object_is_refused() -> None:
    message = _violation(["not", "an", "object"])
    assert "`body`: must be one object, not an array (found a list of 3)" in message


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("ada@example.org", None),
        ("ada+orders@example.org", None),
        ('"ada lovelace"@example.org', None),
        ("ada@bücher.example", None),
        ("ada@xn--bcher-kva.example", None),
        ("ada@[192.0.2.1]", None),
        ("ada.example.org", "it has no @"),
        ("@example.org", "the part before @ is empty"),
        ("ada@", "the domain after @ is empty"),
        ("ada..lovelace@example.org", "the part before @ needs quoting (spaces, double dots or special characters)"),
        ("a" * 65 + "@example.org", "the part before @ is longer than 64 octets"),
        ("ada@localhost", "the domain has no dot (a bare host name cannot receive mail from Sender)"),
        ("ada@exa_mple.org", "the domain is not a valid (internationalised) domain name"),
    ],
)
def test_email_syntax(address: str, reason: str | None) -> None:
    result = email_syntax_problem(address)
    assert (result is None) == (reason is None), result
    assert (result or "").startswith(reason or ""), result


# --- answers ------------------------------------------------------------------------------------------

JSON = {"content-type": "application/json"}


def test_a_200_without_an_email_id_breaks_the_contract() -> None:
    problems = response_problems("POST", "/message/send", 200, JSON, b'{"success": true, "message": "Email sent"}')
    assert problems == ["HTTP 200 from POST /message/send: `body` 'emailId' is a required property"]
    ok = b'{"success": true, "message": "Email sent", "emailId": "ep2W4y-1"}'
    assert response_problems("POST", "/message/send", 200, JSON, ok) == []


def test_a_422_of_the_wrong_shape_breaks_the_contract() -> None:
    problems = response_problems("POST", "/message/send", 422, JSON, b'{"error": "invalid"}')
    assert "HTTP 422 from POST /message/send: `body` 'errors' is a required property" in problems
    good = b'{"message": "The given data was invalid.", "errors": {"to": ["The to field must be an object."]}}'
    assert response_problems("POST", "/message/send", 422, JSON, good) == []


def test_an_undocumented_status_a_non_json_answer_and_an_unknown_operation() -> None:
    assert response_problems("POST", "/message/send", 302, {}, b"") == [
        "HTTP 302 is not an answer the contract documents for POST /message/send "
        "(documented: 200, 201, 400, 401, 404, 415, 422, 429, 5XX)"
    ]
    assert response_problems("POST", "/message/send", 503, {"content-type": "text/html"}, b"<h1>down</h1>") == []
    assert response_problems("POST", "/message/send", 401, {"content-type": "text/html"}, b"<h1>no</h1>") == [
        "HTTP 401 from POST /message/send is text/html, the contract says application/json"
    ]
    with pytest.raises(LookupError, match="no operation DELETE /message/send"):
        response_problems("DELETE", "/message/send", 200, JSON, b"{}")


def test_the_sender_contract_object_bundles_document_and_checks() -> None:
    contract = SenderContract()
    assert contract.document is load_contract()
    contract.assert_valid_send_request(VALID)
    assert [p.field for p in contract.send_request_problems({**VALID, "to": []})] == ["to"]
    with pytest.raises(ContractViolation, match="emailId"):
        contract.assert_valid_response("POST", "/message/send", 200, JSON, b'{"success": true, "message": ""}')
    assert "SenderContract" in repr(contract)


def test_problems_of_a_payload_are_data() -> None:
    (problem,) = send_request_problems({**VALID, "to": "ada@example.org"})
    assert (problem.field, problem.expected) == ("to", "must be an object")
    assert problem.fix == 'wrap the address in an object: "to": {"email": "ada@example.org"}'


# --- the extra and the plugin's load path --------------------------------------------------------------


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)


def test_without_hypothesis_importing_the_strategies_names_the_extra() -> None:
    result = _run(
        "import sys; sys.modules['hypothesis'] = None\n"
        "try:\n    import pytest_sender.strategies\n"
        "except ImportError as exc:\n    print(type(exc).__name__, exc)\n"
    )
    assert result.stdout.startswith("MissingExtraError hypothesis strategies needs"), result.stderr
    assert 'pip install "pytest-sender[contract] @ git+https://' in result.stdout


def test_the_plugin_and_the_contract_helpers_do_not_import_hypothesis() -> None:
    result = _run(
        "import sys, pytest_sender.plugin, pytest_sender.contract.assertions\n"
        "print(sorted(m for m in ('hypothesis', 'schemathesis', 'pytest_sender.strategies') if m in sys.modules))"
    )
    assert result.stdout.strip() == "[]", result.stderr


def test_st_is_importable_for_users_composing_strategies() -> None:
    # The public strategies compose like any hypothesis strategy.
    pair = st.tuples(send_requests(), template_send_requests())
    first, second = find(pair, lambda p: True, settings=SEARCH)
    assert "from" in first
    assert "to" in second
