"""``fit``: a small trainer for classifiers, micrograd's training loop with the chores done.

Each step: pick the batch (all examples, or ``batch_size`` of them drawn at random), set the
learning rate from the schedule, forward, loss (plus an optional L2 penalty), check that the
loss is finite, ``zero_grad``, ``backward``, ``step``, check that the parameters are finite.
The cyclic garbage collector is paused during a step: the step's tens of thousands of nodes
hold no reference cycles, so reference counting frees them, and collections triggered by their
allocation only cost time (1.3-1.8x).

The loss names which targets the classes become, which output sizes it fits and how an output
becomes a class: see ``nn.objectives``, whose table ``fit``, ``predict`` and ``evaluate`` read.
Inputs are checked before training (finite numbers, one row per label, labels that are classes
of the model), so a bad data set fails at once with the row it is in, not as a nan mid-run.
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
from autograd_mini import compile as trace_and_compile

from . import losses
from .data import accuracy
from .modules import Module, output_activation
from .objectives import LOSSES, Objective, defaults, objective
from .optim import SGD, LinearDecay, Optimizer

__all__ = ["LOSSES", "DivergenceError", "History", "evaluate", "fit", "predict"]


#: The loss has blown up when it exceeds this many times its reference (see ``_blown_up``).
BLOW_UP = 1e3


class DivergenceError(FloatingPointError):
    """The loss, a gradient or a parameter became nan or inf during training, or the loss blew
    up: more than ``BLOW_UP`` times where it started (see ``_blown_up``)."""


@dataclass
class History:
    """What ``fit`` saw at each step: the loss (with any L2 term), the batch accuracy, the lr."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)


def _check_int(name: str, n: Any, least: float, most: float = math.inf) -> None:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):  # numpy ints are welcome
        raise TypeError(f"{name} must be an int, not {type(n).__name__}")
    if not least <= int(n) <= most:
        raise ValueError(f"{name} must be an int from {least}{f' to {most}' if most < math.inf else ' up'}"
                         f", got {n}")


def _check_model(model: Any) -> Module:
    if not isinstance(model, Module):
        raise TypeError(f"model must be an nn Module, not {type(model).__name__}")
    return model


def _check_rows(xs: Any) -> float:
    """Check that every input is a finite real number; return the largest magnitude among them."""
    largest = 0.0
    for i, row in enumerate(xs):
        if isinstance(row, (str, bytes, dict)) or not hasattr(row, "__iter__"):
            raise TypeError(f"xs[{i}] must be a sequence of numbers, not {type(row).__name__}")
        for j, x in enumerate(row):
            number = x.data if isinstance(x, Value) else x
            if isinstance(number, bool) or not isinstance(number, numbers.Real):
                raise TypeError(f"xs[{i}][{j}] must be a number, not {type(x).__name__}")
            if not math.isfinite(number):
                raise ValueError(f"xs[{i}][{j}] is {float(number)}: inputs must be finite numbers")
            largest = max(largest, abs(float(number)))
    return largest


def _check_data(model: Module, xs: Any, y: Any, goal: Objective) -> tuple[list[int], float]:
    """The labels as ints, and the inputs' largest magnitude; errors name the bad row."""
    if not hasattr(xs, "__len__") or not hasattr(y, "__len__"):
        raise TypeError(f"xs and y must be sequences (lists, numpy arrays), not {type(xs).__name__} "
                        f"and {type(y).__name__}")
    if len(xs) != len(y):
        raise ValueError(f"xs has {len(xs)} rows but y has {len(y)}")
    if len(y) == 0:
        raise ValueError("the training set is empty")
    labels = goal.labels(y, model.nout)
    goal.check_activation(output_activation(model))  # e.g. a sigmoid before bce, which applies its own
    return labels, _check_rows(xs)


