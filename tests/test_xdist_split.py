"""Under pytest-xdist the workers run the preflight checks, split by shard (issue 20).

A shard is a sending domain for the dns.* checks (so one domain's lookups share one worker's
resolver cache) and a check family for the others; each shard goes to one worker, which runs its
checks at once. The controller only plans, for the order of the table and the reports. The runs
here are real pytest processes (``-n 2``) against a loopback DNS server serving a small fleet.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest

from pytest_sender.plugin import shard_count, shard_of
from pytest_sender.sandbox.dns_server import DnsServer
from tests.test_fleet import _zones

FLEET = 6  # fleet-0.test ... fleet-5.test fall in all four shards of two workers
DOMAINS = [f"fleet-{n}.test" for n in range(FLEET)] + ["missing.test"]  # missing.test: the server refuses it
USER_TESTS = "def test_one():\n    pass\n\n\ndef test_two():\n    pass\n"
#: xdist's -v line of an item: "[gw1] [ 12%] PASSED sender::dns.spf[fleet-3.test]"
WORKER_LINE = re.compile(r"^\[(gw\d+)\] \[\s*\d+%\] [A-Z]+ (\S+)", re.M)


@pytest.fixture(scope="module")
def fleet_dns() -> Iterator[DnsServer]:
    server = DnsServer(_zones(FLEET)).start()
    try:
        yield server
    finally:
        server.stop()


def _run(pytester: pytest.Pytester, server: DnsServer, *extra: str) -> tuple[pytest.RunResult, list[tuple[str, ...]]]:
    pytester.makefile(".txt", domains="\n".join(DOMAINS) + "\n")
    pytester.makepyfile(test_app=USER_TESTS)
    server.log.clear()
    result = pytester.runpytest_subprocess(
        "--sender-preflight",
        "-k",
        "dns or api or test_app",
        "--sender-domains-file",
        "domains.txt",
        "--sender-nameserver",
        f"127.0.0.1:{server.port}",
        "--sender-report",
        "r.json",
        "--junitxml",
        "j.xml",
        "-p",
        "no:randomly",
        *extra,
    )
    findings = json.loads((pytester.path / "r.json").read_text())["findings"]
    return result, [(f["node_id"], f["status"], f["code"]) for f in findings]


def _table(result: pytest.RunResult) -> list[str]:
    return result.stdout.str().split("= Sender preflight =", 1)[1].split("sender: JSON report")[0].splitlines()


def _junit_cases(pytester: pytest.Pytester) -> list[tuple[str, str]]:
    outcomes = []
    for case in ET.parse(pytester.path / "j.xml").iter("testcase"):
        outcome = next((child.tag for child in case if child.tag in ("failure", "error", "skipped")), "passed")
        outcomes.append((f"{case.get('classname')}::{case.get('name')}", outcome))
    return outcomes


def _sender_txt_queries(server: DnsServer) -> int:
    """How often the server was asked for Sender's SPF record (the include every fleet domain shares)."""
    return sum(1 for _, name, rdtype in server.log if (name, rdtype) == ("sendersrv.com", "TXT"))


def test_the_shard_of_an_item_is_its_domain_for_dns_checks_and_its_family_otherwise() -> None:
    shards = shard_count(2)
    assert shards == 4
    by_domain = {shard_of(f"{check}[shop.example]", shards) for check in ("dns.spf", "dns.dkim", "dns.bimi")}
    assert by_domain == {shard_of("dns.alignment[news@shop.example]", shards)}
    assert {shard_of(name, shards) for name in ("api.token[api.sender.net]", "api.health[x]")} == {
        shard_of("api.anything[y]", shards)
    }
    assert all(0 <= shard_of(f"dns.mx[d{n}.example]", shards) < shards for n in range(50))
    assert len({shard_of(f"dns.mx[{domain}]", shards) for domain in DOMAINS}) == shards  # the fleet fills them all


