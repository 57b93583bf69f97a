"""The catalog of finding codes and their remediation hints.

Every code a check can produce is defined here once, with its status, a one-line summary, why it
matters for delivery, the steps that fix it, how to verify the fix and a one-line fix for the
summary table. Texts are templates: ``{name}`` fields are filled from the values a check observed
(for example the corrected DNS record computed from the current one).

The README's code catalog lists every code in this module (a test keeps them in step).
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pytest_sender.findings import Finding, Status

__all__ = ["CATALOG", "Hint", "make_finding", "markdown_rows", "render_hint"]


@dataclass(frozen=True)
class Hint:
    """One catalog entry; every text field is a ``str.format`` template."""

    code: str
    status: Status
    summary: str
    why: str = ""
    steps: tuple[str, ...] = ()
    verify: str = ""
    fix_line: str = ""
    meaning: str = ""  # what the code means, for the README catalog

    def fields(self) -> set[str]:
        """The template fields this hint needs."""
        names: set[str] = set()
        for text in (self.summary, self.why, self.verify, self.fix_line, *self.steps):
            names.update(f for _, f, _, _ in string.Formatter().parse(text) if f)
        return names


CATALOG: dict[str, Hint] = {}


def _define(*hints: Hint) -> None:
    for hint in hints:
        if hint.code in CATALOG:
            raise RuntimeError(f"duplicate hint code {hint.code}")  # a programming error
        CATALOG[hint.code] = hint


class _MissingField:
    """Stands in for a template field nobody filled: visible in the text, whatever its format spec."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __format__(self, format_spec: str) -> str:
        return f"<{self.name}?>"


class _Params(dict[str, object]):
    """Format mapping that makes a missing field visible instead of raising."""

    def __missing__(self, key: str) -> _MissingField:
        return _MissingField(key)


def _fill(template: str, params: Mapping[str, object]) -> str:
    return string.Formatter().vformat(template, (), _Params(params))


def render_hint(code: str, params: Mapping[str, object]) -> tuple[str, str, str]:
    """Return (summary, full hint, one-line fix) for ``code`` filled with ``params``."""
    hint = CATALOG[code]
    summary = _fill(hint.summary, params)
    if hint.status is Status.PASS:
        return summary, "", ""
    lines = [f"What: {summary}"]
    if hint.why:
        lines.append(f"Why it matters: {_fill(hint.why, params)}")
    if hint.steps:
        lines.append("How to fix:")
        lines.extend(f"  {n}. {_fill(step, params)}" for n, step in enumerate(hint.steps, 1))
    if hint.verify:
        lines.append(f"Verify: {_fill(hint.verify, params)}")
    fix_line = _fill(hint.fix_line, params) if hint.fix_line else summary
    return summary, "\n".join(lines), fix_line


def markdown_rows(prefix: str = "") -> list[str]:
    """README table rows (``| `CODE` | status | meaning |``) for the codes starting with ``prefix``."""
    return [
        f"| `{hint.code}` | {hint.status.value} | {hint.meaning} |"
        for hint in CATALOG.values()
        if hint.code.startswith(prefix)
    ]


def make_finding(
    check: str,
    target: str,
    code: str,
    /,
    *,
    evidence: Iterable[str] = (),
    status: Status | None = None,
    **params: object,
) -> Finding:
    """Build the finding for ``code``; the status comes from the catalog unless overridden.

    ``params`` fill the hint's template fields; ``status`` is reserved for the override, so a
    template that needs an HTTP status names its field ``http_status``.
    """
    hint = CATALOG[code]
    summary, text, fix_line = render_hint(code, params)
    return Finding(
        check=check,
        target=target,
        status=status or hint.status,
        code=code,
        summary=summary,
        evidence=tuple(evidence),
        hint=text,
        fix=fix_line,
    )


# --- general -----------------------------------------------------------------------------------

_define(
    Hint(
        "CHECK_CRASHED",
        Status.ERROR,
        "The {check_name} check stopped with an unexpected {exception} and could not finish",
        meaning="A bug in the check or an answer it did not expect; nothing is known about the target.",
        why="Nothing was learned about the target, so a real problem may be hidden.",
        steps=(
            "Re-run with -vv to see the evidence.",
            "If it happens again, report it to pytest-sender with the evidence lines (they hold no secrets).",
        ),
        fix_line="check crashed ({exception}); re-run with -vv and report it",
    ),
    Hint(
        "CHECK_TIMED_OUT",
        Status.ERROR,
        "The {check_name} check did not finish within {seconds:g} s",
        meaning="The check as a whole ran past its time budget; the target could not be checked.",
        why="A check that cannot finish tells nothing about the target; it is not a verdict.",
        steps=(
            "Check that this machine can reach the network the check needs.",
            "Raise the budget with --sender-timeout (or SENDER_TIMEOUT) if the network is merely slow.",
        ),
        fix_line="timed out after {seconds:g} s; check connectivity or raise --sender-timeout",
    ),
)

# --- api: the token check and the HTTP API -------------------------------------------------------

_TOKEN_PAGE = "Sender: Account settings → API access tokens"

_define(
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
            f"Create a token in {_TOKEN_PAGE} → Create API token (it may be shown only once).",
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
            f"Open {_TOKEN_PAGE} and check that the token still exists; tokens can expire "
            "(1, 7 or 30 days) or be deleted.",
            "If it is gone or expired, create a new one (choose 'Forever' for a server) and update "
            "the SENDER_API_TOKEN secret everywhere the app runs.",
            "Check the value has no surrounding quotes, spaces or line breaks.",
            "A new account under review also gets 401 until Sender approves it: check the account's status.",
        ),
        verify="re-run pytest --sender-preflight -k api.token; it passes when the token is accepted.",
        fix_line=f"create or renew the token in {_TOKEN_PAGE} and update SENDER_API_TOKEN",
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
            "If the network is merely slow, raise --sender-timeout.",
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
)

# --- smtp ------------------------------------------------------------------------------------------

_SMTP_PAGE = "Sender: Transactional emails → Setup instructions → SMTP"
_SMTP_PORTS_TEXT = "587 (STARTTLS), 2525 or 25"
_SMTP_VERIFY_PORT = "re-run pytest --sender-preflight -k smtp.port; the port passes once the whole dialogue works."

