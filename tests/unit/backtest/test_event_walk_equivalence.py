"""The backtest walks from event to event; walked bar by bar it must give the very same trades and money.

The reference (tests/fakes/per_bar_walk.py) is the same simulation handing the engine every bar of an
open position. Both runs trade the same signals: a strategy's own on the real candles of ../shared/data,
and hand-made signals on random candles, with account limits that bind (a daily loss that closes the
position, a drawdown halt, on days starting at several local midnights): the reference marks the
account's equity for them at every close, as the live loop does. Trades (times, prices, amounts, fees,
results, exit reasons), rejections and breaches must be equal, and the equity curves equal to the last
float bit or so, so the event walk can never silently diverge.
"""
from dataclasses import replace
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fakes.backtest_bars import PERP, SPOT, START_MS, plain_config
from tests.fakes.per_bar_walk import PerBarSimulation, Walked, walked
from tests.fakes.shared_data import load_candles
from trading.adapters.replay_market_data import replay_instrument
from trading.backtest.config import NO_BREAKER, NO_LIMITS, BacktestConfig
from trading.backtest.history import MarketHistory, history_from_candles
from trading.backtest.runner import scan
from trading.backtest.simulation import TradeSimulation
from trading.domain.candles import Candles, Timeframe
from trading.domain.positions import PositionSide
from trading.domain.signals import Signal
from trading.engine.rules_decider import RulesSettings
from trading.risk.limits import LimitSettings
from trading.risk.protective_stops import ProtectionSettings

MINUTE = Timeframe.M1.ms
# a 1% daily loss that closes the position with a 2% drawdown halt, and a 0.5% one that only refuses new
# entries with a 1% halt: they bind within the random runs' hours
TIGHT_LIMITS = [LimitSettings(daily_loss_pct=Decimal(1), close_on_daily_loss=True, max_drawdown_pct=Decimal(2)),
                LimitSettings(daily_loss_pct=Decimal("0.5"), max_drawdown_pct=Decimal(1))]
# the random runs start between 00:00 and 08:00 UTC and last 1-7 hours: these zones' midnights fall inside
DAY_STARTS = ["UTC", "Etc/GMT+2", "America/New_York", "Etc/GMT+6"]


def assert_same_walk(fast: Walked, slow: Walked) -> None:
    """Assert two walks traded alike: every trade field, the refusals, the limits hit and the equity."""
    assert fast.trades == slow.trades
    assert fast.entered == slow.entered
    assert fast.rejections == slow.rejections
    assert fast.breaches == slow.breaches
    assert np.array_equal(fast.times_ms, slow.times_ms)
    # between fills the curve is cash plus amount x close in floats, from the last bar recorded: a walk
    # that records every bar re-derives the same line from Decimal and may round its last bit otherwise
    assert np.allclose(fast.equity, slow.equity, rtol=1e-12, atol=0)


def both_walks(history: MarketHistory, signals: list[Signal], config: BacktestConfig,
               strategy: str) -> tuple[Walked, Walked]:
    return (walked(TradeSimulation, history, signals, config, strategy),
            walked(PerBarSimulation, history, signals, config, strategy))


def loose(config: BacktestConfig) -> BacktestConfig:
    """Return config with the cost gates and the rules' thresholds lowered, so the strategies trade often.

    The account limits are a 1% daily loss that closes the position and the default 20% drawdown halt:
    the daily one binds every few days of these candles.
    """
    limits = LimitSettings(daily_loss_pct=Decimal(1), close_on_daily_loss=True)
    engine = replace(config.engine, max_fee_to_risk_pct=Decimal(1000), min_reward_risk=None, limits=limits)
    return replace(config, engine=engine, rules=RulesSettings(min_reward_risk=Decimal("0.5"), min_confidence=0.0))


@pytest.mark.parametrize("strategy, data", [("A", "BTCUSDT-1m.csv.gz"), ("B", "BTCUSDT-1m.csv.gz"),
                                            ("C", "BTCUSDT-1m.csv.gz"), ("trend", "BTCUSDT-15m.csv.gz")])
@pytest.mark.parametrize("symbol", ["BTC/USDT", "BTC/USDT:USDT"])
def test_each_ict_strategy_trades_alike_walked_by_events_or_by_bars_on_real_candles(strategy, data, symbol):
    candles = load_candles(data)[:40_000]     # the trend strategy's daily EMA200 wants the long 15m file
    history = history_from_candles(symbol, candles)
    config = loose(BacktestConfig(replay_instrument(symbol, float(candles.close[0]))))

    fast, slow = both_walks(history, scan(history, [strategy])[strategy], config, strategy)

    assert_same_walk(fast, slow)
    assert len(fast.trades) >= 3
    assert fast.breaches["daily_loss"] >= 2


