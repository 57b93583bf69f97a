"""SpamAssassin's score for a message: a spamd on loopback, the aiospamc client, the report parsed.

:class:`SpamdServer` starts Debian's ``spamd`` on 127.0.0.1 and a free port with the network rules
off (``--local``: no DNS blocklists, Razor or Pyzor) and Bayes off, so the same message scores the
same offline, on every run. :func:`score_message` asks any spamd (``REPORT``) and
:func:`parse_spam_report` reads the rule table of its answer. aiospamc comes with the ``spam``
extra and is imported only when a message is scored.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from pytest_sender.errors import MissingExtraError, ParseError, SandboxError, TransportError

__all__ = ["RuleHit", "SpamScore", "SpamdServer", "find_spamd", "parse_spam_report", "score_message"]

#: The site configuration of a spamd we start: deterministic and offline.
OFFLINE_LOCAL_CF = """\
# pytest-sender: a deterministic, offline score
use_bayes 0
bayes_auto_learn 0
skip_rbl_checks 1
required_score 5.0
"""
_RULE_LINE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s+([A-Z0-9_]+)\s+(.*)$")
_SPAMD_PATHS = ("/usr/sbin/spamd", "/usr/bin/spamd")
_START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class RuleHit:
    name: str
    points: float
    description: str


@dataclass(frozen=True)
class SpamScore:
    score: float
    threshold: float
    is_spam: bool
    rules: tuple[RuleHit, ...]

    def scoring_rules(self) -> tuple[RuleHit, ...]:
        """The rules that moved the score, largest first."""
        return tuple(sorted((r for r in self.rules if r.points != 0), key=lambda r: -r.points))


def parse_spam_report(report: str) -> tuple[RuleHit, ...]:
    """The rule table of a spamd REPORT answer (``pts rule name description``); continuation
    lines of a long description are joined to their rule."""
    lines = report.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("----")), None)
    if start is None:
        raise ParseError("the spamd report has no rule table")
    hits: list[RuleHit] = []
    for line in lines[start + 1 :]:
        if not line.strip():
            continue
        match = _RULE_LINE.match(line)
        if match:
            try:
                points = float(match.group(1))
            except ValueError as exc:  # pragma: no cover - the pattern admits only ASCII digits
                raise ParseError(f"unreadable points in {line!r}") from exc
            hits.append(RuleHit(match.group(2), points, match.group(3).strip()))
        elif hits and line[:1].isspace():
            last = hits[-1]
            hits[-1] = RuleHit(last.name, last.points, f"{last.description} {line.strip()}".strip())
        else:
            raise ParseError(f"unexpected line in the spamd rule table: {line[:80]!r}")
    return tuple(hits)


async def score_message(raw: bytes, *, host: str, port: int, timeout: float = 30.0) -> SpamScore:
    """Ask spamd at ``host``:``port`` to score ``raw``; :class:`TransportError` when it cannot answer."""
    try:
        import aiospamc
        from aiospamc.exceptions import AIOSpamcConnectionFailed, ClientException, TimeoutException
        from aiospamc.exceptions import ParseError as SpamcParseError
        from aiospamc.responses import ResponseException
    except ImportError as exc:
        raise MissingExtraError("the spam score", "spam") from exc
    try:
        response = await aiospamc.report(raw, host=host, port=port, timeout=aiospamc.Timeout(total=timeout))
    except (AIOSpamcConnectionFailed, TimeoutException, OSError, asyncio.TimeoutError) as exc:
        raise TransportError(f"spamd at {host}:{port} did not answer: {type(exc).__name__}") from exc
    except (ResponseException, ClientException, SpamcParseError) as exc:  # spamd's error answers
        raise TransportError(f"spamd at {host}:{port} answered with an error: {type(exc).__name__}: {exc}") from exc
    spam = response.headers.get("Spam")
    if spam is None:
        raise ParseError("the spamd answer has no Spam header")
    body = response.body.decode("utf-8", "replace") if isinstance(response.body, bytes) else str(response.body)
    return SpamScore(
        score=float(spam.score),
        threshold=float(spam.threshold),
        is_spam=bool(spam.value),
        rules=parse_spam_report(body),
    )


def find_spamd() -> str | None:
    """The spamd executable (Debian's ``spamd`` package), or None."""
    found = shutil.which("spamd")
    if found:
        return found
    return next((path for path in _SPAMD_PATHS if os.access(path, os.X_OK)), None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class SpamdServer:
    """A throwaway spamd on 127.0.0.1 with the offline configuration; a context manager."""

    def __init__(self, executable: str | None = None) -> None:
        self.executable = executable or find_spamd()
        self.host = "127.0.0.1"
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._directory: tempfile.TemporaryDirectory[str] | None = None

    def start(self) -> SpamdServer:
        if self.executable is None:
            raise SandboxError("spamd is not installed (Debian: apt-get install spamassassin spamd)")
        self._directory = tempfile.TemporaryDirectory(prefix="pytest-sender-spamd-")
        site = Path(self._directory.name)
        site.chmod(0o755)  # spamd drops to the 'nobody' user when started as root
        for pre in Path("/etc/spamassassin").glob("*.pre"):  # the plugin loaders every rule set needs
            shutil.copy(pre, site / pre.name)
        (site / "local.cf").write_text(OFFLINE_LOCAL_CF)
        self.port = _free_port()
        command = [
            self.executable,
            f"--listen={self.host}:{self.port}",
            "--local",
            "--nouser-config",
            "--max-children=1",
            f"--siteconfigpath={site}",
            f"--pidfile={site / 'spamd.pid'}",
            "--syslog=stderr",
        ]
        if os.geteuid() == 0:
            command.append("--username=nobody")
        log = (site / "spamd.log").open("wb")
        self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=site)
        log.close()
        self._wait_until_ready(site / "spamd.log")
        return self

    def _wait_until_ready(self, log: Path) -> None:
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                self.stop()
                raise SandboxError(f"spamd exited at start-up: {log.read_text(errors='replace')[-400:]}")
            if "server successfully spawned child process" in log.read_text(errors="replace"):
                return
            time.sleep(0.1)
        self.stop()
        raise SandboxError(f"spamd did not start within {_START_TIMEOUT_S:g} s")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._directory is not None:
            self._directory.cleanup()
            self._directory = None

    def __enter__(self) -> SpamdServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
