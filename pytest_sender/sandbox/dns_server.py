"""A small authoritative DNS server on loopback, serving zone files, with fault injection.

:class:`DnsServer` answers over UDP and TCP on the same port from zones loaded with dnspython
(one ``<origin>.zone`` file per zone). It answers like an authoritative server: AA set, CNAMEs
followed inside the zone, NXDOMAIN versus NODATA (empty non-terminals exist) with the SOA in the
authority section, REFUSED for names outside its zones, and UDP answers larger than the client's
EDNS payload (512 bytes without EDNS) truncated with the TC bit. A signed zone (its RRSIG, DNSKEY
records in the zone file, :mod:`pytest_sender.sandbox.dnssec_signing`) is served the way signed
zones are: the RRSIGs covering each answer (and the SOA of a negative answer) only when the query
sets the DO bit, and a DS question about a zone's apex answered from its parent zone when the
server holds it (the DS lives at the parent side of the cut). :class:`Faults` injects delay,
SERVFAIL, REFUSED, dropped queries and forced truncation for names matching glob patterns.

:class:`DnsSandboxComponent` is the ``--sender-sandbox`` component: the "healthy" zones make every
``dns.*`` check pass for :data:`SANDBOX_DOMAIN`; the "broken" zones fail each check with its code.
Under the live smoke (``live``) it publishes the key the sandbox signs with at Sender's key host
(``dkim.sendersrv.com``, where ``sender._domainkey.<domain>`` points), so signatures verify; the
"broken" live scenario (zones ``broken-live``) points the CNAME at that key host too but leaves
the zone file's key there: a key that is not the signer's, so every signature fails to verify.
The zone of :data:`SANDBOX_DOMAIN` is signed at start with a key made then
(:mod:`pytest_sender.sandbox.dnssec_signing`), and :attr:`DnsSandboxComponent.trust_anchor` is the
DS record dns.dnssec starts from: the key's own under "healthy", another key's under "broken" (a
DS that matches no key of the zone, as after a key rollover the registrar never heard of).
"""

from __future__ import annotations

import asyncio
import fnmatch
import socket
import struct
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_sender.errors import SandboxError
from pytest_sender.settings import Nameserver

if TYPE_CHECKING:
    import dns.message
    import dns.name
    import dns.zone

__all__ = [
    "SANDBOX_DOMAIN",
    "SANDBOX_MX_HOST",
    "ZONES_DIR",
    "DnsSandboxComponent",
    "DnsServer",
    "Faults",
    "load_zones",
    "with_txt_record",
]

#: The sending domain the sandbox's zones describe.
SANDBOX_DOMAIN = "sender-sandbox.test"
#: The MX host the "healthy" zone publishes (at 127.0.0.1): the sandbox's SMTP relay, whose certificate
#: names it, stands in for it (dns.mx-tls connects there, ``RunParts.mx_smtp_port``).
SANDBOX_MX_HOST = "mx." + SANDBOX_DOMAIN
#: Zone files of the sandbox scenarios, one directory per scenario.
ZONES_DIR = Path(__file__).parent / "zones"
MAX_CNAME_FOLLOW = 8


@dataclass
class Faults:
    """Faults injected by name (glob patterns over the lower-case query name, no final dot).

    Change the sets while the server runs; each query reads them when it arrives.
    """

    delay: float = 0.0  # seconds before every answer
    servfail: set[str] = field(default_factory=set)
    refused: set[str] = field(default_factory=set)
    drop: set[str] = field(default_factory=set)  # never answered: the client times out
    truncate: set[str] = field(default_factory=set)  # TC over UDP whatever the size; full over TCP
    malformed: set[str] = field(default_factory=set)  # the query's ID and bytes that are not DNS

    def matches(self, kind: str, qname: str) -> bool:
        patterns: set[str] = getattr(self, kind)
        return any(fnmatch.fnmatchcase(qname, pattern) for pattern in patterns)

    def clear(self) -> None:
        self.delay = 0.0
        for kind in ("servfail", "refused", "drop", "truncate", "malformed"):
            getattr(self, kind).clear()


