"""What the ``sender_sandbox`` fixture does around an app's test: the marker and the teardown checks.

The marker ``@pytest.mark.sender_sandbox(assert_all_injections_used=True, rate_limit=None)`` sets,
per test, class or module, whether an injection that matched nothing fails the test and the per-minute
rate limit (``None``: no 429 unless ``set_rate_limit`` or ``exhaust_rate_limit`` asks for one). At
teardown, unused injections and exceptions the sandbox itself raised fail the test.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pytest_sender.errors import InvalidArgument

if TYPE_CHECKING:
    from pytest_sender.sandbox.api_server import ApiSandbox

__all__ = ["SandboxOptions", "teardown_failure"]

_USAGE = "for example @pytest.mark.sender_sandbox(assert_all_injections_used=False, rate_limit=60)"


@dataclass(frozen=True)
class SandboxOptions:
    """The marker's settings for one test."""

    assert_all_injections_used: bool = True
    rate_limit: int | None = None

    @classmethod
    def from_markers(cls, markers: Iterable[tuple[tuple[Any, ...], Mapping[str, Any]]]) -> SandboxOptions:
        """Merge markers, closest first (a test's marker overrides its module's).

        Raises InvalidArgument (a ValueError) if one is malformed."""
        values: dict[str, Any] = {}
        for args, kwargs in markers:
            if args:
                raise InvalidArgument(f"the sender_sandbox marker takes keyword arguments only, not {args!r}; {_USAGE}")
            unknown = sorted(set(kwargs) - {"assert_all_injections_used", "rate_limit"})
            if unknown:
                raise InvalidArgument(
                    f"the sender_sandbox marker has no argument {', '.join(unknown)}; it takes "
                    f"assert_all_injections_used and rate_limit; {_USAGE}"
                )
            for key, value in kwargs.items():
                values.setdefault(key, value)
        used = values.get("assert_all_injections_used", True)
        if not isinstance(used, bool):
            raise InvalidArgument(f"sender_sandbox(assert_all_injections_used=...) must be True or False, not {used!r}")
        limit = values.get("rate_limit")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            raise InvalidArgument(
                f"sender_sandbox(rate_limit=...) must be None or a whole number of requests per minute, "
                f"at least 1, not {limit!r}; {_USAGE}"
            )
        return cls(assert_all_injections_used=used, rate_limit=limit)


def teardown_failure(sandbox: ApiSandbox, options: SandboxOptions) -> str | None:
    """Why the test must fail after using ``sandbox`` (unused injections, sandbox errors), or None."""
    parts: list[str] = []
    if sandbox.errors:
        parts.append(
            f"the sender sandbox raised {len(sandbox.errors)} exception(s) while answering the app "
            "(each answered 500); its traceback(s):\n" + "\n".join(sandbox.errors)
        )
    if options.assert_all_injections_used:
        unused = [rule for rule in sandbox.injections if not rule.used]
        if unused:
            lines = "\n".join(f"  - {rule.describe()}" for rule in unused)
            parts.append(
                f"{len(unused)} injection(s) matched no request:\n{lines}\n"
                "(the app never made the request the test meant to fail; or mark the test "
                "@pytest.mark.sender_sandbox(assert_all_injections_used=False))"
            )
    return "\n\n".join(parts) or None
