"""Hints of the HTTP API: the api.token check and the outcomes of the API client's sends and reads
(pytest_sender.api.outcomes; the token check reuses the client's codes)."""

from __future__ import annotations

from pytest_sender.findings import Status
from pytest_sender.hints.hint import Hint
from pytest_sender.hints.steps import CAMPAIGNS_PAGE, DOMAINS_PAGE, LOGS_PAGE, RAISE_TIMEOUT, TOKEN_PAGE, rerun

__all__ = ["HINTS"]

HINTS: tuple[Hint, ...] = (
    # --- api.token, and the faults of any call (a timeout, a refused connection, an answer that is not JSON)
    Hint(
        "API_TOKEN_OK",
        Status.PASS,
        "The API token is accepted ({headroom})",
        meaning="An authenticated read-only call succeeded.",
    ),
    Hint(
        "API_TOKEN_MISSING",
        Status.SKIP,
        "No API token is configured: set SENDER_API_TOKEN (or SENDER_API_TOKEN_FILE)",
        meaning="The token check was skipped because no token is set.",
        steps=(
            f"Create a token in {TOKEN_PAGE} → Create API token (it may be shown only once).",
            "Store it as a CI secret and expose it as the SENDER_API_TOKEN environment variable, "
            "or write it to a file and set SENDER_API_TOKEN_FILE to that path.",
        ),
        fix_line="set SENDER_API_TOKEN (or SENDER_API_TOKEN_FILE)",
    ),
    Hint(
        "API_TOKEN_REJECTED",
        Status.FAIL,
        "Sender rejected the API token (HTTP 401)",
        meaning="The token is wrong, expired, revoked, or the account is not yet approved.",
        why="Every send with this token fails with 401, so no transactional email leaves your app.",
        steps=(
            f"Open {TOKEN_PAGE} and check that the token still exists; tokens can expire "
            "(1, 7 or 30 days) or be deleted.",
            "If it is gone or expired, create a new one (choose 'Forever' for a server) and update "
            "the SENDER_API_TOKEN secret everywhere the app runs.",
            "Check the value has no surrounding quotes, spaces or line breaks.",
            "A new account under review also gets 401 until Sender approves it: check the account's status.",
        ),
        verify=rerun("api.token", then="it passes when the token is accepted"),
        fix_line=f"create or renew the token in {TOKEN_PAGE} and update SENDER_API_TOKEN",
    ),
    Hint(
        "API_TOKEN_FORBIDDEN",
        Status.FAIL,
        "Sender refused the request for this token (HTTP 403)",
        meaning="The token is known but not allowed this call; Sender does not document 403, "
        "it may mean a plan restriction.",
        why="A refused call usually means sends with this account fail the same way.",
        steps=(
            "Check the account's plan and status in Sender (Account settings → Billing).",
            "Ask Sender support which permission or plan the API call needs.",
        ),
        fix_line="check the account's plan and status in Sender",
    ),
    Hint(
        "API_RATE_LIMITED",
        Status.WARN,
        "Sender is rate-limiting this token (HTTP 429); retry after {retry_after}",
        meaning="The token works but its per-minute request budget is used up right now.",
        why="While limited, every send is refused with 429: mail is delayed or lost unless the app "
        "waits for Retry-After and retries.",
        steps=(
            "Make the app honour Retry-After and back off on 429 (with jitter) instead of failing the send.",
            "Spread sends out: stay below the limit shown in X-RateLimit-Limit ({limit} per minute).",
            "Check whether another job (an import, a second deploy) shares this token.",
        ),
        verify="re-run after {retry_after}; the check passes once X-RateLimit-Remaining is above zero.",
        fix_line="throttle requests; honour Retry-After ({retry_after})",
    ),
    Hint(
        "API_SERVER_ERROR",
        Status.ERROR,
        "Sender answered HTTP {http_status}: a fault on Sender's side, the token could not be checked",
        meaning="A 5xx answer: Sender's servers failed; nothing is known about the token.",
        why="While Sender fails, sends fail too; it is not something your configuration can fix.",
        steps=(
            "Re-run in a few minutes.",
            "If 5xx answers persist, contact Sender support with the time and the evidence lines.",
        ),
        fix_line="Sender-side error {http_status}; retry later, contact Sender support if it persists",
    ),
    Hint(
        "API_TIMEOUT",
        Status.ERROR,
        "No answer from {host} within {timeout:g} s",
        meaning="The API did not answer in time; the token could not be checked.",
        why="If the app's sends time out the same way, their outcome is unknown and mail may be lost.",
        steps=(
            "Check that this machine can reach {host} over HTTPS (proxy, firewall, egress rules).",
            RAISE_TIMEOUT,
        ),
        fix_line="check HTTPS egress to {host}, or raise --sender-timeout",
    ),
    Hint(
        "API_CONNECTION_REFUSED",
        Status.ERROR,
        "The connection to {host} was refused",
        meaning="Nothing accepts connections at the API address; usually a wrong base URL or port.",
        why="The app cannot reach the API at this address, so no send can succeed.",
        steps=(
            "Check the API base URL (--sender-api-url / SENDER_API_URL); Sender's is https://api.sender.net/v2.",
            "Check that no firewall or proxy rejects outbound HTTPS from this machine.",
        ),
        fix_line="check the API base URL (SENDER_API_URL) and outbound HTTPS",
    ),
    Hint(
        "API_CONNECT_FAILED",
        Status.ERROR,
        "Could not connect to {host}: {reason}",
        meaning="The connection failed before any HTTP exchange (name resolution, TLS, reset).",
        why="The app cannot reach the API from here, so no send can succeed.",
        steps=(
            "Check the host name in the API base URL and that DNS resolves it on this machine.",
            "If the reason names TLS or a certificate, check for an intercepting proxy and its CA bundle.",
        ),
        fix_line="fix connectivity to {host} ({reason})",
    ),
    Hint(
        "API_NOT_JSON",
        Status.ERROR,
        "{host} answered HTTP {http_status} with a body that is not JSON ({content_type})",
        meaning="Something other than Sender's API answered: a proxy, a captive portal, an HTML "
        "error page or a wrong base URL.",
        why="The app would misread such answers as success or failure; the token was not checked.",
        steps=(
            "Check the API base URL (SENDER_API_URL); it must point at Sender's API, "
            "https://api.sender.net/v2, not the website.",
            "Check for a proxy between this machine and Sender that rewrites answers.",
        ),
        fix_line="point SENDER_API_URL at https://api.sender.net/v2; check for a rewriting proxy",
    ),
    Hint(
        "API_ENDPOINT_NOT_FOUND",
        Status.FAIL,
        "{url} answered HTTP 404: the API base URL looks wrong",
        meaning="The token check's endpoint does not exist at the configured base URL.",
        why="With a wrong base URL every API send fails.",
        steps=("Set the API base URL to https://api.sender.net/v2 (it must include /v2).",),
        fix_line="set SENDER_API_URL to https://api.sender.net/v2",
    ),
    Hint(
        "API_UNEXPECTED_STATUS",
        Status.ERROR,
        "{host} answered HTTP {http_status}, which the token check does not expect",
        meaning="An answer outside the documented set (for example a redirect); the token was not checked.",
        why="The app's own handling of this answer is probably untested.",
        steps=(
            "Check the API base URL uses https:// (plain HTTP is refused or redirected).",
            "Read the evidence lines for the answer's body and headers.",
        ),
        fix_line="unexpected HTTP {http_status}; check SENDER_API_URL uses https://",
    ),
    # --- the API client's sends (pytest_sender.api.client)
    Hint(
        "API_SEND_OK",
        Status.PASS,
        "Sender accepted the message (email id {email_id})",
        meaning="A send was answered 2xx with success true and an emailId.",
    ),
    Hint(
        "API_SEND_INVALID",
        Status.FAIL,
        "Sender rejected the send as invalid (HTTP 422): {fields}",
        meaning="The request body broke Sender's validation rules; the answer names each field.",
        why="Nothing was sent: every message built the same way is refused, so those emails never arrive.",
        steps=(
            "Fix each field Sender named in its answer (listed in the summary above).",
            "Check the body's shape: from is an object with email and name; to is ONE object with email "
            "(and an optional name), not a list; subject is not empty; html or text is present.",
            f"If the from address is correct, check its domain is verified in {DOMAINS_PAGE} "
            "(Sender also refuses senders on unverified domains).",
        ),
        verify="send again (in tests: the sender_client fixture against the sandbox); the answer is 200 "
        "with an emailId.",
        fix_line="fix the request fields: {fields}",
    ),
    Hint(
        "API_SEND_BAD_REQUEST",
        Status.FAIL,
        "Sender refused the send (HTTP 400): {message}",
        meaning="Sender understood the request but will not send it; its message says why.",
        why="Nothing was sent, and the same request will keep being refused until the cause is fixed.",
        steps=(
            "Read Sender's message above; it names the cause.",
            f"'You must activate workflow first' and similar: open {CAMPAIGNS_PAGE}, open the "
            "campaign and activate it.",
            "Check the account's plan and status if the message mentions them.",
        ),
        verify="send again; the answer is 200 with an emailId.",
        fix_line="Sender refused the send: {message}",
    ),
    Hint(
        "API_TEMPLATE_NOT_FOUND",
        Status.FAIL,
        "Sender has no transactional campaign {template_id} for this token (HTTP 404)",
        meaning="A template send named a campaign id that does not exist in this account.",
        why="Every send of this template fails, so the email it stands for (a receipt, a reset link) never arrives.",
        steps=(
            f"Open {CAMPAIGNS_PAGE}, open the campaign and copy its id (e.g. ep2W4y).",
            "Update the id in the app's configuration (and SENDER_TEMPLATE_ID for the live checks).",
            "Check the token belongs to the same Sender account as the campaign.",
        ),
        verify="send the template again; the answer is 200 with an emailId.",
        fix_line=f"use an existing transactional campaign id ({CAMPAIGNS_PAGE})",
    ),
    Hint(
        "API_SEND_RATE_LIMITED",
        Status.FAIL,
        "Sender rate-limited the send (HTTP 429) after {attempts_text}; retry after {retry_after}",
        meaning="The send was refused with 429 and the retry policy gave up (too many attempts or a "
        "Retry-After beyond its cap).",
        why="The message was not sent; if the app drops rate-limited sends, users never get them.",
        steps=(
            "Queue rate-limited sends and retry after Retry-After ({retry_after}) with jitter; do not drop them.",
            "Keep the send rate below X-RateLimit-Limit ({limit} per minute); spread bursts out.",
            "Check whether other jobs (imports, other services) use the same token and share its budget.",
        ),
        verify="after {retry_after}, send again; the answer is 200.",
        fix_line="throttle sends below {limit}/min and retry after Retry-After ({retry_after})",
    ),
    Hint(
        "API_SEND_SERVER_ERROR",
        Status.ERROR,
        "Sender answered the send with HTTP {http_status}: a fault on Sender's side; the message was not confirmed",
        meaning="A 5xx answer to a send. Sends are not retried on 5xx: the request reached Sender and "
        "might have been acted on.",
        why="The email may not go out; retrying blindly could send it twice.",
        steps=(
            f"Look for the message in {LOGS_PAGE} (recipient and time) before sending it again.",
            "If it is not there, send it again later; if 5xx answers persist, contact Sender support "
            "with the time and the evidence lines.",
        ),
        verify="a later send is answered 200 with an emailId.",
        fix_line="Sender-side error {http_status}; check " + LOGS_PAGE + " before resending",
    ),
    Hint(
        "API_OUTCOME_UNKNOWN",
        Status.ERROR,
        "The send's outcome is unknown: {reason}; it was not retried, to avoid a duplicate email",
        meaning="The request was written but no usable answer came back (a timeout, a dropped connection "
        "or a garbled body): Sender may or may not have accepted it.",
        why="A retry could deliver the same transactional email twice; not retrying could lose it. Only "
        "Sender's logs can tell.",
        steps=(
            f"Look for the message in {LOGS_PAGE} (filter by recipient and time).",
            "Send it again only if it is not there.",
            "If sends often time out, raise the client timeout (--sender-timeout for the plugin) and check "
            "the network path to Sender.",
        ),
        verify=f"the message appears once in {LOGS_PAGE}.",
        fix_line="check " + LOGS_PAGE + " before resending ({reason})",
    ),
    Hint(
        "API_SEND_UNREACHABLE",
        Status.ERROR,
        "The send never reached {host}: {reason} (after {attempts_text}); nothing was sent",
        meaning="The connection failed before the request was written, on every attempt the retry "
        "policy allowed; Sender cannot have acted on it.",
        why="No email leaves the app while the API is unreachable.",
        steps=(
            "Check the API base URL (SENDER_API_URL); Sender's is https://api.sender.net/v2.",
            "Check that this machine can reach {host} over HTTPS (DNS, proxy, firewall, egress rules).",
        ),
        verify="send again; the answer is 200 with an emailId.",
        fix_line="fix connectivity to {host} ({reason})",
    ),
    Hint(
        "API_SEND_UNEXPECTED",
        Status.ERROR,
        "{host} answered the send with {reason}, which is outside Sender's contract",
        meaning="An answer the contract does not document (a redirect, an unknown status): usually a wrong "
        "base URL or a proxy in between.",
        why="The app cannot tell whether the email was sent, and its handling of this answer is untested.",
        steps=(
            "Check the API base URL uses https:// and ends in /v2 (https://api.sender.net/v2).",
            "Check for a proxy that rewrites answers between the app and Sender.",
            f"Look for the message in {LOGS_PAGE} before sending it again.",
        ),
        fix_line="unexpected answer ({reason}); check SENDER_API_URL",
    ),
    # --- the client's reads (the reports behind api.health)
    Hint(
        "API_READ_OK",
        Status.PASS,
        "Sender answered the read with HTTP {http_status}",
        meaning="A read-only report call (report, sent, bounces, complaints) was answered with JSON.",
    ),
)
