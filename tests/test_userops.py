"""Tests for autograd_mini.userops: ops defined with ``defop``, through every part of the library."""

from __future__ import annotations

import importlib.util
import inspect
import math
import warnings
from fractions import Fraction

import pytest
from hypothesis import given, settings

import autograd_mini as am
from autograd_mini import Value, defop, rules
from autograd_mini.ops import exp, log, sigmoid
from autograd_mini.testing import GradcheckError, Program, expressions, gradcheck, gradgradcheck, values
from autograd_mini.testing.strategies import drawable_ops

HAS_GRAPHVIZ = importlib.util.find_spec("graphviz") is not None


@pytest.fixture(autouse=True)
def _registry():
    """Each test starts and ends with the registry as it was: its ops do not leak into others."""
    saved = dict(rules.USER_OPS)
    yield
    rules.USER_OPS.clear()
    rules.USER_OPS.update(saved)


def softplus_forward(a):
    return max(a, 0.0) + math.log1p(math.exp(-abs(a)))  # stable: no overflow at a = 1000


def make_softplus(name="t_softplus", **kw):
    return defop(name, softplus_forward, lambda a, out: (sigmoid(a),), **kw)


def make_hypot():  # binary, not symmetric in how it is drawn: d/da = a/out, d/db = b/out
    return defop("t_hypot", lambda a, b: math.hypot(a, b), lambda a, b, out: (a / out, b / out),
                 domain=((0.5, 3.0), (0.5, 3.0)))


# -- forward, nodes, first derivatives -------------------------------------------------------------
def test_a_unary_op_is_one_node_with_the_derivative_of_grads():
    sp = make_softplus()
    x = Value(0.5)
    y = sp(x)
    assert y.op == "t_softplus" and y.parents == (x,) and y.operands == (x,)
    assert y.data == softplus_forward(0.5) and y.local_grads == (sigmoid(0.5),)
    y.backward()
    assert x.grad == sigmoid(0.5)
    assert sp(1000.0) == 1000.0 and type(sp(2)) is float  # numbers alone: a float, no node


def test_a_number_operand_stays_out_of_the_graph_on_either_side():
    hyp = make_hypot()
    x = Value(3.0)
    left, right = hyp(x, 4.0), hyp(4.0, x)
    assert left._form == ("t_hypot", x, 4.0) and right._form == ("t_hypot", 4.0, x)
    assert left.parents == right.parents == (x,) and left.data == right.data == 5.0
    assert left.local_grads == (3.0 / 5.0,) and right.local_grads == (3.0 / 5.0,)
    both = hyp(x, x)  # the same Value twice: two edges
    both.backward()
    assert both.parents == (x, x) and math.isclose(x.grad, 2 * 3 / math.hypot(3, 3))
    assert am.gradients(hyp(x, Value(4.0)))[x] == 0.6


def test_grads_may_return_one_number_for_a_unary_op():
    double = defop("t_double", lambda a: 2 * a, lambda a, out: 2.0)
    assert am.grad(double)(1.5) == 2.0 and am.grad(am.grad(double))(1.5) == 0.0


def test_gradients_grad_and_hessian_agree_with_the_built_in_ops():
    hyp = make_hypot()
    f = lambda a, b: hyp(a * b, a.sin() + 2.0)
    g = lambda a, b: ((a * b) ** 2 + (a.sin() + 2.0) ** 2).sqrt()
    for u, v in [(0.7, 1.3), (2.0, -0.4)]:
        got, want = am.grad(f, (0, 1))(u, v), am.grad(g, (0, 1))(u, v)
        assert all(math.isclose(p, q, rel_tol=1e-12) for p, q in zip(got, want))
        hf, hg = am.hessian(f)(u, v), am.hessian(g)(u, v)
        assert all(math.isclose(p, q, rel_tol=1e-9, abs_tol=1e-12)
                   for rp, rq in zip(hf, hg) for p, q in zip(rp, rq))


