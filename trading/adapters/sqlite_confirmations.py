"""Confirmations in SQLite: each answer claims its row with one conditional UPDATE before anything happens."""
from __future__ import annotations

import aiosqlite

from trading.adapters.sqlite_store import SqliteStore
from trading.domain.confirmations import Claim, ClaimOutcome, Confirmation, ConfirmationState

_COLUMNS = "id, user_id, chat_id, action, payload_hash, created_ms, expires_ms, state, result"
_CLAIM = ("UPDATE confirmations SET state = 'claimed', claimed_ms = :now "
          "WHERE id = :id AND user_id = :user AND action = :action AND state = 'pending' AND expires_ms > :now "
          "AND (:hash IS NULL OR payload_hash = :hash)")


class SqliteConfirmations:
    """The confirmations table of the bot's database."""

    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    async def add(self, confirmation: Confirmation) -> None:
        """Store a new pending confirmation."""
        c = confirmation
        async with self._store.transaction() as db:
            await db.execute(f"INSERT INTO confirmations ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             (c.id, c.user_id, c.chat_id, c.action, c.payload_hash, c.created_ms, c.expires_ms,
                              c.state.value, c.result))

    async def claim(self, confirmation_id: str, user_id: int, action: str, payload_hash: str | None,
                    now_ms: int) -> Claim:
        """Claim a pending, unexpired confirmation of this user and action; otherwise say why not."""
        async with self._store.transaction() as db:
            cursor = await db.execute(_CLAIM, {"now": now_ms, "id": confirmation_id, "user": user_id,
                                               "action": action, "hash": payload_hash})
            found = await _select(db, confirmation_id)
            if cursor.rowcount == 1 and found is not None:
                return Claim(ClaimOutcome.CLAIMED, found)
            if found is None or found.action != action or payload_hash not in (None, found.payload_hash):
                return Claim(ClaimOutcome.UNKNOWN)
            if found.user_id != user_id:
                return Claim(ClaimOutcome.NOT_YOURS, found)
            if found.state in (ConfirmationState.CLAIMED, ConfirmationState.DONE):
                return Claim(ClaimOutcome.ALREADY_ANSWERED, found)
            if found.state is ConfirmationState.PENDING:   # pending but past its expiry: record that it lapsed
                await db.execute("UPDATE confirmations SET state = 'expired', finished_ms = ? "
                                 "WHERE id = ? AND state = 'pending'", (now_ms, confirmation_id))
            return Claim(ClaimOutcome.EXPIRED, found)

    async def finish(self, confirmation_id: str, result: str, now_ms: int) -> bool:
        """Mark a claimed confirmation done with what came of it; return False when it was not claimed."""
        async with self._store.transaction() as db:
            cursor = await db.execute("UPDATE confirmations SET state = 'done', finished_ms = ?, result = ? "
                                      "WHERE id = ? AND state = 'claimed'", (now_ms, result, confirmation_id))
            return cursor.rowcount == 1

    async def expire_pending(self, now_ms: int) -> int:
        """Expire every pending confirmation (at start-up: what was asked before a restart never executes)."""
        async with self._store.transaction() as db:
            cursor = await db.execute("UPDATE confirmations SET state = 'expired', finished_ms = ? "
                                      "WHERE state = 'pending'", (now_ms,))
            return cursor.rowcount

    async def forget_before(self, ts_ms: int) -> int:
        """Delete confirmations created before ts_ms that can no longer change."""
        async with self._store.transaction() as db:
            cursor = await db.execute("DELETE FROM confirmations WHERE created_ms < ? AND state IN ('done', 'expired')",
                                      (ts_ms,))
            await db.execute("DELETE FROM button_presses WHERE pressed_ms < ?", (ts_ms,))
            return cursor.rowcount

    async def press(self, button: str, now_ms: int, again_after_ms: int) -> bool:
        """Claim a press of a show-only button; return False when it was pressed within again_after_ms."""
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "INSERT INTO button_presses (button, pressed_ms) VALUES (?, ?) ON CONFLICT (button) DO UPDATE "
                "SET pressed_ms = excluded.pressed_ms WHERE button_presses.pressed_ms <= ?",
                (button, now_ms, now_ms - again_after_ms))
            return cursor.rowcount == 1

    async def get(self, confirmation_id: str) -> Confirmation | None:
        """Return the confirmation with this id, or None."""
        return await _select(self._store.db, confirmation_id)


async def _select(db: aiosqlite.Connection, confirmation_id: str) -> Confirmation | None:
    async with db.execute(f"SELECT {_COLUMNS} FROM confirmations WHERE id = ?", (confirmation_id,)) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None
    ident, user_id, chat_id, action, payload_hash, created_ms, expires_ms, state, result = row
    return Confirmation(ident, user_id, chat_id, action, payload_hash, created_ms, expires_ms,
                        ConfirmationState(state), result)
