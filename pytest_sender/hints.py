"""The catalog of finding codes and their remediation hints.

Every code a check can produce is defined here once, with its status, a one-line summary, why it
matters for delivery, the steps that fix it, how to verify the fix and a one-line fix for the
summary table. Texts are templates: ``{name}`` fields are filled from the values a check observed
(for example the corrected DNS record computed from the current one).

The README's code catalog lists every code in this module (a test keeps them in step).
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pytest_sender.findings import Finding, Status

__all__ = ["CATALOG", "Hint", "make_finding", "render_hint"]


@dataclass(frozen=True)
class Hint:
    """One catalog entry; every text field is a ``str.format`` template."""

    code: str
    status: Status
    summary: str
    why: str = ""
    steps: tuple[str, ...] = ()
    verify: str = ""
    fix_line: str = ""
    meaning: str = ""  # what the code means, for the README catalog

    def fields(self) -> set[str]:
        """The template fields this hint needs."""
        names: set[str] = set()
        for text in (self.summary, self.why, self.verify, self.fix_line, *self.steps):
            names.update(f for _, f, _, _ in string.Formatter().parse(text) if f)
        return names


CATALOG: dict[str, Hint] = {}


def _define(*hints: Hint) -> None:
    for hint in hints:
        if hint.code in CATALOG:
            raise RuntimeError(f"duplicate hint code {hint.code}")  # a programming error
        CATALOG[hint.code] = hint


class _Params(dict[str, object]):
    """Format mapping that makes a missing field visible instead of raising."""

    def __missing__(self, key: str) -> str:
        return f"<{key}?>"


def _fill(template: str, params: Mapping[str, object]) -> str:
    return string.Formatter().vformat(template, (), _Params(params))


def render_hint(code: str, params: Mapping[str, object]) -> tuple[str, str, str]:
    """Return (summary, full hint, one-line fix) for ``code`` filled with ``params``."""
    hint = CATALOG[code]
    summary = _fill(hint.summary, params)
    if hint.status is Status.PASS:
        return summary, "", ""
    lines = [f"What: {summary}"]
    if hint.why:
        lines.append(f"Why it matters: {_fill(hint.why, params)}")
    if hint.steps:
        lines.append("How to fix:")
        lines.extend(f"  {n}. {_fill(step, params)}" for n, step in enumerate(hint.steps, 1))
    if hint.verify:
        lines.append(f"Verify: {_fill(hint.verify, params)}")
    fix_line = _fill(hint.fix_line, params) if hint.fix_line else summary
    return summary, "\n".join(lines), fix_line


def make_finding(
    check: str,
    target: str,
    code: str,
    *,
    evidence: Iterable[str] = (),
    status: Status | None = None,
    **params: object,
) -> Finding:
    """Build the finding for ``code``; the status comes from the catalog unless overridden."""
    hint = CATALOG[code]
    summary, text, fix_line = render_hint(code, params)
    return Finding(
        check=check,
        target=target,
        status=status or hint.status,
        code=code,
        summary=summary,
        evidence=tuple(evidence),
        hint=text,
        fix=fix_line,
    )


# --- general -----------------------------------------------------------------------------------

_define(
    Hint(
        "CHECK_CRASHED",
        Status.ERROR,
        "The {check} check stopped with an unexpected {exception} and could not finish",
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
        "The {check} check did not finish within {seconds:g} s",
        meaning="The check as a whole ran past its time budget; the target could not be checked.",
        why="A check that cannot finish tells nothing about the target; it is not a verdict.",
        steps=(
            "Check that this machine can reach the network the check needs.",
            "Raise the budget with --sender-timeout (or SENDER_TIMEOUT) if the network is merely slow.",
        ),
        fix_line="timed out after {seconds:g} s; check connectivity or raise --sender-timeout",
    ),
)

# --- api: the token check and the HTTP API -------------------------------------------------------

_TOKEN_PAGE = "Sender: Account settings → API access tokens"

_define(
    Hint(
        "API_TOKEN_OK",
        Status.PASS,
        "The API token is accepted ({headroom})",
        meaning="An authenticated read-only call succeeded.",
    ),
    Hint(
        "API_TOKEN_MISSING",
        Status.SKIP,
        "No API token is configured: set SENDER_API_TOKEN (or SENDER_API_TOKEN_FILE)",
        meaning="The token check was skipped because no token is set.",
        steps=(
            f"Create a token in {_TOKEN_PAGE} → Create API token (it may be shown only once).",
            "Store it as a CI secret and expose it as the SENDER_API_TOKEN environment variable, "
            "or write it to a file and set SENDER_API_TOKEN_FILE to that path.",
        ),
        fix_line="set SENDER_API_TOKEN (or SENDER_API_TOKEN_FILE)",
    ),
    Hint(
        "API_TOKEN_REJECTED",
        Status.FAIL,
        "Sender rejected the API token (HTTP 401)",
        meaning="The token is wrong, expired, revoked, or the account is not yet approved.",
        why="Every send with this token fails with 401, so no transactional email leaves your app.",
        steps=(
            f"Open {_TOKEN_PAGE} and check that the token still exists; tokens can expire "
            "(1, 7 or 30 days) or be deleted.",
            "If it is gone or expired, create a new one (choose 'Forever' for a server) and update "
            "the SENDER_API_TOKEN secret everywhere the app runs.",
            "Check the value has no surrounding quotes, spaces or line breaks.",
            "A new account under review also gets 401 until Sender approves it: check the account's status.",
        ),
        verify="re-run pytest --sender-preflight -k api.token; it passes when the token is accepted.",
        fix_line=f"create or renew the token in {_TOKEN_PAGE} and update SENDER_API_TOKEN",
    ),
    Hint(
        "API_TOKEN_FORBIDDEN",
        Status.FAIL,
        "Sender refused the request for this token (HTTP 403)",
        meaning="The token is known but not allowed this call; Sender does not document 403, "
        "it may mean a plan restriction.",
        why="A refused call usually means sends with this account fail the same way.",
        steps=(
            "Check the account's plan and status in Sender (Account settings → Billing).",
            "Ask Sender support which permission or plan the API call needs.",
        ),
        fix_line="check the account's plan and status in Sender",
    ),
    Hint(
        "API_RATE_LIMITED",
        Status.WARN,
        "Sender is rate-limiting this token (HTTP 429); retry after {retry_after}",
        meaning="The token works but its per-minute request budget is used up right now.",
        why="While limited, every send is refused with 429: mail is delayed or lost unless the app "
        "waits for Retry-After and retries.",
        steps=(
            "Make the app honour Retry-After and back off on 429 (with jitter) instead of failing the send.",
            "Spread sends out: stay below the limit shown in X-RateLimit-Limit ({limit} per minute).",
            "Check whether another job (an import, a second deploy) shares this token.",
        ),
        verify="re-run after {retry_after}; the check passes once X-RateLimit-Remaining is above zero.",
        fix_line="throttle requests; honour Retry-After ({retry_after})",
    ),
    Hint(
        "API_SERVER_ERROR",
        Status.ERROR,
        "Sender answered HTTP {http_status}: a fault on Sender's side, the token could not be checked",
        meaning="A 5xx answer: Sender's servers failed; nothing is known about the token.",
        why="While Sender fails, sends fail too; it is not something your configuration can fix.",
        steps=(
            "Re-run in a few minutes.",
            "If 5xx answers persist, contact Sender support with the time and the evidence lines.",
        ),
        fix_line="Sender-side error {http_status}; retry later, contact Sender support if it persists",
    ),
    Hint(
        "API_TIMEOUT",
        Status.ERROR,
        "No answer from {host} within {timeout:g} s",
        meaning="The API did not answer in time; the token could not be checked.",
        why="If the app's sends time out the same way, their outcome is unknown and mail may be lost.",
        steps=(
            "Check that this machine can reach {host} over HTTPS (proxy, firewall, egress rules).",
            "If the network is merely slow, raise --sender-timeout.",
        ),
        fix_line="check HTTPS egress to {host}, or raise --sender-timeout",
    ),
    Hint(
        "API_CONNECTION_REFUSED",
        Status.ERROR,
        "The connection to {host} was refused",
        meaning="Nothing accepts connections at the API address; usually a wrong base URL or port.",
        why="The app cannot reach the API at this address, so no send can succeed.",
        steps=(
            "Check the API base URL (--sender-api-url / SENDER_API_URL); Sender's is https://api.sender.net/v2.",
            "Check that no firewall or proxy rejects outbound HTTPS from this machine.",
        ),
        fix_line="check the API base URL (SENDER_API_URL) and outbound HTTPS",
    ),
    Hint(
        "API_CONNECT_FAILED",
        Status.ERROR,
        "Could not connect to {host}: {reason}",
        meaning="The connection failed before any HTTP exchange (name resolution, TLS, reset).",
        why="The app cannot reach the API from here, so no send can succeed.",
        steps=(
            "Check the host name in the API base URL and that DNS resolves it on this machine.",
            "If the reason names TLS or a certificate, check for an intercepting proxy and its CA bundle.",
        ),
        fix_line="fix connectivity to {host} ({reason})",
    ),
    Hint(
        "API_NOT_JSON",
        Status.ERROR,
        "{host} answered HTTP {http_status} with a body that is not JSON ({content_type})",
        meaning="Something other than Sender's API answered: a proxy, a captive portal, an HTML "
        "error page or a wrong base URL.",
        why="The app would misread such answers as success or failure; the token was not checked.",
        steps=(
            "Check the API base URL (SENDER_API_URL); it must point at Sender's API, "
            "https://api.sender.net/v2, not the website.",
            "Check for a proxy between this machine and Sender that rewrites answers.",
        ),
        fix_line="point SENDER_API_URL at https://api.sender.net/v2; check for a rewriting proxy",
    ),
    Hint(
        "API_ENDPOINT_NOT_FOUND",
        Status.FAIL,
        "{url} answered HTTP 404: the API base URL looks wrong",
        meaning="The token check's endpoint does not exist at the configured base URL.",
        why="With a wrong base URL every API send fails.",
        steps=(
            "Set the API base URL to https://api.sender.net/v2 (it must include /v2).",
        ),
        fix_line="set SENDER_API_URL to https://api.sender.net/v2",
    ),
    Hint(
        "API_UNEXPECTED_STATUS",
        Status.ERROR,
        "{host} answered HTTP {http_status}, which the token check does not expect",
        meaning="An answer outside the documented set (for example a redirect); the token was not checked.",
        why="The app's own handling of this answer is probably untested.",
        steps=(
            "Check the API base URL uses https:// (plain HTTP is refused or redirected).",
            "Read the evidence lines for the answer's body and headers.",
        ),
        fix_line="unexpected HTTP {http_status}; check SENDER_API_URL uses https://",
    ),
)
