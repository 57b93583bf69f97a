"""Verify, don't only trust: the live smoke's own DKIM verification and DMARC alignment reading.

The receiving server's ``Authentication-Results`` header is its word. Beside it, the ``dkim``
aspect verifies every ``DKIM-Signature`` of the arrived message itself, with the keys the
configured resolver (``--sender-nameserver``, else the system's) finds, and reports both verdicts;
when they disagree (one passes, the other does not) that is its own finding, ``LIVE_DKIM_DISAGREE``.
The ``dmarc`` aspect reads the message's identifiers (From, each ``d=``, the Return-Path), the From
domain's DMARC record and explains alignment: which identifier aligned under which mode, or which
one must change.

:func:`evaluate_dkim` and :func:`alignment_lines` are pure; :func:`own_dkim_verdicts` and
:func:`alignment_evidence` do the DNS through the run's one resolver.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from pytest_sender.errors import ParseError
from pytest_sender.hints import make_finding
from pytest_sender.inbox.inspect import evaluate_authentication, parse_message

if TYPE_CHECKING:
    from pytest_sender.findings import Finding
    from pytest_sender.live.flow import Delivery
    from pytest_sender.mailauth.alignment import DmarcPolicy, Identifiers
    from pytest_sender.mailauth.signatures import DkimVerdict
    from pytest_sender.preflight.registry import CheckContext

__all__ = ["alignment_evidence", "alignment_lines", "evaluate_dkim", "overall", "own_dkim_verdicts"]

#: Codes of the receiver-side evaluation that leave nothing to compare.
_NOTHING_TO_COMPARE = {"LIVE_NOT_CHECKED", "LIVE_MESSAGE_UNPARSABLE", "LIVE_AUTH_UNPARSABLE"}


def overall(verdicts: tuple[DkimVerdict, ...]) -> str:
    """One DKIM result for a message: ``pass`` when any signature passed, else the first result."""
    if not verdicts:
        return "none"
    results = [v.result for v in verdicts]
    return "pass" if "pass" in results else results[0]


async def own_dkim_verdicts(context: CheckContext, delivery: Delivery) -> tuple[DkimVerdict, ...] | None:
    """Every signature of the arrived message verified with the configured resolver (once per send)."""
    if delivery.arrived is None:
        return None
    from pytest_sender.dns.checks import shared_resolver
    from pytest_sender.mailauth.signatures import verify_message

    raw = delivery.arrived.raw
    resolver = await shared_resolver(context)
    return await context.shared(("live:own-dkim", delivery.kind), lambda: verify_message(raw, resolver=resolver))


def _receiver_result(delivery: Delivery, method: str) -> str | None:
    if delivery.arrived is None:
        return None
    try:
        return evaluate_authentication(parse_message(delivery.arrived.raw)).result(method)
    except ParseError:
        return None


def evaluate_dkim(base: Finding, delivery: Delivery, ours: tuple[DkimVerdict, ...] | None) -> Finding:
    """The ``dkim`` aspect: the receiver's verdict (``base``) beside the project's own; a disagreement
    (one says pass, the other does not) is ``LIVE_DKIM_DISAGREE``. Pure."""
    if ours is None or base.code in _NOTHING_TO_COMPARE:
        return base
    lines = [f"our verification: {v.describe()}" for v in ours] or [
        "our verification: dkim=none: the message carries no DKIM-Signature"
    ]
    receiver = _receiver_result(delivery, "dkim")
    mine = overall(ours)
    if receiver is None or mine == "temperror" or (receiver == "pass") == (mine == "pass"):
        return replace(base, evidence=(*base.evidence, *lines))
    failing = next((v for v in ours if v.result != "pass"), None) if mine != "pass" else None
    return make_finding(
        base.check,
        base.target,
        "LIVE_DKIM_DISAGREE",
        receiver=receiver,
        ours=mine,
        key_name=(failing or ours[0]).key_name if ours else "the selector's key name",
        reason=failing.reason if failing else "every signature verified here",
        evidence=[*base.evidence, *lines],
    )


def alignment_lines(
    identifiers: Identifiers, policy: DmarcPolicy, *, spf_result: str | None, ours: tuple[DkimVerdict, ...]
) -> list[str]:
    """Evidence lines that explain DMARC alignment for the arrived message (pure)."""
    from pytest_sender.mailauth.alignment import evaluate_dmarc

    if not identifiers.from_domain:
        return ["alignment: the message has no From address to align with"]
    verdict = evaluate_dmarc(
        identifiers.from_domain,
        policy,
        spf_result=spf_result,
        spf_domain=identifiers.return_path_domain or None,
        dkim=ours,
    )
    where = f"_dmarc.{policy.policy_domain}" if policy.policy_domain else "no DMARC record"
    modes = f"adkim={verdict.adkim} aspf={verdict.aspf}"
    return [
        f"identifiers: From {identifiers.from_domain}; DKIM d={', '.join(identifiers.dkim_domains) or '(none)'}; "
        f"Return-Path {identifiers.return_path_domain or '(none)'}",
        f"our DMARC reading ({where}, {modes}): dmarc={verdict.result}, aligned: {verdict.aligned_by}",
        f"alignment: {verdict.explanation}",
    ]


async def alignment_evidence(context: CheckContext, delivery: Delivery, base: Finding) -> Finding:
    """The ``dmarc`` aspect's finding with the alignment explained in its evidence."""
    if delivery.arrived is None or base.code in _NOTHING_TO_COMPARE:
        return base
    from pytest_sender.dns.checks import shared_resolver
    from pytest_sender.mailauth.alignment import fetch_policy, message_identifiers

    identifiers = message_identifiers(delivery.arrived.raw)
    ours = await own_dkim_verdicts(context, delivery) or ()
    if not identifiers.from_domain:
        return replace(base, evidence=(*base.evidence, "alignment: the message has no From address to align with"))
    policy = await fetch_policy(identifiers.from_domain, resolver=await shared_resolver(context))
    lines = alignment_lines(identifiers, policy, spf_result=_receiver_result(delivery, "spf"), ours=ours)
    return replace(base, evidence=(*base.evidence, *lines))
