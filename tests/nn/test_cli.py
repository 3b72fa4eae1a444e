"""python -m nn: the default run reaches 100% on the moons; options, errors, outputs, predict."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from cli_support import run_cli  # tests/support is on pytest's path

from nn import MLP, evaluate, load, make_moons, make_xor

_run = run_cli


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


def test_the_default_run_writes_a_readable_graph_of_one_sample(default_run):
    import xml.etree.ElementTree as ET

    folder, (_, out, _) = default_run
    assert "graph.svg skipped" not in out  # the test extras install a renderer
    svg = ET.parse(folder / "graph.svg").getroot()
    width, height = (float(svg.get(side).removesuffix("pt")) for side in ("width", "height"))
    # It was a 2,235 x 15,108 pt strip of 1,075 nodes; one box per neuron fits a screen.
    assert max(width, height) <= 2000, (width, height)
    text = " ".join(t.text or "" for t in svg.iter() if t.tag.endswith("text"))
    assert text.count("data ") == 2 + 16 + 16 + 1  # the two inputs and every neuron, once each
    assert "x1" in text and "L1.1" in text and "L2.16" in text and "out" in text


def test_graph_full_draws_every_op(tmp_path):
    status, out, err = _run(["--dataset", "xor", "--hidden", "4,4", "--steps", "20", "--graph", "full",
                             "--out", str(tmp_path)])
    assert status == 0, err
    assert "graph.svg skipped" not in out, out
    svg = (tmp_path / "graph.svg").read_text()
    assert svg.count("data ") > 4 * 3 + 4 * 5  # every product and sum of the sample's graph


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
    status, out, _ = _run(["--dataset", "xor", "--hidden", "4", "--steps", "20", "--out", str(tmp_path)])
    assert status == 0
    assert "decision boundary plot skipped: matplotlib is not installed" in out
    assert (tmp_path / "model.json").exists() and not (tmp_path / "decision_boundary.png").exists()


def test_python_dash_m_nn_runs_as_a_program(tmp_path):
    result = subprocess.run([sys.executable, "-m", "nn", "--help"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and "--dataset" in result.stdout and "predict" in result.stdout


def test_ctrl_c_during_training_is_one_line_exit_130_and_the_old_model_stays(tmp_path):
    import signal

    MLP(2, [1], seed=0).save(tmp_path / "model.json")
    before = (tmp_path / "model.json").read_bytes()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # as a user's shell has it
    process = subprocess.Popen([sys.executable, "-m", "nn", "--steps", "1000", "--out", str(tmp_path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        for line in process.stdout:  # the step-0 report: training is under way
            if line.startswith("step"):
                break
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 130
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("python -m nn: interrupted after step ") and " of 1000: nothing written (" in err
    assert "model.json from before is unchanged" in err
    assert (tmp_path / "model.json").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]  # no temporary file left either


def test_the_interrupt_line_says_what_was_written(tmp_path):
    from nn.cli import _Progress

    progress = _Progress(100, tmp_path / "model.json")
    assert progress.interrupted() == "interrupted before training: nothing written"
    progress.training = True
    assert progress.interrupted() == "interrupted before the first step: nothing written (no model was saved)"
    progress.training, progress.written = False, [tmp_path / "model.json"]
    assert progress.interrupted() == (f"interrupted while writing: wrote {tmp_path / 'model.json'}; "
                                      "the rest was not written")


def test_help_shows_the_defaults_and_both_commands():
    result = subprocess.run([sys.executable, "-m", "nn", "--help"], capture_output=True, text=True,
                            timeout=60)
    text = " ".join(result.stdout.split())  # argparse wraps lines at the terminal's width
    assert result.returncode == 0
    assert text.startswith("usage: python -m nn [train] [options]")
    assert "python -m nn predict MODEL X1 X2" in text.split("options:")[0]  # in the usage, not only below
    for shown in ("(default: moons)", "(default: sgd)", "(default: 100)", "(default: 0.0001)",
                  "(default: 16,16)", "(default: neurons)"):
        assert shown in text, shown


@pytest.mark.parametrize("x2", ["-1e-3", "-0.3", "-5", "1e-3"])
def test_predict_takes_negative_numbers(tmp_path, x2):
    model = MLP(2, [1], seed=0)
    model.save(tmp_path / "m.json", {"loss": "hinge"})
    status, out, err = _run(["predict", str(tmp_path / "m.json"), "0.5", x2])
    assert status == 0, err
    assert out.startswith(f"output {model([0.5, float(x2)]).data:.6g}\nclass ")


@pytest.mark.parametrize("bad", ["nan", "-nan", "inf", "-inf", "1e999"])
def test_predict_refuses_non_finite_inputs(tmp_path, bad):
    MLP(2, [1], seed=0).save(tmp_path / "m.json", {"loss": "hinge"})
    status, out, err = _run(["predict", str(tmp_path / "m.json"), bad, "0"])
    assert status == 2 and out == ""
    assert "inputs must be finite numbers" in err and "Traceback" not in err


def test_predict_metadata_that_does_not_fit_the_model_is_a_one_line_error(tmp_path):
    MLP(2, [1], seed=0).save(tmp_path / "m.json", {"loss": "cross_entropy"})
    status, out, err = _run(["predict", str(tmp_path / "m.json"), "1", "2"])
    assert status == 1 and out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert "its metadata's loss does not fit the model: cross_entropy needs one output per class" in err
    MLP(2, [1], seed=0).save(tmp_path / "m.json", {"loss": "softmax"})
    status, _, err = _run(["predict", str(tmp_path / "m.json"), "1", "2"])
    assert status == 1 and "unknown loss 'softmax'" in err and err.count("\n") == 1


def test_a_graph_that_cannot_be_drawn_is_a_one_line_skip_after_the_model_and_plot(tmp_path, monkeypatch):
    import nn.cli

    def failing_render(*args, **kwargs):
        raise RuntimeError("dot exited with status 1\nError: syntax error in line 1\nmore detail")

    monkeypatch.setattr(nn.cli, "render", failing_render)
    status, out, err = _run(["--dataset", "xor", "--hidden", "4", "--steps", "20", "--out", str(tmp_path)])
    assert status == 0, err
    assert "graph.svg skipped: dot exited with status 1\n" in out and "syntax error" not in out
    assert (tmp_path / "model.json").exists() and not (tmp_path / "graph.svg").exists()


def test_without_the_graphviz_package_the_job_ends_well(tmp_path):
    # A fresh process: this one may have imported graphviz already.
    argv = ["--dataset", "xor", "--hidden", "4", "--steps", "20", "--out", str(tmp_path)]
    code = f"import sys; sys.modules['graphviz'] = None; from nn.cli import main; sys.exit(main({argv!r}))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    skipped = [line for line in result.stdout.splitlines() if line.startswith("graph.svg skipped: ")]
    assert len(skipped) == 1 and "graphviz" in skipped[0], result.stdout
    assert (tmp_path / "model.json").exists() and not (tmp_path / "graph.svg").exists()


def test_graph_none_draws_nothing(tmp_path):
    status, out, _ = _run(["--dataset", "xor", "--hidden", "4", "--steps", "20", "--graph", "none",
                           "--out", str(tmp_path)])
    assert status == 0 and "graph.svg" not in out and not (tmp_path / "graph.svg").exists()


@pytest.mark.parametrize("argv, cause", [
    (["--noise", "1e200"], "the inputs are as large as"),
    (["--l2", "1e308"], "the L2 weight 1e+308 is too large"),
    (["--optimizer", "adam", "--lr", "1e308", "--steps", "1"], "a parameter became"),
])
def test_divergence_names_its_cause_in_one_line(tmp_path, argv, cause):
    status, _, err = _run([*argv, "--out", str(tmp_path), "--quiet"])
    assert status == 1 and cause in err and err.count("\n") == 1 and "Traceback" not in err
