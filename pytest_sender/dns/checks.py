"""The ``dns.*`` preflight checks: ``dns.spf``, ``dns.dkim``, ``dns.dmarc``, ``dns.mx``, ``dns.blocklist``.

Each check has one target per sending domain (shown as the user wrote it; an IDN is queried as
its A-label). All checks of a run share one :class:`~pytest_sender.dns.query.Resolver` (so one
cache, keyed by nameservers, name and type), made from ``settings.nameservers`` and
``settings.timeout``; a test or the sandbox hands its own as ``RunParts.dns_resolver``, and other
:class:`~pytest_sender.dns.blocklist.Blocklist` s as ``RunParts.dns_blocklists``.
Each ``check_*`` is a registered check, ``check_x(context, domain) -> Finding``: one finding, never
a raise (a DNS fault is an ``error`` finding). Without pytest::

    asyncio.run(check_spf(CheckContext(Settings(domains=("example.com",))), "example.com"))
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pytest_sender.dns import blocklist as blocklists
from pytest_sender.dns.dkim import (
    MIN_RSA_BITS,
    RECOMMENDED_RSA_BITS,
    decode_dkim_key,
    dkim_name,
    parse_dkim_record,
    unusable_for_email,
)
from pytest_sender.dns.dmarc import (
    REMOVED_TAGS,
    DmarcRecord,
    ReportUri,
    discover,
    dmarc_name,
    is_dmarc_candidate,
    organisational_domain,
    parse_dmarc_record,
    report_authorisation_name,
    suggest_dmarc_record,
    tree_walk_names,
    validate_report_uri,
)
from pytest_sender.dns.mx import evaluate_mx
from pytest_sender.dns.query import DnsAnswer, DnsStatus, Resolver, to_ascii_name
from pytest_sender.dns.spf import (
    MAX_DNS_LOOKUPS,
    MAX_VOID_LOOKUPS,
    RECOMMENDED_MAX_RECORD_BYTES,
    analyze_spf,
    suggest_spf_record,
)
from pytest_sender.errors import ParseError
from pytest_sender.findings import Finding
from pytest_sender.hints import make_finding
from pytest_sender.preflight.registry import CheckContext, CheckFunction, CheckSpec
from pytest_sender.settings import Settings

__all__ = [
    "CHECKS",
    "NO_DOMAIN_TARGET",
    "SENDER_DKIM_TARGET",
    "check_blocklist",
    "check_dkim",
    "check_dmarc",
    "check_mx",
    "check_spf",
    "domain_targets",
    "fault_finding",
    "shared_resolver",
    "single_record",
]

#: The placeholder target of every dns check when no domain is configured.
NO_DOMAIN_TARGET = "no-domain-configured"
#: Where Sender's DKIM CNAME points (the key host Sender publishes).
SENDER_DKIM_TARGET = "dkim.sendersrv.com"

_FAULT_CODES = {
    DnsStatus.TIMEOUT: "DNS_TIMEOUT",
    DnsStatus.SERVFAIL: "DNS_SERVFAIL",
    DnsStatus.REFUSED: "DNS_REFUSED",
    DnsStatus.ERROR: "DNS_ERROR",
}


def domain_targets(settings: Settings) -> list[str]:
    return list(settings.domains) or [NO_DOMAIN_TARGET]


def fault_finding(
    check: str, target: str, answer: DnsAnswer, record: str, *, timeout: float, evidence: Sequence[str] = ()
) -> Finding:
    """The ``error`` finding for a query that could not be answered (never "missing")."""
    return make_finding(
        check,
        target,
        _FAULT_CODES.get(answer.status, "DNS_ERROR"),
        evidence=[*evidence, answer.describe()],
        rdtype=answer.rdtype,
        name=answer.name,
        record=record,
        timeout=timeout,
        server=answer.server or "the system resolver",
        detail=answer.detail or answer.status.value,
    )


def _domain_check(check: str) -> Callable[[CheckFunction], CheckFunction]:
    """One behaviour for every dns check, around its body (same signature, same rule).

    No domain configured: the placeholder target is a ``skip`` naming the setting. A name that
    cannot be queried is a finding, never a raise: the domain as configured, or a name built from
    it (``<selector>._domainkey.<domain>``, a report-authorisation name), can be unfit for the wire
    (an empty or over-long label, a bad IDN); the resolver raises :class:`ParseError` for it, and
    the check reports ``DNS_INVALID_NAME``. Record syntax errors are caught where the records are
    parsed and have their own codes.
    """

    def decorate(function: CheckFunction) -> CheckFunction:
        @functools.wraps(function)
        async def run(context: CheckContext, domain: str) -> Finding:
            if domain == NO_DOMAIN_TARGET:
                return make_finding(check, domain, "DNS_NO_DOMAIN", evidence=["no sending domain configured"])
            try:
                return await function(context, domain)
            except ParseError as exc:
                return make_finding(
                    check, domain, "DNS_INVALID_NAME", evidence=[str(exc)], domain=domain, detail=str(exc)
                )

        return run

    return decorate


def _not_found(check: str, domain: str, answer: DnsAnswer) -> Finding:
    """The domain-level finding every dns check gives when the sending domain itself is NXDOMAIN.

    No record can exist below a name that does not exist, so no check advises publishing one,
    and dns.blocklist does not pass a name nobody can look up: each reports this one code.
    """
    return make_finding(
        check,
        domain,
        "DNS_DOMAIN_NOT_FOUND",
        evidence=[answer.describe()],
        domain=domain,
        name=answer.name,
        server=answer.server or "the system resolver",
    )


def _domain_nxdomain(answer: DnsAnswer, name: str) -> bool:
    """``answer`` (for ``name`` itself, not via a CNAME) says the name does not exist."""
    return answer.status is DnsStatus.NXDOMAIN and not answer.cname_chain and answer.name == name


def single_record(
    check: str,
    domain: str,
    own: DnsAnswer,
    answer: DnsAnswer,
    *,
    record: str,
    is_candidate: Callable[[str], bool],
    none_code: str,
    multiple_code: str,
    timeout: float,
    params: Mapping[str, Any],
) -> Finding | tuple[str, list[str]]:
    """The one record of a kind (``is_candidate``) in ``answer``, with the evidence so far; or the
    finding when it cannot be had: the domain itself does not exist (``own``), a DNS fault, no such
    record (``none_code``) or several (``multiple_code``)."""
    if answer.status.is_void and _domain_nxdomain(own, own.name):
        return _not_found(check, domain, own)
    if answer.status.is_fault:
        return fault_finding(check, domain, answer, record, timeout=timeout)
    evidence = [answer.describe()]
    candidates = [text for text in answer.records if is_candidate(text)]
    if not candidates:
        return make_finding(check, domain, none_code, evidence=evidence, **params)
    if len(candidates) > 1:
        return make_finding(check, domain, multiple_code, evidence=evidence, count=len(candidates), **params)
    return candidates[0], evidence


# --- dns.spf ------------------------------------------------------------------------------------


@_domain_check("dns.spf")
async def check_spf(context: CheckContext, domain: str) -> Finding:
    """Exactly one valid record; lookups and void lookups within limits; Sender's include; the all term."""
    check = "dns.spf"
    resolver, include, timeout = await shared_resolver(context), context.settings.spf_include, context.settings.timeout
    name = to_ascii_name(domain)
    analysis = await analyze_spf(name, resolver=resolver)
    answer = analysis.answer
    params: dict[str, Any] = {"domain": domain, "include": include}
    if answer.status.is_fault:
        return fault_finding(check, domain, answer, "SPF record", timeout=timeout)
    if _domain_nxdomain(answer, name):
        return _not_found(check, domain, answer)
    evidence = [answer.describe()]
    if not analysis.records:
        return make_finding(
            check, domain, "SPF_MISSING", evidence=evidence, suggested=suggest_spf_record(None, include), **params
        )
    if len(analysis.records) > 1:
        return make_finding(
            check,
            domain,
            "SPF_MULTIPLE",
            evidence=evidence,
            count=len(analysis.records),
            suggested=suggest_spf_record(analysis.records, include),
            **params,
        )
    record = analysis.records[0]
    params["record"] = record
    if analysis.parsed is None:
        return make_finding(check, domain, "SPF_SYNTAX", evidence=evidence, error=analysis.parse_error, **params)
    evidence = [f"record: {record}"]
    evidence += [f"  {node.via} {node.domain}: {node.record or node.problem}" for node in analysis.nodes[1:]]
    evidence.append(f"DNS lookups: {analysis.lookups} of {MAX_DNS_LOOKUPS}")
    if analysis.void_terms:
        voids = ", ".join(analysis.void_terms)
        evidence.append(f"void lookups: {analysis.void_lookups} of {MAX_VOID_LOOKUPS}: {voids}")
    if analysis.macro_terms:
        evidence.append("counted, not followed (macros depend on the client): " + ", ".join(analysis.macro_terms))
    if analysis.faults:
        fault = analysis.faults[0]
        return fault_finding(check, domain, fault, "SPF include tree", timeout=timeout, evidence=evidence)
    if analysis.loops:
        return make_finding(check, domain, "SPF_INCLUDE_LOOP", evidence=evidence, loop=analysis.loops[0], **params)
    if analysis.lookups > MAX_DNS_LOOKUPS:
        return make_finding(
            check,
            domain,
            "SPF_TOO_MANY_LOOKUPS",
            evidence=evidence,
            lookups=analysis.lookups,
            terms=", ".join(analysis.lookup_terms),
            **params,
        )
    if analysis.void_lookups > MAX_VOID_LOOKUPS:
        return make_finding(
            check,
            domain,
            "SPF_TOO_MANY_VOID_LOOKUPS",
            evidence=evidence,
            void_lookups=analysis.void_lookups,
            terms=", ".join(analysis.void_terms),
            **params,
        )
    if analysis.broken_includes:
        return make_finding(
            check, domain, "SPF_INCLUDE_BROKEN", evidence=evidence, problem=analysis.broken_includes[0], **params
        )
    all_term = analysis.parsed.all_term
    include_name = include.lower()
    if all_term is not None and all_term.qualifier == "+":
        return make_finding(
            check,
            domain,
            "SPF_PASS_ALL",
            evidence=evidence,
            term=all_term.text,
            suggested=suggest_spf_record(record, include, soften_all=True),
            **params,
        )
    if include_name not in analysis.includes:
        return make_finding(
            check,
            domain,
            "SPF_INCLUDE_MISSING",
            evidence=evidence,
            suggested=suggest_spf_record(record, include, soften_all=True),
            **params,
        )
    if (all_term is not None and all_term.qualifier == "?") or (
        all_term is None and analysis.parsed.effective_redirect is None
    ):
        term = all_term.text if all_term is not None else "no all term"
        return make_finding(
            check,
            domain,
            "SPF_NEUTRAL_ALL",
            evidence=evidence,
            term=term,
            suggested=suggest_spf_record(record, include, soften_all=True),
            **params,
        )
    record_bytes = len(record.encode())
    answer_bytes = sum(len(r.encode()) for r in answer.records)
    if record_bytes > RECOMMENDED_MAX_RECORD_BYTES:
        evidence.append(f"TXT answer at {name}: {len(answer.records)} records, {answer_bytes} bytes")
        return make_finding(check, domain, "SPF_TOO_LONG", evidence=evidence, length=record_bytes, **params)
    if answer_bytes > RECOMMENDED_MAX_RECORD_BYTES:
        # RFC 7208 §3.4 counts the whole answer: here the other TXT records at the name make it large
        others = [r for r in answer.records if r != record]
        evidence.append(f"TXT answer at {name}: {len(answer.records)} records, {answer_bytes} bytes")
        evidence.append(f"the SPF record: {record_bytes} bytes")
        for other in others:
            shown = other if len(other) <= 60 else other[:60] + "…"
            evidence.append(f"shares the answer: {len(other.encode())} bytes: {shown}")
        return make_finding(
            check,
            domain,
            "SPF_ANSWER_TOO_LARGE",
            evidence=evidence,
            answer_bytes=answer_bytes,
            record_bytes=record_bytes,
            others=len(others),
            others_bytes=answer_bytes - record_bytes,
            **params,
        )
    return make_finding(
        check,
        domain,
        "SPF_OK",
        evidence=evidence,
        lookups=analysis.lookups,
        void_lookups=analysis.void_lookups,
        **params,
    )


