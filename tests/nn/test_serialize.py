"""Saving and loading models: exact round trips, atomic writes, and every kind of bad file rejected."""

from __future__ import annotations

import json
import math

import pytest

from nn import MLP, Layer, Neuron, load, save
from nn.serialize import read


@pytest.fixture
def model():
    m = MLP(2, [3, 2], activation="tanh", output_activation="sigmoid", seed=4)
    for i, p in enumerate(m.parameters()):
        p.data += 0.01 * i  # nonzero biases
    return m


def _data(m):
    return [p.data for p in m.parameters()]


def test_save_load_predict_round_trip_is_exact(model, tmp_path):
    path = tmp_path / "m.json"
    model.save(path, metadata={"loss": "mse"})
    copy, metadata = read(path)
    assert isinstance(copy, MLP) and copy.config() == model.config()
    assert _data(copy) == _data(model)  # floats round-trip exactly through JSON
    x = [0.25, -1.5]
    assert [v.data for v in copy(x)] == [v.data for v in model(x)]
    assert metadata == {"loss": "mse"}
    assert MLP.load(path).config() == model.config()


def test_neurons_and_layers_round_trip_too(tmp_path):
    for module in (Neuron(3, "sigmoid", seed=1), Layer(3, 2, "linear", seed=1)):
        save(module, tmp_path / "x.json")
        copy = load(tmp_path / "x.json")
        assert type(copy) is type(module) and _data(copy) == _data(module)


def test_state_dict_moves_numbers_between_models(model):
    other = MLP(2, [3, 2], activation="tanh", output_activation="sigmoid", seed=99)
    other.load_state_dict(model.state_dict())
    assert _data(other) == _data(model)


def test_the_file_is_json_with_a_format_version(model, tmp_path):
    model.save(tmp_path / "m.json")
    document = json.loads((tmp_path / "m.json").read_text())
    assert document["format"] == "autograd_mini.nn" and document["version"] == 1
    assert document["model"] == "MLP" and document["config"]["nouts"] == [3, 2]


def test_saving_replaces_atomically_and_leaves_no_temporary_file(model, tmp_path):
    path = tmp_path / "m.json"
    model.save(path)
    before = path.read_bytes()
    model.parameters()[0].data = math.nan
    with pytest.raises(ValueError, match="non-finite parameters"):
        model.save(path)
    assert path.read_bytes() == before  # the old file is intact
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


def test_load_refuses_the_wrong_class(model, tmp_path):
    model.save(tmp_path / "m.json")
    with pytest.raises(ValueError, match="holds a model of type MLP, not Layer"):
        Layer.load(tmp_path / "m.json")


def _corrupt(model, tmp_path, change):
    path = tmp_path / "m.json"
    model.save(path)
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))
    return path


def _set(keys, value):
    def change(document):
        target = document
        for k in keys[:-1]:
            target = target[k]
        target[keys[-1]] = value
    return change


def _delete(keys):
    def change(document):
        target = document
        for k in keys[:-1]:
            target = target[k]
        del target[keys[-1]]
    return change


W = ["state", "layers", 0, "neurons", 1, "w"]


