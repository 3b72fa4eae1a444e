"""``compile``: trace a scalar function once, then replay its graph with new numbers.

A training loop builds the same graph at every step; only the numbers change. ``compile(f,
*example_args)`` runs ``f`` once on Values (a *trace*, see ``tracing``), keeps the graph it
built as a program, and returns a ``Compiled`` that runs that program on plain numbers: no
Value is made per scalar any more. This is what ``torch.compile`` and ``jax.jit`` do, in
miniature.

>>> import autograd_mini as am
>>> def f(x, ws):
...     return am.sum([w * x for w in ws]).tanh()
>>> cf = am.compile(f, 0.5, [1.0, 2.0], backend="python")
>>> round(cf(0.5, [1.0, 2.0]), 6), round(cf(1.0, [0.1, 0.2]), 6)
(0.905148, 0.291313)
>>> value, grads = cf.value_and_grad(1.0, [0.1, 0.2], argnums=1)
>>> [round(g, 6) for g in grads]
[0.915137, 0.915137]

**Arguments** are numbers or flat sequences of numbers (lists, tuples, 1-d numpy arrays); a
call must pass the same kinds and lengths as the example, else a TypeError or ValueError names
the argument. A Value (or a sequence of Values) passed as an example is itself the traced input:
``f`` may reach it some other way too (a model's parameters, read through the model). Values
``f`` reaches that are not arguments are constants, frozen at their value at trace time.

**Backends.** ``"python"`` writes the graph out as straight-line Python, one line per node and
per edge, each the rule table's formula (on floats, as ``ops.py``), and gives the engine's very
numbers. ``"numpy"`` groups the nodes by level and op and runs one vectorized call per group
(the same formulas, on arrays: ``_replay_numpy``). ``"auto"`` is numpy when it is installed.
``cf.source()`` shows the program.

**Guards.** A trace records ops, not Python: a branch on a Value's number (``if x > 0``) is
taken once. Every such decision is recorded as a guard (see ``tracing``) and checked on each
call; when one flips, ``on_guard="retrace"`` (the default) traces ``f`` again at the new
arguments (``stats.retraces`` counts them), ``on_guard="raise"`` raises ``GuardError``.
"""

from __future__ import annotations

import inspect
import numbers
import threading
import time
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Any

from . import _replay_python
from ._lift import number
from ._replay_python import GuardFailedError
from .engine import Value
from .functional import _check_argnums, _in_range
from .tracing import Detached, Graph, trace

__all__ = ["BACKENDS", "Compiled", "GuardError", "Stats", "compile"]

BACKENDS = ("auto", "numpy", "python")


class GuardError(RuntimeError):
    """A branch taken while tracing would go the other way at these arguments."""


@dataclass
class Stats:
    """What was traced and how long it took. ``nodes`` are op nodes, ``edges`` the operands that
    carry a gradient, ``levels`` the longest chain of nodes; ``frozen`` counts leaves outside the
    arguments, replayed as constants."""

    backend: str
    nodes: int
    edges: int
    levels: int
    inputs: int
    guards: int
    frozen: int
    trace_seconds: float
    compile_seconds: float
    retraces: int = 0


@dataclass(frozen=True)
class _Spec:
    name: str
    size: int | None  # None for a number, else the length of a sequence
    values: tuple[Value, ...] | None  # the caller's own Values, if the example held Values


def _numpy() -> Any:
    try:
        import numpy
    except ImportError:
        return None
    return numpy


