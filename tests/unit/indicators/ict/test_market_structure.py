"""Structure breaks (BOS / CHoCH, both kinds) and the trend state (ict.md 3)."""
import numpy as np

from tests.fakes.ict_candles import bar, ohlc_candles, worked_example
from tests.fakes.shared_data import load_candles
from trading.indicators.ict import ICTParams, compute_ict
from trading.indicators.ict.market_structure import leg_extremes
from trading.indicators.ict.price_crossings import PriceSearch

EXAMPLE = ICTParams(left=1, right=1)


def test_worked_example_references_follow_the_sequence():
    swings = compute_ict(worked_example(), EXAMPLE).swings

    def ref(t, side):
        row = swings.last_at(t, side)
        return int(swings.index[row]) if row >= 0 else None

    assert [ref(t, 1) for t in (1, 2, 4, 5, 6, 7, 13)] == [None, 1, 1, 4, 4, 6, 6]
    assert [ref(t, -1) for t in (3, 4, 8, 9, 13)] == [None, 3, 3, 8, 8]


def test_worked_example_breaks_in_close_mode():
    breaks = compute_ict(worked_example(), EXAMPLE).breaks

    assert breaks.index.tolist() == [7, 11]
    assert breaks.known_at.tolist() == [7, 11]
    assert breaks.direction.tolist() == [-1, 1]
    assert breaks.ref_index.tolist() == [3, 6]
    assert breaks.level.tolist() == [100.0, 105.5]
    assert breaks.leg_index.tolist() == [6, 8]
    assert breaks.kind_trend.tolist() == ["BOS", "CHoCH"]
    assert breaks.kind_swing.tolist() == ["CHoCH", "CHoCH"]


def test_worked_example_wick_above_without_a_close_is_no_break_in_close_mode():
    breaks = compute_ict(worked_example(10), EXAMPLE).breaks

    assert 6 not in breaks.index.tolist()


def test_worked_example_wick_mode_breaks_the_lower_high_at_bar_6():
    breaks = compute_ict(worked_example(), ICTParams(left=1, right=1, break_on="wick")).breaks

    assert breaks.index.tolist() == [6, 7, 11]
    assert breaks.direction.tolist() == [1, -1, 1]
    assert breaks.ref_index.tolist() == [4, 3, 6]
    assert breaks.kind_trend.tolist() == ["BOS", "CHoCH", "CHoCH"]


def test_worked_example_trend_is_the_direction_of_the_last_break():
    trend = compute_ict(worked_example(), EXAMPLE).trend

    assert trend.tolist() == [0] * 7 + [-1] * 4 + [1] * 3


def _lower_high_then_higher_high():
    return ohlc_candles([bar(101, 99), bar(105, 102), bar(103, 100, up=False), bar(102, 98, up=False),
                         bar(103, 99), bar(104, 100), bar(103.5, 101, up=False), (101.5, 104.8, 101.2, 104.5),
                         (104.5, 106.0, 104.0, 105.5), (105.5, 105.8, 104.5, 105.0), (105.0, 106.8, 104.9, 106.5)])


def test_close_beyond_an_older_replaced_reference_is_not_a_break():
    breaks = compute_ict(_lower_high_then_higher_high()[:9], EXAMPLE).breaks

    assert breaks.index.tolist() == [7]
    assert breaks.ref_index.tolist() == [5]
    assert breaks.kind_trend.tolist() == ["BOS"]
    assert breaks.kind_swing.tolist() == ["BOS"]


def test_new_more_extreme_pivot_after_a_break_is_a_fresh_reference_for_the_next_bos():
    snapshot = compute_ict(_lower_high_then_higher_high(), EXAMPLE)

    assert snapshot.breaks.index.tolist() == [7, 10]
    assert snapshot.breaks.ref_index.tolist() == [5, 8]
    assert snapshot.breaks.kind_trend.tolist() == ["BOS", "BOS"]
    assert snapshot.breaks.leg_index.tolist() == [6, 9]
    assert snapshot.trend.tolist() == [0] * 7 + [1] * 4


def _outside_bar():
    return ohlc_candles([bar(101, 99), bar(105, 102), bar(103, 100, up=False), bar(102, 97, up=False),
                         bar(104, 99), bar(106, 96)])


def test_outside_bar_in_wick_mode_breaks_both_sides_bullish_first():
    snapshot = compute_ict(_outside_bar(), ICTParams(left=1, right=1, break_on="wick"))

    assert snapshot.breaks.index.tolist() == [5, 5]
    assert snapshot.breaks.direction.tolist() == [1, -1]
    assert snapshot.breaks.kind_trend.tolist() == ["BOS", "CHoCH"]
    assert snapshot.trend[5] == -1


def test_outside_bar_closing_inside_breaks_nothing_in_close_mode():
    snapshot = compute_ict(_outside_bar(), EXAMPLE)

    assert len(snapshot.breaks) == 0
    assert snapshot.trend.tolist() == [0] * 6


def test_leg_extreme_takes_the_latest_bar_on_ties():
    candles = ohlc_candles([bar(105, 100), bar(104, 99), bar(103, 101), bar(104, 99), bar(106, 102)])

    leg = leg_extremes(PriceSearch(candles), np.array([1, 0]), np.array([4, 3]), np.array([1, -1]))

    assert leg.tolist() == [3, 0]


def test_break_comes_at_least_right_plus_one_bars_after_its_pivot_on_real_candles():
    candles = load_candles("BTCUSDT-15m.csv.gz")[:3000]

    breaks = compute_ict(candles, ICTParams(left=3, right=2)).breaks

    assert len(breaks) > 50
    assert (breaks.index >= breaks.ref_index + 3).all()
    assert ((breaks.leg_index > breaks.ref_index) & (breaks.leg_index < breaks.index)).all()
