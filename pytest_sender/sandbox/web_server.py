"""An HTTPS server on loopback serving the files a domain publishes for receivers (MTA-STS, BIMI).

:class:`WebServer` answers ``GET`` by the request's host name (``Host``, port stripped) and path
from a table of :class:`WebFile` s, over TLS with certificates issued by a
:class:`~pytest_sender.sandbox.tls.SandboxTls` CA; the certificate is chosen by the client's SNI
name: by default one naming every host served, or, for a host in ``certificate_names``, one naming
other names (a certificate that does not match). Unknown files are 404.

:class:`WebSandboxComponent` is the ``--sender-sandbox`` component: the "healthy" scenario serves a
policy covering the sandbox domain's MX host and a BIMI logo with its certificate; "broken" serves no
policy (404), so the record the broken zone publishes points at a policy nobody can fetch, and a
logo that is not SVG Tiny PS. The checks trust its CA and connect to its
port through ``RunParts.fetch_ca_pem`` / ``RunParts.fetch_https_port``.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pytest_sender.sandbox.tls import SandboxTls, make_sandbox_tls

__all__ = ["SANDBOX_LOGO", "SANDBOX_POLICY", "WebFile", "WebSandboxComponent", "WebServer"]

#: The MTA-STS policy of the healthy sandbox domain (its MX host is ``mx.sender-sandbox.test``).
SANDBOX_POLICY = "version: STSv1\r\nmode: enforce\r\nmx: mx.sender-sandbox.test\r\nmax_age: 604800\r\n"

#: The BIMI logo of the healthy sandbox domain: SVG Tiny PS in outline.
SANDBOX_LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" viewBox="0 0 64 64">'
    "<title>Sender sandbox</title>"
    '<rect width="64" height="64" fill="#2c7be5"/><circle cx="32" cy="32" r="18" fill="#ffffff"/></svg>\n'
)
#: The broken sandbox's logo: no baseProfile, and a script.
BROKEN_LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><title>x</title><script>alert(1)</script></svg>\n'
)
BIMI_HOST = "bimi.sender-sandbox.test"


@dataclass(frozen=True)
class WebFile:
    """One answer: status, body and headers (``Content-Type`` defaults to text/plain)."""

    body: bytes = b""
    status: int = 200
    headers: tuple[tuple[str, str], ...] = field(default=())


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024  # many checks connect at once; the default backlog (5) drops connections


class WebServer:
    """HTTPS on 127.0.0.1 (a free port) for ``files``, keyed by (host, path); the default certificate
    names every host of ``files`` and ``names`` (hosts that serve nothing but 404)."""

    def __init__(
        self,
        files: Mapping[tuple[str, str], WebFile],
        *,
        tls: SandboxTls | None = None,
        certificate_names: Mapping[str, tuple[str, ...]] | None = None,
        names: tuple[str, ...] = (),
    ) -> None:
        self.files = dict(files)
        self.tls = tls or make_sandbox_tls(("localhost",))
        self.requests: list[tuple[str, str]] = []  # (host, path) of every request, for tests
        hosts = sorted({host for host, _ in self.files} | {"localhost", *names})
        self._default = self.tls.server_context_for(*hosts)
        self._by_name = {name: self.tls.server_context_for(*names) for name, names in (certificate_names or {}).items()}
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def ca_pem(self) -> str:
        return self.tls.ca_pem

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the web server is not started")
        return int(self._httpd.server_address[1])

    def start(self) -> WebServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()
                path = self.path.split("?", 1)[0]
                server.requests.append((host, path))
                answer = server.files.get((host, path), WebFile(b"not found\n", 404))
                self.send_response(answer.status)
                names = {name.lower() for name, _ in answer.headers}
                if "content-type" not in names:
                    self.send_header("Content-Type", "text/plain")
                for name, value in answer.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

        context = self._default

        def choose(sslobj: Any, name: str | None, _: ssl.SSLContext) -> None:
            if name and name.lower() in self._by_name:
                sslobj.context = self._by_name[name.lower()]

        context.sni_callback = choose
        httpd = _Server(("127.0.0.1", 0), Handler)
        httpd.daemon_threads = True
        # the handshake happens in each request's thread (on first read), not in the accepting one
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True, do_handshake_on_connect=False)
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, name="sandbox-web", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> WebServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


_SVG = (("Content-Type", "image/svg+xml"),)
_PEM = (("Content-Type", "application/pem-certificate-chain"),)


class WebSandboxComponent:
    """The sandbox's HTTPS server for the sandbox domain's published files, per scenario."""

    def __init__(self) -> None:
        self.server: WebServer | None = None

    def start(self, scenario: str) -> None:
        from pytest_sender.dns.mtasts import POLICY_PATH, policy_host
        from pytest_sender.sandbox.dns_server import SANDBOX_DOMAIN

        tls = make_sandbox_tls(("localhost",))
        files: dict[tuple[str, str], WebFile] = {}
        if scenario == "healthy":
            files[(policy_host(SANDBOX_DOMAIN), POLICY_PATH)] = WebFile(SANDBOX_POLICY.encode("ascii"))
            files[(BIMI_HOST, "/logo.svg")] = WebFile(SANDBOX_LOGO.encode("ascii"), headers=_SVG)
            # the evidence certificate: issued by the sandbox's CA for the domain (a stand-in for a VMC)
            mark = tls.ca.issue_cert(SANDBOX_DOMAIN).cert_chain_pems[0].bytes()
            files[(BIMI_HOST, "/vmc.pem")] = WebFile(mark, headers=_PEM)
        else:  # broken: the policy host exists, the policy does not (404); the logo is no SVG Tiny PS
            files[(policy_host(SANDBOX_DOMAIN), "/")] = WebFile(b"no policy here\n")
            files[(BIMI_HOST, "/logo.svg")] = WebFile(BROKEN_LOGO.encode("ascii"), headers=_SVG)
        self.server = WebServer(files, tls=tls).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def settings_overrides(self) -> dict[str, Any]:
        return {}

    @property
    def ca_pem(self) -> str | None:
        return self.server.ca_pem if self.server is not None else None

    @property
    def port(self) -> int | None:
        return self.server.port if self.server is not None else None
