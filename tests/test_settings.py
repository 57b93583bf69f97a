"""Settings resolution (flag, env, ini, default), validation messages and the Secret type."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from pytest_sender.errors import ConfigError
from pytest_sender.settings import (
    DEFAULT_API_URL,
    SETTINGS,
    InboxAddress,
    Nameserver,
    Secret,
    resolve_settings,
)


def test_defaults_come_from_the_design_table() -> None:
    settings = resolve_settings()
    assert settings.api_url == DEFAULT_API_URL
    assert settings.smtp_ports == (587, 2525, 25)
    assert settings.dkim_selector == "sender"
    assert settings.spf_include == "sendersrv.com"
    assert settings.smtp_host == "smtp.sender.net"
    assert settings.timeout == 5.0
    assert settings.strict is False
    assert settings.api_token is None
    assert all(source == "default" for _, _, source in settings.describe())


def test_flag_beats_env_beats_ini() -> None:
    url = "api_url"
    settings = resolve_settings(
        cli={url: "https://flag.example/v2"},
        env={"SENDER_API_URL": "https://env.example/v2"},
        ini={url: "https://ini.example/v2"},
    )
    assert settings.api_url == "https://flag.example/v2"
    assert settings.sources[url] == "flag --sender-api-url"
    settings = resolve_settings(env={"SENDER_API_URL": "https://env.example/v2"}, ini={url: "https://ini.example/v2"})
    assert (settings.api_url, settings.sources[url]) == ("https://env.example/v2", "env SENDER_API_URL")
    settings = resolve_settings(ini={url: "https://ini.example/v2/"})
    assert (settings.api_url, settings.sources[url]) == ("https://ini.example/v2", "ini sender_api_url")


def test_an_empty_env_value_falls_through_to_ini() -> None:
    settings = resolve_settings(env={"SENDER_TIMEOUT": ""}, ini={"timeout": "2.5"})
    assert (settings.timeout, settings.sources["timeout"]) == (2.5, "ini sender_timeout")


def test_repeatable_settings_accept_lists_and_comma_lists() -> None:
    settings = resolve_settings(cli={"domains": ["Example.COM.", "b.example,c.example"]})
    assert settings.domains == ("example.com", "b.example", "c.example")
    settings = resolve_settings(env={"SENDER_DOMAINS": "a.example, a.example ,b.example"})
    assert settings.domains == ("a.example", "b.example")
    settings = resolve_settings(ini={"domains": ["x.example", "y.example"]})
    assert settings.domains == ("x.example", "y.example")


def test_idn_domains_are_accepted() -> None:
    assert resolve_settings(cli={"domains": ["bücher.example"]}).domains == ("bücher.example",)


def test_nameservers_take_ipv4_and_ipv6_with_ports() -> None:
    settings = resolve_settings(cli={"nameservers": ["127.0.0.1:5353", "[::1]:53", "10.0.0.1"]})
    assert settings.nameservers == (Nameserver("127.0.0.1", 5353), Nameserver("::1", 53), Nameserver("10.0.0.1", 53))
    assert str(settings.nameservers[1]) == "[::1]:53"


def test_strict_reads_booleans_from_env_and_ini() -> None:
    assert resolve_settings(env={"SENDER_STRICT": "yes"}).strict is True
    assert resolve_settings(ini={"strict": "true"}).strict is True
    assert resolve_settings(cli={"strict": True}, env={"SENDER_STRICT": "0"}).strict is True
    assert resolve_settings(env={"SENDER_STRICT": "0"}, ini={"strict": "true"}).strict is False


def test_inbox_url_is_parsed_and_a_password_in_it_is_refused() -> None:
    settings = resolve_settings(env={"SENDER_INBOX_URL": "imaps://qa%40example.com@mail.example.com:9993"})
    assert settings.inbox == InboxAddress("qa@example.com", "mail.example.com", 9993)
    with pytest.raises(ConfigError) as info:
        resolve_settings(env={"SENDER_INBOX_URL": "imaps://qa:hunter2-canary@mail.example.com"})
    assert "hunter2-canary" not in str(info.value)
    assert "SENDER_INBOX_PASSWORD" in str(info.value)


@pytest.mark.parametrize(
    ("source", "value", "setting", "problem"),
    [
        ("cli", {"api_url": "api.sender.net/v2"}, "api_url", "has no http:// or https:// scheme"),
        ("cli", {"api_url": "https://user:pw@api.sender.net"}, "api_url", "must not carry credentials"),
        ("env", {"SENDER_SMTP_PORTS": "587,abc"}, "smtp_ports", "'abc' is not a port number"),
        ("env", {"SENDER_SMTP_PORTS": "587,70000"}, "smtp_ports", "'70000' is not a port number"),
        ("env", {"SENDER_SMTP_PORTS": "587,587"}, "smtp_ports", "lists a port twice"),
        ("ini", {"domains": ["not a domain"]}, "domains", "is not a domain name"),
        ("ini", {"domains": ["https://example.com"]}, "domains", "no scheme"),
        ("cli", {"domains": ["localhost"]}, "domains", "is not a valid domain name"),
        ("env", {"SENDER_TIMEOUT": "fast"}, "timeout", "is not a number of seconds"),
        ("env", {"SENDER_TIMEOUT": "-1"}, "timeout", "must be more than 0"),
        ("env", {"SENDER_TIMEOUT": "nan"}, "timeout", "must be more than 0"),
        ("env", {"SENDER_STRICT": "maybe"}, "strict", "is not one of"),
        ("cli", {"nameservers": ["dns.google"]}, "nameservers", "is not an IP address"),
        ("cli", {"nameservers": ["[::1"]}, "nameservers", "without closing it"),
        ("env", {"SENDER_INBOX_URL": "imap://qa@mail.example.com"}, "inbox", "must start with imaps://"),
        ("env", {"SENDER_RECIPIENT": "nobody"}, "recipient", "is not an email address"),
        ("env", {"SENDER_TEMPLATE_ID": "ep 2W"}, "template_id", "is not a transactional campaign id"),
        ("env", {"SENDER_DKIM_SELECTOR": "sel_1"}, "dkim_selector", "is not a DKIM selector"),
    ],
)
def test_a_bad_value_names_the_setting_its_source_and_an_example(
    source: str, value: dict[str, object], setting: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as info:
        resolve_settings(**{source: value})  # type: ignore[arg-type]
    error = info.value
    assert error.setting == setting
    expected_source = {"cli": "flag --", "env": "env SENDER_", "ini": "ini sender_"}[source]
    assert error.source.startswith(expected_source)
    assert problem in str(error)
    spec = next(s for s in SETTINGS if s.name == setting)
    assert f"Example of a valid value: {spec.example}" in str(error)


def test_secrets_come_from_the_environment_or_a_file(tmp_path: Path) -> None:
    secret_file = tmp_path / "token"
    secret_file.write_text("file-token\n")
    settings = resolve_settings(env={"SENDER_API_TOKEN_FILE": str(secret_file)})
    assert settings.api_token is not None
    assert settings.api_token.reveal() == "file-token"
    assert settings.sources["api_token"] == "env SENDER_API_TOKEN_FILE"
    assert resolve_settings(env={"SENDER_API_TOKEN": "env-token"}).api_token == Secret("env-token")


def test_a_secret_set_twice_or_unreadable_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="both are set; set only one"):
        resolve_settings(env={"SENDER_API_TOKEN": "a", "SENDER_API_TOKEN_FILE": str(tmp_path / "t")})
    with pytest.raises(ConfigError, match="cannot read") as info:
        resolve_settings(env={"SENDER_API_TOKEN_FILE": str(tmp_path / "missing")})
    assert info.value.source == "env SENDER_API_TOKEN_FILE"


def test_a_malformed_secret_is_refused_without_echoing_it() -> None:
    with pytest.raises(ConfigError) as info:
        resolve_settings(env={"SENDER_API_TOKEN": "canary-abc def"})
    assert "canary" not in str(info.value)
    assert "whitespace" in str(info.value)


def test_smtp_credentials_need_both_parts() -> None:
    with pytest.raises(ConfigError, match="SENDER_SMTP_PASSWORD is not set"):
        resolve_settings(env={"SENDER_SMTP_USERNAME": "user"})


def test_secrets_have_no_flag_and_no_ini_key() -> None:
    for spec in SETTINGS:
        if spec.secret:
            assert spec.flag is None, spec.name
            assert spec.ini is None, spec.name


def test_a_secret_never_shows_its_value() -> None:
    secret = Secret("canary-value")
    assert "canary" not in str(secret)
    assert "canary" not in repr(secret)
    assert "canary" not in f"{secret}"
    assert "canary" not in f"{secret!r:>40}"
    assert "canary" not in "%s %r" % (secret, secret)  # noqa: UP031
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    settings = resolve_settings(env={"SENDER_API_TOKEN": "canary-value"})
    assert "canary" not in repr(settings)
    assert "canary" not in str(settings.describe())
    assert settings.secret_values() == ("canary-value",)
