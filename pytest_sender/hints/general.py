"""Hints of the runner itself: a check that crashed or ran past its time budget (any family)."""

from __future__ import annotations

from pytest_sender.findings import Status
from pytest_sender.hints.hint import Hint

__all__ = ["HINTS"]

HINTS: tuple[Hint, ...] = (
    Hint(
        "CHECK_CRASHED",
        Status.ERROR,
        "The {check_name} check stopped with an unexpected {exception} and could not finish",
        meaning="A bug in the check or an answer it did not expect; nothing is known about the target.",
        why="Nothing was learned about the target, so a real problem may be hidden.",
        steps=(
            "Re-run with -vv to see the evidence.",
            "If it happens again, report it to pytest-sender with the evidence lines (they hold no secrets).",
        ),
        fix_line="check crashed ({exception}); re-run with -vv and report it",
    ),
    Hint(
        "CHECK_TIMED_OUT",
        Status.ERROR,
        "The {check_name} check did not finish within {seconds:g} s",
        meaning="The check as a whole ran past its time budget; the target could not be checked.",
        why="A check that cannot finish tells nothing about the target; it is not a verdict.",
        steps=(
            "Check that this machine can reach the network the check needs.",
            "Raise the budget with --sender-timeout (or SENDER_TIMEOUT) if the network is merely slow.",
        ),
        fix_line="timed out after {seconds:g} s; check connectivity or raise --sender-timeout",
    ),
)
