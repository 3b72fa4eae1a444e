"""Modules: ``Neuron``, ``Layer`` and ``MLP``, built from Values, with micrograd's names.

A neuron computes ``act(w · x + b)``; its weighted sum is one n-ary ``sum`` node (not a chain
of ``+``), so a neuron of n inputs adds n products, one sum and one activation to the graph.
A layer is a list of neurons fed the same input; an MLP is a list of layers. micrograd's code
ports by changing its imports: the attributes are ``w``, ``b``, ``neurons`` and ``layers``, a
layer of one output returns the bare Value, and ``parameters()`` lists each neuron's weights
then its bias, layer by layer.

Initialization (seed it with ``seed=`` an int or a ``random.Random``; with no seed the weights
are drawn from Python's global ``random``, as micrograd's are, so ``random.seed(1337)`` makes
them repeatable): biases start at 0 and, with ``init="fan_in"`` (the default), each weight is
drawn uniformly from ``[-bound, bound]`` with ``bound = gain * sqrt(3 / nin)``, so a weight's
variance is ``gain**2 / nin`` and a layer's output keeps its input's scale whatever the
fan-in. ``gain`` is ``sqrt(2)`` before a ReLU (He et al., 2015), since a ReLU zeroes half of
its inputs, and 1 otherwise (LeCun). ``init="micrograd"`` draws every weight from
``uniform(-1, 1)`` in micrograd's order, so that after the same ``random.seed`` a model has
micrograd's very weights.
"""

from __future__ import annotations

import math
import operator
import random
from collections.abc import Mapping, Sequence, Set
from typing import Any, Protocol

from autograd_mini import Value
from autograd_mini import sum as vsum

from . import serialize
from .state import check_keys, check_list, check_number, check_numbers, json_type, show

__all__ = ["ACTIVATIONS", "MLP", "Layer", "Module", "Neuron", "output_activation"]

ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
INITS = ("fan_in", "micrograd")
_GAIN = {"relu": math.sqrt(2.0), "tanh": 1.0, "sigmoid": 1.0, "linear": 1.0}
Input = Sequence[Value | float]


def _check_activation(name: Any) -> str:
    if name is None:
        return "linear"
    if not isinstance(name, str):
        raise TypeError(f"activation must be a str or None, not {type(name).__name__}")
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name[:100]!r}; known: {', '.join(ACTIVATIONS)}")
    return str(name)


