"""Where the account limits can next change between two event bars: hand-computed stretches."""
from datetime import datetime, timezone
from decimal import Decimal

import numpy as np

from trading.backtest.limit_watch import LimitStops, day_end_ms, limit_stops
from trading.risk.limits import LimitSettings, RiskState, local_day, next_local_midnight_ms

MINUTE = 60_000
DAY = "2025-06-15"
MIDNIGHT = int(datetime(2025, 6, 16, tzinfo=timezone.utc).timestamp() * 1000)
LIMITS = LimitSettings(daily_loss_pct=Decimal(1), max_drawdown_pct=Decimal(5))


def risk(peak: str = "10000", start: str = "10000", **more: object) -> RiskState:
    return RiskState(day=DAY, day_start_equity=Decimal(start), equity=Decimal(start), peak_equity=Decimal(peak),
                     **more)


def stretch(closes: list[float], first_open_ms: int = MIDNIGHT - 600 * MINUTE) -> tuple[np.ndarray, np.ndarray]:
    return np.array(closes), first_open_ms + MINUTE * np.arange(len(closes), dtype=np.int64)


def test_a_long_marks_its_best_close_then_the_first_close_past_the_drawdown_limit():
    # equity 100 x close, the peak 10,400 at bar 1; the daily limit already hit today
    closes, opens = stretch([100, 104, 101, 99.5, 98.7, 95])
    found = limit_stops(closes, opens, MINUTE, 0.0, 100.0, risk(daily_limit_day=DAY), LIMITS)
    # 5% below 10,400 is 9,880: bar 4 (9,870) is the first at or past it
    assert found == LimitStops(peak=1, bar=4)


def test_a_daily_loss_reached_exactly_is_a_bar_to_mark():
    closes, opens = stretch([100, 99.5, 99, 98])                # 1% of 10,000 lost at 9,900: bar 2
    found = limit_stops(closes, opens, MINUTE, 0.0, 100.0, risk(peak="10400"), LIMITS)
    assert found == LimitStops(peak=None, bar=2)                # 10,000 never tops the 10,400 peak (5% below it: 9,880)


def test_a_short_gains_as_price_falls_and_its_drawdown_counts_from_its_lowest_close():
    # equity 20,000 - 100 x close: 10,000 10,200 10,100 9,700
    closes, opens = stretch([100, 98, 99, 103])
    found = limit_stops(closes, opens, MINUTE, 20_000.0, -100.0, risk(daily_limit_day=DAY),
                        LimitSettings(max_drawdown_pct=Decimal(2)))
    assert found == LimitStops(peak=1, bar=3)                   # 2% below 10,200 is 9,996


def test_the_first_close_of_a_new_local_day_is_a_bar_to_mark_and_limits_already_hit_are_not():
    closes, opens = stretch([100, 90, 101, 80], MIDNIGHT - 3 * MINUTE)   # bar 2 closes at midnight
    halted = risk(halted=True, daily_limit_day=DAY)
    assert limit_stops(closes, opens, MINUTE, 0.0, 100.0, halted, LIMITS) == LimitStops(peak=0, bar=2)
    assert limit_stops(closes[:2], opens[:2], MINUTE, 0.0, 100.0, halted, LIMITS) == LimitStops(peak=0, bar=None)


def test_a_stretch_starting_on_a_new_day_marks_its_first_bar_at_once():
    closes, opens = stretch([100, 101], MIDNIGHT)
    assert limit_stops(closes, opens, MINUTE, 0.0, 100.0, risk(), LIMITS) == LimitStops(peak=None, bar=0)


def test_a_quiet_stretch_below_the_peak_needs_no_mark():
    closes, opens = stretch([99.8, 99.5, 99.7])
    assert limit_stops(closes, opens, MINUTE, 0.0, 100.0, risk(), LIMITS) == LimitStops(peak=None, bar=None)


def test_the_day_ends_at_the_local_midnight_also_across_a_daylight_saving_change():
    assert day_end_ms(DAY, "UTC") == MIDNIGHT
    for day in ["2025-03-08", "2025-03-09", "2025-11-01", "2025-11-02"]:
        noon = int(datetime.fromisoformat(f"{day}T17:00:00+00:00").timestamp() * 1000)
        assert local_day(noon, "America/New_York") == day
        assert day_end_ms(day, "America/New_York") == next_local_midnight_ms(noon, "America/New_York")
    assert day_end_ms("2025-03-09", "America/New_York") - day_end_ms("2025-03-08", "America/New_York") \
        == 23 * 3_600_000
