"""The ``live.*`` checks: one test item per aspect of each live send.

Why one item per aspect (``live.api-send.arrived``, ``.placement``, ``.spf``, ``.dkim``, ``.dmarc``,
``.placeholders``, ``.as-sent``) rather than one item per send: the summary table then shows which
aspect broke with its own code and fix line (a message can arrive, in INBOX, and still fail DKIM),
and ``-k dkim`` selects exactly that. The aspects of one kind share one send and one wait through
``CheckContext.shared``, so selecting several costs one send.

``live.template-send.*`` exists only when a template id is set, ``live.smtp-send.*`` only when SMTP
credentials are set; ``live.api-send.*`` always, skipping with the settings to set when the live
smoke is not configured. The evaluations are pure functions over a
:class:`~pytest_sender.live.flow.Delivery`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from pytest_sender.errors import ParseError
from pytest_sender.findings import Finding
from pytest_sender.hints import make_finding
from pytest_sender.inbox.client import RUN_HEADER
from pytest_sender.inbox.inspect import (
    DeliveredMessage,
    evaluate_authentication,
    message_placeholders,
    parse_message,
    same_address,
)
from pytest_sender.live.flow import API_SEND, SMTP_SEND, TEMPLATE_SEND, Delivery, deliver, live_recipient
from pytest_sender.live.logged import LOGGED_CHECKS
from pytest_sender.live.readiness import missing_settings, not_configured
from pytest_sender.live.verify import alignment_evidence, evaluate_dkim, own_dkim_verdicts
from pytest_sender.preflight.registry import NOT_CONFIGURED_TARGET, CheckContext, CheckFunction, CheckSpec
from pytest_sender.settings import Settings

__all__ = [
    "ASPECTS",
    "CHECKS",
    "evaluate_arrival",
    "evaluate_as_sent",
    "evaluate_auth",
    "evaluate_content",
    "evaluate_placeholders",
    "evaluate_placement",
    "missing_settings",
    "not_configured",
    "score_arrived",
]

ASPECTS = ("arrived", "placement", "spf", "dkim", "dmarc", "placeholders", "as-sent", "content", "spam-score")
#: The checks keep their own deadlines (the network timeout for the send, ``live_timeout`` for the
#: wait); the runner's budget only has to stay out of their way.
BUDGET_FACTOR = 1000.0


def _targets(kind: str) -> Callable[[Settings], list[str]]:
    def targets(settings: Settings) -> list[str]:
        if kind == TEMPLATE_SEND and settings.template_id is None:
            return []
        if kind == SMTP_SEND and settings.smtp_username is None:
            return []
        if missing_settings(settings, kind):
            return [NOT_CONFIGURED_TARGET]
        return [live_recipient(settings) or NOT_CONFIGURED_TARGET]

    return targets


# --- evaluations (pure) -----------------------------------------------------------------------------


def _not_checked(check: str, target: str, delivery: Delivery) -> Finding:
    reason = f"no message to inspect (see live.{delivery.kind}.arrived)"
    return make_finding(check, target, "LIVE_NOT_CHECKED", reason=reason)


def evaluate_arrival(delivery: Delivery, check: str, target: str) -> Finding:
    if delivery.problem is not None:
        return replace(delivery.problem, check=check, target=target)
    sent, arrived = delivery.sent, delivery.arrived
    assert sent is not None
    evidence = [*sent.evidence, f"run token: {sent.token} (in the subject and the {RUN_HEADER} header)"]
    if arrived is None:
        evidence.append(f"searched: {', '.join(delivery.folders)} for {delivery.timeout:g} s")
        return make_finding(
            check,
            target,
            "LIVE_NOT_ARRIVED",
            kind=delivery.kind,
            folders=" and ".join(delivery.folders),
            timeout=f"{delivery.timeout:g}",
            recipient=delivery.recipient,
            evidence=evidence,
        )
    latency = delivery.latency_s or 0.0
    evidence += [
        f"folder: {arrived.folder}",
        f"delivery latency: {latency:.3f} s (from the send to the message seen in the inbox)",
        f"seen through: {'IDLE' if arrived.via_idle else 'search'}",
    ]
    if arrived.internal_date is not None:
        evidence.append(f"server arrival time (INTERNALDATE): {arrived.internal_date.isoformat()}")
    evidence.append("deleted after checking" if arrived.deleted else "kept in the inbox (live_keep)")
    return make_finding(
        check,
        target,
        "LIVE_ARRIVED",
        kind=delivery.kind,
        folder=arrived.folder,
        latency=f"{latency:.2f}",
        evidence=evidence,
    )


def _parsed(delivery: Delivery, check: str, target: str) -> DeliveredMessage | Finding:
    if delivery.arrived is None:
        return _not_checked(check, target, delivery)
    try:
        return parse_message(delivery.arrived.raw)
    except ParseError as exc:
        return make_finding(check, target, "LIVE_MESSAGE_UNPARSABLE", reason=str(exc))


def _from_domain(delivery: Delivery, message: DeliveredMessage) -> str:
    address = message.from_address or (delivery.sent.from_address if delivery.sent else None) or ""
    return address.rpartition("@")[2].lower() or "your sending domain"


def evaluate_placement(delivery: Delivery, check: str, target: str) -> Finding:
    message = _parsed(delivery, check, target)
    if isinstance(message, Finding):
        return message
    assert delivery.arrived is not None
    evidence = [f"folder: {delivery.arrived.folder}", f"spam folder (SPECIAL-USE \\Junk): {delivery.junk_folder}"]
    if delivery.arrived.is_junk(delivery.junk_folder):
        return make_finding(
            check,
            target,
            "LIVE_IN_JUNK",
            folder=delivery.arrived.folder,
            domain=_from_domain(delivery, message),
            evidence=evidence,
        )
    return make_finding(check, target, "LIVE_IN_INBOX", evidence=evidence)


def evaluate_auth(delivery: Delivery, method: str, check: str, target: str, settings: Settings) -> Finding:
    message = _parsed(delivery, check, target)
    if isinstance(message, Finding):
        return message
    headers = [f"Authentication-Results: {value}" for value in message.authentication_results]
    try:
        verdicts = evaluate_authentication(message)
    except ParseError as exc:
        return make_finding(check, target, "LIVE_AUTH_UNPARSABLE", reason=str(exc), evidence=headers[:1])
    evidence = headers[:1] or ["no Authentication-Results header"]
    result = verdicts.result(method)
    if result is None:
        return make_finding(check, target, "LIVE_AUTH_MISSING", method_upper=method.upper(), evidence=evidence)
    if result == "pass":
        return make_finding(
            check, target, "LIVE_AUTH_PASS", method_upper=method.upper(), result=result, evidence=evidence
        )
    return make_finding(
        check,
        target,
        f"LIVE_{method.upper()}_FAIL",
        result=result,
        domain=_from_domain(delivery, message),
        spf_include=settings.spf_include,
        selector=settings.dkim_selector,
        evidence=evidence,
    )


def evaluate_placeholders(delivery: Delivery, check: str, target: str) -> Finding:
    message = _parsed(delivery, check, target)
    if isinstance(message, Finding):
        return message
    found = message_placeholders(message)
    if not found:
        return make_finding(check, target, "LIVE_NO_PLACEHOLDERS", evidence=["searched: subject, text, html"])
    names = list(dict.fromkeys(p.name for p in found))
    example = ", ".join(f'"{name}": "…"' for name in names)
    return make_finding(
        check,
        target,
        "LIVE_PLACEHOLDER_LEFT",
        placeholders=", ".join(f"{p.part}: {p.text}" for p in found),
        names=", ".join(names),
        variables_example=example,
        evidence=[f"{p.part}: {p.text}" for p in found],
    )


def evaluate_as_sent(delivery: Delivery, check: str, target: str) -> Finding:
    message = _parsed(delivery, check, target)
    if isinstance(message, Finding):
        return message
    sent = delivery.sent
    assert sent is not None
    evidence = [f"sent to: {sent.recipient}", f"arrived To: {', '.join(message.to) or '(none)'}"]
    if sent.subject is not None:
        evidence[:0] = [f"sent subject: {sent.subject!r}", f"arrived subject: {message.subject!r}"]
        if message.subject != sent.subject:
            return make_finding(
                check, target, "LIVE_SUBJECT_CHANGED", sent=sent.subject, received=message.subject, evidence=evidence
            )
    else:
        evidence.insert(0, f"arrived subject: {message.subject!r} (set by the template)")
    if not any(same_address(address, sent.recipient) for address in message.to):
        return make_finding(
            check,
            target,
            "LIVE_RECIPIENT_CHANGED",
            recipient=sent.recipient,
            received=", ".join(message.to) or "no To address",
            evidence=evidence,
        )
    return make_finding(check, target, "LIVE_AS_SENT", evidence=evidence)


def evaluate_content(delivery: Delivery, check: str, target: str) -> Finding:
    """The content rules on the arrived message: the worst problem, every problem in the evidence."""
    from pytest_sender.content.message import parse_content
    from pytest_sender.content.rules import content_findings, summarise

    if delivery.arrived is None:
        return _not_checked(check, target, delivery)
    name = f"the {delivery.kind} message"
    try:
        content = parse_content(delivery.arrived.raw, name=name)
    except ParseError as exc:
        return make_finding(check, target, "LIVE_MESSAGE_UNPARSABLE", reason=str(exc))
    return replace(summarise(content_findings(content, check=check)), target=target)


async def score_arrived(context: CheckContext, delivery: Delivery, check: str, target: str) -> Finding:
    """SpamAssassin's offline score of the arrived message (skips without spamd, like content.spam-score)."""
    from pytest_sender.content.checks import evaluate_spam_score, score_messages

    if delivery.arrived is None:
        return _not_checked(check, target, delivery)
    scored = (await score_messages(context.settings, {target: delivery.arrived.raw}, check=check))[target]
    if isinstance(scored, Finding):
        return scored
    name = f"the {delivery.kind} message"
    return evaluate_spam_score(scored, context.settings.spam_score, target=target, check=check, name=name)


