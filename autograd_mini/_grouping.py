"""What a drawing shows: every Value and op, or some Values as boxes standing for their subgraph.

A graph of 1,000 nodes (an MLP 2→16→16→1 on one sample) cannot be read; the same graph with
one box per neuron can. ``boxes(collapse, params)`` says, for each listed Value, what its box
stands for: the Values it reads (the nearest other listed Values, and inputs) and how many ops
and parameters it hides. ``topological(roots, parents)`` then walks the graph as drawn, where a
box's parents are what it reads. Kept apart from the drawing, so other views of a graph (an
explorer in the browser, a text summary) can group a graph the same way.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .engine import Value

Parents = Callable[[Value], Sequence[Value]]
#: A Value's parents as computed: the graph with no box.
PARENTS: Parents = operator.attrgetter("parents")


@dataclass(frozen=True)
class Box:
    """A Value drawn as one node standing for its whole subgraph, back to ``reads``.

    ``reads``: the Values its subgraph reads, each once, in the order the expression uses them:
    the nearest other listed Values and the inputs (leaves that are not parameters). ``ops``:
    the op nodes it hides, its own included; ``params``: the parameters it hides. A node shared
    by two boxes' subgraphs is counted in both.
    """

    value: Value
    reads: tuple[Value, ...]
    ops: int
    params: int

    def summary(self) -> str:
        """What the box hides, in words: ``18 ops, 17 parameters``."""
        text = f"{self.ops:,} op" + ("s" if self.ops != 1 else "")
        if self.params:
            text += f", {self.params:,} parameter" + ("s" if self.params != 1 else "")
        return text


def boxes(collapse: Iterable[Value], params: set[Value]) -> dict[Value, Box]:
    """The box of each Value in ``collapse`` that has parents (a leaf has nothing to hide).

    Each box's subgraph is found by a walk from it through parents that stops at other listed
    Values and at leaves: a listed Value or an input is read (an edge into the box), a parameter
    is hidden (counted), any other Value is hidden with its op and walked through.

    >>> x, w, b = Value(2.0, label="x"), Value(0.5), Value(0.1)
    >>> h = (w * x + b).tanh()
    >>> box = boxes([h], {w, b})[h]
    >>> [v.label for v in box.reads], box.summary()
    (['x'], '3 ops, 2 parameters')
    """
    listed = list(dict.fromkeys(collapse))
    is_listed = set(listed)
    found: dict[Value, Box] = {}
    for top in listed:
        if not top.parents:
            continue
        reads: list[Value] = []
        ops, hidden = 1, 0
        seen = {top}
        stack = list(reversed(top.parents))  # parents in order: reads come out as written
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            if node in is_listed or (node.is_leaf and node not in params):
                reads.append(node)
            elif node.is_leaf:
                hidden += 1
            else:
                ops += 1
                stack.extend(reversed(node.parents))
        found[top] = Box(top, tuple(reads), ops, hidden)
    return found


def parents_of(found: dict[Value, Box]) -> Parents:
    """A Value's parents as drawn: what its box reads if it has one, else its own parents."""
    if not found:
        return PARENTS
    return lambda v: found[v].reads if v in found else v.parents


def topological(roots: list[Value], parents: Parents = PARENTS) -> list[Value]:
    """Every Value reachable from ``roots`` through ``parents``, parents before children, in a
    fixed order: a depth-first search from each root in turn, visiting parents in order (no
    recursion).

    Not ``engine.topological_order``: that one leaves out the leaves, which a drawing needs,
    takes one root, and visits parents last-first; here parents are visited as written, so the
    node names (``v0``, ``v1``, ...) read left to right as the expression does."""
    order: list[Value] = []
    seen: set[Value] = set()
    for root in roots:
        stack = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
            elif node not in seen:
                seen.add(node)
                stack.append((node, True))
                stack.extend((p, False) for p in reversed(parents(node)) if p not in seen)
    return order


def bends(nodes: list[Value], parents: Parents = PARENTS, found: dict[Value, Box] | None = None) -> int:
    """About how many virtual nodes Graphviz's dot adds to route edges that span several ranks.

    Its layout time grows with them as with real nodes: 600 nodes whose last op sums 300 Values
    from all over the graph lay out like 13,000. Ranks here are longest paths from the leaves
    (an op one rank before its result; a box's edges come straight in), each leaf placed just
    before its first use. ``nodes`` is ``topological(roots, parents)``; ``found`` the boxes.
    """
    found = found or {}
    gap = {v: 1 if v in found else 2 for v in nodes}  # ranks from a parent: through an op, or not
    rank: dict[Value, int] = {}
    for v in nodes:  # parents come first
        ps = parents(v)
        rank[v] = max(rank[p] for p in ps) + gap[v] if ps else 0
    leaf_rank: dict[Value, int] = {}
    for v in nodes:
        for p in parents(v):
            if not parents(p):
                leaf_rank[p] = min(leaf_rank.get(p, rank[v]), rank[v] - gap[v])
    rank.update(leaf_rank)
    return sum(rank[v] - gap[v] - rank[p] for v in nodes for p in parents(v))


def count(roots: Iterable[Value], limit: int) -> int:
    """The nodes a full drawing of ``roots`` has (each Value, and an op for each one with
    parents), counted no further than ``limit + 1``: enough to refuse a graph too big to draw
    without walking all of it (no recursion).

    >>> x = Value(1.0)
    >>> count([x * 2 + x], 100), count([x * 2 + x], 2)
    (5, 3)
    """
    seen: set[Value] = set()
    stack = list(roots)
    n = 0
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        n += 2 if node.parents else 1
        if n > limit:
            break
        stack.extend(node.parents)
    return n
