"""Write ``ops.py``, the Python of every rule in ``rules``: ``python -m autograd_mini._codegen``.

Calling a rule's forward and derivative functions through the table for every node would cost
several Python calls per node. Instead each rule is written out once, as source you can open,
read and step through: methods whose bodies are the rule's own expressions inline, so a node
costs what hand-written code would. PyTorch does the same with ``derivatives.yaml``.

``python -m autograd_mini._codegen --check`` exits 1 if ``ops.py`` is not what the table gives
(the test suite runs it); without ``--check`` it rewrites the file. ``source(rule)`` shows one
rule's methods:

>>> from autograd_mini.rules import BY_NAME
>>> print(source(BY_NAME["tanh"]))  # doctest: +ELLIPSIS
def tanh(self) -> Value:
    \"\"\"tanh(a); d/da = 1 - tanh(a)**2 = 1 - out**2\"\"\"
    a = self.data
    out = _ieee.tanh(a)
    node = _new(_Value)
    ...
    node._da = 1.0 - out * out
...

Every name an expression uses is checked here, so a row that names a function nobody defined
fails when the code is generated, with the rule and the name, not at its first call.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from . import _ieee, _lift
from ._atomic import write_atomic
from ._expressions import BUILTINS, VARIABLES, called_names, on_floats
from .rules import RULES, Rule

OUTPUT = Path(__file__).with_name("ops.py")
def _call(rule: Rule) -> str:
    """How the forward of a lifted unary op reads: ``exp(a)``, or with its parameter."""
    args = "a" if rule.param is None else f"a, {rule.param[0]}"
    return f"{rule.method}({args})"


def lifted(rules: Iterable[Rule]) -> dict[str, str]:
    """The functions on numbers and Values alike, by name: each unary op whose forward is a call
    of the ``_ieee`` function of its own method's name (``exp`` for ``exp(a)``, and
    ``leaky_relu(a, negative_slope)`` with its parameter), with its aliases; the values are the
    method to call on a Value."""
    names = {}
    for rule in rules:
        if rule.arity == 1 and not rule.method.startswith("__") and rule.forward == _call(rule):
            for name in (rule.method, *rule.aliases):
                names[name] = rule.method
    return names


def check(rule: Rule, functions: Iterable[str]) -> None:
    """ValueError naming ``rule`` and the name, if an expression names something that is neither
    an input, an ``_ieee`` function (on floats), nor has a version for Values."""
    on_floats = set(_ieee.__all__) | BUILTINS
    on_values = set(functions) | set(_lift.__all__) | BUILTINS
    if rule.param is not None:
        name = rule.param[0]
        if rule.arity != 1 or not name.isidentifier() or name in VARIABLES or name in on_floats:
            raise ValueError(f"rule {rule.name!r}: a parameter needs a unary op and a name of its own, "
                             f"not {name!r}")
    parameter = {rule.param[0]} if rule.param is not None else set()
    for where, expression in (("forward", rule.forward), *(("grads", g) for g in rule.grads)):
        try:
            names = called_names(expression)
        except SyntaxError as e:
            message = f"rule {rule.name!r}: its {where} {expression!r} is not an expression: {e.msg}"
            raise ValueError(message) from None
        for name in names:
            if name in parameter:
                continue
            if name in VARIABLES:
                if (name == "b" and rule.arity == 1) or (name == "out" and where == "forward"):
                    raise ValueError(f"rule {rule.name!r}: its {where} {expression!r} uses {name!r}, "
                                     "which it does not have")
                continue
            if name not in on_floats:
                raise ValueError(f"rule {rule.name!r}: {name!r} in {expression!r} is not a function of "
                                 "autograd_mini._ieee (add it there, and to its __all__)")
            if where == "grads" and name not in on_values:
                raise ValueError(f"rule {rule.name!r}: {name!r} in {expression!r} has no version for "
                                 "Values, so the derivative cannot be differentiated again (give it a "
                                 "row of its own, or add it to autograd_mini._lift)")


# -- the parts of ops.py ------------------------------------------------------------------------
def _node(op: str, parents: tuple[str, str], grads: tuple[str, str], indent: str) -> list[str]:
    """Lines that build the result node; ``out`` already holds its float value.

    This is the node layout of ``engine.Value`` (its ``__slots__``): ``op`` fills ``_form``;
    ``parents`` and ``grads`` fill ``_a``, ``_b`` and ``_da``, ``_db`` ("None", "0.0" if unused).
    """
    lines = [
        "node = _new(_Value)",
        "node.data = out",
        "node.grad = 0.0",
        'node.label = ""',
        f"node._form = {op}",
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
        indent + "    c = number(other)",
        indent + "    if c is None:",
        indent + "        return NotImplemented",
        indent + f"    {name} = c",
    ]


def _docstring(rule: Rule, indent: str) -> str:
    text = rule.doc or f"The op {rule.name!r}."
    lines = textwrap.wrap(text, width=100 - len(indent) - 3)
    if len(lines) == 1:
        return f'{indent}"""{lines[0]}"""'
    body = "\n".join(indent + line for line in lines[1:])
    return f'{indent}"""{lines[0]}\n{body}\n{indent}"""'


def _param_lines(rule: Rule, indent: str) -> list[str]:
    """Lines that make the parameter a float, or raise TypeError naming the op and the parameter."""
    assert rule.param is not None
    name = rule.param[0]
    return [indent + f"if type({name}) is not float:",
            indent + f"    {name} = parameter({name}, {rule.method!r}, {name!r})"]


def source(rule: Rule) -> str:
    """The Python source of the ``Value`` methods of ``rule`` (at module level, unindented)."""
    fwd, op = on_floats(rule.forward, rule.param), repr(rule.name)
    grads = tuple(on_floats(g, rule.param) for g in rule.grads)
    if rule.param is not None:
        # A constant operand, as for x * 2: the node keeps it in its op, ("leaky_relu", x, 0.2).
        name, default = rule.param
        lines = [f"def {rule.method}(self, {name}: float = {default!r}) -> Value:", _docstring(rule, "    ")]
        lines += _param_lines(rule, "    ")
        lines += ["    a = self.data", f"    out = {fwd}"]
        lines += _node(f"({op}, self, {name})", ("self", "None"), (grads[0], "0.0"), "    ")
        return "\n".join(lines) + "\n"
    if rule.arity == 1:
        lines = [f"def {rule.method}(self) -> Value:", _docstring(rule, "    "), "    a = self.data",
                 f"    out = {fwd}"]
        lines += _node(op, ("self", "None"), (grads[0], "0.0"), "    ")
        return "\n".join(lines) + "\n"
    da, db = grads
    lines = [f"def {rule.method}(self, other: Value | float) -> Value:", _docstring(rule, "    "),
             "    if isinstance(other, _Value):", "        a = self.data", "        b = other.data",
             f"        out = {fwd}"]
    lines += _node(op, ("self", "other"), (da, db), "        ")
    # A plain-number operand stays out of the graph: the node has one parent, and keeps the
    # operands as written with its op name, as in ("-", 2.0, x), for printing and for
    # higher-order gradients.
    lines += _constant_operand("b", "    ")
    lines += ["    a = self.data", f"    out = {fwd}"]
    lines += _node(f"({op}, self, b)", ("self", "None"), (da, "0.0"), "    ")
    if rule.reflected:
        lines += ["", "", f"def {rule.reflected}(self, other: float) -> Value:", _docstring(rule, "    ")]
        lines += _constant_operand("a", "    ")
        lines += ["    b = self.data", f"    out = {fwd}"]
        lines += _node(f"({op}, a, self)", ("self", "None"), (db, "0.0"), "    ")
    return "\n".join(lines) + "\n"


def _function_source(rule: Rule, name: str) -> str:
    """The function ``name`` (the method's or an alias) of numbers and Values alike for a unary ``rule``."""
    params, args, convert = "", "", []
    if rule.param is not None:
        param, default = rule.param
        params, args = f", {param}: float = {default!r}", param
        convert = _param_lines(rule, "    ")
    return "\n".join([
        "@overload",
        f"def {name}(a: float{params}) -> float: ...",
        "@overload",
        f"def {name}(a: Value{params}) -> Value: ...",
        f"def {name}(a: Any{params}) -> Any:",
        _docstring(rule, "    "),
        "    if isinstance(a, Ops):",
        f"        return a.{rule.method}({args})",
        f"    a = as_float(a, {name!r})",
        *convert,
        f"    return {on_floats(rule.forward, rule.param)}",
    ]) + "\n"


def _base(rule: Rule) -> str:
    return rule.method.strip("_")


def _operands(rule: Rule) -> tuple[str, ...]:
    """The names of the operands as written: ``a``, ``b``, or ``a`` and the parameter."""
    if rule.param is not None:
        return ("a", rule.param[0])
    return ("a", "b")[:rule.arity]


def _derivative_names(rule: Rule) -> list[str]:
    """The names in ``DERIVATIVES`` for ``rule``: one function per operand as written."""
    return [f"_d_{_base(rule)}_d{w}" for w in _operands(rule)]


def _derivative_source(rule: Rule) -> list[str]:
    params = ", ".join(f"{name}: Any" for name in (*_operands(rule), "out"))
    chunks = []
    for g, name in zip(rule.grads, _derivative_names(rule)):
        chunks.append(f"def {name}({params}) -> Any:\n    return {g}\n")
    if rule.param is not None:  # the parameter's: never called, as the constant's of x * 2
        chunks.append(f"def {_derivative_names(rule)[1]}({params}) -> Any:\n"
                      f"    raise AssertionError(\"{rule.name}'s {rule.param[0]} is a number, not a Value: "
                      "it has no gradient\")\n")
    return chunks


def module_source(rules: Iterable[Rule] = RULES) -> str:
    """The whole of ``ops.py`` for the table ``rules``."""
    rules = tuple(rules)
    functions = lifted(rules)
    for rule in rules:
        check(rule, functions)
    by_method = {r.method: r for r in rules}
    public = sorted(functions)
    helpers = {n for r in rules for g in r.grads for n in called_names(g)} & set(_lift.__all__)
    if any(r.param is not None for r in rules):
        helpers.add("parameter")
    names = sorted({"as_float", "number"} | helpers)
    lift = ", ".join(names)
    if len(f"from ._lift import {lift}") > 100:  # isort's form for a long import
        lift = "(\n" + "".join(f"    {name},\n" for name in names) + ")"
    parts = [HEADER.format(all=_all(sorted(["DERIVATIVES", "Ops", "bind", *public])), lift=lift)]
    parts.append(SECTION.format(title="functions on numbers and Values alike, one per unary op"))
    for name, method in functions.items():  # an alias is a function of its own, for its messages
        parts.append(_function_source(by_method[method], name))
    parts.append(SECTION.format(title="the methods of Value"))
    methods = []
    for rule in rules:
        methods.append(_indent(source(rule).replace("\n\n\n", "\n\n")))
        methods += [f"    {alias} = {rule.method}\n" for alias in rule.aliases]
    parts.append(OPS_CLASS + "\n" + "\n".join(methods))
    parts.append(SECTION.format(title="local derivatives as functions of Values, for higher order"))
    for rule in rules:
        parts.extend(_derivative_source(rule))
    table = ",\n".join(f"    {r.name!r}: ({', '.join(_derivative_names(r))},)" for r in rules)
    parts.append(f"DERIVATIVES: dict[str, tuple[Callable[..., Any], ...]] = {{\n{table},\n}}\n")
    return "\n\n".join(parts)


def _all(names: list[str]) -> str:
    lines, line = [], "__all__ = ["
    for name in names:
        item = f"{name!r}, "
        if len(line) + len(item) > 100:
            lines.append(line.rstrip())
            line = "    "
        line += item
    return "\n".join([*lines, line.rstrip().rstrip(",") + "]"]).replace("'", '"')


def _indent(text: str) -> str:
    return "\n".join("    " + line if line else line for line in text.splitlines()) + "\n"


HEADER = '''"""The ops of the rule table as Python: written by ``python -m autograd_mini._codegen``.

Do not edit: edit ``rules.py`` (and ``_ieee.py``), then run ``python -m autograd_mini._codegen``.
The test suite runs it with ``--check`` and fails while this file is stale.

Three parts, each written from the table's rows:

1. Functions on numbers and Values alike, one per unary op: ``exp(2.0)`` is a float (IEEE 754,
   as ``_ieee`` computes it), ``exp(x)`` a node. ``autograd_mini`` re-exports them.
2. ``Ops``, the methods of ``Value`` (``engine.Value`` derives from it). Each computes its
   result on floats, then builds one node with its local derivatives written inline, so a node
   costs what hand-written code would. A plain-number operand stays out of the graph: the node
   keeps the operands as written with its op name, ``("-", 2.0, x)``.
3. ``DERIVATIVES``: each rule's local derivatives as functions of the operands as written and
   the result, ``(a, [b,] out)``, one per operand (a parameter such as leaky_relu's slope is an
   operand that is always a number, whose function is never called). Evaluated on the nodes of
   a graph (by ``gradients(differentiable=True)``) they build the derivative as a graph, which
   can be differentiated again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, overload

from . import _ieee
from ._lift import {lift}
from .modes import _modes_active

if TYPE_CHECKING:
    from .engine import Value

{all}

# engine.Value, the class every op makes, and the engine's handling of open mode blocks
# (no_grad, detect_anomaly): the engine defines both above this module and hands them down with
# bind() once Value exists.
_Value: Any = None
_special: Any = None
_new = object.__new__  # nodes skip Value.__init__'s checks: their fields are set right here


def bind(value: type, special: Callable[[Any], None]) -> None:
    """Called once, by the engine: the node class and its mode handling."""
    global _Value, _special
    _Value, _special = value, special
'''

SECTION = "# -- {title} " + "-" * 20

OPS_CLASS = '''class Ops:
    """The methods of ``Value`` generated from the rule table (see the module docstring)."""

    __slots__ = ()
    # The node layout, declared by engine.Value's __slots__; named here for type checkers.
    data: float
    grad: Any
    label: str
    _form: Any
    _a: Any
    _b: Any
    _da: Any
    _db: Any
'''


# -- for tests: a rule's methods and derivatives made at run time -------------------------------
def build(rule: Rule) -> dict[str, Callable[..., Any]]:
    """``source(rule)`` executed with ``ops``' names: the methods by name, as the generated ones.

    For tests that plant a wrong rule; the engine itself never executes generated text.
    """
    from . import ops

    methods: dict[str, Callable[..., Any]] = {}
    exec(compile(source(rule), f"<rule {rule.name!r}>", "exec"), dict(vars(ops)), methods)  # noqa: S102
    return methods


def derivative_functions(rule: Rule) -> tuple[Callable[..., Any], ...]:
    """The rule's local derivatives as functions on Values, made as ``ops.DERIVATIVES``'s are."""
    from . import ops

    namespace: dict[str, Any] = {}
    code = "\n".join(_derivative_source(rule))
    exec(compile(code, f"<d {rule.name!r}>", "exec"), dict(vars(ops)), namespace)  # noqa: S102
    return tuple(namespace[name] for name in _derivative_names(rule))


def main(argv: list[str] | None = None) -> int:
    """Write ``ops.py`` (or, with ``--check``, say whether it is up to date); the exit status."""
    parser = argparse.ArgumentParser(prog="python -m autograd_mini._codegen",
                                     description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if ops.py is stale; write nothing")
    opts = parser.parse_args(argv)
    text = module_source()
    current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
    if opts.check:
        if current != text:
            print(f"{OUTPUT} is stale: run python -m autograd_mini._codegen", file=sys.stderr)
            return 1
        return 0
    if current != text:
        write_atomic(OUTPUT, text.encode("utf-8"))
        print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
