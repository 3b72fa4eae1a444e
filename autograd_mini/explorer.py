"""The backprop explorer: ``explore(root)`` writes one HTML page that steps through the chain rule.

The page shows the graph of ``root`` as ``draw_dot`` lays it out (Graphviz's ``dot``, or Graphviz
in WebAssembly), and adds the interaction in plain JavaScript (``_explorer.js``, inline): the
forward pass one node at a time in topological order, then the backward pass one node at a
time in reverse topological order, each step with its equation in numbers::

    w1.grad += x1.data × n.grad = 2.0000 × 0.5000 = 1.0000

a node's ``grad`` being the sum, over its outgoing edges, of the edge's local derivative times
the ``grad`` of the result it leads to. A node's details (hover or click) show its data, grad,
op, the local derivative on each input edge and the op's row of the rule table; a quiz mode
hides the grads and asks for each. Everything is computed here, in Python, with the engine's
own numbers: the page only shows them, so what it says is what ``backward()`` computes.

A big graph (one sample through an MLP: about 1,000 nodes) reads best with one box per neuron
(``collapse=``, as for ``draw_dot``): the page then opens on that view, whose edges carry the
derivative of a box's value with respect to what it reads through its hidden ops, and a click
on a box shows the full graph around it, if that has at most ``max_nodes`` nodes (else the
boxes are the only view).

The page needs no network (all its script, style and drawings are inline) and the same graph
gives a byte-identical file.
"""

from __future__ import annotations

import ast
import hashlib
import html
import json
import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import _renderers, rules
from ._atomic import write_atomic
from ._grouping import PARENTS, Box, boxes, count, parents_of, topological
from ._renderers import label_text, plain_label, record_field
from .engine import Value, gradients
from .viz import (
    BOX,
    INPUT,
    INTERMEDIATE,
    OP,
    PARAMETER,
    _check_int,
    _check_timeout,
    _op_label,
    _too_many,
    _values,
    draw_dot,
)

__all__ = ["Explorer", "explore"]

ASSET = Path(__file__).with_name("_explorer.js")
STYLE = Path(__file__).with_name("_explorer.css")
FMT = "{:.4f}"
#: The most terms an equation lists; a node used more often than this shows the sum of the rest.
TERMS = 12
#: The largest full graph whose edges are labelled with their local derivatives.
EDGE_LABELS = 200
#: What would end a <script> element holding an SVG, or change how its text is read.
_RAW_END = re.compile(r"</script|<!--", re.IGNORECASE)
#: The most characters of a label used as a node's name in equations.
NAME_WIDTH = 24


