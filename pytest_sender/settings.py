"""Settings, their one resolution order, and the :class:`Secret` type.

Every setting resolves in the same order: command-line flag, then environment variable, then ini
key (``[tool.pytest.ini_options]`` or ``pytest.ini``), then the default. Secrets come only from the
environment, or from a file named by a ``*_FILE`` variable; they have no flag and no ini key.

Each setting is spelled out once, as a row of :data:`pytest_sender.setting_specs.SETTINGS`: this
module adds the parser a row names (a ``@setting_parser``) and the type of its :class:`Settings`
field, whose default is the row's default read by that parser.

This module is pure: :func:`resolve_settings` takes the raw values as mappings, so it can be used
and tested without pytest. A value that cannot be used raises :class:`~pytest_sender.errors.ConfigError`
naming the setting, where the value came from and a valid example.

PYTEST_DONT_REWRITE: pytest marks a plugin's modules for assertion rewriting; ours hold no test
asserts, and skipping the rewrite keeps the plugin's load cheap where bytecode is not cached.
"""

from __future__ import annotations

import hmac
import ipaddress
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NoReturn, TypeVar
from urllib.parse import unquote, urlsplit

from pytest_sender.errors import ConfigError, ParseError
from pytest_sender.setting_specs import DEFAULT_API_URL, GROUPS, SETTINGS, SPECS_BY_NAME, SettingSpec

__all__ = [
    "DEFAULT_API_URL",
    "FROM_TABLE",
    "PARSERS",
    "SETTINGS",
    "DnssecTrustAnchor",
    "InboxAddress",
    "Nameserver",
    "RateThreshold",
    "ScoreThreshold",
    "Secret",
    "SettingSpec",
    "Settings",
    "SpamdAddress",
    "default_of",
    "defaults_from",
    "resolve_settings",
    "setting_parser",
]


class Secret:
    """A secret value that never shows itself in ``str``, ``repr`` or a format string.

    Call :meth:`reveal` at the one place that needs the value (an HTTP header, an SMTP AUTH line).
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __format__(self, format_spec: str) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, len(self._value)))

    def __reduce__(self) -> NoReturn:
        # Pickling would write the value to disk or across a process boundary.
        raise TypeError("a Secret cannot be pickled")


@dataclass(frozen=True)
class Nameserver:
    """A DNS server address; ``port`` 53 unless given."""

    host: str
    port: int = 53

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


@dataclass(frozen=True)
class InboxAddress:
    """The live-smoke IMAP inbox, ``imaps://USER@HOST[:PORT]`` (the password comes separately)."""

    user: str
    host: str
    port: int = 993

    def __str__(self) -> str:
        return f"imaps://{self.user}@{self.host}:{self.port}"


@dataclass(frozen=True)
class RateThreshold:
    """A delivery-health limit in percent of sent mail: ``warn`` from this rate, ``fail`` from that."""

    warn: Decimal
    fail: Decimal

    def __str__(self) -> str:
        return f"{self.warn.normalize():f}%,{self.fail.normalize():f}%"


@dataclass(frozen=True)
class ScoreThreshold:
    """A SpamAssassin score limit in points: ``warn`` from this score, ``fail`` from that."""

    warn: float
    fail: float

    def __str__(self) -> str:
        return f"{self.warn:g},{self.fail:g}"


@dataclass(frozen=True)
class SpamdAddress:
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class DomainsFile:
    """A file of sending domains (``--sender-domains-file``) and the domains it names, in order."""

    path: Path
    domains: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.path} ({len(self.domains)} domains)"


@dataclass(frozen=True)
class DnssecTrustAnchor:
    """Where dns.dnssec starts (``--sender-dnssec-trust-anchor``): ``source`` is ``"root"`` (the
    built-in IANA root key; ``text`` empty), a file's path, or ``"inline"``; ``text`` holds the DS or
    DNSKEY records (checked by :func:`pytest_sender.dns.dnssec.parse_trust_anchor`) of ``zone``."""

    source: str
    text: str = ""
    zone: str = "."

    def __str__(self) -> str:
        if self.source == "root":
            return "root"
        return f"{self.source} ({self.zone})"


