"""SMTP MTA Strict Transport Security (RFC 8461): the ``_mta-sts`` TXT record and the policy file (pure).

A receiving domain publishes ``v=STSv1; id=<change id>`` at ``_mta-sts.<domain>`` and a policy at
``https://mta-sts.<domain>/.well-known/mta-sts.txt``::

    version: STSv1
    mode: enforce
    mx: mail.example.com
    mx: *.backup.example.com
    max_age: 604800

Sending servers that honour it deliver to the domain only over TLS with a valid certificate, and
only to MX hosts the ``mx`` patterns cover (in ``enforce`` mode). :func:`parse_sts_record`,
:func:`parse_sts_policy`, :func:`mx_pattern_matches` and :func:`uncovered_hosts` raise only
:class:`~pytest_sender.errors.ParseError`. The ``dns.mta-sts`` check (and the fetch) is in
:mod:`pytest_sender.dns.transport_checks`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pytest_sender.dns.numbers import parse_number
from pytest_sender.errors import ParseError

__all__ = [
    "MAX_MAX_AGE",
    "MAX_POLICY_BYTES",
    "MODES",
    "POLICY_PATH",
    "StsPolicy",
    "StsRecord",
    "is_sts_candidate",
    "mx_pattern_matches",
    "parse_sts_policy",
    "parse_sts_record",
    "policy_host",
    "sts_name",
    "uncovered_hosts",
]

#: The largest max_age a policy may give (RFC 8461 §3.2: about one year, in seconds).
MAX_MAX_AGE = 31557600
#: The size limit of the policy file: senders stop reading after 64 KiB (RFC 8461 §3.3).
MAX_POLICY_BYTES = 64 * 1024
#: Where the policy is served on ``mta-sts.<domain>``.
POLICY_PATH = "/.well-known/mta-sts.txt"
MODES = ("enforce", "testing", "none")

_CANDIDATE = re.compile(r"^v=STSv1[ \t]*(;|$)")
_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")
_EXT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
_EXT_VALUE = re.compile(r"^[\x21-\x3a\x3c\x3e-\x7e]+$")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_MX_PATTERN = re.compile(rf"^(?:\*\.)?(?=.{{1,253}}$)(?:{_LABEL}\.)*{_LABEL}$")
_POLICY_VALUE = re.compile(r"^[\x20-\x7e]*$")  # printable ASCII (RFC 8461's sts-policy-vchar and WSP)


def sts_name(domain: str) -> str:
    """Where the TXT record of ``domain`` (an A-label name) is published."""
    return f"_mta-sts.{domain}"


def policy_host(domain: str) -> str:
    """The host serving ``domain``'s policy file."""
    return f"mta-sts.{domain}"


def is_sts_candidate(text: str) -> bool:
    """``text`` begins with ``v=STSv1`` (RFC 8461 §3.1: other TXT records at the name are discarded)."""
    return bool(_CANDIDATE.match(text))


@dataclass(frozen=True)
class StsRecord:
    """The TXT record: the policy's change ``id`` and the extension fields' names."""

    text: str
    id: str
    extensions: tuple[str, ...] = ()


@dataclass(frozen=True)
class StsPolicy:
    """The policy file: ``mode`` is ``enforce``, ``testing`` or ``none``; ``mx`` the patterns as written."""

    version: str
    mode: str
    max_age: int
    mx: tuple[str, ...]
    notes: tuple[str, ...] = ()  # ignored or repeated fields, for the evidence


