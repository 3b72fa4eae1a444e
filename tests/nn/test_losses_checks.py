"""Losses' argument checks and defaults, to the word (cases found by `make mutate`)."""

from __future__ import annotations

import math

import pytest

from autograd_mini import Value
from nn.losses import binary_cross_entropy, cross_entropy, hinge, l2_penalty, log_softmax, mse


@pytest.mark.parametrize("loss, name", [(mse, "mse"), (hinge, "hinge"),
                                        (binary_cross_entropy, "binary_cross_entropy")])
def test_a_batch_of_the_wrong_size_is_refused_naming_the_loss(loss, name):
    with pytest.raises(ValueError, match=f"^{name}: 2 outputs but 1 targets$"):
        loss([Value(0.5), Value(1.0)], [1])
    with pytest.raises(ValueError, match=f"^{name}: the batch is empty$"):
        loss([], [])


def test_cross_entropy_names_itself_and_refuses_classes_that_are_not_ints_in_range():
    logits = [Value(0.1), Value(0.2)]
    with pytest.raises(ValueError, match=r"^cross_entropy: 2 outputs but 1 targets$"):
        cross_entropy([logits, logits], [0])
    for bad in (True, 1.0, 2, -1):
        message = rf"^cross_entropy: a class must be an int in range\(2\), got {bad!r}$"
        with pytest.raises(ValueError, match=message):
            cross_entropy([logits], [bad])


def test_log_softmax_of_nothing():
    with pytest.raises(ValueError, match=r"^log_softmax: needs at least one logit$"):
        log_softmax([])


def test_l2_penalty_default_and_bounds():
    assert l2_penalty([Value(1.0), Value(-2.0)]).data == pytest.approx(5e-4, rel=1e-15)
    assert l2_penalty([Value(3.0)], alpha=0.0).data == 0.0  # 0 turns it off
    for bad in (math.inf, -1e-9, math.nan):
        with pytest.raises(ValueError, match=r"^l2_penalty: alpha must be a finite number of at least 0"):
            l2_penalty([Value(1.0)], alpha=bad)
