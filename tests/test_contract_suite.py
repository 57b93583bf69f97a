"""The contract suite in contracts/, run as a user runs it (pytester, in a subprocess).

- It passes against the sandbox, and contacts nothing but loopback (the safety test records every
  connection and name lookup of the run).
- Each broken sandbox behaviour makes it fail: a WSGI middleware breaks one thing (the suite's
  ``contract_wsgi_middleware`` seam) and the run must fail on it.
- With ``--sender-live`` pointed at a stand-in Sender on loopback, the drift checks run, and no
  request they make names a deliverable recipient (nothing lands in the outbox).
- The ``sender_contract`` marker and fixture work for an app's own tests, with ``--strict-markers``.

Subprocess runs: the suite imports hypothesis, schemathesis and werkzeug, and pytester's in-process
runs would drop those modules again and break later tests in this process.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pytest_sender.sandbox.api_server import ApiSandbox

ROOT = Path(__file__).resolve().parents[1]
NO_SLOW_PLUGINS = ("-p", "no:schemathesis", "-p", "no:hypothesispytest", "-p", "no:cacheprovider")

pytestmark = pytest.mark.slow

# Records every connect, sendto and name lookup of the run into $CONTACTS_LOG (one JSON line each).
RECORDER = """
import json, os, socket

_LOG = os.environ["CONTACTS_LOG"]


def _record(kind, address):
    host = address[0] if isinstance(address, tuple) else str(address)
    with open(_LOG, "a", encoding="utf-8") as log:
        log.write(json.dumps({"kind": kind, "host": str(host)}) + "\\n")


_connect, _connect_ex, _sendto = socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto
_getaddrinfo = socket.getaddrinfo


def connect(self, address):
    _record("connect", address)
    return _connect(self, address)


def connect_ex(self, address):
    _record("connect", address)
    return _connect_ex(self, address)


def sendto(self, data, *args):
    _record("sendto", args[-1])
    return _sendto(self, data, *args)


def getaddrinfo(host, *args, **kwargs):
    _record("getaddrinfo", (host,))
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto = connect, connect_ex, sendto
socket.getaddrinfo = getaddrinfo
"""

# WSGI middlewares that each break one behaviour of the sandbox; appended to the copied conftest.
BREAKAGES = """

import io as _io
import json as _json


def _rewrite_answer(change):
    def middleware(app):
        def wrapped(environ, start_response):
            seen = {}

            def capture(status, headers, exc_info=None):
                seen["status"], seen["headers"] = status, headers

            body = b"".join(app(environ, capture))
            status, headers, body = change(seen["status"], list(seen["headers"]), body)
            headers = [(k, str(len(body)) if k.lower() == "content-length" else v) for k, v in headers]
            start_response(status, headers)
            return [body]
        return wrapped
    return middleware


def _wrong_422_shape(status, headers, body):
    if status.startswith("422"):
        body = _json.dumps({"error": "invalid input"}).encode()
    return status, headers, body


def _no_rate_limit_headers(status, headers, body):
    return status, [(k, v) for k, v in headers if not k.lower().startswith("x-ratelimit-")], body


def _no_email_id(status, headers, body):
    if status.startswith("200") and b"emailId" in body:
        data = _json.loads(body)
        data.pop("emailId")
        body = _json.dumps(data).encode()
    return status, headers, body


def _report_under_data(status, headers, body):
    # The shape the sandbox had before it followed Sender's documentation: all under "data".
    if status.startswith("200") and b'"totals"' in body:
        body = _json.dumps({"data": _json.loads(body)}).encode()
    return status, headers, body


def _accept_to_as_array(app):
    def wrapped(environ, start_response):
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        try:
            payload = _json.loads(raw)
        except ValueError:
            payload = None
        if isinstance(payload, dict) and isinstance(payload.get("to"), list) and payload["to"]:
            payload["to"] = payload["to"][0]
            raw = _json.dumps(payload).encode()
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = _io.BytesIO(raw), str(len(raw))
        return app(environ, start_response)
    return wrapped


_BREAKAGES = {
    "wrong-422-shape": _rewrite_answer(_wrong_422_shape),
    "no-rate-limit-headers": _rewrite_answer(_no_rate_limit_headers),
    "200-without-email-id": _rewrite_answer(_no_email_id),
    "to-accepted-as-array": _accept_to_as_array,
    "report-under-data": _rewrite_answer(_report_under_data),
}


@pytest.fixture(scope="session")
def contract_wsgi_middleware():
    return _BREAKAGES["{breakage}"]