# --- parsers: each takes one raw string and returns the value, or raises _Invalid -------------


class _Invalid(ValueError):
    """Raised by a parser with the problem in words (never containing a secret)."""


#: The parsers the settings table's rows name, by function name (filled by :func:`setting_parser`).
PARSERS: dict[str, Callable[[str], Any]] = {}

_Parser = TypeVar("_Parser", bound=Callable[[str], Any])


def setting_parser(function: _Parser) -> _Parser:
    """Register ``function`` as a parser a row of the settings table can name (by its own name)."""
    PARSERS[function.__name__] = function
    return function


_LDH_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


@setting_parser
def parse_domain(raw: str) -> str:
    """A domain name (IDN allowed), lower-cased, without a trailing dot."""
    text = raw.strip().rstrip(".").lower()
    if not text:
        raise _Invalid("the domain is empty")
    if "://" in text or "/" in text or "@" in text or " " in text:
        raise _Invalid(f"{_shown(raw)} is not a domain name (give only the name, no scheme, path or address)")
    try:
        ascii_form = text.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise _Invalid(f"{_shown(raw)} is not a valid domain name") from exc
    labels = ascii_form.split(".")
    if len(labels) < 2 or len(ascii_form) > 253 or not all(_LDH_LABEL.match(lb) for lb in labels):
        raise _Invalid(f"{_shown(raw)} is not a valid domain name")
    if labels[-1].isdigit():
        raise _Invalid(f"{_shown(raw)} is an address, not a domain name")
    return text


@setting_parser
def parse_host(raw: str) -> str:
    text = raw.strip().rstrip(".").lower()
    if not text:
        raise _Invalid("the host is empty")
    try:
        ipaddress.ip_address(text)
        return text
    except ValueError:
        pass
    if text == "localhost":
        return text
    return parse_domain(text)


_ASCII_DIGITS = re.compile(r"^[0-9]{1,12}$")


def _small_int(text: str) -> int | None:
    """``text`` as an integer if it is 1-12 ASCII digits (no look-alikes such as '²'), else None."""
    return int(text) if _ASCII_DIGITS.match(text) else None


def _shown(text: str, limit: int = 60) -> str:
    """``text`` quoted for a message, cut to ``limit`` characters (a 5,000-digit value stays readable)."""
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}… ({len(text)} characters)"


def _split_url(text: str) -> Any:
    try:
        return urlsplit(text)
    except ValueError as exc:  # an unclosed '[' of an IPv6 host, for one
        raise _Invalid(f"{_shown(text)} is not a URL ({exc})") from exc


@setting_parser
def parse_api_url(raw: str) -> str:
    text = raw.strip()
    parts = _split_url(text)
    if parts.scheme not in ("http", "https"):
        raise _Invalid(f"{_shown(text)} has no http:// or https:// scheme")
    if not parts.hostname:
        raise _Invalid(f"{_shown(text)} has no host")
    if parts.username or parts.password:
        raise _Invalid("the URL must not carry credentials; the token comes from SENDER_API_TOKEN")
    if parts.query or parts.fragment:
        raise _Invalid(f"{_shown(text)} must not have a query or fragment")
    try:
        port = parts.port
    except ValueError as exc:
        raise _Invalid(f"{_shown(text)} has an invalid port") from exc
    if port == 0:
        raise _Invalid(f"{_shown(text)} has an invalid port (1-65535)")
    return text.rstrip("/")


def parse_port(raw: str) -> int:
    text = raw.strip()
    number = _small_int(text)
    if number is None or not 1 <= number <= 65535:
        raise _Invalid(f"{_shown(text)} is not a port number (1-65535)")
    return number


@setting_parser
def parse_port_list(raw: str) -> tuple[int, ...]:
    items = [item for item in raw.replace(" ", ",").split(",") if item]
    if not items:
        raise _Invalid("the port list is empty")
    ports = tuple(parse_port(item) for item in items)
    if len(set(ports)) != len(ports):
        raise _Invalid(f"{_shown(raw.strip())} lists a port twice")
    return ports