def fit(model: Module, xs: Sequence[Sequence[float]], y: Sequence[int], *, loss: str = "hinge",
        optimizer: Optimizer | None = None, schedule: Callable[[int], float] | None = None,
        steps: int = 100, batch_size: int | None = None, l2: float = 0.0, seed: int = 0,
        progress: bool | None = None, callback: Callable[[int, float, float], None] | None = None,
        compile: bool | str = False) -> History:  # noqa: A002 - the name users expect (torch.compile)
    """Train ``model`` on ``(xs, y)`` (class indices) for ``steps`` steps; return the History.

    - ``loss``: a name from ``nn.objectives`` (``hinge``, ``bce``, ``mse``, ``cross_entropy``);
      it must fit the model's number of outputs, and every label must be one of its classes.
    - ``optimizer``: default SGD with the loss's learning rate and momentum from
      ``nn.objectives.DEFAULTS`` and, if ``schedule`` is None too, a ``LinearDecay`` from it to a
      tenth of it (hinge: lr 1.0 to 0.1, micrograd's demo). ``schedule(k)`` sets ``lr``; it must
      return a finite number of at least 0.
    - ``batch_size``: None for the full batch, else that many examples drawn each step.
    - ``l2``: the weight of ``losses.l2_penalty`` added to the loss.
    - ``progress``: a tqdm bar on stderr; None shows it only if stderr is a terminal.
    - ``callback(step, loss, accuracy)`` runs after each step.
    - ``compile``: True (or a backend name, ``"numpy"`` or ``"python"``) traces the batch's loss
      once with ``autograd_mini.compile`` and replays it at each step with the current
      parameters, instead of building the graph anew; the results are the same (see
      ``_CompiledLoss``).

    Raises ``DivergenceError`` naming the step and the likely cause if the loss, a gradient or,
    after an update, a parameter becomes nan or inf, or if the loss blows up while still finite
    (more than ``BLOW_UP`` = 1000 times its start: see ``_blown_up``).

    >>> from nn import MLP, make_xor
    >>> xs, y = make_xor()
    >>> model = MLP(2, [4, 1], activation="tanh", seed=0)
    >>> history = fit(model, xs, y, loss="mse", optimizer=SGD(model.parameters(), lr=0.5), steps=200)
    >>> history.accuracy[-1], evaluate(model, xs, y, loss="mse")
    (1.0, 1.0)
    """
    goal = objective(loss)
    labels, scale = _check_data(_check_model(model), xs, y, goal)
    _check_int("steps", steps, 1)
    _check_int("seed", seed, -math.inf)
    if batch_size is not None:
        _check_int("batch_size", batch_size, 1, len(labels))
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
        chosen = defaults(goal)
        optimizer = SGD(params, lr=chosen.sgd_lr, momentum=chosen.momentum)
        schedule = schedule or LinearDecay(chosen.sgd_lr, chosen.sgd_lr / 10, steps)
    rng = random.Random(seed)
    history = History()
    if progress is None:
        progress = sys.stderr.isatty()
    bar = _progress_bar(steps) if progress else None
    everything = range(len(labels))
    compiled = _CompiledLoss(model, goal, l2, params, compile) if compile else None
    try:
        for k in range(steps):
            batch = everything if batch_size is None else rng.sample(everything, batch_size)
            if schedule is not None:
                optimizer.lr = schedule(k)
            _check_lr(optimizer.lr, k, schedule is not None)
            diverged = _Diverged(k, steps, optimizer.lr, scale, l2, params)
            gc_was_enabled = gc.isenabled()
            gc.disable()
            try:
                classes = [labels[i] for i in batch]
                if compiled is not None:
                    total, outputs = compiled([xs[i] for i in batch], classes)
                else:
                    outputs = [model(xs[i]) for i in batch]
                    total = goal.loss(outputs, classes)
                    if l2:
                        total = total + losses.l2_penalty(params, l2)
                if not math.isfinite(total.data):
                    raise DivergenceError(diverged("the loss", total.data))
                if history.loss and _blown_up(total.data, history.loss[0]):
                    raise DivergenceError(diverged(f"the loss, {history.loss[0]:.4g} at step 0,", total.data,
                                                   note=f", over {BLOW_UP:g} times where it started"))
                if compiled is not None:
                    compiled.set_grads()
                else:
                    optimizer.zero_grad()
                    total.backward()
                grad_sum = sum(p.grad for p in params)
                if not math.isfinite(grad_sum):
                    raise DivergenceError(diverged("a gradient", grad_sum))
                optimizer.step()
                data_sum = sum(p.data for p in params)
                if not math.isfinite(data_sum):
                    raise DivergenceError(diverged("a parameter", data_sum, after_update=True))
                acc = accuracy([goal.decide(out) for out in outputs], classes)
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
    finally:
        if bar is not None:
            bar.close()
    return history


