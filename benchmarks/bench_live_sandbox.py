"""The live smoke against the sandbox, send to verdict: what ``pytest --sender-live --sender-sandbox`` waits for.

Starts the embedded sandbox once as the plugin does under ``--sender-live --sender-sandbox`` without an
inbox (API, SMTP relay, DNS with the signing key published, the signing and judging delivery, a
throwaway Dovecot), then for each run executes every live check at once through ``run_preflight``:
three sends (API, template, SMTP), each signed, judged (SPF, DKIM, DMARC against the sandbox DNS),
filed by IMAP APPEND, found by the inbox client, verified again by the live smoke (DKIM with the
configured resolver, DMARC alignment) and deleted. Reported per run: the wall time from the start of
the checks to the last verdict, and each send's delivery latency (send to the message seen in the
inbox, from ``live.*.arrived``), and the cost of the project's own verification of one arrived
message (every DKIM signature against the sandbox DNS, then the DMARC record for the alignment
reading). Median and worst of the runs.

The ``spam-score`` items are left out unless ``--with-spam-score``: they hand each message to
SpamAssassin's spamd, whose start-up and rules take seconds on their own (``bench_content.py``).

Usage (root is needed for Dovecot's privilege separation, as in the tests)::

    .venv/bin/python benchmarks/bench_live_sandbox.py [--runs 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pytest_sender.findings import Status  # noqa: E402
from pytest_sender.preflight.registry import load_checks, plan_checks  # noqa: E402
from pytest_sender.preflight.runner import run_preflight  # noqa: E402
from pytest_sender.sandbox import EmbeddedSandbox  # noqa: E402
from pytest_sender.sandbox.dovecot import dovecot_skip_reason  # noqa: E402
from pytest_sender.settings import Settings  # noqa: E402

KINDS = ("api-send", "template-send", "smtp-send")


def _latency(evidence: tuple[str, ...]) -> float:
    line = next(line for line in evidence if line.startswith("delivery latency: "))
    return float(line.split()[2])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--with-spam-score", action="store_true", help="also run the spam-score items")
    args = parser.parse_args()
    reason = dovecot_skip_reason()
    if reason is not None:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    with EmbeddedSandbox("healthy", live=True, own_inbox=True) as sandbox:
        start_s = time.perf_counter() - started
        settings = Settings().with_overrides("sandbox", **sandbox.settings_overrides())
        settings = settings.with_overrides("bench", live_timeout=10.0, timeout=5.0)
        planned = plan_checks(settings, load_checks(("pytest_sender.live.checks",), plugins=False))
        if not args.with_spam_score:
            planned = [p for p in planned if not p.spec.name.endswith(".spam-score")]
        walls: list[float] = []
        verifying: list[float] = []
        latencies: dict[str, list[float]] = {kind: [] for kind in KINDS}
        for run in range(args.runs):
            begin = time.perf_counter()
            findings = {f.check: f for f in run_preflight(planned, settings, extras=sandbox.check_extras())}
            walls.append(time.perf_counter() - begin)
            bad = [(f.check, f.code) for f in findings.values() if f.status not in (Status.PASS, Status.SKIP)]
            if bad:
                print(f"run {run}: not every item passed: {bad}", file=sys.stderr)
                return 1
            for kind in KINDS:
                latencies[kind].append(_latency(findings[f"live.{kind}.arrived"].evidence))
            verifying.append(_own_verification(sandbox, settings))
        print(f"sandbox start (API, relay, DNS with a fresh signing key, Dovecot): {start_s * 1000:.0f} ms")
        spam = "in" if args.with_spam_score else "out"
        print(f"{len(planned)} live items per run, {args.runs} runs (spam-score {spam})")
        print("| figure | median | worst |")
        print("|---|---|---|")
        print(
            f"| every live item, send to last verdict (3 sends) | {statistics.median(walls) * 1000:.0f} ms "
            f"| {max(walls) * 1000:.0f} ms |"
        )
        for kind in KINDS:
            values = latencies[kind]
            print(
                f"| {kind}: send to the message seen in the inbox | {statistics.median(values) * 1000:.0f} ms "
                f"| {max(values) * 1000:.0f} ms |"
            )
        print(
            f"| our own verification of one message (DKIM against the DNS, DMARC record) "
            f"| {statistics.median(verifying) * 1000:.1f} ms | {max(verifying) * 1000:.1f} ms |"
        )
    return 0


def _own_verification(sandbox: EmbeddedSandbox, settings: Settings) -> float:
    """Seconds to verify one signed sandbox message as the live smoke does (a fresh resolver: no cache)."""
    import asyncio
    from email.message import EmailMessage

    from pytest_sender.dns.query import Resolver
    from pytest_sender.mailauth.alignment import fetch_policy
    from pytest_sender.mailauth.signatures import verify_message
    from pytest_sender.sandbox.signing import sign_accepted

    message = EmailMessage()
    message["From"] = f"Bench <{settings.sender_from}>"
    message["To"] = "qa@inbox.test"
    message["Subject"] = "bench"
    message.set_content("Hello.")
    signed = sign_accepted(sandbox.outbox.add(message, via="api"))

    async def verify() -> None:
        resolver = Resolver(settings.nameservers, timeout=5.0)
        verdicts = await verify_message(signed, resolver=resolver)
        assert verdicts[0].result == "pass", verdicts
        await fetch_policy(str(settings.sender_from).rpartition("@")[2], resolver=resolver)

    begin = time.perf_counter()
    asyncio.run(verify())
    return time.perf_counter() - begin


if __name__ == "__main__":
    sys.exit(main())
