#!/usr/bin/env python3
"""Prove the README's first command, verbatim, in a clean copy of the repository and a fresh venv.

A newcomer's first contact: copy the tracked files (what a clone holds) to a temporary directory,
create a virtualenv with nothing but pip, run the README's first ``console`` command there through
``bash`` (so the core install only: ``python -m pip install .``), and compare what it prints with the
README's first ``text`` block. Ports and durations are normalised; everything else must match, and
the exit code must be 0. Stdlib only: ``.ci/run`` runs it before anything else is installed, and
``tests/test_quickstart.py`` runs it as part of the project's tests.

Usage: ``python3 .ci/quickstart.py [REPO]`` (default: this file's repository). Exit 0 when the
output matches; otherwise 1, with the difference.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_PORT = re.compile(r":\d{2,5}\b")
_DURATION = re.compile(r" in \d+(?:\.\d+)?s(?: \(\d+:\d\d:\d\d\))?")


def readme_first_command_and_output(readme: str) -> tuple[str, list[str]]:
    """The first ``console`` block's command and the first ``text`` block's lines."""
    command = re.findall(r"```console\n(.*?)```", readme, flags=re.S)[0].strip()
    output = re.findall(r"```text\n(.*?)```", readme, flags=re.S)[0]
    return command, output.rstrip("\n").splitlines()


def normalise(line: str) -> str:
    """A line with its ports, durations and column padding made comparable."""
    line = _DURATION.sub(" in Ns", _PORT.sub(":PORT", line))
    line = re.sub(r"=+", "=", line)
    return " ".join(line.split())


def compare(expected: list[str], actual: str) -> list[str]:
    """Differences between the README's block and the end of the run's output ([] when they match)."""
    want = [normalise(line) for line in expected]
    got = [normalise(line) for line in actual.rstrip("\n").splitlines()]
    start = next((i for i, line in enumerate(got) if line == want[0]), None)
    tail = got[start:] if start is not None else got[-len(want) :]
    if tail == want:
        return []
    return list(difflib.unified_diff(want, tail, "README.md", "the run", lineterm=""))


def clean_copy(repo: Path, destination: Path) -> None:
    """The files a fresh clone holds (the tracked ones, as they are in the working tree)."""
    listed = subprocess.run(["git", "-C", str(repo), "ls-files", "-z"], check=True, capture_output=True).stdout
    for name in listed.decode().split("\0"):
        source = repo / name
        if name and source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def run_first_command(repo: Path) -> tuple[int, str, list[str], str]:
    """Run the README's first command in a clean copy and a fresh venv: (exit code, stdout, expected, stderr)."""
    command, expected = readme_first_command_and_output((repo / "README.md").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="sender-quickstart-") as tmp:
        clone, venv = Path(tmp) / "clone", Path(tmp) / "venv"
        clean_copy(repo, clone)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("SENDER_", "PYTEST_", "PYTHON")) and key not in ("VIRTUAL_ENV", "COLUMNS")
        }
        env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", VIRTUAL_ENV=str(venv), COLUMNS="80")
        env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        done = subprocess.run(["bash", "-c", command], cwd=clone, env=env, capture_output=True, text=True, check=False)
    # The table is compared with standard output; pip's warnings (standard error) are shown on failure.
    return done.returncode, done.stdout, expected, done.stderr


def main(argv: list[str]) -> int:
    repo = Path(argv[1]).resolve() if len(argv) > 1 else Path(__file__).resolve().parent.parent
    code, output, expected, errors = run_first_command(repo)
    problems = compare(expected, output)
    if code != 0:
        problems.insert(0, f"the README's first command exited {code}, not 0")
    if problems:
        print(output[-6000:])
        print(errors[-3000:], file=sys.stderr)
        print("\n".join(["quickstart: the run differs from the README:", *problems]))
        return 1
    print("quickstart: the README's first command prints the README's table, exit 0")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
