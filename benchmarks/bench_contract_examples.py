"""Valid contract examples per second: our strategies through the client, next to schemathesis's own run.

One sandbox API on 127.0.0.1 (rate limit raised out of the way). In each run, for the same operation
(``POST /message/send``, operationId ``sendMessage``):

* ``strategies + client``: ``--examples`` bodies from :func:`pytest_sender.strategies.send_requests`
  (hypothesis ``@given``, generation phase only), each checked with ``assert_valid_send_request`` and
  sent with ``SenderClient.send_payload``; every one must come back ``Sent``;
* ``strategies only``: the same generation and assertion without sending (what generation costs);
* ``schemathesis``: schemathesis's engine on the same operation, positive data, fuzzing phase only,
  ``--examples`` max examples, its default checks on every answer (its own transport: requests).

Prints the median over ``--runs`` runs of examples per second for each, and for schemathesis the
share of its requests the sandbox accepted (200). Usage::

    python benchmarks/bench_contract_examples.py [--runs 5] [--examples 200]
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import engine
from schemathesis.engine import events

from pytest_sender.api import NO_RETRIES, SenderClient, Sent
from pytest_sender.contract import load_contract
from pytest_sender.contract.assertions import assert_valid_send_request
from pytest_sender.sandbox.api_server import ApiSandbox
from pytest_sender.strategies import send_requests


def run_strategies(client: SenderClient | None, examples: int) -> tuple[float, int]:
    """(seconds, examples run) for ``examples`` generated bodies, sent through ``client`` if given."""
    count = 0

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(send_requests())
    def one(payload: dict[str, Any]) -> None:
        nonlocal count
        assert_valid_send_request(payload)
        if client is not None:
            outcome = client.send_payload(payload)
            assert isinstance(outcome, Sent), outcome.code
        count += 1

    started = time.perf_counter()
    one()
    return time.perf_counter() - started, count


def run_schemathesis(sandbox: ApiSandbox, examples: int) -> tuple[float, int, int]:
    """(seconds, requests made, requests answered 200) for schemathesis's positive fuzzing of sendMessage."""
    config = schemathesis.Config.from_dict(
        {
            "base-url": sandbox.base_url,
            "auth": {"openapi": {"bearerAuth": {"bearer": sandbox.token}}},
            "generation": {"mode": "positive", "max-examples": examples, "database": "none"},
            "phases": {"examples": {"enabled": False}, "coverage": {"enabled": False}, "stateful": {"enabled": False}},
            "checks": {
                "use_after_free": {"enabled": False},
                "ensure_resource_availability": {"enabled": False},
                "ignored_auth": {"enabled": False},
            },
        }
    )
    schema = schemathesis.openapi.from_dict(load_contract(), config=config).include(operation_id="sendMessage")
    before = len(sandbox.requests)
    started = time.perf_counter()
    for event in engine.from_schema(schema).execute():
        if isinstance(event, (events.NonFatalError, events.FatalError)):
            raise SystemExit(f"schemathesis could not run: {event}")
    elapsed = time.perf_counter() - started
    made = [r for r in sandbox.requests[before:] if r.method == "POST" and r.path.endswith("/message/send")]
    return elapsed, len(made), sum(1 for r in made if r.status == 200)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--examples", type=int, default=200)
    args = parser.parse_args()

    rates: dict[str, list[float]] = {"strategies + client": [], "strategies only": [], "schemathesis": []}
    accepted: list[float] = []
    with (
        ApiSandbox(rate_limit=10**9) as sandbox,
        SenderClient(sandbox.base_url, sandbox.token, timeout=10.0, retry=NO_RETRIES) as client,
    ):
        for _ in range(args.runs):
            seconds, count = run_strategies(client, args.examples)
            rates["strategies + client"].append(count / seconds)
            seconds, count = run_strategies(None, args.examples)
            rates["strategies only"].append(count / seconds)
            seconds, made, ok = run_schemathesis(sandbox, args.examples)
            rates["schemathesis"].append(made / seconds)
            accepted.append(ok / made if made else 0.0)
            sandbox.outbox.clear()

    print(f"median of {args.runs} runs, up to {args.examples} examples each, POST /message/send on loopback")
    for name, values in rates.items():
        print(f"  {name:22} {statistics.median(values):8.1f} examples/s")
    print(f"  schemathesis requests accepted (200): {statistics.median(accepted):.0%}")


if __name__ == "__main__":
    main()
