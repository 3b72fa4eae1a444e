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
    (_set(["model"], "Transformer"), "unknown model 'Transformer'; known: Layer, MLP, Neuron"),
    (_set(["config", "nouts"], [3, "2"]), "bad config"),
    (_set(["config", "activation"], "gelu"), "unknown activation 'gelu'"),
    (_set(["config"], [2, [3, 2]]), "config must be an object, not a list"),
    (_set(["metadata"], "x"), "metadata must be an object"),
])
def test_corrupted_files_are_rejected_saying_what_is_wrong(model, tmp_path, change, message):
    path = _corrupt(model, tmp_path, change)
    with pytest.raises(ValueError, match=message) as info:
        load(path)
    assert len(str(info.value)) <= 1200


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
    with pytest.raises(TypeError, match="save\\(\\) takes a Layer, MLP or Neuron, not dict"):
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


# -- one entry too many or too few, at every level of every model -----------------------------------
def _grow(keys):
    """A change appending a copy of the last entry of the list at ``keys`` (of the state)."""
    def change(state):
        items = _at(state, keys)
        items.append(json.loads(json.dumps(items[-1])))
    return change


def _shrink(keys):
    """A change dropping the last entry of the list at ``keys``."""
    return lambda state: _at(state, keys).pop()


def _drop(keys):
    """A change deleting the key ``keys[-1]`` of the object at ``keys[:-1]``."""
    return lambda state: _at(state, keys[:-1]).pop(keys[-1])


def _at(state, keys):
    for k in keys:
        state = state[k]
    return state


L0, L1 = ["layers", 0, "neurons"], ["layers", 1, "neurons"]
ENTRIES = [
    # (model, change, message): an MLP 2 -> 3 -> 2, a Layer 3 -> 2, a Neuron of 3 inputs
    ("MLP", _grow(["layers"]), r"state.layers has 3 entries, expected 2 \(wrong layer size\)"),
    ("MLP", _shrink(["layers"]), r"state.layers has 1 entries, expected 2 \(wrong layer size\)"),
    ("MLP", _grow(L1), r"state.layers\[1\].neurons has 3 entries, expected 2 \(wrong layer size\)"),
    ("MLP", _shrink(L1), r"state.layers\[1\].neurons has 1 entries, expected 2 \(wrong layer size\)"),
    ("MLP", _grow([*L1, 0, "w"]), r"state.layers\[1\].neurons\[0\].w has 4 numbers, expected 3 \(wrong"),
    ("MLP", _shrink([*L1, 0, "w"]), r"state.layers\[1\].neurons\[0\].w has 2 numbers, expected 3 \(wrong"),
    ("MLP", _grow([*L0, 0, "w"]), r"state.layers\[0\].neurons\[0\].w has 3 numbers, expected 2"),
    ("MLP", _drop(["layers"]), r"state is missing key 'layers'"),
    ("MLP", _drop(["layers", 0, "neurons"]), r"state.layers\[0\] is missing key 'neurons'"),
    ("MLP", _drop([*L1, 1, "w"]), r"state.layers\[1\].neurons\[1\] is missing key 'w'"),
    ("MLP", _drop([*L1, 1, "b"]), r"state.layers\[1\].neurons\[1\] is missing key 'b'"),
    ("Layer", _grow(["neurons"]), r"state.neurons has 3 entries, expected 2 \(wrong layer size\)"),
    ("Layer", _shrink(["neurons"]), r"state.neurons has 1 entries, expected 2 \(wrong layer size\)"),
    ("Layer", _grow(["neurons", 1, "w"]), r"state.neurons\[1\].w has 4 numbers, expected 3 \(wrong"),
    ("Layer", _shrink(["neurons", 1, "w"]), r"state.neurons\[1\].w has 2 numbers, expected 3 \(wrong"),
    ("Layer", _drop(["neurons"]), r"state is missing key 'neurons'"),
    ("Layer", _drop(["neurons", 0, "b"]), r"state.neurons\[0\] is missing key 'b'"),
    ("Neuron", _grow(["w"]), r"state.w has 4 numbers, expected 3 \(wrong layer size\)"),
    ("Neuron", _shrink(["w"]), r"state.w has 2 numbers, expected 3 \(wrong layer size\)"),
    ("Neuron", _drop(["w"]), r"state is missing key 'w'"),
    ("Neuron", _drop(["b"]), r"state is missing key 'b'"),
]
MODELS = {
    "MLP": lambda: MLP(2, [3, 2], activation="tanh", seed=4),
    "Layer": lambda: Layer(3, 2, "tanh", seed=4),
    "Neuron": lambda: Neuron(3, "tanh", seed=4),
}


