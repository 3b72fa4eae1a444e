"""explore: what the page holds, without a browser (tests/test_explorer_browser.py drives one)."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import autograd_mini as am
from autograd_mini import Value
from autograd_mini._grouping import topological
from autograd_mini.explorer import _pretty, explore


def page_json(text: str) -> dict:
    found = re.search(r'<script type="application/json" id="[^"]+">(.*?)</script>', text, re.S)
    return json.loads(found.group(1))


def small():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = (a * b + a).tanh() * 3 - a
    c.label = "c"
    return c, a, b


def test_explore_is_exported_and_leaves_every_grad_as_it_was():
    c, a, _ = small()
    a.grad = 7.0
    page = am.explore(c)
    assert a.grad == 7.0 and c.grad == 0.0
    assert page.path is None and page.html.startswith("<!DOCTYPE html>")
    assert page.data["nodes"][-1]["n"] == "c" and page.data["nodes"][-1]["g"] == "1.0000"


def test_the_grads_and_equations_are_the_engines():
    c = small()[0]
    page = explore(c)
    c.backward()
    nodes = topological([c])
    view = page.data["views"][0]
    assert [page.ids[v] for v in nodes] == [f"v{i}" for i in range(len(nodes))]
    for i, v in enumerate(nodes):
        entry = page.data["nodes"][i]
        assert entry["g"] == f"{v.grad:.4f}" and entry["x"] == pytest.approx(v.grad, abs=1e-15)
        terms = view["back"][str(i)]["t"]
        if v is not c:
            assert math.fsum(float(t[2]) * float(t[3]) for t in terms) == pytest.approx(v.grad, abs=2e-4)
    assert page.data["nodes"][0]["n"] == "a"
    assert view["fwd"] == [i for i, v in enumerate(nodes) if v.parents]
    assert view["bwd"] == list(range(len(nodes)))[::-1]


def test_rule_formulas_read_as_written():
    assert _pretty("1.0 - out * out", {}) == "1 − out²"
    assert _pretty("div(-out, b)", {"out": "o.data", "b": "2"}) == "−o.data / 2"
    assert _pretty("a * b", {"a": "-3.0000", "b": "x.data"}) == "(-3.0000) × x.data"
    x = Value(0.5, label="x")
    y = (x ** 3).leaky_relu(0.2) / x
    page = explore(y)
    rules = {e.get("op"): e for e in page.data["nodes"] if "op" in e}
    assert rules["÷"]["rule"] == "d(a / b)/da = 1 / b; d(a / b)/db = −out / b"
    assert rules["^ 3"]["in"] == [[0, "dpow_base(x.data, 3)", "0.7500"]]
    assert rules["^ 3"]["doc"] == "a ** b; d/da = b * a**(b-1), d/db = a**b * log(a)"
    leaky = rules["leaky_relu 0.2"]
    assert leaky["rule"] == "d leaky_relu(a, negative_slope)/da = dleaky_relu(a, negative_slope)"
    assert leaky["fw"] == "v2.data = leaky_relu(v1.data, 0.2) = leaky_relu(0.1250, 0.2) = 0.1250"


def test_same_graph_same_bytes():
    first = explore(small()[0]).html
    assert explore(small()[0]).html == first


def test_labels_cannot_end_the_script_or_become_markup():
    evil = "</script><script>alert(1)</script>&amp;<!--"
    x = Value(1.0, label=evil)
    text = explore(x * 2, title=evil).html
    assert text.count("</script>") == text.count("<script") == 3  # the data, the drawing, the code
    assert "<script>alert" not in text and "<!--" not in text
    assert page_json(text)["graph"]["nodes"][0]["l"] == evil


def test_a_graph_too_big_is_refused_unless_collapsed():
    from nn import MLP

    model = MLP(2, [8, 1], seed=0)
    xs = [Value(0.5, label="x1"), Value(-0.3, label="x2")]
    h = [n(xs) for n in model.layers[0].neurons]
    out = model.layers[1].neurons[0](h)
    with pytest.raises(ValueError, match="max_nodes=20"):
        explore(out, max_nodes=20)
    page = explore(out, collapse=[*h, out], params=model.parameters(), max_nodes=20)
    assert [v["kind"] for v in page.data["views"]] == ["neurons"] + ["box"] * 9  # each box's inside
    assert "more than max_nodes=20" in page.data["full"]
    both = explore(out, collapse=[*h, out], params=model.parameters())
    assert [v["kind"] for v in both.data["views"]] == ["neurons"] + ["box"] * 9 + ["graph"]


def test_boxes_carry_the_derivative_through_their_ops():
    """In the view with one box per neuron, the chain rule over the boxes' edges gives the
    engine's grad of every Value drawn, and a box hides exactly its ops and parameters."""
    from nn import MLP
    from nn.cli import neuron_graph

    model = MLP(2, [4, 3, 1], seed=1)
    root, neurons = neuron_graph(model, [0.5, -0.3])
    page = explore(root, collapse=neurons, params=model.parameters())
    view = page.data["views"][0]
    nodes = topological([root])
    shown = [nodes[i] for i in view["names"]]
    assert len(shown) == 2 + len(neurons)
    for v in shown:
        terms = view["back"][str(nodes.index(v))]["t"]
        if v is not root:
            assert math.fsum(float(t[2]) * float(t[3]) for t in terms) == pytest.approx(v.grad, abs=1e-3)
    first = view["boxes"][str(nodes.index(neurons[0]))]
    assert first["s"] == "4 ops, 3 parameters"
    hidden = {*model.layers[0].neurons[0].parameters(), neurons[0], neurons[0].parents[0],
              *neurons[0].parents[0].parents}
    assert sorted(first["hide"]) == sorted(nodes.index(v) for v in hidden)


