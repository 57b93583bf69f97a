"""The dns.* checks through the plugin: pytest --sender-preflight --sender-domain X --sender-nameserver H:P."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from pytest_sender.preflight.registry import load_checks, plan_checks
from pytest_sender.preflight.runner import run_preflight
from pytest_sender.sandbox import EmbeddedSandbox
from pytest_sender.sandbox.dns_server import SANDBOX_DOMAIN
from pytest_sender.settings import Settings
from tests.helpers.dns_servers import RunningDns, start_sandbox_dns

DNS_COMPONENT = "pytest_sender.sandbox.dns_server:DnsSandboxComponent"


@pytest.fixture(scope="module")
def dns_server() -> Iterator[RunningDns]:
    with start_sandbox_dns() as running:
        yield running


@pytest.fixture(autouse=True)
def _clear_faults(dns_server: RunningDns) -> Iterator[None]:
    yield
    assert dns_server.faults is not None
    dns_server.faults.clear()


def preflight(pytester: pytest.Pytester, server: RunningDns, *domains: str, extra: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    # dns.dnssec walks from the root key, which this authoritative-only server does not serve:
    # tests/test_dns_dnssec.py runs it over a signed chain of its own
    args = [
        "--sender-preflight",
        "-k",
        "dns and not dnssec",
        "-rA",
        "--sender-timeout",
        "1",
        "--sender-nameserver",
        f"127.0.0.1:{server.nameserver.port}",
        *extra,
    ]
    for domain in domains:
        args += ["--sender-domain", domain]
    return pytester.runpytest(*args)


def test_a_healthy_domain_passes_every_dns_check(pytester: pytest.Pytester, dns_server: RunningDns) -> None:
    result = preflight(pytester, dns_server, "good.test")
    result.assert_outcomes(passed=5, skipped=4)  # no MTA-STS, TLS-RPT or BIMI record: optional; mx-tls is opt-in
    result.stdout.fnmatch_lines(["PASSED sender::dns.spf[[]good.test[]]*"])
    result.stdout.fnmatch_lines(
        [
            "*= Sender preflight =*",
            "dns.spf*good.test*pass*SPF_OK*",
            "dns.dkim*good.test*pass*DKIM_OK*",
            "dns.dmarc*good.test*pass*DMARC_OK*",
            "dns.mx*good.test*pass*MX_OK*",
            "dns.blocklist*good.test*pass*BLOCKLIST_CLEAN*",
            "dns.mta-sts*good.test*skip*MTASTS_NONE*",
            "dns.tls-rpt*good.test*skip*TLSRPT_NONE*",
            "dns.mx-tls*good.test*skip*MXTLS_DISABLED*",
            "dns.bimi*good.test*skip*BIMI_NONE*",
        ]
    )


@pytest.mark.parametrize(
    ("domain", "rows"),
    [
        (
            "empty.test",
            [
                "dns.spf*fail*SPF_MISSING*",
                "dns.dkim*fail*DKIM_MISSING*",
                "dns.dmarc*fail*DMARC_MISSING*",
                "dns.mx*warn*MX_NONE*",
                "dns.blocklist*pass*BLOCKLIST_CLEAN*",
            ],
        ),
        ("multi-spf.test", ["dns.spf*fail*SPF_MULTIPLE*"]),
        ("loop.test", ["dns.spf*fail*SPF_INCLUDE_LOOP*"]),
        ("lookups.test", ["dns.spf*fail*SPF_TOO_MANY_LOOKUPS*"]),
        ("void.test", ["dns.spf*fail*SPF_TOO_MANY_VOID_LOOKUPS*"]),
        ("withall.redirect.test", ["dns.spf*fail*SPF_INCLUDE_MISSING*"]),
        ("redirect.test", ["dns.spf*pass*SPF_OK*"]),
        ("macro.test", ["dns.spf*pass*SPF_OK*"]),
        ("split.test", ["dns.spf*pass*SPF_OK*"]),
        ("big.test", ["dns.spf*warn*SPF_ANSWER_TOO_LARGE*"]),
        ("mail.shop.co.uk", ["dns.dmarc*pass*DMARC_OK*"]),
        ("listed.test", ["dns.blocklist*fail*BLOCKLIST_LISTED*"]),
        ("blocked.test", ["dns.blocklist*error*BLOCKLIST_QUERY_REFUSED*"]),
        ("null.mx.test", ["dns.mx*warn*MX_NULL*"]),
    ],
)
def test_each_zone_reports_its_status_and_code(
    pytester: pytest.Pytester, dns_server: RunningDns, domain: str, rows: list[str]
) -> None:
    result = preflight(pytester, dns_server, domain)
    result.stdout.fnmatch_lines(["*= Sender preflight =*", *rows], consecutive=False)


def test_the_dkim_selector_flag_is_used(pytester: pytest.Pytester, dns_server: RunningDns) -> None:
    for selector, row in (("dangling", "DKIM_CNAME_DANGLING"), ("revoked", "DKIM_REVOKED"), ("weak", "DKIM_KEY_WEAK")):
        flags = ("--sender-dkim-selector", selector, "-k", "dkim")
        result = preflight(pytester, dns_server, "dkim.test", extra=flags)
        result.stdout.fnmatch_lines([f"dns.dkim*dkim.test*{row}*"])


def test_a_failure_shows_the_corrected_record(pytester: pytest.Pytester, dns_server: RunningDns) -> None:
    result = preflight(pytester, dns_server, "withall.redirect.test", extra=("-k", "spf"))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*SPF_INCLUDE_MISSING*",
            "*v=spf1 ip4:192.0.2.21 ?all redirect=_spf.redirect.test*",
            "*v=spf1 ip4:192.0.2.21 include:sendersrv.com ~all*",
        ]
    )


def test_servfail_and_timeouts_are_errors_not_missing_records(
    pytester: pytest.Pytester, dns_server: RunningDns
) -> None:
    assert dns_server.faults is not None
    dns_server.faults.servfail.add("servfail.test")
    dns_server.faults.servfail.add("*._domainkey.servfail.test")
    dns_server.faults.drop.add("_dmarc.servfail.test")
    result = preflight(pytester, dns_server, "servfail.test", extra=("--sender-report", "r.json"))
    report = json.loads((pytester.path / "r.json").read_text())
    codes = {f["check"]: (f["status"], f["code"]) for f in report["findings"]}
    assert codes["dns.spf"] == ("error", "DNS_SERVFAIL")
    assert codes["dns.dkim"] == ("error", "DNS_SERVFAIL")
    assert codes["dns.dmarc"] == ("error", "DNS_TIMEOUT")
    assert codes["dns.mx"] == ("error", "DNS_SERVFAIL")
    assert result.ret == 1
    result.stdout.no_fnmatch_line("*MISSING*")


def test_an_idn_domain_is_shown_as_written_and_queried_as_punycode(
    pytester: pytest.Pytester, dns_server: RunningDns
) -> None:
    result = preflight(pytester, dns_server, "bücher.test")
    result.assert_outcomes(passed=5, skipped=4)
    result.stdout.fnmatch_lines(["PASSED sender::dns.dkim[[]bücher.test[]]*"])
    assert dns_server.server is not None
    assert ("udp", "sender._domainkey.xn--bcher-kva.test", "TXT") in dns_server.server.log


def test_several_domains_each_get_their_items(pytester: pytest.Pytester, dns_server: RunningDns) -> None:
    result = preflight(pytester, dns_server, "good.test", "empty.test", extra=("-k", "spf"))
    result.assert_outcomes(passed=1, failed=1)


def test_without_a_domain_every_dns_check_skips_naming_the_setting(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--sender-preflight", "-k", "dns", "-rs")
    result.assert_outcomes(skipped=10)
    result.stdout.fnmatch_lines(
        [
            "SKIPPED [[]1[]] sender::dns.spf[[]no-domain-configured[]]: DNS_NO_DOMAIN: "
            "No sending domain is configured: set SENDER_DOMAINS or --sender-domain",
        ]
    )


def test_dns_checks_share_one_cache_per_run(dns_server: RunningDns) -> None:
    assert dns_server.server is not None
    settings = Settings(domains=("good.test",), nameservers=(dns_server.nameserver,), timeout=1.0)
    specs = load_checks(["pytest_sender.dns.checks"], plugins=False)
    before = len(dns_server.server.log)
    findings = run_preflight(plan_checks(settings, specs), settings)
    assert [f.code for f in findings] == ["SPF_OK", "DKIM_OK", "DMARC_OK", "MX_OK", "BLOCKLIST_CLEAN"]
    names = [(name, rdtype) for _, name, rdtype in dns_server.server.log[before:]]
    assert len(names) == len(set(names))  # no question asked twice


@pytest.mark.parametrize(
    ("scenario", "codes"),
    [
        ("healthy", ["SPF_OK", "DKIM_OK", "DMARC_OK", "MX_OK", "BLOCKLIST_CLEAN"]),
        ("broken", ["SPF_INCLUDE_MISSING", "DKIM_REVOKED", "DMARC_MISSING", "MX_NULL", "BLOCKLIST_LISTED"]),
    ],
)
def test_the_dns_sandbox_scenarios(scenario: str, codes: list[str]) -> None:
    with EmbeddedSandbox(scenario, components=[DNS_COMPONENT]) as sandbox:
        settings = Settings().with_overrides("sandbox", timeout=1.0, **sandbox.settings_overrides())
        specs = load_checks(["pytest_sender.dns.checks"], plugins=False)
        findings = run_preflight(plan_checks(settings, specs), settings)
    assert settings.domains == (SANDBOX_DOMAIN,)
    assert [f.code for f in findings] == codes


def test_sender_sandbox_makes_every_dns_check_pass(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--sender-preflight", "--sender-sandbox", "--sender-mx-tls", "-k", "dns")
    result.assert_outcomes(passed=10)  # dns.mx-tls too: the sandbox's relay stands in for its MX host
    result.stdout.fnmatch_lines(
        [f"dns.spf*{SANDBOX_DOMAIN}*pass*SPF_OK*", f"dns.dnssec*{SANDBOX_DOMAIN}*pass*DNSSEC_OK*"]
    )


def test_broken_sandbox_fails_each_dns_check_with_its_code(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--sender-preflight", "--sender-sandbox=broken", "-k", "dns")
    result.assert_outcomes(failed=8, passed=1, skipped=1, warnings=1)  # dns.mx-tls: opt-in, off
    result.stdout.fnmatch_lines(
        [
            "*dns.spf*SPF_INCLUDE_MISSING*",
            "*dns.blocklist*BLOCKLIST_LISTED*",
            "*dns.mta-sts*MTASTS_POLICY_UNFETCHABLE*",
            "*dns.tls-rpt*TLSRPT_BAD_URI*",
            "*dns.bimi*BIMI_LOGO_INVALID*",
            "*dns.dnssec*DNSSEC_BOGUS*",
        ]
    )
