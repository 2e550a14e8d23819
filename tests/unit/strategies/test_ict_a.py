from decimal import Decimal

from hypothesis import given, settings, strategies as st

from tests.fakes.ict_candles import WORKED_EXAMPLE
from tests.fakes.market_views import bars, scans_cut_at
from trading.domain.candles import Timeframe
from trading.domain.positions import PositionSide
from trading.indicators.ict import ICTParams
from trading.strategies.base import MarketView
from trading.strategies.ict_a import StructureZoneStrategy
from trading.strategies.market_analysis import MarketAnalysis

M1, M15, H1 = Timeframe.M1, Timeframe.M15, Timeframe.H1
SMALL = {tf: ICTParams(left=1, right=1) for tf in (M1, M15, H1)}
# 15m from 14:00: bullish FVG index 1 [101, 102] known at bar 2 (14:45), swing high 108 known at 4 (BSL)
ZONE = [
    (100.0, 101.0, 99.0, 100.5),
    (100.5, 103.0, 100.0, 102.8),
    (102.8, 104.0, 102.0, 103.5),
    (103.5, 108.0, 103.0, 107.5),
    (107.5, 107.8, 104.0, 104.5),
]
# 1m from 15:15: swing high 103.5 (bar 1), pullback to 101.6 inside the gap (bar 3), close 103.7 above 103.5
TRIGGER = [
    (103.0, 103.2, 102.6, 102.8),
    (102.8, 103.5, 102.7, 103.4),
    (103.4, 103.45, 102.0, 102.2),
    (102.2, 102.4, 101.6, 101.9),
    (101.9, 102.9, 101.8, 102.8),
    (102.8, 103.8, 102.7, 103.7),
]
# the same break, but the pullback bottoms at 102.1, above the gap
NO_TAP = TRIGGER[:2] + [(103.4, 103.45, 102.3, 102.5), (102.5, 102.6, 102.1, 102.3),
                        (102.3, 102.9, 102.2, 102.8), TRIGGER[5]]


def scan(minutes, hourly_rows=WORKED_EXAMPLE, hourly_start_ms=0):
    # worked example on 1h: bullish structure break at its bar 11, the 1h trend is up once it closes
    view = MarketView("BTC/USDT", {M1: bars(M1, minutes, 15 * H1.ms + 15 * M1.ms),
                                   M15: bars(M15, ZONE, 14 * H1.ms),
                                   H1: bars(H1, hourly_rows, hourly_start_ms)})
    return StructureZoneStrategy().scan_analysis(MarketAnalysis(view, SMALL))


def test_1m_break_out_of_a_15m_fvg_in_a_1h_uptrend_goes_long_at_the_break_close():
    signals = scan(TRIGGER)
    # entry 103.7; stop 101 * 0.998 = 100.798; target the 15m swing high 108 (1.48R)
    assert [(s.side, s.entry, s.stop, s.take_profit) for s in signals] == [
        (PositionSide.LONG, Decimal("103.7"), Decimal("100.798"), Decimal("108.0"))]
    s = signals[0]
    assert s.known_at_ms == 15 * H1.ms + 21 * M1.ms
    assert (s.timeframe, s.setup_id) == ("1m", f"A:BTC/USDT:15m:long:fvg:{14 * H1.ms + M15.ms}")
    assert s.reason == "1h structure up, 1m break up from inside the 15m bullish FVG 101-102; target liquidity at 108"


def test_a_1m_break_whose_pullback_never_reached_the_zone_is_no_trigger():
    assert scan(NO_TAP) == []


def test_a_zone_formed_before_the_1h_break_was_visible_is_ignored():
    # 1h bars from 03:00: the break bar 11 closes at 15:00, after the FVG became known at 14:45
    assert scan(TRIGGER, WORKED_EXAMPLE[:12], hourly_start_ms=3 * H1.ms) == []
    assert len(scan(TRIGGER, WORKED_EXAMPLE[:12], hourly_start_ms=2 * H1.ms)) == 1  # break closes at 14:00


def test_no_trigger_against_the_1h_direction():
    # the 1h worked example up to bar 10 ends in a bearish trend (break at bar 7)
    assert scan(TRIGGER, WORKED_EXAMPLE[:11]) == []


@settings(max_examples=8, deadline=None)
@given(cut_minutes=st.integers(min_value=60, max_value=10 * 1440))
def test_a_scan_of_a_prefix_returns_exactly_the_full_scans_signals_known_by_then(cut_minutes):
    prefix, expected = scans_cut_at(StructureZoneStrategy(), cut_minutes, days=10)
    assert prefix == expected