# -- higher order ------------------------------------------------------------------------------------
def test_grads_written_with_autograd_minis_functions_differentiate_again():
    sp = make_softplus()
    s = sigmoid(0.3)
    assert math.isclose(am.grad(am.grad(sp))(0.3), s * (1 - s), rel_tol=1e-15)
    x = Value(0.3)
    sp(x).backward(create_graph=True)
    assert isinstance(x.grad, Value)
    (dx,) = [am.gradients(x.grad)[x]]
    assert math.isclose(dx, s * (1 - s), rel_tol=1e-15)
    # third order: sigmoid'' = s (1 - s) (1 - 2 s)
    third = am.grad(am.grad(am.grad(sp)))(0.3)
    assert math.isclose(third, s * (1 - s) * (1 - 2 * s), rel_tol=1e-12)


def test_grads_using_out_differentiate_through_the_node():
    my_exp = defop("t_exp", math.exp, lambda a, out: (out,))
    assert math.isclose(am.grad(am.grad(am.grad(my_exp)))(0.5), math.exp(0.5), rel_tol=1e-15)


def test_grads_written_with_math_give_first_derivatives_and_a_clear_error_beyond():
    naive = defop("t_naive", lambda a: math.log1p(math.exp(a)),
                  lambda a, out: (1.0 / (1.0 + math.exp(-a)),))
    assert math.isclose(am.grad(naive)(0.3), sigmoid(0.3), rel_tol=1e-15)
    assert gradcheck(naive, [0.3])
    x = Value(0.3)
    for attempt in (lambda: am.grad(am.grad(naive))(0.3),
                    lambda: naive(x).backward(create_graph=True),
                    lambda: am.hessian(naive)(0.3),
                    lambda: am.gradients(naive(x), differentiable=True)):
        with pytest.raises(TypeError, match=r"'t_naive'.*autograd_mini's functions.*math"):
            attempt()
    with pytest.raises(TypeError, match="t_naive"):
        gradgradcheck(naive, [0.3])


def test_a_value_is_never_silently_turned_into_a_number():
    # What would make math.exp(Value) a number without a word: none of these exist.
    for method in ("__float__", "__index__", "__int__", "__complex__"):
        assert not hasattr(Value(1.0), method), method
    with pytest.raises(TypeError):
        math.exp(Value(1.0))


# -- modes ---------------------------------------------------------------------------------------------
def test_no_grad_makes_a_leaf_and_detect_anomaly_names_the_op():
    sp = make_softplus()
    hyp = make_hypot()
    x = Value(0.5)
    with am.no_grad():
        y = sp(x)
        z = hyp(x, 2.0)
    assert y.is_leaf and z.is_leaf and y.data == softplus_forward(0.5)
    my_log = defop("t_log", log, lambda a, out: (exp(-out),))  # 1/a, inf at 0 without an exception
    with am.detect_anomaly(), pytest.raises(FloatingPointError, match="t_log returned -inf"):
        my_log(Value(0.0))
    assert my_log(Value(0.0)).data == -math.inf  # outside the mode: IEEE 754, as the built-ins


# -- rendering -----------------------------------------------------------------------------------------
def test_graphs_draw_the_symbol_or_the_name():
    sp = make_softplus(symbol="softplus*")
    hyp = make_hypot()
    assert rules.label("t_softplus") == "softplus*" and rules.label("t_hypot") == "t_hypot"
    assert rules.commutes("t_hypot") is False  # the operands' order is kept
    if not HAS_GRAPHVIZ:
        pytest.skip("drawing needs the graphviz package (the viz extra)")
    x = Value(1.0, label="x")
    src = am.draw_dot(hyp(sp(x), 2.0)).source
    assert "softplus*" in src and "t_hypot 2" in src and "ordering=in" not in src  # one Value parent
    assert "ordering=in" in am.draw_dot(hyp(x, sp(x))).source


