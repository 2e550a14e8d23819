"""The execution ledger: orders, fills and positions written with the venue's state, per venue."""
from decimal import Decimal

import pytest

from trading.adapters.clocks import ManualClock
from trading.adapters.sqlite_ledger import ExecutionLedger
from trading.adapters.sqlite_store import SqliteStore
from trading.domain.events import Event, EventKind
from trading.domain.orders import entry_reason, strategy_of

ORDER = {"id": "P-1", "client_order_id": "ta-abc", "symbol": "BTC/USDT", "side": "buy", "type": "market",
         "amount": "0.01", "price": None, "stop_price": None, "status": "filled", "filled": "0.01",
         "avg_price": "100", "fee": "0.001", "reduce_only": False, "reason": "test", "created_ms": 1, "updated_ms": 2}
FILL = {"order_id": "P-1", "symbol": "BTC/USDT", "side": "buy", "amount": "0.01", "price": "100", "fee": "0.001",
        "fee_asset": "USDT", "is_maker": False, "ts_ms": 2}


def filled(order: dict, fill: dict) -> Event:
    return Event(EventKind.ORDER_FILLED, fill["ts_ms"], "Bought", order | {"fill": fill})


@pytest.fixture
async def store(tmp_path):
    store = SqliteStore(tmp_path / "db.sqlite", ManualClock(1))
    await store.open()
    yield store
    await store.close()


async def test_two_venues_may_use_the_same_order_id(store):
    spot, futures = ExecutionLedger(store, "paper-spot"), ExecutionLedger(store, "paper-futures")
    await spot.record("paper_spot", {"cash": "1"}, [filled(ORDER, FILL)], 5)
    await futures.record("paper_futures", {"cash": "2"}, [filled(ORDER, FILL | {"price": "200"})], 6)
    assert [t.price for t in await spot.recent_trades(10)] == [Decimal("100")]
    assert [t.price for t in await futures.recent_trades(10)] == [Decimal("200")]
    assert await store.load_state("paper_spot") == {"cash": "1"}


async def test_a_client_id_used_again_after_its_order_filled_is_recorded_as_a_second_order(store):
    ledger = ExecutionLedger(store, "live-binance-spot")
    await ledger.record("live", {}, [filled(ORDER, FILL)], 5)
    again = ORDER | {"id": "B-2"}
    await ledger.record("live", {}, [filled(again, FILL | {"order_id": "B-2", "ts_ms": 9})], 9)
    assert [t.order_id for t in await ledger.recent_trades(10)] == ["B-2", "P-1"]


async def test_recent_trades_since_a_time_leave_older_fills_out_and_say_they_exist(store):
    ledger = ExecutionLedger(store, "paper-spot")
    await ledger.record("paper", {}, [filled(ORDER, FILL)], 5)
    again = ORDER | {"id": "P-2"}
    await ledger.record("paper", {}, [filled(again, FILL | {"order_id": "P-2", "ts_ms": 9})], 9)
    assert [t.order_id for t in await ledger.recent_trades(10, since_ms=9)] == ["P-2"]
    assert [t.order_id for t in await ledger.recent_trades(10, since_ms=10)] == []
    assert await ledger.has_fills_before(9) and not await ledger.has_fills_before(2)
    assert not await ExecutionLedger(store, "paper-futures").has_fills_before(100)   # per venue


async def test_a_failed_ledger_write_changes_nothing(store):
    ledger = ExecutionLedger(store, "paper-spot")
    broken = filled(ORDER, {k: v for k, v in FILL.items() if k != "price"})
    with pytest.raises(KeyError):
        await ledger.record("paper_spot", {"cash": "9"}, [filled(ORDER, FILL), broken], 5)
    assert await ledger.recent_trades(10) == []
    assert await store.load_state("paper_spot") is None


async def test_migration_4_keeps_the_orders_and_fills_of_an_older_database(tmp_path):
    import sqlite3
    from trading.adapters.sqlite_store import migrations
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:   # a database as versions 1-3 left it, with one filled order
        db.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_ms INTEGER NOT NULL)")
        for version, sql in migrations()[:3]:
            db.executescript(sql)
            db.execute("INSERT INTO schema_version VALUES (?, 0)", (version,))
        db.execute("INSERT INTO orders (id, client_order_id, venue, symbol, side, type, amount, status, created_ms, "
                   "updated_ms) VALUES ('P-1', 'c1', 'paper-spot', 'BTC/USDT', 'buy', 'market', '1', 'filled', 1, 1)")
        db.execute("INSERT INTO fills (order_id, symbol, side, amount, price, fee, fee_asset, ts_ms) "
                   "VALUES ('P-1', 'BTC/USDT', 'buy', '1', '100', '0.1', 'USDT', 1)")
    store = SqliteStore(path, ManualClock(1))
    assert await store.open() >= 4
    trades = await ExecutionLedger(store, "paper-spot").recent_trades(5)
    assert [(t.order_id, t.price) for t in trades] == [("P-1", Decimal("100"))]
    await store.close()


def position(kind: EventKind, ts: int, **fields) -> Event:
    data = {"symbol": "BTC/USDT", "side": "long", "amount": "0.01", "entry_price": "100", "realized_pnl": "0",
            "strategy": "", "opened_ms": 2} | fields
    return Event(kind, ts, "position", data)


async def test_a_closed_position_is_its_entry_orders_strategy_and_a_manual_one_names_none(store):
    # the venue's position rows carry no strategy; the engine's entry order names it first in its reason
    ledger = ExecutionLedger(store, "paper-spot")
    entry = ORDER | {"reason": entry_reason("C", "long", "1h trend up, 15m retest")}
    exit_ = ORDER | {"id": "P-2", "client_order_id": "ta-abc-x1", "side": "sell", "reason": "stop_loss: hit"}
    await ledger.record("s", {}, [filled(entry, FILL), position(EventKind.POSITION_OPENED, 2)], 2)
    await ledger.record("s", {}, [filled(exit_, FILL | {"order_id": "P-2", "side": "sell", "ts_ms": 7}),
                                  position(EventKind.POSITION_CLOSED, 7, amount="0", realized_pnl="-1")], 7)
    manual = ORDER | {"id": "P-3", "client_order_id": "m-1", "reason": ""}
    await ledger.record("s", {}, [filled(manual, FILL | {"order_id": "P-3", "ts_ms": 9}),
                                  position(EventKind.POSITION_OPENED, 9, opened_ms=9)], 9)
    await ledger.record("s", {}, [position(EventKind.POSITION_CLOSED, 12, amount="0", opened_ms=9)], 12)

    closed = await ledger.closed_positions(0)

    assert [(c.opened_ms, c.strategy) for c in closed] == [(2, "C"), (9, "")]
    assert [(f.side, f.ts_ms) for f in await ledger.fills_between("BTC/USDT", 2, 7)] == [("buy", 2), ("sell", 7)]
    assert strategy_of("manual buy") == "" and strategy_of(entry_reason("trend", "short", "x")) == "trend"