def _names(f: Callable[..., Any], n: int) -> list[str]:
    try:
        params = [p for p in inspect.signature(f).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    return [f"argument {i} ({params[i].name})" if i < len(params) else f"argument {i}" for i in range(n)]


def _is_sequence(x: Any) -> bool:
    return hasattr(x, "__len__") and hasattr(x, "__getitem__") and not isinstance(
        x, (str, bytes, Mapping, Set))


def _scalar(x: Any, where: str) -> float:
    if isinstance(x, Value):
        return x.data
    f = number(x)
    if f is None:
        raise TypeError(f"{where} must be a real number, not {type(x).__name__}")
    return f


def _distinct(made: list[tuple[_Spec, Any, list[Value]]]) -> None:
    """ValueError if one Value is passed as two example arguments (or in two of them): it would
    be one leaf for two inputs, and the second would shadow the first."""
    seen: dict[Value, str] = {}
    for spec, _, _leaves in made:
        for leaf in spec.values or ():
            if leaf in seen:
                raise ValueError(f"{spec.name} and {seen[leaf]} are the same Value: each input "
                                 "must be its own leaf (pass a number, or a Value of its own)")
            seen[leaf] = spec.name


def _example(x: Any, name: str) -> tuple[_Spec, Any, list[Value]]:
    """The spec of one example argument, what ``f`` gets for it, and its input leaves."""
    if isinstance(x, Value) or not _is_sequence(x):
        leaf = _own_leaf(x, name) if isinstance(x, Value) else Value(_scalar(x, name))
        return _Spec(name, None, (leaf,) if isinstance(x, Value) else None), leaf, [leaf]
    items = list(x) if getattr(x, "ndim", 1) == 1 else None
    if items is None:
        raise TypeError(f"{name} must be a number or a flat sequence of numbers, not a "
                        f"{getattr(x, 'ndim', '?')}-d array")
    if items and all(isinstance(v, Value) for v in items):
        leaves = [_own_leaf(v, f"{name}[{i}]") for i, v in enumerate(items)]
        if len(set(leaves)) != len(leaves):
            raise ValueError(f"{name} holds the same Value twice: each input must be its own leaf")
        return _Spec(name, len(leaves), tuple(leaves)), leaves, leaves
    leaves = []
    for i, v in enumerate(items):
        if _is_sequence(v):
            raise TypeError(f"{name} must be a flat sequence of numbers: {name}[{i}] is a "
                            f"{type(v).__name__} (flatten it, and rebuild the rows inside f)")
        leaves.append(Value(_scalar(v, f"{name}[{i}]")))
    return _Spec(name, len(leaves), None), leaves, leaves


def _flatten_python(args: tuple[Any, ...], specs: list[_Spec]) -> list[float]:
    """The arguments as one list of floats; errors name the argument."""
    x: list[float] = []
    for arg, spec in zip(args, specs):
        if spec.size is None:
            if _is_sequence(arg):
                raise TypeError(f"{spec.name} must be a number, as when compiled, not a "
                                f"{type(arg).__name__}")
            x.append(arg if type(arg) is float else _scalar(arg, spec.name))
            continue
        if not _is_sequence(arg):
            raise TypeError(f"{spec.name} must be a sequence of {spec.size} numbers, as when "
                            f"compiled, not {type(arg).__name__}")
        if len(arg) != spec.size:
            raise ValueError(f"{spec.name} must have {spec.size} numbers, as when compiled, "
                             f"got {len(arg)}")
        start = len(x)
        x.extend(arg)
        for i in range(start, len(x)):
            if type(x[i]) is not float:
                x[i] = _scalar(x[i], f"{spec.name}[{i - start}]")
    return x


def _flatten_numpy(args: tuple[Any, ...], specs: list[_Spec]) -> Any:
    """The arguments as one float64 array; errors name the argument."""
    import numpy as np

    x = np.empty(sum(1 if s.size is None else s.size for s in specs))
    k = 0
    for arg, spec in zip(args, specs):
        if spec.size is None:
            if _is_sequence(arg):
                raise TypeError(f"{spec.name} must be a number, as when compiled, not a {type(arg).__name__}")
            x[k] = arg if type(arg) is float else _scalar(arg, spec.name)
            k += 1
            continue
        if not _is_sequence(arg):
            raise TypeError(f"{spec.name} must be a sequence of {spec.size} numbers, as when compiled, "
                            f"not {type(arg).__name__}")
        try:
            a = arg if type(arg) is np.ndarray else np.asarray(arg)
        except (ValueError, TypeError):  # ragged, or odd items: let the items say what is wrong
            a = np.asarray([_scalar(e, f"{spec.name}[{i}]") for i, e in enumerate(arg)], dtype=float)
        if a.ndim != 1:
            raise TypeError(f"{spec.name} must be a flat sequence of numbers, not a {a.ndim}-d one")
        if len(a) != spec.size:
            raise ValueError(f"{spec.name} must have {spec.size} numbers, as when compiled, got {len(a)}")
        if a.dtype.kind not in "fiu":
            a = np.asarray([_scalar(e, f"{spec.name}[{i}]") for i, e in enumerate(arg)], dtype=float)
        x[k:k + spec.size] = a
        k += spec.size
    return x


def _own_leaf(v: Value, where: str) -> Value:
    if not v.is_leaf:
        raise ValueError(f"{where} is a Value made by an op; pass numbers, or leaves (Value(x))")
    return v


def compile(f: Callable[..., Any], *example_args: Any, backend: str = "auto",
            on_guard: str = "retrace", has_aux: bool = False) -> Compiled:
    """Trace ``f`` on ``example_args`` and return a ``Compiled`` that replays it (see the module
    docstring). ``f`` takes numbers or flat sequences of numbers, as Values, and returns a
    scalar Value (or a number, if it does not depend on them).

    >>> import autograd_mini as am
    >>> cf = am.compile(lambda x, y: x * y + x.sin(), 1.0, 2.0, backend="python")
    >>> cf(0.0, 3.0), cf.value_and_grad(0.0, 3.0, argnums=(0, 1))
    (0.0, (0.0, (4.0, 0.0)))
    """
    if not callable(f):
        raise TypeError(f"compile() takes a function, not {type(f).__name__}")
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if on_guard not in ("retrace", "raise"):
        raise ValueError(f"on_guard must be 'retrace' or 'raise', got {on_guard!r}")
    np = _numpy()
    if backend == "auto":
        backend = "numpy" if np is not None else "python"
    if backend == "numpy" and np is None:
        raise ImportError("backend='numpy' needs numpy: pip install 'autograd_mini[numpy]', "
                          "or use backend='python'")
    if not isinstance(has_aux, bool):
        raise TypeError(f"has_aux must be a bool, not {type(has_aux).__name__}")
    return Compiled(f, example_args, backend, on_guard, has_aux)


class Compiled:
    """``f`` traced once; call it with new numbers (see ``compile``).

    - ``cf(*args)``: the value, a float;
    - ``cf.value_and_grad(*args, argnums=0)``: the value and the gradient in the arguments at
      ``argnums`` (an int gives one gradient, a sequence a tuple), each shaped like its
      argument: a float for a number, a list of floats for a sequence (a numpy array for an
      array, with the numpy backend);
    - with ``has_aux=True``, ``f`` returns ``(output, aux)``, aux a Value or a list of Values
      (or of lists of them) replayed too, without gradient: the value is then ``(output, aux)``
      (``fit`` reads its outputs this way);
    - ``cf.source(grad=False)``: the replay program as text;
    - ``cf.stats``: nodes, levels, guards, trace and compile time, retraces.

    Calls are serialized by a lock: a Compiled reuses its buffers.
    """

    def __init__(self, f: Callable[..., Any], example_args: Sequence[Any], backend: str,
                 on_guard: str, has_aux: bool = False) -> None:
        self.f, self.backend, self.on_guard, self.has_aux = f, backend, on_guard, has_aux
        self._shape: Any = None
        self._name = getattr(f, "__name__", "f")
        names = _names(f, len(example_args))
        made = [_example(x, name) for x, name in zip(example_args, names)]
        _distinct(made)
        self._specs = [spec for spec, _, _ in made]
        self._lock = threading.Lock()
        self._retraces = 0
        self._trace([arg for _, arg, _ in made], [leaf for _, _, leaves in made for leaf in leaves])

    # -- tracing and building -------------------------------------------------------------------
    def _trace(self, args: list[Any], inputs: list[Value]) -> None:
        t0 = time.perf_counter()
        graph, out = trace(self.f, args, inputs, self._split_aux if self.has_aux else None)
        if not isinstance(out, Value):
            c = number(out)
            if c is None:
                raise TypeError(f"{self._name} must return a scalar Value or a real number, "
                                f"not {type(out).__name__}")
            graph.output = c
        t1 = time.perf_counter()
        self._graph = graph
        if self.backend == "numpy":
            from ._replay_numpy import NumpyReplay
            self._replay: Any = NumpyReplay(graph)
        else:
            self._replay = _PythonReplay(graph)
        t2 = time.perf_counter()
        edges = getattr(self._replay, "n_edges", None)
        if edges is None:
            edges = _edges(graph)
        self.stats = Stats(self.backend, len(graph.ops), edges, _levels(graph), graph.n_inputs,
                           len(graph.guards), graph.frozen, t1 - t0, t2 - t1, self._retraces)

    def _split_aux(self, result: Any) -> tuple[Any, list[Any]]:
        """``f``'s ``(output, aux)``: aux is a Value or number, or a list of them, or a list of
        such lists; kept flat, with its shape to rebuild."""
        if not (isinstance(result, tuple) and len(result) == 2):
            raise TypeError(f"{self._name} must return a pair (output, aux) with has_aux=True")
        out, aux = result
        if isinstance(aux, (list, tuple)):
            shape = [len(a) if isinstance(a, (list, tuple)) else None for a in aux]
            flat = [y for a in aux for y in (a if isinstance(a, (list, tuple)) else [a])]
        else:
            shape, flat = None, [aux]
        for y in flat:
            if not isinstance(y, Value) and number(y) is None:
                raise TypeError(f"{self._name}'s aux must hold Values and numbers, not {type(y).__name__}")
        self._shape = shape
        return out, flat

    def _rebuild(self, flat: list[float]) -> Any:
        if self._shape is None:
            return flat[0]
        out, k = [], 0
        for n in self._shape:
            out.append(flat[k] if n is None else flat[k:k + n])
            k += 1 if n is None else n
        return out

    def _retrace(self, flat: Sequence[float]) -> None:
        args: list[Any] = []
        inputs: list[Value] = []
        k = 0
        saved: list[tuple[Value, float]] = []
        for spec in self._specs:
            n = 1 if spec.size is None else spec.size
            if spec.values is not None:  # the caller's Values: traced with the new numbers
                leaves = list(spec.values)
                for v, x in zip(leaves, flat[k:k + n]):
                    saved.append((v, v.data))
                    v.data = float(x)
            else:
                leaves = [Value(float(x)) for x in flat[k:k + n]]
            k += n
            inputs += leaves
            args.append(leaves[0] if spec.size is None else leaves)
        self._retraces += 1
        try:
            self._trace(args, inputs)
        finally:
            for v, x in saved:
                v.data = x

    # -- calling ----------------------------------------------------------------------------------
    def _flatten(self, args: tuple[Any, ...]) -> Any:
        specs = self._specs
        if len(args) != len(specs):
            raise TypeError(f"{self._name} was compiled for {len(specs)} argument"
                            f"{'s' * (len(specs) != 1)}, got {len(args)}")
        if self.backend == "numpy":
            return _flatten_numpy(args, specs)
        return _flatten_python(args, specs)

    def _run(self, method: str, args: tuple[Any, ...]) -> Any:
        x = self._flatten(args)
        with self._lock:
            for _ in range(100):
                try:
                    return getattr(self._replay, method)(x)
                except GuardFailedError as e:
                    guard = self._graph.guards[e.index]
                    if self.on_guard == "raise":
                        raise GuardError(self._guard_message(guard, x)) from None
                    self._retrace(list(self._replay.as_list(x)))
            raise GuardError(f"{self._name}: its guards kept failing after 100 retraces")

    def _guard_message(self, guard: Any, x: Any) -> str:
        where = f" (decided at {guard.where})" if guard.where else ""
        values = self._replay.slot_values(x, [guard.lhs, guard.rhs])
        shown = f"{values[0]!r} {guard.op} {values[1]!r}"
        return (f"{self._name}: a branch taken while tracing goes the other way at these arguments: "
                f"{shown} is {not guard.expected}, was {guard.expected} when traced{where}. Use "
                "on_guard='retrace', or write the branch as an op (relu, abs, ...)")

    def __call__(self, *args: Any) -> Any:
        if self.has_aux:
            value, aux = self._run("forward", args)
            return float(value), self._rebuild(aux)
        return float(self._run("forward", args))

    def value_and_grad(self, *args: Any, argnums: int | Sequence[int] = 0) -> tuple[Any, Any]:
        """``(f(*args), df/dargs[argnums])``, each gradient shaped like its argument (a list for a
        sequence; a numpy array for an array, with the numpy backend). With
        ``has_aux``, the value is ``(output, aux)``, as in JAX."""
        nums = _check_argnums(argnums)
        _in_range(nums, len(self._specs))
        nums = tuple(i % len(self._specs) for i in nums)  # -1 is the last argument, as for grad
        value, grads = self._run("value_and_grad", args)
        offsets = [0]
        for spec in self._specs:
            offsets.append(offsets[-1] + (1 if spec.size is None else spec.size))
        shaped = []
        for i in nums:
            spec, k = self._specs[i], offsets[i]
            size = spec.size
            if size is None:
                shaped.append(float(grads[k]))
            elif type(args[i]).__name__ == "ndarray" and type(grads).__name__ == "ndarray":
                shaped.append(grads[k:k + size])  # an array in, an array out (numpy backend)
            else:
                shaped.append(self._replay.as_list(grads[k:k + size]))
        result = (float(value[0]), self._rebuild(value[1])) if self.has_aux else float(value)
        return result, shaped[0] if isinstance(argnums, numbers.Integral) else tuple(shaped)

    def source(self, grad: bool = False) -> str:
        """The replay program: the forward pass, or with ``grad=True`` forward and backward."""
        return self._replay.source(grad)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        s = self.stats
        return (f"<compiled {self._name}: {s.nodes:,} nodes, {s.levels} levels, {s.guards} guards, "
                f"{s.backend} backend>")


def _levels(graph: Graph) -> int:
    """The longest chain of nodes: the deepest slot's level (the trace records them)."""
    return max(graph.slot_levels, default=0)


def _edges(graph: Graph) -> int:
    """The operands that carry a gradient: the slots among the operands of backward's nodes."""
    args = graph.args
    if len(graph.grad_order) == len(args):  # every node: count them all at once
        return sum(type(x) is int for row in args for x in row)
    return sum(type(x) is int for i in graph.grad_order for x in args[i])


class _PythonReplay:
    """The python backend behind a Compiled: lists of floats in and out."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._forward: Callable[[Any], Any] | None = None
        self._value_and_grad: Callable[[Any], Any] | None = None

    def as_list(self, x: Any) -> list[float]:
        return list(x)

    def slot_values(self, x: Any, operands: list[Any]) -> list[float]:
        values = _replay_python.slot_values(self.graph, x)
        return [values[o] if type(o) is int else values[o.slot] if isinstance(o, Detached) else o
                for o in operands]

    def forward(self, x: list[float]) -> float:
        if self._forward is None:
            self._forward = _replay_python.build(self.graph, grad=False)
        return self._forward(x)  # type: ignore[no-any-return]

    def value_and_grad(self, x: list[float]) -> tuple[float, list[float]]:
        if self._value_and_grad is None:
            self._value_and_grad = _replay_python.build(self.graph, grad=True)
        return self._value_and_grad(x)  # type: ignore[no-any-return]

    def source(self, grad: bool) -> str:
        return _replay_python.source(self.graph, grad)

