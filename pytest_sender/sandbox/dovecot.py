"""A throwaway Dovecot (IMAPS on a free loopback port): the sandbox's own inbox for the live smoke.

:func:`start_dovecot` writes a private configuration into a temporary directory: IMAPS only, a
certificate issued at run time by the sandbox CA (:mod:`pytest_sender.sandbox.tls`), one
``passwd-file`` user with a random password, and a mailbox with INBOX plus a ``Junk`` folder
advertised through SPECIAL-USE. Dovecot's login process refuses to run as root, so it runs as the
package's ``dovenull``/``dovecot`` users, and the mail directory and the passwd-file user belong to
``dovecot``.

:class:`DovecotInboxComponent` is the component ``--sender-live --sender-sandbox`` adds when no
``--sender-inbox`` is given: the live flow then sends to, and reads from, this mailbox. Where
Dovecot cannot run (:func:`dovecot_skip_reason`), it starts nothing and the live items skip with
``LIVE_SANDBOX_NO_INBOX``, naming ``apt-get install dovecot-imapd`` and ``--sender-inbox``.
The tests' Dovecot fixtures (``tests/helpers/dovecot.py``) use the same code.
"""

from __future__ import annotations

import grp
import os
import pwd
import secrets
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_sender.errors import SandboxError
from pytest_sender.settings import InboxAddress, Secret

if TYPE_CHECKING:
    from pytest_sender.sandbox.tls import SandboxTls

__all__ = [
    "DOVEADM",
    "DOVECOT",
    "INBOX_USER",
    "SKIP_REASON",
    "DovecotInboxComponent",
    "RunningDovecot",
    "dovecot_skip_reason",
    "free_tcp_port",
    "start_dovecot",
]

DOVECOT = shutil.which("dovecot") or next(
    (str(p) for p in (Path("/usr/sbin/dovecot"), Path("/usr/local/sbin/dovecot")) if p.exists()), None
)
DOVEADM = shutil.which("doveadm") or next(
    (str(p) for p in (Path("/usr/bin/doveadm"), Path("/usr/local/bin/doveadm")) if p.exists()), None
)
SKIP_REASON = "dovecot is not installed (Debian package 'dovecot-imapd': apt-get install dovecot-imapd)"
INBOX_USER = "qa@inbox.test"
START_TIMEOUT_S = 10.0


def _mail_user() -> tuple[int, int] | None:
    """The uid/gid Dovecot's mail processes run as: the package's ``dovecot`` user."""
    try:
        return pwd.getpwnam("dovecot").pw_uid, grp.getgrnam("dovecot").gr_gid
    except KeyError:
        return None


def dovecot_skip_reason() -> str | None:
    """Why Dovecot cannot run here, or ``None``."""
    if DOVECOT is None or DOVEADM is None:
        return SKIP_REASON
    if os.geteuid() != 0:
        return "dovecot needs root here to switch to its dovenull/dovecot users"
    if _mail_user() is None or not _has_user("dovenull"):
        return "the dovecot/dovenull users are missing (install the Debian package 'dovecot-imapd')"
    return None


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def free_tcp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningDovecot:
    """A running Dovecot: where it listens, its one user, and the CA its certificate chains to."""

    port: int
    user: str
    password: str
    ca_pem: str
    ca_path: Path
    workdir: Path
    config: Path
    host: str = "127.0.0.1"
    ca: object = field(default=None, repr=False)  # the trustme.CA that issued the certificate

    @property
    def address(self) -> InboxAddress:
        return InboxAddress(self.user, self.host, self.port)

    @property
    def secret(self) -> Secret:
        return Secret(self.password)

    @property
    def url(self) -> str:
        return f"imaps://{self.user}@{self.host}:{self.port}"

    def client_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts this server's CA."""
        return ssl.create_default_context(cadata=self.ca_pem)

    def log(self) -> str:
        path = self.workdir / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _config(workdir: Path, port: int, capabilities: str | None) -> str:
    lines = [
        f"base_dir = {workdir / 'run'}",
        f"state_dir = {workdir / 'state'}",
        f"log_path = {workdir / 'dovecot.log'}",
        "protocols = imap",
        "listen = 127.0.0.1",
        "default_login_user = dovenull",
        "default_internal_user = dovecot",
        "first_valid_uid = 1",
        "first_valid_gid = 1",
        "ssl = required",
        f"ssl_cert = <{workdir / 'cert.pem'}",
        f"ssl_key = <{workdir / 'key.pem'}",
        "auth_mechanisms = plain login",
        "auth_failure_delay = 0",  # a wrong-password test should not wait 2 s
        "mail_location = maildir:~/Maildir",
        "passdb {",
        "  driver = passwd-file",
        f"  args = scheme=PLAIN {workdir / 'passwd'}",
        "}",
        "userdb {",
        "  driver = passwd-file",
        f"  args = {workdir / 'passwd'}",
        "}",
        "namespace inbox {",
        "  inbox = yes",
        "  separator = /",
        "  mailbox Junk {",
        "    special_use = \\Junk",
        "    auto = create",
        "  }",
        "}",
        "service imap-login {",
        "  inet_listener imap {",
        "    port = 0",
        "  }",
        "  inet_listener imaps {",
        f"    port = {port}",
        "    ssl = yes",
        "  }",
        "}",
        # Several watchers per test (one per folder, several sends) from 127.0.0.1.
        "mail_max_userip_connections = 50",
    ]
    if capabilities is not None:
        lines.append(f"imap_capability = {capabilities}")  # what is advertised after login
    return "\n".join(lines) + "\n"


