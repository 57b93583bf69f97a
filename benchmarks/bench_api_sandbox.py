"""The sandbox API's throughput, and what the client costs per send over a bare httpx call.

One sandbox API on 127.0.0.1 (werkzeug's threaded server, the same one ``--sender-sandbox`` and the
``sender_sandbox`` fixture start; its rate limit raised out of the way). Each run makes ``--sends``
sends of the same valid message with each of three callers, in turn:

* ``client``: ``SenderClient.send()`` (request building, retry policy, answer classification);
* ``httpx.post``: a bare ``httpx.post(url, json=..., headers=...)`` per send;
* ``httpx.Client.post``: a bare call on one long-lived ``httpx.Client`` (the fairest baseline: the
  client keeps one too).

Prints the median over ``--runs`` runs of the time per send for each caller, the client's sends per
second, and the client's time per send divided by each baseline's. Usage::

    python benchmarks/bench_api_sandbox.py [--runs 5] [--sends 300]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import httpx

from pytest_sender.api.client import Address, SenderClient
from pytest_sender.sandbox.api_server import ApiSandbox

PAYLOAD = {
    "from": {"email": "app@example.com", "name": "The App"},
    "to": {"email": "ada@example.org", "name": "Ada"},
    "subject": "Your code is {{ code }}",
    "text": "Code: {{ code }}",
    "html": "<p>Code: <b>{{ code }}</b></p>",
    "variables": {"code": "4711"},
}


def timed(send: Callable[[], None], count: int) -> float:
    """Seconds per send over ``count`` sends."""
    started = time.perf_counter()
    for _ in range(count):
        send()
    return (time.perf_counter() - started) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sends", type=int, default=300)
    args = parser.parse_args()

    with (
        ApiSandbox(rate_limit=10**9) as sandbox,
        SenderClient(sandbox.base_url, sandbox.token, timeout=10.0) as client,
        httpx.Client(timeout=10.0) as session,
    ):
        url = sandbox.base_url + "/message/send"
        headers = {"Authorization": f"Bearer {sandbox.token}", "Accept": "application/json"}

        def with_client() -> None:
            outcome = client.send(
                Address("ada@example.org", "Ada"),
                "Your code is {{ code }}",
                sender=Address("app@example.com", "The App"),
                text="Code: {{ code }}",
                html="<p>Code: <b>{{ code }}</b></p>",
                variables={"code": "4711"},
            )
            assert outcome.ok, outcome

        def with_httpx_post() -> None:
            assert httpx.post(url, json=PAYLOAD, headers=headers, timeout=10.0).status_code == 200

        def with_httpx_client() -> None:
            assert session.post(url, json=PAYLOAD, headers=headers).status_code == 200

        arms = {"client": with_client, "httpx.post": with_httpx_post, "httpx.Client.post": with_httpx_client}
        for send in arms.values():  # warm up: imports, the validator, first connections
            timed(send, 20)
        results: dict[str, list[float]] = {name: [] for name in arms}
        for _ in range(args.runs):
            for name, send in arms.items():
                results[name].append(timed(send, args.sends))
                sandbox.reset()  # keep the outbox small
        medians = {name: statistics.median(values) for name, values in results.items()}

    print(f"{args.sends} sends per run, median of {args.runs} runs, one client over loopback")
    for name, seconds in medians.items():
        print(f"  {name:<18} {seconds * 1000:7.3f} ms per send   {1 / seconds:8.1f} sends/s")
    print(f"  client / httpx.post        = {medians['client'] / medians['httpx.post']:.2f}x")
    print(f"  client / httpx.Client.post = {medians['client'] / medians['httpx.Client.post']:.2f}x")


if __name__ == "__main__":
    main()
