"""Modes that change what ops record: ``no_grad``, ``enable_grad`` and ``detect_anomaly``.

Each is a context manager and a decorator (``@no_grad()`` or ``@no_grad``), and thread-local,
as in PyTorch: a block opened in one thread changes nothing in another. A decorated generator
function runs its body outside the block (the block ends when the generator is created).

This module holds the modes' state only; what a mode does to a node is the engine's
(``engine._special``), so the engine imports this module and not the other way round.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any


class _ModeState(threading.local):
    grad_enabled = True
    anomaly = False

    def __init__(self) -> None:
        # What each open block replaced, innermost last: per thread, so one mode object may be
        # entered in several threads at once.
        self.saved: list[bool] = []


_state = _ModeState()
# How many mode blocks are open in any thread. Ops test this first, so the modes cost one list
# lookup per op while none is open; only then do they read the (slower) thread-local state.
_modes_active = [0]
_modes_lock = threading.Lock()


class _Mode(contextlib.ContextDecorator):
    _attr = ""
    _value = True

    def __new__(cls, func: Callable[..., Any] | None = None) -> Any:
        # ``@no_grad`` without parentheses decorates ``func`` directly, as PyTorch allows.
        mode = super().__new__(cls)
        return mode if func is None else mode(func)

    def __init__(self, func: Callable[..., Any] | None = None) -> None:
        pass

    def __enter__(self) -> _Mode:
        _state.saved.append(getattr(_state, self._attr))
        setattr(_state, self._attr, self._value)
        with _modes_lock:
            _modes_active[0] += 1
        return self

    def __exit__(self, *exc: object) -> None:
        setattr(_state, self._attr, _state.saved.pop())
        with _modes_lock:
            _modes_active[0] -= 1


class no_grad(_Mode):  # noqa: N801 - named as in PyTorch
    """Context manager and decorator: ops inside record no parents (their results are leaves).

    >>> from autograd_mini import Value
    >>> x = Value(3.0)
    >>> with no_grad():
    ...     y = x * x
    >>> y.is_leaf
    True
    """

    _attr, _value = "grad_enabled", False


class enable_grad(_Mode):  # noqa: N801 - named as in PyTorch
    """Context manager and decorator: record the graph again inside a ``no_grad`` block."""

    _attr, _value = "grad_enabled", True


def is_grad_enabled() -> bool:
    """Whether ops record their parents in this thread (False inside ``no_grad``), as PyTorch's."""
    return _state.grad_enabled


def is_anomaly_enabled() -> bool:
    """Whether this thread is inside ``detect_anomaly``, as PyTorch's."""
    return _state.anomaly


class detect_anomaly(_Mode):  # noqa: N801 - named as in PyTorch
    """Context manager and decorator: the first op whose result or local derivative is nan or
    inf raises ``FloatingPointError`` naming the op and its inputs.

    >>> from autograd_mini import Value
    >>> with detect_anomaly():
    ...     Value(0.0).log()
    Traceback (most recent call last):
    FloatingPointError: log returned -inf from inputs (0.0,) (local derivatives (inf,))
    """

    _attr, _value = "anomaly", True
