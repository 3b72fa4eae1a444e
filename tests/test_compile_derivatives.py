"""compile of functions that differentiate inside: ``compile(grad(f))``, gradient penalties and
``backward(create_graph=True)`` in the traced function give the interpreter's numbers, also at
inputs on the other side of a kink than the ones traced (issue 18, item 1).

The derivative of a kinked op (relu, abs, leaky_relu, ``%``) is an op of its own (``step``,
``sign``, ``dleaky_relu``, ``//``), so a replay computes it again; the choices ``**``'s
derivative makes at its special points are guards.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_mini as am
from autograd_mini import Value
from autograd_mini.testing import expressions

np = pytest.importorskip("numpy")

BACKENDS = ("python", "numpy")


def agree(a, b, backend, scale=1.0):
    """The python replay is the engine's very numbers; numpy's exp, tanh, ... may differ in the
    last bits."""
    if a != a or b != b:
        return a != a and b != b
    if backend == "python" or math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9 * scale)


# -- the repros of the issue -------------------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_compiled_gradient_follows_the_kink_of_relu_abs_and_leaky_relu(backend):
    for f, at in [(lambda x: x.relu() * x, (-2.0, 3.0)),
                  (lambda u: abs(u) * u, (-2.0, 2.0)),
                  (lambda x: x.leaky_relu(0.2) * x, (-2.0, 1.5))]:
        df = am.grad(f)
        cf = am.compile(df, 1.0, backend=backend, on_guard="raise")  # no guard is needed
        for x in at:
            assert cf(x) == df(x), (x, cf(x), df(x))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_compiled_gradient_of_pow_at_its_special_points(backend):
    df = am.grad(lambda a, b: a ** b, argnums=(0, 1))
    cf0 = am.compile(lambda a, b: df(a, b)[0], 1.0, 1.0, backend=backend)
    cf1 = am.compile(lambda a, b: df(a, b)[1], 1.0, 1.0, backend=backend)
    for a, b in [(0.0, 0.0), (2.0, 0.0), (0.0, 2.0), (1e-310, 0.0), (math.nan, 0.0), (3.0, 2.0)]:
        expected = df(a, b)
        assert agree(cf0(a, b), expected[0], backend) and agree(cf1(a, b), expected[1], backend), (a, b)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_compiled_gradient_of_remainder_follows_the_quotient(backend):
    df = am.grad(lambda a, b: (a % b) * b, argnums=1)
    cf = am.compile(df, 1.0, 3.0, backend=backend, on_guard="raise")
    for a, b in [(1.0, 3.0), (7.0, 3.0), (-7.0, 3.0), (5.0, -2.0)]:
        assert cf(a, b) == df(a, b)


# -- every op of the table, on random programs, traced at one point and replayed at others --------
points = st.tuples(st.floats(-2.5, 2.5), st.floats(-2.5, 2.5))


def interpreted_gradient(program, argnum, point):
    return am.grad(program, argnums=argnum)(*point)


@settings(max_examples=80, deadline=None)
@given(expressions(n_inputs=2, max_ops=6), st.lists(points, min_size=1, max_size=3),
       st.sampled_from(BACKENDS))
def test_compile_of_grad_equals_the_interpreter_on_random_programs(program, others, backend):
    for argnum in (0, 1):
        df = am.grad(program, argnums=argnum)
        cf = am.compile(lambda x, y: df(x, y), *program.inputs, backend=backend)
        for point in [tuple(program.inputs), *others, tuple(-x for x in program.inputs)]:
            expected = interpreted_gradient(program, argnum, point)
            got = cf(*point)
            scale = 1.0 + max((abs(v) for v in cf._graph.values if math.isfinite(v)), default=0.0)
            assert agree(got, float(expected), backend, scale), (point, got, expected, str(program))


def branchy(program):
    """A program behind a branch on its inputs, as a user writes one."""
    def f(x, y):
        if x > y:
            return program(x, y)
        return program(y, x) * 0.5
    return f


@settings(max_examples=60, deadline=None)
@given(expressions(n_inputs=2, max_ops=6), st.lists(points, min_size=1, max_size=3),
       st.sampled_from(BACKENDS))
def test_a_gradient_penalty_with_branches_equals_the_interpreter(program, others, backend):
    f = branchy(program)

    def penalized(x, y):
        gx, gy = am.grad(f, argnums=(0, 1))(x, y)
        return f(x, y) + gx * gx + 0.5 * gy * gy

    cf = am.compile(penalized, *program.inputs, backend=backend)
    for point in [tuple(program.inputs), *others, tuple(reversed(program.inputs))]:
        xs = [Value(x) for x in point]
        out = penalized(*xs)
        out.backward()
        value, grads = cf.value_and_grad(*point, argnums=(0, 1))
        scale = 1.0 + max((abs(v) for v in cf._graph.values if math.isfinite(v)), default=0.0)
        assert agree(value, out.data, backend, scale), (point, value, out.data)
        assert all(agree(g, x.grad, backend, scale) for g, x in zip(grads, xs)), (point, grads)


@pytest.mark.parametrize("backend", BACKENDS)
def test_backward_with_create_graph_inside_a_traced_function(backend):
    def f(x, y):
        out = (x * y).relu() + abs(x - y) * x + (x % 1.5) * y
        gx, gy = am.grad(lambda a, b: (a * b).relu() + abs(a - b) * a + (a % 1.5) * b,
                         argnums=(0, 1))(x, y)
        return out + gx * gy

    cf = am.compile(f, 1.0, 2.0, backend=backend, on_guard="raise")
    for point in [(1.0, 2.0), (-1.0, 2.0), (2.0, 1.0), (-2.0, -0.5), (3.7, 0.2)]:
        xs = [Value(x) for x in point]
        out = f(*xs)
        out.backward()
        value, grads = cf.value_and_grad(*point, argnums=(0, 1))
        assert agree(value, out.data, backend) and all(
            agree(g, x.grad, backend) for g, x in zip(grads, xs)), point


# -- defop ops ---------------------------------------------------------------------------------
SQUARED_HINGE = am.defop("squared_hinge_compiled", lambda a: max(a, 0.0) ** 2,
                         lambda a, out: (2.0 * a.relu() if isinstance(a, Value) else 2.0 * max(a, 0.0),))
# grads that branch on a Value themselves: a guard, recorded where the user's code compares
KINKED = am.defop("kinked_compiled", lambda a: 3.0 * a if a > 0 else -a,
                  lambda a, out: (3.0 + 0.0 * a if a > 0 else -1.0 + 0.0 * a,))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("op", [SQUARED_HINGE, KINKED], ids=["relu-in-grads", "branch-in-grads"])
def test_compile_of_grad_through_defop_ops(backend, op):
    f = lambda x: op(x) * x + op(x * 0.5 - 1.0)
    df, ddf = am.grad(f), am.grad(am.grad(f))
    cf, ccf = am.compile(df, 1.0, backend=backend), am.compile(ddf, 1.0, backend=backend)
    for x in (1.0, -1.5, 3.0, 0.5, -0.2):
        assert agree(cf(x), df(x), backend) and agree(ccf(x), ddf(x), backend), x


# -- arguments (issue 18, items 3 and 4) --------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_value_and_grad_takes_negative_argnums_as_grad_does(backend):
    def f(x, ys):
        return x * am.sum(ys) + ys[0] * ys[1]

    cf = am.compile(f, 1.0, [2.0, 3.0], backend=backend)
    for argnums in (-1, (-2, -1), (0, -1), -2):
        got = cf.value_and_grad(2.0, [3.0, 4.0], argnums=argnums)
        expected = am.value_and_grad(lambda x, a, b: f(x, [a, b]), argnums=0)(2.0, 3.0, 4.0)[0]
        assert got[0] == expected
    assert cf.value_and_grad(2.0, [3.0, 4.0], argnums=-1)[1] == [2.0 + 4.0, 2.0 + 3.0]
    assert cf.value_and_grad(2.0, [3.0, 4.0], argnums=(-2, 1)) == (26.0, (7.0, [6.0, 5.0]))
    with pytest.raises(ValueError, match="argnums -3 is out of range"):
        cf.value_and_grad(2.0, [3.0, 4.0], argnums=-3)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_same_value_as_two_example_arguments_is_refused(backend):
    w = Value(1.0)
    with pytest.raises(ValueError, match=r"argument 1 \(c\) and argument 0 \(a\) are the same Value"):
        am.compile(lambda a, c: a * 2.0 + c, w, w, backend=backend)
    with pytest.raises(ValueError, match="are the same Value"):
        am.compile(lambda a, cs: a * cs[0], w, [Value(2.0), w], backend=backend)
    cf = am.compile(lambda a, c: a * 2.0 + c, w, Value(1.0), backend=backend)
    assert cf.value_and_grad(1.0, 10.0, argnums=(0, 1)) == (12.0, (2.0, 1.0))
