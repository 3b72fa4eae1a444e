"""Float functions with IEEE 754 semantics, as PyTorch computes on float64.

Python's ``math`` raises where IEEE 754 returns a special value (``math.log(0)`` raises,
``1 / 0`` raises, ``(-8) ** (1/3)`` is complex). A scalar engine must never stop mid-graph on
such input, so these return ``inf``/``nan`` instead:

>>> log(0.0), div(1.0, 0.0), pow(-8.0, 1 / 3), exp(1000.0)
(-inf, inf, nan, inf)
"""

from __future__ import annotations

import math

#: The functions rules may name (see ``rules``); new float functions for new ops go here too.
__all__ = ["cos", "div", "dpow_base", "dpow_exp", "exp", "log", "pow", "relu", "sigmoid", "sign", "sin",
           "sqrt", "step", "tanh"]

inf = math.inf
nan = math.nan


def div(a: float, b: float) -> float:
    """a / b; ``x/0`` is ``±inf`` by the signs of x and 0, ``0/0`` and ``nan/0`` are ``nan``."""
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0.0 or a != a:
            return nan
        return math.copysign(inf, a) * math.copysign(1.0, b)


def _is_odd_integer(b: float) -> bool:
    return b.is_integer() and b % 2.0 == 1.0


def pow(a: float, b: float) -> float:
    """a ** b as C's ``pow``: a negative base to a fractional power is ``nan``, ``0 ** -1`` is ``inf``."""
    try:
        return math.pow(a, b)
    except ValueError:
        if a == 0.0:  # zero to a negative power
            sign = math.copysign(1.0, a) if _is_odd_integer(b) else 1.0
            return sign * inf
        return nan  # negative base, non-integer exponent
    except OverflowError:
        return -inf if a < 0.0 and _is_odd_integer(b) else inf


def exp(a: float) -> float:
    """e ** a; overflows to ``inf``."""
    try:
        return math.exp(a)
    except OverflowError:
        return inf


def log(a: float) -> float:
    """Natural log; ``log(0)`` is ``-inf`` and a negative argument gives ``nan``."""
    if a > 0.0:
        return math.log(a)
    if a == 0.0:
        return -inf
    return nan  # negative or nan


def sqrt(a: float) -> float:
    """Square root; a negative argument gives ``nan``."""
    return math.sqrt(a) if a >= 0.0 else nan


def sin(a: float) -> float:
    """Sine; ``sin(±inf)`` is ``nan``."""
    return math.sin(a) if a - a == 0.0 else nan


def cos(a: float) -> float:
    """Cosine; ``cos(±inf)`` is ``nan``."""
    return math.cos(a) if a - a == 0.0 else nan


tanh = math.tanh  # never raises


def sigmoid(a: float) -> float:
    """1 / (1 + e ** -a), computed without overflow for large ``|a|``."""
    if a >= 0.0:
        return 1.0 / (1.0 + math.exp(-a))
    e = exp(a)
    return e / (1.0 + e)


def relu(a: float) -> float:
    """max(a, 0); ``nan`` stays ``nan`` as in PyTorch."""
    return 0.0 if a <= 0.0 else a


def step(a: float) -> float:
    """Derivative of relu: 0 where a <= 0, else 1 (relu'(0) = 0 and relu'(nan) = 1, as PyTorch)."""
    return 0.0 if a <= 0.0 else 1.0


def sign(a: float) -> float:
    """Derivative of abs: -1, 0 or 1; 0 at a = 0 and at nan, as PyTorch's abs backward."""
    if a > 0.0:
        return 1.0
    if a < 0.0:
        return -1.0
    return 0.0


def dpow_base(a: float, b: float) -> float:
    """d(a ** b)/da = b * a ** (b - 1); exactly 0 where b == 0 (PyTorch masks it there)."""
    return 0.0 if b == 0.0 else b * pow(a, b - 1.0)


def dpow_exp(a: float, b: float, out: float) -> float:
    """d(a ** b)/db = a ** b * log(a); exactly 0 where a == 0 and b >= 0 (PyTorch masks it there)."""
    return 0.0 if a == 0.0 and b >= 0.0 else out * log(a)
