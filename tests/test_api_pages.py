"""Sender's pagination: the envelope parser (pure) and fetch_pages across several pages of the sandbox."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from pytest_sender.api.client import AsyncSenderClient, SenderClient
from pytest_sender.api.outcomes import Fetched, Outcome
from pytest_sender.api.pages import PagedResult, fetch_pages, parse_page
from pytest_sender.api.retry import NO_RETRIES
from pytest_sender.errors import ParseError
from pytest_sender.sandbox.api_server import ApiSandbox

CAMPAIGN = "cmpP4g"


def seed(sandbox: ApiSandbox, count: int) -> list[str]:
    start = datetime.now(timezone.utc) - timedelta(hours=1)
    return [sandbox.inject_sent(CAMPAIGN, f"r{n}@example.com", when=start + timedelta(seconds=n)) for n in range(count)]


def read_all(sandbox: ApiSandbox, *, limit: int, **kwargs: Any) -> PagedResult:
    async def main() -> PagedResult:
        async with AsyncSenderClient(sandbox.base_url, sandbox.token, timeout=1.0, retry=NO_RETRIES) as client:
            return await fetch_pages(
                lambda page: client.campaign_list(CAMPAIGN, "sent", page=page, limit=limit, direction="asc"), **kwargs
            )

    return asyncio.run(main())


# --- the envelope (pure) ---------------------------------------------------------------------------


def test_has_more_resources_decides_when_present() -> None:
    page = parse_page({"data": [{"a": 1}], "meta": {"current_page": 1, "last_page": 5}, "has_more_resources": False})
    assert (page.has_more, page.current_page, page.last_page) == (False, 1, 5)


def test_meta_pages_decide_without_the_flag() -> None:
    assert parse_page({"data": [{}], "meta": {"current_page": 1, "last_page": 2, "total": 9}}).has_more is True
    assert parse_page({"data": [{}], "meta": {"current_page": 2, "last_page": 2}}).has_more is False
    assert parse_page({"data": [{}], "meta": {"current_page": 2, "last_page": 2}}).total is None


def test_links_next_decides_without_flag_or_meta() -> None:
    assert parse_page({"data": [{}], "links": {"next": "https://api.sender.net/v2/x?page=2"}}).has_more is True
    assert parse_page({"data": [{}], "links": {"next": None}}).has_more is False
    assert parse_page({"data": [{}]}).has_more is False


def test_an_empty_page_ends_the_reading_whatever_it_claims() -> None:
    assert parse_page({"data": [], "has_more_resources": True}).has_more is False


def test_entries_that_are_not_objects_are_left_out() -> None:
    assert parse_page({"data": [{"a": 1}, "x", 3, None]}).items == ({"a": 1},)


@pytest.mark.parametrize("body", [None, [], {"data": {}}, {"items": []}, "data"])
def test_an_answer_that_is_not_a_page_is_a_parse_error(body: object) -> None:
    with pytest.raises(ParseError, match="not a page: it has no data list"):
        parse_page(body)


# --- fetch_pages over a real socket ------------------------------------------------------------------


def test_every_page_is_read_in_order(sandbox: ApiSandbox) -> None:
    ids = seed(sandbox, 23)
    result = read_all(sandbox, limit=5)
    assert (result.pages_read, result.total, result.problem, result.truncated) == (5, 23, None, False)
    assert [item["emailId"] for item in result.items] == ids
    pages = [r.query for r in sandbox.requests]
    assert [q.split("page=")[1].split("&")[0] for q in pages] == ["1", "2", "3", "4", "5"]


def test_reading_stops_at_the_item_looked_for(sandbox: ApiSandbox) -> None:
    ids = seed(sandbox, 23)
    result = read_all(sandbox, limit=5, stop=lambda item: item["emailId"] == ids[11])
    assert (result.pages_read, result.found) == (3, result.items[-1])
    assert len(result.items) == 12
    assert len(sandbox.requests) == 3


def test_max_pages_bounds_the_reading(sandbox: ApiSandbox) -> None:
    seed(sandbox, 23)
    result = read_all(sandbox, limit=5, max_pages=2)
    assert (result.pages_read, len(result.items), result.truncated) == (2, 10, True)
    with pytest.raises(ValueError, match="max_pages must be at least 1"):
        read_all(sandbox, limit=5, max_pages=0)


def test_a_single_short_page_is_one_request(sandbox: ApiSandbox) -> None:
    seed(sandbox, 3)
    result = read_all(sandbox, limit=50)
    assert (result.pages_read, len(result.items), len(sandbox.requests)) == (1, 3, 1)


def test_an_error_on_a_later_page_keeps_what_was_read_and_the_clients_code(sandbox: ApiSandbox) -> None:
    seed(sandbox, 12)
    calls = 0

    async def main() -> PagedResult:
        async with AsyncSenderClient(sandbox.base_url, sandbox.token, timeout=1.0, retry=NO_RETRIES) as client:

            async def fetch(page: int) -> Outcome:
                nonlocal calls
                calls += 1
                if page == 2:
                    sandbox.inject(status=503, body={"message": "Service Unavailable"})
                return await client.campaign_list(CAMPAIGN, "sent", page=page, limit=5)

            return await fetch_pages(fetch)

    result = asyncio.run(main())
    assert result.problem is not None
    assert (result.problem.code, result.problem.http_status, result.pages_read, len(result.items)) == (
        "API_SERVER_ERROR",
        503,
        1,
        5,
    )


def test_an_answer_that_is_not_a_page_raises_parse_error(sandbox: ApiSandbox) -> None:
    sandbox.inject(status=200, body={"message": "ok"})
    with pytest.raises(ParseError):
        read_all(sandbox, limit=5)


def test_the_sync_client_reads_one_page_and_checks_its_arguments(sandbox: ApiSandbox) -> None:
    ids = seed(sandbox, 4)
    with SenderClient(sandbox.base_url, sandbox.token, timeout=1.0) as client:
        outcome = client.campaign_list(CAMPAIGN, "sent", limit=3)
        assert isinstance(outcome, Fetched)
        assert [item["emailId"] for item in parse_page(outcome.data).items] == ids[::-1][:3]
        assert client.campaign_list("nOsuch", "bounces").code == "API_ENDPOINT_NOT_FOUND"
        with pytest.raises(ValueError, match="the campaign lists are sent, bounces, complaints"):
            client.campaign_list(CAMPAIGN, "opens")
        with pytest.raises(ValueError, match="page and limit start at 1"):
            client.campaign_list(CAMPAIGN, "sent", page=0)
        with pytest.raises(ValueError, match="a template id is a campaign id"):
            client.campaign_list("a/b", "sent")
        with pytest.raises(ValueError, match=r"starts \(2026-02-02\) after it ends"):
            client.campaign_report(CAMPAIGN, date_from=datetime(2026, 2, 2).date(), date_to=datetime(2026, 2, 1).date())
    (request, *_) = [r for r in sandbox.requests if r.path.endswith("/sent")]
    assert request.query == "page=1&limit=3&direction=desc"
    assert request.headers["accept"] == "application/json"
