"""The way out: an ``nn`` model in PyTorch and back, with the same numbers.

An ``nn.MLP`` is a ``torch.nn.Sequential`` written with scalars: each layer of neurons is a
``Linear`` whose weight row ``i`` is neuron ``i``'s ``w`` and whose ``bias[i]`` is its ``b``,
followed by the layer's activation module. ``to_torch`` builds that Sequential with the weights
copied exactly (in float64; float32 rounds them), ``from_torch`` reads one back, and ``compare``
runs both on the same batch and shows, layer by layer, how far apart their outputs, loss and
gradients are (in float64, about 1e-16).

=====================  ===========================================================
nn                     torch.nn
=====================  ===========================================================
layer i of n neurons   ``Linear(nin, n)``: ``weight[j] = neurons[j].w``, ``bias[j] = neurons[j].b``
``relu``, ``tanh``,    ``ReLU()``, ``Tanh()``, ``Sigmoid()`` after the Linear
``sigmoid``
``linear``             nothing (``Identity()`` where the MLP was given ``"linear"`` by name)
a loss of nn           ``TORCH_LOSSES[name]``: the same formula on tensors
=====================  ===========================================================

PyTorch stays optional: it is imported when one of these functions runs, never by ``import nn``;
without it they raise an ImportError saying how to install it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from autograd_mini import gradients

from .losses import l2_penalty
from .modules import MLP, Layer, Neuron
from .objectives import objective

if TYPE_CHECKING:
    import torch

__all__ = ["ACTIVATION_MODULES", "INSTALL", "TORCH_LOSSES", "Comparison", "Difference", "compare",
           "from_torch", "to_torch", "torch_loss"]

#: How to install the PyTorch this project is tested against.
INSTALL = ("pip install torch==2.13.0 (the version autograd_mini is tested with), "
           "or pip install 'autograd_mini[torch]'")

#: Each of nn's activations and the ``torch.nn`` module that computes it (None: no module).
ACTIVATION_MODULES: dict[str, str | None] = {
    "relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "linear": None}
#: The modules ``from_torch`` reads as an activation, and the activation each is.
_FROM_MODULE = {"ReLU": "relu", "Tanh": "tanh", "Sigmoid": "sigmoid", "Identity": "linear"}


def _torch(who: str) -> Any:
    try:
        import torch
    except ImportError as e:
        raise ImportError(f"nn.{who} needs PyTorch, which is not installed: {INSTALL}") from e
    return torch


# --- The losses of nn.objectives on tensors: outputs (N, k), classes (N,) of int64 ---------------

def _hinge(out: torch.Tensor, classes: torch.Tensor) -> torch.Tensor:
    """mean of max(0, 1 - t s), t = 2c - 1"""
    t = 2.0 * classes.to(out.dtype) - 1.0
    return (1.0 - t * out[:, 0]).relu().mean()


def _bce(out: torch.Tensor, classes: torch.Tensor) -> torch.Tensor:
    """mean of softplus(z) - c z, from the logit z (torch's form of it is as stable as nn's)"""
    from torch.nn import functional

    return functional.binary_cross_entropy_with_logits(out[:, 0], classes.to(out.dtype))


def _mse(out: torch.Tensor, classes: torch.Tensor) -> torch.Tensor:
    """mean of (s - c)**2; with k outputs, of (s_i - [i = c])**2 over all N k of them"""
    from torch.nn import functional

    if out.shape[1] == 1:
        return functional.mse_loss(out[:, 0], classes.to(out.dtype))
    return functional.mse_loss(out, functional.one_hot(classes, out.shape[1]).to(out.dtype))


def _cross_entropy(out: torch.Tensor, classes: torch.Tensor) -> torch.Tensor:
    """mean of logsumexp(z) - z_c, from the k logits z"""
    from torch.nn import functional

    return functional.cross_entropy(out, classes)


#: Each objective of ``nn.objectives``, by name, as a function of a batch's outputs (N, k) and
#: classes (N,) on tensors; a new objective needs its row here too (a test checks).
TORCH_LOSSES: dict[str, Callable[[Any, Any], Any]] = {
    "hinge": _hinge, "bce": _bce, "mse": _mse, "cross_entropy": _cross_entropy}


def torch_loss(loss: str, outputs: torch.Tensor, classes: Any) -> torch.Tensor:
    """nn's ``loss`` (a name or alias from ``nn.objectives``) on a batch of torch outputs (N, k)
    and its classes (a list or tensor of ints), as ``fit`` computes it on Values (without L2)."""
    torch = _torch("torch.torch_loss")
    goal = objective(loss)
    if outputs.dim() != 2:
        raise ValueError(f"outputs must have shape (batch, outputs), got {tuple(outputs.shape)}")
    goal.check_outputs(outputs.shape[1])
    classes = torch.as_tensor(classes, dtype=torch.int64, device=outputs.device)
    return TORCH_LOSSES[goal.name](outputs, classes)


# --- nn -> torch ------------------------------------------------------------------------------

def _layers(model: Any) -> list[tuple[list[Neuron], str | None]]:
    """Each layer's neurons and its activation as the model was given it (None: not named)."""
    if isinstance(model, MLP):
        last = len(model.layers) - 1
        return [(layer.neurons, model.output_activation if i == last else model.activation)
                for i, layer in enumerate(model.layers)]
    if isinstance(model, Layer):
        return [(model.neurons, None)]
    if isinstance(model, Neuron):
        return [([model], None)]
    raise TypeError(f"to_torch takes an nn.MLP, Layer or Neuron, not {type(model).__name__}")


