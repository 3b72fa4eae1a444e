"""Drawing computation graphs: ``draw_dot`` (a ``graphviz.Digraph``), ``to_svg`` and ``render``.

Each Value is a record showing its label, ``data`` and ``grad``; each op is a small node between
its inputs and its result, so ``c = a * b`` draws as edges ``a -> ×``, ``b -> ×``, ``× -> c``.
Parents keep their order (``a * a`` has two edges from ``a``). With ``edge_labels=True`` each
edge into an op carries the local derivative d(result)/d(input), so the chain rule can be read
off the picture: a Value's ``grad`` is the sum, over its edges, of the edge's label times the
``grad`` of that op's result. Constants stay out of the graph and appear in the op's label
(``x * 2`` draws an op ``× 2``; ``2 - x`` an op ``2 −``).

Any str can be a label: it is drawn as typed (``&amp;`` shows ``&amp;``, not ``&``), with the
characters XML cannot hold shown as Python escapes (``\\x00``), and cut past 200 characters or
10 lines (``label_text`` says exactly how), so the SVG is always valid XML.

Colours: the output(s) green, parameters (the Values passed as ``params``) orange, other
leaves (inputs) blue, intermediate Values white, ops grey, boxes (``collapse``) purple.

The same graph always gives the same DOT source and, with the same renderer, byte-identical
SVG: node names come from a depth-first traversal from the output (``v0``, ``v1``, ... with
parents before children), never from ``id()``. Rendering uses Graphviz's ``dot`` when it is on
the PATH, else Graphviz compiled to WebAssembly from PyPI (see ``_renderers``).
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _renderers, rules
from ._atomic import write_atomic
from ._grouping import bends as _bends
from ._grouping import boxes, parents_of
from ._grouping import topological as _topological
from ._messages import preview
from ._renderers import RendererNotFoundError, RenderError, label_text, plain_label, record_field
from .engine import Value

if TYPE_CHECKING:
    import graphviz

__all__ = ["RenderError", "RendererNotFoundError", "draw_dot", "label_text", "render", "to_svg"]

FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}
OUTPUT, PARAMETER, INPUT, INTERMEDIATE, OP = "#c8e6c9", "#ffe0b2", "#bbdefb", "#ffffff", "#eeeeee"
BOX = "#e1d5f0"  # a Value drawn as one box for its subgraph (``collapse``)
Root = Value | Iterable[Value]


def draw_dot(root: Root, *, params: Iterable[Value] | None = None,
             collapse: Iterable[Value] | None = None, max_nodes: int = 2000,
             rankdir: str = "LR", fmt: str = "{:.4f}", show_grad: bool = True,
             edge_labels: bool = False, timeout: float | None = 30.0,
             renderer: str | None = None, grads: Mapping[Value, Any] | None = None) -> graphviz.Digraph:
    """The graph of everything ``root`` was computed from, as a ``graphviz.Digraph``.

    In Jupyter the result displays inline (drawn by ``renderer``, as for ``to_svg``); its
    ``source`` is the DOT text. (Its own ``pipe``/``render`` methods are graphviz's: they need
    ``dot`` and have no timeout; this module's ``to_svg``/``render`` fall back and time out.)
    Options:

    - ``params``: Values to colour as parameters, e.g. ``model.parameters()``; other leaves
      are coloured as inputs.
    - ``collapse``: Values to draw each as one box standing for its whole subgraph, back to
      the nearest other listed Values and to the inputs (leaves not in ``params``): e.g. every
      neuron's output, for one box per neuron. The ops and parameters inside are not drawn;
      the box shows the Value's label, data and grad, and what it hides (``18 ops, 17
      parameters``), and an edge (without ``edge_labels``) comes in from each listed Value
      and input it reads. Boxes are purple (the output's green). A node shared by two boxes'
      subgraphs is hidden in both; one that is also used outside any box is drawn there too.
    - ``max_nodes``: refuse drawings with more nodes (Values, boxes and ops drawn): Graphviz's
      layout takes seconds past a few thousand nodes and minutes near ten thousand.
    - ``rankdir``: ``"LR"`` (left to right) or ``"TB"`` (top to bottom).
    - ``fmt``: format string for numbers; ``show_grad``: show each Value's ``grad``;
      ``edge_labels``: label each input edge with its local derivative.
    - ``grads``: the gradient to show for each Value (0 for one it lacks), e.g.
      ``gradients(root)``, instead of the Values' ``.grad``, which stays as it is.
    - ``timeout``: seconds allowed for drawing (at most a day; None: no limit); ``renderer``:
      ``"dot"``, ``"wasm"`` or None
      for the first available.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> g = draw_dot(a * b + a)
    >>> print(g.body[0].strip())  # a Value: a record
    v0 [label="{ a | data 2.0000 | grad 0.0000 }" fillcolor="#bbdefb" shape=record style=filled]
    >>> [line.strip() for line in g.body if "->" in line]  # Values -> op -> result
    ['v0 -> v2op', 'v1 -> v2op', 'v2op -> v2', 'v2 -> v3op', 'v0 -> v3op', 'v3op -> v3']
    >>> h = (a * b).tanh()
    >>> g = draw_dot(h, params=[b], collapse=[h])  # a box for h, reading the input a
    >>> [line.strip() for line in g.body if "->" in line], g.body[1].split('"')[1]
    (['v0 -> v1'], '{ data -1.0000 | grad 0.0000 | 2 ops, 1 parameter }')
    """
    roots = _roots(root)
    param_set = _params(params)
    number = _number_format(fmt)
    _check_choice("rankdir", rankdir, ("LR", "TB"))
    _check_int("max_nodes", max_nodes)
    _check_timeout(timeout)
    for name, flag in (("show_grad", show_grad), ("edge_labels", edge_labels)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be a bool, not {type(flag).__name__}")
    if grads is not None and not isinstance(grads, Mapping):
        raise TypeError(f"grads must be a mapping from Values to numbers, not {type(grads).__name__}")
    _check_choice("renderer", renderer, (None, *_renderers.RENDERERS))

    listed = _values("collapse", collapse)
    found = boxes(listed, param_set)
    parents = parents_of(found)
    nodes = _topological(roots, parents)
    _check_drawn(listed, nodes)
    count = len(nodes) + sum(1 for v in nodes if v.parents and v not in found)
    if count > max_nodes:
        what = f"{count - len(nodes):,} ops" + (f", {len(found):,} boxes" if found else "")
        raise _too_many(f"{count:,} nodes ({len(nodes):,} values and {what}), more than "
                       f"max_nodes={max_nodes}")

    g: Any = _digraph_class()(
        "autograd_mini",
        # Boxes keep the order they were listed in (neuron 1, 2, ...): Graphviz's edge crossing
        # minimization would otherwise shuffle a layer's neurons.
        graph_attr={"rankdir": rankdir, **({"ordering": "out"} if found else {})},
        node_attr={"fontname": "Helvetica", "fontsize": "11"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9", "color": "#606060"})
    size, bends = f"{count:,} nodes", _bends(nodes, parents, found)
    if bends > count:  # said when a render times out
        size += (f" and about {bends:,} bends of long edges, which Graphviz lays out like nodes "
                 "(a sum of values from far apart in the graph makes many)")
    g._draw_with = (renderer, timeout, size)
    outputs = set(roots)
    ids = {v: f"v{i}" for i, v in enumerate(nodes)}
    for v in nodes:
        vid = ids[v]
        fields = [str(v.label)] if v.label else []  # str(): label is a plain slot, assignable
        fields.append(f"data {number(v.data)}")
        if show_grad:
            fields.append(f"grad {number(v.grad if grads is None else grads.get(v, 0.0))}")
        box = found.get(v)
        if box is not None:
            fields.append(box.summary())
        label = "{ " + " | ".join(record_field(f) for f in fields) + " }"
        colour = (OUTPUT if v in outputs else BOX if box else PARAMETER if v in param_set
                  else INPUT if v.is_leaf else INTERMEDIATE)
        g.node(vid, label, shape="record", style="filled,bold" if box else "filled", fillcolor=colour)
        if box is not None:
            for p in box.reads:
                g.edge(ids[p], vid)
        elif v.parents:
            op = vid + "op"
            # Inputs in order where order matters (a - b): Graphviz's ordering=in, which slows
            # layout, so only on those ops.
            ordered = {"ordering": "in"} if not rules.commutes(v.op) and len(v.parents) > 1 else {}
            g.node(op, plain_label(_op_label(v)), shape="box", style="rounded,filled", fillcolor=OP,
                   fontsize="10", width="0", height="0", margin="0.08,0.03", **ordered)
            for p, d in zip(v.parents, v.local_grads):
                g.edge(ids[p], op, label=plain_label(number(d)) if edge_labels else None)
            g.edge(op, vid)
    return g


def to_svg(root: Root, *, params: Iterable[Value] | None = None,
           collapse: Iterable[Value] | None = None, max_nodes: int = 2000,
           rankdir: str = "LR", fmt: str = "{:.4f}", show_grad: bool = True,
           edge_labels: bool = False, timeout: float | None = 30.0,
           renderer: str | None = None) -> str:
    """The graph of ``root`` drawn as SVG text; options as for ``draw_dot``.

    >>> x = Value(3.0, label="x")
    >>> svg = to_svg(x * x)
    >>> svg.startswith("<?xml") and "data 9.0000" in svg
    True
    """
    g = draw_dot(root, params=params, collapse=collapse, max_nodes=max_nodes, rankdir=rankdir, fmt=fmt,
                 show_grad=show_grad, edge_labels=edge_labels, timeout=timeout, renderer=renderer)
    return g._draw("svg").decode("utf-8")


def render(root: Root, path: str | os.PathLike[str], *, params: Iterable[Value] | None = None,
           collapse: Iterable[Value] | None = None, max_nodes: int = 2000, rankdir: str = "LR",
           fmt: str = "{:.4f}", show_grad: bool = True, edge_labels: bool = False,
           timeout: float | None = 30.0, renderer: str | None = None) -> Path:
    """Draw the graph of ``root`` into ``path`` (``.svg``, or ``.png``/``.pdf`` with Graphviz's
    ``dot``), atomically; options as for ``draw_dot``. Returns the path written.

    >>> import tempfile
    >>> y = (Value(0.5, label="x") * 2).tanh()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     render(y, Path(tmp) / "y.svg").read_text().count("data ")
    3
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or path, not {type(path).__name__}")
    target = Path(path)
    fmt_name = FORMATS.get(target.suffix.lower())
    if fmt_name is None:
        raise ValueError(f"path must end in .svg, .png or .pdf, not {target.name!r}")
    g = draw_dot(root, params=params, collapse=collapse, max_nodes=max_nodes, rankdir=rankdir, fmt=fmt,
                 show_grad=show_grad, edge_labels=edge_labels, timeout=timeout, renderer=renderer)
    write_atomic(target, g._draw(fmt_name))
    return target


# -- the labels -----------------------------------------------------------------------------------
def _op_label(v: Value) -> str:
    """The op's symbol, with its constant operands: ``× 2`` for ``x * 2``, ``2 −`` for ``2 - x``."""
    symbol = rules.label(v.op)  # the row's symbol: × for *, Σ for sum
    operands = v.operands
    constants = [x for x in operands if not isinstance(x, Value)]
    if not constants:
        return symbol
    if v.op == "sum":
        return f"{symbol} + {_constant(math.fsum(constants))}"
    return f"{symbol} {_constant(constants[0])}" if isinstance(operands[0], Value) \
        else f"{_constant(constants[0])} {symbol}"


def _constant(c: float) -> str:
    text = repr(float(c))
    return text[:-2] if text.endswith(".0") else text


# -- checking the options ----------------------------------------------------------------------
def _roots(root: Any) -> list[Value]:
    if isinstance(root, Value):
        return [root]
    if isinstance(root, (str, bytes)) or not isinstance(root, Iterable):
        raise TypeError(f"root must be a Value or a list of Values, not {type(root).__name__}")
    roots = list(root)
    if not roots:
        raise ValueError("root must be a Value or a non-empty list of Values, not an empty list")
    for r in roots:
        if not isinstance(r, Value):
            raise TypeError(
                f"root must be a Value or a list of Values, not a list holding {type(r).__name__}")
    return roots


def _params(params: Any) -> set[Value]:
    return set(_values("params", params))


def _values(name: str, values: Any) -> list[Value]:
    """The Values of option ``name`` (None: none), in order, each once."""
    if values is None:
        return []
    if isinstance(values, Value) or not isinstance(values, Iterable):
        raise TypeError(f"{name} must be an iterable of Values, not {type(values).__name__}")
    found = list(values)  # checked before hashing: an unhashable item would raise less clearly
    for v in found:
        if not isinstance(v, Value):
            raise TypeError(f"{name} must hold Values, not {type(v).__name__}")
    return list(dict.fromkeys(found))


def _too_many(size: str) -> ValueError:
    """The error for a drawing of ``size`` (``2,001 nodes (...), more than max_nodes=2000``)."""
    return ValueError(
        f"the drawing has {size}: Graphviz takes seconds to minutes to lay out graphs of "
        "several thousand nodes. Draw a smaller graph (e.g. the loss of one sample, not of a "
        "batch), draw parts as boxes (collapse=, e.g. every neuron's output), or pass a larger "
        "max_nodes.")


def _check_drawn(listed: list[Value], nodes: list[Value]) -> None:
    """Every Value to collapse is in the drawing: one that is not was likely made by another
    forward pass (a box per neuron of yesterday's graph), and would silently draw nothing."""
    drawn = set(nodes)
    stray = [v for v in listed if v not in drawn]
    if stray:
        raise ValueError(
            f"collapse must hold Values that root was computed from; {len(stray):,} of its "
            f"{len(listed):,} are not (from another forward pass?): {preview(stray, 300)}")


def _number_format(fmt: Any) -> Any:
    """A function formatting a float (or a Value's data) with the format string ``fmt``."""
    if not isinstance(fmt, str):
        raise TypeError(f"fmt must be a format string such as '{{:.4f}}', not {type(fmt).__name__}")
    try:  # 1 and -3 differ in every numeric format, even '{:.0f}' (which rounds 1.5 and 2.5 alike)
        varies = fmt.format(1.0) != fmt.format(-3.0)
    except (IndexError, KeyError, ValueError, TypeError):
        varies = False
    if not varies:
        raise ValueError(f"fmt must format one number, such as '{{:.4f}}' or '{{:.3g}}', not {fmt!r}")
    return lambda x: fmt.format(x.data if isinstance(x, Value) else x)


def _check_choice(name: str, value: Any, choices: tuple[str | None, ...]) -> None:
    """``value`` is one of ``choices``: else TypeError if it is not a str (or None), ValueError."""
    if value in choices:
        return
    expected = ", ".join(repr(c) for c in choices[:-1]) + f" or {choices[-1]!r}"
    if not isinstance(value, str):
        raise TypeError(f"{name} must be {expected}, not {type(value).__name__}")
    raise ValueError(f"{name} must be {expected}, not {value!r}")


def _check_int(name: str, n: Any) -> None:
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"{name} must be an int, not {type(n).__name__}")
    if n < 1:
        raise ValueError(f"{name} must be at least 1, not {n}")


