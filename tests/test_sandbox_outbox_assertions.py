"""What an app's test author sees from the outbox: assert_sent, message fields, templates, SMTP (pytester)."""

from __future__ import annotations

import pytest

NO_SLOW_PLUGINS = ("-p", "no:schemathesis", "-p", "no:hypothesispytest")

APP = """
import re
import smtplib
from email.message import EmailMessage
import httpx
import pytest

def send(sandbox, email, subject="Welcome", **extra):
    body = {"from": {"email": "app@example.com", "name": "App"}, "to": {"email": email},
            "subject": subject, "text": "Your code: 123456. Visit https://app.example/reset?t=abc",
            "html": '<p>Hi <a href="https://app.example/confirm?t=xyz">Confirm  your address</a></p>'}
    body.update(extra)
    answer = httpx.post(sandbox.base_url + "/message/send", headers={"Authorization": "Bearer " + sandbox.token},
                        json=body, timeout=5.0)
    assert answer.status_code == 200, answer.text
    return answer.json()["emailId"]

def send_template(sandbox, template, email, variables):
    answer = httpx.post(sandbox.base_url + f"/message/{template}/send",
                        headers={"Authorization": "Bearer " + sandbox.token},
                        json={"to": {"email": email}, "variables": variables}, timeout=5.0)
    assert answer.status_code == 200, answer.text

def smtp_send(relay, message):
    with smtplib.SMTP(relay.host, relay.port, timeout=5) as client:
        client.starttls(context=relay.client_context())
        client.login(relay.username, relay.password)
        client.send_message(message)

def test_assert_sent_returns_the_message_with_its_fields(sender_sandbox):
    email_id = send(sender_sandbox, "ada@example.org",
                    attachments={"invoice.pdf": "https://files.example/invoice.pdf"})
    message = sender_sandbox.assert_sent(to="ada@example.org", subject="Welcome", via="api")
    assert message.email_id == email_id
    assert (message.to, message.sender, message.via) == (("ada@example.org",), "app@example.com", "api")
    assert message.search(r"code: (\\d{6})") == "123456"
    assert [(l.href, l.text) for l in message.links] == [
        ("https://app.example/confirm?t=xyz", "Confirm your address"),
        ("https://app.example/reset?t=abc", "https://app.example/reset?t=abc"),
    ]
    (attachment,) = message.attachments
    assert (attachment.name, attachment.content_type, attachment.url) == (
        "invoice.pdf", "application/pdf", "https://files.example/invoice.pdf")
    assert message.headers["Subject"] == "Welcome"
    assert message.raw.startswith(b"") and b"Subject: Welcome" in message.raw
    assert "Confirm" in message.html and "123456" in message.text
    assert sender_sandbox.outbox.to("ADA@example.org") == [message]

def test_count_returns_a_list(sender_sandbox):
    send(sender_sandbox, "a@example.org")
    send(sender_sandbox, "b@example.org")
    assert len(sender_sandbox.assert_sent(subject="Welcome", count=2)) == 2

def test_assert_sent_fails_listing_what_was_sent(sender_sandbox):
    send(sender_sandbox, "ann@example.org", subject="Receipt")
    send(sender_sandbox, "bob@example.org", subject="Welcome")
    sender_sandbox.assert_sent(to="bob@example.org", subject="Welcom")

def test_assert_nothing_sent_fails(sender_sandbox):
    send(sender_sandbox, "ann@example.org", subject="Receipt")
    sender_sandbox.assert_nothing_sent()

def test_assert_nothing_sent_passes(sender_sandbox):
    sender_sandbox.assert_nothing_sent()

def test_wait_for_fails_the_same_way(sender_sandbox):
    send(sender_sandbox, "ann@example.org", subject="Receipt")
    sender_sandbox.outbox.wait_for(to="zed@example.org", timeout=0.1)

def test_template_variables(sender_sandbox):
    sender_sandbox.add_template("reset", subject="Reset for {{ name }}", text="Code {{ code }}, {{ name }}",
                                sender="Shop <shop@example.com>")
    send_template(sender_sandbox, "reset", "ada@example.org", {"name": "Ada", "code": "991"})
    message = sender_sandbox.assert_sent(template="reset", variables={"name": "Ada"}, rendered=True)
    assert (message.subject, message.text.strip(), message.sender) == ("Reset for Ada", "Code 991, Ada",
                                                                       "shop@example.com")
    assert message.template == "reset" and message.variables == {"name": "Ada", "code": "991"}

def test_missing_variable_stays_raw_and_rendered_fails(sender_sandbox):
    sender_sandbox.add_template("reset", subject="Reset for {{ name }}", text="Code {{ code }}")
    send_template(sender_sandbox, "reset", "ada@example.org", {"name": "Ada"})
    message = sender_sandbox.outbox.to("ada@example.org")[0]
    assert message.text.strip() == "Code {{ code }}" and message.placeholders == ["code"]
    sender_sandbox.assert_sent(template="reset", rendered=True)

def test_smtp_messages_have_the_same_fields(sender_smtp_relay, sender_sandbox):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "App <app@example.com>", "ada@example.org", "Receipt"
    message.set_content("Your code: 654321\\nhttps://app.example/r")
    message.add_alternative('<a href="https://app.example/r">Open the receipt</a>', subtype="html")
    message.add_attachment(b"%PDF-1.4 hello", maintype="application", subtype="pdf", filename="receipt.pdf")
    smtp_send(sender_smtp_relay, message)
    got = sender_sandbox.assert_sent(to="ada@example.org", via="smtp", subject="Receipt")
    assert got.sender == "app@example.com" and got.search(r"code: (\\d+)") == "654321"
    assert [(a.name, a.content_type, a.size) for a in got.attachments] == [("receipt.pdf", "application/pdf", 14)]
    assert ("https://app.example/r", "Open the receipt") in [(l.href, l.text) for l in got.links]
    assert got.email_id and got.template is None and got.variables == {}

def test_smtplib_sendmail(sender_smtp_relay, sender_sandbox):
    with smtplib.SMTP(sender_smtp_relay.host, sender_smtp_relay.port, timeout=5) as client:
        client.starttls(context=sender_smtp_relay.client_context())
        client.login(sender_smtp_relay.username, sender_smtp_relay.password)
        raw = "From: app@example.com\\r\\nTo: bob@example.org\\r\\nSubject: Hi {{ name }}\\r\\n\\r\\nhello\\r\\n"
        client.sendmail("app@example.com", ["bob@example.org"], raw)
    got = sender_sandbox.assert_sent(to="bob@example.org", via="smtp")
    assert got.text.strip() == "hello" and got.placeholders == ["name"]
"""


def test_outbox_assertions_as_an_app_author_sees_them(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app=APP)
    result = pytester.runpytest_subprocess(*NO_SLOW_PLUGINS, "-v")
    out = result.stdout.str()
    result.assert_outcomes(passed=6, failed=4)
    for name in (
        "assert_sent_fails_listing_what_was_sent",
        "assert_nothing_sent_fails",
        "wait_for_fails_the_same_way",
        "missing_variable_stays_raw_and_rendered_fails",
    ):
        assert f"test_{name} FAILED" in out
    # closest candidate (bob, only the subject differs) first, then ann
    assert "expected a message with to='bob@example.org', subject='Welcom'; 0 matched" in out
    first = out.index("- to=bob@example.org subject='Welcome' via=api  (differs in: subject)")
    second = out.index("- to=ann@example.org subject='Receipt' via=api  (differs in: to, subject)")
    assert first < second
    assert "expected nothing sent; 1 sent" in out
    assert "no matching message arrived in the outbox within 0.1 s" in out
    assert "differs in: rendered (unrendered: code)" in out
    assert "AssertionError" in out
