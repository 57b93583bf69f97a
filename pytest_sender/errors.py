"""The one exception tree of pytest-sender.

    SenderError
    ├── ConfigError (ValueError)          a setting that cannot be used
    ├── InvalidArgument (ValueError)      a library call with a value it cannot use (a caller's mistake)
    ├── UnknownOperation (LookupError)    the contract has no such operation (or a field the strategies do not know)
    ├── MissingExtraError (ImportError)   an optional feature whose extra is not installed
    ├── ParseError (ValueError)           a record, reply or response that cannot be parsed
    ├── TransportError                    the network failed (the request may not have arrived)
    │   ├── NetworkTimeout (TimeoutError)
    │   ├── ConnectionRefused (ConnectionError)
    │   └── ConnectFailed (ConnectionError)
    ├── InboxLoginRefused                 the live-smoke IMAP inbox refused the user and password
    ├── SandboxError                      the embedded sandbox could not start or was misused
    ├── PreflightFailed (AssertionError)  a preflight item failed; carries its finding
    ├── ContractViolation (AssertionError) a payload or answer breaks the contract; carries the problems
    └── UndeliverableMessage (AssertionError) assert_deliverable: content problems or a spam score

SenderPreflightWarning (UserWarning) is the warning a preflight item with status ``warn`` emits.

Third-party exceptions are converted at the boundary with ``raise ... from exc``.
No message in this tree ever contains a secret value.

PYTEST_DONT_REWRITE: pytest marks a plugin's modules for assertion rewriting; ours hold no test
asserts, and skipping the rewrite keeps the plugin's load cheap where bytecode is not cached.
"""

from __future__ import annotations

__all__ = [
    "SOURCE_URL",
    "ConfigError",
    "ConnectFailed",
    "ConnectionRefused",
    "ContractViolation",
    "InboxLoginRefused",
    "InvalidArgument",
    "MissingExtraError",
    "NetworkTimeout",
    "ParseError",
    "PreflightFailed",
    "SandboxError",
    "SenderError",
    "SenderPreflightWarning",
    "TransportError",
    "UndeliverableMessage",
    "UnknownOperation",
]

# pytest-sender is in no package index: from another project it installs from its repository.
SOURCE_URL = "git+https://github.com/pytest-sender/pytest-sender"


class SenderError(Exception):
    """Base of every error raised by pytest-sender."""


class ConfigError(SenderError, ValueError):
    """A setting has a value that cannot be used."""

    def __init__(self, setting: str, source: str, problem: str, example: str) -> None:
        self.setting = setting
        self.source = source
        self.problem = problem
        self.example = example
        super().__init__(f"{setting} (from {source}): {problem}. Example of a valid value: {example}")


class MissingExtraError(SenderError, ImportError):
    """A feature needs an optional extra that is not installed."""

    def __init__(self, feature: str, extra: str) -> None:
        self.feature = feature
        self.extra = extra
        super().__init__(
            f"{feature} needs the optional dependencies of pytest-sender[{extra}]; "
            f'install them with: pip install "pytest-sender[{extra}] @ {SOURCE_URL}" '
            f'(or pip install ".[{extra}]" in a clone of pytest-sender)'
        )


class InvalidArgument(SenderError, ValueError):
    """A library function or class was given a value it cannot use (the caller's mistake)."""


class UnknownOperation(SenderError, LookupError):
    """The contract document has no operation with this method and path, or the strategies do not
    know a field the contract requires."""


class ParseError(SenderError, ValueError):
    """A record, reply or response could not be parsed."""


class TransportError(SenderError):
    """The network failed before a complete answer arrived."""


class InboxLoginRefused(SenderError):
    """The IMAP server of the live-smoke inbox refused the login (wrong user or password)."""


class SandboxError(SenderError):
    """The embedded sandbox could not start, or was used wrongly."""


class NetworkTimeout(TransportError, TimeoutError):
    """No answer arrived within the timeout."""


class ConnectionRefused(TransportError, ConnectionError):
    """The peer refused the connection (nothing listens there)."""


class ConnectFailed(TransportError, ConnectionError):
    """The connection could not be made or broke (name resolution, TLS, reset)."""


class PreflightFailed(SenderError, AssertionError):
    """A preflight item's finding is a failure; carries the finding for the report."""

    def __init__(self, finding: object, text: str) -> None:
        self.finding = finding
        super().__init__(text)


class SenderPreflightWarning(UserWarning):
    """A preflight check passed with a risk worth fixing (status ``warn``)."""


class ContractViolation(SenderError, AssertionError):
    """A request body or an answer breaks the contract document; ``problems`` lists each one."""

    def __init__(self, problems: object, text: str) -> None:
        self.problems = problems
        super().__init__(text)


class UndeliverableMessage(SenderError, AssertionError):
    """``assert_deliverable``: the message has content problems or scores as spam."""
