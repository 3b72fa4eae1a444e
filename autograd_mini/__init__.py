"""autograd_mini: a scalar reverse-mode automatic differentiation engine.

>>> from autograd_mini import Value
>>> x = Value(2.0)
>>> y = x * x + 3 * x
>>> y.backward()
>>> x.grad
7.0
"""

from .engine import Value, gradients, sum, topological_order
from .functional import grad, hessian, value_and_grad
from .modes import detect_anomaly, enable_grad, no_grad
from .userops import defop
from .viz import RendererNotFoundError, RenderError, draw_dot, render, to_svg

#: The release, PEP 440; setup.cfg reads it from here (``version = attr: autograd_mini.__version__``).
__version__ = "0.1.0"

__all__ = [
    "RenderError",
    "RendererNotFoundError",
    "Value",
    "defop",
    "detect_anomaly",
    "draw_dot",
    "enable_grad",
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