class _CompiledLoss:
    """``fit(compile=True)``: the loss of a batch, traced once and replayed at every step.

    The loss is traced as a function of the parameters (the model's own Values) and of the
    batch's inputs, flattened; the classes are constants of the graph, so a batch of another
    size or with its classes in another order is traced anew (the last 32 traces are kept: the
    full batch, the default, is traced once). The losses' own branches on data (a stable
    softplus picks its formula by the sign of the logit; log-softmax subtracts the largest
    logit) are guards and constants read from data (see ``autograd_mini.tracing``): when a
    branch flips the batch is traced again, so every step computes what ``compile=False``
    computes (bit for bit with ``"python"``; with numpy, whose ``exp`` and ``log`` may differ
    from the C library's in the last bit, to about 1e-15).
    """

    def __init__(self, model: Module, goal: Objective, l2: float, params: list[Value],
                 backend: bool | str) -> None:
        self.model, self.goal, self.l2, self.params = model, goal, l2, params
        self.backend = "auto" if backend is True else str(backend)
        if self.backend not in ("auto", "numpy", "python"):
            raise ValueError(f"compile must be True, False, 'numpy' or 'python', got {backend!r}")
        self.traces: dict[Any, Any] = {}
        self.grads: list[float] = []

    def __call__(self, rows: list[Any], classes: list[int]) -> tuple[Value, list[Any]]:
        """The loss (as a leaf) and the outputs (as leaves) at the current parameters."""
        flat = [x.data if isinstance(x, Value) else float(x) for row in rows for x in row]
        key = (len(rows), len(flat), tuple(classes))
        cf = self.traces.pop(key, None)
        if cf is None:
            cf = trace_and_compile(self._loss(len(rows), len(flat) // len(rows), classes), self.params,
                                   flat, backend=self.backend, has_aux=True)
        self.traces[key] = cf  # most recent last
        if len(self.traces) > 32:
            del self.traces[next(iter(self.traces))]
        (loss, outputs), self.grads = cf.value_and_grad([p.data for p in self.params], flat)
        return Value(loss), [[Value(z) for z in o] if isinstance(o, list) else Value(o) for o in outputs]

    def _loss(self, n: int, nin: int, classes: list[int]) -> Callable[..., Any]:
        def loss(params: list[Value], xs: list[Value]) -> tuple[Value, list[Any]]:
            outputs = [self.model(xs[i * nin:(i + 1) * nin]) for i in range(n)]
            total = self.goal.loss(outputs, list(classes))
            if self.l2:
                total = total + losses.l2_penalty(params, self.l2)
            return total, outputs
        return loss

    def set_grads(self) -> None:
        """Each parameter's gradient, as ``zero_grad()`` and ``backward()`` would leave it."""
        for p, g in zip(self.params, self.grads, strict=True):
            p.grad = g


def _blown_up(loss: float, start: float) -> bool:
    """Whether a finite ``loss`` has diverged: ``loss > BLOW_UP * max(start, 1)``.

    ``start`` is the first step's loss. An overshooting step makes the loss jump by a few times,
    and training can recover from that; 1000 times is outputs hundreds of units on the wrong
    side (hinge, bce and cross-entropy grow linearly in the score, mse as its square: ~30x the
    error), which the linear decay of the learning rate only freezes in place (an mse run at
    lr 1.0 on xor ended at 1.8e13 with 50% accuracy before this check). In the healthy runs of
    ``python -m nn`` at its defaults (every dataset, loss and optimizer, seeds 0-2) the loss rose
    at most to 2.8 times its start (mse with adam on moons). The floor of 1:
    every objective's loss at an uninformed output (score 0, equal logits, 0.5) is about 1
    (hinge 1, bce log 2, cross-entropy log k, mse 0.25-0.5), so a model that starts almost
    perfect (resumed training) may wander up to that without being called diverged.

    >>> _blown_up(5e3, 0.7), _blown_up(999.0, 0.7), _blown_up(0.5, 1e-6)
    (True, False, False)
    """
    return loss > BLOW_UP * max(start, 1.0)


def _check_lr(lr: Any, k: int, scheduled: bool) -> None:
    source = f"schedule({k}) returned" if scheduled else "the optimizer's lr is"
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise TypeError(f"{source} a {type(lr).__name__}; a learning rate must be a number")
    if not 0.0 <= float(lr) < math.inf:
        raise ValueError(f"{source} {lr}; a learning rate must be a finite number of at least 0")


@dataclass
class _Diverged:
    """The message of a DivergenceError at step ``k``, with the likely cause."""

    k: int
    steps: int
    lr: float
    scale: float  # the inputs' largest magnitude
    l2: float
    params: list[Value]

    def __call__(self, what: str, x: float, after_update: bool = False, note: str = "") -> str:
        when = "after the update of" if after_update else "at"
        return (f"{what} became {x:.6g} {when} step {self.k} of {self.steps} (learning rate {self.lr:g})"
                f"{note}: {self.cause(after_update)}")

    def cause(self, after_update: bool) -> str:
        before_any_update = self.k == 0 and not after_update
        if self.l2 and before_any_update:  # the initial weights are sane: is it the penalty itself?
            weights = [p.data for p in self.params]
            penalty = self.l2 * math.fsum(w * w for w in weights)
            steepest = 2.0 * self.l2 * max(abs(w) for w in weights)
            if not (math.isfinite(penalty) and math.isfinite(steepest)):
                return f"the L2 weight {self.l2:g} is too large; use a smaller l2"
        if self.l2 >= 1.0 and self.l2 * self.lr > 1.0:
            # SGD scales a weight by about 1 - 2 lr l2 per update: past 1 it overshoots. (A tiny
            # l2 with a huge learning rate does too, but then the learning rate is the thing to fix.)
            return (f"the L2 weight {self.l2:g} times the learning rate is above 1, so each update "
                    "overshoots; use a smaller l2 or learning rate")
        if self.scale > 1e4:
            return (f"the inputs are as large as {self.scale:g}; scale them to about -1..1 "
                    "(or lower the learning rate)")
        if before_any_update:
            return "this is before any update, so not the learning rate: the model's outputs overflow"
        return "try a lower learning rate"


def _progress_bar(steps: int) -> Any:
    from tqdm import tqdm  # a dependency, imported when a bar is wanted

    return tqdm(total=steps, desc="training", unit="step", file=sys.stderr, dynamic_ncols=True)


def predict(model: Module, xs: Sequence[Sequence[float]], loss: str = "hinge") -> list[int]:
    """The class ``model`` predicts for each row of ``xs``, read as ``loss`` reads outputs.

    >>> from nn import MLP
    >>> predict(MLP(2, [1], seed=0), [[0.0, 0.0]])  # score 0 is not > 0
    [0]
    """
    goal = objective(loss)
    goal.check_outputs(_check_model(model).nout)
    with no_grad():
        return [goal.decide(model(x)) for x in xs]


def evaluate(model: Module, xs: Sequence[Sequence[float]], y: Sequence[int], loss: str = "hinge") -> float:
    """The accuracy of ``model`` on ``(xs, y)``: the fraction of rows whose predicted class
    (see ``predict``) equals the label, computed without recording a graph.

    >>> from nn import MLP
    >>> evaluate(MLP(2, [1], seed=0), [[0.0, 0.0], [1.0, 1.0]], [0, 0])  # it predicts [0, 1]
    0.5
    """
    return accuracy(predict(model, xs, loss), y)
