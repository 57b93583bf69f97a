"""Texts that several families' hints share: the places in Sender's UI, the DNS steps and the
verify line that re-runs a check.

Each constant is a template piece like the hints' own texts (``{domain}`` is filled by the check).
"""

from __future__ import annotations

__all__ = [
    "ACCOUNT_SETTINGS",
    "BOUNCE_LOGS_PAGE",
    "CAMPAIGNS_PAGE",
    "DNS_EDITOR",
    "DOMAINS_PAGE",
    "LOGS_PAGE",
    "METRICS_PAGE",
    "RAISE_TIMEOUT",
    "RECHECK_DNS",
    "SMTP_PAGE",
    "TOKEN_PAGE",
    "rerun",
]

# --- where things are in Sender's UI -----------------------------------------------------------

ACCOUNT_SETTINGS = "Sender: Account settings"
TOKEN_PAGE = ACCOUNT_SETTINGS + " → API access tokens"
DOMAINS_PAGE = ACCOUNT_SETTINGS + " → Domains"
CAMPAIGNS_PAGE = "Sender: Transactional emails"  # the transactional campaigns (templates)
SMTP_PAGE = CAMPAIGNS_PAGE + " → Setup instructions → SMTP"
LOGS_PAGE = CAMPAIGNS_PAGE + " → Logs"
BOUNCE_LOGS_PAGE = LOGS_PAGE + " (Event type: Bounces)"
METRICS_PAGE = CAMPAIGNS_PAGE + " → Metrics"

#: A step of the timeout hints.
RAISE_TIMEOUT = "If the network is merely slow, raise --sender-timeout."

# --- DNS steps (the dns.* families) -------------------------------------------------------------

#: The last step of every DNS fix: Sender verifies the domain again.
RECHECK_DNS = f"In {DOMAINS_PAGE}, click Recheck DNS records for {{domain}}."
#: The start of a step that edits the zone ("…, add a TXT record …").
DNS_EDITOR = "In your DNS provider's zone editor for {domain}"


# --- verify -------------------------------------------------------------------------------------


def rerun(selector: str, *, first: str = "", when: str = "", then: str = "", live: bool = False) -> str:
    """The verify line that re-runs the check: ``[FIRST; ]re-run pytest --sender-preflight -k SELECTOR[ WHEN][; THEN].``

    ``first`` is what to look at before (a ``dig`` answer), ``when`` a condition on the re-run
    ("after the list removes the entry"), ``then`` what the re-run shows; ``live`` re-runs the live
    smoke (``--sender-live``) instead of the preflight.
    """
    text = f"re-run pytest --sender-{'live' if live else 'preflight'} -k {selector}"
    if when:
        text += f" {when}"
    if then:
        text += f"; {then}"
    text += "."
    return f"{first}; {text}" if first else text
