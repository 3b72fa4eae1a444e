"""grad, value_and_grad, hessian and gradients: the functional API."""

from __future__ import annotations

import math

import pytest

import autograd_mini as am
from autograd_mini import Value


def test_grad_of_floats_returns_floats():
    g = am.grad(lambda x: x * x.sin())(1.3)
    assert isinstance(g, float)
    assert math.isclose(g, math.sin(1.3) + 1.3 * math.cos(1.3), rel_tol=1e-12)


def test_grad_nests_to_any_order():
    f = lambda x: x ** 4
    d = f
    expected = [4 * 8.0, 12 * 4.0, 24 * 2.0, 24.0, 0.0]
    for want in expected:
        d = am.grad(d)
        assert d(2.0) == want


def test_grad_argnums_and_value_and_grad():
    f = lambda x, y, z: x * y + z.exp()
    assert am.grad(f, argnums=1)(2.0, 3.0, 0.0) == 2.0
    value, (gx, gz) = am.value_and_grad(f, argnums=(0, 2))(2.0, 3.0, 0.0)
    assert (value, gx, gz) == (7.0, 3.0, 1.0)
    assert am.grad(f, argnums=-1)(2.0, 3.0, 0.0) == 1.0


def test_grad_of_an_unused_argument_is_zero():
    assert am.grad(lambda x, y: x * 2, argnums=1)(1.0, 5.0) == 0.0


def test_grad_leaves_closed_over_values_untouched():
    w = Value(3.0)
    assert am.grad(lambda x: w * x)(2.0) == 3.0
    assert w.grad == 0.0


def test_grad_of_values_returns_differentiable_values():
    x = Value(2.0)
    g = am.grad(lambda v: v * v * v)(x)  # 3x^2
    assert isinstance(g, Value) and g.data == 12.0
    g.backward()
    assert x.grad == 12.0  # d/dx 3x^2


def test_mixed_partial_through_nested_grad():
    f = lambda x, y: x * x * y.sin()
    dfdx = lambda x, y: am.grad(f, argnums=0)(x, y)
    d2 = am.grad(dfdx, argnums=1)(1.5, 0.3)  # 2x cos y
    assert math.isclose(d2, 2 * 1.5 * math.cos(0.3), rel_tol=1e-12)


def test_hessian_matches_closed_form():
    f = lambda x, y: x ** 3 * y + y.exp()
    x, y = 1.2, -0.4
    h = am.hessian(f)(x, y)
    expected = [[6 * x * y, 3 * x ** 2], [3 * x ** 2, math.exp(y)]]
    for row, want in zip(h, expected):
        for got, w in zip(row, want):
            assert math.isclose(got, w, rel_tol=1e-12)


def test_hessian_of_a_linear_function_is_zero():
    assert am.hessian(lambda x, y: 2 * x - y)(1.0, 2.0) == [[0.0, 0.0], [0.0, 0.0]]


def test_function_must_return_a_scalar_value_or_a_number():
    assert am.grad(lambda x: 3.0)(1.0) == 0.0  # a constant does not depend on x (issue 11)
    with pytest.raises(TypeError, match="list"):
        am.grad(lambda x: [x])(1.0)
    with pytest.raises(TypeError, match="bool"):
        am.grad(lambda x: True)(1.0)


def test_bad_arguments():
    with pytest.raises(TypeError, match="str"):
        am.grad(lambda x: x)("1")
    with pytest.raises(ValueError, match="out of range"):
        am.grad(lambda x: x, argnums=3)(1.0)
    with pytest.raises(TypeError, match="float"):
        am.grad(lambda x: x, argnums=(0.5,))(1.0)


def test_gradients_leaves_grad_attributes_alone():
    x = Value(2.0)
    y = x * x
    grads = am.gradients(y)
    assert grads[x] == 4.0 and grads[y] == 1.0
    assert x.grad == 0.0 and y.grad == 0.0


def test_differentiable_gradients_have_no_multiply_by_one_nodes():
    x = Value(0.5)
    dx = am.gradients(x * x.sin(), differentiable=True)[x]  # sin x + x cos x
    ops = [v.op for v in am.topological_order(dx)]
    assert all(not (v.op == "*" and 1.0 in v.operands) for v in am.topological_order(dx)), ops
    assert math.isclose(dx.data, math.sin(0.5) + 0.5 * math.cos(0.5), rel_tol=1e-15)


