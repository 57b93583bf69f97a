"""The README is the manual: its commands are the ones CI runs, and its catalogs are complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pytest_sender.settings import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def console_commands() -> list[str]:
    blocks = re.findall(r"```console\n(.*?)```", README, flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


TEST_COMMAND = 'python -m pip install -e ".[test]" && python -m pytest'


def test_the_readme_opens_with_the_first_command_and_gives_the_test_command_in_the_quick_start() -> None:
    assert console_commands()[0].startswith("python -m pip install . && pytest --sender-preflight")
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert f"```console\n{TEST_COMMAND}\n```" in quick_start


def test_the_test_command_is_not_between_the_quick_starts_outputs() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert quick_start.index(TEST_COMMAND) > quick_start.rindex("```text")


def test_the_jobs_table_has_a_test_your_app_row_linking_to_its_section() -> None:
    jobs = README.split("## What it is for", 1)[1].split("\n## ", 1)[0]
    row = next(line for line in jobs.splitlines() if line.startswith("| test your app |"))
    assert "(#testing-your-app-against-the-sandbox)" in row
    assert "## Testing your app against the sandbox" in README


def test_the_extras_table_names_every_package_of_each_extra() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    table = README.split("## Installation extras", 1)[1].split("\n## ", 1)[0]
    rows = {line.split("|")[1].strip().strip("`"): line for line in table.splitlines() if line.startswith("| ")}
    extras = {"(core)": project["dependencies"], **project["optional-dependencies"]}
    for extra, requirements in extras.items():
        for requirement in requirements:
            name = re.split(r"[<>=\[ ;]", requirement, maxsplit=1)[0]
            shown = "`all`" if name == "pytest-sender" and extra == "test" else name
            if name == "pytest-sender" and extra == "all":
                continue
            assert shown in rows[extra], (extra, name)
            # The row states the lowest version the extra claims (what tox -e lowest installs).
            lowest = re.search(r">=\s*([0-9][^,;\s]*)", requirement)
            if lowest is not None:
                assert f"{name} {lowest.group(1)}" in rows[extra], (extra, requirement)


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    test_command = TEST_COMMAND
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test_command in ci_lines


def _settings_table() -> dict[str, list[str]]:
    """The README's settings table: its cells by the environment variable the row names first."""
    table = README.split("## Settings", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "`" in line.split("|")[3]]
    cells = [[cell.strip() for cell in line.split("|")[1:-1]] for line in rows]
    by_env = {re.findall(r"`([^`]+)`", row[2])[0]: row for row in cells}
    assert len(by_env) == len(cells)
    return by_env


def test_the_settings_table_has_one_row_per_setting_and_each_agrees_with_it() -> None:
    table = _settings_table()
    assert sorted(table) == sorted(spec.env for spec in SETTINGS if spec.env)
    for spec in SETTINGS:
        assert spec.env is not None
        _, flag, env, ini, default = table[spec.env]
        if spec.flag is None:
            assert flag == "–", spec.name
        else:
            assert re.findall(r"`([^`]+)`", flag)[0].split()[0] == spec.flag, spec.name
            assert ("(repeatable)" in flag) is spec.multi, spec.name
        assert (f"`{spec.env}_FILE`" in env) is spec.secret, spec.name
        assert ("(comma list)" in env) is spec.multi, spec.name
        assert ini == "–" if spec.ini is None else ini.startswith(f"`{spec.ini}`"), spec.name
        assert ("(one per line)" in ini) is spec.multi, spec.name
        if spec.default is not None:
            assert default == f"`{spec.default}`", spec.name
        else:
            assert default.startswith(("none", "off", "the system's")), spec.name


def test_ci_proves_the_first_command_before_the_test_command() -> None:
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert ci_lines.index("python3 .ci/quickstart.py") < ci_lines.index(TEST_COMMAND)


def test_the_development_section_names_the_debian_packages_and_what_skips_without_them() -> None:
    development = README.split("## Development", 1)[1]
    for package in ("knot", "dovecot-imapd"):
        assert f"`{package}`" in development
    assert "skip" in development