# --- dns.dkim -----------------------------------------------------------------------------------


@_domain_check("dns.dkim")
async def check_dkim(context: CheckContext, domain: str) -> Finding:
    """The selector's key: present (CNAME or TXT), parseable, not revoked, long enough, not testing."""
    check = "dns.dkim"
    resolver, selector, timeout = (
        await shared_resolver(context),
        context.settings.dkim_selector,
        context.settings.timeout,
    )
    ascii_name = to_ascii_name(domain)
    name = to_ascii_name(dkim_name(selector, ascii_name))
    params: dict[str, Any] = {
        "domain": domain,
        "name": name,
        "selector": selector,
        "cname_target": SENDER_DKIM_TARGET,
    }
    # The domain's own TXT answer (shared with dns.spf through the cache) tells whether it exists.
    answer, own = await asyncio.gather(resolver.query(name, "TXT"), resolver.query(ascii_name, "TXT"))
    evidence = [answer.describe()]
    if answer.status.is_fault:
        return fault_finding(check, domain, answer, "DKIM key", timeout=timeout)
    if answer.status.is_void and _domain_nxdomain(own, ascii_name):
        return _not_found(check, domain, own)
    if answer.status.is_void:
        if answer.cname_chain:
            return make_finding(
                check,
                domain,
                "DKIM_CNAME_DANGLING",
                evidence=evidence,
                target=answer.final_name,
                state="which does not exist" if answer.status is DnsStatus.NXDOMAIN else "which has no TXT record",
                **params,
            )
        return make_finding(check, domain, "DKIM_MISSING", evidence=evidence, **params)
    if len(answer.records) > 1:
        return make_finding(
            check,
            domain,
            "DKIM_SYNTAX",
            evidence=evidence,
            error=f"{len(answer.records)} TXT records answer; publish exactly one",
            **params,
        )
    try:
        record = parse_dkim_record(answer.records[0])
    except ParseError as exc:
        return make_finding(check, domain, "DKIM_SYNTAX", evidence=evidence, error=str(exc), **params)
    if record.revoked:
        return make_finding(check, domain, "DKIM_REVOKED", evidence=evidence, **params)
    problem = unusable_for_email(record)
    if problem:
        return make_finding(check, domain, "DKIM_SYNTAX", evidence=evidence, error=problem, **params)
    try:
        key = decode_dkim_key(record)
    except ParseError as exc:
        return make_finding(check, domain, "DKIM_KEY_UNDECODABLE", evidence=evidence, error=str(exc), **params)
    via = f" via CNAME {answer.final_name}" if answer.cname_chain else ""
    evidence.append(f"key: {key}{via}")
    if key.key_type == "rsa" and key.bits < MIN_RSA_BITS:
        return make_finding(check, domain, "DKIM_KEY_TOO_SHORT", evidence=evidence, bits=key.bits, **params)
    if key.key_type == "rsa" and key.bits < RECOMMENDED_RSA_BITS:
        if record.testing:
            evidence.append("t=y: the key is also in testing mode")
        return make_finding(check, domain, "DKIM_KEY_WEAK", evidence=evidence, bits=key.bits, **params)
    if record.testing:
        return make_finding(check, domain, "DKIM_TESTING", evidence=evidence, **params)
    return make_finding(check, domain, "DKIM_OK", evidence=evidence, key=f"{key}{via}", **params)


