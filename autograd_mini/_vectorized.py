"""``_ieee``'s float functions on numpy arrays, with the same IEEE 754 results elementwise.

The rule table's formulas name ``_ieee`` functions (``div(1.0, b)``, ``step(a)``); evaluated
with these instead, the same formula strings run on whole arrays: that is how the numpy replay
gets every op's forward and local derivatives from the table. Call them inside
``np.errstate(all="ignore")``: ``log(0)`` is ``-inf`` and ``1/0`` is ``inf`` here too, without
a warning. ``tests/test_compile_ieee.py`` checks each against ``_ieee`` on special values
(0, -0, ±inf, nan, domain edges) and random ones.

Arithmetic, ``relu``, ``step``, ``sign``, ``abs``, ``sqrt`` and the rest that IEEE 754 defines
exactly give ``_ieee``'s very bits. numpy's ``exp``, ``log``, ``tanh``, ``sin``... may differ
from the C library's (which ``math`` calls) in the last bit: they are vectorized (SIMD) code.

A name of ``_ieee.__all__`` with no array version here (a new op's function) is applied
element by element with ``np.vectorize`` (``function(name)``): correct, and slower. Add its
array version here to make it fast.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import _ieee

__all__ = ["function"]

inf = np.inf
nan = np.nan


def div(a: Any, b: Any) -> Any:
    return np.true_divide(a, b)


def pow(a: Any, b: Any) -> Any:
    return np.power(np.asarray(a, dtype=np.float64), b)


def relu(a: Any) -> Any:
    return np.where(a <= 0.0, 0.0, a)  # nan stays nan (nan <= 0 is False)


def step(a: Any) -> Any:
    return np.where(a <= 0.0, 0.0, 1.0)


def sign(a: Any) -> Any:
    return np.where(a > 0.0, 1.0, np.where(a < 0.0, -1.0, 0.0))  # 0 at 0 and at nan


def sigmoid(a: Any) -> Any:
    e = np.exp(np.minimum(a, 0.0))  # e**a for a < 0, never overflowing
    return np.where(a >= 0.0, 1.0 / (1.0 + np.exp(-np.maximum(a, 0.0))), e / (1.0 + e))


def softplus(a: Any) -> Any:
    return np.where(a > 0.0, a, 0.0) + np.log1p(np.exp(-np.abs(a)))


def leaky_relu(a: Any, negative_slope: Any) -> Any:
    return np.where(a > 0.0, a, a * negative_slope)


def dleaky_relu(a: Any, negative_slope: Any) -> Any:
    return np.where(a > 0.0, 1.0, negative_slope)


def remainder(a: Any, b: Any) -> Any:
    return np.remainder(a, b)


def floor_divide(a: Any, b: Any) -> Any:
    return np.floor_divide(a, b)


def dpow_base(a: Any, b: Any) -> Any:
    return np.where(b == 0.0, 0.0, b * pow(a, np.subtract(b, 1.0)))


def dpow_exp(a: Any, b: Any, out: Any) -> Any:
    return np.where((a == 0.0) & (b >= 0.0), 0.0, out * np.log(a))


_UFUNCS = {"exp": np.exp, "log": np.log, "sqrt": np.sqrt, "sin": np.sin, "cos": np.cos,
           "tan": np.tan, "tanh": np.tanh, "arcsin": np.arcsin, "arccos": np.arccos,
           "arctan": np.arctan, "sinh": np.sinh, "cosh": np.cosh, "log1p": np.log1p,
           "expm1": np.expm1}


def function(name: str) -> Callable[..., Any]:
    """The array version of ``_ieee``'s function ``name``: this module's, numpy's ufunc of that
    name, or else ``_ieee``'s own applied elementwise (``np.vectorize``: correct, slow)."""
    found = globals().get(name) if name in _ieee.__all__ and name not in ("inf", "nan") else None
    if callable(found) and name != "function":
        return found  # type: ignore[no-any-return]
    if name in _UFUNCS:
        return _UFUNCS[name]  # type: ignore[no-any-return]
    return np.vectorize(getattr(_ieee, name), otypes=[np.float64])  # type: ignore[no-any-return]