def load_zones(directory: Path | str) -> dict[str, str]:
    """``{origin: zone text}`` of every ``<origin>.zone`` file in ``directory``."""
    path = Path(directory)
    files = sorted(path.glob("*.zone"))
    if not files:
        raise SandboxError(f"no *.zone files in {path}")
    return {file.name[: -len(".zone")]: file.read_text(encoding="utf-8") for file in files}


class _Zone:
    """One parsed zone plus the set of names that exist in it (empty non-terminals included)."""

    def __init__(self, origin: str, text: str) -> None:
        import dns.exception
        import dns.name
        import dns.zone

        self.origin = dns.name.from_text(origin)
        try:
            self.zone: dns.zone.Zone = dns.zone.from_text(text, origin=self.origin, relativize=False, check_origin=True)
        except dns.exception.DNSException as exc:
            raise SandboxError(f"zone {origin}: {exc}") from exc
        self.existing: set[dns.name.Name] = set()
        for name in self.zone.nodes:
            current = name
            while current != self.origin and current.is_subdomain(self.origin):
                self.existing.add(current)
                current = current.parent()
        self.existing.add(self.origin)


class DnsServer:
    """An authoritative DNS server on ``host`` (UDP and TCP on one port) in a background thread."""

    def __init__(
        self, zones: Mapping[str, str], *, host: str = "127.0.0.1", port: int = 0, faults: Faults | None = None
    ) -> None:
        # by origin: a query finds its zone by walking up its name (a fleet benchmark serves 10,000)
        self._zones: dict[dns.name.Name, _Zone] = {}
        for origin, text in zones.items():
            zone = _Zone(origin, text)
            self._zones[zone.origin] = zone
        self.host = host
        self.port = port
        self.faults = faults or Faults()
        self.log: list[tuple[str, str, str]] = []  # (transport, name, type) of each query received
        #: (time.monotonic(), transport) of every packet received (a UDP datagram, a TCP message),
        #: DNS or not, before it is parsed: what a client put on the wire
        self.packets: list[tuple[float, str]] = []
        self._answers: dict[tuple[str, bytes], tuple[str, str, dns.message.Message, bytes]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._transport: asyncio.DatagramTransport | None = None
        self._tcp_server: asyncio.Server | None = None
        self._started = threading.Event()
        self._start_error: BaseException | None = None

    @classmethod
    def from_directory(cls, directory: Path | str, **kwargs: Any) -> DnsServer:
        return cls(load_zones(directory), **kwargs)

    @property
    def nameserver(self) -> Nameserver:
        return Nameserver(self.host, self.port)

    def set_zone(self, origin: str, text: str) -> None:
        """Serve ``text`` for zone ``origin`` from now on (added, or replacing the zone: a key
        rotated in DNS, a record withdrawn), while the server runs."""
        zone = _Zone(origin, text)
        self._zones = {**self._zones, zone.origin: zone}  # a new mapping: the server thread reads the old one
        self._answers = {}

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> DnsServer:
        self._thread = threading.Thread(target=self._serve, name=f"sandbox-dns-{self.host}", daemon=True)
        self._thread.start()
        self._started.wait(10)
        if self._start_error is not None:
            raise SandboxError(f"the sandbox DNS server could not start: {self._start_error}") from self._start_error
        if not self._started.is_set():
            raise SandboxError("the sandbox DNS server did not start within 10 s")
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive():
            loop.call_soon_threadsafe(loop.stop)
            thread.join(5)
        self._loop = self._thread = None

    def __enter__(self) -> DnsServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._bind())
        except BaseException as exc:
            self._start_error = exc
            self._started.set()
            loop.close()
            return
        self._started.set()
        try:
            loop.run_forever()
        finally:
            if self._transport is not None:
                self._transport.close()
            if self._tcp_server is not None:
                self._tcp_server.close()
            for task in asyncio.all_tasks(loop):
                task.cancel()
            loop.run_until_complete(asyncio.sleep(0))
            loop.close()

    async def _bind(self) -> None:
        loop = asyncio.get_running_loop()
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        last_error: OSError | None = None
        # UDP and TCP must share one port; a port free for UDP may be taken for TCP, so retry.
        for _ in range(20):
            udp = socket.socket(family, socket.SOCK_DGRAM)
            # a burst of queries (a preflight of many domains) must not overflow the default buffer
            udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
            try:
                udp.bind((self.host, self.port))
                port = udp.getsockname()[1]
                tcp = socket.socket(family, socket.SOCK_STREAM)
                tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                tcp.bind((self.host, port))
            except OSError as exc:
                udp.close()
                last_error = exc
                if self.port:
                    break
                continue
            transport, _ = await loop.create_datagram_endpoint(lambda: _UdpProtocol(self), sock=udp)
            self._transport = transport
            self._tcp_server = await asyncio.start_server(self._handle_tcp, sock=tcp, backlog=512)
            self.port = port
            return
        raise SandboxError(f"no free port for UDP and TCP on {self.host}: {last_error}")

    # --- transports -----------------------------------------------------------------------------

    async def _answer_udp(self, data: bytes, addr: Any) -> None:
        self.packets.append((time.monotonic(), "udp"))
        wire = await self._respond(data, "udp")
        if wire is not None and self._transport is not None and not self._transport.is_closing():
            self._transport.sendto(wire, addr)

    async def _handle_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    header = await reader.readexactly(2)
                    data = await reader.readexactly(struct.unpack("!H", header)[0])
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                self.packets.append((time.monotonic(), "tcp"))
                wire = await self._respond(data, "tcp")
                if wire is None:
                    continue
                writer.write(struct.pack("!H", len(wire)) + wire)
                await writer.drain()
        finally:
            writer.close()

    async def _respond(self, data: bytes, transport: str) -> bytes | None:
        if len(data) < 12:
            return None  # not DNS: ignore it, as real servers do
        # The zones never change while serving, so the answer to the same question (everything
        # after the 2-byte ID) is rendered once; faults are still applied to every query.
        key = (transport, data[2:])
        entry = self._answers.get(key)
        if entry is None:
            entry = self._prepare(data, transport)
            if entry is None:
                return None
            if len(self._answers) < 100_000:
                self._answers[key] = entry
        qname, rdtype, query, normal = entry
        self.log.append((transport, qname, rdtype))
        faults = self.faults
        if faults.delay:
            await asyncio.sleep(faults.delay)
        if not qname or faults.matches("drop", qname):
            return None if qname else data[:2] + normal[2:]
        if faults.matches("malformed", qname):
            return data[:2] + b"\x81\x80\x00\x01\xff"  # a header cut short
        for kind, rcode_name in (("servfail", "SERVFAIL"), ("refused", "REFUSED")):
            if faults.matches(kind, qname):
                import dns.message
                import dns.rcode

                response = dns.message.make_response(query)
                response.set_rcode(dns.rcode.from_text(rcode_name))
                return data[:2] + response.to_wire()[2:]
        if transport == "udp" and faults.matches("truncate", qname):
            return data[:2] + _truncated(query)[2:]
        return data[:2] + normal[2:]

    def _prepare(self, data: bytes, transport: str) -> tuple[str, str, dns.message.Message, bytes] | None:
        """Parse a query and render its normal answer: (name, type, query, answer wire)."""
        import dns.exception
        import dns.message
        import dns.rcode
        import dns.rdatatype

        try:
            query = dns.message.from_wire(data)
        except dns.exception.DNSException:
            return None  # not DNS: ignore it, as real servers do
        response = dns.message.make_response(query)
        if not query.question:
            response.set_rcode(dns.rcode.FORMERR)
            return "", "", query, response.to_wire()
        question = query.question[0]
        qname = question.name.to_text(omit_final_dot=True).lower()
        self.fill_response(query, response)
        if transport == "tcp":
            # dnspython caps a reply at the query's EDNS payload unless told otherwise; TCP has no such cap
            wire = response.to_wire(max_size=65535)
        else:
            limit = max(512, query.payload) if query.edns >= 0 else 512
            try:
                wire = response.to_wire(max_size=limit)
            except dns.exception.TooBig:
                wire = _truncated(query)
        return qname, dns.rdatatype.to_text(question.rdtype), query, wire

    # --- answering ------------------------------------------------------------------------------

    def _zone_for(self, name: dns.name.Name) -> _Zone | None:
        zones = self._zones
        while True:  # the longest origin first: the name itself, then each parent
            zone = zones.get(name)
            if zone is not None:
                return zone
            if len(name.labels) <= 1:  # the root (or an empty relative name): no zone of ours
                return None
            name = name.parent()

    def fill_response(self, query: dns.message.Message, response: dns.message.Message) -> None:
        """Put the authoritative answer to ``query`` into ``response`` (pure, no I/O)."""
        import dns.flags
        import dns.rcode
        import dns.rdatatype

        question = query.question[0]
        name, rdtype = question.name, question.rdtype
        zone = self._zone_for(name)
        if zone is not None and rdtype == dns.rdatatype.DS and name == zone.origin and len(name.labels) > 1:
            zone = self._zone_for(name.parent()) or zone  # the DS of a cut is the parent's record
        if zone is None:
            response.set_rcode(dns.rcode.REFUSED)
            return
        signed = query.edns >= 0 and bool(query.ednsflags & dns.flags.DO)
        response.flags |= dns.flags.AA
        for _ in range(MAX_CNAME_FOLLOW):
            node = zone.zone.get_node(name)
            if node is None:
                if name not in zone.existing:
                    response.set_rcode(dns.rcode.NXDOMAIN)
                self._add_soa(zone, response, signed=signed)
                return
            if rdtype != dns.rdatatype.CNAME:
                cname = node.get_rdataset(question.rdclass, dns.rdatatype.CNAME)
                if cname is not None:
                    response.answer.append(_rrset(name, cname))
                    if signed:
                        _add_rrsigs(response.answer, node, name, dns.rdatatype.CNAME)
                    name = cname[0].target
                    if self._zone_for(name) is not zone:
                        return  # out of this zone: the resolver follows it
                    continue
            rdataset = node.get_rdataset(question.rdclass, rdtype)
            if rdataset is None:
                self._add_soa(zone, response, signed=signed)
                return
            response.answer.append(_rrset(name, rdataset))
            if signed:
                _add_rrsigs(response.answer, node, name, rdtype)
            return

    @staticmethod
    def _add_soa(zone: _Zone, response: dns.message.Message, *, signed: bool = False) -> None:
        import dns.rdataclass
        import dns.rdatatype

        soa = zone.zone.get_rdataset(zone.origin, dns.rdatatype.SOA)
        if soa is not None:
            response.authority.append(_rrset(zone.origin, soa))
            node = zone.zone.get_node(zone.origin)
            if signed and node is not None:
                _add_rrsigs(response.authority, node, zone.origin, dns.rdatatype.SOA)


