"""Saving and loading modules as JSON, written atomically and validated when read.

A model file is one JSON object::

    {"format": "autograd_mini.nn", "version": 1, "model": "MLP",
     "config": {"nin": 2, "nouts": [16, 1], "activation": "relu", "output_activation": null},
     "state": {"layers": [{"neurons": [{"w": [0.1, -0.3], "b": 0.0}, ...]}, ...]},
     "metadata": {...}}

``config`` rebuilds the module's shape, ``state`` holds its numbers (floats round-trip exactly
through JSON), ``metadata`` is free-form (the command line keeps the loss and dataset there).
Files are written to a temporary file in the same folder and renamed over the target, so a
crash leaves the old file or the new one, never half of one (``autograd_mini._atomic``: an
existing file keeps its permission bits, a symlink at the path is replaced rather than followed,
and temporary files left by a killed save are swept by the next). ``save`` checks the document
with ``load``'s rules before it writes, so it never replaces a good file with a bad one, and
every error message is capped at about a kilobyte however large the file. Loading checks
everything and raises ``ValueError`` saying what is wrong and where
(``state.layers[0].neurons[3].w has 3 numbers, expected 2``). Never pickle: loading a model
must not run code.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import random
from pathlib import Path
from typing import Any

from autograd_mini._atomic import write_atomic  # nn ships with autograd_mini
from autograd_mini._messages import shorten

from .state import check_keys, json_type, show

__all__ = ["CLASSES", "FORMAT", "VERSION", "check_metadata", "check_state", "load", "read", "register",
           "save", "sizes"]

FORMAT, VERSION = "autograd_mini.nn", 1


#: The classes a file may name, by name, as ``nn.modules`` registers them: all this module
#: knows of the modules. Each class checks its own config and state (``sizes``, ``check_state``).
CLASSES: dict[str, Any] = {}


def register(cls: Any) -> Any:
    """Class decorator: files may name ``cls`` by its name, and ``save`` takes its instances."""
    CLASSES[cls.__name__] = cls
    return cls


def save(module: Any, path: str | os.PathLike[str], metadata: dict[str, Any] | None = None) -> None:
    """Write ``module`` to ``path`` as JSON (see the module docstring), atomically.

    Before anything is written, the document is checked with the rules ``load`` applies (it is
    parsed back and rebuilt), so ``save`` never replaces a good file with one ``load`` rejects:
    a parameter whose ``data`` is not a finite number, a config the module cannot be rebuilt
    from, or metadata that is not JSON give a ValueError (TypeError for a wrong type) naming
    the entry or key, and the file at ``path`` is left as it was. Parameters are written as
    floats (a numpy scalar or a ``Fraction`` in ``data`` is saved as the float it equals).

    >>> import tempfile
    >>> from nn import MLP  # registers the classes
    >>> model = MLP(2, [3, 1], seed=1)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     save(model, tmp + "/m.json")
    ...     copy = load(tmp + "/m.json")
    >>> [p.data for p in copy.parameters()] == [p.data for p in model.parameters()]
    True
    """
    # A subclass (nn.micrograd's MLP, say) is saved as the nn class it extends, which load returns.
    name = next((n for n, cls in CLASSES.items() if isinstance(module, cls)), type(module).__name__)
    if name not in CLASSES:
        *others, last = sorted(CLASSES)
        raise TypeError(f"save() takes a {', '.join(others)} or {last}, not {shorten(name, 100)}")
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, not {type(path).__name__}")
    if metadata is not None and not isinstance(metadata, dict):
        raise TypeError(f"metadata must be a dict, not {type(metadata).__name__}")
    metadata = dict(metadata or {})
    check_metadata(metadata)
    where = f"cannot save {name} to {shorten(str(path), 200)}"
    config = module.config()
    try:
        shape = sizes(name, config)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{where}: bad config {show(config, 300)}: {shorten(str(e), 300)}") from None
    bad = next((i for i, p in enumerate(module.parameters())
                if isinstance(p.data, float) and not math.isfinite(p.data)), None)
    if bad is not None:
        raise ValueError(f"{where}: the model has non-finite parameters (parameter {bad} is "
                         f"{module.parameters()[bad].data}); training probably diverged")
    state = module.state_dict()
    try:
        check_state(name, shape, state, "state")
    except ValueError as e:
        raise ValueError(f"{where}: {e}") from None
    document = {"format": FORMAT, "version": VERSION, "model": name, "config": config,
                "state": _floats(state), "metadata": metadata}
    try:
        text = json.dumps(document, indent=1, allow_nan=False) + "\n"
    except (TypeError, ValueError) as e:  # a config entry JSON cannot hold
        raise ValueError(f"{where}: the model's config {show(config, 300)} is not JSON: "
                         f"{shorten(str(e), 200)}") from None
    # The same rules as load(), on what load() would read: what we write, we can read back.
    try:
        from_document(json.loads(text, parse_constant=_reject_constant), "the model")
    except (TypeError, ValueError, RecursionError) as e:
        raise ValueError(f"{where}: {shorten(str(e), 800)}") from None
    write_atomic(Path(path), text.encode())


def check_metadata(metadata: dict[str, Any]) -> None:
    """Return if ``metadata`` can be saved: string keys, JSON values without nan or infinity.

    A TypeError or ValueError names the first key that cannot, before anything is written.

    >>> check_metadata({"loss": "mse", "accuracy": 0.9, "classes": [0, 1]})
    >>> check_metadata({"classes": {0, 1}})
    Traceback (most recent call last):
    TypeError: metadata['classes'] is not JSON: Object of type set is not JSON serializable
    >>> check_metadata({"loss": float("nan")})
    Traceback (most recent call last):
    ValueError: metadata['loss'] is not JSON: it holds nan or infinity (model files hold finite numbers only)
    """
    for key, value in metadata.items():
        if not isinstance(key, str):
            raise TypeError(f"metadata keys must be strings, not {type(key).__name__} {show(key, 100)}")
        try:
            json.dumps(value, allow_nan=False)
        except TypeError as e:
            raise TypeError(f"metadata[{show(key, 200)}] is not JSON: {shorten(str(e), 300)}") from None
        except ValueError as e:
            reason = str(e)
            if reason.startswith("Out of range float values"):
                reason = "it holds nan or infinity (model files hold finite numbers only)"
            raise ValueError(f"metadata[{show(key, 200)}] is not JSON: {shorten(reason, 300)}") from None
        except RecursionError:
            raise ValueError(f"metadata[{show(key, 200)}] is not JSON: nested too deeply") from None


def _floats(state: Any) -> Any:
    """``state`` with every number a float (``check_state`` has accepted it), for JSON."""
    if type(state) is float:
        return state
    if isinstance(state, dict):
        return {k: _floats(v) for k, v in state.items()}
    if isinstance(state, list):
        return [_floats(x) for x in state]
    if isinstance(state, numbers.Real) and not isinstance(state, bool):
        return float(state)
    return state


def load(path: str | os.PathLike[str]) -> Any:
    """Read a module written by ``save``; ``ValueError`` names what is wrong with a bad file."""
    return read(path)[0]


def read(path: str | os.PathLike[str]) -> tuple[Any, dict[str, Any]]:
    """The module in the file at ``path`` and the file's ``metadata``.

    Every error message is bounded (about a kilobyte, see ``autograd_mini._messages``) whatever
    the file holds: a 50 MB string or a 2,000,000-entry config is quoted by its start and a count.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, not {type(path).__name__}")
    source = shorten(str(path), 200)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"{source} is not a model file: not UTF-8 text ({e.reason})") from None
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        hint = " (the file looks truncated)" if e.pos >= len(text.rstrip()) else ""
        where = f"line {e.lineno} column {e.colno}"
        raise ValueError(f"{source} is not valid JSON{hint}: {shorten(e.msg, 200)} at {where}") from None
    except ValueError as e:  # from _reject_constant, or an integer of more than 4300 digits
        raise ValueError(f"{source}: {shorten(str(e), 500)}") from None
    except RecursionError:  # json's decoder recurses once per nested list or object
        raise ValueError(f"{source} is not a model file: lists or objects nested too deeply") from None
    module = from_document(document, source)
    metadata = document.get("metadata", {})
    if not isinstance(metadata, dict):
        raise ValueError(f"{source}: metadata must be an object, not {json_type(metadata)}")
    return module, metadata


