"""DNS preflight time is bounded by the depth of dependent lookups, not by their number.

A sandbox DNS server in a separate process answers every query after ``--delay`` seconds (50 ms by
default). Each benchmark domain ``bench-N.test`` is built so that its longest chain of dependent
lookups has depth 3:

- dns.spf: TXT bench-N.test → TXT _spf.bench-N.test (include) → A mail.bench-N.test (its ``a:``
  term), with include:sendersrv.com fetched alongside: depth 3;
- dns.dkim: TXT sender._domainkey.bench-N.test answers a CNAME into another zone, which the
  resolver follows (TXT dkim.sendersrv.com): depth 2;
- dns.dmarc: TXT _dmarc.bench-N.test → TXT bench-N.test._report._dmarc.reports.test (the external
  rua destination's authorisation): depth 2;
- dns.mx (MX, A, AAAA at once) and dns.blocklist (three lists at once): depth 1;
- dns.tls-rpt: TXT _smtp._tls.bench-N.test: depth 1;
- dns.mta-sts: TXT _mta-sts.bench-N.test → A/AAAA mta-sts.bench-N.test → the policy over HTTPS
  (an HTTPS server in the DNS server's process, no delay): depth 2 plus one HTTPS fetch;
- dns.bimi: TXT default._bimi.bench-N.test (with the DMARC walk alongside) → A/AAAA of the logo
  host → the logo over HTTPS: depth 2 plus one HTTPS fetch.

``--classic`` runs only the five checks before issue 19 (dns.spf … dns.blocklist), the baseline for
the same-run ratio. ``--dnssec`` adds dns.dnssec: the server then also holds a signed ``test`` zone
(the trust anchor's zone, handed to the run as ``RunParts.dnssec_trust_anchor``) with a DS for
each ``bench-N.test``, itself signed (one ED25519 key per zone, made and signed at server start).
Its walk asks DNSKEY test (shared by every domain), DS, DNSKEY and SOA of the domain and its MX,
all at once: depth 1, so the longest chain stays 3.

Targets (issue 4): one domain ≤ 1.25 × 3 × delay; 100 domains ≤ 3 × one domain.
Run: ``.venv/bin/python benchmarks/bench_dns_preflight.py --runs 5`` (``--classic`` for the baseline).
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pytest_sender.preflight.registry import RunParts, load_checks, plan_checks
from pytest_sender.preflight.runner import run_preflight
from pytest_sender.settings import Nameserver, Settings

DEPTH = 3
HEAD = "$TTL 300\n@ SOA ns1.{o}. hostmaster.{o}. 1 3600 600 86400 300\n@ NS ns1.{o}.\nns1 A 127.0.0.1\n"


def fetched_records(origin: str) -> list[str]:
    """The MTA-STS and BIMI records of a domain, whose policy and logo the HTTPS server serves."""
    return [
        '_mta-sts TXT "v=STSv1; id=1"',
        "mta-sts A 127.0.0.1",
        f'default._bimi TXT "v=BIMI1; l=https://bimi.{origin}/logo.svg"',
        "bimi A 127.0.0.1",
    ]


def build_zones(count: int, *, fetched: bool = True) -> dict[str, str]:
    """The zones of ``count`` domains; ``fetched=False`` leaves out MTA-STS and BIMI (no HTTPS server)."""
    sandbox_zones = Path(__file__).resolve().parent.parent / "pytest_sender" / "sandbox" / "zones"
    zones = {
        "sendersrv.com": (sandbox_zones / "common" / "sendersrv.com.zone").read_text(),
        "reports.test": HEAD.format(o="reports.test"),
    }
    for list_zone in ("dbl.spamhaus.org", "multi.uribl.com", "multi.surbl.org"):
        zones[list_zone] = HEAD.format(o=list_zone)
    for n in range(count):
        origin = f"bench-{n}.test"
        zones[origin] = (
            HEAD.format(o=origin)
            + "\n".join(
                [
                    f'@ TXT "v=spf1 include:_spf.{origin} include:sendersrv.com -all"',
                    f'_spf TXT "v=spf1 a:mail.{origin} -all"',
                    "mail A 192.0.2.25",
                    "@ MX 10 mail",
                    "sender._domainkey CNAME dkim.sendersrv.com.",
                    '_dmarc TXT "v=DMARC1; p=reject; rua=mailto:agg@reports.test"',
                    f'_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tls@{origin}"',
                ]
                + (fetched_records(origin) if fetched else [])
            )
            + "\n"
        )
        zones["reports.test"] += f'{origin}._report._dmarc TXT "v=DMARC1"\n'
    return zones


def sign_zones(zones: dict[str, str], count: int) -> str:
    """Sign every ``bench-N.test`` zone, add a signed ``test`` zone holding their DS; the anchor (DS of test)."""
    from pytest_sender.sandbox.dnssec_signing import new_zone_key, sign_zone_text

    parent = HEAD.format(o="test")
    for n in range(count):
        origin = f"bench-{n}.test"
        key = new_zone_key(origin)
        zones[origin] = sign_zone_text(origin, zones[origin], key)
        parent += f"bench-{n} NS ns1.{origin}.\nbench-{n} DS {key.ds_rdata_text()}\n"
    top = new_zone_key("test")
    zones["test"] = sign_zone_text("test", parent, top)
    return top.ds_text()


def serve(count: int, delay: float, conn: Connection, dnssec: bool = False) -> None:
    from pytest_sender.sandbox.dns_server import DnsServer, Faults

    zones = build_zones(count)
    anchor = sign_zones(zones, count) if dnssec else None
    server = DnsServer(zones, faults=Faults(delay=delay)).start()
    conn.send((server.port, anchor))
    conn.recv()  # wait for "stop"
    server.stop()


def serve_web(count: int, conn: Connection) -> None:
    """The HTTPS server of the policies and logos, in a process of its own (as remote servers are)."""
    from pytest_sender.dns.mtasts import POLICY_PATH
    from pytest_sender.sandbox.web_server import SANDBOX_LOGO, WebFile, WebServer

    files = {}
    for n in range(count):
        origin = f"bench-{n}.test"
        policy = f"version: STSv1\nmode: enforce\nmx: mail.{origin}\nmax_age: 604800\n"
        files[(f"mta-sts.{origin}", POLICY_PATH)] = WebFile(policy.encode())
        files[(f"bimi.{origin}", "/logo.svg")] = WebFile(SANDBOX_LOGO.encode())
    web = WebServer(files).start()
    conn.send((web.port, web.ca_pem))
    conn.recv()  # wait for "stop"
    web.stop()


MODULES = ["pytest_sender.dns.checks", "pytest_sender.dns.transport_checks", "pytest_sender.dns.bimi_checks"]
CLASSIC = ["BLOCKLIST_CLEAN", "DKIM_OK", "DMARC_OK", "MX_OK", "SPF_OK"]


def run_once(
    port: int, domains: int, timeout: float, parts: RunParts, *, classic: bool = False, dnssec: bool = False
) -> tuple[float, float, list[str]]:
    """Wall time, this process's CPU time (less sensitive to a busy machine) and the finding codes."""
    settings = Settings(
        domains=tuple(f"bench-{n}.test" for n in range(domains)),
        nameservers=(Nameserver("127.0.0.1", port),),
        timeout=timeout,
    )
    modules = MODULES[:1] if classic else MODULES
    if dnssec:
        modules = [*modules, "pytest_sender.dns.dnssec_checks"]
    planned = plan_checks(settings, load_checks(modules, plugins=False))
    started = time.perf_counter()
    cpu_started = time.process_time()
    findings = run_preflight(planned, settings, parts=parts)
    cpu = time.process_time() - cpu_started
    elapsed = time.perf_counter() - started
    return elapsed, cpu, sorted({f.code for f in findings})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--domains", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--classic", action="store_true", help="only the five checks before issue 19")
    parser.add_argument("--dnssec", action="store_true", help="sign the zones and add dns.dnssec")
    args = parser.parse_args()

    parent, child = multiprocessing.Pipe()
    process = multiprocessing.Process(target=serve, args=(args.domains, args.delay, child, args.dnssec), daemon=True)
    process.start()
    web_parent, web_child = multiprocessing.Pipe()
    web_process = multiprocessing.Process(target=serve_web, args=(args.domains, web_child), daemon=True)
    web_process.start()
    port, anchor = parent.recv()
    web_port, ca_pem = web_parent.recv()
    parts = RunParts(fetch_ca_pem=ca_pem, fetch_https_port=web_port, dnssec_trust_anchor=anchor)
    expected = sorted(
        CLASSIC
        + ([] if args.classic else ["BIMI_OK", "MTASTS_OK", "TLSRPT_OK"])
        + (["DNSSEC_OK"] if args.dnssec else [])
    )
    try:
        run_once(port, 1, args.timeout, parts, classic=args.classic, dnssec=args.dnssec)  # warm-up: imports, sockets
        results: dict[int, list[float]] = {1: [], args.domains: []}
        cpu_times: dict[int, list[float]] = {1: [], args.domains: []}
        for _ in range(args.runs):
            for count in list(results):
                elapsed, cpu, codes = run_once(
                    port, count, args.timeout, parts, classic=args.classic, dnssec=args.dnssec
                )
                if codes != expected:
                    raise SystemExit(f"unexpected findings {codes}; the benchmark zones are wrong")
                results[count].append(elapsed)
                cpu_times[count].append(cpu)
    finally:
        parent.send("stop")
        web_parent.send("stop")
        process.join(5)
        web_process.join(5)

    one = statistics.median(results[1])
    many = statistics.median(results[args.domains])
    budget_one = 1.25 * DEPTH * args.delay
    which = "the five classic dns checks" if args.classic else "all eight dns checks"
    if args.dnssec:
        which += " and dns.dnssec"
    print(f"{which}; delay per answer: {args.delay * 1000:.0f} ms; longest dependent chain: {DEPTH} lookups")
    print(
        f"1 domain:    median {one * 1000:7.1f} ms of {args.runs} runs "
        f"(min {min(results[1]) * 1000:.1f}, max {max(results[1]) * 1000:.1f}); "
        f"target <= {budget_one * 1000:.1f} ms: {'ok' if one <= budget_one else 'MISSED'}"
    )
    print(
        f"{args.domains} domains: median {many * 1000:7.1f} ms of {args.runs} runs "
        f"(min {min(results[args.domains]) * 1000:.1f}, max {max(results[args.domains]) * 1000:.1f}); "
        f"{many / one:.2f} x one domain, target <= 3 x: {'ok' if many <= 3 * one else 'MISSED'}"
    )
    print(
        f"CPU time of this process: 1 domain median {statistics.median(cpu_times[1]) * 1000:.1f} ms, "
        f"{args.domains} domains median {statistics.median(cpu_times[args.domains]) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
