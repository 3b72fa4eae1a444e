"""The README's code blocks run as written, and the tests they define pass."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_its_examples():
    blocks = python_blocks()
    assert len(blocks) >= 4  # ten lines, nn, drawing, testing your own gradients


def test_readme_python_blocks_run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # the examples write files
    ran_tests = 0
    for block in python_blocks():
        namespace: dict[str, object] = {"__name__": "readme"}
        exec(compile(block, str(README), "exec"), namespace)
        for name, fn in namespace.items():
            if name.startswith("test_") and callable(fn):
                fn()
                ran_tests += 1
    assert ran_tests >= 2  # the property tests of "Testing your own gradients"
    assert (tmp_path / "loss.svg").read_text().lstrip().startswith(("<?xml", "<svg"))
    printed = capsys.readouterr().out
    assert "train accuracy after 30 steps" in printed and "-0.0340 -0.4946" in printed
