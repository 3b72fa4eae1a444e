"""fit: it learns (XOR, spirals), reports history, stops on divergence, restores the collector."""

from __future__ import annotations

import gc
import io
import sys

import pytest

from nn import MLP, SGD, Adam, DivergenceError, LinearDecay, evaluate, fit, make_spirals, make_xor, predict
from nn.objectives import LOSSES, defaults


def test_xor_with_a_sigmoid_hidden_layer_is_learned():
    xs, y = make_xor()
    model = MLP(2, [4, 1], activation="sigmoid", seed=0)
    history = fit(model, xs, y, loss="bce", optimizer=Adam(model.parameters(), lr=0.1), steps=300)
    assert predict(model, xs, loss="bce") == [0, 1, 1, 0]
    assert history.loss[-1] < 0.05 < history.loss[0]


def test_three_class_spirals_with_cross_entropy_and_adam_reach_95_percent():
    xs, y = make_spirals(60, classes=3, seed=0)
    model = MLP(2, [16, 16, 3], seed=0)
    optimizer = Adam(model.parameters(), lr=0.05)
    history = fit(model, xs, y, loss="cross_entropy", optimizer=optimizer,
                  schedule=LinearDecay(0.05, 0.005, 100), steps=100)
    assert evaluate(model, xs, y, loss="cross_entropy") >= 0.95
    assert history.loss[-1] < history.loss[0] / 5


def test_history_has_one_entry_per_step_and_follows_the_schedule():
    xs, y = make_xor()
    model = MLP(2, [3, 1], activation="tanh", seed=1)
    history = fit(model, xs, y, loss="hinge", steps=7, batch_size=2, seed=3)
    assert len(history.loss) == len(history.accuracy) == len(history.lr) == 7
    assert history.lr == [LinearDecay(1.0, 0.1, 7)(k) for k in range(7)]  # micrograd's default
    assert all(a in (0.0, 0.5, 1.0) for a in history.accuracy)  # batches of 2


def test_mini_batches_are_reproducible_from_the_seed():
    xs, y = make_spirals(30, classes=3, seed=0)
    runs = []
    for _ in range(2):
        model = MLP(2, [4, 3], seed=0)
        runs.append(fit(model, xs, y, loss="cross_entropy", optimizer=SGD(model.parameters(), 0.1),
                        steps=5, batch_size=8, seed=11).loss)
    assert runs[0] == runs[1]


def test_mse_on_several_outputs_uses_one_hot_targets():
    xs, y = make_xor()
    model = MLP(2, [8, 2], activation="tanh", seed=0)
    fit(model, xs, y, loss="mse", optimizer=Adam(model.parameters(), lr=0.05), steps=200)
    assert predict(model, xs, loss="mse") == y


def test_divergence_stops_with_the_step_and_a_hint():
    xs, y = make_spirals(30, classes=3, seed=0)
    model = MLP(2, [8, 3], activation="linear", seed=0)
    message = r"became (nan|inf|-inf|[-+.e0-9]+) at step \d+ of 50 .*try a lower learning rate"
    with pytest.raises(DivergenceError, match=message):
        fit(model, xs, y, loss="cross_entropy", optimizer=SGD(model.parameters(), lr=1e6), steps=50)


def test_a_finite_blow_up_of_the_loss_is_divergence():
    xs, y = make_xor()  # mse at lr 1.0: the loss went to 1.8e13, finite, and fit returned
    model = MLP(2, [16, 16, 1], seed=0)
    with pytest.raises(DivergenceError, match=r"the loss, 0.2923 at step 0, became \S+ at step 3 of 100 .*"
                                              r"over 1000 times where it started"):
        fit(model, xs, y, loss="mse", optimizer=SGD(model.parameters(), lr=1.0), steps=100)


@pytest.mark.parametrize("loss", LOSSES)
def test_the_default_optimizer_takes_the_loss_s_defaults(loss):
    xs, y = make_xor() if loss != "cross_entropy" else make_spirals(6, classes=2, seed=0)
    model = MLP(2, [2, 1 if loss != "cross_entropy" else 2], seed=0)
    chosen = defaults(loss)  # mse: 0.1, not the 1.0 that diverges
    assert fit(model, xs, y, loss=loss, steps=10).lr == pytest.approx(
        [chosen.sgd_lr * (1 - 0.9 * k / 10) for k in range(10)])


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_paused_during_a_step_and_restored(enabled):
    xs, y = make_xor()
    model = MLP(2, [2, 1], seed=0)
    seen = []
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        fit(model, xs, y, steps=2, callback=lambda *a: seen.append(gc.isenabled()))
        assert gc.isenabled() is enabled
        assert seen == [enabled, enabled]  # restored before the callback
    finally:
        gc.enable() if was else gc.disable()