def _activation(neurons: list[Neuron], i: int) -> str:
    """The activation every neuron of layer ``i`` computes."""
    names = [n.activation for n in neurons]
    odd = next((j for j, name in enumerate(names) if name != names[0]), None)
    if odd is not None:
        raise ValueError(f"layer {i} mixes activations ({names[0]!r} in neuron 0, {names[odd]!r} in neuron "
                         f"{odd}): a torch layer has one")
    if names[0] not in ACTIVATION_MODULES:
        raise ValueError(f"layer {i}'s activation {names[0]!r} has no PyTorch module in "
                         f"nn.torch.ACTIVATION_MODULES; known: {', '.join(ACTIVATION_MODULES)}")
    return names[0]


def to_torch(model: Any, dtype: Any = None) -> Any:
    """A ``torch.nn.Sequential`` computing what ``model`` (an ``nn.MLP``, ``Layer`` or ``Neuron``)
    computes, with its weights and biases copied: exactly in ``dtype=torch.float64`` (the
    default), rounded to nearest in ``torch.float32``. It takes a batch of shape (N, nin) and
    returns (N, nout). Nothing of torch's random state is used.

    >>> from nn import MLP
    >>> to_torch(MLP(2, [16, 1], output_activation="sigmoid", seed=0))  # doctest: +SKIP
    Sequential(
      (0): Linear(in_features=2, out_features=16, bias=True)
      (1): ReLU()
      (2): Linear(in_features=16, out_features=1, bias=True)
      (3): Sigmoid()
    )
    """
    torch = _torch("to_torch")
    dtype = torch.float64 if dtype is None else dtype
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"dtype must be a floating-point torch.dtype, not {dtype!r}")
    modules = []
    for i, (neurons, given) in enumerate(_layers(model)):
        name = _activation(neurons, i)
        # skip_init: no random draw for weights that are overwritten at once
        linear = torch.nn.utils.skip_init(torch.nn.Linear, len(neurons[0].w), len(neurons), dtype=dtype)
        weight = [[float(w.data) for w in n.w] for n in neurons]
        with torch.no_grad():  # through float64, so that float32 rounds each number once
            linear.weight.copy_(torch.tensor(weight, dtype=torch.float64))
            linear.bias.copy_(torch.tensor([float(n.b.data) for n in neurons], dtype=torch.float64))
        modules.append(linear)
        module = ACTIVATION_MODULES[name]
        if module is not None:
            modules.append(getattr(torch.nn, module)())
        elif given == "linear":  # named, so that from_torch gives back the same config
            modules.append(torch.nn.Identity())
    return torch.nn.Sequential(*modules)


# --- torch -> nn ------------------------------------------------------------------------------

@dataclass
class _Linear:
    """A Linear of a Sequential, its name there, and the activation after it (None: none)."""

    name: str
    module: Any
    activation: str | None = None


