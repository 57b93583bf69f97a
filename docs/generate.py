"""The documentation's generated pages, and the MkDocs hook that adds them to the site at build time.

The checks and codes page is built from the hint catalog (``pytest_sender.hints.CATALOG``) and the
check registry, the settings page from the settings table (``pytest_sender.setting_specs.SETTINGS``,
with defaults as :func:`pytest_sender.settings.resolve_settings` resolves them), the report schema
page from ``docs/report.schema.json``. Nothing here is written to disk: ``mkdocs build`` calls
:func:`on_files`, and the tests call the page functions, so a page cannot drift from the code.

Run it alone to print a page: ``python docs/generate.py checks|settings|schema``.
"""

from __future__ import annotations

import html
import json
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent
SCHEMA_PATH = DOCS / "report.schema.json"

#: The sections of the checks page: title and the check names they hold (by prefix; the first
#: match takes a check). Codes go by their hint family module (``family_of_code``).
FAMILIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("General", ()),
    ("Delivery health", ("api.health", "live.logged")),
    ("API", ("api.",)),
    ("SMTP", ("smtp.",)),
    ("DNS", ("dns.",)),
    ("Content and spam score", ("content.",)),
    ("Live smoke", ("live.",)),
)

GENERATED = {
    "reference/checks.md": "checks_page",
    "reference/settings.md": "settings_page",
    "reference/report-schema.md": "schema_page",
}


def _text(value: object) -> str:
    """Plain text for Markdown: HTML-escaped, and Markdown's own characters backslash-escaped."""
    return re.sub(r"([\\`*_\[\]|{}#])", r"\\\1", html.escape(str(value), quote=False))


def _code(value: object) -> str:
    text = str(value).replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}"


def _anchor(code: str) -> str:
    return code.lower().replace("_", "-")


#: The page section of each hint family module (``pytest_sender.hints.FAMILIES``).
SECTION_OF_FAMILY = {
    "general": "General",
    "health": "Delivery health",
    "api": "API",
    "smtp": "SMTP",
    "live": "Live smoke",
    "content": "Content and spam score",
}


def family_of_code(code: str) -> str:
    """The page section of ``code``: its hint family's (every dns_* family is DNS), else "Other"."""
    from pytest_sender.hints import FAMILIES as HINT_FAMILIES

    for module in HINT_FAMILIES:
        if any(hint.code == code for hint in module.HINTS):
            family = module.__name__.rsplit(".", 1)[1]
            return "DNS" if family.startswith("dns") else SECTION_OF_FAMILY.get(family, "Other")
    return "Other"


def _checks() -> list[Any]:
    from pytest_sender.preflight.registry import BUILTIN_CHECK_MODULES, load_checks

    return load_checks((*BUILTIN_CHECK_MODULES, "pytest_sender.live.checks"), plugins=False)


def _family_of_check(name: str) -> str:
    for title, checks in FAMILIES:
        if any(name == c or (c.endswith(".") and name.startswith(c)) for c in checks):
            return title
    return "Other"


def checks_page() -> str:
    """Every check (name and what it verifies) and every code with its status, meaning and full hint."""
    from pytest_sender.hints import CATALOG

    checks = _checks()
    by_family: dict[str, list[Any]] = {}
    for hint in CATALOG.values():
        by_family.setdefault(family_of_code(hint.code), []).append(hint)
    out = [
        "# Checks and codes",
        "",
        "Generated from the check registry and the hint catalog at build time. Every finding has a stable",
        "code; each code's hint says what is wrong, why it matters for delivery, how to fix it and how to",
        "verify the fix. Texts in braces are filled from what the check observed (the domain, the record).",
        "",
    ]
    titles = [title for title, _ in FAMILIES] + (["Other"] if "Other" in by_family else [])
    for title in titles:
        family_checks = [c for c in checks if _family_of_check(c.name) == title]
        hints = by_family.get(title, [])
        if not family_checks and not hints:
            continue
        out += [f"## {title}", ""]
        if family_checks:
            out += ["| check | what it verifies |", "|---|---|"]
            out += [f"| {_code(c.name)} | {_text(c.description)} |" for c in family_checks]
            out.append("")
        if hints:
            out += ["| code | status | meaning |", "|---|---|---|"]
            out += [f"| [{_code(h.code)}](#{_anchor(h.code)}) | {h.status.value} | {_text(h.meaning)} |" for h in hints]
            out.append("")
        for hint in hints:
            out += _hint_section(hint)
    return "\n".join(out).rstrip() + "\n"


def _hint_section(hint: Any) -> list[str]:
    out = [f"### {hint.code} {{#{_anchor(hint.code)}}}", "", f"**Status:** {hint.status.value}"]
    if hint.meaning:
        out += ["", _text(hint.meaning)]
    out += ["", f"**Says:** {_text(hint.summary)}"]
    if hint.why:
        out += ["", f"**Why it matters:** {_text(hint.why)}"]
    if hint.steps:
        out += ["", "**How to fix:**", ""]
        out += [f"{number}. {_text(step)}" for number, step in enumerate(hint.steps, 1)]
    if hint.verify:
        out += ["", f"**How to verify:** {_text(hint.verify)}"]
    if hint.fix_line:
        out += ["", f"**Fix line in the summary table:** {_text(hint.fix_line)}"]
    out.append("")
    return out


def _where(spec: Any) -> tuple[str, str, str]:
    """How a setting is given: flag, environment variable(s) and ini key, as Markdown."""
    flag = _code(spec.flag) + (" (repeatable)" if spec.multi else "") if spec.flag else "–"
    if spec.secret:
        env = f"{_code(spec.env)} or {_code(spec.env + '_FILE')}"
    elif spec.env:
        env = _code(spec.env) + (" (comma list)" if spec.multi else "")
    else:
        env = "–"
    ini = _code(spec.ini) + (" (one per line)" if spec.multi else "") if spec.ini else "–"
    return flag, env, ini


