"""Bounded error messages: what goes into an exception is capped at about a kilobyte.

An error message quotes what it received (a label, a config, a sum's inputs), and what it
received can be megabytes: a 2,000,000-entry config, a 50 MB string, a 100,000-term sum. A
message that size floods a terminal and a log, and helps nobody. ``shorten`` keeps the start
and says how much it left out; ``preview`` does the same for a list of items.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: The most characters of quoted material an error message carries.
LIMIT = 1000


def shorten(text: str, limit: int = LIMIT) -> str:
    """``text`` itself if it has at most ``limit`` characters, else its start and what is left.

    >>> shorten("short")
    'short'
    >>> shorten("x" * 5000, limit=10)
    'xxxxxxxxxx... and 4,990 more characters'
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... and {len(text) - limit:,} more characters"


def preview(items: Iterable[Any], limit: int = LIMIT) -> str:
    """The ``repr`` of each item, comma-separated, until ``limit`` characters; then the count left.

    Reads no further than it shows, so a preview of a huge list costs what it prints.

    >>> preview([1.0, 2.0, 3.0])
    '1.0, 2.0, 3.0'
    >>> preview(range(2_000_000), limit=12)
    '0, 1, 2, 3... and 1,999,996 more'
    """
    shown: list[str] = []
    length = 0
    iterator = iter(items)
    for item in iterator:
        text = repr(item)
        if length + len(text) > limit and shown:
            rest = 1 + sum(1 for _ in iterator)
            return f"{', '.join(shown)}... and {rest:,} more"
        shown.append(shorten(text, limit))
        length += len(text) + 2
    return ", ".join(shown)
