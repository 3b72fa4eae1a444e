"""Every rule of the table, checked through ``autograd_mini.testing``: first and second derivatives
against central finite differences over the rule's domain, in every operand form (Value-Value,
Value-constant, constant-Value, and x op x), and against PyTorch float64 where torch is installed;
then random programs from ``expressions()`` the same way. A new rule is covered by being declared.
"""

from __future__ import annotations

import ast
import dataclasses
import math
import operator
from functools import reduce

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_mini import Value, gradients, hessian
from autograd_mini.rules import RULES, SUM, Rule
from autograd_mini.testing import Program, expressions, gradcheck, gradgradcheck, values
from autograd_mini.testing.strategies import drawable_ops


def _smooth(rule: Rule) -> Rule:
    # PyTorch sets d(a**b)/da to exactly 0 where b == 0, so its second derivative in b is 0
    # there instead of 1/a; the engine keeps the true 1/a (see
    # test_pow_second_derivative_at_zero_exponent). Draw b away from 0 so the two agree.
    return dataclasses.replace(rule, kinks=(*rule.kinks, 0.0)) if rule.name == "**" else rule


TABLE = tuple(_smooth(r) for r in RULES)


def forms(rule: Rule) -> list[str]:
    """``v``: op(x); ``vv``: x op y; ``vc``: x op c; ``cv``: c op x; ``xx``: x op x (one Value twice)."""
    if rule.arity == 1:
        return ["v"]
    (lo_a, hi_a), (lo_b, hi_b) = rule.domain
    both = max(lo_a, lo_b) < min(hi_a, hi_b)
    return ["vv", "vc"] + ["cv"] * bool(rule.reflected) + ["xx"] * both


CASES = [(rule, form) for rule in TABLE for form in forms(rule)]
IDS = [f"{rule.name}-{form}" for rule, form in CASES]


@st.composite
def one_op(draw, rule: Rule, form: str) -> Program:
    """A one-line program applying ``rule`` in ``form``, at a point inside the rule's domain."""
    if form == "v":
        return Program([(rule.name, (0,))], [draw(values(*rule.domain[0], avoid=rule.kinks))])
    a, b = (values(*d, avoid=rule.kinks) for d in rule.domain)
    # Constants as a user writes them, one decimal, still away from the kinks.
    far = lambda c: all(abs(c - k) >= 0.01 for k in rule.kinks)
    constant = lambda s: s.map(lambda x: round(x, 1)).filter(far)
    if form == "vv":
        return Program([(rule.name, (0, 1))], [draw(a), draw(b)])
    if form == "vc":
        return Program([(rule.name, (0, draw(constant(b))))], [draw(a)])
    if form == "cv":
        return Program([(rule.name, (draw(constant(a)), 0))], [draw(b)])
    (lo_a, hi_a), (lo_b, hi_b) = rule.domain
    return Program([(rule.name, (0, 0))], [draw(values(max(lo_a, lo_b), min(hi_a, hi_b), avoid=rule.kinks))])


@pytest.mark.parametrize("rule, form", CASES, ids=IDS)
@given(data=st.data())
def test_rule_matches_finite_differences(rule, form, data):
    program = data.draw(one_op(rule, form))
    assert gradcheck(program, program.inputs)
    assert gradgradcheck(program, program.inputs)


@given(st.lists(values(), min_size=1, max_size=5))
def test_sum_matches_finite_differences(xs):
    program = Program([(SUM, (*range(len(xs)), 0))], xs)  # x0 twice: its gradient is 2
    assert gradcheck(program, xs) and gradgradcheck(program, xs)


@given(expressions(n_inputs=3, max_ops=8, table=TABLE))
def test_random_programs_match_finite_differences(program):
    assert gradcheck(program, program.inputs)
    assert gradgradcheck(program, program.inputs)


def test_pow_second_derivative_at_zero_exponent():
    # d/db d/da a**b = a**(b-1) (1 + b log a) = 1/a at b == 0; the Hessian must be symmetric
    assert gradgradcheck(lambda a, b: a ** b, [2.0, 0.0])
    h = hessian(lambda a, b: a ** b)(2.0, 0.0)
    assert h[0][1] == h[1][0] == 0.5


