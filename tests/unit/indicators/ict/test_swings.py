"""Pivots and the swing sequence S (ict.md 2), on the worked example and hand-built edge cases."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fakes.ict_candles import bar, ohlc_candles, worked_example
from trading.indicators.ict.swings import find_pivots, swing_sequence, window_max


def test_worked_example_pivots_are_exactly_the_five_listed():
    pivots = find_pivots(worked_example(), left=1, right=1)

    assert pivots.index.tolist() == [1, 3, 4, 6, 8]
    assert pivots.known_at.tolist() == [2, 4, 5, 7, 9]
    assert pivots.direction.tolist() == [1, -1, 1, 1, -1]
    assert pivots.level.tolist() == [105.0, 100.0, 104.95, 105.5, 97.0]


def test_worked_example_sequence_supersedes_the_lower_high_with_the_higher_one():
    swings = swing_sequence(find_pivots(worked_example(), left=1, right=1))

    assert swings.index.tolist() == [1, 3, 4, 6, 8]
    assert swings.known_at.tolist() == [2, 4, 5, 7, 9]
    assert swings.label.tolist() == ["", "", "LH", "HH", "LL"]
    assert swings.supersedes.tolist() == [-1, -1, -1, 2, -1]
    assert swings.superseded_at.tolist() == [-1, -1, 7, -1, -1]
    assert swings.final_at.tolist() == [4, 5, -1, 9, -1]
    assert swings.prior.tolist() == [-1, 0, 1, 1, 3]


def test_sequence_evolves_bar_by_bar_as_in_the_worked_example():
    swings = swing_sequence(find_pivots(worked_example(), left=1, right=1))

    def s_at(t):
        return swings.sequence_at(t).index.tolist()

    assert [s_at(t) for t in (1, 2, 4, 5, 7, 9)] == [[], [1], [1, 3], [1, 3, 4], [1, 3, 6], [1, 3, 6, 8]]


def test_plateau_of_equal_highs_gives_raw_pivots_but_sequence_keeps_the_first():
    candles = ohlc_candles([bar(101, 99), bar(105, 102), bar(105, 102), bar(105, 102, up=False),
                            bar(103, 100, up=False), bar(102, 98, up=False)])

    pivots = find_pivots(candles, left=1, right=1)
    swings = swing_sequence(pivots)

    assert pivots.index.tolist() == [1, 2, 3]
    assert swings.index.tolist() == [1]
    assert swings.known_at.tolist() == [2]


def test_equal_high_after_an_opposite_swing_is_labelled_equal_high():
    candles = ohlc_candles([bar(101, 99), bar(105, 102), bar(104, 100, up=False), bar(103, 99, up=False),
                            bar(104, 100), bar(105, 102), bar(103, 100, up=False)])

    swings = swing_sequence(find_pivots(candles, left=1, right=1))

    assert swings.index.tolist() == [1, 3, 5]
    assert swings.label.tolist() == ["", "", "EH"]


def test_flat_market_collapses_to_one_sequence_element():
    candles = ohlc_candles([(100.0, 100.0, 100.0, 100.0)] * 8)

    pivots = find_pivots(candles, left=2, right=2)
    swings = swing_sequence(pivots)

    assert pivots.index.tolist() == [2, 3, 4, 5]
    assert (pivots.direction == 1).all()
    assert swings.index.tolist() == [2]


def test_first_left_and_last_right_bars_are_never_pivots():
    # bar 0 has the highest high and bar 6 the lowest low, but neither has a full window
    candles = ohlc_candles([bar(110, 105), bar(104, 100), bar(106, 101), bar(108, 103), bar(107, 102),
                            bar(105, 100.5), bar(99, 95)])

    pivots = find_pivots(candles, left=2, right=2)

    assert pivots.index.tolist() == [3]
    assert pivots.known_at.tolist() == [5]
    assert find_pivots(candles[:5], left=2, right=2).index.tolist() == []


def test_bar_that_is_both_pivot_high_and_low_counts_as_high_only():
    candles = ohlc_candles([bar(102, 100), bar(110, 90), bar(103, 101)])

    pivots = find_pivots(candles, left=1, right=1)

    assert pivots.index.tolist() == [1]
    assert pivots.direction.tolist() == [1]


@settings(max_examples=25, deadline=None)
@given(values=st.lists(st.integers(0, 9), min_size=1, max_size=60), width=st.integers(1, 13))
def test_window_max_matches_a_direct_maximum_over_each_window(values, width):
    x = np.asarray(values, dtype=np.float64)

    got = window_max(x, width)

    assert got.tolist() == [max(x[i:i + width]) for i in range(len(x) - width + 1)]