def test_nested_grad_of_a_function_closing_over_the_outer_argument():
    # d/dy [d/dx (x * y)] = d/dy y = 1, as in HIPS autograd and JAX
    assert am.grad(lambda y: am.grad(lambda x: x * y)(2.0))(3.0) == 1.0
    assert am.grad(lambda y: am.grad(lambda x: x * x * y)(2.0))(3.0) == 4.0  # d/dy 2xy at x = 2


def test_the_same_value_in_two_positions_gets_a_gradient_per_position():
    v = Value(2.0)
    value, (ga, gb) = am.value_and_grad(lambda a, b: a * b, argnums=(0, 1))(v, v)
    assert (value.data, ga.data, gb.data) == (4.0, 2.0, 2.0)
    h = am.hessian(lambda a, b: a * a * b)(v, v)
    assert [[x.data for x in row] for row in h] == [[4.0, 4.0], [4.0, 0.0]]


def test_argnums_and_function_are_checked_when_grad_is_built():
    np = pytest.importorskip("numpy", reason="numpy ints as argnums are checked where numpy is installed")
    assert am.grad(lambda x, y: x * y, argnums=np.int64(1))(2.0, 3.0) == 2.0
    with pytest.raises(TypeError, match="float"):
        am.grad(lambda x: x, argnums=1.5)
    with pytest.raises(ValueError, match="at least one"):
        am.grad(lambda x: x, argnums=())
    with pytest.raises(TypeError, match="int"):
        am.grad(3)
    with pytest.raises(TypeError, match="str"):
        am.hessian("f")


def test_gradients_checks_its_root_and_seed():
    x = Value(2.0)
    with pytest.raises(TypeError, match="float"):
        am.gradients(3.0)
    with pytest.raises(TypeError, match="float"):
        am.topological_order(3.0)
    for bad, name in [(True, "bool"), ("a", "str"), (None, "NoneType")]:
        with pytest.raises(TypeError, match=name):
            am.gradients(x * x, bad)


def test_differentiable_gradients_of_sums_have_no_multiply_by_one_nodes():
    x = Value(0.3)
    y = (x + x + x + x + x).tanh()
    dx = am.gradients(y, differentiable=True)[x]
    ones = [v for v in am.topological_order(dx) if v.op == "*" and 1.0 in v.operands]
    assert ones == []
    assert math.isclose(dx.data, 5 * (1 - math.tanh(1.5) ** 2), rel_tol=1e-15)


@pytest.mark.parametrize("make", [am.grad, am.value_and_grad], ids=["grad", "value_and_grad"])
@pytest.mark.parametrize("nargs", [1, 3])
def test_argnums_at_both_ends_of_the_range(make, nargs):
    # With n arguments, argnums from -n to n - 1 name one; n and -n - 1 are a ValueError naming
    # the index, never an IndexError from the lookup behind the check.
    f = lambda *xs: am.sum(xs) * xs[0]
    args = tuple(float(i + 2) for i in range(nargs))
    expected = [args[0] + sum(args) if i == 0 else args[0] for i in range(nargs)]
    for i in [0, nargs - 1, -1, -nargs]:
        for argnums, unpack in [(i, lambda g: g), ((i,), lambda g: g[0])]:
            g = make(f, argnums=argnums)(*args)
            g = g[1] if make is am.value_and_grad else g
            assert unpack(g) == expected[i], (argnums, g)
    for i in [nargs, -nargs - 1]:
        for argnums in [i, (i,), (0, i), (i, 0)]:
            with pytest.raises(ValueError, match=rf"argnums {i} is out of range for a call with {nargs} arg"):
                make(f, argnums=argnums)(*args)


def test_derived_functions_are_named_after_the_function():
    def f(x, y):
        return x * y

    class Callable:
        def __call__(self, x):
            return x

    for make, name in [(am.grad, "grad"), (am.value_and_grad, "value_and_grad"), (am.hessian, "hessian")]:
        assert make(f).__name__ == f"{name}(f)"
        assert make(lambda x: x).__name__ == f"{name}(<lambda>)"
        assert make(Callable()).__name__ == f"{name}(f)"  # no __name__ of its own
        with pytest.raises(TypeError, match=rf"^{name}\(\) takes a function, not int$"):
            make(3)


def test_argnums_defaults_to_the_first_argument_and_is_checked_to_the_word():
    assert am.value_and_grad(lambda x, y: x * y)(3.0, 4.0) == (12.0, 4.0)
    with pytest.raises(TypeError, match=r"^argnums must be an int or a sequence of ints, not str$"):
        am.grad(lambda x: x, argnums="0")
    with pytest.raises(ValueError, match=r"^argnums must name at least one argument$"):
        am.grad(lambda x: x, argnums=[])
