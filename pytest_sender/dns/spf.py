"""SPF (RFC 7208): the record parser, macro expansion, ``check_host()`` and the include-tree analysis.

Layers:

- pure: :func:`parse_spf_record`, :func:`select_spf_records`, :func:`expand_macros`,
  :func:`suggest_spf_record`;
- DNS: :func:`check_host` (the RFC 7208 §4 evaluation; async) and its blocking twin
  :func:`check_host_sync`; :func:`analyze_spf` walks the whole include/redirect tree without a
  client IP, counting DNS lookups and void lookups, for the ``dns.spf`` check.

``check_host`` is RFC 7208's own name for the evaluation (it returns an :class:`SpfResult`, not a
finding): the one ``check_*`` of the library that is not a registered preflight check, which is
``dns.checks.check_spf``. It is a coroutine because every query goes through the async
:class:`~pytest_sender.dns.query.Resolver`; call it with ``await`` or use :func:`check_host_sync`.
Only :class:`~pytest_sender.errors.ParseError` leaves the parsers; ``check_host`` never raises
for DNS faults (they give ``temperror``).
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field

from pytest_sender.dns.numbers import parse_number
from pytest_sender.dns.query import DnsAnswer, Resolver, to_ascii_name
from pytest_sender.errors import ParseError

__all__ = [
    "DNS_MECHANISMS",
    "MAX_DNS_LOOKUPS",
    "MAX_VOID_LOOKUPS",
    "RESULTS",
    "MacroContext",
    "Mechanism",
    "Modifier",
    "SpfAnalysis",
    "SpfRecord",
    "SpfResult",
    "analyze_spf",
    "check_host",
    "check_host_sync",
    "expand_macros",
    "parse_spf_record",
    "select_spf_records",
    "suggest_spf_record",
]

#: The seven results of check_host() (RFC 7208 §2.6).
RESULTS = ("pass", "fail", "softfail", "neutral", "none", "permerror", "temperror")
MAX_DNS_LOOKUPS = 10  # RFC 7208 §4.6.4
MAX_VOID_LOOKUPS = 2  # RFC 7208 §4.6.4
MAX_MX_OR_PTR_NAMES = 10  # RFC 7208 §4.6.4 (mx) and §5.5 (ptr)
#: Mechanisms and modifiers that cost one DNS lookup each (RFC 7208 §4.6.4).
DNS_MECHANISMS = frozenset({"include", "a", "mx", "ptr", "exists"})
#: Records longer than this risk UDP truncation and are hard to maintain (RFC 7208 §3.4).
RECOMMENDED_MAX_RECORD_BYTES = 450

_QUALIFIER_RESULT = {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}
_MECHANISMS = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")
_MODIFIER_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")
_MACRO = re.compile(r"%(?:\{([slodiphcrtvSLODIPHCRTV])([0-9]*)(r?)([.\-+,/_=]*)\}|(%)|(_)|(-)|(.?))", re.DOTALL)
#: RFC 7208 §7.1 toplabel: a letter somewhere, or the hyphenated form (never all digits: 44, 123).
_ALPHANUM_TOPLABEL = re.compile(r"^[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*$|^[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9]$")
#: A macro transformer keeps at most this many labels (a name has at most 127); more keeps all.
_MAX_TRANSFORMER = 128


# --- the record --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mechanism:
    """One directive: qualifier, mechanism name and its arguments (as written)."""

    qualifier: str  # "+", "-", "~" or "?"
    name: str  # lower-case mechanism name
    domain_spec: str | None = None
    network: str | None = None  # ip4/ip6 address or network, without the prefix length
    cidr4: int | None = None
    cidr6: int | None = None
    text: str = ""  # the term as written

    @property
    def result(self) -> str:
        return _QUALIFIER_RESULT[self.qualifier]

    @property
    def costs_lookup(self) -> bool:
        return self.name in DNS_MECHANISMS


@dataclass(frozen=True)
class Modifier:
    """``name=value``; ``redirect`` and ``exp`` have meaning, others are ignored (RFC 7208 §6)."""

    name: str  # lower-case
    value: str
    text: str = ""


@dataclass(frozen=True)
class SpfRecord:
    """A parsed ``v=spf1`` record."""

    text: str
    terms: tuple[Mechanism | Modifier, ...]

    @property
    def mechanisms(self) -> tuple[Mechanism, ...]:
        return tuple(t for t in self.terms if isinstance(t, Mechanism))

    def modifier(self, name: str) -> Modifier | None:
        for term in self.terms:
            if isinstance(term, Modifier) and term.name == name:
                return term
        return None

    @property
    def redirect(self) -> str | None:
        modifier = self.modifier("redirect")
        return modifier.value if modifier else None

    @property
    def exp(self) -> str | None:
        modifier = self.modifier("exp")
        return modifier.value if modifier else None

    @property
    def all_term(self) -> Mechanism | None:
        for mechanism in self.mechanisms:
            if mechanism.name == "all":
                return mechanism
        return None

    @property
    def effective_redirect(self) -> str | None:
        """``redirect=`` unless an ``all`` mechanism makes it unreachable (RFC 7208 §6.1)."""
        return None if self.all_term is not None else self.redirect


def is_spf_record(text: str) -> bool:
    """RFC 7208 §4.5: the record starts with exactly ``v=spf1`` followed by a space or its end."""
    lowered = text.lower()
    return lowered == "v=spf1" or lowered.startswith("v=spf1 ")


def select_spf_records(texts: Sequence[str]) -> list[str]:
    """The TXT texts that are SPF records; others (verification tokens, DKIM...) are ignored."""
    return [text for text in texts if is_spf_record(text)]


def _check_macro_string(text: str, *, exp: bool = False) -> None:
    position = 0
    while True:
        index = text.find("%", position)
        if index < 0:
            return
        match = _MACRO.match(text, index)
        if match is None or match.group(8) is not None:
            raise ParseError(f"invalid macro at {text[index : index + 6]!r} in {text!r}: use %{{x}}, %%, %_ or %-")
        letter = match.group(1)
        if letter and letter.lower() in "crt" and not exp:
            raise ParseError(f"macro %{{{letter}}} is allowed only in exp= explanations, not in {text!r}")
        position = match.end()


def _check_domain_spec(spec: str, term: str) -> None:
    if not spec:
        raise ParseError(f"{term!r} has an empty domain")
    if any(ord(ch) < 0x21 or ord(ch) > 0x7E for ch in spec):
        raise ParseError(f"{term!r} has characters not allowed in a domain-spec")
    _check_macro_string(spec)
    if spec.endswith("}") and _MACRO.search(spec):
        # domain-end may be a macro-expand: the name is only known at evaluation time
        last = list(_MACRO.finditer(spec))[-1]
        if last.end() == len(spec) and last.group(1):
            return
    body = spec[:-1] if spec.endswith(".") else spec
    if "." not in body:
        raise ParseError(f"{term!r}: {spec!r} is not a fully qualified domain name")
    toplabel = body.rsplit(".", 1)[1]
    if not _ALPHANUM_TOPLABEL.match(toplabel):
        raise ParseError(f"{term!r}: {toplabel!r} is not a valid top-level label")


def _short(term: str) -> str:
    """A term for a message: as written, or its start when it is very long."""
    return repr(term) if len(term) <= 60 else repr(term[:60]) + f"… ({len(term)} characters)"


def _parse_cidrs(text: str, term: str) -> tuple[str, int | None, int | None]:
    """Split ``domain/24//64`` into the domain part and the two prefix lengths."""
    cidr4 = cidr6 = None
    match = re.search(r"(?:/([0-9]+))?(?://([0-9]+))?$", text)
    if match and match.group(0):
        if match.group(1) is not None:
            cidr4 = parse_number(
                match.group(1), maximum=32, what=f"{_short(term)}: IPv4 prefix length ", leading_zeros=False
            )
        if match.group(2) is not None:
            cidr6 = parse_number(
                match.group(2), maximum=128, what=f"{_short(term)}: IPv6 prefix length ", leading_zeros=False
            )
        text = text[: match.start()]
    return text, cidr4, cidr6


