"""Check the engine's derivatives of a function against central finite differences.

For a scalar function f of n inputs, the numeric derivative with respect to input i is

    (f(x + eps * e_i) - f(x - eps * e_i)) / (2 * eps),

which is off from the true derivative by O(eps**2) (truncation) and O(ulp(f) / eps) (rounding).
An analytic derivative passes when ``|analytic - numeric| <= atol + rtol * |numeric|``, the test
of ``math.isclose``'s sibling ``numpy.allclose``, with PyTorch's ``gradcheck`` defaults.

>>> gradcheck(lambda x, y: (x * y).sin(), [0.5, 2.0])
True

On a mismatch both functions raise ``GradcheckError`` with a table of every derivative, the
failing ones marked. ``GradcheckError`` subclasses ``AssertionError``, so pytest and hypothesis
report it as a failed check (PyTorch's own ``GradcheckError`` subclasses ``RuntimeError``).
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

from ..engine import Value, gradients
from ..functional import hessian, value_and_grad
from .program import Program

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class GradcheckError(AssertionError):
    """An analytic derivative differs from its finite-difference estimate."""


def _point(inputs: Sequence[Any]) -> list[float]:
    """``inputs`` as a list of floats; a Value stands for its ``data``."""
    if isinstance(inputs, (str, bytes)) or not isinstance(inputs, Sequence):
        raise TypeError(f"inputs must be a sequence of real numbers, not {type(inputs).__name__}")
    if not inputs:
        raise ValueError("inputs must hold at least one number")
    point = []
    for i, x in enumerate(inputs):
        if isinstance(x, Value):
            x = x.data
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            raise TypeError(f"inputs[{i}] must be a real number or Value, not {type(x).__name__}")
        if not math.isfinite(x):  # no difference quotient at an infinite point
            raise ValueError(f"inputs[{i}] must be finite, not {x}")
        point.append(float(x))
    return point


def _check_arity(f: Callable[..., Any], n: int, name: str) -> None:
    """A ValueError if ``f`` cannot take ``n`` positional arguments (when that can be known)."""
    if isinstance(f, Program):
        fits = f.n_inputs == n
    else:
        try:
            signature = inspect.signature(f)
        except (TypeError, ValueError):  # no signature to read (some builtins): the call decides
            return
        try:
            signature.bind(*range(n))
            fits = True
        except TypeError:
            fits = False
    if not fits:
        raise ValueError(f"inputs holds {n} number{'s' * (n != 1)}, which {name} cannot take "
                         "as its positional arguments: pass one number per argument of f")


def _check_tolerances(f: Callable[..., Any], eps: float, atol: float, rtol: float) -> None:
    if not callable(f):
        raise TypeError(f"f must be callable, not {type(f).__name__}")
    for key, x in (("eps", eps), ("atol", atol), ("rtol", rtol)):
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            raise TypeError(f"{key} must be a real number, not {type(x).__name__}")
    if not 0.0 < eps < math.inf:
        raise ValueError(f"eps must be positive and finite, got {eps!r}")
    if not (atol >= 0.0 and rtol >= 0.0):
        raise ValueError(f"atol and rtol must be at least 0, got atol={atol!r}, rtol={rtol!r}")


def _prepare(f: Callable[..., Any], inputs: Sequence[Any], eps: float, atol: float,
             rtol: float) -> tuple[list[float], str]:
    """The checked arguments of gradcheck and gradgradcheck: the point, and f's name."""
    _check_tolerances(f, eps, atol, rtol)
    point = _point(inputs)
    name = getattr(f, "__name__", type(f).__name__)
    _check_arity(f, len(point), name)
    return point, name


def _scalar(out: Any, name: str) -> Any:
    """``out`` if f returned a Value or a real number (a constant); else a TypeError."""
    if isinstance(out, Value) or (isinstance(out, numbers.Real) and not isinstance(out, bool)):
        return out
    raise TypeError(f"{name} must return a scalar Value or real number, not {type(out).__name__}")


def _evaluate(f: Callable[..., Any], point: Sequence[float], name: str) -> float:
    """f at ``point`` as a float; f is given fresh leaves, so it may use Value methods."""
    out = _scalar(f(*[Value(x) for x in point]), name)
    return float(out.data if isinstance(out, Value) else out)


def _analytic_gradient(f: Callable[..., Any], point: Sequence[float], name: str) -> list[float]:
    xs = [Value(x) for x in point]
    out = _scalar(f(*xs), name)
    if not isinstance(out, Value):  # f ignored its inputs: every derivative is 0
        return [0.0] * len(xs)
    grads = gradients(out)
    return [float(grads.get(x, 0.0)) for x in xs]


def _central_difference(g: Callable[[list[float]], Any], point: list[float], i: int, eps: float) -> Any:
    """(g(x + eps e_i) - g(x - eps e_i)) / (2 eps); g may return a float or a list of floats."""
    up, down = list(point), list(point)
    up[i] += eps
    down[i] -= eps
    hi, lo = g(up), g(down)
    if isinstance(hi, list):
        return [(h - lw) / (2.0 * eps) for h, lw in zip(hi, lo)]
    return (hi - lo) / (2.0 * eps)


