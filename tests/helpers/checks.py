"""Contexts for calling a registered check directly, the way a library user does without pytest."""

from __future__ import annotations

from typing import Any

from pytest_sender.dns.query import Resolver
from pytest_sender.preflight.registry import CheckContext, RunParts
from pytest_sender.settings import Settings


def dns_context(resolver: Resolver, **settings: Any) -> CheckContext:
    """A context whose DNS lookups all go to ``resolver``, with ``settings`` (timeout, spf_include, ...)."""
    return CheckContext(Settings(**settings), RunParts(dns_resolver=resolver))
