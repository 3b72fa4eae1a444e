"""No import circles: each module of autograd_mini and nn imports only modules below it, at its
top level or inside a function (an import under TYPE_CHECKING never runs, and is not counted)."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("autograd_mini", "nn")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The package modules ``path`` imports, when it is imported or in a function."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and ast.unparse(block.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
                   for n in ast.walk(block)}
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            if node.module:  # "from .engine import Value": the module engine
                found.add(target)
            # "from . import ops": the module ops (a name that is not a module drops out below)
            found |= {f"{target}.{alias.name}" for alias in node.names}
    known = {_module_name(p) for p in _sources()}
    return {name for name in found if name in known and name != module}


def _sources() -> list[Path]:
    return [p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))]


def test_the_packages_have_no_import_circles():
    graph = {}
    for path in _sources():
        name = _module_name(path)
        # A package's __init__ re-exports its modules: it sits above them, so an import of the
        # package from one of its modules would be a circle too.
        graph[name] = _imports(path)
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as e:
        pytest.fail(f"import circle: {' -> '.join(e.args[1])}")
    assert order.index("autograd_mini.ops") < order.index("autograd_mini.engine")
    assert order.index("nn.serialize") < order.index("nn.modules")  # serialize: the format and a class map


def test_the_graph_sees_relative_imports():
    imports = _imports(ROOT / "autograd_mini" / "engine.py")
    assert {"autograd_mini.ops", "autograd_mini.modes", "autograd_mini.rules"} <= imports
    assert "autograd_mini.engine" not in _imports(ROOT / "autograd_mini" / "modes.py")
