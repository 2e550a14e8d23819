from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings, strategies as st

from tests.fakes.market_views import bars, scans_cut_at
from trading.domain.candles import Timeframe
from trading.domain.positions import PositionSide
from trading.strategies.base import MarketView
from trading.strategies.trend import TrendParams, TrendStrategy

D = Timeframe.D1.ms
M15 = Timeframe.M15.ms
# small periods so the arithmetic fits in a comment: EMA 2/3, RSI 2, ATR 2, regime EMA 2, stop 1 ATR, 2R target
SMALL = TrendParams(fast=2, slow=3, rsi_period=2, rsi_long_max=80, rsi_short_min=20, atr_period=2,
                    atr_stop=1.0, reward_risk=2.0, regime_period=2)
# every bar spans 9..13, so every true range (and the ATR) is 4
CROSS_UP = [(c, 13.0, 9.0, c) for c in (10.0, 12.0, 10.0, 10.0, 11.0)]
CROSS_DOWN = [(c, 13.0, 9.0, c) for c in (12.0, 10.0, 12.0, 12.0, 11.0)]


def view(rows, daily_closes) -> MarketView:
    daily = bars(Timeframe.D1, [(c, c, c, c) for c in daily_closes])
    return MarketView("BTC/USDT", {Timeframe.M15: bars(Timeframe.M15, rows, start_ms=len(daily_closes) * D),
                                   Timeframe.D1: daily})


def test_trend_goes_long_on_an_ema_cross_up_in_a_bull_regime_with_an_atr_stop_and_2r_target():
    # EMA2: 11, 10.333, 10.111, 10.704; EMA3: 10.667, 10.333, 10.667 -> fast crosses above at bar 4
    # RSI2 at bar 4: gains .75, losses .25 -> 75 (< 80); daily EMA2 of 100, 110 is 105 < 110: bull
    signals = TrendStrategy(Timeframe.M15, SMALL).scan(view(CROSS_UP, [100, 110]))
    assert len(signals) == 1
    s = signals[0]
    assert (s.side, s.entry, s.stop, s.take_profit) == (PositionSide.LONG, Decimal("11.0"), Decimal("7.0"),
                                                         Decimal("19.0"))
    assert s.known_at_ms == 2 * D + 5 * M15
    assert s.setup_id == f"trend:BTC/USDT:15m:long:{2 * D + 4 * M15}"
    assert "EMA2 crossed above EMA3 on 15m in a bull regime" in s.reason


def test_trend_goes_short_on_an_ema_cross_down_in_a_bear_regime():
    # mirror image: EMA2 crosses below EMA3 at bar 4 with RSI 25; daily 110, 100 is bear
    signals = TrendStrategy(Timeframe.M15, SMALL).scan(view(CROSS_DOWN, [110, 100]))
    assert [(s.side, s.entry, s.stop, s.take_profit) for s in signals] == [
        (PositionSide.SHORT, Decimal("11.0"), Decimal("15.0"), Decimal("3.0"))]


def test_trend_ignores_a_cross_against_the_regime_or_before_the_regime_is_known():
    strategy = TrendStrategy(Timeframe.M15, SMALL)
    assert strategy.scan(view(CROSS_UP, [110, 100])) == []
    assert strategy.scan(view(CROSS_UP, [110])) == []


def test_trend_skips_a_long_when_rsi_is_overextended():
    strict = replace(SMALL, rsi_long_max=70)
    assert TrendStrategy(Timeframe.M15, strict).scan(view(CROSS_UP, [100, 110])) == []


@settings(max_examples=8, deadline=None)
@given(cut_minutes=st.integers(min_value=60, max_value=30 * 1440))
def test_trend_scan_of_a_prefix_returns_exactly_the_full_scans_signals_known_by_then(cut_minutes):
    prefix, expected = scans_cut_at(TrendStrategy(), cut_minutes, days=30)
    assert prefix == expected
