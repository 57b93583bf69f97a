"""Message authentication the project does itself: DKIM signing and verification, DMARC alignment.

:mod:`.signatures` signs a message like Sender does (``d=`` the From domain, selector ``sender``) and
verifies every ``DKIM-Signature`` of a message against the DNS (through the project's one resolver,
:class:`pytest_sender.dns.query.Resolver`); :mod:`.alignment` evaluates DMARC from the domain's
record with relaxed or strict alignment and explains which identifier aligned. dkimpy (the ``live``
extra) is imported only when a message is signed or verified.
"""

from __future__ import annotations