def _wait_listening(port: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.05)
    return False


@contextmanager
def start_dovecot(
    user: str = INBOX_USER, *, capabilities: str | None = None, tls: SandboxTls | None = None
) -> Iterator[RunningDovecot]:
    """Start Dovecot on a free loopback port; stop it and remove its files on exit.

    ``capabilities`` replaces what the server advertises after login (e.g. to leave IDLE out);
    ``tls`` is the sandbox CA that issues its certificate (a fresh one by default). Raises
    :class:`SandboxError` when Dovecot cannot run here or does not start."""
    from pytest_sender.sandbox.tls import make_sandbox_tls

    reason = dovecot_skip_reason()
    if reason is not None:
        raise SandboxError(reason)
    ids = _mail_user()
    assert ids is not None
    assert DOVECOT is not None
    assert DOVEADM is not None
    uid, gid = ids
    # The mail processes run as "dovecot": every directory on the way must be traversable.
    workdir = Path(tempfile.mkdtemp(prefix="pytest-sender-dovecot-"))
    workdir.chmod(0o755)
    for name in ("run", "state"):
        (workdir / name).mkdir()
    home = workdir / "home"
    home.mkdir()
    os.chown(home, uid, gid)
    sandbox_tls = tls or make_sandbox_tls()
    ca = sandbox_tls.ca
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert.private_key_pem.write_to_path(str(workdir / "key.pem"))
    cert.cert_chain_pems[0].write_to_path(str(workdir / "cert.pem"))
    ca_path = workdir / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    password = secrets.token_urlsafe(12)
    (workdir / "passwd").write_text(f"{user}:{{PLAIN}}{password}:{uid}:{gid}::{home}\n")
    port = free_tcp_port()
    config = workdir / "dovecot.conf"
    config.write_text(_config(workdir, port, capabilities))
    server = RunningDovecot(
        port=port,
        user=user,
        password=password,
        ca_pem=sandbox_tls.ca_pem,
        ca_path=ca_path,
        workdir=workdir,
        config=config,
        ca=ca,
    )
    try:
        # Dovecot daemonizes and its children keep stdout/stderr open: read errors from a file, not a pipe.
        errors = workdir / "start.err"
        with errors.open("wb") as err:
            started = subprocess.run(
                [DOVECOT, "-c", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                check=False,
                timeout=START_TIMEOUT_S,
            )
        if started.returncode != 0:
            raise SandboxError(f"dovecot did not start: {errors.read_text().strip()}\n{server.log()}")
        if not _wait_listening(port, time.monotonic() + START_TIMEOUT_S):
            raise SandboxError(f"dovecot did not listen on 127.0.0.1:{port}\n{server.log()}")
        yield server
    finally:
        _stop_in_background(config, workdir)


def _stop_in_background(config: Path, workdir: Path) -> None:
    """Stop Dovecot and remove its files without waiting: its master takes about 2.5 s to wind down,
    which the tests need not sit through. The stopper is its own process, so it finishes even when
    pytest has exited; the port and directory are never reused."""
    script = 'doveadm -c "$1" stop; while [ -e "$2/run/master.pid" ]; do sleep 0.1; done; rm -rf "$2"'
    assert DOVEADM is not None
    env = {**os.environ, "PATH": f"{Path(DOVEADM).parent}:{os.environ.get('PATH', '')}"}
    subprocess.Popen(
        ["/bin/sh", "-c", script, "stop-dovecot", str(config), str(workdir)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


#: The domain of the sandbox inbox's users.
SANDBOX_INBOX_DOMAIN = "inbox.sandbox.test"


class DovecotInboxComponent:
    """The sandbox's own inbox (``--sender-live --sender-sandbox`` without ``--sender-inbox``).

    Starts Dovecot with a random user and password and points the live settings at it (inbox,
    password, recipient); when Dovecot cannot run here it starts nothing and says why through
    ``unavailable_reason``, so the live items skip with one reason.
    """

    def __init__(self) -> None:
        self.server: RunningDovecot | None = None
        self.unavailable: str | None = None
        self._stack: ExitStack | None = None

    def start(self, scenario: str) -> None:
        self.unavailable = dovecot_skip_reason()
        if self.unavailable is not None:
            return
        user = f"qa-{secrets.token_hex(4)}@{SANDBOX_INBOX_DOMAIN}"
        self._stack = ExitStack()
        self.server = self._stack.enter_context(start_dovecot(user))

    def stop(self) -> None:
        if self._stack is not None:
            self._stack.close()
            self._stack = None
            self.server = None

    def settings_overrides(self) -> dict[str, Any]:
        if self.server is None:
            return {}
        return {
            "inbox": self.server.address,
            "inbox_password": self.server.secret,
            "recipient": self.server.user,
        }

    @property
    def ca_pem(self) -> str | None:
        """The CA the inbox's certificate chains to (the live smoke's IMAP connections trust it)."""
        return self.server.ca_pem if self.server is not None else None

    @property
    def unavailable_reason(self) -> str | None:
        """Why there is no inbox (``None`` once Dovecot runs)."""
        if self.server is not None:
            return None
        return self.unavailable or "the sandbox inbox is not started"
