"""The engine: ``Value``, a scalar that remembers how it was computed, and backpropagation.

A node is plain data: ``data``, ``grad``, the op's name, its parents in order, and the local
derivative of the node with respect to each parent, computed when the node is made.
``backward()`` is then one loop over the graph in topological order, from the output back::

    parent.grad += local * node.grad

Read it in this order: ``Value`` (the node; its ops, ``+``, ``*``, ``tanh`` ..., are generated
from the table in ``rules`` into ``ops.py``, which you can open), the n-ary ``sum``,
``topological_order`` and ``gradients`` (backpropagation, plainly: a dict of gradients), then
``_backward``, the same walk made fast, which ``Value.backward`` runs
(``tests/test_engine.py`` checks on random programs that both give every node the same
gradient).

A node keeps its parents in two fields, ``_a`` and ``_b`` (``None`` when absent), with their
local derivatives in ``_da`` and ``_db``; the n-ary sum keeps the tuple of its parents in
``_a``. Fixed fields rather than a tuple of parents per node give Python's cyclic garbage
collector one object per node to track instead of three (the read-only ``parents`` and
``local_grads`` give the tuples to tools). A node made with a plain-number operand, such as
``2 - x``, keeps the operands as written with its op name, ``("-", 2.0, x)``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

from . import ops
from ._lift import number as _number
from ._messages import LIMIT, preview
from .modes import _modes_active, is_anomaly_enabled, is_grad_enabled
from .rules import SUM


class Value(ops.Ops):
    """A scalar node of a computation graph.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b + a
    >>> c.backward()
    >>> c, a.grad, b.grad
    (Value(data=-4.0, grad=1.0), -2.0, 2.0)

    ``data`` is a float: ints, floats and other real numbers (numpy scalars, ``Fraction``) are
    accepted; ``bool`` is refused, since a flag used as a number is more often a bug than not.
    Operands may be Values or real numbers on either side; plain numbers stay out of the graph.
    ``<``, ``<=``, ``>``, ``>=`` compare ``data``; ``==`` and ``hash`` are by identity, so
    Values work as dict keys and set members. ``bool(v)`` is ``bool(v.data)``, as for PyTorch
    and numpy scalars: false for ``0.0`` and ``-0.0`` only (``nan`` is true, as in Python).
    """

    __slots__ = ("data", "grad", "label", "_form", "_a", "_b", "_da", "_db")

    data: float
    grad: Any  # a float; a Value after backward(create_graph=True)
    label: str
    _form: str | tuple[Any, ...]  # the op's name; (name, *operands) if an operand is a number
    _a: Any  # the first Value parent, or a sum's tuple of parents, or None for a leaf
    _b: Value | None  # the second Value parent, if the op had two
    _da: Any  # d(self)/d(_a): for 2 - x, _a is x (the op's b) and _da is -1
    _db: Any  # d(self)/d(_b)

    def __init__(self, data: float, label: str = "") -> None:
        if type(data) is not float:
            number = _number(data)
            if number is None:
                raise TypeError(f"Value() takes a real number, not {type(data).__name__}")
            data = number
        if not isinstance(label, str):
            raise TypeError(f"Value() label must be a str, not {type(label).__name__}")
        self.data = data
        self.grad = 0.0
        self.label = label
        self._form = ""
        self._a = self._b = None
        self._da = self._db = 0.0

    # -- read-only views for tools ------------------------------------------------------------
    @property
    def op(self) -> str:
        """The name of the op that made this node (``"*"``, ``"tanh"``, ...); ``""`` for a leaf."""
        op = self._form
        return op if isinstance(op, str) else op[0]

    # micrograd's names for the same two facts, so that code written for micrograd's Value (its
    # lecture's draw_dot walks ``_prev`` and labels nodes with ``_op``) runs on ours unchanged.
    @property
    def _op(self) -> str:
        """micrograd's name for ``op``."""
        return self.op

    @property
    def _prev(self) -> set[Value]:
        """micrograd's name for the parents, as a set (``a * a`` has ``a`` once)."""
        return set(self.parents)

    @property
    def parents(self) -> tuple[Value, ...]:
        """The Value operands, in order; ``a * a`` has ``a`` twice."""
        a, b = self._a, self._b
        if a is None:
            return ()
        if type(a) is tuple:
            return a
        return (a,) if b is None else (a, b)

    @property
    def local_grads(self) -> tuple[Any, ...]:
        """d(self)/d(parent) for each parent, as computed in the forward pass."""
        a, b = self._a, self._b
        if a is None:
            return ()
        if type(a) is tuple:
            return (1.0,) * len(a)  # a sum
        return (self._da,) if b is None else (self._da, self._db)

    @property
    def operands(self) -> tuple[Any, ...]:
        """The operands as written: Values and plain numbers, in order (``2 - x`` is ``(2.0, x)``)."""
        op = self._form
        return self.parents if isinstance(op, str) else op[1:]

    @property
    def is_leaf(self) -> bool:
        """True for a node with no parents: made by ``Value()``, ``detach()`` or under ``no_grad``."""
        return self._a is None

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def __bool__(self) -> bool:
        return bool(self.data)

    # -- comparisons on data ------------------------------------------------------------------
    def _other_data(self, other: object) -> Any:
        # The number itself, not _number(other): Python compares a float with an int or a
        # Fraction exactly, so 1.0 < 10**400 is True rather than an overflow.
        if isinstance(other, Value):
            return other.data
        return other if isinstance(other, numbers.Real) and not isinstance(other, bool) else None

    def __lt__(self, other: object) -> bool:
        o = self._other_data(other)
        return NotImplemented if o is None else self.data < o

    def __le__(self, other: object) -> bool:
        o = self._other_data(other)
        return NotImplemented if o is None else self.data <= o

    def __gt__(self, other: object) -> bool:
        o = self._other_data(other)
        return NotImplemented if o is None else self.data > o

    def __ge__(self, other: object) -> bool:
        o = self._other_data(other)
        return NotImplemented if o is None else self.data >= o

    def detach(self) -> Value:
        """A new leaf with the same data: gradients do not flow through it."""
        return Value(self.data)

    def backward(self, grad: float = 1.0, *, create_graph: bool = False) -> None:
        """Backpropagate from this node: add d(self)/d(leaf) * grad into every reachable leaf.

        Leaves accumulate across calls, as in PyTorch; every interior node reachable from here
        is left holding d(self)/d(node) * grad of this pass alone. With ``create_graph=True``
        the gradients are Values, built from the rules' derivative formulas, so they can be
        differentiated again.

        Not thread-safe on a graph shared between threads: while it runs, the ``grad`` of each
        node it reaches is being rewritten (an interior node's holds backward's marker, then
        0.0, then partial sums; a leaf's ``+=`` can lose another thread's update). Another
        thread reading those grads (``draw_dot``, say) or running backward through the same
        nodes gets wrong numbers, or a ``RuntimeError`` from the marker saying so. Threads
        whose graphs share no node, leaves included, do not interfere.
        """
        seed = _number(grad) if not isinstance(grad, Value) else None
        if seed is None and not (create_graph and isinstance(grad, Value)):
            raise TypeError(f"backward() grad must be a real number, not {type(grad).__name__}")
        if create_graph:
            # As plain backward(): leaves accumulate, interior nodes hold this pass. Note that
            # a leaf's grad may now be a node of the forward graph (d(e^x)/dx is e^x itself),
            # which refers back to the leaf: a reference cycle, as in PyTorch, freed by the gc.
            for node, g in gradients(self, grad, differentiable=True).items():
                if node._a is not None or (type(node.grad) is float and node.grad == 0.0):
                    node.grad = g
                else:
                    node.grad = node.grad + g
            return
        _backward(self, seed)


