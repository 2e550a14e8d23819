"""Builders of MarketViews for strategy tests: hand-made bars and real BTC/USDT months."""
from __future__ import annotations

from functools import lru_cache

from tests.fakes.shared_data import load_candles
from trading.domain.candles import Candles, Timeframe
from trading.domain.signals import Signal
from trading.indicators.timeframes import resample
from trading.strategies.base import MarketView, Strategy

MINUTES_PER_DAY = 1440


def bars(timeframe: Timeframe, rows: list[tuple[float, float, float, float]], start_ms: int = 0) -> Candles:
    """Return candles of timeframe from (open, high, low, close) rows, the first opening at start_ms."""
    return Candles.from_rows([(start_ms + i * timeframe.ms, o, h, l, c, 1.0)
                              for i, (o, h, l, c) in enumerate(rows)])


@lru_cache(maxsize=4)
def real_btc_view(days: int = 30, offset_days: int = 0) -> MarketView:
    """Return days of real 1m BTC/USDT with the daily bars (from the real 1h file) known at its end."""
    start = offset_days * MINUTES_PER_DAY
    minutes = load_candles("BTCUSDT-1m.csv.gz")[start: start + days * MINUTES_PER_DAY]
    end_ms = int(minutes.open_ms[-1]) + Timeframe.M1.ms
    daily = resample(load_candles("BTCUSDT-1h.csv.gz").closed_before(end_ms - Timeframe.H1.ms + 1), Timeframe.D1)
    return MarketView("BTC/USDT", {Timeframe.M1: minutes, Timeframe.D1: daily})


def known_by(signals: list[Signal], ms: int) -> list[Signal]:
    """Return the signals already known at ms, i.e. what a scan of the history up to ms must return."""
    return [s for s in signals if s.known_at_ms <= ms]


def scans_cut_at(strategy: Strategy, cut_minutes: int, days: int = 10) -> tuple[list[Signal], list[Signal]]:
    """Return (scan of the real view cut cut_minutes after its start, full scan's signals known by the cut)."""
    view = real_btc_view(days=days)
    cut_ms = int(view.frames[Timeframe.M1].open_ms[0]) + cut_minutes * Timeframe.M1.ms
    full = strategy.scan(view)
    if not full:
        raise AssertionError(f"strategy {strategy.name} found nothing in {days} real days: the test would be empty")
    return strategy.scan(view.as_of(cut_ms)), known_by(full, cut_ms)
