"""python -m nn end to end for every dataset × loss × optimizer it accepts: exit 0 and the files
(the multi-class runs crashed in the graph step before), or exit 2 and a usage error that says
which losses fit."""

from __future__ import annotations

import itertools

import pytest
from cli_support import run_cli  # tests/support is on pytest's path

from nn import DATASETS, LOSSES, load

OPTIMIZERS = ("sgd", "adam")
CHOICES = (None, *LOSSES, "binary_cross_entropy")  # None: the default for the dataset


_run = run_cli


COMBINATIONS = list(itertools.product(sorted(DATASETS), CHOICES, OPTIMIZERS))


@pytest.mark.parametrize("dataset, loss, optimizer", COMBINATIONS)
def test_every_combination_runs_end_to_end_or_is_refused_with_the_losses_that_fit(tmp_path, dataset, loss,
                                                                                   optimizer):
    argv = ["--dataset", dataset, "--optimizer", optimizer, "--hidden", "3", "--steps", "2",
            "--out", str(tmp_path)]
    if dataset != "xor":
        argv += ["--samples", "9"]
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
    model = load(tmp_path / "model.json")
    assert model.nout == (3 if multi_class else 2 if loss == "cross_entropy" else 1)
    assert (tmp_path / "decision_boundary.png").read_bytes()[:4] == b"\x89PNG"
    assert "<svg" in (tmp_path / "graph.svg").read_text()
