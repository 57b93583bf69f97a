"""One settings table: a row per setting is the only place it is spelled out (issue 12, item 4).

``setting_specs.SETTINGS`` gives each setting's flag, environment variable, ini key, default,
parser, help and ``--help`` group; ``Settings`` names only each field's type, the plugin derives its
options from the rows, and ``settings.py`` refuses to import when the two drift apart.
"""

from __future__ import annotations

import types
from dataclasses import fields
from typing import Any, Union, get_args, get_origin, get_type_hints

import pytest

from pytest_sender.errors import ConfigError
from pytest_sender.setting_specs import GROUPS, SETTINGS, SPECS_BY_NAME, SettingSpec
from pytest_sender.settings import (
    FROM_TABLE,
    NOT_SETTINGS,
    PARSERS,
    Secret,
    Settings,
    default_of,
    defaults_from,
    parse_port,
    resolve_settings,
)


def _row(name: str = "extra", **changes: Any) -> SettingSpec:
    row: dict[str, Any] = {"parse": "parse_timeout", "group": "sender", "flag": f"--sender-{name}"}
    row.update(changes)
    return SettingSpec(name, "a setting of a test", row.pop("parse"), "5", **row)


def _fits(value: object, hint: Any) -> bool:
    """Whether ``value`` is of the annotated type (the unions, optionals and tuples ``Settings`` uses)."""
    if hint is type(None):
        return value is None
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        return any(_fits(value, arg) for arg in get_args(hint))
    if origin is tuple:
        return isinstance(value, tuple) and all(_fits(item, get_args(hint)[0]) for item in value)
    return isinstance(value, origin or hint)


def test_every_row_names_a_registered_parser_and_every_registered_parser_is_named_by_a_row() -> None:
    # Parsers are registered by @setting_parser, not found by name in globals(): a parse_* helper
    # that no row names (parse_port, used inside the port list and address parsers) is no parser.
    assert {spec.parse for spec in SETTINGS} == set(PARSERS)
    assert parse_port.__name__ not in PARSERS
    for name, function in PARSERS.items():
        assert function.__name__ == name


def test_the_fields_of_settings_are_the_rows_of_the_table_and_nothing_more() -> None:
    names = [f.name for f in fields(Settings) if f.name not in NOT_SETTINGS]
    assert sorted(names) == sorted(spec.name for spec in SETTINGS)
    assert len(set(names)) == len(names) == len(SETTINGS) == len(SPECS_BY_NAME)


def test_each_default_is_its_rows_default_read_by_its_rows_parser_and_of_the_fields_type() -> None:
    hints = get_type_hints(Settings)
    defaults = Settings()
    for spec in SETTINGS:
        value = getattr(defaults, spec.name)
        assert value == default_of(spec), spec.name
        assert _fits(value, hints[spec.name]), (spec.name, value, hints[spec.name])
        if spec.default is not None:
            assert value == PARSERS[spec.parse](spec.default), spec.name
        else:
            assert value in (None, (), False), spec.name
    assert defaults.smtp_ports == (587, 2525, 25)
    assert defaults.timeout == 5.0
    assert resolve_settings() == defaults


def test_every_row_has_a_known_group_and_secrets_have_no_default() -> None:
    keys = [key for key, _ in GROUPS]
    assert len(set(keys)) == len(keys)
    for spec in SETTINGS:
        assert spec.group in keys, spec.name
        if spec.secret:
            assert (spec.default, spec.flag, spec.ini) == (None, None, None), spec.name
        if spec.boolean:
            assert (spec.default, spec.flag is None) == (None, False), spec.name  # off unless set
    assert {spec.group for spec in SETTINGS} == set(keys)  # no empty group in --help


def test_a_row_cannot_be_written_without_its_parser_or_its_group() -> None:
    with pytest.raises(TypeError):
        SettingSpec("x", "help", example="1", group="sender")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        SettingSpec("x", "help", "parse_timeout", "1")  # type: ignore[call-arg]


def _class(*extra_fields: str, **defaults: Any) -> type:
    """A stand-in for ``Settings`` with a field per row of ``SETTINGS`` (``FROM_TABLE`` unless given)."""
    names = [spec.name for spec in SETTINGS] + list(extra_fields)
    namespace: dict[str, Any] = {"__annotations__": dict.fromkeys(names, "object")}
    namespace.update({name: defaults.get(name, FROM_TABLE) for name in names})
    return type("Stand", (), namespace)


def test_a_class_in_step_with_the_table_gets_the_tables_defaults() -> None:
    cls = defaults_from(SETTINGS)(_class())
    assert cls.smtp_ports == (587, 2525, 25)  # type: ignore[attr-defined]
    assert cls.api_token is None  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("table", "cls", "problem"),
    [
        pytest.param((*SETTINGS, _row()), _class(), "extra is a row of the settings table but no field", id="row"),
        pytest.param(SETTINGS, _class("stray"), "Stand.stray is no row of the settings table", id="field"),
        pytest.param(SETTINGS, _class(timeout=5.0), "Stand.timeout spells its own default", id="default"),
        pytest.param(
            (*SETTINGS, _row(parse="parse_colour")),
            _class("extra"),
            "names the parser 'parse_colour', which is not a @setting_parser",
            id="parser",
        ),
        pytest.param(
            (*SETTINGS, _row(parse="parse_port")),
            _class("extra"),
            "names the parser 'parse_port', which is not a @setting_parser",
            id="unregistered-parser",
        ),
        pytest.param(
            (*SETTINGS, _row(group="sender-colour")), _class("extra"), "--help group 'sender-colour'", id="group"
        ),
    ],
)
def test_a_class_or_a_row_out_of_step_is_refused_when_settings_are_imported(
    table: tuple[SettingSpec, ...], cls: type, problem: str
) -> None:
    with pytest.raises(TypeError, match="the settings table and its class disagree") as info:
        defaults_from(table)(cls)
    assert problem in str(info.value)


def test_a_default_the_rows_parser_refuses_is_refused_naming_the_setting() -> None:
    with pytest.raises(ConfigError) as info:
        defaults_from((*SETTINGS, _row(default="fast")))(_class("extra"))
    assert info.value.setting == "extra"
    assert "'fast' is not a number of seconds" in str(info.value)


def test_a_secret_default_is_none_and_a_repeatable_one_empty() -> None:
    assert default_of(SPECS_BY_NAME["api_token"]) is None
    assert default_of(SPECS_BY_NAME["domains"]) == ()
    assert default_of(SPECS_BY_NAME["strict"]) is False
    assert default_of(_row(multi=True, default="1,2")) == (1.0, 2.0)
    assert not isinstance(default_of(SPECS_BY_NAME["api_token"]), Secret)
