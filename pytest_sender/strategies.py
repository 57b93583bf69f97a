"""Hypothesis strategies for Sender send requests, derived from the contract document.

    from hypothesis import given
    from pytest_sender.strategies import send_requests

    @given(send_requests())
    def test_my_payload_builder_keeps_to_the_contract(payload): ...

:func:`send_requests` and :func:`template_send_requests` generate bodies the contract accepts for
``POST /message/send`` and ``POST /message/{id}/send``; :func:`invalid_send_requests` generates bodies
it rejects, each with the field errors a Sender-style 422 must name. Which fields exist, which are
required, their types and length limits are read from the OpenAPI document
(``contracts/sender-transactional.openapi.yaml``), so the strategies follow it when it changes.

Addresses follow real e-mail syntax (dot-atom and quoted local parts, plus-addressing, IDN domains
as U-labels or punycode) but every domain is reserved and can never receive mail: ``example.com``,
``example.org``, ``example.net`` (RFC 2606) or under ``.test``, ``.example`` or ``.invalid``
(RFC 2606 / RFC 6761). Subjects and names are unicode (no control characters).

This module is the one place that imports hypothesis at module level; it needs the ``contract``
extra (``pip install ".[contract]"`` in a clone, ``pip install "pytest-sender[contract] @ git+https://github.com/pytest-sender/pytest-sender"``
elsewhere). Nothing on the plugin's load path imports it.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from pytest_sender.errors import MissingExtraError, UnknownOperation

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised in a subprocess without hypothesis
    raise MissingExtraError("hypothesis strategies", "contract") from exc

from pytest_sender.contract.document import load_contract

__all__ = [
    "RESERVED_DOMAINS",
    "InvalidSendRequest",
    "email_addresses",
    "invalid_send_requests",
    "is_reserved_domain",
    "send_requests",
    "template_send_requests",
]

SEND_PATH = "/message/send"
TEMPLATE_SEND_PATH = "/message/{id}/send"

#: Domains (and the parents of domains) that never receive mail: RFC 2606 and RFC 6761.
RESERVED_DOMAINS = ("example.com", "example.org", "example.net", "test", "example", "invalid")

_ATEXT = string.ascii_letters + string.digits + "!#$%&'*+-/=?^_`{|}~"
_LDH = string.ascii_lowercase + string.digits
_QTEXT = "".join(chr(c) for c in range(32, 127))  # printable ASCII and space; '"' and '\' get escaped
# One script per IDN label: mixing scripts (or directions) in a label breaks IDNA's rules.
_IDN_ALPHABETS = (
    "abcdefghijklmnopqrstuvwxyzäöüßéèêçñøåæłžšćđő",
    "абвгдежзийклмнопрстуфхцчшщыэюя",
    "αβγδεζηθικλμνξοπρστυφχψω",
    "日本語例題郵便送信",
)
# Unicode text without control characters, surrogates or line/paragraph separators.
_TEXT_CHARS = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp"))
_NON_SPACE_CHARS = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp", "Zs"))
_VARIABLE_KEY = st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_]{0,23}\Z")
_HEADER_NAME = st.from_regex(r"\AX-[A-Za-z0-9][A-Za-z0-9-]{0,28}\Z")

MAX_LOCAL_PART = 64  # RFC 5321 §4.5.3.1.1
MAX_DOMAIN = 253


class InvalidSendRequest(NamedTuple):
    """A body the contract rejects and the field errors (Sender-style) its 422 must carry."""

    payload: dict[str, Any]
    errors: dict[str, tuple[str, ...]]


def is_reserved_domain(domain: str) -> bool:
    """True when ``domain`` is, or lies under, a domain that can never receive mail."""
    name = _ascii_domain(domain).rstrip(".").lower()
    return any(name == parent or name.endswith("." + parent) for parent in RESERVED_DOMAINS)


def _ascii_domain(domain: str) -> str:
    import idna

    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError:
        return domain


# --- the document -----------------------------------------------------------------------------------


def _resolve(document: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    """``schema`` with a top-level ``$ref`` replaced by its target (sibling keys kept, as in 3.1)."""
    ref = schema.get("$ref")
    if not isinstance(ref, str):
        return dict(schema)
    target: Any = document
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    merged = _resolve(document, target)
    merged.update({k: v for k, v in schema.items() if k != "$ref"})
    return merged


def _body_schema(document: Mapping[str, Any], path: str) -> dict[str, Any]:
    operation = document["paths"][path]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    return _resolve(document, schema)


def _property(document: Mapping[str, Any], body: Mapping[str, Any], name: str) -> dict[str, Any]:
    return _resolve(document, body.get("properties", {}).get(name, {}))


def _bounds(schema: Mapping[str, Any], *, max_default: int) -> tuple[int, int]:
    """The (minLength, maxLength) the document sets, ``max_default`` where it sets none."""
    return int(schema.get("minLength", 0)), int(schema.get("maxLength", max_default))


# --- addresses --------------------------------------------------------------------------------------


def _dot_atom_local_parts() -> st.SearchStrategy[str]:
    atom = st.text(_ATEXT, min_size=1, max_size=12)
    dotted = st.lists(atom, min_size=1, max_size=3).map(".".join)
    tag = st.text(_ATEXT.replace("+", ""), min_size=1, max_size=10)
    plus = st.tuples(dotted, tag).map(lambda parts: f"{parts[0]}+{parts[1]}")  # plus-addressing
    return st.one_of(dotted, plus)


def _quoted_local_parts() -> st.SearchStrategy[str]:
    def quote(content: str) -> str:
        return '"' + content.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return st.text(_QTEXT, min_size=1, max_size=20).map(quote)


def _local_parts() -> st.SearchStrategy[str]:
    return st.one_of(_dot_atom_local_parts(), _quoted_local_parts()).filter(
        lambda local: len(local.encode()) <= MAX_LOCAL_PART
    )


def _ascii_labels() -> st.SearchStrategy[str]:
    return st.from_regex(r"\A[a-z0-9](?:[a-z0-9-]{0,14}[a-z0-9])?\Z").filter(lambda label: label[2:4] != "--")


def _idn_labels(*, punycode: bool) -> st.SearchStrategy[str]:
    import idna

    def valid(label: str) -> bool:
        try:
            return len(idna.encode(label)) <= 63
        except idna.IDNAError:
            return False

    labels = st.sampled_from(_IDN_ALPHABETS).flatmap(lambda abc: st.text(abc, min_size=1, max_size=10)).filter(valid)
    return labels.map(lambda label: idna.encode(label).decode("ascii")) if punycode else labels


def _reserved_domains() -> st.SearchStrategy[str]:
    label = st.one_of(_ascii_labels(), _idn_labels(punycode=False), _idn_labels(punycode=True))
    prefix = st.lists(label, min_size=0, max_size=2)
    # A bare top-level name (".test") is no domain: at least one label goes in front of it.
    parents = st.sampled_from(RESERVED_DOMAINS)

    def join(parts: tuple[list[str], str]) -> str:
        labels, parent = parts
        if "." not in parent and not labels:
            labels = ["mail"]
        return ".".join([*labels, parent])

    return st.tuples(prefix, parents).map(join).filter(lambda domain: len(_ascii_domain(domain)) <= MAX_DOMAIN)


def email_addresses(*, max_length: int = 254) -> st.SearchStrategy[str]:
    """Syntactically valid addresses (RFC 5321/5322, IDN domains) at domains that never receive mail."""
    return st.tuples(_local_parts(), _reserved_domains()).map("@".join).filter(lambda a: len(a) <= max_length)


def _names(schema: Mapping[str, Any], *, max_default: int = 200) -> st.SearchStrategy[str]:
    low, high = _bounds(schema, max_default=max_default)
    return _visible_text(max(low, 1), high)


def _visible_text(low: int, high: int) -> st.SearchStrategy[str]:
    """Unicode text of ``low``..``high`` characters with at least one visible one (Sender trims)."""
    high = max(high, 1)
    rest = st.text(_TEXT_CHARS, min_size=min(max(low - 1, 0), high - 1), max_size=max(min(high - 1, 60), low - 1))
    # The limit itself, built by repetition (a long drawn string would overrun hypothesis's buffer).
    at_limit = _NON_SPACE_CHARS.map(lambda char: char * high)
    usual = st.tuples(_NON_SPACE_CHARS, rest).map("".join)
    return st.one_of(usual, usual, usual, at_limit)  # the limit in about one case of four


def _addresses(document: Mapping[str, Any], schema: Mapping[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    properties = {name: _resolve(document, s) for name, s in schema.get("properties", {}).items()}
    required = set(schema.get("required", ()))
    email_max = int(properties.get("email", {}).get("maxLength", 254))
    fixed = {"email": email_addresses(max_length=email_max)}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    if "name" in properties:
        (fixed if "name" in required else optional)["name"] = _names(properties["name"])
    return st.fixed_dictionaries(fixed, optional=optional)


# --- the other fields -------------------------------------------------------------------------------


def _body_text() -> st.SearchStrategy[str]:
    return st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=0, max_size=200)


def _html() -> st.SearchStrategy[str]:
    import html

    return _body_text().map(lambda text: f"<p>{html.escape(text)}</p>")


def _headers(document: Mapping[str, Any], schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    values = st.text(_TEXT_CHARS, min_size=0, max_size=80)
    forms: list[st.SearchStrategy[Any]] = []
    for declared in schema.get("anyOf", [schema]):
        option = _resolve(document, declared)
        if option.get("type") == "object":
            forms.append(st.dictionaries(_HEADER_NAME, values, max_size=4))
        elif option.get("type") == "array":
            entry = st.fixed_dictionaries({"name": _HEADER_NAME, "value": values})
            forms.append(st.lists(entry, max_size=4))
    return st.one_of(forms)


_JSON_TYPES: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
    "string": lambda: st.text(_TEXT_CHARS, max_size=40),
    # JSON numbers both sides can hold exactly: integers within 2**53, finite floats.
    "number": lambda: st.one_of(st.integers(-(2**53), 2**53), st.floats(allow_nan=False, allow_infinity=False)),
    "integer": lambda: st.integers(-(2**53), 2**53),
    "boolean": st.booleans,
}


def _variables(schema: Mapping[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    value_types = schema.get("additionalProperties", {}).get("type", ["string"])
    if isinstance(value_types, str):
        value_types = [value_types]
    values = st.one_of([_JSON_TYPES[t]() for t in value_types if t in _JSON_TYPES])
    return st.dictionaries(_VARIABLE_KEY, values, max_size=6)


def _attachments() -> st.SearchStrategy[dict[str, str]]:
    names = st.from_regex(r"\A[A-Za-z0-9_-]{1,16}\.(pdf|txt|png|csv)\Z")
    urls = st.from_regex(r"\A[a-z0-9]{1,12}\Z").map(lambda path: f"https://files.example.com/{path}")
    return st.dictionaries(names, urls, max_size=2)


def _field_strategy(document: Mapping[str, Any], name: str, schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    if schema.get("type") == "object" and "email" in schema.get("properties", {}):
        return _addresses(document, schema)
    if name == "subject":
        low, high = _bounds(schema, max_default=998)
        return _visible_text(max(low, 1), high)
    if name == "text":
        return _body_text()
    if name == "html":
        return _html()
    if name == "headers":
        return _headers(document, schema)
    if name == "variables":
        return _variables(schema)
    if name == "attachments":
        return _attachments()
    if schema.get("format") == "email":
        return email_addresses(max_length=int(schema.get("maxLength", 254)))
    raise UnknownOperation(f"the strategies do not know the contract's field {name!r}; extend pytest_sender.strategies")


def _one_of_groups(body: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """ "At least one of these fields" rules, written as ``anyOf`` of ``required`` lists (html or text)."""
    options = body.get("anyOf", [])
    if options and all(set(option) == {"required"} and len(option["required"]) == 1 for option in options):
        return [tuple(option["required"][0] for option in options)]
    return []


def _bodies(document: Mapping[str, Any], path: str) -> st.SearchStrategy[dict[str, Any]]:
    body = _body_schema(document, path)
    required = set(body.get("required", ()))
    groups = _one_of_groups(body)
    fixed: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name in body.get("properties", {}):
        schema = _property(document, body, name)
        if schema.get("deprecated") and name not in required:
            continue  # recipient_email: kept by Sender for old clients, never generated
        (fixed if name in required else optional)[name] = _field_strategy(document, name, schema)
    strategy = st.fixed_dictionaries(fixed, optional=optional)
    for group in groups:
        strategy = strategy.flatmap(functools.partial(_ensure_one_of, document, body, group=group))
    return strategy


def _ensure_one_of(
    document: Mapping[str, Any], body: Mapping[str, Any], payload: dict[str, Any], *, group: tuple[str, ...]
) -> st.SearchStrategy[dict[str, Any]]:
    if any(name in payload for name in group):
        return st.just(payload)
    return st.sampled_from(group).flatmap(
        lambda name: _field_strategy(document, name, _property(document, body, name)).map(
            lambda value: {**payload, name: value}
        )
    )


def send_requests(*, document: Mapping[str, Any] | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """Bodies of ``POST /message/send`` that the contract accepts."""
    return _bodies(document or load_contract(), SEND_PATH)


def template_send_requests(*, document: Mapping[str, Any] | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """Bodies of ``POST /message/{id}/send`` (a saved template) that the contract accepts."""
    return _bodies(document or load_contract(), TEMPLATE_SEND_PATH)


# --- invalid bodies ---------------------------------------------------------------------------------

_TYPE_WORDS = {
    "object": "an object",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
}


def _characters(count: int) -> str:
    return "1 character" if count == 1 else f"{count} characters"


def _required(field: str) -> dict[str, tuple[str, ...]]:
    return {field: (f"The {field} field is required.",)}


def _must_be(field: str, types: str | list[str]) -> dict[str, tuple[str, ...]]:
    words = " or ".join(_TYPE_WORDS[t] for t in ([types] if isinstance(types, str) else types))
    return {field: (f"The {field} field must be {words}.",)}


def _mutations(document: Mapping[str, Any], path: str, payload: dict[str, Any]) -> list[InvalidSendRequest]:
    """Every way this contract-valid ``payload`` can be broken in exactly one place."""
    body = _body_schema(document, path)
    out: list[InvalidSendRequest] = []

    def without(data: dict[str, Any], name: str) -> dict[str, Any]:
        return {k: v for k, v in data.items() if k != name}

    for name in body.get("required", ()):
        out.append(InvalidSendRequest(without(payload, name), _required(name)))
    for option_group in _one_of_groups(body):
        first, *others = option_group
        stripped = {k: v for k, v in payload.items() if k not in option_group}
        text = f"The {first} field is required when {' / '.join(others)} is not present."
        out.append(InvalidSendRequest(stripped, {first: (text,)}))
    for name in body.get("properties", {}):
        schema = _property(document, body, name)
        value = payload.get(name)
        if schema.get("type") == "object" and "email" in schema.get("properties", {}) and isinstance(value, dict):
            # The classic mistake: a list of recipients (or a "Name <email>" string) for one object.
            out.append(InvalidSendRequest({**payload, name: [value]}, _must_be(name, "object")))
            out.append(
                InvalidSendRequest(
                    {**payload, name: f"{value.get('name', '')} <{value['email']}>"}, _must_be(name, "object")
                )
            )
            out.append(InvalidSendRequest({**payload, name: without(value, "email")}, _required(f"{name}.email")))
            bad_email = value["email"].replace("@", ".")  # still long enough, no "@": not an address
            not_an_address = f"The {name}.email field must be a valid email address."
            out.append(
                InvalidSendRequest(
                    {**payload, name: {**value, "email": bad_email}}, {f"{name}.email": (not_an_address,)}
                )
            )
            email_max = int(_resolve(document, schema["properties"]["email"]).get("maxLength", 254))
            too_long = "a" * (email_max - len("@example.com") + 1) + "@example.com"
            out.append(
                InvalidSendRequest(
                    {**payload, name: {**value, "email": too_long}},
                    {f"{name}.email": (f"The {name}.email field must not be greater than {_characters(email_max)}.",)},
                )
            )
            name_schema = _resolve(document, schema["properties"].get("name", {}))
            if "name" in schema.get("required", ()):
                out.append(InvalidSendRequest({**payload, name: without(value, "name")}, _required(f"{name}.name")))
                out.append(InvalidSendRequest({**payload, name: {**value, "name": ""}}, _required(f"{name}.name")))
            if "maxLength" in name_schema:
                limit = int(name_schema["maxLength"])
                out.append(
                    InvalidSendRequest(
                        {**payload, name: {**value, "name": "N" * (limit + 1)}},
                        {f"{name}.name": (f"The {name}.name field must not be greater than {_characters(limit)}.",)},
                    )
                )
        elif name == "subject" and name in payload:
            limit = int(schema.get("maxLength", 998))
            too_long = f"The {name} field must not be greater than {_characters(limit)}."
            out.append(InvalidSendRequest({**payload, name: "S" * (limit + 1)}, {name: (too_long,)}))
            out.append(InvalidSendRequest({**payload, name: 42}, _must_be(name, "string")))
            if int(schema.get("minLength", 0)) >= 1:
                out.append(InvalidSendRequest({**payload, name: ""}, _required(name)))
        elif name == "headers" and "anyOf" in schema:
            # Neither documented form (an object of names to values, or a list of {name, value}).
            out.append(
                InvalidSendRequest({**payload, name: "X-Campaign: spring"}, {name: (f"The {name} field is invalid.",)})
            )
        elif name == "attachments" and schema.get("additionalProperties", {}).get("type") == "string":
            out.append(InvalidSendRequest({**payload, name: {"invoice": 42}}, _must_be(f"{name}.invoice", "string")))
        elif name == "variables":
            value_types = schema.get("additionalProperties", {}).get("type")
            if value_types:
                out.append(
                    InvalidSendRequest(
                        {**payload, name: {**(value or {}), "order": {"id": 1}}}, _must_be(f"{name}.order", value_types)
                    )
                )
    return out


def _invalid(document: Mapping[str, Any], path: str) -> st.SearchStrategy[InvalidSendRequest]:
    valid = _bodies(document, path)
    return valid.flatmap(lambda payload: st.sampled_from(_mutations(document, path, payload)))


def invalid_send_requests(
    *, template: bool = False, document: Mapping[str, Any] | None = None
) -> st.SearchStrategy[InvalidSendRequest]:
    """``(payload, errors)`` pairs: a body broken in one place and the 422 field errors it must get.

    ``template=True`` breaks bodies of ``POST /message/{id}/send`` instead of ``POST /message/send``.
    ``errors`` maps the dotted field (``to.email``) to the texts a Sender-style 422 carries for it.
    """
    return _invalid(document or load_contract(), TEMPLATE_SEND_PATH if template else SEND_PATH)
