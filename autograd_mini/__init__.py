"""autograd_mini: a scalar reverse-mode automatic differentiation engine.

>>> from autograd_mini import Value
>>> x = Value(2.0)
>>> y = x * x + 3 * x
>>> y.backward()
>>> x.grad
7.0
"""

from typing import Any

from . import ops as _ops
from .compiler import Compiled, GuardError, compile
from .engine import Value, gradients, sum, topological_order
from .explorer import explore
from .functional import grad, hessian, value_and_grad
from .modes import detect_anomaly, enable_grad, no_grad
from .userops import defop
from .viz import RendererNotFoundError, RenderError, draw_dot, render, to_svg

#: The release, PEP 440; setup.cfg reads it from here (``version = attr: autograd_mini.__version__``).
__version__ = "0.1.0"

__all__ = [
    "Compiled",
    "GuardError",
    "RenderError",
    "RendererNotFoundError",
    "Value",
    "compile",
    "defop",
    "detect_anomaly",
    "draw_dot",
    "enable_grad",
    "explore",
    "grad",
    "gradients",
    "hessian",
    "no_grad",
    "render",
    "sum",
    "to_svg",
    "topological_order",
    "value_and_grad",
]

#: ``autograd_mini.exp``, ``.log``, ``.sigmoid``, ...: the functions on numbers and Values alike
#: that ``ops`` has for every unary row of the table (and alias). Read from ``ops`` on first use,
#: so a new row needs no line here; left out of ``__all__``, as a star import would shadow names.
_FUNCTIONS = frozenset(_ops.__all__) - {"DERIVATIVES", "Ops", "bind"}


def __getattr__(name: str) -> Any:
    if name in _FUNCTIONS:
        return getattr(_ops, name)
    raise AttributeError(f"module 'autograd_mini' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_FUNCTIONS})
