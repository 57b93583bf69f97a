"""Secrets never appear in any output, in any encoding (issue 13).

The one masking mechanism is :func:`pytest_sender.findings.redact`; these tests put canaries through
real servers on loopback that echo them back (an aiosmtpd relay whose 535 reply quotes the client's
AUTH PLAIN blob, a scripted HTTP server echoing the token in a Location header and in its body) and
check every output: findings, outcomes' repr and str, stdout, stderr, the JSON report and junitxml.
"""

from __future__ import annotations

import base64
import json
import socket
import socketserver
import threading
import urllib.parse
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_sender.api.client import SenderClient
from pytest_sender.api.outcomes import UnexpectedAnswer
from pytest_sender.api.retry import NO_RETRIES
from pytest_sender.findings import redact
from tests.helpers.scripted_http import Reply, ScriptedHttpServer
from tests.helpers.smtp_servers import SmtpServers
from tests.test_smtp_auth import auth_finding

PASSWORD = 'canary"Pw\\5f3e+9c/1d'  # a quote and a backslash: IMAP and JSON escape them
TOKEN = "canary-T0ken+5ecret/9f"


def encodings(secret: str) -> list[str]:
    """Every form of ``secret`` a server may echo, each of which must be masked."""
    raw = secret.encode()
    forms = [
        secret,
        json.dumps(secret)[1:-1],
        repr(secret)[1:-1],
        secret.replace("\\", "\\\\").replace('"', '\\"'),
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote_plus(secret),
    ]
    for offset in range(3):  # the secret at each alignment inside an encoded string
        encoded = base64.b64encode(b"x" * offset + raw + b"y").decode()
        forms.append(encoded[(0, 2, 3)[offset] : (offset + len(raw)) * 8 // 6])
        forms.append(base64.urlsafe_b64encode(b"x" * offset + raw).decode()[(0, 2, 3)[offset] :].rstrip("="))
    return forms


def assert_hidden(text: str, secret: str) -> None:
    for form in encodings(secret):
        assert form not in text, form


@settings(max_examples=300, deadline=None)
@given(
    secret=st.text(min_size=4, max_size=30).filter(lambda s: s.strip() == s and "\x00" not in s),
    before=st.binary(max_size=10),
    after=st.binary(max_size=10),
)
def test_a_base64_run_holding_a_secret_at_any_alignment_is_masked_whole(
    secret: str, before: bytes, after: bytes
) -> None:
    blob = base64.b64encode(before + secret.encode() + after).decode()
    assert redact(blob, [secret]) == "***"


def test_escaped_and_encoded_forms_are_masked() -> None:
    text = " | ".join(encodings(PASSWORD))
    masked = redact(text, [PASSWORD])
    assert_hidden(masked, PASSWORD)
    assert set(masked.split(" | ")) == {"***"}


def test_unrelated_base64_and_text_stay() -> None:
    assert redact("250 OK aGVsbG8gd29ybGQ= done", [PASSWORD]) == "250 OK aGVsbG8gd29ybGQ= done"


@pytest.fixture
def servers() -> Iterator[SmtpServers]:
    with SmtpServers() as running:
        yield running


@pytest.mark.parametrize("user", ["u", "us", "usr", "smtp-user-7"])  # the password at offset 0, 1, 2 mod 3
def test_a_535_echoing_the_auth_plain_blob_leaks_neither_user_nor_password(servers: SmtpServers, user: str) -> None:
    blob = base64.b64encode(f"\0{user}\0{PASSWORD}".encode()).decode()
    quoted = PASSWORD.replace("\\", "\\\\").replace('"', '\\"')
    port = servers.relay(users={}, failure_reply=f'535 5.7.8 bad AUTH PLAIN {blob} for "{quoted}"')
    finding = auth_finding((port,), servers.client_context(), user=user, password=PASSWORD)
    assert finding.code == "SMTP_AUTH_REJECTED"
    assert "bad AUTH PLAIN ***" in finding.summary
    text = json.dumps(finding.to_dict()) + repr(finding) + str(finding)
    assert_hidden(text, PASSWORD)
    assert blob not in text


@pytest.mark.parametrize(
    "location",
    [
        f"https://app.example/login?token={TOKEN}",
        f"https://app.example/login?token={urllib.parse.quote(TOKEN, safe='')}",
        f"https://app.example/login?t={base64.urlsafe_b64encode(('Bearer ' + TOKEN).encode()).decode()}",
    ],
)
def test_a_location_header_echoing_the_token_is_masked_in_repr_str_and_evidence(location: str) -> None:
    body = json.dumps({"message": f"moved, your token was {TOKEN}"}).encode()
    reply = Reply(302, body, (("Content-Type", "application/json"), ("Location", location)))
    with (
        ScriptedHttpServer([reply]) as server,
        SenderClient(server.url + "/v2", TOKEN, timeout=2.0, retry=NO_RETRIES) as client,
    ):
        outcome = client.check_token()
    assert isinstance(outcome, UnexpectedAnswer)
    assert any(line.startswith("Location: https://app.example/login?") for line in outcome.evidence)
    finding = outcome.finding("api.token", "x")
    text = repr(outcome) + str(outcome) + "\n".join(outcome.evidence) + json.dumps(finding.to_dict())
    assert_hidden(text, TOKEN)


def test_the_token_in_every_encoding_is_in_no_output_at_full_verbosity(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    echoed = " ".join(encodings(TOKEN)) + " " + base64.b64encode(f"Bearer {TOKEN}".encode()).decode()
    body = json.dumps({"message": f"rejected {echoed}"}).encode()
    location = f"https://app.example/?token={urllib.parse.quote(TOKEN, safe='')}"
    replies = [Reply(401, body, (("Content-Type", "application/json"), ("Location", location)))]
    with ScriptedHttpServer(replies) as server:
        monkeypatch.setenv("SENDER_API_URL", server.url + "/v2")
        monkeypatch.setenv("SENDER_API_TOKEN", TOKEN)
        result = pytester.runpytest_subprocess(
            "--sender-preflight",
            "-k",
            "api.token",
            "-vv",
            "--tb=long",
            "--showlocals",
            "--fulltrace",
            "-rA",
            "--junitxml=j.xml",
            "--sender-report=r.json",
            "-o",
            "junit_logging=all",
        )
    result.assert_outcomes(failed=1)
    outputs = {
        "stdout": result.stdout.str(),
        "stderr": result.stderr.str(),
        "junit": (pytester.path / "j.xml").read_text(),
        "report": (pytester.path / "r.json").read_text(),
    }
    assert "API_TOKEN_REJECTED" in outputs["report"]
    for name, text in outputs.items():
        for form in encodings(TOKEN):
            assert form not in text, (name, form)


def test_findings_are_redacted_from_wrapped_secrets() -> None:
    from pytest_sender.findings import Finding, Status
    from pytest_sender.settings import Secret, Settings

    settings = Settings().with_overrides("test", api_token=Secret(TOKEN), smtp_password=Secret(PASSWORD))
    assert all(isinstance(secret, Secret) for secret in settings.secrets())
    finding = Finding("api.token", "x", Status.FAIL, "X", f"echoed {urllib.parse.quote(TOKEN, safe='')}", (PASSWORD,))
    redacted = finding.redacted(settings.secrets())
    assert (redacted.summary, redacted.evidence) == ("echoed ***", ("***",))


class _EchoImap(socketserver.BaseRequestHandler):
    """IMAPS that answers LOGIN with NO quoting the client's arguments back, as written on the wire."""

    def handle(self) -> None:
        stream = self.request.makefile("rwb")
        stream.write(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] echo ready\r\n")
        stream.flush()
        for line in stream:
            tag, _, rest = line.decode("utf-8", "replace").rstrip("\r\n").partition(" ")
            command, _, arguments = rest.partition(" ")
            if command.upper() == "CAPABILITY":
                stream.write(f"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n{tag} OK done\r\n".encode())
            elif command.upper() == "LOGIN":
                stream.write(f"{tag} NO [AUTHENTICATIONFAILED] no such login: {arguments}\r\n".encode())
            else:
                stream.write(f"* BYE\r\n{tag} OK bye\r\n".encode())
                stream.flush()
                return
            stream.flush()


def test_an_imap_server_echoing_the_quoted_password_does_not_leak_it() -> None:
    from pytest_sender.errors import InboxLoginRefused
    from pytest_sender.inbox.client import InboxTarget, probe_inbox
    from pytest_sender.sandbox.tls import make_sandbox_tls
    from pytest_sender.settings import InboxAddress, Secret

    tls = make_sandbox_tls(("127.0.0.1", "localhost"))

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

        def get_request(self) -> tuple[socket.socket, object]:
            connection, address = super().get_request()
            return tls.server_context.wrap_socket(connection, server_side=True), address

    with Server(("127.0.0.1", 0), _EchoImap) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        address = InboxAddress("qa@inbox.test", "127.0.0.1", server.server_address[1])
        target = InboxTarget(address, Secret(PASSWORD), ssl_context=tls.client_context(), timeout=2.0)
        with pytest.raises(InboxLoginRefused) as caught:
            probe_inbox(target)
        server.shutdown()
    text = str(caught.value) + repr(caught.value)
    assert 'no such login: qa@inbox.test "***' in text
    assert_hidden(text, PASSWORD)
    assert caught.value.__cause__ is None


def test_the_smtp_password_in_every_encoding_is_in_no_output_at_full_verbosity(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    servers: SmtpServers,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    user = "smtp-user-7"
    blob = base64.b64encode(f"\0{user}\0{PASSWORD}".encode()).decode()
    quoted = PASSWORD.replace("\\", "\\\\").replace('"', '\\"')
    port = servers.relay(users={}, failure_reply=f'535 5.7.8 bad AUTH PLAIN {blob} for "{quoted}"')
    ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    servers.tls.ca.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    monkeypatch.setenv("SENDER_SMTP_USERNAME", user)
    monkeypatch.setenv("SENDER_SMTP_PASSWORD", PASSWORD)
    result = pytester.runpytest_subprocess(
        "--sender-preflight",
        "--sender-smtp-host",
        "127.0.0.1",
        "--sender-smtp-ports",
        str(port),
        "-k",
        "smtp",
        "-vv",
        "--tb=long",
        "--showlocals",
        "--fulltrace",
        "-rA",
        "--junitxml=j.xml",
        "--sender-report=r.json",
        "-o",
        "junit_logging=all",
    )
    outputs = {
        "stdout": result.stdout.str(),
        "stderr": result.stderr.str(),
        "junit": (pytester.path / "j.xml").read_text(),
        "report": (pytester.path / "r.json").read_text(),
    }
    assert "SMTP_AUTH_REJECTED" in outputs["report"]
    for name, text in outputs.items():
        assert blob not in text, name
        for form in encodings(PASSWORD):
            assert form not in text, (name, form)
