"""The SMTP preflight: probe each relay port (TCP, banner, EHLO, TLS, AUTH) and try the credentials.

:mod:`pytest_sender.smtp.probe` holds the I/O (``probe_smtp_port``, ``query_smtp_auth``) and the pure
parsing and classification of replies and certificates; :mod:`pytest_sender.smtp.checks` turns
probes into findings (``smtp.port`` and ``smtp.auth``). Nothing here is imported at plugin load.
"""

from __future__ import annotations