def _check_timeout(timeout: Any) -> None:
    if timeout is None:
        return
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool):
        raise TypeError(f"timeout must be a number of seconds or None, not {type(timeout).__name__}")
    if not 0 < timeout <= _renderers.MAX_TIMEOUT:  # a longer one overflows the timers
        raise ValueError(f"timeout must be a number of seconds above 0 and at most "
                         f"{_renderers.MAX_TIMEOUT:.0f} (a day), or None for no limit, not {timeout}")


@functools.cache
def _digraph_class() -> type:
    """``graphviz.Digraph``, made to display in Jupyter with whichever renderer is installed."""
    try:
        import graphviz
    except ImportError as exc:
        hint = 'pip install "autograd_mini[viz]"'
        if not _renderers.wasm_supported() and _renderers.find_dot() is None:
            hint += (f", and install {_renderers.GET_DOT}: on Python 3.10 the extra has no "
                     "renderer (its WebAssembly one needs Python 3.11 or newer)")
        raise RendererNotFoundError(f"drawing graphs needs the graphviz package: {hint}") from exc

    class Digraph(graphviz.Digraph):
        _draw_with: tuple[str | None, float | None, str] = (None, 30.0, "")  # renderer, timeout, size

        def _draw(self, fmt: str) -> bytes:
            renderer, timeout, size = self._draw_with
            try:
                return _renderers.run(self.source, fmt, _renderers.choose(renderer, fmt), timeout)
            except TimeoutError as exc:
                raise TimeoutError(f"{exc}: the graph has {size}. Draw a smaller graph, or pass a "
                                   "longer timeout") from None

        def _repr_image_svg_xml(self) -> str:  # what Jupyter displays
            return self._draw("svg").decode("utf-8")

    Digraph.__module__ = __name__
    return Digraph
