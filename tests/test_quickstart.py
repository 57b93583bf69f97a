"""The README's first command, verbatim, in a clean copy of the repository with the core install only.

``.ci/quickstart.py`` does the work (``.ci/run`` runs it too, before the test command); here its
comparison is checked for what it must catch, and it is run for real once.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _quickstart() -> ModuleType:
    spec = importlib.util.spec_from_file_location("quickstart", ROOT / ".ci" / "quickstart.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_comparison_ignores_ports_durations_and_padding_only() -> None:
    quickstart = _quickstart()
    _, expected = quickstart.readme_first_command_and_output((ROOT / "README.md").read_text(encoding="utf-8"))
    run = "\n".join(["platform linux", *expected]).replace(" in 0.49s", " in 1.23s").replace(":41833", ":50001")
    assert quickstart.compare(expected, run) == []
    changed = run.replace("API_TOKEN_OK", "API_TOKEN_MISSING")
    assert quickstart.compare(expected, changed), "a different code must be a difference"
    assert quickstart.compare(expected, "\n".join([*expected[:-1], "== 9 passed, 1 warning in 0.5s =="]))


@pytest.mark.slow
def test_the_readmes_first_command_runs_in_the_core_install_of_a_clean_copy() -> None:
    if subprocess.run(["git", "-C", str(ROOT), "rev-parse"], capture_output=True, check=False).returncode:
        pytest.skip("not a git checkout: no tracked files to copy")
    done = subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "quickstart.py"), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:]
    assert "prints the README's table, exit 0" in done.stdout
