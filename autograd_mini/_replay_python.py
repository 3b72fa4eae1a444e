"""The python backend: a traced Graph as straight-line Python, one line per node and per edge.

Each node's line is its rule's forward formula from the table, on floats (``_ieee``'s
functions, as in ``ops.py``), with the operands' names put in for ``a`` and ``b``; each edge's
line adds the local derivative formula times the node's gradient into the parent's. Backward
visits the nodes in the order ``Value.backward()`` does, so the replay adds the same numbers in
the same order as the engine: its results are the engine's, bit for bit (a gradient the engine
makes ``-0.0`` may come out ``0.0``; they compare equal).

>>> from autograd_mini.tracing import trace
>>> from autograd_mini import Value
>>> x = Value(2.0)
>>> graph, _ = trace(lambda x: (x * x).tanh(), [x], [x])
>>> print(source(graph, grad=True))  # doctest: +NORMALIZE_WHITESPACE
def value_and_grad(x):
    v0, = x
    v1 = v0 * v0                          # *
    v2 = _ieee.tanh(v1)                   # tanh
    g2 = 1.0
    g1 = (1.0 - v2 * v2) * g2             # tanh
    g0 = v0 * g1                          # *
    g0 += v0 * g1                         # *
    return v2, [g0]
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from functools import cache
from typing import Any

from . import _ieee, rules
from ._expressions import on_floats
from ._lift import number
from .tracing import Detached, Graph

__all__ = ["GuardFailedError", "build", "slot_values", "source"]


class GuardFailedError(Exception):
    """Raised by a replay whose guard ``index`` no longer holds."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


#: Terms of a sum per line of the program (see ``_Writer.assignments``).
_TERMS = 100


class _Placeholders(ast.NodeTransformer):
    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return ast.Name("{" + node.id + "}", ast.Load()) if node.id in self.names else node


def template(expression: str, names: tuple[str, ...]) -> str:
    """``expression`` with each of ``names`` as a ``str.format`` field, operands parenthesized.

    >>> template("_ieee.div(-out, b)", ("a", "b", "out"))
    '_ieee.div(-{out}, {b})'
    """
    tree = _Placeholders(names).visit(ast.parse(expression, mode="eval"))
    return ast.unparse(tree)


def operand_names(op: Any) -> tuple[str, ...]:
    """The names a rule's formulas give its operands: ``a``, ``b``, or ``a`` and its parameter."""
    rule = rules.BY_NAME[op]
    if rule.param is not None:
        return ("a", rule.param[0])
    return ("a", "b")[:rule.arity]


@cache
def _templates(op: str) -> tuple[str, tuple[str, ...]]:
    """The forward and the local derivatives of rule ``op`` as templates on floats."""
    rule = rules.BY_NAME[op]
    names = (*operand_names(op), "out")
    forward = template(on_floats(rule.forward, rule.param), names)
    return forward, tuple(template(on_floats(g, rule.param), names) for g in rule.grads)


def constant(c: float) -> str:
    """A float as Python source: ``2.5``, ``(-1.0)``, ``_inf``, ``_nan``."""
    if math.isnan(c):
        return "_nan"
    if math.isinf(c):
        return "_inf" if c > 0 else "(-_inf)"
    return repr(c) if math.copysign(1.0, c) > 0 else f"({c!r})"


