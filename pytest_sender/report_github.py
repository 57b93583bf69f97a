"""GitHub Actions output: the step summary (Markdown) and one workflow command per finding.

Pure functions over findings and the run's metadata (the same ``run`` mapping the JSON report
carries: modes, times and the non-secret settings); the plugin only decides where they go.

- :func:`step_summary` is appended to the file ``GITHUB_STEP_SUMMARY`` names: the table of every
  finding with its status, then each non-pass finding with its fix and, folded in ``<details>``, its
  evidence and full hint, then the run's settings.
- :func:`workflow_commands` are the lines printed to stdout, where the runner turns each into an
  annotation: ``::error`` for ``fail`` and ``error`` (and for ``warn`` under ``--sender-strict``),
  ``::warning`` for ``warn``, titled ``check[target]: CODE``.

Every text passes :func:`~pytest_sender.findings.redact` with the run's secrets last, whatever the
checks already masked.

PYTEST_DONT_REWRITE: imported by the plugin at the end of a run; no test asserts here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from pytest_sender.findings import Finding, Status, redact

__all__ = [
    "STATUS_BADGES",
    "escape_data",
    "escape_property",
    "github_outputs",
    "step_summary",
    "workflow_command",
    "workflow_commands",
]

#: How each status shows in the summary: an emoji for the eye, the word for search and screen readers.
STATUS_BADGES: dict[Status, str] = {
    Status.FAIL: "❌ fail",
    Status.ERROR: "🛑 error",
    Status.WARN: "⚠️ warn",
    Status.SKIP: "⏭️ skip",
    Status.PASS: "✅ pass",
}
# The order the findings to fix are listed in: what breaks delivery first.
_SEVERITY = (Status.FAIL, Status.ERROR, Status.WARN, Status.SKIP)
#: GitHub accepts at most 1 MiB of step summary per step; a longer one is cut with a note.
SUMMARY_LIMIT = 1000 * 1024


class _Revealable(Protocol):
    def reveal(self) -> str: ...


def github_outputs(setting: str, environ: Mapping[str, str]) -> tuple[Path | None, bool]:
    """Where the step summary goes (None: nowhere) and whether to print annotations.

    ``setting`` is the ``github`` setting (``auto``, ``summary``, ``annotations``, ``off``); both need
    the Actions runner: the summary the ``GITHUB_STEP_SUMMARY`` file, annotations ``GITHUB_ACTIONS=true``.
    """
    if setting == "off":
        return None, False
    summary_file = environ.get("GITHUB_STEP_SUMMARY", "").strip()
    summary = Path(summary_file) if summary_file and setting in ("auto", "summary") else None
    in_actions = environ.get("GITHUB_ACTIONS", "").strip().lower() == "true"
    return summary, in_actions and setting in ("auto", "annotations")


# --- workflow commands ----------------------------------------------------------------------------


def escape_data(text: str) -> str:
    """A workflow command's message: ``%``, CR and LF percent-encoded (the runner decodes them)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: as :func:`escape_data`, and ``:`` and ``,`` too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command_for(finding: Finding, *, strict: bool) -> str | None:
    if finding.status in (Status.FAIL, Status.ERROR):
        return "error"
    if finding.status is Status.WARN:
        return "error" if strict else "warning"
    return None


def workflow_command(finding: Finding, *, strict: bool = False) -> str | None:
    """The workflow command for one finding, or None for a pass or a skip."""
    command = _command_for(finding, strict=strict)
    if command is None:
        return None
    title = f"{finding.node_name}: {finding.code}"
    message = finding.summary if not finding.fix else f"{finding.summary}\nFix: {finding.fix}"
    return f"::{command} title={escape_property(title)}::{escape_data(message)}"


def workflow_commands(
    findings: Iterable[Finding], *, strict: bool = False, secrets: Iterable[str | _Revealable] = ()
) -> list[str]:
    """One workflow command per ``warn``, ``fail`` and ``error`` finding, in the run's order."""
    values = list(secrets)
    lines = [workflow_command(f.redacted(values), strict=strict) for f in findings]
    return [line for line in lines if line is not None]


# --- the step summary -----------------------------------------------------------------------------


def _text(value: object) -> str:
    """Text for Markdown outside code: HTML-escaped, so evidence can never become markup."""
    return html.escape(str(value), quote=False)


