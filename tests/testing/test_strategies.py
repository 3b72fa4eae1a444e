"""autograd_mini.testing: Program and the hypothesis strategies, and that they catch planted bugs."""

from __future__ import annotations

import math
import operator

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from autograd_mini import Value, _codegen, rules
from autograd_mini.testing import GradcheckError, Program, expressions, gradcheck, values
from autograd_mini.testing.strategies import SUM_DOMAIN, drawable_ops


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
    ({"ops": ["sin", "no_such_op"]}, r"rule table or 'sum', got \['no_such_op'\]"),
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
    # 28 ops and counting: 300 programs missed one now and then, by the order the suite ran in.
    assert ops_drawn(1000) == set(drawable_ops())


def test_a_new_rule_is_drawn_without_changing_the_strategy(monkeypatch):
    cube = rules.Rule("cube", "cube", "a * a * a", ("3.0 * a * a",), doc="a**3; d/da = 3 a**2")
    for method, fn in _codegen.build(cube).items():
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
def test_a_property_test_finds_and_shrinks_a_planted_wrong_rule(plant):
    plant("sin", ("cos(a) + 0.1",))
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


def test_find_shrinks_a_planted_bug_to_one_line(plant):
    plant("sigmoid", ("out * (1.0 + out)",))  # a sign slip
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
