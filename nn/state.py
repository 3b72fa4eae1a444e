"""Checking a module's state as read from JSON: each entry where it belongs, of the right size,
a finite number; a ValueError names the entry (``state.layers[0].neurons[3].w has 3 numbers,
expected 2``) and quotes at most about a kilobyte of it.

The modules check their own states with these (``Neuron.check_state``, ...); ``serialize``
checks a file's other fields with them.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from autograd_mini._messages import LIMIT, shorten

__all__ = ["check_keys", "check_list", "check_number", "check_numbers", "json_type", "show"]


def show(x: Any, limit: int = LIMIT, depth: int = 0) -> str:
    """``repr(x)`` cut to about ``limit`` characters, costing about what it shows.

    A 50 MB string is sliced before its repr is taken, a list or dict of two million entries
    is previewed (its first entries and how many more), and nesting beyond three levels is
    shown as ``[...]`` or ``{...}``: an error message must stay readable and small.

    >>> show("x" * 50_000_000, limit=5)
    "'xxxxx'... and 49,999,995 more characters"
    >>> show({"nin": 2, "nouts": [1] * 2_000_000}, limit=40)
    "{'nin': 2, 'nouts': [1, 1, 1, 1, 1, 1, 1, 1... and 1,999,992 more]}"
    """
    if isinstance(x, str):
        if len(x) <= limit:
            return repr(x)
        return f"{x[:limit]!r}... and {len(x) - limit:,} more characters"
    if isinstance(x, (list, tuple, dict)):
        opening, closing = "{}" if isinstance(x, dict) else "[]"
        if depth >= 3:
            return f"{opening}...{closing}"
        shown: list[str] = []
        length = 0
        for item in x.items() if isinstance(x, dict) else x:
            if length >= limit:
                return f"{opening}{', '.join(shown)}... and {len(x) - len(shown):,} more{closing}"
            budget = max(limit - length, 20)  # nested items share what is left of the limit
            if isinstance(x, dict):
                key = show(item[0], budget, depth + 1)
                text = f"{key}: {show(item[1], max(budget - len(key), 20), depth + 1)}"
            else:
                text = show(item, budget, depth + 1)
            shown.append(text)
            length += len(text) + 2
        return f"{opening}{', '.join(shown)}{closing}"
    try:
        text = repr(x)
    except ValueError:  # an int of more than 4300 digits
        return f"an integer of {x.bit_length():,} bits" if isinstance(x, int) else type(x).__name__
    return shorten(text, limit)


def json_type(x: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(x), type(x).__name__)


def check_keys(state: Any, keys: tuple[str, ...], where: str) -> dict[str, Any]:
    """``state`` if it is a dict holding every key of ``keys``; else a ValueError."""
    if not isinstance(state, dict):
        raise ValueError(f"{where} must be an object, not {json_type(state)}")
    missing = [k for k in keys if k not in state]
    if missing:
        raise ValueError(f"{where} is missing key {missing[0]!r}")
    return state


def check_list(items: Any, n: int, where: str) -> list[Any]:
    """``items`` if it is a list of ``n`` entries; else a ValueError giving both sizes."""
    if not isinstance(items, list):
        raise ValueError(f"{where} must be a list, not {json_type(items)}")
    if len(items) != n:
        raise ValueError(f"{where} has {len(items)} entries, expected {n} (wrong layer size)")
    return items


def check_number(x: Any, where: str) -> float:
    """``x`` as a float if it is a finite real number (not a bool, not a string)."""
    if type(x) is float and math.isfinite(x):  # nearly every number: skip the slow ABC check
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise ValueError(f"{where} must be a number, not {json_type(x)} {show(x, 200)}")
    try:
        y = float(x)
    except OverflowError:  # a JSON integer beyond float's range
        raise ValueError(f"{where} must be finite, got an integer too large for a float") from None
    if not math.isfinite(y):
        raise ValueError(f"{where} must be finite, got {y}")
    return y


def check_numbers(items: Any, n: int, where: str) -> list[float]:
    """``items`` as ``n`` finite floats; else a ValueError naming the bad entry."""
    if not isinstance(items, list):
        raise ValueError(f"{where} must be a list of numbers, not {json_type(items)}")
    if len(items) != n:
        raise ValueError(f"{where} has {len(items)} numbers, expected {n} (wrong layer size)")
    return [check_number(x, f"{where}[{i}]") for i, x in enumerate(items)]
