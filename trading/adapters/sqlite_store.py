"""SQLite persistence (aiosqlite, WAL): migrations, audit events, candle cache, settings overrides, state."""
from __future__ import annotations

import asyncio
import contextlib
import json
from importlib import resources
from pathlib import Path
from typing import Any, AsyncIterator, Sequence

import aiosqlite
import numpy as np

from trading.domain.candles import Candles, Timeframe
from trading.domain.events import Event, EventKind, Severity
from trading.ports import Clock


def migrations() -> list[tuple[int, str]]:
    """Return the bundled migrations as (version, sql), in order."""
    files = resources.files("trading.adapters.migrations").iterdir()
    found = [(int(f.name.split("_", 1)[0]), f.read_text()) for f in files if f.name.endswith(".sql")]
    return sorted(found)


class SqliteStore:
    """The database; one connection, opened once at start-up and closed at shutdown."""

    def __init__(self, path: Path, clock: Clock) -> None:
        self.path = path
        self._clock = clock
        self._db: aiosqlite.Connection | None = None
        # one connection serves every task: writes take turns so no task commits another's half-done transaction
        self._write_lock = asyncio.Lock()
        self._written_before: list[str] = []     # the state keys as earlier runs last wrote them, oldest first

    @property
    def db(self) -> aiosqlite.Connection:
        """Return the open connection."""
        if self._db is None:
            raise RuntimeError("store is not open")
        return self._db

    async def open(self) -> int:
        """Open the database, apply pending migrations, and return the schema version."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self.path)
        await self._db.execute("PRAGMA journal_mode=WAL")
        await self._db.execute("PRAGMA synchronous=NORMAL")
        await self._db.execute("PRAGMA foreign_keys=ON")
        version = await self._migrate()
        # read now: a write of this run replaces its key's row, and the order earlier runs left is lost
        async with self.db.execute("SELECT key FROM state ORDER BY rowid") as cur:
            self._written_before = [row[0] for row in await cur.fetchall()]
        return version

    async def _migrate(self) -> int:
        await self.db.execute("CREATE TABLE IF NOT EXISTS schema_version "
                              "(version INTEGER PRIMARY KEY, applied_ms INTEGER NOT NULL)")
        async with self.db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version") as cur:
            current = await _single(cur)
        for version, sql in migrations():
            if version <= current:
                continue
            # executescript commits first; wrapping in BEGIN/COMMIT keeps each migration all-or-nothing
            await self.db.executescript(
                f"BEGIN;\n{sql}\nINSERT INTO schema_version VALUES ({version}, {self._clock.now_ms()});\nCOMMIT;")
            current = version
        return current

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run the block's writes as one transaction, alone on the connection; roll back if it raises."""
        async with self._write_lock:
            try:
                await self.db.execute("BEGIN")
                yield self.db
                await self.db.commit()
            except BaseException:
                # also on cancellation (a job stopped at shutdown): the connection's queue runs the rollback after
                # whatever was in flight, and the shield lets it finish, so no transaction is left open
                await asyncio.shield(self.db.rollback())
                raise

    async def close(self) -> None:
        """Commit what is pending and close."""
        if self._db is not None:
            async with self._write_lock:
                await self._db.commit()
                await self._db.close()
            self._db = None

    async def append_event(self, event: Event) -> None:
        """Append one event to the audit log."""
        async with self.transaction() as db:
            await insert_event(db, event)

    async def events(self, kind: EventKind | None = None, limit: int = 50) -> list[Event]:
        """Return the newest events, newest last."""
        where, args = ("WHERE kind = ?", (kind.value,)) if kind else ("", ())
        sql = f"SELECT ts_ms, kind, severity, message, data_json FROM events {where} ORDER BY id DESC LIMIT ?"
        async with self.db.execute(sql, (*args, limit)) as cur:
            rows = list(await cur.fetchall())
        return [Event(EventKind(k), ts, msg, json.loads(data), Severity(sev), notify=False)
                for ts, k, sev, msg, data in reversed(rows)]

    async def save_candles(self, symbol: str, timeframe: Timeframe, candles: Candles) -> None:
        """Insert or replace candles in the cache."""
        rows = zip([symbol] * len(candles), [timeframe.value] * len(candles), candles.open_ms.tolist(),
                   candles.open.tolist(), candles.high.tolist(), candles.low.tolist(),
                   candles.close.tolist(), candles.volume.tolist())
        async with self.transaction() as db:
            await db.executemany("INSERT OR REPLACE INTO candles VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)

    async def load_candles(self, symbol: str, timeframe: Timeframe, since_ms: int | None = None,
                           until_ms: int | None = None) -> Candles:
        """Return cached candles with since_ms <= open_ms < until_ms, in time order."""
        sql = ("SELECT open_ms, open, high, low, close, volume FROM candles WHERE symbol = ? AND timeframe = ? "
               "AND open_ms >= ? AND open_ms < ? ORDER BY open_ms")
        args = (symbol, timeframe.value, since_ms if since_ms is not None else -(2**62),
                until_ms if until_ms is not None else 2**62)
        async with self.db.execute(sql, args) as cur:
            rows = await cur.fetchall()
        if not rows:
            return Candles.empty()
        cols = np.asarray(rows, dtype=np.float64).T
        return Candles(cols[0].astype(np.int64), *cols[1:])

    async def set_override(self, key: str, value: str) -> None:
        """Store a setting changed from the chat."""
        async with self.transaction() as db:
            await db.execute("INSERT OR REPLACE INTO settings_overrides VALUES (?, ?, ?)",
                             (key, value, self._clock.now_ms()))

    async def remove_override(self, key: str) -> bool:
        """Forget a setting changed from the chat; return False when there was none."""
        async with self.transaction() as db:
            cursor = await db.execute("DELETE FROM settings_overrides WHERE key = ?", (key,))
            return cursor.rowcount == 1

    async def overrides(self) -> dict[str, str]:
        """Return every setting changed from the chat."""
        async with self.db.execute("SELECT key, value FROM settings_overrides") as cur:
            return {k: v for k, v in await cur.fetchall()}

    async def save_state(self, key: str, value: Any) -> None:
        """Store a JSON-able snapshot under key, replacing the previous one atomically."""
        async with self.transaction() as db:
            await db.execute("INSERT OR REPLACE INTO state VALUES (?, ?, ?)",
                             (key, json.dumps(value, default=str), self._clock.now_ms()))

    async def load_state(self, key: str) -> Any | None:
        """Return the snapshot stored under key, or None."""
        async with self.db.execute("SELECT value_json FROM state WHERE key = ?", (key,)) as cur:
            row = await cur.fetchone()
        return json.loads(row[0]) if row else None

    async def written_last(self, prefixes: Sequence[str]) -> str | None:
        """Return the key earlier runs (before this store was opened) wrote last of those starting with one of
        prefixes; None when none was written.

        A replacing write gives its row the table's highest rowid, so the order of rowids is the order of the
        last writes, whatever clock (a replay's) stamped updated_ms.
        """
        return next((key for key in reversed(self._written_before) if key.startswith(tuple(prefixes))), None)

    async def delete_state(self, key: str) -> None:
        """Forget the snapshot stored under key."""
        async with self.transaction() as db:
            await db.execute("DELETE FROM state WHERE key = ?", (key,))

    async def open_position_count(self) -> int:
        """Return how many positions are recorded as open."""
        async with self.db.execute("SELECT COUNT(*) FROM positions WHERE status = 'open'") as cur:
            return int(await _single(cur))


async def insert_event(db: aiosqlite.Connection, event: Event) -> None:
    """Append event to the audit log inside the caller's transaction."""
    await db.execute("INSERT INTO events (ts_ms, kind, severity, message, data_json) VALUES (?, ?, ?, ?, ?)",
                     (event.ts_ms, event.kind.value, event.severity.value, event.message,
                      json.dumps(dict(event.data), default=str)))


async def _single(cursor: aiosqlite.Cursor) -> Any:
    """Return the one value of an aggregate query (COUNT, MAX ...), which always yields exactly one row."""
    row = await cursor.fetchone()
    if row is None:
        raise RuntimeError("an aggregate query returned no row")
    return row[0]
