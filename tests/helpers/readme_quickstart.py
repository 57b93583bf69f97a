"""The README's first command, and the output it promises, as data; stdlib only.

Used by ``tests/test_readme_quickstart.py`` and by ``.ci/run``, which runs the command verbatim in a
fresh venv with only the core install and then calls ``python3 tests/helpers/readme_quickstart.py
compare OUTPUT_FILE EXIT_CODE``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What differs between two honest runs: free ports and timings.
_VARIABLE = (
    (re.compile(r"\b(127\.0\.0\.1|localhost):\d+"), r"\1:PORT"),
    (re.compile(r" in \d+(\.\d+)?s( \(\d+:\d+:\d+\))?"), " in Ns"),
)


def readme_text(root: Path = ROOT) -> str:
    return (root / "README.md").read_text(encoding="utf-8")


def first_command(readme: str) -> str:
    """The first line of the README's first ``console`` block."""
    block = re.search(r"```console\n(.*?)```", readme, flags=re.S)
    if block is None:
        raise LookupError("the README has no console block")
    return block.group(1).strip().splitlines()[0].strip()


def promised_output(readme: str) -> list[str]:
    """The ``text`` block right after the first console block: what the first command prints."""
    start = readme.index("```console\n")
    block = re.compile(r"```text\n(.*?)```", flags=re.S).search(readme, start)
    if block is None:
        raise LookupError("the README shows no output for its first command")
    return block.group(1).rstrip("\n").splitlines()


def _normalise(line: str) -> str:
    for pattern, replacement in _VARIABLE:
        line = pattern.sub(replacement, line)
    return re.sub(r"\s+", " ", line).strip()


def report_lines(output: list[str]) -> list[str]:
    """From the progress line of the ``sender`` items to pytest's closing line, normalised."""
    begin = next((i for i, line in enumerate(output) if line.startswith("sender ")), None)
    if begin is None:
        raise LookupError("no progress line for the sender items")
    end = next((i for i in range(len(output) - 1, begin, -1) if re.match(r"=+ .* in ", output[i])), None)
    if end is None:
        raise LookupError("no closing line")
    return [_normalise(line) for line in output[begin : end + 1] if line.strip()]


def differences(actual_output: str, exit_code: int, readme: str) -> list[str]:
    """Empty when the run printed what the README shows and exited 0."""
    problems = []
    if exit_code != 0:
        problems.append(f"exit code {exit_code}, the README's run exits 0")
    expected = report_lines(promised_output(readme))
    try:
        actual = report_lines(actual_output.splitlines())
    except LookupError as exc:
        return [*problems, f"the run's output has {exc}"]
    if actual != expected:
        problems.append(
            "the run printed:\n  " + "\n  ".join(actual) + "\nthe README shows:\n  " + "\n  ".join(expected)
        )
    return problems


def main(argv: list[str]) -> int:
    if argv[:1] == ["command"]:
        print(first_command(readme_text()))
        return 0
    if len(argv) == 3 and argv[0] == "compare":
        output = Path(argv[1]).read_text(encoding="utf-8", errors="replace")
        problems = differences(output, int(argv[2]), readme_text())
        for problem in problems:
            print(f"README quick start: {problem}", file=sys.stderr)
        if not problems:
            print("README quick start: the first command printed the README's table and exited 0")
        return 1 if problems else 0
    print("usage: readme_quickstart.py command | compare OUTPUT_FILE EXIT_CODE", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