_define(
    Hint(
        "SMTP_PORT_OK",
        Status.PASS,
        "{address} works: greeting, {tls} with a verified certificate, AUTH {mechanisms} offered",
        meaning="The port answered, TLS verified against the host name, and AUTH PLAIN or LOGIN is offered.",
    ),
    Hint(
        "SMTP_NOT_CONFIGURED",
        Status.SKIP,
        "SMTP is not configured: set SENDER_SMTP_USERNAME and SENDER_SMTP_PASSWORD, or --sender-smtp-host "
        "/ --sender-smtp-ports, to probe the relay",
        meaning="The port probes were skipped: no SMTP credentials, host or ports are set, so the app "
        "presumably sends through the API only.",
        steps=(
            f"If the app sends through SMTP, expose its SMTP user ({_SMTP_PAGE}) as SENDER_SMTP_USERNAME "
            "and SENDER_SMTP_PASSWORD; the ports 587, 2525 and 25 of smtp.sender.net are then probed.",
        ),
        fix_line="set SENDER_SMTP_USERNAME/PASSWORD (or --sender-smtp-ports) if the app uses SMTP",
    ),
    Hint(
        "SMTP_PORT_REFUSED",
        Status.FAIL,
        "{address} refused the connection",
        meaning="Nothing accepts connections on that port, or a firewall actively rejects them.",
        why="An app configured with this port fails every send at once with 'connection refused'.",
        steps=(
            "{advice}",
            f"Compare the host and port with {_SMTP_PAGE}: the host is smtp.sender.net "
            "(SENDER_SMTP_HOST) and the port one Sender lists: " + _SMTP_PORTS_TEXT + ".",
            "If the host is right, ask whoever runs this network to allow outbound TCP to {address}.",
        ),
        verify=_SMTP_VERIFY_PORT,
        fix_line="{short_advice}",
    ),
    Hint(
        "SMTP_PORT_TIMEOUT",
        Status.FAIL,
        "{address} gave no answer within {timeout:g} s at the {stage}: the port is probably blocked",
        meaning="The connection or the greeting never came: typically the network or hosting provider "
        "drops outbound traffic to that port.",
        why="Many cloud and office networks block outbound port 25, some also 587; an app using a blocked "
        "port hangs until its own timeout and the mail is not sent.",
        steps=(
            "{advice}",
            "Try the other ports Sender accepts: {other_ports}.",
            "Ask the hosting provider or network administrator to open outbound TCP {port} to {host} "
            "(port 25 is often unblocked on request).",
        ),
        verify=_SMTP_VERIFY_PORT,
        fix_line="{short_advice}",
    ),
    Hint(
        "SMTP_CONNECT_FAILED",
        Status.FAIL,
        "Could not connect to {address}: {detail}",
        meaning="The connection failed for another reason: the host name does not resolve or the network "
        "is unreachable.",
        why="The app cannot reach the relay from here, so no SMTP send can succeed.",
        steps=(
            f"Check the host name against {_SMTP_PAGE}: Sender's relay is smtp.sender.net (SENDER_SMTP_HOST).",
            "Check that this machine resolves names and has a route to the internet.",
            "{advice}",
        ),
        verify=_SMTP_VERIFY_PORT,
        fix_line="check SENDER_SMTP_HOST and the network ({detail})",
    ),
    Hint(
        "SMTP_SERVICE_UNAVAILABLE",
        Status.FAIL,
        "{address} answered {reply} at the {stage}: the server will not take a session now",
        meaning="A 421 (or another refusal instead of the 220 greeting): the server is closing the "
        "session, e.g. overload, maintenance or connection rate limiting.",
        why="Sender notes that SMTP connection errors can mean rate limiting; while it lasts, sends on this "
        "port fail or are delayed.",
        steps=(
            "{advice}",
            "Wait a few minutes and re-run; check that no other job opens many SMTP connections at once.",
            "If it persists, contact Sender support with the time and the evidence lines.",
        ),
        verify=_SMTP_VERIFY_PORT,
        fix_line="{short_advice}",
    ),
    Hint(
        "SMTP_DISCONNECTED",
        Status.FAIL,
        "{address} closed the connection at the {stage} without answering",
        meaning="The connection was accepted and then dropped without an SMTP reply.",
        why="Something between this machine and the relay (a firewall or SMTP proxy) or the server itself "
        "drops the session; sends on this port fail.",
        steps=(
            "{advice}",
            "Check for a firewall, antivirus or proxy on this network that intercepts SMTP.",
            "If nothing intercepts, contact Sender support with the time and the evidence lines.",
        ),
        verify=_SMTP_VERIFY_PORT,
        fix_line="{short_advice}",
    ),
    Hint(
        "SMTP_UNEXPECTED_REPLY",
        Status.FAIL,
        "{address} answered {reply} at the {stage}",
        meaning="The server refused a step of the dialogue (EHLO or STARTTLS) with an error reply.",
        why="A relay that refuses EHLO or STARTTLS cannot carry authenticated mail from here.",
        steps=(
            "{advice}",
            f"Check the host is Sender's relay as shown in {_SMTP_PAGE} (smtp.sender.net), not another mail server.",
            "If it is, contact Sender support with the evidence lines.",
        ),
        verify=_SMTP_VERIFY_PORT,
        fix_line="{short_advice}",
    ),
    Hint(
        "SMTP_TLS_HANDSHAKE_FAILED",
        Status.FAIL,
        "The TLS handshake with {address} failed: {detail}",
        meaning="TLS (STARTTLS or, on 465, implicit TLS) could not be set up.",
        why="Without TLS the relay does not accept the credentials, so the app cannot send through this port.",
        steps=(
            "{advice}",
            "Match the app's TLS mode to the port: STARTTLS on 587, 2525 and 25 (often called 'tls' or "
            "secure=false), implicit TLS only on 465 ('ssl').",
            "Check for a proxy or antivirus on this network that intercepts SMTP TLS.",
            "Check that this machine's OpenSSL allows TLS 1.2 or later.",
        ),
        verify=_SMTP_VERIFY_PORT,
        fix_line="{short_advice}",
    ),
    Hint(
        "SMTP_CERT_EXPIRED",
        Status.FAIL,
        "The certificate on {address} is expired or not yet valid",
        meaning="Certificate verification failed on the certificate's dates.",
        why="A mail library that verifies certificates (as it should) refuses to send; one that does not "
        "verify can be intercepted.",
        steps=(
            "Check this machine's clock (date -u): a wrong clock makes a valid certificate look expired.",
            "If the clock is right, the server's certificate is out of date: report it to Sender support "
            "with the evidence lines.",
            "{advice}",
            "Do not switch off certificate verification in the app to get around it.",
        ),
        verify=_SMTP_VERIFY_PORT,
        fix_line="{short_advice}",
    ),
    Hint(
        "SMTP_CERT_WRONG_NAME",
        Status.FAIL,
        "The certificate on {address} is not valid for {host}",
        meaning="The server's certificate names other hosts than the one connected to.",
        why="A verifying mail library refuses the connection, so the app cannot send through this host name.",
        steps=(
            "Connect with the name the relay's certificate is for: set the SMTP host to smtp.sender.net "
            "in the app and in SENDER_SMTP_HOST (an IP address or an alias of your own fails verification).",
            "If the host is already smtp.sender.net, something on the path presents its own certificate "
            "(a TLS-inspecting proxy): exempt {host} from inspection.",
            "{advice}",
        ),
        verify=_SMTP_VERIFY_PORT,
        fix_line="{short_advice}",
    ),
    Hint(
        "SMTP_CERT_UNTRUSTED",
        Status.FAIL,
        "The certificate on {address} is self-signed or from an untrusted CA",
        meaning="The certificate chain does not lead to a CA in this machine's trust store.",
        why="A verifying mail library refuses the connection; a self-signed certificate on the path usually "
        "means something intercepts the traffic.",
        steps=(
            "Check for a TLS-inspecting proxy or antivirus on this network: add its CA to the system trust "
            "store, or exempt {host} from inspection.",
            "Make sure this machine's CA bundle is installed and current (Debian: ca-certificates).",
            "{advice}",
            "Do not switch off certificate verification in the app.",
        ),
        verify=_SMTP_VERIFY_PORT,
        fix_line="{short_advice}",
    ),
    Hint(
        "SMTP_STARTTLS_MISSING",
        Status.FAIL,
        "{address} does not offer STARTTLS",
        meaning="The EHLO answer lists no STARTTLS, so the session cannot be encrypted.",
        why="Without TLS the relay does not accept the credentials (they would cross the network in clear); "
        "firewalls that 'inspect' SMTP often strip STARTTLS.",
        steps=(
            "{advice}",
            "Check for a firewall or SMTP proxy feature that strips STARTTLS (SMTP 'fixup' or inspection) "
            "and turn it off for {host}.",
            f"Check the host is Sender's relay as shown in {_SMTP_PAGE} (smtp.sender.net).",
        ),
        verify=_SMTP_VERIFY_PORT,
        fix_line="{short_advice}",
    ),
    Hint(
        "SMTP_AUTH_NOT_OFFERED",
        Status.FAIL,
        "{address} offers no AUTH after TLS",
        meaning="After TLS the EHLO answer lists no AUTH mechanism, so no credentials can be sent.",
        why="Sender's relay only takes mail from authenticated SMTP users; without AUTH the app cannot send.",
        steps=(
            "{advice}",
            f"Check the host is Sender's relay as shown in {_SMTP_PAGE} (smtp.sender.net), not a local "
            "or ISP mail server.",
        ),
        verify=_SMTP_VERIFY_PORT,
        fix_line="{short_advice}",
    ),
    Hint(
        "SMTP_AUTH_UNUSABLE",
        Status.FAIL,
        "{address} offers only AUTH {mechanisms}; PLAIN or LOGIN is needed",
        meaning="AUTH is offered, but not with a mechanism Sender's SMTP users work with (PLAIN or LOGIN).",
        why="The app cannot log in with mechanisms the server does not offer.",
        steps=(
            "{advice}",
            f"Check the host is Sender's relay as shown in {_SMTP_PAGE} (smtp.sender.net), which takes "
            "PLAIN or LOGIN over TLS.",
        ),
        verify=_SMTP_VERIFY_PORT,
        fix_line="{short_advice}",
    ),
    Hint(
        "SMTP_AUTH_OK",
        Status.PASS,
        "{host} accepted the SMTP credentials on port {port} (AUTH {mechanism}); nothing was sent",
        meaning="AUTH with SENDER_SMTP_USERNAME / SENDER_SMTP_PASSWORD succeeded (then QUIT; no message).",
    ),
    Hint(
        "SMTP_AUTH_NOT_CONFIGURED",
        Status.SKIP,
        "No SMTP credentials are configured: set SENDER_SMTP_USERNAME and SENDER_SMTP_PASSWORD",
        meaning="The credential check was skipped because no SMTP user is set.",
        steps=(
            f"Create or look up an SMTP user in {_SMTP_PAGE} (SMTP user credentials).",
            "Expose them to the run as SENDER_SMTP_USERNAME and SENDER_SMTP_PASSWORD (environment only, "
            "or *_FILE variables naming files).",
        ),
        fix_line="set SENDER_SMTP_USERNAME and SENDER_SMTP_PASSWORD",
    ),
    Hint(
        "SMTP_AUTH_REJECTED",
        Status.FAIL,
        "{host} rejected the SMTP credentials ({reply})",
        meaning="AUTH was answered 535: the user name or password is wrong, or the SMTP user was removed.",
        why="Every send through the relay with these credentials fails with the same 535.",
        steps=(
            f"Open {_SMTP_PAGE} and check that the SMTP user still exists under SMTP user credentials.",
            "Copy its user name and password again into SENDER_SMTP_USERNAME and SENDER_SMTP_PASSWORD, "
            "without quotes, spaces or line breaks; the API token is not the SMTP password.",
            "If the password is lost, add a new SMTP user there and update the app's and CI's secrets.",
        ),
        verify="re-run pytest --sender-preflight -k smtp.auth; it passes when AUTH is answered 235.",
        fix_line=f"check the SMTP user in {_SMTP_PAGE}; update SENDER_SMTP_USERNAME/PASSWORD",
    ),
    Hint(
        "SMTP_AUTH_NO_PORT",
        Status.ERROR,
        "The SMTP credentials could not be tried: no port of {host} works from here ({ports})",
        meaning="Every probed port failed, so AUTH could not be attempted; nothing is known about the credentials.",
        why="The credentials may be fine; the ports must work first.",
        steps=("Fix the smtp.port findings first; their hints name the ports to try.",),
        verify="re-run pytest --sender-preflight -k smtp once a port passes.",
        fix_line="fix the smtp.port findings first",
    ),
    Hint(
        "SMTP_AUTH_UNEXPECTED_REPLY",
        Status.ERROR,
        "{host} answered AUTH {mechanism} on port {port} with {reply}",
        meaning="AUTH got a reply other than 235 (accepted) or 535 (rejected), e.g. a temporary 454.",
        why="The credentials could not be confirmed; sends may fail the same way.",
        steps=(
            "Re-run in a few minutes: 4xx replies are temporary.",
            f"Check the SMTP user in {_SMTP_PAGE}; if the reply persists, contact Sender support with it.",
        ),
        verify="re-run pytest --sender-preflight -k smtp.auth.",
        fix_line="AUTH answered {reply}; retry later, then ask Sender support",
    ),
    Hint(
        "SMTP_AUTH_CONNECTION_FAILED",
        Status.ERROR,
        "The connection to {host}:{port} failed during the AUTH attempt: {detail}",
        meaning="The session broke before AUTH was answered; nothing is known about the credentials.",
        why="The credentials could not be checked.",
        steps=("Re-run; if it repeats, follow the smtp.port hint for port {port}.",),
        verify="re-run pytest --sender-preflight -k smtp.",
        fix_line="connection failed during AUTH on port {port}; re-run",
    ),
)

