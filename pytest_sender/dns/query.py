"""The DNS query layer: an async resolver wrapper with typed, cached answers.

:class:`Resolver` wraps dnspython's ``dns.asyncresolver`` and never raises for a DNS or network
fault: every outcome is a frozen :class:`DnsAnswer` whose :class:`DnsStatus` keeps NXDOMAIN,
NODATA, SERVFAIL, REFUSED and timeout apart (a fault is never a "missing" record). Answers are
cached per resolver, keyed by (nameservers, name, type, DO bit), and in-flight queries for the
same key are shared; a semaphore bounds how many queries are on the wire at once.

One path asks every question (:meth:`Resolver._query_once`): the query as
``dns.message.make_query`` renders it (with the DO bit when ``dnssec=True``) goes to each server
in turn on that server's one shared UDP socket (answers matched by message ID), at most once per
server; the answer is parsed with ``dns.message.from_wire`` and checked with dnspython's
``resolve_chaining``. A truncated answer is asked again over TCP (``dns.asyncquery.tcp``);
SERVFAIL, REFUSED, a timeout, a malformed answer or a network error moves on to the next server.

dnspython is imported only when the first query is made.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from pytest_sender.errors import InvalidArgument, ParseError
from pytest_sender.settings import Nameserver

if TYPE_CHECKING:
    import dns.message
    import dns.name
    import dns.rdatatype

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
    #: With ``query(..., dnssec=True)``: the RRSIG records covering the answer (each as its text),
    #: from the answer section at the final name; empty for a plain query or an unsigned answer.
    rrsigs: tuple[str, ...] = ()

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
            raise InvalidArgument("timeout must be positive")
        self.nameservers = tuple(nameservers)
        self.timeout = timeout
        self.max_concurrency = max_concurrency
        self.udp_payload = udp_payload
        self.use_cache = cache
        self.queries_sent = 0  # questions that went to the wire (cache misses), for tests and benchmarks
        self._cache: dict[tuple[tuple[Nameserver, ...], str, str, bool], asyncio.Task[DnsAnswer]] = {}
        self._semaphore: asyncio.Semaphore | None = None
        self._shared: tuple[_SharedUdp, ...] | None = None  # one UDP socket per server, opened on demand
        # the query wire per (type, DO bit), for the root name
        self._templates: dict[tuple[dns.rdatatype.RdataType, bool], bytes] = {}
        self._label = ",".join(str(ns) for ns in self.nameservers) or "system resolver"  # DnsAnswer.server

    def __repr__(self) -> str:
        servers = ",".join(str(ns) for ns in self.nameservers) or "system"
        return f"Resolver(nameservers={servers}, timeout={self.timeout:g})"

    async def query(self, name: str, rdtype: str, *, dnssec: bool = False) -> DnsAnswer:
        """Ask for ``rdtype`` records of ``name`` (an IDN is queried as its A-label).

        ``dnssec=True`` sets the DO bit (EDNS, RFC 3225), so a signed zone's server adds the
        RRSIGs, which come back in :attr:`DnsAnswer.rrsigs`, and the CD bit (RFC 4035 §3.2.2), so a
        validating resolver hands over what a bogus zone serves instead of SERVFAIL (the caller
        validates); ``name`` may be ``"."``, the root. Such a query has its own cache entry
        (a plain query's bytes and answer are unchanged). Never raises for a DNS or network fault;
        raises :class:`ParseError` for a name that cannot be put on the wire.
        """
        qname = "." if name == "." else to_ascii_name(name)  # the root: a DNSSEC walk starts there
        rdtype = rdtype.upper()
        if not self.use_cache:
            return await self._query_following(qname, rdtype, dnssec)
        key = (self.nameservers, qname, rdtype, dnssec)
        task = self._cache.get(key)
        if task is None:
            task = asyncio.ensure_future(self._query_following(qname, rdtype, dnssec))
            self._cache[key] = task
        elif task.done() and not task.cancelled():
            return task.result()  # a cached answer: no shield, no extra future (most lookups of a fleet)
        return await asyncio.shield(task)

    async def _query_following(self, qname: str, rdtype: str, dnssec: bool = False) -> DnsAnswer:
        answer = await self._query_once(qname, rdtype, dnssec)
        chain = answer.cname_chain
        # An authoritative server answers a CNAME into a zone it does not serve with the CNAME
        # alone (NOERROR, no data); a recursive resolver would chase it, so we do too.
        hops = 0
        while answer.status is DnsStatus.NODATA and chain and hops < MAX_CNAME_HOPS:
            target = chain[-1]
            if target in chain[:-1] or target == qname:
                break  # a CNAME loop
            follow = await self._query_once(target, rdtype, dnssec)
            chain = chain + follow.cname_chain
            answer = DnsAnswer(
                qname,
                rdtype,
                follow.status,
                follow.records,
                follow.strings,
                chain,
                follow.detail,
                follow.server,
                follow.rrsigs,
            )
            hops += 1
            if not follow.cname_chain:
                break
        return answer

    def _servers(self) -> tuple[_SharedUdp, ...]:
        """The servers to ask, in order: the configured ones, else the system's (``/etc/resolv.conf``)."""
        if self._shared is None:
            if self.nameservers:
                addresses = [(ns.host, ns.port) for ns in self.nameservers]
            else:
                import dns.nameserver
                import dns.resolver

                system = dns.resolver.Resolver()  # reads the configuration only; it asks nothing
                addresses = [
                    (str(ns.address), ns.port)
                    for ns in system.nameservers
                    if isinstance(ns, dns.nameserver.Do53Nameserver)
                ]
            self._shared = tuple(_SharedUdp(host, port) for host, port in addresses)
        return self._shared

    def _query_wire(self, name: dns.name.Name, rdtype: dns.rdatatype.RdataType, dnssec: bool = False) -> bytes:
        """The query for ``name``/``rdtype`` as ``dns.message.make_query`` renders it (RD, EDNS), ID 0.

        With ``dnssec`` the query carries the DO bit (:meth:`_make_query`, the one place queries
        are built, for UDP here and for the TCP retry).

        dnspython renders one query per type (for the root name) and the name's wire form is put
        in its place: a one-question query has no compression, so the bytes are the same as a
        ``make_query(...).to_wire()`` per question, which would cost a fifth of a many-domain run.
        """
        template = self._templates.get((rdtype, dnssec))
        if template is None:
            import dns.name

            query = self._make_query(dns.name.root, rdtype, dnssec)
            query.id = 0
            template = query.to_wire()
            self._templates[(rdtype, dnssec)] = template
        name_wire = name.to_wire()  # bytes when no file is given
        assert name_wire is not None
        return template[:12] + name_wire + template[13:]

    def _make_query(
        self, name: dns.name.Name, rdtype: dns.rdatatype.RdataType, dnssec: bool
    ) -> dns.message.QueryMessage:
        """The query message: RD, EDNS with :attr:`udp_payload` (none when ``None``); with ``dnssec``
        EDNS always (the DO bit lives there; 512 bytes when no payload is set), DO and CD set."""
        import dns.flags
        import dns.message

        if dnssec:
            query = dns.message.make_query(
                name, rdtype, use_edns=True, payload=self.udp_payload or 512, want_dnssec=True
            )
            query.flags |= dns.flags.CD
            return query
        return dns.message.make_query(
            name, rdtype, use_edns=self.udp_payload is not None, payload=self.udp_payload or 0
        )

    async def _query_once(self, qname: str, rdtype: str, dnssec: bool = False) -> DnsAnswer:
        """Ask each server at most once, in order, until one answers NOERROR or NXDOMAIN.

        The policy: a truncated UDP answer is asked again over TCP (same server); SERVFAIL,
        REFUSED, another rcode, a timeout, a malformed or mismatched answer and a network error
        move on to the next server. ``timeout`` bounds the whole question: each server gets an
        equal share of what is left, so with one server it gets all of it. When every server
        failed, the most telling failure is the status (SERVFAIL, REFUSED, TIMEOUT, then ERROR)
        and the detail lists each server's.
        """
        import dns.exception
        import dns.name
        import dns.rcode
        import dns.rdatatype

        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.max_concurrency)
        server = self._label
        try:
            rdtype_value = dns.rdatatype.from_text(rdtype)
            name = dns.name.from_text(qname)
            servers = self._servers()
        except dns.exception.DNSException as exc:
            return DnsAnswer(qname, rdtype, DnsStatus.ERROR, detail=_describe_exception(exc), server=server)
        if not servers:
            return DnsAnswer(qname, rdtype, DnsStatus.ERROR, detail="no nameserver to ask", server=server)
        wire = self._query_wire(name, rdtype_value, dnssec)
        failures: list[tuple[_SharedUdp, _Failure]] = []
        async with self._semaphore:
            self.queries_sent += 1
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self.timeout
            for index, udp in enumerate(servers):
                # the first share exactly, so a lone server's timeout reads as the setting
                share = self.timeout / len(servers) if index == 0 else (deadline - loop.time()) / (len(servers) - index)
                if share <= 0:
                    break
                outcome = await self._ask(udp, wire, name, rdtype_value, share, dnssec=dnssec)
                if isinstance(outcome, _Failure):
                    failures.append((udp, outcome))
                    continue
                try:
                    chaining = outcome.resolve_chaining()  # dnspython's validation and CNAME chase
                except dns.exception.DNSException as exc:
                    failures.append((udp, _Failure(DnsStatus.ERROR, f"malformed answer: {_describe_exception(exc)}")))
                    continue
                chain = _cname_chain(outcome, qname)
                if outcome.rcode() == dns.rcode.NXDOMAIN:
                    return DnsAnswer(qname, rdtype, DnsStatus.NXDOMAIN, cname_chain=chain, server=server)
                if chaining.answer is None:
                    return DnsAnswer(qname, rdtype, DnsStatus.NODATA, cname_chain=chain, server=server)
                records, strings = _records(chaining.answer)
                rrsigs = _rrsigs(outcome, chaining.answer) if dnssec else ()
                return DnsAnswer(qname, rdtype, DnsStatus.OK, records, strings, chain, server=server, rrsigs=rrsigs)
        status, detail = _classify_failures(failures)
        return DnsAnswer(qname, rdtype, status, detail=detail, server=server)

    async def _ask(
        self,
        udp: _SharedUdp,
        wire: bytes,
        name: dns.name.Name,
        rdtype: dns.rdatatype.RdataType,
        timeout: float,
        *,
        dnssec: bool = False,
    ) -> dns.message.QueryMessage | _Failure:
        """One server, once: a UDP exchange (and TCP if truncated); a NOERROR/NXDOMAIN answer or why not."""
        import dns.exception
        import dns.message
        import dns.rcode

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            data = await udp.exchange(wire, timeout)
            if len(data) >= 4 and data[2] & 0x02:  # TC: the answer did not fit, ask over TCP
                response = await self._ask_tcp(udp, name, rdtype, deadline - loop.time(), dnssec=dnssec)
            else:
                response = dns.message.from_wire(data)
        except dns.exception.Timeout:
            return _Failure(DnsStatus.TIMEOUT, f"no answer within {timeout:g} s")
        except OSError as exc:
            return _Failure(DnsStatus.ERROR, _describe_exception(exc))
        except dns.exception.DNSException as exc:
            return _Failure(DnsStatus.ERROR, f"malformed answer: {_describe_exception(exc)}")
        if (
            not isinstance(response, dns.message.QueryMessage)
            or not response.flags & 0x8000  # QR
            or response.opcode() != 0
            or len(response.question) != 1
            or response.question[0].name != name
            or response.question[0].rdtype != rdtype
            or response.question[0].rdclass != 1
        ):
            return _Failure(DnsStatus.ERROR, "the answer does not match the question")
        rcode = response.rcode()
        if rcode in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            return response
        status = {dns.rcode.SERVFAIL: DnsStatus.SERVFAIL, dns.rcode.REFUSED: DnsStatus.REFUSED}.get(
            rcode, DnsStatus.ERROR
        )
        return _Failure(status, f"answered {dns.rcode.to_text(rcode)}")

    async def _ask_tcp(
        self,
        udp: _SharedUdp,
        name: dns.name.Name,
        rdtype: dns.rdatatype.RdataType,
        timeout: float,
        *,
        dnssec: bool = False,
    ) -> dns.message.Message:
        import dns.asyncquery
        import dns.exception

        if timeout <= 0:
            raise dns.exception.Timeout(timeout=self.timeout)  # type: ignore[no-untyped-call]
        request = self._make_query(name, rdtype, dnssec)
        # dns.asyncquery.tcp raises BadResponse (a DNSException) for an answer to another question
        return await dns.asyncquery.tcp(request, udp.host, timeout, port=udp.port)


