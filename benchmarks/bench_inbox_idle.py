"""Time from a message landing in the mailbox to the live smoke's inbox client seeing it.

Starts Dovecot on loopback (as the tests do: IMAPS, INBOX + Junk, Debian package ``dovecot-imapd``),
then for each run: :func:`pytest_sender.inbox.client.wait_for_message` watches INBOX and Junk for a
fresh run token; once its watchers are settled, another connection APPENDs the message (into INBOX,
or Junk on odd runs). The figure is the time from the end of the APPEND (the server has stored the
message) to the moment the client has it (fetched, before deletion). Run with IDLE (the default
where offered) and, for comparison, with polling (the client's default backoff, first search after
0.25 s, doubling to 5 s).

Usage (root is needed for Dovecot's privilege separation, as in the tests)::

    .venv/bin/python benchmarks/bench_inbox_idle.py [--runs 15] [--settle 0.5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pytest_sender.inbox.client import InboxTarget, wait_for_message  # noqa: E402
from tests.helpers.dovecot import (  # noqa: E402
    RunningDovecot,
    append_message,
    dovecot_skip_reason,
    make_test_message,
    start_dovecot,
)


def measure_once(server: RunningDovecot, run: int, *, use_idle: bool | None, settle: float) -> float:
    token = f"bench-{run}-{time.monotonic_ns()}"
    target = InboxTarget(server.address, server.secret, ssl_context=server.client_context(), timeout=5.0)
    result: list[float] = []

    def watch() -> None:
        arrived = wait_for_message(target, token, timeout=30.0, folders=("INBOX", "Junk"), use_idle=use_idle)
        if arrived is None:
            raise RuntimeError("the message was not seen within 30 s")
        result.append(arrived.found_monotonic)

    watcher = threading.Thread(target=watch)
    watcher.start()
    time.sleep(settle)  # let both watchers log in, search once and enter IDLE (or their first wait)
    append_message(server, "Junk" if run % 2 else "INBOX", make_test_message(token))
    landed = time.monotonic()
    watcher.join()
    if not result:
        raise RuntimeError("the watcher failed")
    return result[0] - landed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--settle", type=float, default=0.5, help="seconds between starting the wait and APPEND")
    args = parser.parse_args()
    reason = dovecot_skip_reason()
    if reason is not None:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    with start_dovecot() as server:
        for label, use_idle in (("IDLE", None), ("polling (no IDLE)", False)):
            samples = [measure_once(server, run, use_idle=use_idle, settle=args.settle) for run in range(args.runs)]
            print(
                f"{label:18} landing -> detection: median {statistics.median(samples) * 1000:7.1f} ms, "
                f"min {min(samples) * 1000:7.1f} ms, max {max(samples) * 1000:7.1f} ms ({args.runs} runs)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
