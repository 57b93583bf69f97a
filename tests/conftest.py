from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pytest_sender.sandbox.api_server import ApiSandbox

# In-process pytester runs drop the modules they were first to import. Libraries that cache
# classes across modules (httpx loads httpcore lazily and keeps its exception classes; the email
# package's policies; cryptography; yaml) then disagree with themselves depending on test order.
# Importing them once, before the first test (so before any pytester run), pins them for the session.
# Not at this module's import: pytest loads this conftest at start-up in the clone even for a user's
# ``pytest --sender-preflight``, which must work with the core install alone (no test extra).
_PINNED_MODULES = (
    "cryptography.x509",
    # dnspython loads its rdata classes on demand and checks keys with isinstance (make_ds: "key is
    # not a DNSKEY"): a DNSKEY parsed with one copy of the class and checked against another fails.
    "dns.dnssec",
    "dns.rdtypes.ANY.DNSKEY",
    "dns.rdtypes.ANY.DS",
    "dns.rdtypes.ANY.RRSIG",
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
)


@pytest.fixture(scope="session", autouse=True)
def _project_test_session() -> Iterator[None]:
    """The project's own tests: modules pinned, and a developer's real ``SENDER_*`` settings hidden.

    The settings are removed for the duration of these tests only and restored afterwards; a user's
    preflight run in the clone (which collects none of these tests) sees them as anywhere else.
    """
    for name in _PINNED_MODULES:
        importlib.import_module(name)
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("SENDER_"):
                patch.delenv(name)
        # Under GitHub Actions, each pytester run would otherwise print annotations and append to
        # the job's real step summary; the tests of that output set these variables themselves.
        for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"):
            patch.delenv(name, raising=False)
        yield


@pytest.fixture(autouse=True)
def _hint_fields_filled() -> Iterator[None]:
    """Every finding a test builds carries every field its hint's texts use (issue 12).

    A check that stops filling a field fails each test that reaches it, here, rather than showing
    ``<name?>`` to a user. In-process pytester runs (the default) are watched too.
    """
    from pytest_sender.hints import watch_unfilled_fields

    with watch_unfilled_fields() as unfilled:
        yield
    if unfilled:
        pytest.fail("hint fields nobody filled:\n" + "\n".join(f"  {u}" for u in unfilled), pytrace=False)


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
