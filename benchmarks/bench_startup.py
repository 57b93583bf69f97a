"""Start-up cost of the plugin when it is installed but not used.

Measures ``pytest --collect-only -q`` over a generated suite of 200 tests:

* in the current environment, with the plugin loaded (unused) against ``-p no:sender``;
* with ``--venvs``: in a fresh venv holding the core plugin install against a venv holding only
  pytest and httpx (whose anyio dependency registers a pytest plugin of its own);
* with ``--against DIR`` (a checkout of another revision, e.g. ``git archive main | tar -x -C DIR``):
  this tree against DIR in the same runs, the plugin unused in both (put first on ``PYTHONPATH``),
  and, with ``--venvs``, a core venv of each; also the import time of the plugin module itself.

Runs alternate between the arms so that drift on the machine hits both alike, after one warm-up
run of each arm (which also writes the bytecode caches). Prints medians and the ratio. Usage::

    python benchmarks/bench_startup.py [--runs 15] [--venvs] [--against DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
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


def time_once(command: list[str], cwd: Path, path: Path | None = None) -> tuple[float, float]:
    """Wall-clock seconds of one run, and the CPU seconds (user + system) the run's processes used.

    The CPU time is far less at the mercy of other jobs on a shared machine than the wall time.
    """
    # Bytecode caching on, as on most machines: with PYTHONDONTWRITEBYTECODE set, pytest re-runs its
    # assertion rewriting of every plugin module (anyio's too) on each start unless an earlier run
    # left the rewritten files behind, which would make venvs incomparable.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SENDER_", "PYTEST_")) and k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")
    }
    if path is not None:  # this source tree's pytest_sender before the installed one
        env["PYTHONPATH"] = str(path)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


Arm = tuple[list[str], Path | None]  # the command, and the source tree to put first on PYTHONPATH


def compare(arms: dict[str, Arm], cwd: Path, runs: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds of each arm."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in arms}
    for command, path in arms.values():  # warm the file cache first
        time_once(command, cwd, path)
    for _ in range(runs):
        for name, (command, path) in arms.items():
            samples[name].append(time_once(command, cwd, path))
    return {
        name: (statistics.median(w for w, _ in values), statistics.median(c for _, c in values))
        for name, values in samples.items()
    }


def make_venv(path: Path, *packages: str) -> Path:
    if not (path / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
        subprocess.run([str(path / "bin" / "python"), "-m", "pip", "install", "-q", *packages], check=True)
    return path / "bin" / "python"


def plugin_import_us(python: str, trees: dict[str, Path], runs: int) -> dict[str, tuple[float, float]]:
    """Min and median microseconds ``python -X importtime`` reports for importing the plugin module.

    Cumulative: with what the module imports (the settings table). The trees alternate, run by run.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}
    command = [python, "-X", "importtime", "-c", "import pytest, pytest_sender.plugin"]
    values: dict[str, list[int]] = {name: [] for name in trees}
    for run in range(runs + 1):  # the first run writes the bytecode
        for name, tree in trees.items():
            tree_env = {**env, "PYTHONPATH": str(tree)}
            done = subprocess.run(command, env=tree_env, capture_output=True, text=True, check=True)
            line = next(line for line in done.stderr.splitlines() if line.rstrip().endswith("| pytest_sender.plugin"))
            if run:
                values[name].append(int(line.split("|")[1]))
    return {name: (min(v), statistics.median(v)) for name, v in values.items()}


def report(medians: dict[str, tuple[float, float]], runs: int, ratios: list[tuple[str, str]]) -> None:
    for name, (wall, cpu) in medians.items():
        print(f"{name:32s} median {wall * 1000:7.1f} ms wall, {cpu * 1000:7.1f} ms CPU over {runs} runs")
    for numerator, denominator in ratios:
        wall = medians[numerator][0] / medians[denominator][0]
        cpu = medians[numerator][1] / medians[denominator][1]
        print(f"ratio {numerator} / {denominator}: {wall:.3f} wall, {cpu:.3f} CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--venvs", action="store_true", help="also compare fresh venvs (installs packages)")
    parser.add_argument("--against", type=Path, help="another revision's source tree to compare this one with")
    args = parser.parse_args()
    against = args.against.resolve() if args.against else None

    with tempfile.TemporaryDirectory() as tmp:
        suite = Path(tmp)
        make_suite(suite)
        python = sys.executable
        base = [python, "-m", "pytest", "--collect-only", "-q"]
        arms: dict[str, Arm] = {"plugin installed, unused": (base, ROOT if against else None)}
        ratios = [("plugin installed, unused", "-p no:sender")]
        if against is not None:
            arms[f"{against.name}, unused"] = (base, against)
            ratios.append(("plugin installed, unused", f"{against.name}, unused"))
        arms["-p no:sender"] = ([*base, "-p", "no:sender"], None)
        report(compare(arms, suite, args.runs), args.runs, ratios)
        if against is not None:
            imports = plugin_import_us(python, {"this tree": ROOT, against.name: against}, 3 * args.runs)
            for name, (low, middle) in imports.items():
                print(f"import pytest_sender.plugin, {name}: min {low:.0f} us, median {middle:.0f} us")

        if args.venvs:
            venvs = ROOT / "benchmarks" / ".venvs"
            bare = make_venv(venvs / "pytest-httpx", "pytest", "httpx")
            core = make_venv(venvs / "core", str(ROOT))
            venv_arms: dict[str, Arm] = {
                "core plugin venv": ([str(core), "-m", "pytest", "--collect-only", "-q"], None),
                "pytest+httpx venv": ([str(bare), "-m", "pytest", "--collect-only", "-q"], None),
            }
            venv_ratios = [("core plugin venv", "pytest+httpx venv")]
            if against is not None:
                other = make_venv(venvs / f"core-{against.name}", str(against))
                venv_arms[f"core venv of {against.name}"] = ([str(other), "-m", "pytest", "--collect-only", "-q"], None)
                venv_ratios += [(f"core venv of {against.name}", "pytest+httpx venv")]
                venv_ratios += [("core plugin venv", f"core venv of {against.name}")]
            report(compare(venv_arms, suite, args.runs), args.runs, venv_ratios)


if __name__ == "__main__":
    main()
