"""Optimizers (``SGD``, ``Adam``) and a learning-rate schedule (``LinearDecay``).

Each optimizer holds a list of parameters (Values) and updates their ``data`` from their
``grad`` in ``step()``, with PyTorch's update rules (checked against ``torch.optim`` step by
step in the tests). For a parameter ``p`` with gradient ``g`` at step ``t`` (from 1):

- ``SGD``: ``g += wd * p``; with momentum ``mu``: ``buf = g`` at the first step, then
  ``buf = mu * buf + g``, and ``g = buf``; finally ``p -= lr * g``.
- ``Adam``: ``g += wd * p``; ``m = b1 m + (1 - b1) g``; ``v = b2 v + (1 - b2) g²``;
  ``p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)``.

``lr`` is a plain attribute: a schedule (or you) may change it between steps.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from autograd_mini import Value

__all__ = ["SGD", "Adam", "LinearDecay", "Optimizer"]


def _check_rate(name: str, x: object, *, upper: float = math.inf) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"{name} must be a number, not {type(x).__name__}")
    if not 0.0 <= x < upper:
        bound = f" and below {upper}" if upper != math.inf else ""
        raise ValueError(f"{name} must be at least 0{bound}, got {x}")
    return float(x)


class Optimizer:
    """The shared part: the parameter list, ``zero_grad()`` and the gradient check."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError("the optimizer got an empty parameter list")
        for p in self.params:
            if not isinstance(p, Value):
                raise TypeError(f"parameters must be Values, not {type(p).__name__}")
        if len(set(self.params)) != len(self.params):
            raise ValueError("a parameter appears twice in the list (it would be updated twice)")
        self.lr = _check_rate("lr", lr)

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0, before the next ``backward()``."""
        for p in self.params:
            p.grad = 0.0

    def _grads(self) -> list[float]:
        grads = [p.grad for p in self.params]
        for g in grads:
            if type(g) is not float:
                raise TypeError(f"a parameter's grad is a {type(g).__name__}, not a float "
                                "(was backward() called with create_graph=True?)")
        return grads

    def step(self) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum and weight decay (as ``torch.optim.SGD``).

    >>> from autograd_mini import Value
    >>> w = Value(1.0)
    >>> opt = SGD([w], lr=0.1)
    >>> (w * w).backward()  # d/dw w² = 2
    >>> opt.step(); w.data
    0.8
    """

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = _check_rate("momentum", momentum)
        self.weight_decay = _check_rate("weight_decay", weight_decay)
        self._buf: list[float] | None = None

    def step(self) -> None:
        """One update of every parameter from its ``grad``."""
        grads = self._grads()
        wd, mu, lr = self.weight_decay, self.momentum, self.lr
        if wd:
            grads = [g + wd * p.data for g, p in zip(grads, self.params)]
        if mu:
            if self._buf is None:
                self._buf = grads
            else:
                self._buf = [mu * b + g for b, g in zip(self._buf, grads)]
            grads = self._buf
        for p, g in zip(self.params, grads):
            p.data -= lr * g


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with bias correction and L2 weight decay (as ``torch.optim.Adam``).

    >>> from autograd_mini import Value
    >>> w = Value(1.0)
    >>> opt = Adam([w], lr=0.1)
    >>> (w * w).backward()
    >>> opt.step(); round(w.data, 6)  # the first step moves each parameter by about lr
    0.9
    """

    def __init__(self, params: Iterable[Value], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas must be a pair of numbers, got {betas!r}")
        self.betas = (_check_rate("betas[0]", betas[0], upper=1.0),
                      _check_rate("betas[1]", betas[1], upper=1.0))
        self.eps = _check_rate("eps", eps)
        if self.eps == 0.0:  # the first update divides by sqrt(v) + eps, and v is 0 for a zero gradient
            raise ValueError("eps must be greater than 0, got 0.0")
        self.weight_decay = _check_rate("weight_decay", weight_decay)
        self.t = 0
        self._m = [0.0] * len(self.params)
        self._v = [0.0] * len(self.params)

    def step(self) -> None:
        """One update of every parameter from its ``grad``."""
        grads = self._grads()
        b1, b2 = self.betas
        wd, eps = self.weight_decay, self.eps
        self.t += 1
        step_size = self.lr / (1.0 - b1 ** self.t)
        root_bc2 = math.sqrt(1.0 - b2 ** self.t)
        m, v = self._m, self._v
        for i, (p, g) in enumerate(zip(self.params, grads)):
            if wd:
                g += wd * p.data
            m[i] = b1 * m[i] + (1.0 - b1) * g
            v[i] = b2 * v[i] + (1.0 - b2) * g * g
            p.data -= step_size * m[i] / (math.sqrt(v[i]) / root_bc2 + eps)


class LinearDecay:
    """Learning rate falling linearly from ``start`` to ``end`` over ``steps`` steps.

    ``schedule(k) = start + (end - start) * k / steps``, constant after ``steps``; micrograd's demo uses
    ``LinearDecay(1.0, 0.1, 100)``, that is ``lr = 1.0 - 0.9 * k / 100``.

    >>> schedule = LinearDecay(1.0, 0.1, 100)
    >>> schedule(0), round(schedule(50), 12), schedule(100)
    (1.0, 0.55, 0.1)
    """

    def __init__(self, start: float, end: float, steps: int) -> None:
        self.start = _check_rate("start", start)
        self.end = _check_rate("end", end)
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
            raise ValueError(f"steps must be an int of at least 1, got {steps!r}")
        self.steps = steps

    def __call__(self, k: int) -> float:
        """The learning rate for step ``k`` (0-based); after ``steps`` it stays at ``end``."""
        f = min(k, self.steps) / self.steps
        return (1.0 - f) * self.start + f * self.end  # exactly start at 0 and end at steps

    def __repr__(self) -> str:
        return f"LinearDecay({self.start}, {self.end}, {self.steps})"
