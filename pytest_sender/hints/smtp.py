"""Hints of the SMTP relay checks: smtp.port (one per port) and smtp.auth."""

from __future__ import annotations

from pytest_sender.findings import Status
from pytest_sender.hints.hint import Hint
from pytest_sender.hints.steps import SMTP_PAGE, rerun

__all__ = ["HINTS"]

_SMTP_PORTS_TEXT = "587 (STARTTLS), 2525 or 25"
_SMTP_VERIFY_PORT = rerun("smtp.port", then="the port passes once the whole dialogue works")

HINTS: tuple[Hint, ...] = (
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
            f"If the app sends through SMTP, expose its SMTP user ({SMTP_PAGE}) as SENDER_SMTP_USERNAME "
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
            f"Compare the host and port with {SMTP_PAGE}: the host is smtp.sender.net "
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
            f"Check the host name against {SMTP_PAGE}: Sender's relay is smtp.sender.net (SENDER_SMTP_HOST).",
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
            f"Check the host is Sender's relay as shown in {SMTP_PAGE} (smtp.sender.net), not another mail server.",
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
            f"Check the host is Sender's relay as shown in {SMTP_PAGE} (smtp.sender.net).",
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
            f"Check the host is Sender's relay as shown in {SMTP_PAGE} (smtp.sender.net), not a local "
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
            f"Check the host is Sender's relay as shown in {SMTP_PAGE} (smtp.sender.net), which takes "
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
            f"Create or look up an SMTP user in {SMTP_PAGE} (SMTP user credentials).",
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
            f"Open {SMTP_PAGE} and check that the SMTP user still exists under SMTP user credentials.",
            "Copy its user name and password again into SENDER_SMTP_USERNAME and SENDER_SMTP_PASSWORD, "
            "without quotes, spaces or line breaks; the API token is not the SMTP password.",
            "If the password is lost, add a new SMTP user there and update the app's and CI's secrets.",
        ),
        verify=rerun("smtp.auth", then="it passes when AUTH is answered 235"),
        fix_line=f"check the SMTP user in {SMTP_PAGE}; update SENDER_SMTP_USERNAME/PASSWORD",
    ),
    Hint(
        "SMTP_AUTH_NO_PORT",
        Status.ERROR,
        "The SMTP credentials could not be tried: no port of {host} works from here ({ports})",
        meaning="Every probed port failed, so AUTH could not be attempted; nothing is known about the credentials.",
        why="The credentials may be fine; the ports must work first.",
        steps=("Fix the smtp.port findings first; their hints name the ports to try.",),
        verify=rerun("smtp", when="once a port passes"),
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
            f"Check the SMTP user in {SMTP_PAGE}; if the reply persists, contact Sender support with it.",
        ),
        verify=rerun("smtp.auth"),
        fix_line="AUTH answered {reply}; retry later, then ask Sender support",
    ),
    Hint(
        "SMTP_AUTH_CONNECTION_FAILED",
        Status.ERROR,
        "The connection to {host}:{port} failed during the AUTH attempt: {detail}",
        meaning="The session broke before AUTH was answered; nothing is known about the credentials.",
        why="The credentials could not be checked.",
        steps=("Re-run; if it repeats, follow the smtp.port hint for port {port}.",),
        verify=rerun("smtp"),
        fix_line="connection failed during AUTH on port {port}; re-run",
    ),
)
