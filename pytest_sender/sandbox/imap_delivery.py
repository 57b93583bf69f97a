"""The sandbox's receiving side: accepted messages are signed, judged and delivered into a real IMAP mailbox.

Sender would sign an accepted message (DKIM, ``d=`` the From domain) and hand it to the recipient's
mail server, which checks SPF, DKIM and DMARC, writes its verdicts in an ``Authentication-Results``
header and files the message in INBOX or in Junk. :class:`ImapDelivery` plays both for the sandbox:
it subscribes to the sandbox :class:`~pytest_sender.sandbox.outbox.Outbox`, signs each message
addressed to the inbox's user (plus-addressing allowed; any other recipient is not its mailbox)
with :func:`~pytest_sender.sandbox.signing.sign_accepted`, computes the verdicts against the
sandbox DNS (:mod:`pytest_sender.sandbox.receiver`) and APPENDs it into INBOX or into the folder the
server advertises as ``\\Junk``.

It delivers only after :meth:`ImapDelivery.attach` names the mailbox and the DNS to ask: the live
smoke attaches the inbox and the nameservers from the settings, so ``pytest --sender-live
--sender-sandbox`` runs the whole flow against any IMAP server (the sandbox's own Dovecot, or
``--sender-inbox``). Delivery runs in a thread of its own, so the API or relay that accepted the
message answers without waiting for DNS or IMAP.

The verdicts are always computed; a :class:`DeliveryPlan` only forces where the message goes
(a folder, or a loss) and how long delivery takes, for tests.
"""

from __future__ import annotations

import asyncio
import itertools
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pytest_sender.errors import SandboxError, SenderError
from pytest_sender.sandbox.receiver import AUTHSERV_ID

if TYPE_CHECKING:
    from pytest_sender.inbox.client import InboxTarget
    from pytest_sender.sandbox.outbox import Outbox, OutboxMessage
    from pytest_sender.sandbox.receiver import ReceivedVerdicts
    from pytest_sender.settings import Nameserver

__all__ = [
    "AUTO",
    "HEALTHY_PLAN",
    "DeliveryPlan",
    "ImapDelivery",
    "ImapDeliveryComponent",
]

#: The plan's folder when the receiver's verdicts decide (see ``receiver.placement``).
AUTO = "auto"


@dataclass(frozen=True)
class DeliveryPlan:
    """What tests may force about delivery (never the verdicts: those are computed).

    ``folder``: ``"auto"`` (the receiver's verdicts decide), ``"inbox"``, ``"junk"`` or ``"drop"``
    (never delivered: the "lost mail" case); ``delay_s``: time between acceptance and delivery.
    """

    folder: str = AUTO
    delay_s: float = 0.0
    authserv_id: str = AUTHSERV_ID

    def __post_init__(self) -> None:
        if self.folder not in (AUTO, "inbox", "junk", "drop"):
            raise SandboxError(f"a delivery folder is 'auto', 'inbox', 'junk' or 'drop', not {self.folder!r}")


HEALTHY_PLAN = DeliveryPlan()


@dataclass
class _Log:
    delivered: list[tuple[str, str]] = field(default_factory=list)  # (folder, subject)
    #: (subject, the receiver's verdicts) of every message judged, delivered or refused
    verdicts: list[tuple[str, ReceivedVerdicts]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (subject, why)
    errors: list[str] = field(default_factory=list)


class ImapDelivery:
    """Delivers the outbox's messages for the attached inbox into its IMAP mailbox."""

    def __init__(self, outbox: Outbox, plan: DeliveryPlan = HEALTHY_PLAN) -> None:
        self.outbox = outbox
        self.plan = plan
        self.log = _Log()
        self._target: InboxTarget | None = None
        self._nameservers: tuple[Nameserver, ...] = ()
        self._timeout = 5.0
        self._ids = itertools.count(1)
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

    def attach(self, target: InboxTarget, nameservers: Sequence[Nameserver] = (), *, timeout: float = 5.0) -> None:
        """Deliver from now on into ``target``'s mailbox (messages accepted before are not delivered),
        judging each message with the DNS of ``nameservers`` (the sandbox's, in sandbox mode)."""
        with self._lock:
            self._target = target
            self._nameservers = tuple(nameservers)
            self._timeout = timeout

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

    def judge(self, record: OutboxMessage) -> tuple[bytes, ReceivedVerdicts]:
        """Sign ``record`` as Sender would and compute the receiver's verdicts on it (blocking)."""
        from pytest_sender.dns.query import Resolver
        from pytest_sender.sandbox.receiver import compute_verdicts
        from pytest_sender.sandbox.signing import from_domain, sign_accepted

        with self._lock:
            nameservers, timeout = self._nameservers, self._timeout
        signed = sign_accepted(record)
        verdicts = asyncio.run(
            compute_verdicts(
                signed,
                envelope_from=record.envelope_from,
                header_from=from_domain(record),
                resolver=Resolver(nameservers, timeout=timeout),
            )
        )
        return signed, verdicts

    def _deliver(self, record: OutboxMessage) -> None:
        from pytest_sender.inbox.client import INBOX, connect_inbox, require_imapclient
        from pytest_sender.sandbox.receiver import delivered_bytes, placement

        with self._lock:
            target = self._target
        if target is None:
            return
        imapclient = require_imapclient()
        try:
            signed, verdicts = self.judge(record)
            self.log.verdicts.append((record.subject, verdicts))
            where = placement(verdicts) if self.plan.folder == AUTO else self.plan.folder
            if where == "drop":
                self.log.skipped.append((record.subject, f"refused by the receiver: dmarc={verdicts.dmarc.result}"))
                return
            recipient = next(iter(record.to), target.address.user)
            raw = delivered_bytes(signed, verdicts, recipient=recipient, queue_id=f"sbx{next(self._ids):06d}")
            with connect_inbox(target) as client:
                folder = INBOX
                if where == "junk":
                    found = client.find_special_folder(imapclient.imapclient.JUNK)
                    if not found:
                        raise SandboxError(f"{target.address} advertises no \\Junk folder (SPECIAL-USE)")
                    folder = str(found)
                client.append(folder, raw)
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
        # Both scenarios judge every message; "broken" differs in the DNS it is judged against.
        self.delivery = ImapDelivery(self.outbox, HEALTHY_PLAN).start()

    def stop(self) -> None:
        if self.delivery is not None:
            self.delivery.stop()
            self.delivery = None

    def settings_overrides(self) -> dict[str, Any]:
        # The sandbox knows only its own templates: a live template send in sandbox mode uses its
        # default one (which has a {{ name }} placeholder the live send fills in).
        from pytest_sender.sandbox.api_server import DEFAULT_TEMPLATES

        return {"template_id": DEFAULT_TEMPLATES[0].id}
