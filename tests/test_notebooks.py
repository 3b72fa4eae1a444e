"""The notebooks: committed with outputs cleared, built from ``notebooks/src``, and each run top
to bottom in a fresh kernel of this interpreter (the notebooks assert their own results, so a
broken engine, ``nn``, renderer or gradcheck fails here)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

WHY = "executing notebooks needs nbformat, nbclient and ipykernel: pip install -e .[test]"
nbformat = pytest.importorskip("nbformat", reason=WHY)
nbclient = pytest.importorskip("nbclient", reason=WHY)

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
EXPECTED = [
    "01_backprop_from_scratch.ipynb",
    "02_training_an_mlp.ipynb",
    "03_computation_graphs.ipynb",
    "04_testing_gradients.ipynb",
    "05_from_scalars_to_tensors.ipynb",
]
#: What a notebook needs beyond the test tools, and why: where it is missing, the notebook's run
#: is skipped with the reason (CI installs it; its Python 3.10 run goes without torch).
REQUIRES = {
    "05_from_scalars_to_tensors": ("torch", "it moves a model to PyTorch: pip install torch==2.13.0"),
}


def _builder():
    spec = importlib.util.spec_from_file_location("build_notebooks", NOTEBOOKS / "build_notebooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_notebooks_are_there():
    assert [p.name for p in PATHS] == EXPECTED


def test_notebooks_are_built_from_their_sources():
    builder = _builder()
    sources = builder.targets()
    assert sorted(t.name for t in sources.values()) == EXPECTED
    for src, target in sources.items():
        assert target.read_text(encoding="utf-8") == builder.build(src), (
            f"{target.name} differs from the build of notebooks/src/{src.name}: "
            "run python notebooks/build_notebooks.py")


def test_the_builder_reads_the_percent_format():
    builder = _builder()
    text = "# %% [markdown]\n# # Title\n#\n# $x$\n\n# %%\nx = 1\n\nx\n"
    assert builder.cells(text) == [("markdown", "# Title\n\n$x$"), ("code", "x = 1\n\nx")]
    with pytest.raises(ValueError, match="must start with '#'"):
        builder.cells("# %% [markdown]\nnot a comment\n")
    with pytest.raises(ValueError, match="empty code cell"):
        builder.cells("# %%\n\n")


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code, "a notebook with no code"
    for i, cell in enumerate(code):
        assert cell.outputs == [] and cell.execution_count is None, f"code cell {i} has outputs"


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_runs_top_to_bottom_in_a_fresh_kernel(path, monkeypatch, tmp_path):
    if path.stem in REQUIRES:
        module, why = REQUIRES[path.stem]
        pytest.importorskip(module, reason=why)
    # The inline backend draws figures to PNG without a display, as Jupyter does, so plotting
    # code runs in full (with plain Agg, plt.show() would draw nothing).
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    # Hypothesis caches files under its storage directory: keep them out of notebooks/.
    monkeypatch.setenv("HYPOTHESIS_STORAGE_DIRECTORY", str(tmp_path / "hypothesis"))
    nb = nbformat.read(path, as_version=4)
    # The "python3" kernelspec runs `python`, which jupyter_client maps to sys.executable: the
    # kernel must be this interpreter, where the project is installed.
    probe = nbformat.v4.new_code_cell("import sys; print(sys.executable, end='')")
    nb.cells.insert(0, probe)
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()  # raises CellExecutionError, with the cell and traceback, if a cell fails
    assert nb.cells[0].outputs[0]["text"] == sys.executable
    errors = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
              if out.output_type == "error"]
    assert errors == []
