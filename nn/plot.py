"""Decision-boundary plots of a 2-input MLP, with matplotlib (the ``plot`` extra).

matplotlib (and numpy, which it needs) is imported when a plot is drawn, so ``nn`` imports
without it. The grid behind the boundary is evaluated with numpy from the model's weights,
one matrix product per layer, instead of building a graph of Values for every grid point: a
200 x 200 grid would be 40,000 forward passes of the scalar engine. ``mlp_numpy`` is checked
against the model's own forward pass in the tests.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autograd_mini._atomic import write_atomic  # nn ships with autograd_mini

from .modules import MLP
from .objectives import objective

__all__ = ["decision_boundary", "mlp_numpy"]


def mlp_numpy(model: MLP, points: Any) -> Any:
    """The model's outputs (data only) for an (n, nin) array of points, as an (n, nout) array."""
    import numpy as np

    a = np.asarray(points, dtype=float)
    for layer in model.layers:
        weights = np.array([[w.data for w in n.w] for n in layer.neurons])
        b = np.array([n.b.data for n in layer.neurons])
        z = a @ weights.T + b
        name = layer.neurons[0].activation
        if name == "relu":
            a = np.maximum(z, 0.0)
        elif name == "tanh":
            a = np.tanh(z)
        elif name == "sigmoid":
            a = 0.5 * (1.0 + np.tanh(0.5 * z))  # σ(z), without overflow in exp(-z)
        else:
            a = z
    return a


def decision_boundary(model: MLP, xs: Sequence[Sequence[float]], y: Sequence[int], paths: Sequence[Any], *,
                      loss: str = "hinge", title: str = "", resolution: int = 200) -> list[Path]:
    """Draw the predicted class over the plane with the data on top; write each path atomically.

    Each path's suffix (``.png``, ``.svg``, ...) picks the format. Raises ImportError if
    matplotlib is not installed.
    """
    import matplotlib

    matplotlib.use("Agg")  # no display needed; must precede pyplot's import
    import matplotlib.pyplot as plt
    import numpy as np

    goal = objective(loss)
    goal.check_outputs(model.nout)
    pts = np.asarray(xs, dtype=float)
    labels = np.asarray(y)
    pad = 0.25 * (pts.max(axis=0) - pts.min(axis=0)) + 0.1
    lo, hi = pts.min(axis=0) - pad, pts.max(axis=0) + pad
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    out = mlp_numpy(model, np.c_[xx.ravel(), yy.ravel()])
    if out.shape[1] > 1:
        zz = out.argmax(axis=1)
    else:
        zz = (out[:, 0] > goal.threshold).astype(int)  # the objective's decision rule, vectorized
    k = int(max(labels.max(), zz.max())) + 1
    cmap = plt.get_cmap("coolwarm" if k == 2 else "viridis", k)
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.contourf(xx, yy, zz.reshape(xx.shape), levels=np.arange(k + 1) - 0.5, cmap=cmap, alpha=0.35)
    ax.scatter(pts[:, 0], pts[:, 1], c=labels, cmap=cmap, vmin=-0.5, vmax=k - 0.5, s=22,
               edgecolors="black", linewidths=0.5)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_title(title)
    ax.set_aspect("equal")
    fig.tight_layout()
    written = []
    try:
        for path in paths:
            target = Path(os.fspath(path))
            buffer = io.BytesIO()
            fmt = target.suffix.lstrip(".").lower()
            # no date in the metadata and a fixed hash salt: the same model gives the same SVG
            metadata = {"Date": None} if fmt == "svg" else None
            with matplotlib.rc_context({"svg.hashsalt": "autograd_mini"}):
                fig.savefig(buffer, format=fmt, dpi=120, metadata=metadata)
            write_atomic(target, buffer.getvalue())
            written.append(target)
    finally:
        plt.close(fig)
    return written