# --- dns ---------------------------------------------------------------------------------------

_DOMAINS_PAGE = "Sender: Account settings → Domains"
_RECHECK = f"In {_DOMAINS_PAGE}, click Recheck DNS records for {{domain}}."
_DNS_EDITOR = "In your DNS provider's zone editor for {domain}"

_define(
    Hint(
        "DNS_NO_DOMAIN",
        Status.SKIP,
        "No sending domain is configured: set SENDER_DOMAINS or --sender-domain",
        meaning="The DNS checks were skipped because no sending domain is set.",
        steps=(
            "Name the domain(s) in your From addresses: --sender-domain example.com (repeatable), "
            "SENDER_DOMAINS=example.com,example.org, or sender_domains in the ini file.",
        ),
        fix_line="set SENDER_DOMAINS or --sender-domain",
    ),
    Hint(
        "DNS_TIMEOUT",
        Status.ERROR,
        "No DNS answer for {rdtype} {name} within {timeout:g} s; the {record} could not be checked",
        meaning="A DNS query timed out; the record is not known to be missing, it could not be read.",
        why="A timeout says nothing about the record; receivers whose lookups time out treat SPF and "
        "DMARC as a temporary error and may defer or reject mail.",
        steps=(
            "Check that this machine can reach its DNS servers ({server}) over UDP and TCP port 53.",
            "Query the name yourself: dig {rdtype} {name}; a slow or dead authoritative server of "
            "{name} also times out for receivers.",
            "If the network is merely slow, raise --sender-timeout.",
        ),
        verify="dig {rdtype} {name} answers promptly; re-run pytest --sender-preflight -k dns.",
        fix_line="DNS query {rdtype} {name} timed out; check DNS reachability or raise --sender-timeout",
    ),
    Hint(
        "DNS_SERVFAIL",
        Status.ERROR,
        "The DNS server failed (SERVFAIL) on {rdtype} {name}; the {record} could not be checked",
        meaning="SERVFAIL: the resolver or the domain's servers failed; the record is not known to be missing.",
        why="Receivers that get SERVFAIL treat SPF/DMARC as a temporary error: mail is deferred or, "
        "after retries, bounced.",
        steps=(
            "Query the name yourself: dig {rdtype} {name}. A persistent SERVFAIL usually means a "
            "broken DNSSEC chain or unreachable authoritative servers for the domain.",
            "Check the domain's DNSSEC (DS record at the registrar versus the zone's keys) and that "
            "every NS server answers.",
        ),
        verify="dig {rdtype} {name} returns NOERROR or NXDOMAIN; re-run pytest --sender-preflight -k dns.",
        fix_line="SERVFAIL on {rdtype} {name}; check the domain's DNS servers and DNSSEC",
    ),
    Hint(
        "DNS_REFUSED",
        Status.ERROR,
        "The DNS server {server} refused the query {rdtype} {name}; the {record} could not be checked",
        meaning="REFUSED: the configured DNS server will not answer this name (not recursive for us, "
        "or an access list).",
        why="Nothing was learned about the record.",
        steps=(
            "Point --sender-nameserver (SENDER_NAMESERVERS) at a recursive resolver that serves this "
            "machine, or leave it unset to use the system's resolvers.",
        ),
        verify="dig @SERVER {rdtype} {name} answers; re-run pytest --sender-preflight -k dns.",
        fix_line="DNS server refused {rdtype} {name}; use a recursive resolver (--sender-nameserver)",
    ),
    Hint(
        "DNS_ERROR",
        Status.ERROR,
        "The DNS query {rdtype} {name} failed: {detail}; the {record} could not be checked",
        meaning="Any other DNS fault (network error, malformed answer, unusual response code).",
        why="Nothing was learned about the record.",
        steps=(
            "Query the name yourself: dig {rdtype} {name}.",
            "Check the configured DNS servers (--sender-nameserver / SENDER_NAMESERVERS).",
        ),
        fix_line="DNS query {rdtype} {name} failed ({detail})",
    ),
    Hint(
        "DNS_INVALID_NAME",
        Status.ERROR,
        "{domain!r} cannot be looked up in DNS: {detail}",
        meaning="The sending domain (or a name built from it, such as the DKIM selector's) is not a valid "
        "DNS name, so no record could be read.",
        why="A name with an empty or over-long label, or an invalid international form, cannot be sent to "
        "a DNS server; receivers cannot look it up either.",
        steps=(
            "Check the configured sending domain (--sender-domain / SENDER_DOMAINS) and the DKIM selector "
            "for typos: no empty labels (a..b), no label over 63 characters, at most 253 characters.",
        ),
        verify="Re-run the preflight; the check then reads the domain's records.",
        fix_line="fix the domain name {domain!r} ({detail})",
    ),
    Hint(
        "DNS_DOMAIN_NOT_FOUND",
        Status.FAIL,
        "{domain} does not exist in DNS (NXDOMAIN from {server}): no SPF, DKIM, DMARC or MX record can "
        "exist for it, and mail from it is refused",
        meaning="The sending domain itself does not resolve (NXDOMAIN): a typo, an unregistered or expired "
        "domain, or a resolver that cannot see it. Every dns check of the domain reports this code.",
        why="Receivers reject mail from a domain that does not exist, whatever SPF, DKIM or DMARC say; "
        "no record can be added until the name resolves.",
        steps=(
            "Check the spelling of the configured domain (--sender-domain / SENDER_DOMAINS): it must be "
            "the domain of your From addresses.",
            "Check at your registrar that {domain} is registered and not expired, and that its NS "
            "records point at servers that serve the zone.",
            "If the domain is new or internal, check that the DNS server the run uses "
            "(--sender-nameserver / SENDER_NAMESERVERS) can see it.",
        ),
        verify="dig SOA {domain} answers NOERROR with the zone's SOA; then re-run the preflight.",
        fix_line="{domain} does not exist (NXDOMAIN): check the name and its registration",
    ),
    # --- SPF
    Hint(
        "SPF_OK",
        Status.PASS,
        "SPF authorises Sender ({lookups} of 10 DNS lookups, {void_lookups} of 2 void lookups)",
        meaning="Exactly one valid SPF record that includes Sender, within the lookup limits.",
    ),
    Hint(
        "SPF_MISSING",
        Status.FAIL,
        "{domain} publishes no SPF record",
        meaning="No TXT record starting with v=spf1 at the domain.",
        why="Without SPF, receivers cannot tell Sender's servers are allowed to send for {domain}; "
        "Gmail and Yahoo require SPF or DKIM, and DMARC alignment fails, so mail lands in spam or is rejected.",
        steps=(
            _DNS_EDITOR + ", add a TXT record at the domain itself (host @) with the value:\n       {suggested}",
            "If other services send mail for {domain}, add their include: terms before ~all.",
            _RECHECK,
        ),
        verify="dig TXT {domain} shows the record; re-run pytest --sender-preflight -k dns.spf.",
        fix_line='publish TXT @ "{suggested}"',
    ),
    Hint(
        "SPF_MULTIPLE",
        Status.FAIL,
        "{domain} publishes {count} SPF records; exactly one is allowed",
        meaning="More than one v=spf1 TXT record: SPF evaluation is a permanent error (RFC 7208 §4.5).",
        why="With two SPF records every receiver gets a permerror, which counts as no SPF: DMARC "
        "fails on SPF and mail is filtered.",
        steps=(
            _DNS_EDITOR + ", delete all {count} v=spf1 TXT records and publish one merged record:\n       {suggested}",
            "Check the merged record still names every service that sends for {domain}.",
            _RECHECK,
        ),
        verify="dig TXT {domain} shows exactly one v=spf1 record; re-run pytest --sender-preflight -k dns.spf.",
        fix_line='merge into one record: "{suggested}"',
    ),
    Hint(
        "SPF_SYNTAX",
        Status.FAIL,
        "The SPF record of {domain} is invalid: {error}",
        meaning="The record does not follow RFC 7208 syntax: receivers return permerror.",
        why="A record with a syntax error is a permanent error for every receiver: SPF never passes.",
        steps=(
            "Fix the term named in the error. The record now is:\n       {record}",
            "Mechanisms are all, include:, a, mx, ptr, ip4:, ip6:, exists: (with +, -, ~ or ? in "
            "front); modifiers are redirect= and exp=; terms are separated by single spaces.",
            _RECHECK,
        ),
        verify="re-run pytest --sender-preflight -k dns.spf.",
        fix_line="fix the SPF syntax: {error}",
    ),
    Hint(
        "SPF_INCLUDE_LOOP",
        Status.FAIL,
        "The SPF include tree of {domain} loops: {loop}",
        meaning="An include or redirect leads back to a record already being evaluated.",
        why="A loop exhausts the 10-lookup limit: receivers return permerror and SPF never passes.",
        steps=(
            "Remove the include:/redirect= that points back up the chain ({loop}).",
            _RECHECK,
        ),
        verify="re-run pytest --sender-preflight -k dns.spf.",
        fix_line="break the include loop {loop}",
    ),
    Hint(
        "SPF_TOO_MANY_LOOKUPS",
        Status.FAIL,
        "The SPF record of {domain} needs {lookups} DNS lookups; at most 10 are allowed",
        meaning="include, a, mx, ptr, exists and redirect across the whole tree exceed RFC 7208's limit of 10.",
        why="Receivers stop at the 11th lookup with permerror: SPF fails for every sender listed after it, "
        "often including Sender.",
        steps=(
            "Remove includes of services that no longer send for {domain}.",
            "Replace a and mx terms with ip4:/ip6: ranges (they cost no lookup), and ptr altogether.",
            "Keep include:{include}; the lookups counted were: {terms}.",
            _RECHECK,
        ),
        verify="re-run pytest --sender-preflight -k dns.spf; the pass line shows the lookup count.",
        fix_line="cut SPF DNS lookups from {lookups} to 10 or fewer",
    ),
    Hint(
        "SPF_TOO_MANY_VOID_LOOKUPS",
        Status.FAIL,
        "The SPF record of {domain} has {void_lookups} lookups that find nothing; at most 2 are allowed",
        meaning="More than two mechanisms name hosts that do not exist or have no records (RFC 7208 §4.6.4).",
        why="Receivers return permerror after the third void lookup, so SPF never passes.",
        steps=(
            "Remove or correct the terms that point at nothing: {terms}.",
            _RECHECK,
        ),
        verify="re-run pytest --sender-preflight -k dns.spf.",
        fix_line="remove SPF terms that resolve to nothing ({terms})",
    ),
    Hint(
        "SPF_INCLUDE_BROKEN",
        Status.FAIL,
        "An include in the SPF tree of {domain} is unusable: {problem}",
        meaning="An include:/redirect= target has no SPF record, several, or an invalid one: permerror.",
        why="A broken include is a permanent error for the whole record: SPF never passes.",
        steps=(
            "Remove the include of a service you no longer use, or correct its name (check the "
            "provider's documentation for the exact include value).",
            _RECHECK,
        ),
        verify="re-run pytest --sender-preflight -k dns.spf.",
        fix_line="fix or remove the broken include ({problem})",
    ),
    Hint(
        "SPF_PASS_ALL",
        Status.FAIL,
        "The SPF record of {domain} ends in {term}: it authorises every server on the internet",
        meaning="+all (or a bare all) lets anyone pass SPF for the domain.",
        why="Anyone can send mail that passes SPF as {domain}; receivers treat such records as a "
        "spam signal and the domain is open to spoofing.",
        steps=(
            _DNS_EDITOR + ", replace the SPF record with:\n       {suggested}",
            _RECHECK,
        ),
        verify="dig TXT {domain} ends in ~all or -all; re-run pytest --sender-preflight -k dns.spf.",
        fix_line='replace {term} with ~all: "{suggested}"',
    ),
    Hint(
        "SPF_INCLUDE_MISSING",
        Status.FAIL,
        "The SPF record of {domain} does not include {include}",
        meaning="Sender's servers are not authorised by the domain's SPF record.",
        why="Mail Sender sends for {domain} fails SPF (softfail or fail): it is filtered or rejected, "
        "and Sender shows the domain as not authenticated.",
        steps=(
            _DNS_EDITOR + ", change the TXT record at @ from:\n       {record}\n     to:\n       {suggested}",
            "Keep a single v=spf1 record: merge, do not add a second one.",
            _RECHECK,
        ),
        verify="dig TXT {domain} shows include:{include}; re-run pytest --sender-preflight -k dns.spf.",
        fix_line='publish "{suggested}"',
    ),
    Hint(
        "SPF_NEUTRAL_ALL",
        Status.WARN,
        "The SPF record of {domain} ends in {term}: servers it does not list get a neutral result",
        meaning="?all (or no all at all) asserts nothing about unlisted servers.",
        why="Spoofed mail gets 'neutral' instead of failing, so receivers trust the domain less and "
        "DMARC cannot rely on SPF failures.",
        steps=(
            _DNS_EDITOR + ", publish:\n       {suggested}",
            _RECHECK,
        ),
        verify="re-run pytest --sender-preflight -k dns.spf.",
        fix_line='end the SPF record with ~all or -all: "{suggested}"',
    ),
    Hint(
        "SPF_TOO_LONG",
        Status.WARN,
        "The SPF record of {domain} is {length} bytes long; keep it under 450",
        meaning="A long SPF record risks truncated UDP answers and is hard to maintain.",
        why="Answers over 512 bytes need TCP; receivers behind firewalls that block TCP/53 then "
        "time out and treat SPF as a temporary error.",
        steps=(
            "Replace long lists of ip4:/ip6: terms with an include: of a record that holds them, or "
            "merge adjacent ranges into larger prefixes.",
            "Remove TXT verification tokens at @ that are no longer needed (they share the answer).",
        ),
        verify="re-run pytest --sender-preflight -k dns.spf.",
        fix_line="shorten the SPF record ({length} bytes)",
    ),
    Hint(
        "SPF_ANSWER_TOO_LARGE",
        Status.WARN,
        "The TXT answer at {domain} is {answer_bytes} bytes: the SPF record ({record_bytes} bytes) shares it "
        "with {others} other TXT records ({others_bytes} bytes)",
        meaning="The SPF record itself is short, but the other TXT records at the same name make the answer "
        "receivers fetch too large for one UDP packet (RFC 7208 §3.4 counts the whole answer).",
        why="Receivers get every TXT record at the name in one answer; past 512 bytes it needs TCP, and "
        "receivers that cannot use TCP/53 see a temporary SPF error.",
        steps=(
            "Remove TXT records at {domain} that are no longer needed (old site-verification tokens, "
            "duplicate records); the evidence lists each with its size.",
            "Services that accept it can verify at a subdomain instead (for example _service.{domain}); "
            "move their tokens there.",
            "Keep the SPF record as it is: it is not the problem.",
        ),
        verify="dig TXT {domain} shows fewer records; re-run pytest --sender-preflight -k dns.spf.",
        fix_line="remove unneeded TXT records at {domain} (answer {answer_bytes} bytes)",
    ),
    # --- DKIM
    Hint(
        "DKIM_OK",
        Status.PASS,
        "DKIM key {name} is published ({key})",
        meaning="The selector's record holds a valid key of at least 2048 bits (RSA) or Ed25519.",
    ),
    Hint(
        "DKIM_MISSING",
        Status.FAIL,
        "No DKIM key is published at {name}",
        meaning="The selector's name has no CNAME and no TXT record.",
        why="Without Sender's DKIM key, mail from {domain} is unsigned by your domain: DMARC cannot "
        "align on DKIM, and Gmail and Yahoo filter or reject it.",
        steps=(
            _DNS_EDITOR + ", add a CNAME record: host {selector}._domainkey, target {cname_target} "
            "(use the exact value shown in " + _DOMAINS_PAGE + " → {domain}).",
            "If your DNS provider proxies CNAMEs (Cloudflare: orange cloud), switch it to DNS only.",
            _RECHECK,
        ),
        verify="dig CNAME {name} shows {cname_target}; re-run pytest --sender-preflight -k dns.dkim.",
        fix_line="add CNAME {selector}._domainkey → {cname_target}",
    ),
    Hint(
        "DKIM_CNAME_DANGLING",
        Status.FAIL,
        "The DKIM name {name} is a CNAME to {target}, {state}",
        meaning="A dangling CNAME: the key host it points to has no record.",
        why="Receivers find no key, so every DKIM signature fails and DMARC cannot align on DKIM.",
        steps=(
            _DNS_EDITOR + ", change the CNAME {selector}._domainkey to point at {cname_target} "
            "(check the exact value in " + _DOMAINS_PAGE + " → {domain}); a typo in the target is the usual cause.",
            _RECHECK,
        ),
        verify="dig TXT {name} returns a v=DKIM1 key; re-run pytest --sender-preflight -k dns.dkim.",
        fix_line="point CNAME {selector}._domainkey at {cname_target}",
    ),
    Hint(
        "DKIM_REVOKED",
        Status.FAIL,
        "The DKIM key at {name} is revoked (empty p=)",
        meaning="An empty p= tag means the key was withdrawn (RFC 6376 §3.6.1).",
        why="Signatures with this selector fail everywhere; DMARC cannot align on DKIM.",
        steps=(
            _DNS_EDITOR + ", replace the TXT record at {selector}._domainkey with the CNAME to "
            "{cname_target} that " + _DOMAINS_PAGE + " shows.",
            _RECHECK,
        ),
        verify="dig TXT {name} shows a non-empty p=; re-run pytest --sender-preflight -k dns.dkim.",
        fix_line="replace the revoked key: CNAME {selector}._domainkey → {cname_target}",
    ),
    Hint(
        "DKIM_KEY_UNDECODABLE",
        Status.FAIL,
        "The DKIM key at {name} cannot be decoded: {error}",
        meaning="p= is not a valid base64 public key of the stated type.",
        why="Receivers cannot verify any signature with this key: DKIM fails.",
        steps=(
            "Republish the key exactly as given, usually by the CNAME to {cname_target} instead of "
            "a pasted TXT record; pasted keys are often cut or wrapped with quotes or spaces.",
            _RECHECK,
        ),
        verify="re-run pytest --sender-preflight -k dns.dkim.",
        fix_line="republish the DKIM key at {name} ({error})",
    ),
    Hint(
        "DKIM_SYNTAX",
        Status.FAIL,
        "The DKIM record at {name} is invalid: {error}",
        meaning="The record is not a valid DKIM tag list, or several records answer at the selector.",
        why="Receivers cannot use the record: DKIM fails.",
        steps=(
            "Publish exactly one record at {selector}._domainkey; the simplest is the CNAME to {cname_target}.",
            "A TXT key record is a ';'-separated tag list such as v=DKIM1; k=rsa; p=MIIB...",
            _RECHECK,
        ),
        verify="re-run pytest --sender-preflight -k dns.dkim.",
        fix_line="fix the DKIM record at {name} ({error})",
    ),
    Hint(
        "DKIM_KEY_TOO_SHORT",
        Status.FAIL,
        "The DKIM key at {name} is only {bits} bits; receivers require at least 1024",
        meaning="RSA keys under 1024 bits are rejected by receivers (RFC 8301).",
        why="Signatures with short keys are treated as invalid: DKIM fails.",
        steps=(
            "Publish a 2048-bit key: use the CNAME to {cname_target} from " + _DOMAINS_PAGE + ".",
            _RECHECK,
        ),
        verify="re-run pytest --sender-preflight -k dns.dkim.",
        fix_line="replace the {bits}-bit DKIM key with a 2048-bit one",
    ),
    Hint(
        "DKIM_KEY_WEAK",
        Status.WARN,
        "The DKIM key at {name} is {bits} bits; 2048 is recommended",
        meaning="Accepted today, but under the recommended 2048 bits (RFC 8301).",
        why="Short keys are being phased out; some receivers already score them lower.",
        steps=("Rotate to a 2048-bit key; with Sender, use the CNAME to {cname_target}.",),
        verify="re-run pytest --sender-preflight -k dns.dkim.",
        fix_line="rotate the {bits}-bit DKIM key to 2048 bits",
    ),
    Hint(
        "DKIM_TESTING",
        Status.WARN,
        "The DKIM key at {name} is in testing mode (t=y)",
        meaning="t=y asks receivers to treat signatures as if unsigned.",
        why="Receivers may ignore the DKIM result, so DMARC cannot rely on it.",
        steps=("Remove t=y from the record at {selector}._domainkey once signing works.",),
        verify="re-run pytest --sender-preflight -k dns.dkim.",
        fix_line="remove t=y from the DKIM record",
    ),
    # --- DMARC
    Hint(
        "DMARC_OK",
        Status.PASS,
        "DMARC policy {policy} at {name}",
        meaning="One valid DMARC record with an enforcing policy (quarantine or reject).",
    ),
    Hint(
        "DMARC_MISSING",
        Status.FAIL,
        "No DMARC record at {name}{fallback}",
        meaning="Neither the domain nor any name above it on RFC 9989's tree walk publishes a v=DMARC1 record.",
        why="Gmail and Yahoo require a DMARC record from bulk senders; without it mail is filtered "
        "or rejected, and nobody receives reports of spoofing.",
        steps=(
            "In your DNS provider's zone editor for {org_domain}, add a TXT record at host _dmarc "
            "(full name _dmarc.{org_domain}; it also covers every subdomain) with the value:\n       {suggested}",
            "Start with p=none while reports come in, then move to p=quarantine.",
            _RECHECK,
        ),
        verify="dig TXT _dmarc.{org_domain} shows v=DMARC1; re-run pytest --sender-preflight -k dns.dmarc.",
        fix_line='publish TXT _dmarc "{suggested}"',
    ),
    Hint(
        "DMARC_MULTIPLE",
        Status.FAIL,
        "{name} publishes {count} DMARC records; exactly one is allowed",
        meaning="Several v=DMARC1 records at one name: receivers ignore them and treat the name as having "
        "no record (RFC 9989).",
        why="With several records no policy applies, as if none were published.",
        steps=(
            "Delete all but one v=DMARC1 TXT record at {name}.",
            _RECHECK,
        ),
        verify="dig TXT {name} shows one v=DMARC1 record.",
        fix_line="keep one DMARC record at {name}",
    ),
    Hint(
        "DMARC_SYNTAX",
        Status.FAIL,
        "The DMARC record at {name} is invalid: {error}",
        meaning="The record breaks RFC 9989 syntax: v=DMARC1 first, and p, sp, np, adkim, aspf, fo, psd, t "
        "with valid values (unknown tags are ignored, not errors).",
        why="Receivers discard an invalid record, as if none were published.",
        steps=(
            "Fix the record; it is now:\n       {record}",
            "A valid example: {suggested}",
            _RECHECK,
        ),
        verify="re-run pytest --sender-preflight -k dns.dmarc.",
        fix_line="fix the DMARC record ({error})",
    ),
    Hint(
        "DMARC_POLICY_NONE",
        Status.WARN,
        "DMARC at {name} has policy none: spoofed mail is not blocked",
        meaning="p=none (or sp=none for subdomains) only monitors.",
        why="Receivers deliver mail that fails DMARC; Gmail and Yahoo accept p=none, but it gives "
        "no protection and less trust.",
        steps=(
            "Read the aggregate reports (rua) to confirm all legitimate mail passes, then change "
            "the record at {name} to:\n       {suggested}",
        ),
        verify="re-run pytest --sender-preflight -k dns.dmarc.",
        fix_line='raise the DMARC policy: "{suggested}"',
    ),
    Hint(
        "DMARC_BAD_URI",
        Status.FAIL,
        "The DMARC record at {name} has an invalid report address: {uri}",
        meaning="rua/ruf must be a comma-separated list of mailto: URIs (with an optional !size).",
        why="Receivers drop reports to invalid addresses; some treat the record as invalid.",
        steps=(
            "Write each address as mailto:user@host, for example rua=mailto:dmarc@{org_domain}.",
            _RECHECK,
        ),
        verify="re-run pytest --sender-preflight -k dns.dmarc.",
        fix_line="fix the DMARC report address {uri}",
    ),
    Hint(
        "DMARC_EXTERNAL_UNAUTHORISED",
        Status.WARN,
        "{host} has not agreed to receive DMARC reports for {domain}",
        meaning="A rua/ruf destination in another organisational domain (found by RFC 9989's tree walk) "
        "lacks its authorisation record (RFC 9990).",
        why="Receivers send no reports to that address, so you will not see failures or spoofing.",
        steps=(
            "Ask the operator of {host} (your DMARC report service) to publish TXT "
            "{auth_name} with the value v=DMARC1, or send reports to an address at {org_domain}.",
        ),
        verify="dig TXT {auth_name} shows v=DMARC1.",
        fix_line='publish TXT {auth_name} "v=DMARC1" at the report host',
    ),
    # --- MX
    Hint(
        "DMARC_TESTING",
        Status.WARN,
        "DMARC policy p={policy} at {name} is in testing mode (t=y): receivers may apply a lighter policy",
        meaning="t=y (RFC 9989) asks receivers to treat the policy as a test: quarantine as none, reject as "
        "quarantine.",
        why="While testing, spoofed mail is not held back as the policy says.",
        steps=(
            "When the aggregate reports show your own mail passing, remove t=y from the record at {name} (or set t=n).",
        ),
        verify="dig TXT {name} shows no t=y; re-run pytest --sender-preflight -k dns.dmarc.",
        fix_line="remove t=y from {name} when the reports are clean",
    ),
    Hint(
        "DMARC_REMOVED_TAGS",
        Status.WARN,
        "The DMARC record at {name} uses {tags}, which RFC 9989 removed: receivers following it ignore them",
        meaning="pct, rf or ri: tags of RFC 7489 that RFC 9989 removed; receivers following RFC 9989 ignore them.",
        why="A roll-out that relies on pct= (apply the policy to part of the mail) does not happen at "
        "RFC 9989 receivers: they apply the whole policy.",
        steps=(
            "Use instead: {instead}.",
            "Publish the record without them:\n       {suggested}",
        ),
        verify="dig TXT {name} shows none of {tags}; re-run pytest --sender-preflight -k dns.dmarc.",
        fix_line="drop {tags} from {name}",
    ),
    Hint(
        "DMARC_P_NOT_SECOND",
        Status.WARN,
        "In the DMARC record at {name}, p= does not come right after v=DMARC1: older receivers reject it",
        meaning="RFC 9989 allows p= anywhere, but RFC 7489 receivers, still common, require it right after "
        "v=DMARC1 and ignore the record otherwise.",
        why="Receivers that still follow RFC 7489 treat the domain as having no DMARC record.",
        steps=("Reorder the record so p= is the second tag:\n       {suggested}",),
        verify="dig TXT {name} starts with v=DMARC1; p=; re-run pytest --sender-preflight -k dns.dmarc.",
        fix_line="put p= right after v=DMARC1 in {name}",
    ),
    Hint(
        "MX_OK",
        Status.PASS,
        "{domain} receives mail at {hosts}",
        meaning="The domain has MX records, so replies and bounces can arrive.",
    ),
    Hint(
        "MX_A_FALLBACK",
        Status.PASS,
        "{domain} has no MX but receives mail at its address {address}",
        meaning="No MX, but an A/AAAA record that senders fall back to (RFC 5321 §5.1).",
    ),
    Hint(
        "MX_NULL",
        Status.WARN,
        "{domain} publishes a null MX: it cannot receive replies or bounces",
        meaning="MX 0 . declares the domain accepts no mail (RFC 7505).",
        why="Replies to your transactional mail bounce, and some receivers distrust From domains "
        "that cannot receive mail.",
        steps=(
            "If customers reply to these messages, replace the null MX with your mail host's MX "
            "records, or set a reply_to address on a domain that receives mail.",
        ),
        verify="dig MX {domain}.",
        fix_line="replace the null MX of {domain} if replies must arrive",
    ),
    Hint(
        "MX_NONE",
        Status.WARN,
        "{domain} has no MX and no address record: it cannot receive replies or bounces",
        meaning="Neither MX nor A/AAAA: mail to the domain cannot be delivered.",
        why="Replies and bounces are lost, and receivers distrust From domains that cannot receive mail.",
        steps=(
            _DNS_EDITOR + ", add MX records for the mail service that receives for {domain}, or "
            "send from a domain that receives mail.",
        ),
        verify="dig MX {domain}.",
        fix_line="add MX records for {domain}",
    ),
    # --- blocklists
    Hint(
        "BLOCKLIST_CLEAN",
        Status.PASS,
        "{domain} is on none of {lists}",
        meaning="No domain blocklist lists the domain.",
    ),
    Hint(
        "BLOCKLIST_LISTED",
        Status.FAIL,
        "{domain} is listed on {listing}",
        meaning="A domain blocklist lists the domain; receivers using it reject or junk mail naming it.",
        why="Mail that names a listed domain (From, links) is rejected or sent to spam by receivers that use the list.",
        steps=(
            "Find out why: look the domain up on the list's own site ({lookup}).",
            "Fix the cause (compromised site or account, spam links, bought lists), then request "
            "delisting on that site.",
            "Tell Sender support, who can check whether the listing affects their sending pool.",
        ),
        verify="re-run pytest --sender-preflight -k dns.blocklist after the list removes the entry.",
        fix_line="request delisting of {domain} from {listing}",
    ),
    Hint(
        "BLOCKLIST_QUERY_REFUSED",
        Status.ERROR,
        "{zone} refused the query from this resolver ({answer}); the listing is unknown",
        meaning="The list answered with its 'query refused' code (public or high-volume resolver), not a listing.",
        why="Nothing was learned about the domain.",
        steps=(
            "Query through your own recursive resolver (not a public one such as 8.8.8.8) with "
            "--sender-nameserver, or use the list's registered access (e.g. a Spamhaus DQS key).",
        ),
        verify="re-run pytest --sender-preflight -k dns.blocklist.",
        fix_line="{zone} refused this resolver; use a private resolver",
    ),
    Hint(
        "BLOCKLIST_BAD_ANSWER",
        Status.ERROR,
        "{zone} answered {answer}, which is not a blocklist code; the listing is unknown",
        meaning="An answer outside 127.0.0.0/8: the resolver rewrites answers (ad or NXDOMAIN redirection).",
        why="Nothing was learned about the domain.",
        steps=("Use a resolver that does not rewrite NXDOMAIN answers (--sender-nameserver).",),
        verify="re-run pytest --sender-preflight -k dns.blocklist.",
        fix_line="{zone} answer {answer} is not a list code; use a non-rewriting resolver",
    ),
)

