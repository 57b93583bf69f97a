"""The one number parser of the DNS record parsers: ASCII digits only, bounded, never a crash.

``str.isdigit()`` accepts digit look-alikes (``²``, Arabic-Indic digits) that ``int()`` rejects
or reads differently, and ``int()`` refuses strings past Python's integer-string limit (about
4,300 digits). :func:`parse_number` reads only ``0``-``9``, strips leading zeros before it
converts (so a number of thousands of digits is compared by its length, never converted), and
raises :class:`~pytest_sender.errors.ParseError` for anything else or a value above ``maximum``.
"""

from __future__ import annotations

from pytest_sender.errors import ParseError

__all__ = ["is_ascii_number", "parse_number"]


def is_ascii_number(text: str) -> bool:
    """``text`` is one or more ASCII digits (``0``-``9``) and nothing else."""
    return bool(text) and text.isascii() and text.isdigit()


def parse_number(text: str, *, maximum: int, what: str, leading_zeros: bool = True) -> int:
    """``text`` as a whole number from 0 to ``maximum``; raises :class:`ParseError` naming ``what``.

    ``what`` prefixes the value in the message (``"pct="`` gives ``pct='150' is not ...``).

    With ``leading_zeros=False`` a number written with a leading zero (``024``) is refused, as the
    RFC 7208 CIDR-length grammar requires.
    """
    shown = text if len(text) <= 20 else f"{text[:20]}… ({len(text)} characters)"
    wrong = f"{what}{shown!r} is not a whole number from 0 to {maximum}"
    if not is_ascii_number(text):
        raise ParseError(wrong + " (ASCII digits 0-9)")
    if not leading_zeros and len(text) > 1 and text.startswith("0"):
        raise ParseError(f"{what}{shown!r} has a leading zero: write it without")
    significant = text.lstrip("0") or "0"
    if len(significant) > len(str(maximum)) or int(significant) > maximum:
        raise ParseError(wrong)
    return int(significant)