class _Writer:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.namespace: dict[str, Any] = {"_ieee": _ieee, "_inf": math.inf, "_nan": math.nan,
                                          "GuardFailedError": GuardFailedError}
        self.user: dict[Any, str] = {}

    def name(self, x: Any) -> str:
        if type(x) is int:
            return f"v{x}"
        if isinstance(x, Detached):
            return f"v{x.slot}"
        return constant(x)

    def user_op(self, op: Any) -> str:
        """The name under which a defop op's definition is reachable from the generated code."""
        if op not in self.user:
            key = f"_op{len(self.user)}"
            self.user[op] = key
            self.namespace[key] = op.definition
        return self.user[op]

    def assignments(self, i: int) -> list[str]:
        """Node ``i``'s lines: ``v5 = <forward>``; a sum of many terms takes a line per
        ``_TERMS`` of them, ``v5 = v5 + ...``, still added left to right as ``engine.sum`` does
        (one chained ``+`` of ~3,000 terms overflows the compiler's stack)."""
        op, args = self.graph.ops[i], self.graph.args[i]
        target = f"v{self.graph.n_inputs + i}"
        if op != rules.SUM or len(args) <= _TERMS:
            return [f"{target} = {self.forward(i)}"]
        names = [self.name(x) for x in args]
        lines = [f"{target} = 0.0 + {' + '.join(names[:_TERMS])}"]
        for k in range(_TERMS, len(names), _TERMS):
            lines.append(f"{target} = {target} + {' + '.join(names[k:k + _TERMS])}")
        return lines

    def forward(self, i: int) -> str:
        op, args = self.graph.ops[i], self.graph.args[i]
        names = [self.name(x) for x in args]
        if op == rules.SUM:
            return " + ".join(["0.0", *names])
        if op in rules.BY_NAME:
            fields = dict(zip(operand_names(op), names))
            return _templates(op)[0].format(**fields)
        return f"_number({self.user_op(op)}.forward({', '.join(names)}))"

    def edges(self, i: int) -> list[tuple[int, str]]:
        """(parent slot, contribution) for each differentiable operand of node ``i``."""
        op, args = self.graph.ops[i], self.graph.args[i]
        s = self.graph.n_inputs + i
        g = f"g{s}"
        parents = [(j, x) for j, x in enumerate(args) if type(x) is int]
        if op == rules.SUM:
            return [(x, g) for _, x in parents]
        if op not in rules.BY_NAME:
            key, inputs = self.user_op(op), ", ".join(self.name(x) for x in args)
            call = f"{key}._floats({key}.grads({inputs}, v{s}))"
            return [(x, f"{call}[{j}] * {g}") for j, x in parents]
        fields = dict(zip(operand_names(op), (self.name(x) for x in args)), out=f"v{s}")
        out = []
        for j, x in parents:
            d = _templates(op)[1][j]
            if d == "1.0":
                out.append((x, g))
            elif d == "-1.0":
                out.append((x, f"-{g}"))
            else:
                d = d.format(**fields)
                out.append((x, f"{d if _simple(d) else f'({d})'} * {g}"))
        return out

    def guards(self) -> list[str]:
        lines = []
        for k, guard in enumerate(self.graph.guards):
            test = f"{self.name(guard.lhs)} {guard.op} {self.name(guard.rhs)}"
            lines.append(f"    if {'not ' if guard.expected else ''}({test}):")
            lines.append(f"        raise GuardFailedError({k})")
        return lines

    def values(self) -> str:
        """A function returning every slot's value (no guards): for messages."""
        n = self.graph.n_inputs
        lines = ["def values(x):"]
        if n:
            lines.append(f"    {', '.join(f'v{i}' for i in range(n))}, = x")
        lines += [f"    {line}" for i in range(len(self.graph.ops)) for line in self.assignments(i)]
        lines.append(f"    return [{', '.join(f'v{i}' for i in range(self.graph.n_slots))}]")
        return "\n".join(lines)

    def function(self, grad: bool) -> str:
        graph = self.graph
        n = graph.n_inputs
        lines = [f"def {'value_and_grad' if grad else 'forward'}(x):"]
        if n:
            lines.append(f"    {', '.join(f'v{i}' for i in range(n))}, = x")
        for i, op in enumerate(graph.ops):
            lines += [_comment(f"    {line}", op) for line in self.assignments(i)]
        lines += self.guards()
        value = self.name(graph.output)
        if graph.aux:
            value = f"({value}, [{', '.join(self.name(x) for x in graph.aux)}])"
        if not grad:
            lines.append(f"    return {value}")
            return "\n".join(lines)
        assigned: set[int] = set()
        if type(graph.output) is int:
            lines.append(f"    g{graph.output} = 1.0")
            assigned.add(graph.output)
        for i in reversed(graph.grad_order):
            for parent, contribution in self.edges(i):
                sign = "+=" if parent in assigned else "="
                assigned.add(parent)
                lines.append(_comment(f"    g{parent} {sign} {contribution}", graph.ops[i]))
        grads = ", ".join(f"g{i}" if i in assigned else "0.0" for i in range(n))
        lines.append(f"    return {value}, [{grads}]")
        return "\n".join(lines)


def _simple(text: str) -> bool:
    """A name or a number: no parentheses needed around it in a product."""
    return text.isidentifier() or text.replace(".", "", 1).replace("e-", "", 1).isdigit()


def _comment(line: str, op: Any) -> str:
    return f"{line:<37} # {op}" if len(line) < 37 else f"{line}  # {op}"


def source(graph: Graph, grad: bool = False) -> str:
    """The replay function's source: ``forward(x)``, or ``value_and_grad(x)`` with ``grad``."""
    return _Writer(graph).function(grad)


def slot_values(graph: Graph, x: Any) -> list[float]:
    """Every slot's value at inputs ``x`` (slow: compiled for the call)."""
    writer = _Writer(graph)
    namespace = dict(writer.namespace, _number=_number)
    exec(compile(writer.values(), "<autograd_mini.compile: values>", "exec"), namespace)  # noqa: S102
    return namespace["values"](list(x))  # type: ignore[no-any-return]


def build(graph: Graph, grad: bool) -> Callable[[Any], Any]:
    """The replay function, compiled: ``forward(x) -> value`` or ``value_and_grad(x) -> (value,
    grads)``, ``x`` the inputs as a sequence of floats. Raises GuardFailedError(k) if guard k flips."""
    writer = _Writer(graph)
    text = writer.function(grad)
    namespace = dict(writer.namespace, _number=_number)
    code = compile(text, "<autograd_mini.compile: python replay>", "exec")
    exec(code, namespace)  # noqa: S102 - the program generated from the traced graph
    return namespace["value_and_grad" if grad else "forward"]  # type: ignore[no-any-return]


def _number(x: Any) -> float:
    f = None if isinstance(x, bool) else number(x)
    if f is None:
        raise TypeError(f"a defop forward must return a real number, not {type(x).__name__}")
    return f