def _check_size(name: str, n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{name} must be an int, not {type(n).__name__}")
    if n < 1:
        raise ValueError(f"{name} must be at least 1, got {n}")
    return n


class _Uniform(Protocol):
    def uniform(self, a: float, b: float) -> float: ...


def _rng(seed: int | random.Random | None) -> _Uniform:
    if seed is None or seed is random:
        return random  # the global generator: random.seed() makes the weights repeatable
    if isinstance(seed, random.Random):
        return seed
    if isinstance(seed, int) and not isinstance(seed, bool):
        return random.Random(seed)
    raise TypeError(f"seed must be an int, a random.Random or None, not {type(seed).__name__}")


def _check_init(init: Any) -> str:
    if not isinstance(init, str):
        raise TypeError(f"init must be a str, not {type(init).__name__}")
    if init not in INITS:
        raise ValueError(f"unknown init {init[:100]!r}; known: {', '.join(INITS)}")
    return init


def _check_input(x: Any, nin: int, who: str) -> None:
    # A dict or set has a len() and would feed its keys to the weights: refuse it by name.
    if isinstance(x, (Mapping, Set, str, bytes)) or not hasattr(x, "__len__"):
        raise TypeError(f"{who} takes a sequence of {nin} numbers or Values, not {type(x).__name__}")
    if len(x) != nin:
        raise ValueError(f"{who} expects {nin} inputs, got {len(x)}")


def _declared(sizes: list[Any]) -> list[int]:
    for n in sizes:
        if type(n) is not int or n < 1:
            raise ValueError(f"layer sizes must be ints of at least 1, got {show(n, 200)}")
    return sizes


class Module:
    """The base of every model: parameters, gradients, and saving and loading them.

    A subclass defines ``parameters()``, ``config()`` (the arguments that rebuild it) and
    ``state_dict()`` / ``load_state_dict()``; ``save`` and ``load`` write and read JSON.
    """


    def __call__(self, x: Input) -> Any:
        """The module's output(s) for one input vector ``x``."""
        raise NotImplementedError(f"{type(self).__name__} does not define __call__()")

    def parameters(self) -> list[Value]:
        """Every trainable Value, in a fixed order."""
        return []

    @property
    def nout(self) -> int:
        """How many outputs a call returns (one is returned as a bare Value)."""
        raise NotImplementedError(f"{type(self).__name__} does not define nout")

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0, before the next ``backward()``."""
        for p in self.parameters():
            p.grad = 0.0

    def config(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this module's shape (not its numbers)."""
        raise NotImplementedError(f"{type(self).__name__} does not define config()")

    def state_dict(self) -> dict[str, Any]:
        """The parameters' values as nested lists of floats, JSON-ready."""
        raise NotImplementedError(f"{type(self).__name__} does not define state_dict()")

    def load_state_dict(self, state: Any, where: str = "state") -> None:
        """Set the parameters from ``state_dict()``'s shape; a ValueError names the entry that does
        not fit, and then no parameter has changed."""
        numbers = self.check_state(self.sizes(self.config()), state, where)
        for p, x in zip(self.parameters(), numbers, strict=True):
            p.data = x

    @classmethod
    def sizes(cls, config: dict[str, Any]) -> list[int]:
        """The layer sizes ``[nin, n1, ...]`` a ``config()`` of this class declares; a
        ValueError (TypeError for a wrong type) names what does not fit."""
        raise NotImplementedError(f"{cls.__name__} does not define sizes()")

    @classmethod
    def check_state(cls, shape: list[int], state: Any, where: str = "state") -> list[float]:
        """The numbers of a ``state_dict()`` of this class with layer sizes ``shape``, in
        ``parameters()`` order; a ValueError names the first entry that does not fit."""
        raise NotImplementedError(f"{cls.__name__} does not define check_state()")

    def save(self, path: Any, metadata: dict[str, Any] | None = None) -> None:
        """Write the module to ``path`` as JSON, atomically (see ``nn.serialize``)."""
        serialize.save(self, path, metadata)

    @classmethod
    def load(cls, path: Any) -> Any:
        """Read a module written by ``save``; ValueError says what is wrong with a bad file."""
        model = serialize.load(path)
        if not isinstance(model, cls):
            raise ValueError(f"{path} holds a model of type {type(model).__name__}, not {cls.__name__}")
        return model


@serialize.register
class Neuron(Module):
    """``act(sum_i w_i * x_i + b)`` for one input vector ``x``.

    >>> n = Neuron(2, activation="linear", seed=0)
    >>> n.w[0].data, n.w[1].data = 2.0, -1.0
    >>> n([3.0, 1.0]).data  # 2*3 - 1*1 + 0
    5.0

    ``nonlin=`` is accepted as in micrograd: True means relu, False linear.
    """


    def __init__(self, nin: int, activation: str | None = "relu", *, seed: int | random.Random | None = None,
                 nonlin: bool | None = None, init: str = "fan_in") -> None:
        _check_size("nin", nin)
        if nonlin is not None:
            activation = "relu" if nonlin else "linear"
        self.activation = _check_activation(activation)
        rng = _rng(seed)
        bound = 1.0 if _check_init(init) == "micrograd" else _GAIN[self.activation] * math.sqrt(3.0 / nin)
        self.w = [Value(rng.uniform(-bound, bound)) for _ in range(nin)]
        self.b = Value(0.0)

    def __call__(self, x: Input) -> Value:
        _check_input(x, len(self.w), "Neuron")
        return self._forward(x)

    def _forward(self, x: Input) -> Value:
        act = vsum((*map(operator.mul, self.w, x), self.b))
        name = self.activation
        if name == "relu":
            return act.relu()
        if name == "linear":
            return act
        return act.tanh() if name == "tanh" else act.sigmoid()

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    @property
    def nout(self) -> int:
        return 1

    def config(self) -> dict[str, Any]:
        return {"nin": len(self.w), "activation": self.activation}

    @classmethod
    def sizes(cls, config: dict[str, Any]) -> list[int]:
        return _declared([config.get("nin"), 1])

    @classmethod
    def check_state(cls, shape: list[int], state: Any, where: str = "state") -> list[float]:
        """
        >>> Neuron.check_state([2, 1], {"w": [0.5, -1], "b": 0})
        [0.5, -1.0, 0.0]
        >>> Neuron.check_state([2, 1], {"w": [0.5, -1, 3.0], "b": 0})
        Traceback (most recent call last):
        ValueError: state.w has 3 numbers, expected 2 (wrong layer size)
        """
        state = check_keys(state, ("w", "b"), where)
        return [*check_numbers(state["w"], shape[0], f"{where}.w"), check_number(state["b"], f"{where}.b")]

    def state_dict(self) -> dict[str, Any]:
        return {"w": [p.data for p in self.w], "b": self.b.data}

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, activation={self.activation!r})"


