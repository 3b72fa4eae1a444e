"""Build the notebooks from their sources: ``notebooks/src/<name>.py`` -> ``notebooks/<name>.ipynb``.

A source is a Python file in the "percent" format that Jupytext, VS Code and Spyder read: a line
``# %%`` opens a code cell, ``# %% [markdown]`` a Markdown cell whose lines are commented with
``# ``. Sources diff and review as code, run as plain scripts (``python notebooks/src/01_...py``),
and build into notebooks with outputs cleared and fixed cell ids, so a rebuild of an unchanged
source gives byte-identical files.

    python notebooks/build_notebooks.py          # write every notebook
    python notebooks/build_notebooks.py --check  # exit 1 if a notebook is not its source's build

The test suite runs the check, then executes each notebook in a fresh kernel.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

from autograd_mini._atomic import write_atomic

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "src"
CODE, MARKDOWN = "# %%", "# %% [markdown]"


def cells(text: str) -> list[tuple[str, str]]:
    """The (kind, source) cells of a percent-format file; text before the first marker is dropped."""
    found: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.rstrip() == MARKDOWN:
            found.append(("markdown", []))
        elif line.rstrip() == CODE:
            found.append(("code", []))
        elif found:
            kind, lines = found[-1]
            if kind == "markdown":
                if line.strip() and not line.startswith("#"):
                    raise ValueError(f"markdown lines must start with '#', got {line!r}")
                line = line[2:] if line.startswith("# ") else line[1:]
            lines.append(line)
    result = []
    for kind, lines in found:
        source = "\n".join(lines).strip("\n")
        if not source:
            raise ValueError(f"empty {kind} cell #{len(result)}")
        result.append((kind, source))
    return result


def notebook(text: str) -> nbformat.NotebookNode:
    """A v4 notebook holding the cells of ``text``, no outputs, ids ``cell-0``, ``cell-1``, ..."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for i, (kind, source) in enumerate(cells(text)):
        new = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        nb.cells.append(new(source, id=f"cell-{i}"))
    nbformat.validate(nb)
    return nb


def build(source: Path) -> str:
    """The .ipynb text that ``source`` builds into."""
    return nbformat.writes(notebook(source.read_text(encoding="utf-8"))) + "\n"


def targets() -> dict[Path, Path]:
    """Each source and the notebook it builds into."""
    return {src: HERE / (src.stem + ".ipynb") for src in sorted(SOURCES.glob("*.py"))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the notebooks are up to date")
    args = parser.parse_args(argv)
    stale = []
    for src, target in targets().items():
        text = build(src)
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        if args.check:
            stale.append(target.name)
        else:
            write_atomic(target, text.encode())
            print(f"wrote {target.relative_to(HERE.parent)}")
    if stale:
        print(f"out of date with notebooks/src: {', '.join(stale)}; run python {Path(__file__).name}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