# -- checking ------------------------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(values(-20.0, 20.0, margin=0.0))
def test_gradcheck_and_gradgradcheck_pass_on_a_correct_op(x):
    sp = rules.USER_OPS.get("t_softplus_p") or make_softplus("t_softplus_p")
    assert gradcheck(sp, [x]) and gradgradcheck(sp, [x])


def test_gradcheck_catches_wrong_grads():
    wrong = defop("t_wrong", math.sin, lambda a, out: (math.cos(a) + 0.1,))
    with pytest.raises(GradcheckError):
        gradcheck(wrong, [0.4])
    wrong_second = defop("t_wrong2", math.sin, lambda a, out: (math.cos(a.data) if isinstance(a, Value)
                                                               else math.cos(a),))
    assert gradcheck(wrong_second, [0.4])  # right first derivative; grads leaves the graph on Values
    with pytest.raises(GradcheckError):
        gradgradcheck(wrong_second, [0.4])


def test_programs_draw_user_ops_only_when_asked():
    sp = make_softplus(domain=(-5.0, 5.0))
    hyp = make_hypot()
    assert "t_softplus" not in drawable_ops()
    assert drawable_ops(user_ops=True)[-2:] == ("t_softplus", "t_hypot")
    seen: set[str] = set()

    @settings(max_examples=60, deadline=None, database=None)
    @given(expressions(n_inputs=2, ops=[sp, "t_hypot", "*", "sin"]))
    def check(program):
        seen.update(program.ops)
        assert set(program.ops) <= {"t_softplus", "t_hypot", "*", "sin"}
        assert gradcheck(program, program.inputs)

    check()
    assert {"t_softplus", "t_hypot"} <= seen
    assert hyp(1.0, 1.0) == math.sqrt(2.0)

    @settings(max_examples=30, deadline=None, database=None)
    @given(expressions(n_inputs=1))
    def default(program):
        assert not set(program.ops) & {"t_softplus", "t_hypot"}

    default()


def test_programs_keep_user_ops_in_their_domain_and_print_them_as_calls():
    seen: list[float] = []

    def sqrt_forward(a):
        seen.append(a)
        return math.sqrt(a)

    defop("t_sqrt", sqrt_forward, lambda a, out: (0.5 / out,), domain=(0.5, 2.0), kinks=[1.0])

    @settings(max_examples=40, deadline=None, database=None)
    @given(expressions(ops=["t_sqrt", "+", "-"], min_ops=3))
    def check(program):
        seen.clear()
        program(*program.inputs)
        assert all(0.51 <= a <= 1.99 and abs(a - 1.0) >= 0.01 for a in seen), seen

    check()
    hyp = make_hypot()
    p = Program([("t_sqrt", (0,)), ("t_hypot", (2.0, 1))], inputs=(1.0,))
    assert "y1 = t_hypot(2.0, y0)" in str(p) and math.isclose(p(1.0).data, math.sqrt(5.0))
    assert p.live().ops == ("t_sqrt", "t_hypot") and hyp is rules.USER_OPS["t_hypot"]
    with pytest.raises(ValueError, match="nor one defined with defop"):
        Program([("t_nothing", (0,))], inputs=(1.0,))
    with pytest.raises(ValueError, match="takes 2 operands"):
        Program([("t_hypot", (0,))], inputs=(1.0,))


def test_expressions_refuses_what_is_not_a_registered_op():
    sp = make_softplus()
    with pytest.raises(ValueError, match="t_unknown"):
        expressions(ops=["t_unknown"])
    with pytest.raises(ValueError, match="not an op defined with defop"):
        expressions(ops=[math.sin])
    with pytest.warns(UserWarning, match="redefining"):
        make_softplus()
    with pytest.raises(ValueError, match="redefined"):
        expressions(ops=[sp])
    with pytest.raises(TypeError, match="user_ops must be a bool"):
        drawable_ops(user_ops=1)


