"""The numpy backend: a traced Graph replayed level by level, one vectorized call per group.

A node's *level* is one more than its deepest operand's (inputs are level 0), so the nodes of a
level depend only on lower levels. The nodes of a level are grouped by op and by which operands
are nodes or constants; each group is one array expression: its rule's forward formula from the
table, evaluated on arrays with ``_vectorized``'s functions (``tanh(a)`` on 1,600 numbers at
once), its operands gathered from ``v``, the array of every slot's value. A group of n-ary sums
gathers a (k, n) block and sums its rows. The local derivatives are the rule's formulas too;
those that depend on constants alone (1 for ``+``, the 2 of ``x * 2``) are computed once, when
the program is built.

Backward runs the levels from the top down, as a *pull*: a node's gradient is complete once
every node above it is done, so each level's gradients are one gather of the consumers'
gradients, one product with the local derivatives, and one sum per parent over its incoming
edges, laid out (edges, parents) and summed down the rows. Each parent's terms are added in
the order ``Value.backward()`` adds them, so for ops that IEEE 754 defines exactly (``+ - * /``,
``relu``, ``abs``, ``sqrt``, ...) the replay gives the engine's very numbers; numpy's ``exp``,
``tanh``, ... may differ from the C library's in the last bit.

``NumpyReplay(graph).source()`` shows the program; index arrays appear by name (``I3``), with
their contents when short.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _vectorized, rules
from ._expressions import called_names
from ._replay_python import GuardFailedError, operand_names
from .tracing import Detached, Graph

__all__ = ["NumpyReplay"]

_VARIABLES = ("a", "b", "out")


def _on_arrays(expression: str, names: tuple[str, ...]) -> tuple[str, set[str]]:
    """The formula with ``_ieee`` names as ``_vectorized`` functions (``_f_div``), the operand
    names as ``str.format`` fields; and the functions it calls."""
    functions = {n for n in called_names(expression) if n not in names and n != "abs"}

    class Rename(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.AST:
            if node.id in names:
                return ast.Name("{" + node.id + "}", ast.Load())
            if node.id in functions:
                return ast.Name(f"_f_{node.id}", ast.Load())
            return node

    return ast.unparse(Rename().visit(ast.parse(expression, mode="eval"))), functions


class _Group:
    """Nodes of one level with the same op and the same kinds of operands."""

    def __init__(self, level: int, op: Any, kinds: tuple[str, ...]) -> None:
        self.level, self.op, self.kinds = level, op, kinds
        self.nodes: list[int] = []  # node indices of the Graph


class NumpyReplay:
    """The numpy program of a Graph, with its buffers: ``forward(x)``, ``value_and_grad(x)``."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.n = graph.n_inputs
        self.namespace: dict[str, Any] = {"np": np, "GuardFailedError": GuardFailedError, "_inf": math.inf,
                                          "_nan": math.nan, "_user_forward": _user_forward,
                                          "_user_grads": _user_grads, "_guard": _guard}
        self._arrays: dict[str, int] = {}
        self._plan()
        self._functions: dict[bool, Any] = {}

    # -- the plan -------------------------------------------------------------------------------
    def _plan(self) -> None:
        graph, n = self.graph, self.n
        level = graph.slot_levels
        groups: dict[Any, _Group] = {}
        get = groups.get
        op_keys: dict[int, Any] = {}  # id(op) -> the op's part of a group's key
        sum_op, by_name = rules.SUM, rules.BY_NAME
        edge_parent: list[int] = []  # per edge (a slot operand), in node order: the parent,
        edge_node: list[int] = []  # the node,
        edge_operand: list[int] = []  # and the operand's position
        i = 0
        for op, args in zip(graph.ops, graph.args):
            op_key = op_keys.get(id(op))
            if op_key is None:
                op_key = op_keys[id(op)] = op if op == sum_op or op in by_name else ("user", id(op))
            types = tuple(map(type, args))
            key = (level[n + i], op_key, types)
            group = get(key)
            if group is None:
                kinds = tuple("s" if t is int else "d" if issubclass(t, Detached) else "c" for t in types)
                group = groups[key] = _Group(level[n + i], op, kinds)
            group.nodes.append(i)
            if int in types:
                j = 0
                for x in args:
                    if type(x) is int:
                        edge_parent.append(x)
                        edge_node.append(i)
                        edge_operand.append(j)
                    j += 1
            i += 1
        self.groups = sorted(groups.values(), key=lambda g: g.level)
        # New slots: inputs, then each group's nodes in a block, then the constants' pool.
        new = np.empty(graph.n_slots, dtype=np.intp)
        new[:n] = np.arange(n)
        k = n
        for group in self.groups:
            group.start = k  # type: ignore[attr-defined]
            nodes = group.array = np.asarray(group.nodes, dtype=np.intp)  # type: ignore[attr-defined]
            new[n + nodes] = np.arange(k, k + len(nodes))
            k += len(nodes)
        self.new_array = new
        self.new = new.tolist()
        self.pool: dict[str, int] = {}
        self.pool_values: list[float] = []
        self.n_nodes_end = k  # the pool of constants follows, filled as the program is written
        lengths = np.fromiter(map(len, graph.args), dtype=np.intp, count=len(graph.args))
        self.arg_offsets = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.intp)
        self._backward_plan(np.asarray(level, dtype=np.intp), np.asarray(edge_parent, dtype=np.intp),
                            np.asarray(edge_node, dtype=np.intp), np.asarray(edge_operand, dtype=np.intp),
                            int(lengths.sum()))

    def _constant(self, c: float) -> int:
        key = float(c).hex()
        if key not in self.pool:
            self.pool[key] = self.n_nodes_end + len(self.pool_values)
            self.pool_values.append(float(c))
        return self.pool[key]

    def _slot(self, x: Any) -> int:
        if type(x) is int:
            return self.new[x]
        if isinstance(x, Detached):
            return self.new[x.slot]
        return self._constant(x)

    def _backward_plan(self, level: np.ndarray, parent: np.ndarray, node: np.ndarray,
                       operand: np.ndarray, n_operands: int) -> None:
        """Edges in backward's order, grouped by the parent's level and number of edges: levels
        from the top down; in a level, parents by their number of edges d, then in the order
        backward first reaches them; a class of m parents with d edges each is a (d, m) block
        whose column is a parent's edges in backward's order (``Value.backward()`` adds them up
        in that order). All at once with numpy, from the edges in node order."""
        graph, n = self.graph, self.n
        # Backward visits the nodes in reversed grad_order, each node's operands in order.
        rank = np.full(len(graph.ops), -1, dtype=np.intp)
        visits = np.asarray(graph.grad_order, dtype=np.intp)[::-1]
        rank[visits] = np.arange(len(visits))
        keep = rank[node] >= 0
        parent, node, operand = parent[keep], node[keep], operand[keep]
        order = np.argsort(rank[node], kind="stable")
        parent, node, operand = parent[order], node[order], operand[order]
        e = len(parent)
        # Each edge's row in its parent's column: its place among that parent's edges.
        by_parent = np.argsort(parent, kind="stable")
        sorted_parents = parent[by_parent]
        run_start = np.flatnonzero(np.concatenate(([e > 0], sorted_parents[1:] != sorted_parents[:-1])))
        run_length = np.diff(np.concatenate((run_start, [e])))
        row = np.empty(e, dtype=np.intp)
        row[by_parent] = np.arange(e) - np.repeat(run_start, run_length)
        parents = sorted_parents[run_start]  # each parent once
        first = by_parent[run_start]  # the edge backward reaches it by first
        degree = run_length
        # Parents in the order of their blocks: level down, degree up, first reached.
        lv = level[parents]
        ranked = np.lexsort((first, degree, -lv))
        parents, first, degree, lv = parents[ranked], first[ranked], degree[ranked], lv[ranked]
        column_of = np.empty(graph.n_slots, dtype=np.intp)  # a parent's column in its class
        position_of = np.empty(graph.n_slots, dtype=np.intp)  # where its class's block starts
        width_of = np.empty(graph.n_slots, dtype=np.intp)  # m, its class's number of parents
        self.levels_down: list[tuple[int, int, list[tuple[int, Any, Any]]]] = []
        pos = 0
        bounds = np.flatnonzero(np.concatenate(([True], (lv[1:] != lv[:-1]) | (degree[1:] != degree[:-1]),
                                                [True]))) if len(parents) else np.zeros(1, dtype=np.intp)
        level_start = pos
        classes: list[tuple[int, Any, Any]] = []
        new = self.new_array
        for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
            if classes and lv[a] != lv[a - 1]:
                self.levels_down.append((level_start, pos, classes))
                level_start, classes = pos, []
            d, m = int(degree[a]), b - a
            members = parents[a:b]
            column_of[members] = np.arange(m)
            position_of[members] = pos
            width_of[members] = m
            classes.append((d, new[members], None))
            pos += d * m
        if classes:
            self.levels_down.append((level_start, pos, classes))
        self.n_edges = pos
        where = position_of[parent] + row * width_of[parent] + column_of[parent]
        consumers = np.empty(pos, dtype=np.intp)
        consumers[where] = new[n + node]
        self.consumers = consumers
        # Per operand of every node (flat, as arg_offsets numbers them): its edge's place, or
        # one spare place for the derivatives of edges backward never uses.
        self.edge_position = np.full(n_operands + 1, pos, dtype=np.intp)
        self.edge_position[self.arg_offsets[node] + operand] = where

    # -- writing the program ----------------------------------------------------------------------
    def _array(self, values: Any, prefix: str) -> str:
        """A name for an index array (or a slice, if it is a run), bound in the namespace."""
        arr = np.asarray(values, dtype=np.intp)
        if arr.ndim == 1 and len(arr) and (len(arr) == 1 or np.all(np.diff(arr) == 1)):
            return f"{arr[0]}:{arr[-1] + 1}"
        name = f"{prefix}{self._arrays.setdefault(prefix, 0)}"
        self._arrays[prefix] += 1
        self.namespace[name] = arr
        return name

    def _gather(self, buffer: str, values: Sequence[int] | np.ndarray, prefix: str = "I",
                comment: bool = True) -> str:
        index = self._array(values, prefix)
        if ":" in index:
            return f"{buffer}[{index}]"
        shown = f"  # {index} = {np.asarray(values).tolist()}" if len(values) <= 6 and comment else ""
        return f"{buffer}.take({index}){shown}"

    def _columns(self, group: _Group) -> list[tuple[Any, ...]]:
        """Per operand position, the operands of the group's nodes there."""
        columns = getattr(group, "columns", None)
        if columns is None:
            args = self.graph.args
            columns = group.columns = list(zip(*[args[i] for i in group.nodes]))  # type: ignore[attr-defined]
        return columns  # type: ignore[no-any-return]

    def _slots(self, column: Sequence[Any], kind: str) -> np.ndarray:
        """The new slots of a column of operands of one kind (constants put in the pool)."""
        if kind == "s":
            return self.new_array[np.asarray(column, dtype=np.intp)]  # type: ignore[no-any-return]
        if kind == "d":
            return self.new_array[np.asarray([x.slot for x in column], dtype=np.intp)]  # type: ignore[no-any-return]
        return np.asarray([self._slot(x) for x in column], dtype=np.intp)

    def _operands(self, group: _Group) -> list[str]:
        """Per operand position: an expression of its values over the group (a scalar if it is
        the same constant throughout)."""
        out = []
        for kind, column in zip(group.kinds, self._columns(group)):
            if kind == "c" and len({float(c).hex() for c in column}) == 1:
                out.append(f"np.float64({_literal(column[0])})")
            else:
                out.append(self._gather("v", self._slots(column, kind)))
        return out

    def _derivative_positions(self, group: _Group, j: int) -> np.ndarray:
        return self.edge_position[self.arg_offsets[group.array] + j]  # type: ignore[attr-defined]

    def _group_lines(self, group: _Group, grad: bool) -> list[str]:
        op = group.op
        count = len(group.nodes)
        where = f"{group.start}:{group.start + count}"  # type: ignore[attr-defined]
        forms = ", ".join({"s": "Value", "d": "detached", "c": "number"}[k] for k in group.kinds)
        lines = [f"# level {group.level}: {count:,} x {op} ({forms})"]
        if op == rules.SUM:
            block = [self._slots(column, kind) for kind, column in zip(group.kinds, self._columns(group))]
            index = self._array(np.stack(block), "S")
            if count == 1:  # a (k, 1) block would be summed pairwise: add in order instead
                lines.append(f"v[{where}] = np.add.accumulate(v.take({index}).ravel())[-1:]")
            else:
                lines.append(f"v[{where}] = v.take({index}).sum(axis=0)")
            if grad:
                for j, kind in enumerate(group.kinds):
                    if kind == "s":
                        self._static(group, j, np.float64(1.0))
            return lines
        operands = self._operands(group)
        user = op not in rules.BY_NAME
        if user:
            key = f"_op{id(op)}"
            self.namespace[key] = op.definition
            names = tuple(f"x{j}" for j in range(len(operands)))
            lines += [f"{name} = {expr}" for name, expr in zip(names, operands)]
            lines.append(f"out = _user_forward({key}, {', '.join(names)})")
        else:
            names = operand_names(op)
            lines += [f"{name} = {expr}" for name, expr in zip(names, operands)]
            rule = rules.BY_NAME[op]
            forward, functions = _on_arrays(rule.forward, names)
            self._bind(functions)
            lines.append("out = " + forward.format(**{name: name for name in names}))
        lines.append(f"v[{where}] = out")
        if not grad:
            return lines
        positions = [j for j, kind in enumerate(group.kinds) if kind == "s"]
        if user and positions:
            lines.append(f"d = _user_grads({key}, {', '.join(names)}, out)")
        for j in positions:
            if user:
                expr, depends = f"d[{j}]", True
            else:
                formula = rules.BY_NAME[op].grads[j]
                expr, functions = _on_arrays(formula, (*names, "out"))
                self._bind(functions)
                expr = expr.format(**{name: name for name in (*names, "out")})
                used = set(called_names(formula)) & {*names, "out"}
                depends = "out" in used or any(group.kinds[names.index(u)] != "c" for u in used if u in names)
                if not depends:
                    self._static(group, j, self._evaluate(expr, group, names))
                    continue
            target = self._array(self._derivative_positions(group, j), "D")
            lines.append(f"dbuf[{target}] = {expr}")
        return lines

    def _evaluate(self, expr: str, group: _Group, names: tuple[str, ...]) -> Any:
        """A derivative that depends on constants alone, computed now."""
        env = dict(self.namespace)
        for name, column in zip(names, self._columns(group)):
            env[name] = np.asarray(column, dtype=np.float64)
        with np.errstate(all="ignore"):
            return eval(expr, env)  # noqa: S307 - a formula of the rule table

    def _static(self, group: _Group, j: int, value: Any) -> None:
        self.static.append((self._derivative_positions(group, j), value))

    def _bind(self, functions: set[str]) -> None:
        for name in functions:
            self.namespace.setdefault(f"_f_{name}", _vectorized.function(name))

    def _write(self, grad: bool) -> str:
        self.static: list[tuple[Any, Any]] = []
        body = [f"v[:{self.n}] = x"] if self.n else []
        for group in self.groups:
            body += self._group_lines(group, grad)
        body += self._guard_lines()
        output = self.graph.output
        value = f"v[{self._slot(output)}]" if not isinstance(output, float) else _literal(output)
        if self.graph.aux:
            value = f"({value}, {self._gather('v', [self._slot(x) for x in self.graph.aux], 'A', False)})"
        if not grad:
            body.append(f"return {value}")
            return self._function("forward", body)
        body.append("# backward, level by level from the top")
        if self.n:
            body.append(f"g[:{self.n}] = 0.0")
        if type(output) is int:
            body.append(f"g[{self.new[output]}] = 1.0")
        for start, stop, classes in self.levels_down:
            consumers = self._array(self.consumers[start:stop], "C")
            gather = f"g[{consumers}]" if ":" in consumers else f"g.take({consumers})"
            body.append(f"c = dbuf[{start}:{stop}] * {gather}")
            k = 0
            for d, parents, _ in classes:
                m = len(parents)
                target = self._array(parents, "P")
                if d == 1:
                    body.append(f"g[{target}] = c[{k}:{k + m}]")
                elif m == 1:
                    body.append(f"g[{target}] = np.add.accumulate(c[{k}:{k + d}])[-1:]")
                else:
                    body.append(f"g[{target}] = c[{k}:{k + d * m}].reshape({d}, {m}).sum(axis=0)")
                k += d * m
        body.append(f"return {value}, g[:{self.n}]")
        return self._function("value_and_grad", body)

    def _guard_lines(self) -> list[str]:
        by_op: dict[str, list[int]] = {}
        for k, guard in enumerate(self.graph.guards):
            by_op.setdefault(guard.op, []).append(k)
        lines: list[str] = []
        for op, ks in by_op.items():
            guards = [self.graph.guards[k] for k in ks]
            lhs = self._gather("v", [self._slot(g.lhs) for g in guards], "G", comment=False)
            rhs = self._gather("v", [self._slot(g.rhs) for g in guards], "G", comment=False)
            name = f"K{len(lines)}"
            self.namespace[name] = (np.asarray([g.expected for g in guards]), np.asarray(ks))
            lines.append(f"_guard({lhs} {op} {rhs}, *{name})")
        return lines

    def _function(self, name: str, body: list[str]) -> str:
        return "\n".join([f"def {name}(x, v, g, dbuf):"] + ["    " + line for line in body])

    def _build(self, grad: bool) -> Any:
        text = self._write(grad)
        namespace = self.namespace
        exec(compile(text, "<autograd_mini.compile: numpy replay>", "exec"), namespace)  # noqa: S102
        function = namespace["value_and_grad" if grad else "forward"]
        v = np.zeros(self.n_nodes_end + len(self.pool_values))
        v[self.n_nodes_end:] = self.pool_values
        g = np.zeros_like(v)
        dbuf = np.zeros(self.n_edges + 1)
        for positions, value in self.static:
            dbuf[np.asarray(positions, dtype=np.intp)] = value
        return function, v, g, dbuf

    def _get(self, grad: bool) -> Any:
        if grad not in self._functions:
            self._functions[grad] = self._build(grad)
        return self._functions[grad]

    # -- the Compiled interface -------------------------------------------------------------------
    def as_list(self, x: Any) -> list[float]:
        return x.tolist() if isinstance(x, np.ndarray) else list(x)

    def slot_values(self, x: Any, operands: list[Any]) -> list[float]:
        from ._replay_python import slot_values

        values = slot_values(self.graph, self.as_list(x))
        return [values[o] if type(o) is int else values[o.slot] if isinstance(o, Detached) else o
                for o in operands]

    def forward(self, x: np.ndarray) -> Any:
        function, v, g, dbuf = self._get(False)
        with np.errstate(all="ignore"):
            value = function(x, v, g, dbuf)
        return (float(value[0]), value[1].tolist()) if self.graph.aux else float(value)

    def value_and_grad(self, x: np.ndarray) -> tuple[Any, np.ndarray]:
        function, v, g, dbuf = self._get(True)
        with np.errstate(all="ignore"):
            value, grads = function(x, v, g, dbuf)
        if self.graph.aux:
            value = (float(value[0]), value[1].tolist())
        return value, grads.copy()

    def source(self, grad: bool) -> str:
        saved = self.namespace, self._arrays, getattr(self, "static", [])
        self.namespace, self._arrays = dict(self.namespace), {}
        try:
            return self._write(grad)
        finally:
            self.namespace, self._arrays, self.static = saved


def _literal(c: float) -> str:
    if math.isnan(c):
        return "_nan"
    if math.isinf(c):
        return "_inf" if c > 0 else "-_inf"
    return repr(c)


def _user_forward(definition: Any, *xs: Any) -> np.ndarray:
    """A defop op has no array version: its Python forward, node by node."""
    from ._replay_python import _number

    columns = np.broadcast_arrays(*xs)
    return np.asarray([_number(definition.forward(*map(float, row))) for row in zip(*columns)])


def _user_grads(definition: Any, *xs: Any) -> np.ndarray:
    """A defop op's local derivatives, node by node: (inputs, nodes)."""
    *inputs, out = xs
    columns = [np.broadcast_to(x, np.shape(out)) for x in inputs]
    rows = [definition._floats(definition.grads(*map(float, row), o)) for *row, o in zip(*columns, out)]
    return np.asarray(rows).T.reshape(len(inputs), -1)


def _guard(test: np.ndarray, expected: np.ndarray, ks: np.ndarray) -> None:
    """Raise GuardFailedError naming the first guard whose comparison no longer gives ``expected``."""
    if not np.array_equal(test, expected):
        raise GuardFailedError(int(ks[np.flatnonzero(test != expected)[0]]))
