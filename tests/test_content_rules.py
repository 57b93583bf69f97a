"""Content rules on real messages built with the stdlib email package: each rule passes and fails."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_sender.content.checks import check_content
from pytest_sender.content.message import parse_content, parse_html_document
from pytest_sender.content.rules import GMAIL_CLIP_BYTES, content_findings, evaluate_content, link_domains, summarise
from pytest_sender.dns.query import Resolver
from pytest_sender.errors import ParseError
from pytest_sender.findings import Status
from pytest_sender.preflight.registry import CheckContext, RunParts
from pytest_sender.settings import Settings
from tests.helpers.dns_servers import RunningDns, serve

GOOD_HTML = (
    "<html><body><p>Hello Ada, thanks for your order A-1001. It ships tomorrow from our warehouse; "
    "we will send the tracking number as soon as the parcel leaves.</p>"
    '<p><a href="https://shop.example.com/orders/A-1001">View your order</a></p>'
    '<img src="https://shop.example.com/logo.png" alt="Example shop"></body></html>'
)
GOOD_TEXT = "Hello Ada, thanks for your order A-1001. View it at https://shop.example.com/orders/A-1001\n"


def message(
    *, html: str | None = GOOD_HTML, text: str | None = GOOD_TEXT, subject: str = "Your order A-1001", **headers: str
) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Example shop <shop@example.com>"
    msg["To"] = "ada@example.org"
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="example.com")
    for key, value in headers.items():
        name = key.replace("_", "-")
        if value == "":
            del msg[name]
        else:
            del msg[name]
            msg[name] = value
    if text is not None:
        msg.set_content(text)
        if html is not None:
            msg.add_alternative(html, subtype="html")
    elif html is not None:
        msg.set_content(html, subtype="html")
    return msg.as_bytes()


def codes(raw: bytes) -> list[str]:
    # through the findings, so each rule's hint fields are checked too (tests/conftest.py)
    return [f.code for f in content_findings(parse_content(raw, name="m.eml")) if f.code != "CONTENT_OK"]


def test_a_plain_transactional_message_passes() -> None:
    findings = content_findings(parse_content(message(), name="m.eml"))
    assert [(f.code, f.status) for f in findings] == [("CONTENT_OK", Status.PASS)]


def test_html_without_a_text_part() -> None:
    assert codes(message(text=None)) == ["CONTENT_NO_TEXT_PART"]


def test_html_over_gmails_clipping_size() -> None:
    filler = "<p>" + "x" * 1000 + "</p>"
    big = GOOD_HTML.replace("</body>", filler * (GMAIL_CLIP_BYTES // 1000 + 1) + "</body>")
    assert "CONTENT_HTML_CLIPPED" in codes(message(html=big))
    assert "CONTENT_HTML_CLIPPED" not in codes(message(html=GOOD_HTML.replace("</body>", filler * 90 + "</body>")))


@pytest.mark.parametrize("tag", ["script", "iframe", "form", "object", "embed"])
def test_active_content(tag: str) -> None:
    html = GOOD_HTML.replace("</body>", f"<{tag}></{tag}></body>")
    findings = content_findings(parse_content(message(html=html), name="m.eml"))
    assert [f.code for f in findings] == ["CONTENT_ACTIVE_CONTENT"]
    assert f"<{tag}>" in findings[0].summary
    assert f"Remove the <{tag}> elements" in findings[0].hint


def test_images_without_alt_text() -> None:
    html = GOOD_HTML.replace(' alt="Example shop"', "")
    found = content_findings(parse_content(message(html=html), name="m.eml"))
    assert [f.code for f in found] == ["CONTENT_IMAGE_NO_ALT"]
    assert "https://shop.example.com/logo.png" in found[0].summary
    assert "CONTENT_IMAGE_NO_ALT" not in codes(message(html=GOOD_HTML.replace('alt="Example shop"', 'alt=""')))


def test_image_only_and_low_text_ratio() -> None:
    images = "".join(f'<img src="https://shop.example.com/{n}.png" alt="">' for n in range(4))
    assert codes(message(html=f"<p>Sale</p>{images}", text="Sale")) == ["CONTENT_IMAGE_ONLY"]
    some_text = "<p>" + "Your order is on its way to you. " * 3 + "</p>"
    assert codes(message(html=some_text + images, text="x")) == ["CONTENT_LOW_TEXT_RATIO"]


def test_url_shorteners_plain_http_and_ip_links() -> None:
    html = GOOD_HTML.replace("https://shop.example.com/orders/A-1001", "https://bit.ly/3xYz")
    assert codes(message(html=html)) == ["CONTENT_URL_SHORTENER"]
    html = GOOD_HTML.replace("https://shop.example.com/orders", "http://shop.example.com/orders")
    assert codes(message(html=html)) == ["CONTENT_INSECURE_LINK"]
    html = GOOD_HTML.replace("https://shop.example.com/orders/A-1001", "https://192.0.2.7/orders")
    assert codes(message(html=html)) == ["CONTENT_IP_LINK"]


def test_link_text_naming_another_domain() -> None:
    html = GOOD_HTML.replace(">View your order<", ">https://paypal.com/login<")
    found = content_findings(parse_content(message(html=html), name="m.eml"))
    assert [f.code for f in found] == ["CONTENT_LINK_TEXT_MISMATCH"]
    assert "paypal.com" in found[0].summary
    # The same registrable domain (a subdomain shown) is not a mismatch.
    same = GOOD_HTML.replace(">View your order<", ">www.example.com/orders<")
    assert codes(message(html=same)) == []


def test_unrendered_placeholders_name_the_variables() -> None:
    found = content_findings(
        parse_content(message(subject="Hi {{ name }}", html=GOOD_HTML.replace("A-1001", "{{order_id}}")), name="m")
    )
    assert [f.code for f in found] == ["CONTENT_PLACEHOLDER_LEFT"]
    assert "name, order_id" in found[0].summary
    assert "subject: {{ name }}" in found[0].evidence


def test_message_id_and_date() -> None:
    assert codes(message(Message_ID="")) == ["CONTENT_MESSAGE_ID_MISSING"]
    assert codes(message(Message_ID="no-angle-brackets")) == ["CONTENT_MESSAGE_ID_MALFORMED"]
    assert codes(message(Date="")) == ["CONTENT_DATE_MISSING"]
    assert codes(message(Date="yesterday at noon")) == ["CONTENT_DATE_MALFORMED"]


def test_list_unsubscribe_and_one_click() -> None:
    good = "<https://shop.example.com/u/1>, <mailto:u@example.com>"
    assert codes(message(List_Unsubscribe=good, List_Unsubscribe_Post="List-Unsubscribe=One-Click")) == []
    assert codes(message(List_Unsubscribe="https://shop.example.com/u/1")) == ["CONTENT_LIST_UNSUBSCRIBE_MALFORMED"]
    assert codes(message(List_Unsubscribe="<ftp://x>")) == ["CONTENT_LIST_UNSUBSCRIBE_MALFORMED"]
    mailto_only = message(List_Unsubscribe="<mailto:u@example.com>", List_Unsubscribe_Post="List-Unsubscribe=One-Click")
    assert codes(mailto_only) == ["CONTENT_ONE_CLICK_INVALID"]
    assert codes(message(List_Unsubscribe=good, List_Unsubscribe_Post="yes")) == ["CONTENT_ONE_CLICK_INVALID"]


def test_an_html_document_alone_skips_the_header_rules() -> None:
    content = parse_html_document(GOOD_HTML, name="welcome.html")
    assert evaluate_content(content) == []
    assert link_domains(content) == ["example.com"]


def test_summary_is_the_worst_problem_with_all_in_the_evidence() -> None:
    html = GOOD_HTML.replace(' alt="Example shop"', "").replace("</body>", "<script></script></body>")
    finding = summarise(content_findings(parse_content(message(html=html), name="m.eml")))
    assert finding.code == "CONTENT_ACTIVE_CONTENT"
    assert finding.status is Status.FAIL
    assert any("CONTENT_IMAGE_NO_ALT (warn)" in line for line in finding.evidence)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"   \r\n",
        b'To: "\r\n\r\nbody',
        b"From: <\r\n\r\nbody",
        b"Message-ID: <[\r\n\r\nbody",
        b"\r\n\r\nno headers",
    ],
)
def test_broken_messages_are_parse_errors_or_verdicts(raw: bytes) -> None:
    try:
        content = parse_content(raw)
    except ParseError:
        return
    evaluate_content(content)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_only_raise_parse_error(raw: bytes) -> None:
    try:
        content = parse_content(raw)
    except ParseError:
        return
    evaluate_content(content)


_HEADER_NAMES = st.sampled_from(
    ["To", "From", "Message-ID", "Date", "List-Unsubscribe", "List-Unsubscribe-Post", "Subject"]
)
_BROKEN = st.sampled_from(['"', "<", "<[", "²", "9" * 5000, "=?utf-8?q?", "<https://[::1>", "{{", "\\", ","])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(_HEADER_NAMES, st.lists(_BROKEN | st.text(max_size=20), max_size=4).map("".join)), max_size=6)
)
def test_broken_header_structures_only_raise_parse_error(headers: list[tuple[str, str]]) -> None:
    raw = "".join(f"{name}: {value}\r\n" for name, value in headers).encode("utf-8", "replace") + b"\r\nbody"
    try:
        content = parse_content(raw)
    except ParseError:
        return
    evaluate_content(content)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["<a href='", "http://[::1", "<img", "<script>", "</a>", "{{ x }}", "<", "²", "x"])))
def test_broken_html_only_raises_parse_error(parts: list[str]) -> None:
    try:
        content = parse_html_document("".join(parts) * 3)
    except ParseError:
        return
    evaluate_content(content)


@pytest.fixture(scope="module", params=["sandbox", "knot"])
def zone_server(request: pytest.FixtureRequest) -> Iterator[RunningDns]:
    yield from serve(request.param)


def test_link_domains_are_looked_up_on_the_domain_blocklists(zone_server: RunningDns, tmp_path: Path) -> None:
    html = GOOD_HTML.replace(
        "</body>",
        "<p><a href='https://www.listed.test/offer'>offer</a> <a href='https://blocked.test/'>more</a></p></body>",
    )
    sample = tmp_path / "offer.eml"
    sample.write_bytes(message(html=html))
    context = CheckContext(Settings(), RunParts(dns_resolver=Resolver([zone_server.nameserver], timeout=0.5)))
    finding = asyncio.run(check_content(context, str(sample)))
    assert (finding.code, finding.status) == ("CONTENT_LINK_LISTED", Status.FAIL)
    assert "links to listed.test, which Spamhaus DBL (spam domain) lists" in finding.summary
    # A list's "query refused" answer is noted, never taken for a listing or a pass.
    assert any(line.startswith("blocked.test on Spamhaus DBL: not answered") for line in finding.evidence)
    clean = tmp_path / "clean.eml"
    clean.write_bytes(message())
    assert asyncio.run(check_content(context, str(clean))).code == "CONTENT_OK"
