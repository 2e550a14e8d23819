"""Reports of the account over a day, a week or a month: PnL, equity against buy-and-hold, positions, trades, risk.

Periods are calendar periods in the configured timezone (today since midnight, this week since Monday,
this month since the 1st). The equity curve comes from the samples record_equity() stores every few
minutes; buy-and-hold is the benchmark symbol's price at the same moments, from its candles.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

import numpy as np

from trading.adapters.sqlite_equity import EquityHistory, EquityPoint
from trading.adapters.sqlite_ledger import ClosedPositionRow, ExecutionLedger, TradeRow
from trading.domain.candles import Timeframe
from trading.domain.errors import InvalidInput, TradingError, echoed
from trading.engine.engine_state import EngineSettings, EngineState
from trading.engine.risk_status import RiskStatus, risk_status_at
from trading.ports import Clock, MarketData, StateStore
from trading.reports.themes import ChartTheme
from trading.services.portfolio import PortfolioService, PositionView
from trading.services.account_keys import engine_state_key

FILLS_SCANNED = 1000


class ReportPeriod(StrEnum):
    """The span a report covers."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"

    @classmethod
    def parse(cls, text: str) -> "ReportPeriod":
        """Return the period named by text (day by default), or raise InvalidInput naming the choices."""
        try:
            return cls(text.strip().lower() or "day")
        except ValueError:
            raise InvalidInput(f"Unknown period {echoed(text)}. Usage: /report [day|week|month]") from None


# the candles the benchmark is read from: about a hundred or more points per period
_BENCHMARK_TIMEFRAME = {ReportPeriod.DAY: Timeframe.M15, ReportPeriod.WEEK: Timeframe.H1,
                        ReportPeriod.MONTH: Timeframe.H4}


@dataclass(frozen=True, slots=True)
class Report:
    """The account over one period."""

    period: ReportPeriod
    timezone: str
    start_ms: int
    end_ms: int
    equity: Decimal
    pnl: Decimal | None                 # None: no equity sample at the period's start yet
    pnl_pct: Decimal | None
    week_pnl: Decimal | None
    benchmark: str
    buy_hold_pct: float | None
    positions: tuple[PositionView, ...]
    closed: tuple[ClosedPositionRow, ...]
    fills: int
    risk: RiskStatus | None
    chart: bytes | None                 # equity against buy-and-hold, when there are two samples or more


@dataclass(frozen=True, slots=True)
class TradeListing:
    """The newest fills of the account as it stands: none from before a paper reset."""

    rows: tuple[TradeRow, ...]
    reset_ms: int | None                # the reset the listing starts at, when older fills are left out


