"""The HTML report: one self-contained page (inline CSS, JS and SVG; it fetches nothing).

:func:`render_html_report` is a pure function over the findings and the run's metadata (the JSON
report's ``run`` object). The page holds:

- a summary bar: the count of each status, drawn as a stacked bar;
- the findings table, with toggle filters by family (``api``, ``dns``, ``smtp``, ...) and status;
  each finding's evidence and full hint fold out below its row;
- for each ``api.health`` campaign whose finding carries ``data["health"]``, a chart of the daily
  sends and of the hard-bounce, soft-bounce and complaint rates, with the warn and fail limits drawn;
- the run's settings (secrets are never listed).

A Content-Security-Policy meta forbids every fetch (``default-src 'none'``) and allows only the
page's own style and script, by their hashes. Every text passes
:func:`~pytest_sender.findings.redact` with the run's secrets last.

PYTEST_DONT_REWRITE: imported by the plugin at the end of a run; no test asserts here.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from pytest_sender.findings import Finding, Status, redact

__all__ = ["family_of", "health_chart_svg", "render_html_report"]

_STATUS_ORDER = (Status.FAIL, Status.ERROR, Status.WARN, Status.SKIP, Status.PASS)
_STATUS_COLOURS = {
    Status.FAIL: "#c62828",
    Status.ERROR: "#6a1b9a",
    Status.WARN: "#ef8f00",
    Status.SKIP: "#78909c",
    Status.PASS: "#2e7d32",
}
_WARN_COLOUR = "#ef8f00"
_FAIL_COLOUR = "#c62828"
_RATES = (
    ("hard_bounces", "hard-bounce rate"),
    ("soft_bounces", "soft-bounce rate"),
    ("complaints", "complaint rate"),
)

_STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1c1c1c;
  background: #fafafa; }
header, main { max-width: 1100px; margin: 0 auto; padding: 0 16px; }
header h1 { font-size: 22px; margin: 18px 0 4px; }
.meta { color: #555; margin: 0 0 12px; }
.counts { display: flex; gap: 10px; flex-wrap: wrap; margin: 8px 0; padding: 0; list-style: none; }
.counts li { padding: 2px 10px; border-radius: 12px; background: #eee; }
.status { font-weight: 600; }
.status-fail { color: #c62828; } .status-error { color: #6a1b9a; } .status-warn { color: #a35f00; }
.status-skip { color: #546e7a; } .status-pass { color: #2e7d32; }
.filters { display: flex; gap: 18px; flex-wrap: wrap; margin: 14px 0 8px; }
.filters fieldset { border: 1px solid #ccc; border-radius: 6px; padding: 4px 10px 8px; }
button.filter { font: inherit; margin: 2px; padding: 2px 10px; border-radius: 12px; border: 1px solid #888;
  background: #fff; color: #777; cursor: pointer; text-decoration: line-through; }
button.filter[aria-pressed="true"] { background: #263238; color: #fff; text-decoration: none; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e3e3e3; vertical-align: top; }
th { background: #f0f0f0; }
td code, li code { font-size: 13px; }
tbody.finding tr.detail td { border-bottom: 1px solid #ccc; padding-top: 0; }
pre { white-space: pre-wrap; word-break: break-word; background: #f5f5f5; padding: 8px; margin: 4px 0; }
details summary { cursor: pointer; color: #37474f; }
.fix { color: #333; }
section { margin: 24px 0; }
figure { margin: 12px 0; background: #fff; border: 1px solid #e3e3e3; padding: 8px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
svg text { font: 11px system-ui, sans-serif; }
"""

_SCRIPT = """
(function () {
  var buttons = Array.prototype.slice.call(document.querySelectorAll("button.filter"));
  function apply() {
    var on = { family: {}, status: {} };
    buttons.forEach(function (b) {
      if (b.getAttribute("aria-pressed") === "true") { on[b.dataset.kind][b.dataset.value] = true; }
    });
    var shown = 0;
    Array.prototype.forEach.call(document.querySelectorAll("tbody.finding"), function (row) {
      var visible = !!(on.family[row.dataset.family] && on.status[row.dataset.status]);
      row.hidden = !visible;
      if (visible) { shown += 1; }
    });
    document.getElementById("visible-count").textContent = String(shown);
  }
  buttons.forEach(function (b) {
    b.addEventListener("click", function () {
      b.setAttribute("aria-pressed", b.getAttribute("aria-pressed") === "true" ? "false" : "true");
      apply();
    });
  });
  apply();
})();
"""


