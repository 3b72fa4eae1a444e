"""The ops of issue 11 by hand: softplus's stability, leaky_relu's slope parameter, ``%`` and ``//``
as Python has them, the short names. The table-wide tests (tests/test_rules.py) check every row
against finite differences, PyTorch and exact arithmetic; these check what a row cannot say."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_mini import Value, _codegen, _ieee, detect_anomaly, draw_dot, grad, hessian, no_grad, ops
from autograd_mini.rules import BY_NAME, RULES, Rule
from autograd_mini.testing import gradcheck, gradgradcheck

mpmath = pytest.importorskip("mpmath", reason="mpmath gives the exact reference")


def exact_softplus(x: float) -> float:
    with mpmath.workdps(60):
        return float(mpmath.log1p(mpmath.exp(mpmath.mpf(x))))


# -- softplus -------------------------------------------------------------------------------------
def test_softplus_neither_overflows_nor_loses_small_values():
    assert Value(1000.0).softplus().data == 1000.0
    assert Value(-1000.0).softplus().data == 0.0  # e**-1000 is below the smallest float
    assert Value(-30.0).softplus().data == exact_softplus(-30.0)  # 9.36e-14, not 0
    assert Value(0.0).softplus().data == math.log(2.0)
    x = Value(1000.0)
    x.softplus().backward()
    assert x.grad == 1.0


@given(st.floats(-745.0, 745.0))
def test_softplus_is_within_two_ulps_of_exact(x):
    exact = exact_softplus(x)
    assert abs(_ieee.softplus(x) - exact) <= 2 * math.ulp(exact)


def test_softplus_is_smooth_where_torch_switches_to_the_identity():
    # PyTorch's softplus (beta=1, threshold=20) is x itself above 20: a jump of 2.1e-9 at 20
    # that finite differences see. Ours is ln(1 + e**x) throughout, and exact there.
    for x in (19.9, 20.0, 20.1, 25.0, 36.0):
        assert _ieee.softplus(x) == exact_softplus(x)
        assert gradcheck(lambda v: v.softplus(), [x]) and gradgradcheck(lambda v: v.softplus(), [x])
    torch = pytest.importorskip("torch", reason="PyTorch is the reference; CI installs torch==2.13.0")
    for x in (20.5, 25.0, 30.0):  # (past 36.7, ln(1 + e**-x) is below half an ulp of x)
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        out = torch.nn.functional.softplus(t)
        out.backward()
        v = Value(x)
        ours = v.softplus()
        ours.backward()
        assert out.item() == x and t.grad.item() == 1.0  # torch: the identity
        assert 0.0 < ours.data - x < 2.1e-9 and 0.0 < 1.0 - v.grad < 2.1e-9


# -- leaky_relu and its slope ---------------------------------------------------------------------
def test_leaky_relu_takes_its_slope_as_pytorch_does():
    assert Value(-2.0).leaky_relu().data == -0.02  # negative_slope=0.01 by default
    assert Value(-2.0).leaky_relu(0.2).data == Value(-2.0).leaky_relu(negative_slope=0.2).data == -0.4
    assert Value(3.0).leaky_relu(0.2).data == 3.0
    assert ops.leaky_relu(-2.0, 0.2) == -0.4 and ops.leaky_relu(Value(-2.0), 0.2).data == -0.4
    assert ops.leaky_relu(-2.0) == -0.02
    assert Value(-1.0).leaky_relu(0).data == 0.0  # an int slope is a number; 0 is relu
    for x0, slope, expected in [(-2.0, 0.2, 0.2), (3.0, 0.2, 1.0), (0.0, 0.2, 0.2), (math.nan, 0.2, 0.2)]:
        x = Value(x0)
        x.leaky_relu(slope).backward()
        assert x.grad == expected, (x0, slope)  # at 0 and nan the slope, as PyTorch


def test_leaky_relu_keeps_its_slope_in_the_node():
    x = Value(-2.0, label="x")
    y = x.leaky_relu(0.2)
    assert y.op == "leaky_relu" and y.operands == (x, 0.2) and y.parents == (x,)
    assert y.local_grads == (0.2,)
    assert "leaky_relu 0.2" in draw_dot(y).source
    # Higher order reads the slope from the node: d2/dx2 (leaky_relu(x, s) * x) = 2s for x < 0
    assert grad(grad(lambda v: v.leaky_relu(0.2) * v))(-2.0) == pytest.approx(0.4)
    assert hessian(lambda v: v.leaky_relu(0.3) * v.leaky_relu(0.3))(-1.0) == [[pytest.approx(0.18)]]
    assert gradcheck(lambda v: v.leaky_relu(0.2) * v.exp(), [-0.7])
    assert gradgradcheck(lambda v: v.leaky_relu(0.2) * v.exp(), [-0.7])


def test_leaky_relu_slope_must_be_a_plain_number():
    x = Value(-1.0)
    with pytest.raises(TypeError, match=r"leaky_relu\(\) negative_slope must be a real number, not Value"):
        x.leaky_relu(Value(0.2))  # its gradient would be lost without a word
    with pytest.raises(TypeError, match="not str"):
        x.leaky_relu("0.2")
    with pytest.raises(TypeError, match=r"leaky_relu\(\) negative_slope must be a real number, not NoneType"):
        ops.leaky_relu(-1.0, None)
    with pytest.raises(AssertionError, match="no gradient"):
        ops.DERIVATIVES["leaky_relu"][1](x, 0.2, x)  # the parameter's entry: never called


def test_leaky_relu_with_a_slope_matches_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is the reference; CI installs torch==2.13.0")
    for x0 in (-2.0, -0.5, 0.0, -0.0, 1.5, math.inf, -math.inf, math.nan):
        for slope in (0.01, 0.2, -0.5, 2.0):
            t = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
            out = torch.nn.functional.leaky_relu(t, slope)
            out.backward()
            x = Value(x0)
            ours = x.leaky_relu(slope)
            ours.backward()
            for got, expected in ((ours.data, out.item()), (x.grad, t.grad.item())):
                assert (math.isnan(got) and math.isnan(expected)) or got == expected, (x0, slope)


def test_leaky_relu_under_no_grad_and_detect_anomaly():
    with no_grad():
        y = Value(-1.0).leaky_relu(0.2)
    assert y.is_leaf and y.data == -0.2
    with detect_anomaly(), pytest.raises(FloatingPointError, match="leaky_relu returned nan"):
        Value(math.nan).leaky_relu(0.2)


# -- % and // -------------------------------------------------------------------------------------
def python(op, a: float, b: float) -> float | None:
    try:
        return op(a, b)
    except ZeroDivisionError:
        return None


def same(a: float, b: float) -> bool:
    """Equal, zeros of the same sign, or both nan."""
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1.0, a) == math.copysign(1.0, b))


finite = st.floats(allow_nan=False, allow_infinity=False)


@given(st.one_of(finite, st.sampled_from([math.inf, -math.inf, math.nan, 0.0, -0.0])),
       st.one_of(finite, st.sampled_from([math.inf, -math.inf, math.nan, 0.0, -0.0, 1e-310])))
def test_remainder_and_floor_division_are_pythons_in_every_form(a, b):
    for op, ieee in ((lambda x, y: x % y, _ieee.remainder), (lambda x, y: x // y, _ieee.floor_divide)):
        expected = python(op, a, b)
        if expected is None:  # Python raises at b == 0: torch's values instead
            expected = math.nan if ieee is _ieee.remainder else _ieee.div(a, b)
        for got in (ieee(a, b), op(Value(a), Value(b)).data, op(Value(a), b).data, op(a, Value(b)).data):
            assert same(got, expected), (a, b, got, expected)


def test_remainder_and_floor_division_by_hand():
    a, b = Value(7.0), Value(2.0)
    r = a % b  # 7 = 3 * 2 + 1
    r.backward()
    assert (r.data, a.grad, b.grad) == (1.0, 1.0, -3.0)
    a, b = Value(-7.0), Value(2.0)
    r = a % b  # -7 = -4 * 2 + 1: the sign of b, as Python's
    r.backward()
    assert (r.data, a.grad, b.grad) == (1.0, 1.0, 4.0)
    assert (Value(1.0) % -3.0).data == -2.0 and (Value(-1.0) // 3.0).data == -1.0
    x = Value(3.0)
    y = 2.0 % x  # reflected: d/dx (2 % x) = -(2 // 3) = 0
    y.backward()
    assert (y.data, x.grad, y.operands) == (2.0, -0.0, (2.0, x))
    x = Value(2.0)
    y = 7 // x
    y.backward()
    assert (y.data, x.grad, y.operands) == (3.0, 0.0, (7.0, x))
    x = Value(2.5)
    (x % 1.0).backward()
    assert x.grad == 1.0
    x = Value(2.5)
    y = x // x + x % x  # 1 + 0; d/dx = 0 + (1 - (x // x)) = 0
    y.backward()
    assert (y.data, x.grad) == (1.0, 0.0)


def test_remainder_and_floor_division_by_zero_are_torchs_values():
    x = Value(3.0)
    z = Value(0.0)
    r = x % z
    r.backward()
    assert math.isnan(r.data) and x.grad == 1.0 and z.grad == -math.inf  # -(3 // 0) = -(3 / 0)
    assert (Value(3.0) // 0.0).data == math.inf and (Value(3.0) // -0.0).data == -math.inf
    assert math.isnan((Value(0.0) // 0.0).data) and math.isnan((Value(3.0) % 0).data)
    with detect_anomaly(), pytest.raises(FloatingPointError, match="% returned nan"):
        Value(1.0) % 0


def test_remainder_second_derivatives_are_zero():
    h = hessian(lambda a, b: a % b * 1.0)(-1.5, 3.2)
    assert h == [[0.0, 0.0], [0.0, 0.0]]
    h = hessian(lambda a, b: (a % b) * (a % b))(-1.5, 3.2)  # 2 (a % b)**2 with a % b = a + b
    assert h == [[pytest.approx(2.0), pytest.approx(2.0)], [pytest.approx(2.0), pytest.approx(2.0)]]
    assert gradgradcheck(lambda a, b: (a % b) * (a // b) + (a % b).exp(), [-1.5, 3.2])


# -- names ----------------------------------------------------------------------------------------
ALIASES = {"asin": "arcsin", "acos": "arccos", "atan": "arctan"}


def test_short_names_are_methods_and_functions():
    for alias, method in ALIASES.items():
        assert getattr(Value, alias) is getattr(Value, method)
        assert getattr(ops, alias)(0.5) == getattr(ops, method)(0.5) == getattr(_ieee, method)(0.5)
        assert getattr(ops, alias)(Value(0.5)).data == getattr(Value(0.5), method)().data
        assert getattr(Value(0.5), alias)().op == method
        with pytest.raises(TypeError, match=f"{alias}\\(\\) takes a real number or a Value, not str"):
            getattr(ops, alias)("0.5")
    assert {alias for r in RULES for alias in r.aliases} == set(ALIASES)


def test_ieee_edges_of_the_new_functions_never_raise():
    cases = [(ops.arcsin, 2.0, math.nan), (ops.arccos, -1.5, math.nan), (ops.arctan, math.inf, math.pi / 2),
             (ops.tan, math.inf, math.nan), (ops.sinh, 1000.0, math.inf), (ops.sinh, -1000.0, -math.inf),
             (ops.cosh, -1000.0, math.inf), (ops.log1p, -1.0, -math.inf), (ops.log1p, -2.0, math.nan),
             (ops.log1p, 1e-20, 1e-20), (ops.expm1, 1000.0, math.inf), (ops.expm1, 1e-20, 1e-20),
             (ops.expm1, -math.inf, -1.0), (ops.softplus, math.inf, math.inf),
             (ops.softplus, -math.inf, 0.0), (ops.softplus, math.nan, math.nan)]
    for fn, x, expected in cases:
        assert same(fn(x), expected) and same(fn(Value(x)).data, expected), (fn.__name__, x)
    x = Value(1.0)
    x.arcsin().backward()
    assert x.grad == math.inf  # 1 / sqrt(0), as PyTorch
    x = Value(-1.0)
    x.log1p().backward()
    assert x.grad == math.inf


# -- the parameter in the generator --------------------------------------------------------------
def test_the_generated_method_takes_the_parameter():
    code = _codegen.source(BY_NAME["leaky_relu"])
    assert code.startswith("def leaky_relu(self, negative_slope: float = 0.01) -> Value:")
    assert "node._form = ('leaky_relu', self, negative_slope)" in code


def test_a_parameter_needs_a_unary_op_and_a_name_of_its_own():
    bad = [Rule("p", "p", "pow(a, b)", ("1.0", "1.0"), param=("c", 1.0)),  # binary
           Rule("p", "p", "leaky_relu(a, b)", ("1.0",), param=("b", 1.0)),  # b is a variable
           Rule("p", "p", "leaky_relu(a, exp)", ("1.0",), param=("exp", 1.0))]  # a function
    for rule in bad:
        with pytest.raises(ValueError, match="rule 'p': a parameter needs a unary op and a name of its own"):
            _codegen.module_source((*RULES, rule))
    misspelt = Rule("p", "p", "leaky_relu(a, slope)", ("1.0",), param=("negative_slope", 1.0))
    with pytest.raises(ValueError, match="'slope' in 'leaky_relu"):
        _codegen.module_source((*RULES, misspelt))
