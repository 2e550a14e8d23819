"""Approvals in SQLite: a confirmations row (state, hash, expiry) joined to the approvals row (ticket, card, plan)."""
from __future__ import annotations

import json
from typing import Any, Sequence

from trading.adapters.sqlite_store import SqliteStore
from trading.domain.approvals import APPROVAL_ACTIONS, Approval
from trading.domain.confirmations import Confirmation, ConfirmationState
from trading.domain.manual_orders import OrderTicket
from trading.engine.snapshots import from_plain, to_plain

_SELECT = ("SELECT c.id, c.user_id, c.chat_id, c.action, c.payload_hash, c.created_ms, c.expires_ms, c.state, "
           "c.result, a.ticket_json, a.client_order_ids_json, a.reason, a.message_id, a.code_asked_ms, "
           "a.code_verified_ms, a.plan_json FROM confirmations c JOIN approvals a ON a.id = c.id")


class SqliteApprovals:
    """The approvals of the bot's database."""

    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    async def add(self, approval: Approval) -> None:
        """Store a new pending approval: its confirmation and its ticket, in one transaction."""
        c = approval.confirmation
        async with self._store.transaction() as db:
            await db.execute("INSERT INTO confirmations (id, user_id, chat_id, action, payload_hash, created_ms, "
                             "expires_ms, state, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             (c.id, c.user_id, c.chat_id, c.action, c.payload_hash, c.created_ms, c.expires_ms,
                              c.state.value, c.result))
            plan = json.dumps(dict(approval.plan)) if approval.plan is not None else None
            await db.execute("INSERT INTO approvals (id, ticket_json, client_order_ids_json, reason, plan_json) "
                             "VALUES (?, ?, ?, ?, ?)", (c.id, json.dumps(to_plain(approval.ticket)),
                                                        json.dumps(list(approval.client_order_ids)), approval.reason,
                                                        plan))

    async def get(self, approval_id: str) -> Approval | None:
        """Return the approval with this id, or None."""
        found = await self._select("WHERE c.id = ?", (approval_id,))
        return found[0] if found else None

    async def set_message(self, approval_id: str, message_id: int) -> None:
        """Remember which chat message shows the card."""
        async with self._store.transaction() as db:
            await db.execute("UPDATE approvals SET message_id = ? WHERE id = ?", (message_id, approval_id))

    async def ask_code(self, approval_id: str, user_id: int, payload_hash: str, now_ms: int,
                       seen_ms: int | None = None) -> bool:
        """Record an Approve press of a pending, unexpired card whose last press was read as seen_ms (None: never);
        return False when another press got there first."""
        async with self._store.transaction() as db:
            cursor = await db.execute(
                "UPDATE approvals SET code_asked_ms = :now WHERE id = :id AND code_asked_ms IS :seen AND EXISTS "
                "(SELECT 1 FROM confirmations c WHERE c.id = :id AND c.user_id = :user AND c.state = 'pending' "
                "AND c.expires_ms > :now AND c.payload_hash = :hash)",
                {"now": now_ms, "id": approval_id, "user": user_id, "hash": payload_hash, "seen": seen_ms})
            return cursor.rowcount == 1

    async def code_verified(self, approval_id: str, now_ms: int) -> None:
        """Record when the code that released the approval was verified."""
        async with self._store.transaction() as db:
            await db.execute("UPDATE approvals SET code_verified_ms = ? WHERE id = ?", (now_ms, approval_id))

    async def expire(self, approval_id: str, result: str, now_ms: int) -> bool:
        """Expire one pending approval (refreshed, blocked); return False when it was no longer pending."""
        async with self._store.transaction() as db:
            cursor = await db.execute("UPDATE confirmations SET state = 'expired', finished_ms = ?, result = ? "
                                      "WHERE id = ? AND state = 'pending'", (now_ms, result, approval_id))
            return cursor.rowcount == 1

    async def pending(self) -> list[Approval]:
        """Return every pending approval, whatever its expiry."""
        return await self._select("WHERE c.state = 'pending' AND c.action IN (?, ?)", APPROVAL_ACTIONS)

    async def due(self, now_ms: int) -> list[Approval]:
        """Expire the pending approvals past their expiry and return them (their cards lose their buttons)."""
        lapsed = await self._select("WHERE c.state = 'pending' AND c.expires_ms <= ?", (now_ms,))
        return [a for a in lapsed if await self.expire(a.id, "expired unexecuted", now_ms)]

    async def claimed_without_result(self) -> list[Approval]:
        """Return the approvals claimed (code verified, order on its way) whose outcome was never recorded."""
        return await self._select("WHERE c.state = 'claimed' AND c.action IN (?, ?)", APPROVAL_ACTIONS)

    async def _select(self, where: str, params: tuple[Any, ...]) -> list[Approval]:
        async with self._store.db.execute(f"{_SELECT} {where} ORDER BY c.created_ms", params) as cursor:
            rows = await cursor.fetchall()
        return [_approval(row) for row in rows]


def _approval(row: Sequence[Any]) -> Approval:
    (id_, user, chat, action, digest, created, expires, state, result, ticket, ids, reason, message, asked,
     verified, plan) = row
    confirmation = Confirmation(id_, user, chat, action, digest, created, expires, ConfirmationState(state), result)
    return Approval(confirmation, from_plain(OrderTicket, json.loads(ticket)), tuple(json.loads(ids)), reason,
                    message, asked, verified, json.loads(plan) if plan is not None else None)
