"""Neuron, Layer, MLP: micrograd compatibility, shapes, initialization, input checks."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_mini import Value
from autograd_mini.testing import gradcheck
from nn import ACTIVATIONS, MLP, Layer, Neuron, load


def test_parameters_follow_micrograds_order_and_give_its_outputs_and_gradients():
    micrograd_nn = pytest.importorskip("micrograd.nn", reason="micrograd is the reference for porting")
    ours, theirs = MLP(2, [16, 16, 1], seed=3), micrograd_nn.MLP(2, [16, 16, 1])
    assert len(ours.parameters()) == len(theirs.parameters()) == 337
    for p, q in zip(ours.parameters(), theirs.parameters()):
        q.data = p.data
    for p in ours.parameters()[::7]:  # nonzero biases too, so the bias's place is tested
        p.data += 0.1
    for p, q in zip(ours.parameters(), theirs.parameters()):
        q.data = p.data
    x = [0.7, -0.4]
    a, b = ours(x), theirs(x)
    assert math.isclose(a.data, b.data, rel_tol=1e-12)
    a.backward()
    b.backward()
    for p, q in zip(ours.parameters(), theirs.parameters()):
        assert math.isclose(p.grad, q.grad, rel_tol=1e-12, abs_tol=1e-15)


def test_micrograd_attribute_names_and_nonlin_flag_port_unchanged():
    model = MLP(3, [4, 2], seed=0)
    assert [len(layer.neurons) for layer in model.layers] == [4, 2]
    neuron = model.layers[0].neurons[0]
    assert len(neuron.w) == 3 and isinstance(neuron.b, Value)
    assert neuron.parameters() == [*neuron.w, neuron.b]
    assert Neuron(2, nonlin=False).activation == "linear"
    assert Layer(2, 3, nonlin=True).neurons[0].activation == "relu"
    assert model.layers[-1].neurons[0].activation == "linear"  # micrograd: the last layer is linear


def test_a_layer_of_one_output_returns_the_bare_value():
    assert isinstance(Layer(2, 1, seed=0)([1.0, 2.0]), Value)
    assert isinstance(MLP(2, [3, 1], seed=0)([1.0, 2.0]), Value)
    out = MLP(2, [3, 2], seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 2


def test_the_weighted_sum_is_one_nary_node():
    n = Neuron(5, activation="linear", seed=0)
    out = n([1.0, 2.0, 3.0, 4.0, 5.0])
    assert out.op == "sum"
    assert len(out.parents) == 6 and out.parents[-1] is n.b
    assert all(p.op == "*" and len(p.parents) == 1 for p in out.parents[:5])  # the input is a constant


def test_hand_worked_neuron_for_each_activation():
    z = 2.0 * 0.5 + (-1.0) * 1.5 + 0.25  # -0.25
    expected = {"relu": 0.0, "linear": z, "tanh": math.tanh(z), "sigmoid": 1 / (1 + math.exp(-z))}
    for name in ACTIVATIONS:
        n = Neuron(2, activation=name, seed=0)
        n.w[0].data, n.w[1].data, n.b.data = 2.0, -1.0, 0.25
        assert math.isclose(n([0.5, 1.5]).data, expected[name], rel_tol=1e-15)


def test_unknown_activation_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown activation 'gelu'; known: relu, tanh, sigmoid, linear"):
        MLP(2, [3, 1], activation="gelu")
    with pytest.raises(ValueError, match="known: relu"):
        MLP(2, [3, 1], output_activation="softmax")


def test_wrong_input_length_is_a_value_error():
    for module in (Neuron(3), Layer(3, 2), MLP(3, [2, 1])):
        with pytest.raises(ValueError, match="expects 3 inputs, got 2"):
            module([1.0, 2.0])


def test_bad_sizes_and_seeds():
    with pytest.raises(TypeError, match="nin must be an int, not str"):
        Neuron("3")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="nout must be at least 1, got 0"):
        Layer(2, 0)
    with pytest.raises(ValueError, match="nouts must be a non-empty list"):
        MLP(2, [])
    with pytest.raises(TypeError, match="seed must be"):
        MLP(2, [1], seed=1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="nin must be an int, not float"):
        Neuron(2.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="nin must be an int, not str"):
        MLP(nin="2", nouts=[1])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="nouts must be a list of layer sizes, not int"):
        MLP(2, 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"nouts\[1\] must be an int, not float"):
        MLP(2, [3, 1.0])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="activation must be a str or None, not int"):
        Layer(2, 3, activation=5)  # type: ignore[arg-type]


def test_initialization_is_seedable():
    a, b, c = MLP(2, [8, 1], seed=7), MLP(2, [8, 1], seed=7), MLP(2, [8, 1], seed=8)
    data = lambda m: [p.data for p in m.parameters()]
    assert data(a) == data(b) != data(c)
    assert data(MLP(2, [8, 1], seed=random.Random(7))) == data(a)


@pytest.mark.parametrize("activation, gain", [("relu", math.sqrt(2)), ("tanh", 1.0), ("sigmoid", 1.0)])
def test_initial_weights_scale_with_fan_in(activation, gain):
    nin = 400
    layer = Layer(nin, 50, activation, seed=0)
    weights = [w.data for n in layer.neurons for w in n.w]
    bound = gain * math.sqrt(3 / nin)
    assert all(-bound <= w <= bound for w in weights)
    assert max(abs(w) for w in weights) > 0.99 * bound  # the whole range is used
    variance = sum(w * w for w in weights) / len(weights)
    assert math.isclose(variance, gain**2 / nin, rel_tol=0.05)  # 20,000 draws: ~1% standard error
    assert all(n.b.data == 0.0 for n in layer.neurons)


def test_zero_grad_clears_every_parameter():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, -2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


@given(st.lists(st.floats(-2, 2), min_size=3, max_size=3), st.sampled_from(["tanh", "sigmoid"]))
def test_inputs_may_be_values_and_their_gradients_match_finite_differences(x, activation):
    model = MLP(3, [4, 4, 1], activation=activation, seed=1)
    assert gradcheck(lambda a, b, c: model([a, b, c]), x)


def test_parameter_gradients_match_finite_differences():
    shape = MLP(2, [3, 1], activation="tanh", seed=2)

    def f(*values):  # the model's output as a function of its 13 parameters, in parameters() order
        m = MLP(2, [3, 1], activation="tanh", seed=2)
        i = 0
        for layer in m.layers:
            for n in layer.neurons:
                n.w, n.b = list(values[i:i + len(n.w)]), values[i + len(n.w)]
                i += len(n.w) + 1
        return m([0.3, -0.8])

    assert gradcheck(f, [p.data + 0.1 for p in shape.parameters()])


def test_repr_names_the_shape():
    assert repr(Neuron(3, "tanh")) == "Neuron(3, activation='tanh')"
    assert repr(Layer(3, 2)) == "Layer(3, 2, activation='relu')"


@pytest.mark.parametrize("bad", [{0: 1.0, 1: 2.0}, {1.0, 2.0}, "ab", b"ab", 5.0])
def test_inputs_that_are_not_sequences_are_type_errors(bad):
    # A dict has a len() of 2 and fed its keys to the weights before.
    modules = (MLP(2, [1], seed=0), Layer(2, 2, seed=0), Neuron(2, seed=0))
    for module in modules:
        expected = f"takes a sequence of 2 numbers or Values, not {type(bad).__name__}$"
        with pytest.raises(TypeError, match=expected):
            module(bad)


def test_nout_is_the_number_of_outputs():
    assert MLP(2, [4, 3]).nout == 3 and MLP(2, [4, 1]).nout == 1
    assert Layer(2, 5).nout == 5 and Neuron(3).nout == 1


def test_an_unseeded_model_draws_from_pythons_global_random_as_micrograd_does():
    random.seed(1337)
    a = [p.data for p in MLP(2, [4, 1]).parameters()]
    random.seed(1337)
    b = [p.data for p in MLP(2, [4, 1]).parameters()]
    assert a == b  # before, an unseeded model seeded itself from the OS: a differed from b
    assert a != [p.data for p in MLP(2, [4, 1]).parameters()]


def test_init_micrograd_gives_micrograds_own_weights():
    micrograd_nn = pytest.importorskip("micrograd.nn", reason="micrograd 0.1.0 is the reference")
    random.seed(1337)
    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    random.seed(1337)
    ours = MLP(2, [16, 16, 1], init="micrograd")
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    random.seed(5)
    one = Neuron(3, init="micrograd")
    random.seed(5)
    assert [w.data for w in one.w] == [random.uniform(-1, 1) for _ in range(3)] and one.b.data == 0.0
    with pytest.raises(ValueError, match="unknown init 'he'; known: fan_in, micrograd"):
        MLP(2, [1], init="he")
    with pytest.raises(TypeError, match="init must be a str, not NoneType"):
        MLP(2, [1], init=None)  # type: ignore[arg-type]


def test_micrograds_demo_with_only_its_imports_changed_gives_micrograds_loss_curve():
    """micrograd's demo.ipynb training loop, run twice from the same source text: once with
    micrograd's imports, once with ours. After random.seed(1337), as the demo does, the weights and
    the loss curve are micrograd's."""
    pytest.importorskip("micrograd.nn", reason="micrograd 0.1.0 is the reference")
    from nn import make_moons

    points, classes = make_moons(30, noise=0.1, seed=0)
    demo = '''
random.seed(1337)
model = MLP(2, [16, 16, 1])
X, y = points, [2 * c - 1 for c in classes]
curve = []
for k in range(6):
    inputs = [list(map(Value, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    alpha = 1e-4
    reg_loss = alpha * sum((p * p for p in model.parameters()))
    total_loss = data_loss + reg_loss
    model.zero_grad()
    total_loss.backward()
    learning_rate = 1.0 - 0.9 * k / 100
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    curve.append(total_loss.data)
'''
    imports = {
        "micrograd": "from micrograd.engine import Value\nfrom micrograd.nn import MLP\n",
        "ours": "from autograd_mini import Value\nfrom nn.micrograd import MLP\n",
    }
    runs = {}
    for name, header in imports.items():
        namespace = {"random": random, "points": points, "classes": classes}
        exec(header + demo, namespace)
        runs[name] = namespace
    theirs, ours = runs["micrograd"], runs["ours"]
    assert ours["curve"] == pytest.approx(theirs["curve"], rel=1e-12)
    assert theirs["curve"][-1] < theirs["curve"][0]  # it trains: the comparison is not of constants
    assert [p.data for p in ours["model"].parameters()] == pytest.approx(
        [p.data for p in theirs["model"].parameters()], rel=1e-9, abs=1e-12)


def test_loading_a_model_leaves_the_global_random_stream_alone(tmp_path):
    MLP(2, [16, 16, 1], seed=0).save(tmp_path / "model.json")
    random.seed(5)
    expected = random.random()
    random.seed(5)
    MLP.load(tmp_path / "model.json")  # before: it drew 337 weights from the global stream
    load(tmp_path / "model.json")
    assert random.random() == expected