# -- redefinition ----------------------------------------------------------------------------------
def test_redefining_warns_and_old_nodes_keep_their_definition():
    first = defop("t_scale", lambda a: 2.0 * a, lambda a, out: (2.0 * a / a,))  # d/da = 2, as a graph
    x = Value(1.5)
    old = first(x) * x  # d/dx = 4x; d2/dx2 = 4
    with pytest.warns(UserWarning, match="redefining the op 't_scale'"):
        second = defop("t_scale", lambda a: a * a, lambda a, out: (2.0 * a,), symbol="sq")
    assert rules.USER_OPS["t_scale"] is second and rules.label("t_scale") == "sq"
    dx = am.gradients(old, differentiable=True)[x]
    assert dx.data == 6.0 and am.gradients(dx)[x] == 4.0  # the first definition's
    assert am.grad(am.grad(second))(1.5) == 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a new name: no warning
        defop("t_other", math.sin, lambda a, out: (math.cos(a),))


# -- argument checks ------------------------------------------------------------------------------------
def f1(a):
    return a


def g1(a, out):
    return (1.0,)


@pytest.mark.parametrize("name, error, match", [
    (3, TypeError, "name must be a str, not int"),
    ("", ValueError, "identifier"),
    ("two words", ValueError, "identifier"),
    ("lambda", ValueError, "identifier"),
    ("exp", ValueError, "built-in op's"),
    ("sum", ValueError, "built-in op's"),
    ("__add__", ValueError, "built-in op's"),
    ("sigmoid", ValueError, "my_sigmoid"),
])
def test_names_are_checked(name, error, match):
    with pytest.raises(error, match=match):
        defop(name, f1, g1)


def test_the_name_of_every_built_in_op_and_method_is_taken():
    for rule in rules.RULES:
        for name in (rule.name, rule.method, *rule.aliases):
            if name.isidentifier():
                with pytest.raises(ValueError, match="built-in"):
                    defop(name, f1, g1)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"forward": 3}, TypeError, "forward must be a function, not int"),
    ({"grads": None}, TypeError, "grads must be a function, not NoneType"),
    ({"forward": lambda a, b, c: a}, ValueError, "1 or 2 inputs.*takes 3"),
    ({"forward": lambda *xs: 0.0}, ValueError, "arity="),
    ({"forward": lambda *xs: 0.0, "arity": 3}, ValueError, "arity must be 1 or 2"),
    ({"arity": True}, TypeError, "arity must be an int"),
    ({"arity": 2}, TypeError, "forward must take 2 arguments"),
    ({"grads": lambda a: (1.0,)}, TypeError, r"grads must take 2 arguments \(the inputs and out\)"),
    ({"domain": "ab"}, TypeError, "domain must be a pair"),
    ({"domain": 3.0}, TypeError, "domain must be a pair"),
    ({"domain": (1.0, 0.0)}, ValueError, "low < high"),
    ({"domain": (0.0, math.inf)}, ValueError, "finite"),
    ({"domain": (1.0, 2.0, 3.0)}, ValueError, "pair"),
    # issue 18: numbers past float's range were an OverflowError from float()
    ({"domain": (0, 10**400)}, ValueError, r"domain must be finite, not a number too large for a float"),
    ({"domain": [(-10**5000, 0)]}, ValueError, r"domain\[0\] must be finite, not a number too large"),
    ({"domain": (0, Fraction(10**400, 3))}, ValueError, "domain must be finite, not a number too large"),
    ({"kinks": [10**400]}, ValueError, "kinks must be finite, not a number too large for a float"),
    ({"domain": ((0.0, 1.0), (0.0, 1.0))}, ValueError, "1 pairs, one per input, not 2"),
    ({"domain": [(0.0, "1")]}, TypeError, "domain\\[0\\] must hold real numbers, not str"),
    ({"kinks": 0.0}, TypeError, "kinks must be an iterable"),
    ({"kinks": [math.nan]}, ValueError, "kinks must be finite"),
    ({"kinks": [True]}, TypeError, "kinks must be real numbers, not bool"),
    ({"symbol": ""}, TypeError, "symbol must be a non-empty str"),
    ({"symbol": 3}, TypeError, "symbol must be a non-empty str or None, not int"),
])
def test_arguments_are_checked(kwargs, error, match):
    args = {"forward": f1, "grads": g1, **kwargs}
    with pytest.raises(error, match=match):
        defop("t_checked", args.pop("forward"), args.pop("grads"), **args)
    assert "t_checked" not in rules.USER_OPS  # nothing registered on a failed definition