@serialize.register
class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs; one output is returned bare.

    >>> layer = Layer(3, 2, seed=0)
    >>> len(layer([1.0, 2.0, 3.0])), len(layer.parameters())  # 2 outputs; 2 * (3 + 1) parameters
    (2, 8)
    """


    def __init__(self, nin: int, nout: int, activation: str | None = "relu", *,
                 seed: int | random.Random | None = None, nonlin: bool | None = None,
                 init: str = "fan_in") -> None:
        _check_size("nin", nin)
        _check_size("nout", nout)
        rng: Any = _rng(seed)
        self.neurons = [Neuron(nin, activation, seed=rng, nonlin=nonlin, init=init) for _ in range(nout)]

    def __call__(self, x: Input) -> Any:
        _check_input(x, len(self.neurons[0].w), "Layer")
        out = [n._forward(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    @property
    def nout(self) -> int:
        return len(self.neurons)

    def config(self) -> dict[str, Any]:
        n = self.neurons[0]
        return {"nin": len(n.w), "nout": len(self.neurons), "activation": n.activation}

    @classmethod
    def sizes(cls, config: dict[str, Any]) -> list[int]:
        return _declared([config.get("nin"), config.get("nout")])

    @classmethod
    def check_state(cls, shape: list[int], state: Any, where: str = "state") -> list[float]:
        state = check_keys(state, ("neurons",), where)
        neurons = check_list(state["neurons"], shape[1], f"{where}.neurons")
        return [x for i, n in enumerate(neurons)
                for x in Neuron.check_state(shape[:1], n, f"{where}.neurons[{i}]")]

    def state_dict(self) -> dict[str, Any]:
        return {"neurons": [n.state_dict() for n in self.neurons]}

    def __repr__(self) -> str:
        c = self.config()
        return f"Layer({c['nin']}, {c['nout']}, activation={c['activation']!r})"


@serialize.register
class MLP(Module):
    """A multi-layer perceptron: ``nin`` inputs, then one layer per entry of ``nouts``.

    Hidden layers use ``activation``; the last uses ``output_activation`` (None: linear, so
    the output is a score or logit, as in micrograd).

    >>> model = MLP(2, [16, 16, 1], seed=0)
    >>> model
    MLP(2, [16, 16, 1], activation='relu', output_activation=None)
    >>> len(model.parameters())  # (2+1)*16 + (16+1)*16 + (16+1)*1
    337
    >>> type(model([0.5, -1.0])).__name__  # one output: a bare Value
    'Value'
    """


    def __init__(self, nin: int, nouts: Sequence[int], activation: str = "relu",
                 output_activation: str | None = None, *, seed: int | random.Random | None = None,
                 init: str = "fan_in") -> None:
        _check_size("nin", nin)
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence):
            raise TypeError(f"nouts must be a list of layer sizes, not {type(nouts).__name__}")
        if not nouts:
            raise ValueError("nouts must be a non-empty list of layer sizes, got an empty one")
        sizes = [nin, *(_check_size(f"nouts[{i}]", n) for i, n in enumerate(nouts))]
        _check_activation(activation)
        self.activation = activation
        self.output_activation = output_activation
        last = _check_activation(output_activation)
        rng: Any = _rng(seed)
        self.layers = [Layer(sizes[i], sizes[i + 1], activation if i < len(nouts) - 1 else last, seed=rng,
                             init=init) for i in range(len(nouts))]

    def __call__(self, x: Input) -> Any:
        _check_input(x, len(self.layers[0].neurons[0].w), "MLP")
        out: Any = x
        for layer in self.layers:
            out = [n._forward(out) for n in layer.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    @property
    def nout(self) -> int:
        return len(self.layers[-1].neurons)

    @classmethod
    def sizes(cls, config: dict[str, Any]) -> list[int]:
        nouts = config.get("nouts")
        if not isinstance(nouts, list):
            raise TypeError(f"nouts must be a list, not {json_type(nouts)}")
        return _declared([config.get("nin"), *nouts])

    @classmethod
    def check_state(cls, shape: list[int], state: Any, where: str = "state") -> list[float]:
        state = check_keys(state, ("layers",), where)
        layers = check_list(state["layers"], len(shape) - 1, f"{where}.layers")
        return [x for i, layer in enumerate(layers)
                for x in Layer.check_state(shape[i:i + 2], layer, f"{where}.layers[{i}]")]

    def config(self) -> dict[str, Any]:
        return {"nin": len(self.layers[0].neurons[0].w),
                "nouts": [len(layer.neurons) for layer in self.layers],
                "activation": self.activation, "output_activation": self.output_activation}

    def state_dict(self) -> dict[str, Any]:
        return {"layers": [layer.state_dict() for layer in self.layers]}

    def __repr__(self) -> str:
        c = self.config()
        return (f"MLP({c['nin']}, {c['nouts']}, activation={c['activation']!r}, "
                f"output_activation={c['output_activation']!r})")


def output_activation(module: Module) -> str | None:
    """The activation of a Neuron, Layer or MLP's outputs ("linear" for none); None for another
    Module, whose outputs this library cannot see into.

    >>> output_activation(MLP(2, [4, 1], output_activation="sigmoid")), output_activation(Layer(2, 2))
    ('sigmoid', 'relu')
    """
    if isinstance(module, MLP):
        module = module.layers[-1]
    if isinstance(module, Layer):
        module = module.neurons[0]
    return module.activation if isinstance(module, Neuron) else None
