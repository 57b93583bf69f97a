"""The sandbox's receiving side: accepted messages are "delivered" into a real IMAP mailbox.

Sender would hand an accepted message to the recipient's mail server, which checks SPF, DKIM and
DMARC, writes its verdicts in an ``Authentication-Results`` header and files the message in INBOX
or in Junk. :class:`ImapDelivery` plays that server for the sandbox: it subscribes to the sandbox
:class:`~pytest_sender.sandbox.outbox.Outbox` and APPENDs each message addressed to the inbox's
user (plus-addressing allowed; any other recipient is not its mailbox) into INBOX or into the folder
the server advertises as ``\\Junk``, with the verdicts of its :class:`DeliveryPlan` on top.

It delivers only after :meth:`ImapDelivery.attach` names the mailbox: the live smoke attaches the
inbox from the settings (``--sender-inbox``), so ``pytest --sender-live --sender-sandbox`` runs the
whole flow against any IMAP server, a local Dovecot in the tests. Delivery runs in a thread of its
own, so the API or relay that accepted the message answers without waiting for IMAP.

Scenarios: ``healthy`` files everything in INBOX with spf, dkim and dmarc ``pass``; ``broken`` files
it in Junk with ``spf=softfail dkim=fail dmarc=fail``.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from typing import TYPE_CHECKING, Any

from pytest_sender.errors import SandboxError, SenderError

if TYPE_CHECKING:
    from pytest_sender.inbox.client import InboxTarget
    from pytest_sender.sandbox.outbox import Outbox, OutboxMessage

__all__ = [
    "BROKEN_PLAN",
    "HEALTHY_PLAN",
    "DeliveryPlan",
    "ImapDelivery",
    "ImapDeliveryComponent",
    "authentication_results",
    "delivered_bytes",
]

AUTHSERV_ID = "mx.sandbox.localhost"


@dataclass(frozen=True)
class DeliveryPlan:
    """How the sandbox's receiving server treats each message.

    ``folder``: ``"inbox"``, ``"junk"`` or ``"drop"`` (never delivered: the "lost mail" case);
    ``spf``/``dkim``/``dmarc``: the verdicts written into Authentication-Results (``None`` leaves the
    method out); ``delay_s``: time between acceptance and delivery.
    """

    folder: str = "inbox"
    spf: str | None = "pass"
    dkim: str | None = "pass"
    dmarc: str | None = "pass"
    delay_s: float = 0.0
    authserv_id: str = AUTHSERV_ID

    def __post_init__(self) -> None:
        if self.folder not in ("inbox", "junk", "drop"):
            raise SandboxError(f"a delivery folder is 'inbox', 'junk' or 'drop', not {self.folder!r}")


HEALTHY_PLAN = DeliveryPlan()
BROKEN_PLAN = DeliveryPlan(folder="junk", spf="softfail", dkim="fail", dmarc="fail")
PLANS = {"healthy": HEALTHY_PLAN, "broken": BROKEN_PLAN}


def _domain(address: str | None) -> str:
    return (address or "").rpartition("@")[2].strip("<> ").lower() or "sandbox.invalid"


def authentication_results(record: OutboxMessage, plan: DeliveryPlan) -> str:
    """The Authentication-Results value the plan's verdicts make for ``record`` (RFC 8601)."""
    from email.utils import getaddresses

    senders = [addr for _, addr in getaddresses([str(v) for v in record.message.get_all("From", [])]) if addr]
    header_from = _domain(senders[0] if senders else None)
    mail_from = record.envelope_from or (senders[0] if senders else f"bounce@{header_from}")
    parts = [plan.authserv_id]
    if plan.spf is not None:
        parts.append(f"spf={plan.spf} smtp.mailfrom={mail_from}")
    if plan.dkim is not None:
        parts.append(f"dkim={plan.dkim} header.d={header_from}")
    if plan.dmarc is not None:
        parts.append(f"dmarc={plan.dmarc} header.from={header_from}")
    if len(parts) == 1:
        parts.append("none")
    return "; ".join(parts)


def delivered_bytes(record: OutboxMessage, plan: DeliveryPlan) -> bytes:
    """The message as the receiving server stores it: its verdicts on top, CRLF line ends."""
    body = record.message.as_bytes(policy=policy.SMTP)
    header = f"Authentication-Results: {authentication_results(record, plan)}\r\n".encode()
    return header + body


