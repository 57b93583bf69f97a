"""Load the OpenAPI document and validate request payloads against it, Sender-style.

:func:`load_contract` reads the document once per process. :class:`RequestValidator` validates a
request body or query against the schemas the document declares for an operation and reports
the problems the way Sender does in its 422 answers: ``{field: [text, ...]}`` with dotted field
names (``to.email``). The sandbox answers with these errors; apps' tests can use them directly.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from pytest_sender.errors import ParseError, UnknownOperation

if TYPE_CHECKING:
    import jsonschema

__all__ = [
    "CONTRACT_FILENAME",
    "INVALID_DATA_MESSAGE",
    "RequestValidator",
    "contract_path",
    "load_contract",
    "request_validator",
]

CONTRACT_FILENAME = "sender-transactional.openapi.yaml"
#: The ``message`` of Sender's 422 answers.
INVALID_DATA_MESSAGE = "The given data was invalid."
#: The field name used when the body as a whole is wrong (not an object, not JSON).
BODY_FIELD = "body"


def contract_path() -> Path:
    """Where the OpenAPI document is: inside the installed package, else in the source tree."""
    packaged = Path(__file__).with_name(CONTRACT_FILENAME)
    if packaged.is_file():
        return packaged
    # A source checkout or an editable install: the repository's contracts/ directory.
    return Path(__file__).resolve().parents[2] / "contracts" / CONTRACT_FILENAME


@functools.lru_cache(maxsize=1)
def _load_cached(path: str) -> dict[str, Any]:
    import yaml

    try:
        with open(path, encoding="utf-8") as stream:
            document = yaml.safe_load(stream)
    except OSError as exc:
        raise ParseError(f"cannot read the OpenAPI document {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ParseError(f"the OpenAPI document {path} is not valid YAML: {exc}") from exc
    if not isinstance(document, dict) or "paths" not in document:
        raise ParseError(f"{path} is not an OpenAPI document (no 'paths')")
    return document


def load_contract(path: Path | None = None) -> dict[str, Any]:
    """The parsed OpenAPI document (cached; treat it as read-only)."""
    return _load_cached(str(path or contract_path()))


@dataclass(frozen=True)
class _Operation:
    body_schema: dict[str, Any] | None
    query_schemas: Mapping[str, dict[str, Any]]
    required_query: tuple[str, ...] = ()


def _plural(count: object, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


_TYPE_WORDS = {
    "object": "an object",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
}


def _describe_type(expected: object) -> str:
    if isinstance(expected, list):
        return " or ".join(_TYPE_WORDS.get(str(t), str(t)) for t in expected)
    return _TYPE_WORDS.get(str(expected), str(expected))


def _field_name(path: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in path) if path else BODY_FIELD


def _error_texts(error: jsonschema.ValidationError) -> list[tuple[str, str]]:
    """(field, text) pairs for one jsonschema error, worded like Laravel's validation messages."""
    path = tuple(error.absolute_path)
    field = _field_name(path)
    keyword = error.validator
    value: Any = error.validator_value
    if keyword == "required" and isinstance(error.instance, dict):
        missing = [name for name in value if name not in error.instance]
        fields = [_field_name((*path, name)) for name in missing]
        return [(name, f"The {name} field is required.") for name in fields]
    if keyword == "anyOf" and all(set(option) == {"required"} for option in value):
        # "one of these fields is required" (html or text)
        names = [option["required"][0] for option in value]
        first = _field_name((*path, names[0]))
        others = " / ".join(_field_name((*path, n)) for n in names[1:])
        return [(first, f"The {first} field is required when {others} is not present.")]
    if keyword == "type":
        if not path:
            return [(field, f"The request body must be {_describe_type(value)}.")]
        return [(field, f"The {field} field must be {_describe_type(value)}.")]
    if keyword == "format" and value == "email":
        return [(field, f"The {field} field must be a valid email address.")]
    if keyword == "minLength":
        if value == 1:
            return [(field, f"The {field} field is required.")]
        return [(field, f"The {field} field must be at least {_plural(value, 'character')}.")]
    if keyword == "maxLength":
        return [(field, f"The {field} field must not be greater than {_plural(value, 'character')}.")]
    if keyword == "minimum":
        return [(field, f"The {field} field must be at least {value}.")]
    if keyword == "maximum":
        return [(field, f"The {field} field must not be greater than {value}.")]
    return [(field, f"The {field} field is invalid.")]


