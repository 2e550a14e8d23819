"""The decision log as the chat reads it: pages with a cursor, one decision, the decision behind an order."""
from decimal import Decimal as D

import pytest

from tests.fakes.symbol_views import T_VIEW, bundled_btc
from trading.adapters.clocks import ManualClock
from trading.adapters.replay_market_data import ReplayMarketData
from trading.adapters.sqlite_decisions import DecisionJournal
from trading.adapters.sqlite_store import SqliteStore
from trading.domain.decision_log import DecisionRecord
from trading.domain.errors import InvalidInput
from trading.services.decisions import DecisionsService


@pytest.fixture
async def service(tmp_path):
    clock = ManualClock(T_VIEW)
    store = SqliteStore(tmp_path / "trading.sqlite", clock)
    await store.open()
    market = ReplayMarketData({"BTC/USDT": bundled_btc()}, clock, "test")
    yield DecisionsService(DecisionJournal(store), clock, market, ("BTC/USDT", "ETH/USDT")), store
    await store.close()


def record(n, action="BUY", order_id="", symbol="BTC/USDT"):
    return DecisionRecord(T_VIEW - (100 - n) * 60_000, symbol, action, 0.8, "model", "m", f"reason {n}", D("100"),
                          prompt="p", order_id=order_id)


async def test_pages_hold_ten_lines_and_the_cursor_walks_back_without_gaps(service):
    decisions, _ = service
    for n in range(25):
        await decisions.journal.record(record(n, "BUY" if n % 2 else "SELL"))
    first = await decisions.page()
    second = await decisions.page("", first.older_than)
    third = await decisions.page("", second.older_than)
    ids = [r.id for page in (first, second, third) for line in page.lines for r in line.records]
    assert ids == list(range(25, 0, -1)) and third.older_than is None and first.newer_than is None
    assert second.newer_than == 15
    with pytest.raises(InvalidInput, match="Usage: /decisions"):
        await decisions.page("DOGE")


async def test_why_names_the_decision_that_sent_an_order_or_the_one_behind_the_entry_a_stop_closed(service):
    decisions, store = service
    ref = await decisions.journal.record(record(1, order_id="ta-entry1"))
    async with store.transaction() as db:
        for oid, client, reason in (("P-1", "ta-entry1", "llm long"), ("P-2", "ta-entry1-x1", "hard_stop: -10%")):
            await db.execute("INSERT INTO orders (venue, id, client_order_id, symbol, side, type, amount, status, "
                             "reason, created_ms, updated_ms) VALUES ('paper-spot', ?, ?, 'BTC/USDT', 'buy', "
                             "'market', '1', 'filled', ?, 0, 0)", (oid, client, reason))
    entry = await decisions.why("P-1")
    stop = await decisions.why("P-2")
    by_number = await decisions.why(f"#{ref}")
    assert entry.decision.id == ref and not entry.entry_only
    assert stop.entry_only and stop.decision.id == ref and stop.order_reason == "hard_stop: -10%"
    assert by_number.decision.id == ref
    assert (await decisions.why("p-1")).decision.id == ref        # ids are shown "P-1"; typed in any case
    assert (await decisions.why("TA-ENTRY1-X1")).order_reason == "hard_stop: -10%"   # a client id, in capitals
    with pytest.raises(InvalidInput, match="No order or decision 'P-9'"):
        await decisions.why("P-9")


async def test_why_reads_the_orders_of_the_account_running_not_another_one(tmp_path):
    clock = ManualClock(T_VIEW)
    store = SqliteStore(tmp_path / "trading.sqlite", clock)
    await store.open()
    try:
        market = ReplayMarketData({"BTC/USDT": bundled_btc()}, clock, "test")
        futures = DecisionsService(DecisionJournal(store, venue="paper-futures"), clock, market, ("BTC/USDT",))
        async with store.transaction() as db:     # the spot account's P-1, newer than the futures account's
            for venue, client, reason, at in (("paper-futures", "ta-f1", "A long", 1), ("paper-spot", "ta-s1",
                                                                                         "B long", 2)):
                await db.execute("INSERT INTO orders (venue, id, client_order_id, symbol, side, type, amount, "
                                 "status, reason, created_ms, updated_ms) VALUES (?, 'P-1', ?, 'BTC/USDT', 'buy', "
                                 "'market', '1', 'filled', ?, 0, ?)", (venue, client, reason, at))
        ref = await futures.journal.record(record(1, order_id="ta-f1"))
        await futures.journal.record(record(2, order_id="ta-s1"))
        why = await futures.why("P-1")
    finally:
        await store.close()
    # before: the newest P-1 of any account: the spot order and its decision
    assert why.decision.id == ref and why.order_reason == "A long"