def _cell(value: object, *, code: bool = False) -> str:
    text = _text(value).replace("|", "\\|").replace("\r", "").replace("\n", "<br>")
    return f"<code>{text}</code>" if code and text else text


def _fenced(lines: Iterable[str]) -> list[str]:
    body = "\n".join(lines)
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}text", body, fence]


def _headline(counts: Mapping[str, int], ok: bool) -> str:
    word = "passed" if ok else "failed"
    icon = "✅" if ok else "❌"
    parts = [f"{counts[s.value]} {s.value}" for s in (*_SEVERITY, Status.PASS) if counts.get(s.value)]
    return f"## {icon} Sender preflight {word}: " + (", ".join(parts) or "nothing ran")


def step_summary(
    findings: Sequence[Finding],
    *,
    strict: bool = False,
    run: Mapping[str, Any] | None = None,
    report_paths: Sequence[tuple[str, str]] = (),
    secrets: Iterable[str | _Revealable] = (),
) -> str:
    """The Markdown appended to ``GITHUB_STEP_SUMMARY`` (ends with a newline).

    ``run`` is the JSON report's ``run`` object (modes, sandbox, times, non-secret settings);
    ``report_paths`` are (what, path) of the other reports written, for example ``("JSON", "r.json")``.
    """
    from pytest_sender.report import run_ok, summary_counts

    values = list(secrets)
    shown = [f.redacted(values) for f in findings]
    counts = summary_counts(shown)
    ok = run_ok(counts, strict=strict)
    out = [_headline(counts, ok), ""]
    if strict:
        out += ["Under `--sender-strict`: warnings fail the run.", ""]
    out += ["| status | check | target | code |", "|---|---|---|---|"]
    out += [
        f"| {STATUS_BADGES[f.status]} | {_cell(f.check, code=True)} | {_cell(f.target, code=True)} "
        f"| {_cell(f.code, code=True)} |"
        for f in shown
    ]
    problems = sorted((f for f in shown if f.status.is_problem), key=lambda f: _SEVERITY.index(f.status))
    if problems:
        out += ["", "### What to fix"]
    for finding in problems:
        out += ["", f"#### {STATUS_BADGES[finding.status]}: {_cell(finding.node_name, code=True)} {finding.code}"]
        out += ["", _text(finding.summary)]
        if finding.fix:
            out += ["", f"**Fix:** {_text(finding.fix)}"]
        if finding.evidence or finding.hint:
            out += ["", "<details><summary>Evidence and the full hint</summary>", ""]
            if finding.evidence:
                out += ["Evidence:", "", *_fenced(finding.evidence), ""]
            if finding.hint:
                out += ["Hint:", "", *_fenced(finding.hint.splitlines()), ""]
            out += ["</details>"]
    out += _run_section(run or {}, report_paths)
    text = redact("\n".join(out) + "\n", values)
    encoded = text.encode("utf-8")
    if len(encoded) > SUMMARY_LIMIT:
        cut = encoded[: SUMMARY_LIMIT - 200].decode("utf-8", errors="ignore")
        text = cut + "\n\n… the summary was cut at GitHub's size limit; the JSON or HTML report has everything.\n"
    return text


def _run_section(run: Mapping[str, Any], report_paths: Sequence[tuple[str, str]]) -> list[str]:
    out = ["", "<details><summary>The run's settings</summary>", ""]
    facts = []
    if run.get("mode"):
        facts.append(f"mode: {', '.join(str(m) for m in run['mode'])}")
    if run.get("sandbox"):
        facts.append(f"sandbox: {run['sandbox']}")
    if run.get("started_at") and run.get("finished_at"):
        facts.append(f"from {run['started_at']} to {run['finished_at']}")
    if run.get("plugin_version"):
        facts.append(f"pytest-sender {run['plugin_version']}")
    facts += [f"{what} report: {path}" for what, path in report_paths]
    out += [f"- {_text(fact)}" for fact in facts]
    settings = run.get("settings") or ()
    if settings:
        out += ["", "| setting | value | source |", "|---|---|---|"]
        out += [
            f"| {_cell(row['name'], code=True)} | {_cell(row['value'])} | {_cell(row['source'])} |" for row in settings
        ]
    out += ["", "Secrets are never listed.", "", "</details>"]
    return out
