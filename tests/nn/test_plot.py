"""Decision-boundary plots: the numpy forward pass equals the model's, files are written atomically."""

from __future__ import annotations

import math

import pytest

from nn import ACTIVATIONS, MLP, make_moons

np = pytest.importorskip("numpy", reason="plots need numpy (with matplotlib, the plot extra)")


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_numpy_forward_equals_the_models(activation):
    from nn.plot import mlp_numpy

    model = MLP(2, [5, 4, 3], activation=activation, output_activation="sigmoid", seed=2)
    points = [[0.3, -1.2], [2.0, 0.5], [-40.0, 3.0]]
    got = mlp_numpy(model, points)
    for row, x in zip(got, points):
        for a, v in zip(row, model(x)):
            assert math.isclose(a, v.data, rel_tol=1e-12, abs_tol=1e-15)


def test_decision_boundary_writes_png_and_reproducible_svg(tmp_path):
    pytest.importorskip("matplotlib", reason="plots need matplotlib (the plot extra)")
    from nn.plot import decision_boundary

    xs, y = make_moons(30)
    model = MLP(2, [4, 1], seed=0)
    paths = [tmp_path / "b.png", tmp_path / "b.svg"]
    assert decision_boundary(model, xs, y, paths, resolution=30) == paths
    assert paths[0].read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    first = paths[1].read_text()
    assert "<svg" in first
    decision_boundary(model, xs, y, [paths[1]], resolution=30)
    assert paths[1].read_text() == first  # no date, fixed ids
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.png", "b.svg"]  # no temporary files left