# --- api client ----------------------------------------------------------------------------------
# Codes of the outcomes of pytest_sender.api.client sends (the token check reuses the api codes).

_define(
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
            "If the from address is correct, check its domain is verified in Sender: Account settings → "
            "Domains (Sender also refuses senders on unverified domains).",
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
            "'You must activate workflow first' and similar: open Sender: Transactional emails, open the "
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
            "Open Sender: Transactional emails, open the campaign and copy its id (e.g. ep2W4y).",
            "Update the id in the app's configuration (and SENDER_TEMPLATE_ID for the live checks).",
            "Check the token belongs to the same Sender account as the campaign.",
        ),
        verify="send the template again; the answer is 200 with an emailId.",
        fix_line="use an existing transactional campaign id (Sender: Transactional emails)",
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
            "Look for the message in Sender: Transactional emails → Logs (recipient and time) before sending it again.",
            "If it is not there, send it again later; if 5xx answers persist, contact Sender support "
            "with the time and the evidence lines.",
        ),
        verify="a later send is answered 200 with an emailId.",
        fix_line="Sender-side error {http_status}; check Sender: Transactional emails → Logs before resending",
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
            "Look for the message in Sender: Transactional emails → Logs (filter by recipient and time).",
            "Send it again only if it is not there.",
            "If sends often time out, raise the client timeout (--sender-timeout for the plugin) and check "
            "the network path to Sender.",
        ),
        verify="the message appears once in Sender: Transactional emails → Logs.",
        fix_line="check Sender: Transactional emails → Logs before resending ({reason})",
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
            "Look for the message in Sender: Transactional emails → Logs before sending it again.",
        ),
        fix_line="unexpected answer ({reason}); check SENDER_API_URL",
    ),
)