@dataclass
class _Log:
    delivered: list[tuple[str, str]] = field(default_factory=list)  # (folder, subject)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (subject, why)
    errors: list[str] = field(default_factory=list)


class ImapDelivery:
    """Delivers the outbox's messages for the attached inbox into its IMAP mailbox."""

    def __init__(self, outbox: Outbox, plan: DeliveryPlan = HEALTHY_PLAN) -> None:
        self.outbox = outbox
        self.plan = plan
        self.log = _Log()
        self._target: InboxTarget | None = None
        self._queue: queue.Queue[OutboxMessage | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()

    def start(self) -> ImapDelivery:
        self._unsubscribe = self.outbox.subscribe(self._accepted)
        self._thread = threading.Thread(target=self._work, name="pytest-sender-imap-delivery", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(10.0)
            self._thread = None

    def attach(self, target: InboxTarget) -> None:
        """Deliver from now on into ``target``'s mailbox (messages accepted before are not delivered)."""
        with self._lock:
            self._target = target

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until every queued message is delivered (for tests)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._queue.unfinished_tasks == 0:
                return True
            time.sleep(0.01)
        return False

    def _accepted(self, record: OutboxMessage) -> None:
        from pytest_sender.inbox.inspect import recipient_matches_inbox

        with self._lock:
            target = self._target
        if target is None:
            self.log.skipped.append((record.subject, "no inbox attached"))
            return
        if not any(recipient_matches_inbox(address, target.address.user) for address in record.to):
            self.log.skipped.append((record.subject, f"not addressed to {target.address.user}"))
            return
        if self.plan.folder == "drop":
            self.log.skipped.append((record.subject, "dropped (the plan loses it)"))
            return
        self._queue.put(record)

    def _work(self) -> None:
        while True:
            record = self._queue.get()
            try:
                if record is None:
                    return
                if self.plan.delay_s:
                    time.sleep(self.plan.delay_s)
                self._deliver(record)
            finally:
                self._queue.task_done()

    def _deliver(self, record: OutboxMessage) -> None:
        from pytest_sender.inbox.client import INBOX, connect_inbox, require_imapclient

        with self._lock:
            target = self._target
        if target is None:
            return
        imapclient = require_imapclient()
        try:
            with connect_inbox(target) as client:
                folder = INBOX
                if self.plan.folder == "junk":
                    found = client.find_special_folder(imapclient.imapclient.JUNK)
                    if not found:
                        raise SandboxError(f"{target.address} advertises no \\Junk folder (SPECIAL-USE)")
                    folder = str(found)
                client.append(folder, delivered_bytes(record, self.plan))
            self.log.delivered.append((folder, record.subject))
        except (SenderError, OSError, imapclient.exceptions.IMAPClientError) as exc:
            # Like a receiving server's failure: the message is not delivered; the live smoke sees
            # it as "did not arrive", and the error is kept here for the test's evidence.
            self.log.errors.append(f"{record.subject}: {type(exc).__name__}: {exc}")


class ImapDeliveryComponent:
    """The delivery as a component of the embedded sandbox (``--sender-sandbox``).

    It delivers nothing until the live smoke attaches the inbox: :attr:`delivery` is the run's
    ``RunParts.imap_delivery``.
    """

    def __init__(self) -> None:
        from pytest_sender.sandbox.outbox import Outbox

        self.outbox: Outbox = Outbox()
        self.delivery: ImapDelivery | None = None

    def start(self, scenario: str) -> None:
        self.delivery = ImapDelivery(self.outbox, PLANS.get(scenario, HEALTHY_PLAN)).start()

    def stop(self) -> None:
        if self.delivery is not None:
            self.delivery.stop()
            self.delivery = None

    def settings_overrides(self) -> dict[str, Any]:
        # The sandbox knows only its own templates: a live template send in sandbox mode uses its
        # default one (which has a {{ name }} placeholder the live send fills in).
        from pytest_sender.sandbox.api_server import DEFAULT_TEMPLATES

        return {"template_id": DEFAULT_TEMPLATES[0].id}