def _reject_constant(name: str) -> None:
    raise ValueError(f"model files hold finite numbers only, found {name}")


def from_document(document: Any, source: str = "model") -> Any:
    """Build a module from a parsed model file, checking every field.

    A ValueError says what is wrong and where, quoting at most about a kilobyte of the document.
    """
    source = shorten(source, 200)
    document = check_keys(document, ("format", "version", "model", "config", "state"), source)
    if document["format"] != FORMAT:
        raise ValueError(f"{source} is not an autograd_mini model file (format {show(document['format'])}, "
                         f"expected {FORMAT!r})")
    version = document["version"]
    if type(version) is not int or not 1 <= version <= VERSION:
        raise ValueError(f"{source} has format version {show(version)}; "
                         f"this library reads version {VERSION}")
    classes = CLASSES
    cls = classes.get(document["model"]) if isinstance(document["model"], str) else None
    if cls is None:
        known = ", ".join(sorted(classes))
        raise ValueError(f"{source}: unknown model {show(document['model'])}; known: {known}")
    config = document["config"]
    if not isinstance(config, dict):
        raise ValueError(f"{source}: config must be an object, not {json_type(config)}")
    try:
        shape = sizes(document["model"], config)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{source}: bad config {show(config, 400)}: {shorten(str(e), 400)}") from None
    # Check the numbers against the declared sizes before building: a crafted config declaring a
    # billion neurons must fail here, not after allocating a billion Values.
    numbers = check_state(document["model"], shape, document["state"], f"{source}: state")
    try:
        # a generator of its own: the weights drawn are overwritten below, and loading a model must
        # not advance the global random stream a user may have seeded
        module = cls(**config, seed=random.Random(0))
    except (TypeError, ValueError) as e:
        raise ValueError(f"{source}: bad config {show(config, 400)}: {shorten(str(e), 400)}") from None
    for p, x in zip(module.parameters(), numbers, strict=True):
        p.data = x
    return module


def sizes(model: str, config: dict[str, Any]) -> list[int]:
    """The layer sizes ``[nin, n1, n2, ...]`` a Neuron, Layer or MLP config declares (the
    class's own ``sizes``).

    >>> sizes("MLP", {"nin": 2, "nouts": [16, 1]}), sizes("Neuron", {"nin": 3})
    ([2, 16, 1], [3, 1])
    """
    return CLASSES[model].sizes(config)


def check_state(model: str, shape: list[int], state: Any, where: str = "state") -> list[float]:
    """The numbers of a ``state_dict()`` of a ``model`` of layer sizes ``shape``, in
    ``parameters()`` order (the class's own ``check_state``); a ValueError names the first entry
    that does not fit.

    >>> check_state("Neuron", [2, 1], {"w": [0.5, -1], "b": 0})
    [0.5, -1.0, 0.0]
    >>> check_state("Neuron", [2, 1], {"w": [0.5], "b": 0})
    Traceback (most recent call last):
    ValueError: state.w has 1 numbers, expected 2 (wrong layer size)
    """
    return CLASSES[model].check_state(shape, state, where)
