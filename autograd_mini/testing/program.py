"""Straight-line scalar programs over the engine's ops: what ``strategies.expressions`` draws.

A program is a list of lines, each one op of the rule table (or the n-ary ``sum``, or an op
defined with ``autograd_mini.defop``) applied to earlier results, the inputs, or constants; the
last line is the result. It prints as the code
it stands for, runs on floats and Values, and runs on anything else given the ops to use:

>>> p = Program([("tanh", (0,)), ("*", (1, 0))], inputs=(0.5,))
>>> p
def program(x0=0.5):
    y0 = tanh(x0)
    y1 = y0 * x0
    return y1
>>> import math, operator
>>> round(p(0.5).data, 6), round(p.evaluate([0.5], {"tanh": math.tanh, "*": operator.mul}), 6)
(0.231059, 0.231059)
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .. import engine, rules
from ..engine import Value
from ..userops import UserOp

__all__ = ["Entry", "Line", "Program", "value_ops"]

#: An op a program may name: a row of the rule table, or an op made by ``defop``.
Entry = rules.Rule | UserOp

#: One line: an op name and its operands. An ``int`` operand is a slot (``0 .. n_inputs - 1``
#: are the inputs ``x0, x1, ...``; slot ``n_inputs + k`` is the result ``yk`` of line k); a
#: ``float`` operand is a constant.
Line = tuple[str, tuple[int | float, ...]]


def _unary(method: str) -> Callable[[Any], Any]:
    # getattr at call time, so a method patched onto Value (a planted bug, a new op) is used.
    return lambda a: getattr(a, method)()


def _binary(method: str, reflected: str | None) -> Callable[[Any, Any], Any]:
    def apply(a: Any, b: Any) -> Any:
        if isinstance(a, Value):
            return getattr(a, method)(b)
        return getattr(b, reflected)(a)  # type: ignore[arg-type] # checked by Program
    return apply


def value_ops(table: Sequence[Entry] | None = None) -> dict[str, Callable[..., Any]]:
    """The ops of ``table`` (default: the engine's) as functions on Values, by op name.

    >>> value_ops()["*"](Value(2.0), 3.0).data
    6.0
    """
    table = rules.RULES if table is None else table
    ops: dict[str, Callable[..., Any]] = {}
    for r in table:
        if callable(r):  # a defop op is a function of Values and numbers already; a row is data
            ops[r.name] = r
        else:
            ops[r.name] = _unary(r.method) if r.arity == 1 else _binary(r.method, r.reflected)
    ops[rules.SUM] = lambda *xs: engine.sum(xs)
    return ops


def number_first(entry: Entry) -> bool:
    """Whether ``entry``, a binary op, may take a number as its left operand (``2 - x``)."""
    return callable(entry) or entry.reflected is not None  # a defop op takes numbers anywhere


class Program:
    """A straight-line program of engine ops over ``len(inputs)`` inputs.

    ``inputs`` is the point the program was drawn at (and is checked at); ``table`` is the rule
    table its op names refer to, by default the engine's; a name not in it may be an op defined
    with ``defop`` (the definition registered when the program is made is the one it keeps).
    ``lines`` are checked when the program is made: known ops, the right number of operands,
    slots that exist.

    >>> p = Program([("*", (0, 0)), ("-", (2.0, 1))], inputs=(3.0,))  # y = 2 - x * x
    >>> p.ops, p(3.0).data
    (('*', '-'), -7.0)
    """

    __slots__ = ("_ops", "_table", "inputs", "lines", "n_inputs")

    def __init__(self, lines: Sequence[Line], inputs: Sequence[float],
                 table: Sequence[Entry] | None = None) -> None:
        table = rules.RULES if table is None else tuple(table)
        self._table: dict[str, Entry] = {r.name: r for r in table}
        for i, x in enumerate(inputs):
            if isinstance(x, bool) or not isinstance(x, numbers.Real):
                raise TypeError(f"inputs[{i}] must be a real number, not {type(x).__name__}")
        self.inputs = tuple(float(x) for x in inputs)
        self.n_inputs = len(self.inputs)
        self.lines: tuple[Line, ...] = tuple((name, tuple(args)) for name, args in lines)
        if self.n_inputs < 1:
            raise ValueError("a program needs at least one input")
        if not self.lines:
            raise ValueError("a program needs at least one line")
        for k, line in enumerate(self.lines):
            self._check(k, *line)
        self._ops = value_ops(tuple(self._table.values()))

    def _check(self, k: int, name: str, args: tuple[int | float, ...]) -> None:
        rule = self._table.get(name)
        if rule is None and isinstance(name, str) and name in rules.USER_OPS:
            rule = self._table[name] = rules.USER_OPS[name]
        if rule is None and name != rules.SUM:
            raise ValueError(f"line {k}: {name!r} is not an op of the rule table, nor one defined "
                             "with defop")
        if rule is not None and len(args) != rule.arity:
            raise ValueError(f"line {k}: {name} takes {rule.arity} operands, got {len(args)}")
        for a in args:  # an int is a slot, a float a constant: a bool would pass for a slot
            if isinstance(a, bool) or not isinstance(a, (int, float)):
                raise TypeError(f"line {k}: an operand must be an int (a slot) or a float (a constant), "
                                f"not {type(a).__name__}")
        slots = [a for a in args if isinstance(a, int)]
        if not slots:
            raise ValueError(f"line {k}: {name} needs at least one slot operand, not only constants")
        for a in slots:
            if not 0 <= a < self.n_inputs + k:
                raise ValueError(f"line {k}: slot {a} is not an input or an earlier line")
        if rule is not None and rule.arity == 2 and not isinstance(args[0], int) and not number_first(rule):
            raise ValueError(f"line {k}: {name} has no reflected form, so its left operand must be a slot")

    # -- running -------------------------------------------------------------------------------
    def evaluate(self, inputs: Sequence[Any], ops: Mapping[str, Callable[..., Any]]) -> Any:
        """Run the program with ``ops[name](*operands)`` for each line; return the last result.

        >>> Program([("exp", (0,))], inputs=(0.0,)).evaluate([1.0], {"exp": lambda a: a + 1})
        2.0
        """
        if len(inputs) != self.n_inputs:
            raise TypeError(f"the program takes {self.n_inputs} inputs, got {len(inputs)}")
        slots = list(inputs)
        for name, args in self.lines:
            slots.append(ops[name](*[slots[a] if isinstance(a, int) else a for a in args]))
        return slots[-1]

    def __call__(self, *inputs: Value | float) -> Value:
        """Run on Values (numbers become leaf Values): the result is a Value of the graph."""
        return self.evaluate([x if isinstance(x, Value) else Value(x) for x in inputs], self._ops)

    @property
    def ops(self) -> tuple[str, ...]:
        """The op name of each line, in order."""
        return tuple(name for name, _ in self.lines)

    def live(self) -> Program:
        """The program without the lines its result does not depend on, renumbered.

        >>> Program([("exp", (0,)), ("sin", (0,))], inputs=(0.5,)).live().lines
        (('sin', (0,)),)
        """
        n = self.n_inputs
        needed = {n + len(self.lines) - 1}
        for k in range(len(self.lines) - 1, -1, -1):
            if n + k in needed:
                needed.update(a for a in self.lines[k][1] if isinstance(a, int))
        keep = [k for k in range(len(self.lines)) if n + k in needed]
        slot = {i: i for i in range(n)} | {n + k: n + j for j, k in enumerate(keep)}
        lines = [(self.lines[k][0], tuple(slot[a] if isinstance(a, int) else a for a in self.lines[k][1]))
                 for k in keep]
        return Program(lines, self.inputs, tuple(self._table.values()))

    # -- printing ------------------------------------------------------------------------------
    def _operand(self, a: int | float, infix: bool) -> str:
        if isinstance(a, int):
            return f"x{a}" if a < self.n_inputs else f"y{a - self.n_inputs}"
        return f"({a!r})" if infix and a < 0 else repr(a)

    def _expression(self, name: str, args: tuple[int | float, ...]) -> str:
        infix = len(args) == 2 and name in self._table and not name.isidentifier()
        operands = [self._operand(a, infix) for a in args]
        if infix:
            return f"{operands[0]} {name} {operands[1]}"
        if name == "neg":
            return f"-{operands[0]}"
        if name == rules.SUM:
            return f"sum([{', '.join(operands)}])"
        return f"{name}({', '.join(operands)})"

    def source(self) -> str:
        """The program as Python code; the drawn point is the inputs' defaults."""
        params = ", ".join(f"x{i}={x!r}" for i, x in enumerate(self.inputs))
        body = [f"    y{k} = {self._expression(name, args)}" for k, (name, args) in enumerate(self.lines)]
        return "\n".join([f"def program({params}):", *body, f"    return y{len(self.lines) - 1}"])

    __repr__ = __str__ = source
