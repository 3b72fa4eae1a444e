"""autograd_mini.testing.gradcheck: gradcheck and gradgradcheck, and that they catch planted bugs."""

from __future__ import annotations

import dataclasses
import inspect
import math

import pytest

import autograd_mini as am
from autograd_mini import Value, _codegen, ops, rules
from autograd_mini.testing import GradcheckError, Program, gradcheck, gradgradcheck


# -- gradcheck ----------------------------------------------------------------------------------
def test_gradcheck_passes_correct_gradients():
    assert gradcheck(lambda x, y: (x * y).sin() + x / y, [0.5, 2.0]) is True
    assert gradcheck(lambda x: x * x * x, [Value(1.5)]) is True  # a Value stands for its data
    assert gradcheck(lambda x: am.sum([x, x, x.exp()]), [0.3]) is True


def test_gradcheck_message_is_a_table_marking_the_wrong_derivative():
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x, y: x.data * x + y * y, [0.3, 2.0])  # x.data cuts half of d/dx
    lines = str(info.value).splitlines()
    assert "gradients of <lambda> at (0.3, 2.0)" in lines[0] and "atol=1e-05, rtol=0.001" in lines[0]
    assert lines[1].split() == ["input", "analytic", "numeric", "abs", "error", "rel", "error"]
    row0, row1 = lines[2].split(), lines[3].split()
    assert row0[0] == "0" and float(row0[1]) == pytest.approx(0.3) and float(row0[2]) == pytest.approx(0.6)
    assert float(row0[3]) == pytest.approx(0.3, rel=1e-3) and float(row0[4]) == pytest.approx(0.5, rel=1e-3)
    assert row0[-1] == "<--" and "<--" not in lines[3] and row1[0] == "1"
    assert isinstance(info.value, AssertionError)


def test_gradcheck_tolerance_is_atol_plus_rtol_times_numeric():
    g = lambda x: x * x.data * 1e-4  # analytic 1e-4 at x = 1 (x.data is a constant), numeric 2e-4
    with pytest.raises(GradcheckError):
        gradcheck(g, [1.0])  # |error| 1e-4 > 1e-5 + 1e-3 * 2e-4
    assert gradcheck(g, [1.0], atol=2e-4)
    assert gradcheck(g, [1.0], atol=0.0, rtol=0.6)  # 1e-4 <= 0.6 * 2e-4
    assert not gradcheck(g, [1.0], atol=0.0, rtol=0.4, raise_exception=False)


def test_gradcheck_without_raising_returns_false():
    assert gradcheck(lambda x: x.data * x, [0.3], raise_exception=False) is False
    assert gradgradcheck(lambda x: x.data * x * x, [0.3], raise_exception=False) is False


def test_gradcheck_refuses_a_point_where_f_is_not_finite():
    with pytest.raises(GradcheckError, match=r"is nan: gradcheck needs a point where f is finite"):
        gradcheck(lambda x: x.log(), [-1.0])
    with pytest.raises(GradcheckError, match="is inf"):
        gradcheck(lambda x: 1.0 / x, [0.0])


def test_gradcheck_fails_on_nan_or_inf_derivatives():
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x: x.sqrt(), [0.0])  # sqrt(0) = 0, but d/dx is inf and f(-eps) is nan
    row = str(info.value).splitlines()[2].split()
    assert row[1] == "inf" and row[2] == "nan" and row[-1] == "<--"


def test_gradcheck_accepts_functions_returning_constants():
    assert gradcheck(lambda x: 3.0, [1.0])
    assert gradcheck(lambda x: Value(3.0), [1.0])
    with pytest.raises(GradcheckError):  # the cut gradient is caught, not hidden
        gradcheck(lambda x: math.sin(x.data), [1.0])


@pytest.mark.parametrize("f, inputs, error, match", [
    (lambda x: "no", [1.0], TypeError, "must return a scalar Value or real number, not str"),
    (lambda x: x, 1.0, TypeError, "inputs must be a sequence of real numbers, not float"),
    (lambda x: x, "1", TypeError, "not str"),
    (lambda x: x, [True], TypeError, r"inputs\[0\] must be a real number or Value, not bool"),
    (lambda x: x, [], ValueError, "at least one number"),
    (3.0, [1.0], TypeError, "f must be callable, not float"),
    (lambda x: x, [1.0, 2.0], ValueError, "inputs holds 2 numbers, which <lambda> cannot take"),
    (lambda x, y: x * y, [1.0], ValueError, "inputs holds 1 number, which"),
    (Program([("sin", (0,))], inputs=(1.0,)), [1.0, 2.0], ValueError, "inputs holds 2 numbers"),
    (lambda x: x.tanh(), [math.inf], ValueError, r"inputs\[0\] must be finite, not inf"),
])
def test_gradcheck_rejects_bad_arguments(f, inputs, error, match):
    with pytest.raises(error, match=match):
        gradcheck(f, inputs)


