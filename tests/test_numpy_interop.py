"""numpy's ufuncs on Values and on object arrays of Values call the ops of the rule table: each
unary op whose method is a ufunc's name (``np.arcsin`` calls ``Value.arcsin``), the operators
(``np.remainder`` calls ``%``), and backward flows through the results."""

from __future__ import annotations

import math

import pytest

from autograd_mini import Value
from autograd_mini.rules import RULES

np = pytest.importorskip("numpy", reason="numpy interop is tested where numpy is installed")

#: Methods numpy reaches by protocol rather than by name: np.absolute calls abs(), np.negative -x.
PROTOCOL = {"__abs__": "absolute", "__neg__": "negative"}
#: numpy's object loop for np.sign compares, (x > 0) - (x < 0), instead of calling .sign(): it
#: gives ints, the right values, and no node (the derivative of sign is 0 anyway).
COMPARED = {"sign"}
UNARY = [r for r in RULES if r.arity == 1 and r.method not in COMPARED
         and isinstance(getattr(np, PROTOCOL.get(r.method, r.method), None), np.ufunc)]
#: The operators and numpy's ufuncs for them, both operand orders included.
BINARY = {"__add__": "add", "__sub__": "subtract", "__mul__": "multiply", "__truediv__": "true_divide",
          "__pow__": "power", "__mod__": "remainder", "__floordiv__": "floor_divide"}
POINTS = [0.5, -0.3, 0.8]


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def test_every_ufunc_named_op_is_covered():
    names = {r.method for r in UNARY}
    assert {"arcsin", "arccos", "arctan", "tan", "sinh", "cosh", "log1p", "expm1", "exp", "log", "sin",
            "cos", "tanh", "sqrt"} <= names
    assert {r.method for r in RULES if r.arity == 2} == set(BINARY)


@pytest.mark.parametrize("rule", UNARY, ids=[r.name for r in UNARY])
def test_unary_ufunc_on_an_object_array_of_values(rule):
    ufunc = getattr(np, PROTOCOL.get(rule.method, rule.method))
    xs = [Value(x) for x in POINTS]
    out = ufunc(np.array(xs, dtype=object))
    expected = [getattr(Value(x), rule.method)() for x in POINTS]
    assert out.dtype == object and all(isinstance(v, Value) for v in out)
    assert [v.data for v in out] == [e.data for e in expected]
    assert all(v.op == rule.name for v in out)
    out.sum().backward()  # numpy's sum of Values is a chain of +: backward through it
    for x, e in zip(xs, POINTS):
        leaf = Value(e)
        getattr(leaf, rule.method)().backward()
        assert same(x.grad, leaf.grad), (rule.name, e)
    single = ufunc(Value(0.5))  # on one Value, not an array
    assert isinstance(single, Value) and single.data == getattr(Value(0.5), rule.method)().data


@pytest.mark.parametrize("method", sorted(BINARY))
def test_binary_ufunc_on_object_arrays_in_both_orders(method):
    ufunc = getattr(np, BINARY[method])
    a = [Value(x) for x in (2.5, -1.5, 7.0)]
    b = [Value(x) for x in (0.7, 2.0, -3.0)]
    out = ufunc(np.array(a, dtype=object), np.array(b, dtype=object))
    for v, x, y in zip(out, a, b):
        assert isinstance(v, Value) and v.data == getattr(Value(x.data), method)(Value(y.data)).data
    out.sum().backward()
    for x, y in zip(a, b):
        xl, yl = Value(x.data), Value(y.data)
        getattr(xl, method)(yl).backward()
        assert same(x.grad, xl.grad) and same(y.grad, yl.grad), method
    # a number on either side: the reflected forms
    arr = np.array([Value(0.7), Value(2.0)], dtype=object)
    left, right = ufunc(3.0, arr), ufunc(arr, 3.0)
    assert [v.data for v in left] == [getattr(3.0, method)(x) for x in (0.7, 2.0)]
    assert [v.data for v in right] == [getattr(x, method)(3.0) for x in (0.7, 2.0)]


def test_remainder_and_floor_divide_by_zero_in_arrays_are_ieee():
    arr = np.array([Value(1.0), Value(-2.0)], dtype=object)
    assert all(math.isnan(v.data) for v in np.remainder(arr, 0.0))
    assert [v.data for v in np.floor_divide(arr, 0.0)] == [math.inf, -math.inf]
    assert [v.data for v in np.mod(arr, 3.0)] == [1.0, 1.0]
