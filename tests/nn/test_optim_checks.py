"""Optimizers' argument checks and defaults, to the word (cases found by `make mutate`)."""

from __future__ import annotations

import math

import pytest

from autograd_mini import Value
from nn import SGD, Adam, LinearDecay

W = [Value(1.0)]


@pytest.mark.parametrize("make, error, message", [
    (lambda: SGD(W, 0.1, momentum="0.9"), TypeError, "momentum must be a number, not str"),
    (lambda: SGD(W, 0.1, momentum=True), TypeError, "momentum must be a number, not bool"),
    (lambda: SGD(W, 0.1, weight_decay=None), TypeError, "weight_decay must be a number, not NoneType"),
    (lambda: SGD(W, 0.1, momentum=-0.5), ValueError, "momentum must be at least 0, got -0.5"),
    (lambda: SGD(W, 0.1, weight_decay=-1), ValueError, "weight_decay must be at least 0, got -1"),
    (lambda: SGD([], 0.1), ValueError, "the optimizer got an empty parameter list"),
    (lambda: SGD([W[0], W[0]], 0.1), ValueError,
     r"a parameter appears twice in the list \(it would be updated twice\)"),
    (lambda: Adam(W, betas=(0.9,)), ValueError, r"betas must be a pair of numbers, got \(0.9,\)"),
    (lambda: Adam(W, betas=0.9), ValueError, "betas must be a pair of numbers, got 0.9"),
    (lambda: Adam(W, betas=(1.0, 0.9)), ValueError, r"betas\[0\] must be at least 0 and below 1.0, got 1.0"),
    (lambda: Adam(W, betas=(0.9, 1.5)), ValueError, r"betas\[1\] must be at least 0 and below 1.0, got 1.5"),
    (lambda: Adam(W, betas=("a", 0.9)), TypeError, r"betas\[0\] must be a number, not str"),
    (lambda: Adam(W, eps="x"), TypeError, "eps must be a number, not str"),
    (lambda: Adam(W, eps=0.0), ValueError, "eps must be greater than 0, got 0.0"),
    (lambda: Adam(W, weight_decay=-1.0), ValueError, "weight_decay must be at least 0, got -1.0"),
    (lambda: LinearDecay("1", 0.1, 10), TypeError, "start must be a number, not str"),
    (lambda: LinearDecay(1.0, -0.1, 10), ValueError, "end must be at least 0, got -0.1"),
    (lambda: LinearDecay(1.0, 0.1, 0), ValueError, "steps must be an int of at least 1, got 0"),
    (lambda: LinearDecay(1.0, 0.1, True), ValueError, "steps must be an int of at least 1, got True"),
    (lambda: LinearDecay(1.0, 0.1, 2.0), ValueError, "steps must be an int of at least 1, got 2.0"),
])
def test_bad_arguments_are_refused_naming_the_argument(make, error, message):
    with pytest.raises(error, match=f"^{message}$"):
        make()


def test_a_grad_that_is_a_value_is_refused_with_the_likely_cause():
    w = Value(2.0)
    (w * w).backward(create_graph=True)
    with pytest.raises(TypeError, match=r"^a parameter's grad is a Value, not a float "
                                        r"\(was backward\(\) called with create_graph=True\?\)$"):
        SGD([w], 0.1).step()


def _trajectory(make, steps=3):
    w = Value(1.0)
    opt = make([w])
    for _ in range(steps):
        opt.zero_grad()
        (w * w).backward()
        opt.step()
    return w.data


def test_the_defaults_are_plain_sgd_and_torchs_adam():
    plain = _trajectory(lambda p: SGD(p, 0.1))
    assert plain == _trajectory(lambda p: SGD(p, 0.1, 0.0, 0.0)) == pytest.approx(0.8 ** 3, rel=1e-15)
    assert _trajectory(lambda p: Adam(p)) == _trajectory(
        lambda p: Adam(p, 1e-3, (0.9, 0.999), 1e-8, 0.0))


def test_linear_decay_at_its_ends_and_between():
    schedule = LinearDecay(2.0, 0.5, 1)  # one step: start at 0, end from 1 on
    assert (schedule(0), schedule(1), schedule(5)) == (2.0, 0.5, 0.5)
    assert math.isclose(LinearDecay(2.0, 1.0, 4)(1), 1.75)
