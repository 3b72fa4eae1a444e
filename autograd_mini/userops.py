"""Ops of your own: ``defop(name, forward, grads)`` makes one node per call, like a row of the table.

A row of ``rules.RULES`` is an expression turned into generated code; an op defined here is two
Python functions called at run time: ``forward`` computes the op on floats and ``grads(a, [b,]
out)`` returns its local derivatives, one per input, as the rows' formulas do.

>>> import autograd_mini as am
>>> cube = defop("cube", lambda a: a ** 3, lambda a, out: (3 * a * a,))
>>> x = am.Value(2.0)
>>> y = cube(x) + x
>>> y.backward()
>>> cube(2.0), x.grad, [v.op for v in am.topological_order(y)]
(8.0, 13.0, ['cube', '+'])

The op takes Values or plain numbers: on numbers alone it returns ``forward``'s float, and a
number beside a Value stays out of the graph, as for the built-in ops (``my_op(2.0, x)`` is a
node with one parent, whose ``operands`` are ``(2.0, x)``). Nodes go through the engine's mode
handling (``no_grad``, ``detect_anomaly``); graphs draw ``symbol`` (default: the name).

**Higher order.** ``backward(create_graph=True)``, ``grad(grad(f))`` and ``hessian`` call
``grads`` again with the node's operands and the node itself as Values. Written with
``autograd_mini``'s functions (``am.exp``, ``am.log``, ``am.sin``, ..., which take floats and
Values alike) and arithmetic, the derivatives are then graphs that can be differentiated again.
Written with ``math``'s, they cannot: ``math.exp`` refuses a Value (``Value`` has no
``__float__``, so no number is made up silently), and the engine raises a ``TypeError`` naming
the op and saying what to use instead.

**The registry.** Each op is kept by name in ``rules.USER_OPS``, where graphs find its symbol
and ``autograd_mini.testing`` its domain. Defining a name again replaces the op, with a
``UserWarning`` (re-running a notebook cell redefines it); nodes made before keep the
definition they were made with (their op name carries it, see ``OpName``).

Built-in ops stay on their generated fast path: nothing here runs unless a user op is called.
"""

from __future__ import annotations

import inspect
import keyword
import math
import numbers
import warnings
from collections.abc import Callable, Iterable
from typing import Any

from . import rules
from ._lift import number
from .engine import Value, _node

__all__ = ["OpName", "UserOp", "defop"]

#: Where ops are drawn from when ``defop`` gets no ``domain``: the rule table's default.
DEFAULT_DOMAIN = (-3.0, 3.0)


class OpName(str):
    """The op name kept by a user op's nodes: equal to the name (``node.op == "cube"``), and
    holding the ``definition`` the node was made with, so that a node made before the op was
    redefined is differentiated again with its own ``grads``, not the new ones."""

    definition: UserOp