def _parse_mechanism(term: str) -> Mechanism:
    qualifier = "+"
    body = term
    if body[:1] in _QUALIFIER_RESULT:
        qualifier, body = body[0], body[1:]
    match = re.match(r"^([A-Za-z0-9]+)(.*)$", body)
    if not match:
        raise ParseError(f"{term!r} is not an SPF mechanism")
    name, rest = match.group(1).lower(), match.group(2)
    if name not in _MECHANISMS:
        raise ParseError(f"unknown mechanism {match.group(1)!r} in {term!r}")
    if name == "all":
        if rest:
            raise ParseError(f"{term!r}: 'all' takes no argument")
        return Mechanism(qualifier, name, text=term)
    if name in ("include", "exists"):
        if not rest.startswith(":"):
            raise ParseError(f"{term!r}: {name} needs ':domain'")
        _check_domain_spec(rest[1:], term)
        return Mechanism(qualifier, name, domain_spec=rest[1:], text=term)
    if name in ("a", "mx"):
        spec, cidr4, cidr6 = _parse_cidrs(rest, term)
        if spec and not spec.startswith(":"):
            raise ParseError(f"{term!r}: expected ':domain' or '/prefix' after {name}")
        domain = spec[1:] if spec else None
        if domain is not None:
            _check_domain_spec(domain, term)
        return Mechanism(qualifier, name, domain_spec=domain, cidr4=cidr4, cidr6=cidr6, text=term)
    if name == "ptr":
        if rest and not rest.startswith(":"):
            raise ParseError(f"{term!r}: expected ':domain' after ptr")
        if rest:
            _check_domain_spec(rest[1:], term)
        return Mechanism(qualifier, name, domain_spec=rest[1:] or None, text=term)
    # ip4 / ip6
    if not rest.startswith(":"):
        raise ParseError(f"{term!r}: {name} needs ':address'")
    address, slash, prefix = rest[1:].partition("/")
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError as exc:
        raise ParseError(f"{term!r}: {address!r} is not an IP address") from exc
    if (name == "ip4") != (parsed.version == 4):
        raise ParseError(f"{term!r}: {address!r} is not an IPv{name[-1]} address")
    limit = 32 if name == "ip4" else 128
    length: int | None = None
    if slash:
        length = parse_number(prefix, maximum=limit, what=f"{_short(term)}: prefix length ", leading_zeros=False)
    if name == "ip4":
        return Mechanism(qualifier, name, network=address, cidr4=length, text=term)
    return Mechanism(qualifier, name, network=address, cidr6=length, text=term)


