"""DNS servers on loopback serving ``tests/zones``: the sandbox server, and Knot DNS when installed.

:func:`start_knot` runs ``knotd`` unprivileged-style (private config, run and storage directories
in a temporary directory, a free 127.0.0.1 port) with the same zone files, and waits until it
answers. CI installs the Debian package ``knot``; elsewhere :data:`KNOTD` is None and the tests
that need it skip with a reason.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pytest_sender.sandbox.dns_server import DnsServer, Faults
from pytest_sender.settings import Nameserver

ZONES = Path(__file__).resolve().parent.parent / "zones"
KNOTD = shutil.which("knotd") or next(
    (str(p) for p in (Path("/usr/sbin/knotd"), Path("/usr/local/sbin/knotd")) if p.exists()), None
)
SKIP_KNOT_REASON = "knotd is not installed (Debian package 'knot'; .ci/run installs it in CI)"


@dataclass
class RunningDns:
    """A running server: its kind, address and (for the sandbox server) its fault switches."""

    kind: str
    nameserver: Nameserver
    faults: Faults | None = None
    server: DnsServer | None = field(default=None, repr=False)


def free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1 at the time of the call."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return int(port)
    raise RuntimeError("no free loopback port for UDP and TCP")


@contextmanager
def start_sandbox_dns(zone_dir: Path = ZONES, **kwargs: object) -> Iterator[RunningDns]:
    server = DnsServer.from_directory(zone_dir, **kwargs).start()  # type: ignore[arg-type]
    try:
        yield RunningDns("sandbox", server.nameserver, server.faults, server)
    finally:
        server.stop()


def _knot_config(zone_dir: Path, workdir: Path, port: int) -> str:
    zones = sorted(p.name[: -len(".zone")] for p in zone_dir.glob("*.zone"))
    lines = [
        "server:",
        f"    listen: 127.0.0.1@{port}",
        f"    rundir: {workdir / 'run'}",
        "database:",
        f"    storage: {workdir / 'db'}",
        "log:",
        "  - target: stderr",
        "    any: error",
        "template:",
        "  - id: default",
        f"    storage: {zone_dir}",
        '    file: "%s.zone"',
        "    semantic-checks: off",
        "    zonefile-sync: -1",
        "    journal-content: none",
        "zone:",
    ]
    lines += [f"  - domain: {zone}" for zone in zones]
    return "\n".join(lines) + "\n"


def _answers(port: int, zone: str) -> bool:
    import dns.message
    import dns.query

    try:
        response = dns.query.udp(dns.message.make_query(zone, "SOA"), "127.0.0.1", timeout=0.2, port=port)
    except (OSError, dns.exception.DNSException):
        return False
    return bool(response.answer)


@contextmanager
def start_knot(zone_dir: Path = ZONES) -> Iterator[RunningDns]:
    """Knot DNS serving ``zone_dir`` on a free loopback port; raises RuntimeError if it will not start."""
    if KNOTD is None:
        raise RuntimeError(SKIP_KNOT_REASON)
    with tempfile.TemporaryDirectory(prefix="knot-") as tmp:
        workdir = Path(tmp)
        (workdir / "run").mkdir()
        (workdir / "db").mkdir()
        port = free_port()
        config = workdir / "knot.conf"
        config.write_text(_knot_config(zone_dir, workdir, port))
        process = subprocess.Popen(
            [KNOTD, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        try:
            deadline = time.monotonic() + 10
            probe_zone = next(iter(sorted(p.name[:-5] for p in zone_dir.glob("*.zone"))))
            while not _answers(port, probe_zone):
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    _, err = process.communicate(timeout=5)
                    raise RuntimeError(f"knotd did not start: {err.strip()[-2000:]}")
                time.sleep(0.05)
            yield RunningDns("knot", Nameserver("127.0.0.1", port))
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)
            if process.stderr is not None:
                process.stderr.close()


def serve(kind: str, zone_dir: Path = ZONES) -> Iterator[RunningDns]:
    """Generator body for a parametrised fixture: ``kind`` is "sandbox" or "knot" (skipped when absent)."""
    import pytest

    if kind == "knot":
        if KNOTD is None:
            pytest.skip(SKIP_KNOT_REASON)
        with start_knot(zone_dir) as running:
            yield running
        return
    with start_sandbox_dns(zone_dir) as running:
        yield running
