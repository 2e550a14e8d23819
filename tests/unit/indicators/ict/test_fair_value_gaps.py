"""Fair value gaps and their touched / CE / filled / inverted states (ict.md 4)."""
from tests.fakes.ict_candles import ohlc_candles, worked_example
from trading.indicators.ict import ICTParams, compute_ict

EXAMPLE = ICTParams(left=1, right=1)


def _gaps(candles, **params):
    return compute_ict(candles, ICTParams(left=1, right=1, **params)).fvgs


def test_worked_example_finds_the_five_gaps_with_their_zones():
    gaps = _gaps(worked_example())

    assert gaps.index.tolist() == [4, 7, 9, 10, 11]
    assert gaps.known_at.tolist() == [5, 8, 10, 11, 12]
    assert gaps.direction.tolist() == [1, -1, 1, 1, 1]
    assert gaps.bottom.tolist() == [102.5, 99.8, 99.8, 101.9, 104.5]
    assert gaps.top.tolist() == [103.2, 103.8, 101.0, 104.0, 105.0]
    assert gaps.mid.tolist() == [102.85, 101.8, 100.4, 102.95, 104.75]


def test_worked_example_state_bars():
    gaps = _gaps(worked_example())

    assert gaps.touched.tolist() == [7, 9, -1, -1, -1]
    assert gaps.ce.tolist() == [7, 9, -1, -1, -1]
    assert gaps.filled.tolist() == [7, 10, -1, -1, -1]
    assert gaps.inverted.tolist() == [7, 10, -1, -1, -1]


def test_worked_example_join_consecutive_merges_the_last_three_gaps():
    gaps = _gaps(worked_example(), join_consecutive=True)

    assert gaps.index.tolist() == [4, 7, 11]
    assert gaps.known_at.tolist() == [5, 8, 12]
    assert (gaps.bottom[2], gaps.top[2]) == (99.8, 105.0)
    assert gaps.touched.tolist() == [7, 9, -1]


def test_active_gaps_at_a_bar_are_known_and_unfilled():
    gaps = _gaps(worked_example())

    assert gaps.active_at(8).index.tolist() == [7]
    assert gaps.active_at(9).touched.tolist() == [9]
    assert gaps.active_at(13).index.tolist() == [9, 10, 11]


def test_equal_wicks_are_not_a_gap():
    candles = ohlc_candles([(100, 101, 99, 100.5), (100.5, 103, 100.5, 102.8), (102.8, 104, 101, 103.5)])

    assert len(_gaps(candles)) == 0


def test_middle_candle_against_the_gap_needs_require_body_off():
    candles = ohlc_candles([(100, 101, 99, 100.5), (102.5, 103, 100.5, 101.5), (102.8, 104, 102, 103.5)])

    assert len(_gaps(candles)) == 0
    assert _gaps(candles, require_body=False).index.tolist() == [1]


def test_gap_filled_by_the_very_next_bar_is_still_a_gap():
    candles = ohlc_candles([(100, 101, 99, 100.5), (100.5, 103, 100.5, 102.8), (102.8, 104, 102, 103.5),
                            (103.5, 103.6, 100.2, 100.4)])

    gaps = _gaps(candles)

    assert gaps.index.tolist() == [1]
    assert (gaps.bottom[0], gaps.top[0]) == (101.0, 102.0)
    assert (gaps.touched[0], gaps.ce[0], gaps.filled[0], gaps.inverted[0]) == (3, 3, 3, 3)


def test_overlapping_gaps_keep_independent_states():
    candles = ohlc_candles([(100, 101, 99, 100.5), (100.5, 102, 100.5, 101.8), (103.2, 105, 103, 104.8),
                            (104.8, 106, 104, 105.8), (103, 106, 102.5, 104), (102.7, 102.8, 101.8, 101.9)])

    gaps = _gaps(candles)

    assert gaps.index.tolist() == [1, 2]
    assert (gaps.bottom.tolist(), gaps.top.tolist()) == ([101.0, 102.0], [103.0, 104.0])
    assert gaps.touched.tolist() == [4, 4]
    assert gaps.ce.tolist() == [5, 4]
    assert gaps.filled.tolist() == [-1, 5]
    assert gaps.inverted.tolist() == [-1, 5]


def test_new_gap_inside_an_older_filled_one_is_a_new_gap():
    candles = ohlc_candles([(100, 101, 99, 100.5), (100.5, 106, 100.5, 105.8), (105.8, 107, 105, 106.5),
                            (100.9, 106.6, 100.8, 101.0), (101.0, 101.5, 100.9, 101.4),
                            (101.4, 104, 101.4, 103.9), (103.9, 104.5, 102.5, 104.2)])

    gaps = _gaps(candles)

    assert gaps.index.tolist() == [1, 5]
    assert gaps.filled.tolist() == [3, -1]
    assert (gaps.bottom[1], gaps.top[1], gaps.known_at[1]) == (101.5, 102.5, 6)


def test_bearish_gap_states_use_highs_and_the_close_above_top():
    candles = ohlc_candles([(110, 111, 109, 109.5), (109.5, 109.6, 106, 106.2), (106.2, 107, 105, 105.5),
                            (105.5, 107.5, 105.4, 107.4), (107.4, 109.5, 107, 109.2)])

    gaps = _gaps(candles)

    assert gaps.direction.tolist() == [-1]
    assert (gaps.bottom[0], gaps.top[0], gaps.mid[0]) == (107.0, 109.0, 108.0)
    assert (gaps.touched[0], gaps.ce[0], gaps.filled[0], gaps.inverted[0]) == (3, 4, 4, 4)


def test_min_gap_drops_gaps_smaller_than_the_fraction_of_price():
    gaps = _gaps(worked_example(), min_gap=0.007)  # drops 0.7 / 102.85 and 0.5 / 104.75

    assert gaps.index.tolist() == [7, 9, 10]


def test_expired_gap_records_no_later_state_and_is_inactive():
    gaps = _gaps(worked_example(), max_age=1)

    assert gaps.expires.tolist() == [6, 9, 11, 12, 13]
    assert gaps.touched.tolist() == [-1, 9, -1, -1, -1]
    assert gaps.filled.tolist() == [-1, -1, -1, -1, -1]
    assert gaps.active_at(12).index.tolist() == [10, 11]


def test_unfilled_bounds_shrink_with_the_lowest_low_since_the_gap():
    candles = worked_example()
    gaps = _gaps(candles)

    top, bottom = gaps.unfilled_bounds(candles, 9)

    assert gaps.active_at(9).index.tolist() == [7]
    assert (top.tolist(), bottom.tolist()) == ([103.8], [101.9])