def _add_rrsigs(section: list[Any], node: Any, name: dns.name.Name, covered: Any) -> None:
    """Append the zone's RRSIG records of ``name`` covering ``covered`` (if it has any) to ``section``."""
    import dns.rdataclass
    import dns.rdatatype

    rrsigs = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.RRSIG, covered)
    if rrsigs is not None:
        section.append(_rrset(name, rrsigs))


def _rrset(name: dns.name.Name, rdataset: Any) -> Any:
    import dns.rrset

    rrset = dns.rrset.RRset(name, rdataset.rdclass, rdataset.rdtype, rdataset.covers)
    rrset.update(rdataset)  # type: ignore[no-untyped-call]
    return rrset


def _truncated(query: dns.message.Message) -> bytes:
    import dns.flags
    import dns.message

    response = dns.message.make_response(query)
    response.flags |= dns.flags.TC | dns.flags.AA
    wire: bytes = response.to_wire()
    return wire


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, server: DnsServer) -> None:
        self.server = server
        self.tasks: set[asyncio.Task[None]] = set()

    def datagram_received(self, data: bytes, addr: Any) -> None:
        task = asyncio.ensure_future(self.server._answer_udp(data, addr))
        self.tasks.add(task)  # keep a reference until done
        task.add_done_callback(self.tasks.discard)


