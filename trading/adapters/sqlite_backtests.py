"""Backtest runs kept in SQLite: what was run, over which bars, and its metrics, newest listed first."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Mapping

from trading.adapters.sqlite_store import SqliteStore
from trading.backtest.metrics import BacktestMetrics
from trading.engine.snapshots import from_plain, to_plain


@dataclass(frozen=True, slots=True)
class StoredBacktest:
    """One backtest run as stored (id 0 until saved)."""

    created_ms: int
    strategy: str
    symbol: str
    timeframe: str
    source: str                      # where the candles came from: a file, the cache, the exchange
    metrics: BacktestMetrics
    params: Mapping[str, float] = field(default_factory=dict)
    id: int = 0

    @property
    def start_ms(self) -> int:
        """Return the first bar's open time."""
        return self.metrics.start_ms

    @property
    def end_ms(self) -> int:
        """Return the last bar's close time."""
        return self.metrics.end_ms


class BacktestArchive:
    """Saves runs and lists the recent ones."""

    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    async def save(self, run: StoredBacktest) -> int:
        """Store a run; return its id."""
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "INSERT INTO backtests (created_ms, strategy, symbol, timeframe, start_ms, end_ms, source, "
                "params_json, metrics_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run.created_ms, run.strategy, run.symbol, run.timeframe, run.start_ms, run.end_ms, run.source,
                 json.dumps(dict(run.params)), json.dumps(to_plain(run.metrics))))
        return int(cursor.lastrowid or 0)

    async def recent(self, limit: int = 10) -> list[StoredBacktest]:
        """Return the newest runs, newest first."""
        sql = ("SELECT id, created_ms, strategy, symbol, timeframe, source, params_json, metrics_json FROM backtests "
               "ORDER BY created_ms DESC, id DESC LIMIT ?")
        async with self._store.db.execute(sql, (limit,)) as cur:
            rows = await cur.fetchall()
        return [StoredBacktest(created, strategy, symbol, timeframe, source,
                               from_plain(BacktestMetrics, json.loads(metrics)), json.loads(params), run_id)
                for run_id, created, strategy, symbol, timeframe, source, params, metrics in rows]
