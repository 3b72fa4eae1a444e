"""nn.to_torch, nn.from_torch, nn.compare: the same model in PyTorch and back, with the same numbers.

The tests that need PyTorch skip without it (Python 3.10 in CI); that ``import nn`` never loads
it, and what the functions say without it, are tested everywhere.
"""

from __future__ import annotations

import contextlib
import io
import math
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from nn import ACTIVATIONS, LOSSES, MLP, OBJECTIVES, SGD, Layer, Neuron, compare, fit, from_torch, make_moons
from nn import torch as bridge

WHY = "PyTorch is what the models move to: pip install torch==2.13.0 (CI installs it on Python 3.11)"
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch", reason=WHY)


def _data(model):
    return [p.data for p in model.parameters()]


# --- without PyTorch ------------------------------------------------------------------------------

def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                          timeout=120)


def test_import_nn_does_not_import_torch():
    done = _run("import sys, nn; nn.MLP(2, [1]); assert 'torch' not in sys.modules, 'torch was imported'")
    assert done.returncode == 0, done.stderr


def test_without_torch_each_function_says_how_to_install_it():
    code = """if True:
        import sys
        sys.modules["torch"] = None  # as if not installed: importing it raises ImportError
        import nn
        model = nn.MLP(2, [1], seed=0)
        for call in (lambda: nn.to_torch(model), lambda: nn.from_torch(object()),
                     lambda: nn.compare(model, None, [[0.0, 0.0]], [0])):
            try:
                call()
            except ImportError as e:
                print(e)
            else:
                raise SystemExit("no ImportError")
    """
    done = _run(code)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(" ")[0] for line in lines] == ["nn.to_torch", "nn.from_torch", "nn.compare"]
    for line in lines:
        assert "needs PyTorch" in line and "pip install torch==2.13.0" in line and "[torch]" in line


def test_the_tables_cover_every_activation_and_objective():
    assert set(bridge.ACTIVATION_MODULES) == set(ACTIVATIONS)
    assert set(bridge.TORCH_LOSSES) == set(LOSSES)


# --- nn -> torch -> nn: exact ---------------------------------------------------------------------

@st.composite
def models(draw):
    nin = draw(st.integers(1, 4))
    nouts = draw(st.lists(st.integers(1, 5), min_size=1, max_size=4))
    activation = draw(st.sampled_from(ACTIVATIONS))
    output = draw(st.sampled_from((None, *ACTIVATIONS)))
    init = draw(st.sampled_from(nn.INITS))
    return MLP(nin, nouts, activation=activation, output_activation=output, seed=draw(st.integers(0, 99)),
               init=init)


@given(model=models(), x=st.lists(st.floats(-3, 3), min_size=4, max_size=4))
def test_round_trip_is_exact_for_every_shape_and_activation(torch, model, x):
    net = bridge.to_torch(model)
    back = from_torch(net)
    assert type(back) is MLP
    expected = model.config()
    if len(expected["nouts"]) == 1:  # a one-layer MLP has no hidden layer to carry its activation
        expected["activation"] = "relu"
    assert back.config() == expected
    assert _data(back) == _data(model)  # bit for bit
    assert _data(from_torch(net.state_dict(), config=model.config())) == _data(model)
    # and the torch model computes what the nn model computes
    row = x[:model.config()["nin"]]
    ours = model(row)
    ours = [o.data for o in ours] if isinstance(ours, list) else [ours.data]
    theirs = net(torch.tensor([row], dtype=torch.float64))[0].tolist()
    assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-12)


