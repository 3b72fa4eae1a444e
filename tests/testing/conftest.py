"""Fixtures for the tests of autograd_mini.testing."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from autograd_mini import Value, _codegen, rules


@pytest.fixture
def plant(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, tuple[str, ...]], None]:
    """``plant(name, grads)`` replaces the methods generated for rule ``name`` by ones with
    the given (wrong) local derivatives, for this test only."""

    def plant_rule(name: str, grads: tuple[str, ...]) -> None:
        rule = dataclasses.replace(rules.BY_NAME[name], grads=grads)
        for method, fn in _codegen.build(rule).items():
            monkeypatch.setattr(Value, method, fn)

    return plant_rule
