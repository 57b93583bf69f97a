"""The DNS query layer and the sandbox DNS server: statuses kept apart, TCP fallback, cache, faults."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from pytest_sender.dns.query import DnsStatus, Resolver, display_name, to_ascii_name
from pytest_sender.errors import ParseError, SandboxError
from pytest_sender.sandbox.dns_server import (
    SANDBOX_DOMAIN,
    DnsSandboxComponent,
    DnsServer,
    Faults,
    load_zones,
)
from pytest_sender.settings import Nameserver
from tests.helpers.dns_servers import ZONES, RunningDns, serve, start_sandbox_dns

TIMEOUT = 0.5


@pytest.fixture(scope="module", params=["sandbox", "knot"])
def zone_server(request: pytest.FixtureRequest) -> Iterator[RunningDns]:
    yield from serve(request.param)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningDns]:
    with start_sandbox_dns() as running:
        yield running


@pytest.fixture(autouse=True)
def _no_faults_left(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "sandbox" in request.fixturenames:
        running: RunningDns = request.getfixturevalue("sandbox")
        assert running.faults is not None
        running.faults.clear()


def query(running: RunningDns, name: str, rdtype: str, **kwargs: object):  # type: ignore[no-untyped-def]
    resolver = Resolver([running.nameserver], timeout=kwargs.pop("timeout", TIMEOUT), **kwargs)  # type: ignore[arg-type]
    return asyncio.run(resolver.query(name, rdtype))


@pytest.mark.parametrize(
    ("name", "rdtype", "status"),
    [
        ("good.test", "TXT", DnsStatus.OK),
        ("good.test", "AAAA", DnsStatus.NODATA),
        ("missing.good.test", "A", DnsStatus.NXDOMAIN),
        ("_domainkey.dkim.test", "TXT", DnsStatus.NODATA),  # an empty non-terminal exists
        ("outside-every-zone.example", "A", DnsStatus.REFUSED),
    ],
)
def test_each_outcome_has_its_own_status(zone_server: RunningDns, name: str, rdtype: str, status: DnsStatus) -> None:
    answer = query(zone_server, name, rdtype)
    assert answer.status is status
    assert answer.status.is_void is (status in (DnsStatus.NXDOMAIN, DnsStatus.NODATA))
    assert answer.status.is_fault is (status is DnsStatus.REFUSED)


def test_txt_strings_are_joined_without_separator(zone_server: RunningDns) -> None:
    answer = query(zone_server, "split.test", "TXT")
    assert answer.records == ("v=spf1 ip4:192.0.2.1 include:sendersrv.com -all",)
    assert answer.strings == ((b"v=spf1 ip4:192.0.2.1 ", b"include:sendersrv.com -all"),)


def test_mx_and_cname_records_come_back_as_text(zone_server: RunningDns) -> None:
    assert query(zone_server, "good.test", "MX").records == ("10 mx.good.test",)
    assert query(zone_server, "null.mx.test", "MX").records == ("0 .",)
    dkim = query(zone_server, "sender._domainkey.good.test", "TXT")
    assert dkim.cname_chain == ("dkim.sendersrv.com",)
    assert dkim.records[0].startswith("v=DKIM1; k=rsa; p=MIIB")


def test_a_dangling_cname_is_nxdomain_with_its_chain(zone_server: RunningDns) -> None:
    in_zone = query(zone_server, "dangling._domainkey.dkim.test", "TXT")
    assert (in_zone.status, in_zone.cname_chain) == (DnsStatus.NXDOMAIN, ("gone.dkim.test",))
    other_zone = query(zone_server, "away._domainkey.dkim.test", "TXT")
    assert (other_zone.status, other_zone.final_name) == (DnsStatus.NXDOMAIN, "nothere.sendersrv.com")
    assert "→ CNAME nothere.sendersrv.com: NXDOMAIN" in other_zone.describe()


def test_an_answer_over_512_bytes_is_retried_over_tcp(zone_server: RunningDns) -> None:
    answer = query(zone_server, "big.test", "TXT", udp_payload=None)  # no EDNS: 512-byte UDP limit
    assert answer.status is DnsStatus.OK
    assert len(answer.records) == 5
    assert sum(len(r) for r in answer.records) > 512


def test_the_tcp_fallback_is_seen_on_the_wire(sandbox: RunningDns) -> None:
    assert sandbox.server is not None
    before = len(sandbox.server.log)
    assert query(sandbox, "big.test", "TXT", udp_payload=None).ok
    assert sandbox.server.log[before:] == [("udp", "big.test", "TXT"), ("tcp", "big.test", "TXT")]
    before = len(sandbox.server.log)
    assert query(sandbox, "big.test", "TXT").ok  # EDNS 1232: fits over UDP
    assert sandbox.server.log[before:] == [("udp", "big.test", "TXT")]


def test_forced_truncation_goes_to_tcp_even_for_small_answers(sandbox: RunningDns) -> None:
    assert sandbox.faults is not None
    assert sandbox.server is not None
    sandbox.faults.truncate.add("good.test")
    before = len(sandbox.server.log)
    assert query(sandbox, "good.test", "TXT").ok
    assert [t for t, _, _ in sandbox.server.log[before:]] == ["udp", "tcp"]


def test_servfail_refused_and_drops_are_faults_not_missing(sandbox: RunningDns) -> None:
    assert sandbox.faults is not None
    sandbox.faults.servfail.add("good.test")
    sandbox.faults.refused.add("*.mx.test")
    sandbox.faults.drop.add("split.test")
    servfail = query(sandbox, "good.test", "TXT")
    assert servfail.status is DnsStatus.SERVFAIL
    assert "SERVFAIL" in servfail.describe()
    assert query(sandbox, "null.mx.test", "MX").status is DnsStatus.REFUSED
    started = time.perf_counter()
    dropped = query(sandbox, "split.test", "TXT", timeout=0.3)
    assert dropped.status is DnsStatus.TIMEOUT
    assert dropped.detail == "no answer within 0.3 s"
    assert time.perf_counter() - started < 1.0
    assert all(a.status.is_fault for a in (servfail, dropped))


def test_a_delay_slows_every_answer(sandbox: RunningDns) -> None:
    assert sandbox.faults is not None
    sandbox.faults.delay = 0.1
    started = time.perf_counter()
    assert query(sandbox, "good.test", "TXT").ok
    assert time.perf_counter() - started >= 0.1


def test_no_answer_from_a_closed_port_is_a_timeout() -> None:
    resolver = Resolver([Nameserver("127.0.0.1", 9)], timeout=0.2)
    answer = asyncio.run(resolver.query("good.test", "A"))
    assert answer.status in (DnsStatus.TIMEOUT, DnsStatus.ERROR)
    assert answer.status.is_fault


def test_answers_are_cached_per_resolver_and_shared_while_in_flight(sandbox: RunningDns) -> None:
    resolver = Resolver([sandbox.nameserver], timeout=TIMEOUT)

    async def twice() -> None:
        first, second = await asyncio.gather(resolver.query("good.test", "TXT"), resolver.query("GOOD.test.", "txt"))
        assert first is second
        await resolver.query("good.test", "TXT")

    asyncio.run(twice())
    assert resolver.queries_sent == 1
    uncached = Resolver([sandbox.nameserver], timeout=TIMEOUT, cache=False)

    async def uncached_twice() -> None:
        await uncached.query("good.test", "TXT")
        await uncached.query("good.test", "TXT")

    asyncio.run(uncached_twice())
    assert uncached.queries_sent == 2


def test_concurrency_is_bounded_by_the_semaphore(sandbox: RunningDns) -> None:
    assert sandbox.faults is not None
    sandbox.faults.delay = 0.1
    resolver = Resolver([sandbox.nameserver], timeout=2, max_concurrency=2)

    async def four() -> float:
        started = time.perf_counter()
        await asyncio.gather(*(resolver.query(f"h{i}.lookups.test", "A") for i in range(1, 5)))
        return time.perf_counter() - started

    assert asyncio.run(four()) >= 0.2  # two waves of two


def test_idn_names_are_queried_as_a_labels(zone_server: RunningDns) -> None:
    answer = query(zone_server, "bücher.test", "TXT")
    assert answer.ok
    assert answer.name == "xn--bcher-kva.test"
    assert to_ascii_name("Bücher.Test.") == "xn--bcher-kva.test"
    assert display_name("xn--bcher-kva.test") == "bücher.test"


@pytest.mark.parametrize("name", ["", "a..b", "x" * 64 + ".test", "."])
def test_a_name_that_cannot_be_sent_raises_parse_error(name: str) -> None:
    with pytest.raises(ParseError, match=r"valid domain name|empty name"):
        to_ascii_name(name)


def test_a_resolver_needs_a_positive_timeout() -> None:
    with pytest.raises(ValueError, match="timeout must be positive"):
        Resolver(timeout=0)


def test_zone_errors_are_sandbox_errors_naming_the_zone(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SandboxError, match=r"no \*\.zone files"):
        load_zones(tmp_path)
    with pytest.raises(SandboxError, match=r"zone broken\.test: .*NS"):
        DnsServer({"broken.test": "$TTL 1\n@ SOA ns h 1 1 1 1 1\n"})


def test_faults_match_glob_patterns() -> None:
    faults = Faults(servfail={"*.example.test"})
    assert faults.matches("servfail", "a.example.test")
    assert not faults.matches("servfail", "example.test")


def test_a_taken_port_is_a_sandbox_error(sandbox: RunningDns) -> None:
    with pytest.raises(SandboxError, match=r"no free port|could not start"):
        DnsServer(load_zones(ZONES), port=sandbox.nameserver.port).start()


@pytest.mark.parametrize("scenario", ["healthy", "broken"])
def test_the_sandbox_component_points_settings_at_its_zone(scenario: str) -> None:
    component = DnsSandboxComponent()
    with pytest.raises(SandboxError, match="not running"):
        component.settings_overrides()
    component.start(scenario)
    try:
        overrides = component.settings_overrides()
        assert overrides["domains"] == (SANDBOX_DOMAIN,)
        (nameserver,) = overrides["nameservers"]
        resolver = Resolver([nameserver], timeout=TIMEOUT)
        answer = asyncio.run(resolver.query(SANDBOX_DOMAIN, "TXT"))
        assert answer.ok
    finally:
        component.stop()
    with pytest.raises(SandboxError, match="no zones for scenario"):
        DnsSandboxComponent().start("nonsense")


def test_hundreds_of_concurrent_queries_on_one_shared_socket_all_get_their_own_answer(sandbox: RunningDns) -> None:
    resolver = Resolver([sandbox.nameserver], timeout=2)
    names = [f"h{i}.lookups.test" for i in range(1, 6)] * 2 + [f"nx{i}.good.test" for i in range(300)]

    async def all_at_once() -> list[DnsStatus]:
        answers = await asyncio.gather(*(resolver.query(name, "A") for name in names))
        assert [a.name for a in answers] == [to_ascii_name(n) for n in names]
        return [a.status for a in answers]

    statuses = asyncio.run(all_at_once())
    assert statuses[:10] == [DnsStatus.OK] * 10
    assert set(statuses[10:]) == {DnsStatus.NXDOMAIN}
    assert resolver.queries_sent == 305


# --- one path: each server is asked once per question (packets on the wire, not questions) ------


@pytest.fixture
def two_servers() -> Iterator[tuple[DnsServer, DnsServer]]:
    with start_sandbox_dns() as first, start_sandbox_dns() as second:
        assert first.server is not None
        assert second.server is not None
        yield first.server, second.server


def ask_both(servers: tuple[DnsServer, DnsServer], name: str, rdtype: str, timeout: float = 1.0):  # type: ignore[no-untyped-def]
    resolver = Resolver([s.nameserver for s in servers], timeout=timeout)
    answer = asyncio.run(resolver.query(name, rdtype))
    assert resolver.queries_sent == 1
    return answer


@pytest.mark.parametrize("fault", ["servfail", "refused", "drop", "malformed"])
def test_a_fault_from_server_one_means_one_packet_to_it_then_one_to_server_two(
    two_servers: tuple[DnsServer, DnsServer], fault: str
) -> None:
    first, second = two_servers
    getattr(first.faults, fault).add("good.test")
    answer = ask_both(two_servers, "good.test", "TXT")
    assert answer.ok
    assert "v=spf1 ip4:192.0.2.10 include:sendersrv.com -all" in answer.records
    assert [t for _, t in first.packets] == ["udp"]
    assert [t for _, t in second.packets] == ["udp"]
    assert first.packets[0][0] < second.packets[0][0]  # server 1 first, server 2 after it failed


def test_when_every_server_fails_each_is_asked_once_and_named_in_the_detail(
    two_servers: tuple[DnsServer, DnsServer],
) -> None:
    first, second = two_servers
    first.faults.servfail.add("good.test")
    second.faults.refused.add("good.test")
    answer = ask_both(two_servers, "good.test", "TXT")
    assert answer.status is DnsStatus.SERVFAIL  # the most telling of the two
    assert answer.detail == f"{first.nameserver} answered SERVFAIL; {second.nameserver} answered REFUSED"
    assert (len(first.packets), len(second.packets)) == (1, 1)


def test_a_timeout_splits_the_time_between_the_servers(two_servers: tuple[DnsServer, DnsServer]) -> None:
    first, second = two_servers
    first.faults.drop.add("good.test")
    second.faults.drop.add("good.test")
    started = time.perf_counter()
    answer = ask_both(two_servers, "good.test", "TXT", timeout=0.4)
    assert time.perf_counter() - started < 1.0
    assert answer.status is DnsStatus.TIMEOUT
    assert answer.detail.startswith(f"{first.nameserver} no answer within 0.2 s; {second.nameserver} no answer")
    assert (len(first.packets), len(second.packets)) == (1, 1)


@pytest.mark.parametrize("fault", ["servfail", "refused", "drop", "malformed"])
def test_a_lone_server_gets_exactly_one_packet_for_a_fault(sandbox: RunningDns, fault: str) -> None:
    assert sandbox.server is not None
    assert sandbox.faults is not None
    getattr(sandbox.faults, fault).add("good.test")
    before = len(sandbox.server.packets)
    answer = query(sandbox, "good.test", "TXT", timeout=0.3)
    expected = {"servfail": "servfail", "refused": "refused", "drop": "timeout", "malformed": "error"}[fault]
    assert answer.status.value == expected
    assert [t for _, t in sandbox.server.packets[before:]] == ["udp"]
    if fault == "malformed":
        assert "malformed answer" in answer.detail


def test_truncation_is_one_udp_packet_then_one_tcp_message_to_the_same_server(
    two_servers: tuple[DnsServer, DnsServer],
) -> None:
    first, second = two_servers
    first.faults.truncate.add("good.test")
    assert ask_both(two_servers, "good.test", "TXT").ok
    assert [t for _, t in first.packets] == ["udp", "tcp"]
    assert second.packets == []


def test_a_plain_answer_is_one_packet(sandbox: RunningDns) -> None:
    assert sandbox.server is not None
    for name, rdtype in [("good.test", "TXT"), ("good.test", "AAAA"), ("missing.good.test", "A")]:
        before = len(sandbox.server.packets)
        query(sandbox, name, rdtype)
        assert [t for _, t in sandbox.server.packets[before:]] == ["udp"]


@pytest.mark.parametrize("payload", [None, 1232, 4096])
@pytest.mark.parametrize(("name", "rdtype"), [("good.test", "TXT"), ("xn--bcher-kva.test", "MX"), ("a.b.c.d", "AAAA")])
def test_the_query_on_the_wire_is_the_one_dnspython_renders(name: str, rdtype: str, payload: int | None) -> None:
    import dns.message
    import dns.name
    import dns.rdatatype

    resolver = Resolver(udp_payload=payload)
    wire = resolver._query_wire(dns.name.from_text(name), dns.rdatatype.from_text(rdtype))
    expected = dns.message.make_query(name, rdtype, use_edns=payload is not None, payload=payload or 0).to_wire()
    assert wire[2:] == expected[2:]
