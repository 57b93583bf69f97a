"""api.health over many campaigns (all checked at once, as the preflight runs them) and the cost of
following Sender's pagination, against the sandbox API on 127.0.0.1.

Each campaign holds ``--sends`` sends over the last days, 3% hard bounces and 0.2% complaints (so
every check reads the report and the latest bounces: two requests; both rates warn, the complaints
code wins). Measured, median of ``--runs``:

* ``preflight``: ``run_preflight`` of ``api.health`` for N campaigns (every check at once, one asyncio loop);
* ``sequential``: ``check_campaign_health`` for the same campaigns one after another;
* ``pages``: ``fetch_pages`` over one campaign's whole sent list, ``--page-size`` entries per page.

Usage::

    python benchmarks/bench_api_health.py [--runs 5] [--sends 1000] [--page-size 100]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from pytest_sender.api.client import AsyncSenderClient
from pytest_sender.api.health_checks import CHECKS, check_campaign_health
from pytest_sender.api.pages import fetch_pages
from pytest_sender.preflight.registry import CheckContext, PlannedCheck, plan_checks
from pytest_sender.preflight.runner import run_preflight
from pytest_sender.sandbox.api_server import ApiSandbox
from pytest_sender.settings import Secret, Settings


def seed(sandbox: ApiSandbox, campaign: str, sends: int) -> None:
    start = datetime.now(timezone.utc) - timedelta(days=5)
    for n in range(sends):
        when = start + timedelta(seconds=n * 300)
        sandbox.inject_sent(campaign, f"user{n}@example.com", when=when)
        if n % 33 == 0:
            sandbox.inject_bounce(campaign, f"user{n}@example.com", "HARD_BOUNCE", "Mailbox not found", when=when)
        if n % 500 == 0:
            sandbox.inject_complaint(campaign, f"user{n}@example.com", when=when)


def median_of(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sends", type=int, default=1000)
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()

    counts = (1, 10, 30)
    campaigns = [f"bench{n:02d}" for n in range(max(counts))]
    with ApiSandbox(rate_limit=10**9) as sandbox:
        for campaign in campaigns:
            seed(sandbox, campaign, args.sends)
        base = Settings(api_url=sandbox.base_url, api_token=Secret(sandbox.token), timeout=10.0)

        print(f"{args.sends} sends per campaign; median of {args.runs} runs")
        print("campaigns  preflight (at once)  sequential")
        for count in counts:
            settings = base.with_overrides("bench", campaigns=tuple(campaigns[:count]))
            planned = plan_checks(settings, CHECKS)

            def at_once(settings: Settings = settings, planned: list[PlannedCheck] = planned) -> float:
                started = time.perf_counter()
                findings = run_preflight(planned, settings)
                assert all(f.code == "API_HEALTH_COMPLAINTS_ELEVATED" for f in findings), findings
                return time.perf_counter() - started

            def one_by_one(settings: Settings = settings) -> float:
                async def all_of_them() -> None:
                    for campaign in settings.campaigns:
                        await check_campaign_health(CheckContext(settings), campaign)

                started = time.perf_counter()
                asyncio.run(all_of_them())
                return time.perf_counter() - started

            print(
                f"{count:9d}  {median_of(args.runs, at_once) * 1000:16.0f} ms  "
                f"{median_of(args.runs, one_by_one) * 1000:7.0f} ms"
            )

        def pages() -> float:
            async def read() -> int:
                async with AsyncSenderClient(sandbox.base_url, sandbox.token, timeout=10.0) as client:
                    result = await fetch_pages(
                        lambda page: client.campaign_list(campaigns[0], "sent", page=page, limit=args.page_size),
                        max_pages=10**6,
                    )
                return len(result.items)

            started = time.perf_counter()
            assert asyncio.run(read()) == args.sends
            return time.perf_counter() - started

        page_count = -(-args.sends // args.page_size)
        elapsed = median_of(args.runs, pages)
        print(
            f"pages: {args.sends} sent entries in {page_count} pages of {args.page_size}: "
            f"{elapsed * 1000:.0f} ms ({elapsed / page_count * 1000:.1f} ms per page)"
        )


if __name__ == "__main__":
    main()
