"""What is in a message: content rules and SpamAssassin's score (``content.lint``, ``content.spam-score``)."""

from __future__ import annotations