@setting_parser
def parse_nameserver(raw: str) -> Nameserver:
    text = raw.strip()
    host, port = text, "53"
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise _Invalid(f"{_shown(text)} opens '[' without closing it")
        host, rest = text[1:end], text[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise _Invalid(f"{_shown(text)} is not HOST[:PORT]")
            port = rest[1:]
    elif text.count(":") == 1:
        host, port = text.split(":")
    try:
        address = ipaddress.ip_address(host)
    except ValueError as exc:
        raise _Invalid(f"{_shown(text)} is not an IP address with an optional :PORT") from exc
    return Nameserver(str(address), parse_port(port))


@setting_parser
def parse_timeout(raw: str) -> float:
    text = raw.strip()
    if len(text) > 40 or not text.isascii():
        raise _Invalid(f"{_shown(text)} is not a number of seconds")
    try:
        value = float(text)
    except ValueError as exc:
        raise _Invalid(f"{_shown(raw.strip())} is not a number of seconds") from exc
    if not math.isfinite(value) or value <= 0 or value > 600:
        raise _Invalid(f"{_shown(raw.strip())} must be more than 0 and at most 600 seconds")
    return value


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@setting_parser
def parse_bool(raw: str) -> bool:
    text = raw.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _Invalid(f"{_shown(raw.strip())} is not one of 1/0, true/false, yes/no, on/off")


@setting_parser
def parse_path(raw: str) -> Path:
    """A path for a file pytest-sender writes: checked at start-up, so a bad one fails before the run.

    It must not be a directory, and its nearest existing parent must be a directory we may write in
    (missing parents are created when the file is written).
    """
    text = raw.strip()
    if not text:
        raise _Invalid("the path is empty")
    if "\0" in text:
        raise _Invalid("the path contains a NUL character")
    path = Path(text)
    try:
        if path.is_dir():
            raise _Invalid(f"{_shown(text)} is a directory; name a file in it")
        parent = path.absolute().parent
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        if not parent.is_dir():
            raise _Invalid(f"{_shown(text)} cannot be created: {_shown(str(parent))} is not a directory")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise _Invalid(f"{_shown(text)} cannot be created: {_shown(str(parent))} is not writable")
        if path.exists() and not os.access(path, os.W_OK):
            raise _Invalid(f"{_shown(text)} exists and is not writable")
    except OSError as exc:  # a name too long, for one
        raise _Invalid(f"{_shown(text)} cannot be used ({exc.strerror or type(exc).__name__})") from exc
    return path


_SELECTOR = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62})(?:\.[a-z0-9](?:[a-z0-9-]{0,62}))*$", re.I)


@setting_parser
def parse_selector(raw: str) -> str:
    text = raw.strip()
    if not _SELECTOR.match(text):
        raise _Invalid(f"{_shown(text)} is not a DKIM selector (letters, digits, '-' and '.')")
    return text.lower()


@setting_parser
def parse_email(raw: str) -> str:
    text = raw.strip()
    local, sep, domain = text.rpartition("@")
    if not sep or not local or " " in local or len(local) > 64:
        raise _Invalid(f"{_shown(text)} is not an email address")
    try:
        parse_domain(domain)
    except _Invalid as exc:
        raise _Invalid(f"{_shown(text)} is not an email address: the part after @ is not a domain") from exc
    return text


_TEMPLATE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@setting_parser
def parse_template_id(raw: str) -> str:
    text = raw.strip()
    if not _TEMPLATE_ID.match(text):
        raise _Invalid(f"{_shown(text)} is not a transactional campaign id (letters, digits, '-', '_')")
    return text


