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
away from: the test suite and ``autograd_mini.testing`` draw inputs from them. An op whose
jumps depend on both inputs (``%`` and ``//`` jump where a / b is an integer) takes domains
inside which it has none.

**A parameter.** A unary op may take one plain-number parameter, declared as ``param=(name,
default)`` and named in the expressions by that name::

    Rule("leaky_relu", "leaky_relu", "leaky_relu(a, negative_slope)",
         ("dleaky_relu(a, negative_slope)",), param=("negative_slope", 0.01))

gives ``x.leaky_relu()`` and ``x.leaky_relu(0.2)`` (and ``autograd_mini.leaky_relu(x, 0.2)``).
The parameter is a constant, never differentiated: a Value there is a ``TypeError``, since its
gradient would be lost without a word. The node keeps it as it keeps a constant operand,
``("leaky_relu", x, 0.2)``, so ``node.operands`` is ``(x, 0.2)``, graphs draw
``leaky_relu 0.2``, and the derivative functions for higher order are called as a binary op's
are, with the operands as written: ``(a, negative_slope, out)``. (``ops.DERIVATIVES`` holds one
function per operand as written; the parameter's is never called, as the derivative in the
constant 2 of ``x * 2`` is never called.) The tests and ``autograd_mini.testing`` draw the op at
its default.

**Names.** A unary op's method takes numpy's ufunc name (``arcsin``, ``log1p``), so that
``np.arcsin`` of a Value, or of an object array of Values, calls it; ``aliases`` gives the short
names PyTorch also has (``asin``), as methods and as functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
    #: a unary op's plain-number parameter, ``(name, default)``: see the module docstring
    param: tuple[str, float] | None = None

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
    # -- more unary: numpy's names, PyTorch's short names as aliases ----------------------------
    Rule("tan", "tan", "tan(a)", ("1.0 + out * out",), domain=((-1.4, 1.4),),
         doc="tan(a); d/da = 1 + tan(a)**2 = 1 + out**2. tan(±inf) is nan."),
    Rule("arcsin", "arcsin", "arcsin(a)", ("div(1.0, sqrt(1.0 - a * a))",), domain=((-0.9, 0.9),),
         aliases=("asin",),
         doc="asin(a); d/da = 1 / sqrt(1 - a**2): nan outside [-1, 1], and inf at a = ±1 for the"
             " derivative, as PyTorch"),
    Rule("arccos", "arccos", "arccos(a)", ("-div(1.0, sqrt(1.0 - a * a))",), domain=((-0.9, 0.9),),
         aliases=("acos",),
         doc="acos(a); d/da = -1 / sqrt(1 - a**2): nan outside [-1, 1], and -inf at a = ±1 for the"
             " derivative, as PyTorch"),
    Rule("arctan", "arctan", "arctan(a)", ("div(1.0, 1.0 + a * a)",), aliases=("atan",),
         doc="atan(a); d/da = 1 / (1 + a**2)"),
    Rule("sinh", "sinh", "sinh(a)", ("cosh(a)",),
         doc="sinh(a); d/da = cosh(a). Overflows to ±inf past |a| of about 710.5."),
    Rule("cosh", "cosh", "cosh(a)", ("sinh(a)",),
         doc="cosh(a); d/da = sinh(a). Overflows to inf past |a| of about 710.5."),
    Rule("log1p", "log1p", "log1p(a)", ("div(1.0, 1.0 + a)",), domain=((-0.9, 3.0),),
         doc="ln(1 + a), exact for small a; d/da = 1 / (1 + a). -inf at a = -1, nan below."),
    Rule("expm1", "expm1", "expm1(a)", ("out + 1.0",),
         doc="e**a - 1, exact for small a; d/da = e**a = out + 1"),
    Rule("softplus", "softplus", "softplus(a)", ("sigmoid(a)",),
         doc="ln(1 + e**a); d/da = sigmoid(a). Computed as max(a, 0) + ln(1 + e**-|a|): no"
             " overflow (softplus(1000) is 1000) and exact for large negative a. Smooth"
             " everywhere, where PyTorch's softplus (beta=1, threshold=20) switches to a itself"
             " above 20, a difference below 2.1e-9 in value and gradient there."),
    Rule("leaky_relu", "leaky_relu", "leaky_relu(a, negative_slope)", ("dleaky_relu(a, negative_slope)",),
         kinks=(0.0,), param=("negative_slope", 0.01),
         doc="a if a > 0 else negative_slope * a; d/da = 1 if a > 0 else negative_slope (at a = 0"
             " too, as PyTorch). The slope (default 0.01, as PyTorch's) is a plain number, not"
             " differentiated."),
    # -- the kinked ops' derivatives, as ops of their own --------------------------------------
    # Piecewise constant, so their own derivative is 0. They are ops rather than numbers chosen
    # in Python so that a derivative taken as a graph (create_graph, grad of grad, a gradient
    # inside compile()) holds the choice as a node, which a replay computes again for new
    # inputs, instead of a constant frozen at the inputs it was first built for.
    Rule("step", "step", "step(a)", ("0.0",), kinks=(0.0,),
         doc="relu's derivative: 1 where a > 0, else 0 (0 at a = 0, 1 at nan, as PyTorch's"
             " relu backward); d/da = 0"),
    Rule("sign", "sign", "sign(a)", ("0.0",), kinks=(0.0,),
         doc="abs's derivative: -1, 0 or 1 (0 at a = 0 and at nan, as PyTorch's abs backward);"
             " d/da = 0"),
    Rule("dleaky_relu", "dleaky_relu", "dleaky_relu(a, negative_slope)", ("0.0",), kinks=(0.0,),
         param=("negative_slope", 0.01),
         doc="leaky_relu's derivative: 1 where a > 0, else negative_slope (at a = 0 and nan"
             " too, as PyTorch); d/da = 0"),
    # -- floor division and remainder: Python's, with PyTorch's values where Python raises --------
    # Both jump where a / b is an integer; inside these domains a / b lies in (-1, 0).
    Rule("%", "__mod__", "remainder(a, b)", ("1.0", "-floor_divide(a, b)"), reflected="__rmod__",
         domain=((-3.0, -0.1), (3.1, 3.6)), commutes=False,
         doc="a % b = a - b * (a // b), with the sign of b, as Python's; d/da = 1,"
             " d/db = -(a // b). a % 0 is nan (and d/db is -(a / 0)), as torch.remainder."),
    Rule("//", "__floordiv__", "floor_divide(a, b)", ("0.0", "0.0"), reflected="__rfloordiv__",
         domain=((-3.0, -0.1), (3.1, 3.6)), commutes=False,
         doc="a // b, the floor of the exact quotient, as Python's; d/da = d/db = 0. a // 0 is"
             " a / 0 (±inf, or nan for 0 // 0), as torch.floor_divide."),
)

#: The n-ary sum is the one op whose arity is not fixed: ``sum(xs)``, d/dx_i = 1 for every i.
#: Its forward and node are built by ``engine.sum``; this entry names it for the graph.
SUM = "sum"
SUM_SYMBOL = "Σ"

BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES}

#: Ops defined at run time with ``autograd_mini.defop``, by name (``userops.UserOp``: Python
#: functions rather than a row; each has ``label`` and ``commutes`` as a Rule does).
USER_OPS: dict[str, Any] = {}


def label(op: str) -> str:
    """What graphs draw for the op named ``op``: a row's, or a ``defop`` op's, symbol.

    >>> label("*"), label("exp"), label("sum")
    ('×', 'exp', 'Σ')
    """
    if op == SUM:
        return SUM_SYMBOL
    rule = BY_NAME.get(op) or USER_OPS.get(op)
    return rule.label if rule is not None else op


def commutes(op: str) -> bool:
    """Whether the operands of ``op`` may be drawn in either order."""
    rule = BY_NAME.get(op) or USER_OPS.get(op)
    return rule is None or rule.commutes
