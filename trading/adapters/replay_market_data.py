"""Market data replayed from CSV candles on a clock: the offline default and the backtests' feed."""
from __future__ import annotations

from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Sequence

import numpy as np

from trading.adapters.candle_files import read_candle_file
from trading.domain.candles import Candles, Timeframe
from trading.domain.errors import BadSymbol, ConfigurationError
from trading.domain.health import EndpointStats
from trading.domain.instruments import Instrument, MarketKind
from trading.domain.market import Ticker
from trading.domain.symbols import normalize_symbol, unknown_symbol_message
from trading.indicators.timeframes import resample
from trading.ports import Clock

DAY_MS = 86_400_000


def read_candle_csv(path: Path) -> Candles:
    """Read a timestamp_ms,open,high,low,close,volume CSV (gzip by extension) into Candles."""
    return read_candle_file(path)


def bundled_files() -> list[Path]:
    """Return the candle files shipped inside the package."""
    return sorted(Path(str(f)) for f in resources.files("trading.data").iterdir() if f.name.endswith(".csv.gz"))


def symbol_from_filename(path: Path) -> str:
    """Return the unified symbol a file such as BTCUSDT-1m.csv.gz holds."""
    return normalize_symbol(path.name.split("-")[0].split(".")[0])


def load_replay_series(spec: str) -> dict[str, Candles]:
    """Return candles per symbol for MARKET_DATA 'replay' (bundled) or 'replay:<file or folder>'."""
    if spec == "replay":
        files = bundled_files()
    else:
        target = Path(spec.removeprefix("replay:")).expanduser()
        if not target.exists():
            raise ConfigurationError(f"Invalid setting MARKET_DATA: {target} does not exist")
        files = _candle_files(sorted(target.glob("*.csv*"))) if target.is_dir() else [target]
        if not files:
            raise ConfigurationError(f"Invalid setting MARKET_DATA: no CSV files in {target}")
    return {symbol_from_filename(f): read_candle_csv(f) for f in files}


def replay_tick(price: float) -> Decimal:
    """Return the price tick of a replayed market trading near price (Binance-like)."""
    return Decimal("0.01") if price >= 1 else Decimal("0.00001")


def _candle_files(files: list[Path]) -> list[Path]:
    # A data folder may hold several files per symbol (1m, 15m, 1h, the perpetual's bars, funding rates):
    # replay the finest spot candles of each; funding files are read by the paper venue instead.
    best: dict[str, tuple[tuple[bool, int], Path]] = {}
    for path in files:
        parts = path.name.split(".")[0].split("-")
        if "funding" in parts:
            continue
        timeframes = [Timeframe(p) for p in parts[1:] if p in {t.value for t in Timeframe}]
        rank = ("PERP" in parts, timeframes[0].ms if timeframes else 0)
        symbol = symbol_from_filename(path)
        if symbol not in best or rank < best[symbol][0]:
            best[symbol] = (rank, path)
    return [path for _, path in best.values()]


def replay_instrument(symbol: str, price: float) -> Instrument:
    """Return Binance-like market rules for a replayed symbol (precision scaled to its price)."""
    base, quote = symbol.split("/")[0], symbol.split("/")[1].split(":")[0]
    step = Decimal("0.00001") if price >= 10_000 else Decimal("0.0001") if price >= 100 else Decimal("0.01")
    tick = replay_tick(price)
    kind = MarketKind.PERP if ":" in symbol else MarketKind.SPOT
    return Instrument(symbol, base, quote, kind, price_tick=tick, amount_step=step, min_amount=step,
                      min_notional=Decimal("5"), maker_fee=Decimal("0.001"), taker_fee=Decimal("0.001"),
                      max_leverage=125 if kind is MarketKind.PERP else 1)