@dataclass
class Explorer:
    """An explorer page: ``html`` (the whole file), ``path`` (where it was written, or None),
    ``data`` (what the page shows, as JSON-ready dicts) and ``ids`` (each Value's id in it: the
    page marks each node's element ``data-node="<id>"``). Displays inline in Jupyter."""

    html: str
    data: dict[str, Any]
    ids: dict[Value, str] = field(repr=False)
    path: Path | None = None

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path`` atomically; return the path."""
        target = Path(os.fspath(path))
        write_atomic(target, self.html.encode("utf-8"))
        self.path = target
        return target

    def _repr_html_(self) -> str:
        # In a frame: the page's script and style cannot touch the notebook's, nor its own
        # element ids clash with another explorer's in the same notebook.
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" style="width: 100%; '
                'height: 640px; border: 1px solid #ccc" sandbox="allow-scripts"></iframe>')


def explore(root: Value, path: str | os.PathLike[str] | None = None, *,
            params: Iterable[Value] | None = None, title: str | None = None,
            collapse: Iterable[Value] | None = None, max_nodes: int = 2000,
            renderer: str | None = None, timeout: float | None = 60.0) -> Explorer:
    """A page to step through the forward and backward pass of ``root``; written to ``path``
    (an ``.html`` file) if given.

    - ``params``: Values drawn as parameters (e.g. ``model.parameters()``), as for ``draw_dot``.
    - ``title``: the page's title (default: ``Backprop explorer: <root's label>``).
    - ``collapse``: Values to show as one box each (every neuron's output): see the module
      docstring. Without it, a graph of more than ``max_nodes`` nodes is refused.
    - ``renderer``, ``timeout``: as for ``draw_dot``.

    The gradients shown are ``gradients(root)``: ``explore`` needs no ``backward()`` first,
    and leaves every ``grad`` as it was.

    >>> x, w = Value(2.0, label="x"), Value(-0.5, label="w")
    >>> page = explore((w * x).tanh(), params=[w])
    >>> page.html.startswith("<!DOCTYPE html>"), len(page.data["nodes"])
    (True, 4)
    >>> page.data["nodes"][3]["rule"]
    'd tanh(a)/da = 1 − out²'
    """
    if not isinstance(root, Value):
        raise TypeError(f"root must be a Value, not {type(root).__name__}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a str or None, not {type(title).__name__}")
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or path, not {type(path).__name__}")
    param_list = _values("params", params)
    listed = _values("collapse", collapse)
    _check_int("max_nodes", max_nodes)
    _check_timeout(timeout)
    # Refused before anything is computed (gradients, names and equations take about 0.5 ms a
    # node): a count that stops past max_nodes.
    if not listed and count([root], max_nodes) > max_nodes:
        raise _too_many(f"more than max_nodes={max_nodes} nodes (values and ops)")
    data, ids = graph_data(root, param_list, listed, max_nodes=max_nodes, renderer=renderer,
                           timeout=timeout)
    name = data["nodes"][-1]["n"]
    text = page(title if title is not None else f"Backprop explorer: {name}", {"graph": data})
    explorer = Explorer(text, data, ids)
    if path is not None:
        explorer.save(path)
    return explorer


# -- what the page shows ---------------------------------------------------------------------------
def graph_data(root: Value, params: list[Value], listed: list[Value], *, max_nodes: int = 2000,
               renderer: str | None = None,
               timeout: float | None = 60.0) -> tuple[dict[str, Any], dict[Value, str]]:
    """The graph part of an explorer page as JSON-ready data, and each Value's id in it.

    ``nodes``: every Value, parents first (``v<i>`` is ``nodes[i]``), with its numbers as the
    page shows them, its forward equation and the local derivative on each input edge.
    ``views``: the drawings, each with its SVG, the id of each of its nodes and the terms of
    each node's backward equation (boxes first, if any, then the full graph)."""
    grads = gradients(root)
    nodes = topological([root])
    index = {v: i for i, v in enumerate(nodes)}
    param_set = set(params)
    names = [_name(v, i) for i, v in enumerate(nodes)]
    entries = [_node_entry(v, names, index, grads, root, param_set) for v in nodes]

    views: list[dict[str, Any]] = []
    found = boxes(listed, param_set)
    is_listed = set(listed)
    draw: dict[str, Any] = {"params": params, "renderer": renderer, "timeout": timeout}
    view = _View(names, index, grads, root)
    if listed:
        shown = topological([root], parents_of(found))
        svg = _svg(root, shown, grads, collapse=listed, max_nodes=10**9, **draw)
        views.append(view("neurons", svg, shown, parents_of(found), found, is_listed, param_set))
        for top in found:  # the inside of each box, on its own
            inside = _inside(top, is_listed)
            shown = topological([top], inside)
            svg = _svg_inside(top, shown, inside, grads, param_set, is_listed, renderer, timeout)
            views.append(view("box", svg, shown, inside, {}, is_listed, param_set, top=top))
    ops = sum(1 for v in nodes if v.parents)
    if not listed or len(nodes) + ops <= max_nodes:
        svg = _svg(root, nodes, grads, collapse=[], max_nodes=max_nodes, **draw)
        views.append(view("graph", svg, nodes, PARENTS, {}, is_listed, param_set))
    data = {"nodes": entries, "views": views, "root": index[root],
            "full": None if not listed or views[-1]["kind"] == "graph" else
            f"the full graph has {len(nodes) + ops:,} nodes, more than max_nodes={max_nodes}"}
    return data, {v: f"v{i}" for i, v in enumerate(nodes)}


def _name(v: Value, i: int) -> str:
    """How equations name a Value: its label (cut), else its id."""
    text = label_text(str(v.label)).replace("\n", " ") if v.label else ""
    if not text:
        return f"v{i}"
    return text if len(text) <= NAME_WIDTH else text[:NAME_WIDTH - 1] + "…"


def _node_entry(v: Value, names: list[str], index: dict[Value, int], grads: dict[Value, Any],
                root: Value, params: set[Value]) -> dict[str, Any]:
    i = index[v]
    grad = grads.get(v, 0.0)
    kind = "out" if v is root else "param" if v in params else "input" if v.is_leaf else "value"
    entry: dict[str, Any] = {"n": names[i], "l": label_text(str(v.label)) if v.label else "",
                             "k": kind, "d": _fmt(v.data), "g": _fmt(grad), "x": _raw(grad)}
    if not v.parents:
        return entry
    entry["op"] = _op_label(v)
    entry["rule"], formulas = _rule(v)
    rule = rules.BY_NAME.get(v.op)
    if rule is not None and rule.doc:  # the row's own words: d/da = b * a**(b-1) for dpow_base
        entry["doc"] = rule.doc.split(". ")[0]
    entry["fw"] = _forward(v, names, index)
    edges = zip(v.parents, formulas(names, index), v.local_grads)
    entry["in"] = [[index[p], f, _fmt(d)] for p, f, d in edges]
    return entry


@dataclass
class _View:
    """Makes the data of one drawing: its SVG, the id of each node drawn (in the drawing's own
    order, ``v0``, ``v1``, ...), the order of its steps and each node's backward equation."""

    names: list[str]
    index: dict[Value, int]
    grads: dict[Value, Any]
    root: Value

    def __call__(self, kind: str, svg: str, shown: list[Value], parents: Any, found: dict[Value, Box],
                 listed: set[Value], params: set[Value], top: Value | None = None) -> dict[str, Any]:
        names, index = self.names, self.index
        local: dict[Value, list[tuple[Value, str, float]]] = {}  # each node's inputs as drawn
        for v in shown:
            if v in found:
                partial = _box_partials(v, listed)
                local[v] = [(p, f"∂{names[index[v]]}/∂{names[index[p]]}", partial[p]) for p in found[v].reads]
            elif parents(v):
                local[v] = list(zip(v.parents, _rule(v)[1](names, index), v.local_grads))
        uses: dict[Value, list[tuple[Value, str, float]]] = {v: [] for v in shown}
        for c in shown:
            for p, formula, d in local.get(c, ()):
                uses[p].append((c, formula, d))
        # Inside a box, the backward pass starts from the box's grad, found in the boxes' view,
        # and reaches what the box hides: not what it reads, which other boxes read too.
        hidden = set(shown) if top is None else {v for v in shown if v is not top and (
            parents(v) or v in params) and v not in listed}
        steps = [v for v in reversed(shown) if v in hidden]
        view: dict[str, Any] = {
            "kind": kind, "svg": svg, "names": [index[v] for v in shown],
            "fwd": [index[v] for v in shown if parents(v)], "bwd": [index[v] for v in steps],
            "back": {str(index[v]): self.backward_terms(v, uses[v]) for v in steps}}
        if top is not None:
            view["box"] = index[top]
        if found:
            view["boxes"] = {
                str(index[v]): {"s": box.summary(), "hide": _hidden(v, listed, params, index),
                                "in": [[index[p], f, _fmt(d)] for p, f, d in local[v]],
                                "fw": f"{names[index[v]]}.data = ({box.summary()} on "
                                      f"{_list(names[index[p]] for p in box.reads)}) = {_fmt(v.data)}"}
                for v, box in found.items()}
        return view

    def backward_terms(self, v: Value, uses: list[tuple[Value, str, float]]) -> dict[str, Any]:
        """The terms of ``v.grad = Σ local × upstream`` over the edges out of ``v`` as drawn."""
        grads, index = self.grads, self.index
        total = grads.get(v, 0.0)
        if v is self.root:
            return {"t": [], "sum": _fmt(total), "seed": True}
        terms = [[index[c], f, _fmt(d), _fmt(grads.get(c, 0.0)), _fmt(d * grads.get(c, 0.0))]
                 for c, f, d in uses]
        entry: dict[str, Any] = {"t": terms[:TERMS], "sum": _fmt(total)}
        if len(terms) > TERMS:
            entry["more"] = len(terms) - TERMS
        drawn = math.fsum(d * grads.get(c, 0.0) for c, _, d in uses)
        if math.isfinite(drawn) and math.isfinite(total) and abs(drawn - total) > 1e-9 * max(1.0, abs(total)):
            entry["note"] = (f"the edges drawn give {_fmt(drawn)}; the other {_fmt(total - drawn)} comes "
                             "through uses that this drawing does not show")
        return entry


def _box_partials(top: Value, listed: set[Value]) -> dict[Value, float]:
    """d top/d r for each Value r that ``top``'s box reads, holding the other reads fixed: the
    backward pass run inside the box only (it stops at listed Values and at leaves)."""
    inside = _inside(top, listed)
    adjoint: dict[Value, float] = {top: 1.0}
    for v in reversed(topological([top], inside)):
        g = adjoint.get(v, 0.0)
        for p, d in zip(inside(v), v.local_grads if inside(v) else ()):
            adjoint[p] = adjoint.get(p, 0.0) + d * g
    return adjoint


def _inside(top: Value, listed: set[Value]) -> Any:
    """A Value's parents inside ``top``'s box: none for what the box reads, or hides as a leaf."""
    return lambda v: v.parents if v is top or not (v in listed or v.is_leaf) else ()


def _hidden(top: Value, listed: set[Value], params: set[Value], index: dict[Value, int]) -> list[int]:
    """The ids of the Values a box hides: its ops' results and parameters, itself included."""
    inside = _inside(top, listed)
    return [index[v] for v in topological([top], inside)
            if v is top or not (v in listed or (v.is_leaf and v not in params))]


def _svg(root: Value, shown: list[Value], grads: dict[Value, Any], *, params: list[Value],
         collapse: list[Value], max_nodes: int, renderer: str | None, timeout: float | None) -> str:
    """``draw_dot``'s drawing, with each Value showing its final grad, so that each box is laid
    out wide enough for the numbers the page fills in."""
    labels = not collapse and len(shown) <= EDGE_LABELS
    g: Any = draw_dot(root, params=params, collapse=collapse or None, edge_labels=labels,
                      max_nodes=max_nodes, renderer=renderer, timeout=timeout, grads=grads)
    return _inline(g._draw("svg").decode("utf-8"))


def _svg_inside(top: Value, shown: list[Value], inside: Any, grads: dict[Value, Any], params: set[Value],
                listed: set[Value], renderer: str | None, timeout: float | None) -> str:
    """The inside of ``top``'s box: its ops and parameters, what it reads as plain nodes, each
    edge labelled with its local derivative; drawn as ``draw_dot`` draws, with node names
    ``v0``, ``v1``, ... in the order of ``shown``."""
    ids = {v: f"v{i}" for i, v in enumerate(shown)}
    lines = ["digraph autograd_mini {", "graph [rankdir=LR]", "node [fontname=Helvetica fontsize=11]",
             'edge [color="#606060" fontname=Helvetica fontsize=9]']
    for v in shown:
        fields = ([str(v.label)] if v.label else []) + [f"data {_fmt(v.data)}",
                                                         f"grad {_fmt(grads.get(v, 0.0))}"]
        colour = (BOX if v is top or v in listed else PARAMETER if v in params else INPUT if v.is_leaf
                  else INTERMEDIATE)
        label = "{ " + " | ".join(record_field(f) for f in fields) + " }"
        style = "filled,bold" if v is top else "filled"
        lines.append(f'{ids[v]} [label="{label}" fillcolor="{colour}" shape=record style="{style}"]')
        if inside(v):
            op = ids[v] + "op"
            lines.append(f'{op} [label="{plain_label(_op_label(v))}" fillcolor="{OP}" fontsize=10 height=0 '
                         'margin="0.08,0.03" shape=box style="rounded,filled" width=0]')
            for p, d in zip(v.parents, v.local_grads):
                lines.append(f'{ids[p]} -> {op} [label="{plain_label(_fmt(d))}"]')
            lines.append(f"{op} -> {ids[v]}")
    lines.append("}")
    source = "\n".join(lines)
    return _inline(_renderers.run(source, "svg", _renderers.choose(renderer, "svg"), timeout).decode("utf-8"))


def _inline(svg: str) -> str:
    """An SVG file as an element to put into a page: no XML declaration, doctype or comments."""
    svg = svg[svg.index("<svg"):]
    return re.sub(r"<!--.*?-->\n?", "", svg, flags=re.DOTALL)


# -- equations -------------------------------------------------------------------------------------
def _rule(v: Value) -> tuple[str, Any]:
    """The op's formula from the table (``d tanh(a)/da = 1 − out²``) and a function giving the
    formula of each input edge's local derivative in the graph's names (``1 − o.data²``)."""
    op = v.op
    if op == rules.SUM:
        return "d(a₁ + … + aₙ)/daᵢ = 1", lambda names, index: ["1"] * len(v.parents)
    rule = rules.BY_NAME.get(op)
    if rule is None:  # an op of defop's: its derivatives are Python code, not formulas
        return (f"{op}: an op defined with defop, its derivatives computed by its grads function",
                lambda names, index: [f"d{names[index[v]]}/d{names[index[p]]}" for p in v.parents])
    variables = ["a", "b"][:rule.arity]
    shown = _pretty(rule.forward, {})
    shown = f"({shown})" if " " in shown and not re.fullmatch(r"\w+\(.*\)", shown) else shown
    text = "; ".join(f"d{'' if shown.startswith('(') else ' '}{shown}/d{a} = {_pretty(g, {})}"
                     for a, g in zip(variables, rule.grads))

    def formulas(names: list[str], index: dict[Value, int]) -> list[str]:
        operands = v.operands
        where = _where(v, rule, names, index)
        positions = [k for k, x in enumerate(operands) if isinstance(x, Value)]
        return [_pretty(rule.grads[0 if rule.param else k], where) for k in positions]

    return text, formulas


def _where(v: Value, rule: rules.Rule, names: list[str], index: dict[Value, int]) -> dict[str, str]:
    """What each name of a rule's formulas stands for at node ``v``: ``a`` is ``x1.data``, ..."""
    operands = v.operands
    where = {"out": f"{names[index[v]]}.data"}
    for name, x in zip(["a", "b"], operands):
        where[name] = f"{names[index[x]]}.data" if isinstance(x, Value) else _constant(x)
    if rule.param is not None:
        where[rule.param[0]] = _constant(operands[1]) if len(operands) > 1 else _constant(rule.param[1])
    return where


def _forward(v: Value, names: list[str], index: dict[Value, int]) -> str:
    """``n.data = x1.data × w1.data = 2.0000 × -3.0000 = -6.0000``."""
    me = f"{names[index[v]]}.data"
    operands = v.operands
    rule = rules.BY_NAME.get(v.op)
    if v.op == rules.SUM:
        shown = list(operands[:6])
        more = f" + … ({len(operands) - 6:,} more)" if len(operands) > 6 else ""
        symbolic = " + ".join(f"{names[index[x]]}.data" if isinstance(x, Value) else _constant(x)
                              for x in shown) + more
        numeric = " + ".join(_fmt(x.data) if isinstance(x, Value) else _constant(x) for x in shown) + more
    elif rule is None:
        args = ", ".join(f"{names[index[x]]}.data" if isinstance(x, Value) else _constant(x)
                         for x in operands)
        vals = ", ".join(_fmt(x.data) if isinstance(x, Value) else _constant(x) for x in operands)
        symbolic, numeric = f"{v.op}({args})", f"{v.op}({vals})"
    else:
        where = _where(v, rule, names, index)
        symbolic = _pretty(rule.forward, where)
        numbers = {k: (_fmt(x.data) if isinstance(x, Value) else _constant(x))
                   for k, x in zip(["a", "b"], operands)}
        if rule.param is not None:
            numbers[rule.param[0]] = where[rule.param[0]]
        numeric = _pretty(rule.forward, numbers)
    return f"{me} = {symbolic} = {numeric} = {_fmt(v.data)}"


class _Tidy(ast.NodeTransformer):
    """A rule's expression as a learner writes it: ``div(a, b)`` as ``a / b``, ``x * x`` as
    ``x ** 2`` (shown ``x²``), ``1.0`` as ``1``."""

    def visit_Call(self, node: ast.Call) -> Any:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and len(node.args) == 2 and node.func.id in ("div", "pow"):
            return ast.BinOp(node.args[0], ast.Div() if node.func.id == "div" else ast.Pow(), node.args[1])
        return node

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        self.generic_visit(node)
        if isinstance(node.op, ast.Mult) and ast.dump(node.left) == ast.dump(node.right):
            return ast.BinOp(node.left, ast.Pow(), ast.Constant(2))
        return node

    def visit_Constant(self, node: ast.Constant) -> Any:
        if isinstance(node.value, float) and node.value.is_integer():
            return ast.Constant(int(node.value))
        return node


def _pretty(expression: str, where: dict[str, str]) -> str:
    """A rule's expression, tidied, with its names replaced by ``where``'s text.

    >>> _pretty("1.0 - out * out", {"out": "o.data"})
    '1 − o.data²'
    >>> _pretty("div(-out, b)", {"out": "-0.5000", "b": "2"})
    '−(-0.5000) / 2'
    """
    tree = _Tidy().visit(ast.parse(expression, mode="eval"))
    slots: dict[str, str] = {}

    class Slots(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> Any:
            if node.id not in where:
                return node
            slot = f"_{len(slots)}_"
            text = where[node.id]
            slots[slot] = f"({text})" if text.startswith("-") else text
            return ast.Name(slot, ast.Load())

    text = ast.unparse(Slots().visit(tree))
    text = text.replace(" ** 2", "²").replace(" ** ", " ^ ").replace(" * ", " × ").replace(" - ", " − ")
    text = re.sub(r"(?<![\w)])-", "−", text)
    for slot, value in slots.items():
        text = text.replace(slot, value)
    return text


def _list(items: Iterable[str], most: int = 4) -> str:
    shown = list(items)
    return ", ".join(shown[:most]) + (f", … ({len(shown) - most} more)" if len(shown) > most else "")


def _constant(c: Any) -> str:
    text = repr(float(c))
    return text[:-2] if text.endswith(".0") else text


def _fmt(x: Any) -> str:
    return FMT.format(x)


def _raw(x: Any) -> Any:
    """A float for JSON, which has no nan or inf: those as strings, read back by the page."""
    x = float(x)
    return x if math.isfinite(x) else repr(x)


# -- the page --------------------------------------------------------------------------------------
def page(title: str, payload: dict[str, Any], scripts: Iterable[str] = (), styles: Iterable[str] = ()) -> str:
    """The HTML file: ``payload`` as JSON for the script, which builds the page from it.

    JSON inside a ``<script>`` element ends at the first ``</script``: every ``<``, ``>`` and
    ``&`` in it (labels) is written as a ``\\u`` escape, so nothing in the data can end the
    element or be read as markup; the page puts every text into the document as text. The
    drawings go into ``<script type="text/x-svg">`` elements as they are (Graphviz writes every
    ``<`` of a label as ``&lt;``), unless one holds ``</script`` or ``<!--``: that one stays a
    JSON string."""
    drawings = []  # SVGs go in elements of their own, as markup: a third smaller than as JSON strings
    graph = payload.get("graph")
    if graph is not None:
        views = [dict(v) for v in graph["views"]]
        payload = {**payload, "graph": {**graph, "views": views}}
        for view in views:
            if not _RAW_END.search(view["svg"]):  # Graphviz writes < in text as &lt;: always so
                drawings.append(view["svg"])
                view["svg"] = len(drawings) - 1
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for c in "<>&\u2028\u2029":
        text = text.replace(c, f"\\u{ord(c):04x}")
    key = hashlib.sha256("".join([text, *drawings]).encode("utf-8")).hexdigest()[:12]
    svgs = "".join(f'<script type="text/x-svg" id="ag-{key}-svg{i}">{svg}</script>\n'
                   for i, svg in enumerate(drawings))
    script = "\n".join([ASSET.read_text(encoding="utf-8"), *scripts])
    style = "\n".join([STYLE.read_text(encoding="utf-8"), *styles])
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)}</title>\n<style>\n{style}</style>\n</head>\n<body>\n"
        f"<div class=\"ag-explorer\" id=\"ag-{key}\" data-title=\"{html.escape(title, quote=True)}\"></div>\n"
        f"<script type=\"application/json\" id=\"ag-{key}-data\">{text}</script>\n"
        f"{svgs}"
        f"<script>\n{script}\nAGExplorer.start();\n</script>\n</body>\n</html>\n")
