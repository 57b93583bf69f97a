"""Certificates made at run time for the sandbox's TLS servers (a private CA from trustme).

The probe never switches verification off: in sandbox mode it trusts this CA in addition to the
system's, through ``RunParts.smtp_ca_pem``.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["SANDBOX_TLS_NAMES", "SandboxTls", "make_sandbox_tls"]

#: The names the sandbox's server certificate covers (the sandbox points smtp_host at "localhost").
SANDBOX_TLS_NAMES = ("localhost", "127.0.0.1")


@dataclass(frozen=True)
class SandboxTls:
    """A CA (``ca_pem`` for clients to trust) and a server context with a certificate it issued."""

    ca_pem: str
    server_context: ssl.SSLContext
    ca: Any  # the trustme.CA, to issue more certificates (tests: expired, other names)

    def client_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts the system's CAs and this one."""
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
        context.load_verify_locations(cadata=self.ca_pem)
        return context

    def server_context_for(
        self, *names: str, not_before: datetime | None = None, not_after: datetime | None = None
    ) -> ssl.SSLContext:
        """A server context whose certificate (issued by this CA) names ``names`` and has these dates."""
        cert = self.ca.issue_cert(*names, not_before=not_before, not_after=not_after)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        return context


def make_sandbox_tls(names: tuple[str, ...] = SANDBOX_TLS_NAMES) -> SandboxTls:
    """A fresh CA and a server certificate for ``names``, both in memory."""
    import trustme

    ca = trustme.CA(organization_name="pytest-sender sandbox")
    cert = ca.issue_cert(*names)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return SandboxTls(ca_pem=ca.cert_pem.bytes().decode("ascii"), server_context=context, ca=ca)