def _children(module: Any, torch: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for name, child in module.named_children():
        if type(child) is torch.nn.Sequential:
            yield from _children(child, torch, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", child


#: The hooks a module keeps (its attribute, and what it is called), each able to change what
#: torch computes (a forward hook may return another output, a pre-hook other inputs, a backward
#: hook other gradients), which the layers do not show. Pruning, weight_norm and spectral_norm
#: are pre-hooks.
_HOOKS = {"_forward_hooks": "a forward hook", "_forward_pre_hooks": "a forward pre-hook",
          "_backward_hooks": "a backward hook", "_backward_pre_hooks": "a backward pre-hook"}


def _check_calls(module: Any, torch: Any) -> None:
    """Refuse what makes torch's forward differ from reading the layers one by one: hooks on any
    module or registered globally, and a ``forward`` set on an instance."""
    registry = torch.nn.modules.module
    for attr, kind in _HOOKS.items():
        if getattr(registry, f"_global{attr}", None):  # private in torch: absent means none
            raise ValueError(f"{kind.replace('a ', 'a global ', 1)} is registered (torch.nn.modules.module."
                             f"register_module{attr.removesuffix('s')}): it runs on every module and can "
                             "change what it computes, which nn cannot read; remove it first")
    for name, m in module.named_modules():
        where = f"layer {name} ({type(m).__name__})" if name else f"the {type(m).__name__}"
        hooks = next((kind for attr, kind in _HOOKS.items() if getattr(m, attr, None)), None)
        if hooks is not None:
            raise ValueError(f"{where} has {hooks}: it can change what torch computes, which nn cannot "
                             "read from the layers; remove it first (the handle's remove())")
        if "forward" in vars(m):
            raise ValueError(f"{where} has a forward() set on the instance, which nn cannot read: "
                             "nn.from_torch reads the layers as torch.nn computes them")


def _check_tensor(tensor: Any, where: str, torch: Any) -> None:
    """A weight nn can hold exactly: real floating point, with its numbers in memory."""
    if tensor.is_complex():
        raise ValueError(f"{where} is complex ({tensor.dtype}): a Value of nn is a real number, and "
                         "the imaginary parts would be dropped")
    if not tensor.dtype.is_floating_point:
        raise ValueError(f"{where} has dtype {tensor.dtype}: nn reads floating-point weights")
    if tensor.is_meta:
        raise ValueError(f"{where} is on the meta device, which holds shapes but no numbers: nn copies "
                         "the numbers (load them first, e.g. to_empty(device='cpu') then load_state_dict)")
    if tensor.layout is not torch.strided:
        raise ValueError(f"{where} is a {tensor.layout} tensor: nn reads dense (strided) ones")


def _items(module: Any, torch: Any) -> list[tuple[str, Any]]:
    """The modules of a Sequential in order, nested Sequentials flattened (a lone Linear is layer
    0). Only ``torch.nn``'s own classes are read (``type(m) is``, not ``isinstance``): a
    subclass's ``forward()`` can compute anything, and is refused rather than ignored."""
    if type(module) is torch.nn.Sequential:
        return list(_children(module, torch))
    if type(module) is torch.nn.Linear:
        return [("0", module)]
    if isinstance(module, (torch.nn.Sequential, torch.nn.Linear)):
        base = "Sequential" if isinstance(module, torch.nn.Sequential) else "Linear"
        raise ValueError(f"cannot map {type(module).__name__}, a subclass of torch.nn.{base}: nn.from_torch "
                         f"reads torch.nn.{base} itself (the forward() of a module of your own cannot be "
                         "read; build it as a plain Sequential, or pass its state_dict() with config=)")
    if isinstance(module, torch.nn.Module):
        raise ValueError(f"cannot map {type(module).__name__}: nn.from_torch reads a torch.nn.Sequential of "
                         "Linear layers and activations (the forward() of a module of your own cannot be "
                         "read; build it as a Sequential, or pass its state_dict() with config=)")
    raise TypeError(f"from_torch takes a torch.nn.Sequential or a state_dict, not {type(module).__name__}")


def _read(module: Any, torch: Any) -> list[_Linear]:
    """The Linears of a Sequential (or a lone Linear) with their activations; a ValueError names
    the first layer nn.MLP has nothing for, or what makes torch compute otherwise (a subclass, a
    hook)."""
    items = _items(module, torch)
    _check_calls(module, torch)
    linears: list[_Linear] = []
    for name, child in items:
        where = f"layer {name} ({child!r})"
        if type(child) is torch.nn.Linear:
            if child.bias is None:
                raise ValueError(f"{where} has no bias, and every neuron of nn has one: build it with "
                                 "bias=True (a zero bias computes the same)")
            _check_tensor(child.weight, f"{where}'s weight", torch)
            _check_tensor(child.bias, f"{where}'s bias", torch)
            if linears and child.in_features != linears[-1].module.out_features:
                raise ValueError(f"{where} takes {child.in_features} inputs, but the Linear before it, "
                                 f"layer {linears[-1].name}, gives {linears[-1].module.out_features}")
            linears.append(_Linear(name, child))
        elif type(child).__name__ in _FROM_MODULE and type(child) is getattr(torch.nn, type(child).__name__):
            if not linears:
                raise ValueError(f"{where} comes before any Linear: an nn.MLP starts with a layer of neurons")
            if linears[-1].activation is not None:
                raise ValueError(f"{where} is a second activation after layer {linears[-1].name}: "
                                 "a layer of nn has one")
            linears[-1].activation = _FROM_MODULE[type(child).__name__]
        elif isinstance(child, (torch.nn.Sequential, torch.nn.Linear,
                                *(getattr(torch.nn, m) for m in _FROM_MODULE))):
            raise ValueError(f"{where} is a {type(child).__name__}, a subclass of a torch.nn module: "
                             "nn.from_torch reads torch.nn's own classes, since a subclass's forward() "
                             "can compute anything")
        else:
            raise ValueError(f"{where} has no nn.MLP equivalent: nn.from_torch maps Linear (with a bias), "
                             f"each followed by at most one of {', '.join(_FROM_MODULE)}")
    if not linears:
        raise ValueError("the Sequential has no Linear layer: an nn.MLP has at least one layer")
    return linears


def _floats(tensor: Any) -> list[Any]:
    """A tensor's numbers as nested lists of Python floats (float32 and below widen exactly)."""
    return tensor.detach().cpu().double().tolist()  # type: ignore[no-any-return]


def _blank(**config: Any) -> MLP:
    """An MLP of ``config`` whose weights are about to be overwritten, drawn from a private
    ``Random(0)`` whatever seed ``config`` names: ``seed=None`` would draw them from Python's
    global ``random``, and a script seeded once would then draw other numbers after it."""
    return MLP(**{**config, "seed": 0})


def _fill(model: MLP, weights: list[Any], biases: list[Any]) -> MLP:
    for layer, w, b in zip(model.layers, weights, biases, strict=True):
        for neuron, row, bias in zip(layer.neurons, _floats(w), _floats(b), strict=True):
            for p, x in zip(neuron.w, row, strict=True):
                p.data = x
            neuron.b.data = bias
    return model


def from_torch(module: Any, config: Mapping[str, Any] | None = None) -> MLP:
    """An ``nn.MLP`` computing what ``module`` computes, weights and biases copied exactly.

    ``module`` is a ``torch.nn.Sequential`` of ``Linear`` layers (with biases), each followed by
    at most one ``ReLU``, ``Tanh``, ``Sigmoid`` or ``Identity``, the hidden layers all by the same
    one; or a ``state_dict()`` of such a Sequential with ``config=`` the MLP's ``config()``
    (``{"nin": 2, "nouts": [16, 1], "activation": "relu", "output_activation": None}``), since a
    state_dict holds no activations. Anything else is a ValueError naming the layer or entry,
    and so is what would make torch compute other than the layers read one by one: a subclass
    (``type(m) is`` is checked, so a ``forward()`` of its own is never silently ignored), a hook
    on any module or a global one, a ``forward`` set on an instance, and weights that are
    complex, not floating point, on the meta device or sparse. (A one-layer Sequential has no
    hidden activation to read: its MLP gets the default, relu.) Neither Python's ``random`` nor
    torch's random state is drawn from (a ``seed`` in ``config`` is ignored: the weights come from the
    state_dict).
    """
    torch = _torch("from_torch")
    if isinstance(module, Mapping):
        return _from_state_dict(module, config, torch)
    if config is not None:
        raise TypeError("config= is for a state_dict; a Sequential shows its own layers")
    linears = _read(module, torch)
    hidden = [layer.activation for layer in linears[:-1]]
    odd = next((layer for layer in linears[:-1] if (layer.activation or "linear") != (hidden[0] or "linear")),
               None)
    if odd is not None:
        raise ValueError(f"layer {odd.name} is followed by {odd.activation or 'no activation'}, layer "
                         f"{linears[0].name} by {hidden[0] or 'none'}: an nn.MLP has one hidden activation")
    # None where no hidden Linear has an activation module after it, as to_torch writes MLP(activation=None)
    activation: Any = ("relu" if not hidden else None if all(a is None for a in hidden) else
                       hidden[0] or "linear")
    model = _blank(nin=linears[0].module.in_features, nouts=[layer.module.out_features for layer in linears],
                   activation=activation, output_activation=linears[-1].activation)
    return _fill(model, [layer.module.weight for layer in linears], [layer.module.bias for layer in linears])


def _from_state_dict(state: Mapping[str, Any], config: Mapping[str, Any] | None, torch: Any) -> MLP:
    if config is None:
        raise ValueError("a state_dict holds no activations: pass config=, the model's config() "
                         "(nin, nouts, activation, output_activation)")
    if not isinstance(config, Mapping):
        raise TypeError(f"config must be a dict like MLP.config()'s, not {type(config).__name__}")
    try:
        model = _blank(**config)
    except (TypeError, ValueError) as e:
        raise ValueError(f"config {dict(config)!r} does not make an nn.MLP: {e}") from None
    names, index = [], 0  # where to_torch puts each Linear: after the previous one and its activation
    for i in range(len(model.layers)):
        names.append(str(index))
        given = model.activation if i < len(model.layers) - 1 else model.output_activation
        index += 1 if given is None and model.layers[i].neurons[0].activation == "linear" else 2
    wanted = {f"{name}.{part}" for name in names for part in ("weight", "bias")}
    extra = [key for key in state if key not in wanted]
    if extra:
        raise ValueError(f"state_dict entry {extra[0]!r} is not in a model of this config, whose Linears are "
                         f"layers {', '.join(names)} of the Sequential (nn.to_torch's layout)")
    tensors = []
    for i, (name, layer) in enumerate(zip(names, model.layers)):
        nout, nin = len(layer.neurons), len(layer.neurons[0].w)
        for part, shape in (("weight", (nout, nin)), ("bias", (nout,))):
            key = f"{name}.{part}"
            where = f"layer {name} (Linear({nin}, {nout}), layer {i} of the config)"
            if key not in state:
                raise ValueError(f"state_dict has no {key!r}: {where} needs it")
            tensor = state[key]
            if not isinstance(tensor, torch.Tensor):
                raise ValueError(f"state_dict[{key!r}] is a {type(tensor).__name__}, not a tensor")
            _check_tensor(tensor, f"state_dict[{key!r}]", torch)
            if tuple(tensor.shape) != shape:
                raise ValueError(f"state_dict[{key!r}] has shape {tuple(tensor.shape)}, but {where} "
                                 f"needs {shape}")
            tensors.append(tensor)
    return _fill(model, tensors[0::2], tensors[1::2])


# --- compare ----------------------------------------------------------------------------------

def _largest(xs: Iterable[float]) -> float:
    """The largest of the magnitudes ``xs`` (0 for none), and NaN if any is NaN: Python's ``max`` keeps a NaN
    only where it comes first (``max([0.0, nan])`` is 0.0), which would hide a NaN difference.

    >>> _largest([0.0, math.nan, 1.0]), _largest([1.0, math.inf]), _largest([])
    (nan, inf, 0.0)
    """
    largest = 0.0
    for x in xs:
        if math.isnan(x):
            return math.nan
        largest = max(largest, x)
    return largest


@dataclass(frozen=True)
class Difference:
    """The largest absolute difference between nn's numbers and torch's for one row, and that
    divided by the largest magnitude among them (0 where both are all 0).

    A NaN or an inf on either side is a difference, NaN or inf, never skipped: even a NaN at the
    same place on both sides (NaN - NaN is NaN), or the same inf on both (inf - inf is NaN), is
    shown, since a row agrees only where its numbers are finite and close. ``rel`` is then ``abs``.
    """

    what: str
    abs: float
    rel: float


def _difference(what: str, ours: list[float], theirs: list[float]) -> Difference:
    largest = _largest(abs(x) for x in (*ours, *theirs))
    worst = _largest(abs(a - b) for a, b in zip(ours, theirs, strict=True))
    if not math.isfinite(worst):
        return Difference(what, worst, worst)
    return Difference(what, worst, worst / largest if largest else 0.0)


@dataclass(frozen=True)
class Comparison:
    """What ``compare`` found: one Difference per row; ``str()`` is the table it prints.
    ``max_abs`` and ``max_rel`` are NaN where any row's is (and inf where one is and none is NaN),
    so that ``assert result.max_abs < 1e-12`` fails on a model that computes a NaN."""

    title: str
    rows: tuple[Difference, ...]

    @property
    def max_abs(self) -> float:
        return _largest(row.abs for row in self.rows)

    @property
    def max_rel(self) -> float:
        return _largest(row.rel for row in self.rows)

    def __getitem__(self, what: str) -> Difference:
        for row in self.rows:
            if row.what == what:
                return row
        raise KeyError(what)

    def __str__(self) -> str:
        width = max(len(row.what) for row in self.rows)
        lines = [self.title, f"{'':{width}}  {'max abs diff':>12}  {'max rel diff':>12}"]
        lines += [f"{row.what:{width}}  {row.abs:12.1e}  {row.rel:12.1e}" for row in self.rows]
        return "\n".join(lines)


def compare(model: Any, torch_model: Any, xs: Any, y: Any, loss: str = "hinge", *, l2: float = 0.0,
            show: bool = True) -> Comparison:
    """Run ``model`` (nn) and ``torch_model`` on the batch ``(xs, y)`` and compare their outputs,
    their ``loss`` (a name from ``nn.objectives``, plus ``l2`` times the sum of the squared
    parameters, as in ``fit``) and, layer by layer, their weights and the loss's gradients.

    Prints the table (unless ``show=False``) and returns it as a Comparison. Neither model's
    parameters nor their ``.grad`` change: the gradients are computed apart (``gradients()`` on
    the nn side, ``torch.autograd.grad`` on copies of the weights on the torch side).
    """
    torch = _torch("compare")
    goal = objective(loss)
    layers = _layers(model)
    linears = _read(torch_model, torch)
    nn_shapes = [(len(neurons[0].w), len(neurons)) for neurons, _ in layers]
    torch_shapes = [(layer.module.in_features, layer.module.out_features) for layer in linears]
    if nn_shapes != torch_shapes:
        raise ValueError(f"the models differ in shape: nn's layers are {nn_shapes}, torch's Linears "
                         f"{torch_shapes} (inputs, outputs)")
    if len(xs) != len(y):
        raise ValueError(f"xs has {len(xs)} rows but y has {len(y)}")
    classes = goal.labels(y, nn_shapes[-1][1])
    rows = [[float(x) for x in row] for row in xs]
    params = [p for neurons, _ in layers for n in neurons for p in n.parameters()]

    outputs = [model(row) for row in rows]
    total = goal.loss(outputs, classes)
    if l2:
        total = total + l2_penalty(params, l2)
    grads = gradients(total)
    ours = [[o.data for o in out] if isinstance(out, list) else [out.data] for out in outputs]

    named = dict(torch_model.named_parameters()) if isinstance(torch_model, torch.nn.Module) else {}
    copies = {name: p.detach().clone().requires_grad_(True) for name, p in named.items()}
    dtype = linears[0].module.weight.dtype
    theirs = torch.func.functional_call(torch_model, copies, (torch.tensor(rows, dtype=dtype),))
    their_total = torch_loss(goal.name, theirs, classes)
    if l2:
        their_total = their_total + l2 * sum((p * p).sum() for p in copies.values())
    their_grads = dict(zip(copies, torch.autograd.grad(their_total, list(copies.values()))))
    by_id = {id(p): name for name, p in named.items()}

    title = (f"nn vs torch ({str(dtype).removeprefix('torch.')}): {goal.name} loss"
             f"{f' + L2 {l2:g}' if l2 else ''} on {len(rows)} examples; "
             f"loss {total.data:.6g} (nn), {their_total.item():.6g} (torch)")
    found = [_difference(f"outputs ({len(rows)} x {nn_shapes[-1][1]})", [x for o in ours for x in o],
                         [x for o in _floats(theirs) for x in o]),
             _difference("loss", [total.data], [their_total.item()])]
    for i, ((neurons, _), layer) in enumerate(zip(layers, linears)):
        w, b = by_id[id(layer.module.weight)], by_id[id(layer.module.bias)]
        label = f"layer {i} ({nn_shapes[i][0]}->{nn_shapes[i][1]})"
        values = [p.data for n in neurons for p in n.w] + [n.b.data for n in neurons]
        torch_values = _flat(named[w]) + _flat(named[b])
        found.append(_difference(f"{label} weights", values, torch_values))
        ours_g = [grads.get(p, 0.0) for n in neurons for p in n.w] + [grads.get(n.b, 0.0) for n in neurons]
        found.append(_difference(f"{label} gradients", ours_g, _flat(their_grads[w]) + _flat(their_grads[b])))
    result = Comparison(title, tuple(found))
    if show:
        print(result)
    return result


def _flat(tensor: Any) -> list[float]:
    return _floats(tensor.reshape(-1))
