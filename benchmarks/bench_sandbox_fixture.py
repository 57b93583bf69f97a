"""What the ``sender_sandbox`` fixture costs an app's test: per-test overhead, and sends per second.

* Per-test overhead: the fixture's own work around a test, i.e. its setup (reading the marker,
  ``reset()``, ``set_rate_limit(None)``) and its teardown checks (unused injections, sandbox errors),
  on a server holding one sent message and one used injection, as after a typical test.
* Sends per second: one long-lived ``httpx.Client`` posting a valid send to the same server, (a) as the
  fixture leaves it (rate limit off) with three injected rules that match nothing the sends do
  (``times=None``, so every send is checked against all three), and (b) bare: the server's state with
  no rules and the rate limit raised out of the way. The ratio is (a)'s time per send over (b)'s.

Prints medians over ``--runs`` runs. Usage::

    python benchmarks/bench_sandbox_fixture.py [--runs 5] [--tests 500] [--sends 300]
"""

from __future__ import annotations

import argparse
import statistics
import time

import httpx

from pytest_sender.sandbox.api_server import ApiSandbox
from pytest_sender.sandbox.testing import SandboxOptions, teardown_failure

PAYLOAD = {
    "from": {"email": "app@example.com", "name": "The App"},
    "to": {"email": "ada@example.org", "name": "Ada"},
    "subject": "Welcome",
    "text": "Hello",
}


def per_test_overhead(server: ApiSandbox, client: httpx.Client, tests: int) -> float:
    """Seconds of fixture work per test (the test's own send is not counted)."""
    spent = 0.0
    for _ in range(tests):
        start = time.perf_counter()
        options = SandboxOptions.from_markers([])
        server.reset()
        server.set_rate_limit(options.rate_limit)
        spent += time.perf_counter() - start
        server.inject(status=500, to="ada@example.org")  # the test: one injection, one send that hits it
        client.post(server.base_url + "/message/send", json=PAYLOAD)
        start = time.perf_counter()
        failure = teardown_failure(server, options)
        spent += time.perf_counter() - start
        assert failure is None, failure
    return spent / tests


def time_per_send(server: ApiSandbox, client: httpx.Client, sends: int) -> float:
    start = time.perf_counter()
    for _ in range(sends):
        answer = client.post(server.base_url + "/message/send", json=PAYLOAD)
        assert answer.status_code == 200, answer.text
    return (time.perf_counter() - start) / sends


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tests", type=int, default=500)
    parser.add_argument("--sends", type=int, default=300)
    args = parser.parse_args()
    overhead, fixture_send, bare_send = [], [], []
    with ApiSandbox() as server:
        headers = {"Authorization": f"Bearer {server.token}"}
        with httpx.Client(headers=headers, timeout=10.0) as client:
            for _ in range(args.runs):
                overhead.append(per_test_overhead(server, client, args.tests))
                server.reset()
                server.set_rate_limit(None)  # as the fixture leaves it
                for n in range(3):
                    server.inject(status=503, to=f"nobody{n}@example.org", times=None)
                fixture_send.append(time_per_send(server, client, args.sends))
                server.reset()
                server.set_rate_limit(1_000_000)  # bare: no rules, the limit out of the way
                bare_send.append(time_per_send(server, client, args.sends))
    o, f, b = (statistics.median(x) for x in (overhead, fixture_send, bare_send))
    print(f"per-test overhead (setup + teardown checks): {o * 1e6:.0f} µs (median of {args.runs} runs)")
    print(f"through the fixture: {f * 1e3:.2f} ms per send, {1 / f:.0f} sends/s")
    print(f"bare httpx.Client:   {b * 1e3:.2f} ms per send, {1 / b:.0f} sends/s")
    print(f"ratio fixture / bare: {f / b:.2f}x")


if __name__ == "__main__":
    main()
