"""The testing toolkit: gradcheck's verdicts and messages, the strategies, and proof that both fail
when a derivative is wrong (a rule with a planted bug)."""

from __future__ import annotations

import dataclasses
import inspect
import math
import operator

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

import autograd_mini as am
from autograd_mini import Value, _codegen, engine, rules
from autograd_mini.testing import GradcheckError, Program, expressions, gradcheck, gradgradcheck, values
from autograd_mini.testing.strategies import SUM_DOMAIN, drawable_ops


def plant(monkeypatch: pytest.MonkeyPatch, name: str, grads: tuple[str, ...]) -> None:
    """Replace the methods generated for rule ``name`` by ones with wrong local derivatives."""
    rule = dataclasses.replace(rules.BY_NAME[name], grads=grads)
    for method, fn in _codegen.build(rule, engine._namespace).items():
        monkeypatch.setattr(Value, method, fn)


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


def test_gradcheck_catches_a_planted_wrong_rule(monkeypatch):
    assert gradcheck(lambda x: x.sin(), [0.5])
    plant(monkeypatch, "sin", ("cos(a) + 0.1",))
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
    wrong_grads = _codegen.derivative_functions(wrong, engine._value_namespace)
    monkeypatch.setitem(engine._value_grads, "sin", wrong_grads)
    assert gradcheck(lambda x, y: x.sin() * y, [0.5, 2.0])
    with pytest.raises(GradcheckError) as info:
        gradgradcheck(lambda x, y: x.sin() * y, [0.5, 2.0])
    message = str(info.value)
    assert message.startswith("second derivatives of <lambda> at (0.5, 2.0)")
    marked = [line.split()[0] for line in message.splitlines() if line.endswith("<--")]
    assert marked == ["0", "0,0", "0,1"]  # the create_graph gradient itself, then the Hessian


# -- programs -------------------------------------------------------------------------------------
def test_program_prints_as_code_and_runs_on_floats_values_and_other_ops():
    p = Program([("neg", (0,)), ("*", (2, 1)), ("**", (1.5, 3)), ("-", (0, -2.0)), ("sum", (4, 5, 5))],
                inputs=(0.5, -1.0))
    assert str(p) == repr(p) == "\n".join([
        "def program(x0=0.5, x1=-1.0):", "    y0 = -x0", "    y1 = y0 * x1", "    y2 = 1.5 ** y1",
        "    y3 = x0 - (-2.0)", "    y4 = sum([y2, y3, y3])", "    return y4"])
    x0, x1 = 0.5, -1.0
    expected = 1.5 ** (-x0 * x1) + 2 * (x0 + 2.0)
    assert p(x0, x1).data == pytest.approx(expected) and isinstance(p(x0, x1), Value)
    a, b = Value(x0), Value(x1)
    out = p(a, b)
    out.backward()
    assert a.grad == pytest.approx(1.5 ** (-x0 * x1) * math.log(1.5) * -x1 + 2.0)
    floats = {"neg": operator.neg, "*": operator.mul, "**": operator.pow, "-": operator.sub,
              "sum": lambda *xs: math.fsum(xs)}
    assert p.evaluate([x0, x1], floats) == pytest.approx(expected)
    assert p.n_inputs == 2 and p.ops == ("neg", "*", "**", "-", "sum")
    with pytest.raises(TypeError, match="takes 2 inputs, got 1"):
        p(1.0)


@pytest.mark.parametrize("lines, match", [
    ([], "at least one line"), ([("nope", (0,))], "'nope' is not an op"),
    ([("sin", (0, 0))], "sin takes 1 operands, got 2"), ([("+", (1.0, 2.0))], "at least one slot"),
    ([("sin", (1,))], "slot 1 is not an input or an earlier line"),
])
def test_program_rejects_malformed_lines(lines, match):
    with pytest.raises(ValueError, match=match):
        Program(lines, inputs=(1.0,))


