"""``fit``: a small trainer for classifiers, micrograd's training loop with the chores done.

Each step: pick the batch (all examples, or ``batch_size`` of them drawn at random), set the
learning rate from the schedule, forward, loss (plus an optional L2 penalty), check that the
loss is finite, ``zero_grad``, ``backward``, ``step``. The cyclic garbage collector is paused
during a step: the step's tens of thousands of nodes hold no reference cycles, so reference
counting frees them, and collections triggered by their allocation only cost time (1.3-1.8x).

The loss names which targets the classes become and how an output becomes a class:

=================  ===============================  ==========================================
loss               targets from class c             predicted class
=================  ===============================  ==========================================
``hinge``          ``2c - 1`` (±1)                  1 if the score is > 0
``bce``            ``c`` (0/1), logits              1 if the logit is > 0
``mse``            ``c`` (0/1); one-hot if k > 1    1 if the output is > 0.5; argmax if k > 1
``cross_entropy``  ``c``, logits                    argmax
=================  ===============================  ==========================================
"""

from __future__ import annotations

import gc
import math
import numbers
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from autograd_mini import Value, no_grad

from . import losses
from .data import accuracy
from .modules import Module
from .optim import SGD, LinearDecay, Optimizer

__all__ = ["LOSSES", "DivergenceError", "History", "evaluate", "fit", "predict"]

LOSSES = ("hinge", "bce", "mse", "cross_entropy")


class DivergenceError(FloatingPointError):
    """The loss or a gradient became nan or inf during training."""


