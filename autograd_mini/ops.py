"""The ops of the rule table as Python: written by ``python -m autograd_mini._codegen``.

Do not edit: edit ``rules.py`` (and ``_ieee.py``), then run ``python -m autograd_mini._codegen``.
The test suite runs it with ``--check`` and fails while this file is stale.

Three parts, each written from the table's rows:

1. Functions on numbers and Values alike, one per unary op: ``exp(2.0)`` is a float (IEEE 754,
   as ``_ieee`` computes it), ``exp(x)`` a node. ``autograd_mini`` re-exports them.
2. ``Ops``, the methods of ``Value`` (``engine.Value`` derives from it). Each computes its
   result on floats, then builds one node with its local derivatives written inline, so a node
   costs what hand-written code would. A plain-number operand stays out of the graph: the node
   keeps the operands as written with its op name, ``("-", 2.0, x)``.
3. ``DERIVATIVES``: each rule's local derivatives as functions of the operands as written and
   the result, ``(a, [b,] out)``, one per operand (a parameter such as leaky_relu's slope is an
   operand that is always a number, whose function is never called). Evaluated on the nodes of
   a graph (by ``gradients(differentiable=True)``) they build the derivative as a graph, which
   can be differentiated again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, overload

from . import _ieee
from ._lift import as_float, div, dpow_base, dpow_exp, floor_divide, number, parameter
from .modes import _modes_active

if TYPE_CHECKING:
    from .engine import Value

__all__ = ["DERIVATIVES", "Ops", "acos", "arccos", "arcsin", "arctan", "asin", "atan", "bind",
    "cos", "cosh", "dleaky_relu", "exp", "expm1", "leaky_relu", "log", "log1p", "relu", "sigmoid",
    "sign", "sin", "sinh", "softplus", "sqrt", "step", "tan", "tanh"]

# engine.Value, the class every op makes, and the engine's handling of open mode blocks
# (no_grad, detect_anomaly): the engine defines both above this module and hands them down with
# bind() once Value exists.
_Value: Any = None
_special: Any = None
_new = object.__new__  # nodes skip Value.__init__'s checks: their fields are set right here


def bind(value: type, special: Callable[[Any], None]) -> None:
    """Called once, by the engine: the node class and its mode handling."""
    global _Value, _special
    _Value, _special = value, special


# -- functions on numbers and Values alike, one per unary op --------------------

@overload
def exp(a: float) -> float: ...
@overload
def exp(a: Value) -> Value: ...
def exp(a: Any) -> Any:
    """e**a; d/da = e**a = out"""
    if isinstance(a, Ops):
        return a.exp()
    a = as_float(a, 'exp')
    return _ieee.exp(a)


@overload
def log(a: float) -> float: ...
@overload
def log(a: Value) -> Value: ...
def log(a: Any) -> Any:
    """ln(a); d/da = 1/a. For |a| below about 5.6e-309 (a subnormal), 1/a overflows to inf, and so
    does a's gradient, where PyTorch (which divides the incoming gradient by a) may give a finite
    one: d(log(1e-310) * 1e-10)/da is inf here, 1e300 there.
    """
    if isinstance(a, Ops):
        return a.log()
    a = as_float(a, 'log')
    return _ieee.log(a)


@overload
def sqrt(a: float) -> float: ...
@overload
def sqrt(a: Value) -> Value: ...
def sqrt(a: Any) -> Any:
    """sqrt(a); d/da = 1 / (2 sqrt(a)) = 0.5/out"""
    if isinstance(a, Ops):
        return a.sqrt()
    a = as_float(a, 'sqrt')
    return _ieee.sqrt(a)


@overload
def tanh(a: float) -> float: ...
@overload
def tanh(a: Value) -> Value: ...
def tanh(a: Any) -> Any:
    """tanh(a); d/da = 1 - tanh(a)**2 = 1 - out**2"""
    if isinstance(a, Ops):
        return a.tanh()
    a = as_float(a, 'tanh')
    return _ieee.tanh(a)


@overload
def sigmoid(a: float) -> float: ...
@overload
def sigmoid(a: Value) -> Value: ...
def sigmoid(a: Any) -> Any:
    """1 / (1 + e**-a); d/da = out * (1 - out)"""
    if isinstance(a, Ops):
        return a.sigmoid()
    a = as_float(a, 'sigmoid')
    return _ieee.sigmoid(a)


@overload
def relu(a: float) -> float: ...
@overload
def relu(a: Value) -> Value: ...
def relu(a: Any) -> Any:
    """max(a, 0); d/da = 1 if a > 0 else 0"""
    if isinstance(a, Ops):
        return a.relu()
    a = as_float(a, 'relu')
    return _ieee.relu(a)


@overload
def sin(a: float) -> float: ...
@overload
def sin(a: Value) -> Value: ...
def sin(a: Any) -> Any:
    """sin(a); d/da = cos(a)"""
    if isinstance(a, Ops):
        return a.sin()
    a = as_float(a, 'sin')
    return _ieee.sin(a)


@overload
def cos(a: float) -> float: ...
@overload
def cos(a: Value) -> Value: ...
def cos(a: Any) -> Any:
    """cos(a); d/da = -sin(a)"""
    if isinstance(a, Ops):
        return a.cos()
    a = as_float(a, 'cos')
    return _ieee.cos(a)


@overload
def tan(a: float) -> float: ...
@overload
def tan(a: Value) -> Value: ...
def tan(a: Any) -> Any:
    """tan(a); d/da = 1 + tan(a)**2 = 1 + out**2. tan(±inf) is nan."""
    if isinstance(a, Ops):
        return a.tan()
    a = as_float(a, 'tan')
    return _ieee.tan(a)


@overload
def arcsin(a: float) -> float: ...
@overload
def arcsin(a: Value) -> Value: ...
def arcsin(a: Any) -> Any:
    """asin(a); d/da = 1 / sqrt(1 - a**2): nan outside [-1, 1], and inf at a = ±1 for the
    derivative, as PyTorch
    """
    if isinstance(a, Ops):
        return a.arcsin()
    a = as_float(a, 'arcsin')
    return _ieee.arcsin(a)


@overload
def asin(a: float) -> float: ...
@overload
def asin(a: Value) -> Value: ...
def asin(a: Any) -> Any:
    """asin(a); d/da = 1 / sqrt(1 - a**2): nan outside [-1, 1], and inf at a = ±1 for the
    derivative, as PyTorch
    """
    if isinstance(a, Ops):
        return a.arcsin()
    a = as_float(a, 'asin')
    return _ieee.arcsin(a)


@overload
def arccos(a: float) -> float: ...
@overload
def arccos(a: Value) -> Value: ...
def arccos(a: Any) -> Any:
    """acos(a); d/da = -1 / sqrt(1 - a**2): nan outside [-1, 1], and -inf at a = ±1 for the
    derivative, as PyTorch
    """
    if isinstance(a, Ops):
        return a.arccos()
    a = as_float(a, 'arccos')
    return _ieee.arccos(a)


@overload
def acos(a: float) -> float: ...
@overload
def acos(a: Value) -> Value: ...
def acos(a: Any) -> Any:
    """acos(a); d/da = -1 / sqrt(1 - a**2): nan outside [-1, 1], and -inf at a = ±1 for the
    derivative, as PyTorch
    """
    if isinstance(a, Ops):
        return a.arccos()
    a = as_float(a, 'acos')
    return _ieee.arccos(a)


@overload
def arctan(a: float) -> float: ...
@overload
def arctan(a: Value) -> Value: ...
def arctan(a: Any) -> Any:
    """atan(a); d/da = 1 / (1 + a**2)"""
    if isinstance(a, Ops):
        return a.arctan()
    a = as_float(a, 'arctan')
    return _ieee.arctan(a)


@overload
def atan(a: float) -> float: ...
@overload
def atan(a: Value) -> Value: ...
def atan(a: Any) -> Any:
    """atan(a); d/da = 1 / (1 + a**2)"""
    if isinstance(a, Ops):
        return a.arctan()
    a = as_float(a, 'atan')
    return _ieee.arctan(a)


@overload
def sinh(a: float) -> float: ...
@overload
def sinh(a: Value) -> Value: ...
def sinh(a: Any) -> Any:
    """sinh(a); d/da = cosh(a). Overflows to ±inf past |a| of about 710.5."""
    if isinstance(a, Ops):
        return a.sinh()
    a = as_float(a, 'sinh')
    return _ieee.sinh(a)


@overload
def cosh(a: float) -> float: ...
@overload
def cosh(a: Value) -> Value: ...
def cosh(a: Any) -> Any:
    """cosh(a); d/da = sinh(a). Overflows to inf past |a| of about 710.5."""
    if isinstance(a, Ops):
        return a.cosh()
    a = as_float(a, 'cosh')
    return _ieee.cosh(a)


@overload
def log1p(a: float) -> float: ...
@overload
def log1p(a: Value) -> Value: ...
def log1p(a: Any) -> Any:
    """ln(1 + a), exact for small a; d/da = 1 / (1 + a). -inf at a = -1, nan below."""
    if isinstance(a, Ops):
        return a.log1p()
    a = as_float(a, 'log1p')
    return _ieee.log1p(a)


@overload
def expm1(a: float) -> float: ...
@overload
def expm1(a: Value) -> Value: ...
def expm1(a: Any) -> Any:
    """e**a - 1, exact for small a; d/da = e**a = out + 1"""
    if isinstance(a, Ops):
        return a.expm1()
    a = as_float(a, 'expm1')
    return _ieee.expm1(a)


@overload
def softplus(a: float) -> float: ...
@overload
def softplus(a: Value) -> Value: ...
def softplus(a: Any) -> Any:
    """ln(1 + e**a); d/da = sigmoid(a). Computed as max(a, 0) + ln(1 + e**-|a|): no overflow
    (softplus(1000) is 1000) and exact for large negative a. Smooth everywhere, where PyTorch's
    softplus (beta=1, threshold=20) switches to a itself above 20, a difference below 2.1e-9 in
    value and gradient there.
    """
    if isinstance(a, Ops):
        return a.softplus()
    a = as_float(a, 'softplus')
    return _ieee.softplus(a)


@overload
def leaky_relu(a: float, negative_slope: float = 0.01) -> float: ...
@overload
def leaky_relu(a: Value, negative_slope: float = 0.01) -> Value: ...
def leaky_relu(a: Any, negative_slope: float = 0.01) -> Any:
    """a if a > 0 else negative_slope * a; d/da = 1 if a > 0 else negative_slope (at a = 0 too, as
    PyTorch). The slope (default 0.01, as PyTorch's) is a plain number, not differentiated.
    """
    if isinstance(a, Ops):
        return a.leaky_relu(negative_slope)
    a = as_float(a, 'leaky_relu')
    if type(negative_slope) is not float:
        negative_slope = parameter(negative_slope, 'leaky_relu', 'negative_slope')
    return _ieee.leaky_relu(a, negative_slope)


@overload
def step(a: float) -> float: ...
@overload
def step(a: Value) -> Value: ...
def step(a: Any) -> Any:
    """relu's derivative: 1 where a > 0, else 0 (0 at a = 0, 1 at nan, as PyTorch's relu backward);
    d/da = 0
    """
    if isinstance(a, Ops):
        return a.step()
    a = as_float(a, 'step')
    return _ieee.step(a)


@overload
def sign(a: float) -> float: ...
@overload
def sign(a: Value) -> Value: ...
def sign(a: Any) -> Any:
    """abs's derivative: -1, 0 or 1 (0 at a = 0 and at nan, as PyTorch's abs backward); d/da = 0"""
    if isinstance(a, Ops):
        return a.sign()
    a = as_float(a, 'sign')
    return _ieee.sign(a)


@overload
def dleaky_relu(a: float, negative_slope: float = 0.01) -> float: ...
@overload
def dleaky_relu(a: Value, negative_slope: float = 0.01) -> Value: ...
def dleaky_relu(a: Any, negative_slope: float = 0.01) -> Any:
    """leaky_relu's derivative: 1 where a > 0, else negative_slope (at a = 0 and nan too, as
    PyTorch); d/da = 0
    """
    if isinstance(a, Ops):
        return a.dleaky_relu(negative_slope)
    a = as_float(a, 'dleaky_relu')
    if type(negative_slope) is not float:
        negative_slope = parameter(negative_slope, 'dleaky_relu', 'negative_slope')
    return _ieee.dleaky_relu(a, negative_slope)


# -- the methods of Value --------------------

class Ops:
    """The methods of ``Value`` generated from the rule table (see the module docstring)."""

    __slots__ = ()
    # The node layout, declared by engine.Value's __slots__; named here for type checkers.
    data: float
    grad: Any
    label: str
    _form: Any
    _a: Any
    _b: Any
    _da: Any
    _db: Any

    def __add__(self, other: Value | float) -> Value:
        """a + b; d/da = 1, d/db = 1"""
        if isinstance(other, _Value):
            a = self.data
            b = other.data
            out = a + b
            node = _new(_Value)
            node.data = out
            node.grad = 0.0
            node.label = ""
            node._form = '+'
            node._a = self
            node._b = other
            node._da = 1.0
            node._db = 1.0
            if _modes_active[0]:
                _special(node)
            return node
        if type(other) is float:
            b = other
        else:
            c = number(other)
            if c is None:
                return NotImplemented
            b = c
        a = self.data
        out = a + b
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = ('+', self, b)
        node._a = self
        node._b = None
        node._da = 1.0
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def __radd__(self, other: float) -> Value:
        """a + b; d/da = 1, d/db = 1"""
        if type(other) is float:
            a = other
        else:
            c = number(other)
            if c is None:
                return NotImplemented
            a = c
        b = self.data
        out = a + b
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = ('+', a, self)
        node._a = self
        node._b = None
        node._da = 1.0
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def __sub__(self, other: Value | float) -> Value:
        """a - b; d/da = 1, d/db = -1"""
        if isinstance(other, _Value):
            a = self.data
            b = other.data
            out = a - b
            node = _new(_Value)
            node.data = out
            node.grad = 0.0
            node.label = ""
            node._form = '-'
            node._a = self
            node._b = other
            node._da = 1.0
            node._db = -1.0
            if _modes_active[0]:
                _special(node)
            return node
        if type(other) is float:
            b = other
        else:
            c = number(other)
            if c is None:
                return NotImplemented
            b = c
        a = self.data
        out = a - b
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = ('-', self, b)
        node._a = self
        node._b = None
        node._da = 1.0
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def __rsub__(self, other: float) -> Value:
        """a - b; d/da = 1, d/db = -1"""
        if type(other) is float:
            a = other
        else:
            c = number(other)
            if c is None:
                return NotImplemented
            a = c
        b = self.data
        out = a - b
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = ('-', a, self)
        node._a = self
        node._b = None
        node._da = -1.0
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def __mul__(self, other: Value | float) -> Value:
        """a * b; d/da = b, d/db = a"""
        if isinstance(other, _Value):
            a = self.data
            b = other.data
            out = a * b
            node = _new(_Value)
            node.data = out
            node.grad = 0.0
            node.label = ""
            node._form = '*'
            node._a = self
            node._b = other
            node._da = b
            node._db = a
            if _modes_active[0]:
                _special(node)
            return node
        if type(other) is float:
            b = other
        else:
            c = number(other)
            if c is None:
                return NotImplemented
            b = c
        a = self.data
        out = a * b
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = ('*', self, b)
        node._a = self
        node._b = None
        node._da = b
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def __rmul__(self, other: float) -> Value:
        """a * b; d/da = b, d/db = a"""
        if type(other) is float:
            a = other
        else:
            c = number(other)
            if c is None:
                return NotImplemented
            a = c
        b = self.data
        out = a * b
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = ('*', a, self)
        node._a = self
        node._b = None
        node._da = a
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def __truediv__(self, other: Value | float) -> Value:
        """a / b; d/da = 1/b, d/db = -a/b**2 = -out/b. For |b| below about 5.6e-309 (a subnormal), 1/b
        overflows to ±inf, and so does a's gradient, where PyTorch (which divides the incoming
        gradient by b) may give a finite one: d((a / 1e-309) * 1e-10)/da is inf here, 1e299 there.
        """
        if isinstance(other, _Value):
            a = self.data
            b = other.data
            out = _ieee.div(a, b)
            node = _new(_Value)
            node.data = out
            node.grad = 0.0
            node.label = ""
            node._form = '/'
            node._a = self
            node._b = other
            node._da = _ieee.div(1.0, b)
            node._db = _ieee.div(-out, b)
            if _modes_active[0]:
                _special(node)
            return node
        if type(other) is float:
            b = other
        else:
            c = number(other)
            if c is None:
                return NotImplemented
            b = c
        a = self.data
        out = _ieee.div(a, b)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = ('/', self, b)
        node._a = self
        node._b = None
        node._da = _ieee.div(1.0, b)
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def __rtruediv__(self, other: float) -> Value:
        """a / b; d/da = 1/b, d/db = -a/b**2 = -out/b. For |b| below about 5.6e-309 (a subnormal), 1/b
        overflows to ±inf, and so does a's gradient, where PyTorch (which divides the incoming
        gradient by b) may give a finite one: d((a / 1e-309) * 1e-10)/da is inf here, 1e299 there.
        """
        if type(other) is float:
            a = other
        else:
            c = number(other)
            if c is None:
                return NotImplemented
            a = c
        b = self.data
        out = _ieee.div(a, b)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = ('/', a, self)
        node._a = self
        node._b = None
        node._da = _ieee.div(-out, b)
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def __pow__(self, other: Value | float) -> Value:
        """a ** b; d/da = b * a**(b-1), d/db = a**b * log(a)"""
        if isinstance(other, _Value):
            a = self.data
            b = other.data
            out = _ieee.pow(a, b)
            node = _new(_Value)
            node.data = out
            node.grad = 0.0
            node.label = ""
            node._form = '**'
            node._a = self
            node._b = other
            node._da = _ieee.dpow_base(a, b)
            node._db = _ieee.dpow_exp(a, b, out)
            if _modes_active[0]:
                _special(node)
            return node
        if type(other) is float:
            b = other
        else:
            c = number(other)
            if c is None:
                return NotImplemented
            b = c
        a = self.data
        out = _ieee.pow(a, b)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = ('**', self, b)
        node._a = self
        node._b = None
        node._da = _ieee.dpow_base(a, b)
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def __rpow__(self, other: float) -> Value:
        """a ** b; d/da = b * a**(b-1), d/db = a**b * log(a)"""
        if type(other) is float:
            a = other
        else:
            c = number(other)
            if c is None:
                return NotImplemented
            a = c
        b = self.data
        out = _ieee.pow(a, b)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = ('**', a, self)
        node._a = self
        node._b = None
        node._da = _ieee.dpow_exp(a, b, out)
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def __neg__(self) -> Value:
        """-a; d/da = -1"""
        a = self.data
        out = -a
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = 'neg'
        node._a = self
        node._b = None
        node._da = -1.0
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def __abs__(self) -> Value:
        """|a|; d/da = sign(a), 0 at a = 0"""
        a = self.data
        out = abs(a)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = 'abs'
        node._a = self
        node._b = None
        node._da = _ieee.sign(a)
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def exp(self) -> Value:
        """e**a; d/da = e**a = out"""
        a = self.data
        out = _ieee.exp(a)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = 'exp'
        node._a = self
        node._b = None
        node._da = out
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def log(self) -> Value:
        """ln(a); d/da = 1/a. For |a| below about 5.6e-309 (a subnormal), 1/a overflows to inf, and so
        does a's gradient, where PyTorch (which divides the incoming gradient by a) may give a finite
        one: d(log(1e-310) * 1e-10)/da is inf here, 1e300 there.
        """
        a = self.data
        out = _ieee.log(a)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = 'log'
        node._a = self
        node._b = None
        node._da = _ieee.div(1.0, a)
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def sqrt(self) -> Value:
        """sqrt(a); d/da = 1 / (2 sqrt(a)) = 0.5/out"""
        a = self.data
        out = _ieee.sqrt(a)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = 'sqrt'
        node._a = self
        node._b = None
        node._da = _ieee.div(0.5, out)
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def tanh(self) -> Value:
        """tanh(a); d/da = 1 - tanh(a)**2 = 1 - out**2"""
        a = self.data
        out = _ieee.tanh(a)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = 'tanh'
        node._a = self
        node._b = None
        node._da = 1.0 - out * out
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def sigmoid(self) -> Value:
        """1 / (1 + e**-a); d/da = out * (1 - out)"""
        a = self.data
        out = _ieee.sigmoid(a)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = 'sigmoid'
        node._a = self
        node._b = None
        node._da = out * (1.0 - out)
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def relu(self) -> Value:
        """max(a, 0); d/da = 1 if a > 0 else 0"""
        a = self.data
        out = _ieee.relu(a)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = 'relu'
        node._a = self
        node._b = None
        node._da = _ieee.step(a)
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def sin(self) -> Value:
        """sin(a); d/da = cos(a)"""
        a = self.data
        out = _ieee.sin(a)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = 'sin'
        node._a = self
        node._b = None
        node._da = _ieee.cos(a)
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def cos(self) -> Value:
        """cos(a); d/da = -sin(a)"""
        a = self.data
        out = _ieee.cos(a)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = 'cos'
        node._a = self
        node._b = None
        node._da = -_ieee.sin(a)
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def tan(self) -> Value:
        """tan(a); d/da = 1 + tan(a)**2 = 1 + out**2. tan(±inf) is nan."""
        a = self.data
        out = _ieee.tan(a)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = 'tan'
        node._a = self
        node._b = None
        node._da = 1.0 + out * out
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def arcsin(self) -> Value:
        """asin(a); d/da = 1 / sqrt(1 - a**2): nan outside [-1, 1], and inf at a = ±1 for the
        derivative, as PyTorch
        """
        a = self.data
        out = _ieee.arcsin(a)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = 'arcsin'
        node._a = self
        node._b = None
        node._da = _ieee.div(1.0, _ieee.sqrt(1.0 - a * a))
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    asin = arcsin

    def arccos(self) -> Value:
        """acos(a); d/da = -1 / sqrt(1 - a**2): nan outside [-1, 1], and -inf at a = ±1 for the
        derivative, as PyTorch
        """
        a = self.data
        out = _ieee.arccos(a)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = 'arccos'
        node._a = self
        node._b = None
        node._da = -_ieee.div(1.0, _ieee.sqrt(1.0 - a * a))
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    acos = arccos

    def arctan(self) -> Value:
        """atan(a); d/da = 1 / (1 + a**2)"""
        a = self.data
        out = _ieee.arctan(a)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = 'arctan'
        node._a = self
        node._b = None
        node._da = _ieee.div(1.0, 1.0 + a * a)
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    atan = arctan

    def sinh(self) -> Value:
        """sinh(a); d/da = cosh(a). Overflows to ±inf past |a| of about 710.5."""
        a = self.data
        out = _ieee.sinh(a)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = 'sinh'
        node._a = self
        node._b = None
        node._da = _ieee.cosh(a)
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def cosh(self) -> Value:
        """cosh(a); d/da = sinh(a). Overflows to inf past |a| of about 710.5."""
        a = self.data
        out = _ieee.cosh(a)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = 'cosh'
        node._a = self
        node._b = None
        node._da = _ieee.sinh(a)
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def log1p(self) -> Value:
        """ln(1 + a), exact for small a; d/da = 1 / (1 + a). -inf at a = -1, nan below."""
        a = self.data
        out = _ieee.log1p(a)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = 'log1p'
        node._a = self
        node._b = None
        node._da = _ieee.div(1.0, 1.0 + a)
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def expm1(self) -> Value:
        """e**a - 1, exact for small a; d/da = e**a = out + 1"""
        a = self.data
        out = _ieee.expm1(a)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = 'expm1'
        node._a = self
        node._b = None
        node._da = out + 1.0
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def softplus(self) -> Value:
        """ln(1 + e**a); d/da = sigmoid(a). Computed as max(a, 0) + ln(1 + e**-|a|): no overflow
        (softplus(1000) is 1000) and exact for large negative a. Smooth everywhere, where PyTorch's
        softplus (beta=1, threshold=20) switches to a itself above 20, a difference below 2.1e-9 in
        value and gradient there.
        """
        a = self.data
        out = _ieee.softplus(a)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = 'softplus'
        node._a = self
        node._b = None
        node._da = _ieee.sigmoid(a)
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def leaky_relu(self, negative_slope: float = 0.01) -> Value:
        """a if a > 0 else negative_slope * a; d/da = 1 if a > 0 else negative_slope (at a = 0 too, as
        PyTorch). The slope (default 0.01, as PyTorch's) is a plain number, not differentiated.
        """
        if type(negative_slope) is not float:
            negative_slope = parameter(negative_slope, 'leaky_relu', 'negative_slope')
        a = self.data
        out = _ieee.leaky_relu(a, negative_slope)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = ('leaky_relu', self, negative_slope)
        node._a = self
        node._b = None
        node._da = _ieee.dleaky_relu(a, negative_slope)
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def step(self) -> Value:
        """relu's derivative: 1 where a > 0, else 0 (0 at a = 0, 1 at nan, as PyTorch's relu backward);
        d/da = 0
        """
        a = self.data
        out = _ieee.step(a)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = 'step'
        node._a = self
        node._b = None
        node._da = 0.0
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def sign(self) -> Value:
        """abs's derivative: -1, 0 or 1 (0 at a = 0 and at nan, as PyTorch's abs backward); d/da = 0"""
        a = self.data
        out = _ieee.sign(a)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = 'sign'
        node._a = self
        node._b = None
        node._da = 0.0
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def dleaky_relu(self, negative_slope: float = 0.01) -> Value:
        """leaky_relu's derivative: 1 where a > 0, else negative_slope (at a = 0 and nan too, as
        PyTorch); d/da = 0
        """
        if type(negative_slope) is not float:
            negative_slope = parameter(negative_slope, 'dleaky_relu', 'negative_slope')
        a = self.data
        out = _ieee.dleaky_relu(a, negative_slope)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = ('dleaky_relu', self, negative_slope)
        node._a = self
        node._b = None
        node._da = 0.0
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def __mod__(self, other: Value | float) -> Value:
        """a % b = a - b * (a // b), with the sign of b, as Python's; d/da = 1, d/db = -(a // b). a % 0
        is nan (and d/db is -(a / 0)), as torch.remainder.
        """
        if isinstance(other, _Value):
            a = self.data
            b = other.data
            out = _ieee.remainder(a, b)
            node = _new(_Value)
            node.data = out
            node.grad = 0.0
            node.label = ""
            node._form = '%'
            node._a = self
            node._b = other
            node._da = 1.0
            node._db = -_ieee.floor_divide(a, b)
            if _modes_active[0]:
                _special(node)
            return node
        if type(other) is float:
            b = other
        else:
            c = number(other)
            if c is None:
                return NotImplemented
            b = c
        a = self.data
        out = _ieee.remainder(a, b)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = ('%', self, b)
        node._a = self
        node._b = None
        node._da = 1.0
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def __rmod__(self, other: float) -> Value:
        """a % b = a - b * (a // b), with the sign of b, as Python's; d/da = 1, d/db = -(a // b). a % 0
        is nan (and d/db is -(a / 0)), as torch.remainder.
        """
        if type(other) is float:
            a = other
        else:
            c = number(other)
            if c is None:
                return NotImplemented
            a = c
        b = self.data
        out = _ieee.remainder(a, b)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = ('%', a, self)
        node._a = self
        node._b = None
        node._da = -_ieee.floor_divide(a, b)
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def __floordiv__(self, other: Value | float) -> Value:
        """a // b, the floor of the exact quotient, as Python's; d/da = d/db = 0. a // 0 is a / 0 (±inf,
        or nan for 0 // 0), as torch.floor_divide.
        """
        if isinstance(other, _Value):
            a = self.data
            b = other.data
            out = _ieee.floor_divide(a, b)
            node = _new(_Value)
            node.data = out
            node.grad = 0.0
            node.label = ""
            node._form = '//'
            node._a = self
            node._b = other
            node._da = 0.0
            node._db = 0.0
            if _modes_active[0]:
                _special(node)
            return node
        if type(other) is float:
            b = other
        else:
            c = number(other)
            if c is None:
                return NotImplemented
            b = c
        a = self.data
        out = _ieee.floor_divide(a, b)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = ('//', self, b)
        node._a = self
        node._b = None
        node._da = 0.0
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node

    def __rfloordiv__(self, other: float) -> Value:
        """a // b, the floor of the exact quotient, as Python's; d/da = d/db = 0. a // 0 is a / 0 (±inf,
        or nan for 0 // 0), as torch.floor_divide.
        """
        if type(other) is float:
            a = other
        else:
            c = number(other)
            if c is None:
                return NotImplemented
            a = c
        b = self.data
        out = _ieee.floor_divide(a, b)
        node = _new(_Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._form = ('//', a, self)
        node._a = self
        node._b = None
        node._da = 0.0
        node._db = 0.0
        if _modes_active[0]:
            _special(node)
        return node


# -- local derivatives as functions of Values, for higher order --------------------

def _d_add_da(a: Any, b: Any, out: Any) -> Any:
    return 1.0


def _d_add_db(a: Any, b: Any, out: Any) -> Any:
    return 1.0


def _d_sub_da(a: Any, b: Any, out: Any) -> Any:
    return 1.0


def _d_sub_db(a: Any, b: Any, out: Any) -> Any:
    return -1.0


def _d_mul_da(a: Any, b: Any, out: Any) -> Any:
    return b


def _d_mul_db(a: Any, b: Any, out: Any) -> Any:
    return a


def _d_truediv_da(a: Any, b: Any, out: Any) -> Any:
    return div(1.0, b)


def _d_truediv_db(a: Any, b: Any, out: Any) -> Any:
    return div(-out, b)


def _d_pow_da(a: Any, b: Any, out: Any) -> Any:
    return dpow_base(a, b)


def _d_pow_db(a: Any, b: Any, out: Any) -> Any:
    return dpow_exp(a, b, out)


def _d_neg_da(a: Any, out: Any) -> Any:
    return -1.0


def _d_abs_da(a: Any, out: Any) -> Any:
    return sign(a)


def _d_exp_da(a: Any, out: Any) -> Any:
    return out


def _d_log_da(a: Any, out: Any) -> Any:
    return div(1.0, a)


def _d_sqrt_da(a: Any, out: Any) -> Any:
    return div(0.5, out)


def _d_tanh_da(a: Any, out: Any) -> Any:
    return 1.0 - out * out


def _d_sigmoid_da(a: Any, out: Any) -> Any:
    return out * (1.0 - out)


def _d_relu_da(a: Any, out: Any) -> Any:
    return step(a)


def _d_sin_da(a: Any, out: Any) -> Any:
    return cos(a)


def _d_cos_da(a: Any, out: Any) -> Any:
    return -sin(a)


def _d_tan_da(a: Any, out: Any) -> Any:
    return 1.0 + out * out


def _d_arcsin_da(a: Any, out: Any) -> Any:
    return div(1.0, sqrt(1.0 - a * a))


def _d_arccos_da(a: Any, out: Any) -> Any:
    return -div(1.0, sqrt(1.0 - a * a))


def _d_arctan_da(a: Any, out: Any) -> Any:
    return div(1.0, 1.0 + a * a)


def _d_sinh_da(a: Any, out: Any) -> Any:
    return cosh(a)


def _d_cosh_da(a: Any, out: Any) -> Any:
    return sinh(a)


def _d_log1p_da(a: Any, out: Any) -> Any:
    return div(1.0, 1.0 + a)


def _d_expm1_da(a: Any, out: Any) -> Any:
    return out + 1.0


def _d_softplus_da(a: Any, out: Any) -> Any:
    return sigmoid(a)


def _d_leaky_relu_da(a: Any, negative_slope: Any, out: Any) -> Any:
    return dleaky_relu(a, negative_slope)


def _d_leaky_relu_dnegative_slope(a: Any, negative_slope: Any, out: Any) -> Any:
    raise AssertionError("leaky_relu's negative_slope is a number, not a Value: it has no gradient")


def _d_step_da(a: Any, out: Any) -> Any:
    return 0.0


def _d_sign_da(a: Any, out: Any) -> Any:
    return 0.0


def _d_dleaky_relu_da(a: Any, negative_slope: Any, out: Any) -> Any:
    return 0.0


def _d_dleaky_relu_dnegative_slope(a: Any, negative_slope: Any, out: Any) -> Any:
    raise AssertionError("dleaky_relu's negative_slope is a number, not a Value: it has no gradient")


def _d_mod_da(a: Any, b: Any, out: Any) -> Any:
    return 1.0


def _d_mod_db(a: Any, b: Any, out: Any) -> Any:
    return -floor_divide(a, b)


def _d_floordiv_da(a: Any, b: Any, out: Any) -> Any:
    return 0.0


def _d_floordiv_db(a: Any, b: Any, out: Any) -> Any:
    return 0.0


DERIVATIVES: dict[str, tuple[Callable[..., Any], ...]] = {
    '+': (_d_add_da, _d_add_db,),
    '-': (_d_sub_da, _d_sub_db,),
    '*': (_d_mul_da, _d_mul_db,),
    '/': (_d_truediv_da, _d_truediv_db,),
    '**': (_d_pow_da, _d_pow_db,),
    'neg': (_d_neg_da,),
    'abs': (_d_abs_da,),
    'exp': (_d_exp_da,),
    'log': (_d_log_da,),
    'sqrt': (_d_sqrt_da,),
    'tanh': (_d_tanh_da,),
    'sigmoid': (_d_sigmoid_da,),
    'relu': (_d_relu_da,),
    'sin': (_d_sin_da,),
    'cos': (_d_cos_da,),
    'tan': (_d_tan_da,),
    'arcsin': (_d_arcsin_da,),
    'arccos': (_d_arccos_da,),
    'arctan': (_d_arctan_da,),
    'sinh': (_d_sinh_da,),
    'cosh': (_d_cosh_da,),
    'log1p': (_d_log1p_da,),
    'expm1': (_d_expm1_da,),
    'softplus': (_d_softplus_da,),
    'leaky_relu': (_d_leaky_relu_da, _d_leaky_relu_dnegative_slope,),
    'step': (_d_step_da,),
    'sign': (_d_sign_da,),
    'dleaky_relu': (_d_dleaky_relu_da, _d_dleaky_relu_dnegative_slope,),
    '%': (_d_mod_da, _d_mod_db,),
    '//': (_d_floordiv_da, _d_floordiv_db,),
}