def test_to_torch_writes_the_layers_out(torch):
    net = bridge.to_torch(MLP(2, [16, 1], output_activation="sigmoid", seed=0))
    assert [type(m).__name__ for m in net] == ["Linear", "ReLU", "Linear", "Sigmoid"]
    assert all(p.dtype == torch.float64 for p in net.parameters())
    # hidden linear by name: Identity; output None: nothing, so that the config comes back as given
    net = bridge.to_torch(MLP(2, [3, 3, 1], activation="linear", seed=0))
    assert [type(m).__name__ for m in net] == ["Linear", "Identity", "Linear", "Identity", "Linear"]
    assert from_torch(net).config()["activation"] == "linear"
    net = bridge.to_torch(MLP(2, [3, 1], activation=None, seed=0))  # type: ignore[arg-type]
    assert [type(m).__name__ for m in net] == ["Linear", "Linear"]
    assert from_torch(net).config()["activation"] is None


def test_to_torch_takes_layers_and_neurons_too(torch):
    layer = Layer(3, 2, activation="tanh", seed=0)
    net = bridge.to_torch(layer)
    assert [type(m).__name__ for m in net] == ["Linear", "Tanh"]
    assert _data(from_torch(net)) == _data(layer)
    neuron = Neuron(2, activation="sigmoid", seed=1)
    assert _data(from_torch(bridge.to_torch(neuron))) == _data(neuron)


def test_float32_rounds_each_weight_once(torch):
    model = MLP(3, [4, 2], seed=0)
    net = bridge.to_torch(model, dtype=torch.float32)
    assert all(p.dtype == torch.float32 for p in net.parameters())
    rounded = [float(torch.tensor(x, dtype=torch.float32)) for x in _data(model)]
    assert _data(from_torch(net)) == rounded
    with pytest.raises(TypeError, match=r"floating-point torch\.dtype"):
        bridge.to_torch(model, dtype=torch.int64)


def test_to_torch_does_not_draw_from_torchs_random_state(torch):
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    bridge.to_torch(MLP(2, [16, 16, 1], seed=0))
    assert torch.equal(torch.rand(3), expected)


def test_to_torch_errors_name_what_does_not_map(torch):
    with pytest.raises(TypeError, match=r"takes an nn\.MLP, Layer or Neuron, not list"):
        bridge.to_torch([1, 2])
    model = MLP(2, [3, 1], seed=0)
    model.layers[0].neurons[1].activation = "tanh"
    with pytest.raises(ValueError,
                       match=r"layer 0 mixes activations \('relu' in neuron 0, 'tanh' in neuron 1\)"):
        bridge.to_torch(model)
    model = MLP(2, [3, 1], seed=0)
    for n in model.layers[1].neurons:
        n.activation = "gelu"  # as if nn learned an activation this module did not
    with pytest.raises(ValueError, match="layer 1's activation 'gelu' has no PyTorch module"):
        bridge.to_torch(model)


@pytest.mark.parametrize("how", ["Sequential", "state_dict", "state_dict, config with seed=None",
                                 "state_dict, config with seed=random"])
def test_from_torch_draws_from_neither_random_stream(torch, how):
    """The MLP's weights are all overwritten, so building it must not advance Python's global
    ``random`` (a training script seeded once would draw other numbers after it) nor torch's."""
    model = MLP(2, [16, 16, 1], seed=0)
    net = bridge.to_torch(model)
    config = {"Sequential": None, "state_dict": model.config(),
              "state_dict, config with seed=None": {**model.config(), "seed": None},
              "state_dict, config with seed=random": {**model.config(), "seed": random}}[how]
    random.seed(7)
    torch.manual_seed(7)
    expected, expected_torch = random.random(), torch.rand(2)
    random.seed(7)
    torch.manual_seed(7)
    back = from_torch(net) if config is None else from_torch(net.state_dict(), config=config)
    assert random.random() == expected
    assert torch.equal(torch.rand(2), expected_torch)
    assert _data(back) == _data(model)


# --- torch -> nn: what cannot map is a ValueError naming the layer --------------------------------

