"""Optimizers against hand-worked steps and PyTorch's, step by step; the linear-decay schedule."""

from __future__ import annotations

import math
import random

import pytest

from autograd_mini import Value
from nn import SGD, Adam, LinearDecay

N, STEPS = 6, 5


def _problem(seed=0):
    """Parameters and a fixed sequence of gradients for them, the same for both libraries."""
    rng = random.Random(seed)
    start = [rng.uniform(-2, 2) for _ in range(N)]
    grads = [[rng.uniform(-3, 3) for _ in range(N)] for _ in range(STEPS)]
    return start, grads


def _run_ours(make, start, grads):
    params = [Value(x) for x in start]
    opt = make(params)
    history = []
    for g in grads:
        opt.zero_grad()
        for p, gi in zip(params, g):
            p.grad = gi
        opt.step()
        history.append([p.data for p in params])
    return history


def _run_torch(torch, make, start, grads):
    params = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = make([params])
    history = []
    for g in grads:
        opt.zero_grad()
        params.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        history.append(params.detach().tolist())
    return history


def _close(a, b):
    pairs = [(x, y) for ra, rb in zip(a, b) for x, y in zip(ra, rb)]
    return len(pairs) == N * STEPS and all(math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-14) for x, y in pairs)


@pytest.mark.parametrize("lr, momentum, weight_decay", [
    (0.1, 0.0, 0.0), (0.05, 0.9, 0.0), (0.1, 0.0, 0.01), (0.03, 0.5, 0.1)])
def test_sgd_matches_torch_step_by_step(lr, momentum, weight_decay):
    torch = pytest.importorskip("torch", reason="PyTorch's optimizers are the reference")
    start, grads = _problem()
    ours = _run_ours(lambda p: SGD(p, lr, momentum=momentum, weight_decay=weight_decay), start, grads)
    ref = _run_torch(torch, lambda p: torch.optim.SGD(p, lr=lr, momentum=momentum, weight_decay=weight_decay),
                     start, grads)
    assert _close(ours, ref)


@pytest.mark.parametrize("lr, betas, eps, weight_decay", [
    (1e-3, (0.9, 0.999), 1e-8, 0.0), (0.1, (0.8, 0.99), 1e-6, 0.0), (0.05, (0.9, 0.999), 1e-8, 0.01)])
def test_adam_matches_torch_step_by_step(lr, betas, eps, weight_decay):
    torch = pytest.importorskip("torch", reason="PyTorch's optimizers are the reference")
    start, grads = _problem(1)
    ours = _run_ours(lambda p: Adam(p, lr, betas, eps, weight_decay), start, grads)
    ref = _run_torch(torch, lambda p: torch.optim.Adam(p, lr=lr, betas=betas, eps=eps,
                                                       weight_decay=weight_decay), start, grads)
    assert _close(ours, ref)


def test_sgd_with_momentum_by_hand():
    w = Value(1.0)
    opt = SGD([w], lr=0.5, momentum=0.9)
    for g in (2.0, 2.0):
        w.grad = g
        opt.step()
    # buf = 2, w = 1 - 0.5*2 = 0; buf = 0.9*2 + 2 = 3.8, w = 0 - 0.5*3.8 = -1.9
    assert w.data == pytest.approx(-1.9, rel=1e-15)


def test_adam_first_step_moves_by_lr_times_sign():
    params = [Value(1.0), Value(-1.0)]
    opt = Adam(params, lr=0.01)
    params[0].grad, params[1].grad = 123.0, -0.004
    opt.step()
    assert params[0].data == pytest.approx(0.99, abs=1e-9)
    assert params[1].data == pytest.approx(-0.99, abs=1e-6)


def test_linear_decay_is_micrograds_schedule():
    schedule = LinearDecay(1.0, 0.1, 100)
    for k in range(101):
        assert math.isclose(schedule(k), 1.0 - 0.9 * k / 100, rel_tol=1e-14)
    assert schedule(0) == 1.0 and schedule(100) == 0.1 and schedule(1000) == 0.1


def test_zero_grad_and_bad_arguments():
    w = Value(1.0)
    w.grad = 5.0
    SGD([w], 0.1).zero_grad()
    assert w.grad == 0.0
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], 0.1)
    with pytest.raises(ValueError, match="appears twice"):
        Adam([w, w])
    with pytest.raises(TypeError, match="parameters must be Values, not float"):
        SGD([1.0], 0.1)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="lr must be at least 0, got -1"):
        SGD([w], -1)
    with pytest.raises(ValueError, match=r"betas\[1\] must be at least 0 and below 1.0, got 1.0"):
        Adam([w], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="steps must be an int of at least 1"):
        LinearDecay(1.0, 0.1, 0)


def test_a_gradient_that_is_a_value_is_refused():
    x = Value(2.0)
    (x * x).backward(create_graph=True)
    with pytest.raises(TypeError, match="create_graph=True"):
        SGD([x], 0.1).step()


def test_adam_eps_must_be_positive():
    # eps = 0 divided by sqrt(v) = 0 for a parameter whose gradient is 0: ZeroDivisionError mid-run
    with pytest.raises(ValueError, match=r"eps must be greater than 0, got 0\.0"):
        Adam([Value(1.0)], eps=0.0)
    assert Adam([Value(1.0)], eps=1e-300).eps == 1e-300
