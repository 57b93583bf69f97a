"""Root conftest: in a clone of this repository, a user's preflight run sees only the plugin's items.

``pytest --sender-preflight --sender-sandbox`` (the README's first command) must behave here as in
any other directory: the project's own suites (``tests/``, ``contracts/``) are collected only when
no ``--sender-*`` mode is on or when a path names them (``pytest --sender-preflight contracts/``).
The project's tests isolate themselves from the caller's ``SENDER_*`` variables in
``tests/conftest.py``; a user's settings are left alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
PROJECT_SUITES = frozenset({ROOT / "tests", ROOT / "contracts"})
SENDER_MODES = ("sender_preflight", "sender_live", "sender_sandbox")


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path not in PROJECT_SUITES:
        return None
    if config.args_source is not pytest.Config.ArgsSource.INVOCATION_DIR:
        return None  # paths were given (or ini testpaths): collect what they name
    if any(config.getoption(mode, default=None) for mode in SENDER_MODES):
        return True
    return None
