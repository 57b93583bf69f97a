"""The catalog of finding codes and their remediation hints.

Every code a check can produce is defined once, with its status, a one-line summary, why it matters
for delivery, the steps that fix it, how to verify the fix and a one-line fix for the summary table.
Texts are templates: ``{name}`` fields are filled from the values a check observed (for example the
corrected DNS record computed from the current one), and the check that emits a code fills every
field its hint uses (:func:`unfilled_fields`; the tests hold every check to it).

The hints live in one module per family, in the order of the checks page's code sections:

    general        CHECK_* (the runner: a check that crashed or overran its budget)
    api            api.token, the API client's sends and reads (API_*)
    smtp           smtp.port, smtp.auth (SMTP_*)
    dns            the DNS faults every dns.* check shares (DNS_*)
    dns_spf, dns_dkim, dns_dmarc, dns_mx, dns_blocklist, dns_mtasts, dns_tlsrpt, dns_mxtls, dns_bimi, dns_dnssec
    live           the live smoke (LIVE_*)
    content        content.lint, content.spam-score, live.*.content (CONTENT_*, SPAM_SCORE_*)
    health         api.health and live.logged (API_HEALTH_*, LIVE_*LOGGED*)

and texts that several families share (Sender's UI pages, the DNS steps, the re-run line) in
:mod:`pytest_sender.hints.steps`. The documentation's checks page is generated from this catalog
(``docs/generate.py``), so it lists every code.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from pytest_sender.findings import Finding, Status
from pytest_sender.hints import (
    api,
    content,
    dns,
    dns_alignment,
    dns_bimi,
    dns_blocklist,
    dns_dkim,
    dns_dmarc,
    dns_dnssec,
    dns_mtasts,
    dns_mx,
    dns_mxtls,
    dns_spf,
    dns_tlsrpt,
    general,
    health,
    live,
    smtp,
)
from pytest_sender.hints.hint import Hint

__all__ = [
    "CATALOG",
    "FAMILIES",
    "Hint",
    "UnfilledFields",
    "make_finding",
    "markdown_rows",
    "render_hint",
    "unfilled_fields",
    "watch_unfilled_fields",
]

#: The family modules, in the order of the checks page's code sections; each has ``HINTS``.
FAMILIES = (
    general,
    api,
    smtp,
    dns,
    dns_spf,
    dns_dkim,
    dns_dmarc,
    dns_alignment,
    dns_mx,
    dns_blocklist,
    dns_mtasts,
    dns_tlsrpt,
    dns_mxtls,
    dns_bimi,
    dns_dnssec,
    live,
    content,
    health,
)


def _assemble() -> dict[str, Hint]:
    catalog: dict[str, Hint] = {}
    for family in FAMILIES:
        for hint in family.HINTS:
            if hint.code in catalog:
                raise RuntimeError(f"duplicate hint code {hint.code}")  # a programming error
            catalog[hint.code] = hint
    return catalog


CATALOG: dict[str, Hint] = _assemble()


# --- the agreement between a hint's fields and what its check fills ------------------------------


@dataclass(frozen=True)
class UnfilledFields:
    """A finding was built without values for some of its hint's template fields."""

    check: str
    code: str
    missing: frozenset[str]

    def __str__(self) -> str:
        return f"{self.check}: {self.code} was built without {', '.join(sorted(self.missing))}"


def unfilled_fields(code: str, params: Mapping[str, object]) -> frozenset[str]:
    """The template fields of ``code``'s hint that ``params`` leaves unfilled."""
    return CATALOG[code].fields() - params.keys()


_watchers: list[list[UnfilledFields]] = []


@contextmanager
def watch_unfilled_fields() -> Iterator[list[UnfilledFields]]:
    """Collect, while active, every finding :func:`make_finding` builds with a hint field unfilled.

    The tests run every test inside one (``tests/conftest.py``), so a check that stops filling a
    field fails the tests that reach it. Nested watchers: the innermost one collects.
    """
    seen: list[UnfilledFields] = []
    _watchers.append(seen)
    try:
        yield seen
    finally:
        _watchers.remove(seen)


# --- rendering ---------------------------------------------------------------------------------


class _MissingField:
    """Stands in for a template field nobody filled (a bug the tests catch): the text still renders."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __format__(self, format_spec: str) -> str:
        return f"<{self.name}?>"


class _Params(dict[str, object]):
    """Format mapping that makes a missing field visible instead of raising."""

    def __missing__(self, key: str) -> _MissingField:
        return _MissingField(key)


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


def markdown_rows(prefix: str = "") -> list[str]:
    """Markdown table rows (``| `CODE` | status | meaning |``) for the codes starting with ``prefix``."""
    return [
        f"| `{hint.code}` | {hint.status.value} | {hint.meaning} |"
        for hint in CATALOG.values()
        if hint.code.startswith(prefix)
    ]


def make_finding(
    check: str,
    target: str,
    code: str,
    /,
    *,
    evidence: Iterable[str] = (),
    status: Status | None = None,
    **params: object,
) -> Finding:
    """Build the finding for ``code``; the status comes from the catalog unless overridden.

    ``params`` fill the hint's template fields, all of them (a field left out renders as
    ``<name?>`` and is reported to :func:`watch_unfilled_fields`); ``status`` is reserved for the
    override, so a template that needs an HTTP status names its field ``http_status``.
    """
    hint = CATALOG[code]
    if _watchers:
        missing = unfilled_fields(code, params)
        if missing:
            _watchers[-1].append(UnfilledFields(check, code, missing))
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