# --- the check specs ---------------------------------------------------------------------------------


def _aspect_check(kind: str, aspect: str) -> CheckFunction:
    """The registered check ``live.<kind>.<aspect>``: the kind's one shared send, judged for ``aspect``."""
    check = f"live.{kind}.{aspect}"

    async def check_live_aspect(context: CheckContext, target: str) -> Finding:
        missing = missing_settings(context.settings, kind)
        if missing:
            return not_configured(context, check, target, missing)
        delivery = await context.shared(("live:deliver", kind), lambda: deliver(context, kind))
        if aspect == "arrived":
            return evaluate_arrival(delivery, check, target)
        if aspect == "placement":
            return evaluate_placement(delivery, check, target)
        if aspect in ("spf", "dkim", "dmarc"):
            finding = evaluate_auth(delivery, aspect, check, target, context.settings)
            if aspect == "dkim":  # beside the receiver's word, our own verification (live/verify.py)
                return evaluate_dkim(finding, delivery, await own_dkim_verdicts(context, delivery))
            if aspect == "dmarc":
                return await alignment_evidence(context, delivery, finding)
            return finding
        if aspect == "placeholders":
            return evaluate_placeholders(delivery, check, target)
        if aspect == "content":
            return evaluate_content(delivery, check, target)
        if aspect == "spam-score":
            return await score_arrived(context, delivery, check, target)
        return evaluate_as_sent(delivery, check, target)

    return check_live_aspect