def test_from_torch_reads_sequentials_of_its_own_making(torch):
    tnn = torch.nn
    torch.manual_seed(0)
    net = tnn.Sequential(tnn.Linear(2, 8), tnn.Tanh(), tnn.Sequential(tnn.Linear(8, 8), tnn.Tanh()),
                         tnn.Linear(8, 3)).float()
    model = from_torch(net)
    assert model.config() == {"nin": 2, "nouts": [8, 8, 3], "activation": "tanh", "output_activation": None}
    x = [0.25, -0.5]
    assert [o.data for o in model(x)] == pytest.approx(net(torch.tensor([x]))[0].tolist(), rel=1e-6)
    assert from_torch(tnn.Linear(2, 1)).config()["nouts"] == [1]  # a lone Linear


@pytest.mark.parametrize(("layers", "message"), [
    (lambda t: [t.Linear(2, 4), t.Conv1d(1, 1, 1)], r"layer 1 \(Conv1d\(.*\)\) has no nn.MLP equivalent"),
    (lambda t: [t.Linear(2, 4), t.Dropout(0.5), t.Linear(4, 1)], r"layer 1 \(Dropout\(p=0.5.*no nn.MLP"),
    (lambda t: [t.Linear(2, 4), t.BatchNorm1d(4)], r"layer 1 \(BatchNorm1d\(4.*no nn.MLP equivalent"),
    (lambda t: [t.Linear(2, 4), t.LeakyReLU()], r"layer 1 \(LeakyReLU.*maps Linear .*ReLU, Tanh, Sigmoid"),
    (lambda t: [t.Linear(2, 4, bias=False)], r"layer 0 \(Linear\(.*bias=False\)\) has no bias"),
    (lambda t: [t.Linear(2, 4), t.ReLU(), t.Linear(5, 1)],
     r"layer 2 \(Linear\(in_features=5.*\)\) takes 5 inputs, but the Linear before it, layer 0, gives 4"),
    (lambda t: [t.ReLU(), t.Linear(2, 1)], r"layer 0 \(ReLU\(\)\) comes before any Linear"),
    (lambda t: [t.Linear(2, 4), t.ReLU(), t.Tanh()],
     r"layer 2 \(Tanh\(\)\) is a second activation after layer 0"),
    (lambda t: [t.Linear(2, 4), t.ReLU(), t.Linear(4, 4), t.Tanh(), t.Linear(4, 1)],
     r"layer 2 is followed by tanh, layer 0 by relu: an nn.MLP has one hidden activation"),
    (lambda t: [], "has no Linear layer"),
])
def test_from_torch_errors_name_the_layer(torch, layers, message):
    with pytest.raises(ValueError, match=message):
        from_torch(torch.nn.Sequential(*layers(torch.nn)))


def test_from_torch_refuses_modules_of_your_own_and_non_modules(torch):
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(2, 1)

        def forward(self, x):
            return self.fc(x).relu()

    with pytest.raises(ValueError, match=r"cannot map Net: .*forward\(\) of a module of your own cannot be"):
        from_torch(Net())
    with pytest.raises(TypeError, match=r"takes a torch\.nn\.Sequential or a state_dict, not int"):
        from_torch(3)
    with pytest.raises(TypeError, match="config= is for a state_dict"):
        from_torch(torch.nn.Linear(2, 1), config={"nin": 2})


def _hooked(register):
    """A Sequential(Linear(2, 1), ReLU()) with ``register(net)`` called on it (a hook added)."""
    def make(t):
        net = t.nn.Sequential(t.nn.Linear(2, 1), t.nn.ReLU())
        register(net)
        return net
    return make


def _subclasses(t):
    class Scaled(t.nn.Linear):
        def forward(self, x):
            return 100 * super().forward(x)

    class Shifted(t.nn.Sequential):
        def forward(self, x):
            return super().forward(x) + 100

    class Plain(t.nn.Sequential):  # no forward() of its own, and still not torch.nn's class
        pass

    class Doubled(t.nn.ReLU):
        def forward(self, x):
            return 2 * super().forward(x)

    return Scaled, Shifted, Plain, Doubled


def _instance_forward(net):
    net.forward = lambda x: net[0](x) + 99.5


