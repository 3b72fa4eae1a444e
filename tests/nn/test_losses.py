"""Losses: closed forms, finite differences, stability at large logits, PyTorch where installed."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_mini import Value
from autograd_mini.testing import gradcheck
from nn import binary_cross_entropy, cross_entropy, hinge, l2_penalty, log_softmax, mse

floats = st.floats(-4, 4)


def _values(xs):
    return [Value(x) for x in xs]


@given(st.lists(st.tuples(floats, floats), min_size=1, max_size=5))
def test_mse_closed_form(pairs):
    s, y = zip(*pairs)
    expected = sum((a - b) ** 2 for a, b in pairs) / len(pairs)
    assert math.isclose(mse(_values(s), list(y)).data, expected, rel_tol=1e-12, abs_tol=1e-15)


@given(st.lists(st.tuples(floats, st.sampled_from([-1, 1])), min_size=1, max_size=5))
def test_hinge_closed_form(pairs):
    s, y = zip(*pairs)
    expected = sum(max(0.0, 1 - b * a) for a, b in pairs) / len(pairs)
    assert math.isclose(hinge(_values(s), list(y)).data, expected, rel_tol=1e-12, abs_tol=1e-15)


@given(st.lists(st.tuples(st.floats(-30, 30), st.sampled_from([0, 1])), min_size=1, max_size=5))
def test_binary_cross_entropy_closed_form(pairs):
    z, y = zip(*pairs)

    # -log σ(z) = log(1 + e^-z) and -log(1 - σ(z)) = log(1 + e^z), accurate with log1p
    terms = [math.log1p(math.exp(-a)) if b else math.log1p(math.exp(a)) for a, b in pairs]
    expected = sum(terms) / len(terms)
    got = binary_cross_entropy(_values(z), list(y)).data
    assert math.isclose(got, expected, rel_tol=1e-12, abs_tol=1e-15)


@given(st.lists(floats, min_size=2, max_size=5), st.data())
def test_cross_entropy_closed_form(z, data):
    c = data.draw(st.integers(0, len(z) - 1))
    expected = -math.log(math.exp(z[c]) / sum(math.exp(a) for a in z))
    assert math.isclose(cross_entropy([_values(z)], [c]).data, expected, rel_tol=1e-12, abs_tol=1e-12)
    assert math.isclose(math.fsum(math.exp(v.data) for v in log_softmax(_values(z))), 1.0, rel_tol=1e-12)


def test_l2_penalty_closed_form():
    assert l2_penalty(_values([1.0, -2.0, 3.0]), alpha=0.1).data == pytest.approx(1.4, rel=1e-15)


@given(st.lists(floats, min_size=3, max_size=3))
def test_every_loss_matches_finite_differences(x):
    assert gradcheck(lambda a, b, c: mse([a, b, c], [0.5, -1.0, 2.0]), x)
    assert gradcheck(lambda a, b, c: binary_cross_entropy([a, b, c], [1, 0, 1]), x)
    assert gradcheck(lambda a, b, c: cross_entropy([[a, b, c], [c, a, b]], [2, 0]), x)
    assert gradcheck(lambda a, b, c: l2_penalty([a, b, c], 0.3), x)
    if all(abs(1 - y * s) > 1e-3 for s, y in zip(x, (1, -1, 1))):  # away from the hinge's kink
        assert gradcheck(lambda a, b, c: hinge([a, b, c], [1, -1, 1]), x)


@pytest.mark.parametrize("z", [-1000.0, -40.0, 0.0, 40.0, 1000.0])
@pytest.mark.parametrize("y", [0, 1])
def test_binary_cross_entropy_is_stable_and_its_gradient_is_sigmoid_minus_label(z, y):
    logit = Value(z)
    loss = binary_cross_entropy([logit], [y])
    loss.backward()
    sigma = 0.5 * (1 + math.tanh(z / 2))
    assert math.isfinite(loss.data) and loss.data >= 0.0
    assert math.isclose(logit.grad, sigma - y, abs_tol=1e-15)
    if (z > 0) == bool(y) and abs(z) >= 40:
        assert loss.data < 1e-17  # confidently right
    if (z > 0) != bool(y) and abs(z) == 1000:
        assert loss.data == 1000.0  # confidently wrong: |z|, not inf


def test_cross_entropy_is_stable_for_huge_logits():
    z = _values([1000.0, 0.0, -1000.0])
    loss = cross_entropy([z], [1])
    loss.backward()
    assert loss.data == 1000.0
    assert [v.grad for v in z] == [1.0, -1.0, 0.0]  # softmax - one_hot


def test_against_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is the reference for the losses")
    F = torch.nn.functional
    z = [2.5, -0.3, 40.0, -7.0]
    labels = [1, 0, 0, 1]
    ours = _values(z)
    loss = binary_cross_entropy(ours, labels)
    loss.backward()
    t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    ref = F.binary_cross_entropy_with_logits(t, torch.tensor(labels, dtype=torch.float64))
    ref.backward()
    assert math.isclose(loss.data, ref.item(), rel_tol=1e-12)
    assert all(math.isclose(v.grad, g, rel_tol=1e-12, abs_tol=1e-18) for v, g in zip(ours, t.grad.tolist()))

    rows = [[1.0, -2.0, 0.5], [3.0, 3.0, -1.0]]
    ours_rows = [_values(r) for r in rows]
    loss = cross_entropy(ours_rows, [2, 0])
    loss.backward()
    t = torch.tensor(rows, dtype=torch.float64, requires_grad=True)
    ref = F.cross_entropy(t, torch.tensor([2, 0]))
    ref.backward()
    assert math.isclose(loss.data, ref.item(), rel_tol=1e-12)
    got = [v.grad for r in ours_rows for v in r]
    ref_grads = t.grad.flatten().tolist()
    assert all(math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-17) for a, b in zip(got, ref_grads))


def test_a_single_value_is_a_batch_of_one():
    assert mse(Value(3.0), 1.0).data == 4.0
    assert cross_entropy(_values([0.0, 0.0]), 1).data == pytest.approx(math.log(2))


def test_bad_labels_and_batches():
    with pytest.raises(ValueError, match="labels must be -1 or \\+1, got 0"):
        hinge(_values([1.0]), [0])
    with pytest.raises(ValueError, match="labels must be 0 or 1, got -1"):
        binary_cross_entropy(_values([1.0]), [-1])
    with pytest.raises(ValueError, match="class must be an int in range\\(2\\), got 2"):
        cross_entropy([_values([1.0, 2.0])], [2])
    with pytest.raises(ValueError, match="2 outputs but 1 targets"):
        mse(_values([1.0, 2.0]), [1.0])
    with pytest.raises(ValueError, match="the batch is empty"):
        mse([], [])
    with pytest.raises(TypeError, match="alpha must be a number, not str"):
        l2_penalty(_values([1.0]), "0.1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="alpha must be a finite number of at least 0, got nan"):
        l2_penalty(_values([1.0]), math.nan)