class UserOp:
    """An op made by ``defop``: call it on Values or numbers (see the module docstring).

    Its fields say what was declared: ``name``, ``forward``, ``grads``, ``arity`` (1 or 2),
    ``domain`` (an interval per input), ``kinks``, ``symbol``.
    """

    #: Graphs keep the order of a binary user op's operands: whether they may swap is unknown.
    commutes = False

    def __init__(self, name: str, forward: Callable[..., Any], grads: Callable[..., Any], arity: int,
                 domain: tuple[tuple[float, float], ...], kinks: tuple[float, ...],
                 symbol: str | None) -> None:
        self.name, self.forward, self.grads, self.arity = name, forward, grads, arity
        self.domain, self.kinks, self.symbol = domain, kinks, symbol
        self.op = OpName(name)
        self.op.definition = self
        self.__name__ = self.__qualname__ = name
        params = [inspect.Parameter(p, inspect.Parameter.POSITIONAL_ONLY) for p in "ab"[:arity]]
        self.__signature__ = inspect.Signature(params)  # for help() and gradcheck's arity check
        self.__doc__ = getattr(forward, "__doc__", None) or f"The op {name!r}, made by defop."

    @property
    def label(self) -> str:
        """What graphs draw for the op."""
        return self.symbol or self.name

    def __repr__(self) -> str:
        inputs = "1 input" if self.arity == 1 else f"{self.arity} inputs"
        return f"<op {self.name!r} made by defop, {inputs}>"

    def __call__(self, *args: Any) -> Any:
        """The op on ``args``: a float if every one is a number, else one node."""
        if len(args) != self.arity:
            raise TypeError(f"{self.name}() takes {self.arity} argument{'s' * (self.arity > 1)}, "
                            f"got {len(args)}")
        data: list[float] = []
        values = False
        for x in args:
            if isinstance(x, Value):
                data.append(x.data)
                values = True
            else:
                data.append(x if type(x) is float else self._number(x))
        out = self.forward(*data)
        if type(out) is not float:
            out = self._result(out)
        if not values:
            return out
        ds = self.grads(*data, out)
        if type(ds) is not tuple or len(ds) != self.arity or not all(type(d) is float for d in ds):
            ds = self._floats(ds)  # the checks and conversions, off the common path
        if self.arity == 1:
            return _node(out, self.op, args[0], None, ds[0], 0.0)
        a, b = args
        if isinstance(a, Value) and isinstance(b, Value):
            return _node(out, self.op, a, b, ds[0], ds[1])
        if isinstance(a, Value):
            return _node(out, (self.op, a, data[1]), a, None, ds[0], 0.0)
        return _node(out, (self.op, data[0], b), b, None, ds[1], 0.0)

    def _number(self, x: Any) -> float:
        f = number(x)
        if f is None:
            raise TypeError(f"{self.name}() takes real numbers or Values, not {type(x).__name__}")
        return f

    def _result(self, result: Any) -> float:
        out = number(result)
        if out is None:
            raise TypeError(f"the forward of op {self.name!r} must return a real number, "
                            f"not {type(result).__name__}")
        return out

    def _derivatives(self, result: Any) -> tuple[Any, ...]:
        """``grads``' result as a tuple of ``arity`` items (a unary op may return one item bare)."""
        if self.arity == 1 and (isinstance(result, Value) or isinstance(result, numbers.Real)):
            result = (result,)
        if not isinstance(result, (tuple, list)) or len(result) != self.arity:
            got = f"{len(result)} items" if isinstance(result, (tuple, list)) else type(result).__name__
            raise TypeError(f"the grads of op {self.name!r} must return a tuple of {self.arity} "
                            f"derivative{'s' * (self.arity > 1)}, one per input, not {got}")
        return tuple(result)

    def _floats(self, result: Any) -> tuple[float, ...]:
        """The local derivatives at a point, as floats."""
        ds = []
        for i, d in enumerate(self._derivatives(result)):
            f = number(d)
            if f is None:
                raise TypeError(f"the grads of op {self.name!r} must return real numbers on floats, "
                                f"not {type(d).__name__} (for input {i})")
            ds.append(f)
        return tuple(ds)

    def value_local(self, node: Value) -> tuple[Any, ...]:
        """``node``'s local derivatives as Values of its operands, one per parent: ``grads``
        called on the operands as written and on ``node`` as ``out`` (the engine's
        ``_value_local`` does this for ``gradients(differentiable=True)``)."""
        operands = node.operands
        try:
            result = self.grads(*operands, node)
        except (TypeError, AttributeError) as e:
            raise TypeError(
                f"the grads of op {self.name!r} cannot take Values, which higher-order derivatives "
                "(create_graph=True, grad of grad, hessian) pass them: write them with "
                "autograd_mini's functions (autograd_mini.exp, log, sin, ...), which take floats "
                f"and Values alike, instead of math's ({type(e).__name__}: {e})") from e
        ds = self._derivatives(result)
        for i, d in enumerate(ds):
            if isinstance(d, bool) or not isinstance(d, (Value, numbers.Real)):
                raise TypeError(f"the grads of op {self.name!r} must return Values or real numbers "
                                f"on Values, not {type(d).__name__} (for input {i})")
        return tuple(d for d, x in zip(ds, operands) if isinstance(x, Value))


