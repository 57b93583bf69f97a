"""What a check observed: a :class:`Status` and a frozen :class:`Finding`.

PYTEST_DONT_REWRITE: pytest marks a plugin's modules for assertion rewriting; ours hold no test
asserts, and skipping the rewrite keeps the plugin's load cheap where bytecode is not cached.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

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

    @property
    def node_name(self) -> str:
        """The test item name, ``<check>[<target>]``."""
        return f"{self.check}[{self.target}]"

    def with_duration(self, seconds: float) -> Finding:
        return replace(self, duration_s=seconds)

    def redacted(self, secrets: Iterable[str]) -> Finding:
        """A copy with every secret value replaced, as a last line of defence."""
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
        )


def redact(text: str, secrets: Iterable[str], mask: str = "***") -> str:
    """Replace each secret value in ``text`` with ``mask``."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, mask)
    return text
