"""A newcomer's first command: verbatim, in a fresh venv with only the core install, it prints the README's table."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.helpers.readme_quickstart import ROOT, differences, first_command, readme_text

pytestmark = pytest.mark.slow


def _clean_env(venv_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SENDER_", "PYTEST_", "VIRTUAL_ENV"))}
    env["PATH"] = f"{venv_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv_dir)
    env.update(COLUMNS="80", NO_COLOR="1")
    return env


def _tracked_copy(destination: Path) -> Path:
    """The repository's tracked files only (what a clone holds), without caches or venvs."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


@pytest.fixture(scope="module")
def core_venv(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs the git checkout (git ls-files) to make a clean copy")
    base = tmp_path_factory.mktemp("quickstart")
    venv.EnvBuilder(with_pip=True).create(base / "venv")
    return base / "venv", _tracked_copy(base / "clone")


def _bash(command: str, cwd: Path, venv_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command],
        check=False,
        cwd=cwd,
        env=_clean_env(venv_dir),
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_first_command_prints_the_readmes_table_in_a_core_only_clone(core_venv: tuple[Path, Path]) -> None:
    venv_dir, clone = core_venv
    command = first_command(readme_text())
    assert command == "python -m pip install . && pytest --sender-preflight --sender-sandbox"
    result = _bash(command, clone, venv_dir)
    # Only the core install: the test extra's libraries are absent, as for a newcomer.
    probe = _bash("python -c 'import openapi_spec_validator'", clone, venv_dir)
    assert probe.returncode != 0
    assert differences(result.stdout, result.returncode, readme_text()) == [], result.stdout + result.stderr


def test_the_same_run_in_any_other_directory(core_venv: tuple[Path, Path], tmp_path: Path) -> None:
    venv_dir, clone = core_venv
    installed = _bash("python -c 'import pytest_sender'", tmp_path, venv_dir)
    if installed.returncode != 0:  # run alone: install first
        assert _bash("python -m pip install -q .", clone, venv_dir).returncode == 0
    result = _bash("pytest --sender-preflight --sender-sandbox", tmp_path, venv_dir)
    assert differences(result.stdout, result.returncode, readme_text()) == [], result.stdout + result.stderr


def test_the_comparison_fails_on_a_different_table() -> None:
    readme = readme_text()
    good = "sender .........  [100%]\n" + "\n".join(
        line for line in readme.split("```text\n", 1)[1].split("```", 1)[0].splitlines()[1:]
    )
    assert differences(good, 0, readme) == []
    assert differences(good, 1, readme) == ["exit code 1, the README's run exits 0"]
    broken = good.replace("API_TOKEN_OK", "API_TOKEN_REJECTED")
    assert differences(broken, 0, readme)[0].startswith("the run printed:")
    assert (
        differences("ERROR: no module", 4, readme)[-1] == "the run's output has no progress line for the sender items"
    )


def test_the_project_suite_is_not_collected_by_a_preflight_run_here(pytester: pytest.Pytester) -> None:
    """The root conftest keeps tests/ and contracts/ out of a --sender-* run without paths, and only then."""
    for suite in ("tests", "contracts"):
        pytester.mkdir(suite).joinpath(f"test_own_{suite}.py").write_text("def test_own():\n    pass\n")
    pytester.makeconftest((ROOT / "conftest.py").read_text().replace("Path(__file__).resolve().parent", "Path.cwd()"))
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\n")
    assert "test_own" not in pytester.runpytest("--sender-preflight", "--collect-only", "-q").stdout.str()
    assert pytester.runpytest().ret == 0
    pytester.runpytest().assert_outcomes(passed=2)
    pytester.runpytest("--sender-preflight", "contracts", "-k", "own").assert_outcomes(passed=1)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-v"]))
