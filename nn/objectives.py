"""Objectives: what a classifier is trained for, one row per loss, read by everyone.

A classifier's outputs mean different things under different losses: a ±1 score (hinge), a
logit (bce, cross_entropy), a value fitted to 0/1 (mse). So each loss comes with how a class
becomes a target, which output sizes it fits, and how an output becomes a class. ``fit``,
``predict``, the command line and the decision-boundary plot all read the row: adding a loss
is one row here, as adding an op is one row of the engine's table.

=================  ============================  ================  ================================
objective          targets from class c          outputs           predicted class
=================  ============================  ================  ================================
``hinge``          ``2c - 1`` (±1)               1 (2 classes)     1 if the score is > 0
``bce``            ``c`` (0/1), from a logit     1 (2 classes)     1 if the logit is > 0
``mse``            ``c``; one-hot if k > 1       1, or k classes   1 if > 0.5; argmax if k > 1
``cross_entropy``  ``c``, from k logits          k >= 2 classes    argmax
=================  ============================  ================  ================================

A model with one output has two classes, 0 and 1; a model with k >= 2 outputs has k classes.
``binary_cross_entropy`` is another name for ``bce``.

Beside the table, ``DEFAULTS``: the learning rates (and SGD momentum) that ``python -m nn`` and
``fit`` use when none is given, by objective and, where one dataset needs its own, by dataset.
Each was measured to reach at least 90% train accuracy in 100 steps (seeds 0, 1, 2) with
``python -m nn``'s model; ``tests/nn/test_cli_matrix.py`` checks every combination.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from autograd_mini import Value

from . import losses

__all__ = ["DEFAULTS", "LOSSES", "OBJECTIVES", "Defaults", "Objective", "defaults", "objective"]


def _mse(outputs: list[Any], classes: list[int]) -> Value:
    if isinstance(outputs[0], list):  # k outputs: one-hot targets
        k = len(outputs[0])
        flat = [o for out in outputs for o in out]
        return losses.mse(flat, [float(i == c) for c in classes for i in range(k)])
    return losses.mse(outputs, [float(c) for c in classes])


@dataclass(frozen=True)
class Objective:
    """One loss with everything needed to train and read a classifier with it."""

    name: str
    #: the batch's loss from the model's outputs (a Value, or a list of k Values, per example)
    #: and the examples' classes
    loss: Callable[[list[Any], list[int]], Value]
    #: it fits a model with one output (two classes, 0 and 1)
    one_output: bool
    #: it fits a model with k >= 2 outputs, one per class
    many_outputs: bool
    #: with one output, class 1 is predicted when the output is > threshold
    threshold: float = 0.0
    #: how a class c becomes the target, for help texts
    targets: str = ""
    aliases: tuple[str, ...] = ()
    #: output activations that make no sense with this loss, each with the reason
    refuses: tuple[tuple[str, str], ...] = ()

    def check_activation(self, activation: str | None) -> None:
        """ValueError if the model's output ``activation`` is one this loss refuses.

        >>> objective("bce").check_activation("sigmoid")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ValueError: loss bce with output activation 'sigmoid': bce takes logits ... applies it twice: ...
        """
        reason = dict(self.refuses).get(activation or "linear")
        if reason is not None:
            raise ValueError(f"loss {self.name} with output activation {activation!r}: {reason}; "
                             "use output_activation=None (linear outputs)")

    def fits(self, nout: int) -> bool:
        """Whether a model with ``nout`` outputs can be trained with this objective."""
        return self.many_outputs if nout > 1 else self.one_output

    def check_outputs(self, nout: int) -> None:
        """ValueError unless a model of ``nout`` outputs fits (see the table above).

        >>> objective("hinge").check_outputs(3)
        Traceback (most recent call last):
        ValueError: hinge needs one output (2 classes), the model has 3: use mse or cross_entropy
        """
        if self.fits(nout):
            return
        others = " or ".join(o.name for o in OBJECTIVES if o.fits(nout))
        if self.one_output:
            raise ValueError(f"{self.name} needs one output (2 classes), the model has {nout}: use {others}")
        raise ValueError(f"{self.name} needs one output per class (at least 2), the model has {nout}: "
                         f"use {others}, or give the model one output per class")

    def outputs_for(self, classes: int) -> int:
        """How many outputs a model needs to tell ``classes`` classes apart with this objective.

        >>> objective("hinge").outputs_for(2), objective("cross_entropy").outputs_for(2)
        (1, 2)
        """
        nout = 1 if classes == 2 and self.one_output else classes
        if not self.fits(nout):
            raise ValueError(f"{self.name} is for 2 classes, but there are {classes}; use "
                             f"{' or '.join(o.name for o in OBJECTIVES if o.fits(nout))}")
        return nout

    def decide(self, output: Any) -> int:
        """The class predicted from one example's output (a Value, or a list of k Values).

        >>> objective("hinge").decide(Value(0.3)), objective("mse").decide(Value(0.3))
        (1, 0)
        >>> objective("cross_entropy").decide([Value(1.0), Value(2.0)])
        1
        """
        if isinstance(output, list):
            return max(range(len(output)), key=lambda i: output[i].data)
        return int(output.data > self.threshold)

    def labels(self, y: Sequence[Any], nout: int) -> list[int]:
        """``y`` as a list of ints, each a class of a model with ``nout`` outputs; a ValueError
        names the first label that is not (numpy ints and arrays are welcome).

        >>> objective("mse").labels([0, 1, 5], 2)
        Traceback (most recent call last):
        ValueError: label 5 (row 2) is not a class of this model: a model with 2 outputs has classes 0 to 1
        """
        self.check_outputs(nout)
        classes = 2 if nout == 1 else nout
        labels = []
        for i, c in enumerate(y):
            if isinstance(c, bool) or not isinstance(c, numbers.Integral):
                raise TypeError(f"labels must be ints (class indices), not {type(c).__name__} (row {i})")
            if not 0 <= int(c) < classes:
                raise ValueError(f"label {c} (row {i}) is not a class of this model: a model with "
                                 f"{nout} output{'s' if nout > 1 else ''} has classes 0 to {classes - 1}")
            labels.append(int(c))
        return labels


_ALL_ONE = "a sigmoid's outputs are all above 0, so every example would be class 1"
OBJECTIVES: tuple[Objective, ...] = (
    Objective("hinge", lambda outputs, classes: losses.hinge(outputs, [2 * c - 1 for c in classes]),
              one_output=True, many_outputs=False, targets="2c - 1 (±1)",
              refuses=(("sigmoid", _ALL_ONE),)),
    Objective("bce", losses.binary_cross_entropy, one_output=True, many_outputs=False,
              targets="c (0/1), from a logit", aliases=("binary_cross_entropy",),
              refuses=(("sigmoid", "bce takes logits and applies the sigmoid itself, so a sigmoid "
                                   f"output applies it twice: {_ALL_ONE}"),
                       ("tanh", "bce takes logits: a tanh output keeps every probability in 0.27-0.73"))),
    Objective("mse", _mse, one_output=True, many_outputs=True, threshold=0.5,
              targets="c (0/1); one-hot if k > 1"),
    Objective("cross_entropy", losses.cross_entropy, one_output=False, many_outputs=True,
              targets="c, from k logits",
              refuses=tuple((a, f"cross_entropy takes logits: a {a} output bounds them, so no class's "
                                "probability can approach 1") for a in ("sigmoid", "tanh"))),
)

#: The objectives' names, as ``fit(loss=...)`` and ``--loss`` take them.
LOSSES: tuple[str, ...] = tuple(o.name for o in OBJECTIVES)
_BY_NAME = {name: o for o in OBJECTIVES for name in (o.name, *o.aliases)}


def objective(name: Any) -> Objective:
    """The objective called ``name`` (or one of its aliases).

    >>> objective("binary_cross_entropy").name
    'bce'
    >>> objective("xent")
    Traceback (most recent call last):
    ValueError: unknown loss 'xent'; known: hinge, bce (binary_cross_entropy), mse, cross_entropy
    """
    if isinstance(name, Objective):
        return name
    if not isinstance(name, str):
        raise TypeError(f"loss must be a str, not {type(name).__name__}")
    found = _BY_NAME.get(name)
    if found is None:
        known = ", ".join(o.name + (f" ({', '.join(o.aliases)})" if o.aliases else "") for o in OBJECTIVES)
        raise ValueError(f"unknown loss {name[:100]!r}; known: {known}")
    return found


@dataclass(frozen=True)
class Defaults:
    """The learning rates a run uses when none is given (with a linear decay to a tenth of it)."""

    sgd_lr: float
    momentum: float = 0.0  # SGD's
    adam_lr: float = 0.05


#: ``(objective, dataset)`` -> Defaults; the dataset None is every dataset without its own row.
#: Why each row (train accuracy in 100 steps of python -m nn's 2-16-16-k ReLU MLP):
DEFAULTS: dict[tuple[str, str | None], Defaults] = {
    ("hinge", None): Defaults(1.0),  # micrograd's demo
    ("hinge", "xor"): Defaults(0.5),  # 4 points: lr 1.0 overshoots (75% at seeds 0 and 1)
    ("bce", None): Defaults(1.0),
    # a squared error's gradient grows with the error: lr 1.0 diverges (moons: inf at step 8),
    # lr 0.1 without momentum stalls at 87% on moons; with momentum 0.9, 97-100% (seeds 0-7)
    ("mse", None): Defaults(0.1, momentum=0.9),
    ("mse", "spirals"): Defaults(0.2, momentum=0.9),  # k one-hot terms per example: 0.1 is 87%
    ("cross_entropy", None): Defaults(1.0),
    ("cross_entropy", "xor"): Defaults(0.5),  # as hinge
}


def defaults(loss: Any, dataset: str | None = None) -> Defaults:
    """The defaults for ``loss`` (a name or an Objective) on ``dataset`` (see ``DEFAULTS``).

    >>> defaults("mse"), defaults("hinge", "xor").sgd_lr
    (Defaults(sgd_lr=0.1, momentum=0.9, adam_lr=0.05), 0.5)
    """
    name = objective(loss).name
    return DEFAULTS.get((name, dataset)) or DEFAULTS[name, None]
