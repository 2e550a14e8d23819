"""/chart: a symbol's recent candles with the ICT zones the strategies see and the bot's own entries and exits."""
from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal

from trading.adapters.sqlite_ledger import ExecutionLedger
from trading.domain.candles import Candles, Timeframe
from trading.domain.errors import BadSymbol, InvalidInput
from trading.domain.orders import Side
from trading.domain.symbols import resolve_symbol
from trading.indicators.ict import compute_ict
from trading.ports import MarketData
from trading.reports.ict_zones import ict_overlays
from trading.reports.overlays import TradeMarker
from trading.reports.themes import ChartTheme
from trading.reports.trade_markers import fill_markers
from trading.strategies.market_analysis import DEFAULT_ICT_PARAMS

CHART_BARS = 150
HISTORY_BARS = 500         # the ICT tables need history before the chart's first bar to know its zones
FILLS_SCANNED = 1000
CACHED_CHARTS = 16         # rendered PNGs kept (~110 KB each): the same chart asked again within a candle is instant
USAGE = "Usage: /chart SYMBOL [TIMEFRAME], e.g. /chart BTC/USDT or /chart ETH/USDT 1h"


@dataclass(frozen=True, slots=True)
class PriceChart:
    """A rendered chart and what it shows."""

    symbol: str
    timeframe: Timeframe
    png: bytes
    last_price: Decimal
    change_pct: float
    zones: int
    levels: int
    trades: int            # entry and exit markers of the bot's own fills


class ChartService:
    """Draws /chart from closed candles, the ICT tables at the last bar and the ledger's fills.

    A drawing depends only on the closed candles, the fills shown and the theme, so it is kept under their
    fingerprint: asking again before the next candle closes (or a fill) returns the same PNG at once.
    """

    def __init__(self, market: MarketData, ledger: ExecutionLedger, theme: ChartTheme,
                 default_timeframe: Timeframe = Timeframe.M15) -> None:
        self._market = market
        self._ledger = ledger
        self.theme = theme
        self.default_timeframe = default_timeframe
        self._drawn: OrderedDict[tuple, tuple[bytes, int, int]] = OrderedDict()

    async def chart(self, symbol_text: str, timeframe_text: str = "") -> PriceChart:
        """Return the chart of symbol on timeframe (15m by default), or raise InvalidInput saying what to type."""
        symbol = await self._symbol(symbol_text)
        timeframe = self._timeframe(timeframe_text)
        history = await self._market.candles(symbol, timeframe, HISTORY_BARS)
        if len(history) < 2:
            raise InvalidInput(f"No {timeframe} candles of {symbol} yet; try again in a moment.")
        shown = history[max(0, len(history) - CHART_BARS):]
        markers = await self._markers(symbol, int(shown.open_ms[0]))
        key = (symbol, timeframe, self.theme, history.fingerprint(), tuple(markers))
        drawn = self._drawn.pop(key, None)
        if drawn is None:
            # the indicators and the drawing are CPU work: a worker thread keeps the chat answering meanwhile
            drawn = await asyncio.to_thread(self._draw, history, f"{symbol} {timeframe}", timeframe, markers)
        self._drawn[key] = drawn                    # most recently used last
        while len(self._drawn) > CACHED_CHARTS:
            self._drawn.popitem(last=False)
        png, zones, levels = drawn
        change = (float(shown.close[-1]) / float(shown.open[0]) - 1) * 100
        return PriceChart(symbol, timeframe, png, Decimal(repr(float(shown.close[-1]))), change, zones, levels,
                          len(markers))

    def _draw(self, history: Candles, title: str, timeframe: Timeframe, markers: list[TradeMarker]
              ) -> tuple[bytes, int, int]:
        """Return the chart of the last CHART_BARS of history with its ICT zones, and how many zones and levels."""
        from trading.reports.charts import candlestick_chart  # matplotlib loads on the first chart, not at start-up

        zones, levels = ict_overlays(compute_ict(history, DEFAULT_ICT_PARAMS.get(timeframe)), history)
        shown = history[max(0, len(history) - CHART_BARS):]
        png = candlestick_chart(shown, title=title, theme=self.theme, zones=zones, levels=levels, markers=markers)
        return png, len(zones), len(levels)

    async def _markers(self, symbol: str, since_ms: int) -> list[TradeMarker]:
        """Return the entry and exit markers of the symbol's fills since since_ms (and since the last paper reset)."""
        # a reset paper account is a new account: the old account's fills are neither drawn nor read for direction
        start = await self._ledger.since_reset(0)
        rows = [r for r in reversed(await self._ledger.recent_trades(FILLS_SCANNED, start)) if r.symbol == symbol]
        # earlier fills still tell whether a fill on the chart opened or closed a position
        markers = fill_markers([(r.ts_ms, Side(r.side), r.amount, r.price) for r in rows])
        return [m for m in markers if m.ts_ms >= since_ms]

    async def _symbol(self, text: str) -> str:
        if not text.strip():
            raise InvalidInput(USAGE)
        try:
            return resolve_symbol(text, list(await self._market.instruments()))
        except BadSymbol as exc:
            raise InvalidInput(f"{exc} {USAGE}") from None

    def _timeframe(self, text: str) -> Timeframe:
        if not text.strip():
            return self.default_timeframe
        try:
            return Timeframe.parse(text)
        except ValueError as exc:
            raise InvalidInput(f"{str(exc).capitalize()}. {USAGE}") from None
