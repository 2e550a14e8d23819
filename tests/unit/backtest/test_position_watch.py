"""The walk's jump to the next event bar never skips a bar on which the stop rules would have acted."""
from dataclasses import replace
from decimal import Decimal

import pytest

from tests.fakes.shared_data import load_candles
from trading.backtest.config import NO_PROTECTION
from trading.backtest.position_watch import first_event, triggers
from trading.domain.positions import PositionSide
from trading.engine.simulator import PriceBar
from trading.risk.protective_stops import ProtectionSettings, StopState, evaluate_stops


def quiet(before: StopState, after: StopState, instructions: tuple) -> bool:
    """Return True when a bar left the stops as they were (a best price below trail activation does not count)."""
    if instructions:
        return False
    if before.trailing_stop is None and after.trailing_stop is None:
        after = replace(after, best_price=before.best_price)
    return after == before


def opened(side: PositionSide, entry: float, leverage: int = 1) -> StopState:
    price = Decimal(repr(entry))
    sign = side.sign
    stop, target = price * (1 - sign * Decimal("0.006")), price * (1 + sign * Decimal("0.015"))
    return StopState(side, price, abs(price - stop), price, leverage, stop, target)


@pytest.mark.parametrize("side", [PositionSide.LONG, PositionSide.SHORT])
@pytest.mark.parametrize("settings", [ProtectionSettings(),
                                      ProtectionSettings(partial_take_profit_r=None, break_even_r=None,
                                                         take_profit_zone_pct=Decimal("1"))])
def test_no_bar_before_the_next_event_changes_the_stops(side, settings):
    candles = load_candles("BTCUSDT-1m.csv.gz")[:20_000]
    checked = 0
    for start in range(100, 19_000, 1_500):
        state, cursor, stop = opened(side, float(candles.close[start - 1]), leverage=5), start, start + 800
        while cursor < stop:
            event = first_event(candles, cursor, stop, triggers(state, settings))
            limit = stop if event is None else event
            for k in range(cursor, limit):
                after, out = evaluate_stops(state, PriceBar.from_candle(candles.at(k)), settings)
                assert quiet(state, after, out), f"bar {k} acted but the walk skipped it"
                checked += 1
            if event is None:
                break
            state, out = evaluate_stops(state, PriceBar.from_candle(candles.at(event)), settings)
            if any(i.action == "close" for i in out):
                break
            cursor = event + 1
    assert checked > 1_000


@pytest.mark.parametrize("side", [PositionSide.LONG, PositionSide.SHORT])
def test_a_position_with_nothing_to_guard_has_no_event_and_any_one_guard_gives_it_one(side):
    bare = StopState(side, Decimal(100), Decimal(0), Decimal(100))
    assert triggers(bare, NO_PROTECTION).quiet
    assert first_event(load_candles("BTCUSDT-1m.csv.gz"), 0, 5_000, triggers(bare, NO_PROTECTION)) is None
    guards = [(replace(bare, stop=Decimal(100 - 5 * side.sign)), NO_PROTECTION),
              (replace(bare, take_profit=Decimal(100 + 5 * side.sign)), NO_PROTECTION),
              (replace(bare, trailing_stop=Decimal(100 - 5 * side.sign)), NO_PROTECTION)]
    guards += [(bare, replace(NO_PROTECTION, **{name: Decimal(2)})) for name in (
        "hard_stop_pct", "soft_stop_pct", "take_profit_zone_pct", "trailing_activation_pct")]
    for state, settings in guards:
        assert not triggers(state, settings).quiet, (state, settings)
