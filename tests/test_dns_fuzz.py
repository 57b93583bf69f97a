"""Property-based fuzzing of every DNS record parser: only the documented ParseError may escape."""

from __future__ import annotations

import contextlib
import ipaddress

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_sender.dns.dkim import decode_dkim_key, parse_dkim_record, parse_tag_list
from pytest_sender.dns.dmarc import parse_dmarc_record, suggest_dmarc_record, validate_report_uri
from pytest_sender.dns.mx import parse_mx_records
from pytest_sender.dns.query import to_ascii_name
from pytest_sender.dns.spf import MacroContext, expand_macros, parse_spf_record, suggest_spf_record
from pytest_sender.errors import ParseError

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
