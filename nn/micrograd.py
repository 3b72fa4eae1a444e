"""micrograd's ``nn``, for porting its code by changing imports only.

``from micrograd.nn import Neuron, Layer, MLP`` becomes ``from nn.micrograd import Neuron,
Layer, MLP``: the same classes as ``nn``'s, whose weights default to micrograd's initialization
(``init="micrograd"``: ``uniform(-1, 1)`` from Python's global ``random``, biases 0, in
micrograd's order). After the same ``random.seed(1337)`` as micrograd's demo, a model has
micrograd's very weights, and the demo's loop gives micrograd's loss curve.

>>> import random
>>> random.seed(1337)
>>> model = MLP(2, [16, 16, 1])
>>> random.seed(1337)
>>> model.layers[0].neurons[0].w[0].data == random.uniform(-1, 1)
True
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from . import modules

__all__ = ["MLP", "Layer", "Neuron"]


class Neuron(modules.Neuron):
    """``nn.Neuron`` with micrograd's initialization by default."""

    def __init__(self, nin: int, activation: str | None = "relu", *, seed: int | random.Random | None = None,
                 nonlin: bool | None = None, init: str = "micrograd") -> None:
        super().__init__(nin, activation, seed=seed, nonlin=nonlin, init=init)


class Layer(modules.Layer):
    """``nn.Layer`` with micrograd's initialization by default."""

    def __init__(self, nin: int, nout: int, activation: str | None = "relu", *,
                 seed: int | random.Random | None = None, nonlin: bool | None = None,
                 init: str = "micrograd") -> None:
        super().__init__(nin, nout, activation, seed=seed, nonlin=nonlin, init=init)


class MLP(modules.MLP):
    """``nn.MLP`` with micrograd's initialization by default."""

    def __init__(self, nin: int, nouts: Sequence[int], activation: str = "relu",
                 output_activation: str | None = None, *, seed: int | random.Random | None = None,
                 init: str = "micrograd") -> None:
        super().__init__(nin, nouts, activation, output_activation, seed=seed, init=init)
