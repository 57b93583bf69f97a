"""The openspf RFC 7208 test suite (``rfc7208-tests.yml``) through ``check_host`` over a loopback DNS server.

The suite ships in pyspf's source distribution on PyPI; it is fetched at test time with
``pip download`` into a cache directory (``$PYTEST_SENDER_CACHE`` or the temporary directory),
never committed. Without network access to PyPI the tests skip, saying why. Each YAML document's
zone data is served by the sandbox DNS server as one root zone (``TIMEOUT`` names are dropped,
so the client times out); each scenario's ``result`` (one value or a list of acceptable ones)
must come out of :func:`~pytest_sender.dns.spf.check_host`, and its ``explanation`` where given.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_sender.dns.query import Resolver
from pytest_sender.dns.spf import check_host
from pytest_sender.sandbox.dns_server import DnsServer

CACHE = Path(os.environ.get("PYTEST_SENDER_CACHE", tempfile.gettempdir())) / "pytest-sender-openspf"
SUITE_NAME = "rfc7208-tests.yml"


def _fetch_suite() -> Path | str:
    """The suite's path, or why it could not be had."""
    target = CACHE / SUITE_NAME
    if target.exists():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:", "pyspf"]
    try:
        subprocess.run([*command, "-d", str(CACHE)], check=True, capture_output=True, timeout=120)
    except (subprocess.SubprocessError, OSError) as exc:
        return f"could not fetch pyspf's sdist from PyPI for {SUITE_NAME}: {exc}"
    for archive in sorted(CACHE.glob("pyspf-*.tar.gz")):
        with tarfile.open(archive) as tar:
            member = next((m for m in tar.getmembers() if m.name.endswith("/test/" + SUITE_NAME)), None)
            if member is None:
                continue
            source = tar.extractfile(member)
            if source is not None:
                target.write_bytes(source.read())
                return target
    return f"pyspf's sdist in {CACHE} holds no {SUITE_NAME}"


def _load() -> tuple[list[dict[str, Any]], str]:
    found = _fetch_suite()
    if isinstance(found, str):
        return [], found
    import yaml

    return list(yaml.safe_load_all(found.read_text(encoding="utf-8"))), ""


DOCUMENTS, SKIP_REASON = _load()
SCENARIOS = [
    pytest.param(index, name, id=f"{index}-{name}")
    for index, document in enumerate(DOCUMENTS)
    for name in document["tests"]
] or [pytest.param(-1, "", marks=pytest.mark.skip(reason=SKIP_REASON or "no scenarios"))]


def _text(value: str | bytes) -> str:
    data = value if isinstance(value, bytes) else value.encode("utf-8")
    chunks = [data[i : i + 250] for i in range(0, len(data), 250)] or [b""]

    def escaped(chunk: bytes) -> str:
        return "".join(chr(b) if 0x20 <= b < 0x7F and b not in b'"\\' else f"\\{b:03d}" for b in chunk)

    return " ".join(f'"{escaped(chunk)}"' for chunk in chunks)


def _owner(name: str) -> str:
    import dns.name

    return dns.name.from_text(name).to_text()


def _zone(zonedata: dict[str, list[Any]]) -> tuple[str, set[str]]:
    """One root zone holding the document's names, and the names to drop (TIMEOUT)."""
    lines = ["$TTL 300", ". IN SOA ns.root. host.root. 1 3600 600 86400 300", ". IN NS ns.root."]
    drop: set[str] = set()
    for name, records in zonedata.items():
        owner = _owner(name)
        has_txt = any(isinstance(r, dict) and "TXT" in r for r in records)
        for record in records:
            if record == "TIMEOUT":
                if any(isinstance(r, dict) and r.get("TXT", "NONE") != "NONE" for r in records):
                    continue  # the suite times out only the types the name lacks; its TXT answers
                pattern = name.lower().rstrip(".")
                drop.add("".join(f"[{c}]" if c in "[]*?" else c for c in pattern))
                continue
            (rdtype, value), *_ = record.items()
            if rdtype in ("TXT", "SPF"):
                if value == "NONE":
                    continue
                strings = (" ".join(_text(v) for v in value) or '""') if isinstance(value, list) else _text(value)
                lines.append(f"{owner} IN TYPE99 {_generic(value)}" if rdtype == "SPF" else f"{owner} IN TXT {strings}")
                if rdtype == "SPF" and not has_txt:
                    lines.append(f"{owner} IN TXT {strings}")  # the suite's drivers copy SPF into TXT
            elif rdtype == "MX":
                lines.append(f"{owner} IN MX {value[0]} {_owner(value[1])}")
            elif rdtype in ("PTR", "CNAME"):
                lines.append(f"{owner} IN {rdtype} {_owner(value)}")
            else:
                lines.append(f"{owner} IN {rdtype} {value}")
    return "\n".join(lines) + "\n", drop


def _generic(value: str | list[str]) -> str:
    """RFC 3597 form of an SPF (type 99) rdata: its character-strings."""
    parts = value if isinstance(value, list) else [value]
    data = b""
    for part in parts:
        raw = part.encode("utf-8")
        for i in range(0, max(len(raw), 1), 255):
            chunk = raw[i : i + 255]
            data += bytes([len(chunk)]) + chunk
    return f"\\# {len(data)} {data.hex()}" if data else "\\# 1 00"


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[int, Resolver]]:
    running: list[DnsServer] = []
    resolvers: dict[int, Resolver] = {}
    try:
        for index, document in enumerate(DOCUMENTS):
            text, drop = _zone(document.get("zonedata", {}))
            server = DnsServer({".": text}).start()
            server.faults.drop.update(drop)
            running.append(server)
            resolvers[index] = Resolver([server.nameserver], timeout=0.4)
        yield resolvers
    finally:
        for server in running:
            server.stop()


@pytest.mark.parametrize(("index", "name"), SCENARIOS)
def test_the_openspf_rfc7208_suite(servers: dict[int, Resolver], index: int, name: str) -> None:
    scenario = DOCUMENTS[index]["tests"][name]
    mailfrom = str(scenario.get("mailfrom", ""))
    helo = str(scenario.get("helo", ""))
    domain = mailfrom.rpartition("@")[2] if mailfrom else helo
    outcome = asyncio.run(check_host(str(scenario["host"]), domain, mailfrom, helo=helo, resolver=servers[index]))
    expected = scenario["result"]
    accepted = expected if isinstance(expected, list) else [expected]
    assert outcome.result in accepted, f"{scenario.get('spec')}: {outcome.reason}"
    if scenario.get("explanation", "DEFAULT") != "DEFAULT" and outcome.result == "fail":  # DEFAULT: any
        assert outcome.explanation == scenario["explanation"]
