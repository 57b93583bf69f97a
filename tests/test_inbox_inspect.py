"""Pure inspection of an arrived message: Authentication-Results (RFC 8601), placeholders, subject, recipients."""

from __future__ import annotations

import pytest

from pytest_sender.errors import ParseError
from pytest_sender.inbox.inspect import (
    evaluate_authentication,
    find_placeholders,
    message_placeholders,
    parse_authentication_results,
    parse_message,
)

MULTIPART = (
    b"Authentication-Results: mx.inbox.test;\r\n"
    b" spf=pass smtp.mailfrom=bounce@sandbox.example;\r\n"
    b" dkim=fail (signature did not verify) header.d=sandbox.example;\r\n"
    b" dmarc=fail (p=quarantine) header.from=sandbox.example\r\n"
    b"Authentication-Results: relay.sandbox.example; spf=fail smtp.mailfrom=x@y.example\r\n"
    b"From: Sandbox <hello@sandbox.example>\r\n"
    b"To: QA <qa+smoke@inbox.test>\r\n"
    b"Subject: =?utf-8?q?Welcome=2C_{{_name_}}_run-1?=\r\n"
    b"X-Pytest-Sender-Run: run-1\r\n"
    b"Message-ID: <abc@sandbox.example>\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/alternative; boundary="b1"\r\n'
    b"\r\n"
    b"--b1\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    b"Hello {{name}}, your order {{ order.id }} ships.\r\n"
    b"--b1\r\n"
    b"Content-Type: text/html; charset=utf-8\r\n\r\n"
    b"<p>Hello {{ name }}</p>\r\n"
    b"--b1--\r\n"
)


def test_parse_message_reads_subject_recipients_bodies_and_headers() -> None:
    message = parse_message(MULTIPART)
    assert message.subject == "Welcome, {{ name }} run-1"
    assert message.to == ("qa+smoke@inbox.test",)
    assert message.from_address == "hello@sandbox.example"
    assert message.text is not None
    assert "order {{ order.id }}" in message.text
    assert message.html == "<p>Hello {{ name }}</p>"
    assert message.run_token == "run-1"
    assert message.message_id == "<abc@sandbox.example>"
    assert len(message.authentication_results) == 2
    assert message.authentication_results[0].startswith("mx.inbox.test; spf=pass")


def test_the_top_most_authentication_results_header_is_the_receivers_verdict() -> None:
    verdicts = evaluate_authentication(parse_message(MULTIPART))
    assert verdicts.authserv_id == "mx.inbox.test"
    assert verdicts.result("spf") == "pass"
    assert verdicts.result("dkim") == "fail"
    assert verdicts.result("dmarc") == "fail"


def test_a_named_authserv_id_selects_that_header() -> None:
    verdicts = evaluate_authentication(parse_message(MULTIPART), authserv_id="relay.sandbox.example")
    assert verdicts.result("spf") == "fail"
    assert verdicts.result("dkim") is None
    missing = evaluate_authentication(parse_message(MULTIPART), authserv_id="other.example")
    assert missing.verdicts == ()


def test_one_passing_dkim_signature_among_several_is_a_pass() -> None:
    verdicts = parse_authentication_results(
        "mx.example.org; dkim=fail header.d=old.example; dkim=pass header.d=sandbox.example; spf=softfail"
    )
    assert verdicts.result("dkim") == "pass"
    assert verdicts.all_results("dkim") == ["fail", "pass"]
    assert verdicts.result("spf") == "softfail"
    assert verdicts.result("dmarc") is None


def test_no_header_gives_no_verdicts_and_none_gives_none() -> None:
    plain = parse_message(b"From: a@b.example\r\nSubject: hi\r\n\r\nbody\r\n")
    assert evaluate_authentication(plain).verdicts == ()
    assert parse_authentication_results("mx.example.org; none").verdicts == ()


@pytest.mark.parametrize("value", ["", "; spf=pass", "mx.example.org; spf"])
def test_a_header_that_is_not_rfc_8601_is_a_parse_error_saying_so(value: str) -> None:
    with pytest.raises(ParseError, match="not RFC 8601"):
        parse_authentication_results(value)


def test_placeholders_are_found_in_subject_text_and_html_each_once() -> None:
    found = message_placeholders(parse_message(MULTIPART))
    assert [(p.part, p.text) for p in found] == [
        ("subject", "{{ name }}"),
        ("text", "{{name}}"),
        ("text", "{{ order.id }}"),
        ("html", "{{ name }}"),
    ]
    assert found[2].name == "order.id"


def test_rendered_text_and_lone_braces_are_not_placeholders() -> None:
    assert find_placeholders("Hello Ada, {not one} and {{", "text") == []
    assert find_placeholders(None, "html") == []
    assert [p.text for p in find_placeholders("a {{x}} b {{x}}", "text")] == ["{{x}}"]


@pytest.mark.parametrize("raw", [b"", b"   \r\n", b"\r\nbody only\r\n"])
def test_an_empty_or_headerless_message_is_a_parse_error(raw: bytes) -> None:
    with pytest.raises(ParseError, match=r"empty|no header"):
        parse_message(raw)
