"""Content rules and SpamAssassin: messages per second, and spamd's time per message.

Builds ``--messages`` transactional messages (text and HTML parts, links, an image, headers; every
tenth with a problem the rules find) with the stdlib email package, then measures, ``--runs``
times each:

* ``rules``: parse + every content rule over all messages (pure Python, one core);
* ``parse only``: the parsing alone, the baseline the rules add to;
* ``spamd``: each message scored by a spamd started for the run (offline configuration), one
  after another, and the spamd start-up itself.

Prints medians. Usage::

    python benchmarks/bench_content.py [--messages 100] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from pytest_sender.content.message import parse_content
from pytest_sender.content.rules import evaluate_content
from pytest_sender.content.spamd import SpamdServer, find_spamd, score_message


def build_messages(count: int) -> list[bytes]:
    messages = []
    for n in range(count):
        msg = EmailMessage()
        msg["From"] = "Example shop <shop@example.com>"
        msg["To"] = f"customer{n}@example.org"
        msg["Subject"] = f"Your order A-{n:04d}"
        msg["Date"] = formatdate()
        msg["Message-ID"] = make_msgid(domain="example.com")
        link = "http://bit.ly/x" if n % 10 == 9 else f"https://shop.example.com/orders/A-{n:04d}"
        text = f"Hello, thanks for your order A-{n:04d}. Track it at {link}\n" * 3
        html = (
            f"<html><body><p>{'Thanks for your order. ' * 20}</p><p><a href='{link}'>Track your order</a></p>"
            "<img src='https://shop.example.com/logo.png' alt='Example shop'></body></html>"
        )
        msg.set_content(text)
        msg.add_alternative(html, subtype="html")
        messages.append(msg.as_bytes())
    return messages


def timed(function: object) -> float:
    started = time.perf_counter()
    function()  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    messages = build_messages(args.messages)

    rules = [timed(lambda: [evaluate_content(parse_content(m)) for m in messages]) for _ in range(args.runs)]
    parse = [timed(lambda: [parse_content(m) for m in messages]) for _ in range(args.runs)]
    rules_s, parse_s = statistics.median(rules), statistics.median(parse)
    print(f"{args.messages} messages, median of {args.runs} runs")
    print(f"rules (parse + rules): {rules_s * 1000:.1f} ms = {args.messages / rules_s:.0f} messages/s")
    print(f"parse only:            {parse_s * 1000:.1f} ms = {args.messages / parse_s:.0f} messages/s")
    print(f"rules / parse:         {rules_s / parse_s:.2f}x")

    if find_spamd() is None:
        print("spamd: not installed, skipped")
        return
    starts, per_message = [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        server = SpamdServer().start()
        starts.append(time.perf_counter() - started)
        try:

            async def score_all(host: str = server.host, port: int = server.port) -> None:
                for raw in messages:
                    await score_message(raw, host=host, port=port)

            per_message.append(timed(lambda: asyncio.run(score_all())) / args.messages)
        finally:
            server.stop()
    print(f"spamd start-up:        {statistics.median(starts) * 1000:.0f} ms")
    print(f"spamd per message:     {statistics.median(per_message) * 1000:.1f} ms (one after another)")


if __name__ == "__main__":
    main()