def _pruned(t):
    net = t.nn.Sequential(t.nn.Linear(2, 3), t.nn.ReLU(), t.nn.Linear(3, 1))
    from torch.nn.utils import prune  # not imported by import torch

    prune.l1_unstructured(net[0], "weight", amount=0.5)  # a forward pre-hook
    return net


def _parametrized(t):
    class Twice(t.nn.Module):
        def forward(self, w):
            return 2 * w

    net = t.nn.Sequential(t.nn.Linear(2, 1))
    t.nn.utils.parametrize.register_parametrization(net[0], "weight", Twice())
    return net


OWN_FORWARDS = {
    "Linear subclass": (lambda t: _subclasses(t)[0](2, 1),
                        r"cannot map Scaled, a subclass of torch\.nn\.Linear"),
    "Sequential subclass": (lambda t: _subclasses(t)[1](t.nn.Linear(2, 1)),
                            r"cannot map Shifted, a subclass of torch\.nn\.Sequential: "
                            r".*reads torch\.nn\.Sequential itself"),
    "Sequential subclass without forward": (lambda t: _subclasses(t)[2](t.nn.Linear(2, 1)),
                                            "cannot map Plain, a subclass of torch.nn.Sequential"),
    "Linear subclass inside": (lambda t: t.nn.Sequential(_subclasses(t)[0](2, 1)),
                               r"layer 0 \(Scaled\(.*\)\) is a Scaled, a subclass of a torch\.nn module"),
    "Sequential subclass inside": (lambda t: t.nn.Sequential(t.nn.Linear(2, 2),
                                                             _subclasses(t)[1](t.nn.Linear(2, 1))),
                                   r"(?s)layer 1 \(Shifted\(.*is a Shifted, a subclass"),
    "activation subclass": (lambda t: t.nn.Sequential(t.nn.Linear(2, 1), _subclasses(t)[3]()),
                            r"layer 1 \(Doubled\(\)\) is a Doubled, a subclass"),
    "parametrized Linear": (_parametrized, r"(?s)layer 0 \(ParametrizedLinear\(.*a subclass"),
    "forward hook": (_hooked(lambda net: net[0].register_forward_hook(lambda m, i, o: o + 100)),
                     r"layer 0 \(Linear\) has a forward hook: it can change what torch computes"),
    "forward pre-hook": (_hooked(lambda net: net.register_forward_pre_hook(lambda m, i: (100 * i[0],))),
                         "the Sequential has a forward pre-hook"),
    "hook on an activation": (_hooked(lambda net: net[1].register_forward_hook(lambda m, i, o: -o)),
                              r"layer 1 \(ReLU\) has a forward hook"),
    "hook with kwargs": (_hooked(lambda net: net[0].register_forward_hook(lambda m, a, k, o: o,
                                                                          with_kwargs=True)),
                         "layer 0 .* has a forward hook"),
    "backward hook": (_hooked(lambda net: net[0].register_full_backward_hook(lambda m, gi, go: None)),
                      r"layer 0 \(Linear\) has a backward hook"),
    "backward pre-hook": (_hooked(lambda net: net[0].register_full_backward_pre_hook(lambda m, go: None)),
                          r"layer 0 \(Linear\) has a backward pre-hook"),
    "pruning": (_pruned, r"layer 0 \(Linear\) has a forward pre-hook"),
    "forward set on the instance": (_hooked(_instance_forward),
                                    "the Sequential has a forward.. set on the instance"),
    "complex weights": (lambda t: t.nn.Sequential(t.nn.Linear(2, 1, dtype=t.complex128)),
                        r"layer 0 \(Linear\(.*\)\)'s weight is complex \(torch\.complex128\): "
                        r".*imaginary parts"),
    "meta device": (lambda t: t.nn.Sequential(t.nn.Linear(2, 1, device="meta")),
                    r"layer 0 .*'s weight is on the meta device, which holds shapes but no numbers"),
}


