"""Datasets: deterministic, the right shapes and geometry; the split and the accuracy metric."""

from __future__ import annotations

import math

import pytest

from nn import accuracy, make_circles, make_moons, make_spirals, make_xor, train_test_split


@pytest.mark.parametrize("make", [make_moons, make_circles, make_spirals])
def test_same_seed_same_data_other_seed_other_data(make):
    assert make(seed=3) == make(seed=3)
    assert make(seed=3) != make(seed=4)


def test_moons_without_noise_lie_on_the_two_half_circles():
    xs, y = make_moons(51, noise=0.0)
    assert (y.count(0), y.count(1)) == (25, 26)
    for (a, b), c in zip(xs, y):
        cx, cy = (0.0, 0.0) if c == 0 else (1.0, 0.5)
        assert math.isclose(math.hypot(a - cx, b - cy), 1.0, rel_tol=1e-12)
        assert (b >= -1e-12) if c == 0 else (b <= 0.5 + 1e-12)  # upper and lower halves


def test_moons_noise_has_the_asked_standard_deviation():
    xs, y = make_moons(4000, noise=0.1, seed=1)
    # the radial part of isotropic Gaussian noise of sd 0.1 has sd about 0.1
    residuals = [math.hypot(a, b) - 1.0 for (a, b), c in zip(xs, y) if c == 0]
    sd = math.sqrt(sum(r * r for r in residuals) / len(residuals))
    assert 0.09 < sd < 0.11


def test_circles_radii_and_classes():
    xs, y = make_circles(40, noise=0.0, factor=0.3)
    for p, c in zip(xs, y):
        assert math.isclose(math.hypot(*p), 1.0 if c == 0 else 0.3, rel_tol=1e-12)
    assert len(set(map(tuple, xs))) == 40  # no point twice


def test_spirals_classes_and_radius():
    xs, y = make_spirals(100, classes=4, noise=0.0)
    assert [y.count(c) for c in range(4)] == [25, 25, 25, 25]
    assert all(math.hypot(*p) <= 1.0 + 1e-12 for p in xs)


def test_xor_is_the_truth_table():
    xs, y = make_xor()
    assert y == [int(a) ^ int(b) for a, b in xs]


def test_split_is_shuffled_disjoint_and_complete():
    xs = [[float(i), 0.0] for i in range(20)]
    y = list(range(20))
    x_train, _, y_train, y_test = train_test_split(xs, y, test_fraction=0.25, seed=1)
    assert len(y_test) == 5 and sorted(y_train + y_test) == y
    assert [p[0] for p in x_train] == [float(c) for c in y_train]  # rows stay with their labels
    assert y_train != sorted(y_train)
    assert train_test_split(xs, y, seed=1) == train_test_split(xs, y, seed=1)


def test_accuracy():
    assert accuracy([0, 1, 2], [0, 1, 1]) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="3 predictions but 2 labels"):
        accuracy([0, 1, 2], [0, 1])


def test_bad_arguments():
    with pytest.raises(ValueError, match="n must be at least 2, got 1"):
        make_moons(1)
    with pytest.raises(ValueError, match="noise must be a number of at least 0"):
        make_moons(10, noise=-1)
    with pytest.raises(ValueError, match="factor must be between 0 and 1"):
        make_circles(10, factor=1.5)
    with pytest.raises(TypeError, match="classes must be an int"):
        make_spirals(10, classes=2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="test_fraction must be between 0 and 1"):
        train_test_split([1, 2], [1, 2], test_fraction=1.0)
