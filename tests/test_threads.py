"""backward() on a graph shared between threads: not thread-safe, and saying so.

While one thread runs backward, the grads of the nodes it walks hold its marker for a moment.
Another thread reading them must see floats, or get the RuntimeError that says what is wrong,
never a TypeError about a bare ``object`` (issue 18 item 8)."""

from __future__ import annotations

import threading

import pytest

import autograd_mini as am
from autograd_mini import Value
from autograd_mini.engine import _BUSY, _Busy

SAYS = "being computed by backward() in another thread"


def _graph() -> tuple[Value, list[Value]]:
    xs = [Value(0.1 * i) for i in range(40)]
    terms = [(x * x).tanh() * (x + 1.0) for x in xs]
    out = am.sum(terms)
    nodes = [n for t in terms for n in am.topological_order(t)]
    return out, nodes


def test_a_reader_sees_floats_or_the_thread_safety_error_never_a_type_error():
    out, nodes = _graph()
    stop = threading.Event()

    def run_backward() -> None:
        while not stop.is_set():
            out.backward()

    writer = threading.Thread(target=run_backward)
    writer.start()
    markers, other = 0, []
    try:
        for _ in range(300):
            for v in nodes:
                g = v.grad
                if type(g) is float:
                    continue
                try:
                    f"{g:.4f}"
                except RuntimeError as e:
                    assert str(e) == _BUSY
                    markers += 1
                else:
                    other.append(g)
    finally:
        stop.set()
        writer.join()
    # Only floats and markers, which format only by raising (how many reads met a marker
    # depends on the scheduler; before the marker class, such a read raised a TypeError).
    assert other == []


@pytest.mark.parametrize("use", [
    lambda g: g + 1.0, lambda g: 1.0 + g, lambda g: g * 2.0, lambda g: -g, lambda g: float(g),
    lambda g: f"{g:.4f}", lambda g: "{:.3g}".format(g),  # noqa: UP032 (draw_dot's fmt.format)
    lambda g: g == 0.0, lambda g: g < 1.0,
    lambda g: bool(g), lambda g: hash(g), lambda g: abs(g), lambda g: round(g, 2),
], ids=["add", "radd", "mul", "neg", "float", "fstring", "format", "eq", "lt", "bool", "hash",
        "abs", "round"])
def test_the_marker_refuses_to_act_as_a_number_and_says_why(use):
    with pytest.raises(RuntimeError) as error:
        use(_Busy())
    message = str(error.value)
    assert SAYS in message and "not thread-safe" in message and "lock" in message


def test_the_marker_reads_as_what_it_is():
    marker = _Busy()
    assert SAYS in repr(marker) and str(marker) == repr(marker) == f"{marker}"
    grad = 1.0
    with pytest.raises(RuntimeError, match="not thread-safe"):
        grad += marker  # what another thread's backward does with it


def test_backward_uses_the_marker_and_leaves_none_behind():
    seen = []
    x = Value(0.5)
    y = (x * x).tanh()

    original = am.engine._fast_order

    def spy(root: Value) -> list[Value]:
        order = original(root)
        seen.extend(type(v.grad) for v in order)
        return order

    am.engine._fast_order = spy
    try:
        y.backward()
    finally:
        am.engine._fast_order = original
    assert seen == [float, float]  # reset before the sums
    assert isinstance(x.grad, float)


def test_the_marker_is_a_busy_object_while_the_walk_runs():
    # The walk marks each node with a _Busy (what a reader in another thread would meet).
    x = Value(0.5)
    y = x * x
    marks = []
    real_new = am.engine._Busy

    class Recording(real_new):  # type: ignore[misc, valid-type]
        __slots__ = ()

        def __init__(self) -> None:
            marks.append(self)

    am.engine._Busy = Recording
    try:
        y.backward()
    finally:
        am.engine._Busy = real_new
    assert len(marks) == 1 and y.grad == 1.0 and x.grad == 1.0
