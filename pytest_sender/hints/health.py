"""Hints of delivery health: api.health (transactional campaigns' bounce and complaint rates from
Sender's reports) and live.logged (the live send confirmed in the campaign's sent list)."""

from __future__ import annotations

from pytest_sender.findings import Status
from pytest_sender.hints.hint import Hint
from pytest_sender.hints.steps import BOUNCE_LOGS_PAGE, CAMPAIGNS_PAGE, LOGS_PAGE, METRICS_PAGE, rerun

__all__ = ["HINTS"]

_NOT_RETRIED = (
    "Bounced mail is not retried by Sender: once the cause is fixed, resend the messages that "
    f"matter (a new API request or SMTP send); they are listed in {BOUNCE_LOGS_PAGE}."
)

HINTS: tuple[Hint, ...] = (
    Hint(
        "API_HEALTH_OK",
        Status.PASS,
        "Delivery is healthy over the last {window} days: {sent} sent, hard bounces {hard_rate}, "
        "soft bounces {soft_rate}, complaints {complaint_rate}",
        meaning="Hard-bounce, soft-bounce and spam-complaint rates of the campaign are below their warn limits.",
    ),
    Hint(
        "API_HEALTH_NOT_CONFIGURED",
        Status.SKIP,
        "No transactional campaign to check: set SENDER_CAMPAIGNS or --sender-campaign",
        meaning="api.health was skipped because no campaign id is configured.",
        steps=(
            "Find the campaign ids in " + CAMPAIGNS_PAGE + " → the campaign (the id is in its URL and "
            "in the API's /v2/message/{{id}}/send).",
            "Set them as SENDER_CAMPAIGNS=id1,id2, the ini key sender_campaigns (one per line) or "
            "--sender-campaign ID (repeatable).",
        ),
        fix_line="set SENDER_CAMPAIGNS or --sender-campaign",
    ),
    Hint(
        "API_HEALTH_NO_SENDS",
        Status.SKIP,
        "Campaign {campaign} sent nothing in the last {window} days: no rate to judge",
        meaning="The window holds no sends, so bounce and complaint rates cannot be computed (not a pass).",
        steps=(
            "Check the campaign id: it must be the transactional campaign your app sends with.",
            "Widen the window with --sender-health-window DAYS (SENDER_HEALTH_WINDOW) for a campaign that "
            "sends rarely.",
            "Ad-hoc sends through /v2/message/send belong to no campaign and cannot be checked this way.",
        ),
        fix_line="no sends in {window} days; check the campaign id or widen --sender-health-window",
    ),
    Hint(
        "API_HEALTH_CAMPAIGN_NOT_FOUND",
        Status.FAIL,
        "Sender knows no transactional campaign {campaign} (HTTP 404)",
        meaning="A configured campaign id does not exist in this account.",
        why="A wrong id means the health of the campaign you actually send with is not being watched.",
        steps=(
            f"Open {CAMPAIGNS_PAGE} and copy the id of the campaign your app sends.",
            "Fix SENDER_CAMPAIGNS / --sender-campaign / sender_campaigns.",
        ),
        verify=rerun("api.health"),
        fix_line="fix the campaign id {campaign} in SENDER_CAMPAIGNS",
    ),
    Hint(
        "API_HEALTH_UNREADABLE",
        Status.ERROR,
        "Sender's {what} for campaign {campaign} could not be read: {reason}",
        meaning="The report or list answer did not have the documented shape; nothing was judged.",
        why="Nothing is known about bounces or complaints while the report cannot be read.",
        steps=(
            "Read the evidence lines: the answer's shape is shown there.",
            "Check the API base URL points at https://api.sender.net/v2.",
            f"Meanwhile read the counters by hand in {METRICS_PAGE}.",
        ),
        fix_line="unreadable {what} ({reason}); check SENDER_API_URL",
    ),
    Hint(
        "API_HEALTH_COMPLAINTS_HIGH",
        Status.FAIL,
        "Spam complaints on campaign {campaign} are at {complaint_rate} ({complaints} of {sent} sent in "
        "{window} days), at or above the fail limit {complaint_fail}",
        meaning="Recipients mark this campaign's mail as spam at or above the fail limit (default 0.3%).",
        why="Mailbox providers reject or junk mail from senders above about 0.3% complaints, and that hits "
        "every message from the domain, password resets included.",
        steps=(
            f"Open {METRICS_PAGE} and compare Spam reports over time; find the day it rose.",
            "Send transactional mail only for what the recipient did (an order, a reset); move anything "
            "promotional to a marketing campaign with an unsubscribe link.",
            "Make the sender name, From address and subject recognisable, so the mail is not mistaken for spam.",
            "Check that SPF, DKIM and DMARC pass (pytest --sender-preflight -k dns): unauthenticated "
            "mail draws more complaints.",
        ),
        verify=rerun("api.health", when="after a quieter week (or with a shorter --sender-health-window)"),
        fix_line="complaints {complaint_rate} ≥ {complaint_fail}: stop unwanted mail, check authentication",
    ),
    Hint(
        "API_HEALTH_COMPLAINTS_ELEVATED",
        Status.WARN,
        "Spam complaints on campaign {campaign} are at {complaint_rate} ({complaints} of {sent} sent in "
        "{window} days), at or above the warn limit {complaint_warn}",
        meaning="The complaint rate is at or above the warn limit (default 0.1%) but below the fail limit.",
        why="Large mailbox providers start filtering senders from about 0.1% complaints; 0.3% is the hard line.",
        steps=(
            f"Open {METRICS_PAGE} and watch Spam reports; see which messages draw them in Transactional emails → Logs.",
            "Send only mail the recipient expects, from a recognisable sender name and address.",
        ),
        fix_line="complaints {complaint_rate} ≥ {complaint_warn}: find what recipients report",
    ),
    Hint(
        "API_HEALTH_HARD_BOUNCES_HIGH",
        Status.FAIL,
        "Hard bounces on campaign {campaign} are at {hard_rate} ({hard_bounces} of {sent} sent in "
        "{window} days), at or above the fail limit {hard_fail}",
        meaning="Mail to addresses that do not exist, at or above the fail limit (default 5%).",
        why="Each hard bounce is a message nobody got, and a high rate tells mailbox providers the list is "
        "not kept clean, which lowers the domain's reputation for all its mail.",
        steps=(
            f"Open {BOUNCE_LOGS_PAGE} and look at the Recipient column: the evidence lists the latest ones (masked).",
            "Invalid addresses: validate addresses at sign-up (syntax, a confirmation email), and stop "
            "sending to an address after its first hard bounce.",
            "List hygiene: remove or fix addresses that bounced; check imports and typos such as gmial.com.",
            "If many valid-looking addresses bounce with 'rejected' or 'authentication' reasons, check "
            "SPF, DKIM and DMARC (pytest --sender-preflight -k dns).",
            _NOT_RETRIED,
        ),
        verify=rerun("api.health", then="new sends should no longer bounce"),
        fix_line="hard bounces {hard_rate} ≥ {hard_fail}: clean invalid addresses, resend what matters",
    ),
    Hint(
        "API_HEALTH_HARD_BOUNCES_ELEVATED",
        Status.WARN,
        "Hard bounces on campaign {campaign} are at {hard_rate} ({hard_bounces} of {sent} sent in "
        "{window} days), at or above the warn limit {hard_warn}",
        meaning="The hard-bounce rate is at or above the warn limit (default 2%) but below the fail limit.",
        why="Bounces from invalid addresses add up and lower the domain's reputation.",
        steps=(
            f"Open {BOUNCE_LOGS_PAGE}; the evidence lists the latest bounced recipients (masked) and reasons.",
            "Validate addresses where they are entered and stop sending to addresses that bounced.",
            _NOT_RETRIED,
        ),
        fix_line="hard bounces {hard_rate} ≥ {hard_warn}: validate and clean addresses",
    ),
    Hint(
        "API_HEALTH_SOFT_BOUNCES_HIGH",
        Status.FAIL,
        "Soft bounces on campaign {campaign} are at {soft_rate} ({soft_bounces} of {sent} sent in "
        "{window} days), at or above the fail limit {soft_fail}",
        meaning="Temporary refusals (mailbox full, server busy, throttling) at or above the fail limit (default 10%).",
        why="A soft-bounce rate this high usually means receivers are throttling or deferring your mail, "
        "often over reputation or authentication, so messages arrive late or not at all.",
        steps=(
            f"Open {BOUNCE_LOGS_PAGE} and read the bounce reasons (the evidence shows the latest, masked).",
            "Reasons naming a policy, reputation or authentication: check SPF, DKIM and DMARC "
            "(pytest --sender-preflight -k dns) and the domain's blocklist status.",
            "Reasons naming a full mailbox or a busy server at one provider: that provider is the cause; "
            "spread sends out over time.",
            _NOT_RETRIED,
        ),
        verify=rerun("api.health"),
        fix_line="soft bounces {soft_rate} ≥ {soft_fail}: read the reasons in Logs, check authentication",
    ),
    Hint(
        "API_HEALTH_SOFT_BOUNCES_ELEVATED",
        Status.WARN,
        "Soft bounces on campaign {campaign} are at {soft_rate} ({soft_bounces} of {sent} sent in "
        "{window} days), at or above the warn limit {soft_warn}",
        meaning="The soft-bounce rate is at or above the warn limit (default 5%) but below the fail limit.",
        why="Some soft bounces are normal (full mailboxes); a rising rate is an early sign of throttling.",
        steps=(
            f"Read the bounce reasons in {BOUNCE_LOGS_PAGE}; check whether one receiving provider dominates.",
            _NOT_RETRIED,
        ),
        fix_line="soft bounces {soft_rate} ≥ {soft_warn}: watch the reasons in Logs",
    ),
    Hint(
        "LIVE_LOGGED",
        Status.PASS,
        "Sender lists the live send {email_id} in campaign {campaign}'s sent log ({elapsed} s)",
        meaning="The emailId of the live template send appears in the campaign's sent list.",
    ),
    Hint(
        "LIVE_NOT_LOGGED",
        Status.FAIL,
        "The live send {email_id} did not appear in campaign {campaign}'s sent log within {timeout} s",
        meaning="Sender accepted the template send but its sent list does not show the emailId in time.",
        why="A send that Sender accepted but never logs as sent did not go out; the recipient gets nothing.",
        steps=(
            f"Open {LOGS_PAGE}, filter Event type → Emails sent, and look for the recipient and time of the send.",
            "Check that the campaign is active (a send can be accepted while its workflow is paused).",
            "If it shows up later, raise --sender-live-timeout.",
        ),
        verify=rerun("logged", live=True),
        fix_line="emailId {email_id} not in the sent log within {timeout} s; check Logs",
    ),
    Hint(
        "LIVE_LOGGED_NOT_CHECKED",
        Status.SKIP,
        "Not checked: {reason}",
        meaning="live.logged needs a live template send that Sender accepted with an emailId.",
        steps=("Set --sender-template-id and fix what live.template-send.arrived reports.",),
        fix_line="{reason}",
    ),
)