@pytest.mark.parametrize("case", list(OWN_FORWARDS))
def test_from_torch_refuses_what_torch_would_compute_otherwise(torch, case):
    """Each of these computes (or may compute) something else than its layers read one by one;
    from_torch and compare refuse it, saying what and why, rather than ignore it."""
    make, message = OWN_FORWARDS[case]
    net = make(torch)
    with pytest.raises(ValueError, match=message):
        from_torch(net)
    with pytest.raises(ValueError, match=message):
        compare(MLP(2, [1], seed=0), net, [[0.5, -0.5]], [1], show=False)


@pytest.mark.parametrize("register", ["register_module_forward_hook", "register_module_forward_pre_hook",
                                      "register_module_full_backward_hook",
                                      "register_module_full_backward_pre_hook"])
def test_from_torch_refuses_while_a_global_hook_is_registered(torch, register):
    net = torch.nn.Sequential(torch.nn.Linear(2, 1))
    handle = getattr(torch.nn.modules.module, register)(lambda *args: None)
    try:
        with pytest.raises(ValueError, match=r"a global .*hook is registered \(torch\.nn\.modules\.module\."
                                             rf"{register.replace('full_', '')}.*runs on every module"):
            from_torch(net)
    finally:
        handle.remove()
    assert from_torch(net).config()["nouts"] == [1]  # removed: read as before


def test_from_torch_state_dict_refuses_tensors_nn_cannot_hold(torch):
    model = MLP(2, [3, 1], seed=0)
    state, config = bridge.to_torch(model).state_dict(), model.config()
    for key, tensor, message in [
            ("0.weight", state["0.weight"].to(torch.complex128), r"\['0\.weight'\] is complex"),
            ("0.bias", state["0.bias"].to(torch.int64),
             r"\['0\.bias'\] has dtype torch\.int64: nn reads floating"),
            ("2.bias", torch.empty(1, device="meta"), r"\['2\.bias'\] is on the meta device"),
            ("0.weight", state["0.weight"].to_sparse(), r"\['0\.weight'\] is a torch\.sparse_coo tensor")]:
        with pytest.raises(ValueError, match=r"state_dict" + message):
            from_torch({**state, key: tensor}, config=config)
    # bfloat16 is floating point and widens exactly: still read, each weight rounded once
    halves = {k: v.to(torch.bfloat16) for k, v in state.items()}
    rounded = [float(torch.tensor(x, dtype=torch.float64).to(torch.bfloat16)) for x in _data(model)]
    assert _data(from_torch(halves, config=config)) == rounded != _data(model)


def test_from_torch_state_dict_errors_name_the_entry_and_layer(torch):
    model = MLP(2, [4, 3, 1], seed=0)
    state, config = bridge.to_torch(model).state_dict(), model.config()
    assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    with pytest.raises(ValueError, match="a state_dict holds no activations: pass config="):
        from_torch(state)
    with pytest.raises(ValueError, match=r"config .* does not make an nn.MLP: unknown activation 'gelu'"):
        from_torch(state, config={**config, "activation": "gelu"})
    with pytest.raises(ValueError, match=r"does not make an nn\.MLP: .*unexpected keyword argument 'depth'"):
        from_torch(state, config={**config, "depth": 3})
    with pytest.raises(ValueError, match=r"state_dict\['2.weight'\] has shape \(3, 4\), but layer 2 "
                                         r"\(Linear\(4, 2\), layer 1 of the config\) needs \(2, 4\)"):
        from_torch(state, config={**config, "nouts": [4, 2, 1]})
    with pytest.raises(ValueError, match=r"entry '4.weight' is not in a model of this config, whose Linears "
                                         r"are layers 0, 2 of the Sequential"):
        from_torch(state, config={**config, "nouts": [4, 3]})
    with pytest.raises(ValueError, match=r"state_dict has no '4.bias': layer 4 \(Linear\(3, 1\)"):
        from_torch({k: v for k, v in state.items() if k != "4.bias"}, config=config)
    with pytest.raises(ValueError, match=r"state_dict\['0.bias'\] is a list, not a tensor"):
        from_torch({**state, "0.bias": [0.0] * 4}, config=config)
    # a linear output layer named "linear" has an Identity after it, so its Linears sit elsewhere
    linear_out = {**config, "output_activation": "linear"}
    assert _data(from_torch(state, config=linear_out)) == _data(model)
    hidden_none = {**config, "activation": None}
    with pytest.raises(ValueError, match=r"entry '4\.weight' is not in a model of this config, whose "
                                         r"Linears are layers 0, 1, 2"):
        from_torch(state, config=hidden_none)


