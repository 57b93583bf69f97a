"""The runner: checks run concurrently, a crash or an overrun becomes a finding, secrets are redacted."""

from __future__ import annotations

import asyncio

from pytest_sender.findings import Finding, Status
from pytest_sender.hints import make_finding
from pytest_sender.preflight.registry import CheckContext, CheckSpec, PlannedCheck, load_checks, plan_checks
from pytest_sender.preflight.runner import run_preflight
from pytest_sender.settings import Secret, Settings


def spec(name: str, run: object, targets: tuple[str, ...] = ("t",), budget_factor: float = 3.0) -> CheckSpec:
    return CheckSpec(name, "test check", lambda _s: list(targets), run, budget_factor)  # type: ignore[arg-type]


def test_checks_run_concurrently() -> None:
    started: list[str] = []
    both_started = asyncio.Event()

    async def run(context: CheckContext, target: str) -> Finding:
        started.append(target)
        if len(started) == 2:
            both_started.set()
        # Each check waits for the other to have started: only concurrent execution finishes.
        await asyncio.wait_for(both_started.wait(), timeout=2)
        return make_finding("x.check", target, "API_TOKEN_OK", headroom="ok")

    findings = run_preflight(plan_checks(Settings(), [spec("x.check", run, ("a", "b"))]), Settings())
    assert [f.status for f in findings] == [Status.PASS, Status.PASS]
    assert [f.target for f in findings] == ["a", "b"]


def test_a_crashing_check_becomes_an_error_finding_and_the_others_still_run() -> None:
    async def boom(context: CheckContext, target: str) -> Finding:
        raise KeyError("surprise")

    async def fine(context: CheckContext, target: str) -> Finding:
        return make_finding("ok.check", target, "API_TOKEN_OK", headroom="ok")

    planned = plan_checks(Settings(), [spec("boom.check", boom), spec("ok.check", fine)])
    crashed, passed = run_preflight(planned, Settings())
    assert (crashed.status, crashed.code) == (Status.ERROR, "CHECK_CRASHED")
    assert "boom.check check stopped with an unexpected KeyError" in crashed.summary
    assert passed.status is Status.PASS


def test_a_check_past_its_budget_times_out_as_an_error() -> None:
    async def slow(context: CheckContext, target: str) -> Finding:
        await asyncio.sleep(5)
        raise AssertionError("unreachable")

    settings = Settings(timeout=0.05)
    (finding,) = run_preflight(plan_checks(settings, [spec("slow.check", slow, budget_factor=2)]), settings)
    assert (finding.status, finding.code) == (Status.ERROR, "CHECK_TIMED_OUT")
    assert "did not finish within 0.1 s" in finding.summary
    assert finding.duration_s < 2


def test_shared_work_runs_once_per_run() -> None:
    calls: list[int] = []

    async def expensive() -> int:
        calls.append(1)
        await asyncio.sleep(0.01)
        return 42

    async def run(context: CheckContext, target: str) -> Finding:
        value = await context.shared("probe", expensive)
        return make_finding("s.check", target, "API_TOKEN_OK", headroom=str(value))

    findings = run_preflight(plan_checks(Settings(), [spec("s.check", run, ("a", "b", "c"))]), Settings())
    assert calls == [1]
    assert all("42" in f.summary for f in findings)


def test_secrets_are_redacted_from_every_finding() -> None:
    async def leaky(context: CheckContext, target: str) -> Finding:
        raise RuntimeError("token was canary-xyz")

    settings = Settings(api_token=Secret("canary-xyz"))
    (finding,) = run_preflight([PlannedCheck(spec("leak.check", leaky), "t")], settings)
    assert "canary-xyz" not in str(finding.to_dict())
    assert "RuntimeError: token was ***" in finding.evidence


def test_the_builtin_registry_lists_api_token_first() -> None:
    names = [s.name for s in load_checks(plugins=False)]
    assert names[0] == "api.token"
    assert len(names) == len(set(names))


def test_a_fleet_of_checks_is_not_timed_out_by_waiting_for_its_turn() -> None:
    """Each check's budget covers its own work, not the time spent behind thousands of others.

    Every check uses 0.5 ms of the event loop's time around one short wait, and its budget is
    0.6 s: 4,000 of them take about 2 s of loop time in all. Started all at once, the last ones
    would only finish after their budget had gone by (``max_running=4000`` times them out); taken 8
    at a time, each needs a few milliseconds, far inside its budget even on a loaded machine.
    """
    import time

    async def busy(context: CheckContext, target: str) -> Finding:
        time.sleep(0.00025)  # the check's own CPU work: parsing, evaluating
        await asyncio.sleep(0.001)  # its lookup
        time.sleep(0.00025)
        return make_finding("busy.check", target, "API_TOKEN_OK", headroom="ok")

    from pytest_sender.preflight.runner import run_checks

    settings = Settings(timeout=0.2)
    targets = tuple(f"t{n}" for n in range(4000))
    planned = plan_checks(settings, [spec("busy.check", busy, targets)])
    findings = asyncio.run(run_checks(planned, settings, max_running=8))
    assert [f.target for f in findings] == list(targets)
    assert {f.code for f in findings} == {"API_TOKEN_OK"}  # none is CHECK_TIMED_OUT


def test_checks_beyond_the_limit_wait_for_a_free_slot() -> None:
    running = 0
    most = 0

    async def counted(context: CheckContext, target: str) -> Finding:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.001)
        running -= 1
        return make_finding("n.check", target, "API_TOKEN_OK", headroom="ok")

    from pytest_sender.preflight.runner import run_checks

    planned = plan_checks(Settings(), [spec("n.check", counted, tuple(f"t{n}" for n in range(50)))])
    findings = asyncio.run(run_checks(planned, Settings(), max_running=7))
    assert len(findings) == 50
    assert most == 7
