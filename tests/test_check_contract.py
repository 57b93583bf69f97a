"""The one check contract: every registered check is ``check_x(context, target) -> Finding`` and never raises.

Also: the run's parts are a typed frozen object (no string-keyed extras), the embedded sandbox hands
its components' parts by name, a check runs standalone without pytest, and nothing that is not a
registered check is named ``check_*`` (RFC 7208's ``check_host`` excepted).
"""

from __future__ import annotations

import ast
import asyncio
import dataclasses
import inspect
import socket
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import pytest_sender
from pytest_sender.errors import InvalidArgument, SandboxError
from pytest_sender.findings import Finding, Status
from pytest_sender.preflight import run_check
from pytest_sender.preflight.registry import (
    BUILTIN_CHECK_MODULES,
    LIVE_CHECK_MODULES,
    CheckContext,
    CheckSpec,
    RunParts,
    load_checks,
)
from pytest_sender.settings import InboxAddress, Nameserver, Secret, Settings, SpamdAddress
from tests.helpers.scripted_http import closed_port

REGISTERED = load_checks(BUILTIN_CHECK_MODULES + LIVE_CHECK_MODULES, plugins=False)
#: RFC 7208 names its evaluation check_host(); the library keeps that name (and its blocking twin).
RFC_NAMES = {("pytest_sender.dns.spf", "check_host"), ("pytest_sender.dns.spf", "check_host_sync")}


@pytest.mark.parametrize("spec", REGISTERED, ids=lambda spec: spec.name)
def test_every_registered_check_has_the_one_signature(spec: CheckSpec) -> None:
    run = spec.run
    assert inspect.iscoroutinefunction(run), spec.name
    parameters = list(inspect.signature(run).parameters.values())
    assert len(parameters) == 2, (spec.name, parameters)
    assert all(p.kind is p.POSITIONAL_OR_KEYWORD and p.default is p.empty for p in parameters), spec.name
    # Every check module uses postponed annotations (the names may be imported for typing only).
    hints = inspect.get_annotations(run)
    assert [hints[p.name] for p in parameters] == ["CheckContext", "str"], spec.name
    assert hints["return"] == "Finding", spec.name
    assert run.__name__.startswith("check_"), (spec.name, run.__name__)


def _module_level_check_functions() -> set[tuple[str, str]]:
    root = Path(pytest_sender.__file__).parent
    found = set()
    for path in root.rglob("*.py"):
        module = ".".join(("pytest_sender", *path.relative_to(root).with_suffix("").parts)).removesuffix(".__init__")
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("check_"):
                found.add((module, node.name))
    return found


def test_only_registered_checks_are_named_check() -> None:
    registered = {(spec.run.__module__, spec.run.__name__) for spec in REGISTERED}
    named = _module_level_check_functions()
    assert named - registered - RFC_NAMES == set()  # a check_* that is not a check: rename it
    assert named >= RFC_NAMES


def test_the_context_is_frozen_and_its_parts_are_named_fields() -> None:
    context = CheckContext(Settings())
    assert not hasattr(context, "extras")
    with pytest.raises(dataclasses.FrozenInstanceError):
        context.parts = RunParts()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        context.parts.smtp_ca_pem = "x"  # type: ignore[misc]
    names = [f.name for f in dataclasses.fields(RunParts)]
    assert len(names) == len(set(names))
    assert "http_transport" not in names  # one name for the Sender API's transport
    with pytest.raises(TypeError):
        RunParts(dns_resolverr=None)  # type: ignore[call-arg]  # a misspelt part fails, not ignored


# --- a check whose I/O fails returns a finding -------------------------------------------------------


class _Garbage(socketserver.BaseRequestHandler):
    """Answers whatever comes (SMTP, HTTP, IMAP over TLS, spamd) with bytes no protocol expects."""

    def handle(self) -> None:
        sock: socket.socket = self.request
        try:
            sock.sendall(b"\x00\xff\x16garbage \xc3\x28\r\n\r\n")
            sock.recv(4096)
        except OSError:
            pass


