"""What traders ask of their bot: profit per strategy, performance per symbol, and PnL per day, week, month.

Computed from the positions the ledger recorded as closed (net of fees and funding) and the open ones at their
marks; the statistics are pure functions of those rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from enum import StrEnum
from typing import Callable, Iterable
from zoneinfo import ZoneInfo

from trading.adapters.sqlite_ledger import ClosedPositionRow, ExecutionLedger
from trading.ports import Clock
from trading.services.portfolio import PortfolioService

ZERO = Decimal(0)
DAY_MS = 86_400_000


def net(row: ClosedPositionRow) -> Decimal:
    """Return what a closed position made after fees and funding."""
    return row.realized_pnl - row.fees_paid - row.funding_paid


@dataclass(frozen=True, slots=True)
class TradeStats:
    """Closed trades of one strategy, symbol or period: count, wins, net, and the spread of results."""

    label: str
    trades: int
    wins: int
    net: Decimal
    gross_win: Decimal
    gross_loss: Decimal           # a positive number: what the losers lost
    best: Decimal
    worst: Decimal

    @property
    def win_rate(self) -> Decimal:
        """Return the share of winning trades in percent."""
        return Decimal(self.wins * 100) / self.trades if self.trades else ZERO

    @property
    def profit_factor(self) -> Decimal | None:
        """Return gross wins over gross losses (None with no loss to divide by)."""
        return self.gross_win / self.gross_loss if self.gross_loss > 0 else None


def trade_stats(label: str, rows: Iterable[ClosedPositionRow]) -> TradeStats:
    """Return the statistics of the closed positions in rows."""
    results = [net(r) for r in rows]
    wins = [r for r in results if r > 0]
    losses = [-r for r in results if r < 0]
    return TradeStats(label, len(results), len(wins), sum(results, ZERO), sum(wins, ZERO), sum(losses, ZERO),
                      max(results, default=ZERO), min(results, default=ZERO))


def grouped(rows: Iterable[ClosedPositionRow], key: Callable[[ClosedPositionRow], str]) -> list[TradeStats]:
    """Return one TradeStats per key value, best net first."""
    groups: dict[str, list[ClosedPositionRow]] = {}
    for row in rows:
        groups.setdefault(key(row) or "manual", []).append(row)
    return sorted((trade_stats(k, v) for k, v in groups.items()), key=lambda s: s.net, reverse=True)


class Period(StrEnum):
    """The length of a /daily, /weekly or /monthly row."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"


def period_label(ts_ms: int, period: Period, zone: str) -> str:
    """Return the period ts_ms falls in, in zone: '2026-03-02', 'W10 2026-03-02' (its Monday), '2026-03'."""
    local = datetime.fromtimestamp(ts_ms / 1000, timezone.utc).astimezone(ZoneInfo(zone)).date()
    if period is Period.DAY:
        return local.isoformat()
    if period is Period.WEEK:
        monday = local - timedelta(days=local.weekday())
        return f"W{monday.isocalendar()[1]:02d} {monday.isoformat()}"
    return f"{local:%Y-%m}"


def period_table(rows: Iterable[ClosedPositionRow], period: Period, count: int, now_ms: int,
                 zone: str) -> list[TradeStats]:
    """Return the last count periods up to now, newest first, each with its closed trades (empty ones too)."""
    labels: list[str] = []
    ts = now_ms
    while len(labels) < count:
        label = period_label(ts, period, zone)
        if label not in labels:
            labels.append(label)
        ts -= DAY_MS
    by_label: dict[str, list[ClosedPositionRow]] = {label: [] for label in labels}
    for row in rows:
        label = period_label(row.closed_ms, period, zone)
        if label in by_label:
            by_label[label].append(row)
    return [trade_stats(label, by_label[label]) for label in labels]


@dataclass(frozen=True, slots=True)
class ResultsTable:
    """/performance or /daily, /weekly, /monthly: the closed trades' rows, and what the open positions realised
    so far (their fees and partial exits: /profit's realised counts them; no row does until they close)."""

    rows: tuple[TradeStats, ...]
    open_realized: Decimal


@dataclass(frozen=True, slots=True)
class ProfitReport:
    """What /profit shows."""

    days: int | None
    realized: Decimal             # closed trades and open_realized: all the money already made or spent
    unrealized: Decimal
    open_realized: Decimal        # the open positions' partial exits so far, net of the fees and funding they paid
    total: TradeStats
    by_strategy: tuple[TradeStats, ...]


class PerformanceService:
    """Reads closed positions from the ledger and open ones from the portfolio."""

    def __init__(self, ledger: ExecutionLedger, portfolio: PortfolioService, clock: Clock, zone: str) -> None:
        self._ledger = ledger
        self._portfolio = portfolio
        self._clock = clock
        self.zone = zone

    async def profit(self, days: int | None = None) -> ProfitReport:
        """Return realised (over days, or all time) and unrealised PnL, with the statistics per strategy."""
        since = await self._ledger.since_reset(self._clock.now_ms() - days * DAY_MS if days else 0)
        rows = await self._ledger.closed_positions(since)
        # an open position has paid its entry fee and may have sold a part: without them the total would not be
        # what the account made (/balance's PnL since start)
        open_realized = await self._ledger.open_results(since)
        unrealized = sum((v.unrealized for v in await self._portfolio.positions()), ZERO)
        total = trade_stats("all", rows)
        return ProfitReport(days, total.net + open_realized, unrealized, open_realized, total,
                            tuple(grouped(rows, lambda r: r.strategy)))

    async def by_symbol(self) -> ResultsTable:
        """Return the statistics per symbol, all time, and what the open positions realised so far."""
        since = await self._ledger.since_reset(0)
        return ResultsTable(tuple(grouped(await self._ledger.closed_positions(since), lambda r: r.symbol)),
                            await self._ledger.open_results(since))

    async def table(self, period: Period, count: int) -> ResultsTable:
        """Return the last count days, weeks or months, and what the open positions realised so far."""
        now = self._clock.now_ms()
        span = {Period.DAY: 1, Period.WEEK: 7, Period.MONTH: 31}[period] * (count + 1) * DAY_MS
        rows = await self._ledger.closed_positions(await self._ledger.since_reset(now - span))
        # all the open positions, as /profit counts them: a partial exit's day is not kept apart from its position's
        return ResultsTable(tuple(period_table(rows, period, count, now, self.zone)),
                            await self._ledger.open_results(await self._ledger.since_reset(0)))

