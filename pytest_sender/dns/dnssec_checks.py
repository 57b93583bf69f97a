"""dns.dnssec: whether the sending domain is signed, and whether its chain of trust validates.

The walk starts at the trust anchor's zone (the ``dnssec_trust_anchor`` setting: the IANA root
key unless told otherwise; the sandbox sets the DS of the key its zone is signed with) and goes
down one label at a time to the domain. For each name on the way it asks DS, DNSKEY and SOA (with
the DO bit, so the RRSIGs come too); a DS makes the name a zone cut, and then:

1. the DS rrset is validated with the keys of the zone above (its signature, by that zone);
2. the name's DNSKEY rrset is validated by that DS (a key matching it signed the rrset).

A name with an SOA but no DS is an unsigned delegation: the domain is unsigned (informational,
``DNSSEC_UNSIGNED``), or, when the zone publishes keys anyway, ``DNSSEC_DS_MISSING``. The absence
of the DS is taken as answered: its NSEC/NSEC3 proof is not checked. Below the last cut, the
domain's own answer is validated with its zone's keys: its SOA when the domain is the zone's apex,
else its MX records. A broken link is ``DNSSEC_BOGUS`` (which zone, what failed), a signature out of
its validity window ``DNSSEC_EXPIRED``.

Every question is known from the names alone, so all are asked at once (one round trip through
the run's resolver, whose cache other domains of the run share for the zones above them); the
answers are then judged in order by :mod:`pytest_sender.dns.dnssec`, which is pure.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from pytest_sender.dns.checks import (
    _domain_check,
    _domain_nxdomain,
    _not_found,
    domain_targets,
    fault_finding,
    shared_resolver,
)
from pytest_sender.dns.dnssec import (
    ROOT_TRUST_ANCHOR,
    SignedRRset,
    TrustAnchor,
    Validity,
    ZoneVerdict,
    ds_anchor,
    key_tags,
    parse_trust_anchor,
    validate_rrset,
    validate_zone_keys,
)
from pytest_sender.dns.query import DnsAnswer, to_ascii_name
from pytest_sender.errors import ParseError
from pytest_sender.findings import Finding
from pytest_sender.hints import make_finding
from pytest_sender.preflight.registry import CheckContext, CheckSpec

__all__ = ["CHECKS", "check_dnssec", "names_below"]

CHECK = "dns.dnssec"


def names_below(zone: str, name: str) -> list[str] | None:
    """The names from just below ``zone`` down to ``name`` (``[]`` when they are the same), or
    None when ``name`` is not inside ``zone``. Names without the final dot; ``"."`` is the root."""
    if zone == ".":
        labels = name.split(".")
    elif name == zone:
        return []
    elif name.endswith("." + zone):
        labels = name[: -len(zone) - 1].split(".")
    else:
        return None
    suffix = "" if zone == "." else "." + zone
    return [".".join(labels[index:]) + suffix for index in range(len(labels) - 1, -1, -1)]


def _signed(answer: DnsAnswer, name: str) -> SignedRRset:
    return SignedRRset(name, answer.rdtype, answer.records if answer.ok else (), answer.rrsigs)


def _anchor_text(context: CheckContext) -> str:
    setting = context.settings.dnssec_trust_anchor
    return setting.text if setting is not None and setting.text else ROOT_TRUST_ANCHOR


def _broken(domain: str, verdict: ZoneVerdict, evidence: list[str]) -> Finding:
    code = "DNSSEC_EXPIRED" if verdict.validity is Validity.EXPIRED else "DNSSEC_BOGUS"
    return make_finding(
        CHECK, domain, code, evidence=evidence, domain=domain, zone=verdict.zone, problem=verdict.problem
    )


@_domain_check(CHECK)
async def check_dnssec(context: CheckContext, domain: str) -> Finding:
    """The chain of trust from the trust anchor down to the domain (see the module's docstring)."""
    resolver, timeout = await shared_resolver(context), context.settings.timeout
    name = to_ascii_name(domain)
    try:
        anchor = parse_trust_anchor(_anchor_text(context))
    except ParseError as exc:
        return make_finding(CHECK, domain, "DNSSEC_ANCHOR_INVALID", evidence=[str(exc)], domain=domain, error=str(exc))
    below = names_below(anchor.zone, name)
    if below is None:
        return make_finding(
            CHECK,
            domain,
            "DNSSEC_ANCHOR_UNRELATED",
            evidence=[f"trust anchor: {anchor.describe()}"],
            domain=domain,
            anchor_zone=anchor.zone,
        )
    questions = [(anchor.zone, "DNSKEY")]
    questions += [(each, rdtype) for each in below for rdtype in ("DS", "DNSKEY", "SOA")]
    if not below:
        questions.append((name, "SOA"))
    questions.append((name, "MX"))
    answers = dict(
        zip(questions, await asyncio.gather(*(resolver.query(n, t, dnssec=True) for n, t in questions)), strict=True)
    )
    return _judge(domain, name, anchor=anchor, below=below, answers=answers, timeout=timeout)


def _judge(
    domain: str,
    name: str,
    *,
    anchor: TrustAnchor,
    below: list[str],
    answers: dict[tuple[str, str], DnsAnswer],
    timeout: float,
) -> Finding:
    """The walk over the answers, from the anchor's zone down to the domain (pure)."""
    now = time.time()
    own = answers[(name, "SOA")]
    if _domain_nxdomain(own, name):
        return _not_found(CHECK, domain, own)
    evidence = [f"trust anchor: {anchor.describe()}"]
    params: dict[str, Any] = {"domain": domain}
    top = answers[(anchor.zone, "DNSKEY")]
    if top.status.is_fault:
        return fault_finding(CHECK, domain, top, "DNSKEY record", timeout=timeout, evidence=evidence)
    evidence.append(top.describe())
    verdict = validate_zone_keys(anchor, _signed(top, anchor.zone), now=now)
    if not verdict.ok:
        return _broken(domain, verdict, evidence)
    zone, keys = anchor.zone, verdict.keys
    chain = [_link(zone, verdict)]
    for each in below:
        ds, dnskey, soa = (answers[(each, rdtype)] for rdtype in ("DS", "DNSKEY", "SOA"))
        if ds.status.is_fault:
            return fault_finding(CHECK, domain, ds, "DS record", timeout=timeout, evidence=evidence)
        if ds.ok and not ds.cname_chain:
            outcome = _cut(
                domain, each, zone=zone, keys=keys, ds=ds, dnskey=dnskey, now=now, timeout=timeout, evidence=evidence
            )
            if isinstance(outcome, Finding):
                return outcome
            zone, keys = each, outcome.keys
            chain.append(_link(zone, outcome))
            continue
        if soa.status.is_fault:
            return fault_finding(CHECK, domain, soa, "SOA record", timeout=timeout, evidence=evidence)
        if not (soa.ok and not soa.cname_chain):
            continue  # not a zone's apex: a name inside the zone above
        evidence += [ds.describe(), dnskey.describe()]
        if dnskey.ok:
            tags = ", ".join(str(t) for t in key_tags(dnskey.records)) or "unreadable"
            return make_finding(
                CHECK, domain, "DNSSEC_DS_MISSING", evidence=evidence, zone=each, parent=zone, tags=tags, **params
            )
        return make_finding(CHECK, domain, "DNSSEC_UNSIGNED", evidence=evidence, zone=each, parent=zone, **params)
    final = own if zone == name else answers[(name, "MX")]
    if final.status.is_fault:
        return fault_finding(CHECK, domain, final, f"{final.rdtype} record", timeout=timeout, evidence=evidence)
    if final.ok and not final.cname_chain:
        evidence.append(final.describe())
        verdict = validate_rrset(_signed(final, name), zone, keys, now=now)
        if not verdict.ok:
            return _broken(domain, verdict, evidence)
        chain.append(f"{final.rdtype} {name}")
    else:
        evidence.append(f"{final.describe()}: no record at {name} itself to check; its zone {zone} validates")
    return make_finding(CHECK, domain, "DNSSEC_OK", evidence=evidence, chain=" → ".join(chain), **params)


def _link(zone: str, verdict: ZoneVerdict) -> str:
    return f"{zone} (key tag {', '.join(str(t) for t in verdict.signed_by)})"


def _cut(
    domain: str,
    child: str,
    *,
    zone: str,
    keys: tuple[str, ...],
    ds: DnsAnswer,
    dnskey: DnsAnswer,
    now: float,
    timeout: float,
    evidence: list[str],
) -> ZoneVerdict | Finding:
    """One zone cut: the DS of ``child`` signed by ``zone``'s ``keys``, then ``child``'s DNSKEY
    rrset vouched for by that DS; the child's verdict (its keys), or the finding that ends the walk."""
    evidence.append(ds.describe())
    verdict = validate_rrset(_signed(ds, child), zone, keys, now=now)
    if not verdict.ok:
        return _broken(domain, verdict, evidence)
    if dnskey.status.is_fault:
        return fault_finding(CHECK, domain, dnskey, "DNSKEY record", timeout=timeout, evidence=evidence)
    evidence.append(dnskey.describe())
    verdict = validate_zone_keys(ds_anchor(child, ds.records), _signed(dnskey, child), now=now)
    return verdict if verdict.ok else _broken(domain, verdict, evidence)


CHECKS = (
    CheckSpec(
        name=CHECK,
        description="DNSSEC: the chain of trust from the trust anchor (the root key unless set) down to the "
        "domain validates; an unsigned domain is informational",
        targets=domain_targets,
        run=check_dnssec,
    ),
)
