"""Saving and loading modules as JSON, written atomically and validated when read.

A model file is one JSON object::

    {"format": "autograd_mini.nn", "version": 1, "model": "MLP",
     "config": {"nin": 2, "nouts": [16, 1], "activation": "relu", "output_activation": null},
     "state": {"layers": [{"neurons": [{"w": [0.1, -0.3], "b": 0.0}, ...]}, ...]},
     "metadata": {...}}

``config`` rebuilds the module's shape, ``state`` holds its numbers (floats round-trip exactly
through JSON), ``metadata`` is free-form (the command line keeps the loss and dataset there).
Files are written to a temporary file in the same folder and renamed over the target, so a
crash leaves the old file or the new one, never half of one. Loading checks everything and
raises ``ValueError`` saying what is wrong and where (``state.layers[0].neurons[3].w has 3
numbers, expected 2``). Never pickle: loading a model must not run code.
"""

from __future__ import annotations

import json
import math
import numbers
import os
from pathlib import Path
from typing import Any

from autograd_mini._atomic import write_atomic  # nn ships with autograd_mini

__all__ = ["FORMAT", "VERSION", "check_state", "load", "read", "save", "sizes"]

FORMAT, VERSION = "autograd_mini.nn", 1


def _classes() -> dict[str, Any]:
    from .modules import MLP, Layer, Neuron  # here, not at the top: modules imports this module

    return {"MLP": MLP, "Layer": Layer, "Neuron": Neuron}


def save(module: Any, path: str | os.PathLike[str], metadata: dict[str, Any] | None = None) -> None:
    """Write ``module`` to ``path`` as JSON (see the module docstring), atomically.

    >>> import tempfile
    >>> from nn import MLP
    >>> model = MLP(2, [3, 1], seed=1)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     save(model, tmp + "/m.json")
    ...     copy = load(tmp + "/m.json")
    >>> [p.data for p in copy.parameters()] == [p.data for p in model.parameters()]
    True
    """
    name = type(module).__name__
    if _classes().get(name) is not type(module):
        raise TypeError(f"save() takes an MLP, Layer or Neuron, not {name}")
    if metadata is not None and not isinstance(metadata, dict):
        raise TypeError(f"metadata must be a dict, not {type(metadata).__name__}")
    bad = [i for i, p in enumerate(module.parameters()) if not math.isfinite(p.data)]
    if bad:
        raise ValueError(f"cannot save a model with non-finite parameters (parameter {bad[0]} is "
                         f"{module.parameters()[bad[0]].data}); training probably diverged")
    document = {"format": FORMAT, "version": VERSION, "model": name, "config": module.config(),
                "state": module.state_dict(), "metadata": metadata or {}}
    text = json.dumps(document, indent=1, allow_nan=False) + "\n"
    write_atomic(Path(path), text.encode())


def load(path: str | os.PathLike[str]) -> Any:
    """Read a module written by ``save``; ``ValueError`` names what is wrong with a bad file."""
    return read(path)[0]


