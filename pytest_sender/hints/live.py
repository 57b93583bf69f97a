"""Hints of the live smoke (--sender-live): configuration, the sends, arrival, placement,
the receiver's authentication verdicts and what arrived."""

from __future__ import annotations

from pytest_sender.findings import Status
from pytest_sender.hints.hint import Hint
from pytest_sender.hints.steps import LOGS_PAGE

__all__ = ["HINTS"]

HINTS: tuple[Hint, ...] = (
    Hint(
        "LIVE_NOT_CONFIGURED",
        Status.SKIP,
        "Live smoke not configured: set {missing}",
        meaning="--sender-live was given, but the inbox, its password, the recipient or what the send needs "
        "is missing; nothing was sent.",
        steps=(
            "Point the run at an inbox you control: --sender-inbox imaps://USER@HOST[:993] and SENDER_INBOX_PASSWORD.",
            "Set {missing}; the recipient defaults to the inbox user when that is an email address.",
        ),
        fix_line="set {missing}",
    ),
    Hint(
        "LIVE_RECIPIENT_NOT_INBOX",
        Status.FAIL,
        "Refused to send: the recipient {recipient} is not the inbox {inbox_user}",
        meaning="Live sends go only to the inbox the run reads; a recipient that does not match it "
        "(plus-addressing aside) is refused before anything is sent.",
        why="A live send to an address nobody checks proves nothing, and a typo could mail a real person.",
        steps=(
            "Set SENDER_RECIPIENT (or --sender-recipient) to the inbox's own address, {inbox_user}, or a "
            "plus-address of it such as {plus_example}.",
            "Or point --sender-inbox at the mailbox that receives {recipient}, with its IMAP login as the user.",
        ),
        verify="pytest --sender-live: live.*.arrived passes.",
        fix_line="use a recipient that is the inbox {inbox_user} (plus-addressing allowed)",
    ),
    Hint(
        "LIVE_SEND_CAP_REACHED",
        Status.ERROR,
        "Not sent: this run already made {cap} live sends, the most one run may make",
        meaning="The cap on live sends per run was reached; the remaining sends were not made.",
        why="The cap keeps a misconfigured or looping run from mailing the inbox (and using Sender's quota) "
        "over and over.",
        steps=("Run the live smoke once per schedule, not in a loop; select fewer live items with -k.",),
        fix_line="the per-run cap of {cap} live sends was reached",
    ),
    Hint(
        "LIVE_INBOX_LOGIN_REFUSED",
        Status.ERROR,
        "The inbox {inbox} refused the login; nothing was sent",
        meaning="The IMAP server rejected the user or password, so arrival could not be checked; the "
        "run sends nothing it cannot check.",
        why="Without reading the inbox the live smoke cannot tell whether mail arrives.",
        steps=(
            "Check the user in --sender-inbox (imaps://USER@HOST): many providers want the full address, {user}.",
            "Check SENDER_INBOX_PASSWORD; providers with two-factor login need an app password for IMAP.",
            "Check that IMAP access is switched on for the mailbox in the provider's settings.",
        ),
        verify="log in with any IMAP client using the same user and password.",
        fix_line="fix the inbox user or SENDER_INBOX_PASSWORD for {inbox}",
    ),
    Hint(
        "LIVE_INBOX_UNREACHABLE",
        Status.ERROR,
        "The inbox {inbox} could not be reached: {reason}; nothing was sent",
        meaning="No IMAP-over-TLS session could be opened (refused, timed out or TLS failed), so nothing was sent.",
        why="Without reading the inbox the live smoke cannot tell whether mail arrives.",
        steps=(
            "Check the host and port in --sender-inbox: IMAP over TLS is usually port 993.",
            "Check that this machine may connect there (firewall, egress rules).",
            "If TLS fails, the server's certificate must chain to a CA this machine trusts and name the host.",
        ),
        verify="openssl s_client -connect HOST:PORT shows the server's IMAP greeting.",
        fix_line="make {inbox} reachable over IMAPS ({reason})",
    ),
    Hint(
        "LIVE_SMTP_SEND_FAILED",
        Status.FAIL,
        "The SMTP relay {host}:{port} did not take the message: {reason}",
        meaning="The live SMTP send was refused or broke before the relay accepted it; nothing was sent.",
        why="Apps that send through Sender's SMTP relay would fail the same way.",
        steps=(
            "Run pytest --sender-preflight -k smtp to see which step fails (port, STARTTLS, AUTH).",
            "A 535 reply: copy the user and password again from Transactional emails → Setup instructions → "
            "SMTP into SENDER_SMTP_USERNAME and SENDER_SMTP_PASSWORD.",
            "A 550 reply about the sender: the From address must be on a domain verified in Account settings "
            "→ Domains.",
        ),
        verify="pytest --sender-live -k smtp-send: live.smtp-send.arrived passes.",
        fix_line="the relay refused the message ({reason})",
    ),
    Hint(
        "LIVE_SMTP_OUTCOME_UNKNOWN",
        Status.ERROR,
        "The SMTP send's outcome is unknown: {reason}; it was not retried",
        meaning="The connection failed after the message data was written, so the relay may have accepted "
        "it; the run never resends in that case.",
        why="Resending could deliver the test message twice; the arrival check still tells whether it came.",
        steps=("Look in the inbox and in Sender's Transactional emails → Logs before sending again.",),
        fix_line="check whether the SMTP message went out ({reason})",
    ),
    Hint(
        "LIVE_ARRIVED",
        Status.PASS,
        "The {kind} message arrived in {folder} {latency} s after the send",
        meaning="The message with this run's token was found in the inbox (INBOX or Junk).",
    ),
    Hint(
        "LIVE_NOT_ARRIVED",
        Status.FAIL,
        "The {kind} message did not arrive in {folders} within {timeout} s",
        meaning="Sender accepted the send, but no message with the run token reached the inbox in time.",
        why="An accepted send that never arrives is invisible to the app: users simply do not get the email.",
        steps=(
            "Look the message up in " + LOGS_PAGE + " (recipient {recipient}); a bounce or "
            "a block there names the cause.",
            "Check the recipient domain's MX and that the mailbox is not full or filtering the sender away.",
            "Check the sending domain's authentication: pytest --sender-preflight -k dns.",
            "Delivery can be slow at times: raise --sender-live-timeout if the message arrives later.",
        ),
        verify="pytest --sender-live: live.*.arrived passes.",
        fix_line="no message within {timeout} s; see Sender's Transactional emails → Logs",
    ),
    Hint(
        "LIVE_IN_INBOX",
        Status.PASS,
        "The message was placed in INBOX",
        meaning="The receiving server put the message in the inbox, not in Junk.",
    ),
    Hint(
        "LIVE_IN_JUNK",
        Status.FAIL,
        "The message landed in the spam folder {folder}",
        meaning="The message arrived, but the receiving server filed it as spam.",
        why="Users rarely look in spam: a transactional email there (a reset link, a receipt) is as good as "
        "lost, and repeated spam placement hurts the domain's reputation.",
        steps=(
            "Make SPF, DKIM and DMARC pass for {domain}: see this message's live.*.spf, .dkim and .dmarc "
            "items and pytest --sender-preflight -k dns.",
            "Check {domain} and its links against blocklists: pytest --sender-preflight -k blocklist.",
            "Send from an address on your own verified domain (Account settings → Domains), with a plain "
            "text part and no link shorteners.",
            'Do not train this test inbox with "not spam": that hides the problem here while real '
            "recipients' filters keep deciding the same way.",
        ),
        verify="pytest --sender-live: live.*.placement passes.",
        fix_line="landed in {folder}: fix authentication and reputation of {domain}",
    ),
    Hint(
        "LIVE_AUTH_PASS",
        Status.PASS,
        "{method_upper}={result} at the receiving server",
        meaning="The receiving server's Authentication-Results header says this method passed.",
    ),
    Hint(
        "LIVE_SPF_FAIL",
        Status.FAIL,
        "The receiving server's SPF verdict is {result}, not pass",
        meaning="The server that received the message did not find the sending IP in the envelope domain's SPF record.",
        why="Receivers file mail that fails SPF as spam or reject it, and DMARC cannot pass through SPF.",
        steps=(
            "Add Sender's include to the SPF record of {domain}: one TXT record with "
            "include:{spf_include} before the final all, for example v=spf1 include:{spf_include} ~all.",
            "Keep exactly one SPF record per domain (merge existing ones).",
            "Check it: pytest --sender-preflight -k spf.",
        ),
        verify="send again: Authentication-Results shows spf=pass.",
        fix_line="SPF {result}: add include:{spf_include} to the SPF record of {domain}",
    ),
    Hint(
        "LIVE_DKIM_FAIL",
        Status.FAIL,
        "The receiving server's DKIM verdict is {result}, not pass",
        meaning="No DKIM signature on the message verified at the receiving server.",
        why="Without a valid DKIM signature DMARC depends on SPF alone, and receivers trust the message less.",
        steps=(
            "Publish Sender's DKIM key for {domain}: a CNAME {selector}._domainkey.{domain} pointing to the "
            "target shown in Sender under Account settings → Domains.",
            'Press "Recheck DNS records" there until DKIM shows as verified.',
            "Check it: pytest --sender-preflight -k dkim.",
        ),
        verify="send again: Authentication-Results shows dkim=pass.",
        fix_line="DKIM {result}: publish {selector}._domainkey.{domain} as Sender shows it",
    ),
    Hint(
        "LIVE_DMARC_FAIL",
        Status.FAIL,
        "The receiving server's DMARC verdict is {result}, not pass",
        meaning="Neither SPF nor DKIM passed for a domain aligned with the From address.",
        why="With a DMARC policy of quarantine or reject, failing mail goes to spam or is refused outright.",
        steps=(
            "Make DKIM pass for {domain} (the CNAME from Account settings → Domains): a passing DKIM "
            "signature of the From domain is enough for DMARC.",
            "Send from an address on {domain} itself, so SPF or DKIM align with the From header.",
            "Check the DMARC record: pytest --sender-preflight -k dmarc.",
        ),
        verify="send again: Authentication-Results shows dmarc=pass.",
        fix_line="DMARC {result}: align DKIM/SPF with the From domain {domain}",
    ),
    Hint(
        "LIVE_AUTH_MISSING",
        Status.ERROR,
        "The receiving server gave no {method_upper} verdict",
        meaning="The top-most Authentication-Results header does not mention this method (or there is no "
        "such header), so the result could not be checked.",
        why="Without the receiver's verdict the run cannot confirm the message authenticates.",
        steps=(
            "Use an inbox at a provider that writes Authentication-Results (most large providers do).",
            "If the inbox's own server adds the header under another name, its verdicts cannot be read.",
        ),
        fix_line="no {method_upper} verdict in Authentication-Results",
    ),
    Hint(
        "LIVE_AUTH_UNPARSABLE",
        Status.ERROR,
        "The Authentication-Results header could not be read: {reason}",
        meaning="The receiver's Authentication-Results header is not valid RFC 8601.",
        why="The authentication verdicts could not be checked.",
        steps=("Look at the message's headers in the inbox (keep it with --sender-live-keep).",),
        fix_line="unreadable Authentication-Results ({reason})",
    ),
    Hint(
        "LIVE_NO_PLACEHOLDERS",
        Status.PASS,
        "No unrendered {{{{ ... }}}} placeholders in subject, text or html",
        meaning="Every template variable in the arrived message was filled in.",
    ),
    Hint(
        "LIVE_PLACEHOLDER_LEFT",
        Status.FAIL,
        "Unrendered placeholders arrived: {placeholders}",
        meaning="The arrived message still shows `{{ ... }}` placeholders: a variable the template uses had no "
        "value in the send.",
        why='Recipients see raw template code ("Hello {{{{ name }}}}"), which looks broken and like spam.',
        steps=(
            "Pass every variable the template uses in the send's variables object, e.g. "
            '"variables": {{{variables_example}}}.',
            "Check the spelling of the names against the template in Sender (Transactional emails → the "
            "campaign → content).",
            "For the live smoke's own sends, give test values with --sender-live-variables "
            "'{{{variables_example}}}' (or SENDER_LIVE_VARIABLES).",
        ),
        verify="send again: no placeholders remain in subject, text or html.",
        fix_line="add {names} to the send's variables object",
    ),
    Hint(
        "LIVE_AS_SENT",
        Status.PASS,
        "Subject and recipient arrived as sent",
        meaning="The arrived subject and To address are the ones the run sent.",
    ),
    Hint(
        "LIVE_SUBJECT_CHANGED",
        Status.FAIL,
        "The subject arrived as {received!r}, not as sent ({sent!r})",
        meaning="The subject of the arrived message differs from the one sent.",
        why="Something between the app and the inbox rewrites messages (a template subject overriding the "
        "send, an encoding fault, a gateway tagging the subject).",
        steps=(
            f"Compare with the subject shown in {LOGS_PAGE}.",
            "If the inbox side adds a tag such as [SPAM], fix the placement first.",
            "Encode non-ASCII subjects as UTF-8; Sender's API takes them as JSON strings.",
        ),
        fix_line="subject changed on the way ({received!r})",
    ),
    Hint(
        "LIVE_RECIPIENT_CHANGED",
        Status.FAIL,
        "The message arrived addressed to {received}, not to {recipient}",
        meaning="The To header of the arrived message does not name the recipient the run sent to.",
        why="A rewritten recipient means the message could reach someone else.",
        steps=("Check the to.email field the app sends and any forwarding on the inbox.",),
        fix_line="To changed on the way ({received})",
    ),
    Hint(
        "LIVE_MESSAGE_UNPARSABLE",
        Status.ERROR,
        "The arrived message could not be read: {reason}",
        meaning="The fetched message is empty, has no header section, or has a header no parser can read.",
        why="Nothing about the message could be checked.",
        steps=("Keep the message with --sender-live-keep and look at its source in the inbox.",),
        fix_line="unreadable message ({reason})",
    ),
    Hint(
        "LIVE_NOT_CHECKED",
        Status.SKIP,
        "Not checked: {reason}",
        meaning="This aspect needs the arrived message, and none was available (see the arrived item).",
        steps=(
            "Fix what the live.*.arrived item of the same send reports; this aspect is checked once the "
            "message arrives.",
        ),
        fix_line="see the arrived item of this send",
    ),
    Hint(
        "LIVE_SANDBOX_NO_INBOX",
        Status.SKIP,
        "The sandbox has no inbox of its own here ({reason}): install Dovecot or pass --sender-inbox",
        meaning="--sender-live --sender-sandbox without --sender-inbox starts a throwaway Dovecot as the "
        "inbox; it cannot run on this machine, so nothing was sent.",
        steps=(
            "Install Dovecot (Debian/Ubuntu: apt-get install dovecot-imapd) and run again; the sandbox starts "
            "it on a free loopback port with a random user and password.",
            "Or point the live smoke at an inbox you control: --sender-inbox imaps://USER@HOST[:993] and "
            "SENDER_INBOX_PASSWORD.",
        ),
        verify="pytest --sender-live --sender-sandbox: the live items run instead of skipping.",
        fix_line="apt-get install dovecot-imapd, or pass --sender-inbox imaps://USER@HOST",
    ),
    Hint(
        "LIVE_DKIM_DISAGREE",
        Status.FAIL,
        "The receiving server says dkim={receiver}, the project's own verification says dkim={ours}",
        meaning="The live smoke verifies each arrived message's DKIM signatures itself, with the keys the "
        "configured resolver finds; here that verdict and the receiver's Authentication-Results disagree.",
        why="One side sees another key or another message: a key rotated or replaced in DNS since the receiver "
        "checked, a resolver that sees another version of the zone (split-horizon DNS, a stale cache), or a "
        "message changed after delivery (a forwarder, a footer the mailbox adds). The next message may fail "
        "where this one passed.",
        steps=(
            "Read the key as the configured resolver sees it: dig TXT {key_name} (with @SERVER for "
            "--sender-nameserver), and compare it with the DKIM value Sender shows under Account settings → Domains.",
            "If the key was just rotated, wait for the old record's TTL to pass and send again.",
            "If the inbox is reached through a forwarder or a mailbox that rewrites messages, test with an "
            "inbox that receives directly.",
            "Our verifier's reason: {reason}.",
        ),
        verify="pytest --sender-live -k dkim: the receiver's verdict and ours agree on pass.",
        fix_line="receiver dkim={receiver}, ours dkim={ours}: compare {key_name} in DNS with Sender's value",
    ),
)
