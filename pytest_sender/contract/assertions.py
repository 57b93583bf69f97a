"""Check payloads an app built, and answers a server gave, against the contract document.

    from pytest_sender.contract.assertions import assert_valid_send_request

    assert_valid_send_request(build_welcome_email(user))   # raises ContractViolation naming each field

A failure names each problem's field path, what the contract expects there, what was found and the
fix, for example::

    `to`: must be one object, not an array (found a list of 2)
        fix: send one request per recipient: "to": {"email": "ada@example.org", "name": "Ada"}

Beyond the document's JSON schema, addresses must follow real e-mail syntax (RFC 5321/5322, IDN
domains allowed) and top-level fields the contract does not know are reported: Sender ignores
them silently, so a misspelt ``html_body`` sends an empty message. Importing this module imports
nothing heavy; jsonschema and idna load on first use. Pure functions, no I/O.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from pytest_sender.contract.document import load_contract
from pytest_sender.errors import ContractViolation, UnknownOperation

if TYPE_CHECKING:
    import jsonschema

__all__ = [
    "ContractProblem",
    "SenderContract",
    "assert_valid_response",
    "assert_valid_send_request",
    "assert_valid_template_send_request",
    "email_syntax_problem",
    "response_problems",
    "send_request_problems",
]

SEND = ("POST", "/message/send")
TEMPLATE_SEND = ("POST", "/message/{id}/send")

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_DOT_ATOM = re.compile(rf"{_ATEXT}+(?:\.{_ATEXT}+)*")
_QUOTED = re.compile(r'"(?:[ !#-\[\]-~]|\\[ -~])*"')  # qtext and quoted-pairs, RFC 5322 §3.2.4
_LDH_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.IGNORECASE)

# What to do about the usual mistakes, by (field, problem kind). {example} fills in an address.
_FIXES: dict[tuple[str, str], str] = {
    ("to", "array"): 'send one request per recipient: "to": {{"email": "ada@example.org", "name": "Ada"}}',
    ("to", "string"): 'wrap the address in an object: "to": {{"email": {value}}}',
    ("to", "required"): 'add the recipient: "to": {{"email": "ada@example.org"}} (recipient_email is deprecated)',
    ("from", "array"): 'give one sender object: "from": {{"email": "hello@example.com", "name": "Example"}}',
    ("from", "string"): 'split it into an object: "from": {{"email": "hello@example.com", "name": "Example"}}',
    ("from", "required"): 'add the sender: "from": {{"email": "hello@example.com", "name": "Example"}}',
    ("from.name", "required"): 'add the display name Sender requires: "from": {{"email": ..., "name": "Example"}}',
    ("subject", "required"): 'add a non-empty "subject"',
    ("html", "one_of"): 'add "html" or "text" (or both): a message needs a body',
    ("headers", "anyOf"): 'send e.g. "headers": {{"X-Campaign": "spring"}}',
}
_KIND_FIXES = {
    "required": "add `{field}`",
    "email": "use a complete address such as ada@example.org",
    "email_syntax": "correct the address; a local part with spaces or special characters must be quoted, "
    'e.g. "ada smith"@example.org',
    "maxLength": "shorten `{field}` to at most {limit} characters",
    "minLength": "give `{field}` at least {limit} character(s)",
    "type": "send `{field}` as {expected}",
    "unknown": "remove `{field}`; Sender ignores fields it does not know",
    "schema": "make `{field}` match the contract (contracts/sender-transactional.openapi.yaml)",
}
_JSON_TYPES = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


@dataclass(frozen=True)
class ContractProblem:
    """One way a payload (or answer) breaks the contract."""

    field: str  # dotted path, "body" for the whole document
    expected: str
    found: str
    fix: str

    def __str__(self) -> str:
        return f"`{self.field}`: {self.expected} ({self.found})\n    fix: {self.fix}"


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return type(value).__name__


def _found(value: object) -> str:
    kind = _json_type(value)
    if kind == "array":
        return f"found a list of {len(value)}"  # type: ignore[arg-type]
    text = json.dumps(value, ensure_ascii=False, default=str)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"found {_JSON_TYPES.get(kind, kind)}: {text}" if kind != "null" else "found null"


def _fix(field: str, kind: str, **params: object) -> str:
    template = _FIXES.get((field, kind)) or _KIND_FIXES.get(kind) or _KIND_FIXES["schema"]
    return template.format(field=field, **params)


def _path(parts: Sequence[Any]) -> str:
    return ".".join(str(part) for part in parts) if parts else "body"


# --- e-mail syntax ------------------------------------------------------------------------------------


def email_syntax_problem(address: str) -> str | None:
    """Why ``address`` is not a valid e-mail address (RFC 5321/5322, IDN domains), or None if it is."""
    import idna

    local, at, domain = address.rpartition("@")
    if not at:
        return "it has no @"
    if not local:
        return "the part before @ is empty"
    if not domain:
        return "the domain after @ is empty"
    if not (_DOT_ATOM.fullmatch(local) or _QUOTED.fullmatch(local)):
        return "the part before @ needs quoting (spaces, double dots or special characters)"
    if len(local.encode()) > 64:
        return "the part before @ is longer than 64 octets"
    if domain.startswith("[") and domain.endswith("]"):
        return None  # an address literal
    try:
        ascii_domain = idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        return f"the domain is not a valid (internationalised) domain name: {exc}"
    labels = ascii_domain.rstrip(".").split(".")
    if len(ascii_domain) > 253 or not all(_LDH_LABEL.fullmatch(label) for label in labels):
        return "the domain is not a valid domain name"
    if len(labels) < 2:
        return "the domain has no dot (a bare host name cannot receive mail from Sender)"
    return None


# --- requests -----------------------------------------------------------------------------------------


class _Schemas:
    """The request and response schemas of one document, with validators built once."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self._validators: dict[str, jsonschema.protocols.Validator] = {}

    def resolve(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        ref = schema.get("$ref")
        if not isinstance(ref, str):
            return dict(schema)
        target: Any = self.document
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        return {**self.resolve(target), **{k: v for k, v in schema.items() if k != "$ref"}}

    def operation(self, method: str, path: str) -> dict[str, Any]:
        try:
            return dict(self.document["paths"][path][method.lower()])
        except KeyError as exc:
            raise UnknownOperation(f"the contract has no operation {method.upper()} {path}") from exc

    def body_schema(self, method: str, path: str) -> dict[str, Any]:
        body = self.operation(method, path)["requestBody"]["content"]["application/json"]["schema"]
        return self.resolve(body)

    def validator(self, schema: Mapping[str, Any]) -> jsonschema.protocols.Validator:
        import jsonschema

        key = json.dumps(schema, sort_keys=True)
        validator = self._validators.get(key)
        if validator is None:
            root = {"components": self.document.get("components", {}), **schema}
            validator = jsonschema.Draft202012Validator(
                root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
            )
            self._validators[key] = validator
        return validator


def _schema_problem(error: jsonschema.ValidationError) -> list[ContractProblem]:
    path = list(error.absolute_path)
    field = _path(path)
    keyword: Any = error.validator
    value: Any = error.validator_value
    instance: Any = error.instance
    if keyword == "required" and isinstance(instance, Mapping):
        problems = []
        for name in value:
            if name not in instance:
                missing = _path([*path, name])
                problems.append(ContractProblem(missing, "is required", "missing", _fix(missing, "required")))
        return problems
    if keyword == "anyOf" and all(set(option) == {"required"} for option in value):
        names = [option["required"][0] for option in value]
        first = _path([*path, names[0]])
        expected = "at least one of " + " / ".join(f"`{_path([*path, n])}`" for n in names) + " is required"
        return [ContractProblem(first, expected, "none given", _fix(first, "one_of"))]
    if keyword == "anyOf" and field == "headers":
        expected = 'must be an object of header names to values, or a list of {"name", "value"} objects'
        return [ContractProblem(field, expected, _found(instance), _fix(field, "anyOf"))]
    if keyword == "type":
        wanted = value if isinstance(value, list) else [value]
        expected_text = " or ".join(_JSON_TYPES.get(str(t), str(t)) for t in wanted)
        found_kind = _json_type(instance)
        if wanted == ["object"] and found_kind == "array":
            expected = "must be one object, not an array"
        else:
            expected = f"must be {expected_text}"
        return [
            ContractProblem(
                field,
                expected,
                _found(instance),
                _fix(field, found_kind, value=json.dumps(instance, default=str), expected=expected_text)
                if (field, found_kind) in _FIXES
                else _fix(field, "type", expected=expected_text),
            )
        ]
    if keyword == "format" and value == "email":
        return [ContractProblem(field, "must be an e-mail address", _found(instance), _fix(field, "email"))]
    if keyword == "maxLength":
        return [
            ContractProblem(
                field,
                f"must be at most {value} characters",
                f"found {len(instance)}",
                _fix(field, "maxLength", limit=value),
            )
        ]
    if keyword == "minLength":
        kind = "required" if value == 1 and (field, "required") in _FIXES else "minLength"
        expected = "must not be empty" if value == 1 else f"must be at least {value} characters"
        return [ContractProblem(field, expected, _found(instance), _fix(field, kind, limit=value))]
    return [
        ContractProblem(
            field, f"breaks the contract's rule {keyword!r}: {error.message}", _found(instance), _fix(field, "schema")
        )
    ]


def _address_problems(
    payload: Mapping[str, Any], schema: Mapping[str, Any], schemas: _Schemas
) -> list[ContractProblem]:
    problems = []
    for name, property_schema in schema.get("properties", {}).items():
        resolved = schemas.resolve(property_schema)
        value = payload.get(name)
        if "email" in resolved.get("properties", {}) and isinstance(value, Mapping):
            field, email = f"{name}.email", value.get("email")
        elif resolved.get("format") == "email":
            field, email = name, value
        else:
            continue
        if isinstance(email, str) and "@" in email:  # without @ the schema already complained
            reason = email_syntax_problem(email)
            if reason is not None:
                problems.append(
                    ContractProblem(
                        field, f"must be a valid e-mail address: {reason}", _found(email), _fix(field, "email_syntax")
                    )
                )
    return problems


def _unknown_fields(payload: Mapping[str, Any], schema: Mapping[str, Any]) -> list[ContractProblem]:
    known = list(schema.get("properties", {}))
    problems = []
    for name in payload:
        if name in known:
            continue
        close = difflib.get_close_matches(str(name), known, n=1)
        fix = f"rename it to `{close[0]}`" if close else _fix(str(name), "unknown")
        problems.append(
            ContractProblem(str(name), "is not a field of the contract; Sender ignores it", _found(payload[name]), fix)
        )
    return problems


def send_request_problems(
    payload: object, *, template: bool = False, document: Mapping[str, Any] | None = None
) -> list[ContractProblem]:
    """Every problem of a send body (``template=True``: a template send's), empty when it is valid."""
    schemas = _schemas(document)
    schema = schemas.body_schema(*(TEMPLATE_SEND if template else SEND))
    found = schemas.validator(schema).iter_errors(cast(Any, payload))
    errors = sorted(found, key=lambda e: [str(p) for p in e.absolute_path])
    problems = [problem for error in errors for problem in _schema_problem(error)]
    if isinstance(payload, Mapping):
        problems += _address_problems(payload, schema, schemas)
        problems += _unknown_fields(payload, schema)
    unique: dict[tuple[str, str], ContractProblem] = {}
    for problem in problems:
        unique.setdefault((problem.field, problem.expected), problem)
    return list(unique.values())


def _raise(what: str, problems: list[ContractProblem]) -> None:
    __tracebackhide__ = True
    lines = [f"{what} breaks Sender's contract ({len(problems)} problem{'s' if len(problems) != 1 else ''}):"]
    lines += [f"  {problem}" for problem in problems]
    raise ContractViolation(problems, "\n".join(lines))


def assert_valid_send_request(payload: object, *, document: Mapping[str, Any] | None = None) -> None:
    """Raise :class:`~pytest_sender.errors.ContractViolation` unless ``payload`` is a valid
    ``POST /message/send`` body; the message names each field, what was expected and the fix."""
    __tracebackhide__ = True
    problems = send_request_problems(payload, document=document)
    if problems:
        _raise("the send request", problems)


def assert_valid_template_send_request(payload: object, *, document: Mapping[str, Any] | None = None) -> None:
    """Like :func:`assert_valid_send_request`, for a ``POST /message/{id}/send`` body."""
    __tracebackhide__ = True
    problems = send_request_problems(payload, template=True, document=document)
    if problems:
        _raise("the template send request", problems)


# --- answers ------------------------------------------------------------------------------------------


def response_problems(
    method: str,
    path: str,
    status: int,
    headers: Mapping[str, str],
    body: bytes | str | None,
    *,
    document: Mapping[str, Any] | None = None,
) -> list[str]:
    """What is wrong with an answer to ``method path`` (a path template such as ``/message/{id}/send``)."""
    schemas = _schemas(document)
    responses = schemas.operation(method, path).get("responses", {})
    spec = responses.get(str(status)) or responses.get(f"{status // 100}XX") or responses.get("default")
    where = f"{method.upper()} {path}"
    if spec is None:
        return [
            f"HTTP {status} is not an answer the contract documents for {where} "
            f"(documented: {', '.join(sorted(responses))})"
        ]
    spec = schemas.resolve(spec)
    problems = []
    lowered = {k.lower(): v for k, v in headers.items()}
    for name, declared in spec.get("headers", {}).items():
        if schemas.resolve(declared).get("required") and name.lower() not in lowered:
            problems.append(f"HTTP {status} from {where} lacks the required header {name}")
    content = spec.get("content", {})
    if "application/json" not in content:
        return problems
    media = lowered.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        return [
            *problems,
            f"HTTP {status} from {where} is {media or 'without a content type'}, the contract says application/json",
        ]
    try:
        data = json.loads(body or b"")
    except ValueError:
        return [*problems, f"HTTP {status} from {where}: the body is not JSON"]
    schema = schemas.resolve(content["application/json"].get("schema", {}))
    for error in schemas.validator(schema).iter_errors(data):
        field = _path(list(error.absolute_path))
        problems.append(f"HTTP {status} from {where}: `{field}` {error.message}")
    return problems


def assert_valid_response(
    method: str,
    path: str,
    status: int,
    headers: Mapping[str, str],
    body: bytes | str | None,
    *,
    document: Mapping[str, Any] | None = None,
) -> None:
    """Raise :class:`~pytest_sender.errors.ContractViolation` unless the answer keeps to the contract."""
    __tracebackhide__ = True
    problems = response_problems(method, path, status, headers, body, document=document)
    if problems:
        raise ContractViolation(problems, "the answer breaks Sender's contract:\n  " + "\n  ".join(problems))


# Validators are costly to build: one _Schemas per document object (the document is kept alive with it).
_BY_DOCUMENT: dict[int, tuple[Mapping[str, Any], _Schemas]] = {}


def _schemas(document: Mapping[str, Any] | None) -> _Schemas:
    document = document if document is not None else load_contract()
    entry = _BY_DOCUMENT.get(id(document))
    if entry is None or entry[0] is not document:
        entry = (document, _Schemas(document))
        _BY_DOCUMENT[id(document)] = entry
    return entry[1]


class SenderContract:
    """The contract for a test: the document and the checks against it (the ``sender_contract`` fixture)."""

    def __init__(self, document: Mapping[str, Any] | None = None) -> None:
        self.document: Mapping[str, Any] = document if document is not None else load_contract()

    def send_request_problems(self, payload: object, *, template: bool = False) -> list[ContractProblem]:
        return send_request_problems(payload, template=template, document=self.document)

    def assert_valid_send_request(self, payload: object) -> None:
        __tracebackhide__ = True
        assert_valid_send_request(payload, document=self.document)

    def assert_valid_template_send_request(self, payload: object) -> None:
        __tracebackhide__ = True
        assert_valid_template_send_request(payload, document=self.document)

    def validate_response(
        self, method: str, path: str, status: int, headers: Mapping[str, str], body: bytes | str | None
    ) -> list[str]:
        """The answer's problems against the contract (empty when it keeps to it)."""
        return response_problems(method, path, status, headers, body, document=self.document)

    def assert_valid_response(
        self, method: str, path: str, status: int, headers: Mapping[str, str], body: bytes | str | None
    ) -> None:
        __tracebackhide__ = True
        assert_valid_response(method, path, status, headers, body, document=self.document)

    def __repr__(self) -> str:
        return f"<SenderContract {self.document.get('info', {}).get('version', '?')}>"