def test_bad_arguments():
    x = Value(1.0)
    with pytest.raises(TypeError, match="root must be a Value, not list"):
        explore([x])
    with pytest.raises(TypeError, match="title must be a str"):
        explore(x, title=3)
    with pytest.raises(TypeError, match="collapse must hold Values"):
        explore(x * 2, collapse=[1.0])


def test_save_and_display_inline(tmp_path):
    page = explore(small()[0], tmp_path / "e.html")
    assert page.path == tmp_path / "e.html"
    assert (tmp_path / "e.html").read_text(encoding="utf-8") == page.html
    frame = page._repr_html_()
    assert frame.startswith("<iframe srcdoc=\"&lt;!DOCTYPE html&gt;") and "</script>" not in frame


def test_ci_without_chromium_fails_instead_of_skipping_the_browser_tests(tmp_path):
    """tests/conftest.py: with CI set, a missing Chromium stops the session (exit 4)."""
    env = {**os.environ, "CI": "1", "PATH": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
                           "--co", str(Path(__file__).parent / "conftest.py")],
                          capture_output=True, text=True, env=env, cwd=Path(__file__).parent.parent)
    assert done.returncode == 4, done.stdout + done.stderr
    assert "Chromium (on the PATH, for the explorer's browser tests)" in done.stderr


def test_a_huge_graph_is_refused_before_anything_is_computed(monkeypatch):
    """Issue 18, item 16: explore counted a graph's nodes only after its gradients, names and
    equations (0.4-1 ms a node: 36 s for 100,000), to refuse it at the end."""
    import autograd_mini.explorer as explorer

    def no_work(*args, **kwargs):
        raise AssertionError("the graph's data was computed before refusing it")

    y = x = Value(0.5, label="x")
    for _ in range(50_000):  # 50,001 Values and 50,000 ops
        y = y + 1.0
    monkeypatch.setattr(explorer, "graph_data", no_work)
    monkeypatch.setattr(explorer, "gradients", no_work)
    with pytest.raises(ValueError, match=r"more than max_nodes=2000 nodes .*collapse=.*larger max_nodes"):
        explore(y)
    with pytest.raises(ValueError, match="max_nodes must be at least 1, not 0"):
        explore(x, max_nodes=0)
    with pytest.raises(TypeError, match="max_nodes must be an int, not float"):
        explore(x, max_nodes=1e9)