@pytest.mark.parametrize("kwargs, match", [
    ({"eps": 0.0}, "eps must be positive"), ({"eps": math.nan}, "eps must be positive"),
    ({"eps": -1e-6}, "eps must be positive"), ({"eps": math.inf}, "eps must be positive and finite"),
    ({"atol": -1.0}, "atol and rtol must be at least 0"), ({"rtol": math.nan}, "at least 0")])
def test_gradcheck_rejects_bad_tolerances(kwargs, match):
    with pytest.raises(ValueError, match=match):
        gradcheck(lambda x: x, [1.0], **kwargs)
    with pytest.raises(ValueError, match=match):
        gradgradcheck(lambda x: x, [1.0], **kwargs)


@pytest.mark.parametrize("kwargs, match", [
    ({"eps": "1e-6"}, "eps must be a real number, not str"), ({"atol": None}, "atol .* not NoneType"),
    ({"rtol": True}, "rtol must be a real number, not bool")])
def test_gradcheck_rejects_tolerances_of_the_wrong_type(kwargs, match):
    with pytest.raises(TypeError, match=match):
        gradcheck(lambda x: x, [1.0], **kwargs)
    with pytest.raises(TypeError, match=match):
        gradgradcheck(lambda x: x, [1.0], **kwargs)


def test_gradcheck_defaults_are_pytorchs():
    defaults = {k: p.default for k, p in inspect.signature(gradcheck).parameters.items()}
    assert (defaults["eps"], defaults["atol"], defaults["rtol"]) == (1e-6, 1e-5, 1e-3)
    assert inspect.signature(gradgradcheck).parameters.keys() == defaults.keys()
    torch = pytest.importorskip("torch", reason="PyTorch's gradcheck is the reference; CI installs it")
    pairs = ((gradcheck, torch.autograd.gradcheck), (gradgradcheck, torch.autograd.gradgradcheck))
    for ours, theirs in pairs:
        ref = inspect.signature(theirs).parameters
        for name in ("eps", "atol", "rtol", "raise_exception"):
            assert inspect.signature(ours).parameters[name].default == ref[name].default, name


def test_gradcheck_catches_a_planted_wrong_rule(plant):
    assert gradcheck(lambda x: x.sin(), [0.5])
    plant("sin", ("cos(a) + 0.1",))
    with pytest.raises(GradcheckError, match=r"(?s)input.*<--") as info:
        gradcheck(lambda x: x.sin(), [0.5])
    row = str(info.value).splitlines()[2].split()
    assert float(row[1]) == pytest.approx(math.cos(0.5) + 0.1)
    assert float(row[2]) == pytest.approx(math.cos(0.5))


def test_gradgradcheck_passes_correct_second_derivatives():
    assert gradgradcheck(lambda x, y: x * x * y.exp() + (x / y).tanh(), [0.5, -1.0])
    assert gradgradcheck(lambda x: x * 2.0, [0.5])  # constant first derivative
    assert gradgradcheck(lambda x, y: x.relu() * y, [0.5, 2.0])


def test_gradgradcheck_catches_a_planted_wrong_second_order_rule(monkeypatch):
    # The float fast path stays right; only the create_graph derivative of sin is wrong.
    wrong = dataclasses.replace(rules.BY_NAME["sin"], grads=("cos(a) * 1.5",))
    wrong_grads = _codegen.derivative_functions(wrong)
    monkeypatch.setitem(ops.DERIVATIVES, "sin", wrong_grads)
    assert gradcheck(lambda x, y: x.sin() * y, [0.5, 2.0])
    with pytest.raises(GradcheckError) as info:
        gradgradcheck(lambda x, y: x.sin() * y, [0.5, 2.0])
    message = str(info.value)
    assert message.startswith("second derivatives of <lambda> at (0.5, 2.0)")
    marked = [line.split()[0] for line in message.splitlines() if line.endswith("<--")]
    assert marked == ["0", "0,0", "0,1"]  # the create_graph gradient itself, then the Hessian


def test_gradcheck_table_where_the_numeric_derivative_is_zero():
    # f = x - x.data is 0 everywhere: numeric d/dx is 0 and analytic 1, so the relative error is
    # inf; d/dy is 0 both ways, a row with relative error 0 and no mark.
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x, y: x - x.data + 0 * y, [0.3, 2.0])
    rows = [line.split() for line in str(info.value).splitlines()[2:]]
    assert rows == [["0", "1", "0", "1", "inf", "<--"], ["1", "0", "0", "0", "0"]]
