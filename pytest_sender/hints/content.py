"""Hints of the content checks: content.lint (and live.*.content, outbox messages), the link
blocklist lookup and content.spam-score."""

from __future__ import annotations

from pytest_sender.findings import Status
from pytest_sender.hints.hint import Hint
from pytest_sender.hints.steps import rerun

__all__ = ["HINTS"]

_RERUN_CONTENT = "re-run the content check on the changed template (pytest --sender-preflight -k content)."
_RERUN_SPAM = rerun("spam-score", when="with the changed message")

HINTS: tuple[Hint, ...] = (
    Hint(
        "CONTENT_OK",
        Status.PASS,
        "No content problem found in {name}",
        meaning="No content rule found a problem in the message.",
    ),
    Hint(
        "CONTENT_UNREADABLE",
        Status.ERROR,
        "{name} could not be read as a message: {problem}",
        meaning="The file or message could not be parsed (no header section, broken MIME structure).",
        why="Nothing was learned about the content, so a problem may be hidden.",
        steps=(
            "Give an .eml file (the full message with its headers, as saved by a mail client or the sandbox "
            "outbox's raw bytes) or an .html file (the template's HTML alone).",
        ),
        verify=_RERUN_CONTENT,
        fix_line="{problem}",
    ),
    Hint(
        "CONTENT_NO_TEXT_PART",
        Status.WARN,
        "{name} has an HTML part but no plain-text alternative",
        meaning="The message is HTML only, with no text/plain alternative.",
        why="Spam filters score HTML-only mail higher, and text-only clients and screen readers show nothing useful.",
        steps=(
            "Add a plain-text version: in Sender's template editor fill in the plain-text tab, or send a `text` "
            "field next to `html` in POST /v2/message/send.",
        ),
        verify=_RERUN_CONTENT,
        fix_line="add a plain-text part next to the HTML",
    ),
    Hint(
        "CONTENT_HTML_CLIPPED",
        Status.WARN,
        "The HTML of {name} is {size_kb} KB; Gmail clips messages past about {limit_kb} KB",
        meaning="The HTML part is larger than Gmail shows before it clips the message (about 102 KB).",
        why="Gmail hides everything after the cut behind a 'View entire message' link, often the footer, the "
        "unsubscribe link and the tracking pixel with it.",
        steps=(
            "Shrink the HTML: inline only the CSS the template uses, drop comments and unused markup, and link "
            "large content instead of embedding it.",
        ),
        verify=_RERUN_CONTENT,
        fix_line="shrink the HTML under {limit_kb} KB (now {size_kb} KB)",
    ),
    Hint(
        "CONTENT_ACTIVE_CONTENT",
        Status.FAIL,
        "{name} contains {tags}, which mail clients block and filters treat as a threat",
        meaning="The HTML contains script, iframe, form, object or embed elements.",
        why="No major mail client runs them; filters read them as an attack and junk or reject the message.",
        steps=("Remove the {tags} elements from the template; link to a web page for anything interactive.",),
        verify=_RERUN_CONTENT,
        fix_line="remove {tags} from the template",
    ),
    Hint(
        "CONTENT_IMAGE_NO_ALT",
        Status.WARN,
        "{count} image(s) in {name} have no alt text: {images}",
        meaning="Images without an alt attribute.",
        why="Many clients block images by default; without alt text the reader sees empty boxes, and filters "
        "count missing alt text as a spam signal.",
        steps=('Give every <img> an alt attribute describing it (alt="" for purely decorative images).',),
        verify=_RERUN_CONTENT,
        fix_line="add alt text to {count} image(s)",
    ),
    Hint(
        "CONTENT_IMAGE_ONLY",
        Status.FAIL,
        "{name} is image-only: {images} image(s) and {chars} characters of text",
        meaning="The message is (nearly) all images, with almost no text.",
        why="Image-only mail is a classic spam pattern (text hidden in pictures); filters junk it, and readers "
        "with images blocked see nothing.",
        steps=("Put the message's words in HTML text, and keep images for illustration.",),
        verify=_RERUN_CONTENT,
        fix_line="write the message as text; keep images for illustration",
    ),
    Hint(
        "CONTENT_LOW_TEXT_RATIO",
        Status.WARN,
        "{name} has little text for its images: {chars} characters for {images} image(s)",
        meaning="Fewer than 100 characters of visible text per image.",
        why="A low text-to-image ratio is a spam signal, and the message says little when images are blocked.",
        steps=("Add text (at least {per_image} characters per image) or remove images.",),
        verify=_RERUN_CONTENT,
        fix_line="add text or drop images ({chars} characters for {images} images)",
    ),
    Hint(
        "CONTENT_URL_SHORTENER",
        Status.WARN,
        "{name} links through a URL shortener: {links}",
        meaning="A link goes through a public URL shortener (bit.ly, tinyurl.com, ...).",
        why="Shorteners hide the destination; spam and phishing use them so much that filters and domain "
        "blocklists penalise them.",
        steps=("Link to the full URL on your own domain.",),
        verify=_RERUN_CONTENT,
        fix_line="replace shortened links with the full URL: {links}",
    ),
    Hint(
        "CONTENT_INSECURE_LINK",
        Status.WARN,
        "{name} has {count} plain http:// link(s): {links}",
        meaning="Links use http:// instead of https://.",
        why="Clients warn about or rewrite insecure links, and a password-reset or login link over http can be "
        "intercepted.",
        steps=("Use https:// for every link; serve the target pages over TLS.",),
        verify=_RERUN_CONTENT,
        fix_line="use https:// for {links}",
    ),
    Hint(
        "CONTENT_IP_LINK",
        Status.FAIL,
        "{name} links to a bare IP address: {links}",
        meaning="A link points at an IP address instead of a domain name.",
        why="Links to IP addresses are a strong phishing signal; filters junk such mail.",
        steps=("Link to a host name on your own domain instead of the address.",),
        verify=_RERUN_CONTENT,
        fix_line="link to a domain name, not an IP address: {links}",
    ),
    Hint(
        "CONTENT_LINK_TEXT_MISMATCH",
        Status.FAIL,
        "A link in {name} shows one domain and goes to another: {links}",
        meaning="A link's visible text names a domain other than the one its href goes to.",
        why="That is what phishing looks like; filters and clients flag it, even when a click tracker is the "
        "innocent cause.",
        steps=(
            "Make the visible text match the destination, or use words instead of a URL as the link text.",
            "If a click-tracking domain is the cause, use a tracking domain under your own sending domain.",
        ),
        verify=_RERUN_CONTENT,
        fix_line="make the link text match its destination: {links}",
    ),
    Hint(
        "CONTENT_PLACEHOLDER_LEFT",
        Status.FAIL,
        "{name} still shows unrendered placeholders: {names}",
        meaning="The message contains {{ ... }} placeholders that were not filled in.",
        why="Recipients see the raw placeholder text, which looks broken and untrustworthy.",
        steps=(
            "Send a value for each of {names} in the request's `variables`, or remove the placeholder from the "
            "template in Sender.",
        ),
        verify=_RERUN_CONTENT,
        fix_line="send variables for {names}",
    ),
    Hint(
        "CONTENT_MESSAGE_ID_MISSING",
        Status.WARN,
        "{name} has no Message-ID header",
        meaning="The message has no Message-ID header (RFC 5322 §3.6.4).",
        why="Receivers score a missing Message-ID as spam, and replies and threads cannot refer to the message.",
        steps=("Let the sending library or Sender add one; do not strip it in your own MIME building.",),
        verify=_RERUN_CONTENT,
        fix_line="add a Message-ID header",
    ),
    Hint(
        "CONTENT_MESSAGE_ID_MALFORMED",
        Status.WARN,
        "The Message-ID of {name} is not <left@right>: {value}",
        meaning="The Message-ID header does not have RFC 5322's <id-left@id-right> form.",
        why="A malformed Message-ID is a spam signal and breaks threading.",
        steps=("Generate it with email.utils.make_msgid() or let the sender add it.",),
        verify=_RERUN_CONTENT,
        fix_line="use a Message-ID of the form <unique@your-domain>",
    ),
    Hint(
        "CONTENT_DATE_MISSING",
        Status.WARN,
        "{name} has no Date header",
        meaning="The message has no Date header (RFC 5322 requires one).",
        why="Receivers score a missing Date as spam and some sort the message wrongly.",
        steps=("Let the sending library add one (email.utils.formatdate(localtime=True)).",),
        verify=_RERUN_CONTENT,
        fix_line="add a Date header",
    ),
    Hint(
        "CONTENT_DATE_MALFORMED",
        Status.WARN,
        "The Date header of {name} cannot be read: {value}",
        meaning="The Date header is not an RFC 5322 date-time.",
        why="Receivers score an unreadable Date as spam and may show the message with the wrong time.",
        steps=("Produce it with email.utils.formatdate() instead of by hand.",),
        verify=_RERUN_CONTENT,
        fix_line="write the Date header with email.utils.formatdate()",
    ),
    Hint(
        "CONTENT_LIST_UNSUBSCRIBE_MALFORMED",
        Status.FAIL,
        "The List-Unsubscribe header of {name} is not a list of <mailto:> or <https:> URIs: {value}",
        meaning="List-Unsubscribe is present but not a comma-separated list of <URI> (RFC 2369).",
        why="Mailbox providers ignore a malformed header, so the unsubscribe button they show is missing and "
        "recipients use the spam button instead.",
        steps=(
            "Write it as <https://example.com/unsubscribe/...>, <mailto:unsubscribe@example.com> "
            "(angle brackets required).",
        ),
        verify=_RERUN_CONTENT,
        fix_line="write List-Unsubscribe as <https://...>, <mailto:...>",
    ),
    Hint(
        "CONTENT_ONE_CLICK_INVALID",
        Status.FAIL,
        "{name} asks for one-click unsubscribe without what RFC 8058 requires: {post}",
        meaning="List-Unsubscribe-Post is present, but its value is not List-Unsubscribe=One-Click or "
        "List-Unsubscribe has no https URI (RFC 8058).",
        why="Gmail and Yahoo require working one-click unsubscribe from bulk senders; a broken one counts as none.",
        steps=(
            "Send exactly `List-Unsubscribe-Post: List-Unsubscribe=One-Click` together with a List-Unsubscribe "
            "header holding an https URI that unsubscribes on a POST.",
        ),
        verify=_RERUN_CONTENT,
        fix_line="List-Unsubscribe-Post needs List-Unsubscribe=One-Click and an https List-Unsubscribe URI",
    ),
    Hint(
        "SPAM_SCORE_OK",
        Status.PASS,
        "SpamAssassin scores {name} at {score} points, under the warn score {warn}",
        meaning="SpamAssassin's offline score is below the warn score (default 3).",
    ),
    Hint(
        "SPAM_SCORE_HIGH",
        Status.WARN,
        "SpamAssassin scores {name} at {score} points (warn from {warn}, fail from {fail}); top rules: {top_rules}",
        meaning="The score is at or above the warn score but below the fail score (defaults 3 and 5).",
        why="Receivers add their own signals (reputation, engagement) to a score like this one; a message "
        "close to the spam threshold lands in Junk at some of them.",
        steps=(
            "Read the rules in the evidence, largest first, and change what each one names (a missing header, "
            "an HTML-only body, wording, an image-heavy layout).",
            "Each rule's description says what it matched; search its name in SpamAssassin's rule list for more.",
        ),
        verify=_RERUN_SPAM,
        fix_line="lower the score {score} (warn {warn}): {top_rules}",
    ),
    Hint(
        "SPAM_SCORE_SPAM",
        Status.FAIL,
        "SpamAssassin scores {name} at {score} points, at or above the fail score {fail}; top rules: {top_rules}",
        meaning="The score is at or above the fail score (default 5, SpamAssassin's own spam threshold).",
        why="SpamAssassin itself would file this message as spam, and receivers using similar rules will too.",
        steps=(
            "Fix the rules in the evidence, largest first: each names what it matched in the message.",
            "Keep the offline score under the warn score; network rules (blocklists) only add to it.",
        ),
        verify=_RERUN_SPAM,
        fix_line="score {score} ≥ {fail}: fix {top_rules}",
    ),
    Hint(
        "SPAM_SCORE_NO_SPAMD",
        Status.SKIP,
        "No spamd to score {name}: Debian's spamd is not installed and --sender-spamd is not set",
        meaning="content.spam-score was skipped: no spamd is installed and none is configured.",
        steps=(
            "Install SpamAssassin (Debian/Ubuntu: apt-get install spamassassin spamd), or point --sender-spamd "
            "(SENDER_SPAMD) at a running spamd as HOST:PORT.",
        ),
        fix_line="apt-get install spamassassin spamd, or set --sender-spamd HOST:PORT",
    ),
    Hint(
        "SPAM_SCORE_NO_CLIENT",
        Status.SKIP,
        "The spam score of {name} needs the spam extra (aiospamc)",
        meaning="content.spam-score was skipped: the spamd client library is not installed.",
        steps=(
            'Install it: pip install "pytest-sender[spam] @ git+https://github.com/pytest-sender/pytest-sender" '
            '(from a clone: pip install ".[spam]").',
        ),
        fix_line='install the spam extra: pip install ".[spam]" from a clone',
    ),
    Hint(
        "SPAM_SCORE_UNAVAILABLE",
        Status.ERROR,
        "{name} could not be scored by {spamd}: {problem}",
        meaning="spamd did not start, did not answer or could not read the message; nothing was judged.",
        why="Nothing is known about the message's spam score.",
        steps=(
            "Check that spamd runs and listens where --sender-spamd says (spamc -d HOST -p PORT < message.eml).",
            "For a spamd this run starts: run it by hand with --local to see its start-up error.",
        ),
        verify=_RERUN_SPAM,
        fix_line="{problem}",
    ),
    Hint(
        "CONTENT_LINK_LISTED",
        Status.FAIL,
        "{name} links to {domain}, which {listing} lists",
        meaning="A domain the message links to is on a domain blocklist (Spamhaus DBL, URIBL, SURBL).",
        why="Receivers that use the list junk or reject any message naming a listed domain, whoever sent it.",
        steps=(
            "Remove or replace the links to {domain}.",
            "If {domain} is yours, find out why it was listed and request delisting: {lookup}",
        ),
        verify=_RERUN_CONTENT,
        fix_line="remove links to {domain} ({listing})",
    ),
)
