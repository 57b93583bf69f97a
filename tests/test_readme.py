"""The README is the manual: its commands are the ones CI runs, and its catalogs are complete."""

from __future__ import annotations

import re
from pathlib import Path

from pytest_sender.settings import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def console_commands() -> list[str]:
    blocks = re.findall(r"```console\n(.*?)```", README, flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_the_readme_opens_with_the_two_setup_commands() -> None:
    first, second = console_commands()[:2]
    assert first.startswith("python -m pip install . && pytest --sender-preflight")
    assert second == 'python -m pip install -e ".[test]" && python -m pytest'


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    test_command = console_commands()[1]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test_command in ci_lines


def test_every_setting_is_documented_with_its_flag_env_and_ini() -> None:
    for spec in SETTINGS:
        for name in (spec.flag, spec.env, spec.ini):
            if name:
                assert f"`{name}" in README, name
        if spec.secret:
            assert f"`{spec.env}_FILE`" in README


def test_ci_proves_the_first_command_before_the_test_command() -> None:
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert ci_lines.index("python3 .ci/quickstart.py") < ci_lines.index(console_commands()[1])


def test_the_development_section_names_the_debian_packages_and_what_skips_without_them() -> None:
    development = README.split("## Development", 1)[1]
    for package in ("knot", "dovecot-imapd"):
        assert f"`{package}`" in development
    assert "skip" in development
