from __future__ import annotations

# In-process pytester runs drop the modules they were first to import. Libraries that cache
# classes across modules (httpx loads httpcore lazily; cryptography; yaml) then disagree with
# themselves depending on test order. Importing them once here, before any pytester run, pins them.
import cryptography.x509  # noqa: F401
import httpcore  # noqa: F401
import httpx  # noqa: F401
import pytest
import yaml  # noqa: F401


@pytest.fixture(autouse=True)
def _clean_pytester_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """pytester runs must not see the caller's addopts or Sender settings, nor depend on the terminal."""
    monkeypatch.delenv("PYTEST_ADDOPTS", raising=False)
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