def test_arity_may_be_given_and_domains_take_each_shape():
    op = defop("t_given", lambda *xs: xs[0] * xs[1], lambda a, b, out: (b, a), arity=2,
               domain=[0, 2])
    assert op.arity == 2 and op.domain == ((0.0, 2.0), (0.0, 2.0)) and op(3.0, 4.0) == 12.0
    assert make_softplus().domain == ((-3.0, 3.0),)
    assert make_hypot().domain == ((0.5, 3.0), (0.5, 3.0))
    assert defop("t_builtin", math.exp, lambda a, out: (out,)).arity == 1  # a builtin's signature


def test_bad_calls_and_bad_results_name_the_op():
    hyp = make_hypot()
    with pytest.raises(TypeError, match=r"t_hypot\(\) takes 2 arguments, got 1"):
        hyp(Value(1.0))
    with pytest.raises(TypeError, match=r"t_hypot\(\) takes real numbers or Values, not str"):
        hyp(Value(1.0), "2")
    with pytest.raises(TypeError, match="not bool"):
        hyp(Value(1.0), True)
    text = defop("t_text", lambda a: "x", g1)
    with pytest.raises(TypeError, match="forward of op 't_text' must return a real number, not str"):
        text(Value(1.0))
    short = defop("t_short", lambda a, b: a, lambda a, b, out: (1.0,))
    with pytest.raises(TypeError, match=r"'t_short' must return a tuple of 2 derivatives.*1 items"):
        short(Value(1.0), Value(2.0))
    bad = defop("t_bad", f1, lambda a, out: ("1",))
    with pytest.raises(TypeError, match=r"grads of op 't_bad' must return real numbers.*str"):
        bad(Value(1.0))
    listy = defop("t_listy", f1, lambda a, out: [[1.0]] if isinstance(a, Value) else (1.0,))
    with pytest.raises(TypeError, match="Values or real numbers on Values, not list"):
        am.grad(am.grad(listy))(1.0)
    assert "t_hypot" in repr(hyp) and hyp.__name__ == "t_hypot"
    assert str(inspect.signature(hyp)) == "(a, b, /)"
    with pytest.raises(ValueError, match="t_hypot cannot take"):
        gradcheck(hyp, [1.0])


# -- grad of a constant ------------------------------------------------------------------------------------
def test_grad_of_a_constant_is_zero_shaped_like_argnums():
    assert am.grad(lambda x: 1.0)(2.0) == 0.0
    assert am.grad(lambda x, y: 3, argnums=(0, 1))(2.0, 5.0) == (0.0, 0.0)
    assert am.grad(lambda x, y: 3, argnums=[1])(2.0, 5.0) == (0.0,)
    assert am.value_and_grad(lambda x: 7)(1.0) == (7.0, 0.0)
    assert am.hessian(lambda x, y: 2.0)(1.0, 2.0) == [[0.0, 0.0], [0.0, 0.0]]
    assert am.grad(am.grad(lambda x: 1.0))(2.0) == 0.0
    assert am.grad(lambda y: am.grad(lambda x: 5.0)(y) * y)(3.0) == 0.0  # a constant inside
    value, g = am.value_and_grad(lambda x: 1.0)(Value(2.0))  # traced: Values, for an outer grad
    assert isinstance(value, Value) and value.data == 1.0 and isinstance(g, Value) and g.data == 0.0
    with pytest.raises(TypeError, match="bool"):
        am.grad(lambda x: True)(1.0)
    with pytest.raises(TypeError, match="bool"):
        am.hessian(lambda x: False)(1.0)