# -- against PyTorch float64 -------------------------------------------------------------------------
#: Ops whose PyTorch function is not ``torch.<name>``; others are looked up by name.
TORCH_OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
                   "**": operator.pow, SUM: lambda *xs: reduce(operator.add, xs)}


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch", reason="PyTorch is the float64 reference; CI installs it")


def _torch_names(torch) -> dict:
    """Ops whose PyTorch function is not ``torch.<name>`` and needs torch itself to name."""
    F = torch.nn.functional
    # remainder(number, tensor) has no derivative in PyTorch: a constant becomes a tensor first
    tensor = lambda x: x if isinstance(x, torch.Tensor) else torch.tensor(x, dtype=torch.float64)
    return {"softplus": F.softplus, "leaky_relu": F.leaky_relu,
            # the kinked ops' derivatives: PyTorch's relu, abs and leaky_relu backward use these
            # values (nan included), and their own derivative is 0
            "step": _piecewise_constant(torch, lambda x: torch.where(x <= 0, 0.0, 1.0)),
            "sign": _piecewise_constant(torch, lambda x: torch.where(
                x > 0, 1.0, torch.where(x < 0, -1.0, 0.0))),
            "dleaky_relu": _piecewise_constant(torch, lambda x, s=0.01: torch.where(
                x > 0, torch.ones_like(x), torch.full_like(x, s))),
            "%": lambda a, b: torch.remainder(tensor(a), tensor(b)),
            # floor_divide has no derivative in PyTorch; div's floor mode is the same function
            # with derivative 0 in both inputs
            "//": lambda a, b: torch.div(a, b, rounding_mode="floor")}


def _piecewise_constant(torch, f):
    """``f`` (of a tensor, and maybe a number) as a PyTorch function whose derivative is 0."""
    class PiecewiseConstant(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, *params):
            return f(x, *params).to(torch.float64)

        @staticmethod
        def backward(ctx, g):
            return (torch.zeros_like(g), *(None,) * (len(ctx.needs_input_grad) - 1))

    def apply(x, *params):
        if not isinstance(x, torch.Tensor):
            x = torch.tensor(x, dtype=torch.float64)
        return PiecewiseConstant.apply(x, *params)
    return apply


@pytest.fixture(scope="module")
def torch_ops(torch):
    ops = {**TORCH_OPERATORS, **_torch_names(torch)}
    for name in drawable_ops():
        if name not in ops:
            if not hasattr(torch, name):
                pytest.fail(f"no PyTorch reference for op {name!r}: add it to TORCH_OPERATORS")
            ops[name] = getattr(torch, name)
    return ops


def close(a: float, b: float) -> bool:
    # Different formulas for one function (sigmoid, pow) differ in the last bits.
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def check_against_torch(program: Program, torch, ops) -> None:
    xs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in program.inputs]
    out = program.evaluate(xs, ops)
    grads = torch.autograd.grad(out, xs, create_graph=True, allow_unused=True)
    torch_hessian = [[0.0] * len(xs) if g is None or not g.requires_grad else
                [0.0 if h is None else h.item()
                 for h in torch.autograd.grad(g, xs, retain_graph=True, allow_unused=True)]
                for g in grads]
    ours = program(*program.inputs)
    assert close(ours.data, out.item()), (ours.data, out.item())
    leaves = [Value(x) for x in program.inputs]
    ours_grads = gradients(program(*leaves))
    for x, g in zip(leaves, grads):
        expected = 0.0 if g is None else g.item()
        assert close(ours_grads.get(x, 0.0), expected), (ours_grads.get(x, 0.0), expected)
    ours_hessian = hessian(program)(*program.inputs)
    for ours_row, row in zip(ours_hessian, torch_hessian):
        assert all(close(a, b) for a, b in zip(ours_row, row)), (ours_hessian, torch_hessian)


@pytest.mark.parametrize("rule, form", CASES, ids=IDS)
@given(data=st.data())
def test_rule_matches_torch(torch, torch_ops, rule, form, data):
    check_against_torch(data.draw(one_op(rule, form)), torch, torch_ops)


@given(expressions(n_inputs=3, max_ops=8, table=TABLE))
def test_random_programs_match_torch(torch, torch_ops, program):
    check_against_torch(program, torch, torch_ops)