def _entry_id(entry):
    model, change, message = entry
    what = {"_grow": "extra", "_shrink": "short", "_drop": "no"}[change.__qualname__.split(".")[0]]
    where = message.replace("\\", "").split(" ")[0] + (message.split("key")[-1] if what == "no" else "")
    return f"{model} {what} {where}"


@pytest.mark.parametrize("kind, change, message", ENTRIES, ids=map(_entry_id, ENTRIES))
def test_an_entry_too_many_or_too_few_is_refused_and_changes_no_parameter(kind, change, message):
    # An extra weight must be refused by the check, not get as far as setting the parameters
    # (every one shifted by one) and then fail: a failed load changes nothing.
    model = MODELS[kind]()
    for i, p in enumerate(model.parameters()):
        p.data = 0.25 + i  # distinct, so a shift by one would show
    before = _data(model)
    state = model.state_dict()
    change(state)
    with pytest.raises(ValueError, match="^" + message):
        model.load_state_dict(state)
    assert _data(model) == before


@pytest.mark.parametrize("kind, change, message", ENTRIES, ids=map(_entry_id, ENTRIES))
def test_a_file_with_an_entry_too_many_or_too_few_is_refused_naming_it(tmp_path, kind, change, message):
    path = tmp_path / "m.json"
    MODELS[kind]().save(path)
    document = json.loads(path.read_text())
    change(document["state"])
    path.write_text(json.dumps(document))
    with pytest.raises(ValueError, match=r"m\.json: " + message):
        load(path)


# -- save() checks the document with load()'s rules before replacing anything ---------------------
def _saved(model, tmp_path):
    path = tmp_path / "m.json"
    model.save(path)
    return path, path.read_bytes()


def _assert_untouched(tmp_path, path, before):
    assert path.read_bytes() == before  # the good file is byte-identical
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # and nothing else was left


@pytest.mark.parametrize("bad, message", [
    (True, r"state.layers\[0\].neurons\[1\].w\[1\] must be a number, not a boolean True"),
    ("0.5", r"state.layers\[0\].neurons\[1\].w\[1\] must be a number, not a string '0.5'"),
    (None, r"state.layers\[0\].neurons\[1\].w\[1\] must be a number, not null"),
    (10**400, r"state.layers\[0\].neurons\[1\].w\[1\] must be finite, got an integer too large"),
    ([1.0], r"state.layers\[0\].neurons\[1\].w\[1\] must be a number, not a list"),
], ids=["bool", "str", "null", "huge-int", "list"])
def test_save_refuses_data_load_would_reject_and_keeps_the_good_file(model, tmp_path, bad, message):
    path, before = _saved(model, tmp_path)
    model.layers[0].neurons[1].w[1].data = bad
    with pytest.raises(ValueError, match=r"cannot save MLP to .*m\.json: " + message):
        model.save(path)
    _assert_untouched(tmp_path, path, before)


def test_save_refuses_a_config_load_would_reject(model, tmp_path):
    path, before = _saved(model, tmp_path)
    model.activation = "gelu"  # set after construction: the file would not rebuild
    with pytest.raises(ValueError, match=r"cannot save MLP .*unknown activation 'gelu'"):
        model.save(path)
    _assert_untouched(tmp_path, path, before)


def test_save_refuses_a_model_whose_layers_no_longer_fit(model, tmp_path):
    path, before = _saved(model, tmp_path)
    model.layers[0].neurons.pop()  # layer 1 still reads 3 inputs
    with pytest.raises(ValueError, match=r"state.layers\[1\].neurons\[0\].w has 3 numbers, expected 2"):
        model.save(path)
    _assert_untouched(tmp_path, path, before)


def test_save_writes_numpy_scalars_and_fractions_as_the_floats_they_equal(model, tmp_path):
    from fractions import Fraction
    np = pytest.importorskip("numpy")
    params = model.parameters()
    params[0].data, params[1].data, params[2].data = Fraction(1, 4), np.float32(0.5), 3
    model.save(tmp_path / "m.json")
    copy = load(tmp_path / "m.json")
    assert _data(copy)[:3] == [0.25, 0.5, 3.0]
    assert all(type(x) is float for x in _data(copy))


