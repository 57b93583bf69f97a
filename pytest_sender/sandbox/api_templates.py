"""Saved transactional campaigns ("templates") of the sandbox, and their ``{{ var }}`` rendering.

Sender does not document its placeholder syntax; its PHP SDK's tests use ``{{ name }}``, which is
what the sandbox renders. A placeholder without a value is left as it is, so a test (or the live
inbox check) can see that a variable was missing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from pytest_sender.errors import InvalidArgument

__all__ = ["PLACEHOLDER", "Template", "render_placeholders", "unrendered_placeholders"]

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}")


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render_placeholders(template: str, variables: Mapping[str, object]) -> str:
    """Replace every ``{{ name }}`` that has a value in ``variables``; leave the others."""

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        return _text(variables[name]) if name in variables else match.group(0)

    return PLACEHOLDER.sub(substitute, template)


def unrendered_placeholders(text: str) -> list[str]:
    """The names of the placeholders still in ``text``."""
    return [m.group(1) for m in PLACEHOLDER.finditer(text)]


@dataclass(frozen=True)
class Template:
    """A saved transactional campaign: its sender, subject and bodies (with placeholders)."""

    id: str
    from_email: str
    from_name: str
    subject: str
    html: str | None = None
    text: str | None = None

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", self.id):
            raise InvalidArgument(f"a template id is 1-64 letters, digits, '_' or '-', not {self.id!r}")
        if self.html is None and self.text is None:
            raise InvalidArgument(f"template {self.id!r} needs an html or a text body")
