from decimal import Decimal

from tests.fakes.ema_cross_oracle import ema_cross
from tests.fakes.shared_data import load_candles
from tests.unit.backtest.test_ema_cross_oracle import hand_built
from trading.domain.candles import Timeframe
from trading.domain.positions import PositionSide
from trading.domain.signals import SignalAction
from trading.strategies.base import MarketView
from trading.strategies.ema_cross import EmaCrossParams, EmaCrossStrategy

MINUTE = 60_000


def test_hand_built_series_enters_on_crosses_above_and_exits_on_the_cross_back_below():
    # see test_ema_cross_oracle: bar 4 crosses above, bar 6 below, bar 8 above; bar 2's cross below comes
    # before any entry, so it exits nothing and is not a signal
    strategy = EmaCrossStrategy(params=EmaCrossParams(fast=1, slow=3))

    signals = strategy.scan(MarketView("BTC/USDT", {Timeframe.M1: hand_built()}))

    assert [(s.action, s.known_at_ms, s.entry) for s in signals] == [
        (SignalAction.ENTER, 5 * MINUTE, Decimal(11)), (SignalAction.EXIT, 7 * MINUTE, Decimal(10)),
        (SignalAction.ENTER, 9 * MINUTE, Decimal(11))]
    assert all(s.side is PositionSide.LONG and s.stop is None and s.take_profit is None for s in signals)
    assert signals[0].reason == "EMA1 crossed above EMA3 on 1m"
    assert signals[1].exits and signals[1].setup_id == "ema_cross:BTC/USDT:1m:exit:360000"


def test_its_crosses_are_the_oracles_on_the_real_file():
    candles = load_candles("BTCUSDT-1m.csv.gz")
    oracle = ema_cross(candles)

    signals = EmaCrossStrategy().scan(MarketView("BTC/USDT", {Timeframe.M1: candles}))

    entries = [s.known_at_ms for s in signals if not s.exits]
    assert entries[:oracle.trades] == (candles.open_ms[oracle.entry_index]).tolist()
    assert len(entries) - oracle.trades in (0, 1)      # an entry on the very last bar cannot fill


def test_a_prefix_scan_gives_exactly_the_signals_known_by_then():
    candles = load_candles("BTCUSDT-1m.csv.gz")[:6000]
    strategy = EmaCrossStrategy()
    full = strategy.scan(MarketView("BTC/USDT", {Timeframe.M1: candles}))

    for cut in (500, 2345, 5999):
        prefix = strategy.scan(MarketView("BTC/USDT", {Timeframe.M1: candles[:cut]}))
        known_by = int(candles.open_ms[cut - 1]) + MINUTE
        assert prefix == [s for s in full if s.known_at_ms <= known_by]
