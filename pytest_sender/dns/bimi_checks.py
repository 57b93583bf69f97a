"""The ``dns.bimi`` check: the BIMI record, its logo and evidence certificate, and DMARC at enforcement.

One target per sending domain. The record at ``default._bimi.<domain>`` is read through the run's one
resolver (:func:`~pytest_sender.dns.checks.shared_resolver`), the DMARC record that applies by the
same tree walk dns.dmarc and dns.alignment use (:func:`pytest_sender.mailauth.alignment.fetch_policy`,
answers from the one cache), the logo and the certificate fetched over verified HTTPS like the
MTA-STS policy (:func:`pytest_sender.dns.fetch.fetch_https`, ``RunParts.fetch_ca_pem`` /
``fetch_https_port``). Pure parts in :mod:`pytest_sender.dns.bimi`. One finding, never a raise.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from pytest_sender.dns.bimi import (
    MAX_CERTIFICATE_BYTES,
    MAX_LOGO_BYTES,
    bimi_name,
    evaluate_certificate,
    is_bimi_candidate,
    parse_bimi_record,
    split_https_url,
    svg_problems,
)
from pytest_sender.dns.checks import (
    _domain_check,
    domain_targets,
    fault_finding,
    shared_resolver,
    single_record,
)
from pytest_sender.dns.fetch import Fetched, fetch_https
from pytest_sender.dns.query import to_ascii_name
from pytest_sender.errors import ParseError
from pytest_sender.findings import Finding
from pytest_sender.hints import make_finding
from pytest_sender.mailauth.alignment import fetch_policy
from pytest_sender.preflight.registry import CheckContext, CheckSpec

__all__ = ["CHECKS", "check_bimi"]

CHECK = "dns.bimi"


@_domain_check(CHECK)
async def check_bimi(context: CheckContext, domain: str) -> Finding:
    """A valid record, an SVG Tiny PS logo, a valid certificate naming the domain (when a= is set), DMARC enforced."""
    resolver, timeout = await shared_resolver(context), context.settings.timeout
    ascii_name = to_ascii_name(domain)
    name = bimi_name(ascii_name)
    own, answer, dmarc = await asyncio.gather(
        resolver.query(ascii_name, "TXT"), resolver.query(name, "TXT"), fetch_policy(ascii_name, resolver=resolver)
    )
    params: dict[str, Any] = {"domain": domain, "name": name}
    found = single_record(
        CHECK,
        domain,
        own,
        answer,
        record="BIMI record",
        is_candidate=is_bimi_candidate,
        none_code="BIMI_NONE",
        multiple_code="BIMI_MULTIPLE",
        timeout=timeout,
        params=params,
    )
    if isinstance(found, Finding):
        return found
    text, evidence = found
    try:
        record = parse_bimi_record(text)
    except ParseError as exc:
        return make_finding(CHECK, domain, "BIMI_SYNTAX", evidence=evidence, error=str(exc), record=text, **params)
    if record.declined:
        evidence.append("l= and a= are empty: the domain declines BIMI")
        return make_finding(CHECK, domain, "BIMI_NONE", evidence=evidence, **params)
    parts = context.parts

    async def fetch(url: str, limit: int) -> Fetched:
        host, path = split_https_url(url)  # validated by the parser
        return await fetch_https(
            resolver,
            host,
            path,
            timeout=timeout,
            limit=limit,
            ca_pem=parts.fetch_ca_pem,
            port=parts.fetch_https_port,
        )

    logo, certificate = await asyncio.gather(
        fetch(record.location, MAX_LOGO_BYTES),
        fetch(record.authority, MAX_CERTIFICATE_BYTES) if record.authority else _nothing(),
    )
    for what, fetched in (("logo", logo), ("certificate", certificate)):
        if fetched is None:
            continue
        evidence.append(fetched.describe())
        if fetched.kind == "dns" and fetched.answer is not None:
            return fault_finding(CHECK, domain, fetched.answer, f"BIMI {what} host", timeout=timeout, evidence=evidence)
        if fetched.kind == "timeout":
            return make_finding(
                CHECK, domain, "BIMI_FETCH_TIMEOUT", evidence=evidence, url=fetched.url, what=what, timeout=timeout
            )
        if not fetched.ok:
            code = "BIMI_LOGO_UNFETCHABLE" if what == "logo" else "BIMI_CERT_UNFETCHABLE"
            return make_finding(
                CHECK, domain, code, evidence=evidence, url=fetched.url, problem=fetched.problem, **params
            )
    problems = svg_problems(logo.body)
    if problems:
        return make_finding(
            CHECK, domain, "BIMI_LOGO_INVALID", evidence=evidence, url=logo.url, problem="; ".join(problems), **params
        )
    evidence.append("the logo is SVG Tiny PS in outline (svg root, baseProfile tiny-ps, title, no script or link)")
    if certificate is not None:
        try:
            verdict = evaluate_certificate(certificate.body, ascii_name, now=datetime.now(UTC))
        except ParseError as exc:
            problem = str(exc)
        else:
            evidence.append(f"certificate: {verdict.subject}, valid until {verdict.not_after}")
            problem = "; ".join(verdict.problems)
        if problem:
            return make_finding(
                CHECK, domain, "BIMI_CERT_INVALID", evidence=evidence, url=certificate.url, problem=problem, **params
            )
        evidence.append("the certificate's chain to a mark verifying authority is not checked here")
    evidence += dmarc.evidence
    if dmarc.fault_answer is not None:
        return fault_finding(CHECK, domain, dmarc.fault_answer, "DMARC record", timeout=timeout, evidence=evidence)
    policy = "none (no valid DMARC record)"
    if dmarc.record is not None:
        policy = dmarc.record.effective_policy(for_subdomain=dmarc.policy_domain != ascii_name)
    if policy not in ("quarantine", "reject"):
        return make_finding(CHECK, domain, "BIMI_DMARC_NOT_ENFORCED", evidence=evidence, policy=policy, **params)
    shown = "with its certificate" if certificate is not None else "without a certificate (a=)"
    return make_finding(
        CHECK, domain, "BIMI_OK", evidence=evidence, url=logo.url, certificate=shown, policy=policy, **params
    )


async def _nothing() -> None:
    return None


CHECKS = (
    CheckSpec(
        name=CHECK,
        description="the BIMI record at default._bimi: its SVG Tiny PS logo, its certificate, DMARC at enforcement",
        targets=domain_targets,
        run=check_bimi,
        budget_factor=4.0,  # the records (DMARC's tree walk), the hosts' addresses, the HTTPS fetches
    ),
)
