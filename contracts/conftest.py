"""Fixtures of the contract suite: the sandbox it holds to the contract, and Sender itself under --sender-live.

The suite runs against its own sandbox API (loopback, a free port, no rate limit to speak of), so it
measures the contract and not the limiter. Without ``--sender-live`` nothing leaves 127.0.0.1; the
live drift checks (``test_live_drift.py``) skip.

``contract_wsgi_middleware`` is the seam the project's own tests use to prove the suite catches a
broken sandbox: they replace it with a WSGI middleware that breaks one behaviour (a 422 of the wrong
shape, missing rate-limit headers, ...) and expect the suite to fail.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_sender.sandbox.api_server import ApiSandbox
from pytest_sender.settings import Secret, Settings

# Imported at collection, before an in-process pytester run elsewhere in the session can import
# them first (such a run drops what it imported, leaving other modules with mismatched classes).
for _name in (
    "email.contentmanager",
    "email.headerregistry",
    "email.policy",
    "httpcore",
    "httpx",
    "jsonschema",
    "tenacity",
    "werkzeug.serving",
    "werkzeug.wrappers",
    "yaml",
    "idna",
):
    importlib.import_module(_name)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Any]
#: High enough that no run of the suite meets the sandbox's rate limit.
SUITE_RATE_LIMIT = 1_000_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if item.path.resolve().is_relative_to(here):
            item.add_marker(pytest.mark.sender_contract)  # -m sender_contract selects the suite


class _MiddlewareApp:
    """The sandbox app behind a middleware; everything else (outbox, requests) still reaches the app."""

    def __init__(self, app: Any, middleware: Callable[[WsgiApp], WsgiApp]) -> None:
        self._app = app
        self._wrapped = middleware(app)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return self._wrapped(environ, start_response)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._app, name)


@pytest.fixture(scope="session")
def contract_wsgi_middleware() -> Callable[[WsgiApp], WsgiApp] | None:
    """None: the sandbox as it is. The project's tests replace this to break one behaviour on purpose."""
    return None


@pytest.fixture(scope="session")
def contract_sandbox(contract_wsgi_middleware: Callable[[WsgiApp], WsgiApp] | None) -> Iterator[ApiSandbox]:
    """The sandbox API the suite checks, on 127.0.0.1 and a free port, for the whole session."""
    sandbox = ApiSandbox(rate_limit=SUITE_RATE_LIMIT)
    if contract_wsgi_middleware is not None:
        sandbox.app = _MiddlewareApp(sandbox.app, contract_wsgi_middleware)  # type: ignore[assignment]
    with sandbox:
        yield sandbox


@pytest.fixture(scope="session")
def contract_client(contract_sandbox: ApiSandbox) -> Iterator[Any]:
    """A :class:`pytest_sender.api.SenderClient` for the suite's sandbox, without retries (one request per case)."""
    from pytest_sender.api import NO_RETRIES, SenderClient

    with SenderClient(
        contract_sandbox.base_url, contract_sandbox.secret_token, timeout=5.0, retry=NO_RETRIES
    ) as client:
        yield client


@pytest.fixture(scope="session")
def contract_http(contract_sandbox: ApiSandbox) -> Iterator[Any]:
    """A plain ``httpx.Client`` with the sandbox's token, for bodies the typed client cannot express."""
    import httpx

    headers = {"Authorization": f"Bearer {contract_sandbox.token}", "Accept": "application/json"}
    with httpx.Client(base_url=contract_sandbox.base_url + "/", headers=headers, timeout=5.0) as client:
        yield client


@pytest.fixture(scope="session")
def live_api(pytestconfig: pytest.Config, sender_settings: Settings) -> tuple[str, Secret]:
    """Sender's base URL and token for the drift checks; skips unless ``--sender-live`` and a token are given."""
    if not pytestconfig.getoption("sender_live", default=False):
        pytest.skip("drift checks against Sender run only with --sender-live")
    if sender_settings.api_token is None:
        pytest.skip("drift checks need SENDER_API_TOKEN (or SENDER_API_TOKEN_FILE)")
    return sender_settings.api_url, sender_settings.api_token