# -- at subnormal inputs ------------------------------------------------------------------------------
#: Inputs that are subnormal (below 2.2e-308), with ordinary ones to pair them with.
SUBNORMAL = (1e-310, -1e-310, 5e-324, 3e-309)
ORDINARY = (0.5, -3.0, 2.0)


def _exact_local(rule: Rule, a: float, b: float, *_: float) -> list[float]:
    """The rule's local derivatives at (a, b) in 60-digit arithmetic, rounded to float once."""
    mpmath = pytest.importorskip("mpmath", reason="mpmath gives the exact reference")

    def real(f):
        # log(-1) is complex, and mpmath's zero has no sign for x/0 or 0**-1: nan, left to torch
        def g(*xs):
            try:
                x = f(*xs)
            except ZeroDivisionError:
                return mpmath.mpf("nan")
            return mpmath.mpf(x) if isinstance(x, (mpmath.mpf, int)) else mpmath.mpf("nan")
        return g

    with mpmath.workdps(60):
        ns = {name: real(f) for name, f in {
            "div": lambda x, y: x / y, "log": mpmath.log, "exp": mpmath.exp, "sqrt": mpmath.sqrt,
            "sin": mpmath.sin, "cos": mpmath.cos, "tanh": mpmath.tanh,
            "sigmoid": lambda x: 1 / (1 + mpmath.exp(-x)), "relu": lambda x: max(x, 0),
            "step": lambda x: mpmath.mpf(x > 0), "sign": mpmath.sign,
            "tan": mpmath.tan, "sinh": mpmath.sinh, "cosh": mpmath.cosh, "arctan": mpmath.atan,
            "arcsin": lambda x: mpmath.asin(x) if -1 <= x <= 1 else mpmath.mpf("nan"),
            "arccos": lambda x: mpmath.acos(x) if -1 <= x <= 1 else mpmath.mpf("nan"),
            "log1p": lambda x: mpmath.log1p(x) if x > -1 else mpmath.mpf("nan"),
            "expm1": mpmath.expm1, "softplus": lambda x: mpmath.log1p(mpmath.exp(x)),
            "leaky_relu": lambda x, s: x if x > 0 else x * s,
            "dleaky_relu": lambda x, s: mpmath.mpf(1) if x > 0 else s,
            "remainder": lambda x, y: x - y * mpmath.floor(x / y),
            "floor_divide": lambda x, y: mpmath.floor(x / y),
            "pow": lambda x, y: x ** y,
            "dpow_base": lambda x, y: 0 if y == 0 else y * x ** (y - 1),
            "dpow_exp": lambda x, y, out: 0 if x == 0 and y >= 0 else out * mpmath.log(x)}.items()}
        # A function named by a newer rule: mpmath's own of that name where it has one; with
        # none, the rule has no exact reference here and is held to PyTorch's results alone.
        for name in {n.id for e in (rule.forward, *rule.grads) for n in ast.walk(ast.parse(e)) if
                     isinstance(n, ast.Name)} - {*ns, "a", "b", "out", "abs"}:
            if not hasattr(mpmath, name):
                return [math.nan] * len(rule.grads)
            ns[name] = real(getattr(mpmath, name))
        args = {"a": mpmath.mpf(a), "b": mpmath.mpf(b)}
        if rule.param is not None:  # at its default, as the tests draw it
            args[rule.param[0]] = mpmath.mpf(rule.param[1])
        # The rule's own expressions, as the engine evaluates them, but on 60-digit numbers.
        evaluate = real(lambda text: eval(text, {**ns, "abs": abs}, args))
        args["out"] = evaluate(rule.forward)
        return [float(evaluate(g)) for g in rule.grads]


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_gradients_at_subnormal_inputs_are_exact_or_as_torch(rule, torch, torch_ops):
    # At a subnormal input a local derivative such as 1/a overflows, or b * a**(b-1) may meet
    # 0 * inf: each gradient, in both paths, must be the exact derivative rounded to float (inf
    # where it is beyond float's range), or what PyTorch float64 computes.
    pairs = [(a,) for a in SUBNORMAL] if rule.arity == 1 else [
        p for s in SUBNORMAL for o in (*ORDINARY, *SUBNORMAL, 0.0) for p in ((s, o), (o, s))]
    for point in pairs:
        # op(x); x op y; x op c; c op x: each slot an input (int) or a constant (float)
        for args in [(0,)] if rule.arity == 1 else [(0, 1), (0, point[1]), (point[0], 0)]:
            if isinstance(args[0], float) and not rule.reflected:
                continue
            inputs = [x for x, slot in zip(point, args) if isinstance(slot, int)]
            program = Program([(rule.name, args)], inputs)
            xs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
            theirs = [g.item() for g in torch.autograd.grad(program.evaluate(xs, torch_ops), xs)]
            exact = [d for d, slot in zip(_exact_local(rule, *point, 0.0), args) if isinstance(slot, int)]
            leaves = [Value(x) for x in inputs]
            for differentiable in (False, True):
                got = gradients(program(*leaves), differentiable=differentiable)
                ours = [getattr(got[v], "data", got[v]) for v in leaves]
                for o, t, e in zip(ours, theirs, exact):
                    assert _same(o, e) or _same(o, t), (rule.name, args, point, differentiable, o, t, e)


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0)


