"""Turn each rule of the table into the Python source of its ``Value`` methods.

Calling a rule's forward and derivative functions through the table for every node would cost
several Python calls per node. Instead, when the engine is imported, each rule becomes a method
whose body is the rule's own expressions written inline, so a node costs what hand-written code
would. ``source(rule)`` shows the generated code:

>>> from autograd_mini.rules import BY_NAME
>>> print(source(BY_NAME["tanh"]))  # doctest: +ELLIPSIS
def tanh(self):
    a = self.data
    out = tanh(a)
    node = _new(Value)
    ...
    node._da = 1.0 - out * out
...

The generated code reads these names from the namespace it is executed in: ``Value``, ``_new``
(``object.__new__``, so nodes skip ``Value.__init__``'s checks), ``_number`` (converts a
constant operand to float, or None for unsupported types), ``_modes_active`` and
``_special`` (the slow path for ``no_grad`` and ``detect_anomaly``), and the float functions
the rules name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .rules import Rule


def _node(op: str, parents: tuple[str, str], grads: tuple[str, str], indent: str) -> list[str]:
    """Lines that build the result node; ``out`` already holds its float value. ``op`` fills
    ``_op``; ``parents`` and ``grads`` fill ``_a``, ``_b`` and ``_da``, ``_db`` ("None", "0.0"
    if unused)."""
    lines = [
        "node = _new(Value)",
        "node.data = out",
        "node.grad = 0.0",
        'node.label = ""',
        f"node._op = {op}",
        f"node._a = {parents[0]}",
        f"node._b = {parents[1]}",
        f"node._da = {grads[0]}",
        f"node._db = {grads[1]}",
        "if _modes_active[0]:",
        "    _special(node)",
        "return node",
    ]
    return [indent + line for line in lines]


def _constant_operand(name: str, indent: str) -> list[str]:
    """Lines that bind ``name`` to the other operand as a float, or give up with NotImplemented."""
    return [
        indent + "if type(other) is float:",
        indent + f"    {name} = other",
        indent + "else:",
        indent + f"    {name} = _number(other)",
        indent + f"    if {name} is None:",
        indent + "        return NotImplemented",
    ]


def source(rule: Rule) -> str:
    """The Python source of the methods generated for ``rule``."""
    fwd, grads, op = rule.forward, rule.grads, repr(rule.name)
    if rule.arity == 1:
        lines = [f"def {rule.method}(self):", "    a = self.data", f"    out = {fwd}"]
        lines += _node(op, ("self", "None"), (grads[0], "0.0"), "    ")
        return "\n".join(lines) + "\n"
    da, db = grads
    lines = [f"def {rule.method}(self, other):", "    if isinstance(other, Value):",
             "        a = self.data", "        b = other.data", f"        out = {fwd}"]
    lines += _node(op, ("self", "other"), (da, db), "        ")
    # A plain-number operand stays out of the graph: the node has one parent, and keeps the
    # operands as written with its op name, as in ("-", 2.0, x), for printing and for
    # higher-order gradients.
    lines += _constant_operand("b", "    ")
    lines += ["    a = self.data", f"    out = {fwd}"]
    lines += _node(f"({op}, self, b)", ("self", "None"), (da, "0.0"), "    ")
    if rule.reflected:
        lines += ["", "", f"def {rule.reflected}(self, other):"]
        lines += _constant_operand("a", "    ")
        lines += ["    b = self.data", f"    out = {fwd}"]
        lines += _node(f"({op}, a, self)", ("self", "None"), (db, "0.0"), "    ")
    return "\n".join(lines) + "\n"


def build(rule: Rule, namespace: dict[str, Any]) -> dict[str, Callable[..., Any]]:
    """Execute ``source(rule)`` in ``namespace``; return the new methods by name, with docstrings."""
    methods: dict[str, Callable[..., Any]] = {}
    code = compile(source(rule), f"<autograd_mini rule {rule.name!r}>", "exec")
    exec(code, namespace, methods)  # noqa: S102 - our own table, generated above
    for fn in methods.values():
        fn.__doc__ = rule.doc
    return methods


def derivative_functions(rule: Rule, namespace: dict[str, Any]) -> tuple[Callable[..., Any], ...]:
    """The rule's local derivatives as functions of ``(a, b, out)``, evaluated in ``namespace``.

    With ``Value`` arguments and a namespace of ``Value`` functions they build the derivative
    as a graph, which is how ``backward(create_graph=True)`` differentiates twice.
    """
    params = "a, out" if rule.arity == 1 else "a, b, out"
    return tuple(
        eval(compile(f"lambda {params}: {g}", f"<d {rule.name}>", "eval"), namespace)  # noqa: S307
        for g in rule.grads
    )