class ReportService:
    """Builds reports and samples the equity they are drawn from."""

    def __init__(self, portfolio: PortfolioService, ledger: ExecutionLedger, equity: EquityHistory,
                 market: MarketData, store: StateStore, clock: Clock, *, timezone: str, benchmark: str,
                 theme: ChartTheme, engine_settings: EngineSettings = EngineSettings()) -> None:
        self._portfolio, self._ledger, self._equity = portfolio, ledger, equity
        self._market, self._store, self._clock = market, store, clock
        self.timezone, self.benchmark, self.theme = timezone, benchmark, theme
        self._engine_settings = engine_settings

    async def record_equity(self) -> EquityPoint:
        """Store the account's equity now (the scheduler calls this every few minutes)."""
        summary = (await self._portfolio.balance()).summary
        point = EquityPoint(self._clock.now_ms(), summary.equity, summary.cash)
        await self._equity.record(point)
        return point

    async def report(self, period_text: str = "day") -> Report:
        """Return the report of the current day, week or month."""
        period = ReportPeriod.parse(period_text)
        now = self._clock.now_ms()
        # a reset paper account is a new account: its reports start at the reset, from the reset balance
        reset = await self._ledger.last_reset()
        restart = EquityPoint(reset[0], reset[1], reset[1]) if reset is not None else None
        start, week_start = period_start(now, period, self.timezone), period_start(now, ReportPeriod.WEEK,
                                                                                  self.timezone)
        if restart is not None:
            start, week_start = max(start, restart.ts_ms), max(week_start, restart.ts_ms)
        current = await self.record_equity()
        points = [p for p in await self._equity.between(start, now) if p.ts_ms < current.ts_ms] + [current]
        baseline = await self._baseline(start, restart) or (points[0] if len(points) > 1 else None)
        week_base = await self._baseline(week_start, restart) or await self._first_since(week_start, now)
        prices = await self._benchmark_prices([p.ts_ms for p in points], period)
        pnl = None if baseline is None else current.equity - baseline.equity
        pct = None if pnl is None or baseline is None or baseline.equity == 0 else pnl / baseline.equity * 100
        chart = None
        if len(points) > 1 and prices is not None:
            from trading.reports.backtest_charts import equity_chart  # matplotlib loads on first use

            chart = await asyncio.to_thread(equity_chart, [p.ts_ms for p in points], [float(p.equity) for p in points],
                                            prices, title=f"Equity vs {self.benchmark}, {period}", theme=self.theme)
        fills = await self._ledger.recent_trades(FILLS_SCANNED, start)
        return Report(period, self.timezone, start, now, current.equity, pnl, pct,
                      None if week_base is None else current.equity - week_base.equity, self.benchmark,
                      None if prices is None else float(prices[-1] / prices[0] - 1) * 100,
                      tuple(await self._portfolio.positions()), tuple(await self._ledger.closed_positions(start)),
                      len(fills), await self._risk(current, reset), chart)

    async def trades(self, limit: int) -> TradeListing:
        """Return the newest fills since the last paper reset (a reset account is a new account, as in the report)."""
        start = await self._ledger.since_reset(0)
        rows = tuple(await self._ledger.recent_trades(limit, start))
        hidden = start > 0 and await self._ledger.has_fills_before(start)
        return TradeListing(rows, start if hidden else None)

    async def _baseline(self, start: int, restart: EquityPoint | None) -> EquityPoint | None:
        if restart is not None and restart.ts_ms >= start:
            return restart
        return await self._equity.last_at_or_before(start)

    async def _first_since(self, since_ms: int, until_ms: int) -> EquityPoint | None:
        points = await self._equity.between(since_ms, until_ms)
        return points[0] if points else None

    async def _benchmark_prices(self, times_ms: list[int], period: ReportPeriod) -> np.ndarray | None:
        """Return the benchmark's last close at or before each time, or None without enough candles."""
        timeframe = _BENCHMARK_TIMEFRAME[period]
        span = times_ms[-1] - times_ms[0]
        try:
            candles = await self._market.candles(self.benchmark, timeframe, span // timeframe.ms + 3)
        except TradingError:
            return None
        if len(candles) == 0:
            return None
        closes_at = candles.open_ms + timeframe.ms
        index = np.searchsorted(closes_at, np.asarray(times_ms, dtype=np.int64), side="right") - 1
        return candles.close[np.clip(index, 0, len(candles) - 1)]

    async def _risk(self, current: EquityPoint, reset: tuple[int, Decimal] | None) -> RiskStatus | None:
        saved = await self._store.load_state(engine_state_key(self._portfolio.mode))
        if not isinstance(saved, dict):
            return None
        # the engine marks equity on its tick: at the report's equity, its day's PnL is the report's, not a tick old
        return risk_status_at(EngineState.restore(saved), self._engine_settings, current.equity, current.ts_ms,
                              reset)


def period_start(now_ms: int, period: ReportPeriod, timezone: str) -> int:
    """Return the epoch ms at which the calendar day, week (Monday) or month holding now_ms began locally."""
    zone = ZoneInfo(timezone)
    local = datetime.fromtimestamp(now_ms / 1000, zone).replace(hour=0, minute=0, second=0, microsecond=0)
    if period is ReportPeriod.WEEK:
        local -= timedelta(days=local.weekday())
    elif period is ReportPeriod.MONTH:
        local = local.replace(day=1)
    # rebuilding from the calendar date keeps the right UTC offset across a DST change within the period
    start = datetime(local.year, local.month, local.day, tzinfo=zone)
    return int(start.timestamp() * 1000)