def test_under_xdist_the_workers_run_the_checks_split_by_domain_and_report_each_once_in_plain_order(
    pytester: pytest.Pytester, fleet_dns: DnsServer
) -> None:
    """Plain run and ``-n 2`` give the same findings, statuses, order, table and junitxml cases.

    That the workers, not the controller, ran the checks is seen at the DNS server: every fleet
    domain's SPF includes Sender's record (``sendersrv.com`` TXT), and a run asks for it once per
    resolver cache. The plain run asks once; under ``-n 2`` it is asked once by each worker that
    ran a fleet domain's dns.spf (which worker ran which item is xdist's ``[gwN]`` in ``-v``
    output): twice, which the controller running every check with its one cache could not do.
    """
    plain, plain_findings = _run(pytester, fleet_dns)
    assert plain.ret == pytest.ExitCode.TESTS_FAILED  # missing.test's checks could not be checked
    plain_table, plain_cases = _table(plain), _junit_cases(pytester)
    assert _sender_txt_queries(fleet_dns) == 1

    split, split_findings = _run(pytester, fleet_dns, "-p", "xdist", "-n", "2", "-v")
    assert split.ret == pytest.ExitCode.TESTS_FAILED
    assert split_findings == plain_findings  # every finding once, same status and code, the plain run's order
    dns_checks = {node_id.split("[")[0] for node_id, _, _ in plain_findings if node_id.startswith("sender::dns.")}
    assert len(plain_findings) == 2 + len(dns_checks) * len(DOMAINS)  # api.token and api.health skip (no token)
    assert _table(split) == plain_table
    assert sorted(_junit_cases(pytester)) == sorted(plain_cases)
    split.stdout.fnmatch_lines(["*FAILED sender::dns.spf[[]missing.test[]]*"])
    outcomes = plain.parseoutcomes()
    outcomes.pop("deselected")  # xdist's summary line does not count the deselected items
    assert split.parseoutcomes() == outcomes

    ran_by: dict[str, str] = {}
    for worker, node_id in WORKER_LINE.findall(split.stdout.str()):
        assert node_id not in ran_by, node_id  # each item ran (and reported) once
        ran_by[node_id] = worker
    assert set(ran_by) == {node_id for node_id, _, _ in plain_findings} | {
        "test_app.py::test_one",
        "test_app.py::test_two",
    }
    for domain in DOMAINS:  # one domain's checks on one worker, sharing its cache
        assert len({w for node_id, w in ran_by.items() if node_id.endswith(f"[{domain}]")}) == 1, domain
    assert len({w for node_id, w in ran_by.items() if node_id.startswith("sender::api.")}) == 1
    spf_workers = {w for node_id, w in ran_by.items() if node_id.startswith("sender::dns.spf[fleet-")}
    assert spf_workers == {"gw0", "gw1"}
    assert _sender_txt_queries(fleet_dns) == len(spf_workers)  # once per worker, by the workers


def test_under_xdist_the_sandbox_keeps_the_controller_running_the_checks(pytester: pytest.Pytester) -> None:
    # Each worker's sandbox would listen on other ports, so name other targets: the controller runs.
    result = pytester.runpytest_subprocess(
        "--sender-preflight", "--sender-sandbox", "--sender-report=r.json", "-p", "xdist", "-n", "2"
    )
    assert result.ret == pytest.ExitCode.OK
    assert "Different tests were collected" not in result.stdout.str() + result.stderr.str()
    findings = json.loads((pytester.path / "r.json").read_text())["findings"]
    node_ids = [f["node_id"] for f in findings]
    assert len(node_ids) == len(set(node_ids)) > 9
    assert all(f["status"] in ("pass", "warn", "skip") for f in findings)


def test_under_xdist_a_failing_check_on_a_worker_fails_the_run(pytester: pytest.Pytester, fleet_dns: DnsServer) -> None:
    pytester.makefile(".txt", domains="missing.test\n")
    result = pytester.runpytest_subprocess(
        "--sender-preflight",
        "-k",
        "dns.spf or dns.mx",
        "--sender-domains-file",
        "domains.txt",
        "--sender-nameserver",
        f"127.0.0.1:{fleet_dns.port}",
        "-p",
        "xdist",
        "-n",
        "2",
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*FAILED sender::dns.spf[[]missing.test[]]*", "*2 failed*"])


def test_under_the_split_your_own_tests_are_still_handed_out_one_by_one(
    pytester: pytest.Pytester, fleet_dns: DnsServer
) -> None:
    """The scheduler groups the checks into shards, not the user's tests: under ``--dist load``
    the tests of one module still go to both workers (grouped by module they would all go to one)."""
    pytester.makepyfile(test_many="".join(f"def test_{n}():\n    pass\n\n\n" for n in range(20)))
    result, _ = _run(pytester, fleet_dns, "-p", "xdist", "-n", "2", "-v", "-k", "test_many or dns")
    workers = {
        worker for worker, node_id in WORKER_LINE.findall(result.stdout.str()) if node_id.startswith("test_many.py")
    }
    assert workers == {"gw0", "gw1"}
