"""The entry plans journal in SQLite: each engine entry's plan, written before its order leaves (0012_entry_plans)."""
from __future__ import annotations

import json
from typing import Iterable

from trading.adapters.sqlite_store import SqliteStore
from trading.engine.entry_pipeline import EntryPlan
from trading.engine.snapshots import from_plain, to_plain


class SqliteEntryPlans:
    """The plans of the engine's entries not yet held by a saved engine state, by their client order ids."""

    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    async def write(self, plan: EntryPlan, now_ms: int) -> None:
        """Journal plan under its order's client id (committed before the order is sent)."""
        async with self._store.transaction() as db:
            # to_plain / from_plain: the serialisation the approval cards store their plans with
            await db.execute("INSERT OR REPLACE INTO entry_plans (client_order_id, symbol, plan_json, created_ms) "
                             "VALUES (?, ?, ?, ?)", (plan.intent.client_order_id, plan.signal.symbol,
                                                     json.dumps(to_plain(plan)), now_ms))

    async def plans(self) -> dict[str, EntryPlan]:
        """Return every journaled plan by its entry's client order id, oldest first."""
        async with self._store.db.execute("SELECT client_order_id, plan_json FROM entry_plans "
                                          "ORDER BY created_ms, rowid") as cursor:
            rows = await cursor.fetchall()
        return {str(client_id): from_plain(EntryPlan, json.loads(text)) for client_id, text in rows}

    async def drop(self, client_order_ids: Iterable[str]) -> None:
        """Forget these entries' plans (the engine state saved holds them, or they never became entries)."""
        ids = [(client_id,) for client_id in client_order_ids]
        if ids:
            async with self._store.transaction() as db:
                await db.executemany("DELETE FROM entry_plans WHERE client_order_id = ?", ids)
