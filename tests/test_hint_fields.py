"""The agreement between each hint's template fields and what the check that emits its code fills.

Three layers hold it:
- at run time, :func:`make_finding` reports a finding built without a field its hint uses, and
  ``tests/conftest.py`` runs every test of the suite inside a watcher: each check family against the
  sandbox (healthy and broken), the live smoke against the sandbox and Dovecot, the fault fixtures of
  the DNS, SMTP and API tests all fail where a field is left unfilled;
- here, the whole preflight against the healthy and the broken sandbox, with the codes it emits;
- here, a static pass over every call in the package that names its code and its fields literally,
  which also covers the paths no test reaches.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import pytest_sender
from pytest_sender import hints
from pytest_sender.hints import CATALOG, UnfilledFields, make_finding, watch_unfilled_fields

PACKAGE = Path(pytest_sender.__file__).resolve().parent
#: Fields :meth:`pytest_sender.api.outcomes.Outcome.finding` adds to every outcome's own params.
OUTCOME_FIELDS = frozenset({"attempts", "attempts_text"})


# --- the mechanism ---------------------------------------------------------------------------------


def test_every_field_is_a_plain_name_a_check_can_pass_as_a_keyword() -> None:
    for hint in CATALOG.values():
        for name in hint.fields():
            assert name.isidentifier(), f"{hint.code}: field {name!r} (no attribute or index lookups)"


def test_make_finding_reports_each_field_it_was_not_given() -> None:
    with watch_unfilled_fields() as unfilled:
        finding = make_finding("api.token", "h", "API_TIMEOUT", host="api.example")
        make_finding("api.token", "h", "API_TIMEOUT", host="api.example", timeout=5)
    assert unfilled == [UnfilledFields("api.token", "API_TIMEOUT", frozenset({"timeout"}))]
    assert str(unfilled[0]) == "api.token: API_TIMEOUT was built without timeout"
    assert finding.summary == "No answer from api.example within <timeout?> s"  # the last resort only


def test_every_test_of_the_suite_runs_inside_a_watcher() -> None:
    # tests/conftest.py's autouse fixture: without it a check could stop filling a field unnoticed
    assert hints._watchers, "tests/conftest.py must run each test inside watch_unfilled_fields()"


@pytest.fixture
def field_nobody_fills(monkeypatch: pytest.MonkeyPatch) -> None:
    """SPF_OK's summary asks for a field that dns.spf does not fill."""
    hint = CATALOG["SPF_OK"]
    monkeypatch.setitem(CATALOG, "SPF_OK", dataclasses.replace(hint, summary=hint.summary + " ({nobody_fills})"))


@pytest.mark.usefixtures("field_nobody_fills")
def test_a_hint_field_nobody_fills_is_caught_when_its_check_runs(pytester: pytest.Pytester) -> None:
    with watch_unfilled_fields() as unfilled:
        result = pytester.runpytest("--sender-preflight", "--sender-sandbox", "-k", "dns.spf", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)  # the user still gets a finding; the test suite gets the bug
    assert unfilled == [UnfilledFields("dns.spf", "SPF_OK", frozenset({"nobody_fills"}))]


# --- every family against the sandbox -------------------------------------------------------------


@pytest.mark.parametrize(
    ("scenario", "expected"),
    [
        (
            "healthy",
            {"API_TOKEN_OK", "API_HEALTH_OK", "SMTP_PORT_OK", "SMTP_AUTH_OK", "SPF_OK", "DKIM_OK", "DMARC_OK"}
            | {"MX_OK", "BLOCKLIST_CLEAN"},
        ),
        (
            "broken",
            {"API_TOKEN_REJECTED", "API_HEALTH_HARD_BOUNCES_HIGH", "SMTP_PORT_REFUSED", "SMTP_AUTH_REJECTED"}
            | {"SPF_INCLUDE_MISSING", "DKIM_REVOKED", "DMARC_MISSING", "MX_NULL", "BLOCKLIST_LISTED"},
        ),
    ],
)
def test_every_finding_of_a_sandbox_preflight_fills_its_hint(
    pytester: pytest.Pytester, scenario: str, expected: set[str]
) -> None:
    with watch_unfilled_fields() as unfilled:
        pytester.runpytest(
            "--sender-preflight", f"--sender-sandbox={scenario}", "--sender-report=r.json", "-p", "no:cacheprovider"
        )
    codes = {finding["code"] for finding in json.loads((pytester.path / "r.json").read_text())["findings"]}
    assert expected <= codes  # every family ran: api, api.health, smtp and each dns check
    assert unfilled == []
    report = (pytester.path / "r.json").read_text()
    assert "?>" not in report