@setting_parser
def parse_inbox(raw: str) -> InboxAddress:
    try:
        parts = urlsplit(raw.strip())
    except ValueError:
        # not echoed, and the chain is cut: urlsplit's error may quote the text, which may hold a password
        raise _Invalid("the URL cannot be read (an unclosed '[' of an IPv6 host?)") from None
    if parts.password is not None:
        # never echo the value: it holds a password
        raise _Invalid("the URL must not contain a password; set SENDER_INBOX_PASSWORD instead")
    if parts.scheme != "imaps":
        raise _Invalid("the URL must start with imaps:// (IMAP over TLS)")
    if not parts.username:
        raise _Invalid("the URL has no user (imaps://USER@HOST)")
    if not parts.hostname:
        raise _Invalid("the URL has no host")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise _Invalid("the URL must be only imaps://USER@HOST[:PORT]")
    try:
        port = 993 if parts.port is None else parts.port
    except ValueError as exc:
        raise _Invalid("the URL has an invalid port") from exc
    if port == 0:
        raise _Invalid("the URL has an invalid port (1-65535)")
    return InboxAddress(unquote(parts.username), parse_host(parts.hostname), port)


_VARIABLE_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


@setting_parser
def parse_live_variables(raw: str) -> str:
    """A JSON object of template variables (names to strings, numbers or booleans), as canonical JSON."""
    import json

    try:
        value = json.loads(raw)
    except RecursionError as exc:
        raise _Invalid("nested too deep (give a flat object of names to values)") from exc
    except ValueError as exc:  # also a number of more than 4,300 digits
        raise _Invalid(f"not JSON ({str(exc.args[0] if exc.args else exc)[:120]})") from exc
    if not isinstance(value, dict):
        raise _Invalid("must be a JSON object of variable names to values")
    for name, item in value.items():
        if not _VARIABLE_NAME.match(name):
            raise _Invalid(f"{name!r} is not a variable name (letters, digits, '_', '.', '-')")
        if item is None or not isinstance(item, (str, int, float, bool)):
            raise _Invalid(f"the value of {name!r} must be a string, a number or true/false")
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@setting_parser
def parse_window_days(raw: str) -> int:
    text = raw.strip()
    number = _small_int(text)
    if number is None or not 1 <= number <= 365:
        raise _Invalid(f"{_shown(text)} is not a number of days from 1 to 365")
    return number


def _percent(text: str, which: str) -> Decimal:
    number = text.strip().removesuffix("%").strip()
    if len(number) > 40 or not number.isascii():
        raise _Invalid(f"the {which} rate {_shown(text.strip())} is not a percentage such as 0.3")
    try:
        value = Decimal(number)
    except InvalidOperation as exc:
        raise _Invalid(f"the {which} rate {_shown(text.strip())} is not a percentage such as 0.3") from exc
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        raise _Invalid(f"the {which} rate {_shown(text.strip())} must be a percentage from 0 to 100")
    return value


@setting_parser
def parse_rate_threshold(raw: str) -> RateThreshold:
    """``WARN,FAIL`` in percent of sent mail (a ``%`` sign is allowed), warn at most fail."""
    parts = raw.split(",")
    if len(parts) != 2:
        raise _Invalid(f"{_shown(raw.strip())} is not WARN,FAIL (two percentages, e.g. 0.1,0.3)")
    warn, fail = _percent(parts[0], "warn"), _percent(parts[1], "fail")
    if warn > fail:
        raise _Invalid(f"the warn rate {warn}% is above the fail rate {fail}% (warn must be at most fail)")
    return RateThreshold(warn, fail)


@setting_parser
def parse_secret(raw: str) -> Secret:
    value = raw.strip()
    if not value:
        raise _Invalid("the value is empty")
    if any(ch.isspace() for ch in value) or any(ord(ch) < 32 for ch in value):
        raise _Invalid("the value contains whitespace or control characters")
    return Secret(value)


