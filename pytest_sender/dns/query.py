"""The DNS query layer: an async resolver wrapper with typed, cached answers.

:class:`Resolver` wraps dnspython's ``dns.asyncresolver`` and never raises for a DNS or network
fault: every outcome is a frozen :class:`DnsAnswer` whose :class:`DnsStatus` keeps NXDOMAIN,
NODATA, SERVFAIL, REFUSED and timeout apart (a fault is never a "missing" record). Answers are
cached per resolver, keyed by (nameservers, name, type), and in-flight queries for the same key
are shared; a semaphore bounds how many queries are on the wire at once. UDP answers with the TC
bit set are retried over TCP by dnspython. The plain outcomes are taken from the first server
directly (one exchange on a shared socket, one parse); any fault goes on to dnspython's resolver.

dnspython is imported only when the first query is made.
"""

from __future__ import annotations

import asyncio
import enum
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from pytest_sender.errors import ParseError
from pytest_sender.settings import Nameserver

if TYPE_CHECKING:
    import dns.asyncresolver
    import dns.message

__all__ = [
    "DEFAULT_MAX_CONCURRENCY",
    "DEFAULT_UDP_PAYLOAD",
    "DnsAnswer",
    "DnsStatus",
    "Resolver",
    "display_name",
    "to_ascii_name",
]

#: EDNS payload advertised over UDP (the DNS flag day 2020 value); ``None`` sends no EDNS (512 bytes).
DEFAULT_UDP_PAYLOAD = 1232
#: Queries on the wire at once, per resolver.
DEFAULT_MAX_CONCURRENCY = 1024
#: CNAMEs followed across zones before giving up (a loop or an absurd chain).
MAX_CNAME_HOPS = 8


class DnsStatus(str, enum.Enum):
    """What a query came back with."""

    OK = "ok"  # at least one record of the type
    NXDOMAIN = "nxdomain"  # the name does not exist
    NODATA = "nodata"  # the name exists, without records of this type
    SERVFAIL = "servfail"  # the server failed: inconclusive, never "missing"
    REFUSED = "refused"  # the server will not answer this query
    TIMEOUT = "timeout"  # no answer in time (dropped, filtered, slow)
    ERROR = "error"  # any other fault: malformed answer, network error, odd rcode

    def __str__(self) -> str:
        return self.value

    @property
    def is_void(self) -> bool:
        """An authoritative "nothing here" (RFC 7208 §4.6.4 void lookup)."""
        return self in (DnsStatus.NXDOMAIN, DnsStatus.NODATA)

    @property
    def is_fault(self) -> bool:
        """The question could not be answered; nothing is known about the records."""
        return self in (DnsStatus.SERVFAIL, DnsStatus.REFUSED, DnsStatus.TIMEOUT, DnsStatus.ERROR)


@dataclass(frozen=True)
class DnsAnswer:
    """The outcome of one query.

    ``records`` holds one text per record: a TXT record's strings joined without separator
    (RFC 7208 §3.3), an address, ``"<preference> <exchange>"`` for MX, the target of CNAME/PTR
    (names without the final dot). ``strings`` keeps each TXT record's character-strings as sent.
    ``cname_chain`` lists the CNAME targets followed from ``name``, in order.
    """

    name: str
    rdtype: str
    status: DnsStatus
    records: tuple[str, ...] = ()
    strings: tuple[tuple[bytes, ...], ...] = ()
    cname_chain: tuple[str, ...] = ()
    detail: str = ""
    server: str = ""

    @property
    def ok(self) -> bool:
        return self.status is DnsStatus.OK

    @property
    def final_name(self) -> str:
        """The name the records belong to: the end of the CNAME chain, or ``name``."""
        return self.cname_chain[-1] if self.cname_chain else self.name

    def describe(self) -> str:
        """One evidence line: the question and what came back."""
        via = "".join(f" → CNAME {target}" for target in self.cname_chain)
        if self.status is DnsStatus.OK:
            shown = "; ".join(_shorten(r) for r in self.records)
            return f"{self.rdtype} {self.name}{via}: {shown}"
        detail = f" ({self.detail})" if self.detail else ""
        return f"{self.rdtype} {self.name}{via}: {self.status.value.upper()}{detail}"