def serve_directories(directories: Iterable[Path | str], **kwargs: Any) -> DnsServer:
    """A started server holding the zones of every directory (later directories win)."""
    zones: dict[str, str] = {}
    for directory in directories:
        zones.update(load_zones(directory))
    return DnsServer(zones, **kwargs).start()


def with_txt_record(zone_text: str, label: str, rdata: str) -> str:
    """``zone_text`` with every record of the relative name ``label`` replaced by one TXT record."""
    kept = [line for line in zone_text.splitlines() if line.split(maxsplit=1)[:1] != [label]]
    return "\n".join([*kept, f"{label} TXT {rdata}"]) + "\n"


class DnsSandboxComponent:
    """The ``--sender-sandbox`` DNS component: the scenario's zones on a free loopback port."""

    def __init__(self) -> None:
        self.server: DnsServer | None = None
        self.scenario = "healthy"
        #: Set by the embedded sandbox before start() under --sender-live: mail is signed and judged.
        self.live = False
        #: The DS record (zone-file text) a validator of the sandbox's signed zone starts from.
        self.trust_anchor: str | None = None

    def start(self, scenario: str) -> None:
        directory = ZONES_DIR / scenario
        if not directory.is_dir():
            raise SandboxError(f"the DNS sandbox has no zones for scenario {scenario!r}")
        self.scenario = scenario
        directories = [ZONES_DIR / "common", directory]
        if self.live and (ZONES_DIR / f"{scenario}-live").is_dir():
            directories.append(ZONES_DIR / f"{scenario}-live")
        zones: dict[str, str] = {}
        for each in directories:
            zones.update(load_zones(each))
        if self.live and scenario == "healthy":
            from pytest_sender.sandbox.signing import KEY_HOST, sandbox_signing_key

            label, _, origin = KEY_HOST.partition(".")
            zones[origin] = with_txt_record(zones[origin], label, sandbox_signing_key().zone_rdata())
        from pytest_sender.sandbox.dnssec_signing import new_zone_key, sign_zone_text

        key = new_zone_key(SANDBOX_DOMAIN)
        zones[SANDBOX_DOMAIN] = sign_zone_text(SANDBOX_DOMAIN, zones[SANDBOX_DOMAIN], key)
        # broken: the anchor is the DS of a key the zone does not publish (a rollover the parent missed)
        anchor_key = key if scenario != "broken" else new_zone_key(SANDBOX_DOMAIN)
        self.trust_anchor = anchor_key.ds_text()
        self.server = DnsServer(zones).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
        self.trust_anchor = None

    def settings_overrides(self) -> dict[str, Any]:
        if self.server is None:
            raise SandboxError("the DNS sandbox is not running")
        overrides: dict[str, Any] = {
            "domains": (SANDBOX_DOMAIN,),
            "nameservers": (self.server.nameserver,),
            # the zones publish Sender's records under these names
            "spf_include": "sendersrv.com",
            "dkim_selector": "sender",
        }
        if self.trust_anchor is not None:
            from pytest_sender.settings import parse_dnssec_trust_anchor

            # dns.dnssec starts from the DS of the key the zone is signed with (broken: another key's)
            overrides["dnssec_trust_anchor"] = parse_dnssec_trust_anchor(self.trust_anchor)
        if self.live:
            # the sandbox signs for its own domain only, as Sender sends only from verified domains
            overrides["sender_from"] = f"hello@{SANDBOX_DOMAIN}"
        return overrides