# -- defop and its checks -----------------------------------------------------------------------
def defop(name: str, forward: Callable[..., Any], grads: Callable[..., Any], *,
          arity: int | None = None, domain: Any = None, kinks: Iterable[float] = (),
          symbol: str | None = None) -> UserOp:
    """A new op ``name``: ``forward`` on floats, ``grads(a, [b,] out)`` its local derivatives.

    - ``name``: a Python identifier (programs print it as a call) that is not a built-in op's
      name, method or alias, nor ``sum``.
    - ``forward``: the op on floats; it may raise, as ``math.log(-1.0)`` does (``autograd_mini``'s
      functions give IEEE 754 results instead: ``autograd_mini.log(-1.0)`` is nan).
    - ``grads``: the derivative of the result with respect to each input, a tuple (a unary op may
      return one number), from the inputs and the result ``out``. Use ``autograd_mini``'s
      functions, not ``math``'s, for higher-order derivatives (see the module docstring).
    - ``arity``: 1 or 2; by default the number of ``forward``'s parameters.
    - ``domain``: where the op is smooth, for ``autograd_mini.testing``: an interval ``(low,
      high)`` for every input, or one per input; default ``(-3.0, 3.0)`` as for the rule
      table's rows. ``kinks``: points inside it to keep away from.
    - ``symbol``: what graphs draw (default: ``name``).

    Defining ``name`` again replaces the op, with a ``UserWarning``.

    >>> import autograd_mini as am
    >>> smooth_abs = defop("smooth_abs", lambda a: math.sqrt(a * a + 1.0) - 1.0,
    ...                    lambda a, out: (a / (out + 1.0),), symbol="|x|~")
    >>> round(am.grad(smooth_abs)(1.0), 6), round(am.grad(am.grad(smooth_abs))(0.0), 6)
    (0.707107, 1.0)
    """
    _check_name(name)
    for key, f in (("forward", forward), ("grads", grads)):
        if not callable(f):
            raise TypeError(f"defop {name!r}: {key} must be a function, not {type(f).__name__}")
    n = _arity(name, forward) if arity is None else _check_arity(name, arity)
    _check_takes(name, "forward", forward, n, "the inputs")
    _check_takes(name, "grads", grads, n + 1, "the inputs and out")
    if symbol is not None and (not isinstance(symbol, str) or not symbol):
        what = type(symbol).__name__ if not isinstance(symbol, str) else "an empty str"
        raise TypeError(f"defop {name!r}: symbol must be a non-empty str or None, not {what}")
    op = UserOp(name, forward, grads, n, _domain(name, domain, n), _kinks(name, kinks), symbol)
    if name in rules.USER_OPS:
        warnings.warn(f"defop: redefining the op {name!r}; nodes made before keep the old definition",
                      UserWarning, stacklevel=2)
    rules.USER_OPS[name] = op
    return op


def _check_name(name: Any) -> None:
    if not isinstance(name, str):
        raise TypeError(f"defop's name must be a str, not {type(name).__name__}")
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"defop's name must be a Python identifier such as 'my_softplus', not {name!r}")
    builtin = {rules.SUM} | {n for r in rules.RULES for n in (r.name, r.method, *r.aliases)}
    if name in builtin:
        raise ValueError(f"defop's name {name!r} is a built-in op's: choose another, such as 'my_{name}'")


def _check_arity(name: str, arity: Any) -> int:
    if isinstance(arity, bool) or not isinstance(arity, int):
        raise TypeError(f"defop {name!r}: arity must be an int, not {type(arity).__name__}")
    if arity not in (1, 2):
        raise ValueError(f"defop {name!r}: arity must be 1 or 2 (ops take one or two inputs), got {arity}")
    return arity


