"""Losses on Values: each takes a batch of model outputs and targets and returns their mean.

A batch is a list (one output per example); a single Value counts as a batch of one. Every
n-ary sum is one ``sum`` node. The formulas, for one example:

- ``mse``: ``(s - y)**2``.
- ``hinge`` (SVM max-margin, labels ``y = ±1``): ``max(0, 1 - y * s)``.
- ``binary_cross_entropy`` from a logit ``z`` (labels 0/1): ``softplus(z) - y * z``, that is
  ``-y log σ(z) - (1-y) log(1-σ(z))``: ``softplus(-z)`` for ``y = 1``, ``softplus(z)`` for
  ``y = 0``, with ``softplus(z) = log(1 + e^z)`` the table's op, computed as
  ``max(z, 0) + log1p(e^-|z|)`` so that no exponential overflows.
- ``cross_entropy`` from logits ``z_1..z_k`` and a class ``c``: ``-log_softmax(z)_c``, where
  ``log_softmax(z)_i = z_i - m - log(sum_j e^(z_j - m))`` and ``m = max(z)``; shifting by
  the constant ``m`` changes nothing mathematically and keeps every exponential ``<= 1``.
- ``l2_penalty``: ``alpha * sum p**2`` over the parameters (weight decay, as a loss).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from autograd_mini import Value
from autograd_mini import sum as vsum
from autograd_mini.tracing import unguarded

__all__ = ["binary_cross_entropy", "cross_entropy", "hinge", "l2_penalty", "log_softmax", "mse"]


def _batch(outputs: Any, targets: Any, name: str) -> tuple[list[Any], list[Any]]:
    if isinstance(outputs, Value):
        outputs = [outputs]
    if not isinstance(targets, Sequence) or isinstance(targets, str):
        targets = [targets]
    outputs, targets = list(outputs), list(targets)
    if len(outputs) != len(targets):
        raise ValueError(f"{name}: {len(outputs)} outputs but {len(targets)} targets")
    if not outputs:
        raise ValueError(f"{name}: the batch is empty")
    return outputs, targets


def _mean(terms: list[Value]) -> Value:
    return vsum(terms) * (1.0 / len(terms))


def mse(outputs: Any, targets: Any) -> Value:
    """Mean squared error, mean of ``(s - y)**2``.

    >>> from autograd_mini import Value
    >>> mse([Value(1.0), Value(3.0)], [0.0, 1.0]).data  # (1 + 4) / 2
    2.5
    """
    outputs, targets = _batch(outputs, targets, "mse")
    return _mean([(s - y) ** 2 for s, y in zip(outputs, targets)])


def hinge(scores: Any, labels: Any) -> Value:
    """SVM max-margin loss, mean of ``max(0, 1 - y * s)`` for labels ``y`` in {-1, +1}.

    >>> from autograd_mini import Value
    >>> hinge([Value(2.0), Value(0.5)], [1, -1]).data  # (0 + 1.5) / 2
    0.75
    """
    scores, labels = _batch(scores, labels, "hinge")
    for y in labels:
        if y not in (-1, 1) or isinstance(y, bool):
            raise ValueError(f"hinge: labels must be -1 or +1, got {y!r}")
    return _mean([(1 - y * s).relu() for s, y in zip(scores, labels)])


def binary_cross_entropy(logits: Any, labels: Any) -> Value:
    """Binary cross-entropy from logits, mean of ``softplus(z) - y * z`` for labels in {0, 1}.

    Its gradient is ``σ(z) - y``, finite for any logit.

    >>> from autograd_mini import Value
    >>> round(binary_cross_entropy([Value(0.0)], [1]).data, 6)  # log 2
    0.693147
    >>> binary_cross_entropy([Value(1000.0)], [0]).data  # no overflow
    1000.0
    """
    logits, labels = _batch(logits, labels, "binary_cross_entropy")
    for y in labels:
        if y not in (0, 1) or isinstance(y, bool):
            raise ValueError(f"binary_cross_entropy: labels must be 0 or 1, got {y!r}")
    # softplus(z) - z = softplus(-z): no cancellation between two large numbers when y = 1.
    # softplus is one op of the table, stable for any z, and has no branch on the data (so a
    # compiled loss needs no guard on the logit's sign).
    return _mean([(-z).softplus() if y else z.softplus() for z, y in zip(logits, labels)])


def log_softmax(logits: Sequence[Value]) -> list[Value]:
    """``z_i - logsumexp(z)`` for each logit, computed stably (see the module docstring).

    >>> from autograd_mini import Value
    >>> [round(v.data, 4) for v in log_softmax([Value(0.0), Value(0.0)])]  # log(1/2) twice
    [-0.6931, -0.6931]
    """
    if not logits:
        raise ValueError("log_softmax: needs at least one logit")
    lse = _logsumexp(logits)
    return [z - lse for z in logits]


def _logsumexp(logits: Sequence[Value]) -> Value:
    """log(sum_i e^z_i) as m + log(sum_i e^(z_i - m)), m = max(z): no exponential exceeds 1."""
    with unguarded():  # any m gives the same result: a compiled loss need not retrace for it
        m = max(z.data for z in logits)
    return vsum([(z - m).exp() for z in logits]).log() + m


def cross_entropy(logits: Any, classes: Any) -> Value:
    """Multi-class cross-entropy: mean of ``-log_softmax(z)[c]`` over examples.

    ``logits`` holds one list of k logits per example; ``classes`` the true class of each, an
    int in ``range(k)``.

    >>> from autograd_mini import Value
    >>> round(cross_entropy([[Value(1.0), Value(1.0), Value(1.0)]], [2]).data, 6)  # log 3
    1.098612
    """
    if logits and isinstance(logits[0], Value):
        logits = [logits]
    logits, classes = _batch(logits, classes, "cross_entropy")
    terms = []
    for z, c in zip(logits, classes):
        if isinstance(c, bool) or not isinstance(c, int) or not 0 <= c < len(z):
            raise ValueError(f"cross_entropy: a class must be an int in range({len(z)}), got {c!r}")
        terms.append(_logsumexp(z) - z[c])
    return _mean(terms)


def l2_penalty(params: Iterable[Value], alpha: float = 1e-4) -> Value:
    """``alpha * sum p**2``: added to a loss, it pulls weights toward 0 (micrograd's reg_loss).

    >>> from autograd_mini import Value
    >>> l2_penalty([Value(1.0), Value(-2.0)], alpha=0.5).data
    2.5
    """
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)):
        raise TypeError(f"l2_penalty: alpha must be a number, not {type(alpha).__name__}")
    if not 0.0 <= alpha < math.inf:  # a negative alpha would reward large weights
        raise ValueError(f"l2_penalty: alpha must be a finite number of at least 0, got {alpha}")
    return vsum([p * p for p in params]) * alpha