# --- dns.dmarc ----------------------------------------------------------------------------------


@_domain_check("dns.dmarc")
async def check_dmarc(context: CheckContext, domain: str) -> Finding:
    """One valid record found by RFC 9989's tree walk; its policy, tags and report destinations."""
    check, resolver, timeout = "dns.dmarc", await shared_resolver(context), context.settings.timeout
    ascii_name = to_ascii_name(domain)
    walk = tree_walk_names(ascii_name)
    # The domain's own record first (with its TXT answer, shared with dns.spf): when it has one,
    # that record applies and the walk stops there. Otherwise the rest of the bounded walk (at
    # most seven names) at once: one more round trip, the first hit applies.
    domain_answer, own = await asyncio.gather(
        resolver.query(ascii_name, "TXT"), resolver.query(dmarc_name(ascii_name), "TXT")
    )
    if own.status.is_void and _domain_nxdomain(domain_answer, ascii_name):
        return _not_found(check, domain, domain_answer)
    answers = [own]
    if not own.status.is_fault and not any(is_dmarc_candidate(text) for text in own.records):
        answers += await asyncio.gather(*(resolver.query(dmarc_name(name), "TXT") for name in walk[1:]))
    evidence: list[str] = []
    for index, answer in enumerate(answers):  # faults matter up to the first record: it decides the policy
        evidence.append(answer.describe())
        if index > 0 and answer.status is DnsStatus.REFUSED:
            # a server authoritative for the domain only (no recursion) refuses its parents' names
            evidence[-1] += " (a server that does not serve this parent: counted as no record)"
            continue
        if answer.status.is_fault:
            return fault_finding(check, domain, answer, "DMARC record", timeout=timeout, evidence=evidence[:-1])
        if any(is_dmarc_candidate(text) for text in answer.records):
            break
    discovery = discover(
        ascii_name,
        {n: tuple(t for t in a.records if is_dmarc_candidate(t)) for n, a in zip(walk, answers, strict=False)},
    )
    org = discovery.organisational_domain
    params: dict[str, Any] = {"domain": domain, "org_domain": org}
    if discovery.policy_domain is None:
        advised = organisational_domain(ascii_name)  # where to publish: advice only, not RFC 9989's walk
        evidence.append(discovery.reason)
        return make_finding(
            check,
            domain,
            "DMARC_MISSING",
            evidence=evidence,
            fallback=f" nor at any parent ({', '.join(walk[1:])})" if len(walk) > 1 else "",
            suggested=suggest_dmarc_record(None, advised),
            **params | {"name": dmarc_name(ascii_name), "org_domain": advised},
        )
    policy_domain = discovery.policy_domain
    found_at = dmarc_name(policy_domain)
    at_ancestor = policy_domain != ascii_name
    params["name"] = found_at
    evidence.append(discovery.reason)
    candidates = discovery.texts
    if len(candidates) > 1:
        return make_finding(check, domain, "DMARC_MULTIPLE", evidence=evidence, count=len(candidates), **params)
    text = candidates[0]
    try:
        record = parse_dmarc_record(text)
    except ParseError as exc:
        return make_finding(
            check,
            domain,
            "DMARC_SYNTAX",
            evidence=evidence,
            error=str(exc),
            record=text,
            suggested=suggest_dmarc_record(None, org, policy="quarantine"),
            **params,
        )
    if at_ancestor:
        evidence.append(f"{ascii_name} has no record of its own; the record of {policy_domain} applies")
    if record.unknown:
        evidence.append(f"ignored (not RFC 9989 tags): {', '.join(record.unknown)}")
    evidence += record.notes
    uris = []
    for uri in (*record.rua, *record.ruf):
        try:
            uris.append(validate_report_uri(uri))
        except ParseError as exc:
            evidence.append(str(exc))
            return make_finding(check, domain, "DMARC_BAD_URI", evidence=evidence, uri=uri, **params)
    policy = record.effective_policy(for_subdomain=at_ancestor)
    if policy == "none":
        return make_finding(
            check,
            domain,
            "DMARC_POLICY_NONE",
            evidence=evidence,
            suggested=suggest_dmarc_record(record, org, policy="quarantine"),
            **params,
        )
    unauthorised = await _external_unauthorised(resolver, policy_domain, org, uris, evidence)
    if isinstance(unauthorised, DnsAnswer):
        return fault_finding(
            check, domain, unauthorised, "DMARC report authorisation", timeout=timeout, evidence=evidence[:-1]
        )
    if unauthorised is not None:
        host, auth_name = unauthorised
        return make_finding(
            check,
            domain,
            "DMARC_EXTERNAL_UNAUTHORISED",
            evidence=evidence,
            host=host,
            auth_name=auth_name,
            **params | {"domain": policy_domain},
        )
    return _dmarc_verdict(
        check, domain, record, policy=policy, at_ancestor=at_ancestor, evidence=evidence, params=params
    )


