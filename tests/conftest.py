from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _clean_pytester_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """pytester runs must not see the caller's addopts or Sender settings, nor depend on the terminal."""
    monkeypatch.delenv("PYTEST_ADDOPTS", raising=False)
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
