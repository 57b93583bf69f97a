"""What a check observed: a :class:`Status` and a frozen :class:`Finding`.

PYTEST_DONT_REWRITE: pytest marks a plugin's modules for assertion rewriting; ours hold no test
asserts, and skipping the rewrite keeps the plugin's load cheap where bytecode is not cached.
"""

from __future__ import annotations

import base64
import enum
import functools
import json
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

__all__ = ["Finding", "Status", "redact"]


class Status(str, enum.Enum):
    """The outcome of one check on one target."""

    PASS = "pass"
    WARN = "warn"  # works, but risky
    FAIL = "fail"  # broken
    ERROR = "error"  # could not be checked (a timeout is never "missing")
    SKIP = "skip"  # not configured

    def __str__(self) -> str:
        return self.value

    @property
    def is_problem(self) -> bool:
        """True for every status that carries a fix."""
        return self is not Status.PASS


@dataclass(frozen=True)
class Finding:
    """One check's verdict on one target, with the evidence and the fix.

    ``hint`` is the full remediation text (what, why, how to fix, how to verify);
    ``fix`` is its one-line form for the summary table.
    """

    check: str
    target: str
    status: Status
    code: str
    summary: str
    evidence: tuple[str, ...] = ()
    hint: str = ""
    fix: str = ""
    duration_s: float = field(default=0.0, compare=False)
    # Structured observations for reports (JSON numbers, strings, lists, objects), by topic: for
    # example ``{"health": {...}}``, the daily series the HTML report draws. Never a secret.
    data: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def node_name(self) -> str:
        """The test item name, ``<check>[<target>]``."""
        return f"{self.check}[{self.target}]"

    def with_duration(self, seconds: float) -> Finding:
        return replace(self, duration_s=seconds)

    def redacted(self, secrets: Iterable[str | _Revealable]) -> Finding:
        """A copy with every secret value replaced (in every encoding :func:`redact` knows), as a last
        line of defence. Pass :class:`~pytest_sender.settings.Secret` objects where you can: they are
        revealed only inside :func:`redact`, so no frame of the caller holds the plain value."""
        values = [s for s in secrets if s]
        if not values:
            return self
        return replace(
            self,
            summary=redact(self.summary, values),
            evidence=tuple(redact(line, values) for line in self.evidence),
            hint=redact(self.hint, values),
            fix=redact(self.fix, values),
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON form used by the report and to carry findings across xdist workers."""
        extra: dict[str, Any] = {"data": dict(self.data)} if self.data else {}
        return {
            "check": self.check,
            "target": self.target,
            "status": self.status.value,
            "code": self.code,
            "summary": self.summary,
            "evidence": list(self.evidence),
            "hint": self.hint,
            "fix": self.fix,
            "duration_s": round(self.duration_s, 6),
            **extra,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        return cls(
            check=str(data["check"]),
            target=str(data["target"]),
            status=Status(data["status"]),
            code=str(data["code"]),
            summary=str(data["summary"]),
            evidence=tuple(str(line) for line in data.get("evidence", ())),
            hint=str(data.get("hint", "")),
            fix=str(data.get("fix", "")),
            duration_s=float(data.get("duration_s", 0.0)),
            data=dict(data.get("data") or {}),
        )


class _Revealable(Protocol):
    def reveal(self) -> str: ...


def redact(text: str, secrets: Iterable[str | _Revealable], mask: str = "***") -> str:
    """Replace each secret value in ``text`` with ``mask``, in every encoding a server may echo it in.

    The one masking mechanism of the project. Besides the value itself it masks its JSON-escaped,
    IMAP-quoted and URL-encoded forms, each also as Python's repr shows it, and every base64 run (standard or URL-safe
    alphabet) that holds the secret's base64 at any alignment: an SMTP server that echoes the
    client's ``AUTH PLAIN`` blob (``\\0user\\0password``, encoded as one) has the whole blob masked.
    """
    if not text:
        return text
    # Secret objects are revealed only here, so callers hold no plain value in a local of theirs.
    values = tuple(
        sorted({v for v in (s if isinstance(s, str) else s.reveal() for s in secrets) if v}, key=len, reverse=True)
    )
    if not values:
        return text
    windows = _base64_windows(values)
    if windows:  # first, while a masked plain form cannot yet split a base64 run
        text = _BASE64_RUN.sub(lambda m: mask if any(w in m.group(0) for w in windows) else m.group(0), text)
    for form in _plain_forms(values):
        text = text.replace(form, mask)
    return text


# A run of base64 text, either alphabet, with optional padding.
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{4,}={0,2}")
_MIN_WINDOW = 4  # a shorter window would mask unrelated text


@functools.lru_cache(maxsize=64)
def _plain_forms(values: tuple[str, ...]) -> tuple[str, ...]:
    forms: set[str] = set()
    for value in values:
        forms.update(
            (
                value,
                json.dumps(value)[1:-1],
                json.dumps(value, ensure_ascii=False)[1:-1],
                repr(value)[1:-1],
                value.replace("\\", "\\\\").replace('"', '\\"'),  # an IMAP quoted string
                urllib.parse.quote(value, safe=""),
                urllib.parse.quote(value),
                urllib.parse.quote_plus(value),
            )
        )
    # Each form once more as Python shows it (repr of a str or of bytes, as in "b'...'" texts).
    forms.update({repr(form)[1:-1] for form in forms} | {repr(form.encode())[2:-1] for form in forms})
    return tuple(sorted((f for f in forms if f), key=len, reverse=True))


@functools.lru_cache(maxsize=64)
def _base64_windows(values: tuple[str, ...]) -> tuple[str, ...]:
    """For each secret and each alignment (its offset mod 3 inside the encoded bytes), the base64
    characters that depend only on the secret's bytes."""
    windows: set[str] = set()
    for value in values:
        data = value.encode()
        for offset in range(3):
            encoded = base64.b64encode(b"\0" * offset + data).decode().rstrip("=")
            start = (0, 2, 3)[offset]  # the first character made only of the secret's bits
            total_bits = (offset + len(data)) * 8
            end = total_bits // 6  # the characters wholly inside the secret's bits
            for window in (encoded[start:end], encoded[start:end].replace("+", "-").replace("/", "_")):
                if len(window) >= _MIN_WINDOW:
                    windows.add(window)
    return tuple(windows)
