"""One catalog entry, :class:`Hint`: the texts of one finding code and the template fields they need."""

from __future__ import annotations

import functools
import string
from dataclasses import dataclass

from pytest_sender.findings import Status

__all__ = ["Hint", "template_fields"]


@functools.lru_cache(maxsize=1024)
def template_fields(template: str) -> frozenset[str]:
    """The ``{name}`` fields a ``str.format`` template uses (``{{`` and ``}}`` are literal braces)."""
    return frozenset(field for _, field, _, _ in string.Formatter().parse(template) if field)


@dataclass(frozen=True)
class Hint:
    """One catalog entry; every text field is a ``str.format`` template.

    The check that emits ``code`` fills every field its texts use (:meth:`fields`); the tests hold
    each check to that (``tests/test_hint_fields.py``).
    """

    code: str
    status: Status
    summary: str
    why: str = ""
    steps: tuple[str, ...] = ()
    verify: str = ""
    fix_line: str = ""
    meaning: str = ""  # what the code means, for the README catalog

    def fields(self) -> frozenset[str]:
        """The template fields this hint needs, derived from its texts."""
        return frozenset().union(
            *(template_fields(text) for text in (self.summary, self.why, self.verify, self.fix_line, *self.steps))
        )