# --- live ---

_define(
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
            "Look the message up in Sender: Transactional emails → Logs (recipient {recipient}); a bounce or "
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
            "Compare with the subject shown in Sender: Transactional emails → Logs.",
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
)


# --- api health ---
# Delivery health of transactional campaigns from Sender's reports (api.health), the reads behind it,
# and live.logged (the live send confirmed in the campaign's sent list).
_LOGS = "Sender: Transactional emails → Logs (Event type: Bounces)"
_METRICS = "Sender: Transactional emails → Metrics"
_NOT_RETRIED = (
    "Bounced mail is not retried by Sender: once the cause is fixed, resend the messages that "
    f"matter (a new API request or SMTP send); they are listed in {_LOGS}."
)
_define(
    Hint(
        "API_READ_OK",
        Status.PASS,
        "Sender answered the read with HTTP {http_status}",
        meaning="A read-only report call (report, sent, bounces, complaints) was answered with JSON.",
    ),
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
            "Find the campaign ids in Sender: Transactional emails → the campaign (the id is in its URL and "
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
            "Open Sender: Transactional emails and copy the id of the campaign your app sends.",
            "Fix SENDER_CAMPAIGNS / --sender-campaign / sender_campaigns.",
        ),
        verify="re-run pytest --sender-preflight -k api.health.",
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
            f"Meanwhile read the counters by hand in {_METRICS}.",
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
            f"Open {_METRICS} and compare Spam reports over time; find the day it rose.",
            "Send transactional mail only for what the recipient did (an order, a reset); move anything "
            "promotional to a marketing campaign with an unsubscribe link.",
            "Make the sender name, From address and subject recognisable, so the mail is not mistaken for spam.",
            "Check that SPF, DKIM and DMARC pass (pytest --sender-preflight -k dns): unauthenticated "
            "mail draws more complaints.",
        ),
        verify="re-run pytest --sender-preflight -k api.health after a quieter week (or with a shorter "
        "--sender-health-window).",
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
            f"Open {_METRICS} and watch Spam reports; see which messages draw them in Transactional emails → Logs.",
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
            f"Open {_LOGS} and look at the Recipient column: the evidence lists the latest ones (masked).",
            "Invalid addresses: validate addresses at sign-up (syntax, a confirmation email), and stop "
            "sending to an address after its first hard bounce.",
            "List hygiene: remove or fix addresses that bounced; check imports and typos such as gmial.com.",
            "If many valid-looking addresses bounce with 'rejected' or 'authentication' reasons, check "
            "SPF, DKIM and DMARC (pytest --sender-preflight -k dns).",
            _NOT_RETRIED,
        ),
        verify="re-run pytest --sender-preflight -k api.health; new sends should no longer bounce.",
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
            f"Open {_LOGS}; the evidence lists the latest bounced recipients (masked) and reasons.",
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
            f"Open {_LOGS} and read the bounce reasons (the evidence shows the latest, masked).",
            "Reasons naming a policy, reputation or authentication: check SPF, DKIM and DMARC "
            "(pytest --sender-preflight -k dns) and the domain's blocklist status.",
            "Reasons naming a full mailbox or a busy server at one provider: that provider is the cause; "
            "spread sends out over time.",
            _NOT_RETRIED,
        ),
        verify="re-run pytest --sender-preflight -k api.health.",
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
            f"Read the bounce reasons in {_LOGS}; check whether one receiving provider dominates.",
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
            "Open Sender: Transactional emails → Logs, filter Event type → Emails sent, and look for the "
            "recipient and time of the send.",
            "Check that the campaign is active (a send can be accepted while its workflow is paused).",
            "If it shows up later, raise --sender-live-timeout.",
        ),
        verify="re-run pytest --sender-live -k logged.",
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

