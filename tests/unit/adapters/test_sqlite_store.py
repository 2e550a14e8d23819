import sqlite3

import pytest

from trading.adapters.clocks import ManualClock
from trading.adapters.data_dir_lock import DataDirLock
from trading.adapters.sqlite_store import SqliteStore, migrations
from trading.domain.candles import Candles, Timeframe
from trading.domain.errors import AlreadyRunning
from trading.domain.events import Event, EventKind

LATEST = migrations()[-1][0]


async def test_migrations_apply_on_an_empty_database(tmp_path):
    store = SqliteStore(tmp_path / "db.sqlite", ManualClock(1))
    assert await store.open() == LATEST
    async with store.db.execute("SELECT name FROM sqlite_master WHERE type='table'") as cur:
        tables = {r[0] for r in await cur.fetchall()}
    assert {"candles", "orders", "fills", "positions", "decisions", "events", "settings_overrides",
            "schema_version"} <= tables
    async with store.db.execute("PRAGMA journal_mode") as cur:
        assert (await cur.fetchone())[0] == "wal"
    await store.close()


async def test_migrations_are_not_reapplied_on_an_already_migrated_database(tmp_path):
    path = tmp_path / "db.sqlite"
    first = SqliteStore(path, ManualClock(1))
    await first.open()
    await first.append_event(Event(EventKind.STARTED, 5, "hello"))
    await first.close()
    again = SqliteStore(path, ManualClock(2))
    assert await again.open() == LATEST
    async with again.db.execute("SELECT COUNT(*) FROM schema_version") as cur:
        assert (await cur.fetchone())[0] == len(migrations())
    assert [e.message for e in await again.events()] == ["hello"]
    await again.close()


async def test_events_are_append_only(tmp_path):
    store = SqliteStore(tmp_path / "db.sqlite", ManualClock(1))
    await store.open()
    await store.append_event(Event(EventKind.ACCESS_DENIED, 7, "chat 5 refused", {"chat_id": 5}))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        await store.db.execute("DELETE FROM events")
    events = await store.events(EventKind.ACCESS_DENIED)
    assert events[0].data == {"chat_id": 5} and events[0].ts_ms == 7
    await store.close()


async def test_candle_cache_round_trips_exactly(tmp_path):
    store = SqliteStore(tmp_path / "db.sqlite", ManualClock(1))
    await store.open()
    candles = Candles.from_rows([(60_000 * i, 105573.73 + i, 105597.1, 105554.31, 105554.32, 10.82647)
                                 for i in range(5)])
    await store.save_candles("BTC/USDT", Timeframe.M1, candles)
    await store.save_candles("BTC/USDT", Timeframe.M1, candles[3:])  # overlap replaces, no duplicates
    loaded = await store.load_candles("BTC/USDT", Timeframe.M1)
    assert loaded.equals(candles)
    window = await store.load_candles("BTC/USDT", Timeframe.M1, since_ms=60_000, until_ms=180_000)
    assert window.open_ms.tolist() == [60_000, 120_000]
    assert len(await store.load_candles("ETH/USDT", Timeframe.M1)) == 0
    await store.close()


async def test_state_snapshots_and_overrides_survive_reopen(tmp_path):
    path = tmp_path / "db.sqlite"
    store = SqliteStore(path, ManualClock(1))
    await store.open()
    await store.save_state("kill_switch", {"active": True, "why": "test"})
    await store.set_override("risk_per_trade", "0.01")
    await store.close()
    store = SqliteStore(path, ManualClock(1))
    await store.open()
    assert await store.load_state("kill_switch") == {"active": True, "why": "test"}
    assert await store.load_state("missing") is None
    assert await store.overrides() == {"risk_per_trade": "0.01"}
    await store.close()


def test_a_second_holder_of_the_data_dir_is_refused(tmp_path):
    first = DataDirLock(tmp_path)
    first.acquire()
    with pytest.raises(AlreadyRunning, match="already using"):
        DataDirLock(tmp_path).acquire()
    first.release()
    DataDirLock(tmp_path).acquire()


async def test_concurrent_writers_never_commit_each_others_half_done_transactions(tmp_path):
    import asyncio
    store = SqliteStore(tmp_path / "db.sqlite", ManualClock(1))
    await store.open()

    async def failing_transaction():
        with pytest.raises(RuntimeError):
            async with store.transaction() as db:
                await db.execute("INSERT INTO state VALUES ('half', '{}', 1)")
                await asyncio.sleep(0.01)          # another task writes meanwhile
                raise RuntimeError("crash mid-transaction")

    await asyncio.gather(failing_transaction(),
                         *(store.append_event(Event(EventKind.COMMAND, i, f"e{i}")) for i in range(5)))
    assert await store.load_state("half") is None          # rolled back, not committed by a neighbour
    assert len(await store.events()) == 5
    await store.close()


async def test_a_writer_cancelled_mid_transaction_leaves_no_transaction_open(tmp_path):
    import asyncio
    store = SqliteStore(tmp_path / "db.sqlite", ManualClock(1))
    await store.open()
    started = asyncio.Event()

    async def slow_writer():
        async with store.transaction() as db:
            await db.execute("INSERT INTO state VALUES ('cut', '{}', 1)")
            started.set()
            await asyncio.sleep(10)

    task = asyncio.create_task(slow_writer())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await store.append_event(Event(EventKind.STOPPING, 2, "still writable"))
    assert await store.load_state("cut") is None
    assert [e.message for e in await store.events()] == ["still writable"]
    await store.close()


async def test_written_last_is_the_order_earlier_runs_left_whatever_their_clocks(tmp_path):
    path = tmp_path / "db.sqlite"
    live_run = SqliteStore(path, ManualClock(1_900_000_000_000))          # live: today
    await live_run.open()
    await live_run.save_state("live_account:binance", {"positions": []})
    await live_run.save_state("engine", {"positions": {}})
    await live_run.close()
    paper_run = SqliteStore(path, ManualClock(1_700_000_000_000))         # a replay: a past day
    await paper_run.open()
    await paper_run.save_state("paper_account", {})
    await paper_run.save_state("engine", {"positions": {}})
    await paper_run.close()

    store = SqliteStore(path, ManualClock(1_900_000_100_000))
    await store.open()
    await store.save_state("live_account:binance", {"positions": []})    # this run's writes do not count
    prefixes = ("live_account:", "paper_account")
    assert await store.written_last(prefixes) == "paper_account"
    assert await store.written_last(("live_account:",)) == "live_account:binance"
    assert await store.written_last(("nothing",)) is None
    await store.delete_state("engine")
    assert await store.load_state("engine") is None
    await store.close()