# -- metadata that JSON cannot hold is refused, naming the key, before anything is written ---------
@pytest.mark.parametrize("metadata, error, message", [
    ({"loss": "mse", "classes": {0, 1}}, TypeError, r"metadata\['classes'\] is not JSON: .*set"),
    ({"accuracy": math.nan}, ValueError, r"metadata\['accuracy'\] is not JSON: it holds nan or infinity"),
    ({"history": [0.5, math.inf]}, ValueError, r"metadata\['history'\] is not JSON: it holds nan"),
    ({"model": MLP(1, [1])}, TypeError, r"metadata\['model'\] is not JSON: .*MLP"),
    ({1: "one"}, TypeError, r"metadata keys must be strings, not int 1"),
    ({("a", "b"): 1}, TypeError, r"metadata keys must be strings, not tuple"),
])
def test_metadata_that_is_not_json_is_refused_naming_the_key(model, tmp_path, metadata, error, message):
    path, before = _saved(model, tmp_path)
    with pytest.raises(error, match=message):
        model.save(path, metadata=metadata)
    _assert_untouched(tmp_path, path, before)
    with pytest.raises(error, match=message):
        model.save(tmp_path / "new.json", metadata=metadata)
    assert not (tmp_path / "new.json").exists()


def test_circular_metadata_is_refused_naming_the_key(model, tmp_path):
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match=r"metadata\['loop'\] is not JSON: Circular reference"):
        model.save(tmp_path / "m.json", metadata={"loop": loop})
    assert list(tmp_path.iterdir()) == []


# -- every message is bounded, whatever the file holds --------------------------------------------
MAX_MESSAGE = 1200  # "about 1 KB": quoted material is capped at 1,000 characters


def _error(path):
    with pytest.raises(ValueError) as info:
        load(path)
    message = str(info.value)
    assert len(message) <= MAX_MESSAGE, f"{len(message):,}-character message: {message[:300]}..."
    return message


def test_a_2_million_entry_config_gives_a_short_message(model, tmp_path):
    path = tmp_path / "m.json"
    model.save(path)
    text = path.read_text()
    nouts = '"nouts": [' + "1, " * 2_000_000 + '"x"]'
    path.write_text(text.replace('"nouts": [\n   3,\n   2\n  ]', nouts, 1))
    message = _error(path)
    assert "bad config {'nin': 2, 'nouts': [1, 1, 1" in message
    assert "... and 1,99" in message and "more" in message
    assert "layer sizes must be ints of at least 1, got 'x'" in message


def test_a_config_with_a_huge_number_of_keys_gives_a_short_message(model, tmp_path):
    path = tmp_path / "m.json"
    model.save(path)
    text = path.read_text()
    extra = "".join(f'"k{i}": {i}, ' for i in range(200_000))
    path.write_text(text.replace('"config": {', '"config": {' + extra, 1))
    message = _error(path)
    assert "bad config {'k0': 0, 'k1': 1" in message and "more}" in message


FIFTY_MB = 50_000_000


