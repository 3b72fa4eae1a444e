"""_vectorized: every _ieee function on arrays gives _ieee's results elementwise, special values
exactly (nan, ±inf, ±0), finite ones exactly where IEEE 754 defines them and within 4 ulps
where numpy's vectorized exp, log, tanh ... may differ from the C library in the last bits."""

from __future__ import annotations

import inspect
import itertools
import math

import pytest

from autograd_mini import _ieee

np = pytest.importorskip("numpy")
from autograd_mini import _vectorized  # noqa: E402  (needs numpy)

SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 3.0, 1e-310, -1e-310, 1e308, -1e308, 709.8, 710.5,
           -745.2, math.pi / 2, 1.0 - 2 ** -53, -1.0 + 2 ** -53, math.inf, -math.inf, math.nan]
EXACT = {"div", "relu", "step", "sign", "sqrt", "leaky_relu", "dleaky_relu", "remainder",
         "floor_divide"}


def _arity(name):
    return len(inspect.signature(getattr(_ieee, name)).parameters) if name != "arctan" else 1


@pytest.mark.parametrize("name", _ieee.__all__)
def test_each_function_matches_ieee_elementwise(name):
    n = _arity(name)
    rng = np.random.default_rng(0)
    random = rng.uniform(-4, 4, size=(300, n)).tolist()
    points = [list(p) for p in itertools.product(SPECIAL, repeat=n)] + random
    columns = np.asarray(points, dtype=np.float64).T
    with np.errstate(all="ignore"):
        got = np.broadcast_to(_vectorized.function(name)(*columns), (len(points),))
    for p, g in zip(points, got.tolist()):
        want = _ieee.__dict__[name](*p)
        if want != want or g != g:
            assert want != want and g != g, (name, p, g, want)
        elif math.isinf(want) or want == 0.0:
            assert g == want and math.copysign(1.0, g) == math.copysign(1.0, want), (name, p, g, want)
        elif name in EXACT:
            assert g == want, (name, p, g, want)
        else:
            assert abs(g - want) <= 4 * math.ulp(want), (name, p, g, want)


def test_a_function_without_an_array_version_falls_back_to_ieee_elementwise(monkeypatch):
    monkeypatch.setattr(_ieee, "cube_for_test", lambda a: a * a * a, raising=False)
    monkeypatch.setattr(_ieee, "__all__", [*_ieee.__all__, "cube_for_test"])
    assert _vectorized.function("cube_for_test")(np.asarray([2.0, -1.0])).tolist() == [8.0, -1.0]