_new = object.__new__


def _special(node: Value) -> None:
    """The slow path of every op, taken while some mode block is open in some thread: under
    ``detect_anomaly`` a nan or inf result or local derivative raises; under ``no_grad`` the
    node forgets its parents and becomes a leaf."""
    if is_anomaly_enabled():
        local = node.local_grads
        values = (node.data, *local)
        if not all(math.isfinite(v) for v in values if isinstance(v, float)):
            inputs = tuple(getattr(x, "data", x) for x in node.operands)
            # A sum of 100,000 terms would quote 200,000 numbers: show the start of each tuple,
            # and the first input that is nan or inf, which the start may not reach.
            shown = _tuple(inputs)
            bad = next((i for i, x in enumerate(inputs) if x - x != 0.0), None)
            where = "" if bad is None or len(shown) < LIMIT // 2 else f", input {bad:,} is {inputs[bad]}"
            raise FloatingPointError(
                f"{node.op} returned {node.data} from inputs {shown}{where}"
                f" (local derivatives {_tuple(local)})")
    if not is_grad_enabled():
        node._form, node._a, node._b, node._da, node._db = "", None, None, 0.0, 0.0


def _tuple(items: tuple[Any, ...]) -> str:
    """``repr(items)``, but past about half a kilobyte its start and how many items are left."""
    text = preview(items, limit=LIMIT // 2)
    return f"({text},)" if len(items) == 1 else f"({text})"


# The generated ops build nodes of this class and route them through _special in mode blocks.
ops.bind(Value, _special)


# -- n-ary sum -----------------------------------------------------------------------------------
def _split_operands(operands: tuple[Any, ...]) -> tuple[tuple[Value, ...], tuple[Any, ...], float]:
    """Sum's slow path: (the Value operands, all operands with numbers as floats, the total)."""
    total = 0.0
    parents: list[Value] = []
    converted: list[Any] = []
    for v in operands:
        if isinstance(v, Value):
            parents.append(v)
            converted.append(v)
            total += v.data
            continue
        c = _number(v)
        if c is None:
            raise TypeError(f"sum() takes Values and real numbers, not {type(v).__name__}")
        converted.append(c)
        total += c
    return tuple(parents), tuple(converted), total


def sum(values: Iterable[Value | float], label: str = "") -> Value:
    """x_1 + ... + x_n as one node with n parents; d/dx_i = 1.

    A chain of n ``+`` nodes would be n nodes deep; one n-ary node keeps graphs small and
    shallow. Plain numbers among ``values`` stay out of the graph, as for ``+``.

    >>> s = sum([Value(1.0), Value(2.0), 3])
    >>> s.data, s.op, len(s.parents)
    (6.0, 'sum', 2)

    With no Value among ``values`` (or none at all) the result is a leaf.
    """
    if not isinstance(label, str):
        raise TypeError(f"sum() label must be a str, not {type(label).__name__}")
    operands = values if type(values) is tuple else tuple(values)
    total = 0.0
    for v in operands:
        if type(v) is not Value:  # numbers (or subclasses, or bad types) among the operands
            prev, args, total = _split_operands(operands)
            break
        total += v.data
    else:
        prev, args = operands, None  # type: ignore[assignment]  # all Values: checked above
    if not prev:
        return Value(total, label)
    return _node(total, SUM if args is None else (SUM, *args), prev, None, 1.0, 1.0, label)


def _node(data: float, op: Any, a: Any, b: Any, da: Any, db: Any, label: str = "") -> Value:
    """A new interior node: the layout of ``Value.__slots__``, which the generated ops in
    ``ops.py`` write inline (``_codegen._node``) and ``Value.__init__`` writes for a leaf."""
    node = _new(Value)
    node.data = data
    node.grad = 0.0
    node.label = label
    node._form = op
    node._a = a
    node._b = b
    node._da = da
    node._db = db
    if _modes_active[0]:
        _special(node)
    return node


# -- backpropagation, plainly -----------------------------------------------------------------------
def topological_order(root: Value) -> list[Value]:
    """The interior nodes reachable from ``root``, each after all of its parents; ``root`` last.

    Leaves are left out: nothing flows on from them. An explicit stack instead of recursion,
    so graphs of any depth work; a ``None`` pushed above a node marks the point where all of
    its parents have been ordered.

    >>> x = Value(2.0)
    >>> y = (x * x).tanh()
    >>> [v.op for v in topological_order(y)]
    ['*', 'tanh']
    """
    if not isinstance(root, Value):
        raise TypeError(f"topological_order() takes a Value, not {type(root).__name__}")
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list[Value | None] = [root] if root._a is not None else []
    while stack:
        node = stack.pop()
        if node is None:
            order.append(stack.pop())  # type: ignore[arg-type]
        elif node not in visited:
            visited.add(node)
            a, b = node._a, node._b
            if type(a) is tuple:
                stack.append(node)
                stack.append(None)
                for p in a:
                    if p._a is not None and p not in visited:
                        stack.append(p)
            elif a._a is None and (b is None or b._a is None):
                order.append(node)  # its parents are leaves: nothing to wait for
            else:
                stack.append(node)
                stack.append(None)
                if a._a is not None and a not in visited:
                    stack.append(a)
                if b is not None and b._a is not None and b not in visited:
                    stack.append(b)
    return order


def gradients(root: Value, seed: Any = 1.0, differentiable: bool = False) -> dict[Value, Any]:
    """d(root)/d(node) * seed for every node reachable from ``root``, keyed by node.

    The same algorithm as ``backward()``, but into a fresh dict: no node's ``grad`` changes.
    With ``differentiable=True`` the gradients are Values whose graphs can be differentiated
    again; constant derivatives stay floats.

    >>> x = Value(3.0)
    >>> y = x * x * x
    >>> gradients(y)[x]
    27.0
    >>> dy = gradients(y, differentiable=True)[x]
    >>> gradients(dy)[x]  # d2/dx2 x**3 = 6x
    18.0
    """
    if not isinstance(seed, Value) and _number(seed) is None:
        raise TypeError(f"gradients() seed must be a real number or Value, not {type(seed).__name__}")
    grads: dict[Value, Any] = {root: seed}
    for node in reversed(topological_order(root)):
        g = grads[node]
        local = _value_local(node) if differentiable else node.local_grads
        for p, d in zip(node.parents, local):
            # Multiplying by a float 1 (the seed, the derivative of + and sum) would put a
            # "* 1" node into the graph of every differentiable gradient.
            if type(g) is float and g == 1.0:
                contribution = d
            elif type(d) is float and d == 1.0:
                contribution = g
            else:
                contribution = d * g
            prior = grads.get(p)
            grads[p] = contribution if prior is None else prior + contribution
    return grads


# -- the same walk, fast ----------------------------------------------------------------------------
def _backward(root: Value, seed: float) -> None:
    """``gradients`` made fast, for ``backward``: the gradients live in each node's ``grad``
    instead of a dict, and the order is ``_fast_order``'s. (The property test
    ``test_backward_leaves_every_node_holding_the_gradient_that_gradients_computes`` checks that
    both give every node the same gradient.)
    """
    if root._a is None:
        root.grad += seed
        return
    order = _fast_order(root)
    root.grad = seed
    for node in reversed(order):
        g = node.grad
        a, b = node._a, node._b
        if b is not None:
            a.grad += node._da * g
            b.grad += node._db * g
        elif type(a) is tuple:  # a sum: every local derivative is 1
            for p in a:
                p.grad += g
        else:
            a.grad += node._da * g


def _fast_order(root: Value) -> list[Value]:
    """``topological_order`` with two shortcuts, for ``backward``; it leaves every interior
    node's ``grad`` at 0.0, ready for this pass's sums (not a sum with an earlier pass).

    The shortcuts: a node is marked as seen by storing a marker in its own ``grad`` instead of
    adding it to a set (backward overwrites the grad of every interior node anyway, and the set
    cost a fifth of backward's time). The marker is a new ``_Busy`` each call, so it can never
    be mistaken for another pass's; only another thread can see it, and any use of it as a
    number raises a ``RuntimeError`` saying why (backward on a shared graph is not thread-safe:
    see ``Value.backward``). And a sum's terms whose parents are
    leaves are ordered as soon as they are found. The order is the one backward adds gradients
    up in, which ``compile`` replays (``tracing``) to give the same numbers.

    A walk cut short by an exception (KeyboardInterrupt, MemoryError) leaves no marker behind:
    every interior node it had marked gets ``grad = 0.0`` (keeping their earlier values would
    cost a store per node), and the leaves stay as they were. (Cut short while adding gradients
    up, backward leaves the partial sums.)
    """
    seen = _Busy()
    order: list[Value] = []
    stack: list[Value | None] = [root]
    node: Value | None = root
    p = root
    try:  # free until something is raised (Python 3.11's zero-cost exceptions)
        while stack:
            node = stack.pop()
            if node is None:
                order.append(stack.pop())  # type: ignore[arg-type]
            elif node.grad is not seen:
                node.grad = seen
                a, b = node._a, node._b
                if type(a) is tuple:
                    stack.append(node)
                    stack.append(None)
                    for p in a:
                        pa = p._a
                        if pa is not None and p.grad is not seen:
                            pb = p._b
                            if type(pa) is not tuple and pa._a is None and (pb is None or pb._a is None):
                                # Its parents are leaves (w * x, p * p): it needs no turn on the
                                # stack. A sum's many such terms are common enough to pay for this.
                                p.grad = seen
                                order.append(p)
                            else:
                                stack.append(p)
                elif a._a is None and (b is None or b._a is None):
                    order.append(node)  # its parents are leaves: nothing to wait for
                else:
                    stack.append(node)
                    stack.append(None)
                    if a._a is not None and a.grad is not seen:
                        stack.append(a)
                    if b is not None and b._a is not None and b.grad is not seen:
                        stack.append(b)
        for node in order:
            node.grad = 0.0
    except BaseException:
        _unmark(seen, order, stack, (node, p))
        raise
    return order


def _unmark(seen: object, *groups: Iterable[Value | None]) -> None:
    """Set to 0.0 the ``grad`` of every node in ``groups`` that holds the marker ``seen``.

    A marked node is in ``order``, or on the stack (under its ``None``), or is the node being
    looked at, between its marking and its filing; so these cover every mark of a cut pass.
    """
    for group in groups:
        for v in group:
            if v is not None and v.grad is seen:
                v.grad = 0.0



_BUSY = ("this Value's grad is being computed by backward() in another thread; backward() on a "
         "graph shared between threads is not thread-safe: run backward() and read the graph's "
         "grads in one thread at a time (hold a lock around both), or give each thread a graph "
         "of its own")


class _Busy:
    """The marker ``_fast_order`` stores in the ``grad`` of each node it has seen.

    It is never left behind, so only a thread reading ``grad`` while another runs backward
    through the node can meet it. Arithmetic, comparisons, ``float()``, ``bool()``, ``hash()``
    and number formats on it raise a ``RuntimeError`` that says so (a bare ``object()`` gave a
    ``TypeError`` about ``object``); ``repr``, ``str`` and ``f"{grad}"`` say it in words.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "<grad being computed by backward() in another thread>"

    def __format__(self, spec: str) -> str:
        if spec:
            raise RuntimeError(_BUSY)
        return repr(self)

    def _refuse(self, *args: object) -> Any:
        raise RuntimeError(_BUSY)


for _name in ("add", "radd", "iadd", "sub", "rsub", "isub", "mul", "rmul", "imul", "truediv",
              "rtruediv", "itruediv", "floordiv", "rfloordiv", "mod", "rmod", "divmod", "rdivmod",
              "pow", "rpow", "ipow", "neg", "pos", "abs", "float", "int", "index", "complex",
              "round", "trunc", "floor", "ceil", "bool", "hash", "eq", "ne", "lt", "le", "gt", "ge"):
    setattr(_Busy, f"__{_name}__", _Busy._refuse)
del _name


# -- derivatives as Values, for higher order ---------------------------------------------------------
def _value_local(node: Value) -> tuple[Any, ...]:
    """The node's local derivatives rebuilt as Values of its inputs, one per parent."""
    op = node.op
    if op == SUM:
        return node.local_grads
    fns = ops.DERIVATIVES.get(op)
    if fns is None:  # an op of autograd_mini.defop: its name holds its definition (userops.OpName)
        return op.definition.value_local(node)  # type: ignore[attr-defined]
    if len(fns) == 1:
        return (fns[0](node._a, node),)
    a, b = node.operands
    return tuple(fn(a, b, node) for fn, x in zip(fns, (a, b)) if isinstance(x, Value))
