"""Numbers on their way into the engine, and the helper functions of the rules on numbers and
Values alike.

``number(x)`` is how every op reads a plain-number operand: a float, or None for a type the
engine does not take (the op then returns ``NotImplemented`` and Python raises its usual
``TypeError``).

The rules' derivative formulas call a few helpers besides the ops themselves: ``div``, ``pow``,
``floor_divide``, ``dpow_base`` and ``dpow_exp``. On floats they are ``_ieee``'s; here each also
takes Values, so that the same formula, evaluated on the nodes of a graph, builds the derivative
as a graph (which is how gradients are differentiated again). Such a graph is made of ops only:
where a formula must still choose on numbers (``dpow_base`` and ``dpow_exp`` at their special
points), it asks ``holds``, which tells compile's tracer, so that the choice is a guard. The
ops' own functions (``exp``, ``log``, ``step``, ...) are lifted the same way in the generated
``ops`` module.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from . import _ieee
from ._messages import shorten

__all__ = ["div", "dpow_base", "dpow_exp", "floor_divide", "holds", "number", "pow"]


def number(x: object) -> float | None:
    """``x`` as a float if it is a real number (not bool), else None.

    A finite number beyond float's range (about ±1.8e308) is refused with ``ValueError``
    rather than rounded to ``±inf``; an infinite or nan input stays what it is.

    >>> number(3), number("3"), number(True)
    (3.0, None, None)
    """
    if type(x) is float:  # the common case: skip the ABC checks below (about 1 µs)
        return x
    if type(x) is int:
        try:
            return float(x)
        except OverflowError:
            raise ValueError(_out_of_range(x)) from None
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        try:
            f = float(x)
        except OverflowError:  # an int subclass or a Fraction beyond float's range
            raise ValueError(_out_of_range(x)) from None
        # float() of a wider type (numpy's longdouble, say) rounds a huge finite number to inf
        # without a word. Only an infinite result pays for the check.
        if f - f != 0.0 and f == f and x != f:
            raise ValueError(_out_of_range(x))
        return f
    return None


def _out_of_range(x: object) -> str:
    """The message for a finite number beyond float's range, without printing a huge number.

    An int of more than 4,300 digits has no ``repr`` (Python limits int-to-text conversion),
    so an int is described by its number of digits.
    """
    if isinstance(x, int):
        digits = int(x.bit_length() * math.log10(2)) + 1  # exact, or one too many
        what = f"an int of about {digits:,} digits"
    else:
        try:
            what = f"{type(x).__name__} {shorten(repr(x), 100)}"
        except ValueError:  # a Fraction of ints too long to print, say
            what = f"a {type(x).__name__} too long to print"
    return f"{what} is beyond float's range (finite floats are at most about ±1.8e308)"


def as_float(x: object, where: str) -> float:
    """``number(x)``, or a TypeError naming ``where`` and the type."""
    f = number(x)
    if f is None:
        raise TypeError(f"{where}() takes a real number or a Value, not {type(x).__name__}")
    return f


def parameter(x: object, op: str, name: str) -> float:
    """``number(x)`` for an op's plain-number parameter, or a TypeError naming the op and the
    parameter (a Value too: the parameter is not differentiated, so its gradient would be lost)."""
    f = number(x)
    if f is None:
        raise TypeError(f"{op}() {name} must be a real number, not {type(x).__name__}")
    return f


def is_number(x: object) -> bool:
    """True for a plain number: the float path. (A Value is not a ``numbers.Real``.)"""
    return type(x) is float or isinstance(x, numbers.Real)


def _data(x: Any) -> float:
    return x if is_number(x) else x.data


def div(a: Any, b: Any) -> Any:
    """a / b: ``_ieee.div`` on numbers, a node if either is a Value."""
    return _ieee.div(a, b) if is_number(a) and is_number(b) else a / b


def pow(a: Any, b: Any) -> Any:
    """a ** b: ``_ieee.pow`` on numbers, a node if either is a Value."""
    return _ieee.pow(a, b) if is_number(a) and is_number(b) else a ** b


def floor_divide(a: Any, b: Any) -> Any:
    """a // b: ``_ieee.floor_divide`` on numbers, the node ``a // b`` if either is a Value.

    ``%``'s derivative in b is -(a // b), whose own derivative is 0 (as PyTorch's floor
    division's): as a node, a replay computes it again for new inputs."""
    return _ieee.floor_divide(a, b) if is_number(a) and is_number(b) else a // b


# -- choices on numbers, seen by compile's tracer -------------------------------------------------
#: While set (by compile's tracer, for the length of a trace), called as ``hook(lhs, op, rhs,
#: result)`` for every choice a derivative formula makes on the numbers of Values: the tracer
#: records it as a guard, which a replay checks again. ``[None]`` otherwise. The kinked ops'
#: derivatives (``step``, ``sign``, ``dleaky_relu``, ``//``) need no choice: they are ops.
decision_hook: list[Any] = [None]

#: The least positive float whose reciprocal is finite: 1 / a overflows exactly where |a| < TINY.
TINY = float.fromhex("0x0.4000000000001p-1022")

_COMPARE = {"==": float.__eq__, "!=": float.__ne__, "<": float.__lt__, ">": float.__gt__,
            ">=": float.__ge__}


def holds(lhs: Any, op: str, rhs: Any) -> bool:
    """``lhs op rhs`` on the numbers of numbers or Values; told to ``decision_hook`` when a Value
    is compared (so that compile keeps the choice as a guard rather than freezing it)."""
    result: bool = _COMPARE[op](float(_data(lhs)), float(_data(rhs)))
    hook = decision_hook[0]
    if hook is not None and not (is_number(lhs) and is_number(rhs)):
        hook(lhs, op, rhs, result)
    return result


def dpow_base(a: Any, b: Any) -> Any:
    """d(a ** b)/da = b * a**(b-1); 0 at b == 0 as the float rule, but kept as a graph there.

    At b == 0 the float rule's 0 is kept as the graph b * a**(b-1) when ``b`` is a Value, since
    its derivative in b is a**-1 and a constant 0 would lose it. A constant exponent has no
    derivative to keep: then the 0 is a constant. So are 0 ** 0 and nan ** 0, whose graph
    would be nan, as the float rule masks them. And where a**-1 overflows (|a| below about
    5.6e-309, a subnormal), b * a**-1 would be 0 * inf = nan: there b / a stands in, equal at
    b == 0 in value (0, as PyTorch's) and first derivatives (1/a in b, 0 in a), though not in
    d2/db2 (0 instead of 2 log(a) / a, whose size there is beyond float's range anyway).
    """
    if is_number(a) and is_number(b):
        return _ieee.dpow_base(a, b)
    if holds(b, "==", 0.0):
        if is_number(b) or holds(a, "==", 0.0) or holds(a, "!=", a):  # a constant; 0 ** 0; nan
            return 0.0
        if holds(a, "<", TINY) and holds(a, ">", -TINY):  # 1 / a overflows
            return b / a
    return b * pow(a, b - 1.0)


def dpow_exp(a: Any, b: Any, out: Any) -> Any:
    """d(a ** b)/db = a**b * log(a) = out * log(a); 0 where a == 0 and b >= 0, as the float rule."""
    if is_number(a) and is_number(b) and is_number(out):
        return _ieee.dpow_exp(a, b, out)
    if holds(a, "==", 0.0) and holds(b, ">=", 0.0):
        return 0.0
    return out * (_ieee.log(a) if is_number(a) else a.log())
