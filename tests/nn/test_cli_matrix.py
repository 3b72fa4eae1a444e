"""python -m nn end to end for every dataset × loss × optimizer it accepts, at its defaults: exit 0,
the files (the multi-class runs crashed in the graph step before) and at least 90% train accuracy
(mse with SGD diverged or stalled at 50% before the defaults table), or exit 2 and a usage error
that says which losses fit. Each run is compiled (the same numbers, 3-4x faster): ~40 s in all."""

from __future__ import annotations

import itertools

import pytest
from cli_support import run_cli  # tests/support is on pytest's path

from nn import DATASETS, LOSSES
from nn.serialize import read

OPTIMIZERS = ("sgd", "adam")
CHOICES = (None, *LOSSES, "binary_cross_entropy")  # None: the default for the dataset


_run = run_cli


COMBINATIONS = list(itertools.product(sorted(DATASETS), CHOICES, OPTIMIZERS))


@pytest.mark.parametrize("dataset, loss, optimizer", COMBINATIONS)
def test_every_combination_runs_end_to_end_or_is_refused_with_the_losses_that_fit(tmp_path, dataset, loss,
                                                                                   optimizer):
    argv = ["--dataset", dataset, "--optimizer", optimizer, "--compile", "--no-explorer",
            "--out", str(tmp_path)]
    if loss is not None:
        argv += ["--loss", loss]
    status, out, err = _run(argv)
    multi_class = dataset == "spirals"
    if multi_class and loss in ("hinge", "bce", "binary_cross_entropy"):
        assert status == 2 and "is for 2 classes, but there are 3; use mse or cross_entropy" in err
        assert not (tmp_path / "model.json").exists()
        return
    assert status == 0, err
    assert "Traceback" not in err and "skipped" not in out, out
    model, metadata = read(tmp_path / "model.json")
    assert metadata["train_accuracy"] >= 0.9, out
    assert model.nout == (3 if multi_class else 2 if loss == "cross_entropy" else 1)
    assert (tmp_path / "decision_boundary.png").read_bytes()[:4] == b"\x89PNG"
    assert "<svg" in (tmp_path / "graph.svg").read_text()


def test_a_finite_blow_up_is_divergence_one_line_and_exit_1(tmp_path):
    # before: exit 0 with the loss at 1.8e13 and 50% accuracy
    status, _, err = _run(["--dataset", "xor", "--loss", "mse", "--lr", "1", "--momentum", "0",
                             "--out", str(tmp_path), "--quiet"])
    assert status == 1 and err.count("\n") == 1, err
    assert "over 1000 times where it started: try a lower learning rate" in err
    assert not (tmp_path / "model.json").exists()


def test_a_useless_model_is_one_line_and_exit_3_and_nothing_written(tmp_path):
    # lr 0 keeps the initial weights, which get 2 of xor's 4 points right (before: exit 0)
    status, _, err = _run(["--dataset", "xor", "--hidden", "4", "--lr", "0", "--steps", "1",
                             "--out", str(tmp_path), "--quiet"])
    assert status == 3 and err.count("\n") == 1, err
    assert "the model is useless: train accuracy 50.0% is no better than always guessing" in err
    assert not (tmp_path / "model.json").exists()