def _shorten(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def to_ascii_name(name: str) -> str:
    """The A-label (punycode) form of ``name``, lower-cased, without the final dot.

    Raises :class:`~pytest_sender.errors.ParseError` when ``name`` is not a valid DNS name.
    """
    text = name.strip().rstrip(".")
    if not text:
        raise ParseError("an empty name cannot be queried")
    if text.isascii():
        ascii_name = text.lower()
    else:
        try:
            ascii_name = text.encode("idna").decode("ascii").lower()
        except UnicodeError as exc:
            raise ParseError(f"{name!r} is not a valid domain name: {exc}") from exc
    labels = ascii_name.split(".")
    if any(not label or len(label) > 63 for label in labels) or len(ascii_name) > 253:
        raise ParseError(f"{name!r} is not a valid domain name (empty or over-long label)")
    return ascii_name


def display_name(name: str) -> str:
    """The user's (U-label) form of an A-label name, for messages; ``name`` itself if not IDN."""
    if "xn--" not in name:
        return name
    try:
        return name.encode("ascii").decode("idna")
    except UnicodeError:
        return name


class Resolver:
    """Async DNS resolver with a per-instance cache and bounded concurrency.

    ``nameservers`` empty means the system's resolvers (``/etc/resolv.conf``). ``timeout`` bounds
    each query (retries included). ``udp_payload`` is the EDNS payload advertised; ``None`` sends
    no EDNS, so answers over 512 bytes come back truncated and are retried over TCP.
    """

    def __init__(
        self,
        nameservers: Sequence[Nameserver] = (),
        *,
        timeout: float = 5.0,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        udp_payload: int | None = DEFAULT_UDP_PAYLOAD,
        cache: bool = True,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.nameservers = tuple(nameservers)
        self.timeout = timeout
        self.max_concurrency = max_concurrency
        self.udp_payload = udp_payload
        self.use_cache = cache
        self.queries_sent = 0  # questions that went to the wire (cache misses), for tests and benchmarks
        self._cache: dict[tuple[tuple[Nameserver, ...], str, str], asyncio.Task[DnsAnswer]] = {}
        self._semaphore: asyncio.Semaphore | None = None
        self._resolver: dns.asyncresolver.Resolver | None = None
        self._direct: _SharedUdp | None = None  # the first server, asked without the resolver's bookkeeping

    def __repr__(self) -> str:
        servers = ",".join(str(ns) for ns in self.nameservers) or "system"
        return f"Resolver(nameservers={servers}, timeout={self.timeout:g})"

    async def query(self, name: str, rdtype: str) -> DnsAnswer:
        """Ask for ``rdtype`` records of ``name`` (an IDN is queried as its A-label).

        Never raises for a DNS or network fault; raises :class:`ParseError` for a name that
        cannot be put on the wire.
        """
        qname = to_ascii_name(name)
        rdtype = rdtype.upper()
        if not self.use_cache:
            return await self._query_following(qname, rdtype)
        key = (self.nameservers, qname, rdtype)
        task = self._cache.get(key)
        if task is None:
            task = asyncio.ensure_future(self._query_following(qname, rdtype))
            self._cache[key] = task
        return await asyncio.shield(task)

    async def _query_following(self, qname: str, rdtype: str) -> DnsAnswer:
        answer = await self._query_once(qname, rdtype)
        chain = answer.cname_chain
        # An authoritative server answers a CNAME into a zone it does not serve with the CNAME
        # alone (NOERROR, no data); a recursive resolver would chase it, so we do too.
        hops = 0
        while answer.status is DnsStatus.NODATA and chain and hops < MAX_CNAME_HOPS:
            target = chain[-1]
            if target in chain[:-1] or target == qname:
                break  # a CNAME loop
            follow = await self._query_once(target, rdtype)
            chain = chain + follow.cname_chain
            answer = DnsAnswer(
                qname, rdtype, follow.status, follow.records, follow.strings, chain, follow.detail, follow.server
            )
            hops += 1
            if not follow.cname_chain:
                break
        return answer

    def _dnspython_resolver(self) -> dns.asyncresolver.Resolver:
        if self._resolver is None:
            import dns.asyncresolver
            import dns.nameserver

            if self.nameservers:
                resolver = dns.asyncresolver.Resolver(configure=False)
                addresses = [(ns.host, ns.port) for ns in self.nameservers]
            else:
                resolver = dns.asyncresolver.Resolver()
                addresses = [
                    (str(ns.address), ns.port)
                    for ns in resolver.nameservers
                    if isinstance(ns, dns.nameserver.Do53Nameserver)
                ]
            if addresses:
                shared = [_SharedUdp(host, port) for host, port in addresses]
                resolver.nameservers = [_shared_socket_nameserver(udp) for udp in shared]
                self._direct = shared[0]
            resolver.timeout = self.timeout
            resolver.lifetime = self.timeout
            resolver.retry_servfail = False
            resolver.cache = None
            if self.udp_payload is None:
                resolver.use_edns(None)
            else:
                resolver.use_edns(0, 0, self.udp_payload)
            self._resolver = resolver
        return self._resolver

    async def _query_once(self, qname: str, rdtype: str) -> DnsAnswer:
        import dns.exception
        import dns.resolver

        resolver = self._dnspython_resolver()
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.max_concurrency)
        server = ",".join(str(ns) for ns in self.nameservers) or "system resolver"
        async with self._semaphore:
            self.queries_sent += 1
            if self._direct is not None:
                direct = await self._query_direct(self._direct, qname, rdtype, server)
                if direct is not None:
                    return direct
            try:
                result = await resolver.resolve(qname, rdtype, raise_on_no_answer=False, search=False)
            except dns.resolver.NXDOMAIN as exc:
                chain = _chain_from_nxdomain(exc, qname)
                return DnsAnswer(qname, rdtype, DnsStatus.NXDOMAIN, cname_chain=chain, server=server)
            except dns.resolver.NoNameservers as exc:
                status, detail = _classify_failures(exc.kwargs.get("errors", []))
                return DnsAnswer(qname, rdtype, status, detail=detail, server=server)
            except dns.exception.Timeout:
                return DnsAnswer(
                    qname, rdtype, DnsStatus.TIMEOUT, detail=f"no answer within {self.timeout:g} s", server=server
                )
            except (dns.exception.DNSException, OSError, ValueError) as exc:
                return DnsAnswer(qname, rdtype, DnsStatus.ERROR, detail=_describe_exception(exc), server=server)
        chain = _cname_chain(result.response, qname)
        if result.rrset is None:
            return DnsAnswer(qname, rdtype, DnsStatus.NODATA, cname_chain=chain, server=server)
        records, strings = _records(result.rrset)
        return DnsAnswer(qname, rdtype, DnsStatus.OK, records, strings, chain, server=server)

    async def _query_direct(self, udp: _SharedUdp, qname: str, rdtype: str, server: str) -> DnsAnswer | None:
        """Ask the first server directly: one UDP exchange, TCP if truncated, one parse.

        dnspython's resolver spends about 40 % of a many-domain preflight on bookkeeping around
        each query (see benchmarks/README.md); the plain outcomes (an answer, NODATA, NXDOMAIN, a
        timeout) are taken here. Anything else (SERVFAIL, REFUSED, an odd rcode, a malformed or
        mismatched answer, a network error) returns ``None``: the resolver then asks again and
        applies its whole policy (the next nameserver, its error list), so faults are classified
        exactly as before.
        """
        import dns.exception
        import dns.flags
        import dns.message
        import dns.name
        import dns.rcode
        import dns.rdatatype

        try:
            rdtype_value = dns.rdatatype.from_text(rdtype)
            name = dns.name.from_text(qname)
        except (dns.exception.DNSException, ValueError):
            return None
        if rdtype_value in _RESOLVER_ONLY_TYPES:
            return None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        try:
            data = await udp.exchange(_query_wire(name, rdtype_value, self.udp_payload), self.timeout)
        except dns.exception.Timeout:
            # as the resolver: the first server gets the whole lifetime, so its timeout ends the query
            return DnsAnswer(
                qname, rdtype, DnsStatus.TIMEOUT, detail=f"no answer within {self.timeout:g} s", server=server
            )
        except OSError:
            return None
        try:
            if len(data) >= 4 and data[2] & 0x02:  # TC: the answer did not fit, ask over TCP
                response = await self._query_tcp(udp, name, rdtype_value, deadline - loop.time())
            else:
                response = dns.message.from_wire(data)
            if (
                not isinstance(response, dns.message.QueryMessage)
                or not response.flags & dns.flags.QR
                or response.opcode() != 0
                or response.flags & dns.flags.TC
                or len(response.question) != 1
                or response.question[0].name != name
                or response.question[0].rdtype != rdtype_value
                or response.question[0].rdclass != 1
            ):
                return None
            rcode = response.rcode()
            if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
                return None
            chaining = response.resolve_chaining()  # the resolver's own validation and CNAME chase
        except dns.exception.Timeout:
            return DnsAnswer(
                qname, rdtype, DnsStatus.TIMEOUT, detail=f"no answer within {self.timeout:g} s", server=server
            )
        except Exception:  # any other trouble: the resolver asks again and classifies it
            return None
        chain = _cname_chain(response, qname)
        if rcode == dns.rcode.NXDOMAIN:
            return DnsAnswer(qname, rdtype, DnsStatus.NXDOMAIN, cname_chain=chain, server=server)
        if chaining.answer is None:
            return DnsAnswer(qname, rdtype, DnsStatus.NODATA, cname_chain=chain, server=server)
        records, strings = _records(chaining.answer)
        return DnsAnswer(qname, rdtype, DnsStatus.OK, records, strings, chain, server=server)

    async def _query_tcp(self, udp: _SharedUdp, name: Any, rdtype: Any, timeout: float) -> dns.message.Message:
        import dns.asyncquery
        import dns.exception
        import dns.message

        if timeout <= 0:
            raise dns.exception.Timeout(timeout=self.timeout)  # type: ignore[no-untyped-call]
        request = dns.message.make_query(
            name, rdtype, use_edns=self.udp_payload is not None, payload=self.udp_payload or 0
        )
        response = await dns.asyncquery.tcp(request, udp.host, timeout, port=udp.port)
        if not request.is_response(response):
            raise dns.exception.FormError("the answer does not match the question")  # type: ignore[no-untyped-call]
        return response


#: Types whose answers the resolver's chaining treats specially: left to it.
_RESOLVER_ONLY_TYPES = frozenset({5, 255})  # CNAME, ANY


def _query_wire(name: Any, rdtype: int, udp_payload: int | None) -> bytes:
    """The query as dnspython's resolver sends it (RD set; EDNS0 with ``udp_payload``), ID 0.

    Rendered here because ``make_query`` + ``to_wire`` cost about a fifth of a many-domain run;
    the header, question and OPT record are fixed-layout (RFC 1035 §4.1, RFC 6891 §6.1.2).
    """
    header = struct.pack("!HHHHHH", 0, 0x0100, 1, 0, 0, 0 if udp_payload is None else 1)
    question: bytes = name.to_wire() + struct.pack("!HH", rdtype, 1)
    if udp_payload is None:
        return header + question
    return header + question + b"\x00" + struct.pack("!HHIH", 41, udp_payload, 0, 0)


def _describe_exception(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if type(exc).__name__ not in text else text


def _classify_failures(errors: list[Any]) -> tuple[DnsStatus, str]:
    """Map dnspython's per-server failure list to one status (the most telling one wins)."""
    texts: list[str] = []
    statuses: set[DnsStatus] = set()
    for entry in errors:
        server, _tcp, _port, error = entry[0], entry[1], entry[2], entry[3]
        if isinstance(error, str):  # an rcode name
            statuses.add({"SERVFAIL": DnsStatus.SERVFAIL, "REFUSED": DnsStatus.REFUSED}.get(error, DnsStatus.ERROR))
            texts.append(f"{server} answered {error}")
        else:
            statuses.add(DnsStatus.ERROR)
            texts.append(f"{server}: {_describe_exception(error)}")
    for status in (DnsStatus.SERVFAIL, DnsStatus.REFUSED):
        if status in statuses:
            return status, "; ".join(texts)
    return DnsStatus.ERROR, "; ".join(texts) or "every nameserver failed"


def _name_text(name: Any) -> str:
    text: str = name.to_text(omit_final_dot=True)
    return text.lower() if text else "."


def _cname_chain(response: dns.message.Message | None, qname: str) -> tuple[str, ...]:
    if response is None:
        return ()
    import dns.rdatatype

    cnames = {
        _name_text(rrset.name): _name_text(rrset[0].target)
        for rrset in response.answer
        if rrset.rdtype == dns.rdatatype.CNAME and len(rrset)
    }
    chain: list[str] = []
    current = qname
    while current in cnames and len(chain) <= MAX_CNAME_HOPS:
        current = cnames[current]
        chain.append(current)
    return tuple(chain)


def _chain_from_nxdomain(exc: Any, qname: str) -> tuple[str, ...]:
    responses = exc.kwargs.get("responses", {}) if hasattr(exc, "kwargs") else {}
    for response in responses.values():
        chain = _cname_chain(response, qname)
        if chain:
            return chain
    return ()


def _records(rrset: Any) -> tuple[tuple[str, ...], tuple[tuple[bytes, ...], ...]]:
    import dns.rdatatype

    records: list[str] = []
    strings: list[tuple[bytes, ...]] = []
    for rdata in rrset:
        if rrset.rdtype == dns.rdatatype.TXT:
            parts = tuple(rdata.strings)
            strings.append(parts)
            records.append(b"".join(parts).decode("utf-8", errors="replace"))
        elif rrset.rdtype == dns.rdatatype.MX:
            records.append(f"{rdata.preference} {_name_text(rdata.exchange)}")
        elif rrset.rdtype in (dns.rdatatype.CNAME, dns.rdatatype.PTR, dns.rdatatype.NS):
            records.append(_name_text(rdata.target))
        else:
            records.append(rdata.to_text())
    return tuple(records), tuple(strings)


def _shared_socket_nameserver(udp: _SharedUdp) -> Any:
    """A Do53 nameserver whose UDP queries share one socket (matched by ID), TCP as dnspython does.

    dnspython opens a socket per UDP query; for the hundreds of queries of a many-domain preflight
    that setup dominates the run time. One connected socket per server (with a large receive
    buffer for bursts) answers the same questions, and dnspython's resolver keeps every policy:
    rcode handling, retries, and the TCP retry on a truncated answer.
    """
    import dns.exception
    import dns.message
    import dns.nameserver

    class SharedSocketNameserver(dns.nameserver.Do53Nameserver):
        def __init__(self) -> None:
            super().__init__(udp.host, udp.port)

        async def async_query(  # noqa: PLR0917 - dnspython's signature
            self,
            request: dns.message.QueryMessage,
            timeout: float,
            source: str | None,
            source_port: int,
            max_size: bool,
            backend: Any,
            one_rr_per_rrset: bool = False,
            ignore_trailing: bool = False,
        ) -> dns.message.Message:
            if max_size or source is not None or source_port:
                return await super().async_query(
                    request, timeout, source, source_port, max_size, backend, one_rr_per_rrset, ignore_trailing
                )
            data = await udp.exchange_message(request, timeout)
            response = dns.message.from_wire(
                data,
                keyring=request.keyring,
                request_mac=request.request_mac,
                one_rr_per_rrset=one_rr_per_rrset,
                ignore_trailing=ignore_trailing,
                raise_on_truncation=True,
            )
            if not request.is_response(response):
                raise dns.exception.FormError("the answer does not match the question")  # type: ignore[no-untyped-call]
            return response

    return SharedSocketNameserver()


class _SharedUdp:
    """The one UDP socket of a server, opened on demand (and closed when idle by the endpoint)."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._endpoint: _UdpEndpoint | None = None
        self._opening: asyncio.Future[None] | None = None

    async def _get(self) -> _UdpEndpoint:
        # Queries arriving while the socket opens wait for that one socket (each used to open its own).
        while True:
            endpoint = self._endpoint
            if endpoint is not None and not endpoint.closed:
                return endpoint  # no await from here to the query's registration: it cannot close between
            if self._opening is None:
                self._opening = asyncio.ensure_future(self._open())
            await asyncio.shield(self._opening)

    async def _open(self) -> None:
        try:
            self._endpoint = await _UdpEndpoint.open(self.host, self.port)
        finally:
            self._opening = None

    async def exchange(self, wire: bytes, timeout: float) -> bytes:
        """Send ``wire`` under a free message ID; the answer carrying that ID."""
        return await (await self._get()).exchange(wire, timeout)

    async def exchange_message(self, request: Any, timeout: float) -> bytes:
        endpoint = await self._get()
        request.id = endpoint.free_id()
        return await endpoint.exchange(request.to_wire(), timeout)


class _UdpEndpoint(asyncio.DatagramProtocol):
    """One connected UDP socket; answers are handed to the waiting query by message ID."""

    def __init__(self) -> None:
        self.transport: asyncio.DatagramTransport | None = None
        self.pending: dict[int, asyncio.Future[bytes]] = {}
        self.closed = False

    @classmethod
    async def open(cls, host: str, port: int) -> _UdpEndpoint:
        import socket

        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            sock.setblocking(False)
            sock.connect((host, port))
        except OSError:
            sock.close()
            raise
        endpoint = cls()
        await asyncio.get_running_loop().create_datagram_endpoint(lambda: endpoint, sock=sock)
        return endpoint

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast("asyncio.DatagramTransport", transport)

    def datagram_received(self, data: bytes, addr: Any) -> None:
        if len(data) >= 2:
            waiter = self.pending.pop(int.from_bytes(data[:2], "big"), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(data)

    def error_received(self, exc: Exception) -> None:
        for waiter in self.pending.values():  # e.g. ICMP port unreachable: nothing listens there
            if not waiter.done():
                waiter.set_exception(exc)
        self.pending.clear()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True

    def free_id(self) -> int:
        import secrets

        qid = secrets.randbelow(65536)
        while qid in self.pending:  # IDs must be unique among queries in flight
            qid = secrets.randbelow(65536)
        return qid

    async def exchange(self, wire: bytes, timeout: float) -> bytes:
        """Send ``wire`` (its ID replaced by a free one unless already free); the matching answer."""
        import dns.exception

        qid = int.from_bytes(wire[:2], "big")
        if qid in self.pending or qid == 0:
            qid = self.free_id()
            wire = qid.to_bytes(2, "big") + wire[2:]
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[bytes] = loop.create_future()
        self.pending[qid] = waiter
        # a timer rather than asyncio.wait_for, which costs a task per query
        timer = loop.call_later(timeout, _expire, waiter)
        assert self.transport is not None
        try:
            self.transport.sendto(wire)
            return await waiter
        except asyncio.TimeoutError:
            raise dns.exception.Timeout(timeout=timeout) from None  # type: ignore[no-untyped-call]
        finally:
            timer.cancel()
            if self.pending.get(qid) is waiter:
                del self.pending[qid]
            if not self.pending and self.transport is not None:
                # idle: close now (a later query reopens), so no socket outlives its event loop
                self.transport.close()
                self.closed = True


def _expire(waiter: asyncio.Future[bytes]) -> None:
    if not waiter.done():
        waiter.set_exception(asyncio.TimeoutError())
