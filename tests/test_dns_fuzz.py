"""Property-based fuzzing of every DNS record parser: only the documented ParseError may escape."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ipaddress
from collections.abc import Awaitable, Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_sender.dns.checks import check_blocklist, check_dkim, check_dmarc, check_mx, check_spf
from pytest_sender.dns.dkim import decode_dkim_key, parse_dkim_record, parse_tag_list
from pytest_sender.dns.dmarc import parse_dmarc_record, suggest_dmarc_record, validate_report_uri
from pytest_sender.dns.mx import parse_mx_records
from pytest_sender.dns.query import Resolver, to_ascii_name
from pytest_sender.dns.spf import MacroContext, expand_macros, parse_spf_record, suggest_spf_record
from pytest_sender.errors import ParseError
from pytest_sender.findings import Finding, Status
from pytest_sender.hints import CATALOG
from pytest_sender.preflight.registry import CheckContext, RunParts
from pytest_sender.settings import Settings
from tests.helpers.checks import dns_context

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces that look right but are often subtly wrong.
SPF_WORDS = st.sampled_from(
    [
        "all",
        "+all",
        "-all",
        "~all",
        "?all",
        "!all",
        "include:",
        "include:example.com",
        "include:%{d}",
        "a",
        "a:",
        "a/24",
        "a//64",
        "a:example.com/33",
        "mx",
        "mx:mail.example.com/24//129",
        "ptr",
        "ptr:",
        "ip4:192.0.2.1",
        "ip4:192.0.2.0/24",
        "ip4:300.1.1.1",
        "ip4:2001:db8::1",
        "ip6:2001:db8::/32",
        "ip6:::/0",
        "ip6:1.2.3.4",
        "exists:%{i}.%{v}.bl.example.org",
        "exists:%{ir}.%{l1r-}.%{d2}",
        "exists:%{",
        "%{x}",
        "redirect=",
        "redirect=example.com",
        "exp=explain.%{d}",
        "exp=",
        "foo=bar",
        "=x",
        "x==y",
        "a:%%",
        "include:exa mple.com",
        "IP4:192.0.2.1",
        "v=spf1",
        "a:.",
        "a:example.",
        "mx:-example.com",
        "%{d0}",
    ]
)
DMARC_TAGS = st.sampled_from(
    [
        "v=DMARC1",
        "v=DMARC2",
        "p=none",
        "p=reject",
        "p=block",
        "sp=quarantine",
        "pct=100",
        "pct=-1",
        "pct=1000",
        "adkim=s",
        "aspf=x",
        "rua=mailto:a@example.com",
        "rua=",
        "rua=mailto:",
        "ruf=http://x",
        "fo=1:d",
        "fo=2",
        "ri=86400",
        "ri=-5",
        "p",
        "=",
        "v = DMARC1",
        "np=none",
        "psd=y",
        "t=y",
    ]
)
DKIM_TAGS = st.sampled_from(
    [
        "v=DKIM1",
        "v=DKIM2",
        "k=rsa",
        "k=ed25519",
        "k=dsa",
        "p=",
        "p=MIIB",
        "p=!!!!",
        "p=bm90IGEga2V5",
        "p=MCowBQYDK2VwAyEA",
        "t=y",
        "t=s",
        "h=sha256",
        "s=email",
        "n=note",
        "g=*",
        "p",
        "=",
        "p==",
    ]
)


def joined(pieces: st.SearchStrategy[str], separators: list[str]) -> st.SearchStrategy[str]:
    return st.tuples(st.lists(pieces, max_size=8), st.lists(st.sampled_from(separators), min_size=8, max_size=8)).map(
        lambda pair: "".join(p + s for p, s in zip(pair[0], pair[1], strict=False))
    )


SPF_RECORDS = joined(SPF_WORDS, [" ", "  ", ""]).map(lambda body: "v=spf1 " + body)
DMARC_RECORDS = joined(DMARC_TAGS, ["; ", ";", " ", ";;"])
DKIM_RECORDS = joined(DKIM_TAGS, ["; ", ";", " ", ""])
CONTEXT = MacroContext("user@example.com", "example.com", ipaddress.ip_address("192.0.2.3"))


@FUZZ
@given(st.one_of(st.text(), SPF_RECORDS))
def test_the_spf_parser_raises_only_parse_error(text: str) -> None:
    try:
        record = parse_spf_record(text)
    except ParseError:
        return
    assert record.text == text
    suggest_spf_record(text, "sendersrv.com")  # never raises on a valid record


@FUZZ
@given(st.one_of(st.text(), SPF_RECORDS, st.lists(st.text(), max_size=3)))
def test_the_suggested_spf_record_never_raises(current: str | list[str]) -> None:
    suggestion = suggest_spf_record(current, "sendersrv.com")
    assert suggestion.startswith("v=spf1 ")
    assert "include:sendersrv.com" in suggestion


@FUZZ
@given(st.one_of(st.text(), joined(SPF_WORDS, ["", ".", "%"])), st.booleans())
def test_macro_expansion_raises_only_parse_error(spec: str, exp: bool) -> None:
    with contextlib.suppress(ParseError):
        expand_macros(spec, CONTEXT, exp=exp)


@FUZZ
@given(st.one_of(st.text(), DKIM_RECORDS))
def test_the_dkim_parser_and_decoder_raise_only_parse_error(text: str) -> None:
    with contextlib.suppress(ParseError):
        decode_dkim_key(parse_dkim_record(text))


@FUZZ
@given(st.one_of(st.text(), DMARC_RECORDS))
def test_the_dmarc_parser_raises_only_parse_error(text: str) -> None:
    try:
        record = parse_dmarc_record(text)
    except ParseError:
        return
    for uri in (*record.rua, *record.ruf):
        with contextlib.suppress(ParseError):
            validate_report_uri(uri)
    parse_dmarc_record(suggest_dmarc_record(record, "example.com"))  # the suggestion is valid


@FUZZ
@given(st.text())
def test_tag_lists_report_uris_mx_and_names_raise_only_parse_error(text: str) -> None:
    for parse in (parse_tag_list, validate_report_uri, lambda t: parse_mx_records([t]), to_ascii_name):
        with contextlib.suppress(ParseError):
            parse(text)


@pytest.mark.parametrize("value", [None, 42, b"v=spf1 -all"])
def test_non_text_input_is_a_parse_error_too(value: object) -> None:
    with pytest.raises(ParseError, match="must be text"):
        parse_spf_record(value)  # type: ignore[arg-type]
    with pytest.raises(ParseError, match="must be text"):
        parse_tag_list(value)  # type: ignore[arg-type]


# --- numbers, keys and names that used to crash (issue 13) ---------------------------------------

HUGE = "1" * 4400  # past Python's integer-string limit (4,300 digits)
LOOK_ALIKES = ["²", "٣", "१", "３", "⁴", "½", "Ⅻ"]  # str.isdigit() (or isnumeric()) but not 0-9

# An EC public key (P-256) whose algorithm or curve OID is swapped for one the library lacks.
_P256_SPKI = bytes.fromhex(
    "3059301306072a8648ce3d020106082a8648ce3d03010703420004ce2d1f83224fd59476fcb61e0ef1c860d3a40b79"
    "2967106d659d9674a5569363bc2297098defaa469b44d70d79a692ec2d9ffc2ec58d1fb165610d25400954d3"
)
UNKNOWN_OID_KEY = base64.b64encode(_P256_SPKI.replace(bytes.fromhex("2a8648ce3d0201"), bytes.fromhex("2a8648ce3d0209")))
UNKNOWN_CURVE_KEY = base64.b64encode(
    _P256_SPKI.replace(bytes.fromhex("2a8648ce3d030107"), bytes.fromhex("2a8648ce3d030109"))
)


@pytest.mark.parametrize(
    "record",
    [
        f"v=spf1 ip4:192.0.2.0/{HUGE} -all",
        f"v=spf1 ip6:2001:db8::/{HUGE} -all",
        f"v=spf1 a//{HUGE} -all",
        f"v=spf1 mx/24//{HUGE} -all",
        f"v=spf1 a:example.com/{HUGE} -all",
        "v=spf1 ip4:192.0.2.0/ -all",
        "v=spf1 ip4:192.0.2.0/024 -all",
    ],
)
def test_spf_prefix_lengths_that_are_huge_or_malformed_are_a_parse_error(record: str) -> None:
    with pytest.raises(ParseError, match="prefix length"):
        parse_spf_record(record)


@pytest.mark.parametrize("look_alike", LOOK_ALIKES)
def test_digit_look_alikes_are_a_parse_error_everywhere(look_alike: str) -> None:
    with pytest.raises(ParseError):
        expand_macros(f"%{{o{look_alike}}}.example.com", CONTEXT)
    record = parse_dmarc_record(f"v=DMARC1; p=reject; pct={look_alike}")  # RFC 9989 removed pct: ignored
    assert (record.pct, record.removed) == (100, ("pct",))
    assert record.notes[0].startswith(f"pct={look_alike!r} is not a whole number from 0 to 100")
    with pytest.raises(ParseError, match="is not an MX record: its preference"):
        parse_mx_records([f"{look_alike} mail.example.com"])
    with pytest.raises(ParseError, match="outside printable ASCII"):
        parse_spf_record(f"v=spf1 ip4:192.0.2.0/2{look_alike} -all")


def test_a_macro_transformer_of_thousands_of_digits_keeps_every_label() -> None:
    assert expand_macros(f"%{{o{HUGE}}}", CONTEXT) == "example.com"
    assert expand_macros(f"%{{d{'0' * 4400}2}}", CONTEXT) == "example.com"
    with pytest.raises(ParseError, match="transformer 0"):
        expand_macros("%{d000}", CONTEXT)


def test_huge_dmarc_and_mx_numbers_are_a_parse_error() -> None:
    huge_ri = parse_dmarc_record("v=DMARC1; p=reject; ri=" + "9" * 5000)
    assert (huge_ri.ri, huge_ri.removed) == (86400, ("ri",))
    assert "(5000 characters)' is not a whole number from 0 to 4294967295" in huge_ri.notes[0]
    huge_pct = parse_dmarc_record("v=DMARC1; p=reject; pct=" + "1" * 5000)
    assert (huge_pct.pct, huge_pct.removed) == (100, ("pct",))
    with pytest.raises(ParseError, match="is not an MX record: its preference"):
        parse_mx_records(["9" * 5000 + " mail.example.com"])
    assert parse_dmarc_record("v=DMARC1; p=reject; pct=" + "0" * 5000 + "50").pct == 50


@pytest.mark.parametrize("key", [UNKNOWN_OID_KEY, UNKNOWN_CURVE_KEY], ids=["unknown-oid", "unknown-curve"])
def test_a_dkim_key_of_an_unsupported_algorithm_is_a_parse_error(key: bytes) -> None:
    with pytest.raises(ParseError, match="unsupported algorithm"):
        decode_dkim_key(parse_dkim_record("v=DKIM1; p=" + key.decode()))


# Structured-but-broken values: numbers replaced by look-alikes, huge or truncated, nesting.
NUMBERS = st.one_of(
    st.integers(min_value=0, max_value=300).map(str),
    st.sampled_from(LOOK_ALIKES),
    st.integers(min_value=1, max_value=6000).map(lambda n: "9" * n),
    st.integers(min_value=1, max_value=6000).map(lambda n: "0" * n + "1"),
    st.text(alphabet="0123456789²٣", min_size=1, max_size=8),
)
SPF_NUMBER_TERMS = st.one_of(
    NUMBERS.map(lambda n: f"ip4:192.0.2.0/{n}"),
    NUMBERS.map(lambda n: f"ip6:2001:db8::/{n}"),
    NUMBERS.map(lambda n: f"a/{n}"),
    NUMBERS.map(lambda n: f"a//{n}"),
    st.tuples(NUMBERS, NUMBERS).map(lambda p: f"mx:example.com/{p[0]}//{p[1]}"),
    NUMBERS.map(lambda n: f"exists:%{{o{n}}}.example.com"),
    NUMBERS.map(lambda n: f"include:%{{ir{n}.}}.example.com"),
    st.integers(min_value=1, max_value=300).map(lambda n: "exists:" + "%{" * n + "d}" * n),
)


def truncated(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(strategy, st.floats(min_value=0, max_value=1)).map(lambda p: p[0][: int(len(p[0]) * p[1])])


@FUZZ
@given(
    st.one_of(truncated(joined(SPF_NUMBER_TERMS, [" "]).map(lambda b: "v=spf1 " + b)), joined(SPF_NUMBER_TERMS, [" "]))
)
def test_spf_records_and_macros_with_broken_numbers_raise_only_parse_error(text: str) -> None:
    with contextlib.suppress(ParseError):
        parse_spf_record(text if text.startswith("v=spf1") else "v=spf1 " + text)
    with contextlib.suppress(ParseError):
        expand_macros(text, CONTEXT)


@FUZZ
@given(
    st.lists(
        st.one_of(
            NUMBERS.map(lambda n: f"pct={n}"),
            NUMBERS.map(lambda n: f"ri={n}"),
            NUMBERS.map(lambda n: f"rua=mailto:a@example.com!{n}m"),
            DMARC_TAGS,
        ),
        max_size=8,
    ).map(lambda tags: "; ".join(["v=DMARC1", *tags]))
)
def test_dmarc_records_with_broken_numbers_raise_only_parse_error(text: str) -> None:
    with contextlib.suppress(ParseError):
        parse_dmarc_record(text)


@FUZZ
@given(st.lists(st.tuples(NUMBERS, st.sampled_from(["mail.example.com", "", ".", " x"])).map(" ".join), max_size=4))
def test_mx_records_with_broken_numbers_raise_only_parse_error(records: list[str]) -> None:
    with contextlib.suppress(ParseError):
        parse_mx_records(records)


@FUZZ
@given(
    st.binary(max_size=300),
    st.sampled_from([_P256_SPKI, UNKNOWN_OID_KEY, UNKNOWN_CURVE_KEY]),
    st.integers(min_value=0, max_value=90),
    st.sampled_from(["rsa", "ed25519", "RSA", "ec"]),
)
def test_dkim_keys_truncated_or_garbled_raise_only_parse_error(
    noise: bytes, key: bytes, cut: int, key_type: str
) -> None:
    der = base64.b64decode(key) if key is not _P256_SPKI else key
    for raw in (noise, der[:cut], der[:cut] + noise, der + noise):
        record = parse_dkim_record(f"v=DKIM1; k={key_type}; p={base64.b64encode(raw).decode()}")
        with contextlib.suppress(ParseError):
            decode_dkim_key(record)


# --- every dns check over a real loopback DNS server serving such records -----------------------


def _txt(text: str) -> str:
    """A TXT rdata of ``text`` in zone-file form, split into 255-byte character-strings."""
    data = text.encode()
    chunks = [data[i : i + 250] for i in range(0, len(data), 250)] or [b""]
    return " ".join(
        '"' + "".join(chr(b) if 0x20 <= b < 0x7F and b not in b'"\\' else f"\\{b:03d}" for b in chunk) + '"'
        for chunk in chunks
    )


NESTED = "%{" * 200 + "d}" * 200
BROKEN: dict[str, dict[str, str]] = {
    "huge": {
        "spf": f"v=spf1 ip4:192.0.2.0/{HUGE} a//{HUGE} -all",
        "dmarc": "v=DMARC1; p=reject; ri=" + "9" * 5000,
        "dkim": "v=DKIM1; p=" + UNKNOWN_OID_KEY.decode(),
    },
    "lookalike": {
        "spf": "v=spf1 a/²4 mx/24//¹²⁸ -all",
        "dmarc": "v=DMARC1; p=reject; pct=²",
        "dkim": "v=DKIM1; k=rsa; p=" + UNKNOWN_CURVE_KEY.decode(),
    },
    "macro": {
        "spf": f"v=spf1 exists:%{{o{HUGE}}}.broken.test mx/24//{HUGE} -all",
        "dmarc": "v=DMARC1; p=reject; pct=" + "1" * 5000,
        "dkim": "v=DKIM1; k=ed25519; p=" + base64.b64encode(b"\x00" * 31).decode(),
    },
    "nested": {
        "spf": f"v=spf1 exists:{NESTED}.broken.test -all",
        "dmarc": "v=DMARC1; " + "; ".join(f"x{i}=" + "{" * 50 for i in range(40)) + "; p=reject",
        "dkim": "v=DKIM1; p=" + "MIIB" * 200,
    },
    "truncated": {
        "spf": f"v=spf1 ip4:192.0.2.0/{HUGE}"[:300] + " ip6:2001:db8::/",
        "dmarc": "v=DMARC1; p=reject; rua=mailto:a@broken.test!" + "9" * 5000,
        "dkim": "v=DKIM1; p=" + base64.b64encode(_P256_SPKI[:40]).decode(),
    },
}


def _broken_zone() -> str:
    lines = [
        "$TTL 300",
        "@ IN SOA ns1.broken.test. hostmaster.broken.test. 1 3600 600 86400 300",
        "@ IN NS ns1.broken.test.",
        "ns1 IN A 127.0.0.1",
    ]
    for name, records in BROKEN.items():
        lines.append(f"{name} IN TXT {_txt(records['spf'])}")
        lines.append(f"{name} IN TXT {_txt('a' * 2000)}")  # a large answer beside the record
        lines.append(f"_dmarc.{name} IN TXT {_txt(records['dmarc'])}")
        lines.append(f"sel._domainkey.{name} IN TXT {_txt(records['dkim'])}")
        lines.append(f"{name} IN MX 10 {'x' * 63}.{name}.broken.test.")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def broken_dns() -> Iterator[Resolver]:
    from pytest_sender.sandbox.dns_server import DnsServer

    server = DnsServer({"broken.test": _broken_zone()}).start()
    try:
        yield Resolver([server.nameserver], timeout=1.0)
    finally:
        server.stop()


CHECK_CALLS: dict[str, Callable[[str, Resolver], Awaitable[Finding]]] = {
    "dns.spf": lambda d, r: check_spf(dns_context(r, timeout=1.0), d),
    "dns.dkim": lambda d, r: check_dkim(dns_context(r, dkim_selector="sel", timeout=1.0), d),
    "dns.dmarc": lambda d, r: check_dmarc(dns_context(r, timeout=1.0), d),
    "dns.mx": lambda d, r: check_mx(dns_context(r, timeout=1.0), d),
    "dns.blocklist": lambda d, r: check_blocklist(
        CheckContext(Settings(timeout=1.0), RunParts(dns_resolver=r, dns_blocklists=())), d
    ),
}
EXPECTED = {  # what a receiver would conclude, per check, for every broken domain
    "dns.spf": {"SPF_SYNTAX"},
    "dns.dkim": {"DKIM_KEY_UNDECODABLE", "DKIM_SYNTAX"},
    "dns.dmarc": {
        "DMARC_SYNTAX",
        "DMARC_BAD_URI",
        "DMARC_OK",
        "DMARC_REMOVED_TAGS",
        "DMARC_P_NOT_SECOND",
        "DMARC_EXTERNAL_UNAUTHORISED",  # broken.test is another organisational domain by the tree walk
    },
    "dns.mx": {"MX_OK"},
    "dns.blocklist": {"BLOCKLIST_CLEAN"},
}


@pytest.mark.parametrize("check", sorted(CHECK_CALLS))
@pytest.mark.parametrize("name", sorted(BROKEN))
def test_every_dns_check_gives_a_catalog_finding_for_broken_records(
    broken_dns: Resolver, check: str, name: str
) -> None:
    finding = asyncio.run(CHECK_CALLS[check](f"{name}.broken.test", broken_dns))
    assert finding.code in CATALOG
    assert finding.code in EXPECTED[check], (finding.code, finding.summary)


@pytest.mark.parametrize("check", sorted(CHECK_CALLS))
@pytest.mark.parametrize("domain", ["a..b", "x" * 64 + ".test", "-" * 300, "a.b.\u00ad\u200d.", "."])
def test_every_dns_check_reports_a_name_that_cannot_be_queried(broken_dns: Resolver, check: str, domain: str) -> None:
    finding = asyncio.run(CHECK_CALLS[check](domain, broken_dns))
    assert (finding.check, finding.code, finding.status) == (check, "DNS_INVALID_NAME", Status.ERROR)
    assert "not a valid domain name" in finding.summary or "empty name" in finding.summary


def test_a_dkim_selector_that_makes_the_name_too_long_is_a_finding(broken_dns: Resolver) -> None:
    finding = asyncio.run(check_dkim(dns_context(broken_dns, dkim_selector="s" * 64, timeout=1.0), "huge.broken.test"))
    assert finding.code == "DNS_INVALID_NAME"