def test_program_rejects_operands_and_inputs_of_the_wrong_type():
    with pytest.raises(TypeError, match=r"line 0: an operand must be an int .* not bool"):
        Program([("+", (0, True))], inputs=(1.0,))
    with pytest.raises(TypeError, match=r"line 0: an operand must be an int .* not str"):
        Program([("+", (0, "1"))], inputs=(1.0,))
    with pytest.raises(TypeError, match=r"inputs\[1\] must be a real number, not str"):
        Program([("+", (0, 1))], inputs=(1.0, "2"))


def test_live_drops_unused_lines_and_renumbers():
    p = Program([("exp", (0,)), ("sin", (0,)), ("*", (2, 0))], inputs=(0.3,)).live()
    assert p.lines == (("sin", (0,)), ("*", (1, 0)))


# -- strategies -----------------------------------------------------------------------------------
@given(values(-1.0, 2.0, avoid=[0.0, 1.0], margin=0.1))
def test_values_stay_inside_and_away_from_the_points_to_avoid(x):
    assert -0.9 <= x <= 1.9 and abs(x) >= 0.1 and abs(x - 1.0) >= 0.1


@pytest.mark.parametrize("args, kwargs", [((1.0, 0.0), {}), ((0.0, 0.01), {"margin": 0.01}),
                                          ((0.0, math.inf), {})])
def test_values_rejects_empty_or_infinite_ranges(args, kwargs):
    with pytest.raises(ValueError, match="values needs"):
        values(*args, **kwargs)


@pytest.mark.parametrize("kwargs, match", [
    ({"ops": ["sin", "tan"]}, r"rule table or 'sum', got \['tan'\]"),
    ({"n_inputs": 0}, "n_inputs must be at least 1"), ({"margin": -1}, "margin must be a finite number"),
    ({"min_ops": 3, "max_ops": 2}, "min_ops <= max_ops"), ({"low": 1.0, "high": 0.0}, "low <= high")])
def test_expressions_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        expressions(**kwargs)


@pytest.mark.parametrize("kwargs, match", [
    ({"ops": "sin"}, "ops must be an iterable of op names such as"),
    ({"n_inputs": 1.5}, "n_inputs must be an int, not float"), ({"n_inputs": True}, "not bool"),
    ({"max_ops": "6"}, "max_ops must be an int, not str"), ({"low": "a"}, "low must be a real number"),
    ({"in_domain": "no"}, "in_domain must be a bool, not str")])
def test_expressions_rejects_arguments_of_the_wrong_type(kwargs, match):
    with pytest.raises(TypeError, match=match):
        expressions(**kwargs)


def test_values_rejects_arguments_of_the_wrong_type():
    with pytest.raises(TypeError, match="avoid must be an iterable of numbers, not int"):
        values(avoid=3)
    with pytest.raises(TypeError, match=r"avoid\[1\] must be a real number, not str"):
        values(avoid=[0.0, "1"])
    with pytest.raises(TypeError, match="high must be a real number, not NoneType"):
        values(0.0, None)


def test_the_strategy_draws_from_the_whole_table():
    assert set(drawable_ops()) == {r.name for r in rules.RULES} | {"sum"}


def ops_drawn(n_examples: int = 300) -> set[str]:
    """The op names in ``n_examples`` programs drawn over two inputs (no shrinking involved)."""
    seen: set[str] = set()

    @settings(max_examples=n_examples, database=None, deadline=None)
    @given(expressions(n_inputs=2))
    def draw(program):
        seen.update(program.ops)

    draw()
    return seen


def test_every_op_is_drawn():
    assert ops_drawn() == set(drawable_ops())