def _dmarc_verdict(
    check: str,
    domain: str,
    record: DmarcRecord,
    *,
    policy: str,
    at_ancestor: bool,
    evidence: list[str],
    params: dict[str, Any],
) -> Finding:
    """The finding for an enforcing record with valid destinations: testing, RFC 9989 warnings, or OK."""
    org = params["org_domain"]
    if record.testing:
        return make_finding(check, domain, "DMARC_TESTING", evidence=evidence, policy=policy, **params)
    if record.removed:
        instead = "; ".join(f"{tag}=: {REMOVED_TAGS[tag]}" for tag in record.removed)
        return make_finding(
            check,
            domain,
            "DMARC_REMOVED_TAGS",
            evidence=evidence,
            tags=", ".join(f"{tag}=" for tag in record.removed),
            instead=instead,
            suggested=suggest_dmarc_record(record, org, policy=record.policy),
            **params,
        )
    if not record.p_follows_v:
        return make_finding(
            check,
            domain,
            "DMARC_P_NOT_SECOND",
            evidence=evidence,
            suggested=suggest_dmarc_record(record, org, policy=record.policy),
            **params,
        )
    shown = f"p={record.policy}" + (f", sp={record.subdomain_policy}" if record.subdomain_policy else "")
    if record.nonexistent_policy:
        shown += f", np={record.nonexistent_policy}"
    if at_ancestor:
        shown += f" (applies to {domain}: {policy})"
    return make_finding(check, domain, "DMARC_OK", evidence=evidence, policy=shown, **params)


