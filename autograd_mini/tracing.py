"""Tracing: run a function once on Values and keep its graph as a program, with its guards.

``trace(f, args)`` calls ``f`` on fresh leaves (or on the Values passed), then walks the graph
it built from the output back and records it as a ``Graph``: per node, its op and its operands
as input or node slots and constants, in an order the engine itself would use. The replay
backends (``_replay_python``, ``_replay_numpy``) turn a Graph into code; ``compiler`` ties them
together.

**What a trace cannot see, and how it is caught.** A trace records ops, not Python: ``if x > 0``
runs once, and the branch taken is baked into the graph. So while ``f`` runs, every decision
that reads a Value's number is recorded as a *guard*, a comparison that held at trace time and
that replay checks again:

- ``bool(v)`` and ``v < w``, ``v <= 0``, ... on Values;
- comparisons of a number read from ``v.data`` (``if z.data > 0``, ``max(z.data for z in zs)``):
  while tracing, ``v.data`` read from outside the engine is a ``TracedFloat``, a float that
  remembers its node. Its comparisons are guards, and arithmetic on it (``+ - * / ** % //``,
  ``-``, ``abs``) builds detached nodes, so that a number computed from data and used as a
  constant operand (``z - m`` with ``m = max(z.data ...)``) is replayed as that node's new
  value, not frozen at its trace-time value. Like ``detach()``, it carries no gradient.

Ops with kinks (``relu``, ``abs``) are ops, not branches: they need no guard, and neither do
their derivatives, which are ops too (``step``, ``sign``, ``dleaky_relu``, ``//``), so that a
gradient taken inside ``f`` (``grad(f)``, a gradient penalty, ``backward(create_graph=True)``)
is replayed for new inputs. The few choices a derivative formula still makes on numbers (``**``'s
at ``b == 0`` and ``a == 0``) go through ``_lift.holds``, whose hook makes them guards. What stays frozen
at its trace-time value: Values ``f`` reaches that are not among its arguments (a model's
parameters not passed in), nodes made under ``no_grad`` inside ``f``, and numbers taken from
``.data`` some other way (``math.exp(z.data)``, ``int(z.data)``, formatting).

How it is done without a hook in the engine: for the length of the call (and in the tracing
thread only), ``Value.__bool__``, the four comparisons and ``detach`` are wrapped, and ``data``
becomes a property over its slot; everything is put back when ``f`` returns. Other threads
still see plain results while a trace runs (paying for the property). Nodes are made by the
engine's own ops, so a trace holds exactly the numbers the interpreter computes.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from . import _lift
from .engine import Value, _fast_order

__all__ = ["Detached", "Graph", "GuardRecord", "TracedFloat", "engine_order", "trace", "unguarded"]


class Detached(NamedTuple):
    """An operand that is a node's value taken as a constant: no gradient flows through it."""

    slot: int


#: An operand in a Graph: a slot (an input or a node, differentiable), Detached, or a constant.
Operand = int | Detached | float


@dataclass
class GuardRecord:
    """``lhs op rhs`` was ``expected`` at trace time (op is <, <=, >, >=, == or !=)."""

    lhs: Operand
    op: str
    rhs: Operand
    expected: bool
    where: str = ""  # the source line that decided, for messages


@dataclass
class Graph:
    """A traced program. Slots ``0 .. n_inputs-1`` are the inputs (the arguments flattened);
    slot ``n_inputs + i`` is node ``i``. Nodes are in a topological order; ``grad_order`` lists
    the nodes backward visits, in the order the engine's ``backward()`` visits them, so that a
    replay can add gradients up in the engine's order (and get its very numbers)."""

    n_inputs: int
    ops: list[Any] = field(default_factory=list)  # per node: op name (an OpName for defop ops)
    args: list[tuple[Operand, ...]] = field(default_factory=list)  # per node: operands as written
    output: Operand = 0.0
    grad_order: list[int] = field(default_factory=list)  # node indices, backward's visiting order
    guards: list[GuardRecord] = field(default_factory=list)
    values: list[float] = field(default_factory=list)  # every slot's value at trace time
    aux: list[Operand] = field(default_factory=list)  # more outputs, replayed without gradient
    frozen: int = 0  # leaves outside the arguments, kept as constants
    levels: list[int] = field(default_factory=list)  # per slot: 0 for an input, else 1 + its
    # operands' (slots' and Detached's) deepest level

    @property
    def slot_levels(self) -> list[int]:
        """Every slot's level (``levels``, computed here if the Graph was made without it)."""
        if len(self.levels) != self.n_slots:
            level = [0] * self.n_slots
            n = self.n_inputs
            for i, args in enumerate(self.args):
                level[n + i] = 1 + max([level[x] for x in args if type(x) is int]
                                       + [level[x.slot] for x in args if isinstance(x, Detached)],
                                       default=0)
            self.levels = level
        return self.levels

    @property
    def n_slots(self) -> int:
        return self.n_inputs + len(self.ops)


