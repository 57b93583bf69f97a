"""DMARC alignment (RFC 9989 §4.4, RFC 7489 §3.1) and the DMARC verdict of one message.

Pure: :func:`is_aligned` compares an authenticated domain with the From domain under a mode
(``s``: the same name; ``r``: the same organisational domain, by the public suffix list through
:func:`pytest_sender.dns.dmarc.organisational_domain`); :func:`evaluate_dmarc` combines the SPF and
DKIM results with the domain's record into a verdict and explains, in words, which identifier
aligned under which mode or which one must change. :func:`fetch_policy` is the I/O: RFC 9989's
tree walk for the From domain's record through :class:`~pytest_sender.dns.query.Resolver`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pytest_sender.dns.dmarc import (
    DmarcRecord,
    discover,
    dmarc_name,
    is_dmarc_candidate,
    organisational_domain,
    parse_dmarc_record,
    tree_walk_names,
)
from pytest_sender.errors import ParseError

if TYPE_CHECKING:
    from pytest_sender.dns.query import DnsAnswer, Resolver
    from pytest_sender.mailauth.signatures import DkimVerdict

__all__ = [
    "MODE_NAMES",
    "DmarcPolicy",
    "DmarcVerdict",
    "Identifiers",
    "evaluate_dmarc",
    "fetch_policy",
    "is_aligned",
    "message_identifiers",
    "mode_name",
]

MODE_NAMES = {"r": "relaxed", "s": "strict"}


@dataclass(frozen=True)
class Identifiers:
    """The domains DMARC compares: the From domain, each ``DKIM-Signature d=``, the ``Return-Path``'s."""

    from_domain: str
    dkim_domains: tuple[str, ...]
    return_path_domain: str


def message_identifiers(raw: bytes) -> Identifiers:
    """The identifiers of a delivered message (empty strings for what it lacks); never raises."""
    import email
    import email.policy
    from email.utils import getaddresses, parseaddr

    from pytest_sender.mailauth.signatures import SignatureTags, parse_signatures

    try:
        parsed = email.message_from_bytes(raw, policy=email.policy.compat32)
        senders = [a for _, a in getaddresses([str(v) for v in parsed.get_all("From", [])]) if a]
        return_path = parseaddr(str(parsed.get("Return-Path", "")))[1]
    except Exception:  # a header no parser reads: no identifiers
        senders, return_path = [], ""
    signers = tuple(t.domain for t in parse_signatures(raw) if isinstance(t, SignatureTags))
    return Identifiers(
        from_domain=senders[0].rpartition("@")[2].lower() if senders else "",
        dkim_domains=signers,
        return_path_domain=return_path.rpartition("@")[2].lower(),
    )


def mode_name(mode: str) -> str:
    return MODE_NAMES.get(mode, mode)


def _clean(domain: str) -> str:
    return domain.strip().rstrip(".").lower()


def is_aligned(domain: str, from_domain: str, mode: str) -> bool:
    """Whether an authenticated ``domain`` aligns with ``from_domain`` under ``mode`` (``r`` or ``s``)."""
    left, right = _clean(domain), _clean(from_domain)
    if not left or not right:
        return False
    if left == right:
        return True
    if mode == "s":
        return False
    return organisational_domain(left) == organisational_domain(right)


def _why_not(domain: str, from_domain: str, mode: str) -> str:
    if mode == "s" and organisational_domain(_clean(domain)) == organisational_domain(_clean(from_domain)):
        return f"strict alignment needs exactly {from_domain}; {domain} shares only the organisational domain"
    return (
        f"{domain} (organisational domain {organisational_domain(_clean(domain))}) and {from_domain} "
        f"(organisational domain {organisational_domain(_clean(from_domain))}) differ"
    )


@dataclass(frozen=True)
class DmarcPolicy:
    """The record that applies to a From domain: where it was found, or why none could be read."""

    from_domain: str
    record: DmarcRecord | None
    policy_domain: str | None  # the name whose _dmarc record applies
    fault: str = ""  # a DNS fault that left the policy unknown (temperror)
    error: str = ""  # the record found does not parse, or several apply (permerror)
    evidence: tuple[str, ...] = ()
    fault_answer: DnsAnswer | None = None  # the answer that was a fault, when ``fault`` is set

    @property
    def applied_policy(self) -> str | None:
        if self.record is None:
            return None
        at_ancestor = self.policy_domain is not None and self.policy_domain != _clean(self.from_domain)
        return self.record.effective_policy(for_subdomain=at_ancestor)


@dataclass(frozen=True)
class DmarcVerdict:
    """The DMARC result of one message, with what aligned and why."""

    result: str  # pass, fail, none, temperror, permerror
    from_domain: str
    policy: str | None  # the p= (or sp=) that applies; None without a record
    adkim: str
    aspf: str
    dkim_aligned: tuple[str, ...]  # d= domains whose signature passed and aligned
    spf_aligned: bool
    explanation: str

    @property
    def aligned_by(self) -> str:
        """``dkim``, ``spf``, ``dkim+spf`` or ``none``."""
        methods = [name for name, ok in (("dkim", bool(self.dkim_aligned)), ("spf", self.spf_aligned)) if ok]
        return "+".join(methods) or "none"


