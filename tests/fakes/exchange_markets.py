"""The markets a fake exchange lists: their rules, and candles, tickers and funding served on a simulated clock."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import numpy as np

from trading.domain.candles import MINUTE_MS, Candles, Timeframe
from trading.domain.instruments import MarketKind
from trading.indicators.timeframes import resample

DAY_MS = 24 * 60 * MINUTE_MS
FUNDING_INTERVAL_MS = 8 * 60 * MINUTE_MS


@dataclass
class FakeMarket:
    """One listed market: its exchange rules and the real candles (and funding) it replays."""

    market_id: str                                   # Binance spelling, e.g. "BTCUSDT"
    base: str
    quote: str
    candles: dict[Timeframe, Candles]                # 1m lets every other timeframe and the forming bar be derived
    kind: MarketKind = MarketKind.SPOT
    tick: str = "0.01"
    step: str = "0.00001"
    min_qty: str = "0.00001"
    min_notional: str = "5"
    half_spread_ticks: int = 5                       # bid = last - n ticks, ask = last + n ticks
    funding: tuple[np.ndarray, np.ndarray] | None = None   # (funding times ms, rates) for perps
    moved_by: Decimal = Decimal(1)                   # a test's sudden move: the last price times this factor
    price_band: tuple[str, str] | None = None        # PERCENT_PRICE (down, up); None: Binance's usual for the kind
    _series: dict[Timeframe, Candles] = field(default_factory=dict, repr=False)

    def series(self, timeframe: Timeframe) -> Candles:
        """Return every final candle of timeframe, resampled from 1m when not given directly."""
        if timeframe not in self._series:
            if timeframe in self.candles:
                self._series[timeframe] = self.candles[timeframe]
            elif Timeframe.M1 in self.candles:
                self._series[timeframe] = resample(self.candles[Timeframe.M1], timeframe)
            else:
                self._series[timeframe] = Candles.empty()
        return self._series[timeframe]

    def finest(self) -> Timeframe:
        """Return the shortest timeframe this market has data for."""
        return min(self.candles, key=lambda tf: tf.ms)

    def closed(self, timeframe: Timeframe, now_ms: int) -> Candles:
        """Return the candles of timeframe that have closed by now_ms."""
        return self.series(timeframe).closed_before(now_ms - timeframe.ms + 1)

    def forming(self, timeframe: Timeframe, now_ms: int) -> tuple | None:
        """Return the candle still forming at now_ms as (open_ms, o, h, l, c, v), built from closed minutes only."""
        start = now_ms - now_ms % timeframe.ms
        final = self.series(timeframe)
        i = int(np.searchsorted(final.open_ms, start))
        if i >= len(final) or int(final.open_ms[i]) != start:
            return None                              # no trading in this bucket (outage) or beyond the data
        minutes = self.closed(Timeframe.M1, now_ms) if Timeframe.M1 in self.candles else Candles.empty()
        minutes = minutes[int(np.searchsorted(minutes.open_ms, start)):]
        if timeframe == Timeframe.M1 or len(minutes) == 0:
            price = float(final.open[i])
            return (start, price, price, price, price, 0.0)
        return (start, float(minutes.open[0]), float(minutes.high.max()), float(minutes.low.min()),
                float(minutes.close[-1]), float(minutes.volume.sum()))

    def last_price(self, now_ms: int) -> Decimal:
        """Return the close of the newest closed bar of the finest timeframe."""
        closed = self.closed(self.finest(), now_ms)
        last = Decimal(repr(float(closed.close[-1]))) if len(closed) else Decimal(0)
        return last if self.moved_by == 1 else (last * self.moved_by).quantize(Decimal(self.tick))

    def top_of_book(self, now_ms: int) -> tuple[Decimal, Decimal]:
        """Return (best bid, best ask) a few ticks either side of the last price."""
        last, tick = self.last_price(now_ms), Decimal(self.tick)
        half = tick * self.half_spread_ticks
        bid = ((last - half) / tick).to_integral_value(ROUND_FLOOR) * tick
        ask = ((last + half) / tick).to_integral_value(ROUND_CEILING) * tick
        return bid, ask

    def stats_24h(self, now_ms: int) -> dict[str, Decimal]:
        """Return open, high, low, last, base and quote volume over the 24 hours before now_ms."""
        closed = self.closed(self.finest(), now_ms)
        day = closed[int(np.searchsorted(closed.open_ms, now_ms - DAY_MS)):]
        if len(day) == 0:
            zero = Decimal(0)
            return {"open": zero, "high": zero, "low": zero, "last": zero, "volume": zero, "quote_volume": zero}
        return {
            "open": _dec(day.open[0]), "high": _dec(day.high.max()), "low": _dec(day.low.min()),
            "last": self.last_price(now_ms), "volume": _dec(round(float(day.volume.sum()), 8)),
            "quote_volume": _dec(round(float((day.volume * day.close).sum()), 8)),
        }

    def funding_at(self, now_ms: int) -> tuple[Decimal, int]:
        """Return (latest settled funding rate, next funding time) at now_ms."""
        next_ms = now_ms - now_ms % FUNDING_INTERVAL_MS + FUNDING_INTERVAL_MS
        if self.funding is None:
            return Decimal("0.0001"), next_ms
        times, rates = self.funding
        i = int(np.searchsorted(times, now_ms, side="right")) - 1
        return (Decimal(f"{rates[i]:.8f}") if i >= 0 else Decimal(0)), next_ms

    def funding_history(self, now_ms: int) -> tuple[np.ndarray, np.ndarray]:
        """Return the funding events settled by now_ms."""
        if self.funding is None:
            return np.empty(0, np.int64), np.empty(0, np.float64)
        times, rates = self.funding
        n = int(np.searchsorted(times, now_ms, side="right"))
        return times[:n], rates[:n]


def _dec(x: float) -> Decimal:
    return Decimal(repr(float(x)))


def price_text(x: float) -> str:
    """Return a price or quantity the way Binance writes it (fixed 8 decimals)."""
    return f"{x:.8f}"


def kline_row(row: tuple, timeframe: Timeframe) -> list:
    """Return one Binance kline array for (open_ms, o, h, l, c, v)."""
    open_ms, o, h, low, c, v = row
    return [int(open_ms), price_text(o), price_text(h), price_text(low), price_text(c), price_text(v),
            int(open_ms) + timeframe.ms - 1, price_text(round(v * c, 8)), 100, price_text(v / 2),
            price_text(round(v * c / 2, 8)), "0"]


def select_klines(market: FakeMarket, timeframe: Timeframe, now_ms: int, start: int | None,
                  end: int | None, limit: int) -> list[list]:
    """Return klines as Binance selects them: the first limit from startTime, else the newest up to endTime."""
    closed = market.closed(timeframe, now_ms)
    lo = int(np.searchsorted(closed.open_ms, start)) if start is not None else 0
    hi = int(np.searchsorted(closed.open_ms, end, side="right")) if end is not None else len(closed)
    forming = market.forming(timeframe, now_ms)
    if forming is not None and not ((start is None or forming[0] >= start) and (end is None or forming[0] <= end)):
        forming = None
    extra = [forming] if forming is not None else []
    if start is not None:
        picked = closed[lo: min(hi, lo + limit)]
        extra = extra if len(picked) < limit else []
    else:
        keep = limit - len(extra)
        picked = closed[max(lo, hi - keep): hi] if keep > 0 else closed[0:0]
    rows = list(zip(picked.open_ms.tolist(), picked.open.tolist(), picked.high.tolist(), picked.low.tolist(),
                    picked.close.tolist(), picked.volume.tolist()))
    return [kline_row(r, timeframe) for r in rows + extra]


def spot_market(asset: str = "BTC") -> FakeMarket:
    """Return the real {asset}/USDT spot market: 1m (May-Aug 2025, also giving 5m/15m) and 1h candles."""
    from tests.fakes.shared_data import load_candles
    return FakeMarket(f"{asset}USDT", asset, "USDT", {Timeframe.M1: load_candles(f"{asset}USDT-1m.csv.gz"),
                                                    Timeframe.H1: load_candles(f"{asset}USDT-1h.csv.gz")})


def perp_market(asset: str = "BTC") -> FakeMarket:
    """Return the real {asset}/USDT:USDT perpetual: 1h candles and 8h funding."""
    from tests.fakes.shared_data import load_candles
    return FakeMarket(f"{asset}USDT", asset, "USDT", {Timeframe.H1: load_candles(f"{asset}USDT-PERP-1h.csv.gz")},
                      kind=MarketKind.PERP, tick="0.10", step="0.001", min_qty="0.001", min_notional="100",
                      funding=_funding(asset))


@lru_cache(maxsize=8)
def _funding(asset: str) -> tuple[np.ndarray, np.ndarray]:
    # read once per run: every fake exchange of every test lists the same perpetuals (arrays are not mutated)
    import pandas as pd

    from tests.fakes.shared_data import shared_data_path
    funding = pd.read_csv(shared_data_path(f"{asset}USDT-PERP-funding-8h.csv.gz"))
    return funding["timestamp_ms"].to_numpy(np.int64), funding["funding_rate"].to_numpy()


def shifted(market: FakeMarket, offset_ms: int) -> FakeMarket:
    """Return market with every candle and funding time moved by offset_ms (keep it whole days for alignment)."""
    moved = {tf: Candles(c.open_ms + offset_ms, c.open, c.high, c.low, c.close, c.volume)
             for tf, c in market.candles.items()}
    funding = (market.funding[0] + offset_ms, market.funding[1]) if market.funding is not None else None
    return FakeMarket(market.market_id, market.base, market.quote, moved, market.kind, market.tick, market.step,
                      market.min_qty, market.min_notional, market.half_spread_ticks, funding)