def parse_sts_record(text: str) -> StsRecord:
    """``v=STSv1`` first, exactly one ``id=`` of 1 to 32 letters and digits, valid extension fields."""
    if not isinstance(text, str):
        raise ParseError(f"an MTA-STS record must be text, not {type(text).__name__}")
    fields = [part.strip(" \t") for part in text.split(";")]
    if fields and fields[-1] == "":
        fields.pop()
    if not fields or fields[0] != "v=STSv1":
        raise ParseError("the record must begin with v=STSv1 (exactly, case included)")
    record_id: str | None = None
    extensions: list[str] = []
    for field in fields[1:]:
        name, sep, value = field.partition("=")
        if not sep:
            raise ParseError(f"{field[:60]!r} is not a name=value field")
        if name == "id":
            if record_id is not None:
                raise ParseError("id= appears more than once")
            if not _ID.match(value):
                raise ParseError(f"id={value[:40]!r} must be 1 to 32 letters and digits")
            record_id = value
        elif name == "v":
            raise ParseError("v= appears more than once")
        elif _EXT_NAME.match(name) and _EXT_VALUE.match(value):
            extensions.append(name)
        else:
            raise ParseError(f"{field[:60]!r} is neither id= nor a valid extension field")
    if record_id is None:
        raise ParseError("the record has no id= field (the policy's change identifier)")
    return StsRecord(text, record_id, tuple(extensions))


def parse_sts_policy(text: str) -> StsPolicy:
    """The policy file's ``key: value`` lines (LF or CRLF); raises :class:`ParseError` saying what is wrong.

    ``version: STSv1``, ``mode`` and ``max_age`` once each; ``mx`` at least once unless the mode is
    ``none``; unknown fields are ignored (with a note); a repeated field other than ``mx`` keeps
    its first value (with a note).
    """
    if not isinstance(text, str):
        raise ParseError(f"an MTA-STS policy must be text, not {type(text).__name__}")
    values: dict[str, str] = {}
    mx: list[str] = []
    notes: list[str] = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final line break
    for number, raw in enumerate(lines, 1):
        line = raw[:-1] if raw.endswith("\r") else raw
        shown = line[:60]
        if not _POLICY_VALUE.match(line):
            raise ParseError(f"line {number} ({shown!r}) holds a character outside printable ASCII")
        key, sep, value = line.partition(":")
        if not sep or not key or key != key.strip():
            raise ParseError(f"line {number} ({shown!r}) is not a 'key: value' line")
        value = value.strip(" \t")
        if key == "mx":
            if not _MX_PATTERN.match(value):
                raise ParseError(f"line {number}: mx {value[:60]!r} is not a host name or *.<domain> pattern")
            mx.append(value.lower())
        elif key in ("version", "mode", "max_age"):
            if key in values:
                notes.append(f"line {number}: {key} repeated; the first value applies")
            else:
                values[key] = value
        elif _EXT_NAME.match(key):
            notes.append(f"line {number}: unknown field {key!r} ignored")
        else:
            raise ParseError(f"line {number}: {key[:40]!r} is not a field name")
    for key in ("version", "mode", "max_age"):
        if key not in values:
            raise ParseError(f"the policy has no {key} field")
    if values["version"] != "STSv1":
        raise ParseError(f"version {values['version'][:20]!r} is not STSv1")
    mode = values["mode"]
    if mode not in MODES:
        raise ParseError(f"mode {mode[:20]!r} is none of enforce, testing, none")
    max_age = parse_number(values["max_age"], maximum=MAX_MAX_AGE, what="max_age ")
    if not mx and mode != "none":
        raise ParseError(f"mode {mode} needs at least one mx field naming the MX hosts")
    return StsPolicy("STSv1", mode, max_age, tuple(mx), tuple(notes))


def mx_pattern_matches(pattern: str, host: str) -> bool:
    """RFC 8461 §4.1: a name matches itself; ``*.example.com`` matches one label more (``a.example.com``)."""
    pattern, host = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if pattern.startswith("*."):
        first, dot, rest = host.partition(".")
        return bool(first) and bool(dot) and rest == pattern[2:]
    return pattern == host


def uncovered_hosts(policy: StsPolicy, hosts: Sequence[str]) -> tuple[str, ...]:
    """The MX hosts no ``mx`` pattern of ``policy`` matches (in the order given)."""
    return tuple(host for host in hosts if not any(mx_pattern_matches(p, host) for p in policy.mx))
