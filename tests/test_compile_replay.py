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


# -- the numpy replay's exact ops give the engine's very numbers (issue 27) -------------------------
def many_uses(x, ws):
    """``x`` and each ``w`` reach the output along dozens of edges, at several levels and
    through each exact op: their gradients are sums of many terms of mixed magnitudes."""
    terms = []
    for k, w in enumerate(ws):
        a = x * w
        b = (a + x) * (w - x) if k % 2 else (a - w) / (x + 3.0)
        c = abs(b).sqrt() * x if k % 3 else -(b * w)
        terms += [a, b * 1e-7, c]
    return am.sum(terms) * x + am.sum([t * x for t in terms[::5]])


def random_exact(seed, n_ops=80):
    """A random straight-line program of ``+ - * /``, neg, abs, sqrt and sums, reusing earlier
    results and the inputs often: a function of a list of inputs (the same program each call)."""
    def f(xs):
        rng = random.Random(seed)
        slots = list(xs)
        for _ in range(n_ops):
            a, b = rng.choice(slots), rng.choice(slots)
            kind = rng.randrange(7)
            if kind == 0:
                slots.append(a + b)
            elif kind == 1:
                slots.append(a - b * rng.choice((1e-6, 1.0, 1e6)))
            elif kind == 2:
                slots.append(a * b)
            elif kind == 3:
                slots.append(a / (abs(b) + 1.0))
            elif kind == 4:
                slots.append(-abs(a).sqrt())
            elif kind == 5:
                slots.append(am.sum([rng.choice(slots) for _ in range(rng.randint(2, 12))]))
            else:  # an input used again: many edges into the same leaves
                slots.append(a * rng.choice(xs) + rng.choice(xs))
        return am.sum(slots[len(xs):])
    return f


def test_a_parent_with_dozens_of_edges_gets_the_engines_very_gradient_on_numpy():
    x, ws = 0.7, mixed(40, seed=1)
    cf = am.compile(many_uses, x, ws, backend="numpy")
    value, (gx, gws) = engine(many_uses, x, ws)
    v, (cx, cws) = cf.value_and_grad(x, ws, argnums=(0, 1))
    assert v == value and cf(x, ws) == value
    assert cx == gx and cws == gws


@pytest.mark.parametrize("seed", range(12))
def test_random_programs_of_exact_ops_replay_bit_for_bit_on_numpy(seed):
    xs = mixed(6, seed=seed)
    f = random_exact(seed)
    value, (grads,) = engine(f, xs)
    cf = am.compile(f, xs, backend="numpy")
    v, g = cf.value_and_grad(xs)
    assert v == value and cf(xs) == value
    assert g == grads
    other = mixed(6, seed=100 + seed)  # new numbers, same program
    value, (grads,) = engine(f, other)
    v, g = cf.value_and_grad(other)
    assert v == value and g == grads


@pytest.mark.parametrize("width", [1, 2, 3, 7, 64])
def test_sums_of_mixed_magnitudes_add_from_the_left_in_every_block_shape(width):
    def f(xs):
        rows = [xs[i::width] for i in range(width)]  # width sums side by side, one level
        return am.sum([am.sum(r) for r in rows])

    xs = mixed(40 * width, seed=width)
    value, (grads,) = engine(f, xs)
    cf = am.compile(f, xs, backend="numpy")
    v, g = cf.value_and_grad(xs)
    assert v == value and g == grads
