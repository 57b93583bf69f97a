"""Malformed settings never crash: every parser raises only ConfigError, and the run stops with a usage error.

Issue 13: a setting that cannot be used is a ``pytest.UsageError`` (exit 4) naming the setting, its
source and a valid example, by flag, environment and ini alike; never an INTERNALERROR.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_sender.errors import ConfigError
from pytest_sender.settings import SETTINGS, SPECS_BY_NAME, resolve_settings

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Characters that str.isdigit() or float() accept although they are not ASCII digits.
LOOK_ALIKES = "²³¹٣۴߅१৩੩୩௩౩೩൩๓໓༣၃႓፫០᠑᥆᧑᪁᭑᮱᱁᱑０１２٫"

NON_SECRET = [spec for spec in SETTINGS if not spec.secret and not spec.boolean]


def _texts() -> st.SearchStrategy[str]:
    digits = st.text(alphabet=st.sampled_from("0123456789" + LOOK_ALIKES + ".,:-+eE%[]"), max_size=30)
    huge = st.integers(min_value=15, max_value=6000).map(lambda n: "9" * n)
    nested = st.integers(min_value=1, max_value=3000).map(lambda n: '{"a":' * n + "1" + "}" * n)
    arrays = st.integers(min_value=1, max_value=3000).map(lambda n: "[" * n)
    urls = st.sampled_from(["http://[::1", "imaps://a@[x", "https://[", "imaps://u@h:99999", "http://h:²"])
    return st.one_of(st.text(max_size=60), digits, huge, nested, arrays, urls)


def _truncations(valid: str) -> st.SearchStrategy[str]:
    return st.integers(min_value=0, max_value=len(valid)).map(lambda n: valid[:n])


def _error_of(**kwargs: Any) -> ConfigError | None:
    """The ConfigError resolving raises, or None; any other exception fails the test."""
    try:
        resolve_settings(**kwargs)
    except ConfigError as exc:
        return exc
    return None


@FUZZ
@given(data=st.data())
def test_every_setting_parser_raises_only_config_error(data: st.DataObject) -> None:
    spec = data.draw(st.sampled_from(NON_SECRET))
    raw = data.draw(st.one_of(_texts(), _truncations(spec.example)))
    source = data.draw(st.sampled_from(["cli", "env", "ini"]))
    if source == "cli":
        kwargs: dict[str, Any] = {"cli": {spec.name: raw}}
    elif source == "env":
        assert spec.env is not None
        kwargs = {"env": {spec.env: raw}}
    else:
        kwargs = {"ini": {spec.name: raw}}
    error = _error_of(**kwargs)
    if error is not None:
        assert error.setting == spec.name
        assert error.example == spec.example
        assert len(str(error)) < 2000  # a 5,000-digit value is cut in the message


@FUZZ
@given(raw=_texts())
def test_secret_settings_raise_only_config_error(raw: str) -> None:
    error = _error_of(env={"SENDER_API_TOKEN": raw})
    assert error is None or error.setting == "api_token"


@pytest.mark.parametrize(
    ("name", "raw", "problem"),
    [
        ("smtp_ports", "²", "'²' is not a port number"),
        ("smtp_ports", "5" * 5000, "is not a port number"),
        ("nameservers", "127.0.0.1:²", "'²' is not a port number"),
        ("health_window", "²", "'²' is not a number of days"),
        ("health_window", "9" * 5000, "is not a number of days"),
        ("api_url", "http://[::1", "is not a URL"),
        ("inbox", "imaps://a@[x", "the URL cannot be read"),
        ("inbox", "imaps://qa@mail.example.com:0", "invalid port"),
        ("api_url", "https://api.example:0/v2", "invalid port"),
        ("live_variables", '{"a":' * 2000 + "1" + "}" * 2000, "nested too deep"),
        ("live_variables", "[" * 2000, "nested too deep"),
        ("timeout", "1" * 5000, "is not a number of seconds"),
        ("health_complaints", "²,3", "is not a percentage"),
    ],
)
def test_seen_bad_values_are_config_errors(name: str, raw: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_settings(env={SPECS_BY_NAME[name].env or "": raw})
    assert problem in caught.value.problem
    assert len(str(caught.value)) < 500


def test_the_report_path_is_checked_when_settings_resolve(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a directory"):
        resolve_settings(cli={"report": str(tmp_path)})
    with pytest.raises(ConfigError, match="is not a directory"):
        resolve_settings(cli={"report": "/dev/null/r.json"})
    fine = resolve_settings(cli={"report": str(tmp_path / "new" / "dir" / "r.json")})
    assert fine.report == tmp_path / "new" / "dir" / "r.json"


SEEN = [
    ("smtp_ports", "²"),
    ("nameservers", "127.0.0.1:²"),
    ("health_window", "²"),
    ("smtp_ports", "5" * 5000),
    ("api_url", "http://[::1"),
    ("inbox", "imaps://a@[x"),
    ("live_variables", '{"a":' * 2000 + "1" + "}" * 2000),
    ("report", "."),
    ("report", "/dev/null/r.json"),
    ("dnssec_trust_anchor", "x. IN DS ²0326 8 2 " + "ab" * 32),
]


@pytest.mark.parametrize("source", ["flag", "env", "ini"])
@pytest.mark.parametrize(("name", "raw"), SEEN, ids=[f"{n}={r[:12]}" for n, r in SEEN])
def test_a_seen_bad_value_is_a_usage_error_from_every_source(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, source: str, name: str, raw: str
) -> None:
    spec = SPECS_BY_NAME[name]
    pytester.makepyfile("def test_x():\n    pass\n")
    args = ["--sender-preflight", "-k", "test_x"]
    if source == "flag":
        assert spec.flag is not None
        args.append(f"{spec.flag}={raw}")
        where = f"flag {spec.flag}"
    elif source == "env":
        assert spec.env is not None
        monkeypatch.setenv(spec.env, raw)
        where = f"env {spec.env}"
    else:
        pytester.makeini(f"[pytest]\n{spec.ini} = {raw}\n")
        where = f"ini {spec.ini}"
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = result.stderr.str()
    assert "INTERNALERROR" not in errors + result.stdout.str()
    assert "Traceback" not in errors
    assert f"invalid setting {name} (from {where}):" in errors
    assert f"Example of a valid value: {spec.example}" in errors
    assert not list(pytester.path.glob(".*.tmp"))