class ReplayMarketData:
    """Serves only the candles closed at the clock's time, resampled to any timeframe like the exchange."""

    def __init__(self, series: dict[str, Candles], clock: Clock, label: str = "bundled sample") -> None:
        if not series:
            raise ConfigurationError("Replay market data needs at least one candle file")
        self._base = series
        self._clock = clock
        self._label = label
        self._frames: dict[tuple[str, Timeframe], Candles] = {}
        self._emitted: dict[tuple[str, Timeframe], int] = {}
        first = next(iter(series.values()))
        self.base_timeframe = _detect_timeframe(first)

    @property
    def source(self) -> str:
        """Return a description of the feed."""
        return f"replay: {self._label}"

    @property
    def span_ms(self) -> tuple[int, int]:
        """Return the first open and the last close time covered by every symbol."""
        first = max(int(c.open_ms[0]) for c in self._base.values())
        last = min(int(c.open_ms[-1]) for c in self._base.values()) + self.base_timeframe.ms
        return first, last

    async def instruments(self) -> dict[str, Instrument]:
        """Return a market per replayed symbol."""
        return {s: replay_instrument(s, float(c.close[0])) for s, c in self._base.items()}

    def frame(self, symbol: str, timeframe: Timeframe) -> Candles:
        """Return the whole history of symbol at timeframe, closed or not yet (cached per timeframe)."""
        if symbol not in self._base:
            raise BadSymbol(unknown_symbol_message(symbol, list(self._base), symbol))
        key = (symbol, timeframe)
        if key not in self._frames:
            base = self._base[symbol]
            self._frames[key] = base if timeframe == self.base_timeframe else resample(base, timeframe)
        return self._frames[key]

    def _closed(self, symbol: str, timeframe: Timeframe) -> Candles:
        frame = self.frame(symbol, timeframe)
        return frame[: int(np.searchsorted(frame.open_ms, self._clock.now_ms() - timeframe.ms, side="right"))]

    async def candles(self, symbol: str, timeframe: Timeframe, limit: int = 500) -> Candles:
        """Return up to limit most recent candles closed at the clock's time."""
        closed = self._closed(symbol, timeframe)
        return closed[max(0, len(closed) - limit):]

    async def ticker(self, symbol: str) -> Ticker:
        """Return the last closed price, 24h change and volume (a replay has no order book)."""
        closed = self._closed(symbol, self.base_timeframe)
        if len(closed) == 0:
            raise BadSymbol(f"No replayed candles for {symbol} before this time")
        last = float(closed.close[-1])
        day_ago = int(np.searchsorted(closed.open_ms, int(closed.open_ms[-1]) - DAY_MS + self.base_timeframe.ms))
        window = closed[day_ago:]
        change = (Decimal(repr(last)) / Decimal(repr(float(window.open[0]))) - 1) * 100
        volume = Decimal(repr(float(np.round(np.sum(window.close * window.volume), 2))))
        return Ticker(symbol, int(closed.open_ms[-1]) + self.base_timeframe.ms, Decimal(repr(last)),
                      change_24h_pct=change, quote_volume_24h=volume)

    async def poll(self, symbols: Sequence[str], timeframes: Sequence[Timeframe]
                   ) -> list[tuple[str, Timeframe, Candles]]:
        """Return the candles closed since the previous poll; the first poll only marks the position."""
        out = []
        for symbol in symbols:
            for tf in timeframes:
                closed = self._closed(symbol, tf)
                last = int(closed.open_ms[-1]) if len(closed) else -1
                previous = self._emitted.get((symbol, tf))
                self._emitted[(symbol, tf)] = last
                if previous is not None and last > previous:
                    out.append((symbol, tf, closed[int(np.searchsorted(closed.open_ms, previous, "right")):]))
        return out

    @property
    def symbols(self) -> list[str]:
        """Return the replayed symbols."""
        return list(self._base)

    def health(self) -> dict[str, EndpointStats]:
        """Return no endpoints: a replay calls no exchange."""
        return {}

    async def close(self) -> None:
        """Nothing to release."""


def _detect_timeframe(candles: Candles) -> Timeframe:
    step = int(np.min(np.diff(candles.open_ms[:1000]))) if len(candles) > 1 else Timeframe.M1.ms
    for tf in Timeframe:
        if tf.ms == step:
            return tf
    raise ConfigurationError(f"Replay candles have an unsupported spacing of {step} ms")
