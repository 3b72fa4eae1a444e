"""no_grad, enable_grad and detect_anomaly: each block restores what it found, however it ends.

Outside every block, ops do not read the mode state at all (one counter says no block is open),
so a state left wrong by a block shows only inside the next block of any mode. These tests look
at the state itself, through ``_mode_state``, and at what ops do inside a fresh block.
"""

from __future__ import annotations

import math

import pytest

import autograd_mini as am
from autograd_mini import Value


def _mode_state() -> tuple[bool, bool, int]:
    """(grad recording on, anomaly detection on, mode blocks open in any thread): modes' private
    state, read here only."""
    from autograd_mini import modes

    return modes._state.grad_enabled, modes._state.anomaly, modes._modes_active[0]


OFF = (True, False, 0)  # no block open
MODES = {"no_grad": am.no_grad, "enable_grad": am.enable_grad, "detect_anomaly": am.detect_anomaly}


def _records(x: Value) -> bool:
    return not (x * 3).is_leaf


@pytest.mark.parametrize("outer", [None, *MODES])
@pytest.mark.parametrize("inner", list(MODES))
@pytest.mark.parametrize("how", ["with", "decorator", "bare decorator"])
def test_a_block_ended_by_an_exception_restores_the_state_it_found(outer, inner, how):
    assert _mode_state() == OFF
    mode = MODES[inner]

    def fail():
        raise ZeroDivisionError

    with MODES[outer]() if outer else _nothing():
        found = _mode_state()
        with pytest.raises(ZeroDivisionError):
            if how == "with":
                with mode():
                    fail()
            else:
                (mode()(fail) if how == "decorator" else mode(fail))()
        assert _mode_state() == found
    assert _mode_state() == OFF


class _nothing:  # noqa: N801 - stands in for a mode
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None


def test_after_an_exception_ops_inside_a_fresh_block_see_the_restored_state():
    x = Value(2.0)
    with pytest.raises(ZeroDivisionError), am.no_grad():
        raise ZeroDivisionError
    with am.detect_anomaly():
        assert _records(x)
    with pytest.raises(ZeroDivisionError), am.detect_anomaly():
        raise ZeroDivisionError
    with am.enable_grad():
        assert Value(0.0).log().data == -math.inf  # no FloatingPointError: detection is off
    with am.no_grad():
        with pytest.raises(ZeroDivisionError), am.enable_grad():
            raise ZeroDivisionError
        assert not _records(x)  # back to the enclosing no_grad


def test_nested_blocks_of_different_modes_each_restore_their_own_setting():
    x = Value(2.0)
    with am.no_grad():
        with am.detect_anomaly():
            assert not _records(x)
            with pytest.raises(FloatingPointError):
                Value(0.0).log()
        assert not _records(x)  # still inside no_grad after the inner block closed
        assert _mode_state() == (False, False, 1)
    with am.detect_anomaly():
        with am.no_grad():
            pass
        with pytest.raises(FloatingPointError):
            Value(0.0).log()  # still detecting after the inner block closed
        assert _records(x)
    assert _mode_state() == OFF


def test_the_same_mode_nested_restores_the_outer_block():
    x = Value(2.0)
    with am.no_grad():
        with am.no_grad():
            pass
        assert not _records(x)
        with am.enable_grad():
            with am.enable_grad():
                assert _records(x)
            assert _records(x)
        assert not _records(x)
    assert _mode_state() == OFF


def test_every_block_closes_the_count_it_opened_so_ops_are_free_again():
    # "free when off": with no block open, ops skip the mode state; a count left above zero
    # would send every op down the slow path for good.
    for mode in MODES.values():
        with mode(), mode():
            assert _mode_state()[2] == 2
        with pytest.raises(ZeroDivisionError), mode():
            raise ZeroDivisionError
        mode(lambda: None)()
        assert _mode_state() == OFF
