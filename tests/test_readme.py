"""The README is the newcomer's page: its commands are the ones CI runs, and it links every page of the
documentation, which holds the rest (the generated pages are tested in tests/test_docs.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = ROOT / "docs"


def page_section(page: str, heading: str) -> str:
    """The part of a docs page from its heading line to the next heading of the same or a higher level."""
    text = (DOCS / page).read_text(encoding="utf-8")
    level = heading.split(" ", 1)[0]
    assert f"\n{heading}\n" in f"\n{text}", (page, heading)
    section = text.split(f"{heading}\n", 1)[1]
    ends = [section.find(f"\n{'#' * n} ") for n in range(1, len(level) + 1)]
    ends = [end for end in ends if end != -1]
    return section[: min(ends)] if ends else section


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


def test_the_jobs_table_has_a_test_your_app_row_linking_to_its_page() -> None:
    jobs = README.split("## What it is for", 1)[1].split("\n## ", 1)[0]
    row = next(line for line in jobs.splitlines() if line.startswith("| test your app |"))
    assert "(docs/testing-your-app.md)" in row
    page = (DOCS / "testing-your-app.md").read_text(encoding="utf-8")
    assert page.startswith("# Testing your app against the sandbox\n")


def _generator_pages() -> set[str]:
    source = (DOCS / "generate.py").read_text(encoding="utf-8")
    block = source.split("GENERATED = {", 1)[1].split("}", 1)[0]
    return set(re.findall(r'"([^"]+\.md)"', block))


def test_the_readme_links_every_page_of_the_site_and_each_link_resolves() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = set(re.findall(r"^\s+- (?:[^:\n]+: )?([\w/.-]+\.md)$", config, flags=re.M))
    linked = set(re.findall(r"\]\(docs/([^)#]+\.md)(?:#[^)]*)?\)", README))
    assert {"index.md", "running.md", "reference/settings.md", "reference/checks.md"} <= nav
    assert nav <= linked, sorted(nav - linked)
    generated = _generator_pages()
    assert "reference/settings.md" in generated  # the settings page is the table itself (tests/test_docs.py)
    for page in linked:
        assert page in generated or (DOCS / page).is_file(), page


def test_the_readme_is_one_screen_plus_the_quick_start() -> None:
    sections = [line[3:] for line in README.splitlines() if line.startswith("## ")]
    assert sections == ["Quick start", "What it is for", "Documentation"]
    documentation = README.split("## Documentation\n", 1)[1]
    assert len(documentation.splitlines()) < 25


def test_the_extras_table_names_every_package_of_each_extra() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    table = page_section("install.md", "# Installation extras")
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


def test_ci_proves_the_first_command_before_the_test_command() -> None:
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert ci_lines.index("python3 .ci/quickstart.py") < ci_lines.index(TEST_COMMAND)


def test_the_development_page_names_the_debian_packages_and_what_skips_without_them() -> None:
    development = page_section("development.md", "# Development")
    for package in ("knot", "dovecot-imapd"):
        assert f"`{package}`" in development
    assert "skip" in development