# --- compare: the same outputs, loss and gradients ------------------------------------------------

def _demo():
    """The main job's data and model: micrograd's demo (python -m nn's defaults)."""
    xs, y = make_moons(100, seed=0)
    return xs, y, MLP(2, [16, 16, 1], seed=0)


def test_compare_on_the_main_jobs_model_agrees_to_1e_12(torch, capsys):
    xs, y, model = _demo()
    fit(model, xs, y, loss="hinge", l2=1e-4, steps=10)  # trained a little: not all at the start
    before, grads = _data(model), [p.grad for p in model.parameters()]
    net = bridge.to_torch(model)
    torch_before = [p.clone() for p in net.parameters()]
    result = compare(model, net, xs, y, loss="hinge", l2=1e-4)
    printed = capsys.readouterr().out
    assert printed.strip() == str(result)
    assert "max abs diff" in printed and "layer 2 (16->1) gradients" in printed
    assert [row.what for row in result.rows] == [
        "outputs (100 x 1)", "loss", "layer 0 (2->16) weights", "layer 0 (2->16) gradients",
        "layer 1 (16->16) weights", "layer 1 (16->16) gradients", "layer 2 (16->1) weights",
        "layer 2 (16->1) gradients"]
    assert result.max_abs < 1e-12 and result.max_rel < 1e-12
    assert result["layer 0 (2->16) weights"].abs == 0.0  # copied exactly
    # nothing changed: neither the parameters nor their gradients
    assert _data(model) == before and [p.grad for p in model.parameters()] == grads
    assert all(torch.equal(a, b) for a, b in zip(net.parameters(), torch_before))
    assert all(p.grad is None for p in net.parameters())


def _classes(nout, n=30):
    return [i % (2 if nout == 1 else nout) for i in range(n)]


CASES = [(name, nout) for o in OBJECTIVES for name in (o.name, *o.aliases)
         for nout in (1, 3) if o.fits(nout)]


@pytest.mark.parametrize(("loss", "nout"), CASES, ids=[f"{name}-{nout}" for name, nout in CASES])
@pytest.mark.parametrize("output_activation", [None, "sigmoid"])
def test_compare_agrees_to_1e_12_for_every_loss(torch, loss, nout, output_activation):
    xs, _ = make_moons(30, seed=1)
    model = MLP(2, [8, 8, nout], activation="tanh", output_activation=output_activation, seed=2)
    result = compare(model, bridge.to_torch(model), xs, _classes(nout), loss=loss, l2=1e-3, show=False)
    assert result.max_abs < 1e-12 and result.max_rel < 1e-12, str(result)


def test_torch_losses_are_nns_on_hand_worked_numbers(torch):
    out = torch.tensor([[2.0], [0.5]], dtype=torch.float64)
    assert bridge.torch_loss("hinge", out, [1, 0]).item() == 0.75  # (0 + 1.5) / 2, as nn's doctest
    assert bridge.torch_loss("mse", out, [0, 1]).item() == 2.125  # (4 + 0.25) / 2
    logits = torch.zeros(1, 3, dtype=torch.float64)
    assert bridge.torch_loss("cross_entropy", logits, [2]).item() == pytest.approx(1.0986122886681098)
    assert bridge.torch_loss("bce", torch.tensor([[1000.0]], dtype=torch.float64), [0]).item() == 1000.0
    with pytest.raises(ValueError, match="hinge needs one output"):
        bridge.torch_loss("hinge", logits, [2])
    with pytest.raises(ValueError, match="unknown loss 'xent'"):
        bridge.torch_loss("xent", logits, [2])


