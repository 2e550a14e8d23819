"""Orders, fills and positions in SQLite: each venue state change is written in one transaction."""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, Mapping

from trading.adapters.sqlite_store import SqliteStore, insert_event
from trading.domain.events import Event, EventKind
from trading.domain.orders import strategy_of

_ORDER_EVENTS = {EventKind.ORDER_PLACED, EventKind.ORDER_FILLED, EventKind.ORDER_CANCELLED, EventKind.ORDER_FAILED}
_ORDER_COLUMNS = ("id", "client_order_id", "symbol", "side", "type", "amount", "price", "stop_price", "status",
                  "filled", "avg_price", "fee", "reduce_only", "reason", "created_ms", "updated_ms")


@dataclass(frozen=True, slots=True)
class TradeRow:
    """One fill as /trades shows it."""

    ts_ms: int
    order_id: str
    symbol: str
    side: str
    amount: Decimal
    price: Decimal
    fee: Decimal
    fee_asset: str


@dataclass(frozen=True, slots=True)
class ClosedPositionRow:
    """A position that was closed, with what it realised."""

    symbol: str
    side: str
    amount: Decimal
    entry_price: Decimal
    realized_pnl: Decimal
    fees_paid: Decimal
    funding_paid: Decimal
    strategy: str
    opened_ms: int
    closed_ms: int


# a position opened by the engine is its strategy's: its first fill's order names the strategy in its reason
_CLOSED = ("SELECT p.symbol, p.side, p.amount, p.entry_price, p.realized_pnl, p.fees_paid, p.funding_paid, p.strategy, "
           "p.opened_ms, p.closed_ms, (SELECT o.reason FROM fills f JOIN orders o ON o.venue = f.venue AND "
           "o.id = f.order_id WHERE f.venue = p.venue AND f.symbol = p.symbol AND f.ts_ms BETWEEN p.opened_ms AND "
           "p.closed_ms ORDER BY f.ts_ms, f.id LIMIT 1) FROM positions p WHERE p.venue = ? AND p.status = 'closed' "
           "AND p.closed_ms >= ? ORDER BY p.closed_ms")


