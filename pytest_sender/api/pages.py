"""Sender's pagination: one parser of the envelope and one helper that follows the pages.

Sender's list answers carry ``data`` (the items), ``links`` (``first``, ``last``, ``prev``, ``next``),
``meta`` (``current_page``, ``from``, ``last_page``, ``path``, ``per_page``, ``to``, ``total``) and
``has_more_resources``. :func:`parse_page` is pure; :func:`fetch_pages` asks for page 1, 2, ... through
a caller-given coroutine (a client method, so 401/429/5xx keep the client's codes and retry policy)
until the envelope says there is no more, ``stop`` matches an item, or ``max_pages`` is reached.

    result = await fetch_pages(lambda page: client.campaign_list("ep2W4y", "sent", page=page, limit=100))
    if result.problem is None:
        email_ids = [item["emailId"] for item in result.items]
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pytest_sender.api.outcomes import Fetched, Outcome
from pytest_sender.errors import InvalidArgument, ParseError

__all__ = ["MAX_PAGES", "Page", "PagedResult", "fetch_pages", "parse_page"]

#: A safety net against an envelope that always claims more pages.
MAX_PAGES = 50


@dataclass(frozen=True)
class Page:
    """One page of a list answer."""

    items: tuple[Mapping[str, Any], ...]
    current_page: int | None
    last_page: int | None
    total: int | None
    has_more: bool


@dataclass(frozen=True)
class PagedResult:
    """The items of the pages read; ``problem`` is the outcome that stopped the reading, if any."""

    items: tuple[Mapping[str, Any], ...]
    pages_read: int
    total: int | None = None
    problem: Outcome | None = None
    found: Mapping[str, Any] | None = None  # the item ``stop`` matched
    truncated: bool = False  # max_pages was reached with more pages left


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_page(data: object) -> Page:
    """The page in a list answer (pure); :class:`ParseError` when it is not Sender's envelope.

    Whether more pages follow: ``has_more_resources`` when present, else ``meta.current_page`` below
    ``meta.last_page``, else a non-null ``links.next``.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("data"), list):
        raise ParseError("the answer is not a page: it has no data list")
    items = tuple(item for item in data["data"] if isinstance(item, Mapping))
    meta: Mapping[str, Any] = data["meta"] if isinstance(data.get("meta"), Mapping) else {}
    links: Mapping[str, Any] = data["links"] if isinstance(data.get("links"), Mapping) else {}
    current, last = _int(meta.get("current_page")), _int(meta.get("last_page"))
    flag = data.get("has_more_resources")
    if isinstance(flag, bool):
        has_more = flag
    elif current is not None and last is not None:
        has_more = current < last
    else:
        has_more = bool(links.get("next"))
    return Page(
        items=items,
        current_page=current,
        last_page=last,
        total=_int(meta.get("total")),
        has_more=has_more and bool(items),
    )


async def fetch_pages(
    fetch: Callable[[int], Awaitable[Outcome]],
    *,
    stop: Callable[[Mapping[str, Any]], bool] | None = None,
    max_pages: int = MAX_PAGES,
) -> PagedResult:
    """Read pages 1, 2, ... with ``fetch(page)`` until the last one, a ``stop`` match or ``max_pages``.

    Never raises for an answer: a non-2xx outcome ends the reading as ``problem`` (with the items
    read so far); an answer that is not a page raises :class:`ParseError` (the caller reports it).
    """
    if max_pages < 1:
        raise InvalidArgument(f"max_pages must be at least 1, not {max_pages}")
    items: list[Mapping[str, Any]] = []
    total: int | None = None
    for number in range(1, max_pages + 1):
        outcome = await fetch(number)
        if not isinstance(outcome, Fetched):
            return PagedResult(tuple(items), number - 1, total, problem=outcome)
        page = parse_page(outcome.data)
        total = page.total if page.total is not None else total
        for item in page.items:
            items.append(item)
            if stop is not None and stop(item):
                return PagedResult(tuple(items), number, total, found=item)
        if not page.has_more:
            return PagedResult(tuple(items), number, total)
    return PagedResult(tuple(items), max_pages, total, truncated=True)
