"""What one API call came to: a typed, frozen outcome per documented answer.

Every outcome carries its catalog ``code`` (see :mod:`pytest_sender.hints`), the HTTP status of the
last answer (``None`` when none arrived), how many attempts were made, the rate-limit headers seen
and evidence lines; :meth:`Outcome.finding` turns it into a :class:`~pytest_sender.findings.Finding`
with the full hint. Outcomes hold no secret: the token never appears in them.

    Outcome
    ├── Sent             the message was accepted (``email_id``)
    ├── TokenAccepted    the token check succeeded
    ├── Fetched          a read-only report call was answered with JSON (``data``)
    ├── Invalid          422: field errors
    ├── Unauthorized     401
    ├── Forbidden        403 (undocumented by Sender)
    ├── RateLimited      429 (still, after the retries the policy allowed)
    ├── BadRequest       400: Sender's message
    ├── NotFound         404: unknown template id, or a wrong base URL
    ├── ServerError      5xx
    ├── OutcomeUnknown   a send whose answer was lost after the request was written
    ├── Unreachable      no answer, and the request cannot have been acted on (or was a safe GET)
    └── UnexpectedAnswer an answer outside the contract (a redirect, a body that is not JSON)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pytest_sender.api.ratelimit import RateLimit
from pytest_sender.findings import Finding
from pytest_sender.hints import make_finding

__all__ = [
    "BadRequest",
    "Fetched",
    "Forbidden",
    "Invalid",
    "NotFound",
    "Outcome",
    "OutcomeUnknown",
    "RateLimited",
    "Sent",
    "ServerError",
    "TokenAccepted",
    "Unauthorized",
    "UnexpectedAnswer",
    "Unreachable",
]


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """The common part of every outcome."""

    code: str
    operation: str  # "send", "send_template" or "check_token"
    http_status: int | None = None
    attempts: int = 1
    rate_limit: RateLimit = field(default_factory=RateLimit)
    evidence: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    #: True for the outcomes that mean "it worked".
    ok: ClassVar[bool] = False

    def finding(self, check: str, target: str) -> Finding:
        """This outcome as a finding of ``check`` on ``target``, with its hint filled in."""
        evidence = list(self.evidence)
        if self.attempts > 1:
            evidence.append(f"attempts: {self.attempts}")
        attempts_text = "1 attempt" if self.attempts == 1 else f"{self.attempts} attempts"
        params = {**self.params, "attempts": self.attempts, "attempts_text": attempts_text}
        return make_finding(check, target, self.code, evidence=evidence, **params)

    @property
    def hint(self) -> str:
        """The full remediation text ("" for a success)."""
        return self.finding("api", self.operation).hint

    @property
    def summary(self) -> str:
        return self.finding("api", self.operation).summary


@dataclass(frozen=True, kw_only=True)
class Sent(Outcome):
    email_id: str
    message: str = ""
    ok: ClassVar[bool] = True


@dataclass(frozen=True, kw_only=True)
class TokenAccepted(Outcome):
    ok: ClassVar[bool] = True


@dataclass(frozen=True, kw_only=True)
class Fetched(Outcome):
    """2xx with JSON to a read (the report, sent, bounces and complaints lists): ``data`` is the body."""

    data: Any = field(default=None, compare=False, repr=False)
    ok: ClassVar[bool] = True


@dataclass(frozen=True, kw_only=True)
class Invalid(Outcome):
    """422: ``errors`` maps each field (dotted, e.g. ``to.email``) to Sender's messages."""

    message: str = ""
    errors: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Unauthorized(Outcome):
    pass


@dataclass(frozen=True, kw_only=True)
class Forbidden(Outcome):
    pass


@dataclass(frozen=True, kw_only=True)
class RateLimited(Outcome):
    """429. ``retry_after_s`` from Retry-After (seconds or HTTP-date), ``None`` when absent."""

    retry_after_s: float | None = None
    limit: int | None = None
    remaining: int | None = None


@dataclass(frozen=True, kw_only=True)
class BadRequest(Outcome):
    message: str = ""


@dataclass(frozen=True, kw_only=True)
class NotFound(Outcome):
    message: str = ""


@dataclass(frozen=True, kw_only=True)
class ServerError(Outcome):
    pass


@dataclass(frozen=True, kw_only=True)
class OutcomeUnknown(Outcome):
    """The request was written but no (readable) answer came: it may or may not have been sent."""

    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class Unreachable(Outcome):
    """No answer. ``transient``: a retry may help (a refused or timed-out connection)."""

    reason: str = ""
    transient: bool = True


@dataclass(frozen=True, kw_only=True)
class UnexpectedAnswer(Outcome):
    reason: str = ""