class ExecutionLedger:
    """Writes a venue's events and state snapshot together, so a crash never leaves them disagreeing."""

    def __init__(self, store: SqliteStore, venue: str) -> None:
        self._store = store
        self.venue = venue

    async def record(self, state_key: str, snapshot: Mapping[str, Any], events: Iterable[Event],
                     ts_ms: int) -> None:
        """Apply the events to the orders/fills/positions tables and replace the snapshot, atomically."""
        async with self._store.transaction() as db:
            for event in events:
                await self._apply(event)
                await insert_event(db, event)
            await db.execute("INSERT OR REPLACE INTO state VALUES (?, ?, ?)",
                             (state_key, json.dumps(snapshot, default=str), ts_ms))

    async def _apply(self, event: Event) -> None:
        data = event.data
        if event.kind in _ORDER_EVENTS:
            row = [_text(data.get(c)) for c in _ORDER_COLUMNS]
            row[12] = int(bool(data.get("reduce_only")))
            await self._store.db.execute(
                f"INSERT OR REPLACE INTO orders (venue, {', '.join(_ORDER_COLUMNS)}) "
                f"VALUES (?, {', '.join('?' * len(_ORDER_COLUMNS))})", (self.venue, *row))
        if event.kind is EventKind.ORDER_FILLED:
            fill = data["fill"]
            await self._store.db.execute(
                "INSERT INTO fills (venue, order_id, symbol, side, amount, price, fee, fee_asset, is_maker, ts_ms) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (self.venue, fill["order_id"], fill["symbol"], fill["side"], fill["amount"], fill["price"], fill["fee"],
                 fill["fee_asset"], int(bool(fill.get("is_maker"))), fill["ts_ms"]))
        elif event.kind in (EventKind.POSITION_OPENED, EventKind.POSITION_UPDATED, EventKind.POSITION_CLOSED):
            await self._apply_position(event)

    async def _apply_position(self, event: Event) -> None:
        d = event.data
        values = (d["amount"], d["entry_price"], int(d.get("leverage") or 1), d.get("margin") or "0",
                  d.get("realized_pnl") or "0", d.get("fees_paid") or "0", d.get("funding_paid") or "0",
                  d.get("stop_price"), d.get("take_profit"), d.get("strategy") or "")
        sets = ("amount = ?, entry_price = ?, leverage = ?, margin = ?, realized_pnl = ?, fees_paid = ?, "
                "funding_paid = ?, stop_price = ?, take_profit = ?, strategy = ?")
        db = self._store.db
        if event.kind is EventKind.POSITION_OPENED:
            await db.execute(
                "INSERT INTO positions (venue, symbol, side, amount, entry_price, leverage, margin, realized_pnl, "
                "fees_paid, funding_paid, stop_price, take_profit, strategy, status, opened_ms) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)",
                (self.venue, d["symbol"], d["side"], *values, d.get("opened_ms") or event.ts_ms))
        elif event.kind is EventKind.POSITION_UPDATED:
            await db.execute(f"UPDATE positions SET {sets} WHERE venue = ? AND symbol = ? AND status = 'open'",
                             (*values, self.venue, d["symbol"]))
        else:
            await db.execute(f"UPDATE positions SET {sets}, status = 'closed', closed_ms = ? "
                             f"WHERE venue = ? AND symbol = ? AND status = 'open'",
                             (*values, event.ts_ms, self.venue, d["symbol"]))

    async def recent_trades(self, limit: int, since_ms: int = 0) -> list[TradeRow]:
        """Return the newest fills (at since_ms or later), newest first."""
        sql = ("SELECT f.ts_ms, f.order_id, f.symbol, f.side, f.amount, f.price, f.fee, f.fee_asset FROM fills f "
               "WHERE f.venue = ? AND f.ts_ms >= ? ORDER BY f.id DESC LIMIT ?")
        async with self._store.db.execute(sql, (self.venue, since_ms, limit)) as cur:
            rows = await cur.fetchall()
        return [TradeRow(ts, oid, sym, side, Decimal(a), Decimal(p), Decimal(fee), asset)
                for ts, oid, sym, side, a, p, fee, asset in rows]

    async def has_fills_before(self, ts_ms: int) -> bool:
        """Return whether any fill is older than ts_ms."""
        sql = "SELECT 1 FROM fills WHERE venue = ? AND ts_ms < ? LIMIT 1"
        async with self._store.db.execute(sql, (self.venue, ts_ms)) as cur:
            return await cur.fetchone() is not None

    async def fills_between(self, symbol: str, start_ms: int, end_ms: int) -> list[TradeRow]:
        """Return the fills of symbol from start_ms to end_ms (both included), oldest first."""
        sql = ("SELECT ts_ms, order_id, symbol, side, amount, price, fee, fee_asset FROM fills "
               "WHERE venue = ? AND symbol = ? AND ts_ms BETWEEN ? AND ? ORDER BY ts_ms, id")
        async with self._store.db.execute(sql, (self.venue, symbol, start_ms, end_ms)) as cur:
            rows = await cur.fetchall()
        return [TradeRow(ts, oid, sym, side, Decimal(a), Decimal(p), Decimal(fee), asset)
                for ts, oid, sym, side, a, p, fee, asset in rows]

    async def closed_positions(self, since_ms: int = 0) -> list[ClosedPositionRow]:
        """Return the positions closed since since_ms, oldest first."""
        async with self._store.db.execute(_CLOSED, (self.venue, since_ms)) as cur:
            rows = await cur.fetchall()
        return [ClosedPositionRow(s, side, Decimal(a), Decimal(e), Decimal(r), Decimal(f), Decimal(fu),
                                  st or strategy_of(first_reason), o, c)
                for s, side, a, e, r, f, fu, st, o, c, first_reason in rows]

    async def open_results(self, since_ms: int = 0) -> Decimal:
        """Return what the positions still open (opened since since_ms) realised so far: partial exits, net of the
        fees and funding they paid."""
        sql = ("SELECT realized_pnl, fees_paid, funding_paid FROM positions "
               "WHERE venue = ? AND status = 'open' AND opened_ms >= ?")
        async with self._store.db.execute(sql, (self.venue, since_ms)) as cur:
            rows = await cur.fetchall()
        return sum((Decimal(r) - Decimal(f) - Decimal(fu) for r, f, fu in rows), Decimal(0))

    async def forget(self, ts_ms: int = 0, balance: Decimal = Decimal(0)) -> None:
        """Close every open position row and note when the account restarted with balance (a paper reset)."""
        async with self._store.transaction() as db:
            await db.execute("UPDATE positions SET status = 'reset' WHERE venue = ? AND status = 'open'", (self.venue,))
            await db.execute("INSERT OR REPLACE INTO state VALUES (?, ?, ?)",
                             (self._reset_key, json.dumps({"ts_ms": ts_ms, "balance": str(balance)}), ts_ms))

    async def last_reset(self) -> tuple[int, Decimal] | None:
        """Return when the account was last reset and the balance it restarted with, if ever."""
        data = await self._store.load_state(self._reset_key)
        if not isinstance(data, dict):
            return None
        return int(data["ts_ms"]), Decimal(data["balance"])

    async def since_reset(self, since_ms: int) -> int:
        """Return since_ms, or the last reset when later: a reset paper account is a new account (PnL starts over)."""
        reset = await self.last_reset()
        return since_ms if reset is None else max(since_ms, reset[0])

    @property
    def _reset_key(self) -> str:
        return f"reset:{self.venue}"


def _text(value: Any) -> Any:
    return None if value is None else value if isinstance(value, int) else str(value)