def test_progress_bar_only_when_asked(capsys):
    xs, y = make_xor()
    fit(MLP(2, [2, 1], seed=0), xs, y, steps=3, progress=False)
    assert capsys.readouterr().err == ""
    fit(MLP(2, [2, 1], seed=0), xs, y, steps=3, progress=True)
    assert "3/3" in capsys.readouterr().err


class _Stderr(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


@pytest.mark.parametrize("tty", [True, False])
def test_by_default_the_bar_shows_on_a_terminal_only(monkeypatch, tty):
    pytest.importorskip("tqdm", reason="the progress bar is tqdm's")
    stderr = _Stderr(tty)
    monkeypatch.setattr(sys, "stderr", stderr)
    xs, y = make_xor()
    fit(MLP(2, [2, 1], seed=0), xs, y, steps=3)
    assert ("3/3" in stderr.getvalue()) is tty
    assert stderr.getvalue() == "" or tty


def test_bad_arguments():
    xs, y = make_spirals(30, classes=3)
    model = MLP(2, [3, 1])
    with pytest.raises(ValueError, match=r"label 2 \(row \d+\) is not a class of this model: a model "
                                         "with 1 output has classes 0 to 1"):
        fit(model, xs, y, loss="hinge")
    with pytest.raises(ValueError, match="unknown loss 'l1'"):
        fit(model, xs, y, loss="l1")
    with pytest.raises(ValueError, match="cross_entropy needs one output per class"):
        fit(model, xs, y, loss="cross_entropy", steps=1)
    model = MLP(2, [3, 3])
    with pytest.raises(ValueError, match="batch_size must be an int from 1 to 30, got 31"):
        fit(model, xs, y, loss="mse", batch_size=31)
    with pytest.raises(ValueError, match=r"label -1 \(row 0\) is not a class"):
        fit(model, xs, [-1, *y[1:]], loss="mse")
    with pytest.raises(TypeError, match=r"labels must be ints \(class indices\), not float \(row 0\)"):
        fit(model, xs, [float(c) for c in y], loss="mse")
    with pytest.raises(ValueError, match=r"l2 must be a finite number of at least 0, got -0\.1"):
        fit(model, xs, y, loss="mse", l2=-0.1)
    with pytest.raises(TypeError, match="model must be an nn Module"):
        fit(lambda x: x, xs, y)  # type: ignore[arg-type]


@pytest.mark.parametrize("arguments, message", [
    ({"steps": "3"}, "steps must be an int, not str"),
    ({"batch_size": 2.0}, "batch_size must be an int, not float"),
    ({"seed": "x"}, "seed must be an int, not str"),
    ({"l2": "x"}, "l2 must be a number, not str"),
    ({"loss": 5}, "loss must be a str, not int"),
    ({"optimizer": "adam"}, "optimizer must be an nn Optimizer or None, not str"),
    ({"schedule": 0.1}, "schedule must be callable or None, not float"),
    ({"callback": 5}, "callback must be callable or None, not int"),
])
def test_arguments_of_the_wrong_type_are_type_errors_naming_the_type(arguments, message):
    xs, y = make_xor()
    with pytest.raises(TypeError, match=message):
        fit(MLP(2, [2, 1], seed=0), xs, y, **{"steps": 1, **arguments})


def test_micrograds_demo_loop_ports_by_changing_its_imports_and_fit_agrees():
    np = pytest.importorskip("numpy", reason="micrograd's demo feeds numpy arrays")
    from autograd_mini import Value  # was: from micrograd.engine import Value
    from nn import MLP, make_moons  # was: from micrograd.nn import MLP; sklearn's make_moons

    points, classes = make_moons(100, noise=0.1, seed=0)
    X, y = np.array(points), np.array(classes) * 2 - 1
    model = MLP(2, [16, 16, 1], seed=0)

    # micrograd's demo.ipynb, verbatim but for the number of steps
    def loss(batch_size=None):
        Xb, yb = X, y
        inputs = [list(map(Value, xrow)) for xrow in Xb]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(yb, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        alpha = 1e-4
        reg_loss = alpha * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(yb, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    demo = []
    for k in range(8):
        total_loss, acc = loss()
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        demo.append((total_loss.data, acc))

    ours = MLP(2, [16, 16, 1], seed=0)
    history = fit(ours, points, classes, loss="hinge", l2=1e-4, steps=8, schedule=LinearDecay(1.0, 0.1, 100))
    assert [a for _, a in demo] == history.accuracy
    for (d, _), h in zip(demo, history.loss):
        assert d == pytest.approx(h, rel=1e-9)  # sums in another order: rounding differs
    for p, q in zip(model.parameters(), ours.parameters()):
        assert p.data == pytest.approx(q.data, rel=1e-7, abs=1e-12)


def test_fit_takes_numpy_integer_labels():
    np = pytest.importorskip("numpy", reason="numpy labels are checked where numpy is installed")
    xs, y = make_xor()
    model = MLP(2, [4, 1], seed=0)
    history = fit(model, xs, [np.int64(c) for c in y], steps=2)
    assert len(history.loss) == 2
    with pytest.raises(TypeError, match="float"):
        fit(model, xs, [float(c) for c in y], steps=1)


def test_a_divergence_on_the_last_update_is_caught():
    # The loss of the one step was finite; its update made every parameter inf. Before, fit
    # returned normally with inf parameters, and saving the model failed later.
    xs, y = make_xor()
    model = MLP(2, [4, 1], seed=0)
    with pytest.raises(DivergenceError, match=r"a parameter became (nan|inf|-inf) after the update of step "
                                              r"0 of 1 .*try a lower learning rate"):
        fit(model, xs, y, optimizer=Adam(model.parameters(), lr=1e308), steps=1)


@pytest.mark.parametrize("arguments, xs_scale, cause", [
    ({"l2": 1e308}, 1.0, r"the L2 weight 1e\+308 is too large"),
    ({"l2": 10.0}, 1.0, "the L2 weight 10 times the learning rate is above 1"),
    ({}, 1e200, r"the inputs are as large as 1.5e\+200"),
    ({"optimizer_lr": 1e6}, 1.0, "try a lower learning rate"),
])
def test_divergence_names_the_likely_cause(arguments, xs_scale, cause):
    xs, y = make_xor()
    xs = [[xs_scale * (a + 0.5), xs_scale * (b - 0.5)] for a, b in xs]
    model = MLP(2, [4, 1], activation="linear", seed=0)
    lr = arguments.pop("optimizer_lr", 1.0)
    with pytest.raises(DivergenceError, match=cause):
        fit(model, xs, y, loss="mse", optimizer=SGD(model.parameters(), lr=lr), steps=300, **arguments)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -0.5])
def test_a_schedule_must_return_a_usable_learning_rate(bad):
    xs, y = make_xor()
    with pytest.raises(ValueError, match=r"schedule\(2\) returned .*a learning rate must be a finite number "
                                         "of at least 0"):
        fit(MLP(2, [2, 1], seed=0), xs, y, steps=5, schedule=lambda k: 0.1 if k < 2 else bad)
    with pytest.raises(TypeError, match=r"schedule\(0\) returned a str"):
        fit(MLP(2, [2, 1], seed=0), xs, y, steps=5, schedule=lambda k: "0.1")


@pytest.mark.parametrize("bad, message", [
    (float("nan"), r"xs\[2\]\[1\] is nan: inputs must be finite numbers"),
    (float("-inf"), r"xs\[2\]\[1\] is -inf"),
])
def test_non_finite_inputs_are_refused_before_training(bad, message):
    xs, y = make_xor()
    xs[2][1] = bad
    model = MLP(2, [2, 1], seed=0)
    before = [p.data for p in model.parameters()]
    with pytest.raises(ValueError, match=message):
        fit(model, xs, y, steps=3)
    assert [p.data for p in model.parameters()] == before


def test_inputs_that_are_not_numbers_are_type_errors():
    xs, y = make_xor()
    xs[1] = ["0", "1"]
    with pytest.raises(TypeError, match=r"xs\[1\]\[0\] must be a number, not str"):
        fit(MLP(2, [2, 1], seed=0), xs, y, steps=1)


def test_the_progress_bar_is_closed_when_training_stops_on_an_error(monkeypatch):
    pytest.importorskip("tqdm", reason="the progress bar is tqdm's")
    import nn.train

    closed = []
    real = nn.train._progress_bar

    def spy(steps):
        bar = real(steps)
        monkeypatch.setattr(bar, "close", lambda: closed.append(True))
        return bar

    monkeypatch.setattr(nn.train, "_progress_bar", spy)
    xs, y = make_xor()
    model = MLP(2, [2, 1], seed=0)
    with pytest.raises(DivergenceError):
        fit(model, xs, y, optimizer=Adam(model.parameters(), lr=1e308), steps=3, progress=True)
    assert closed == [True]
