"""draw_dot/to_svg/render with ``collapse``: listed Values drawn as boxes standing for their
subgraph, so the graph of an MLP's output reads as one box per neuron."""

from __future__ import annotations

import itertools
import random
import re
import xml.etree.ElementTree as ET

import pytest

import autograd_mini as am
from autograd_mini import Value
from autograd_mini._grouping import Box, bends, boxes, parents_of, topological
from autograd_mini.viz import draw_dot, render, to_svg

pytest.importorskip("graphviz", reason="rendering needs the graphviz package (the viz extra)")

from viz_support import RENDERERS, SVG


def parse(svg: str) -> tuple[dict[str, list[str]], list[str], tuple[float, float]]:
    """The SVG's node texts by node name, its edge names, and its page size in points."""
    root = ET.fromstring(svg)
    nodes, edges = {}, []
    for g in root.iter(f"{SVG}g"):
        title = g.find(f"{SVG}title").text
        if g.get("class") == "node":
            nodes[title] = [t.text for t in g.iter(f"{SVG}text")]
        elif g.get("class") == "edge":
            edges.append(title)
    size = tuple(float(re.fullmatch(r"([\d.]+)pt", root.get(k)).group(1)) for k in ("width", "height"))
    return nodes, edges, size


def mlp(sizes=(2, 16, 16, 1), seed=0):
    """micrograd's MLP built from plain Values: ReLU neurons, a linear last layer, after backward.

    Returns the output, every neuron's output (labelled L1.1, ..., out), the parameters and the
    inputs (labelled x1, x2, ...)."""
    rng = random.Random(seed)
    xs = [Value(rng.uniform(-2, 2), label=f"x{i + 1}") for i in range(sizes[0])]
    params, neurons, h = [], [], xs
    for li, (nin, nout) in enumerate(itertools.pairwise(sizes)):
        last = li == len(sizes) - 2
        out = []
        for j in range(nout):
            w = [Value(rng.uniform(-1, 1)) for _ in range(nin)]
            b = Value(0.0)
            act = am.sum([*(wi * hi for wi, hi in zip(w, h)), b])
            y = act if last else act.relu()
            y.label = "out" if last else f"L{li + 1}.{j + 1}"
            out.append(y)
            params += [*w, b]
        neurons += out
        h = out
    h[0].backward()
    return h[0], neurons, params, xs


@pytest.mark.parametrize("renderer", RENDERERS)
def test_an_mlp_drawn_one_box_per_neuron_fits_on_a_page(renderer):
    out, neurons, params, xs = mlp()
    full = draw_dot(out, params=params).source
    # what nobody can read: 1,077 nodes (the 1,075 python -m nn drew, inputs as constants, + x1, x2)
    assert (full.count("shape=record"), full.count("shape=box")) == (708, 369)

    nodes, edges, (width, height) = parse(to_svg(out, params=params, collapse=neurons, renderer=renderer))
    assert max(width, height) <= 2000, (width, height)
    assert len(nodes) == 2 + 16 + 16 + 1  # the inputs and one box per neuron; no op, no weight
    assert len(edges) == 2 * 16 + 16 * 16 + 16  # each box from each Value it reads
    by_label = {texts[0]: texts for texts in nodes.values()}
    assert by_label["x1"] == ["x1", f"data {xs[0].data:.4f}", f"grad {xs[0].grad:.4f}"]
    n = neurons[20]  # second layer: 16 products, the sum and the relu; 16 weights and a bias
    assert by_label[n.label] == [n.label, f"data {n.data:.4f}", f"grad {n.grad:.4f}", "18 ops, 17 parameters"]
    assert by_label["L1.3"][-1] == "4 ops, 3 parameters"
    assert by_label["out"][-1] == "17 ops, 17 parameters"  # linear: no relu


def test_edges_run_from_what_each_box_reads():
    out, neurons, params, _xs = mlp((2, 3, 1))
    g = draw_dot(out, params=params, collapse=neurons)
    names = {line.split(" [")[0].strip(): line.split('"')[1].split(" |")[0].strip("{ ")
             for line in g.body if "shape=record" in line}
    edges = [tuple(names[n] for n in line.strip().split(" -> ")) for line in g.body if "->" in line]
    assert edges == [("x1", "L1.1"), ("x2", "L1.1"), ("x1", "L1.2"), ("x2", "L1.2"), ("x1", "L1.3"),
                     ("x2", "L1.3"), ("L1.1", "out"), ("L1.2", "out"), ("L1.3", "out")]
    assert g.source.count("#e1d5f0") == 3 and g.source.count("#c8e6c9") == 1  # boxes; the output
    assert "shape=box" not in g.source  # no op drawn


