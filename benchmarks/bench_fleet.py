"""Preflight at fleet scale: a whole ``pytest --sender-preflight`` run over many sending domains.

A sandbox DNS server in a separate process serves ``bench-N.test`` zones built like the DNS
benchmark's (SPF through an include and Sender's include, the DKIM CNAME, DMARC with an external
rua, MX, TLS-RPT, three domain blocklists; no MTA-STS or BIMI record) and answers each query after
``--delay`` seconds. Each run is a fresh ``python -m pytest --sender-preflight -p no:cacheprovider``
in an empty directory, the domains in a file named by ``SENDER_DOMAINS_FILE`` and the server in
``SENDER_NAMESERVERS``. Measured per run, from ``os.wait4`` of the pytest process: wall time, CPU
time (user + system, the pytest process and its workers) and peak RSS (the largest process).

Target (issue 20): 10,000 domains at 50 ms per answer in at most 15 x the one-domain run.
Run: ``python benchmarks/bench_fleet.py --counts 1,1000,10000 --delays 0,0.05 --runs 3 [--xdist 2] [--missing 0.5]``.

``--no-checks`` measures the floor under the checks: a ``conftest.py`` in the run's directory
replaces the checks' run with a pass finding per item, made at once, so what is left is pytest and
the plugin (start-up, collection, each item's protocol, reports, the table). No DNS server is asked.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_dns_preflight import build_zones


def serve(count: int, delay: float, conn: Connection) -> None:
    from pytest_sender.sandbox.dns_server import DnsServer, Faults

    # A fleet's customer domains publish no MTA-STS or BIMI record (the workload); those
    # checks still ask, and report that there is none.
    server = DnsServer(build_zones(count, fetched=False), faults=Faults(delay=delay)).start()
    conn.send(server.port)
    conn.recv()  # wait for "stop"
    server.stop()


#: The ``--no-checks`` floor: every planned check gets a pass finding without running.
NO_CHECKS_CONFTEST = """\
from pytest_sender import plugin
from pytest_sender.hints import make_finding


def _no_checks(self, planned):
    for check in planned:
        finding = make_finding(check.spec.name, check.target, "API_TOKEN_OK", headroom="not run")
        self.findings[finding.node_name] = finding


plugin.SenderRun.run_checks = _no_checks
plugin.SenderRun.run_batch = _no_checks
"""


def run_pytest(
    port: int, count: int, workdir: Path, xdist: int, missing: float = 0.0, extra: Sequence[str] = ()
) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds, peak RSS in MiB and pytest's exit code of one whole run.

    ``missing`` is the share of the domains that do not exist (their checks fail: the run's
    FAILURES section and exit code 1).
    """
    absent = round(count * missing)
    domains = [f"bench-{n}.test" for n in range(count - absent)] + [f"missing-{n}.test" for n in range(absent)]
    env = {key: value for key, value in os.environ.items() if not key.startswith("SENDER_")}
    env["SENDER_NAMESERVERS"] = f"127.0.0.1:{port}"
    env["SENDER_TIMEOUT"] = "10"
    domains_file = workdir / "domains.txt"
    domains_file.write_text("\n".join(domains) + "\n")
    env["SENDER_DOMAINS_FILE"] = str(domains_file)
    # dns.dnssec walks from the root key, and this server serves no root zone: left out, as for a
    # fleet checked through its authoritative server (dns.mx-tls stays in: off, it is one skip each)
    command = [sys.executable, "-m", "pytest", "--sender-preflight", "-p", "no:cacheprovider", "-q", "-k", "not dnssec"]
    if xdist:
        command += ["-n", str(xdist)]
    command += list(extra)
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    output = process.stdout.read()  # drain, so a large table never blocks the pipe
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != (1 if absent else 0):
        tail = output.decode(errors="replace")[-2000:]
        raise SystemExit(f"pytest exited {process.returncode} for {count} domains:\n{tail}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, process.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="1,1000,10000")
    parser.add_argument("--delays", default="0,0.05")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--xdist", type=int, default=0, help="pytest-xdist workers (0: plain run)")
    parser.add_argument("--missing", type=float, default=0.0, help="share of the domains that do not exist (0 to 1)")
    parser.add_argument("--no-checks", action="store_true", help="the floor: pass findings without running the checks")
    parser.add_argument("--pytest-args", default="", help='more arguments for each pytest run, e.g. "-p no:logging -s"')
    args = parser.parse_args()
    if args.no_checks and args.missing:
        parser.error("--no-checks passes every finding: it cannot be combined with --missing")
    counts = [int(c) for c in args.counts.split(",")]
    delays = [float(d) for d in args.delays.split(",")]

    mode = f"-n {args.xdist}" if args.xdist else "plain"
    if args.missing:
        mode += f", {args.missing:.0%} of the domains missing"
    if args.no_checks:
        mode += ", no checks run (pytest and the plugin only)"
    extra = shlex.split(args.pytest_args)
    if extra:
        mode += f", pytest {args.pytest_args}"
    print(f"mode: {mode}; medians of {args.runs} runs; CPU = pytest process and its workers")
    print(f"{'delay':>6} {'domains':>8} {'wall s':>8} {'cpu s':>8} {'rss MiB':>8} {'x one':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if args.no_checks:
            (workdir / "conftest.py").write_text(NO_CHECKS_CONFTEST)
        for delay in delays:
            parent, child = multiprocessing.Pipe()
            server = multiprocessing.Process(target=serve, args=(max(counts), delay, child), daemon=True)
            server.start()
            port = parent.recv()
            try:
                run_pytest(port, 1, workdir, args.xdist, extra=extra)  # warm-up: imports, bytecode caches
                baseline = 0.0
                for count in counts:
                    walls, cpus, rss = [], [], []
                    for _ in range(args.runs):
                        wall, cpu, peak, _code = run_pytest(port, count, workdir, args.xdist, args.missing, extra)
                        walls.append(wall)
                        cpus.append(cpu)
                        rss.append(peak)
                    wall = statistics.median(walls)
                    if count == counts[0]:
                        baseline = wall
                    print(
                        f"{delay * 1000:>4.0f}ms {count:>8} {wall:>8.2f} {statistics.median(cpus):>8.2f} "
                        f"{statistics.median(rss):>8.0f} {wall / baseline:>7.1f}",
                        flush=True,
                    )
            finally:
                parent.send("stop")
                server.join(5)


if __name__ == "__main__":
    main()