class RequestValidator:
    """Validates request bodies and queries against the operations of the OpenAPI document."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        import jsonschema

        self._document = document
        self._format_checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
        self._validators: dict[str, jsonschema.protocols.Validator] = {}
        self._operations: dict[tuple[str, str], _Operation] = {}
        for template, item in document.get("paths", {}).items():
            for method, operation in item.items():
                if method.lower() not in {"get", "post", "put", "patch", "delete"}:
                    continue
                body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
                in_query = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
                query = {p["name"]: p.get("schema", {}) for p in in_query}
                required = tuple(p["name"] for p in in_query if p.get("required"))
                self._operations[(method.upper(), template)] = _Operation(body.get("schema"), query, required)

    def _validator(self, schema: Mapping[str, Any]) -> jsonschema.protocols.Validator:
        import jsonschema

        key = repr(sorted(schema.items()))
        validator = self._validators.get(key)
        if validator is None:
            # The document's components live under the root, so "#/components/..." refs resolve.
            root = {"components": self._document.get("components", {}), **schema}
            validator = jsonschema.Draft202012Validator(root, format_checker=self._format_checker)
            self._validators[key] = validator
        return validator

    def _operation(self, method: str, path_template: str) -> _Operation:
        try:
            return self._operations[(method.upper(), path_template)]
        except KeyError as exc:
            raise UnknownOperation(f"the contract has no operation {method.upper()} {path_template}") from exc

    def errors_for(self, schema: Mapping[str, Any], instance: object) -> dict[str, list[str]]:
        """Sender-style field errors of ``instance`` against ``schema`` (empty when valid)."""
        errors: dict[str, list[str]] = {}
        found = sorted(
            self._validator(schema).iter_errors(cast(Any, instance)), key=lambda e: list(map(str, e.absolute_path))
        )
        for error in found:
            for field, text in _error_texts(error):
                texts = errors.setdefault(field, [])
                if text not in texts:
                    texts.append(text)
        return errors

    def body_errors(self, method: str, path_template: str, body: object) -> dict[str, list[str]]:
        """Field errors of a JSON request body for an operation, e.g. ``("POST", "/message/send")``."""
        schema = self._operation(method, path_template).body_schema
        return {} if schema is None else self.errors_for(schema, body)

    def query_errors(self, method: str, path_template: str, query: Mapping[str, str]) -> dict[str, list[str]]:
        """Field errors of the query parameters (strings, as they arrive) for an operation; a missing
        required parameter is ``The <name> field is required.``, as Sender's 422 says it."""
        errors: dict[str, list[str]] = {}
        operation = self._operation(method, path_template)
        for name, schema in operation.query_schemas.items():
            if name not in query:
                if name in operation.required_query:
                    errors[name] = [f"The {name} field is required."]
                continue
            raw = query[name]
            value: object = raw
            if schema.get("type") == "integer":
                text = raw.strip()
                if not text or not (text.isdigit() or (text[0] in "+-" and text[1:].isdigit())) or text != raw:
                    errors[name] = [f"The {name} field must be an integer."]
                    continue
                value = int(text)
            for field, texts in self.errors_for(schema, value).items():
                key = name if field == BODY_FIELD else f"{name}.{field}"
                errors.setdefault(key, []).extend(
                    t.replace(f"The {BODY_FIELD} field", f"The {name} field").replace(
                        "The request body", f"The {name} field"
                    )
                    for t in texts
                )
        return errors


@functools.lru_cache(maxsize=1)
def request_validator() -> RequestValidator:
    """The validator for the packaged OpenAPI document (built once per process)."""
    return RequestValidator(load_contract())
