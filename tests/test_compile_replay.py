"""The replay backends' promises, checked with ``==``: long sums, the engine's order of adding
gradients up, guards decided on the interpreter's numbers, and the backend chosen for deep chains."""

from __future__ import annotations

import random

import pytest

import autograd_mini as am
from autograd_mini import Value
from autograd_mini._replay_python import source

np = pytest.importorskip("numpy")


def engine(f, *args):
    """The interpreter's value and gradients of ``f`` at ``args`` (numbers or lists of them)."""
    leaves = [[Value(x) for x in a] if isinstance(a, list) else Value(a) for a in args]
    out = f(*leaves)
    out.backward()
    grads = [[x.grad for x in a] if isinstance(a, list) else a.grad for a in leaves]
    return out.data, grads


def mixed(n, seed=0):
    """``n`` numbers of mixed magnitudes and signs: any other order of adding them up gives
    other bits."""
    rng = random.Random(seed)
    return [rng.choice((-1.0, 1.0)) * rng.random() * 10.0 ** rng.randint(-8, 8) for _ in range(n)]


# -- long sums (issue 18, item 14) ------------------------------------------------------------------
def squares(xs):
    return am.sum([x * x for x in xs])


def test_a_10000_term_sum_compiles_on_the_python_backend_and_gives_the_engines_numbers():
    xs = mixed(10_000)
    cf = am.compile(squares, xs, backend="python")
    value, grads = engine(squares, xs)
    v, g = cf.value_and_grad(xs)
    assert v == value and cf(xs) == value
    assert g == grads[0]


def test_a_long_sum_is_written_a_hundred_terms_a_line_still_from_the_left():
    xs = [Value(float(i)) for i in range(250)]
    graph, _ = am.tracing.trace(lambda xs: am.sum(xs), [xs], xs)
    lines = [line for line in source(graph).splitlines() if line.lstrip().startswith("v250 =")]
    assert len(lines) == 3
    assert lines[0].split("=", 1)[1].split("#")[0].split()[:4] == ["0.0", "+", "v0", "+"]
    assert lines[1].split("=", 1)[1].split()[:4] == ["v250", "+", "v100", "+"]


def test_fit_compiled_python_trains_a_wide_mlp_with_l2_as_interpreted():
    from nn import MLP, SGD, fit, make_moons

    xs, y = make_moons(4, seed=0)
    runs = []
    for compiled in (False, "python"):
        model = MLP(2, [100, 100, 1], seed=0)
        history = fit(model, xs, y, loss="hinge", steps=2, l2=1e-4, compile=compiled,
                      optimizer=SGD(model.parameters(), lr=0.1), progress=False)
        runs.append((history.loss, [p.data for p in model.parameters()]))
    assert runs[0] == runs[1]
