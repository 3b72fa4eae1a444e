"""The objectives table: every row trains the output sizes it claims, refuses the others with a
message naming what fits, and its decision rule is the one fit, predict and the plot use."""

from __future__ import annotations

import pytest

from autograd_mini import Value
from nn import LOSSES, MLP, OBJECTIVES, SGD, evaluate, fit, make_spirals, make_xor, objective, predict


def _data(classes):
    if classes == 2:
        return make_xor()
    return make_spirals(12, classes=classes, seed=0)


@pytest.mark.parametrize("goal", OBJECTIVES, ids=lambda o: o.name)
@pytest.mark.parametrize("nout", [1, 2, 3])
def test_each_objective_trains_exactly_the_output_sizes_it_fits(goal, nout):
    classes = 2 if nout == 1 else nout
    xs, y = _data(classes)
    model = MLP(2, [3, nout], seed=0)
    if goal.fits(nout):
        history = fit(model, xs, y, loss=goal.name, optimizer=SGD(model.parameters(), 0.01), steps=2)
        assert len(history.loss) == 2 and all(0.0 <= a <= 1.0 for a in history.accuracy)
        assert set(predict(model, xs, loss=goal.name)) <= set(range(classes))
    else:
        with pytest.raises(ValueError, match=f"{goal.name} needs one output") as error:
            fit(model, xs, y, loss=goal.name, steps=1)
        assert "use " in str(error.value)  # it names the objectives that do fit


def test_the_table_says_which_sizes_fit():
    assert [o.name for o in OBJECTIVES if o.fits(1)] == ["hinge", "bce", "mse"]
    assert [o.name for o in OBJECTIVES if o.fits(3)] == ["mse", "cross_entropy"]
    assert LOSSES == ("hinge", "bce", "mse", "cross_entropy")


def test_the_readmes_name_binary_cross_entropy_is_accepted():
    xs, y = make_xor()
    model = MLP(2, [3, 1], seed=0)
    history = fit(model, xs, y, loss="binary_cross_entropy", steps=2)
    assert len(history.loss) == 2
    assert objective("binary_cross_entropy") is objective("bce")
    assert evaluate(model, xs, y, loss="binary_cross_entropy") == evaluate(model, xs, y, loss="bce")


def test_unknown_losses_list_the_real_names():
    with pytest.raises(ValueError, match=r"known: hinge, bce \(binary_cross_entropy\), mse, cross_entropy"):
        objective("l1")
    with pytest.raises(TypeError, match="loss must be a str, not int"):
        objective(3)


def test_mse_labels_outside_the_models_classes_are_refused_not_trained_on():
    # Before the table, one-hot targets of a label 5 on a 2-output model were all zeros: fit
    # trained silently against them.
    xs, y = make_xor()
    with pytest.raises(ValueError, match=r"label 5 \(row 1\) is not a class of this model: a model with "
                                         "2 outputs has classes 0 to 1"):
        fit(MLP(2, [4, 2], seed=0), xs, [5 * c for c in y], loss="mse")
    with pytest.raises(ValueError, match=r"label 2 \(row 1\) is not a class"):
        fit(MLP(2, [4, 1], seed=0), xs, [2 * c for c in y], loss="mse")  # {0, 2} on one output


@pytest.mark.parametrize("name", ["hinge", "bce"])
def test_two_class_losses_on_a_two_output_model_say_what_fits(name):
    xs, y = make_xor()
    with pytest.raises(ValueError, match=f"{name} needs one output \\(2 classes\\), the model has 2: "
                                         "use mse or cross_entropy"):
        fit(MLP(2, [4, 2], seed=0), xs, y, loss=name)


def test_decide_reads_the_rows_threshold_and_argmax():
    assert objective("hinge").decide(Value(0.1)) == 1 and objective("hinge").decide(Value(-0.1)) == 0
    assert objective("bce").decide(Value(0.1)) == 1
    assert objective("mse").decide(Value(0.4)) == 0 and objective("mse").decide(Value(0.6)) == 1
    assert objective("cross_entropy").decide([Value(0.0), Value(3.0), Value(1.0)]) == 1


def test_outputs_for_a_number_of_classes():
    assert [objective(n).outputs_for(2) for n in LOSSES] == [1, 1, 1, 2]
    assert objective("mse").outputs_for(4) == 4
    with pytest.raises(ValueError, match="hinge is for 2 classes, but there are 3; use mse or cross_entropy"):
        objective("hinge").outputs_for(3)


def test_numpy_labels_and_inputs_are_welcome():
    np = pytest.importorskip("numpy", reason="numpy arrays are checked where numpy is installed")
    xs, y = make_xor()
    model = MLP(2, [3, 1], seed=0)
    history = fit(model, np.array(xs), np.array(y), steps=2)  # was "truth value is ambiguous"
    assert len(history.loss) == 2
    assert evaluate(model, np.array(xs), np.array(y)) == evaluate(model, xs, y)


@pytest.mark.parametrize("loss, activation", [("bce", "sigmoid"), ("bce", "tanh"), ("hinge", "sigmoid"),
                                              ("cross_entropy", "sigmoid"), ("cross_entropy", "tanh")])
def test_an_output_activation_that_makes_no_sense_with_the_loss_is_refused(loss, activation):
    # before: bce after a sigmoid trained to exactly 50% on xor, with no warning
    xs, y = make_xor()
    model = MLP(2, [4, 2 if loss == "cross_entropy" else 1], output_activation=activation, seed=0)
    with pytest.raises(ValueError, match=f"loss {loss} with output activation '{activation}': .*"
                                         "use output_activation=None"):
        fit(model, xs, y, loss=loss, steps=1)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", None])
def test_mse_takes_any_output_activation_and_every_loss_takes_linear_outputs(activation):
    xs, y = make_xor()
    for loss in ("mse", "hinge", "bce") if activation is None else ("mse",):
        fit(MLP(2, [4, 1], output_activation=activation, seed=0), xs, y, loss=loss, steps=1)


def test_every_loss_has_defaults_for_every_dataset():
    from nn import DATASETS
    from nn.objectives import DEFAULTS, defaults

    assert {loss for loss, _ in DEFAULTS} == set(LOSSES)
    assert {data for _, data in DEFAULTS} <= {None, *DATASETS}
    assert all(defaults(loss, data).sgd_lr > 0 for loss in LOSSES for data in DATASETS)
