"""The account's closed trades against the backtest of the same period, per strategy, fill by fill.

For each strategy and symbol that closed positions in the last N days: the strategy is backtested over the same
candles (the candle cache, else the market feed) with the parameters it runs now, its trades matched with the
account's (trading/backtest/divergence.py), and every fill set against the simulated one. The CLI
(`trading-assistant divergence`) and the chat (/divergence) both read this report.
"""
from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Mapping, Sequence

from trading.domain.figures import counted
from trading.adapters.candle_backfill import CandleCache
from trading.adapters.replay_market_data import replay_instrument
from trading.adapters.sqlite_ledger import ClosedPositionRow, ExecutionLedger
from trading.backtest.config import BacktestConfig
from trading.backtest.divergence import (DEFAULT_TOLERANCE_MS, ActualFill, ActualTrade, Divergence, divergence,
                                         divergence_text)
from trading.backtest.divergence_fills import fill_table, fills_text
from trading.backtest.metrics import DAY_MS
from trading.backtest.runner import backtest
from trading.backtest.strategy_specs import NAMES
from trading.domain.candles import Timeframe
from trading.domain.errors import ConfigurationError, InvalidInput, echoed, typed_whole
from trading.domain.instruments import Instrument
from trading.engine.engine_state import EngineSettings
from trading.engine.rules_decider import RulesSettings
from trading.ports import Clock, MarketData
from trading.services.backtest_data import LoadedHistory, history_from_store
from trading.strategies.parameter_space import params_text

DEFAULT_DAYS, MAX_DAYS = 7, 365
USAGE = f"Usage: /divergence [DAYS], e.g. /divergence 7 (1 to {MAX_DAYS} days back, {DEFAULT_DAYS} by default)"


@dataclass(frozen=True, slots=True)
class StrategyDivergence:
    """One strategy on one symbol: its trades against the backtest's, or why they could not be compared."""

    strategy: str
    symbol: str
    trades: int
    report: Divergence | None
    note: str = ""                # why there is no comparison, or the tuned parameters the backtest ran with


@dataclass(frozen=True, slots=True)
class DivergenceReport:
    """Every strategy's divergence over the last days on one venue."""

    venue: str
    days: int
    parts: tuple[StrategyDivergence, ...]


def parse_days(args: Sequence[str]) -> int:
    """Return the days of '/divergence [DAYS]', or raise InvalidInput saying what to type."""
    if not args:
        return DEFAULT_DAYS
    days = typed_whole(args[0]) if len(args) == 1 else None
    if days is not None and 1 <= days <= MAX_DAYS:
        return days
    raise InvalidInput(f"{echoed(' '.join(args))} is not a number of days from 1 to {MAX_DAYS}. {USAGE}")