def test_a_new_rule_is_drawn_without_changing_the_strategy(monkeypatch):
    cube = rules.Rule("cube", "cube", "a * a * a", ("3.0 * a * a",), doc="a**3; d/da = 3 a**2")
    for method, fn in _codegen.build(cube, engine._namespace).items():
        monkeypatch.setattr(Value, method, fn, raising=False)
    monkeypatch.setattr(rules, "RULES", (*rules.RULES, cube))
    assert "cube" in drawable_ops()
    assert "cube" in ops_drawn()
    program = Program([("cube", (0,)), ("*", (1, 0))], inputs=(0.7,))
    assert str(program).splitlines()[1] == "    y0 = cube(x0)"
    assert gradcheck(program, program.inputs)


def test_drawn_programs_reuse_results_so_gradients_accumulate():
    def reuses(p: Program) -> bool:
        slots = [a for _, args in p.lines for a in args if isinstance(a, int)]
        return len(slots) > len(set(slots))
    program = find(expressions(n_inputs=2), reuses, settings=settings(database=None))
    assert gradcheck(program, program.inputs)


@given(expressions(n_inputs=3, max_ops=8))
def test_every_op_of_a_drawn_program_is_applied_inside_its_domain(program):
    margin, seen = 0.01, []

    def recording(name, fn):
        def op(*args):
            seen.append((name, [a.data if isinstance(a, Value) else a for a in args]))
            return fn(*args)
        return op

    from autograd_mini.testing.program import value_ops
    program.evaluate([Value(x) for x in program.inputs],
                     {name: recording(name, fn) for name, fn in value_ops().items()})
    for name, args in seen:
        rule = rules.BY_NAME.get(name)
        domains = [SUM_DOMAIN] * len(args) if rule is None else rule.domain
        kinks = () if rule is None else rule.kinks
        for x, (lo, hi) in zip(args, domains):
            assert lo + margin - 1e-12 <= x <= hi - margin + 1e-12, (name, args)
            assert all(abs(x - k) >= margin for k in kinks), (name, args)
    assert math.isfinite(program(*program.inputs).data)


def test_in_domain_false_can_take_the_log_of_a_negative_number():
    program = find(expressions(ops=["log"], in_domain=False, low=-2.0, high=-1.0), lambda p: True,
                   settings=settings(database=None))
    assert math.isnan(program(*program.inputs).data)


# -- the tools catch a planted bug ---------------------------------------------------------------------
def test_a_property_test_finds_and_shrinks_a_planted_wrong_rule(monkeypatch):
    plant(monkeypatch, "sin", ("cos(a) + 0.1",))
    tried: list[Program] = []

    @settings(database=None, derandomize=True, max_examples=200, deadline=None)
    @given(expressions(n_inputs=2))
    def gradients_match(program):
        tried.append(program)
        assert gradcheck(program, program.inputs)

    with pytest.raises(GradcheckError) as info:
        gradients_match()
    shrunk = tried[-1]  # hypothesis replays the minimal failing example last
    assert "sin" in shrunk.ops and len(shrunk.lines) <= 2
    notes = "\n".join(getattr(info.value, "__notes__", []))
    assert "y0 = sin(x" in notes  # the report shows the program as code


def test_find_shrinks_a_planted_bug_to_one_line(monkeypatch):
    plant(monkeypatch, "sigmoid", ("out * (1.0 + out)",))  # a sign slip
    program = find(expressions(n_inputs=2),
                   lambda p: not gradcheck(p, p.inputs, raise_exception=False),
                   settings=settings(database=None, derandomize=True, max_examples=500))
    assert program.ops == ("sigmoid",), program


def test_the_hypothesis_profile_comes_from_the_environment():
    import os
    profile = os.environ.get("HYPOTHESIS_PROFILE", "ci")
    current = settings()
    assert current.deadline is None
    assert current.derandomize == (profile == "ci")
    assert current.max_examples == settings.get_profile(profile).max_examples


@given(st.integers(1, 3).flatmap(lambda n: expressions(n_inputs=n)))
def test_drawn_programs_are_callable_on_floats_and_values(program):
    on_floats = program(*program.inputs)
    on_values = program(*[Value(x) for x in program.inputs])
    assert isinstance(on_floats, Value) and on_floats.data == on_values.data
