"""ICTParams: defaults of ict.md, option names checked, stops beyond a zone by the buffer."""
import pytest

from trading.indicators.ict import BreakOn, ICTParams, ObCandle


def test_option_names_become_enums():
    params = ICTParams(break_on="wick", ob_candle="last_opposite")

    assert (params.break_on, params.ob_candle) == (BreakOn.WICK, ObCandle.LAST_OPPOSITE)


def test_unknown_option_name_is_refused():
    with pytest.raises(ValueError):
        ICTParams(break_on="body")


def test_window_must_look_at_least_one_bar_each_way():
    with pytest.raises(ValueError, match="left and right"):
        ICTParams(left=0)


def test_short_stop_of_the_worked_example_is_the_fvg_top_plus_the_buffer():
    params = ICTParams(stop_buffer=0.002)

    assert params.short_stop(103.8) == pytest.approx(104.0076, abs=1e-12)
    assert params.long_stop(100.0) == pytest.approx(99.8, abs=1e-12)