def _arity(name: str, forward: Callable[..., Any]) -> int:
    """The number of ``forward``'s required positional parameters, if that is 1 or 2."""
    try:
        params = inspect.signature(forward).parameters.values()
    except (TypeError, ValueError):
        raise ValueError(f"defop {name!r}: forward's signature cannot be read: pass arity=1 or 2") from None
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        raise ValueError(f"defop {name!r}: forward takes *args: pass arity=1 or 2")
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    n = sum(1 for p in params if p.kind in positional and p.default is p.empty)
    if n not in (1, 2):
        raise ValueError(f"defop {name!r}: forward must take 1 or 2 inputs (ops take one or two), "
                         f"but it takes {n}")
    return n


def _check_takes(name: str, key: str, f: Callable[..., Any], n: int, what: str) -> None:
    """A TypeError if ``f`` cannot take ``n`` positional arguments (when that can be known)."""
    try:
        signature = inspect.signature(f)
    except (TypeError, ValueError):
        return
    try:
        signature.bind(*range(n))
    except TypeError:
        raise TypeError(f"defop {name!r}: {key} must take {n} arguments ({what}), "
                        f"but its signature is {signature}") from None


def _interval(name: str, pair: Any, where: str) -> tuple[float, float]:
    if isinstance(pair, (str, bytes)) or not isinstance(pair, Iterable):
        raise TypeError(f"defop {name!r}: {where} must be a pair (low, high), not {type(pair).__name__}")
    pair = tuple(pair)
    if len(pair) != 2:
        raise ValueError(f"defop {name!r}: {where} must be a pair (low, high), not {len(pair)} items")
    for x in pair:
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            raise TypeError(f"defop {name!r}: {where} must hold real numbers, not {type(x).__name__}")
    low, high = (_finite(name, x, where) for x in pair)
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"defop {name!r}: {where} must be finite with low < high, got {pair}")
    return low, high


def _domain(name: str, domain: Any, arity: int) -> tuple[tuple[float, float], ...]:
    """``domain`` as one interval per input: None, one pair for all inputs, or a pair per input."""
    if domain is None:
        return (DEFAULT_DOMAIN,) * arity
    if isinstance(domain, (str, bytes)) or not isinstance(domain, Iterable):
        raise TypeError(f"defop {name!r}: domain must be a pair (low, high) or one pair per input, "
                        f"not {type(domain).__name__}")
    items = tuple(domain)
    if items and all(isinstance(x, numbers.Real) for x in items):  # one pair for every input
        return (_interval(name, items, "domain"),) * arity
    if len(items) != arity:
        raise ValueError(f"defop {name!r}: domain must be a pair (low, high) or {arity} pairs, one per "
                         f"input, not {len(items)} items")
    return tuple(_interval(name, pair, f"domain[{i}]") for i, pair in enumerate(items))


def _kinks(name: str, kinks: Any) -> tuple[float, ...]:
    if isinstance(kinks, (str, bytes)) or not isinstance(kinks, Iterable):
        raise TypeError(f"defop {name!r}: kinks must be an iterable of numbers, not {type(kinks).__name__}")
    points = tuple(kinks)
    for x in points:
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            raise TypeError(f"defop {name!r}: kinks must be real numbers, not {type(x).__name__}")
        if not math.isfinite(_finite(name, x, "kinks")):
            raise ValueError(f"defop {name!r}: kinks must be finite, not {x!r}")
    return tuple(float(x) for x in points)


def _finite(name: str, x: numbers.Real, where: str) -> float:
    """``float(x)``, or a ValueError for a number past float's range (``10**400``), which
    ``float()`` and ``math.isfinite`` would raise as an OverflowError."""
    try:
        return float(x)
    except OverflowError:  # its digits may be too many to print (int's str limit): not shown
        raise ValueError(f"defop {name!r}: {where} must be finite, not a number too large for a "
                         "float (past ±1.8e308)") from None