def test_15m_bars_resolved_minute_by_minute_trade_alike_walked_by_events_or_by_bars():
    minutes = load_candles("BTCUSDT-1m.csv.gz")[:40_000]
    history = history_from_candles("BTC/USDT:USDT", minutes, Timeframe.M15)
    config = loose(BacktestConfig(replay_instrument("BTC/USDT:USDT", float(minutes.close[0]))))

    fast, slow = both_walks(history, scan(history, ["C"])["C"], config, "C")

    assert_same_walk(fast, slow)
    assert len(fast.trades) >= 3
    assert fast.breaches["daily_loss"] >= 2


def test_the_ema_cross_yardstick_trades_alike_walked_by_events_or_by_bars_on_real_candles():
    candles = load_candles("BTCUSDT-1m.csv.gz")[:12_000]
    history = history_from_candles("BTC/USDT", candles)
    config = BacktestConfig(replay_instrument("BTC/USDT", float(candles.close[0])))

    fast, slow = both_walks(history, scan(history, ["ema_cross"])["ema_cross"], config, "ema_cross")

    assert_same_walk(fast, slow)
    assert len(fast.trades) > 150


def random_candles(draw: st.DrawFn, count: int) -> Candles:
    """Return a random walk of 1m candles around 100 on a 0.01 tick, wicks on both sides."""
    moves = draw(st.lists(st.integers(-60, 60), min_size=count, max_size=count))
    wicks = draw(st.lists(st.tuples(st.integers(0, 80), st.integers(0, 80)), min_size=count, max_size=count))
    close = 100 + np.cumsum(moves) / 100
    close = np.maximum(close, 20.0)
    open_ = np.r_[100.0, close[:-1]]
    up, down = (np.array(w, dtype=float) / 100 for w in zip(*wicks))
    high = np.round(np.maximum(open_, close) + up, 2)
    low = np.round(np.maximum(np.minimum(open_, close) - down, 1.0), 2)
    start = START_MS + MINUTE * draw(st.integers(0, 479))     # some runs cross a funding time (every 8 h)
    times = start + MINUTE * np.arange(count, dtype=np.int64)
    return Candles(times, np.round(open_, 2), high, low, np.round(close, 2), np.full(count, 5.0))


def random_signals(draw: st.DrawFn, candles: Candles) -> list[Signal]:
    """Return entries at random bars, long or short, with a stop and a target around the close."""
    bars = sorted(draw(st.sets(st.integers(1, len(candles) - 2), min_size=1, max_size=8)))
    signals = []
    for i in bars:
        side = draw(st.sampled_from([PositionSide.LONG, PositionSide.SHORT]))
        close = Decimal(repr(float(candles.close[i])))
        risk = close * Decimal(draw(st.integers(2, 40))) / 1000
        reward = risk * Decimal(draw(st.integers(5, 40))) / 10
        signals.append(Signal("BTC/USDT", "A", side, close, close - side.sign * risk, close + side.sign * reward, 0.9,
                              int(candles.open_ms[i]) + MINUTE, "1m", "random setup", f"A:{i}:{side}"))
    return signals


@st.composite
def random_runs(draw: st.DrawFn) -> tuple[MarketHistory, list[Signal], BacktestConfig]:
    candles = random_candles(draw, draw(st.integers(60, 400)))
    optional = st.one_of(st.none(), st.integers(1, 30).map(lambda n: Decimal(n) / 10))
    protection = ProtectionSettings(
        hard_stop_pct=draw(st.sampled_from([Decimal(50), Decimal(3), Decimal(8)])),
        soft_stop_pct=draw(optional), take_profit_zone_pct=draw(optional),
        trailing_activation_pct=draw(optional), trailing_callback_pct=Decimal(draw(st.integers(2, 20))) / 10,
        trailing_activation_r=draw(optional), trailing_callback_r=Decimal(draw(st.integers(3, 15))) / 10,
        partial_take_profit_r=draw(optional), break_even_r=draw(optional))
    instrument = draw(st.sampled_from([SPOT, PERP]))
    config = plain_config(replace(instrument, price_tick=Decimal("0.01")), protection, breaker=NO_BREAKER,
                          max_fee_to_risk_pct=Decimal(1000))
    limits = draw(st.sampled_from([NO_LIMITS, LimitSettings(), *TIGHT_LIMITS]))
    limits = replace(limits, timezone=draw(st.sampled_from(DAY_STARTS)))
    config = replace(config, engine=replace(config.engine, limits=limits),
                     rules=RulesSettings(min_reward_risk=Decimal(0), min_confidence=0.0))
    symbol = instrument.symbol
    signals = [replace(s, symbol=symbol) for s in random_signals(draw, candles)]
    return MarketHistory(symbol, Timeframe.M1, candles), signals, config


@settings(max_examples=80, deadline=None)
@given(random_runs())
def test_random_candles_and_exit_rules_trade_alike_walked_by_events_or_by_bars(run):
    history, signals, config = run

    fast, slow = both_walks(history, signals, config, "A")

    assert_same_walk(fast, slow)