@pytest.mark.parametrize("old, new, expected", [
    ('"format": "autograd_mini.nn"', '"format": "{}"', "format 'xxxx"),
    ('"model": "MLP"', '"model": "{}"', "unknown model 'xxxx"),
    ('"activation": "tanh"', '"activation": "{}"', "unknown activation 'xxxx"),
    ('"nin": 2', '"{}": 2', "bad config {'xxxx"),
    (None, '"{}"', r"w[0] must be a number, not a string 'xxxx"),
    ('"version": 1', '"version": "{}"', "format version 'xxxx"),
])
def test_a_50_MB_string_anywhere_gives_a_short_message(model, tmp_path, old, new, expected):
    path = tmp_path / "m.json"
    model.save(path)
    text = path.read_text()
    old = old or str(model.state_dict()["layers"][0]["neurons"][0]["w"][0])  # None: the first weight
    assert old in text
    with path.open("w") as f:  # written around the string: no second 50 MB copy of the file
        start = text.index(old)
        before, after = new.split("{}")
        f.write(text[:start] + before)
        for _ in range(FIFTY_MB // 1_000_000):
            f.write("x" * 1_000_000)
        f.write(after + text[start + len(old):])
    message = _error(path)
    assert expected in message and "more characters" in message


def test_a_huge_integer_in_the_file_gives_a_short_message(model, tmp_path):
    path = _corrupt(model, tmp_path, _set(["version"], 10**4000))
    assert "format version 1000" in _error(path)
    path.write_text(path.read_text().replace("1" + "0" * 4000, "1" + "0" * 5000))  # beyond int()'s limit
    assert "Exceeds the limit" in _error(path)


def test_save_messages_are_bounded_too(model, tmp_path):
    with pytest.raises(TypeError) as info:
        model.save(tmp_path / "m.json", metadata={"x" * FIFTY_MB: {1}})
    assert len(str(info.value)) <= MAX_MESSAGE and "more characters" in str(info.value)
    model.layers[0].neurons[0].w[0].data = "y" * FIFTY_MB
    with pytest.raises(ValueError) as info:
        model.save(tmp_path / "m.json")
    assert len(str(info.value)) <= MAX_MESSAGE and "more characters" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_nn_micrograds_classes_save_as_the_nn_classes_they_extend(tmp_path):
    import random

    from nn import MLP, micrograd

    random.seed(3)
    model = micrograd.MLP(2, [3, 1])
    model.save(tmp_path / "m.json")
    copy = MLP.load(tmp_path / "m.json")
    assert type(copy) is MLP
    assert [p.data for p in copy.parameters()] == [p.data for p in model.parameters()]


# -- cases found by mutation testing (`make mutate`) ------------------------------------------------
def test_save_names_what_it_cannot_take(model, tmp_path):
    with pytest.raises(TypeError, match=r"^save\(\) takes a .*, not dict$"):
        save({}, tmp_path / "m.json")
    with pytest.raises(TypeError, match=r"^path must be a str or os.PathLike, not int$"):
        save(model, 3)
    with pytest.raises(TypeError, match=r"^metadata must be a dict, not list$"):
        save(model, tmp_path / "m.json", metadata=[1])
    with pytest.raises(TypeError, match=r"^path must be a str or os.PathLike, not NoneType$"):
        load(None)
    assert list(tmp_path.iterdir()) == []


def test_metadata_nested_too_deeply_is_refused_naming_the_key(model, tmp_path):
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(ValueError, match=r"^metadata\['deep'\] is not JSON: nested too deeply$"):
        model.save(tmp_path / "m.json", metadata={"deep": deep})


def test_a_file_without_metadata_reads_as_empty_metadata(model, tmp_path):
    path = _corrupt(model, tmp_path, _delete(["metadata"]))
    copy, metadata = read(path)
    assert metadata == {} and _data(copy) == _data(model)


@pytest.mark.parametrize("change, message", [
    (_set(["metadata"], "x"), r"m\.json: metadata must be an object, not a string$"),
    (_delete(["format"]), r"m\.json is missing key 'format'$"),
    (_set(["model"], ["MLP"]), r"m\.json: unknown model \['MLP'\]; known: "),
    (_set(["state"], 0.5), r"m\.json: state must be an object, not float$"),
])
def test_more_bad_files_are_named_with_the_path(model, tmp_path, change, message):
    path = _corrupt(model, tmp_path, change)
    with pytest.raises(ValueError, match=message):
        load(path)


def test_truncated_is_said_only_of_a_file_that_ends_early(tmp_path):
    path = tmp_path / "m.json"
    path.write_text('{"format": "autograd_mini.nn",')  # ends right where the error is
    truncated = r"is not valid JSON \(the file looks truncated\): .* at line 1 column 31$"
    with pytest.raises(ValueError, match=truncated):
        load(path)
    path.write_text('{"format": x}\n')  # an error in the middle
    with pytest.raises(ValueError, match=r"is not valid JSON: Expecting value at line 1 column 12$"):
        load(path)


def test_a_model_saves_under_a_244_byte_file_name(tmp_path):
    """The temporary name used to add ~40 bytes to the target's, past NAME_MAX (255)."""
    path = tmp_path / ("m" * 239 + ".json")
    model = MLP(2, [1], seed=0)
    save(model, path)
    save(model, path)  # replacing it too
    assert [p.name for p in tmp_path.iterdir()] == [path.name] and load(path).config() == model.config()
