"""Order blocks from structure breaks: candle choice, zone, touched and broken (ict.md 5)."""
from tests.fakes.ict_candles import bar, ohlc_candles, worked_example
from trading.indicators.ict import ICTParams, compute_ict


def _blocks(candles, **params):
    return compute_ict(candles, ICTParams(left=1, right=1, **params)).order_blocks


def test_worked_example_order_blocks_with_states():
    blocks = _blocks(worked_example())

    assert blocks.index.tolist() == [6, 8]
    assert blocks.known_at.tolist() == [7, 11]
    assert blocks.direction.tolist() == [-1, 1]
    assert (blocks.bottom.tolist(), blocks.top.tolist()) == ([103.8, 97.0], [105.5, 99.8])
    assert blocks.ref_index.tolist() == [3, 6]
    assert blocks.touched.tolist() == [10, -1]
    assert blocks.broken.tolist() == [11, -1]


def test_worked_example_wick_mode_order_block_at_bar_5_is_broken_the_next_bar():
    blocks = _blocks(worked_example(), break_on="wick")

    assert blocks.index.tolist() == [5, 6, 8]
    assert (blocks.bottom[0], blocks.top[0], blocks.known_at[0]) == (103.2, 104.7, 6)
    assert (blocks.touched[0], blocks.broken[0]) == (7, 7)


def test_active_order_blocks_exclude_broken_ones():
    blocks = _blocks(worked_example())

    assert blocks.active_at(10).index.tolist() == [6]
    assert blocks.active_at(10).touched.tolist() == [10]
    assert blocks.active_at(11).index.tolist() == [8]


def _leg_with_down_then_up_candle():
    # H pivot at 1; leg low at bar 3 (an up candle) after the down candle 2; break at 5; then a slow break-down
    return ohlc_candles([bar(101, 99), bar(105, 102), bar(104, 101, up=False), bar(103, 100), bar(104.5, 101),
                         (104.5, 105.8, 104, 105.5), (101, 101.2, 99.5, 100.5), (99.9, 100.4, 99.7, 100.2),
                         (100.2, 100.3, 99.3, 99.5)])


def test_extreme_candle_is_the_lowest_low_of_the_leg():
    blocks = _blocks(_leg_with_down_then_up_candle())

    assert (blocks.index[0], blocks.known_at[0], blocks.bottom[0], blocks.top[0]) == (3, 5, 100.0, 103.0)


def test_last_opposite_candle_is_the_last_down_close_before_the_low():
    blocks = _blocks(_leg_with_down_then_up_candle(), ob_candle="last_opposite")

    assert (blocks.index[0], blocks.bottom[0], blocks.top[0]) == (2, 101.0, 104.0)


def test_last_opposite_falls_back_to_the_extreme_when_the_leg_has_no_opposite_candle():
    candles = ohlc_candles([bar(101, 99, up=False), bar(105, 102), bar(103, 100), bar(104.5, 101),
                            (104.5, 105.8, 104, 105.5)])

    blocks = _blocks(candles, ob_candle="last_opposite")

    assert blocks.index.tolist() == [2]


def test_body_to_wick_zone_runs_from_the_low_to_the_body_top():
    blocks = _blocks(_leg_with_down_then_up_candle(), zone="body_to_wick")

    assert (blocks.bottom[0], blocks.top[0]) == (100.0, 102.25)


def test_break_mode_decides_the_bar_that_breaks_the_block():
    broken = {mode: int(_blocks(_leg_with_down_then_up_candle(), ob_break_on=mode).broken[0])
              for mode in ("wick", "body", "close")}

    assert broken == {"wick": 6, "body": 7, "close": 8}


def test_expired_order_block_records_no_later_state():
    blocks = _blocks(_leg_with_down_then_up_candle(), ob_max_age=2)

    assert (blocks.expires[0], blocks.touched[0], blocks.broken[0]) == (7, 6, -1)
    assert blocks.active_at(8).index.tolist() == []
