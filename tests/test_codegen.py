"""ops.py is what the table gives, readable as real code, and a new row is one edit: its methods,
derivatives, graph label, strategies and the table-wide tests come from the row alone."""

from __future__ import annotations

import ast
import inspect
import os
import shutil
import subprocess
import sys
import textwrap
import traceback
from pathlib import Path

import pytest

import autograd_mini as am
from autograd_mini import Value, _codegen, engine, ops
from autograd_mini.rules import RULES, Rule

ROOT = Path(__file__).resolve().parent.parent


def test_ops_py_is_what_the_table_gives():
    # A stale file fails here (and in CI): run python -m autograd_mini._codegen.
    assert _codegen.main(["--check"]) == 0
    assert _codegen.OUTPUT.read_text(encoding="utf-8") == _codegen.module_source()


def test_check_fails_on_a_stale_file(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "ops.py"
    stale.write_text(_codegen.module_source().replace("node.grad = 0.0", "node.grad = 1.0", 1))
    monkeypatch.setattr(_codegen, "OUTPUT", stale)
    assert _codegen.main(["--check"]) == 1
    assert "is stale: run python -m autograd_mini._codegen" in capsys.readouterr().err
    assert _codegen.main([]) == 0 and _codegen.main(["--check"]) == 0  # rewritten


def test_importing_the_package_compiles_no_generated_text():
    # No exec or eval at import: every code object comes from a file (an audit hook sees each
    # compile() call; exec'd text would be compiled from a "<...>" name).
    code = textwrap.dedent("""
        import sys
        made = []
        sys.addaudithook(lambda event, args: made.append(args[1]) if event == "compile" else None)
        import autograd_mini, autograd_mini.testing, nn
        print([name for name in made if isinstance(name, str) and name.startswith("<")
               and name not in ("<string>", "<frozen>")])
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_methods_are_real_code_with_sources_and_tracebacks():
    for rule in RULES:
        method = getattr(Value, rule.method)
        assert Path(method.__code__.co_filename).name == "ops.py", rule.name
        assert inspect.getsource(method).lstrip().startswith(f"def {rule.method}(self"), rule.name
        assert " ".join((method.__doc__ or "").split()) == " ".join(rule.doc.split()) or not rule.doc
    with am.detect_anomaly(), pytest.raises(FloatingPointError) as error:
        Value(0.0).log()
    frames = [f for f in traceback.extract_tb(error.value.__traceback__) if Path(f.filename).name == "ops.py"]
    assert frames and frames[0].name == "log" and frames[0].line  # a line of source, not "<rule>"


def test_every_name_a_rule_uses_is_checked_when_generating():
    cases = [
        (Rule("cube", "cube", "cube(a)", ("3.0 * a * a",)), "'cube' in 'cube(a)' is not a function of "
                                                             "autograd_mini._ieee"),
        (Rule("ex", "ex", "exp(a)", ("dpow_exp(a, a, out) * frexp(a)",)), "'frexp'"),
        (Rule("odd", "odd", "exp(a)", ("b",)), "its grads 'b' uses 'b', which it does not have"),
        (Rule("odd", "odd", "exp(out)", ("1.0",)), "its forward 'exp(out)' uses 'out'"),
        (Rule("bad", "bad", "exp(a", ("1.0",)), "its forward 'exp(a' is not an expression"),
    ]
    for rule, message in cases:
        with pytest.raises(ValueError, match=f"rule {rule.name!r}") as error:
            _codegen.module_source((*RULES, rule))
        assert message in str(error.value)


def _assigned(function_source: str, target: str) -> set[str]:
    tree = ast.parse(textwrap.dedent(function_source))
    return {t.attr for n in ast.walk(tree) if isinstance(n, (ast.Assign, ast.AugAssign))
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
            for t in (t.elts if isinstance(t, ast.Tuple) else [t])
            if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == target}


def test_every_writer_of_a_node_writes_the_whole_layout():
    # The layout is Value.__slots__; the three places that fill a node must fill all of it.
    layout = set(Value.__slots__)
    assert _assigned(inspect.getsource(Value.__init__), "self") == layout
    assert _assigned(inspect.getsource(engine._node), "node") == layout
    template = "\n".join(_codegen._node("'op'", ("self", "None"), ("1.0", "0.0"), ""))
    assert _assigned(f"def f():\n{textwrap.indent(template, '    ')}", "node") == layout
    for rule in RULES:
        assert _assigned(inspect.getsource(getattr(Value, rule.method)), "node") == layout, rule.name


def test_ops_functions_work_on_numbers_and_values_alike():
    x = Value(0.5)
    for name in ops.__all__:
        fn = getattr(ops, name)
        if name in ("DERIVATIVES", "Ops", "bind"):
            continue
        on_float, on_value = fn(0.5), fn(x)
        assert type(on_float) is float and isinstance(on_value, Value), name
        assert on_value.data == on_float, name
        with pytest.raises(TypeError, match=f"{name}\\(\\) takes a real number or a Value, not str"):
            fn("0.5")


# -- a new row is one edit --------------------------------------------------------------------------
ROW = 'Rule("square", "square", "square(a)", ("2.0 * a",), symbol="x²", doc="a**2; d/da = 2a"),'
FLOAT_FUNCTION = '''

def square(a: float) -> float:
    """a * a; overflows to inf."""
    return a * a
'''

CHECK = textwrap.dedent('''
    import math
    import autograd_mini as am
    from autograd_mini import Value, grad, draw_dot, ops
    from autograd_mini.testing.strategies import drawable_ops

    x = Value(3.0)
    y = x.square()
    y.backward()
    assert (y.data, x.grad, y.op) == (9.0, 6.0, "square")
    assert grad(grad(lambda v: v.square()))(5.0) == 2.0        # second derivative, from the row
    assert ops.square(4.0) == 16.0 and ops.square(Value(4.0)).data == 16.0
    assert Value(1e200).square().data == math.inf              # IEEE edge: overflow to inf
    assert "x²" in draw_dot(y).source                          # graph label: the row's symbol
    assert "square" in drawable_ops()                          # the strategies draw it
    print("ok")
''')


def _insert_row(rules_py: Path) -> None:
    text = rules_py.read_text(encoding="utf-8")
    tree = ast.parse(text)
    table = next(n for n in tree.body
                 if isinstance(n, ast.AnnAssign) and getattr(n.target, "id", "") == "RULES")
    lines = text.splitlines(keepends=True)
    closing = table.end_lineno - 1  # the line of the tuple's closing parenthesis
    lines.insert(closing, f"    {ROW}\n")
    rules_py.write_text("".join(lines), encoding="utf-8")


def _add_float_function(ieee_py: Path) -> None:
    text = ieee_py.read_text(encoding="utf-8")
    start = text.index("__all__ = [") + len("__all__ = [")
    ieee_py.write_text(text[:start] + '"square", ' + text[start:] + FLOAT_FUNCTION, encoding="utf-8")


def test_a_new_row_and_its_float_function_are_all_an_op_needs(tmp_path):
    scratch = tmp_path / "src"
    shutil.copytree(ROOT / "autograd_mini", scratch / "autograd_mini",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tests", scratch / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", scratch / "pyproject.toml")
    _insert_row(scratch / "autograd_mini" / "rules.py")
    _add_float_function(scratch / "autograd_mini" / "_ieee.py")
    env = {**os.environ, "PYTHONPATH": str(scratch), "PYTHONDONTWRITEBYTECODE": "1"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, *args], cwd=scratch, env=env, capture_output=True, text=True,
                              timeout=600)

    # Before generating: the package still imports (the old ops.py), and --check says it is stale.
    assert run("-m", "autograd_mini._codegen", "--check").returncode == 1
    generated = run("-m", "autograd_mini._codegen")
    assert generated.returncode == 0, generated.stderr
    checked = run("-c", CHECK)
    assert checked.returncode == 0 and checked.stdout == "ok\n", checked.stderr
    # The table-wide tests pick the row up: finite differences, second derivatives, torch's
    # torch.square where torch is installed, random programs that use it.
    tests = run("-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=--import-mode=importlib",
                "tests/test_rules.py", "-k", "square")
    assert tests.returncode == 0, tests.stdout[-3000:]
    assert " passed" in tests.stdout and "square" not in tests.stdout.split("passed")[-1]
