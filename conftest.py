"""Root conftest: keeps the project's own test runs independent of the caller's environment."""

from __future__ import annotations

import os

# A developer's real Sender settings must never leak into the plugin's own tests.
for _name in list(os.environ):
    if _name.startswith("SENDER_"):
        del os.environ[_name]