def _read_setting_file(path: Path, limit: int, limit_text: str) -> str:
    """The UTF-8 text (a BOM dropped) of a file a setting names, refused past ``limit`` bytes."""
    shown = _shown(str(path))
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except (OSError, ValueError) as exc:  # missing, a directory, unreadable, a NUL in the name
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise _Invalid(f"{shown} cannot be read ({reason})") from exc
    if len(data) > limit:
        raise _Invalid(f"{shown} is larger than {limit_text}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_line = data[: exc.start].count(b"\n") + 1
        raise _Invalid(f"{shown} line {bad_line}: not UTF-8 text") from exc


#: A domains file larger than this is refused (a fleet of 100,000 domains is about 3 MB).
DOMAINS_FILE_LIMIT = 64 * 1024 * 1024


@setting_parser
def parse_domains_file(raw: str) -> DomainsFile:
    """One domain a line; ``#`` starts a comment, blank lines are ignored, repeats are dropped.

    A line that is not a domain is an error naming its line number; so is a file naming no domain
    (a gate over an empty list would check nothing).
    """
    text = raw.strip()
    if not text:
        raise _Invalid("the path is empty")
    path = Path(text)
    content = _read_setting_file(path, DOMAINS_FILE_LIMIT, f"{DOMAINS_FILE_LIMIT // (1024 * 1024)} MiB")
    domains: dict[str, None] = {}
    for number, line in enumerate(content.splitlines(), start=1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        try:
            domains[parse_domain(entry)] = None
        except _Invalid as exc:
            raise _Invalid(f"{_shown(text)} line {number}: {exc}") from exc
    if not domains:
        raise _Invalid(f"{_shown(text)} names no domain (one domain a line, # for comments)")
    return DomainsFile(path, tuple(domains))


#: A trust anchor file larger than this is refused (a few keys take a few hundred bytes).
TRUST_ANCHOR_FILE_LIMIT = 256 * 1024


@setting_parser
def parse_dnssec_trust_anchor(raw: str) -> DnssecTrustAnchor:
    """``root``, a path to a file of DS/DNSKEY records, or the records themselves.

    A value that names no file and holds a space is read as the records; the records are
    checked here (so a malformed anchor stops the run before it starts), with the pure parser of
    :mod:`pytest_sender.dns.dnssec`, imported only when a value other than ``root`` is given.
    """
    text = raw.strip()
    if not text:
        raise _Invalid("the trust anchor is empty")
    if text.lower() == "root":
        return DnssecTrustAnchor("root")
    path = Path(text)
    try:
        is_file = len(text) < 4096 and path.is_file()
    except (OSError, ValueError):  # a name the OS cannot hold (a NUL byte, too long)
        is_file = False
    if is_file:
        records = _read_setting_file(path, TRUST_ANCHOR_FILE_LIMIT, f"{TRUST_ANCHOR_FILE_LIMIT // 1024} KiB")
        source = str(path)
    elif any(character.isspace() for character in text):
        records, source = text, "inline"
    else:
        raise _Invalid(f"{_shown(text)} is neither root, a readable file nor a DS or DNSKEY record")
    from pytest_sender.dns.dnssec import parse_trust_anchor

    try:
        anchor = parse_trust_anchor(records)
    except ParseError as exc:
        where = f"{_shown(text)}: " if source != "inline" else ""
        raise _Invalid(f"{where}{exc}") from exc
    return DnssecTrustAnchor(source, records, anchor.zone)


@setting_parser
def parse_message_file(raw: str) -> Path:
    path = parse_path(raw)
    try:
        readable = path.is_file() and os.access(path, os.R_OK)
    except (OSError, ValueError):  # a name the OS cannot hold (a NUL byte, too long)
        readable = False
    if not readable:
        raise _Invalid(f"{_shown(str(path))} is not a readable file (an .eml message or an .html template)")
    return path


@setting_parser
def parse_spamd(raw: str) -> SpamdAddress:
    text = raw.strip()
    host, sep, port = text.rpartition(":")
    if not sep or not host:
        raise _Invalid(f"{_shown(text)} is not HOST:PORT")
    host = host.strip("[]")
    try:
        host = str(ipaddress.ip_address(host))
    except ValueError:
        host = parse_host(host)
    return SpamdAddress(host, parse_port(port))


_POINTS = re.compile(r"^-?[0-9]{1,4}(?:\.[0-9]{1,3})?$", re.ASCII)


@setting_parser
def parse_score_threshold(raw: str) -> ScoreThreshold:
    parts = [part.strip() for part in raw.split(",")]
    if len(parts) != 2 or not all(_POINTS.match(part) for part in parts):
        raise _Invalid(f"{_shown(raw.strip())} is not WARN,FAIL in SpamAssassin points (two numbers)")
    warn, fail = float(parts[0]), float(parts[1])
    if warn > fail:
        raise _Invalid(f"{_shown(raw.strip())}: the warn score is above the fail score")
    return ScoreThreshold(warn, fail)


#: The values of ``github``: what the run writes for GitHub Actions when it runs there.
GITHUB_OUTPUTS = ("auto", "summary", "annotations", "off")


@setting_parser
def parse_github_output(raw: str) -> str:
    text = raw.strip().lower()
    if text not in GITHUB_OUTPUTS:
        raise _Invalid(f"{_shown(raw.strip())} is not one of {', '.join(GITHUB_OUTPUTS)}")
    return text


# --- resolution -------------------------------------------------------------------------------


RawValue = str | Sequence[str] | bool | None


def _split(values: Iterable[str]) -> list[str]:
    """Flatten values that may themselves be comma-separated."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _parse(spec: SettingSpec, raw: RawValue, source: str) -> Any:
    try:
        if spec.multi:
            items = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, Sequence) else []
            values = tuple(PARSERS[spec.parse](item) for item in _split(items))
            return tuple(dict.fromkeys(values))  # drop repeats, keep order
        if isinstance(raw, bool):
            return raw
        assert isinstance(raw, str)
        return PARSERS[spec.parse](raw)
    except _Invalid as exc:
        raise ConfigError(spec.name, source, str(exc), spec.example) from exc
    except (ValueError, ArithmeticError, LookupError, RecursionError) as exc:
        # A parser must raise only _Invalid; this keeps a slip from becoming an INTERNALERROR.
        problem = f"the value cannot be read ({type(exc).__name__})"
        # the chain is cut: the slip's message may quote the raw value, and that may be a secret
        raise ConfigError(spec.name, source, problem, spec.example) from None


def _is_set(raw: RawValue) -> bool:
    if raw is None or raw is False:
        return False
    if isinstance(raw, str):
        return raw.strip() != ""
    if isinstance(raw, bool):
        return raw
    return any(str(item).strip() for item in raw)


def _read_secret_file(spec: SettingSpec, variable: str, path_text: str) -> str:
    path = Path(path_text.strip())
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(
            spec.name,
            f"env {variable}",
            f"cannot read {str(path)!r} ({exc.strerror or type(exc).__name__})",
            "a path to a readable file holding only the value",
        ) from exc
    except UnicodeDecodeError:
        # the chain is cut: the decode error holds the file's bytes, the secret itself
        raise ConfigError(
            spec.name,
            f"env {variable}",
            f"{str(path)!r} is not UTF-8 text",
            "a path to a readable file holding only the value",
        ) from None


# --- Settings: a field per row of the table, its default the row's ------------------------------


class _FromTable:
    def __repr__(self) -> str:
        return "FROM_TABLE"


#: The default of every field of :class:`Settings`: replaced by the row's default (parsed by the
#: row's parser) before the dataclass is built. Typed ``Any`` so that it fits every field's type.
FROM_TABLE: Any = _FromTable()

#: Fields of :class:`Settings` that are not settings.
NOT_SETTINGS = ("sources",)

_Class = TypeVar("_Class", bound=type)


def default_of(spec: SettingSpec) -> Any:
    """The value of ``spec``'s setting when nothing sets it: its row's default, parsed."""
    if spec.default is not None:
        return _parse(spec, spec.default, "the settings table's default")
    if spec.multi:
        return ()
    return False if spec.boolean else None


def defaults_from(table: Sequence[SettingSpec]) -> Callable[[_Class], _Class]:
    """Give each field of the decorated class its row's default; refuse a class that disagrees with ``table``.

    Every row must name a registered parser and a ``--help`` group; the class must have one field
    per row (plus :data:`NOT_SETTINGS`), each defaulting to :data:`FROM_TABLE`. A mismatch is a
    ``TypeError`` when ``settings.py`` is imported, so no run starts with the two out of step.
    """

    def apply(cls: _Class) -> _Class:
        names = [spec.name for spec in table]
        declared = [name for name in cls.__annotations__ if name not in NOT_SETTINGS]
        problems = [
            f"{name} is a row of the settings table but no field of {cls.__name__}"
            for name in names
            if name not in declared
        ]
        problems += [f"{cls.__name__}.{name} is no row of the settings table" for name in declared if name not in names]
        for spec in table:
            if spec.parse not in PARSERS:
                problems.append(f"row {spec.name} names the parser {spec.parse!r}, which is not a @setting_parser")
            if spec.group not in {key for key, _ in GROUPS}:
                problems.append(f"row {spec.name} names the --help group {spec.group!r}, which is not in GROUPS")
            if spec.name in declared and cls.__dict__.get(spec.name) is not FROM_TABLE:
                problems.append(
                    f"{cls.__name__}.{spec.name} spells its own default; give it FROM_TABLE (the row has it)"
                )
        if problems:
            raise TypeError("the settings table and its class disagree: " + "; ".join(problems))
        for spec in table:
            setattr(cls, spec.name, default_of(spec))
        return cls

    return apply


@dataclass(frozen=True)
@defaults_from(SETTINGS)
class Settings:
    """Every resolved setting, plus where each value came from (``sources``).

    A field names a setting of the table and its type; its default is the table's (``FROM_TABLE``).
    """

    api_url: str = FROM_TABLE
    api_token: Secret | None = FROM_TABLE
    domains: tuple[str, ...] = FROM_TABLE  # with the domains file's, when one is given
    domains_file: DomainsFile | None = FROM_TABLE
    dkim_selector: str = FROM_TABLE
    spf_include: str = FROM_TABLE
    smtp_host: str = FROM_TABLE
    smtp_ports: tuple[int, ...] = FROM_TABLE
    smtp_username: Secret | None = FROM_TABLE
    smtp_password: Secret | None = FROM_TABLE
    nameservers: tuple[Nameserver, ...] = FROM_TABLE
    dnssec_trust_anchor: DnssecTrustAnchor = FROM_TABLE
    timeout: float = FROM_TABLE
    strict: bool = FROM_TABLE
    full_table: bool = FROM_TABLE
    report: Path | None = FROM_TABLE
    inbox: InboxAddress | None = FROM_TABLE
    inbox_password: Secret | None = FROM_TABLE
    recipient: str | None = FROM_TABLE
    sender_from: str | None = FROM_TABLE
    template_id: str | None = FROM_TABLE
    live_timeout: float = FROM_TABLE
    live_keep: bool = FROM_TABLE
    live_variables: str | None = FROM_TABLE  # a JSON object, kept as canonical JSON text
    # --- dns.mx-tls (issue 19) ---
    mx_tls: bool = FROM_TABLE
    # --- api health (issue 8) ---
    campaigns: tuple[str, ...] = FROM_TABLE
    health_window: int = FROM_TABLE  # days
    health_complaints: RateThreshold = FROM_TABLE
    health_hard_bounces: RateThreshold = FROM_TABLE
    health_soft_bounces: RateThreshold = FROM_TABLE
    # --- content and spam score (issue 17) ---
    messages: tuple[Path, ...] = FROM_TABLE
    spamd: SpamdAddress | None = FROM_TABLE
    spam_score: ScoreThreshold = FROM_TABLE
    github: str = FROM_TABLE  # GitHub Actions output: auto, summary, annotations or off
    html: Path | None = FROM_TABLE
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def secrets(self) -> tuple[Secret, ...]:
        """Every secret that is set, still wrapped, for :func:`pytest_sender.findings.redact`."""
        return tuple(
            value for f in fields(self) if isinstance(value := getattr(self, f.name), Secret) and value.reveal()
        )

    def secret_values(self) -> tuple[str, ...]:
        """The revealed values of every secret, for last-line redaction of output."""
        values = []
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Secret) and value.reveal():
                values.append(value.reveal())
        return tuple(values)

    def with_overrides(self, source: str, **changes: Any) -> Settings:
        """A copy with ``changes`` applied, each recorded as coming from ``source``."""
        sources = dict(self.sources)
        sources.update(dict.fromkeys(changes, source))
        return replace(self, sources=sources, **changes)

    def describe(self) -> list[tuple[str, str, str]]:
        """(setting, shown value, source) for each setting; secrets show only whether they are set."""
        rows = []
        for spec in SETTINGS:
            value = getattr(self, spec.name)
            rows.append((spec.name, _display(value), self.sources.get(spec.name, "default")))
        return rows


#: Items of a list setting shown in the report header and the JSON report's settings.
_SHOWN_ITEMS = 10


def _display(value: object) -> str:
    if value is None:
        return "not set"
    if isinstance(value, Secret):
        return "set (***)"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple):
        if len(value) > _SHOWN_ITEMS:  # a fleet's 10,000 domains: the first few and the count
            return ",".join(str(v) for v in value[:_SHOWN_ITEMS]) + f",… ({len(value)} in all)"
        return ",".join(str(v) for v in value) if value else "not set"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def resolve_settings(
    *,
    cli: Mapping[str, RawValue] | None = None,
    env: Mapping[str, str] | None = None,
    ini: Mapping[str, RawValue] | None = None,
) -> Settings:
    """Resolve every setting: ``cli`` (by setting name), then ``env``, then ``ini``, then default.

    ``cli`` and ``ini`` are keyed by setting name (``api_url``), ``env`` by variable name.
    """
    cli = cli or {}
    env = env or {}
    ini = ini or {}
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for spec in SETTINGS:
        if spec.secret:
            assert spec.env is not None
            file_variable = f"{spec.env}_FILE"
            direct, from_file = env.get(spec.env, ""), env.get(file_variable, "")
            if direct.strip() and from_file.strip():
                raise ConfigError(
                    spec.name,
                    f"env {spec.env} and env {file_variable}",
                    "both are set; set only one",
                    f"{spec.env}=… or {file_variable}=/run/secrets/sender",
                )
            if direct.strip():
                values[spec.name] = _parse(spec, direct, f"env {spec.env}")
                sources[spec.name] = f"env {spec.env}"
            elif from_file.strip():
                content = _read_secret_file(spec, file_variable, from_file)
                values[spec.name] = _parse(spec, content, f"file named by {file_variable}")
                sources[spec.name] = f"env {file_variable}"
            continue
        candidates: list[tuple[str, RawValue]] = [
            (f"flag {spec.flag}", cli.get(spec.name)),
            (f"env {spec.env}", env.get(spec.env) if spec.env else None),
            (f"ini {spec.ini}", ini.get(spec.name)),
        ]
        for source, raw in candidates:
            if _is_set(raw):
                values[spec.name] = _parse(spec, raw, source)
                sources[spec.name] = source
                break
    domains_file = values.get("domains_file")
    if domains_file is not None:
        # The file's domains join the listed ones (a fleet's file beside a domain of one's own).
        values["domains"] = tuple(dict.fromkeys((*values.get("domains", ()), *domains_file.domains)))
        listed = sources.get("domains")
        sources["domains"] = f"{listed} and {sources['domains_file']}" if listed else sources["domains_file"]
    settings = Settings(**values, sources=sources)
    _check_combinations(settings)
    return settings


def _check_combinations(settings: Settings) -> None:
    """Rules that span settings."""
    if (settings.smtp_username is None) != (settings.smtp_password is None):
        missing = "smtp_password" if settings.smtp_password is None else "smtp_username"
        variable = SPECS_BY_NAME[missing].env
        raise ConfigError(
            missing,
            "environment",
            f"SMTP credentials need both a user and a password; {variable} is not set",
            f"{variable}=…",
        )