def _fails(analytic: float, numeric: float, atol: float, rtol: float) -> bool:
    if not (math.isfinite(analytic) and math.isfinite(numeric)):
        return True  # nan or inf: nothing to compare, so nothing is confirmed
    return abs(analytic - numeric) > atol + rtol * abs(numeric)


def _table(rows: list[tuple[str, float, float]], atol: float, rtol: float, header: str) -> str:
    """The error message: one row per derivative, ``<--`` marking those that fail."""
    lines = [header, f"{'input':>8} {'analytic':>16} {'numeric':>16} {'abs error':>10} {'rel error':>10}"]
    for index, a, n in rows:
        err = abs(a - n)
        rel = err / abs(n) if n != 0.0 else (0.0 if err == 0.0 else math.inf)
        mark = "  <--" if _fails(a, n, atol, rtol) else ""
        lines.append(f"{index:>8} {a:>16.9g} {n:>16.9g} {err:>10.3g} {rel:>10.3g}{mark}")
    return "\n".join(lines)


def _report(rows: list[tuple[str, float, float]], atol: float, rtol: float, raise_exception: bool,
            what: str, name: str, point: list[float], eps: float) -> bool:
    if not any(_fails(a, n, atol, rtol) for _, a, n in rows):
        return True
    if not raise_exception:
        return False
    header = (f"{what} of {name} at {tuple(point)} differ from central finite differences "
              f"(eps={eps:g}); <-- marks |analytic - numeric| > atol + rtol * |numeric| "
              f"with atol={atol:g}, rtol={rtol:g}, or a nan/inf")
    raise GradcheckError(_table(rows, atol, rtol, header))


def gradcheck(f: Callable[..., Any], inputs: Sequence[float], eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, *, raise_exception: bool = True) -> bool:
    """True if the engine's gradient of ``f`` at ``inputs`` matches central finite differences.

    ``f`` takes one Value per input and returns a scalar Value. Raises ``GradcheckError``
    with a table of the derivatives on a mismatch (or returns False if ``raise_exception`` is
    False), and also when ``f(inputs)`` is nan or inf, where a difference quotient means nothing.

    >>> gradcheck(lambda x: x.tanh() * x, [0.3])
    True
    >>> gradcheck(lambda x: x.data * x, [0.3])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    autograd_mini.testing.gradcheck.GradcheckError: gradients of <lambda> at (0.3,) differ ...
       input         analytic          numeric  abs error  rel error
           0              0.3              0.6        0.3        0.5  <--

    (``x.data`` is a float, so that factor is a constant to the engine: half the gradient is cut.)
    """
    point, name = _prepare(f, inputs, eps, atol, rtol)
    value = _evaluate(f, point, name)
    if not math.isfinite(value):
        raise GradcheckError(f"{name}{tuple(point)} is {value}: gradcheck needs a point where f is finite")
    analytic = _analytic_gradient(f, point, name)
    rows = []
    for i in range(len(point)):
        numeric = _central_difference(lambda p: _evaluate(f, p, name), point, i, eps)
        rows.append((str(i), analytic[i], numeric))
    return _report(rows, atol, rtol, raise_exception, "gradients", name, point, eps)


def _analytic_hessian(f: Callable[..., Any], point: Sequence[float],
                      name: str) -> tuple[list[float], list[list[float]]]:
    """The ``create_graph`` gradient's values and, by differentiating it once more, the Hessian."""
    n = len(point)
    if not isinstance(_scalar(f(*[Value(x) for x in point]), name), Value):
        return [0.0] * n, [[0.0] * n for _ in range(n)]
    # Given Values, value_and_grad takes the create_graph path (its results are Values).
    _, first = value_and_grad(f, tuple(range(n)))(*[Value(x) for x in point])
    rows = hessian(f)(*point)
    return [float(g.data) for g in first], [[float(h) for h in row] for row in rows]


def gradgradcheck(f: Callable[..., Any], inputs: Sequence[float], eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, *, raise_exception: bool = True) -> bool:
    """True if the engine's second derivatives of ``f`` match finite differences of its gradient.

    The analytic Hessian ``H[i][j] = d2f / dx_i dx_j`` is ``autograd_mini.hessian``'s:
    ``create_graph``-style gradients (``gradients(..., differentiable=True)``) differentiated
    again. Each column j is compared with ``(grad f(x + eps e_j) - grad f(x - eps e_j)) / (2 eps)``,
    the first-order gradients computed by the float fast path, which ``gradcheck`` checks first.
    The table of a failure lists the ``create_graph`` gradient itself (rows ``i``), then the
    Hessian (rows ``i,j``).

    >>> gradgradcheck(lambda x, y: x * x * y.exp(), [0.5, -1.0])
    True
    """
    point, name = _prepare(f, inputs, eps, atol, rtol)
    # Second derivatives of a wrong gradient mean little: check the gradient first.
    if not gradcheck(f, point, eps, atol, rtol, raise_exception=raise_exception):
        return False
    first, hessian = _analytic_hessian(f, point, name)
    rows = [(str(i), first[i], _central_difference(lambda p: _evaluate(f, p, name), point, i, eps))
            for i in range(len(point))]
    for j in range(len(point)):
        column = _central_difference(lambda p: _analytic_gradient(f, p, name), point, j, eps)
        rows += [(f"{i},{j}", hessian[i][j], column[i]) for i in range(len(point))]
    return _report(rows, atol, rtol, raise_exception, "second derivatives", name, point, eps)
