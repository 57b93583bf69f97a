"""Start-up cost of the plugin when it is installed but not used.

Measures ``pytest --collect-only -q`` over a generated suite of 200 tests:

* in the current environment, with the plugin loaded (unused) against ``-p no:sender``;
* with ``--venvs``: in a fresh venv holding the core plugin install against a venv holding only
  pytest and httpx (whose anyio dependency registers a pytest plugin of its own).

Runs alternate between the arms so that drift on the machine hits both alike, after one warm-up
run of each arm (which also writes the bytecode caches). Prints medians and the ratio. Usage::

    python benchmarks/bench_startup.py [--runs 15] [--venvs]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_suite(directory: Path, tests: int = 200, per_module: int = 20) -> None:
    for module in range(tests // per_module):
        body = "\n".join(f"def test_{module}_{n}():\n    assert {n} == {n}\n" for n in range(per_module))
        (directory / f"test_generated_{module}.py").write_text(body)
    (directory / "pytest.ini").write_text("[pytest]\n")


def time_once(command: list[str], cwd: Path) -> float:
    # Bytecode caching on, as on most machines: with PYTHONDONTWRITEBYTECODE set, pytest re-runs its
    # assertion rewriting of every plugin module (anyio's too) on each start unless an earlier run
    # left the rewritten files behind, which would make venvs incomparable.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SENDER_", "PYTEST_")) and k != "PYTHONDONTWRITEBYTECODE"
    }
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def compare(arms: dict[str, list[str]], cwd: Path, runs: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in arms}
    for command in arms.values():  # warm the file cache first
        time_once(command, cwd)
    for _ in range(runs):
        for name, command in arms.items():
            samples[name].append(time_once(command, cwd))
    return {name: statistics.median(values) for name, values in samples.items()}


def make_venv(path: Path, *packages: str) -> Path:
    if not (path / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
        subprocess.run([str(path / "bin" / "python"), "-m", "pip", "install", "-q", *packages], check=True)
    return path / "bin" / "python"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--venvs", action="store_true", help="also compare fresh venvs (installs packages)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        suite = Path(tmp)
        make_suite(suite)
        python = sys.executable
        base = [python, "-m", "pytest", "--collect-only", "-q"]
        medians = compare(
            {"plugin installed, unused": base, "-p no:sender": [*base, "-p", "no:sender"]}, suite, args.runs
        )
        for name, value in medians.items():
            print(f"{name:32s} median {value * 1000:7.1f} ms over {args.runs} runs")
        ratio = medians["plugin installed, unused"] / medians["-p no:sender"]
        print(f"ratio unused/no:sender: {ratio:.3f}")

        if args.venvs:
            venvs = ROOT / "benchmarks" / ".venvs"
            bare = make_venv(venvs / "pytest-httpx", "pytest", "httpx")
            core = make_venv(venvs / "core", str(ROOT))
            medians = compare(
                {
                    "core plugin venv": [str(core), "-m", "pytest", "--collect-only", "-q"],
                    "pytest+httpx venv": [str(bare), "-m", "pytest", "--collect-only", "-q"],
                },
                suite,
                args.runs,
            )
            for name, value in medians.items():
                print(f"{name:32s} median {value * 1000:7.1f} ms over {args.runs} runs")
            ratio = medians["core plugin venv"] / medians["pytest+httpx venv"]
            print(f"ratio core/pytest+httpx: {ratio:.3f}")


if __name__ == "__main__":
    main()