# --- a static pass over the package ---------------------------------------------------------------


def _codes(node: ast.expr | None) -> set[str] | None:
    """The codes an expression can name: a literal, an f-string (each code it can spell) or a
    conditional between those."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in CATALOG:
        return {node.value}
    if isinstance(node, ast.JoinedStr):
        pattern = "".join(
            re.escape(part.value) if isinstance(part, ast.Constant) else "[A-Z0-9_]+" for part in node.values
        )
        return {code for code in CATALOG if re.fullmatch(pattern, code)} or None
    if isinstance(node, ast.IfExp):
        body, orelse = _codes(node.body), _codes(node.orelse)
        return body | orelse if body is not None and orelse is not None else None
    return None


def _literal_calls(source: str) -> Iterator[tuple[int, set[str], set[str]]]:
    """(line, codes, field names given) of each call that names its code and all its fields literally.

    ``make_finding(check, target, CODE, name=...)`` without a ``**`` spread, and an API outcome
    ``Outcome(code=CODE, params={"name": ...})`` with a dict literal (plus what ``Outcome.finding`` adds).
    """
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        keywords = {kw.arg: kw.value for kw in node.keywords}
        if func == "make_finding" and len(node.args) >= 3 and None not in keywords:
            codes = _codes(node.args[2])
            if codes is not None:
                yield node.lineno, codes, {name for name in keywords if name not in ("evidence", "status")}
        elif "code" in keywords and isinstance(keywords.get("params"), ast.Dict):
            codes, params = _codes(keywords["code"]), keywords["params"]
            assert isinstance(params, ast.Dict)
            keys = [k.value if isinstance(k, ast.Constant) else None for k in params.keys]
            if codes is not None and all(isinstance(k, str) for k in keys):
                yield node.lineno, codes, {str(k) for k in keys} | OUTCOME_FIELDS


def _unfilled_in(source: str) -> list[str]:
    return [
        f"line {line}: {code} needs {', '.join(sorted(CATALOG[code].fields() - given))}"
        for line, codes, given in _literal_calls(source)
        for code in sorted(codes)
        if CATALOG[code].fields() - given
    ]


def test_the_static_pass_finds_a_literal_call_that_leaves_a_field_out() -> None:
    source = (
        'make_finding("api.token", "h", "API_TIMEOUT", host=host)\n'
        'make_finding("api.token", "h", "API_TIMEOUT", host=host, timeout=5)\n'
        'make_finding(c, t, "BLOCKLIST_QUERY_REFUSED" if refused else "BLOCKLIST_BAD_ANSWER", zone=z)\n'
        'ServerError(code="API_SERVER_ERROR", params={})\n'
        'make_finding(c, t, f"LIVE_{method.upper()}_FAIL", result=r, domain=d, spf_include=s)\n'
        'make_finding("api.token", "h", "API_TIMEOUT", **params)\n'  # not literal: left to the run-time watch
    )
    assert _unfilled_in(source) == [
        "line 1: API_TIMEOUT needs timeout",
        "line 3: BLOCKLIST_BAD_ANSWER needs answer",
        "line 3: BLOCKLIST_QUERY_REFUSED needs answer",
        "line 4: API_SERVER_ERROR needs http_status",
        "line 5: LIVE_DKIM_FAIL needs selector",
    ]


def test_every_literal_call_in_the_package_fills_its_hints_fields() -> None:
    problems: list[str] = []
    calls = 0
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.parent.name == "hints":
            continue
        source = path.read_text(encoding="utf-8")
        calls += len(list(_literal_calls(source)))
        problems += [f"{path.relative_to(PACKAGE)} {problem}" for problem in _unfilled_in(source)]
    assert calls > 40  # the pass still finds the package's calls
    assert problems == []
