"""Rendering findings: the failure text of an item, the summary table and the JSON report.

Pure functions over findings; the plugin only passes their output to pytest.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pytest_sender import __version__
from pytest_sender.findings import Finding, Status

__all__ = [
    "REPORT_VERSION",
    "REQUIRED_UNDER_STRICT",
    "build_json_report",
    "format_finding",
    "format_table",
    "nothing_checked_line",
    "run_ok",
    "summary_counts",
    "under_strict",
    "utc_timestamp",
    "write_json_report",
    "write_text_atomically",
]

REPORT_VERSION = 1

_HEADLINE = {
    Status.FAIL: "failed",
    Status.ERROR: "could not be checked",
    Status.WARN: "passed with a warning",
    Status.SKIP: "skipped",
    Status.PASS: "passed",
}


# Skips for missing configuration that the pre-deploy gate (--sender-strict) turns into failures:
# a gate whose secret or domain is missing must not go green. SMTP and api.health stay skips (an app
# may send through the API only, and health needs campaign ids): "nothing was checked" covers a run
# where everything skipped.
REQUIRED_UNDER_STRICT = frozenset({"API_TOKEN_MISSING", "DNS_NO_DOMAIN", "LIVE_NOT_CONFIGURED"})

_STRICT_HEADLINE = {
    Status.WARN: "failed: warning under --sender-strict",
    Status.SKIP: "failed: not configured, required under --sender-strict",
}


def under_strict(finding: Finding, *, strict: bool) -> tuple[Finding, str | None]:
    """The finding as the run reports it, and the headline of a failure that --sender-strict causes.

    Under ``--sender-strict`` a warning fails, and a skip in :data:`REQUIRED_UNDER_STRICT` becomes a
    ``fail`` (its summary and fix name the setting to set).
    """
    if not strict:
        return finding, None
    if finding.status is Status.SKIP and finding.code in REQUIRED_UNDER_STRICT:
        return replace(finding, status=Status.FAIL), _STRICT_HEADLINE[Status.SKIP]
    if finding.status is Status.WARN:
        return finding, _STRICT_HEADLINE[Status.WARN]
    return finding, None


def nothing_checked_line(findings: Sequence[Finding]) -> str | None:
    """One line for a run whose Sender checks all skipped: what to set (None if anything was checked)."""
    if not findings or any(f.status is not Status.SKIP for f in findings):
        return None
    names: list[str] = []
    for finding in findings:
        for name in re.findall(r"SENDER_[A-Z_]+", f"{finding.fix} {finding.summary}"):
            if name not in names and not name.endswith("_FILE"):
                names.append(name)
    wanted = ", ".join(names) if names else "the settings the skip reasons above name"
    return f"sender: nothing was checked: set {wanted}"


def format_finding(finding: Finding, *, headline: str | None = None) -> str:
    """The text shown for a failing (or warning) item: code, summary, evidence and hint."""
    said = headline or _HEADLINE[finding.status]
    lines = [f"{finding.check}[{finding.target}] {said}: {finding.code} ({finding.status.value})"]
    hint_lines = finding.hint.splitlines()
    if hint_lines and hint_lines[0].startswith("What:"):
        lines.append(hint_lines.pop(0))
    else:
        lines.append(f"What: {finding.summary}")
    if finding.evidence:
        lines.append("Evidence:")
        lines.extend(f"  {line}" for line in finding.evidence)
    lines.extend(hint_lines)
    return "\n".join(lines)


#: Past this many findings the terminal table folds: counts by check and status, then only the
#: problems, warn, fail and error (``--sender-full-table`` shows every row; the reports have all).
TABLE_FOLD_ROWS = 200


def format_table(findings: Sequence[Finding], *, fold_over: int | None = TABLE_FOLD_ROWS) -> list[str]:
    """The rows of the "Sender preflight" summary: check, target, status, code, and one fix line.

    With more than ``fold_over`` findings (``None``: never fold), the counts by check and status
    come first and the rows list only the problems (a fleet's optional records that are absent
    skip by the thousand: they are counted, not listed).
    """
    if fold_over is not None and len(findings) > fold_over:
        problems = [f for f in findings if f.status in (Status.WARN, Status.FAIL, Status.ERROR)]
        note = (
            f"{len(findings):,} findings, {len(problems):,} of them warn, fail or error"
            + (" (listed below)" if problems else "")
            + "; every row: --sender-full-table, or the JSON report"
        )
        return [*format_counts(findings), note, *(_rows(problems) if problems else [])]
    return _rows(findings)


def format_counts(findings: Sequence[Finding]) -> list[str]:
    """One line per check: how many of its findings have each status."""
    statuses = [status.value for status in Status]
    counts: dict[str, Counter[str]] = {}
    for finding in findings:
        counts.setdefault(finding.check, Counter())[finding.status.value] += 1
    header = ("check", *statuses)
    rows = [(check, *(f"{tally[s]:,}" for s in statuses)) for check, tally in counts.items()]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        first, *numbers = cells
        return "  ".join([first.ljust(widths[0]), *(n.rjust(w) for n, w in zip(numbers, widths[1:], strict=True))])

    return [line(header), *(line(row) for row in rows)]


def _rows(findings: Sequence[Finding]) -> list[str]:
    header = ("check", "target", "status", "code")
    rows = [(f.check, f.target, f.status.value, f.code) for f in findings]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

    def fix_of(finding: Finding | None) -> str:
        return finding.fix if finding is not None and finding.status.is_problem else ""

    # Rows in a row with the same fix share one fix line, under the last of them.
    out = [line(header)]
    for index, (finding, row) in enumerate(zip(findings, rows, strict=True)):
        out.append(line(row))
        following = findings[index + 1] if index + 1 < len(findings) else None
        if fix_of(finding) and fix_of(following) != fix_of(finding):
            out.append(" " * (widths[0] + 2) + f"fix: {finding.fix}")
    return out


def summary_counts(findings: Iterable[Finding]) -> dict[str, int]:
    counts = Counter(f.status.value for f in findings)
    result = {status.value: counts.get(status.value, 0) for status in Status}
    result["total"] = sum(counts.values())
    return result


def run_ok(counts: Mapping[str, int], *, strict: bool = False) -> bool:
    """Whether a run with these :func:`summary_counts` is green: no fail or error (and no warn under strict)."""
    return counts["fail"] + counts["error"] + (counts["warn"] if strict else 0) == 0


def utc_timestamp(moment: datetime | None = None) -> str:
    """A UTC time as the report writes it (``2026-01-31T12:00:00Z``)."""
    return (moment or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_json_report(
    findings: Sequence[Finding],
    *,
    strict: bool = False,
    node_ids: Sequence[str] | None = None,
    run: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON report (format version 1, documented in docs/report.schema.json; later fields are only added).

    ``node_ids`` are the pytest node ids of the findings (same order); ``run`` is the run's metadata
    (mode, sandbox scenario, start and end time, the non-secret settings with their sources).
    """
    counts = summary_counts(findings)
    ids = list(node_ids) if node_ids is not None else [f"sender::{f.node_name}" for f in findings]
    report: dict[str, Any] = {
        "version": REPORT_VERSION,
        "plugin_version": __version__,
        "generated_at": utc_timestamp(),
        "findings": [{**f.to_dict(), "node_id": node_id} for f, node_id in zip(findings, ids, strict=True)],
        "summary": {**counts, "ok": run_ok(counts, strict=strict)},
        "durations": {f.node_name: round(f.duration_s, 6) for f in findings},
    }
    if run is not None:
        report["run"] = {"plugin_version": __version__, **run}
    return report


def write_json_report(path: Path, report: dict[str, Any]) -> None:
    """Write atomically, so a reader never sees half a report."""
    write_text_atomically(path, json.dumps(report, indent=2, ensure_ascii=False) + "\n")


def write_text_atomically(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file beside it, so a reader never sees half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
