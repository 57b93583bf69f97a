"""What a domain tells the servers that deliver mail to it (replies, bounces): ``dns.tls-rpt``.

These records are about the sending domain as a receiver: where TLS failures toward its MX hosts
are reported (TLS-RPT, RFC 8460). Each check has one target per sending domain, reads its DNS
through the run's one resolver (:func:`~pytest_sender.dns.checks.shared_resolver`, so one cache with
the other ``dns.*`` checks; the domain's own TXT answer is the one dns.spf asks for) and returns one
finding, never a raise. Parsing is pure, in :mod:`pytest_sender.dns.tlsrpt`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pytest_sender.dns.checks import (
    _domain_check,
    _domain_nxdomain,
    _not_found,
    domain_targets,
    fault_finding,
    shared_resolver,
)
from pytest_sender.dns.query import to_ascii_name
from pytest_sender.dns.tlsrpt import is_tlsrpt_candidate, parse_tlsrpt_record, tlsrpt_name, validate_tlsrpt_uri
from pytest_sender.errors import ParseError
from pytest_sender.findings import Finding
from pytest_sender.hints import make_finding
from pytest_sender.preflight.registry import CheckContext, CheckSpec

__all__ = ["CHECKS", "check_tls_rpt"]


@_domain_check("dns.tls-rpt")
async def check_tls_rpt(context: CheckContext, domain: str) -> Finding:
    """One valid ``v=TLSRPTv1`` record at ``_smtp._tls.<domain>`` with mailto:/https: destinations."""
    check = "dns.tls-rpt"
    resolver, timeout = await shared_resolver(context), context.settings.timeout
    ascii_name = to_ascii_name(domain)
    name = tlsrpt_name(ascii_name)
    own, answer = await asyncio.gather(resolver.query(ascii_name, "TXT"), resolver.query(name, "TXT"))
    if answer.status.is_void and _domain_nxdomain(own, ascii_name):
        return _not_found(check, domain, own)
    if answer.status.is_fault:
        return fault_finding(check, domain, answer, "TLS-RPT record", timeout=timeout)
    evidence = [answer.describe()]
    params: dict[str, Any] = {"domain": domain, "name": name}
    candidates = [text for text in answer.records if is_tlsrpt_candidate(text)]
    if not candidates:
        return make_finding(check, domain, "TLSRPT_NONE", evidence=evidence, **params)
    if len(candidates) > 1:
        return make_finding(check, domain, "TLSRPT_MULTIPLE", evidence=evidence, count=len(candidates), **params)
    text = candidates[0]
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
        name="dns.tls-rpt",
        description="the TLS-RPT record at _smtp._tls (RFC 8460): one v=TLSRPTv1 record, mailto:/https: destinations",
        targets=domain_targets,
        run=check_tls_rpt,
    ),
)
