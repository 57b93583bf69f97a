"""DNS checks of a sending domain: SPF, DKIM, DMARC, MX and domain blocklists.

Modules (each imports dnspython only inside the functions that query):

- :mod:`~pytest_sender.dns.query`: the async resolver wrapper and its typed answers;
- :mod:`~pytest_sender.dns.spf`: the SPF record parser and RFC 7208 ``check_host()``;
- :mod:`~pytest_sender.dns.dkim`, :mod:`~pytest_sender.dns.dmarc`, :mod:`~pytest_sender.dns.mx`,
  :mod:`~pytest_sender.dns.blocklist`: parsers and evaluators of the other records;
- :mod:`~pytest_sender.dns.checks`: the ``dns.*`` preflight checks.

Importing this package imports nothing heavy.
"""

from __future__ import annotations
