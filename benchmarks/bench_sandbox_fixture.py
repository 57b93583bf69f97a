"""What the ``sender_sandbox`` fixture costs an app's test: per-test overhead, and sends per second.

* Per-test overhead: the fixture's own work around a test, i.e. its setup (reading the marker,
  ``prepare()``: reset, rate limit off) and its teardown (the checks for unused injections and sandbox
  errors, then ``reset()`` to the server's defaults), on a server holding one sent message and one
  used injection, as after a typical test.
* Sends per second: one long-lived ``httpx.Client`` posting a valid send to the same server, (a) as the
  fixture leaves it (rate limit off) with three injected rules that match nothing the sends do
  (``times=None``, so every send is checked against all three), (c) with three rules that have each
  used their one ``times`` (the fast path: no rule has a use left, so a send is not matched at all),
  and (b) bare: the server's state with no rules and the rate limit raised out of the way. The ratios
  are (a)'s and (c)'s time per send over (b)'s.

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
        server.prepare(rate_limit=options.rate_limit)
        spent += time.perf_counter() - start
        server.inject(status=500, to="ada@example.org")  # the test: one injection, one send that hits it
        client.post(server.base_url + "/message/send", json=PAYLOAD)
        start = time.perf_counter()
        failure = teardown_failure(server, options)
        server.reset()  # the fixture's last step: the session's server back to its defaults
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
    overhead: list[float] = []
    fixture_send: list[float] = []
    spent_send: list[float] = []
    bare_send: list[float] = []
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
                server.set_rate_limit(None)
                for n in range(3):  # each rule used once: spent, so every later send takes the fast path
                    server.inject(status=503, to=f"spent{n}@example.org")
                    client.post(
                        server.base_url + "/message/send", json={**PAYLOAD, "to": {"email": f"spent{n}@example.org"}}
                    )
                spent_send.append(time_per_send(server, client, args.sends))
                server.reset()
                server.set_rate_limit(1_000_000)  # bare: no rules, the limit out of the way
                bare_send.append(time_per_send(server, client, args.sends))
    o, f, sp, b = (statistics.median(x) for x in (overhead, fixture_send, spent_send, bare_send))
    print(f"per-test overhead (setup + teardown checks): {o * 1e6:.0f} µs (median of {args.runs} runs)")
    print(f"through the fixture, 3 live rules:  {f * 1e3:.2f} ms per send, {1 / f:.0f} sends/s")
    print(f"through the fixture, 3 spent rules: {sp * 1e3:.2f} ms per send, {1 / sp:.0f} sends/s")
    print(f"bare httpx.Client:                  {b * 1e3:.2f} ms per send, {1 / b:.0f} sends/s")
    print(f"ratio live rules / bare: {f / b:.2f}x; spent rules / bare: {sp / b:.2f}x")


if __name__ == "__main__":
    main()