def test_compare_refuses_models_of_different_shapes(torch):
    xs, y, model = _demo()
    with pytest.raises(ValueError, match=re.escape("the models differ in shape: nn's layers are [(2, 16), "
                                                   "(16, 16), (16, 1)], torch's Linears [(2, 16), (16, 1)]")):
        compare(model, bridge.to_torch(MLP(2, [16, 1], seed=0)), xs, y)
    with pytest.raises(ValueError, match="xs has 100 rows but y has 99"):
        compare(model, bridge.to_torch(model), xs, y[:99])
    with pytest.raises(ValueError, match=r"label 2 .* is not a class of this model"):
        compare(model, bridge.to_torch(model), xs[:1], [2])


def test_compare_shows_a_model_that_differs(torch):
    xs, y, model = _demo()
    net = bridge.to_torch(model)
    with torch.no_grad():
        net[2].bias[0] += 0.5
    result = compare(model, net, xs, y, show=False)
    assert result["layer 1 (16->16) weights"].abs == 0.5
    assert result["layer 0 (2->16) weights"].abs == 0.0
    assert result["outputs (100 x 1)"].abs > 0.0


def _nonfinite_rows(result):
    """The rows whose line in the printed table shows nan or inf."""
    return [line.split("  ")[0] for line in str(result).splitlines()[2:] if re.search(r"\b(nan|inf)\b", line)]


def test_compare_shows_a_nan_where_pythons_max_would_skip_it(torch, capsys):
    xs, y, model = _demo()
    net = bridge.to_torch(model)
    with torch.no_grad():
        net[2].bias[3] = math.nan  # not the row's first number: max() would skip it
    result = compare(model, net, xs, y)
    assert math.isnan(result["layer 1 (16->16) weights"].abs)
    assert math.isnan(result["layer 1 (16->16) weights"].rel)
    assert math.isnan(result.max_abs) and math.isnan(result.max_rel)
    assert "layer 1 (16->16) weights" in _nonfinite_rows(result)
    assert "nan" in capsys.readouterr().out.splitlines()[6]  # the printed table, that row


def test_compare_a_nan_on_both_sides_at_the_same_place_is_a_difference(torch):
    model = MLP(2, [3, 1], seed=0)
    model.layers[1].neurons[0].w[2].data = math.nan
    net = bridge.to_torch(model)  # the same NaN, copied
    result = compare(model, net, [[0.5, -0.5]], [1], show=False)
    assert math.isnan(result["layer 1 (3->1) weights"].abs)
    model.layers[1].neurons[0].w[2].data = math.inf
    result = compare(model, bridge.to_torch(model), [[0.5, -0.5]], [1], show=False)
    assert math.isnan(result["layer 1 (3->1) weights"].abs)  # inf - inf


def test_the_largest_difference_keeps_nan_and_inf_wherever_they_are():
    rows = [bridge.Difference("a", 0.0, 0.0), bridge.Difference("b", math.inf, math.inf),
            bridge.Difference("c", 1e-16, 1e-16)]
    assert bridge.Comparison("t", tuple(rows)).max_abs == math.inf
    rows.append(bridge.Difference("d", math.nan, math.nan))
    assert math.isnan(bridge.Comparison("t", tuple(rows)).max_abs)
    assert math.isnan(bridge.Comparison("t", tuple(reversed(rows))).max_rel)
    row = bridge._difference("w", [1.0, 2.0, 3.0], [1.0, 2.0, -math.inf])
    assert (row.abs, row.rel) == (math.inf, math.inf)
    row = bridge._difference("w", [1.0, 2.0, 3.0], [1.0, 2.0, 3.5])
    assert (row.abs, row.rel) == (0.5, 0.5 / 3.5)
    assert bridge._difference("w", [0.0], [0.0]) == bridge.Difference("w", 0.0, 0.0)


