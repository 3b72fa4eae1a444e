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
leaves (inputs) blue, intermediate Values white, ops grey.

The same graph always gives the same DOT source and, with the same renderer, byte-identical
SVG: node names come from a depth-first traversal from the output (``v0``, ``v1``, ... with
parents before children), never from ``id()``. Rendering uses Graphviz's ``dot`` when it is on
the PATH, else Graphviz compiled to WebAssembly from PyPI (see ``_renderers``).
"""

from __future__ import annotations

import functools
import math
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _renderers
from ._atomic import write_atomic
from ._renderers import RendererNotFoundError, RenderError
from .engine import Value

if TYPE_CHECKING:
    import graphviz

__all__ = ["RenderError", "RendererNotFoundError", "draw_dot", "label_text", "render", "to_svg"]

FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}
OUTPUT, PARAMETER, INPUT, INTERMEDIATE, OP = "#c8e6c9", "#ffe0b2", "#bbdefb", "#ffffff", "#eeeeee"
_SYMBOLS = {"-": "−", "*": "×", "/": "÷", "**": "^", "neg": "−x", "abs": "|x|", "sum": "Σ"}
_ORDERED = frozenset({"-", "/", "**"})  # binary ops that are not commutative
#: The most characters, and lines, drawn of a label: a longer one is cut and ends in "…".
LABEL_WIDTH, LABEL_LINES = 200, 10
# Characters XML 1.0 cannot hold (C0 controls but tab and line breaks, surrogates, U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Graphviz decodes &entities; in every label, so & is written &amp; to show what was typed.
_RECORD_SPECIAL = str.maketrans({c: "\\" + c for c in '\\{}|<>"'} | {"&": "&amp;", "\n": "\\n"})
_PLAIN_SPECIAL = str.maketrans({"\\": "\\\\", '"': '\\"', "&": "&amp;", "\n": "\\n"})

Root = Value | Iterable[Value]


def draw_dot(root: Root, *, params: Iterable[Value] | None = None, max_nodes: int = 2000,
             rankdir: str = "LR", fmt: str = "{:.4f}", show_grad: bool = True,
             edge_labels: bool = False, timeout: float | None = 30.0,
             renderer: str | None = None) -> graphviz.Digraph:
    """The graph of everything ``root`` was computed from, as a ``graphviz.Digraph``.

    In Jupyter the result displays inline (drawn by ``renderer``, as for ``to_svg``); its
    ``source`` is the DOT text. (Its own ``pipe``/``render`` methods are graphviz's: they need
    ``dot`` and have no timeout; this module's ``to_svg``/``render`` fall back and time out.)
    Options:

    - ``params``: Values to colour as parameters, e.g. ``model.parameters()``; other leaves
      are coloured as inputs.
    - ``max_nodes``: refuse graphs with more nodes (Values plus ops): Graphviz's layout takes
      seconds past a few thousand nodes and minutes near ten thousand.
    - ``rankdir``: ``"LR"`` (left to right) or ``"TB"`` (top to bottom).
    - ``fmt``: format string for numbers; ``show_grad``: show each Value's ``grad``;
      ``edge_labels``: label each input edge with its local derivative.
    - ``timeout``: seconds allowed for drawing; ``renderer``: ``"dot"``, ``"wasm"`` or None
      for the first available.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> g = draw_dot(a * b + a)
    >>> print(g.body[0].strip())  # a Value: a record
    v0 [label="{ a | data 2.0000 | grad 0.0000 }" fillcolor="#bbdefb" shape=record style=filled]
    >>> [line.strip() for line in g.body if "->" in line]  # Values -> op -> result
    ['v0 -> v2op', 'v1 -> v2op', 'v2op -> v2', 'v2 -> v3op', 'v0 -> v3op', 'v3op -> v3']
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
    _check_choice("renderer", renderer, (None, *_renderers.RENDERERS))

    nodes = _topological(roots)
    count = len(nodes) + sum(1 for v in nodes if v.parents)
    if count > max_nodes:
        raise ValueError(
            f"the graph has {count:,} nodes ({len(nodes):,} values and {count - len(nodes):,} ops), "
            f"more than max_nodes={max_nodes}: Graphviz takes seconds to minutes to lay out graphs "
            "of several thousand nodes. Draw a smaller graph (e.g. the loss of one sample, not of "
            "a batch) or pass a larger max_nodes.")

    g: Any = _digraph_class()(
        "autograd_mini",
        graph_attr={"rankdir": rankdir},
        node_attr={"fontname": "Helvetica", "fontsize": "11"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9", "color": "#606060"})
    size, bends = f"{count:,} nodes", _bends(nodes)
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
            fields.append(f"grad {number(v.grad)}")
        label = "{ " + " | ".join(_record_field(f) for f in fields) + " }"
        colour = (OUTPUT if v in outputs else PARAMETER if v in param_set
                  else INPUT if v.is_leaf else INTERMEDIATE)
        g.node(vid, label, shape="record", style="filled", fillcolor=colour)
        if v.parents:
            op = vid + "op"
            # Inputs in order where order matters (a - b): Graphviz's ordering=in, which slows
            # layout, so only on those ops.
            ordered = {"ordering": "in"} if v.op in _ORDERED and len(v.parents) > 1 else {}
            g.node(op, _plain(_op_label(v)), shape="box", style="rounded,filled", fillcolor=OP,
                   fontsize="10", width="0", height="0", margin="0.08,0.03", **ordered)
            for p, d in zip(v.parents, v.local_grads):
                g.edge(ids[p], op, label=_plain(number(d)) if edge_labels else None)
            g.edge(op, vid)
    return g


def to_svg(root: Root, *, params: Iterable[Value] | None = None, max_nodes: int = 2000,
           rankdir: str = "LR", fmt: str = "{:.4f}", show_grad: bool = True,
           edge_labels: bool = False, timeout: float | None = 30.0,
           renderer: str | None = None) -> str:
    """The graph of ``root`` drawn as SVG text; options as for ``draw_dot``.

    >>> x = Value(3.0, label="x")
    >>> svg = to_svg(x * x)
    >>> svg.startswith("<?xml") and "data 9.0000" in svg
    True
    """
    g = draw_dot(root, params=params, max_nodes=max_nodes, rankdir=rankdir, fmt=fmt,
                 show_grad=show_grad, edge_labels=edge_labels, timeout=timeout, renderer=renderer)
    return g._draw("svg").decode("utf-8")


def render(root: Root, path: str | os.PathLike[str], *, params: Iterable[Value] | None = None,
           max_nodes: int = 2000, rankdir: str = "LR", fmt: str = "{:.4f}",
           show_grad: bool = True, edge_labels: bool = False, timeout: float | None = 30.0,
           renderer: str | None = None) -> Path:
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
    g = draw_dot(root, params=params, max_nodes=max_nodes, rankdir=rankdir, fmt=fmt,
                 show_grad=show_grad, edge_labels=edge_labels, timeout=timeout, renderer=renderer)
    write_atomic(target, g._draw(fmt_name))
    return target


# -- the graph ------------------------------------------------------------------------------------
def _topological(roots: list[Value]) -> list[Value]:
    """Every Value reachable from ``roots``, parents before children, in a fixed order: a
    depth-first search from each root in turn, visiting parents in order (no recursion).

    Not ``engine.topological_order``: that one leaves out the leaves, which a drawing needs,
    takes one root, and visits parents last-first; here parents are visited as written, so the
    node names (``v0``, ``v1``, ...) read left to right as the expression does."""
    order: list[Value] = []
    seen: set[Value] = set()
    for root in roots:
        stack = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
            elif node not in seen:
                seen.add(node)
                stack.append((node, True))
                stack.extend((p, False) for p in reversed(node.parents) if p not in seen)
    return order


def _bends(nodes: list[Value]) -> int:
    """About how many virtual nodes Graphviz's dot adds to route edges that span several ranks.

    Its layout time grows with them as with real nodes: 600 nodes whose last op sums 300 Values
    from all over the graph lay out like 13,000. Ranks here are longest paths from the leaves
    (an op one rank before its result), each leaf placed just before its first use.
    """
    rank: dict[Value, int] = {}
    for v in nodes:  # parents come first
        rank[v] = max(rank[p] for p in v.parents) + 2 if v.parents else 0
    leaf_rank: dict[Value, int] = {}
    for v in nodes:
        for p in v.parents:
            if p.is_leaf:
                leaf_rank[p] = min(leaf_rank.get(p, rank[v]), rank[v] - 2)
    rank.update(leaf_rank)
    return sum(rank[v] - 2 - rank[p] for v in nodes for p in v.parents)


def _op_label(v: Value) -> str:
    """The op's symbol, with its constant operands: ``× 2`` for ``x * 2``, ``2 −`` for ``2 - x``."""
    symbol = _SYMBOLS.get(v.op, v.op)
    operands = v.operands
    constants = [x for x in operands if not isinstance(x, Value)]
    if not constants:
        return symbol
    if v.op == "sum":
        return f"{symbol} + {_constant(math.fsum(constants))}"
    return f"{symbol} {_constant(constants[0])}" if isinstance(operands[0], Value) \
        else f"{_constant(constants[0])} {symbol}"


def label_text(label: str) -> str:
    """The text drawn for ``label``: any str, turned into text that Graphviz draws as it is and
    that SVG (XML) can hold.

    - Characters XML cannot hold (controls other than tab and line breaks, lone surrogates,
      U+FFFE, U+FFFF) are shown as Python writes them: ``"\\x00"``, ``"\\ud800"``.
    - ``\\n``, ``\\r\\n`` and ``\\r`` break lines; a tab is a space, and within each line runs of
      spaces are shown as one and the ends trimmed, as Graphviz's records show them anyway.
    - Past ``LABEL_WIDTH`` (200) characters or ``LABEL_LINES`` (10) lines the label is cut and
      ends in "…", so a huge label cannot make a huge picture.

    >>> label_text("w\\x00  1\\r\\nbias")
    'w\\\\x00 1\\nbias'
    >>> len(label_text("x" * 10_000))
    200
    """
    size = 8 * LABEL_WIDTH  # the text of a prefix starts the text of the whole: read no more
    while True:               # of a huge label than is shown
        part = _NOT_XML.sub(lambda m: repr(m.group())[1:-1], label[:size])
        lines = re.split("\r\n|\r|\n", part, maxsplit=LABEL_LINES)
        cut = len(lines) > LABEL_LINES
        text = "\n".join(re.sub("[ \t]+", " ", line).strip(" ") for line in lines[:LABEL_LINES])
        if cut or len(text) > LABEL_WIDTH or size >= len(label):
            break
        size *= 8
    if len(text) > LABEL_WIDTH:
        text, cut = text[:LABEL_WIDTH - 1], True
    return text + "…" if cut else text


def _record_field(text: str) -> str:
    """``label_text(text)`` written as one field of a record label, to be drawn as it reads.

    Record syntax (``{ } | < > " \\``) is escaped, ``&`` written ``&amp;`` (Graphviz decodes
    entities in labels), and a field starting with a non-ASCII character gets a backslash before
    it: Graphviz 2.43 (Debian's and Ubuntu's) otherwise drops the spaces after it (``é x``
    is drawn ``éx``)."""
    field = label_text(text).translate(_RECORD_SPECIAL)
    return "\\" + field if field and not field[0].isascii() else field


def _plain(text: str) -> str:
    """``label_text(text)`` written as a plain (not record) label: an op's or an edge's."""
    return label_text(text).translate(_PLAIN_SPECIAL)


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
    if params is None:
        return set()
    if not isinstance(params, Iterable):
        raise TypeError(f"params must be an iterable of Values, not {type(params).__name__}")
    found = list(params)  # checked before hashing: an unhashable item would raise less clearly
    for p in found:
        if not isinstance(p, Value):
            raise TypeError(f"params must hold Values, not {type(p).__name__}")
    return set(found)


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
    if not 0 < timeout < math.inf:  # an infinite timeout overflows the timers: None means none
        raise ValueError(f"timeout must be a positive, finite number of seconds or None, not {timeout}")


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
