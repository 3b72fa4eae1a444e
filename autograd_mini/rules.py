"""The table of operations: every op's forward and local derivatives, declared once.

A rule gives the op's name (also its label in graphs), the ``Value`` method it becomes, its
forward as an expression over the float inputs ``a`` (and ``b``), and the local derivative of
the result with respect to each input as an expression over ``a``, ``b`` and the result
``out``, in the manner of PyTorch's ``derivatives.yaml``::

    Rule("*", "__mul__", "a * b", ("b", "a"), reflected="__rmul__", symbol="×")

reads: ``out = a * b``, ``d out/da = b``, ``d out/db = a``; graphs draw it as ``×``.
``python -m autograd_mini._codegen`` writes each row out as Python in ``ops.py``: the
``Value`` methods (forward on floats, the node, its local derivatives inline), a function
``autograd_mini.exp(x)`` for each unary op, on numbers and Values alike, and the local
derivatives as functions of Values, for higher-order gradients. Adding an op is one row here,
its float function in ``_ieee``, and that command (the tests fail while ``ops.py`` is stale).

Names in the expressions (``div``, ``log``, ``step``, ...) are the IEEE 754 float functions of
``_ieee`` (its ``__all__``); for higher-order gradients the same expressions call their
counterparts on numbers and Values alike (``ops``' functions and ``_lift``'s helpers). The
generator refuses an expression naming anything else, with the rule and the name.

``domain`` gives, per input, an interval where the op is smooth, and ``kinks`` points to keep
away from: the test suite and ``autograd_mini.testing`` draw inputs from them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """One differentiable operation: its forward and its local derivatives."""

    name: str
    method: str
    forward: str
    grads: tuple[str, ...]
    reflected: str | None = None
    domain: tuple[tuple[float, float], ...] = ((-3.0, 3.0), (-3.0, 3.0))
    kinks: tuple[float, ...] = ()
    doc: str = ""
    #: how graphs draw the op (default: its name)
    symbol: str | None = None
    #: a binary op whose operands may swap (graphs then need not keep their order)
    commutes: bool = True
    #: other names of the method (``asin`` for ``arcsin``), as PyTorch gives short names
    aliases: tuple[str, ...] = ()

    @property
    def arity(self) -> int:
        return len(self.grads)

    @property
    def label(self) -> str:
        """What graphs draw for the op."""
        return self.symbol or self.name


POSITIVE = (0.1, 3.0)

RULES: tuple[Rule, ...] = (
    # -- binary arithmetic: Value or number on either side -----------------------------------
    Rule("+", "__add__", "a + b", ("1.0", "1.0"), reflected="__radd__",
         doc="a + b; d/da = 1, d/db = 1"),
    Rule("-", "__sub__", "a - b", ("1.0", "-1.0"), reflected="__rsub__", symbol="−", commutes=False,
         doc="a - b; d/da = 1, d/db = -1"),
    Rule("*", "__mul__", "a * b", ("b", "a"), reflected="__rmul__", symbol="×",
         doc="a * b; d/da = b, d/db = a"),
    Rule("/", "__truediv__", "div(a, b)", ("div(1.0, b)", "div(-out, b)"),
         reflected="__rtruediv__", domain=((-3.0, 3.0), POSITIVE), symbol="÷", commutes=False,
         doc="a / b; d/da = 1/b, d/db = -a/b**2 = -out/b. For |b| below about 5.6e-309"
             " (a subnormal), 1/b overflows to ±inf, and so does a's gradient, where PyTorch"
             " (which divides the incoming gradient by b) may give a finite one:"
             " d((a / 1e-309) * 1e-10)/da is inf here, 1e299 there."),
    Rule("**", "__pow__", "pow(a, b)", ("dpow_base(a, b)", "dpow_exp(a, b, out)"),
         reflected="__rpow__", domain=(POSITIVE, (-3.0, 3.0)), symbol="^", commutes=False,
         doc="a ** b; d/da = b * a**(b-1), d/db = a**b * log(a)"),
    # -- unary --------------------------------------------------------------------------------
    Rule("neg", "__neg__", "-a", ("-1.0",), symbol="−x", doc="-a; d/da = -1"),
    Rule("abs", "__abs__", "abs(a)", ("sign(a)",), kinks=(0.0,), symbol="|x|",
         doc="|a|; d/da = sign(a), 0 at a = 0"),
    Rule("exp", "exp", "exp(a)", ("out",), doc="e**a; d/da = e**a = out"),
    Rule("log", "log", "log(a)", ("div(1.0, a)",), domain=(POSITIVE,),
         doc="ln(a); d/da = 1/a. For |a| below about 5.6e-309 (a subnormal), 1/a overflows to"
             " inf, and so does a's gradient, where PyTorch (which divides the incoming gradient"
             " by a) may give a finite one: d(log(1e-310) * 1e-10)/da is inf here, 1e300 there."),
    Rule("sqrt", "sqrt", "sqrt(a)", ("div(0.5, out)",), domain=(POSITIVE,),
         doc="sqrt(a); d/da = 1 / (2 sqrt(a)) = 0.5/out"),
    Rule("tanh", "tanh", "tanh(a)", ("1.0 - out * out",),
         doc="tanh(a); d/da = 1 - tanh(a)**2 = 1 - out**2"),
    Rule("sigmoid", "sigmoid", "sigmoid(a)", ("out * (1.0 - out)",),
         doc="1 / (1 + e**-a); d/da = out * (1 - out)"),
    Rule("relu", "relu", "relu(a)", ("step(a)",), kinks=(0.0,),
         doc="max(a, 0); d/da = 1 if a > 0 else 0"),
    Rule("sin", "sin", "sin(a)", ("cos(a)",), doc="sin(a); d/da = cos(a)"),
    Rule("cos", "cos", "cos(a)", ("-sin(a)",), doc="cos(a); d/da = -sin(a)"),
)

#: The n-ary sum is the one op whose arity is not fixed: ``sum(xs)``, d/dx_i = 1 for every i.
#: Its forward and node are built by ``engine.sum``; this entry names it for the graph.
SUM = "sum"
SUM_SYMBOL = "Σ"

BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES}


def label(op: str) -> str:
    """What graphs draw for the op named ``op``.

    >>> label("*"), label("exp"), label("sum")
    ('×', 'exp', 'Σ')
    """
    if op == SUM:
        return SUM_SYMBOL
    rule = BY_NAME.get(op)
    return rule.label if rule is not None else op


def commutes(op: str) -> bool:
    """Whether the operands of ``op`` may be drawn in either order."""
    rule = BY_NAME.get(op)
    return rule is None or rule.commutes
