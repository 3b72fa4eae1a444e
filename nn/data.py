"""Toy datasets, generated (no downloads, no scikit-learn), a shuffled split, and accuracy.

Each generator returns ``(xs, y)``: ``xs`` a list of ``[x1, x2]`` points, ``y`` a list of class
indices ``0..k-1``. The same arguments give the same data on every run and machine: the noise
comes from a ``random.Random(seed)``, whose sequence CPython keeps stable.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["DATASETS", "accuracy", "make_circles", "make_moons", "make_spirals", "make_xor",
           "train_test_split"]

Data = tuple[list[list[float]], list[int]]


def _check_n(n: Any, least: int, name: str = "n") -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{name} must be an int, not {type(n).__name__}")
    if n < least:
        raise ValueError(f"{name} must be at least {least}, got {n}")
    return n


def _check_noise(noise: Any) -> float:
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not noise >= 0:
        raise ValueError(f"noise must be a number of at least 0, got {noise!r}")
    return float(noise)


def _linspace(a: float, b: float, n: int) -> list[float]:
    return [a + (b - a) * i / (n - 1) for i in range(n)] if n > 1 else [a]


def _shuffled(xs: list[list[float]], y: list[int], rng: random.Random) -> Data:
    order = list(range(len(xs)))
    rng.shuffle(order)
    return [xs[i] for i in order], [y[i] for i in order]


def make_moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> Data:
    """Two interleaving half circles (as scikit-learn's ``make_moons``), shuffled.

    Class 0: ``(cos t, sin t)``; class 1: ``(1 - cos t, 0.5 - sin t)``, ``t`` evenly spaced in
    ``[0, π]``; then Gaussian noise of standard deviation ``noise`` on each coordinate.

    >>> xs, y = make_moons(100)
    >>> len(xs), sorted(set(y)), y.count(1)
    (100, [0, 1], 50)
    """
    _check_n(n, 2)
    rng = random.Random(seed)
    n0 = n // 2
    n1 = n - n0
    xs = [[math.cos(t), math.sin(t)] for t in _linspace(0.0, math.pi, n0)]
    xs += [[1.0 - math.cos(t), 0.5 - math.sin(t)] for t in _linspace(0.0, math.pi, n1)]
    y = [0] * n0 + [1] * n1
    return _shuffled(_noisy(xs, noise, rng), y, rng)


def _noisy(xs: list[list[float]], noise: float, rng: random.Random) -> list[list[float]]:
    s = _check_noise(noise)
    return [[a + rng.gauss(0.0, s), b + rng.gauss(0.0, s)] for a, b in xs] if s else xs


def make_circles(n: int = 100, noise: float = 0.05, factor: float = 0.5, seed: int = 0) -> Data:
    """A circle of radius 1 (class 0) around one of radius ``factor`` (class 1), shuffled.

    >>> xs, y = make_circles(10, noise=0.0)
    >>> [round(math.hypot(*x), 6) for x, c in zip(xs, y) if c == 1]
    [0.5, 0.5, 0.5, 0.5, 0.5]
    """
    _check_n(n, 2)
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor must be between 0 and 1, got {factor!r}")
    rng = random.Random(seed)
    n0 = n // 2
    n1 = n - n0
    # endpoint excluded, so no point is drawn twice at angle 0 and 2π
    xs = [[math.cos(t), math.sin(t)] for t in (2 * math.pi * i / n0 for i in range(n0))]
    xs += [[factor * math.cos(t), factor * math.sin(t)] for t in (2 * math.pi * i / n1 for i in range(n1))]
    y = [0] * n0 + [1] * n1
    return _shuffled(_noisy(xs, noise, rng), y, rng)


def make_xor() -> Data:
    """The XOR truth table: class 1 when exactly one input is 1.

    >>> make_xor()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
    """
    return [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0]


def make_spirals(n: int = 150, classes: int = 3, noise: float = 0.2, seed: int = 0) -> Data:
    """``classes`` interleaved spiral arms (as in CS231n), ``n`` points in all, shuffled.

    Arm ``j`` has radii ``r`` evenly spaced in ``[0, 1]`` and angles ``4j + 4r`` plus Gaussian
    noise of standard deviation ``noise`` (in radians); a point is ``(r sin θ, r cos θ)``.

    >>> xs, y = make_spirals(90, classes=3)
    >>> len(xs), [y.count(c) for c in range(3)]
    (90, [30, 30, 30])
    """
    _check_n(classes, 2, "classes")
    _check_n(n, classes)
    s = _check_noise(noise)
    rng = random.Random(seed)
    xs: list[list[float]] = []
    y: list[int] = []
    for j in range(classes):
        size = n // classes + (1 if j < n % classes else 0)
        for r in _linspace(0.0, 1.0, size):
            theta = 4.0 * j + 4.0 * r + (rng.gauss(0.0, s) if s else 0.0)
            xs.append([r * math.sin(theta), r * math.cos(theta)])
            y.append(j)
    return _shuffled(xs, y, rng)


DATASETS: dict[str, Callable[..., Data]] = {
    "moons": make_moons, "circles": make_circles, "xor": make_xor, "spirals": make_spirals}


def train_test_split(xs: Sequence[Any], y: Sequence[Any], test_fraction: float = 0.25,
                     seed: int = 0) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    """Shuffle, then split into ``xs_train, xs_test, y_train, y_test``.

    >>> xs_train, xs_test, y_train, y_test = train_test_split(list(range(8)), list(range(8)))
    >>> len(xs_train), len(xs_test), xs_train == y_train
    (6, 2, True)
    """
    if len(xs) != len(y):
        raise ValueError(f"xs has {len(xs)} rows but y has {len(y)}")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction!r}")
    n_test = round(len(xs) * test_fraction)
    if not 0 < n_test < len(xs):
        raise ValueError(f"cannot split {len(xs)} examples with test_fraction={test_fraction}")
    order = list(range(len(xs)))
    random.Random(seed).shuffle(order)
    train, test = order[n_test:], order[:n_test]
    return [xs[i] for i in train], [xs[i] for i in test], [y[i] for i in train], [y[i] for i in test]


def accuracy(predicted: Sequence[Any], actual: Sequence[Any]) -> float:
    """The fraction of predictions equal to the true class.

    >>> accuracy([1, 0, 1, 1], [1, 1, 1, 1])
    0.75
    """
    if len(predicted) != len(actual):
        raise ValueError(f"{len(predicted)} predictions but {len(actual)} labels")
    if len(actual) == 0:  # not `not actual`: numpy arrays refuse to be truth-tested
        raise ValueError("accuracy of an empty set is undefined")
    return sum(p == a for p, a in zip(predicted, actual)) / len(actual)
