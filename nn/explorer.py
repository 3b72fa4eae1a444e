"""The training view of ``out/explorer.html``: what ``python -m nn`` learned, step by step.

``Recorder`` is a ``fit`` callback: it keeps the loss and accuracy of every step, and every
``every`` steps (and after the last) the weights and their gradients. ``write_explorer`` then
writes one page: the loss and accuracy curves, a step slider that shows the decision boundary
and the network (edges coloured by the sign of the weight, as wide as its magnitude, or the
same for the gradients) at each recorded step, and one sample's graph to step through with
``autograd_mini.explore``'s explorer. The boundary is computed in the page from the recorded
weights (the model is small), so the file holds numbers, not pictures: under 1 MB of them at
the defaults.

>>> from nn import MLP, fit, make_moons
>>> xs, y = make_moons(20, seed=0)
>>> model = MLP(2, [4, 1], seed=0)
>>> recorder = Recorder(model, steps=10, every=5)
>>> _ = fit(model, xs, y, steps=10, callback=recorder)
>>> [s["step"] for s in recorder.snapshots], len(recorder.loss)
([0, 5, 10], 10)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autograd_mini import Value
from autograd_mini._atomic import write_atomic
from autograd_mini.explorer import graph_data, page

from .modules import MLP
from .objectives import objective

__all__ = ["Recorder", "write_explorer"]

SCRIPT = Path(__file__).with_name("_explorer_training.js")
STYLE = """
.ag-trow { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
.ag-caption { font-size: 12px; color: #555; max-width: 430px; margin-top: 4px; }
.ag-curves text { font-size: 11px; }
.ag-boundary { border: 1px solid #ccc; }
.ag-slider { display: flex; gap: 8px; align-items: center; margin: 8px 0 4px; }
.ag-slider input { width: 420px; }
"""
#: Snapshots kept by default: steps // SNAPSHOTS apart (100 steps: every 5, 21 snapshots).
SNAPSHOTS = 20


def _round(x: float) -> float:
    """6 significant digits: the page draws, it does not retrain; a third of the file's bytes."""
    return float(f"{x:.6g}")


class Recorder:
    """A ``fit`` callback recording the curves every step and the network every ``every`` steps.

    ``snapshots[k]``: ``{"step": n, "w": ..., "g": ...}`` after ``n`` steps (0: before
    training, with no gradients), ``w`` and ``g`` holding per layer, per neuron, the weights
    then the bias (``g``: the gradients of that step's loss, which the step's update used)."""

    def __init__(self, model: MLP, steps: int, every: int | None = None) -> None:
        if not isinstance(model, MLP):
            raise TypeError(f"model must be an nn MLP, not {type(model).__name__}")
        self.model, self.steps = model, steps
        self.every = every if every is not None else max(1, steps // SNAPSHOTS)
        if self.every < 1:
            raise ValueError(f"every must be at least 1, got {self.every}")
        self.loss: list[float] = []
        self.accuracy: list[float] = []
        self.snapshots: list[dict[str, Any]] = [self._snapshot(0, grads=False)]

    def __call__(self, step: int, loss: float, accuracy: float) -> None:
        self.loss.append(_round(loss))
        self.accuracy.append(_round(accuracy))
        if (step + 1) % self.every == 0 or step + 1 == self.steps:
            self.snapshots.append(self._snapshot(step + 1))

    def _snapshot(self, step: int, grads: bool = True) -> dict[str, Any]:
        def numbers(read: Any) -> list[list[list[float]]]:
            return [[[_round(read(p)) for p in [*n.w, n.b]] for n in layer.neurons]
                    for layer in self.model.layers]

        snapshot: dict[str, Any] = {"step": step, "w": numbers(lambda p: p.data)}
        if grads:
            snapshot["g"] = numbers(lambda p: p.grad if isinstance(p.grad, float) else 0.0)
        return snapshot


def training_data(recorder: Recorder, xs: Sequence[Sequence[float]], y: Sequence[int],
                  loss: str) -> dict[str, Any]:
    """What the training view shows, as JSON-ready data."""
    goal = objective(loss)
    model = recorder.model
    return {
        "loss": recorder.loss, "accuracy": recorder.accuracy, "steps": recorder.steps,
        "snapshots": recorder.snapshots,
        "activations": [layer.neurons[0].activation for layer in model.layers],
        "sizes": [len(model.layers[0].neurons[0].w), *(len(layer.neurons) for layer in model.layers)],
        "points": [[_round(float(a)) for a in row] for row in xs], "labels": [int(c) for c in y],
        "threshold": goal.threshold, "loss_name": goal.name}


def neuron_name(model: MLP, layer: int, j: int) -> str:
    """The name drawings give neuron ``j`` of layer ``layer`` (both from 0): ``L<layer>.<neuron>``
    counting from 1, or ``out`` (``out1``, ``out2``, ... for several) in the last layer.

    >>> model = MLP(2, [3, 1], seed=0)
    >>> neuron_name(model, 0, 2), neuron_name(model, 1, 0)
    ('L1.3', 'out')
    """
    neurons = len(model.layers[layer].neurons)
    if layer == len(model.layers) - 1:
        return "out" if neurons == 1 else f"out{j + 1}"
    return f"L{layer + 1}.{j + 1}"


def label_parameters(model: MLP) -> None:
    """Name each unlabelled weight and bias after its neuron (``L2.5.w3``, ``L2.5.b``), as
    ``nn.cli.neuron_graph`` names the neurons, so that the graph's equations can say whose."""
    for li, layer in enumerate(model.layers):
        for j, n in enumerate(layer.neurons):
            name = neuron_name(model, li, j)
            for k, w in enumerate(n.w):
                w.label = w.label or f"{name}.w{k + 1}"
            n.b.label = n.b.label or f"{name}.b"


def write_explorer(path: str | os.PathLike[str], recorder: Recorder, xs: Sequence[Sequence[float]],
                   y: Sequence[int], loss: str, root: Value, neurons: list[Value], *,
                   title: str = "What the network learned") -> Path:
    """Write the page (training view, then the graph of ``root``, one box per neuron in
    ``neurons``) to ``path`` atomically; return the path."""
    model = recorder.model
    label_parameters(model)
    graph, _ = graph_data(root, model.parameters(), neurons)
    text = page(title, {"training": training_data(recorder, xs, y, loss), "graph": graph},
                scripts=[SCRIPT.read_text(encoding="utf-8")], styles=[STYLE])
    target = Path(os.fspath(path))
    write_atomic(target, text.encode("utf-8"))
    return target