"""


def _copy_suite(pytester: pytest.Pytester) -> Path:
    suite = pytester.path / "contracts"
    shutil.copytree(ROOT / "contracts", suite, ignore=shutil.ignore_patterns("__pycache__"))
    return suite


def _contacts(log: Path) -> list[dict[str, str]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def _needs_schemathesis() -> None:
    # The conformance half of the suite skips without the contract extra (tox -e lowest-core has none).
    pytest.importorskip("schemathesis", reason='needs the contract extra: pip install "pytest-sender[contract]"')


def test_the_suite_passes_against_the_sandbox_and_contacts_only_loopback(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    _needs_schemathesis()
    _copy_suite(pytester)
    pytester.makeconftest(RECORDER)
    log = pytester.path / "contacts.jsonl"
    monkeypatch.setenv("CONTACTS_LOG", str(log))
    result = pytester.runpytest_subprocess(*NO_SLOW_PLUGINS, "contracts", "-rs")
    outcomes = result.parseoutcomes()
    assert result.ret == 0, result.stdout.str()[-3000:]
    assert outcomes.get("failed", 0) == 0
    assert outcomes["passed"] >= 20
    assert outcomes["skipped"] == 4  # the live drift checks, without --sender-live
    result.stdout.fnmatch_lines(["*drift checks against Sender run only with --sender-live*"])
    contacts = _contacts(log)
    assert any(c["kind"] == "connect" for c in contacts)  # the recorder saw the suite's traffic
    assert {c["host"] for c in contacts} <= LOOPBACK, [c for c in contacts if c["host"] not in LOOPBACK]


@pytest.mark.parametrize(
    ("breakage", "failed_test", "evidence"),
    [
        ("wrong-422-shape", "test_round_trip.py::test_every_invalid_*", "*assert {} == {*"),
        (
            "no-rate-limit-headers",
            "test_sandbox_conformance.py::test_every_authenticated_answer_carries_the_rate_limit_*",
            "*lacks x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset*",
        ),
        (
            "200-without-email-id",
            "test_round_trip.py::test_every_valid_send_request_is_sent",
            "*the sandbox accepted the send without an emailId*",
        ),
        # The round trip meets `to` as an array in one of its cases, else the pointed test does.
        ("to-accepted-as-array", "*", "*was not refused with 422*"),
        (
            "report-under-data",
            "test_sandbox_conformance.py::test_each_documented_answer_has_the_documented_shape?report?",
            "*GET /transactional/{id}/report: `body` 'sent' is a required property*",
        ),
    ],
)
def test_the_suite_catches_a_broken_sandbox(
    pytester: pytest.Pytester, breakage: str, failed_test: str, evidence: str
) -> None:
    if "test_sandbox_conformance" in failed_test or failed_test == "*":
        _needs_schemathesis()
    suite = _copy_suite(pytester)
    conftest = suite / "conftest.py"
    conftest.write_text(
        conftest.read_text(encoding="utf-8") + BREAKAGES.replace("{breakage}", breakage), encoding="utf-8"
    )
    # -x: the first test that notices is enough, and keeps four runs of the suite short.
    result = pytester.runpytest_subprocess(*NO_SLOW_PLUGINS, "contracts", "-x", "-p", "no:randomly")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 1, result.stdout.str()[-3000:]
    assert result.ret == 1
    result.stdout.fnmatch_lines([evidence, f"FAILED contracts/{failed_test}*"])


def test_live_drift_checks_never_name_a_deliverable_recipient(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A stand-in for Sender on loopback: the drift checks run against it as they would against Sender.
    _copy_suite(pytester)
    pytester.makeconftest(RECORDER)
    log = pytester.path / "contacts.jsonl"
    monkeypatch.setenv("CONTACTS_LOG", str(log))
    with ApiSandbox() as stand_in:
        monkeypatch.setenv("SENDER_API_TOKEN", stand_in.token)
        result = pytester.runpytest_subprocess(
            *NO_SLOW_PLUGINS,
            "contracts/test_live_drift.py",
            "--sender-live",
            f"--sender-api-url={stand_in.base_url}",
            "-p",
            "no:randomly",
        )
        requests = stand_in.requests
        outbox_size = len(stand_in.outbox)
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, result.stdout.str()[-3000:]
    assert outcomes["passed"] == 5  # the four drift checks and the recipient guard
    assert outbox_size == 0  # nothing was accepted for sending
    bodies = [r.json() for r in requests if r.method == "POST"]
    assert len(bodies) >= 3
    for body in bodies:
        recipient = body.get("to")
        assert recipient is None or str(recipient.get("email", "")).endswith(".invalid"), body
    assert {c["host"] for c in _contacts(log)} <= LOOPBACK
    assert stand_in.token not in result.stdout.str() + result.stderr.str()


def test_an_apps_payload_builder_checked_with_the_strategies_marker_and_fixture(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\naddopts = --strict-markers\n")
    pytester.makepyfile(
        test_app="""
        import pytest
        from hypothesis import given, settings
        from pytest_sender.strategies import send_requests


        def build_welcome_email(user):
            return {"from": {"email": "hello@example.com", "name": "Example"},
                    "to": {"email": user["email"], "name": user["name"]},
                    "subject": f"Welcome, {user['name']}", "html": "<p>Hi</p>"}


        def build_broken_email(user):
            return {"from": {"email": "hello@example.com"}, "to": [{"email": user["email"]}],
                    "subject": "Hi", "html": "<p>Hi</p>"}


        @pytest.mark.sender_contract
        @settings(max_examples=25, deadline=None, database=None)
        @given(send_requests())
        def test_welcome_email_keeps_to_the_contract(sender_contract, payload):
            user = {"email": payload["to"]["email"], "name": payload["from"]["name"]}
            sender_contract.assert_valid_send_request(build_welcome_email(user))


        @pytest.mark.sender_contract
        def test_broken_builder(sender_contract):
            sender_contract.assert_valid_send_request(build_broken_email({"email": "ada@example.org"}))
    """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-m", "sender_contract")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*ContractViolation: the send request breaks Sender's contract (2 problems):",
            "*`from.name`: is required (missing)",
            "*`to`: must be one object, not an array (found a list of 1)",
            '*fix: send one request per recipient: "to": {"email": "ada@example.org", "name": "Ada"}',
        ]
    )


def test_the_marker_is_registered_with_its_help_even_when_the_plugin_is_inert(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(*NO_SLOW_PLUGINS, "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.sender_contract: a test of Sender's transactional API contract*"])
