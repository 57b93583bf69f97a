"""SMTP port probing: all ports at once versus one after another.

Four ports on loopback: three aiosmtpd relays (STARTTLS with a certificate from a run-time CA,
AUTH PLAIN/LOGIN) and one black hole (a socket that accepts connections and never says a word,
like a port a firewall intercepts). Measures, with the probe timeout set to ``--timeout``:

* ``preflight``: the smtp.port checks as ``pytest --sender-preflight`` runs them (every port probed
  at once, each probe shared by the checks);
* ``sequential``: the same four probes one after another (what a loop over the ports would cost);
* the same two with four black holes, where the difference is largest.

Prints the median of ``--runs`` runs of each arm. Usage::

    python benchmarks/bench_smtp_ports.py [--runs 5] [--timeout 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import time
from collections.abc import Callable

from pytest_sender.preflight.registry import RunParts, load_checks, plan_checks
from pytest_sender.preflight.runner import run_preflight
from pytest_sender.sandbox.outbox import Outbox
from pytest_sender.sandbox.smtp_relay import LoopThread, relay_factory
from pytest_sender.sandbox.tls import make_sandbox_tls
from pytest_sender.settings import Secret, Settings
from pytest_sender.smtp.probe import make_tls_context, probe_smtp_port

HOST = "127.0.0.1"


def black_hole(sockets: list[socket.socket]) -> int:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((HOST, 0))
    sock.listen(64)
    sockets.append(sock)
    port: int = sock.getsockname()[1]
    return port


def preflight(ports: tuple[int, ...], timeout: float, ca_pem: str) -> Callable[[], object]:
    settings = Settings().with_overrides(
        "benchmark",
        smtp_host=HOST,
        smtp_ports=ports,
        timeout=timeout,
        smtp_username=Secret("bench"),
        smtp_password=Secret("bench-password"),
    )
    planned = [
        p
        for p in plan_checks(settings, load_checks(["pytest_sender.smtp.checks"], plugins=False))
        if p.spec.name == "smtp.port"
    ]
    return lambda: run_preflight(planned, settings, parts=RunParts(smtp_ca_pem=ca_pem))


def sequential(ports: tuple[int, ...], timeout: float, ca_pem: str) -> Callable[[], object]:
    async def probe_each() -> list[object]:
        context = make_tls_context(ca_pem)
        return [await probe_smtp_port(HOST, port, timeout=timeout, tls_context=context) for port in ports]

    return lambda: asyncio.run(probe_each())


def median_seconds(action: Callable[[], object], runs: int) -> float:
    action()  # warm-up: imports, trust store
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=1.0)
    args = parser.parse_args()

    tls = make_sandbox_tls()
    loop = LoopThread("bench-smtp").start()
    sockets: list[socket.socket] = []
    try:
        factory = relay_factory(tls=tls, users={"bench": "bench-password"}, outbox=Outbox())
        relays = tuple(loop.serve(factory) for _ in range(3))
        mixed = (black_hole(sockets), *relays)
        holes = tuple(black_hole(sockets) for _ in range(4))
        print(f"probe timeout {args.timeout:g} s, median of {args.runs} runs")
        for label, ports in (("3 relays + 1 black hole", mixed), ("4 black holes", holes)):
            at_once = median_seconds(preflight(ports, args.timeout, tls.ca_pem), args.runs)
            one_by_one = median_seconds(sequential(ports, args.timeout, tls.ca_pem), args.runs)
            print(f"{label:<24} preflight (at once) {at_once:6.3f} s   sequential {one_by_one:6.3f} s")
    finally:
        loop.stop()
        for sock in sockets:
            sock.close()


if __name__ == "__main__":
    main()