async def _external_unauthorised(
    resolver: Resolver, policy_domain: str, org: str, uris: Sequence[ReportUri], evidence: list[str]
) -> tuple[str, str] | DnsAnswer | None:
    """RFC 9990: a destination outside the policy domain's organisational domain must authorise it.

    A destination host at or below the policy domain (or ``org``) is internal. For the others the
    authorisation record ``<policy domain>._report._dmarc.<host>`` is read; only when it is missing
    are both organisational domains determined by the tree walk, and a host in the same one is
    internal after all. Returns the first unauthorised (host, authorisation name), a fault
    answer, or None.
    """
    hosts = sorted({uri.host for uri in uris if not any(_within(uri.host, d) for d in (policy_domain, org))})
    if not hosts:
        return None
    names = [report_authorisation_name(policy_domain, host) for host in hosts]
    auth_answers = await asyncio.gather(*(resolver.query(n, "TXT") for n in names))
    policy_org: str | None = None
    for host, auth_name, auth in zip(hosts, names, auth_answers, strict=True):
        if any(r.replace(" ", "").lower().startswith("v=dmarc1") for r in auth.records):
            evidence.append(auth.describe())
            continue
        if policy_org is None:
            policy_org = await _walked_org(resolver, policy_domain)
        if await _walked_org(resolver, host) == policy_org:
            evidence.append(f"{host} is in the organisational domain {policy_org} (tree walk): internal")
            continue
        evidence.append(auth.describe())
        return auth if auth.status.is_fault else (host, auth_name)
    return None


