"""Hints of dns.mx-tls: STARTTLS and the certificate on port 25 of each MX host (opt-in)."""

from __future__ import annotations

from pytest_sender.findings import Status
from pytest_sender.hints.hint import Hint
from pytest_sender.hints.steps import rerun

__all__ = ["HINTS"]

#: Re-run the check: it is off unless asked for.
_RERUN = "dns.mx-tls --sender-mx-tls"
#: What to look at before the re-run: the certificate the MX host presents for its name.
_OPENSSL = "openssl s_client -starttls smtp -connect {host}:25 -servername {host} shows the certificate"

HINTS: tuple[Hint, ...] = (
    Hint(
        "MXTLS_OK",
        Status.PASS,
        "Every MX host of {domain} ({hosts}) offers STARTTLS on port {port} with a certificate valid for its name",
        meaning="Each MX host answered on port 25, offered STARTTLS, and its certificate verified and "
        "named the host the MX record points to.",
    ),
    Hint(
        "MXTLS_DISABLED",
        Status.SKIP,
        "dns.mx-tls is off: set --sender-mx-tls (SENDER_MX_TLS) to test the MX hosts on port 25",
        meaning="The check is opt-in: it opens SMTP connections to port 25 of the domain's MX hosts, "
        "which many networks do not allow.",
        steps=(
            "From a machine that may connect out on port 25, pass --sender-mx-tls, or set "
            "SENDER_MX_TLS=true, or sender_mx_tls = true in the [pytest] ini section.",
        ),
        verify=rerun(_RERUN),
        fix_line="optional: pass --sender-mx-tls to test STARTTLS on the MX hosts",
    ),
    Hint(
        "MXTLS_NO_MX",
        Status.SKIP,
        "{domain} has no MX host to test: {reason}",
        meaning="A null MX (MX 0 .) or no MX record at all: there is no mail server to connect to; "
        "dns.mx says whether the domain can receive replies and bounces.",
        steps=(
            "Nothing to fix for dns.mx-tls. If {domain} should receive replies and bounces, publish MX "
            "records for it (dns.mx says what it has); a domain that receives no mail keeps its null MX.",
        ),
        verify=rerun(_RERUN, when="once the domain has MX records"),
        fix_line="nothing to test: {reason}",
    ),
    Hint(
        "MXTLS_NO_STARTTLS",
        Status.FAIL,
        "{hosts} (MX of {domain}) does not offer STARTTLS on port {port}",
        meaning="The EHLO answer on port 25 lists no STARTTLS (or the STARTTLS command is refused): "
        "mail to the host can only travel unencrypted.",
        why="Replies and bounces to {domain} cross the internet in clear text, and a sender that "
        "requires TLS (an MTA-STS policy in enforce mode, a provider's own policy) does not deliver them at all.",
        steps=(
            "Turn on STARTTLS on the mail server behind {hosts}, with a certificate and key for the MX host "
            "name (Postfix: smtpd_tls_cert_file, smtpd_tls_key_file and smtpd_tls_security_level = may; "
            "Exim: tls_certificate and tls_privatekey; a hosted mail service: its settings or its support).",
            "Make sure nothing in front of the server (a firewall, an SMTP proxy) removes STARTTLS from the "
            "EHLO answer on port 25.",
        ),
        verify=rerun(_RERUN, first=_OPENSSL),
        fix_line="turn on STARTTLS on {hosts}, port {port}",
    ),
    Hint(
        "MXTLS_NAME_MISMATCH",
        Status.FAIL,
        "The certificate of {hosts} (MX of {domain}) is not valid for that name: it names {names}",
        meaning="STARTTLS works but the certificate's names (subject alternative names) do not include "
        "the host name the MX record points to.",
        why="Servers that check certificates (an MTA-STS policy in enforce mode requires it) refuse to "
        "deliver replies and bounces to a host whose certificate is for another name; the others "
        "deliver over TLS that proves nothing about who is at the other end.",
        steps=(
            "Get a certificate whose names include {host}, exactly as the MX record spells it (from your "
            "mail provider, or a public CA such as Let's Encrypt); a wildcard *.example.com covers one "
            "label only, so it does not cover mx.mail.example.com.",
            "Install it on the server behind {hosts} and reload the mail server; if the server hosts several "
            "names, make sure it presents this certificate by default or when asked for {host} (SNI).",
        ),
        verify=rerun(_RERUN, first=_OPENSSL),
        fix_line="install a certificate naming {hosts} on the MX server",
    ),
    Hint(
        "MXTLS_EXPIRED",
        Status.FAIL,
        "The certificate of {hosts} (MX of {domain}) is expired or not yet valid: {problem}",
        meaning="The certificate the MX host presents is outside its validity dates.",
        why="Servers that check certificates (an MTA-STS policy in enforce mode requires it) stop "
        "delivering replies and bounces to the host until the certificate is renewed.",
        steps=(
            "Renew the certificate of {host} (an ACME client such as certbot renews automatically when its "
            "timer or cron job runs: check that it does, and that it also covers the mail server).",
            "Install the renewed certificate on the server behind {hosts} and reload the mail server, so it "
            "serves the new one (a server keeps the old certificate until it reloads).",
        ),
        verify=rerun(_RERUN, first=_OPENSSL),
        fix_line="renew the certificate of {hosts} and reload the mail server",
    ),
    Hint(
        "MXTLS_CERT_INVALID",
        Status.FAIL,
        "TLS with {hosts} (MX of {domain}) does not verify: {problem}",
        meaning="STARTTLS is offered but the TLS session cannot be verified for another reason: a "
        "self-signed certificate, a missing intermediate certificate, a CA nobody trusts, or a failed "
        "handshake.",
        why="Servers that check certificates (an MTA-STS policy in enforce mode requires it) refuse to "
        "deliver replies and bounces to the host.",
        steps=(
            "Serve a certificate for {host} from a public CA, with its full chain: the host's certificate "
            "followed by the CA's intermediate certificates (often a file named fullchain.pem).",
            "Let the server speak TLS 1.2 or newer with current ciphers, then reload it.",
        ),
        verify=rerun(_RERUN, first=_OPENSSL),
        fix_line="serve a publicly trusted certificate chain for {hosts}",
    ),
    Hint(
        "MXTLS_UNREACHABLE",
        Status.ERROR,
        "Port {port} of {hosts} (MX of {domain}) cannot be reached from here: {problem}",
        meaning="The connection was refused, timed out or ended before STARTTLS. Many networks (home "
        "and office connections, cloud machines, CI runners) block outbound port 25, so this is often "
        "about where the check runs, not about the server.",
        why="Nothing could be learnt about the host's TLS.",
        steps=(
            "Many networks block outbound port 25: run the check from a machine that may connect out on "
            "it (test with: nc -vz {host} 25).",
            "If the port is open from there, make sure the mail server behind {hosts} runs, listens on "
            "port 25 and accepts connections from the internet.",
        ),
        verify=rerun(_RERUN),
        fix_line="run from a network that allows outbound port 25, or make {hosts} listen on port {port}",
    ),
)
