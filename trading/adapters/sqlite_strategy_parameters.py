"""Strategy parameters tuned at run time, and /optimize proposals, in SQLite.

A change and its audit event are written in one transaction: the log never misses a change that was kept,
nor records one that was not.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterable, Mapping

from trading.adapters.sqlite_store import SqliteStore, insert_event
from trading.domain.events import Event


@dataclass(frozen=True, slots=True)
class StoredProposal:
    """What an /optimize proposal card offers: the strategy's new parameters, found on symbol."""

    id: str
    strategy: str
    symbol: str
    params: dict[str, float]
    summary: str
    created_ms: int


class SqliteStrategyParameters:
    """The strategy_parameters and parameter_proposals tables of the bot's database."""

    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    async def overrides(self) -> dict[str, dict[str, str]]:
        """Return every stored parameter as text, per strategy."""
        found: dict[str, dict[str, str]] = {}
        async with self._store.db.execute("SELECT strategy, name, value FROM strategy_parameters "
                                          "ORDER BY strategy, name") as cur:
            for strategy, name, value in await cur.fetchall():
                found.setdefault(strategy, {})[name] = value
        return found

    async def change(self, strategy: str, values: Mapping[str, float], removed: Iterable[str], event: Event,
                     now_ms: int) -> None:
        """Store values, forget removed, and append the audit event, all in one transaction."""
        async with self._store.transaction() as db:
            await db.executemany("DELETE FROM strategy_parameters WHERE strategy = ? AND name = ?",
                                 [(strategy, name) for name in removed])
            await db.executemany("INSERT OR REPLACE INTO strategy_parameters VALUES (?, ?, ?, ?)",
                                 [(strategy, name, repr(value), now_ms) for name, value in values.items()])
            await insert_event(db, event)

    async def add_proposal(self, proposal: StoredProposal) -> None:
        """Store a proposal under its card's id."""
        p = proposal
        async with self._store.transaction() as db:
            await db.execute("INSERT INTO parameter_proposals VALUES (?, ?, ?, ?, ?, ?)",
                             (p.id, p.strategy, p.symbol, json.dumps(p.params, sort_keys=True), p.summary,
                              p.created_ms))

    async def proposal(self, proposal_id: str) -> StoredProposal | None:
        """Return the proposal stored under id, or None."""
        async with self._store.db.execute("SELECT id, strategy, symbol, params_json, summary, created_ms "
                                          "FROM parameter_proposals WHERE id = ?", (proposal_id,)) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        pid, strategy, symbol, params, summary, created = row
        return StoredProposal(pid, strategy, symbol, json.loads(params), summary, created)

    async def forget_proposals_before(self, ts_ms: int) -> int:
        """Delete proposals made before ts_ms (their cards expired long ago)."""
        async with self._store.transaction() as db:
            cursor = await db.execute("DELETE FROM parameter_proposals WHERE created_ms < ?", (ts_ms,))
            return cursor.rowcount