def settings_page() -> str:
    """Every setting: where it comes from (flag, environment, ini), its default and an example."""
    from pytest_sender.setting_specs import SETTINGS
    from pytest_sender.settings import resolve_settings

    defaults = {name: shown for name, shown, _ in resolve_settings(cli={}, env={}, ini={}).describe()}
    out = [
        "# Settings",
        "",
        "Generated from the settings table at build time. Every setting resolves in one order: the",
        "command-line flag, then the environment variable, then the ini key (`[tool.pytest.ini_options]`",
        "in `pyproject.toml`, or `pytest.ini`), then the default. The report header lists each resolved",
        "value and where it came from. A value that cannot be used stops the run at start-up, naming the",
        "setting, where the value came from and a valid example.",
        "",
        "**Secrets come only from the environment**, or from a file named by the matching `*_FILE`",
        "variable: they have no flag and no ini key, and are never printed.",
        "",
    ]
    for spec in SETTINGS:
        flag, env, ini = _where(spec)
        default = defaults.get(spec.name, "not set")
        heading = f"## {spec.name} {{#{spec.name.replace('_', '-')}}}"
        out += [heading, "", _text(spec.help[:1].upper() + spec.help[1:]) + ".", ""]
        out.append(f"- flag: {flag}")
        out.append(f"- environment: {env}")
        out.append(f"- ini key: {ini}")
        out.append(f"- default: {'none' if default == 'not set' else _code(default)}")
        out.append(f"- example: {_text(spec.example) if spec.secret else _code(spec.example)}")
        out.append("")
    out += [
        "Boolean settings (flags without a value) read `1`/`0`, `true`/`false`, `yes`/`no` or `on`/`off`",
        "from the environment and the ini file.",
        "",
        "The modes are flags only: `--sender-preflight`, `--sender-live`, `--sender-sandbox` (the same",
        "as `--sender-sandbox=healthy`) and `--sender-sandbox=broken`. SMTP credentials need both the",
        "user and the password. An example `pyproject.toml`:",
        "",
        "```toml",
        "[tool.pytest.ini_options]",
        'sender_domains = ["example.com", "mail.example.org"]',
        'sender_timeout = "3"',
        'sender_html = "sender-report.html"',
        "```",
    ]
    return "\n".join(out) + "\n"


def load_schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return data


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """``node`` with a local ``$ref`` (``#/$defs/name``) merged in."""
    ref = node.get("$ref", "")
    if not ref.startswith("#/$defs/"):
        return node
    target: dict[str, Any] = schema["$defs"][ref.rsplit("/", 1)[1]]
    return {**target, **{k: v for k, v in node.items() if k != "$ref"}}


def _schema_rows(schema: dict[str, Any], node: dict[str, Any], prefix: str = "") -> Iterable[tuple[str, str, str]]:
    for name, raw in node.get("properties", {}).items():
        sub = _resolve(schema, raw)
        kind = sub.get("type", "")
        kinds = "/".join(kind) if isinstance(kind, list) else str(kind)
        path = f"{prefix}{name}"
        yield path, kinds, str(sub.get("description", ""))
        if kinds == "object":
            yield from _schema_rows(schema, sub, path + ".")
        items = _resolve(schema, sub["items"]) if isinstance(sub.get("items"), dict) else {}
        if kinds == "array" and items.get("type") == "object":
            yield from _schema_rows(schema, items, path + "[].")


def schema_page() -> str:
    """The JSON report's fields (from its JSON Schema) and the schema itself."""
    schema = load_schema()
    out = [
        "# JSON report schema",
        "",
        "`--sender-report PATH` writes the JSON report. Its format is versioned; within a version fields",
        "are only ever added. The report validates against this JSON Schema (the project's tests check",
        "every report they write against it); download it as [report.schema.json](../report.schema.json).",
        "",
        "| field | type | meaning |",
        "|---|---|---|",
    ]
    out += [f"| {_code(path)} | {_text(kind)} | {_text(text)} |" for path, kind, text in _schema_rows(schema, schema)]
    out += ["", "```json", json.dumps(schema, indent=2, ensure_ascii=False), "```", ""]
    return "\n".join(out)


# --- the MkDocs hook --------------------------------------------------------------------------------


def on_files(files: Any, config: Any) -> Any:
    """MkDocs: the site's generated pages come from the code at build time (the copies kept in
    ``docs/reference/`` for GitHub readers are replaced, so the site can never show a stale one)."""
    from mkdocs.structure.files import File

    for uri, function in GENERATED.items():
        kept = files.get_file_from_path(uri)
        if kept is not None:
            files.remove(kept)
        files.append(File.generated(config, uri, content=globals()[function]()))
    return files


def write_pages() -> list[Path]:
    """Write the generated pages into ``docs/`` (so they read on GitHub too); the paths written."""
    written = []
    for uri, function in GENERATED.items():
        path = DOCS / uri
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(globals()[function](), encoding="utf-8")
        written.append(path)
    return written


def main(argv: Sequence[str]) -> int:
    pages = {"checks": checks_page, "settings": settings_page, "schema": schema_page}
    if argv == ["--write"]:
        for path in write_pages():
            print(f"wrote {path}")
        return 0
    if len(argv) != 1 or argv[0] not in pages:
        print(f"usage: python docs/generate.py {'|'.join(pages)}|--write", file=sys.stderr)
        return 2
    sys.stdout.write(pages[argv[0]]())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