@pytest.mark.parametrize("change, message", [
    (_delete(["state"]), "is missing key 'state'"),
    (_delete(["state", "layers", 1, "neurons", 0, "b"]),
     r"state.layers\[1\].neurons\[0\] is missing key 'b'"),
    (_set(W, [0.5]), r"state.layers\[0\].neurons\[1\].w has 1 numbers, expected 2 \(wrong layer size\)"),
    (_set(["state", "layers", 1, "neurons"], [{"w": [1, 2, 3], "b": 0}]),
     r"state.layers\[1\].neurons has 1 entries, expected 2"),
    (_set(["state", "layers"], [{"neurons": []}]), r"state.layers has 1 entries, expected 2"),
    (_set([*W, 1], "0.5"), r"neurons\[1\].w\[1\] must be a number, not a string '0.5'"),
    (_set([*W, 1], True), r"w\[1\] must be a number, not a boolean"),
    (_set([*W, 1], None), r"w\[1\] must be a number, not null"),
    (_set(["state", "layers", 0, "neurons", 0, "b"], [1]), r"neurons\[0\].b must be a number, not a list"),
    (_set(["format"], "pickle"), "not an autograd_mini model file"),
    (_set(["version"], 2), "format version 2; this library reads version 1"),
    (_set(["model"], "Transformer"), "unknown model 'Transformer'; known: MLP, Layer, Neuron"),
    (_set(["config", "nouts"], [3, "2"]), "bad config"),
    (_set(["config", "activation"], "gelu"), "unknown activation 'gelu'"),
    (_set(["config"], [2, [3, 2]]), "config must be an object, not a list"),
    (_set(["metadata"], "x"), "metadata must be an object"),
])
def test_corrupted_files_are_rejected_saying_what_is_wrong(model, tmp_path, change, message):
    path = _corrupt(model, tmp_path, change)
    with pytest.raises(ValueError, match=message):
        load(path)


def test_a_truncated_file_is_reported_as_truncated(model, tmp_path):
    path = tmp_path / "m.json"
    model.save(path)
    text = path.read_text()
    path.write_text(text[: len(text) // 2])
    with pytest.raises(ValueError, match=r"is not valid JSON \(the file looks truncated\)"):
        load(path)


def test_nan_and_infinity_are_rejected(model, tmp_path):
    path = tmp_path / "m.json"
    model.save(path)
    text = path.read_text()
    first = str(model.state_dict()["layers"][0]["neurons"][0]["w"][0])
    for bad in ("NaN", "Infinity", "1e999"):
        path.write_text(text.replace(first, bad, 1))
        with pytest.raises(ValueError, match="finite"):
            load(path)


def test_not_json_at_all(tmp_path):
    path = tmp_path / "m.json"
    path.write_bytes(b"\x80\x04\x95 pickle bytes")
    with pytest.raises(ValueError, match="not UTF-8"):
        load(path)
    path.write_text("[1, 2]")
    with pytest.raises(ValueError, match="must be an object, not a list"):
        load(path)


def test_save_refuses_other_objects(tmp_path):
    with pytest.raises(TypeError, match="save\\(\\) takes an MLP, Layer or Neuron, not dict"):
        save({}, tmp_path / "m.json")


def test_a_config_declaring_huge_layers_fails_before_allocating(model, tmp_path):
    # a billion neurons would take minutes and gigabytes to build: the check must come first
    path = _corrupt(model, tmp_path, _set(["config", "nouts"], [10**9, 2]))
    with pytest.raises(ValueError, match=r"state.layers\[0\].neurons has 3 entries, expected 1000000000"):
        load(path)
    path = _corrupt(model, tmp_path, _set(["config", "nin"], 10**9))
    with pytest.raises(ValueError, match=r"neurons\[0\].w has 2 numbers, expected 1000000000"):
        load(path)


def test_a_deeply_nested_file_is_a_value_error_not_a_recursion_error(tmp_path):
    path = tmp_path / "m.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValueError, match="nested too deeply"):
        load(path)


def test_an_integer_too_large_for_a_float_is_rejected(model, tmp_path):
    path = _corrupt(model, tmp_path, _set([*W, 0], 10**400))
    with pytest.raises(ValueError, match=r"w\[0\] must be finite, got an integer too large for a float"):
        load(path)


def test_a_bad_state_dict_changes_no_parameter(model):
    before = _data(model)
    state = model.state_dict()
    state["layers"][0]["neurons"][0]["w"][0] = 123.0  # would be loaded first
    state["layers"][1]["neurons"][1]["b"] = "x"
    with pytest.raises(ValueError, match=r"state.layers\[1\].neurons\[1\].b must be a number"):
        model.load_state_dict(state)
    assert _data(model) == before
