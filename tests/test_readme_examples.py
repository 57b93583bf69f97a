"""The README's Python examples outside the sandbox tutorial run as shown (tests/test_readme_sandbox_examples.py
runs the tutorial's): each imports what it uses, and runs here against loopback servers only."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_sender.sandbox.api_server import ApiSandbox

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")

# A stand-in for the app the contract example imports: builds payloads the contract accepts.
MYAPP_MODELS = """
from dataclasses import dataclass

@dataclass
class User:
    email: str
    name: str

@dataclass
class Order:
    number: str
    email: str
"""
MYAPP_MAIL = """
def build_welcome_email(user):
    return {"from": {"email": "hello@example.com", "name": user.name}, "to": {"email": user.email},
            "subject": "Welcome", "html": "<p>Welcome</p>"}

def build_receipt(order):
    return {"from": {"email": "shop@example.com", "name": "Shop"}, "to": {"email": order.email},
            "subject": f"Receipt {order.number}", "text": "Thanks"}
"""


def section_examples(title: str) -> list[str]:
    start = README.index(title)
    end = README.find("\n## ", start + len(title))
    end = min(x for x in (end, README.find("\n### ", start + len(title))) if x != -1)
    return re.findall(r"```python\n(.*?)```", README[start:end], flags=re.DOTALL)


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SENDER_")}
    return subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True, timeout=60, check=False
    )


def test_the_api_client_example_sends_through_the_sandbox() -> None:
    (code,) = section_examples("### The API client\n")
    assert "https://api.sender.net/v2" in code
    with ApiSandbox() as sandbox:
        done = _run(code.replace("https://api.sender.net/v2", sandbox.base_url), SENDER_API_TOKEN=sandbox.token)
        assert done.returncode == 0, done.stderr
        assert done.stdout == ""  # outcome.ok: nothing to print
        (sent,) = sandbox.outbox.messages()
        assert sent.to == ("ada@example.org",)


def test_the_library_examples_run_offline() -> None:
    token_check, spf = section_examples("## Using the library without pytest\n")
    done = _run(token_check)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("skip API_TOKEN_MISSING ")
    assert done.stdout.splitlines()[-1] == "skip API_TOKEN_MISSING"  # the same check, called with a context
    done = _run(spf)  # nothing listens on 127.0.0.1:5353 here: a temperror, shown as the example says
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] in {"pass", "fail", "softfail", "neutral", "none", "permerror", "temperror"}


def test_the_contract_example_passes_with_an_app_that_keeps_to_the_contract(pytester: pytest.Pytester) -> None:
    code = section_examples("## Contract tests\n")[0]
    package = pytester.mkpydir("myapp")
    (package / "models.py").write_text(MYAPP_MODELS)
    (package / "mail.py").write_text(MYAPP_MAIL)
    pytester.makepyfile(test_contract_example=code)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=2)
