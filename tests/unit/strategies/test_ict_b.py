from decimal import Decimal

import numpy as np
from hypothesis import given, settings, strategies as st

from tests.fakes.ict_candles import WORKED_EXAMPLE
from tests.fakes.market_views import bars, real_btc_view, scans_cut_at
from trading.domain.candles import Timeframe
from trading.domain.positions import PositionSide
from trading.indicators.ict import ICTParams
from trading.strategies.base import MarketView
from trading.strategies.ict_b import SweepEntryParams, SweepReversalStrategy
from trading.strategies.market_analysis import MarketAnalysis

M15 = Timeframe.M15
WORKED = {M15: ICTParams(left=1, right=1)}
# three bars before the worked example leave a swing low at 95.0 that nothing takes: sell-side liquidity
WITH_LOW_BELOW = [(96.0, 97.0, 95.5, 96.5), (96.5, 96.8, 95.0, 96.0), (96.0, 99.0, 95.8, 98.8)] + WORKED_EXAMPLE


def scan(rows, params=SweepEntryParams()):
    view = MarketView("BTC/USDT", {M15: bars(M15, rows)})
    return SweepReversalStrategy(params).scan_analysis(MarketAnalysis(view, WORKED))


def test_worked_example_sweep_and_bearish_fvg_have_no_target_so_no_signal():
    # ict.md 9: sweep at 6, bearish FVG index 7 known 8 -> short at 97.5, stop 104.0076, but no SSL at bar 8
    assert scan(WORKED_EXAMPLE) == []


def test_sweep_then_bearish_fvg_shorts_at_its_close_with_the_stop_above_the_gap_and_the_low_as_target():
    signals = scan(WITH_LOW_BELOW)
    assert len(signals) == 1
    s = signals[0]
    # bars shift by 3: the FVG's third candle is bar 11, closing at 12 * 15m
    assert (s.side, s.entry, s.stop, s.take_profit) == (PositionSide.SHORT, Decimal("97.5"), Decimal("104.0076"),
                                                         Decimal("95.0"))
    assert s.known_at_ms == 12 * M15.ms
    assert s.setup_id == f"B:BTC/USDT:15m:short:fvg:{10 * M15.ms}"
    assert s.reason.startswith("15m sweep of buy-side liquidity (equal highs at 105)")


def test_an_fvg_later_than_max_wait_bars_after_the_sweep_is_not_an_entry():
    # sweep known at bar 9 (shifted 6), FVG known at 11: two bars later
    assert scan(WITH_LOW_BELOW, SweepEntryParams(max_wait=1)) == []
    assert len(scan(WITH_LOW_BELOW, SweepEntryParams(max_wait=2))) == 1


def test_stop_buffer_comes_from_the_view_params():
    view = MarketView("BTC/USDT", {M15: bars(M15, WITH_LOW_BELOW)}, {"stop_buffer": 0.001})
    [s] = SweepReversalStrategy().scan_analysis(MarketAnalysis(view, WORKED))
    assert s.stop == Decimal("103.9038")


@settings(max_examples=8, deadline=None)
@given(cut_minutes=st.integers(min_value=60, max_value=10 * 1440))
def test_b_scan_of_a_prefix_returns_exactly_the_full_scans_signals_known_by_then(cut_minutes):
    prefix, expected = scans_cut_at(SweepReversalStrategy(), cut_minutes, days=10)
    assert prefix == expected


def test_b_drops_a_setup_whose_sweep_failed_before_the_gap_on_real_candles():
    # 2025-05-23: the 11:30 15m bar swept the swing low at 110,273 (low 110,212) and closed back above at 110,380,
    # but the 11:45 bar closed at 109,076, back below the level: the sweep failed and price fell to 107,316.
    # The bullish FVG known at 13:45 came after that failure; B used to buy it at 109,055.92.
    view = real_btc_view(days=6)
    found = SweepReversalStrategy().scan(view)
    on_the_day = [s for s in found if str(np.datetime64(s.known_at_ms, "ms")).startswith("2025-05-23T1")]

    assert not [s for s in on_the_day if "110273" in s.reason]
    # the long of 2025-05-25 12:30, whose sweep of 106,800 held until its gap, is still taken
    assert any("106800" in s.reason and s.side is PositionSide.LONG for s in found)


def with_two_bars_after_the_sweep(first_close: float) -> list:
    """Return WITH_LOW_BELOW with two bars between the sweep of the highs at 105 (bar 9) and the bearish FVG."""
    return WITH_LOW_BELOW[:10] + [(104.0, 105.4, 103.9, first_close), (first_close, 105.3, 103.8, 104.0)] + \
        WITH_LOW_BELOW[10:]


def test_a_close_back_beyond_the_swept_level_between_sweep_and_gap_drops_the_setup():
    # bar 10 closes at 105.2, above the swept highs at 105: the sweep failed, so the FVG after it is no entry;
    # closing at 104.9 instead, the sweep holds and the short is taken as before
    held, failed = scan(with_two_bars_after_the_sweep(104.9)), scan(with_two_bars_after_the_sweep(105.2))

    assert [(s.side, s.entry) for s in held] == [(PositionSide.SHORT, Decimal("97.5"))]
    assert [s for s in failed if s.side is PositionSide.SHORT] == []
