"""The hint catalog is complete and renders; the table and JSON report have their documented shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_sender.findings import Finding, Status
from pytest_sender.hints import CATALOG, FAMILIES, make_finding, render_hint
from pytest_sender.report import build_json_report, format_finding, format_table, write_json_report

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_every_code_renders_completely(code: str) -> None:
    hint = CATALOG[code]
    params = dict.fromkeys(hint.fields(), 1)
    summary, text, fix = render_hint(code, params)
    assert "?>" not in summary + text + fix  # every template field was filled
    assert hint.meaning, f"{code} needs a meaning for the checks page"
    if hint.status is not Status.PASS:
        assert hint.steps, f"{code} must say how to fix it"
        assert text.startswith("What: ")
        assert "How to fix:" in text
        assert fix


# Every code is documented on the generated checks page (docs/generate.py): tests/test_docs.py fails for
# a code missing there.


# The module of each code, by its longest matching prefix (issue 12: one module per family).
FAMILY_OF_PREFIX = {
    "CHECK_": "general",
    "API_": "api",
    "SMTP_": "smtp",
    "DNS_": "dns",
    "SPF_": "dns_spf",
    "DKIM_": "dns_dkim",
    "DMARC_": "dns_dmarc",
    "ALIGNMENT_": "dns_alignment",
    "MX_": "dns_mx",
    "MXTLS_": "dns_mxtls",
    "BLOCKLIST_": "dns_blocklist",
    "TLSRPT_": "dns_tlsrpt",
    "MTASTS_": "dns_mtasts",
    "BIMI_": "dns_bimi",
    "DNSSEC_": "dns_dnssec",
    "LIVE_": "live",
    "CONTENT_": "content",
    "SPAM_SCORE_": "content",
    "API_HEALTH_": "health",
    "LIVE_LOGGED": "health",
    "LIVE_NOT_LOGGED": "health",
}


def test_each_code_is_defined_in_its_familys_module() -> None:
    placed = {hint.code: family.__name__.rsplit(".", 1)[1] for family in FAMILIES for hint in family.HINTS}
    assert placed.keys() == CATALOG.keys()
    for code, module in placed.items():
        prefix = max((p for p in FAMILY_OF_PREFIX if code.startswith(p)), key=len)
        assert module == FAMILY_OF_PREFIX[prefix], f"{code} belongs in hints/{FAMILY_OF_PREFIX[prefix]}.py"


def test_a_missing_template_field_shows_instead_of_crashing() -> None:
    summary, _, _ = render_hint("API_TIMEOUT", {"host": "h"})
    assert summary == "No answer from h within <timeout?> s"


def test_format_finding_shows_code_what_evidence_and_steps() -> None:
    finding = make_finding("api.token", "h", "API_TOKEN_REJECTED", evidence=["GET x → HTTP 401"])
    lines = format_finding(finding).splitlines()
    assert lines[0] == "api.token[h] failed: API_TOKEN_REJECTED (fail)"
    assert lines[1] == "What: Sender rejected the API token (HTTP 401)"
    assert lines[2:4] == ["Evidence:", "  GET x → HTTP 401"]
    assert "How to fix:" in lines


def test_the_table_has_one_fix_line_per_problem() -> None:
    ok = make_finding("api.token", "a", "API_TOKEN_OK", headroom="fine")
    bad = make_finding("api.token", "b", "API_TOKEN_REJECTED")
    lines = format_table([ok, bad])
    assert lines[0].split() == ["check", "target", "status", "code"]
    assert lines[1].split() == ["api.token", "a", "pass", "API_TOKEN_OK"]
    assert lines[2].split() == ["api.token", "b", "fail", "API_TOKEN_REJECTED"]
    assert lines[3].strip().startswith("fix: create or renew the token")
    assert len(lines) == 4


def test_the_json_report_shape_and_strictness(tmp_path: Path) -> None:
    warn = make_finding("api.token", "a", "API_RATE_LIMITED", retry_after="30 s", limit=60).with_duration(0.25)
    report = build_json_report([warn])
    assert report["summary"]["ok"] is True
    assert build_json_report([warn], strict=True)["summary"]["ok"] is False
    assert report["durations"] == {"api.token[a]": 0.25}
    path = tmp_path / "deep" / "r.json"
    write_json_report(path, report)
    loaded = json.loads(path.read_text())
    assert loaded["version"] == 1
    assert Finding.from_dict(loaded["findings"][0]) == warn
    assert list(tmp_path.joinpath("deep").iterdir()) == [path]  # no temporary file left behind
