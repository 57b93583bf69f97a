"""The embedded sandbox: a local Sender API, SMTP relay and DNS zone on loopback.

Nothing heavy is imported here; each component imports its server library when it starts.
"""

from __future__ import annotations

from pytest_sender.sandbox.embedded import SCENARIOS, EmbeddedSandbox, SandboxComponent

__all__ = ["SCENARIOS", "EmbeddedSandbox", "SandboxComponent"]
