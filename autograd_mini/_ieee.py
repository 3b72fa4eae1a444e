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
__all__ = ["arccos", "arcsin", "arctan", "cos", "cosh", "div", "dleaky_relu", "dpow_base", "dpow_exp",
           "exp", "expm1", "floor_divide", "leaky_relu", "log", "log1p", "pow", "relu", "remainder",
           "sigmoid", "sign", "sin", "sinh", "softplus", "sqrt", "step", "tan", "tanh"]

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


def tan(a: float) -> float:
    """Tangent; ``tan(±inf)`` is ``nan``. (No float is a pole: tan(pi/2) is about 1.6e16.)"""
    return math.tan(a) if a - a == 0.0 else nan


def arcsin(a: float) -> float:
    """Inverse sine; ``nan`` outside [-1, 1].

    >>> arcsin(1.0) == math.pi / 2, arcsin(1.5)
    (True, nan)
    """
    return math.asin(a) if -1.0 <= a <= 1.0 else nan


def arccos(a: float) -> float:
    """Inverse cosine; ``nan`` outside [-1, 1]."""
    return math.acos(a) if -1.0 <= a <= 1.0 else nan


arctan = math.atan  # never raises: atan(±inf) is ±pi/2


def sinh(a: float) -> float:
    """Hyperbolic sine; overflows to ``±inf`` (past about ±710.5)."""
    try:
        return math.sinh(a)
    except OverflowError:
        return math.copysign(inf, a)


def cosh(a: float) -> float:
    """Hyperbolic cosine; overflows to ``inf`` (past about ±710.5)."""
    try:
        return math.cosh(a)
    except OverflowError:
        return inf


tanh = math.tanh  # never raises


def log1p(a: float) -> float:
    """ln(1 + a), exact for small ``a``; ``log1p(-1)`` is ``-inf``, below -1 ``nan``.

    >>> log1p(1e-20), log1p(-1.0), log1p(-2.0)
    (1e-20, -inf, nan)
    """
    if a > -1.0:
        return math.log1p(a)
    if a == -1.0:
        return -inf
    return nan  # below -1, or nan


def expm1(a: float) -> float:
    """e ** a - 1, exact for small ``a``; overflows to ``inf``.

    >>> expm1(1e-20), expm1(1000.0), expm1(-1000.0)
    (1e-20, inf, -1.0)
    """
    try:
        return math.expm1(a)
    except OverflowError:
        return inf


def softplus(a: float) -> float:
    """ln(1 + e ** a), as max(a, 0) + ln(1 + e ** -|a|): no overflow, exact for large ``|a|``.

    Smooth everywhere: PyTorch's ``softplus`` (beta=1, threshold=20) returns ``a`` itself above
    20, which differs from this by ln(1 + e ** -a) < 2.1e-9.

    >>> softplus(0.0) == math.log(2), softplus(1000.0), softplus(-1000.0), softplus(-30.0)
    (True, 1000.0, 0.0, 9.357622968839737e-14)
    """
    if a != a:
        return nan
    return (a if a > 0.0 else 0.0) + math.log1p(exp(-abs(a)))


def leaky_relu(a: float, negative_slope: float) -> float:
    """a if a > 0 else a * negative_slope; ``nan`` stays ``nan``, as in PyTorch."""
    return a if a > 0.0 else a * negative_slope


def dleaky_relu(a: float, negative_slope: float) -> float:
    """Derivative of leaky_relu: 1 where a > 0, else ``negative_slope`` (at 0 and nan too, as PyTorch)."""
    return 1.0 if a > 0.0 else negative_slope


def remainder(a: float, b: float) -> float:
    """a % b as Python has it (the sign of ``b``); ``x % 0`` is ``nan``, as ``torch.remainder``.

    >>> remainder(-1.0, 3.0), remainder(1.0, -3.0), remainder(1.0, 0.0), remainder(math.inf, 3.0)
    (2.0, -2.0, nan, nan)
    """
    try:
        return a % b
    except ZeroDivisionError:
        return nan


def floor_divide(a: float, b: float) -> float:
    """a // b as Python has it (floor of the exact quotient); ``x // 0`` is ``x / 0`` (``±inf``,
    ``nan`` for 0 or nan), as ``torch.floor_divide``.

    >>> floor_divide(-1.0, 3.0), floor_divide(1.0, 0.1), floor_divide(1.0, -0.0), floor_divide(0.0, 0.0)
    (-1.0, 9.0, -inf, nan)
    """
    try:
        return a // b
    except ZeroDivisionError:
        return div(a, b)


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
