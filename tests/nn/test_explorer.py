"""python -m nn's explorer.html: written by default, under 5 MB, the same bytes for the same run,
off with --no-explorer (the page itself is driven in tests/test_explorer_browser.py)."""

from __future__ import annotations

from nn import MLP, fit, make_moons
from nn.cli import main
from nn.explorer import Recorder, label_parameters


def test_the_job_writes_the_explorer_the_same_each_time(tmp_path):
    args = ["--steps", "10", "--quiet", "--graph", "none", "--samples", "40"]
    assert main(["--out", str(tmp_path / "a"), *args]) == 0
    assert main(["--out", str(tmp_path / "b"), *args]) == 0
    first = (tmp_path / "a" / "explorer.html").read_bytes()
    assert first == (tmp_path / "b" / "explorer.html").read_bytes()


def test_the_default_job_stays_under_5_mb(tmp_path, capsys):
    assert main(["--out", str(tmp_path)]) == 0
    assert f"wrote {tmp_path / 'explorer.html'}" in capsys.readouterr().out
    assert (tmp_path / "explorer.html").stat().st_size < 5_000_000


def test_no_explorer(tmp_path, capsys):
    assert main(["--out", str(tmp_path), "--steps", "3", "--graph", "none", "--no-explorer"]) == 0
    assert not (tmp_path / "explorer.html").exists()
    assert "explorer.html" not in capsys.readouterr().out


def test_the_recorder_keeps_every_kth_step_and_the_last():
    xs, y = make_moons(20, seed=0)
    model = MLP(2, [3, 1], seed=0)
    recorder = Recorder(model, steps=7, every=3)
    fit(model, xs, y, steps=7, callback=recorder)
    assert [s["step"] for s in recorder.snapshots] == [0, 3, 6, 7]
    assert "g" not in recorder.snapshots[0]
    last = recorder.snapshots[-1]
    assert last["w"][0][1] == [float(f"{p.data:.6g}") for p in model.layers[0].neurons[1].parameters()]
    assert last["g"][1][0][-1] == float(f"{model.layers[1].neurons[0].b.grad:.6g}")
    label_parameters(model)
    assert model.layers[0].neurons[2].w[1].label == "L1.3.w2"
    assert model.layers[1].neurons[0].b.label == "out.b"