class _Revealable(Protocol):
    def reveal(self) -> str: ...


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def family_of(check: str) -> str:
    """The family a check belongs to: the part of its name before the first dot (``dns.spf`` → ``dns``)."""
    return check.split(".", 1)[0]


def render_html_report(
    findings: Sequence[Finding],
    *,
    strict: bool = False,
    run: Mapping[str, Any] | None = None,
    secrets: Iterable[str | _Revealable] = (),
) -> str:
    """The whole page, as text (UTF-8 when written)."""
    from pytest_sender.report import run_ok, summary_counts, utc_timestamp

    values = list(secrets)
    shown = [f.redacted(values) for f in findings]
    run = run or {}
    counts = summary_counts(shown)
    ok = run_ok(counts, strict=strict)
    csp = (
        "default-src 'none'; "
        f"style-src '{_sha256(_STYLE)}'; script-src '{_sha256(_SCRIPT)}'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    verdict = "passed" if ok else "failed"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_e(csp)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Sender preflight {verdict}: pytest-sender report</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        f'<h1 id="verdict" class="status-{"pass" if ok else "fail"}">Sender preflight {verdict}</h1>',
        f'<p class="meta">{_e(_meta_line(run, utc_timestamp()))}</p>',
        *_summary_bar(counts),
        "</header>",
        "<main>",
        *_findings_section(shown),
        *_health_section(shown),
        *_settings_section(run),
        "</main>",
        f"<script>{_SCRIPT}</script>",
        "</body>",
        "</html>",
    ]
    return redact("\n".join(parts) + "\n", values)


def _meta_line(run: Mapping[str, Any], generated_at: str) -> str:
    facts = [f"generated {generated_at}"]
    if run.get("mode"):
        facts.append("mode " + ", ".join(str(m) for m in run["mode"]))
    if run.get("sandbox"):
        facts.append(f"sandbox {run['sandbox']}")
    if run.get("plugin_version"):
        facts.append(f"pytest-sender {run['plugin_version']}")
    return " · ".join(facts)


def _summary_bar(counts: Mapping[str, int]) -> list[str]:
    total = counts["total"]
    width = 600
    out = [
        f'<svg id="summary-bar" role="img" width="{width}" height="18" viewBox="0 0 {width} 18" '
        'aria-label="findings by status">'
    ]
    x = 0.0
    for status in _STATUS_ORDER:
        n = counts[status.value]
        if not n or not total:
            continue
        w = width * n / total
        out.append(
            f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="18" fill="{_STATUS_COLOURS[status]}">'
            f"<title>{n} {status.value}</title></rect>"
        )
        x += w
    if not total:
        out.append(f'<rect x="0" y="0" width="{width}" height="18" fill="#ddd"><title>no findings</title></rect>')
    out.append("</svg>")
    out.append('<ul class="counts" id="counts">')
    out += [
        f'<li class="status status-{s.value}" data-status="{s.value}">{counts[s.value]} {s.value}</li>'
        for s in _STATUS_ORDER
    ]
    out.append(f'<li data-status="total">{total} in all</li>')
    out.append("</ul>")
    return out


def _filter_buttons(kind: str, legend: str, counted: Counter[str], order: Sequence[str]) -> list[str]:
    out = [f'<fieldset id="filter-{kind}"><legend>{_e(legend)}</legend>']
    for value in order:
        if counted[value]:
            out.append(
                f'<button type="button" class="filter" data-kind="{kind}" data-value="{_e(value)}" '
                f'aria-pressed="true">{_e(value)} ({counted[value]})</button>'
            )
    out.append("</fieldset>")
    return out


