"""The rules' expressions as Python syntax: which names they call, and the same expression
calling ``_ieee``'s float functions. Shared by the generator (``_codegen``) and the compiler's
replay backends, which evaluate the table's formulas too.
"""

from __future__ import annotations

import ast

#: Python builtins a rule may name: they work on floats and Values alike.
BUILTINS = frozenset({"abs"})
#: The names an expression may use besides functions: the inputs and the result.
VARIABLES = frozenset({"a", "b", "out"})


def called_names(expression: str) -> list[str]:
    """Every name ``expression`` uses, functions and variables.

    >>> called_names("div(-out, b)")
    ['div', 'b', 'out']
    """
    return [n.id for n in ast.walk(ast.parse(expression, mode="eval")) if isinstance(n, ast.Name)]


class _OnFloats(ast.NodeTransformer):
    """Rewrite ``exp(a)`` to ``_ieee.exp(a)``: the fast path calls the float functions."""

    def __init__(self, keep: frozenset[str] = frozenset()) -> None:
        self.keep = VARIABLES | BUILTINS | keep

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.keep:
            return node
        return ast.copy_location(ast.Attribute(ast.Name("_ieee", ast.Load()), node.id, ast.Load()), node)


def on_floats(expression: str, param: tuple[str, float] | None = None) -> str:
    """``expression`` calling the ``_ieee`` float functions (``param``'s name stays a variable).

    >>> on_floats("div(1.0, b)")
    '_ieee.div(1.0, b)'
    """
    keep = frozenset() if param is None else frozenset({param[0]})
    return ast.unparse(_OnFloats(keep).visit(ast.parse(expression, mode="eval")))