def evaluate_dmarc(
    from_domain: str,
    policy: DmarcPolicy,
    *,
    spf_result: str | None,
    spf_domain: str | None,
    dkim: Sequence[DkimVerdict],
) -> DmarcVerdict:
    """DMARC for a message from ``from_domain``: pass when SPF passed for an aligned envelope domain
    or a DKIM signature passed for an aligned ``d=``; the explanation names which, under which mode."""
    from_domain = _clean(from_domain)
    record = policy.record
    adkim = record.adkim if record else "r"
    aspf = record.aspf if record else "r"
    passed_dkim = [v for v in dkim if v.result == "pass"]
    dkim_aligned = tuple(v.domain for v in passed_dkim if is_aligned(v.domain, from_domain, adkim))
    spf_passed = spf_result == "pass" and bool(spf_domain)
    spf_aligned = spf_passed and is_aligned(spf_domain or "", from_domain, aspf)
    parts: list[str] = []
    for domain in dkim_aligned:
        how = "the same domain" if _clean(domain) == from_domain else "the same organisational domain"
        parts.append(f"DKIM d={domain} passes and aligns with From {from_domain} ({mode_name(adkim)}: {how})")
    for signature in passed_dkim:
        if signature.domain not in dkim_aligned:
            parts.append(
                f"DKIM d={signature.domain} passes but is not aligned with From {from_domain} "
                f"({mode_name(adkim)}: {_why_not(signature.domain, from_domain, adkim)})"
            )
    if spf_aligned:
        how = "the same domain" if _clean(spf_domain or "") == from_domain else "the same organisational domain"
        parts.append(f"SPF passes for {spf_domain}, aligned with From {from_domain} ({mode_name(aspf)}: {how})")
    elif spf_passed:
        parts.append(
            f"SPF passes for the bounce domain {spf_domain}, which is not aligned with From {from_domain} "
            f"({mode_name(aspf)}: {_why_not(spf_domain or '', from_domain, aspf)})"
        )
    else:
        parts.append(f"SPF {spf_result or 'none'} for {spf_domain or 'the envelope sender'}")
    if not passed_dkim:
        failed = [v for v in dkim if v.result != "pass"]
        parts.append(
            "DKIM: " + "; ".join(f"d={v.domain or '?'} {v.result}" for v in failed)
            if failed
            else "DKIM: the message carries no signature"
        )
    aligned = bool(dkim_aligned) or spf_aligned
    if dkim_aligned and not spf_aligned:
        parts.append("DMARC relies on DKIM here")
    elif spf_aligned and not dkim_aligned:
        parts.append("DMARC relies on SPF here")
    elif not aligned:
        parts.append(
            _what_must_change(from_domain, passed_dkim=passed_dkim, spf_passed=spf_passed, adkim=adkim, aspf=aspf)
        )
    explanation = "; ".join(parts)

    def verdict(result: str, prefix: str = "") -> DmarcVerdict:
        return DmarcVerdict(
            result,
            from_domain,
            policy.applied_policy,
            adkim,
            aspf,
            dkim_aligned,
            spf_aligned,
            prefix + explanation,
        )

    if policy.fault:
        return verdict("temperror", f"the DMARC record could not be read ({policy.fault}); ")
    if policy.error:
        return verdict("permerror", f"the DMARC record is unusable ({policy.error}); ")
    if record is None:
        return verdict("none", f"{from_domain} and its organisational domain publish no DMARC record; ")
    return verdict("pass" if aligned else "fail")


def _what_must_change(
    from_domain: str,
    *,
    passed_dkim: Sequence[DkimVerdict],
    spf_passed: bool,
    adkim: str,
    aspf: str,
) -> str:
    if passed_dkim:
        signer = passed_dkim[0].domain
        if adkim == "s" and organisational_domain(_clean(signer)) == organisational_domain(from_domain):
            return f"no identifier aligns: sign with d={from_domain} exactly, or relax the record to adkim=r"
        return f"no identifier aligns: the signature must use d={from_domain} (or a domain of its organisation)"
    if spf_passed:
        return (
            f"no identifier aligns: make DKIM pass with d={from_domain}, or use a bounce domain under "
            f"{organisational_domain(from_domain)}" + (" with aspf=r" if aspf == "s" else "")
        )
    return f"no identifier aligns: make DKIM pass with d={from_domain}, the one DMARC can rely on with Sender"


async def fetch_policy(from_domain: str, *, resolver: Resolver) -> DmarcPolicy:
    """The DMARC record that applies to ``from_domain`` (RFC 9989 tree walk); never raises for a DNS fault."""
    name = _clean(from_domain)
    try:
        walk = tree_walk_names(name)
        answers = await asyncio.gather(*(resolver.query(dmarc_name(n), "TXT") for n in walk))
    except ParseError as exc:
        return DmarcPolicy(from_domain, None, None, error=str(exc))
    evidence = []
    records: dict[str, tuple[str, ...]] = {}
    for walked, answer in zip(walk, answers, strict=True):
        evidence.append(answer.describe())
        candidates = tuple(t for t in answer.records if is_dmarc_candidate(t))
        if candidates:
            records[walked] = candidates
            break
        if answer.status.is_fault and not (walked != name and answer.status.value == "refused"):
            return DmarcPolicy(
                from_domain, None, None, fault=answer.describe(), evidence=tuple(evidence), fault_answer=answer
            )
    discovery = discover(name, records)
    if discovery.policy_domain is None:
        return DmarcPolicy(from_domain, None, None, evidence=tuple(evidence))
    if len(discovery.texts) > 1:
        return DmarcPolicy(
            from_domain,
            None,
            discovery.policy_domain,
            error=f"{len(discovery.texts)} records at {dmarc_name(discovery.policy_domain)}",
            evidence=tuple(evidence),
        )
    try:
        record = parse_dmarc_record(discovery.texts[0])
    except ParseError as exc:
        return DmarcPolicy(from_domain, None, discovery.policy_domain, error=str(exc), evidence=tuple(evidence))
    return DmarcPolicy(from_domain, record, discovery.policy_domain, evidence=tuple(evidence))
