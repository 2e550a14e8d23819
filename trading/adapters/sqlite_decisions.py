"""The decision log and the LLM reply cache in SQLite (tables of migration 0006)."""
from __future__ import annotations

import json
from dataclasses import fields
from decimal import Decimal
from pathlib import Path
from typing import Any

from trading.adapters.sqlite_store import SqliteStore
from trading.domain.client_ids import exit_number
from trading.domain.decision_log import CachedReply, DecisionRecord

_COLUMNS = tuple(f.name for f in fields(DecisionRecord) if f.name != "id")
_SELECT = "SELECT id, " + ", ".join(_COLUMNS) + " FROM decision_log"


class DecisionJournal:
    """Decisions by symbol and time, their outcomes, and the reply cache."""

    def __init__(self, store: SqliteStore, run: str = "live", venue: str | None = None) -> None:
        self.store = store
        self.run = run
        self.venue = venue       # the account /why reads orders of (None: any, as a backtest's journal)

    async def record(self, entry: DecisionRecord) -> int:
        """Store a decision under this journal's run; return its id."""
        values = [_to_sql(getattr(entry, c)) for c in _COLUMNS]
        values[_COLUMNS.index("run")] = self.run
        sql = f"INSERT INTO decision_log ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
        async with self.store.transaction() as db:
            cursor = await db.execute(sql, values)
            return int(cursor.lastrowid or 0)

    async def record_outcome(self, ref: int, verdict: str, order_id: str = "") -> None:
        """Store the risk verdict and the order a decision led to."""
        async with self.store.transaction() as db:
            await db.execute("UPDATE decision_log SET verdict = ?, order_id = ? WHERE id = ?",
                             (verdict[:500], order_id, ref))

    async def recent(self, symbol: str, limit: int, run: str | None = None) -> list[DecisionRecord]:
        """Return the symbol's newest decisions that had a call, newest last."""
        sql = f"{_SELECT} WHERE run = ? AND symbol = ? AND prompt IS NOT NULL ORDER BY id DESC LIMIT ?"
        return list(reversed(await self._rows(sql, (run or self.run, symbol, limit))))

    async def page(self, symbol: str | None, before_id: int | None, limit: int) -> list[DecisionRecord]:
        """Return up to limit decisions older than before_id (all when None), newest first."""
        where = ["run = ?"]
        args: list[str | int] = [self.run]
        if symbol:
            where.append("symbol = ?")
            args.append(symbol)
        if before_id is not None:
            where.append("id < ?")
            args.append(before_id)
        sql = f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ?"
        return await self._rows(sql, (*args, limit))

    async def get(self, ref: int) -> DecisionRecord | None:
        """Return one decision by id."""
        rows = await self._rows(f"{_SELECT} WHERE id = ?", (ref,))
        return rows[0] if rows else None

    async def for_order(self, client_order_id: str) -> DecisionRecord | None:
        """Return the decision that sent the order with this client id."""
        rows = await self._rows(f"{_SELECT} WHERE order_id = ? ORDER BY id DESC LIMIT 1", (client_order_id,))
        return rows[0] if rows else None

    async def for_entry_of(self, exit_client_id: str) -> DecisionRecord | None:
        """Return the decision that opened the position an exit order ("<entry id>-x<n>") closes."""
        exit_ = exit_number(exit_client_id)
        return None if exit_ is None else await self.for_order(exit_[0])

    async def order_of(self, order_or_client_id: str) -> tuple[str | None, str]:
        """Return the client id and reason of an order known by its venue id or client id (None when unknown)."""
        # paper spot, paper futures and live number their orders apart: P-1 of another account is not this one
        async with self.store.db.execute("SELECT client_order_id, reason FROM orders WHERE (id = ? OR "
                                         "client_order_id = ?) AND (? IS NULL OR venue = ?) "
                                         "ORDER BY updated_ms DESC LIMIT 1",
                                         (order_or_client_id, order_or_client_id, self.venue, self.venue)) as cur:
            row = await cur.fetchone()
        if row is not None:
            return row[0], row[1]
        known = await self._rows(f"{_SELECT} WHERE order_id = ? LIMIT 1", (order_or_client_id,))
        return (order_or_client_id, "") if known else (None, "")

    async def since(self, ts_ms: int, run: str | None = None) -> list[DecisionRecord]:
        """Return every decision at or after ts_ms, oldest first."""
        return await self._rows(f"{_SELECT} WHERE run = ? AND ts_ms >= ? ORDER BY id", (run or self.run, ts_ms))

    async def source_counts(self, since_ms: int) -> dict[str, int]:
        """Return how many decisions each source gave since since_ms."""
        async with self.store.db.execute("SELECT source, COUNT(*) FROM decision_log WHERE run = ? AND ts_ms >= ? "
                                         "GROUP BY source", (self.run, since_ms)) as cur:
            return {source: int(n) for source, n in await cur.fetchall()}

    async def cached(self, key: str) -> CachedReply | None:
        """Return the reply cached under key."""
        async with self.store.db.execute("SELECT reply, finish_reason, refusal, prompt_tokens, completion_tokens "
                                         "FROM llm_cache WHERE key = ?", (key,)) as cur:
            row = await cur.fetchone()
        return CachedReply(*row) if row else None

    async def cache(self, key: str, model: str, reply: CachedReply) -> None:
        """Keep a reply under key (the first one stays: a rerun must read what the first run read)."""
        async with self.store.transaction() as db:
            await db.execute("INSERT OR IGNORE INTO llm_cache VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             (key, model, reply.text, reply.finish_reason, reply.refusal, reply.prompt_tokens,
                              reply.completion_tokens, 0))

    async def export_cache(self, path: Path) -> int:
        """Write every cached reply as JSON lines to path; return how many."""
        async with self.store.db.execute("SELECT key, model, reply, finish_reason, refusal, prompt_tokens, "
                                         "completion_tokens FROM llm_cache ORDER BY key") as cur:
            rows = list(await cur.fetchall())      # a list already; aiosqlite types it as any iterable
        names = ("key", "model", "reply", "finish_reason", "refusal", "prompt_tokens", "completion_tokens")
        path.write_text("".join(json.dumps(dict(zip(names, r))) + "\n" for r in rows))
        return len(rows)

    async def import_cache(self, path: Path) -> int:
        """Read replies exported by export_cache into the cache; return how many lines were read."""
        lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        for row in lines:
            await self.cache(row["key"], row["model"], CachedReply(row["reply"], row["finish_reason"], row["refusal"],
                                                                   row["prompt_tokens"], row["completion_tokens"]))
        return len(lines)

    async def _rows(self, sql: str, args: Any) -> list[DecisionRecord]:
        async with self.store.db.execute(sql, args) as cur:
            rows = await cur.fetchall()
        return [_record(row) for row in rows]


def _to_sql(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _record(row: Any) -> DecisionRecord:
    data = dict(zip(("id", *_COLUMNS), row))
    data["mark"] = Decimal(data["mark"]) if data["mark"] is not None else None
    data["cost_usd"] = Decimal(data["cost_usd"])
    return DecisionRecord(**data)
