"""autograd_mini re-exports ``ops``' functions on numbers and Values alike, one per unary row."""

from __future__ import annotations

import pytest

import autograd_mini as am
from autograd_mini import _codegen, ops, rules


def test_every_function_of_ops_is_an_attribute_of_the_package():
    names = set(_codegen.lifted(rules.RULES))
    assert {"exp", "log", "sin", "sigmoid"} <= names
    for name in names:
        assert getattr(am, name) is getattr(ops, name), name
        assert name in dir(am)
    from autograd_mini import exp, log  # from-imports read the same attributes

    assert exp(0.0) == 1.0 and log(am.Value(1.0)).data == 0.0


def test_the_functions_stay_out_of_a_star_import_and_unknown_names_fail():
    assert not set(_codegen.lifted(rules.RULES)) & set(am.__all__)  # a star import shadows nothing
    assert "defop" in am.__all__
    with pytest.raises(AttributeError, match="no attribute 'DERIVATIVES'"):
        am.DERIVATIVES
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        am.nope
