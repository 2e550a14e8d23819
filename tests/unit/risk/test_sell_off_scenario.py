"""The rules on a real sell-off: BTC/USDT 1m, 2025-08-14 12:29-13:10 UTC, the largest 30-minute drop
in BTCUSDT-1m.csv.gz (high 121,183.06 at 12:29 to low 117,632.00 at 12:35, -2.93%).

A position is entered at the close of the 12:29 bar, 121,143.67. The bars that matter (open time UTC):

    12:30  o 121143.68  h 121143.68  l 120353.71  c 120410.52
    12:31  o 120410.52  h 120441.74  l 120310.69  c 120367.34
    12:32  o 120367.34  h 120444.38  l 120321.39  c 120325.00
    12:33  o 120325.00  h 120337.61  l 119900.00  c 119900.00
    12:34  o 119900.01  h 119929.82  l 118500.00  c 118715.99
    12:35  o 118715.99  h 118823.52  l 117632.00  c 118592.00
    12:36  o 118592.01  h 119158.06  l 118566.09  c 119092.66
"""
from __future__ import annotations

from decimal import Decimal as D

import numpy as np

from tests.fakes.shared_data import load_candles
from trading.domain.candles import MINUTE_MS, Candles
from trading.domain.positions import Position, PositionSide
from trading.engine.simulator import PriceBar
from trading.risk.circuit_breaker import BreakerChange, BreakerSettings, BreakerState, observe_price
from trading.risk.protective_stops import (ExitAction, ExitReason, ProtectionSettings, evaluate_stops,
                                           hard_stop_price, open_stops)
from trading.risk.verdicts import RiskRule

ENTRY_BAR_OPEN_MS = 1_755_174_540_000          # 2025-08-14 12:29 UTC
ENTRY = D("121143.67")


def sell_off(minutes: int) -> Candles:
    """Return the `minutes` one-minute bars after the entry bar."""
    candles = load_candles("BTCUSDT-1m.csv.gz")
    start = int(np.searchsorted(candles.open_ms, ENTRY_BAR_OPEN_MS)) + 1
    assert candles.at(start - 1).close == float(ENTRY)
    return candles[start:start + minutes]


def bars(candles: Candles) -> list[tuple[str, int, PriceBar]]:
    """Return each bar with its UTC open time as hh:mm and its close time in ms."""
    rows = []
    for i in range(len(candles)):
        open_ms = int(candles.open_ms[i])
        minutes = open_ms // MINUTE_MS % (24 * 60)
        label = f"{minutes // 60:02d}:{minutes % 60:02d}"
        rows.append((label, open_ms + MINUTE_MS, PriceBar.from_candle(candles.at(i))))
    return rows


def walk(side: PositionSide, leverage: int, settings: ProtectionSettings, minutes: int):
    state = open_stops(Position("BTC/USDT:USDT", side, D("0.1"), ENTRY, 0, leverage), settings)
    seen = []
    for minute, _, price_bar in bars(sell_off(minutes)):
        state, exits = evaluate_stops(state, price_bar, settings)
        seen.extend((minute, e) for e in exits)
        if any(e.action is ExitAction.CLOSE for e in exits):
            break
    return seen


def test_hard_stop_exits_a_5x_long_on_the_first_bar_past_it():
    # -10% on the position at 5x = -2% price: 121143.67 x 0.98 = 118720.7966.
    # Lows 120353.71, 120310.69, 120321.39, 119900.00 stay above it; 12:34 reaches 118500.00 after
    # opening at 119900.01, above the level, so the exit is at the level itself.
    # Before that, the 12:33 close 119900.00 is (119900 - 121143.67) / 121143.67 = -1.0266% x 5 = -5.13%:
    # the soft-stop zone, where the decision maker is asked once.
    settings = ProtectionSettings()
    position = open_stops(Position("BTC/USDT:USDT", PositionSide.LONG, D("0.1"), ENTRY, 0, 5), settings)
    assert hard_stop_price(position, settings) == D("118720.7966")
    seen = walk(PositionSide.LONG, 5, settings, minutes=30)
    assert [(minute, e.action, e.reason) for minute, e in seen] == [
        ("12:33", ExitAction.ASK, ExitReason.SOFT_STOP_ZONE),
        ("12:34", ExitAction.CLOSE, ExitReason.HARD_STOP)]
    assert seen[-1][1].price == D("118720.7966")


def test_trailing_stop_of_a_short_follows_the_sell_off_and_exits_at_the_callback():
    # activation 1%: 121143.67 x 0.99 = 119932.2333; callback 1% above the lowest low.
    # 12:33 low 119900.00 arms it: trail 119900.00 x 1.01 = 121099.00
    # 12:34 high 119929.82 < 121099.00; low 118500.00 -> trail 119685.00
    # 12:35 high 118823.52 < 119685.00; low 117632.00 -> trail 118808.32
    # 12:36 opens 118592.01 below the trail, high 119158.06 crosses it: exit at 118808.32
    settings = ProtectionSettings(hard_stop_pct=D(50), take_profit_zone_pct=None,
                                  trailing_activation_pct=D(1), trailing_activation_r=None, trailing_callback_pct=D(1),
                                  partial_take_profit_r=None, break_even_r=None)
    seen = walk(PositionSide.SHORT, 1, settings, minutes=30)
    assert [(minute, e.reason, e.price) for minute, e in seen] == [
        ("12:36", ExitReason.TRAILING_STOP, D("118808.32"))]


def test_circuit_breaker_trips_on_the_sell_off_and_resumes_after_a_calm_half_hour():
    # 1.5% within 15 min on closes (bars named by open time, observed at their close a minute later).
    # The 12:29 close 121143.67 is the window's high until 12:45.
    # 12:33 close 119900.00: -1.03%, calm. 12:34 close 118715.99: -2.0040% -> tripped at 12:35.
    # Still beyond 1.5% (pause extended, no new notice): 12:35 -2.11%, 12:36 -1.69%, 12:37 -1.57%,
    # 12:38 -1.53%, 12:39 close 119004.75 -1.77%; 12:40 close 119414.62 is -1.43%, and later closes
    # move less. Last trigger at the 12:39 bar's close, 12:40, + 30 min = 13:10: resumed at the close
    # of the 13:09 bar. At 13:00 entries are still blocked.
    settings = BreakerSettings(move_pct=D("1.5"), move_window_ms=15 * MINUTE_MS, cooldown_ms=30 * MINUTE_MS)
    state = BreakerState()
    state, _ = observe_price(state, "BTC/USDT", ENTRY_BAR_OPEN_MS + MINUTE_MS, ENTRY, settings)
    changes, blocked_at_13_00 = [], None
    for minute, close_ms, price_bar in bars(sell_off(60)):
        state, found = observe_price(state, "BTC/USDT", close_ms, price_bar.close, settings)
        changes.extend((minute, c) for c in found)
        if minute == "12:59":
            blocked_at_13_00 = state.vet_entry(close_ms)
    assert [(minute, c.change) for minute, c in changes] == [
        ("12:34", BreakerChange.TRIPPED), ("13:09", BreakerChange.RESUMED)]
    assert "fell 2.00% within 15 min (121,143.67 -> 118,715.99)" in changes[0][1].reason
    assert blocked_at_13_00 is not None and blocked_at_13_00.rule is RiskRule.CIRCUIT_BREAKER