def _within(name: str, domain: str) -> bool:
    return name == domain or name.endswith("." + domain)


async def _walked_org(resolver: Resolver, name: str) -> str:
    """``name``'s organisational domain by RFC 9989's tree walk (unanswerable names count as no record)."""
    walk = tree_walk_names(name)
    answers = await asyncio.gather(*(resolver.query(dmarc_name(n), "TXT") for n in walk))
    records = {n: tuple(t for t in a.records if is_dmarc_candidate(t)) for n, a in zip(walk, answers, strict=True)}
    return discover(name, records).organisational_domain


# --- dns.mx -------------------------------------------------------------------------------------


@_domain_check("dns.mx")
async def check_mx(context: CheckContext, domain: str) -> Finding:
    """The domain can receive replies and bounces (warn only)."""
    check = "dns.mx"
    resolver, timeout = await shared_resolver(context), context.settings.timeout
    name = to_ascii_name(domain)
    mx = await resolver.query(name, "MX")
    if _domain_nxdomain(mx, name):
        return _not_found(check, domain, mx)
    if mx.status.is_void:  # no MX: mail goes to the address records (RFC 5321 §5.1)
        a, aaaa = await asyncio.gather(resolver.query(name, "A"), resolver.query(name, "AAAA"))
    else:
        a = aaaa = mx  # not consulted: MX records (or a fault) decide

    evidence = [mx.describe()]
    try:
        verdict = evaluate_mx(mx, a, aaaa)
    except ParseError as exc:
        return make_finding(
            check, domain, "DNS_ERROR", evidence=evidence, rdtype="MX", name=name, detail=str(exc), record="MX record"
        )
    if verdict.kind == "fault":
        assert verdict.fault is not None
        return fault_finding(check, domain, verdict.fault, "MX record", timeout=timeout)
    if verdict.kind == "mx":
        return make_finding(check, domain, "MX_OK", evidence=evidence, domain=domain, hosts=", ".join(verdict.hosts))
    if verdict.kind == "null":
        return make_finding(check, domain, "MX_NULL", evidence=evidence, domain=domain)
    evidence += [a.describe(), aaaa.describe()]
    if verdict.kind == "address":
        return make_finding(
            check, domain, "MX_A_FALLBACK", evidence=evidence, domain=domain, address=", ".join(verdict.hosts)
        )
    return make_finding(check, domain, "MX_NONE", evidence=evidence, domain=domain)


