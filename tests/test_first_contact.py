"""A newcomer's first contact, in the clone itself: the README's commands work verbatim there.

These run pytest in this repository (a subprocess, as a user would), so they see the root conftest,
``testpaths`` and the project's own conftests exactly as a user's run in the clone does.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_sender.sandbox.api_server import ApiSandbox

ROOT = Path(__file__).resolve().parent.parent


def _user_env(**settings: str) -> dict[str, str]:
    """A user's shell: no pytest options inherited, the given Sender settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SENDER_", "PYTEST_"))}
    env.update(COLUMNS="80", NO_COLOR="1", **settings)
    return env


def _pytest_in_clone(*args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        env=_user_env(**settings),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_quick_start_in_the_clone_runs_the_fourteen_checks_and_nothing_else() -> None:
    done = _pytest_in_clone("--sender-preflight", "--sender-sandbox")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "collected 14 items" in done.stdout
    assert "13 passed, 1 skipped" in done.stdout.splitlines()[-1]  # dns.mx-tls is opt-in
    assert "tests/" not in done.stdout
    assert "contracts/" not in done.stdout


def test_an_explicit_path_in_the_clone_still_collects_what_it_names() -> None:
    done = _pytest_in_clone("--sender-preflight", "--collect-only", "-q", "contracts/test_round_trip.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "contracts/test_round_trip.py::" in done.stdout
    assert "sender::api.token" in done.stdout


def test_a_users_api_token_in_the_clone_reaches_api_token(sandbox: ApiSandbox) -> None:
    done = _pytest_in_clone("--sender-preflight", SENDER_API_TOKEN=sandbox.token, SENDER_API_URL=sandbox.base_url)
    assert "API_TOKEN_MISSING" not in done.stdout
    table_row = next(line for line in done.stdout.splitlines() if line.startswith("api.token "))
    assert "API_TOKEN_OK" in table_row, done.stdout


def test_a_users_unreadable_token_file_in_the_clone_is_a_usage_error() -> None:
    done = _pytest_in_clone("--sender-preflight", SENDER_API_TOKEN_FILE="/nonexistent")
    assert done.returncode == 4
    assert "SENDER_API_TOKEN_FILE" in done.stderr
    assert "/nonexistent" in done.stderr


def test_the_projects_own_tests_do_not_see_a_developers_settings() -> None:
    assert not [name for name in os.environ if name.startswith("SENDER_")]


def test_the_projects_test_run_lists_the_reason_of_every_skip(pytestconfig: pytest.Config) -> None:
    # A missing Knot or Dovecot skips tests; the summary must say which and why.
    assert "s" in pytestconfig.option.reportchars


@pytest.mark.skipif(importlib.util.find_spec("openapi_spec_validator") is None, reason="needs the test extra")
def test_the_projects_conftest_imports_only_core_packages_at_start_up() -> None:
    # pytest loads tests/conftest.py at start-up in the clone, even for a user's preflight run.
    code = (
        "import sys, importlib.util\n"
        "spec = importlib.util.spec_from_file_location('c', 'tests/conftest.py')\n"
        "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
        "print('openapi_spec_validator' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
