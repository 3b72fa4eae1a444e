"""python -m nn: the default run reaches 100% on the moons; options, errors, outputs, predict."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys

import pytest

from nn import MLP, evaluate, load, make_moons, make_xor
from nn.cli import main


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as e:
            status = e.code
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """One run of the default setup (micrograd's demo), shared by the tests that read its outputs."""
    folder = tmp_path_factory.mktemp("out")
    return folder, _run(["--out", str(folder)])


def test_the_default_run_reaches_100_percent_train_accuracy(default_run):
    folder, (status, out, err) = default_run
    assert status == 0, err
    assert "MLP(2, [16, 16, 1]" in out and "hinge loss + L2 0.0001" in out and "100 steps" in out
    assert "final train accuracy 100.0% (100/100)" in out
    model = load(folder / "model.json")
    assert isinstance(model, MLP)
    xs, y = make_moons(100, noise=0.1, seed=0)
    assert evaluate(model, xs, y, loss="hinge") == 1.0  # the saved model, not just the printout
    assert json.loads((folder / "model.json").read_text())["metadata"]["loss"] == "hinge"


def test_the_default_run_writes_the_decision_boundary(default_run):
    pytest.importorskip("matplotlib", reason="the plot needs matplotlib (the plot extra)")
    folder, _ = default_run
    assert (folder / "decision_boundary.png").read_bytes()[:4] == b"\x89PNG"
    assert "<svg" in (folder / "decision_boundary.svg").read_text()


def test_the_default_run_writes_the_graph_of_one_sample(default_run):
    folder, (_, out, _) = default_run
    assert "graph.svg skipped" not in out  # the test extras install a renderer
    svg = (folder / "graph.svg").read_text()
    assert "<svg" in svg and svg.count("data ") > 300  # every Value of the sample's graph


def test_predict_uses_the_saved_model(default_run):
    folder, _ = default_run
    model = load(folder / "model.json")
    status, out, _ = _run(["predict", str(folder / "model.json"), "0.5", "-0.3"])
    score = model([0.5, -0.3]).data
    assert status == 0
    assert out == f"output {score:.6g}\nclass {int(score > 0)}\n"


def test_predict_errors_are_one_line(tmp_path):
    bad = tmp_path / "m.json"
    bad.write_text('{"format": "autograd_mini.nn"')
    cases = [([str(bad), "1", "2"], "not valid JSON"), ([str(tmp_path / "no.json"), "1"], "cannot read")]
    for argv, message in cases:
        status, _, err = _run(["predict", *argv])
        assert status == 1 and message in err and err.count("\n") == 1 and "Traceback" not in err
    MLP(2, [1], seed=0).save(bad)
    status, _, err = _run(["predict", str(bad), "1", "2", "3"])
    assert status == 1 and "MLP expects 2 inputs, got 3" in err


def test_a_small_run_with_options_and_quiet(tmp_path):
    status, out, err = _run(["--dataset", "xor", "--hidden", "4", "--activation", "tanh", "--loss", "bce",
                             "--optimizer", "adam", "--lr", "0.1", "--steps", "150", "--seed", "0",
                             "--out", str(tmp_path), "--quiet"])
    assert status == 0, err
    assert out == "" and err == ""
    model = load(tmp_path / "model.json")
    assert model.config()["nouts"] == [4, 1] and model.config()["activation"] == "tanh"
    assert evaluate(model, *make_xor(), loss="bce") == 1.0


@pytest.mark.parametrize("argv, message", [
    (["--steps", "0"], "--steps: must be at least 1"),
    (["--dataset", "mnist"], "invalid choice: 'mnist'"),
    (["--hidden", "16,x"], "expected sizes like 16,16"),
    (["--lr", "nan"], "--lr: must be a finite number"),
    (["--dataset", "spirals", "--loss", "hinge"], "--loss hinge: hinge is for 2 classes, but there are 3"),
    (["--dataset", "spirals", "--loss", "binary_cross_entropy"], "bce is for 2 classes"),
    (["--batch-size", "500"], "larger than the 100 points"),
    (["--optimizer", "adam", "--momentum", "0.9"], "--momentum applies to --optimizer sgd only"),
    (["--dataset", "xor", "--samples", "10"], "do not apply to xor"),
    (["--frobnicate"], "unrecognized arguments"),
])
def test_bad_options_get_argparses_usage_error(argv, message):
    status, _, err = _run(argv)
    assert status == 2
    assert err.startswith("usage: python -m nn") and message in err


def test_an_unwritable_output_folder_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    status, out, err = _run(["--out", str(blocker / "sub"), "--steps", "1"])
    assert status == 1 and out == ""
    assert err.startswith("python -m nn: error: ") and err.count("\n") == 1 and "Traceback" not in err


def test_divergence_is_a_one_line_error(tmp_path):
    status, _, err = _run(["--dataset", "spirals", "--samples", "30", "--hidden", "8", "--activation",
                           "linear", "--lr", "1e6", "--steps", "30", "--out", str(tmp_path), "--quiet"])
    assert status == 1 and "try a lower learning rate" in err and err.count("\n") == 1


def test_missing_matplotlib_is_one_line_and_the_run_continues(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    status, out, _ = _run(["--dataset", "xor", "--hidden", "2", "--steps", "2", "--out", str(tmp_path)])
    assert status == 0
    assert "decision boundary plot skipped: matplotlib is not installed" in out
    assert (tmp_path / "model.json").exists() and not (tmp_path / "decision_boundary.png").exists()


def test_python_dash_m_nn_runs_as_a_program(tmp_path):
    result = subprocess.run([sys.executable, "-m", "nn", "--help"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and "--dataset" in result.stdout and "predict" in result.stdout