def read(path: str | os.PathLike[str]) -> tuple[Any, dict[str, Any]]:
    """The module in the file at ``path`` and the file's ``metadata``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"{path} is not a model file: not UTF-8 text ({e.reason})") from None
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        hint = " (the file looks truncated)" if e.pos >= len(text.rstrip()) else ""
        where = f"line {e.lineno} column {e.colno}"
        raise ValueError(f"{path} is not valid JSON{hint}: {e.msg} at {where}") from None
    except ValueError as e:  # from _reject_constant, or an integer of more than 4300 digits
        raise ValueError(f"{path}: {e}") from None
    except RecursionError:  # json's decoder recurses once per nested list or object
        raise ValueError(f"{path} is not a model file: lists or objects nested too deeply") from None
    module = from_document(document, str(path))
    metadata = document.get("metadata", {})
    if not isinstance(metadata, dict):
        raise ValueError(f"{path}: metadata must be an object, not {_json_type(metadata)}")
    return module, metadata


def _reject_constant(name: str) -> None:
    raise ValueError(f"model files hold finite numbers only, found {name}")


def from_document(document: Any, source: str = "model") -> Any:
    """Build a module from a parsed model file, checking every field."""
    document = check_keys(document, ("format", "version", "model", "config", "state"), source)
    if document["format"] != FORMAT:
        raise ValueError(f"{source} is not an autograd_mini model file (format {document['format']!r}, "
                         f"expected {FORMAT!r})")
    version = document["version"]
    if type(version) is not int or not 1 <= version <= VERSION:
        raise ValueError(f"{source} has format version {version!r}; this library reads version {VERSION}")
    classes = _classes()
    cls = classes.get(document["model"]) if isinstance(document["model"], str) else None
    if cls is None:
        raise ValueError(f"{source}: unknown model {document['model']!r}; known: {', '.join(classes)}")
    config = document["config"]
    if not isinstance(config, dict):
        raise ValueError(f"{source}: config must be an object, not {_json_type(config)}")
    try:
        shape = sizes(document["model"], config)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{source}: bad config {config!r}: {e}") from None
    # Check the numbers against the declared sizes before building: a crafted config declaring a
    # billion neurons must fail here, not after allocating a billion Values.
    numbers = check_state(document["model"], shape, document["state"], f"{source}: state")
    try:
        module = cls(**config)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{source}: bad config {config!r}: {e}") from None
    for p, x in zip(module.parameters(), numbers, strict=True):
        p.data = x
    return module


def sizes(model: str, config: dict[str, Any]) -> list[int]:
    """The layer sizes ``[nin, n1, n2, ...]`` a Neuron, Layer or MLP config declares.

    >>> sizes("MLP", {"nin": 2, "nouts": [16, 1]}), sizes("Neuron", {"nin": 3})
    ([2, 16, 1], [3, 1])
    """
    if model == "MLP":
        nouts = config.get("nouts")
        if not isinstance(nouts, list):
            raise TypeError(f"nouts must be a list, not {_json_type(nouts)}")
        declared = [config.get("nin"), *nouts]
    else:
        declared = [config.get("nin"), config.get("nout", 1)]
    for n in declared:
        if type(n) is not int or n < 1:
            raise ValueError(f"layer sizes must be ints of at least 1, got {n!r}")
    return declared


def check_state(model: str, shape: list[int], state: Any, where: str = "state") -> list[float]:
    """The numbers of a ``state_dict()`` of a ``model`` of layer sizes ``shape``, in
    ``parameters()`` order; a ValueError names the first entry that does not fit.

    >>> check_state("Neuron", [2, 1], {"w": [0.5, -1], "b": 0})
    [0.5, -1.0, 0.0]
    >>> check_state("Neuron", [2, 1], {"w": [0.5], "b": 0})
    Traceback (most recent call last):
    ValueError: state.w has 1 numbers, expected 2 (wrong layer size)
    """
    if model == "Neuron":
        state = check_keys(state, ("w", "b"), where)
        return [*check_numbers(state["w"], shape[0], f"{where}.w"), check_number(state["b"], f"{where}.b")]
    if model == "Layer":
        state = check_keys(state, ("neurons",), where)
        neurons = check_list(state["neurons"], shape[1], f"{where}.neurons")
        return [x for i, n in enumerate(neurons)
                for x in check_state("Neuron", shape[:1], n, f"{where}.neurons[{i}]")]
    state = check_keys(state, ("layers",), where)
    layers = check_list(state["layers"], len(shape) - 1, f"{where}.layers")
    return [x for i, layer in enumerate(layers)
            for x in check_state("Layer", shape[i:i + 2], layer, f"{where}.layers[{i}]")]


# -- validation helpers, shared with the modules' load_state_dict ------------------------------------
def _json_type(x: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(x), type(x).__name__)


def check_keys(state: Any, keys: tuple[str, ...], where: str) -> dict[str, Any]:
    """``state`` if it is a dict holding every key of ``keys``; else a ValueError."""
    if not isinstance(state, dict):
        raise ValueError(f"{where} must be an object, not {_json_type(state)}")
    missing = [k for k in keys if k not in state]
    if missing:
        raise ValueError(f"{where} is missing key {missing[0]!r}")
    return state


def check_list(items: Any, n: int, where: str) -> list[Any]:
    """``items`` if it is a list of ``n`` entries; else a ValueError giving both sizes."""
    if not isinstance(items, list):
        raise ValueError(f"{where} must be a list, not {_json_type(items)}")
    if len(items) != n:
        raise ValueError(f"{where} has {len(items)} entries, expected {n} (wrong layer size)")
    return items


def check_number(x: Any, where: str) -> float:
    """``x`` as a float if it is a finite real number (not a bool, not a string)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise ValueError(f"{where} must be a number, not {_json_type(x)} {x!r}")
    try:
        y = float(x)
    except OverflowError:  # a JSON integer beyond float's range
        raise ValueError(f"{where} must be finite, got an integer too large for a float") from None
    if not math.isfinite(y):
        raise ValueError(f"{where} must be finite, got {y}")
    return y


def check_numbers(items: Any, n: int, where: str) -> list[float]:
    """``items`` as ``n`` finite floats; else a ValueError naming the bad entry."""
    if not isinstance(items, list):
        raise ValueError(f"{where} must be a list of numbers, not {_json_type(items)}")
    if len(items) != n:
        raise ValueError(f"{where} has {len(items)} numbers, expected {n} (wrong layer size)")
    return [check_number(x, f"{where}[{i}]") for i, x in enumerate(items)]