class _GarbageTcp(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class _GarbageDns(socketserver.BaseRequestHandler):
    """Answers every DNS datagram with a packet that is not a DNS message."""

    def handle(self) -> None:
        data, sock = self.request
        sock.sendto(data[:2] + b"\xff\x00garbage", self.client_address)


def _closed_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture(scope="module")
def garbage_servers() -> Iterator[tuple[int, int]]:
    tcp = _GarbageTcp(("127.0.0.1", 0), _Garbage)
    udp = socketserver.ThreadingUDPServer(("127.0.0.1", 0), _GarbageDns)
    for server in (tcp, udp):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield tcp.server_address[1], udp.server_address[1]
    finally:
        for server in (tcp, udp):
            server.shutdown()
            server.server_close()


def _everything_configured(tcp_port: int, dns_port: int, message: Path) -> Settings:
    """Every check configured, every endpoint at ``tcp_port`` (and DNS at ``dns_port``) on loopback."""
    return Settings().with_overrides(
        "test",
        api_url=f"http://127.0.0.1:{tcp_port}/v2",
        api_token=Secret("tok-contract-0001"),
        campaigns=("c1",),
        domains=("example.test",),
        nameservers=(Nameserver("127.0.0.1", dns_port),),
        smtp_host="127.0.0.1",
        smtp_ports=(tcp_port,),
        smtp_username=Secret("contract-user"),
        smtp_password=Secret("contract-password"),
        inbox=InboxAddress("qa@example.test", "127.0.0.1", tcp_port),
        inbox_password=Secret("inbox-password"),
        recipient="qa@example.test",
        sender_from="app@example.test",
        template_id="t1",
        messages=(message,),
        spamd=SpamdAddress("127.0.0.1", tcp_port),
        timeout=0.5,
        live_timeout=0.5,
        mx_tls=True,
    )


@pytest.mark.parametrize("endpoints", ["nothing listens", "garbage answers"])
def test_every_registered_check_returns_a_finding_when_its_io_fails(
    endpoints: str, garbage_servers: tuple[int, int], tmp_path: Path
) -> None:
    message = tmp_path / "welcome.eml"
    message.write_bytes(
        b"From: app@example.test\r\nTo: qa@example.test\r\nSubject: Hi\r\nContent-Type: text/html\r\n\r\n"
        b"<html><body><p>Hello <a href='https://links.example.test/x'>there</a></p></body></html>\r\n"
    )
    ports = (closed_port(), _closed_udp_port()) if endpoints == "nothing listens" else garbage_servers
    settings = _everything_configured(*ports, message)
    planned = [(spec, target) for spec in REGISTERED for target in spec.targets(settings)]
    assert {spec.name for spec, _ in planned} == {spec.name for spec in REGISTERED}  # every check has a target

    async def run_all() -> list[Finding | BaseException]:
        context = CheckContext(settings)  # called directly: no runner, no CHECK_CRASHED safety net
        return await asyncio.wait_for(
            asyncio.gather(*(spec.run(context, target) for spec, target in planned), return_exceptions=True),
            timeout=120,
        )

    results = asyncio.run(run_all())
    raised = {
        spec.name: repr(result)
        for (spec, _), result in zip(planned, results, strict=True)
        if not isinstance(result, Finding)
    }
    assert raised == {}
    for (spec, target), finding in zip(planned, results, strict=True):
        assert isinstance(finding, Finding)
        assert (finding.check, finding.target) == (spec.name, target)
        assert finding.code not in ("CHECK_CRASHED", "CHECK_TIMED_OUT")
        assert finding.status is not Status.PASS or spec.name in ("content.lint", "dns.mx"), (spec.name, finding.code)


# --- standalone, and the sandbox's named parts ------------------------------------------------------


def test_a_registered_check_runs_standalone_by_name() -> None:
    from pytest_sender.sandbox.api_server import ApiSandbox

    sandbox = ApiSandbox().start()
    try:
        settings = Settings(api_url=sandbox.base_url, api_token=Secret(sandbox.token), timeout=2.0)
        (finding,) = run_check("api.token", settings)
    finally:
        sandbox.stop()
    assert (finding.check, finding.status, finding.code) == ("api.token", Status.PASS, "API_TOKEN_OK")
    with pytest.raises(InvalidArgument, match=r"no preflight check is named 'dns\.spff'"):
        run_check("dns.spff", settings)


def test_the_embedded_sandbox_hands_its_components_parts_by_name() -> None:
    from pytest_sender.sandbox import EmbeddedSandbox
    from pytest_sender.sandbox.imap_delivery import ImapDelivery
    from pytest_sender.sandbox.smtp_relay import SmtpSandboxComponent

    sandbox = EmbeddedSandbox("healthy")
    with pytest.raises(SandboxError, match="not started"):
        sandbox.run_parts()
    with sandbox:
        parts = sandbox.run_parts()
        relay = sandbox.component(SmtpSandboxComponent)
        assert relay is not None
        assert parts.smtp_ca_pem == relay.ca_pem
        assert parts.smtp_ca_pem.startswith("-----BEGIN CERTIFICATE-----")
        assert isinstance(parts.imap_delivery, ImapDelivery)
        assert (parts.dns_resolver, parts.api_transport, parts.smtp_ssl_context) == (None, None, None)
        assert parts.fetch_ca_pem is not None
        assert parts.fetch_ca_pem.startswith("-----BEGIN CERTIFICATE-----")
        assert parts.fetch_https_port
        assert (parts.mx_smtp_port, parts.mx_ca_pem) == (relay.port, relay.ca_pem)  # the relay is the zone's MX