@dataclass
class History:
    """What ``fit`` saw at each step: the loss (with any L2 term), the batch accuracy, the lr."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)


def _argmax(outputs: Sequence[Value]) -> int:
    return max(range(len(outputs)), key=lambda i: outputs[i].data)


def decide(output: Any, loss: str) -> int:
    """The class predicted from one model output under ``loss`` (see the table above).

    >>> decide(Value(0.3), "hinge"), decide(Value(0.3), "mse"), decide([Value(1.0), Value(2.0)], "mse")
    (1, 0, 1)
    """
    if isinstance(output, list):
        return _argmax(output)
    if loss == "cross_entropy":
        raise ValueError("cross_entropy needs a model with one output per class (at least 2)")
    return int(output.data > (0.5 if loss == "mse" else 0.0))


def _loss_value(loss: str, outputs: list[Any], classes: list[int]) -> Value:
    if loss == "hinge":
        return losses.hinge(outputs, [2 * c - 1 for c in classes])
    if loss == "bce":
        return losses.binary_cross_entropy(outputs, classes)
    if loss == "cross_entropy":
        if not isinstance(outputs[0], list):
            raise ValueError("cross_entropy needs a model with one output per class (at least 2)")
        return losses.cross_entropy(outputs, classes)
    if isinstance(outputs[0], list):  # mse on k outputs: one-hot targets
        k = len(outputs[0])
        flat = [o for out in outputs for o in out]
        return losses.mse(flat, [float(i == c) for c in classes for i in range(k)])
    return losses.mse(outputs, [float(c) for c in classes])


def _check_int(name: str, n: Any, least: float, most: float = math.inf) -> None:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):  # numpy ints are welcome
        raise TypeError(f"{name} must be an int, not {type(n).__name__}")
    if not least <= int(n) <= most:
        raise ValueError(f"{name} must be an int from {least}{f' to {most}' if most < math.inf else ' up'}"
                         f", got {n}")


def _check(model: Any, xs: Sequence[Any], y: Sequence[Any], loss: str) -> None:
    if not isinstance(model, Module):
        raise TypeError(f"model must be an nn Module, not {type(model).__name__}")
    if not isinstance(loss, str):
        raise TypeError(f"loss must be a str, not {type(loss).__name__}")
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; known: {', '.join(LOSSES)}")
    if len(xs) != len(y):
        raise ValueError(f"xs has {len(xs)} rows but y has {len(y)}")
    if not y:
        raise ValueError("the training set is empty")
    for c in y:
        _check_int("a label", c, 0)
    if loss in ("hinge", "bce") and max(y) > 1:
        raise ValueError(f"{loss} loss is for 2 classes, but the labels go up to {max(y)}; "
                         "use cross_entropy")


def fit(model: Module, xs: Sequence[Sequence[float]], y: Sequence[int], *, loss: str = "hinge",
        optimizer: Optimizer | None = None, schedule: Callable[[int], float] | None = None,
        steps: int = 100, batch_size: int | None = None, l2: float = 0.0, seed: int = 0,
        progress: bool | None = None, callback: Callable[[int, float, float], None] | None = None) -> History:
    """Train ``model`` on ``(xs, y)`` (class indices) for ``steps`` steps; return the History.

    - ``optimizer``: default ``SGD(model.parameters(), lr=1.0)`` with, if ``schedule`` is None
      too, ``LinearDecay(1.0, 0.1, steps)``: micrograd's demo. ``schedule(k)`` sets ``lr``.
    - ``batch_size``: None for the full batch, else that many examples drawn each step.
    - ``l2``: the weight of ``losses.l2_penalty`` added to the loss.
    - ``progress``: a tqdm bar on stderr; None shows it only if stderr is a terminal.
    - ``callback(step, loss, accuracy)`` runs after each step.

    Raises ``DivergenceError`` naming the step if the loss or a gradient becomes nan or inf.

    >>> from nn import MLP, make_xor
    >>> xs, y = make_xor()
    >>> model = MLP(2, [4, 1], activation="tanh", seed=0)
    >>> history = fit(model, xs, y, loss="mse", optimizer=SGD(model.parameters(), lr=0.5), steps=200)
    >>> history.accuracy[-1], evaluate(model, xs, y, loss="mse")
    (1.0, 1.0)
    """
    _check(model, xs, y, loss)
    _check_int("steps", steps, 1)
    _check_int("seed", seed, -math.inf)
    if batch_size is not None:
        _check_int("batch_size", batch_size, 1, len(xs))
    if optimizer is not None and not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an nn Optimizer or None, not {type(optimizer).__name__}")
    for name, f in (("schedule", schedule), ("callback", callback)):
        if f is not None and not callable(f):
            raise TypeError(f"{name} must be callable or None, not {type(f).__name__}")
    if isinstance(l2, bool) or not isinstance(l2, (int, float)):
        raise TypeError(f"l2 must be a number, not {type(l2).__name__}")
    if not 0.0 <= l2 < math.inf:
        raise ValueError(f"l2 must be a finite number of at least 0, got {l2}")
    params = model.parameters()
    if optimizer is None:
        optimizer = SGD(params, lr=1.0)
        schedule = schedule or LinearDecay(1.0, 0.1, steps)
    rng = random.Random(seed)
    history = History()
    if progress is None:
        progress = sys.stderr.isatty()
    bar = _progress_bar(steps) if progress else None
    everything = range(len(xs))
    for k in range(steps):
        batch = everything if batch_size is None else rng.sample(everything, batch_size)
        if schedule is not None:
            optimizer.lr = schedule(k)
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            outputs = [model(xs[i]) for i in batch]
            classes = [y[i] for i in batch]
            total = _loss_value(loss, outputs, classes)
            if l2:
                total = total + losses.l2_penalty(params, l2)
            if not math.isfinite(total.data):
                raise DivergenceError(_diverged("the loss", total.data, k, steps, optimizer.lr))
            optimizer.zero_grad()
            total.backward()
            grad_sum = sum(p.grad for p in params)
            if not math.isfinite(grad_sum):
                raise DivergenceError(_diverged("a gradient", grad_sum, k, steps, optimizer.lr))
            optimizer.step()
            acc = accuracy([decide(out, loss) for out in outputs], classes)
            loss_data = total.data
            del outputs, total  # free the graph while the collector is paused
        finally:
            if gc_was_enabled:
                gc.enable()
        history.loss.append(loss_data)
        history.accuracy.append(acc)
        history.lr.append(optimizer.lr)
        if bar is not None:
            bar.set_postfix(loss=f"{history.loss[-1]:.4f}", acc=f"{acc:.0%}", refresh=False)
            bar.update()
        if callback is not None:
            callback(k, history.loss[-1], acc)
    if bar is not None:
        bar.close()
    return history


def _diverged(what: str, x: float, k: int, steps: int, lr: float) -> str:
    return (f"{what} became {x} at step {k} of {steps} (learning rate {lr:g}); "
            "try a lower learning rate")


def _progress_bar(steps: int) -> Any:
    from tqdm import tqdm  # a dependency, imported when a bar is wanted

    return tqdm(total=steps, desc="training", unit="step", file=sys.stderr, dynamic_ncols=True)


def predict(model: Module, xs: Sequence[Sequence[float]], loss: str = "hinge") -> list[int]:
    """The class ``model`` predicts for each row of ``xs``, read as ``loss`` reads outputs.

    >>> from nn import MLP
    >>> predict(MLP(2, [1], seed=0), [[0.0, 0.0]])  # score 0 is not > 0
    [0]
    """
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; known: {', '.join(LOSSES)}")
    with no_grad():
        return [decide(model(x), loss) for x in xs]


def evaluate(model: Module, xs: Sequence[Sequence[float]], y: Sequence[int], loss: str = "hinge") -> float:
    """The accuracy of ``model`` on ``(xs, y)``: the fraction of rows whose predicted class
    (see ``predict``) equals the label, computed without recording a graph.

    >>> from nn import MLP
    >>> evaluate(MLP(2, [1], seed=0), [[0.0, 0.0], [1.0, 1.0]], [0, 0])  # it predicts [0, 1]
    0.5
    """
    return accuracy(predict(model, xs, loss), y)