# -- at special values ----------------------------------------------------------------------------
#: nan, ±inf, ±0, the edges of arcsin's and log1p's domains, and ordinary values of each sign.
SPECIALS = (math.nan, math.inf, -math.inf, 0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1000.0, -1000.0)


def _agrees(got: float, expected: float) -> bool:
    # Zeros compare equal whatever their sign (a leaf's grad starts at 0.0, and Python's
    # 1.0 % -1.0 is -0.0 where torch.remainder's is 0.0); finite values to 1e-12.
    return (math.isnan(got) and math.isnan(expected)) or math.isclose(got, expected, rel_tol=1e-12)


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_every_rule_at_special_values_matches_torch(rule, torch, torch_ops):
    # Value and gradients in every operand form: never an exception, the IEEE value PyTorch
    # float64 computes (x % 0 is nan, arcsin(2) is nan, log1p(-1) is -inf, sinh(1000) is inf).
    points = [(a,) for a in SPECIALS] if rule.arity == 1 else [(a, b) for a in SPECIALS for b in SPECIALS]
    wrong = []
    for point in points:
        # op(x); x op y; x op c; c op x: each slot an input (int) or a constant (float)
        forms = [(0,)] if rule.arity == 1 else [(0, 1), (0, point[1]), (point[0], 0)]
        if rule.arity == 2 and not rule.reflected:
            forms.pop()
        for args in forms:
            inputs = [x for x, slot in zip(point, args) if isinstance(slot, int)]
            program = Program([(rule.name, args)], inputs)
            # Constants as tensors too: PyTorch computes t ** 0.5 with a number 0.5 as sqrt(t),
            # which differs from pow at -inf and -0.0 (C's pow(-inf, 0.5) is inf).
            ts = [torch.tensor(x, dtype=torch.float64, requires_grad=isinstance(slot, int))
                  for x, slot in zip(point, args)]
            out = torch_ops[rule.name](*ts)
            grads = torch.autograd.grad(out, [t for t in ts if t.requires_grad])
            expected = [out.item(), *(g.item() for g in grads)]
            leaves = [Value(x) for x in inputs]
            ours = program(*leaves)
            ours.backward()
            got = [ours.data, *(x.grad for x in leaves)]
            if not all(map(_agrees, got, expected)):
                line = program.source().splitlines()[1].strip()
                wrong.append(f"{line} at {inputs}: {got}, torch {expected}")
    assert not wrong, "\n".join(wrong[:20])


def test_label_and_commutes_for_rows_defop_ops_and_unknown_names(monkeypatch):
    from autograd_mini import rules
    from autograd_mini.userops import defop

    monkeypatch.setattr(rules, "USER_OPS", dict(rules.USER_OPS))  # the op is forgotten afterwards
    defop("t_mut_sq", lambda a, b: a * a + b, lambda a, b, out: (2 * a, 1.0), symbol="sq+")
    labels = [rules.label(op) for op in ("*", "sum", "t_mut_sq", "no_such_op")]
    assert labels == ["×", "Σ", "sq+", "no_such_op"]
    # a row says whether it commutes, a defop op never does, and an unknown name may be drawn either way
    assert [rules.commutes(op) for op in ("+", "*", "-", "/", "**", "t_mut_sq", "no_such_op")] == [
        True, True, False, False, False, False, True]
