from __future__ import annotations

import importlib
import importlib.util
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pytest_sender.sandbox.api_server import ApiSandbox

# In-process pytester runs drop the modules they were first to import. Libraries that cache
# classes across modules (httpx loads httpcore lazily and keeps its exception classes; the email
# package's policies; cryptography; yaml) then disagree with themselves depending on test order.
# Importing them once here, at collection and before any pytester run, pins them for the session.
for _name in (
    "cryptography.x509",
    "email.contentmanager",
    "email.headerregistry",
    "email.policy",
    "httpcore",
    "httpx",
    "idna",
    "jsonschema",
    "openapi_spec_validator",
    "tenacity",
    "werkzeug.serving",
    "werkzeug.wrappers",
    "yaml",
):
    # openapi_spec_validator comes with the test extra: this conftest is also loaded (as a conftest
    # of a test* directory) by a user's preflight run in a clone with only the core install.
    if importlib.util.find_spec(_name.partition(".")[0]) is not None:
        importlib.import_module(_name)


@pytest.fixture(scope="session", autouse=True)
def _no_caller_sender_settings() -> Iterator[None]:
    """The project's own tests never see the caller's SENDER_* settings (restored afterwards)."""
    saved = {name: os.environ.pop(name) for name in list(os.environ) if name.startswith("SENDER_")}
    try:
        yield
    finally:
        os.environ.update(saved)


@pytest.fixture(autouse=True)
def _clean_pytester_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """pytester runs must not see the caller's addopts or Sender settings, nor depend on the terminal."""
    monkeypatch.delenv("PYTEST_ADDOPTS", raising=False)
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")


# A sandbox API for the modules that only need "a Sender to talk to": one server per test module,
# reset before each test. Modules that need a differently configured sandbox define their own.


@pytest.fixture(scope="module")
def server() -> Iterator[ApiSandbox]:
    """The sandbox API for this test module, with a rate limit high enough never to get in the way."""
    from pytest_sender.sandbox.api_server import ApiSandbox

    with ApiSandbox(rate_limit=100_000) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(server: ApiSandbox) -> ApiSandbox:
    """The module's sandbox API, reset for this test."""
    server.reset()
    return server