def parse_spf_record(text: str) -> SpfRecord:
    """Parse one ``v=spf1`` record (RFC 7208 §4.6, §12); raises :class:`ParseError` saying what is wrong."""
    if not isinstance(text, str):
        raise ParseError("an SPF record must be text")
    if not is_spf_record(text):
        raise ParseError(f"{text[:40]!r} does not start with 'v=spf1'")
    if any(ord(ch) > 0x7E or (ord(ch) < 0x20) for ch in text):
        raise ParseError("the record has characters outside printable ASCII")
    terms: list[Mechanism | Modifier] = []
    seen_modifiers: set[str] = set()
    for raw in text[len("v=spf1") :].split(" "):
        if not raw:
            continue
        modifier = re.match(r"^([A-Za-z][A-Za-z0-9_.-]*)=(.*)$", raw)
        if modifier:
            name, value = modifier.group(1).lower(), modifier.group(2)
            if name in ("redirect", "exp"):
                if name in seen_modifiers:
                    raise ParseError(f"{name}= appears more than once")
                seen_modifiers.add(name)
                _check_domain_spec(value, raw)
            else:
                _check_macro_string(value)
            terms.append(Modifier(name, value, text=raw))
            continue
        terms.append(_parse_mechanism(raw))
    return SpfRecord(text, tuple(terms))


# --- macros (RFC 7208 §7) --------------------------------------------------------------------


@dataclass(frozen=True)
class MacroContext:
    """The values macro letters expand to."""

    sender: str
    domain: str
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address
    helo: str = "unknown"
    validated_name: str = "unknown"  # %{p}
    receiver: str = "unknown"  # %{r}
    timestamp: int = 0  # %{t}

    @property
    def local_part(self) -> str:
        local, _, _ = self.sender.rpartition("@")
        return local or "postmaster"

    @property
    def sender_domain(self) -> str:
        return self.sender.rpartition("@")[2] or self.domain