def _findings_section(findings: Sequence[Finding]) -> list[str]:
    families = Counter(family_of(f.check) for f in findings)
    statuses = Counter(f.status.value for f in findings)
    out = ['<section id="findings">', "<h2>Findings</h2>", '<div class="filters">']
    out += _filter_buttons("family", "family", families, sorted(families))
    out += _filter_buttons("status", "status", statuses, [s.value for s in _STATUS_ORDER])
    out.append("</div>")
    out.append(f'<p>showing <span id="visible-count">{len(findings)}</span> of {len(findings)} findings</p>')
    out.append('<table id="findings-table">')
    out.append("<thead><tr><th>status</th><th>check</th><th>target</th><th>code</th><th>summary</th></tr></thead>")
    for finding in findings:
        status = finding.status.value
        out.append(
            f'<tbody class="finding" data-family="{_e(family_of(finding.check))}" data-status="{status}" '
            f'data-node="{_e(finding.node_name)}">'
        )
        out.append(
            f'<tr class="row"><td class="status status-{status}">{status}</td><td><code>{_e(finding.check)}</code></td>'
            f"<td><code>{_e(finding.target)}</code></td><td><code>{_e(finding.code)}</code></td>"
            f"<td>{_e(finding.summary)}</td></tr>"
        )
        if finding.evidence or finding.hint or (finding.fix and finding.status.is_problem):
            out.append('<tr class="detail"><td></td><td colspan="4">')
            if finding.fix and finding.status.is_problem:
                out.append(f'<p class="fix"><strong>Fix:</strong> {_e(finding.fix)}</p>')
            out.append("<details><summary>evidence and hint</summary>")
            if finding.evidence:
                out.append('<pre class="evidence">' + _e("\n".join(finding.evidence)) + "</pre>")
            if finding.hint:
                out.append('<pre class="hint">' + _e(finding.hint) + "</pre>")
            out.append("</details></td></tr>")
        out.append("</tbody>")
    out.append("</table>")
    out.append("</section>")
    return out


def _health_section(findings: Sequence[Finding]) -> list[str]:
    charts = [(f, f.data["health"]) for f in findings if isinstance(f.data.get("health"), Mapping)]
    if not charts:
        return []
    out = ['<section id="health">', "<h2>Delivery health</h2>"]
    for finding, data in charts:
        out.append(f'<figure class="health-chart" data-campaign="{_e(finding.target)}">')
        out.append(
            f"<figcaption>campaign <code>{_e(finding.target)}</code>: "
            f'<span class="status status-{finding.status.value}">{finding.status.value}</span> '
            f"{_e(finding.code)}</figcaption>"
        )
        window = data.get("window") if isinstance(data.get("window"), Mapping) else {}
        totals = data.get("totals") if isinstance(data.get("totals"), Mapping) else {}
        if window:
            out.append(
                f'<p class="window">{_e(window.get("from"))} to {_e(window.get("to"))} '
                f"({_e(window.get('days'))} days, UTC): {_e(totals.get('sent', 0))} sent, "
                f"{_e(totals.get('hard_bounces', 0))} hard bounces, {_e(totals.get('soft_bounces', 0))} soft "
                f"bounces, {_e(totals.get('complaints', 0))} complaints</p>"
            )
        out.append(health_chart_svg(data, campaign=finding.target))
        out.append("</figure>")
    out.append("</section>")
    return out


def _settings_section(run: Mapping[str, Any]) -> list[str]:
    settings = run.get("settings") or ()
    if not settings:
        return []
    out = ['<section id="settings">', "<h2>Settings of the run</h2>", "<table>"]
    out.append("<thead><tr><th>setting</th><th>value</th><th>source</th></tr></thead><tbody>")
    out += [
        f"<tr><td><code>{_e(row['name'])}</code></td><td>{_e(row['value'])}</td><td>{_e(row['source'])}</td></tr>"
        for row in settings
    ]
    out += ["</tbody></table>", "<p>Secrets are never listed.</p>", "</section>"]
    return out


