"""Every Python example of the "Testing your app against the sandbox" page (docs/testing-your-app.md) runs
and passes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parent.parent / "docs" / "testing-your-app.md"
SECTION = "# Testing your app against the sandbox\n"


def sandbox_section_examples() -> list[str]:
    text = PAGE.read_text(encoding="utf-8")
    assert text.startswith(SECTION)
    section = text.split("\n## The API client\n")[0]  # the client's example talks to the real Sender
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def test_the_section_has_its_examples() -> None:
    assert len(sandbox_section_examples()) >= 5


def test_every_sandbox_example_on_the_page_passes(pytester: pytest.Pytester) -> None:
    examples = sandbox_section_examples()
    for n, code in enumerate(examples):
        pytester.makepyfile(**{f"test_readme_{n}": code})
    result = pytester.runpytest_subprocess("-p", "no:schemathesis", "-v")
    tests = sum(len(re.findall(r"^def test_", code, flags=re.MULTILINE)) for code in examples)
    result.assert_outcomes(passed=tests)
