"""fit(compile=True) and python -m nn --compile: the same training, step by step, as without."""

from __future__ import annotations

import math

import pytest

from nn import MLP, SGD, fit, make_moons, make_spirals

pytest.importorskip("numpy")

CASES = [("hinge", 1, make_moons(40, seed=1)), ("bce", 1, make_moons(30, seed=2)),
         ("mse", 1, make_moons(30, seed=3)), ("mse", 3, make_spirals(15, classes=3)),
         ("cross_entropy", 3, make_spirals(15, classes=3))]


@pytest.mark.parametrize("backend", ["python", "numpy"])
@pytest.mark.parametrize(("loss", "nout", "data"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_compiled_training_equals_interpreted_step_by_step(loss, nout, data, backend):
    xs, y = data
    runs = []
    for compiled in (False, backend):
        model = MLP(2, [6, nout], activation="tanh" if loss == "mse" else "relu", seed=0)
        history = fit(model, xs, y, loss=loss, steps=12, l2=1e-4, compile=compiled,
                      optimizer=SGD(model.parameters(), lr=0.2, momentum=0.5), batch_size=None)
        runs.append((history, [p.data for p in model.parameters()]))
    (h0, p0), (h1, p1) = runs
    assert all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(h0.loss, h1.loss))
    assert h0.accuracy == h1.accuracy
    assert all(math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15) for a, b in zip(p0, p1))


def test_minibatches_compile_per_batch():
    xs, y = make_moons(30, seed=4)
    runs = []
    for compiled in (False, True):
        model = MLP(2, [4, 1], seed=0)
        runs.append(fit(model, xs, y, loss="bce", steps=8, batch_size=5, seed=3, compile=compiled).loss)
    assert all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(*runs))


def test_compile_must_name_a_backend():
    xs, y = make_moons(10, seed=0)
    with pytest.raises(ValueError, match="compile must be True, False, 'numpy' or 'python'"):
        fit(MLP(2, [1], seed=0), xs, y, steps=1, compile="jax")


def test_the_cli_trains_the_demo_compiled(tmp_path):
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "nn", "--compile", "--graph", "none", "--out", str(tmp_path)],
                         capture_output=True, text=True, timeout=300, check=True)
    assert ", compiled" in run.stdout
    assert "final train accuracy 100.0% (100/100)" in run.stdout and "steps/s" in run.stdout
