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
