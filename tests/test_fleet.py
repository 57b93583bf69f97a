"""Preflight at fleet scale (issue 20): sending domains from a file, and a terminal table that folds
past 200 findings while the JSON report keeps every one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_sender.errors import ConfigError
from pytest_sender.findings import Finding, Status
from pytest_sender.report import TABLE_FOLD_ROWS, format_table
from pytest_sender.sandbox.dns_server import ZONES_DIR, DnsServer
from pytest_sender.settings import resolve_settings

HEALTHY_DOMAINS = 45  # 5 DNS findings each: 225 findings, past the fold
HEAD = "$TTL 300\n@ SOA ns1.{o}. hostmaster.{o}. 1 3600 600 86400 300\n@ NS ns1.{o}.\nns1 A 127.0.0.1\n"


def _zones(count: int) -> dict[str, str]:
    zones = {"sendersrv.com": (ZONES_DIR / "common" / "sendersrv.com.zone").read_text()}
    for list_zone in ("dbl.spamhaus.org", "multi.uribl.com", "multi.surbl.org"):
        zones[list_zone] = HEAD.format(o=list_zone)  # empty lists: nothing is listed
    for n in range(count):
        origin = f"fleet-{n}.test"
        zones[origin] = HEAD.format(o=origin) + (
            '@ TXT "v=spf1 include:sendersrv.com -all"\n'
            "mail A 192.0.2.25\n"
            "@ MX 10 mail\n"
            "sender._domainkey CNAME dkim.sendersrv.com.\n"
            '_dmarc TXT "v=DMARC1; p=reject"\n'
        )
    return zones


def _write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# --- the domains file -------------------------------------------------------------------------------


def test_the_domains_file_gives_its_domains_after_the_listed_ones(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "domains.txt",
        "\ufeff# customer domains\nshop.example.com\n\n  Example.ORG.  # trailing dot and case\r\n"
        "shop.example.com\nbücher.example\n",
    )
    settings = resolve_settings(env={"SENDER_DOMAINS": "own.example", "SENDER_DOMAINS_FILE": str(path)})
    assert settings.domains == ("own.example", "shop.example.com", "example.org", "bücher.example")
    assert settings.sources["domains"] == "env SENDER_DOMAINS and env SENDER_DOMAINS_FILE"
    shown = dict((name, value) for name, value, _ in settings.describe())
    assert shown["domains_file"] == f"{path} (3 domains)"


def test_a_long_domain_list_is_shown_as_its_first_ten_and_the_count(tmp_path: Path) -> None:
    path = _write(tmp_path / "d.txt", "".join(f"d{n}.example\n" for n in range(10_000)))
    settings = resolve_settings(cli={"domains_file": str(path)})
    shown = dict((name, value) for name, value, _ in settings.describe())
    assert shown["domains"].startswith("d0.example,d1.example,")
    assert shown["domains"].endswith(",d9.example,… (10000 in all)")
    assert len(settings.domains) == 10_000


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("good.example\n# fine\nnot a domain\n", "line 3: 'not a domain' is not a domain name"),
        ("good.example\nhttps://shop.example/\n", "line 2: 'https://shop.example/'"),
        ("a.example\n\n\n192.0.2.1\n", "line 4: '192.0.2.1' is an address"),
        ("# nothing but comments\n\n", "names no domain"),
        ("", "names no domain"),
        (b"good.example\n\xff\xfe.example\n", "line 2: not UTF-8 text"),
    ],
)
def test_a_bad_domains_file_is_a_setting_error_naming_the_line(
    tmp_path: Path, content: str | bytes, problem: str
) -> None:
    path = _write(tmp_path / "domains.txt", content)
    with pytest.raises(ConfigError) as caught:
        resolve_settings(env={"SENDER_DOMAINS_FILE": str(path)})
    assert caught.value.setting == "domains_file"
    assert "env SENDER_DOMAINS_FILE" in str(caught.value)
    assert problem in str(caught.value)


def test_a_missing_or_unreadable_domains_file_is_a_setting_error(tmp_path: Path) -> None:
    for path, reason in ((tmp_path / "absent.txt", "No such file"), (tmp_path, "Is a directory")):
        with pytest.raises(ConfigError, match=reason):
            resolve_settings(ini={"domains_file": str(path)})


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=80),
            st.sampled_from(["example.com", "xn--bcher-kva.example", "²³.example", "a" * 64 + ".example", "#", "."]),
            st.text(alphabet="0123456789.", min_size=1, max_size=5000),
        ),
        max_size=8,
    )
)
def test_any_domains_file_gives_domains_or_a_setting_error(lines: list[str]) -> None:
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", errors="surrogatepass") as handle:
        handle.write("\n".join(lines))
        handle.flush()
        outcome: object
        try:
            outcome = resolve_settings(env={"SENDER_DOMAINS_FILE": handle.name})
        except ConfigError as exc:  # the only error that may escape, and it names the setting
            outcome = exc.setting
        if isinstance(outcome, str):
            assert outcome == "domains_file"
        else:
            domains = getattr(outcome, "domains", ())
            assert domains
            assert all(d == d.lower() and not d.endswith(".") for d in domains)


def test_the_plugin_refuses_a_bad_domains_file_before_running_anything(pytester: pytest.Pytester) -> None:
    pytester.makefile(".txt", domains="shop.example.com\nnot/a/domain\n")
    result = pytester.runpytest("--sender-preflight", "--sender-domains-file", "domains.txt")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*invalid setting domains_file (from flag --sender-domains-file)*line 2*"])


# --- the folded table -------------------------------------------------------------------------------


def _finding(check: str, target: str, status: Status, code: str, fix: str = "") -> Finding:
    return Finding(check=check, target=target, status=status, code=code, summary=code, fix=fix)


def test_a_small_run_shows_every_row() -> None:
    findings = [_finding("dns.spf", f"d{n}.example", Status.PASS, "SPF_OK") for n in range(TABLE_FOLD_ROWS)]
    lines = format_table(findings)
    assert len(lines) == 1 + TABLE_FOLD_ROWS


def test_past_the_fold_the_table_shows_counts_and_only_the_problems() -> None:
    findings = [_finding("dns.spf", f"d{n}.example", Status.PASS, "SPF_OK") for n in range(300)]
    findings += [_finding("dns.mx", f"d{n}.example", Status.PASS, "MX_OK") for n in range(299)]
    findings.append(_finding("dns.mx", "bad.example", Status.WARN, "MX_NONE", fix="publish an MX record"))
    findings.append(_finding("dns.bimi", "d1.example", Status.SKIP, "BIMI_NONE", fix="optional"))
    lines = format_table(findings)
    assert lines[0].split() == ["check", "pass", "warn", "fail", "error", "skip"]
    assert lines[1].split() == ["dns.spf", "300", "0", "0", "0", "0"]
    assert lines[2].split() == ["dns.mx", "299", "1", "0", "0", "0"]
    assert lines[3].split() == ["dns.bimi", "0", "0", "0", "0", "1"]  # a skip is counted, not listed
    assert lines[4] == (
        "601 findings, 1 of them warn, fail or error (listed below); every row: --sender-full-table, or the JSON report"
    )
    assert lines[5].split() == ["check", "target", "status", "code"]
    assert lines[6].split() == ["dns.mx", "bad.example", "warn", "MX_NONE"]
    assert lines[7].strip() == "fix: publish an MX record"
    assert len(lines) == 8
    assert len(format_table(findings, fold_over=None)) == 1 + 601 + 2


@pytest.fixture(scope="module")
def fleet_dns() -> Iterator[DnsServer]:
    server = DnsServer(_zones(HEALTHY_DOMAINS)).start()
    try:
        yield server
    finally:
        server.stop()


def test_a_fleet_run_folds_the_table_and_reports_every_finding(pytester: pytest.Pytester, fleet_dns: DnsServer) -> None:
    domains = [f"fleet-{n}.test" for n in range(HEALTHY_DOMAINS)] + ["missing.test"]
    pytester.makefile(".txt", domains="# the fleet\n" + "\n".join(domains) + "\n")
    # dns.dnssec walks from the root key, which this authoritative-only server does not serve
    args = [
        "--sender-preflight",
        "-k",
        "dns and not dnssec",
        "--sender-domains-file",
        "domains.txt",
        "--sender-nameserver",
        f"127.0.0.1:{fleet_dns.port}",
        "--sender-report",
        "report.json",
    ]
    result = pytester.runpytest(*args)
    report = json.loads((pytester.path / "report.json").read_text())
    total = len(report["findings"])
    checks = list(dict.fromkeys(f["check"] for f in report["findings"]))
    assert total == len(checks) * len(domains)
    table = result.stdout.str().split("= Sender preflight =", 1)[1].splitlines()[1:]
    assert table[0].split() == ["check", "pass", "warn", "fail", "error", "skip"]
    assert [line.split()[0] for line in table[1 : 1 + len(checks)]] == checks
    assert table[1].split()[:2] == ["dns.spf", str(HEALTHY_DOMAINS)]
    assert table[1 + len(checks)].startswith(f"{total} findings, ")
    listed = [line for line in table[2 + len(checks) :] if line.startswith("dns.")]
    assert listed
    assert all("missing.test" in line for line in listed)  # the healthy fleet's rows are folded away
    assert not any("fleet-" in line for line in table)
    assert sum(1 for f in report["findings"] if f["status"] == "pass") >= 5 * HEALTHY_DOMAINS

    full = pytester.runpytest(*args, "--sender-full-table")
    rows = [
        line
        for line in full.stdout.str().split("= Sender preflight =", 1)[1].splitlines()
        if line.startswith("dns.") and "fleet-" in line
    ]
    assert len(rows) == len(checks) * HEALTHY_DOMAINS


def test_the_failures_section_keeps_teardown_output_and_pytest_keeps_its_reports(
    pytester: pytest.Pytester, fleet_dns: DnsServer
) -> None:
    """pytest's FAILURES section is shown only the reports that captured output (plugin.py's
    FailuresSummaryIndex; what it saves is measured in benchmarks/README.md): a failed test's
    teardown output is still printed under it, and the full list of reports is back afterwards."""
    pytester.makeconftest(
        """
        def pytest_unconfigure(config):
            reporter = config.pluginmanager.get_plugin("terminalreporter")
            print(f"setup and teardown reports kept: {len(reporter.stats.get('', []))}")
        """
    )
    pytester.makepyfile(
        test_app="""
        import pytest

        @pytest.fixture
        def noisy():
            yield
            print("teardown output of the app test")

        def test_app(noisy):
            assert False, "the app's own failure"
        """
    )
    pytester.makefile(".txt", domains="missing-1.test\nmissing-2.test\n")
    result = pytester.runpytest_subprocess(
        "--sender-preflight",
        "-k",
        "dns or test_app",
        "--sender-domains-file",
        "domains.txt",
        "--sender-nameserver",
        f"127.0.0.1:{fleet_dns.port}",
        "-p",
        "no:cacheprovider",
    )
    out = result.stdout.str()
    failures = out.split("= FAILURES =", 1)[1].split("short test summary info", 1)[0]
    app = failures.split("_ test_app _", 1)[1]
    assert "the app's own failure" in app
    assert "Captured stdout teardown" in app
    assert "teardown output of the app test" in app
    assert failures.count("(sender preflight) _") >= 2  # the missing domains' failures are listed too
    outcomes = result.parseoutcomes()
    ran = sum(count for outcome, count in outcomes.items() if outcome in ("passed", "failed", "skipped"))
    assert f"setup and teardown reports kept: {2 * ran}" in out  # one of each per test