def test_the_box_of_an_expression_and_what_it_reads():
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    w, b = Value(0.5, label="w"), Value(-1.0, label="b")
    h = (w * x + b * y + x).tanh()
    found = boxes([h], {w, b})
    assert found == {h: Box(h, (x, y), ops=5, params=2)}  # ×, ×, +, +, tanh; x read once
    assert found[h].summary() == "5 ops, 2 parameters"
    assert boxes([h], set())[h].reads == (w, x, b, y)  # without params, every leaf is an input
    assert boxes([x], {w}) == {}  # a leaf has nothing to hide: drawn as it is


def test_only_what_is_listed_is_collapsed_the_rest_is_drawn():
    x = Value(0.5, label="x")
    h = (x * 3).sin()
    h.label = "h"
    loss = (h - 1) ** 2
    src = draw_dot(loss, collapse=[h], edge_labels=True).source
    assert re.search(r'v1 \[label="\{ h \| data [-\d.]+ \| grad [-\d.]+ \| 2 ops \}"', src)
    assert "v0 -> v1\n" in src  # into the box: no label (no single local derivative)
    assert src.count("shape=box") == 2  # − 1 and ^ 2, drawn with their edge labels
    assert "v1 -> v2op [label=" in src


def test_a_subgraph_shared_by_two_boxes_is_counted_in_each():
    x = Value(1.0, label="x")
    s = x.exp()  # used by both
    a, b = s.sin(), s.cos()
    found = boxes([a, b], set())
    assert found[a].reads == found[b].reads == (x,)
    assert found[a].ops == found[b].ops == 2
    nodes = topological([a + b], parents_of(found))
    assert [v.label or v.op for v in nodes] == ["x", "sin", "cos", "+"]  # s is hidden in both


def test_max_nodes_counts_what_is_drawn():
    out, neurons, params, _ = mlp()
    assert draw_dot(out, params=params, collapse=neurons, max_nodes=35).source.count("shape=record") == 35
    with pytest.raises(ValueError, match=r"has 37 nodes \(36 values and 1 ops, 33 boxes\), more than "
                                         r"max_nodes=36"):
        draw_dot(out * 2, params=params, collapse=neurons, max_nodes=36)
    with pytest.raises(ValueError, match=r"draw parts as boxes \(collapse="):
        draw_dot(out, params=params, max_nodes=1000)


def test_bends_count_long_edges_into_boxes():
    x = Value(0.5, label="x")
    y = x.sin().sin().sin()
    found = boxes([y], set())
    assert bends(topological([y], parents_of(found)), parents_of(found), found) == 0
    z = am.sum([y, x])  # the edge x -> Σ crosses the ranks of y's box: 1 bend instead of 6
    nodes = topological([z], parents_of(found))
    assert bends(nodes, parents_of(found), found) == 1


def test_collapse_must_be_values_of_this_graph():
    out, neurons, _params, _ = mlp((2, 2, 1))
    with pytest.raises(TypeError, match="collapse must be an iterable of Values, not Value"):
        draw_dot(out, collapse=out)
    with pytest.raises(TypeError, match="collapse must hold Values, not float"):
        draw_dot(out, collapse=[out, 1.0])
    stale, _, _, _ = mlp((2, 2, 1), seed=1)  # another forward pass: its Values are not in out's graph
    with pytest.raises(ValueError, match=r"collapse must hold Values that root was computed from; 1 of "
                                         r"its 4 are not \(from another forward pass\?\): Value\(data="):
        draw_dot(out, collapse=[*neurons, stale])
    assert draw_dot(out, collapse=iter(neurons)).source.count("#e1d5f0") == 2  # any iterable
    assert draw_dot(out, collapse=[]).source == draw_dot(out).source


def test_an_nn_mlp_drawn_one_box_per_neuron(tmp_path):
    nn = pytest.importorskip("nn")
    model = nn.MLP(2, [16, 16, 1], seed=0)
    h = [Value(0.5, label="x1"), Value(-0.3, label="x2")]
    neurons = []
    for layer in model.layers:
        h = [neuron(h) for neuron in layer.neurons]
        neurons += h
    h[0].backward()
    path = render(h[0], tmp_path / "graph.svg", params=model.parameters(), collapse=neurons)
    nodes, edges, size = parse(path.read_text())
    assert len(nodes) == 35 and len(edges) == 304 and max(size) <= 2000


@pytest.mark.parametrize("renderer", RENDERERS)
def test_a_layers_boxes_stay_in_the_order_they_were_listed(renderer):
    # Without ordering=out, Graphviz drew L1.11..L1.16 above L1.1: a layer read out of order.
    import xml.etree.ElementTree as ET

    out, neurons, params, _ = mlp()
    svg = ET.fromstring(to_svg(out, params=params, collapse=neurons, renderer=renderer))
    y = {t.text: float(t.get("y")) for t in svg.iter() if t.tag.endswith("text") and t.text}
    for layer in (1, 2):
        column = [y[f"L{layer}.{j}"] for j in range(1, 17)]
        assert column == sorted(column), layer  # top to bottom: neuron 1 first
