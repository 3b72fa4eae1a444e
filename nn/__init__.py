"""nn: neural networks built from autograd_mini Values, micrograd-compatible.

>>> from nn import MLP, SGD, fit, make_moons
>>> xs, y = make_moons(40, seed=1)
>>> model = MLP(2, [8, 8, 1], seed=0)
>>> history = fit(model, xs, y, loss="hinge", steps=30, l2=1e-4)
>>> history.accuracy[-1] > 0.8
True
"""

from .data import DATASETS, accuracy, make_circles, make_moons, make_spirals, make_xor, train_test_split
from .losses import binary_cross_entropy, cross_entropy, hinge, l2_penalty, log_softmax, mse
from .modules import ACTIVATIONS, INITS, MLP, Layer, Module, Neuron
from .objectives import OBJECTIVES, Objective, objective
from .optim import SGD, Adam, LinearDecay, Optimizer
from .serialize import load, save
from .torch import compare, from_torch, to_torch
from .train import LOSSES, DivergenceError, History, evaluate, fit, predict

__all__ = [
    "ACTIVATIONS",
    "DATASETS",
    "INITS",
    "LOSSES",
    "MLP",
    "OBJECTIVES",
    "SGD",
    "Adam",
    "DivergenceError",
    "History",
    "Layer",
    "LinearDecay",
    "Module",
    "Neuron",
    "Objective",
    "Optimizer",
    "accuracy",
    "binary_cross_entropy",
    "compare",
    "cross_entropy",
    "evaluate",
    "fit",
    "from_torch",
    "hinge",
    "l2_penalty",
    "load",
    "log_softmax",
    "make_circles",
    "make_moons",
    "make_spirals",
    "make_xor",
    "mse",
    "objective",
    "predict",
    "save",
    "to_torch",
    "train_test_split",
]
