"""Library errors come from the one tree rooted at SenderError and stay catchable as before."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from pytest_sender.api.client import _list_call, _report_call, _template_path
from pytest_sender.contract import load_contract
from pytest_sender.contract.document import RequestValidator
from pytest_sender.dns.query import Resolver
from pytest_sender.errors import InvalidArgument, SenderError, UnknownOperation
from pytest_sender.sandbox.api_faults import Fault, FaultQueue


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
