"""Library errors come from the one tree rooted at SenderError and stay catchable as before."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from pytest_sender.api.client import _list_call, _report_call, _template_path
from pytest_sender.api.health import rate
from pytest_sender.api.pages import fetch_pages
from pytest_sender.api.retry import RetryPolicy
from pytest_sender.contract import load_contract
from pytest_sender.contract.document import RequestValidator
from pytest_sender.dns.query import Resolver
from pytest_sender.errors import InvalidArgument, SenderError, UnknownOperation
from pytest_sender.sandbox.api_faults import Fault, FaultQueue
from pytest_sender.sandbox.api_ratelimit import TokenBuckets
from pytest_sender.sandbox.api_reports import ReportStore
from pytest_sender.sandbox.api_templates import Template
from pytest_sender.sandbox.testing import SandboxOptions


async def _no_page(page: int) -> object:
    raise AssertionError("not read")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: _template_path("../users"), "a template id is a campaign id"),
        (lambda: _report_call("ep2W4y", date(2026, 2, 1), date(2026, 1, 1), "day"), "starts .* after it ends"),
        (lambda: _list_call("ep2W4y", "opens", page=1, limit=1, direction="asc", email_address=None), "lists are"),
        (lambda: _list_call("ep2W4y", "sent", page=0, limit=1, direction="asc", email_address=None), "start at 1"),
        (lambda: Fault(status=700), "HTTP status"),
        (lambda: Fault(delay_s=-1), "must not be negative"),
        (lambda: Fault(deliver=True), "only makes sense with drop=True"),
        (lambda: FaultQueue().push(Fault(status=500), times=0), "times must be a whole number of at least 1"),
        (lambda: Resolver(timeout=0), "timeout must be positive"),
        (lambda: RetryPolicy(max_attempts=0), "max_attempts must be at least 1"),
        (lambda: RetryPolicy(jitter_s=-1), "jitter_s must not be negative"),
        (lambda: asyncio.run(fetch_pages(_no_page, max_pages=0)), "max_pages must be at least 1"),  # type: ignore[arg-type]
        (lambda: rate(1, 0), "at least one sent message"),
        (lambda: TokenBuckets(0), "at least 1 request per minute"),
        (lambda: Template("../x", "a@example.com", "A", "Hi", html="<p>hi</p>"), "a template id is 1-64"),
        (lambda: Template("t1", "a@example.com", "A", "Hi"), "needs an html or a text body"),
        (lambda: ReportStore().inject_bounce("ep2W4y", "a@example.com", "MAYBE"), "HARD_BOUNCE, SOFT_BOUNCE"),
        (lambda: SandboxOptions.from_markers([((1,), {})]), "keyword arguments only"),
        (lambda: SandboxOptions.from_markers([((), {"rate_limit": 0})]), "at least 1"),
    ],
)
def test_a_bad_argument_is_invalid_argument_and_still_a_value_error(call: Callable[[], object], message: str) -> None:
    with pytest.raises(InvalidArgument, match=message) as caught:
        call()
    assert isinstance(caught.value, SenderError)
    assert isinstance(caught.value, ValueError)


def test_an_unknown_operation_is_a_sender_error_keeping_its_cause() -> None:
    with pytest.raises(UnknownOperation, match="no operation DELETE /message/send") as caught:
        RequestValidator(load_contract()).body_errors("DELETE", "/message/send", {})
    assert isinstance(caught.value, SenderError)
    assert isinstance(caught.value, LookupError)
    assert isinstance(caught.value.__cause__, KeyError)  # the chain is kept, not cut with "from None"


def test_a_contract_field_the_strategies_do_not_know_is_unknown_operation_and_still_a_lookup_error() -> None:
    pytest.importorskip("hypothesis")
    from pytest_sender.strategies import send_requests

    document = copy.deepcopy(load_contract())
    send = document["components"]["schemas"]["SendRequest"]
    send["properties"]["campaign_tag"] = {"type": "integer"}
    send["required"] = [*send["required"], "campaign_tag"]
    with pytest.raises(UnknownOperation, match="do not know the contract's field 'campaign_tag'") as caught:
        send_requests(document=document).example()
    assert isinstance(caught.value, SenderError)
    assert isinstance(caught.value, LookupError)


def test_a_bad_setting_keeps_the_parsers_error_as_its_cause() -> None:
    from pytest_sender.errors import ConfigError
    from pytest_sender.settings import resolve_settings

    with pytest.raises(ConfigError, match="timeout") as caught:
        resolve_settings(env={"SENDER_TIMEOUT": "soon"})
    cause = caught.value.__cause__
    assert cause is not None
    assert isinstance(cause.__cause__, ValueError)  # float()'s own error, kept


def test_a_secret_file_that_is_not_text_cuts_the_chain_so_its_bytes_stay_hidden(tmp_path: Path) -> None:
    from pytest_sender.errors import ConfigError
    from pytest_sender.settings import resolve_settings

    secret = tmp_path / "token"
    secret.write_bytes(b"canary-\xff\xfe-token")
    with pytest.raises(ConfigError, match="is not UTF-8 text") as caught:
        resolve_settings(env={"SENDER_API_TOKEN_FILE": str(secret)})
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__
    assert "canary" not in str(caught.value)


def test_an_spf_address_that_is_not_an_address_keeps_its_cause() -> None:
    from pytest_sender.dns.spf import parse_spf_record
    from pytest_sender.errors import ParseError

    with pytest.raises(ParseError, match="is not an IP address") as caught:
        parse_spf_record("v=spf1 ip4:192.0.2.999 -all")
    assert isinstance(caught.value.__cause__, ValueError)