# -- recording while f runs -------------------------------------------------------------------
class _Trace:
    """What one call of ``f`` showed: guards, detached copies, and numbers read from data."""

    def __init__(self) -> None:
        self.guards: list[tuple[Any, str, Any, bool, str]] = []
        self.detached: dict[Value, Value] = {}  # a leaf made by detach() -> its source
        self.pending: list[tuple[float, Value]] = []  # TracedFloats the engine just read
        self.bound: dict[Value, list[tuple[float, Value]]] = {}  # node -> (constant, source)


class _Local(threading.local):
    trace: _Trace | None = None
    unguarded = 0  # how many unguarded() blocks are open in this thread


_local = _Local()
_lock = threading.Lock()
_installed = [0]  # how many traces are running (in any thread)
_saved: dict[str, Any] = {}
_member = Value.__dict__["data"]  # the slot's own descriptor

#: Modules whose reads of ``.data`` are the engine's own arithmetic: they get plain floats.
INTERNAL = frozenset({"autograd_mini.engine", "autograd_mini.ops", "autograd_mini._lift",
                      "autograd_mini.userops", "autograd_mini.functional", __name__})


def _caller_line(depth: int = 2) -> str:
    frame = sys._getframe(depth)
    while frame is not None and frame.f_globals.get("__name__") in INTERNAL:
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return ""
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def _guard(lhs: Any, op: str, rhs: Any, result: Any) -> None:
    t = _local.trace
    if t is not None and type(result) is bool and not _local.unguarded:
        t.guards.append((lhs, op, rhs, result, _caller_line(3)))


@contextlib.contextmanager
def unguarded() -> Iterator[None]:
    """A block whose comparisons are not guards: for a choice that changes how a result is
    computed but not the result, so that a replay may keep the trace-time choice.

    The shift ``m = max(z)`` of a stable logsumexp is one: ``m + log(sum(e^(z - m)))`` is the
    same for any ``m``, and the max only keeps the exponentials from overflowing. Under
    ``unguarded()``, a replay subtracts the value the trace-time argmax has now instead of
    retracing whenever another logit becomes the largest (it would overflow only if a logit
    exceeded that one by more than about 709). Outside a trace it does nothing.

    >>> with unguarded():
    ...     max(1.0, 2.0)
    2.0
    """
    _local.unguarded += 1
    try:
        yield
    finally:
        _local.unguarded -= 1


class TracedFloat(float):
    """A float read from ``node.data`` while tracing: comparisons become guards, arithmetic
    builds detached nodes (see the module docstring). Otherwise it is its number."""

    __slots__ = ("node",)
    node: Value

    def __new__(cls, x: float, node: Value) -> TracedFloat:
        self = super().__new__(cls, x)
        self.node = node
        return self

    def __float__(self) -> float:
        t = _local.trace
        if t is not None and sys._getframe(1).f_globals.get("__name__") in INTERNAL:
            t.pending.append((float.__float__(self), self.node))  # the engine takes it as a constant
        return float.__float__(self)

    def __bool__(self) -> bool:
        result = float.__ne__(self, 0.0)
        _guard(self.node, "!=", 0.0, result)
        return result

    def __hash__(self) -> int:
        return float.__hash__(self)

    def __repr__(self) -> str:
        return float.__repr__(self)


