"""Tools for testing gradients: ``gradcheck`` and hypothesis strategies for random programs.

>>> from autograd_mini.testing import gradcheck
>>> gradcheck(lambda x: x.exp() * x.sin(), [0.7])
True

The strategies (``values``, ``expressions``) need hypothesis, a test-time dependency, so they
are imported on first use: ``gradcheck`` works without it.
"""

from typing import Any

from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .program import Program

__all__ = ["GradcheckError", "Program", "expressions", "gradcheck", "gradgradcheck", "values"]


def __getattr__(name: str) -> Any:
    if name in ("expressions", "values"):
        from . import strategies

        return getattr(strategies, name)
    raise AttributeError(f"module 'autograd_mini.testing' has no attribute {name!r}")
