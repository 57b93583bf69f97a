"""The CI workflow examples (examples/github-actions/): valid workflows for the three jobs, secrets only
through the environment, and only flags and variables the plugin knows."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from pytest_sender.settings import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "github-actions"
WORKFLOWS = sorted(EXAMPLES.glob("*.yml"))
MODE_FLAGS = {"--sender-preflight", "--sender-live", "--sender-sandbox", "--sender-report"}
KNOWN_FLAGS = MODE_FLAGS | {spec.flag for spec in SETTINGS if spec.flag}
KNOWN_ENV = {spec.env for spec in SETTINGS if spec.env}
SECRET_ENV = {spec.env for spec in SETTINGS if spec.secret}


def load(path: Path) -> dict[Any, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def triggers(document: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 (PyYAML) reads the key `on` as True.
    value = document.get("on", document.get(True))
    assert isinstance(value, dict)
    return value


def steps(document: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in document["jobs"].values() for step in job["steps"]]


def test_there_is_one_workflow_per_job() -> None:
    assert [p.name for p in WORKFLOWS] == [
        "sender-ci-gate.yml",
        "sender-nightly-live-smoke.yml",
        "sender-pre-deploy-gate.yml",
    ]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_each_workflow_is_well_formed(path: Path) -> None:
    document = load(path)
    assert document["name"] == path.stem
    assert document["permissions"] == {"contents": "read"}
    assert triggers(document)
    for name, job in document["jobs"].items():
        assert job["runs-on"] == "ubuntu-latest", name
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step
            if "uses" in step:
                assert re.fullmatch(r"actions/[a-z-]+@v\d+", step["uses"]), step["uses"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_secrets_reach_pytest_only_through_the_environment(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    secret_lines = [
        line.strip() for line in text.splitlines() if "secrets." in line and not line.lstrip().startswith("#")
    ]
    assert secret_lines
    for line in secret_lines:
        match = re.fullmatch(r"([A-Z_]+): \$\{\{ secrets\.([A-Z_]+) \}\}", line)
        assert match, f"a secret outside an env mapping: {line}"
        assert match.group(1) == match.group(2)
        assert match.group(1) in SECRET_ENV, f"{match.group(1)} is not one of the plugin's secrets"
    for step in steps(load(path)):
        run = step.get("run", "")
        assert "secrets." not in run
        assert not re.search(r"\$\{?SENDER_[A-Z_]*(TOKEN|PASSWORD|USERNAME)", run), run
        for name, value in step.get("env", {}).items():
            assert name in KNOWN_ENV, f"{name} is not a setting"
            if name in SECRET_ENV:
                assert value == f"${{{{ secrets.{name} }}}}"
            else:
                assert "secrets." not in str(value)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_pytest_is_called_with_flags_the_plugin_has(path: Path) -> None:
    commands = [step["run"] for step in steps(load(path)) if "python -m pytest" in step.get("run", "")]
    assert len(commands) == 1
    flags = {word for word in shlex.split(commands[0]) if word.startswith("--sender-")}
    assert flags <= KNOWN_FLAGS, flags - KNOWN_FLAGS


def test_the_three_jobs_run_the_documented_commands() -> None:
    ci, nightly, pre_deploy = (load(path) for path in WORKFLOWS)

    def command(document: dict[Any, Any]) -> str:
        return str(next(step["run"] for step in steps(document) if "python -m pytest" in step.get("run", "")))

    assert set(triggers(ci)) == {"pull_request", "push"}
    assert command(ci).startswith("python -m pytest --sender-preflight --sender-report")
    assert "contracts/" not in command(ci)
    assert command(pre_deploy).startswith("python -m pytest --sender-preflight contracts/")
    assert pre_deploy["jobs"]["deploy"]["needs"] == "gate"
    assert pre_deploy["jobs"]["gate"]["environment"] == "production"
    assert next(s for s in steps(pre_deploy) if "python -m pytest" in s.get("run", ""))["env"]["SENDER_STRICT"] == "1"
    assert "schedule" in triggers(nightly)
    assert command(nightly).startswith("python -m pytest --sender-live")
    assert nightly["concurrency"]["cancel-in-progress"] is False


def test_the_ci_page_points_at_each_example() -> None:
    page = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    assert WORKFLOWS
    for path in WORKFLOWS:
        assert f"/examples/github-actions/{path.name})" in page


def validate_workflows(*paths: Path) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("check_jsonschema", reason="needs check-jsonschema (the test extra)")
    # The schema ships inside check-jsonschema (vendored from SchemaStore): no network needed.
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_workflows_validate_against_githubs_workflow_schema(tmp_path: Path) -> None:
    result = validate_workflows(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout
    # The validator does catch a broken workflow (a job without runs-on, a step with both uses and run).
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  x:\n    steps:\n      - uses: actions/checkout@v4\n        run: ls\n")
    assert validate_workflows(broken).returncode != 0
