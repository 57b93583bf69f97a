"""The sandbox API over a real loopback socket, spoken to with plain httpx."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import httpx
import pytest

from pytest_sender.errors import SandboxError
from pytest_sender.sandbox.api_faults import Fault
from pytest_sender.sandbox.api_ratelimit import TokenBuckets
from pytest_sender.sandbox.api_server import ApiSandbox, ApiSandboxComponent
from pytest_sender.sandbox.api_templates import Template, render_placeholders, unrendered_placeholders
from pytest_sender.sandbox.embedded import EmbeddedSandbox
from pytest_sender.sandbox.outbox import Outbox

SEND = {
    "from": {"email": "app@example.com", "name": "The App"},
    "to": {"email": "user@example.org", "name": "Ada"},
    "subject": "Your code is {{ code }}",
    "text": "Code: {{ code }}",
    "html": "<p>Code: <b>{{ code }}</b></p>",
    "variables": {"code": 4711},
    "headers": {"X-Campaign": "signup"},
}


@pytest.fixture(scope="module")
def server() -> Iterator[ApiSandbox]:
    with ApiSandbox(tokens=["tok-good", "tok-other"]) as sandbox:
        yield sandbox


@pytest.fixture
def http(sandbox: ApiSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=sandbox.base_url,
        timeout=2.0,
        headers={"Authorization": "Bearer tok-good", "Accept": "application/json"},
    ) as client:
        yield client


def test_it_listens_on_loopback_and_a_free_port(sandbox: ApiSandbox) -> None:
    assert sandbox.base_url == f"http://127.0.0.1:{sandbox.port}/v2"
    assert sandbox.port > 1024


def test_the_token_check_answers_200_with_rate_limit_headers(http: httpx.Client) -> None:
    response = http.get("/subscribers", params={"limit": 1})
    assert response.status_code == 200
    assert response.json()["data"] == []
    assert response.json()["meta"]["per_page"] == 1
    assert response.headers["X-RateLimit-Limit"] == "60"
    assert response.headers["X-RateLimit-Remaining"] == "59"
    reset = datetime.fromisoformat(response.headers["X-RateLimit-Reset"].replace("Z", "+00:00"))
    assert 0 <= (reset - datetime.now(timezone.utc)).total_seconds() <= 2


@pytest.mark.parametrize("authorization", [None, "Bearer tok-wrong", "Basic tok-good", "Bearer"])
def test_a_missing_or_unknown_token_is_401_with_laravel_body(sandbox: ApiSandbox, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = httpx.get(sandbox.base_url + "/subscribers", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthenticated."}
    assert response.headers["X-RateLimit-Limit"] == "60"  # on every answer
    assert sandbox.requests[-1].authenticated is False
    assert "authorization" not in sandbox.requests[-1].headers  # never recorded


def test_a_send_is_accepted_rendered_and_recorded_in_the_outbox(sandbox: ApiSandbox, http: httpx.Client) -> None:
    response = http.post("/message/send", json=SEND)
    assert response.status_code == 200
    answer = response.json()
    assert answer["success"] is True
    assert answer["message"] == "Email sent"
    assert answer["emailId"].startswith("sbxAPI-")
    [record] = sandbox.outbox.messages()
    assert record.via == "api"
    assert record.email_id == answer["emailId"]
    assert record.request == SEND
    assert record.to == ("user@example.org",)
    message = record.message
    assert message["From"] == "The App <app@example.com>"
    assert message["To"] == "Ada <user@example.org>"
    assert message["Subject"] == "Your code is 4711"
    assert message["X-Campaign"] == "signup"
    assert message.get_content_type() == "multipart/alternative"
    assert record.body("plain") == "Code: 4711\n"
    assert record.body("html") == "<p>Code: <b>4711</b></p>\n"
    assert b"\r\n" not in record.raw or b"Subject: Your code is 4711" in record.raw
    assert abs((record.received_at - datetime.now(timezone.utc)).total_seconds()) < 5


def test_a_template_send_renders_the_saved_campaign(sandbox: ApiSandbox, http: httpx.Client) -> None:
    sandbox.add_template(
        "ep2W4y",
        from_email="shop@example.com",
        from_name="Shop",
        subject="Order {{ order }} shipped",
        text="Hi {{ name }}, order {{ order }} is on its way.",
    )
    response = http.post(
        "/message/ep2W4y/send", json={"to": {"email": "ada@example.org"}, "variables": {"order": "A-17", "name": "Ada"}}
    )
    assert response.status_code == 200, response.text
    assert response.json()["emailId"].startswith("ep2W4y-")
    record = sandbox.outbox.wait_for(lambda m: m.template_id == "ep2W4y", timeout=1)
    assert record.message["Subject"] == "Order A-17 shipped"
    assert record.message["From"] == "Shop <shop@example.com>"
    assert record.body() == "Hi Ada, order A-17 is on its way.\n"


def test_a_missing_variable_is_left_visible(sandbox: ApiSandbox, http: httpx.Client) -> None:
    http.post("/message/sbxWLC/send", json={"to": {"email": "ada@example.org"}})
    record = sandbox.outbox.wait_for(timeout=1)
    assert record.message["Subject"] == "Welcome, {{ name }}"
    assert unrendered_placeholders(record.body() or "") == ["name"]


def test_an_unknown_template_is_404(sandbox: ApiSandbox, http: httpx.Client) -> None:
    response = http.post("/message/nope42/send", json={"to": {"email": "ada@example.org"}})
    assert response.status_code == 404
    assert response.json() == {"success": False, "message": "Transactional campaign not found."}
    assert len(sandbox.outbox) == 0


def test_an_invalid_send_is_a_sender_shaped_422(sandbox: ApiSandbox, http: httpx.Client) -> None:
    response = http.post("/message/send", json={"to": [{"email": "a@b.co"}], "subject": "x", "text": "y"})
    assert response.status_code == 422
    assert response.json() == {
        "message": "The given data was invalid.",
        "errors": {"from": ["The from field is required."], "to": ["The to field must be an object."]},
    }
    assert response.headers["X-RateLimit-Remaining"] == "59"
    assert len(sandbox.outbox) == 0


def test_a_body_that_is_not_json_is_422_and_a_form_body_is_415(http: httpx.Client) -> None:
    response = http.post("/message/send", content=b'{"from": ', headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"body": ["The request body must be valid JSON."]}
    response = http.post("/message/send", data={"subject": "x"})
    assert response.status_code == 415


def test_an_invalid_query_is_422(http: httpx.Client) -> None:
    response = http.get("/subscribers", params={"limit": "lots"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"limit": ["The limit field must be an integer."]}


def test_unknown_routes_and_methods(http: httpx.Client) -> None:
    assert http.get("/campaigns").status_code == 404
    response = http.delete("/message/send")
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"


def test_the_rate_limit_is_a_per_token_bucket_with_retry_after(sandbox: ApiSandbox, http: httpx.Client) -> None:
    sandbox.set_rate_limit(3)
    statuses = [http.get("/subscribers").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = http.get("/subscribers")
    assert limited.status_code == 429
    assert limited.json() == {"message": "Too Many Attempts."}
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert 1 <= int(limited.headers["Retry-After"]) <= 20  # 3 per minute: one every 20 s
    other = httpx.get(sandbox.base_url + "/subscribers", headers={"Authorization": "Bearer tok-other"})
    assert other.status_code == 200  # another token has its own bucket
    assert len(sandbox.outbox) == 0


def test_the_bucket_refills_over_the_minute() -> None:
    now = [0.0]
    buckets = TokenBuckets(60, clock=lambda: now[0])
    assert all(buckets.take("t").allowed for _ in range(60))
    denied = buckets.take("t")
    assert not denied.allowed
    assert denied.retry_after_s == 1
    assert denied.headers()["Retry-After"] == "1"
    now[0] = 1.0
    assert buckets.take("t").allowed
    assert not buckets.take("t").allowed
    with pytest.raises(ValueError, match="at least 1 request per minute"):
        TokenBuckets(0)


def test_fault_injection_answers_the_next_requests_then_stops(sandbox: ApiSandbox, http: httpx.Client) -> None:
    sandbox.inject(status=503, body={"message": "maintenance"}, headers={"Retry-After": "1"}, times=2)
    first, second, third = (http.post("/message/send", json=SEND) for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 200)
    assert first.json() == {"message": "maintenance"}
    assert first.headers["Retry-After"] == "1"
    assert len(sandbox.outbox) == 1
    assert [r.status for r in sandbox.requests] == [503, 503, 200]


def test_fault_injection_can_serve_an_html_page(http: httpx.Client, sandbox: ApiSandbox) -> None:
    sandbox.inject(status=502, body="<html><body>Bad gateway</body></html>")
    response = http.get("/subscribers")
    assert response.status_code == 502
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"


def test_fault_injection_delays(sandbox: ApiSandbox, http: httpx.Client) -> None:
    sandbox.inject(delay_s=0.3)
    started = time.perf_counter()
    assert http.get("/subscribers").status_code == 200
    assert time.perf_counter() - started >= 0.3


def test_a_dropped_connection_gets_no_answer(sandbox: ApiSandbox, http: httpx.Client) -> None:
    sandbox.inject(drop=True)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        http.post("/message/send", json=SEND)
    assert len(sandbox.outbox) == 0
    assert sandbox.requests[-1].status is None
    sandbox.inject(drop=True, deliver=True)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        http.post("/message/send", json=SEND)
    assert len(sandbox.outbox) == 1  # accepted although the client never heard back


def test_bad_faults_are_refused_with_clear_messages() -> None:
    with pytest.raises(ValueError, match="HTTP status"):
        Fault.build(status=42)
    with pytest.raises(ValueError, match="deliver=True only makes sense with drop=True"):
        Fault.build(deliver=True)
    with pytest.raises(ValueError, match="must not be negative"):
        Fault.build(delay_s=-1)


def test_reset_forgets_everything(sandbox: ApiSandbox, http: httpx.Client) -> None:
    sandbox.add_template("tmp1", from_email="a@example.com", from_name="A", subject="S", text="T")
    sandbox.inject(status=500, times=5)
    sandbox.set_rate_limit(1)
    sandbox.reset()
    assert http.post("/message/tmp1/send", json={"to": {"email": "a@example.org"}}).status_code == 404
    assert http.get("/subscribers").status_code == 200
    assert http.get("/subscribers").status_code == 200  # back to 60 per minute
    assert [r.status for r in sandbox.requests] == [404, 200, 200]


def test_templates_and_placeholders() -> None:
    assert render_placeholders("{{a}} {{ b }} {{ c }}", {"a": 1, "b": True}) == "1 true {{ c }}"
    with pytest.raises(ValueError, match="template id"):
        Template("bad id", "a@example.com", "A", "S", text="T")
    with pytest.raises(ValueError, match="needs an html or a text body"):
        Template("ok", "a@example.com", "A", "S")


def test_the_outbox_waits_and_times_out_clearly() -> None:
    outbox = Outbox()
    with pytest.raises(SandboxError, match=r"no matching message arrived in the outbox within 0.05 s"):
        outbox.wait_for(timeout=0.05)


def test_the_component_hands_out_an_accepted_token_or_in_broken_a_rejected_one() -> None:
    for scenario, expected in (("healthy", 200), ("broken", 401)):
        component = ApiSandboxComponent()
        component.start(scenario)
        try:
            overrides = component.settings_overrides()
            token = overrides["api_token"].reveal()
            assert token not in repr(overrides["api_token"])
            response = httpx.get(
                overrides["api_url"] + "/subscribers", params={"limit": 1}, headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status_code == expected
        finally:
            component.stop()
    with pytest.raises(SandboxError, match="not started"):
        component.settings_overrides()


def test_the_embedded_sandbox_shares_one_outbox_with_the_api(monkeypatch: pytest.MonkeyPatch) -> None:
    with EmbeddedSandbox("healthy", components=["pytest_sender.sandbox.api_server:ApiSandboxComponent"]) as embedded:
        [component] = embedded.components
        assert isinstance(component, ApiSandboxComponent)
        assert component.outbox is embedded.outbox
        overrides = embedded.settings_overrides()
        response = httpx.post(
            overrides["api_url"] + "/message/send",
            json=SEND,
            headers={"Authorization": f"Bearer {overrides['api_token'].reveal()}"},
        )
        assert response.status_code == 200
        assert embedded.outbox.messages()[0].email_id == response.json()["emailId"]


def test_stop_frees_the_port() -> None:
    sandbox = ApiSandbox().start()
    url = sandbox.base_url
    sandbox.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/subscribers", timeout=0.5)
    with pytest.raises(SandboxError, match="not running"):
        _ = sandbox.base_url


def test_an_http_date_in_the_date_header_is_sane(http: httpx.Client) -> None:
    date = parsedate_to_datetime(http.get("/subscribers").headers["Date"])
    assert abs((date - datetime.now(timezone.utc)).total_seconds()) < 5


def test_the_outbox_is_safe_to_fill_from_many_threads_while_a_test_waits() -> None:
    import threading
    from email.message import EmailMessage

    outbox = Outbox()

    def add_many(via: str) -> None:
        for n in range(200):
            message = EmailMessage()
            message["Subject"] = f"{via} {n}"
            message.set_content("x")
            outbox.add(message, via=via, envelope_to=(f"{n}@example.org",))

    threads = [threading.Thread(target=add_many, args=(via,)) for via in ("api", "smtp")]
    for thread in threads:
        thread.start()
    last = outbox.wait_for(lambda m: m.subject == "smtp 199", timeout=5)
    for thread in threads:
        thread.join()
    assert last.via == "smtp"
    assert len(outbox) == 400
    assert len(outbox.messages(via="api")) == 200
    assert [m.subject for m in outbox.messages(via="smtp")] == [f"smtp {n}" for n in range(200)]
    assert outbox.messages()[0].body("html") is None
    outbox.clear()
    assert list(outbox) == []


def test_a_sandbox_bug_is_answered_500_and_its_traceback_kept(
    sandbox: ApiSandbox, http: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("rendering exploded")

    monkeypatch.setattr(sandbox.app, "_accept", broken)
    response = http.post("/message/send", json=SEND)
    assert response.status_code == 500
    assert response.json() == {"message": "Server Error"}
    assert "RuntimeError: rendering exploded" in sandbox.errors[-1]
    sandbox.reset()
    assert sandbox.errors == []
