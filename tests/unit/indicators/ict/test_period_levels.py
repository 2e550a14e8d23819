"""Previous-day and previous-week highs and lows as liquidity levels (ict.md 7, period levels)."""
from trading.domain.candles import Candles
from trading.indicators.ict import ICTParams, compute_ict
from trading.indicators.ict.period_levels import Period, period_levels
from trading.indicators.ict.price_crossings import PriceSearch

MONDAY_MS = 1_700_438_400_000  # 2023-11-20 00:00 UTC, a Monday
HOUR_MS = 3_600_000


def _hourly(bars: int, changes: dict[int, tuple[float, float, float, float]], start_ms: int = MONDAY_MS) -> Candles:
    rows = [(start_ms + i * HOUR_MS, *changes.get(i, (100.5, 101.0, 100.0, 100.5)), 1.0) for i in range(bars)]
    return Candles.from_rows(rows)


def test_previous_day_high_and_low_are_known_from_the_first_bar_of_the_next_day():
    candles = _hourly(30, {5: (101, 110, 100, 105), 7: (105, 110, 100, 104), 10: (100, 101, 90, 95)})

    levels = period_levels(PriceSearch(candles), candles, Period.DAY)

    assert levels.index.tolist() == [5, 10]
    assert levels.known_at.tolist() == [24, 24]
    assert levels.direction.tolist() == [1, -1]
    assert levels.level.tolist() == [110.0, 90.0]
    assert levels.period_ms.tolist() == [MONDAY_MS, MONDAY_MS]


def test_previous_day_high_taken_with_a_close_back_below_is_swept():
    candles = _hourly(30, {5: (101, 110, 100, 105), 26: (101, 111, 100, 109)})

    levels = period_levels(PriceSearch(candles), candles, Period.DAY)

    assert (levels.taken[0], levels.swept[0]) == (26, 26)
    assert (levels.taken[1], levels.swept[1]) == (-1, -1)


def test_partial_first_day_and_unfinished_last_day_make_no_level():
    candles = _hourly(40, {}, start_ms=MONDAY_MS + 3 * HOUR_MS)

    levels = period_levels(PriceSearch(candles), candles, Period.DAY)

    assert len(levels) == 0


def test_previous_week_levels_start_on_monday():
    candles = _hourly(7 * 24 + 2, {30: (101, 120, 100, 105)})

    levels = period_levels(PriceSearch(candles), candles, Period.WEEK)

    assert levels.known_at.tolist() == [168, 168]
    assert levels.level.tolist() == [120.0, 100.0]
    assert levels.period.tolist() == ["week", "week"]


def test_take_profit_targets_include_the_previous_day_levels():
    candles = _hourly(30, {5: (101, 110, 100, 105), 10: (100, 101, 90, 95)})

    liquidity = compute_ict(candles, ICTParams(left=30, right=30)).liquidity  # too few bars for swings

    assert liquidity.nearest_above(23, 101.5) is None
    assert liquidity.nearest_above(24, 101.5) == 110.0
    assert liquidity.nearest_below(24, 99.0) == 90.0
