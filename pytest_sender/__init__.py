"""pytest-sender: preflight checks, a sandbox and contract tests for Sender transactional email.

Importing this package is cheap: it pulls in no network library. Import the parts you need, for
example ``from pytest_sender.findings import Finding`` or ``from pytest_sender.dns import spf``.

PYTEST_DONT_REWRITE: pytest marks a plugin's modules for assertion rewriting; ours hold no test
asserts, and skipping the rewrite keeps the plugin's load cheap where bytecode is not cached.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