SPECIAL = st.sampled_from([math.nan, math.inf, -math.inf])


@settings(max_examples=60, deadline=None)
@given(side=st.sampled_from(["nn", "torch", "input"]), place=st.integers(0, 10**6), bad=SPECIAL,
       activation=st.sampled_from(ACTIVATIONS), loss=st.sampled_from(["hinge", "bce", "mse"]))
def test_compare_shows_a_nan_or_inf_put_anywhere(torch, side, place, bad, activation, loss):
    """A NaN or inf in either model's weights or in the inputs: max_abs is not finite and the
    printed table shows it (where a weight was changed, in that layer's weights row)."""
    xs, y = make_moons(6, seed=0)
    model = MLP(2, [3, 3, 1], activation=activation, seed=1)
    net = bridge.to_torch(model)
    where = None
    if side == "input":
        xs[place % len(xs)][place // len(xs) % 2] = bad
    else:
        i = place % len(model.parameters())
        k = next(k for k, layer in enumerate(model.layers) if i < sum(len(m.parameters()) for m in
                                                                     model.layers[:k + 1]))
        where = f"layer {k} ({3 if k else 2}->{1 if k == 2 else 3}) weights"
        if side == "nn":
            model.parameters()[i].data = bad
        else:
            j = i - sum(len(m.parameters()) for m in model.layers[:k])
            nin = len(model.layers[k].neurons[0].w)
            neuron, w = divmod(j, nin + 1)
            with torch.no_grad():
                if w < nin:
                    net[2 * k].weight[neuron, w] = bad
                else:
                    net[2 * k].bias[neuron] = bad
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        result = compare(model, net, xs, y, loss=loss)
    assert not math.isfinite(result.max_abs) and not math.isfinite(result.max_rel)
    shown = _nonfinite_rows(result)
    assert shown and printed.getvalue().strip() == str(result)
    if where is not None:
        assert where in shown, str(result)


# --- training in each framework from the same weights ---------------------------------------------

@pytest.mark.parametrize(("loss", "nout", "momentum"), [("hinge", 1, 0.0), ("bce", 1, 0.9),
                                                        ("mse", 3, 0.0), ("cross_entropy", 3, 0.9)])
def test_sgd_in_each_framework_stays_equal(torch, loss, nout, momentum):
    xs, _ = make_moons(40, seed=3)
    y = _classes(nout, 40)
    model = MLP(2, [8, 8, nout], seed=4)
    net = bridge.to_torch(model)
    steps, lr, l2 = 8, 0.3, 1e-4
    fit(model, xs, y, loss=loss, optimizer=SGD(model.parameters(), lr=lr, momentum=momentum), steps=steps,
        l2=l2)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum)
    inputs = torch.tensor(xs, dtype=torch.float64)
    for _ in range(steps):
        total = bridge.torch_loss(loss, net(inputs), y) + l2 * sum((p * p).sum() for p in net.parameters())
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
    moved = from_torch(net)
    assert max(abs(a - b) for a, b in zip(_data(moved), _data(model))) < 1e-10
    assert _data(moved) != _data(MLP(2, [8, 8, nout], seed=4))  # training moved the weights
    assert compare(model, net, xs, y, loss=loss, l2=l2, show=False).max_abs < 1e-10


# --- the README's example -------------------------------------------------------------------------

def test_the_readme_example_runs(torch, capsys, tmp_path, monkeypatch):
    """The "Moving to PyTorch" block is fenced ```py, not ```python: tests/test_readme.py runs every
    ```python block whether or not torch is installed; this test runs this one where it is."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Moving to PyTorch", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```py\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1
    monkeypatch.chdir(tmp_path)
    exec(compile(blocks[0], str(README), "exec"), {"__name__": "readme"})
    assert "max abs diff" in capsys.readouterr().out
