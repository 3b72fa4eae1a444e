"""Hypothesis strategies for property-based gradient tests: input values and random programs.

``expressions(n)`` draws a straight-line ``Program`` over n inputs from every op of the rule
table (and the n-ary ``sum``), reusing earlier results so that gradients accumulate, together
with the point ``program.inputs`` it is meant to be checked at:

>>> from hypothesis import given
>>> from autograd_mini.testing import gradcheck
>>> @given(expressions(n_inputs=2))
... def test_random_programs(program):
...     assert gradcheck(program, program.inputs)
>>> test_random_programs()

**How programs stay in-domain.** The program is built at its point: each line's value there is
known while drawing, and an op may be applied only to operands whose values lie inside the
op's ``domain`` (an interval per operand, from the rule table) by at least ``margin``, and at
least ``margin`` away from each of its ``kinks``. So there is no ``log`` of a negative number
and no ``relu`` at 0, and, since every domain is bounded, every value that is used again is
bounded too: finite differences stay meaningful. ``in_domain=False`` drops the restriction.
Away from its point a program may leave the domains. New rules are drawn as soon as they are in
``autograd_mini.rules.RULES``; nothing here names an op, except ``sum``, which is not a rule.

**Your own ops.** An op made with ``autograd_mini.defop`` is drawn only when asked for, by name
(or as the op itself) in ``ops``, or all of them with ``drawable_ops(user_ops=True)``, inside the
``domain`` and away from the ``kinks`` it was defined with. By default programs use the built-in
ops alone, so that a test's programs do not change with what other code has defined:

>>> import autograd_mini as am
>>> cube = am.defop("cube_drawn", lambda a: a ** 3, lambda a, out: (3 * a * a,), domain=(-2.0, 2.0))
>>> @given(expressions(ops=[cube, "sin", "*"]))
... def test_programs_with_cube(program):
...     assert gradcheck(program, program.inputs)
>>> test_programs_with_cube()
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from .. import rules
from ..engine import Value
from ..userops import UserOp
from .program import Entry, Line, Program, number_first, value_ops

__all__ = ["SUM_DOMAIN", "drawable_ops", "expressions", "values"]

#: Where ``sum``'s operands are kept: the rule table's default domain, so sums stay bounded.
SUM_DOMAIN = (-3.0, 3.0)


def values(low: float = -3.0, high: float = 3.0, *, avoid: Iterable[float] = (),
           margin: float = 0.01) -> st.SearchStrategy[float]:
    """Floats in ``[low + margin, high - margin]`` at least ``margin`` away from each point of ``avoid``.

    Meant for a rule's ``domain`` and ``kinks``: ``values(*rule.domain[0], avoid=rule.kinks)``.

    >>> from hypothesis import given
    >>> @given(values(0.1, 3.0, avoid=[1.0]))
    ... def test_log_is_finite_and_nonzero(x):
    ...     assert math.isfinite(math.log(x)) and math.log(x) != 0.0
    >>> test_log_is_finite_and_nonzero()
    """
    _check_real(low=low, high=high, margin=margin)
    if isinstance(avoid, (str, bytes)) or not isinstance(avoid, Iterable):
        raise TypeError(f"avoid must be an iterable of numbers, not {type(avoid).__name__}")
    avoid = tuple(avoid)
    _check_real(**{f"avoid[{i}]": k for i, k in enumerate(avoid)})
    avoid = tuple(float(k) for k in avoid)
    if not (math.isfinite(low) and math.isfinite(high) and margin >= 0.0):
        raise ValueError(f"values needs finite bounds and margin >= 0, got {low}, {high}, margin={margin}")
    if not low + margin <= high - margin:
        raise ValueError(f"values needs low + margin <= high - margin, got {low}, {high}, margin={margin}")
    floats = st.floats(low + margin, high - margin, allow_nan=False, allow_infinity=False)
    if not avoid:
        return floats
    return floats.filter(lambda x: all(abs(x - k) >= margin for k in avoid))


def _check_real(**numbers: Any) -> None:
    """A TypeError naming the first argument that is not a real number (bool is not one)."""
    for name, x in numbers.items():
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            raise TypeError(f"{name} must be a real number, not {type(x).__name__}")


def drawable_ops(table: Sequence[Entry] | None = None, *, user_ops: bool = False) -> tuple[str, ...]:
    """The op names ``expressions`` draws from by default: every rule of ``table`` (default: the
    engine's), and sum; with ``user_ops=True``, then every op defined with ``defop`` so far.

    >>> drawable_ops()[:5], drawable_ops()[-1]
    (('+', '-', '*', '/', '**'), 'sum')
    """
    if not isinstance(user_ops, bool):
        raise TypeError(f"user_ops must be a bool, not {type(user_ops).__name__}")
    table = rules.RULES if table is None else table
    names = (*(r.name for r in table), rules.SUM)
    return names + tuple(n for n in rules.USER_OPS if n not in names) if user_ops else names


class _Builder:
    """The choices open at each step of drawing a program, given the values so far."""

    def __init__(self, table: Sequence[Entry], names: Sequence[str], in_domain: bool,
                 margin: float) -> None:
        # The table's ops, then the defop ops named in ``names``, as defined now.
        known = {r.name for r in table}
        extra = [rules.USER_OPS[n] for n in dict.fromkeys(names) if n not in known and n != rules.SUM]
        self.table = (*table, *extra)
        self.rules = [r for r in self.table if r.name in names]
        self.sum = rules.SUM in names
        self.in_domain, self.margin = in_domain, margin
        self.ops = value_ops(self.table)

    def fits(self, x: float, domain: tuple[float, float], kinks: tuple[float, ...]) -> bool:
        if not self.in_domain:
            return True
        m = self.margin
        return domain[0] + m <= x <= domain[1] - m and all(abs(x - k) >= m for k in kinks)

    def slots(self, data: list[float], domain: tuple[float, float], kinks: tuple[float, ...]) -> list[int]:
        return [i for i, x in enumerate(data) if self.fits(x, domain, kinks)]

    def constants(self, domain: tuple[float, float], kinks: tuple[float, ...]) -> list[float]:
        """Constants on a grid of 0.1 inside the domain, simplest (smallest) first."""
        lo, hi = (-3.0, 3.0) if not self.in_domain else domain
        grid = range(math.ceil((lo + self.margin) * 10), math.floor((hi - self.margin) * 10) + 1)
        return sorted((k / 10 for k in grid if self.fits(k / 10, domain, kinks)), key=abs)

    def choices(self, data: list[float]) -> dict[str, list[tuple[Any, ...]]]:
        """For each op that can be applied now: its forms and, per operand, the possible picks."""
        open_ops: dict[str, list[tuple[Any, ...]]] = {}
        for r in self.rules:
            if r.arity == 1:
                a = self.slots(data, r.domain[0], r.kinks)
                forms: list[tuple[Any, ...]] = [("v", a)] if a else []
            else:
                a, b = (self.slots(data, d, r.kinks) for d in r.domain[:2])
                ca, cb = (self.constants(d, r.kinks) for d in r.domain[:2])
                forms = [f for f, ok in (
                    (("vv", a, b), a and b), (("vc", a, cb), a and cb),
                    (("cv", ca, b), number_first(r) and ca and b)) if ok]
            if forms:
                open_ops[r.name] = forms
        if self.sum:
            s = self.slots(data, SUM_DOMAIN, ())
            if s:
                open_ops[rules.SUM] = [("n", s)]
        return open_ops


@st.composite
def _programs(draw: st.DrawFn, n_inputs: int, min_ops: int, max_ops: int, low: float, high: float,
              builder: _Builder) -> Program:
    inputs = [draw(st.floats(low, high, allow_nan=False, allow_infinity=False)) for _ in range(n_inputs)]
    slots = [Value(x) for x in inputs]  # the running values, as Values
    lines: list[Line] = []
    for _ in range(draw(st.integers(min_ops, max_ops))):
        open_ops = builder.choices([v.data for v in slots])
        if not open_ops:
            break
        name = draw(st.sampled_from(list(open_ops)))
        form, *picks = draw(st.sampled_from(open_ops[name]))
        if form == "n":
            picked = draw(st.lists(st.sampled_from(picks[0]), min_size=2, max_size=4))
        else:
            picked = [draw(st.sampled_from(p)) for p in picks]
        # Half the time, feed the latest result on: programs grow deep, not only wide, and the
        # lines that the result does not use (dropped at the end) are few.
        first = 1 if form == "cv" else 0
        latest = len(slots) - 1
        if lines and latest in picks[first] and draw(st.booleans()):
            picked[first] = latest
        args = tuple(picked)
        slots.append(builder.ops[name](*[slots[a] if isinstance(a, int) else a for a in args]))
        lines.append((name, args))
    assume(lines)  # only when no op at all applies at the inputs drawn
    return Program(lines, inputs, builder.table).live()


def expressions(n_inputs: int = 1, *, min_ops: int = 1, max_ops: int = 6, low: float = -2.0,
                high: float = 2.0, ops: Iterable[str | UserOp] | None = None,
                table: Sequence[Entry] | None = None, in_domain: bool = True,
                margin: float = 0.01) -> st.SearchStrategy[Program]:
    """Random straight-line programs over ``n_inputs`` inputs drawn from ``[low, high]``.

    Each program has between ``min_ops`` and ``max_ops`` lines before the lines its result does
    not use are dropped. ``ops`` limits the op names (default: all of ``drawable_ops(table)``,
    the built-in ops); it may also name ops defined with ``defop``, or hold them.
    ``table`` is the rule table (default: the engine's, read when this is called). See the
    module docstring for how values stay in each op's domain. Hypothesis shrinks programs to
    fewer lines, simpler ops (earlier in the table) and operands (inputs before results).

    >>> from hypothesis import find
    >>> program = find(expressions(ops=["sin", "*"]), lambda p: p.ops == ("sin", "*"))
    >>> program.n_inputs, program.ops, len(str(program).splitlines())
    (1, ('sin', '*'), 4)
    """
    table = rules.RULES if table is None else tuple(table)
    known = drawable_ops(table, user_ops=True)
    if ops is not None and (isinstance(ops, (str, bytes)) or not isinstance(ops, Iterable)):
        raise TypeError(f"ops must be an iterable of op names such as ['sin', '*'], not {type(ops).__name__}")
    names = drawable_ops(table) if ops is None else tuple(_op_name(op) for op in ops)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"ops must be names from the rule table or 'sum', got {unknown}, which are "
                         "neither, nor ops defined with defop")
    for key, n in (("n_inputs", n_inputs), ("min_ops", min_ops), ("max_ops", max_ops)):
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"{key} must be an int, not {type(n).__name__}")
    _check_real(low=low, high=high, margin=margin)
    if not isinstance(in_domain, bool):
        raise TypeError(f"in_domain must be a bool, not {type(in_domain).__name__}")
    if n_inputs < 1:
        raise ValueError(f"n_inputs must be at least 1, got {n_inputs}")
    if not 0.0 <= margin < math.inf:
        raise ValueError(f"margin must be a finite number of at least 0, got {margin}")
    if not 1 <= min_ops <= max_ops:
        raise ValueError(f"need 1 <= min_ops <= max_ops, got min_ops={min_ops}, max_ops={max_ops}")
    if not (math.isfinite(low) and math.isfinite(high) and low <= high):
        raise ValueError(f"need finite low <= high, got low={low}, high={high}")
    builder = _Builder(table, names, in_domain, margin)
    return _programs(n_inputs, min_ops, max_ops, low, high, builder)


def _op_name(op: Any) -> Any:
    """The name of an entry of ``ops``: a defop op stands for itself while it is registered."""
    if callable(op):  # by duck type: pytest's doctests may import a second copy of userops
        name = getattr(op, "name", None)
        if not isinstance(name, str) or rules.USER_OPS.get(name) is not op:
            raise ValueError(f"ops holds {op!r}, which is not an op defined with defop (or defop "
                             "has redefined it since): pass op names, or the ops defop returned")
        return name
    return op
