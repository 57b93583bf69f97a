"""The install commands the README, the docs pages and the CI examples give work as written (pytest-sender is
in no index).

Each form is resolved by pip for real (``--dry-run``: nothing is installed) from a clean copy of the
repository: ``".[live]"`` in the clone, and the ``"pytest-sender[live] @ git+…"`` direct reference
(here with a ``git+file://`` URL to a local repository, the same form as the documented one).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_sender.errors import SOURCE_URL

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")), *sorted((ROOT / "examples").rglob("*.yml"))]


def _pip_install_arguments() -> list[tuple[str, str]]:
    found = []
    for document in DOCUMENTS:
        for line in document.read_text(encoding="utf-8").splitlines():
            for match in re.finditer(r"pip install ((?:[^#`\n]|`(?!`))+)", line):
                found.append((document.name, match.group(1).strip()))
    return found


def test_every_documented_install_of_the_package_names_a_source_that_exists() -> None:
    arguments = _pip_install_arguments()
    assert arguments
    for document, argument in arguments:
        for requirement in re.findall(
            r'"pytest-sender[^"]*"|(?<![\w"])pytest-sender(?:\[[^\]]*\])?(?![\w"@\-])', argument
        ):
            assert f"@ {SOURCE_URL}" in requirement, f"{document}: pip install {argument}"


def _clean_repository(tmp_path: Path) -> Path:
    copy = tmp_path / "pytest-sender"
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], check=True, capture_output=True).stdout
    for name in listed.decode().split("\0"):
        if name and (ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    git = ["git", "-C", str(copy), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "copy"], check=True)
    return copy


def _would_install(requirement: str, cwd: Path, tmp_path: Path) -> set[str]:
    report = tmp_path / f"report-{len(list(tmp_path.glob('report-*')))}.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--dry-run",
            "--ignore-installed",
            "--report",
            str(report),
            requirement,
        ],
        cwd=cwd,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return {item["metadata"]["name"].lower() for item in json.loads(report.read_text())["install"]}


@pytest.mark.slow
def test_the_clone_and_the_direct_reference_installs_bring_the_live_extra(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("needs git")
    copy = _clean_repository(tmp_path)
    in_clone = _would_install(".[live]", copy, tmp_path)
    # file://localhost/...: the pip of Python 3.11's venvs (23.2) refuses a URL without a host
    direct = _would_install(f"pytest-sender[live] @ git+file://localhost{copy}", tmp_path, tmp_path)
    for names in (in_clone, direct):
        assert {"pytest-sender", "imapclient", "authres", "httpx"} <= names
        assert "schemathesis" not in names
