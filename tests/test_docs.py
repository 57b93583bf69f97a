"""The documentation site: its generated pages list every code and setting, and the JSON report
validates against the schema it publishes."""

from __future__ import annotations

import copy
import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from pytest_sender.findings import Finding, Status
from pytest_sender.hints import CATALOG
from pytest_sender.preflight.registry import BUILTIN_CHECK_MODULES, load_checks
from pytest_sender.report import build_json_report
from pytest_sender.setting_specs import SETTINGS
from pytest_sender.settings import resolve_settings

ROOT = Path(__file__).resolve().parent.parent


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_generate", ROOT / "docs" / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate = _load_generator()


def _section(page: str, heading: str) -> str:
    return page.split(heading, 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]


def test_the_checks_page_has_every_code_with_its_status_meaning_and_hint() -> None:
    page = generate.checks_page()
    for code, hint in CATALOG.items():
        anchor = code.lower().replace("_", "-")
        assert page.count(f"\n### {code} {{#{anchor}}}\n") == 1, code
        assert f"| [`{code}`](#{anchor}) | {hint.status.value} |" in page, code
        section = _section(page, f"### {code} ")
        assert f"**Status:** {hint.status.value}" in section
        for step in hint.steps:
            assert generate._text(step) in section, (code, step)


def test_the_checks_page_has_every_check_in_its_family() -> None:
    page = generate.checks_page()
    for spec in load_checks((*BUILTIN_CHECK_MODULES, "pytest_sender.live.checks"), plugins=False):
        assert f"| `{spec.name}` | " in page, spec.name
    dns = page.split("\n## DNS\n", 1)[1].split("\n## ", 1)[0]
    assert "| `dns.spf` |" in dns
    assert "### SPF_INCLUDE_MISSING " in dns
    assert "Other" not in [line[3:] for line in page.splitlines() if line.startswith("## ")]


def test_a_code_the_generator_cannot_place_still_appears(monkeypatch: pytest.MonkeyPatch) -> None:
    from pytest_sender.hints import Hint

    monkeypatch.setitem(CATALOG, "ZZZ_NEW", Hint("ZZZ_NEW", Status.WARN, "new", meaning="a new family's code"))
    page = generate.checks_page()
    assert "\n## Other\n" in page
    assert "### ZZZ_NEW {#zzz-new}" in page


def test_the_settings_page_has_every_setting_with_its_sources_and_default() -> None:
    page = generate.settings_page()
    defaults = {name: shown for name, shown, _ in resolve_settings(cli={}, env={}, ini={}).describe()}
    for spec in SETTINGS:
        section = _section(page, f"\n## {spec.name} ")
        for name in (spec.flag, spec.env, spec.ini):
            if name:
                assert f"`{name}`" in section, (spec.name, name)
        if spec.secret:
            assert f"`{spec.env}_FILE`" in section
            assert "- flag: –" in section
            assert "- ini key: –" in section
        shown = "none" if defaults[spec.name] == "not set" else f"`{defaults[spec.name]}`"
        assert f"- default: {shown}\n" in section, spec.name


# --- the JSON report's schema ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def validator() -> Any:
    import jsonschema

    schema = generate.load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("scenario", ["--sender-sandbox=broken", "--sender-sandbox", None])
def test_reports_of_real_runs_validate_against_the_published_schema(
    pytester: pytest.Pytester, validator: Any, scenario: str | None
) -> None:
    args = ["--sender-preflight", "--sender-report=r.json", *([scenario] if scenario else [])]
    pytester.runpytest(*args)
    report = json.loads((pytester.path / "r.json").read_text())
    assert report["findings"]
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(report)]
    assert errors == []
    if scenario == "--sender-sandbox=broken":
        assert any("health" in f.get("data", {}) for f in report["findings"])


def test_the_schema_rejects_what_the_report_does_not_write(validator: Any) -> None:
    finding = Finding("dns.spf", "example.com", Status.FAIL, "SPF_MISSING", "no record", evidence=("NXDOMAIN",))
    report = build_json_report([finding])  # no "run": it is optional
    assert not list(validator.iter_errors(report))
    for change in (
        lambda r: r.update(extra=1),  # an undocumented field
        lambda r: r["findings"][0].update(status="broken"),
        lambda r: r["findings"][0].pop("code"),
        lambda r: r["summary"].update(total=-1),
        lambda r: r.update(version=2),
        lambda r: r["findings"][0].update(node_id="dns.spf[example.com]"),
    ):
        changed = copy.deepcopy(report)
        change(changed)
        assert list(validator.iter_errors(changed)), changed


def test_the_schema_page_lists_every_field_of_the_schema() -> None:
    page = generate.schema_page()
    schema = generate.load_schema()
    for name in schema["properties"]:
        assert f"| `{name}` |" in page, name
    for name in schema["$defs"]["finding"]["properties"]:
        assert f"| `findings[].{name}` |" in page, name
    assert json.dumps(schema, indent=2, ensure_ascii=False) in page


def test_ci_builds_the_docs_with_warnings_as_errors() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"mkdocs build --strict", ci)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "docs/generate.py" in config  # the hook that adds the generated pages
    for uri in generate.GENERATED:
        assert uri in config, uri


def test_the_generated_pages_kept_for_github_readers_are_current() -> None:
    # The README links docs/reference/*.md; on GitHub they are these files, so they must not go stale.
    for uri, function in generate.GENERATED.items():
        kept = (generate.DOCS / uri).read_text(encoding="utf-8")
        assert kept == getattr(generate, function)(), f"{uri} is stale: run python docs/generate.py --write"