# --- content (content.lint, live.*.content, outbox messages) -----------------------------------

_RERUN_CONTENT = "re-run the content check on the changed template (pytest --sender-preflight -k content)."

_define(
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
)

_RERUN_SPAM = "re-run pytest --sender-preflight -k spam-score with the changed message."

_define(
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
        steps=('Install it: pip install "pytest-sender[spam]" (from a clone: pip install ".[spam]").',),
        fix_line='pip install "pytest-sender[spam]"',
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
)

_define(
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

# --- the sandbox's mail path and the project's own verification (issue 16) ------------------------
# One contiguous block, so it moves as one when the catalog is split by family.

_define(
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
)

_define(
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

_ALIGNMENT_RERUN = "pytest --sender-preflight -k alignment: dns.alignment passes."

_define(
    Hint(
        "ALIGNMENT_OK",
        Status.PASS,
        "Mail from {address}, signed by Sender with d={signing_domain}, aligns with From {from_domain} "
        "under adkim={adkim} ({mode}: {how})",
        meaning="The sending domain Sender signs with aligns with the From domain under the DMARC record's "
        "adkim mode, so a valid signature passes DMARC.",
    ),
    Hint(
        "ALIGNMENT_STRICT_SUBDOMAIN",
        Status.FAIL,
        "Mail from {address} cannot pass DMARC: Sender signs with d={signing_domain}, and the record of "
        "{policy_domain} asks strict DKIM alignment (adkim=s)",
        meaning="The From address is on a subdomain of the sending domain, and the DMARC record demands strict "
        "alignment: the signature's d= must equal the From domain exactly.",
        why="Sender's bounce domain is its own, so SPF does not align with your From; DMARC relies on the DKIM "
        "signature, which strict alignment rejects here. Receivers apply the record's policy to every message.",
        steps=(
            "Either add {from_domain} as a sending domain of its own in Sender: Account settings → Domains → Add "
            "domain, then publish its sender._domainkey CNAME, so Sender signs with d={from_domain}.",
            "Or relax the DMARC record of {policy_domain} to adkim=r (relaxed alignment accepts d={signing_domain} "
            "for mail from {from_domain}).",
            "Or send from an address on {signing_domain} itself.",
        ),
        verify=_ALIGNMENT_RERUN,
        fix_line="add {from_domain} as a sending domain in Sender, or set adkim=r at {policy_domain}",
    ),
    Hint(
        "ALIGNMENT_NOT_SENDING_DOMAIN",
        Status.FAIL,
        "Mail from {address} cannot be signed for its domain: {from_domain} is not a configured sending domain",
        meaning="No configured sending domain is the From domain, a parent of it or of its organisational "
        "domain, so Sender has no key that can make DKIM align with this From.",
        why="Sender signs with the domains verified in your account; mail from another domain fails DMARC "
        "wherever that domain publishes a record, and Sender may refuse the send.",
        steps=(
            "Add {from_domain} in Sender: Account settings → Domains → Add domain, verify it and publish its "
            "DKIM CNAME; then add it to SENDER_DOMAINS (or --sender-domain).",
            "Or change the From address to one on a sending domain you configured ({domains}).",
        ),
        verify=_ALIGNMENT_RERUN,
        fix_line="verify {from_domain} in Sender and add it to SENDER_DOMAINS, or send from {domains}",
    ),
    Hint(
        "ALIGNMENT_NO_DMARC",
        Status.WARN,
        "Mail from {address}: {from_domain} and its organisational domain publish no usable DMARC record ({error})",
        meaning="Without a DMARC record for the From domain, no alignment applies: receivers that require "
        "DMARC (large mailbox providers do, for bulk senders) treat the mail with suspicion.",
        why="A DMARC record is what lets receivers trust that mail from your domain is yours; without one, "
        "spoofed mail and yours look the same.",
        steps=(
            'Publish a TXT record at _dmarc.{org_domain}: "v=DMARC1; p=none; rua=mailto:dmarc@{org_domain}", '
            "then move to p=quarantine once reports show Sender's mail passing.",
        ),
        verify=_ALIGNMENT_RERUN,
        fix_line="publish a DMARC record at _dmarc.{org_domain}",
    ),
)