@dataclass(frozen=True)
class _Failure:
    """Why one server gave no usable answer."""

    status: DnsStatus
    text: str


def _classify_failures(failures: list[tuple[_SharedUdp, _Failure]]) -> tuple[DnsStatus, str]:
    """One status for the servers' failures (the most telling wins) and a detail naming each."""
    if not failures:
        return DnsStatus.TIMEOUT, "no time left to ask a server"
    statuses = {failure.status for _, failure in failures}
    status = next(
        (s for s in (DnsStatus.SERVFAIL, DnsStatus.REFUSED, DnsStatus.TIMEOUT) if s in statuses), DnsStatus.ERROR
    )
    if len(failures) == 1 and status is DnsStatus.TIMEOUT:
        return status, failures[0][1].text  # "no answer within 5 s"
    return status, "; ".join(f"{udp.label} {failure.text}" for udp, failure in failures)


def _describe_exception(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if type(exc).__name__ not in text else text


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


def _rrsigs(response: dns.message.Message, answer: Any) -> tuple[str, ...]:
    """The texts of the RRSIGs in ``response``'s answer section covering ``answer`` (same name and type)."""
    import dns.rdatatype

    return tuple(
        rdata.to_text()
        for rrset in response.answer
        if rrset.rdtype == dns.rdatatype.RRSIG and rrset.name == answer.name and rrset.covers == answer.rdtype
        for rdata in rrset
    )


class _SharedUdp:
    """The one UDP socket of a server, opened on demand (and closed when idle by the endpoint)."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.label = str(Nameserver(host, port))
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
        qid = int.from_bytes(wire[:2], "big")
        if qid in self.pending or qid == 0:
            qid = self.free_id()
            wire = qid.to_bytes(2, "big") + wire[2:]
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[bytes] = loop.create_future()
        self.pending[qid] = waiter
        # a timer rather than asyncio.wait_for, which costs a task per query
        timer = loop.call_later(timeout, _expire, waiter, timeout)
        assert self.transport is not None
        try:
            self.transport.sendto(wire)
            return await waiter
        finally:
            timer.cancel()
            if self.pending.get(qid) is waiter:
                del self.pending[qid]
            if not self.pending and self.transport is not None:
                # idle: close now (a later query reopens), so no socket outlives its event loop
                self.transport.close()
                self.closed = True


def _expire(waiter: asyncio.Future[bytes], timeout: float) -> None:
    import dns.exception

    if not waiter.done():
        waiter.set_exception(dns.exception.Timeout(timeout=timeout))  # type: ignore[no-untyped-call]
