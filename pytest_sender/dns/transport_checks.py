"""What a domain tells the servers delivering mail to it (replies, bounces): dns.mta-sts, dns.tls-rpt.

These records are about the sending domain as a receiver: whether servers must deliver to its MX
hosts over verified TLS (MTA-STS, RFC 8461: a TXT record and a policy file fetched over HTTPS,
:mod:`pytest_sender.dns.fetch`), and where TLS failures toward them are reported (TLS-RPT, RFC
8460). Each check has one target per sending domain, reads its DNS through the run's one resolver
(:func:`~pytest_sender.dns.checks.shared_resolver`, so one cache with the other ``dns.*`` checks:
the domain's own TXT and MX answers are the ones dns.spf and dns.mx ask for) and returns one
finding, never a raise. Parsing is pure, in :mod:`pytest_sender.dns.mtasts` and
:mod:`pytest_sender.dns.tlsrpt`. The policy host is resolved through the same resolver, and
``RunParts.fetch_ca_pem`` / ``RunParts.fetch_https_port`` point the fetch at a loopback server.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pytest_sender.dns.checks import (
    _domain_check,
    domain_targets,
    fault_finding,
    shared_resolver,
    single_record,
)
from pytest_sender.dns.fetch import fetch_https
from pytest_sender.dns.mtasts import (
    MAX_POLICY_BYTES,
    POLICY_PATH,
    is_sts_candidate,
    parse_sts_policy,
    parse_sts_record,
    policy_host,
    sts_name,
    uncovered_hosts,
)
from pytest_sender.dns.mx import parse_mx_records
from pytest_sender.dns.query import to_ascii_name
from pytest_sender.dns.tlsrpt import is_tlsrpt_candidate, parse_tlsrpt_record, tlsrpt_name, validate_tlsrpt_uri
from pytest_sender.errors import ParseError
from pytest_sender.findings import Finding
from pytest_sender.hints import make_finding
from pytest_sender.preflight.registry import CheckContext, CheckSpec

__all__ = ["CHECKS", "MIN_MAX_AGE", "check_mta_sts", "check_tls_rpt"]

#: A policy cached for less than a day (max_age, seconds) protects little between fetches: warn.
MIN_MAX_AGE = 86400


@_domain_check("dns.mta-sts")
async def check_mta_sts(context: CheckContext, domain: str) -> Finding:
    """The ``_mta-sts`` record and the policy it announces: fetchable, valid, covering the MX hosts."""
    check = "dns.mta-sts"
    resolver, timeout = await shared_resolver(context), context.settings.timeout
    ascii_name = to_ascii_name(domain)
    name, host = sts_name(ascii_name), policy_host(ascii_name)
    # the domain's TXT and MX answers are the ones dns.spf and dns.mx ask for (one cache)
    own, answer, mx = await asyncio.gather(
        resolver.query(ascii_name, "TXT"), resolver.query(name, "TXT"), resolver.query(ascii_name, "MX")
    )
    params: dict[str, Any] = {"domain": domain, "name": name, "host": host}
    found = single_record(
        check,
        domain,
        own,
        answer,
        record="MTA-STS record",
        is_candidate=is_sts_candidate,
        none_code="MTASTS_NONE",
        multiple_code="MTASTS_MULTIPLE",
        timeout=timeout,
        params=params,
    )
    if isinstance(found, Finding):
        return found
    text, evidence = found
    try:
        record = parse_sts_record(text)
    except ParseError as exc:
        return make_finding(
            check, domain, "MTASTS_RECORD_SYNTAX", evidence=evidence, error=str(exc), record=text, **params
        )
    parts = context.parts
    fetched = await fetch_https(
        resolver,
        host,
        POLICY_PATH,
        timeout=timeout,
        limit=MAX_POLICY_BYTES,
        ca_pem=parts.fetch_ca_pem,
        port=parts.fetch_https_port,
    )
    params["url"] = fetched.url
    evidence.append(fetched.describe())
    if fetched.kind == "dns" and fetched.answer is not None:
        return fault_finding(check, domain, fetched.answer, "MTA-STS policy host", timeout=timeout, evidence=evidence)
    if fetched.kind == "timeout":
        return make_finding(check, domain, "MTASTS_POLICY_TIMEOUT", evidence=evidence, timeout=timeout, **params)
    problem = fetched.problem
    if fetched.ok and fetched.content_type != "text/plain":  # RFC 8461 §3.3: the policy's media type
        problem = f"served as {fetched.content_type or 'no Content-Type'}, not text/plain"
    if problem:
        return make_finding(check, domain, "MTASTS_POLICY_UNFETCHABLE", evidence=evidence, problem=problem, **params)
    try:
        policy = parse_sts_policy(fetched.body.decode("utf-8"))
    except (UnicodeDecodeError, ParseError) as exc:
        error = "the policy is not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else str(exc)
        return make_finding(check, domain, "MTASTS_POLICY_SYNTAX", evidence=evidence, error=error, **params)
    evidence.append(f"policy id {record.id}: mode {policy.mode}, max_age {policy.max_age}, mx {', '.join(policy.mx)}")
    evidence += policy.notes
    params |= {"mode": policy.mode, "max_age": policy.max_age, "patterns": ", ".join(policy.mx) or "(none)"}
    if mx.status.is_fault:
        return fault_finding(check, domain, mx, "MX record", timeout=timeout, evidence=evidence)
    evidence.append(mx.describe())
    try:
        hosts = [h for _, h in parse_mx_records(mx.records) if h != "."] if mx.ok else []
    except ParseError as exc:
        return make_finding(
            check,
            domain,
            "DNS_ERROR",
            evidence=evidence,
            rdtype="MX",
            name=ascii_name,
            detail=str(exc),
            record="MX record",
        )
    if policy.mode == "none":
        return make_finding(check, domain, "MTASTS_MODE_NONE", evidence=evidence, **params)
    missing = uncovered_hosts(policy, hosts)
    if missing:
        return make_finding(
            check, domain, "MTASTS_MX_NOT_COVERED", evidence=evidence, uncovered=", ".join(missing), **params
        )
    if policy.mode == "testing":
        return make_finding(check, domain, "MTASTS_TESTING", evidence=evidence, **params)
    if policy.max_age < MIN_MAX_AGE:
        return make_finding(check, domain, "MTASTS_MAX_AGE_SHORT", evidence=evidence, minimum=MIN_MAX_AGE, **params)
    return make_finding(check, domain, "MTASTS_OK", evidence=evidence, hosts=", ".join(hosts) or "(no MX)", **params)


@_domain_check("dns.tls-rpt")
async def check_tls_rpt(context: CheckContext, domain: str) -> Finding:
    """One valid ``v=TLSRPTv1`` record at ``_smtp._tls.<domain>`` with mailto:/https: destinations."""
    check = "dns.tls-rpt"
    resolver, timeout = await shared_resolver(context), context.settings.timeout
    ascii_name = to_ascii_name(domain)
    name = tlsrpt_name(ascii_name)
    own, answer = await asyncio.gather(resolver.query(ascii_name, "TXT"), resolver.query(name, "TXT"))
    params: dict[str, Any] = {"domain": domain, "name": name}
    found = single_record(
        check,
        domain,
        own,
        answer,
        record="TLS-RPT record",
        is_candidate=is_tlsrpt_candidate,
        none_code="TLSRPT_NONE",
        multiple_code="TLSRPT_MULTIPLE",
        timeout=timeout,
        params=params,
    )
    if isinstance(found, Finding):
        return found
    text, evidence = found
    try:
        record = parse_tlsrpt_record(text)
    except ParseError as exc:
        return make_finding(check, domain, "TLSRPT_SYNTAX", evidence=evidence, error=str(exc), record=text, **params)
    for uri in record.rua:
        try:
            validate_tlsrpt_uri(uri)
        except ParseError as exc:
            return make_finding(
                check, domain, "TLSRPT_BAD_URI", evidence=evidence, uri=uri, error=str(exc), record=text, **params
            )
    if record.extensions:
        evidence.append(f"extension fields (not read): {', '.join(record.extensions)}")
    return make_finding(check, domain, "TLSRPT_OK", evidence=evidence, rua=", ".join(record.rua), **params)


CHECKS = (
    CheckSpec(
        name="dns.mta-sts",
        description="the MTA-STS record at _mta-sts and its policy over HTTPS (RFC 8461): valid, covering the MX hosts",
        targets=domain_targets,
        run=check_mta_sts,
        budget_factor=4.0,  # the records, then the policy host's address, then the HTTPS fetch (each one timeout)
    ),
    CheckSpec(
        name="dns.tls-rpt",
        description="the TLS-RPT record at _smtp._tls (RFC 8460): one v=TLSRPTv1 record, mailto:/https: destinations",
        targets=domain_targets,
        run=check_tls_rpt,
    ),
)