_DESCRIPTIONS = {
    "arrived": "the {what} reaches the inbox (delivery latency in the evidence)",
    "placement": "the {what} lands in INBOX, not in Junk",
    "spf": "the receiver's SPF verdict for the {what} is pass",
    "dkim": "the receiver's DKIM verdict for the {what} is pass, and our own verification agrees",
    "dmarc": "the receiver's DMARC verdict for the {what} is pass (alignment explained in the evidence)",
    "placeholders": "no {{{{ ... }}}} placeholders are left in the {what}",
    "as-sent": "the {what} arrives with the subject and recipient it was sent with",
    "content": "the content rules find no problem in the arrived {what}",
    "spam-score": "SpamAssassin's offline score of the arrived {what} stays under the warn score",
}
_WHAT = {
    API_SEND: "message sent with POST /message/send",
    TEMPLATE_SEND: "template message sent with POST /message/{id}/send",
    SMTP_SEND: "message sent through the SMTP relay",
}

CHECKS: tuple[CheckSpec, ...] = (
    tuple(
        CheckSpec(
            name=f"live.{kind}.{aspect}",
            description=_DESCRIPTIONS[aspect].format(what=_WHAT[kind]),
            targets=_targets(kind),
            run=_aspect_check(kind, aspect),
            budget_factor=BUDGET_FACTOR,
        )
        for kind in (API_SEND, TEMPLATE_SEND, SMTP_SEND)
        for aspect in ASPECTS
    )
    + LOGGED_CHECKS
)  # live.logged (pytest_sender/live/logged.py): the template send in the campaign's sent log
