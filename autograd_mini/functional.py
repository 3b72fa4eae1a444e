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

from collections.abc import Callable, Sequence
from typing import Any

from .engine import Value, gradients

Argnums = int | Sequence[int]


def _check_argnums(argnums: Argnums, nargs: int) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for i in nums:
        if not isinstance(i, int) or isinstance(i, bool):
            raise TypeError(f"argnums must be ints, not {type(i).__name__}")
        if not -nargs <= i < nargs:
            raise ValueError(f"argnums {i} is out of range for a call with {nargs} arguments")
    return nums


def _as_input(x: Any, position: int) -> Value:
    if isinstance(x, Value):
        return x
    try:
        return Value(x)
    except TypeError:
        raise TypeError(
            f"argument {position} must be a real number or Value, not {type(x).__name__}") from None


def _call(f: Callable[..., Any], args: tuple[Any, ...],
          argnums: tuple[int, ...]) -> tuple[list[Value], Value, bool]:
    """Call f with every argument as a Value; return (the inputs at argnums, output, traced).

    ``traced`` is True when some argument already was a Value: then the caller is itself being
    differentiated (an enclosing ``grad``), and the results must be Values too.
    """
    traced = any(isinstance(x, Value) for x in args)
    values = [_as_input(x, i) for i, x in enumerate(args)]
    out = f(*values)
    if not isinstance(out, Value):
        raise TypeError(
            f"{getattr(f, '__name__', 'f')} must return a scalar Value, not {type(out).__name__}")
    return [values[i] for i in argnums], out, traced


def value_and_grad(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., tuple[Any, Any]]:
    """A function returning ``(f(*args), df/dargs[argnums])``.

    Every argument reaches ``f`` as a Value; the gradient is reported for those at ``argnums``
    (an int gives one gradient, a sequence a tuple of them).

    >>> value_and_grad(lambda x, y: x * y, argnums=(0, 1))(3.0, 4.0)
    (12.0, (4.0, 3.0))
    """

    def value_and_grad_f(*args: Any) -> tuple[Any, Any]:
        nums = _check_argnums(argnums, len(args))
        inputs, out, traced = _call(f, args, nums)
        grads = gradients(out, 1.0, differentiable=traced)
        results = tuple(grads.get(x, 0.0) for x in inputs)
        if traced:  # a constant gradient is a leaf to an enclosing grad: its derivative is 0
            results = tuple(g if isinstance(g, Value) else Value(g) for g in results)
        value = out if traced else out.data
        return value, results[0] if isinstance(argnums, int) else results

    value_and_grad_f.__name__ = f"value_and_grad({getattr(f, '__name__', 'f')})"
    return value_and_grad_f


def grad(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """A function returning the derivative of ``f`` with respect to ``args[argnums]``.

    >>> import math
    >>> round(grad(lambda x: x.sin())(0.0), 12), grad(lambda x, y: x / y, argnums=1)(1.0, 2.0)
    (1.0, -0.25)
    """
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

    def hessian_f(*args: Any) -> list[list[Any]]:
        nums = tuple(range(len(args)))
        inputs, out, traced = _call(f, args, nums)
        first = gradients(out, 1.0, differentiable=True)
        rows = []
        for x in inputs:
            gx = first.get(x, 0.0)
            second = gradients(gx, 1.0, differentiable=traced) if isinstance(gx, Value) else {}
            rows.append([second.get(y, 0.0) for y in inputs])
        return rows

    hessian_f.__name__ = f"hessian({getattr(f, '__name__', 'f')})"
    return hessian_f