# --- the delivery-health chart ----------------------------------------------------------------------


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _percent_label(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + "%"


def health_chart_svg(data: Mapping[str, Any], *, campaign: str) -> str:
    """An inline SVG for one campaign's ``data["health"]``: daily sends as bars, then one panel per
    rate (hard bounces, soft bounces, complaints, in percent of that day's sends) with the warn and
    fail limits as dashed lines. Days without sends have no rate point."""
    daily = [d for d in data.get("daily", ()) if isinstance(d, Mapping)]
    limits = data.get("limits", {}) if isinstance(data.get("limits"), Mapping) else {}
    left, right, width = 64, 96, 720
    plot_width = width - left - right
    sends_height, panel_height, gap = 70, 64, 22
    height = 20 + sends_height + gap + len(_RATES) * (panel_height + gap) + 10
    count = max(len(daily), 1)
    step = plot_width / count

    def x_of(index: int) -> float:
        return left + step * index + step / 2

    title = f"delivery health of campaign {campaign}"
    out = [
        f'<svg class="health" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-label="{_e(title)}"><title>{_e(title)}</title>'
    ]
    # Daily sends.
    top = 20
    sent = [_number(d.get("sent")) for d in daily]
    most = max(sent, default=0.0) or 1.0
    out.append(f'<text x="{left}" y="{top - 6}">sends per day</text>')
    out.append(f'<text x="{left - 6}" y="{top + 10}" text-anchor="end">{int(most)}</text>')
    out.append(
        f'<line x1="{left}" y1="{top + sends_height}" x2="{left + plot_width}" y2="{top + sends_height}" '
        'stroke="#999"/>'
    )
    for index, (day, value) in enumerate(zip(daily, sent, strict=True)):
        bar = sends_height * value / most
        out.append(
            f'<rect class="sends" x="{x_of(index) - step * 0.35:.1f}" y="{top + sends_height - bar:.1f}" '
            f'width="{step * 0.7:.1f}" height="{bar:.1f}" fill="#5c7cfa">'
            f"<title>{_e(day.get('date', ''))}: {int(value)} sent</title></rect>"
        )
    top += sends_height + gap
    for name, label in _RATES:
        limit = limits.get(name, {}) if isinstance(limits.get(name), Mapping) else {}
        warn, fail = _number(limit.get("warn")), _number(limit.get("fail"))
        rates: list[float | None] = []
        for day, day_sent in zip(daily, sent, strict=True):
            rates.append(100 * _number(day.get(name)) / day_sent if day_sent else None)
        highest = max([r for r in rates if r is not None] + [fail * 1.25, warn * 1.25, 0.01])

        def y_of(percent: float, top: float = top, highest: float = highest) -> float:
            return top + panel_height - panel_height * percent / highest

        out.append(f'<text x="{left}" y="{top - 6}">{_e(label)}, % of the day\'s sends</text>')
        out.append(
            f'<line x1="{left}" y1="{top + panel_height}" x2="{left + plot_width}" y2="{top + panel_height}" '
            'stroke="#999"/>'
        )
        for which, value, colour in (("warn", warn, _WARN_COLOUR), ("fail", fail, _FAIL_COLOUR)):
            if value <= 0:
                continue
            y = y_of(value)
            out.append(
                f'<line class="limit limit-{which}" data-rate="{name}" x1="{left}" y1="{y:.1f}" '
                f'x2="{left + plot_width}" y2="{y:.1f}" stroke="{colour}" stroke-dasharray="5 3"/>'
            )
            out.append(
                f'<text x="{left + plot_width + 6}" y="{y + 4:.1f}" fill="{colour}">'
                f"{which} {_percent_label(value)}</text>"
            )
        points = [(x_of(i), y_of(r), r, daily[i]) for i, r in enumerate(rates) if r is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
            out.append(f'<polyline points="{path}" fill="none" stroke="#263238" stroke-width="1.5"/>')
        for x, y, value, day in points:
            colour = _FAIL_COLOUR if fail and value >= fail else _WARN_COLOUR if warn and value >= warn else "#263238"
            out.append(
                f'<circle class="rate" data-rate="{name}" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                f"<title>{_e(day.get('date', ''))}: {_e(label)} {_percent_label(value)}</title></circle>"
            )
        top += panel_height + gap
    # Dates under the last panel: every day up to two weeks, then every n-th.
    every = max(1, -(-len(daily) // 14))
    for index, day in enumerate(daily):
        if index % every == 0:
            out.append(
                f'<text x="{x_of(index):.1f}" y="{top - gap + 14}" text-anchor="middle">'
                f"{_e(str(day.get('date', ''))[5:])}</text>"
            )
    out.append("</svg>")
    return "".join(out)
