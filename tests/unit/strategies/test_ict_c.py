from decimal import Decimal

from hypothesis import given, settings, strategies as st

from tests.fakes.ict_candles import WORKED_EXAMPLE
from tests.fakes.market_views import bars, scans_cut_at
from trading.domain.candles import Timeframe
from trading.domain.positions import PositionSide
from trading.indicators.ict import ICTParams
from trading.strategies.base import MarketView
from trading.strategies.ict_c import RetestParams, TrendRetestStrategy
from trading.strategies.market_analysis import MarketAnalysis

M15, H1 = Timeframe.M15, Timeframe.H1
SMALL = {M15: ICTParams(left=1, right=1), H1: ICTParams(left=1, right=1)}
ZONE_START = 13 * H1.ms + 30 * Timeframe.M1.ms   # 15m bar 5 closes at 15:00
# bullish FVG index 1 [101, 102] known at 2; swing high 108 known at 4 (BSL); bar 5 dips to 101.5 and
# closes at 102.5 inside the gap: a retest. Entry 102.5, stop 101 * 0.998 = 100.798, target 108 (3.2R)
RETEST = [
    (100.0, 101.0, 99.0, 100.5),
    (100.5, 103.0, 100.0, 102.8),
    (102.8, 104.0, 102.0, 103.5),
    (103.5, 108.0, 103.0, 107.5),
    (107.5, 107.8, 104.0, 104.5),
    (104.5, 104.8, 101.5, 102.5),
]


def scan(rows, hourly_start_ms: int, params: RetestParams = RetestParams()):
    # worked example on 1h: bullish structure break at its bar 11, so the 1h trend is up once bar 11 closes
    view = MarketView("BTC/USDT", {M15: bars(M15, rows, ZONE_START),
                                   H1: bars(H1, WORKED_EXAMPLE[:12], hourly_start_ms)})
    return TrendRetestStrategy(params).scan_analysis(MarketAnalysis(view, SMALL))


def test_retest_of_a_bullish_fvg_in_a_1h_uptrend_goes_long_with_a_structural_stop_and_the_high_as_target():
    signals = scan(RETEST, hourly_start_ms=3 * H1.ms)   # 1h bar 11 closes at 15:00 with 15m bar 5
    assert [(s.side, s.entry, s.stop, s.take_profit) for s in signals] == [
        (PositionSide.LONG, Decimal("102.5"), Decimal("100.798"), Decimal("108.0"))]
    s = signals[0]
    assert s.known_at_ms == 15 * H1.ms
    assert s.setup_id == f"C:BTC/USDT:15m:long:fvg:{ZONE_START + M15.ms}"
    assert s.reason == ("1h trend up, 15m retest of the bullish FVG 101-102, target 3.2R away; "
                        "target liquidity at 108")


def test_a_1h_break_is_not_used_before_its_hour_closes():
    # shifted one hour later the break closes at 16:00, after the retest: at 15:00 the 1h trend is still down
    assert scan(RETEST, hourly_start_ms=4 * H1.ms) == []


def test_without_a_sweep_a_target_under_two_r_is_not_worth_it():
    # swing high at 105.8 (bar 4, known at 5) instead of 108: 3.3 / 1.702 = 1.94R
    lower_high = RETEST[:3] + [(103.5, 105.0, 103.0, 104.9), (104.9, 105.8, 104.0, 104.5), RETEST[5]]
    assert scan(lower_high, hourly_start_ms=3 * H1.ms) == []
    [s] = scan(lower_high, hourly_start_ms=3 * H1.ms, params=RetestParams(min_reward_risk=1.9))
    assert s.take_profit == Decimal("105.8")


@settings(max_examples=8, deadline=None)
@given(cut_minutes=st.integers(min_value=60, max_value=10 * 1440))
def test_c_scan_of_a_prefix_returns_exactly_the_full_scans_signals_known_by_then(cut_minutes):
    prefix, expected = scans_cut_at(TrendRetestStrategy(), cut_minutes, days=10)
    assert prefix == expected
