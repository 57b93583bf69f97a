"""The ``dns.alignment[<from address>]`` check: can mail from this address pass DMARC through Sender?

Sender signs with DKIM ``d=`` the sending domain you verified with it; its bounce (Return-Path)
domain is Sender's own, so SPF does not align with your From and DMARC relies on that signature.
For the From address of ``--sender-from`` / ``SENDER_FROM`` the check finds the configured sending
domain that would sign (the From domain itself, else a parent of it, else one of the same
organisational domain), reads the From domain's DMARC record by RFC 9989's tree walk, and says
whether that ``d=`` aligns under the record's ``adkim`` mode. Codes: ``ALIGNMENT_OK``,
``ALIGNMENT_STRICT_SUBDOMAIN`` (a From on a subdomain under ``adkim=s``), ``ALIGNMENT_NOT_SENDING_DOMAIN``
(no configured sending domain can sign for it), ``ALIGNMENT_NO_DMARC``; a DNS fault is the usual
``DNS_*`` error. Self-contained: one :class:`CheckSpec` in :data:`CHECKS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pytest_sender.dns.checks import fault_finding, shared_resolver
from pytest_sender.dns.dmarc import organisational_domain
from pytest_sender.findings import Finding
from pytest_sender.hints import make_finding
from pytest_sender.mailauth.alignment import fetch_policy, is_aligned, mode_name
from pytest_sender.preflight.registry import CheckContext, CheckSpec
from pytest_sender.settings import Settings

__all__ = ["CHECK", "CHECKS", "alignment_targets", "check_alignment", "signing_domain"]

CHECK = "dns.alignment"


def alignment_targets(settings: Settings) -> list[str]:
    """The From address, only when one is set."""
    return [settings.sender_from] if settings.sender_from else []


def signing_domain(from_domain: str, sending_domains: Sequence[str]) -> str | None:
    """The configured sending domain Sender would sign mail from ``from_domain`` with (pure):
    the domain itself, else its closest configured parent, else one of its organisational domain."""
    wanted = from_domain.lower().rstrip(".")
    domains = [d.lower().rstrip(".") for d in sending_domains]
    if wanted in domains:
        return wanted
    parents = [d for d in domains if wanted.endswith("." + d)]
    if parents:
        return max(parents, key=len)
    same_org = [d for d in domains if organisational_domain(d) == organisational_domain(wanted)]
    return same_org[0] if same_org else None


async def check_alignment(context: CheckContext, address: str) -> Finding:
    """Whether Sender's DKIM signature for ``address`` can pass DMARC; never raises for a DNS fault."""
    settings = context.settings
    from_domain = address.rpartition("@")[2].lower().rstrip(".")
    params: dict[str, Any] = {"address": address, "from_domain": from_domain}
    domains = settings.domains
    signer = signing_domain(from_domain, domains)
    evidence = [f"From {address}: domain {from_domain}", f"sending domains: {', '.join(domains) or '(none set)'}"]
    if signer is None:
        return make_finding(
            CHECK,
            address,
            "ALIGNMENT_NOT_SENDING_DOMAIN",
            evidence=evidence,
            domains=", ".join(domains) or "none (set SENDER_DOMAINS)",
            **params,
        )
    params["signing_domain"] = signer
    evidence.append(f"Sender signs with DKIM d={signer} (selector {settings.dkim_selector})")
    resolver = await shared_resolver(context)
    policy = await fetch_policy(from_domain, resolver=resolver)
    evidence += policy.evidence
    if policy.fault_answer is not None:
        return fault_finding(
            CHECK, address, policy.fault_answer, "DMARC record", timeout=settings.timeout, evidence=evidence[:-1]
        )
    if policy.record is None:
        return make_finding(
            CHECK,
            address,
            "ALIGNMENT_NO_DMARC",
            evidence=evidence,
            error=policy.error or "no record",
            org_domain=organisational_domain(from_domain),
            **params,
        )
    adkim = policy.record.adkim
    params |= {"adkim": adkim, "mode": mode_name(adkim), "policy_domain": policy.policy_domain or from_domain}
    evidence.append(f"_dmarc.{policy.policy_domain}: {policy.record.text} (adkim={adkim}, {mode_name(adkim)})")
    if is_aligned(signer, from_domain, adkim):
        how = "the same domain" if signer == from_domain else "the same organisational domain"
        return make_finding(CHECK, address, "ALIGNMENT_OK", evidence=evidence, how=how, **params)
    return make_finding(CHECK, address, "ALIGNMENT_STRICT_SUBDOMAIN", evidence=evidence, **params)


CHECKS = (
    CheckSpec(
        name=CHECK,
        description="mail from --sender-from, signed by Sender with d= the sending domain, can pass DMARC "
        "(the domain's adkim mode, its organisational domain)",
        targets=alignment_targets,
        run=check_alignment,
    ),
)
