"""Breaker blocks from broken order blocks: retest and invalidation (ict.md 6)."""
from tests.fakes.ict_candles import worked_example
from trading.indicators.ict import ICTParams, compute_ict


def test_worked_example_broken_bearish_block_becomes_a_bullish_breaker_retested_at_12():
    breakers = compute_ict(worked_example(), ICTParams(left=1, right=1)).breakers

    assert breakers.index.tolist() == [6]
    assert breakers.known_at.tolist() == [11]
    assert breakers.direction.tolist() == [1]
    assert (breakers.bottom[0], breakers.top[0]) == (103.8, 105.5)
    assert breakers.ob_row.tolist() == [0]
    assert breakers.retest.tolist() == [12]
    assert breakers.invalidated.tolist() == [-1]


def test_block_broken_the_bar_after_its_break_is_a_breaker_at_once_then_retested_and_invalidated():
    breakers = compute_ict(worked_example(), ICTParams(left=1, right=1, break_on="wick")).breakers

    first = breakers.take(breakers.index == 5)
    assert (first.known_at[0], first.direction[0], first.bottom[0], first.top[0]) == (7, -1, 103.2, 104.7)
    assert (first.retest[0], first.invalidated[0]) == (10, 11)


def test_breaker_is_not_known_before_the_block_breaks():
    breakers = compute_ict(worked_example(), ICTParams(left=1, right=1)).breakers

    assert len(breakers.active_at(10)) == 0
    assert breakers.active_at(11).retest.tolist() == [-1]
    assert breakers.active_at(13).retest.tolist() == [12]
