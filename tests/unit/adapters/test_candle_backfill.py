"""Closed-candle boundaries and what a backfill must download around a cache."""
from __future__ import annotations

from trading.adapters.candle_backfill import between, last_closed_open_ms, merged, missing_ranges
from trading.domain.candles import Candles, Timeframe

H = 3_600_000
M1, H1 = Timeframe.M1, Timeframe.H1


def hours(*opens: int, close: float = 1.0) -> Candles:
    """Return 1h candles opening at the given hours, all prices equal to close."""
    return Candles.from_rows([(o * H, close, close, close, close, 1.0) for o in opens])


def test_newest_closed_candle_is_the_one_before_the_forming_one() -> None:
    assert last_closed_open_ms(10 * H + 1, H1) == 9 * H


def test_a_candle_is_closed_exactly_at_its_close_time() -> None:
    assert last_closed_open_ms(10 * H, H1) == 9 * H


def test_grace_period_delays_the_close() -> None:
    assert last_closed_open_ms(10 * H + 500, H1, grace_ms=1_000) == 8 * H


def test_between_keeps_both_ends() -> None:
    assert between(hours(1, 2, 3, 4), 2 * H, 3 * H).open_ms.tolist() == [2 * H, 3 * H]


def test_empty_cache_needs_the_whole_range() -> None:
    assert missing_ranges(Candles.empty(), 0, 9 * H, H1) == [(0, 9 * H)]


def test_cache_in_the_middle_needs_head_and_tail() -> None:
    assert missing_ranges(hours(3, 4, 5), 0, 9 * H, H1) == [(0, 2 * H), (6 * H, 9 * H)]


def test_full_cache_needs_nothing_even_with_an_outage_hole_inside() -> None:
    assert missing_ranges(hours(0, 1, 4, 5), 0, 5 * H, H1) == []


def test_empty_range_needs_nothing() -> None:
    assert missing_ranges(Candles.empty(), 5 * H, 4 * H, H1) == []


def test_merged_orders_parts_and_later_parts_replace_overlaps() -> None:
    result = merged([hours(4, 5, close=2.0), hours(1, 2, close=1.0), hours(2, 3, close=3.0)])

    assert result.open_ms.tolist() == [1 * H, 2 * H, 3 * H, 4 * H, 5 * H]
    assert result.close.tolist() == [1.0, 3.0, 3.0, 2.0, 2.0]


def test_merged_of_nothing_is_empty() -> None:
    assert len(merged([Candles.empty(), Candles.empty()])) == 0


def test_streamed_final_candles_extend_what_may_be_emitted_while_they_follow_on() -> None:
    from trading.adapters.candle_backfill import streamed_through

    assert streamed_through(hours(5, 6, 7, 9), 4 * H, H1) == 7 * H       # 8 is missing: 9 must wait
    assert streamed_through(hours(6, 7), 4 * H, H1) == 4 * H             # nothing follows the due candle
    assert streamed_through(Candles.empty(), 4 * H, H1) == 4 * H


def test_hole_span_covers_every_missing_candle_and_nothing_when_complete() -> None:
    from trading.adapters.candle_backfill import hole_span

    assert hole_span(hours(1, 2, 3, 4), 1 * H, 4 * H, H1) is None
    assert hole_span(hours(1, 3, 4), 1 * H, 4 * H, H1) == (2 * H, 2 * H)
    assert hole_span(hours(2, 4), 1 * H, 5 * H, H1) == (1 * H, 5 * H)
    assert hole_span(Candles.empty(), 3 * H, 3 * H, H1) == (3 * H, 3 * H)
    assert hole_span(hours(1), 5 * H, 4 * H, H1) is None