# --- dns.blocklist ------------------------------------------------------------------------------


@_domain_check("dns.blocklist")
async def check_blocklist(context: CheckContext, domain: str) -> Finding:
    """The domain on each list (``RunParts.dns_blocklists``, else ``DEFAULT_BLOCKLISTS``): listed
    fails; a "query refused" code is an error, never a listing."""
    check = "dns.blocklist"
    resolver, timeout = await shared_resolver(context), context.settings.timeout
    lists = shared_blocklists(context)
    name = to_ascii_name(domain)
    own, *answers = await asyncio.gather(
        resolver.query(name, "TXT"), *(resolver.query(f"{name}.{bl.zone}", "A") for bl in lists)
    )
    if _domain_nxdomain(own, name):
        return _not_found(check, domain, own)  # not "clean": a name that does not exist is not vetted
    listings = [blocklists.evaluate_listing(bl, answer) for bl, answer in zip(lists, answers, strict=True)]
    evidence = [answer.describe() for answer in answers]
    listed = [item for item in listings if item.kind == "listed"]
    if listed:
        first = listed[0]
        shown = "; ".join(f"{item.blocklist.title} ({item.meaning})" for item in listed)
        return make_finding(
            check,
            domain,
            "BLOCKLIST_LISTED",
            evidence=evidence,
            domain=domain,
            listing=shown,
            lookup=first.blocklist.lookup_url,
        )
    for item in listings:
        if item.kind == "fault":
            assert item.answer is not None
            return fault_finding(
                check,
                domain,
                item.answer,
                f"{item.blocklist.title} listing",
                timeout=timeout,
                evidence=[e for e in evidence if e != item.answer.describe()],
            )
        if item.kind in ("refused", "bad"):
            return make_finding(
                check,
                domain,
                "BLOCKLIST_QUERY_REFUSED" if item.kind == "refused" else "BLOCKLIST_BAD_ANSWER",
                evidence=evidence,
                zone=item.blocklist.zone,
                answer=", ".join(item.codes),
            )
    return make_finding(
        check,
        domain,
        "BLOCKLIST_CLEAN",
        evidence=evidence,
        domain=domain,
        lists=", ".join(bl.title for bl in lists),
    )


# --- the registry entries -----------------------------------------------------------------------


async def shared_resolver(context: CheckContext) -> Resolver:
    """The run's one resolver (shared by every DNS lookup of the run, so by its cache), or the given one."""
    if context.parts.dns_resolver is not None:
        return context.parts.dns_resolver
    settings = context.settings

    async def make() -> Resolver:
        return Resolver(settings.nameservers, timeout=settings.timeout)

    return await context.shared(("dns.resolver", settings.nameservers, settings.timeout), make)


def shared_blocklists(context: CheckContext) -> Sequence[blocklists.Blocklist]:
    """The domain blocklists of the run: the given ones, else ``DEFAULT_BLOCKLISTS``."""
    given = context.parts.dns_blocklists
    return blocklists.DEFAULT_BLOCKLISTS if given is None else given


CHECKS = (
    CheckSpec(
        name="dns.spf",
        description="one valid SPF record that includes Sender, within 10 DNS lookups and 2 void lookups",
        targets=domain_targets,
        run=check_spf,
        budget_factor=4.0,  # the include tree: a few dependent round trips, each bounded by the timeout
    ),
    CheckSpec(
        name="dns.dkim",
        description="the DKIM key at <selector>._domainkey: present, decodable, not revoked, >= 1024 bits",
        targets=domain_targets,
        run=check_dkim,
    ),
    CheckSpec(
        name="dns.dmarc",
        description="one valid DMARC record (or the organisational domain's), its policy and report addresses",
        targets=domain_targets,
        run=check_dmarc,
    ),
    CheckSpec(
        name="dns.mx",
        description="the domain can receive replies and bounces (MX, or A/AAAA fallback; null MX warns)",
        targets=domain_targets,
        run=check_mx,
    ),
    CheckSpec(
        name="dns.blocklist",
        description="the domain is on no domain blocklist (a 'query refused' answer is an error)",
        targets=domain_targets,
        run=check_blocklist,
    ),
)
