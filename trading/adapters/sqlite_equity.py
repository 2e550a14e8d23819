"""The account's equity over time in SQLite: one row per sample, read back for reports and charts."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from trading.adapters.sqlite_store import SqliteStore


@dataclass(frozen=True, slots=True)
class EquityPoint:
    """The account at one moment: its equity and its free cash, in quote."""

    ts_ms: int
    equity: Decimal
    cash: Decimal


class EquityHistory:
    """Equity samples of one venue (e.g. paper-spot), kept for as long as the database lives."""

    def __init__(self, store: SqliteStore, venue: str) -> None:
        self._store = store
        self.venue = venue

    async def record(self, point: EquityPoint) -> None:
        """Store a sample (a second sample at the same time replaces the first)."""
        async with self._store.transaction() as db:
            await db.execute("INSERT OR REPLACE INTO equity_history VALUES (?, ?, ?, ?)",
                             (self.venue, point.ts_ms, str(point.equity), str(point.cash)))

    async def between(self, since_ms: int, until_ms: int) -> list[EquityPoint]:
        """Return the samples with since_ms <= ts_ms <= until_ms, oldest first."""
        sql = ("SELECT ts_ms, equity, cash FROM equity_history WHERE venue = ? AND ts_ms >= ? AND ts_ms <= ? "
               "ORDER BY ts_ms")
        async with self._store.db.execute(sql, (self.venue, since_ms, until_ms)) as cur:
            rows = await cur.fetchall()
        return [EquityPoint(ts, Decimal(equity), Decimal(cash)) for ts, equity, cash in rows]

    async def last_at_or_before(self, ts_ms: int) -> EquityPoint | None:
        """Return the newest sample taken at or before ts_ms, or None."""
        sql = ("SELECT ts_ms, equity, cash FROM equity_history WHERE venue = ? AND ts_ms <= ? "
               "ORDER BY ts_ms DESC LIMIT 1")
        async with self._store.db.execute(sql, (self.venue, ts_ms)) as cur:
            row = await cur.fetchone()
        return None if row is None else EquityPoint(row[0], Decimal(row[1]), Decimal(row[2]))
