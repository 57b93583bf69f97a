"""The OpenAPI document: valid OpenAPI 3.1, packaged, and the Sender-shaped request validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_sender.contract import CONTRACT_FILENAME, contract_path, load_contract, request_validator
from pytest_sender.contract.document import RequestValidator, _load_cached
from pytest_sender.errors import ParseError

ROOT = Path(__file__).resolve().parents[1]
VALID_SEND = {
    "from": {"email": "app@example.com", "name": "App"},
    "to": {"email": "user@example.org"},
    "subject": "Hello",
    "text": "Hi",
}


def test_the_document_is_valid_openapi_3_1() -> None:
    from openapi_spec_validator import OpenAPIV31SpecValidator

    document = load_contract()
    assert document["openapi"].startswith("3.1")
    errors = [error.message for error in OpenAPIV31SpecValidator(document).iter_errors()]
    assert errors == []


def test_the_validator_would_notice_a_broken_document() -> None:
    from openapi_spec_validator import OpenAPIV31SpecValidator

    document = {**load_contract(), "paths": {"/message/send": {"post": {"responses": {"200": {}}}}}}
    errors = [error.message for error in OpenAPIV31SpecValidator(document).iter_errors()]
    assert any("description" in message for message in errors)


def test_the_document_covers_the_documented_operations_and_answers() -> None:
    paths = load_contract()["paths"]
    assert set(paths) == {
        "/message/send",
        "/message/{id}/send",
        "/subscribers",
        # the campaign reports api.health and live.logged read (issue 8)
        "/transactional/{id}/report",
        "/transactional/{id}/sent",
        "/transactional/{id}/bounces",
        "/transactional/{id}/complaints",
    }
    send = paths["/message/send"]["post"]
    assert {"200", "201", "400", "401", "404", "422", "429", "5XX"} <= set(send["responses"])
    schemas = load_contract()["components"]["schemas"]
    assert schemas["SendRequest"]["properties"]["recipient_email"]["deprecated"] is True
    assert schemas["SendRequest"]["properties"]["to"] == {"$ref": "#/components/schemas/Address"}
    rate_limited = load_contract()["components"]["responses"]["RateLimited"]["headers"]
    assert {"Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} <= set(rate_limited)
    assert load_contract()["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_uncertain_facts_are_marked_in_the_descriptions() -> None:
    text = contract_path().read_text()
    schemas = load_contract()["components"]["schemas"]
    assert "uncertain" in schemas["Headers"]["description"]
    assert "base64://" in schemas["Attachments"]["description"]
    assert "403" in load_contract()["info"]["description"]
    assert text.count("uncertain") >= 5


def test_the_source_of_truth_is_contracts_and_the_wheel_ships_it_into_the_package() -> None:
    source = ROOT / "contracts" / CONTRACT_FILENAME
    # From a source checkout the document is read from contracts/; from an installed wheel (tox),
    # from the package, which must then hold the same document.
    assert contract_path() == source or contract_path().read_bytes() == source.read_bytes()
    assert contract_path().parent.name in ("contracts", "contract")
    pyproject = (ROOT / "pyproject.toml").read_text()
    section = pyproject.split("[tool.hatch.build.targets.wheel.force-include]", 1)[1].split("\n[", 1)[0]
    assert f'"contracts/{CONTRACT_FILENAME}" = "pytest_sender/contract/{CONTRACT_FILENAME}"' in section


def test_a_broken_document_is_a_clear_parse_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("openapi: [unclosed\n")
    with pytest.raises(ParseError, match=r"bad\.yaml is not valid YAML"):
        _load_cached(str(bad))
    not_openapi = tmp_path / "list.yaml"
    not_openapi.write_text("- 1\n- 2\n")
    with pytest.raises(ParseError, match=r"list\.yaml is not an OpenAPI document"):
        load_contract(not_openapi)
    with pytest.raises(ParseError, match="cannot read the OpenAPI document"):
        load_contract(tmp_path / "missing.yaml")


def test_a_valid_send_has_no_errors() -> None:
    assert request_validator().body_errors("POST", "/message/send", VALID_SEND) == {}


def test_missing_and_wrong_fields_are_reported_sender_style_with_dotted_names() -> None:
    errors = request_validator().body_errors(
        "POST",
        "/message/send",
        {"from": {"email": "not-an-address"}, "to": {"email": "user@example.org"}, "subject": ""},
    )
    assert errors == {
        "from.email": ["The from.email field must be a valid email address."],
        "from.name": ["The from.name field is required."],
        "html": ["The html field is required when text is not present."],
        "subject": ["The subject field is required."],
    }


def test_to_must_be_one_object_not_a_list() -> None:
    errors = request_validator().body_errors("POST", "/message/send", {**VALID_SEND, "to": [{"email": "a@b.co"}]})
    assert errors == {"to": ["The to field must be an object."]}


def test_a_body_that_is_not_an_object_is_named_as_the_body() -> None:
    assert request_validator().body_errors("POST", "/message/send", ["x"]) == {
        "body": ["The request body must be an object."]
    }


def test_headers_may_be_an_object_or_a_name_value_list_but_nothing_else() -> None:
    validator = request_validator()
    assert validator.body_errors("POST", "/message/send", {**VALID_SEND, "headers": {"X-A": "1"}}) == {}
    assert (
        validator.body_errors("POST", "/message/send", {**VALID_SEND, "headers": [{"name": "X-A", "value": "1"}]}) == {}
    )
    assert validator.body_errors("POST", "/message/send", {**VALID_SEND, "headers": "X-A: 1"}) == {
        "headers": ["The headers field is invalid."]
    }


def test_query_parameters_are_validated_as_they_arrive_as_text() -> None:
    validator = request_validator()
    assert validator.query_errors("GET", "/subscribers", {"limit": "1"}) == {}
    assert validator.query_errors("GET", "/subscribers", {"limit": "one"}) == {
        "limit": ["The limit field must be an integer."]
    }
    assert validator.query_errors("GET", "/subscribers", {"limit": " 1"}) == {
        "limit": ["The limit field must be an integer."]
    }
    assert validator.query_errors("GET", "/subscribers", {"limit": "0"}) == {
        "limit": ["The limit field must be at least 1."]
    }


def test_an_unknown_operation_is_a_lookup_error() -> None:
    with pytest.raises(LookupError, match="no operation DELETE /message/send"):
        RequestValidator(load_contract()).body_errors("DELETE", "/message/send", {})