class DivergenceService:
    """Builds the divergence report of a venue's ledger."""

    def __init__(self, ledger: ExecutionLedger, cache: CandleCache | None, clock: Clock, *, balance: Decimal,
                 engine: EngineSettings, rules: RulesSettings, market: MarketData | None = None,
                 current_params: Callable[[str], Mapping[str, float]] = lambda strategy: {}) -> None:
        self._ledger, self._cache, self._clock, self._market = ledger, cache, clock, market
        self._balance, self._engine, self._rules, self._params = balance, engine, rules, current_params

    async def report(self, days: int) -> DivergenceReport:
        """Return each strategy's divergence over the positions closed in the last days (since the last paper reset)."""
        since = await self._ledger.since_reset(self._clock.now_ms() - days * DAY_MS)
        closed = await self._ledger.closed_positions(since)
        groups: dict[tuple[str, str], list[ClosedPositionRow]] = defaultdict(list)
        for row in closed:
            groups[(row.strategy or "manual", row.symbol)].append(row)
        parts = [await self._one(strategy, symbol, rows, days) for (strategy, symbol), rows in sorted(groups.items())]
        return DivergenceReport(self._ledger.venue, days, tuple(parts))

    async def _one(self, strategy: str, symbol: str, rows: list[ClosedPositionRow], days: int) -> StrategyDivergence:
        if strategy not in NAMES:
            return StrategyDivergence(strategy, symbol, len(rows), None,
                                      f"no backtest to compare ({strategy} is not a strategy)")
        first, now = min(r.opened_ms for r in rows), self._clock.now_ms()
        end = min(max(r.closed_ms for r in rows) + DAY_MS, now)
        # the period asked for (a day before the first trade at most), never cutting off the first trade's twin
        start = min(max(now - days * DAY_MS, first - DAY_MS), first - DEFAULT_TOLERANCE_MS)
        try:       # minutes first: they resolve exits as the loop saw them; else the strategy's own bars
            loaded = await self._history(symbol, strategy, Timeframe.M1, start, end, now)
        except ConfigurationError:
            try:
                loaded = await self._history(symbol, strategy, None, start, end, now)
            except ConfigurationError as exc:
                return StrategyDivergence(strategy, symbol, len(rows), None, str(exc))
        config = BacktestConfig(await self._instrument(symbol, float(loaded.history.candles.close[0])),
                                self._balance, self._engine, self._rules)
        params = dict(self._params(strategy))
        result = await asyncio.to_thread(backtest, loaded.history, strategy, config, params=params,
                                         start_ms=start, end_ms=end)
        actual = [await self._actual(strategy, r) for r in rows]
        note = "tuned: " + params_text(params) if params else ""
        return StrategyDivergence(strategy, symbol, len(rows), divergence(strategy, actual, list(result.trades)),
                                  note)

    async def _history(self, symbol: str, strategy: str, timeframe: Timeframe | None, start: int, end: int,
                       now: int) -> LoadedHistory:
        return await history_from_store(symbol, strategy, timeframe, start, end, now, cache=self._cache,
                                        market=self._market)

    async def _instrument(self, symbol: str, price: float) -> Instrument:
        known = (await self._market.instruments()).get(symbol) if self._market is not None else None
        return known if known is not None else replay_instrument(symbol, price)

    async def _actual(self, strategy: str, row: ClosedPositionRow) -> ActualTrade:
        """Return the closed position with its fills (buys enter a long, sells a short)."""
        opening = "buy" if row.side == "long" else "sell"
        fills = tuple(ActualFill(f.ts_ms, f.side == opening, f.amount, f.price)
                      for f in await self._ledger.fills_between(row.symbol, row.opened_ms, row.closed_ms))
        return ActualTrade(strategy, row.symbol, row.side, row.opened_ms, row.entry_price,
                           row.realized_pnl - row.fees_paid - row.funding_paid, fills)


def report_text(report: DivergenceReport) -> str:
    """Return the report as plain text: per strategy its summary, then its fills (the CLI prints this)."""
    if not report.parts:
        return f"No positions closed on {report.venue} in the last {report.days} days: nothing to compare."
    parts = [f"{report.venue}, last {report.days} days, against the backtest of the same candles:"]
    parts += [part_text(p) for p in report.parts]
    return "\n\n".join(parts)


def part_text(part: StrategyDivergence) -> str:
    """Return one strategy's summary and fill table."""
    table = part_fills(part)
    return part_summary(part) + (f"\n\n{table}" if table else "")


def part_summary(part: StrategyDivergence) -> str:
    """Return one strategy's results against the backtest's in a few lines (or why there is no comparison)."""
    if part.report is None:
        return f"{part.strategy} on {part.symbol}: {counted(part.trades, 'trade')}; {part.note}"
    return f"{part.symbol} {divergence_text(part.report)}" + (f"\n  ({part.note})" if part.note else "")


def part_fills(part: StrategyDivergence) -> str:
    """Return one strategy's fill-by-fill table (empty without a comparison)."""
    return fills_text(fill_table(part.report)) if part.report is not None else ""
