"""Derivatives of Python functions, in the style of HIPS autograd and JAX.

``grad(f)`` is a function computing the gradient of ``f``; it nests, so ``grad(grad(f))`` is
the second derivative. Arguments may be floats or Values: given floats, the results are
floats; given Values (as when nested inside another ``grad``), the results are Values whose
graphs can be differentiated again.

>>> f = lambda x: x ** 3
>>> grad(f)(2.0), grad(grad(f))(2.0)
(12.0, 12.0)
"""

from __future__ import annotations

import numbers
import threading
from collections.abc import Callable, Sequence
from typing import Any

from ._lift import number as _number
from .engine import Value, gradients
from .engine import sum as _sum

Argnums = int | Sequence[int]


class _Tracing(threading.local):
    depth = 0  # how many grad/hessian calls of this thread are running their function


_tracing = _Tracing()


def _check_function(f: Any, name: str) -> None:
    if not callable(f):
        raise TypeError(f"{name}() takes a function, not {type(f).__name__}")


def _check_argnums(argnums: Any) -> tuple[int, ...]:
    """``argnums`` as a non-empty tuple of ints (``numpy`` ints too, never bools)."""
    if isinstance(argnums, numbers.Integral) and not isinstance(argnums, bool):
        return (int(argnums),)
    if not isinstance(argnums, Sequence) or isinstance(argnums, str):
        raise TypeError(f"argnums must be an int or a sequence of ints, not {type(argnums).__name__}")
    nums = tuple(argnums)
    if not nums:
        raise ValueError("argnums must name at least one argument")
    for i in nums:
        if not isinstance(i, numbers.Integral) or isinstance(i, bool):
            raise TypeError(f"argnums must be ints, not {type(i).__name__}")
    return tuple(int(i) for i in nums)


def _in_range(nums: tuple[int, ...], nargs: int) -> None:
    for i in nums:
        if not -nargs <= i < nargs:
            raise ValueError(f"argnums {i} is out of range for a call with {nargs} arguments")


def _as_input(x: Any, position: int) -> Value:
    if isinstance(x, Value):
        # A fresh node per argument (a one-term sum: value x, local derivative 1), so that the
        # same Value passed twice still gets a gradient per position, as in JAX.
        return _sum((x,))
    try:
        return Value(x)
    except TypeError:
        raise TypeError(
            f"argument {position} must be a real number or Value, not {type(x).__name__}") from None


def _call(f: Callable[..., Any], args: tuple[Any, ...],
          argnums: tuple[int, ...]) -> tuple[list[Value], Value, bool]:
    """Call f with every argument as a Value; return (the inputs at argnums, output, traced).

    ``traced`` is True when an enclosing ``grad`` is differentiating this call: some argument
    is already a Value, or this thread is inside another ``grad``'s function (which may close
    over its Values). Then the results must be Values too.
    """
    _in_range(argnums, len(args))
    traced = _tracing.depth > 0 or any(isinstance(x, Value) for x in args)
    values = [_as_input(x, i) for i, x in enumerate(args)]
    _tracing.depth += 1
    try:
        out = f(*values)
    finally:
        _tracing.depth -= 1
    if not isinstance(out, Value):
        # A number: f does not depend on its inputs, so every derivative is 0 (as in JAX and
        # HIPS autograd). A leaf stands for it; a bool stays an error, as for Value().
        c = None if isinstance(out, bool) else _number(out)
        if c is None:
            raise TypeError(f"{getattr(f, '__name__', 'f')} must return a scalar Value or a real "
                            f"number, not {type(out).__name__}")
        out = Value(c)
    return [values[i] for i in argnums], out, traced


def _as_value(g: Any) -> Value:
    """A derivative as a Value for an enclosing grad: a constant becomes a leaf (derivative 0)."""
    return g if isinstance(g, Value) else Value(g)


def value_and_grad(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., tuple[Any, Any]]:
    """A function returning ``(f(*args), df/dargs[argnums])``.

    Every argument reaches ``f`` as a Value; the gradient is reported for those at ``argnums``
    (an int gives one gradient, a sequence a tuple of them). An ``f`` returning a plain number
    (``lambda x: 1.0``) does not depend on its arguments: its value is that number (as a
    float) and its gradients are 0.0, as in JAX; ``hessian`` then gives zeros.

    >>> value_and_grad(lambda x, y: x * y, argnums=(0, 1))(3.0, 4.0)
    (12.0, (4.0, 3.0))
    """

    _check_function(f, "value_and_grad")
    nums = _check_argnums(argnums)

    def value_and_grad_f(*args: Any) -> tuple[Any, Any]:
        inputs, out, traced = _call(f, args, nums)
        grads = gradients(out, 1.0, differentiable=traced)
        results = tuple(grads.get(x, 0.0) for x in inputs)
        if traced:
            results = tuple(_as_value(g) for g in results)
        value = out if traced else out.data
        return value, results[0] if isinstance(argnums, numbers.Integral) else results

    value_and_grad_f.__name__ = f"value_and_grad({getattr(f, '__name__', 'f')})"
    return value_and_grad_f


def grad(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """A function returning the derivative of ``f`` with respect to ``args[argnums]``.

    >>> round(grad(lambda x: x.sin())(0.0), 12), grad(lambda x, y: x / y, argnums=1)(1.0, 2.0)
    (1.0, -0.25)
    """
    _check_function(f, "grad")
    vg = value_and_grad(f, argnums)

    def grad_f(*args: Any) -> Any:
        return vg(*args)[1]

    grad_f.__name__ = f"grad({getattr(f, '__name__', 'f')})"
    return grad_f


def hessian(f: Callable[..., Any]) -> Callable[..., list[list[Any]]]:
    """A function returning the matrix of second derivatives of ``f`` in all its arguments.

    >>> hessian(lambda x, y: x * x * y)(1.0, 2.0)
    [[4.0, 2.0], [2.0, 0.0]]
    """

    _check_function(f, "hessian")

    def hessian_f(*args: Any) -> list[list[Any]]:
        nums = tuple(range(len(args)))
        inputs, out, traced = _call(f, args, nums)
        first = gradients(out, 1.0, differentiable=True)
        rows = []
        for x in inputs:
            gx = first.get(x, 0.0)
            second = gradients(gx, 1.0, differentiable=traced) if isinstance(gx, Value) else {}
            row = [second.get(y, 0.0) for y in inputs]
            rows.append([_as_value(h) for h in row] if traced else row)
        return rows

    hessian_f.__name__ = f"hessian({getattr(f, '__name__', 'f')})"
    return hessian_f