def _ip_letter(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if ip.version == 4:
        return str(ip)
    return ".".join(ip.exploded.replace(":", "").upper())  # nibbles as RFC 7208 §7.4 writes them


def expand_macros(spec: str, context: MacroContext, *, exp: bool = False) -> str:
    """Expand the macros of a domain-spec (or an explanation when ``exp``); raises :class:`ParseError`."""
    _check_macro_string(spec, exp=exp)

    def letter_value(letter: str) -> str:
        values = {
            "s": context.sender,
            "l": context.local_part,
            "o": context.sender_domain,
            "d": context.domain,
            "i": _ip_letter(context.ip),
            "p": context.validated_name,
            "v": "in-addr" if context.ip.version == 4 else "ip6",
            "h": context.helo,
            "c": str(context.ip),
            "r": context.receiver,
            "t": str(context.timestamp),
        }
        return values[letter]

    def replace(match: re.Match[str]) -> str:
        if match.group(5):
            return "%"
        if match.group(6):
            return " "
        if match.group(7):
            return "%20"
        letter, digits, reverse, delimiters = match.group(1), match.group(2), match.group(3), match.group(4)
        value = letter_value(letter.lower())
        parts = re.split("[" + re.escape(delimiters) + "]", value) if delimiters else value.split(".")
        if reverse:
            parts.reverse()
        if digits:
            if not digits.strip("0"):
                raise ParseError(f"macro transformer 0 is not allowed in {spec!r}")
            significant = digits.lstrip("0")
            keep = int(significant) if len(significant) <= 3 else _MAX_TRANSFORMER
            parts = parts[-min(keep, _MAX_TRANSFORMER) :]
        expanded = ".".join(parts)
        if letter.isupper():
            expanded = urllib.parse.quote(expanded, safe="")
        return expanded

    result = _MACRO.sub(replace, spec)
    if not exp:
        result = result.rstrip(".")
        while len(result) > 253 and "." in result:  # RFC 7208 §7.3: drop labels from the left
            result = result.split(".", 1)[1]
    return result


# --- check_host() (RFC 7208 §4) ----------------------------------------------------------------


@dataclass(frozen=True)
class SpfResult:
    """The outcome of :func:`check_host`."""

    result: str  # one of RESULTS
    explanation: str = ""  # the exp= text for "fail" (empty when none was published)
    reason: str = ""  # why, in words: the matching term, or the error
    domain: str = ""  # the domain whose record decided
    mechanism: str = ""  # the matching term as written, if any
    lookups: int = 0
    void_lookups: int = 0


class _Stop(Exception):
    """Ends the evaluation with a permerror or temperror."""

    def __init__(self, result: str, reason: str) -> None:
        super().__init__(reason)
        self.result = result
        self.reason = reason


@dataclass
class _Evaluation:
    resolver: Resolver
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address
    sender: str
    helo: str
    lookups: int = 0
    void_lookups: int = 0
    validated_name: str | None = None

    def count_lookup(self, term: str) -> None:
        self.lookups += 1
        if self.lookups > MAX_DNS_LOOKUPS:
            raise _Stop("permerror", f"more than {MAX_DNS_LOOKUPS} DNS lookups (at {term})")

    def count_void(self, answer: DnsAnswer) -> None:
        if answer.status.is_void:
            self.void_lookups += 1
            if self.void_lookups > MAX_VOID_LOOKUPS:
                raise _Stop("permerror", f"more than {MAX_VOID_LOOKUPS} void lookups (at {answer.name})")

    async def query(self, name: str, rdtype: str) -> DnsAnswer:
        try:
            answer = await self.resolver.query(name, rdtype)
        except ParseError as exc:
            raise _Stop("permerror", str(exc)) from exc
        if answer.status.is_fault:
            raise _Stop("temperror", answer.describe())
        return answer

    def context(self, domain: str) -> MacroContext:
        return MacroContext(
            sender=self.sender,
            domain=domain,
            ip=self.ip,
            helo=self.helo,
            validated_name=self.validated_name or "unknown",
            timestamp=int(time.time()),
        )

    async def expand(self, spec: str, domain: str) -> str:
        await self.validate_if_needed(spec, domain)
        try:
            return expand_macros(spec, self.context(domain))
        except ParseError as exc:
            raise _Stop("permerror", str(exc)) from exc

    async def validate_if_needed(self, spec: str, domain: str) -> None:
        """Resolve %{p} (the validated name, preferring one within ``domain``) once, when used."""
        if re.search(r"%\{[pP]", spec) and self.validated_name is None:
            self.validated_name = await _validated_name(self, domain)


_Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _normalise_ip(ip: str | _Address) -> _Address:
    address = ipaddress.ip_address(ip) if isinstance(ip, str) else ip
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # RFC 7208 §5: an IPv4-mapped address is evaluated as IPv4
    return address


def _in_network(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, address: str, length: int | None) -> bool:
    try:
        target = ipaddress.ip_address(address)
    except ValueError:
        return False
    if target.version != ip.version:
        return False
    prefix = length if length is not None else (32 if ip.version == 4 else 128)
    network = ipaddress.ip_network(f"{target}/{prefix}", strict=False)
    return ip in network


async def _fetch_record(evaluation: _Evaluation, domain: str) -> SpfRecord | None:
    """The domain's record, None when it has none; _Stop on faults, several records or bad syntax."""
    answer = await evaluation.query(domain, "TXT")
    records = select_spf_records(answer.records)
    if not records:
        return None
    if len(records) > 1:
        raise _Stop("permerror", f"{domain} publishes {len(records)} SPF records")
    try:
        return parse_spf_record(records[0])
    except ParseError as exc:
        raise _Stop("permerror", f"{domain}: {exc}") from exc


def _name_within(name: str, domain: str) -> bool:
    """``name`` is ``domain`` or below it; DNS names compare case-insensitively (RFC 7208 §5.5)."""
    name, domain = name.rstrip(".").lower(), domain.rstrip(".").lower()
    return name == domain or name.endswith("." + domain)


async def _validated_name(evaluation: _Evaluation, target: str | None, *, count_void: bool = False) -> str:
    """RFC 7208 §5.5: PTR names of the IP whose forward lookup returns the IP."""
    ip = evaluation.ip
    reverse = ip.reverse_pointer
    try:
        answer = await evaluation.resolver.query(reverse, "PTR")
    except ParseError:
        return "unknown"
    if count_void and answer.status.is_void:
        evaluation.count_void(answer)  # a ptr term whose PTR lookup is void counts (RFC 7208 §4.6.4)
    if not answer.ok:
        return "unknown"
    names = [name.lower() for name in answer.records[:MAX_MX_OR_PTR_NAMES]]
    if target is not None:
        names.sort(key=lambda n: not _name_within(n, target))
    rdtype = "A" if ip.version == 4 else "AAAA"
    for name in names:
        try:
            forward = await evaluation.resolver.query(name, rdtype)
        except ParseError:
            continue
        if forward.ok and any(_in_network(ip, address, None) for address in forward.records):
            return name
    return "unknown"


async def _matches(evaluation: _Evaluation, mechanism: Mechanism, domain: str) -> bool:
    ip = evaluation.ip
    name = mechanism.name
    if name == "all":
        return True
    if name in ("ip4", "ip6"):
        assert mechanism.network is not None
        return _in_network(ip, mechanism.network, mechanism.cidr4 if name == "ip4" else mechanism.cidr6)
    evaluation.count_lookup(mechanism.text)
    target = await evaluation.expand(mechanism.domain_spec, domain) if mechanism.domain_spec else domain
    length = mechanism.cidr4 if ip.version == 4 else mechanism.cidr6
    address_type = "A" if ip.version == 4 else "AAAA"
    if name == "include":
        result = await _check_host(evaluation, target, nested=True)
        if result.result == "pass":
            return True
        if result.result in ("temperror", "permerror"):
            raise _Stop(result.result, result.reason)
        if result.result == "none":
            raise _Stop("permerror", f"include:{target} has no SPF record")
        return False
    if name == "a":
        answer = await evaluation.query(target, address_type)
        evaluation.count_void(answer)
        return any(_in_network(ip, address, length) for address in answer.records)
    if name == "mx":
        answer = await evaluation.query(target, "MX")
        evaluation.count_void(answer)
        hosts = [record.split(" ", 1)[1] for record in answer.records]
        hosts = [host for host in hosts if host != "."]
        if len(hosts) > MAX_MX_OR_PTR_NAMES:
            raise _Stop("permerror", f"mx:{target} has more than {MAX_MX_OR_PTR_NAMES} MX hosts")
        answers = await asyncio.gather(*(evaluation.query(host, address_type) for host in hosts))
        return any(_in_network(ip, address, length) for a in answers for address in a.records)
    if name == "ptr":
        validated = await _validated_name(evaluation, target, count_void=True)
        return validated != "unknown" and _name_within(validated, target)
    if name == "exists":
        answer = await evaluation.query(target, "A")  # always A, whatever the client's IP version
        evaluation.count_void(answer)
        return answer.ok
    raise _Stop("permerror", f"unknown mechanism {mechanism.text}")  # pragma: no cover - parser rejects it


async def _explain(evaluation: _Evaluation, record: SpfRecord, domain: str) -> str:
    """The exp= text (RFC 7208 §6.2); any problem gives no explanation, never an error."""
    if record.exp is None:
        return ""
    try:
        target = await evaluation.expand(record.exp, domain)
        answer = await evaluation.resolver.query(target, "TXT")
        if not answer.ok or len(answer.records) != 1:
            return ""
        text = answer.records[0]
        if not text.isascii():
            return ""
        await evaluation.validate_if_needed(text, domain)
        return expand_macros(text, evaluation.context(domain), exp=True)
    except (ParseError, _Stop):
        return ""


async def _check_host(evaluation: _Evaluation, domain: str, *, nested: bool) -> SpfResult:
    def done(result: str, reason: str, mechanism: str = "", explanation: str = "") -> SpfResult:
        return SpfResult(result, explanation, reason, domain, mechanism, evaluation.lookups, evaluation.void_lookups)

    try:
        domain = to_ascii_name(domain)
    except ParseError as exc:
        return done("none", str(exc))
    if "." not in domain:
        return done("none", f"{domain!r} is not a fully qualified domain name")
    try:
        record = await _fetch_record(evaluation, domain)
        if record is None:
            return done("none", f"{domain} publishes no SPF record")
        for mechanism in record.mechanisms:
            if await _matches(evaluation, mechanism, domain):
                result = mechanism.result
                explanation = ""
                if result == "fail" and not nested:
                    explanation = await _explain(evaluation, record, domain)
                return done(result, f"matched {mechanism.text} in {domain}", mechanism.text, explanation)
        redirect = record.effective_redirect
        if redirect is not None:
            evaluation.count_lookup(f"redirect={redirect}")
            target = await evaluation.expand(redirect, domain)
            outcome = await _check_host(evaluation, target, nested=nested)
            if outcome.result == "none":
                raise _Stop("permerror", f"redirect={target} has no SPF record")
            return SpfResult(
                outcome.result,
                outcome.explanation,
                outcome.reason,
                outcome.domain,
                outcome.mechanism,
                evaluation.lookups,
                evaluation.void_lookups,
            )
        return done("neutral", f"no mechanism matched in {domain}")
    except _Stop as stop:
        return done(stop.result, stop.reason)


async def check_host(
    ip: str | ipaddress.IPv4Address | ipaddress.IPv6Address,
    domain: str,
    sender: str,
    *,
    helo: str | None = None,
    resolver: Resolver | None = None,
) -> SpfResult:
    """RFC 7208 ``check_host()``: may ``ip`` send mail for ``domain`` with envelope ``sender``?

    A coroutine (see :func:`check_host_sync`). ``sender`` is the MAIL FROM address (a bare domain
    or an empty sender is completed with ``postmaster``, RFC 7208 §4.3); ``helo`` feeds ``%{h}``.
    Returns an :class:`SpfResult` whose ``result`` is one of :data:`RESULTS`; DNS faults give
    ``temperror``. Raises :class:`ValueError` only when ``ip`` is not an IP address.
    """
    address = _normalise_ip(ip)
    helo_name = helo or "unknown"
    if not sender:
        sender = f"postmaster@{helo or domain}"
    elif "@" not in sender:
        sender = f"postmaster@{sender}"
    elif sender.startswith("@"):
        sender = "postmaster" + sender
    evaluation = _Evaluation(resolver or Resolver(), address, sender, helo_name)
    return await _check_host(evaluation, domain, nested=False)


def check_host_sync(
    ip: str | ipaddress.IPv4Address | ipaddress.IPv6Address,
    domain: str,
    sender: str,
    *,
    helo: str | None = None,
    resolver: Resolver | None = None,
) -> SpfResult:
    """Blocking :func:`check_host`, for code without an event loop."""
    return asyncio.run(check_host(ip, domain, sender, helo=helo, resolver=resolver))


# --- the whole-tree analysis for the dns.spf check -----------------------------------------------


@dataclass(frozen=True)
class SpfNode:
    """One record of the include/redirect tree."""

    domain: str
    via: str  # "top", "include" or "redirect"
    record: str | None
    problem: str = ""  # why this record is unusable, if it is


@dataclass(frozen=True)
class SpfAnalysis:
    """What the ``dns.spf`` check found for one domain (no client IP involved)."""

    domain: str
    answer: DnsAnswer
    records: tuple[str, ...]  # the domain's v=spf1 texts
    parsed: SpfRecord | None
    parse_error: str = ""
    lookups: int = 0
    lookup_terms: tuple[str, ...] = ()  # "domain: term" for each counted lookup
    void_lookups: int = 0
    void_terms: tuple[str, ...] = ()
    nodes: tuple[SpfNode, ...] = ()
    loops: tuple[str, ...] = ()
    broken_includes: tuple[str, ...] = ()  # "target: problem"
    faults: tuple[DnsAnswer, ...] = ()  # queries that could not be answered
    includes: frozenset[str] = frozenset()  # every include/redirect target in the tree
    macro_terms: tuple[str, ...] = ()  # terms counted but not followed: their names need a client


@dataclass
class _Walk:
    resolver: Resolver
    lookups: list[str] = field(default_factory=list)
    voids: list[str] = field(default_factory=list)
    nodes: list[SpfNode] = field(default_factory=list)
    loops: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    faults: list[DnsAnswer] = field(default_factory=list)
    includes: set[str] = field(default_factory=set)
    macro_terms: list[str] = field(default_factory=list)
    records_visited: int = 0

    async def query(self, name: str, rdtype: str) -> DnsAnswer | None:
        try:
            answer = await self.resolver.query(name, rdtype)
        except ParseError as exc:
            self.broken.append(f"{name}: {exc}")
            return None
        if answer.status.is_fault:
            self.faults.append(answer)
            return None
        return answer

    def void(self, answer: DnsAnswer | None, term: str) -> None:
        if answer is not None and answer.status.is_void:
            self.voids.append(f"{term} → {answer.status.value.upper()}")


_MAX_RECORDS_WALKED = 40  # a tree this large is over the lookup limit many times over


async def _walk_record(walk: _Walk, domain: str, record: SpfRecord, path: tuple[str, ...]) -> None:
    jobs = []
    for term in record.terms:
        if isinstance(term, Mechanism):
            if not term.costs_lookup:
                continue
            walk.lookups.append(f"{domain}: {term.text}")
            spec = term.domain_spec
            if spec is not None and "%" in spec:
                walk.macro_terms.append(f"{domain}: {term.text}")
                continue
            target = spec.rstrip(".").lower() if spec else domain
            jobs.append(_walk_term(walk, term.name, term.text, target, path))
        elif term.name == "redirect" and record.effective_redirect is not None:
            walk.lookups.append(f"{domain}: {term.text}")
            if "%" in term.value:
                walk.macro_terms.append(f"{domain}: {term.text}")
                continue
            jobs.append(_walk_term(walk, "redirect", term.text, term.value.rstrip(".").lower(), path))
    await asyncio.gather(*jobs)


async def _walk_term(walk: _Walk, kind: str, text: str, target: str, path: tuple[str, ...]) -> None:
    if kind in ("include", "redirect"):
        walk.includes.add(target)
        if target in path:
            walk.loops.append(" → ".join((*path, target)))
            return
        walk.records_visited += 1
        if walk.records_visited > _MAX_RECORDS_WALKED:
            return
        answer = await walk.query(target, "TXT")
        if answer is None:
            return
        records = select_spf_records(answer.records)
        if not records:
            walk.void(answer, text)
            problem = f"{kind}:{target} has no SPF record ({answer.status.value})"
            walk.broken.append(problem)
            walk.nodes.append(SpfNode(target, kind, None, problem))
            return
        if len(records) > 1:
            problem = f"{target} publishes {len(records)} SPF records"
            walk.broken.append(problem)
            walk.nodes.append(SpfNode(target, kind, records[0], problem))
            return
        try:
            parsed = parse_spf_record(records[0])
        except ParseError as exc:
            walk.broken.append(f"{target}: {exc}")
            walk.nodes.append(SpfNode(target, kind, records[0], str(exc)))
            return
        walk.nodes.append(SpfNode(target, kind, records[0]))
        await _walk_record(walk, target, parsed, (*path, target))
        return
    if kind == "a":
        walk.void(await walk.query(target, "A"), text)
    elif kind == "mx":
        answer = await walk.query(target, "MX")
        walk.void(answer, text)
    elif kind == "exists":
        walk.void(await walk.query(target, "A"), text)
    # ptr: its lookups depend on the client IP; counted, nothing to resolve here


async def analyze_spf(domain: str, *, resolver: Resolver) -> SpfAnalysis:
    """Fetch ``domain``'s SPF record and walk its whole include/redirect tree.

    Every include and redirect target is fetched concurrently with its siblings, so the time is
    bounded by the tree's depth. Never raises for DNS faults: they are listed in ``faults``.
    """
    name = to_ascii_name(domain)
    answer = await resolver.query(name, "TXT")
    records = tuple(select_spf_records(answer.records)) if answer.ok else ()
    base = {"domain": name, "answer": answer, "records": records}
    if answer.status.is_fault or len(records) != 1:
        return SpfAnalysis(**base, parsed=None)  # type: ignore[arg-type]
    try:
        parsed = parse_spf_record(records[0])
    except ParseError as exc:
        return SpfAnalysis(**base, parsed=None, parse_error=str(exc))  # type: ignore[arg-type]
    walk = _Walk(resolver)
    walk.nodes.append(SpfNode(name, "top", records[0]))
    await _walk_record(walk, name, parsed, (name,))
    return SpfAnalysis(
        **base,  # type: ignore[arg-type]
        parsed=parsed,
        lookups=len(walk.lookups),
        lookup_terms=tuple(walk.lookups),
        void_lookups=len(walk.voids),
        void_terms=tuple(walk.voids),
        nodes=tuple(walk.nodes),
        loops=tuple(walk.loops),
        broken_includes=tuple(walk.broken),
        faults=tuple(walk.faults),
        includes=frozenset(walk.includes),
        macro_terms=tuple(walk.macro_terms),
    )


# --- the corrected record ------------------------------------------------------------------------


def suggest_spf_record(current: str | Sequence[str] | None, include: str, *, soften_all: bool = False) -> str:
    """The record to publish: ``current`` with ``include:<include>`` merged in, everything else kept.

    The include goes just before the ``all`` term (or before ``redirect=``/at the end when there is
    no ``all``). Several records are merged into one (records sorted, their terms in order,
    duplicates dropped, the strictest ``all`` at the end). No record gives ``v=spf1 include:<include> ~all``. With
    ``soften_all``, a ``+all``/``?all``/bare ``all`` becomes ``~all``. Pure; tolerant of bad
    syntax (unknown words are kept as they are).
    """
    # several records come back in any order: sort them so the suggestion is stable
    texts = [current] if isinstance(current, str) else sorted(current or [])
    include_term = f"include:{include}"
    if not texts:
        return f"v=spf1 {include_term} ~all"
    words: list[str] = []
    all_terms: list[str] = []
    modifiers: list[str] = []
    for text in texts:
        for word in text.split()[1:] if is_spf_record(text) else text.split():
            lowered = word.lower()
            if lowered.lstrip("+-~?") == "all":
                all_terms.append(word)
            elif "=" in word.split(":", 1)[0]:
                if lowered.split("=", 1)[0] not in (m.lower().split("=", 1)[0] for m in modifiers):
                    modifiers.append(word)
            elif lowered not in (w.lower() for w in words):
                words.append(word)
    if include_term.lower() not in (w.lower().lstrip("+") for w in words):
        words.append(include_term)
    final: list[str] = list(words)
    if all_terms:
        # the strictest all wins when merging several records
        order = {"-": 0, "~": 1, "?": 2, "+": 3}
        chosen = min(all_terms, key=lambda t: order.get(t[0] if t[0] in order else "+", 3))
        if soften_all and (chosen.lower() in ("all", "+all", "?all")):
            chosen = "~all"
        modifiers = [m for m in modifiers if not m.lower().startswith("redirect=")]
        final.append(chosen)
    elif not any(m.lower().startswith("redirect=") for m in modifiers):
        final.append("~all")
    return " ".join(["v=spf1", *final, *modifiers])
