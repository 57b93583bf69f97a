"""``pytest --help``: defaults shown as defaults, one option group per family, secrets named."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from pytest_sender.setting_specs import GROUPS, SETTINGS
from pytest_sender.settings import resolve_settings


@pytest.fixture(scope="module")
def help_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--help", "-p", "no:cacheprovider"],
        cwd=tmp_path_factory.mktemp("help"),
        capture_output=True,
        text=True,
        check=True,
        env={"COLUMNS": "200", "PATH": ""},
    )
    return re.sub(r"\s+", " ", done.stdout)


def test_defaults_read_as_defaults_and_examples_as_examples(help_text: str) -> None:
    assert "--sender-timeout=VALUE network timeout in seconds (default: 5) [env SENDER_TIMEOUT" in help_text
    assert "--sender-smtp-ports=VALUE SMTP ports to probe, comma-separated (default: 587,2525,25)" in help_text
    assert "(for example example.com) [env SENDER_DOMAINS" in help_text
    assert "e.g. 5" not in help_text


def test_options_come_in_one_group_per_family(help_text: str) -> None:
    headings = ["Sender: DNS (pytest-sender):", "Sender: SMTP (pytest-sender):", "Sender: live smoke (pytest-sender):"]
    headings.append("Sender: delivery health (pytest-sender):")
    positions = [help_text.index(heading) for heading in headings]
    assert positions == sorted(positions)
    smtp = help_text[positions[1] : positions[2]]
    assert "--sender-smtp-host" in smtp
    assert "--sender-domain" not in smtp


def test_the_group_description_names_the_secrets_environment_variables(help_text: str) -> None:
    description = help_text.split("Sender transactional email (pytest-sender)")[1].split(
        "--sender-preflight", maxsplit=1
    )[0]
    for spec in SETTINGS:
        if spec.secret:
            assert spec.env in description


def test_every_flag_is_shown_in_its_rows_group_with_its_rows_help_and_default(help_text: str) -> None:
    # The option registration is derived from the settings table: no row is special-cased.
    headings = [f"Sender: {title} (pytest-sender):" for _, title in GROUPS[1:]]
    starts = [help_text.index("Sender transactional email (pytest-sender)")] + [help_text.index(h) for h in headings]
    ends = [*starts[1:], len(help_text)]  # the last group runs on into other plugins' groups
    sections = {key: help_text[start:end] for (key, _), start, end in zip(GROUPS, starts, ends, strict=True)}
    flagged = [spec for spec in SETTINGS if spec.flag]
    assert flagged
    for spec in flagged:
        option = f"{spec.flag}{'' if spec.boolean else '=VALUE'}"
        assert [key for key, section in sections.items() if option in section.split()] == [spec.group], spec.name
        expected = spec.flag_help or spec.help
        if not spec.boolean:
            expected += f" (default: {spec.default})" if spec.default else f" (for example {spec.example})"
        shown = sections[spec.group].split(f" {option} ", 1)[1]
        assert shown.startswith(f"{expected} [env {spec.env}, ini {spec.ini}]"), spec.name


def test_every_default_shown_is_the_resolved_one() -> None:
    resolved = {name: shown for name, shown, _ in resolve_settings(cli={}, env={}, ini={}).describe()}
    for spec in SETTINGS:
        if spec.default is None:
            assert resolved[spec.name] in ("not set", "off"), spec.name
        else:
            assert resolved[spec.name].replace("%", "") == spec.default, spec.name