def _operand(x: Any) -> Any:
    """A comparison's or an op's other side: a TracedFloat stands for its node."""
    return x.node if type(x) is TracedFloat else x


def _comparison(op: str, method: str) -> Callable[[TracedFloat, Any], Any]:
    base = getattr(float, method)

    def compare(self: TracedFloat, other: Any) -> Any:
        result = base(self, other)
        if result is not NotImplemented:
            _guard(self.node, op, _operand(other), result)
        return result
    compare.__name__ = method
    return compare


def _arithmetic(method: str, build: Callable[..., Any]) -> Callable[..., Any]:
    base = getattr(float, method)

    def apply(self: TracedFloat, *other: Any) -> Any:
        result = base(self, *other)  # Python's float semantics decide (and raise) first
        if type(result) is not float or _local.trace is None:
            return result
        node = build(self.node, *(_operand(o) for o in other))
        return TracedFloat(result, node) if node.data == result or result != result else result
    apply.__name__ = method
    return apply


for _op, _method in (("<", "__lt__"), ("<=", "__le__"), (">", "__gt__"), (">=", "__ge__"),
                     ("==", "__eq__"), ("!=", "__ne__")):
    setattr(TracedFloat, _method, _comparison(_op, _method))
for _method, _build in (
        ("__add__", lambda a, b: a + b), ("__radd__", lambda a, b: b + a),
        ("__sub__", lambda a, b: a - b), ("__rsub__", lambda a, b: b - a),
        ("__mul__", lambda a, b: a * b), ("__rmul__", lambda a, b: b * a),
        ("__truediv__", lambda a, b: a / b), ("__rtruediv__", lambda a, b: b / a),
        ("__pow__", lambda a, b: a ** b), ("__rpow__", lambda a, b: b ** a),
        ("__mod__", lambda a, b: a % b), ("__rmod__", lambda a, b: b % a),
        ("__floordiv__", lambda a, b: a // b), ("__rfloordiv__", lambda a, b: b // a),
        ("__neg__", lambda a: -a), ("__abs__", lambda a: abs(a)), ("__pos__", lambda a: a)):
    setattr(TracedFloat, _method, _arithmetic(_method, _build))


def _get_data(self: Value, _get: Any = _member.__get__, _frame: Any = sys._getframe,
              _local: _Local = _local, _float: Any = float) -> Any:
    # Called for every read of data while a trace runs (the engine's own, mostly): the names it
    # needs are bound as defaults, and the cheap tests come first.
    x = _get(self)
    if type(x) is not _float or _local.trace is None or _frame(1).f_globals.get("__name__") in INTERNAL:
        return x
    return TracedFloat(x, self)


def _set_data(self: Value, x: Any) -> None:
    t = _local.trace
    if t is not None and t.pending:  # the node the engine is making takes those constants
        t.bound.setdefault(self, []).extend(t.pending)
        t.pending.clear()
    _member.__set__(self, x)


def _wrap_comparison(op: str, original: Callable[..., Any]) -> Callable[..., Any]:
    def compare(self: Value, other: Any) -> Any:
        result = original(self, other)
        if _local.trace is not None and result is not NotImplemented:
            _guard(self, op, _operand(other), result)
        return result
    compare.__name__ = original.__name__
    return compare


def _install() -> None:
    with _lock:
        _installed[0] += 1
        if _installed[0] > 1:
            return
        for name in ("__bool__", "__lt__", "__le__", "__gt__", "__ge__", "detach"):
            _saved[name] = Value.__dict__[name]
        original_bool, original_detach = _saved["__bool__"], _saved["detach"]

        def bool_(self: Value) -> bool:
            result = original_bool(self)
            _guard(self, "!=", 0.0, result)
            return result

        def detach(self: Value) -> Value:
            leaf = original_detach(self)
            t = _local.trace
            if t is not None:
                t.detached[leaf] = self
            return leaf

        Value.__bool__ = bool_  # type: ignore[method-assign]
        for op, name in (("<", "__lt__"), ("<=", "__le__"), (">", "__gt__"), (">=", "__ge__")):
            setattr(Value, name, _wrap_comparison(op, _saved[name]))
        Value.detach = detach  # type: ignore[method-assign]
        Value.data = property(_get_data, _set_data)  # type: ignore[assignment,misc]
        _lift.decision_hook[0] = _guard  # choices the derivative formulas make on numbers


def _uninstall() -> None:
    with _lock:
        _installed[0] -= 1
        if _installed[0]:
            return
        Value.data = _member  # type: ignore[misc]
        _lift.decision_hook[0] = None
        for name, original in _saved.items():
            setattr(Value, name, original)
        _saved.clear()


def record_call(f: Callable[..., Any], args: Sequence[Any]) -> tuple[Any, _Trace]:
    """Call ``f(*args)`` recording guards and reads of ``.data``; return its result and the record."""
    if _local.trace is not None:
        raise RuntimeError("compile() cannot trace inside a function that is being traced")
    t = _Trace()
    _install()
    _local.trace = t
    try:
        out = f(*args)
    finally:
        _local.trace = None
        _uninstall()
    return out, t


# -- from the graph of Values to a Graph ------------------------------------------------------------
def engine_order(root: Value) -> list[Value]:
    """The interior nodes reachable from ``root`` in the order ``Value.backward()`` files them
    (it visits them reversed): ``engine._fast_order``, which leaves their grads at 0.0."""
    return _fast_order(root) if root._a is not None else []


class _Builder:
    """Numbers the nodes of a traced call and writes them into a Graph."""

    def __init__(self, inputs: Sequence[Value], record: _Trace) -> None:
        self.slot: dict[Value, int] = {v: i for i, v in enumerate(inputs)}
        self.alias: dict[Value, Detached] = {}  # leaves standing for a node's value: Value(z.data)
        self.record = record
        self.graph = Graph(len(inputs), values=[v.data for v in inputs], levels=[0] * len(inputs))

    def operand(self, x: Any) -> Operand:
        """A node's operand, or something read by a guard, once its dependencies have slots."""
        if isinstance(x, Value):
            slot = self.slot.get(x)
            if slot is not None:
                return slot
            if x in self.alias:
                return self.alias[x]
            source = self.record.detached.get(x)
            if source is not None:
                return Detached(self.slot[source])
            self.graph.frozen += 1  # a leaf that is not an argument: a constant
            return x.data
        return float(x)

    def dependencies(self, node: Value) -> list[Value]:
        deps = [p for p in node.parents if p not in self.slot]
        deps += [s for s in (self.record.detached.get(p) for p in node.parents) if s is not None]
        deps += [s for _, s in self.record.bound.get(node, ())]
        return [d for d in deps if d not in self.slot and d not in self.alias
                and (d._a is not None or d in self.record.bound or d in self.record.detached)]

    def add(self, roots: Sequence[Value]) -> None:
        """Give every node that ``roots`` depend on a slot, parents (and sources) first."""
        stack: list[tuple[Value, bool]] = [(r, False) for r in reversed(roots)]
        while stack:
            node, ready = stack.pop()
            if node in self.slot or node in self.alias:
                continue
            if node in self.record.detached:  # a detached leaf: its source stands for it
                source = self.record.detached[node]
                if source not in self.slot:
                    stack += [(node, False), (source, False)]
                continue
            if node._a is None and node not in self.record.bound:
                continue  # a leaf: an argument (has a slot) or a constant
            if not ready:
                stack.append((node, True))
                stack += [(d, False) for d in self.dependencies(node)]
                continue
            self.place(node)

    def add_ordered(self, order: Sequence[Value]) -> bool:
        """Give slots to ``order``, interior nodes each after its parents (``engine_order``): the
        common case, a node whose operands are slots or constants, is placed right here, without
        ``add``'s walk; one that reads data or a detached leaf goes through ``add``. True if the
        nodes of ``order`` are the Graph's first nodes, in that order."""
        slot, record, graph = self.slot, self.record, self.graph
        get = slot.get
        ops, args_, values, levels = graph.ops, graph.args, graph.values, graph.levels
        special = bool(record.detached) or bool(record.bound)
        unusual = {**record.detached, **record.bound} if special else {}
        k = graph.n_inputs + len(ops)
        frozen = 0
        for node in order:
            op = node._form
            a = node._a
            if type(op) is str:
                operands = a if type(a) is tuple else (a,) if node._b is None else (a, node._b)
            elif isinstance(op, str):  # a defop op's OpName
                operands = node.parents
            else:
                operands = op[1:]
                op = op[0]
            if special and (node in slot or node in unusual
                            or any(type(x) is not float and x in unusual for x in operands)):
                self.add([node])
                k = graph.n_inputs + len(ops)
                continue
            args: list[Any] = []
            level = 0
            for x in operands:
                if type(x) is Value:
                    s = get(x)
                    if s is None:  # a leaf that is not an argument: a constant
                        frozen += 1
                        args.append(x.data)
                    else:
                        args.append(s)
                        if levels[s] > level:
                            level = levels[s]
                elif isinstance(x, Value):
                    args.append(self.operand(x))
                    if type(args[-1]) is int and levels[args[-1]] > level:
                        level = levels[args[-1]]
                else:
                    args.append(float(x))
            slot[node] = k
            k += 1
            ops.append(op)
            args_.append(tuple(args))
            values.append(node.data)
            levels.append(level + 1)
        graph.frozen += frozen
        return not special

    def place(self, node: Value) -> None:
        bound = list(self.record.bound.get(node, ()))
        args: list[Operand] = []
        operands = node.operands if node._a is not None else (node.data,)
        for x in operands:
            if not isinstance(x, Value) and bound:
                match = next((i for i, (c, _) in enumerate(bound) if c == x or (c != c and x != x)), None)
                if match is not None:
                    args.append(Detached(self.slot[bound.pop(match)[1]]))
                    continue
            args.append(self.operand(x))
        if node._a is None:  # a leaf made from a number read from data: Value(z.data)
            assert isinstance(args[0], Detached)
            self.alias[node] = args[0]
            return
        levels = self.graph.levels
        self.slot[node] = self.graph.n_inputs + len(self.graph.ops)
        self.graph.ops.append(node.op)
        self.graph.args.append(tuple(args))
        self.graph.values.append(node.data)
        levels.append(1 + max([levels[x] for x in args if type(x) is int]
                              + [levels[x.slot] for x in args if isinstance(x, Detached)], default=0))


def trace(f: Callable[..., Any], args: Sequence[Any], inputs: Sequence[Value],
          aux: Callable[[Any], tuple[Any, list[Any]]] | None = None) -> tuple[Graph, Any]:
    """Call ``f(*args)``, whose Values ``inputs`` are the leaves to replay with new numbers;
    return the Graph and ``f``'s raw result (a Value or a number). With ``aux``, ``f`` returns
    ``(output, more)`` and ``aux(more)`` gives the flat list of Values and numbers to replay too."""
    out, record = record_call(f, args)
    extra: list[Any] = []
    if aux is not None:
        out, extra = aux(out)
    b = _Builder(inputs, record)
    graph = b.graph
    # Backward's order is an order of the output's nodes with parents first: number them in it,
    # so that it needs no walk of its own (and backward's order is 0, 1, 2, ... when no node
    # reads data). Then what guards and aux reach besides.
    order = engine_order(out) if isinstance(out, Value) else []
    straight = b.add_ordered(order)
    guard_values = [x for g in record.guards for x in (g[0], g[2]) if isinstance(x, Value)]
    roots = ([out] if isinstance(out, Value) else []) + guard_values
    roots += [x for x in extra if isinstance(x, Value)]
    b.add(roots)
    if isinstance(out, Value):
        graph.output = b.operand(out)
        if order:
            n, slot = graph.n_inputs, b.slot
            if straight:
                graph.grad_order = list(range(len(order)))
            else:
                graph.grad_order = [slot[v] - n for v in order]
    graph.aux = [b.operand(x) for x in extra]
    for lhs, op, rhs, expected, where in record.guards:
        graph.guards.append(GuardRecord(b.operand(lhs), op, b.operand(rhs), expected, where))
    return graph, out

