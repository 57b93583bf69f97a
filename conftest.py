"""Root conftest: in the clone, a user's ``--sender-*`` run behaves as in any other directory.

* With a ``--sender-*`` mode on and no paths on the command line, the project's own suites
  (``tests/``, ``contracts/``, which ``testpaths`` names for ``python -m pytest``) are not
  collected: ``pytest --sender-preflight --sender-sandbox`` here runs the checks and nothing else.
  ``pytest --sender-preflight contracts/`` (an explicit path) still collects what it names.
* A user's ``SENDER_*`` settings are left alone; the project's own tests isolate themselves from
  them (``tests/conftest.py``).
* The project's own test runs list the reason of every skip (a missing Knot or Dovecot, ...).
"""

from __future__ import annotations

from pathlib import Path

import pytest

_SENDER_MODES = ("sender_preflight", "sender_sandbox", "sender_live")
_OWN_SUITES = ("tests", "contracts")


def _sender_mode(config: pytest.Config) -> bool:
    return any(config.getoption(name, default=None) for name in _SENDER_MODES)


def pytest_configure(config: pytest.Config) -> None:
    if not _sender_mode(config):
        chars = config.option.reportchars or ""
        if not any(char in chars for char in "sSaA"):
            config.option.reportchars = chars + "s"
    elif config.args_source is pytest.Config.ArgsSource.TESTPATHS:
        # No paths given: collect what any other directory would (the checks), not the own suites.
        own = {str(config.rootpath / name) for name in _OWN_SUITES}
        config.args[:] = [arg for arg in config.args if str(Path(arg).resolve()) not in own]
